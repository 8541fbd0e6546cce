"""Stage: ports. A ServiceMonitor's ``port`` is a Service port NAME; ``targetPort`` the container's port; a
PodMonitor's ``port`` a container port name, ``portNumber`` a number. Which targets pass is the renderer's
keep rule, evaluated by the relabel engine (why.funnel); this module names the ports that do exist."""

from __future__ import annotations

import copy

from migrator.discovery.common import lst, m
from migrator.why import labels as L
from migrator.why.model import ERROR, WARNING, Finding, Fix, object_id, target_of

META = "__meta_kubernetes_"
#: ports served but never declared in a pod spec, and by whom
UNDECLARED = {"15020": "Istio's merged-metrics port (served by the sidecar agent, not declared in the pod "
                        "spec: istio #27328)"}


def _endpoint_patch(monitor: dict, index: int, change: dict) -> dict:
    key = "podMetricsEndpoints" if monitor.get("kind") == "PodMonitor" else "endpoints"
    eps = copy.deepcopy((monitor.get("spec") or {}).get(key) or [])
    from migrator.why.model import apply_patch
    eps[index] = apply_patch(eps[index], change)
    return {"spec": {key: eps}}


def endpoint_fix(monitor: dict, index: int, summary: str, change: dict) -> Fix:
    return Fix(summary, target_of(str(monitor.get("kind")), L.namespace_of(monitor), L.name_of(monitor)),
               _endpoint_patch(monitor, index, change))


def _container_ports(targets: list) -> list[tuple[str, str, str, str]]:
    """(container, port name, number, init) declared by the pods behind targets, distinct."""
    out: list[tuple[str, str, str, str]] = []
    for t in targets:
        d = t.discovered
        num = d.get(META + "pod_container_port_number", "")
        if not num:
            continue
        row = (d.get(META + "pod_container_name", ""), d.get(META + "pod_container_port_name", ""), num,
               d.get(META + "pod_container_init", "false"))
        if row not in out:
            out.append(row)
    return out


def _shown(ports: list[tuple[str, str, str, str]]) -> str:
    return ", ".join(f"{n or '(unnamed)'} ({num}, container {c}{', init' if i == 'true' else ''})"
                     for c, n, num, i in ports) or "none"


def findings(monitor: dict, index: int, targets: list, services: list[dict]) -> list[Finding]:
    """Why no target reaching the port stage has the monitor's port. targets: those reaching the stage."""
    kind = str(monitor.get("kind"))
    mon = object_id(kind, L.namespace_of(monitor), L.name_of(monitor))
    key = "podMetricsEndpoints" if kind == "PodMonitor" else "endpoints"
    ep = ((monitor.get("spec") or {}).get(key) or [{}])[index]
    if kind == "ServiceMonitor":
        return _service_monitor(monitor, index, ep, mon, targets, services)
    return _pod_monitor(monitor, index, ep, mon, targets)


def _service_monitor(monitor: dict, index: int, ep: dict, mon: str, targets: list,
                     services: list[dict]) -> list[Finding]:
    port = ep.get("port")
    svc_ports = []  # (service id, index, port dict)
    for s in services:
        for i, p in enumerate(lst(m(s, "spec"), "ports")):
            if isinstance(p, dict):
                svc_ports.append((s, i, p))
    names = [str(p.get("name")) for _, _, p in svc_ports if p.get("name")]
    shown = ", ".join(f"{p.get('name') or '(unnamed)'} (port {p.get('port')}, targetPort "
                      f"{p.get('targetPort', p.get('port'))})" for _, _, p in svc_ports) or "none"
    if port:
        port = str(port)
        for s, i, p in svc_ports:
            sid = object_id("Service", L.namespace_of(s), L.name_of(s))
            by_number = port.isdigit() and port in (str(p.get("port")), str(p.get("targetPort")))
            by_target = port == str(p.get("targetPort")) and not port.isdigit()
            if not (by_number or by_target):
                continue
            if p.get("name"):
                what = "its number" if by_number else "the targetPort (the container's port name)"
                return [Finding(
                    "port.number-not-name" if by_number else "port.target-port-name", ERROR, "port",
                    f"{mon} port {port!r} is {what}; a ServiceMonitor port is the Service port NAME: {sid} "
                    f"has {shown}", [mon, sid],
                    endpoint_fix(monitor, index, f"use the Service port's name {p['name']!r}",
                                 {"port": str(p["name"])}))]
            return [_unnamed(monitor, index, port, s, i, p, mon, sid)]
        unnamed = [(s, i, p) for s, i, p in svc_ports if not p.get("name")]
        if not names and unnamed:
            s, i, p = unnamed[0]
            return [_unnamed(monitor, index, port, s, i, p, mon, object_id("Service", L.namespace_of(s),
                                                                             L.name_of(s)))]
        best = L.closest(port, names)
        sids = [object_id("Service", L.namespace_of(s), L.name_of(s)) for s in services]
        return [Finding("port.name-mismatch", ERROR, "port",
                        f"{mon} port {port!r} is no port name of the selected Services; they have {shown}",
                        [mon] + sids,
                        endpoint_fix(monitor, index, f"use an existing Service port name ({best!r})",
                                     {"port": best}) if best else None)]
    if ep.get("targetPort") is not None:
        declared = _container_ports(targets)
        tp = str(ep["targetPort"])
        want = [n for _, n, num, _ in declared if n] if not tp.isdigit() else [num for _, _, num, _ in declared]
        best = L.closest(tp, want)
        return [Finding("port.target-port", ERROR, "port",
                        f"{mon} targetPort {tp!r} is declared by no container of the endpoints' pods; they "
                        f"declare {_shown(declared)}", [mon],
                        endpoint_fix(monitor, index, f"use a declared container port ({best!r})",
                                     {"targetPort": int(best) if best.isdigit() else best}) if best else None)]
    return []


