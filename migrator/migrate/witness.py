"""Witnesses: a few synthesized Kubernetes objects that exercise one job's rules, so its proof has targets.

A job whose original and migrated forms select no target on the inventory is not proven (identical on
nothing proves nothing). ``witnesses(job, ...)`` builds, from the job's own relabel rules, a small set of
objects of the kinds its discovery reads:

* one target every keep rule accepts and no drop rule removes (the base);
* for each drop rule, a target it removes; for each keep rule, a target it rejects (so a keep rule
  turned into a selector is compared on both sides of it);
* for each branch the rules take on an annotation, label or port (set or not, each literal
  alternative of a regex), one target taking it.

Values come from the rules' regexes (a literal alternative, else a string generated from the regex and
checked against it). The proof then evaluates both forms over the inventory plus these objects; the
objects are printed with ``--witnesses-out`` so a reviewer sees what was compared.
"""

from __future__ import annotations

import re
from typing import Any

try:  # Python's own regex parser (its public alias is deprecated from 3.11)
    from re import _constants as sc, _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    import sre_constants as sc  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

from migrator.migrate import regexes as rx
from migrator.migrate.core import norm

META = "__meta_kubernetes_"
#: namespace of witnesses when the job does not restrict namespaces
DEFAULT_NAMESPACE = "migrator-witness"
_GUESSES = ("true", "x", "witness", "http", "https", "8080", "/metrics", "1", "a", "metrics", "Running")


def _fullmatch(regex: str, value: str) -> bool:
    try:
        return re.fullmatch(f"(?s:{regex})", value) is not None
    except re.error:
        return False


def _generate(regex: str, branch: int = 0) -> str | None:
    """A string the regex matches (taking the branch-th alternative at the top level), or None."""
    try:
        parsed = sre_parse.parse(regex)
    except Exception:  # a Go-only construct: no sample
        return None

    def gen(items: Any, top: bool = False) -> str:
        out = []
        for op, av in items:
            if op is sc.LITERAL:
                out.append(chr(av))
            elif op is sc.NOT_LITERAL:
                out.append("a" if chr(av) != "a" else "b")
            elif op is sc.ANY:
                out.append("a")
            elif op is sc.IN:
                out.append(_in_char(av))
            elif op in (sc.MAX_REPEAT, sc.MIN_REPEAT, getattr(sc, "POSSESSIVE_REPEAT", None)):
                lo, _hi, sub = av
                out.append(gen(sub) * max(lo, 1))
            elif op is sc.SUBPATTERN:
                out.append(gen(av[-1]))
            elif op is sc.BRANCH:
                alts = av[1]
                out.append(gen(alts[min(branch, len(alts) - 1)] if top else alts[0]))
            elif op in (sc.AT, sc.ASSERT, sc.ASSERT_NOT):
                continue
            elif op is sc.CATEGORY:
                out.append(_category(av))
            else:
                raise ValueError(op)
        return "".join(out)

    try:
        # a top-level alternation is one SUBPATTERN/BRANCH; unwrap one group for the branch choice
        items = list(parsed)
        if len(items) == 1 and items[0][0] is sc.SUBPATTERN:
            inner = list(items[0][1][-1])
            if len(inner) == 1 and inner[0][0] is sc.BRANCH:
                items = inner
        value = gen(items, top=True)
    except Exception:
        return None
    return value if _fullmatch(regex, value) else None


def _category(av: Any) -> str:
    name = str(av)
    if "DIGIT" in name and "NOT" not in name:
        return "1"
    if "SPACE" in name and "NOT" not in name:
        return " "
    return "a"


def _in_char(items: Any) -> str:
    negate = any(op is sc.NEGATE for op, _ in items)
    if negate:
        banned = {chr(av) for op, av in items if op is sc.LITERAL}
        return next(c for c in "azAZ09_-" if c not in banned)
    for op, av in items:
        if op is sc.LITERAL:
            return chr(av)
        if op is sc.RANGE:
            return chr(av[0])
        if op is sc.CATEGORY:
            return _category(av)
    return "a"


def matching_values(regex: str, source: str = "") -> list[str]:
    """Values the regex matches, one per top-level branch when it has several (best first)."""
    alts = rx.literal_alternatives(regex)
    if alts:
        return list(alts)
    out: list[str] = []
    hint = _hint(source)
    if hint and _fullmatch(regex, hint):
        out.append(hint)
    for b in range(8):
        v = _generate(regex, b)
        if v is not None and v not in out:
            out.append(v)
    for g in _GUESSES:
        if not out and _fullmatch(regex, g):
            out.append(g)
    return out


