"""Stage 1: is the monitor picked up by a Prometheus? (the CR's monitor and namespace selectors)

The verdicts are ``migrator.render.selected_by`` (and, for a namespace selector that needs Namespace labels,
``selector_matches`` on the labels the inventory has), exactly as ``diff`` asks them. To say *which* part
fails, selected_by is asked again with one of the two selectors made ``{}`` (select everything).
"""

from __future__ import annotations

import copy
from typing import Any, Optional

from migrator.render import selected_by
from migrator.render.selection import NAME_LABEL
from migrator.render.util import selector_matches
from migrator.why import labels as L
from migrator.why.model import ERROR, INFO, WARNING, Finding, Fix, Stage, object_id, target_of

_KEYS = {"ServiceMonitor": "serviceMonitor", "PodMonitor": "podMonitor", "ScrapeConfig": "scrapeConfig"}
#: kube-prometheus-stack's default (serviceMonitorSelectorNilUsesHelmValues: true): release=<Helm release>
DEFAULT_RELEASE = "kube-prometheus-stack"


def namespace_labels(inventory: Any, ns: str) -> Optional[dict[str, str]]:
    """The labels of Namespace ns (with kubernetes.io/metadata.name), None when the inventory lacks it."""
    if inventory is None:
        return None
    obj = inventory.get("Namespace", "", ns)
    if obj is None:
        return None
    out = L.labels_of(obj)
    out.setdefault(NAME_LABEL, ns)
    return out


def _with(cr: dict, key: str, value: Any) -> dict:
    out = copy.deepcopy(cr)
    if not isinstance(out.get("spec"), dict):  # `spec: null` reads as an empty spec, as in render
        out["spec"] = {}
    out["spec"][key] = value
    return out


def _cr_name(cr: dict) -> str:
    return f"{L.namespace_of(cr)}/{L.name_of(cr)}"


def verdict(cr: dict, monitor: dict, inventory: Any) -> tuple[Optional[bool], Optional[bool]]:
    """(monitor labels selected?, monitor namespace selected?); None: cannot tell."""
    key = _KEYS[str(monitor.get("kind"))]
    labels_ok = selected_by(_with(cr, f"{key}NamespaceSelector", {}), monitor)
    ns_ok = selected_by(_with(cr, f"{key}Selector", {}), monitor)
    if ns_ok is None:
        nsl = namespace_labels(inventory, L.namespace_of(monitor))
        if nsl is not None:
            ns_ok = selector_matches((cr.get("spec") or {}).get(f"{key}NamespaceSelector"), nsl)
    return labels_ok, ns_ok


def stage(monitor: dict, crs: list[dict], inventory: Any) -> tuple[Stage, list[Finding], Optional[dict]]:
    """The 'selected' stage, its findings, and the CR that selects the monitor (else the first CR)."""
    kind = str(monitor.get("kind"))
    key = _KEYS[kind]
    mon = object_id(kind, L.namespace_of(monitor), L.name_of(monitor))
    mlabels = L.labels_of(monitor)
    if not crs:
        release = mlabels.get("release")
        note = (f"no Prometheus CR given: a default kube-prometheus-stack selects {kind}s labelled "
                f"release=<its Helm release> in every namespace")
        if release:
            return Stage("selected", 1, "monitor", note + f"; this one has release={release}"), [], None
        fix = Fix(f"label the monitor with the Helm release of kube-prometheus-stack (here assumed "
                  f"'{DEFAULT_RELEASE}'), or give --prometheus CR to check against the real selector",
                  target_of(kind, L.namespace_of(monitor), L.name_of(monitor)),
                  {"metadata": {"labels": {"release": DEFAULT_RELEASE}}})
        return (Stage("selected", 1, "monitor", note + "; this one has no release label (assumed selected)"),
                [Finding("pickup.no-release-label", WARNING, "selected",
                         f"{mon} has no 'release' label: a default kube-prometheus-stack would not select it "
                         f"(its {key}Selector is release=<Helm release>)", [mon], fix)], None)
    results = [(cr, *verdict(cr, monitor, inventory)) for cr in crs]
    chosen = [cr for cr, lab, ns in results if lab and ns is not False]
    if chosen:
        unknown = [cr for cr, lab, ns in results if lab and ns is None]
        names = ", ".join(f"Prometheus {_cr_name(cr)}" for cr in chosen)
        findings = []
        if unknown and unknown[0] is chosen[0]:
            findings.append(Finding("pickup.namespace-unknown", INFO, "selected",
                                    f"whether Prometheus {_cr_name(unknown[0])} selects {mon} depends on the "
                                    f"labels of Namespace {L.namespace_of(monitor)}, which the inventory lacks",
                                    [mon]))
        return Stage("selected", 1, "monitor", f"selected by {names}"), findings, chosen[0]
    findings = [_why_not(cr, monitor, lab, ns, inventory) for cr, lab, ns in results]
    note = "selected by none of: " + ", ".join(f"Prometheus {_cr_name(cr)}" for cr in crs)
    return Stage("selected", 0, "monitor", note), findings[:1] + [
        Finding(f.id, INFO, f.stage, f.message, f.objects, f.fix) for f in findings[1:]], crs[0]