def _unnamed(monitor: dict, index: int, port: str, s: dict, i: int, p: dict, mon: str, sid: str) -> Finding:
    """The Service port has no name: a ServiceMonitor cannot select it by name. Fix: name it."""
    name = port if not port.isdigit() else "metrics"
    ports = copy.deepcopy(lst(m(s, "spec"), "ports"))
    ports[i]["name"] = name
    msg = (f"{sid} port {p.get('port')} has no name, and a ServiceMonitor port selects a Service port by "
           f"name (endpoint port name ''); {mon} asks for {port!r}")
    if name != port:
        msg += f" (then set the monitor's port to {name!r})"
    return Finding("port.unnamed", ERROR, "port", msg, [mon, sid],
                   Fix(f"name the Service port {name!r}", target_of("Service", L.namespace_of(s), L.name_of(s)),
                       {"spec": {"ports": ports}}))


def _pod_monitor(monitor: dict, index: int, ep: dict, mon: str, targets: list) -> list[Finding]:
    declared = _container_ports(targets)
    names = [n for _, n, _, _ in declared if n]
    numbers = [num for _, _, num, _ in declared]
    port, number = ep.get("port"), ep.get("portNumber")
    if port:
        port = str(port)
        if port.isdigit() and port in numbers:
            return [Finding("port.number-not-name", ERROR, "port",
                            f"{mon} port {port!r} is a number; a PodMonitor port is a container port NAME "
                            f"(use portNumber for numbers); declared: {_shown(declared)}", [mon],
                            endpoint_fix(monitor, index, f"select the port by number: portNumber: {port}",
                                         {"port": None, "portNumber": int(port)}))]
        if port.isdigit() or port in UNDECLARED:
            return [_undeclared(monitor, index, port, mon, declared, names)]
        best = L.closest(port, names)
        unnamed = [num for _, n, num, _ in declared if not n]
        if unnamed and not (best and L.close(port, best)):
            return [Finding("port.unnamed", ERROR, "port",
                            f"{mon} port {port!r} is no container port name, and the selected pods declare port(s) "
                            f"without a name, which a name cannot select; they declare {_shown(declared)}", [mon],
                            endpoint_fix(monitor, index, f"select the unnamed port by number: portNumber: "
                                         f"{unnamed[0]} (or name it in the pod template)",
                                         {"port": None, "portNumber": int(unnamed[0])}))]
        return [Finding("port.name-mismatch", ERROR, "port",
                        f"{mon} port {port!r} is declared by no container of the selected pods; they declare "
                        f"{_shown(declared)}", [mon],
                        endpoint_fix(monitor, index, f"use a declared port name ({best!r})", {"port": best})
                        if best else None)]
    if number:
        return [_undeclared(monitor, index, str(number), mon, declared, names)]
    if ep.get("targetPort") is not None:
        tp = str(ep["targetPort"])
        best = L.closest(tp, names if not tp.isdigit() else numbers)
        return [Finding("port.target-port", ERROR, "port",
                        f"{mon} targetPort {tp!r} is declared by no container of the selected pods; they declare "
                        f"{_shown(declared)}", [mon],
                        endpoint_fix(monitor, index, f"use a declared container port ({best!r})",
                                     {"targetPort": None, "port": best} if not tp.isdigit() else
                                     {"targetPort": None, "portNumber": int(best)}) if best else None)]
    return []


def _undeclared(monitor: dict, index: int, number: str, mon: str, declared: list, names: list[str]) -> Finding:
    served = UNDECLARED.get(number)
    why = f"port {number} is {served}" if served else f"port {number} is declared by no container"
    prom = "http-envoy-prom" if "http-envoy-prom" in names else (names[0] if names else None)
    change: dict = {"port": prom, "portNumber": None, "targetPort": None}
    if prom == "http-envoy-prom":
        change["path"] = "/stats/prometheus"
    fix = endpoint_fix(monitor, index, f"scrape a declared port instead ({prom!r}); Prometheus discovers "
                       "only declared container ports (or rewrite __address__ in a relabeling)", change) \
        if prom else None
    return Finding("port.undeclared", ERROR, "port",
                   f"{mon}: {why}; Prometheus's pod discovery only yields declared ports: "
                   f"{_shown(declared)}", [mon], fix)


def init_container_findings(monitor: dict, kept: list, pods: dict) -> list[Finding]:
    """Kept targets on an init container that is not a sidecar (restartPolicy Always): it has exited."""
    out: list[Finding] = []
    mon = object_id(str(monitor.get("kind")), L.namespace_of(monitor), L.name_of(monitor))
    for t in kept:
        d = t.discovered
        if d.get(META + "pod_container_init") != "true":
            continue
        pod = pods.get((d.get(META + "namespace", ""), d.get(META + "pod_name", "")))
        cname = d.get(META + "pod_container_name", "")
        inits = lst(m(pod, "spec"), "initContainers")
        c = next((c for c in inits if isinstance(c, dict) and c.get("name") == cname), {})
        if c.get("restartPolicy") == "Always":
            continue
        pid = object_id("Pod", d.get(META + "namespace"), d.get(META + "pod_name", ""))
        out.append(Finding("port.init-container", WARNING, "port",
                           f"{mon} scrapes {d.get('__address__')} on init container {cname} of {pid}, which has "
                           "exited once the pod runs (only a sidecar, restartPolicy: Always, keeps running): "
                           "the target is down", [mon, pid]))
    return out