def non_matching_value(regex: str) -> str | None:
    for v in ("", "witness-other", "0", "false", "x"):
        if not _fullmatch(regex, v):
            return v
    return None


def _hint(source: str) -> str:
    """A plausible value for an attribute by its name (an annotation prometheus.io/port holds a port)."""
    low = source.lower()
    if low.endswith("port") or "port_number" in low:
        return "9102"
    if low.endswith("path"):
        return "/metrics"
    if low.endswith("scheme"):
        return "https"
    if low.endswith("scrape") or low.endswith("_ready") or "present_" in low or low.endswith("scrape_slow"):
        return "true"
    return "witness"


#: attributes a witness can set (everything else a rule reads is derived or not settable)
def settable(label: str) -> bool:
    if not label.startswith(META):
        return False
    rest = label[len(META):]
    return rest in ("namespace", "pod_name", "pod_phase", "pod_ready", "pod_container_name",
                    "pod_container_port_name", "pod_container_port_number", "pod_container_port_protocol",
                    "pod_node_name", "service_name", "endpoint_port_name", "endpointslice_port_name",
                    "endpoint_port_protocol", "endpointslice_port_protocol", "node_name", "ingress_name",
                    "ingress_path", "ingress_scheme") \
        or re.match(r"(pod|service|node|ingress|endpoints|endpointslice)_(label|annotation)(present)?_\w+$",
                    rest) is not None


def _rules(config: dict) -> list[dict]:
    out = []
    for r in config.get("relabel_configs") or []:
        if isinstance(r, dict):
            out.append(norm(r))
    return out


def _constraints(rule: dict) -> list[tuple[str, str]] | None:
    """(source, regex) per settable source of a keep/drop rule, or None when it cannot be split exactly."""
    src = rule["source_labels"]
    if len(src) == 1:
        return [(src[0], rule["regex"])] if settable(src[0]) else None
    if rule["separator"] != ";":
        return None
    parts = rx.decompose(rule["regex"], len(src))
    if parts is None or not all(settable(s) for s in src):
        return None
    return [(s, p) for s, p in zip(src, parts) if not rx.is_any(p)]


def worlds(config: dict, namespace: str) -> tuple[list[dict[str, str]], list[str]]:
    """The witness worlds (attribute -> value) and notes on rules no witness could exercise."""
    rules = _rules(config)
    notes: list[str] = []
    base: dict[str, str] = {}
    sds = config.get("kubernetes_sd_configs") or []
    names = []
    if sds and isinstance(sds[0], dict) and isinstance(sds[0].get("namespaces"), dict):
        names = [str(x) for x in sds[0]["namespaces"].get("names") or []]
        if sds[0]["namespaces"].get("own_namespace"):
            names.append(namespace)
    base[META + "namespace"] = names[0] if names else DEFAULT_NAMESPACE
    keeps = [r for r in rules if r["action"] == "keep"]
    drops = [r for r in rules if r["action"] == "drop"]
    for r in keeps:
        cons = _constraints(r)
        if cons is None:
            notes.append(f"keep on {','.join(r['source_labels'])} =~ {r['regex']!r}: no witness value derived")
            continue
        for src, regex in cons:
            if src in base and _fullmatch(regex, base[src]):
                continue
            vals = matching_values(regex, src)
            if src == META + "namespace" and names:
                vals = [v for v in vals if v in names] or vals
            if not vals:
                notes.append(f"keep {src} =~ {regex!r}: no value found that it matches")
                continue
            base[src] = vals[0]
    for r in drops:
        for src, regex in _constraints(r) or []:
            if _fullmatch(regex, base.get(src, "")) and src not in [s for k in keeps for s in k["source_labels"]]:
                v = non_matching_value(regex)
                if v is not None:
                    base[src] = v
    if base.get(META + "pod_phase") is None:
        base[META + "pod_phase"] = "Running"
    out = [base]

    def variant(changes: dict[str, str]) -> None:
        w = dict(base)
        w.update(changes)
        if w not in out:
            out.append(w)

    for r in drops:
        for src, regex in _constraints(r) or []:
            vals = matching_values(regex, src)
            if vals:
                variant({src: vals[0]})
    for r in keeps:
        for src, regex in _constraints(r) or []:
            if src == META + "namespace" and names:
                continue  # the discovery never sees other namespaces
            v = non_matching_value(regex)
            if v is not None:
                variant({src: v})
    # branches of the other rules: each read attribute set (each alternative) and unset
    for r in rules:
        if r["action"] in ("keep", "drop"):
            continue
        src = [s for s in r["source_labels"] if settable(s)]
        if not src:
            continue
        parts = rx.decompose(r["regex"], len(r["source_labels"])) if len(r["source_labels"]) > 1 else [r["regex"]]
        for i, s in enumerate(src):
            if s in base:
                continue
            regex = parts[r["source_labels"].index(s)] if parts else "(.+)"
            vals = matching_values(regex, s) if not rx.is_any(regex) else [_hint(s)]
            for v in vals[:3] or [_hint(s)]:
                variant({s: v})
    return out, notes


