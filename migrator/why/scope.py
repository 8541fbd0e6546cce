"""Stages 2-3: the monitor's namespaceSelector and its selector against the Services or Pods in range.

Which namespaces a monitor looks in is what the renderer wrote into the job's kubernetes_sd_configs
(namespaces.names, or all); which objects its selector matches is selector_matches (via why.labels).
"""

from __future__ import annotations

from typing import Any, Optional

from migrator.render.util import selector_matches
from migrator.why import labels as L
from migrator.why.model import ERROR, INFO, Finding, Fix, object_id, target_of


def inventory_namespaces(inventory: Any) -> list[str]:
    """The namespaces of the cluster: its Namespace objects, else every namespace an object is in."""
    names = [L.name_of(n) for n in inventory.list("Namespace")]
    if names:
        return names
    seen: dict[str, None] = {}
    for kind in ("Pod", "Service", "Endpoints", "EndpointSlice"):
        for obj in inventory.list(kind):
            seen.setdefault(L.namespace_of(obj), None)
    return list(seen)


def job_namespaces(job: dict) -> Optional[list[str]]:
    """The namespaces the rendered job discovers in (None: all)."""
    sds = job.get("kubernetes_sd_configs") or [{}]
    names = ((sds[0] or {}).get("namespaces") or {}).get("names")
    return [str(n) for n in names] if names else None


def in_range(inventory: Any, kind: str, namespaces: Optional[list[str]]) -> list[dict]:
    if namespaces is None:
        return inventory.list(kind)
    return [o for ns in namespaces for o in inventory.list(kind, ns)]


def matching(selector: Any, objs: list[dict]) -> list[dict]:
    sel = selector if isinstance(selector, dict) else {}
    return [o for o in objs if selector_matches(sel, L.labels_of(o))]


def _ep_key(monitor: dict) -> str:
    return "podMetricsEndpoints" if monitor.get("kind") == "PodMonitor" else "endpoints"


def namespace_findings(monitor: dict, job: dict, inventory: Any, obj_kind: str) -> list[Finding]:
    """Why no object in range matches although some match elsewhere, or a matchNames namespace does not exist."""
    kind, ns, name = str(monitor.get("kind")), L.namespace_of(monitor), L.name_of(monitor)
    mon = object_id(kind, ns, name)
    spec = monitor.get("spec") if isinstance(monitor.get("spec"), dict) else {}
    sel = spec.get("selector") or {}
    names = job_namespaces(job)
    if names is None:
        return []
    out = []
    existing = inventory_namespaces(inventory)
    missing = [n for n in names if n not in existing]
    elsewhere = [o for o in matching(sel, inventory.list(obj_kind)) if L.namespace_of(o) not in names]
    where = list(dict.fromkeys(L.namespace_of(o) for o in elsewhere))
    nsel = spec.get("namespaceSelector") or {}
    how = f"namespaceSelector.matchNames {names}" if nsel.get("matchNames") else \
        f"no namespaceSelector: only its own namespace {ns}"
    if elsewhere:
        objs = [object_id(obj_kind, L.namespace_of(o), L.name_of(o)) for o in elsewhere[:5]]
        out.append(Finding(
            "namespace.out-of-range", ERROR, "namespaces",
            f"{mon} looks in {', '.join(names)} ({how}), but the {obj_kind}s its selector matches are in "
            f"{', '.join(where)}", [mon] + objs,
            Fix(f"let the monitor look in {', '.join(where)}", target_of(kind, ns, name),
                {"spec": {"namespaceSelector": {"matchNames": list(dict.fromkeys(names + where))
                                                if nsel.get("matchNames") else where}}})))
    elif missing:
        near = {m: L.closest(m, existing) for m in missing}
        hint = ", ".join(f"{m} (did you mean {c}?)" if c and L.close(m, c) else m for m, c in near.items())
        fixed = [near[n] if n in missing and near[n] and L.close(n, near[n]) else n for n in names]
        out.append(Finding(
            "namespace.missing", ERROR, "namespaces",
            f"{mon} looks in namespaces that do not exist in the cluster: {hint}", [mon],
            Fix("name existing namespaces", target_of(kind, ns, name),
                {"spec": {"namespaceSelector": {"matchNames": fixed}}}) if fixed != names else None))
    return out


def selector_findings(monitor: dict, objs: list[dict], obj_kind: str) -> list[Finding]:
    """Near misses: the objects in range that fail the fewest requirements, and the fixed selector."""
    kind, ns, name = str(monitor.get("kind")), L.namespace_of(monitor), L.name_of(monitor)
    mon = object_id(kind, ns, name)
    spec = monitor.get("spec") if isinstance(monitor.get("spec"), dict) else {}
    sel = spec.get("selector") or {}
    if not objs:
        return [Finding("selector.no-objects", ERROR, "objects",
                        f"there is no {obj_kind} at all in the namespaces {mon} looks in", [mon])]
    ranked = sorted(objs, key=lambda o: len(L.failing(sel, L.labels_of(o))))
    best = ranked[0]
    fails = L.failing(sel, L.labels_of(best))
    near = [o for o in ranked if len(L.failing(sel, L.labels_of(o))) == 1]
    bid = object_id(obj_kind, L.namespace_of(best), L.name_of(best))
    why = "; ".join(r.why_not(L.labels_of(best)) for r in fails)
    if len(fails) == 1:
        fixed = L.with_requirement_replaced(sel, fails[0], L.labels_of(best))
        others = f" ({len(near)} {obj_kind}s fail only this requirement)" if len(near) > 1 else ""
        return [Finding("selector.near-miss", ERROR, "selector",
                        f"selector {L.selector_text(sel)} matches no {obj_kind} in range; nearest: {bid}, which "
                        f"fails one requirement: {why}{others}", [mon, bid],
                        Fix(f"select {bid} by the label it has", target_of(kind, ns, name),
                            {"spec": {"selector": L.selector_patch(sel, fixed)}}))]
    labels = L.labels_of(best)
    shown = ", ".join(f"{k}={v}" for k, v in sorted(labels.items())) or "no labels"
    return [Finding("selector.no-match", ERROR, "selector",
                    f"selector {L.selector_text(sel)} matches no {obj_kind} in range; nearest: {bid} ({shown}): "
                    f"{why}", [mon, bid],
                    Fix(f"select by labels {bid} has", target_of(kind, ns, name),
                        {"spec": {"selector": L.selector_patch(sel, {"matchLabels": labels})}}) if labels else None)]


def empty_selector_finding(monitor: dict, count: int, obj_kind: str) -> Optional[Finding]:
    spec = monitor.get("spec") if isinstance(monitor.get("spec"), dict) else {}
    if L.requirements(spec.get("selector")):
        return None
    mon = object_id(str(monitor.get("kind")), L.namespace_of(monitor), L.name_of(monitor))
    return Finding("selector.empty", INFO, "selector",
                   f"{mon} has an empty selector: it selects every {obj_kind} in range ({count})", [mon])
