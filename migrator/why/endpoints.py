"""Stage: endpoints (ServiceMonitor). Targets come from the Endpoints (or EndpointSlice) objects of the
selected Services, not from the Services: a Service whose selector matches no pod, whose addresses are all
gone, or whose endpoints exist only in the other discovery role, gives none."""

from __future__ import annotations

from typing import Any

from migrator.discovery.common import lst, m, str_map
from migrator.discovery.endpointslice import SERVICE_NAME_LABEL  # how discovery joins a slice to its Service
from migrator.why import labels as L
from migrator.why.model import ERROR, INFO, Finding, Fix, object_id, target_of


def _slices(inventory: Any, ns: str, name: str) -> list[dict]:
    return [s for s in inventory.list("EndpointSlice", ns) if L.labels_of(s).get(SERVICE_NAME_LABEL) == name]


def _addresses(eps: dict) -> int:
    return sum(len(lst(s, "addresses")) + len(lst(s, "notReadyAddresses")) for s in lst(eps, "subsets"))


def _slice_addresses(slices: list[dict]) -> int:
    return sum(len(lst(e, "addresses")) for s in slices for e in lst(s, "endpoints"))


def findings(monitor: dict, role: str, services: list[dict], inventory: Any) -> list[Finding]:
    kind, mns, mname = str(monitor.get("kind")), L.namespace_of(monitor), L.name_of(monitor)
    mon = object_id(kind, mns, mname)
    out: list[Finding] = []
    for svc in services:
        ns, name = L.namespace_of(svc), L.name_of(svc)
        sid = object_id("Service", ns, name)
        eps = inventory.get("Endpoints", ns, name)
        slices = _slices(inventory, ns, name)
        n_eps = _addresses(eps) if eps else 0
        n_slices = _slice_addresses(slices)
        have = n_slices if role == "endpointslice" else n_eps
        if have:
            continue
        other, other_n = ("Endpoints", n_eps) if role == "endpointslice" else ("EndpointSlice", n_slices)
        if other_n:
            want = "Endpoints" if role == "endpointslice" else "EndpointSlice"
            out.append(Finding(
                "endpoints.role", ERROR, "endpoints",
                f"{mon} discovers with role {role}, but {sid} has its addresses only in {other} objects "
                f"({other_n} address(es))", [mon, sid],
                Fix(f"discover with the role the cluster serves: serviceDiscoveryRole: {want}",
                    target_of(kind, mns, mname), {"spec": {"serviceDiscoveryRole": want}})))
            continue
        selector = str_map(m(svc, "spec"), "selector")
        if not selector:
            out.append(Finding("endpoints.no-selector", ERROR, "endpoints",
                               f"{sid} has no selector and no {'EndpointSlice' if role == 'endpointslice' else 'Endpoints'}"
                               " addresses: nothing fills its endpoints", [mon, sid]))
            continue
        sel = {"matchLabels": selector}
        pods = inventory.list("Pod", ns)
        from migrator.why.scope import matching
        if not matching(sel, pods):
            ranked = sorted(pods, key=lambda p: len(L.failing(sel, L.labels_of(p))))
            fix, hint = None, ""
            if ranked:
                best = ranked[0]
                fails = L.failing(sel, L.labels_of(best))
                pid = object_id("Pod", ns, L.name_of(best))
                hint = f"; nearest: {pid}: " + "; ".join(r.why_not(L.labels_of(best)) for r in fails)
                if len(fails) == 1:
                    fixed = L.with_requirement_replaced(sel, fails[0], L.labels_of(best))
                    fix = Fix(f"make {sid}'s selector match {pid}", target_of("Service", ns, name),
                              {"spec": {"selector": L.map_patch(selector, fixed.get("matchLabels", {}))}})
            out.append(Finding("endpoints.service-selects-no-pod", ERROR, "endpoints",
                               f"{sid} selector {L.selector_text(sel)} matches no Pod in {ns}, so it has no "
                               f"endpoints{hint}", [mon, sid], fix))
            continue
        out.append(Finding("endpoints.no-addresses", ERROR, "endpoints",
                           f"{sid} selects pods, but its {'EndpointSlices have' if role == 'endpointslice' else 'Endpoints has'}"
                           " no address (pods without an IP, or none listed in the inventory)", [mon, sid],
                           Fix("wait for the pods to get an IP (or list endpoints/endpointslices in the inventory)")))
    return out


def not_ready_finding(monitor: dict, kept: list) -> list[Finding]:
    n = sum(1 for t in kept if t.discovered.get("__meta_kubernetes_endpoint_ready") == "false"
            or t.discovered.get("__meta_kubernetes_endpointslice_endpoint_conditions_ready") == "false")
    if not n:
        return []
    mon = object_id(str(monitor.get("kind")), L.namespace_of(monitor), L.name_of(monitor))
    return [Finding("endpoints.not-ready", INFO, "endpoints",
                    f"{n} target(s) of {mon} are not-ready addresses: Prometheus scrapes them anyway", [mon])]