# ---------------------------------------------------------------------------------------------
# worlds -> objects

def _key(name: str, kind: str, known: dict[str, str]) -> str:
    """A Kubernetes label/annotation key that sanitizes to name (a selector's key when one does)."""
    if name in known:
        return known[name]
    if name.startswith("prometheus_io_"):
        return "prometheus.io/" + name[len("prometheus_io_"):]
    return name


def _meta(w: dict[str, str], obj: str, known: dict[str, str]) -> tuple[dict, dict]:
    labels, annotations = {}, {}
    for k, v in w.items():
        m = re.match(rf"{META}{obj}_(label|annotation)(present)?_(\w+)$", k)
        if not m:
            continue
        present = m.group(2) is not None
        if (present and v != "true") or (not present and v == ""):
            continue  # absent
        key = _key(m.group(3), obj, known)
        target = labels if m.group(1) == "label" else annotations
        if present:
            target.setdefault(key, "")
        else:
            target[key] = v
    return labels, annotations


def _known_keys(resources: list[dict]) -> dict[str, str]:
    """sanitized label name -> key, from the migrated monitors' selectors (the keys the migration chose)."""
    from migrator.render.util import sanitize_label_name

    out: dict[str, str] = {}
    for r in resources:
        sel = ((r.get("spec") or {}).get("selector") or {})
        for k in list((sel.get("matchLabels") or {})) + [e.get("key") for e in sel.get("matchExpressions") or []]:
            if isinstance(k, str):
                out[sanitize_label_name(k)] = k
    return out


def _int(value: str | None, default: int) -> int:
    try:
        n = int(str(value))
        return n if 0 < n < 65536 else default
    except (TypeError, ValueError):
        return default