def _why_not(cr: dict, monitor: dict, labels_ok: Optional[bool], ns_ok: Optional[bool], inventory: Any) -> Finding:
    kind = str(monitor.get("kind"))
    key = _KEYS[kind]
    spec = cr.get("spec") if isinstance(cr.get("spec"), dict) else {}
    mon_ns, mon_name = L.namespace_of(monitor), L.name_of(monitor)
    mon = object_id(kind, mon_ns, mon_name)
    crid = object_id("Prometheus", L.namespace_of(cr), L.name_of(cr))
    crtarget = target_of("Prometheus", L.namespace_of(cr), L.name_of(cr))
    sel = spec.get(f"{key}Selector")
    if not labels_ok:
        if sel is None:
            return Finding("pickup.no-selector", ERROR, "selected",
                           f"{crid} has no {key}Selector: it selects no {kind} at all", [crid, mon],
                           Fix(f"give {crid} a {key}Selector ({{}} selects every {kind})", crtarget,
                               {"spec": {f"{key}Selector": {}}}))
        mlabels = L.labels_of(monitor)
        fails = L.failing(sel, mlabels)
        why = "; ".join(r.why_not(mlabels) for r in fails)
        add: dict = {}
        for r in fails:
            if r.op in ("=", "In") and r.values:
                add[r.key] = r.values[0]
                for k in L.near_keys(r.key, mlabels):
                    add[k] = None
            elif r.op == "Exists":
                add[r.key] = mlabels.get(r.key, "true")
            else:
                add[r.key] = None
        ident = "pickup.release-label" if any(r.key == "release" for r in fails) else "pickup.label-mismatch"
        return Finding(ident, ERROR, "selected",
                       f"{crid} selects {kind}s with {L.selector_text(sel)} ({key}Selector); {mon} {why}",
                       [crid, mon],
                       Fix(f"label the monitor so that {crid}'s {key}Selector matches it",
                           target_of(kind, mon_ns, mon_name), {"metadata": {"labels": add}}))
    nsel = spec.get(f"{key}NamespaceSelector")
    if nsel is None:
        return Finding("pickup.namespace", ERROR, "selected",
                       f"{crid} has no {key}NamespaceSelector, so it only selects {kind}s in its own namespace "
                       f"{L.namespace_of(cr)}; {mon} is in {mon_ns}", [crid, mon],
                       Fix(f"let {crid} select {kind}s in every namespace (or move the monitor to "
                           f"{L.namespace_of(cr)})", crtarget, {"spec": {f"{key}NamespaceSelector": {}}}))
    nsl = namespace_labels(inventory, mon_ns) or {NAME_LABEL: mon_ns}
    fails = L.failing(nsel, nsl)
    add = {r.key: (r.values[0] if r.values else "true") for r in fails if r.op in ("=", "In", "Exists")}
    fix = Fix(f"label Namespace {mon_ns} so that {crid}'s {key}NamespaceSelector matches it",
              target_of("Namespace", None, mon_ns), {"metadata": {"labels": add}}) if add and \
        all(r.op in ("=", "In", "Exists") for r in fails) else \
        Fix(f"widen {crid}'s {key}NamespaceSelector", crtarget, {"spec": {f"{key}NamespaceSelector": {}}})
    return Finding("pickup.namespace", ERROR, "selected",
                   f"{crid} selects {kind}s in namespaces with {L.selector_text(nsel)} ({key}NamespaceSelector); "
                   f"Namespace {mon_ns} " + "; ".join(r.why_not(nsl) for r in fails), [crid, mon], fix)