def build_objects(job_name: str, role: str, ws: list[dict[str, str]], resources: list[dict]) -> list[dict]:
    """Kubernetes objects realizing the worlds for the role (Pods, Services, Endpoints, EndpointSlices,
    Nodes, Ingresses), each named after the job and labelled migrator.witness=true."""
    from migrator.migrate.core import dns_name

    known = _known_keys(resources)
    base_name = dns_name(f"witness-{job_name}")[:50].rstrip("-")
    objs: list[dict] = []
    services: dict[tuple[str, str], dict] = {}
    eps: dict[tuple[str, str], dict] = {}
    for i, w in enumerate(ws):
        name = f"{base_name}-{i}"
        ns = w.get(META + "namespace", DEFAULT_NAMESPACE)
        ip = f"10.250.{i // 250}.{i % 250 + 1}"
        plabels, pann = _meta(w, "pod", known)
        plabels.setdefault("migrator.witness", "true")
        port_num = _int(w.get(META + "pod_container_port_number"), 8080)
        port: dict = {"containerPort": port_num,
                      "protocol": w.get(META + "pod_container_port_protocol") or "TCP"}
        pname = w.get(META + "pod_container_port_name") or w.get(META + "endpoint_port_name") \
            or w.get(META + "endpointslice_port_name")
        if pname:
            port["name"] = pname
        pod = {"apiVersion": "v1", "kind": "Pod",
               "metadata": {"name": w.get(META + "pod_name") or name, "namespace": ns, "labels": plabels,
                            **({"annotations": pann} if pann else {})},
               "spec": {"nodeName": w.get(META + "pod_node_name") or "witness-node",
                        "containers": [{"name": w.get(META + "pod_container_name") or "app",
                                        "image": "witness", "ports": [port]}]},
               "status": {"phase": w.get(META + "pod_phase") or "Running", "podIP": ip, "hostIP": "10.251.0.1",
                          "conditions": [{"type": "Ready",
                                          "status": "False" if w.get(META + "pod_ready") == "false" else "True"}]}}
        if role in ("pod", "endpoints", "endpointslice"):
            objs.append(pod)
        if role in ("service", "endpoints", "endpointslice"):
            sname = w.get(META + "service_name") or name
            slabels, sann = _meta(w, "service", known)
            key = (ns, sname)
            sport: dict = {"port": port_num, "targetPort": port_num, "protocol": port["protocol"]}
            if pname:
                sport["name"] = pname
            svc = services.get(key)
            if svc is None:
                svc = services[key] = {"apiVersion": "v1", "kind": "Service",
                                       "metadata": {"name": sname, "namespace": ns, "labels": slabels,
                                                    **({"annotations": sann} if sann else {})},
                                       "spec": {"type": "ClusterIP", "clusterIP": f"10.252.0.{len(services)}",
                                                "ports": []}}
                objs.append(svc)
            if sport not in svc["spec"]["ports"]:
                svc["spec"]["ports"].append(sport)
            ref = {"kind": "Pod", "name": pod["metadata"]["name"], "namespace": ns}
            eport = {k: v for k, v in sport.items() if k in ("name", "port", "protocol")}
            if role == "endpoints":
                e = eps.get(key)
                if e is None:
                    e = eps[key] = {"apiVersion": "v1", "kind": "Endpoints",
                                    "metadata": {"name": sname, "namespace": ns, "labels": dict(slabels)},
                                    "subsets": []}
                    objs.append(e)
                e["subsets"].append({"addresses": [{"ip": ip, "nodeName": pod["spec"]["nodeName"],
                                                    "targetRef": ref}], "ports": [eport]})
            elif role == "endpointslice":
                objs.append({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                             "metadata": {"name": f"{sname}-{i}", "namespace": ns,
                                          "labels": {**slabels, "kubernetes.io/service-name": sname}},
                             "addressType": "IPv4",
                             "endpoints": [{"addresses": [ip], "conditions": {"ready": True},
                                            "nodeName": pod["spec"]["nodeName"], "targetRef": ref}],
                             "ports": [eport]})
        if role == "node":
            nlabels, nann = _meta(w, "node", known)
            objs.append({"apiVersion": "v1", "kind": "Node",
                         "metadata": {"name": w.get(META + "node_name") or name, "labels": nlabels,
                                      **({"annotations": nann} if nann else {})},
                         "status": {"addresses": [{"type": "InternalIP", "address": ip}],
                                    "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}}}})
        if role == "ingress":
            ilabels, iann = _meta(w, "ingress", known)
            objs.append({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
                         "metadata": {"name": w.get(META + "ingress_name") or name, "namespace": ns,
                                      "labels": ilabels, **({"annotations": iann} if iann else {})},
                         "spec": {"rules": [{"host": f"{name}.example", "http": {"paths": [
                             {"path": w.get(META + "ingress_path") or "/", "pathType": "Prefix",
                              "backend": {"service": {"name": name, "port": {"number": 80}}}}]}}]}})
    return objs


def with_witnesses(inventory: Any, objects: list[dict]) -> Any:
    """A copy of the inventory with the objects added (the original is left as it was)."""
    from migrator.inventory import Inventory

    inv = Inventory()
    if inventory is not None:
        inv.merge(inventory)
    for obj in objects:
        inv.add(obj, source="<witnesses>")
    return inv


def witnesses(config: dict, job_name: str, resources: list[dict], namespace: str) -> tuple[list[dict], list[str]]:
    """(objects, notes) for one job: the objects exercising its rules, and what no witness could exercise."""
    sds = config.get("kubernetes_sd_configs") or []
    if len(sds) != 1 or not isinstance(sds[0], dict):
        return [], [f"{len(sds)} kubernetes_sd_configs: witnesses are synthesized for one Kubernetes discovery"]
    role = str(sds[0].get("role"))
    ws, notes = worlds(config, namespace)
    return build_objects(job_name, role, ws, resources), notes
