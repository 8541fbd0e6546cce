"""The funnel of one monitor endpoint, from "exists" to "scraped", and the findings of the stage that empties it.

Stages: exists -> selected (by a Prometheus CR) -> namespaces (the monitor's namespaceSelector) -> services
or pods in range -> selector -> endpoints (ServiceMonitor) or targets (PodMonitor) -> port -> phase
(filterRunning) -> relabelings (the monitor's own rules) -> scraped.
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from typing import Any, Optional

from migrator.discovery.common import m, s
from migrator.render import AssetStore, RenderContext, render_monitors
from migrator.targets import EvalOptions
from migrator.why import endpoints as E
from migrator.why import labels as L
from migrator.why import pickup, ports, scope
from migrator.why.funnel import common_prefix, evaluate, values_seen, without_relabelings
from migrator.why.model import ERROR, INFO, Diagnosis, Finding, Fix, Stage, apply_patch, object_id, target_of

_RE2_META = re.compile(r"([\\.+*?()|\[\]{}^$])")


def quote_meta(s: str) -> str:
    """regexp.QuoteMeta."""
    return _RE2_META.sub(r"\\\1", s)


def diagnose_monitor(monitor: dict, origin: str, crs: list[dict], inventory: Any, store: AssetStore,
                     version: Optional[str] = None, depth: int = 0) -> list[Diagnosis]:
    """One Diagnosis per endpoint. When a fix of the monitor itself unblocks later stages (its namespaces or
    selector), the monitor is diagnosed again with that fix applied, and the causes found further down are
    added ("once ... is fixed"): every cause at once, not one per run."""
    out = _diagnose_monitor(monitor, origin, crs, inventory, store, version)
    if depth >= 3:
        return out
    for i, d in enumerate(out):
        if d.ok or d.error:
            continue
        first = next((f for f in d.findings if f.severity == ERROR and f.stage in _UNBLOCKING and f.fix
                      and f.fix.patch and f.fix.target == target_of(d.kind, d.namespace, d.name)), None)
        if first is None:
            continue
        again = diagnose_monitor(apply_patch(monitor, first.fix.patch), origin, crs, inventory, store, version,
                                 depth + 1)
        if i >= len(again):
            continue
        have = {f.id for f in d.findings}
        for f in again[i].findings:
            if f.severity == ERROR and f.id not in have and f.stage not in _UNBLOCKING + ("selected",):
                f.message = f"with the {first.id} fix applied: {f.message}"
                d.findings.append(f)
    return out


_UNBLOCKING = ("namespaces", "objects", "selector")


def _diagnose_monitor(monitor: dict, origin: str, crs: list[dict], inventory: Any, store: AssetStore,
                      version: Optional[str] = None) -> list[Diagnosis]:
    kind, ns, name = str(monitor.get("kind")), L.namespace_of(monitor), L.name_of(monitor)
    sel_stage, sel_findings, cr = pickup.stage(monitor, crs, inventory)
    ctx = RenderContext.from_cr(cr, version=version)
    jobs = render_monitors([monitor], ctx, store).jobs
    bare = render_monitors([without_relabelings(monitor)], ctx, store).jobs
    spec = (cr or {}).get("spec") or {}
    opts = EvalOptions(version=ctx.version, own_namespace=ctx.namespace,
                       global_config={"scrape_interval": spec.get("scrapeInterval") or "30s"})
    if not jobs:
        key = "podMetricsEndpoints" if kind == "PodMonitor" else "endpoints"
        d = Diagnosis(object_id(kind, ns, name), kind, ns, name, "", origin, monitor=monitor,
                      stages=[Stage("exists", 1, "monitor", origin), sel_stage, Stage(key, 0, "endpoints"),
                              Stage("scraped", 0, "targets")])
        d.findings.extend(sel_findings)
        d.findings.append(Finding("monitor.no-endpoints", ERROR, key, f"{d.subject} has no {key}: it generates no "
                                  "scrape job", [d.subject],
                                  Fix(f"give it at least one entry in spec.{key} (a port to scrape)")))
        return [d]
    out = []
    for i, (job, bjob) in enumerate(zip(jobs, bare)):
        d = Diagnosis(object_id(kind, ns, name), kind, ns, name, str(job.get("job_name")), origin,
                      i if len(jobs) > 1 else None, config=job, monitor=monitor)
        d.stages.append(Stage("exists", 1, "monitor", origin))
        d.stages.append(sel_stage)
        d.findings.extend(copy.deepcopy(sel_findings))
        if kind == "ScrapeConfig":
            from migrator.why.raw import raw_funnel
            raw_funnel(d, job, inventory, opts)
        else:
            _endpoint_funnel(d, monitor, i, job, bjob, inventory, opts)
        if sel_stage.count == 0 and d.stages[-1].count:
            d.stages[-1].note = (d.stages[-1].note + "; " if d.stages[-1].note else "") + \
                f"{d.stages[-1].count} once picked up"
            d.stages[-1].count = 0
        out.append(d)
    return out


def _endpoint_funnel(d: Diagnosis, monitor: dict, index: int, job: dict, bjob: dict, inventory: Any,
                     opts: EvalOptions) -> None:
    kind = d.kind
    obj_kind = "Service" if kind == "ServiceMonitor" else "Pod"
    spec = monitor.get("spec") or {}
    prefix = common_prefix(job.get("relabel_configs") or [], bjob.get("relabel_configs") or [])
    ev = evaluate(job, d.origin, inventory, opts, prefix)
    if ev.result.error:
        d.error = ev.result.error
        return
    names = scope.job_namespaces(job)
    existing = scope.inventory_namespaces(inventory)
    in_ns = existing if names is None else [n for n in names if n in existing]
    d.stages.append(Stage("namespaces", len(in_ns), "namespaces",
                          "any namespace" if names is None else ", ".join(names)))
    objs = scope.in_range(inventory, obj_kind, names)
    d.stages.append(Stage("objects", len(objs), obj_kind + "s", f"{obj_kind}s in range"))
    matched = scope.matching(spec.get("selector"), objs)
    d.stages.append(Stage("selector", len(matched), obj_kind + "s", L.selector_text(spec.get("selector"))))
    role = (job.get("kubernetes_sd_configs") or [{}])[0].get("role", "")
    after_sel = ev.passing("selector")
    d.stages.append(Stage("endpoints" if kind == "ServiceMonitor" else "targets", len(after_sel), "targets",
                          f"role {role}"))
    after_port = ev.passing("port")
    ep = ((spec.get("endpoints" if kind == "ServiceMonitor" else "podMetricsEndpoints")) or [{}])[index]
    port_desc = next((f"{k} {ep[k]}" for k in ("port", "portNumber", "targetPort") if ep.get(k) not in (None, "")),
                     "every port")
    d.stages.append(Stage("port", len(after_port), "targets", port_desc))
    after_phase = ev.passing("phase")
    d.stages.append(Stage("phase", len(after_phase), "targets",
                          "filterRunning: false" if ep.get("filterRunning") is False else "running pods only"))
    kept = [t for t in ev.result.targets if t.kept]
    n_rules = len(ep.get("relabelings") or [])
    d.stages.append(Stage("relabelings", len(kept), "targets", f"{n_rules} relabeling(s)"))
    unique = {tuple(sorted(t.labels.items())) for t in kept}
    d.stages.append(Stage("scraped", len(unique), "targets"))
    d.kept = [t.labels for t in kept]
    from migrator.identity import scrape_url
    d.targets = sorted({scrape_url(t.labels, job.get("params")) for t in kept})

    # the findings of the stage that empties the funnel (counted as if the monitor were picked up)
    counts = {s.name: s.count for s in d.stages}
    if not counts["namespaces"] or not counts["objects"] or not counts["selector"]:
        found = scope.namespace_findings(monitor, job, inventory, obj_kind)
        if not found:
            found = scope.selector_findings(monitor, objs, obj_kind)
        d.findings.extend(found)
    elif not len(after_sel):
        if kind == "ServiceMonitor":
            d.findings.extend(E.findings(monitor, role, matched, inventory))
        else:
            pids = [object_id("Pod", L.namespace_of(p), L.name_of(p)) for p in matched[:5]]
            d.findings.append(Finding("targets.no-pod-ip", ERROR, "targets",
                                      f"the selected pods have no IP yet (phase "
                                      f"{', '.join(sorted({s(m(p, 'status'), 'phase') or 'unknown' for p in matched}))})"
                                      ": Prometheus discovers no target for them", [d.subject] + pids,
                                      Fix("nothing to change in the monitor: the pods must be scheduled and get "
                                          "an IP")))
    elif not after_port:
        d.findings.extend(ports.findings(monitor, index, ev.reaching("port"), matched))
    elif not after_phase:
        d.findings.append(_phase_finding(d, monitor, index, ev.dropped_at("phase")))
    if ev.dropped_at("relabelings") and (kept or after_phase):
        d.findings.extend(_relabel_findings(d, monitor, index, ev, partial=bool(kept)))
    if kept:
        pods = {(L.namespace_of(p), L.name_of(p)): p for p in scope.in_range(inventory, "Pod", names)}
        d.findings.extend(ports.init_container_findings(monitor, kept, pods))
        if kind == "ServiceMonitor":
            d.findings.extend(E.not_ready_finding(monitor, kept))
    if matched and counts["selector"] == len(objs) and len(objs) > 1:
        f = scope.empty_selector_finding(monitor, len(objs), obj_kind)
        if f:
            d.findings.append(f)


def _phase_finding(d: Diagnosis, monitor: dict, index: int, dropped: list) -> Finding:
    phases = Counter(t.discovered.get("__meta_kubernetes_pod_phase", "") for t in dropped)
    pods = sorted({t.discovered.get("__meta_kubernetes_pod_name", "") for t in dropped})
    ns = dropped[0].discovered.get("__meta_kubernetes_namespace") if dropped else None
    pids = [object_id("Pod", ns, p) for p in pods[:5]]
    what = ", ".join(f"{n} {p}" for p, n in phases.items())
    return Finding("phase.not-running", ERROR, "phase",
                   f"every target is on a pod that has completed ({what}): the operator's filterRunning "
                   "(default true) drops Succeeded and Failed pods", [d.subject] + pids,
                   ports.endpoint_fix(monitor, index, "if completed pods are really meant to be scraped (they "
                                      "serve nothing once done), keep them with filterRunning: false",
                                      {"filterRunning": False}))


def _relabel_findings(d: Diagnosis, monitor: dict, index: int, ev: Any, partial: bool) -> list[Finding]:
    """Which of the monitor's own relabelings drops how many targets, with the values it saw; when they drop
    every target (not partial), an error with the change that keeps them."""
    reaching = ev.reaching("relabelings")
    by_rule = Counter(r for t, f, r in zip(ev.result.targets, ev.first, ev.dropped_by)
                      if f == "relabelings" and r is not None)
    if not by_rule and partial:
        return []
    if not by_rule:
        reasons = sorted({t.reason for t in reaching if t.reason})
        return [Finding("relabel.refused", ERROR, "relabelings",
                        f"Prometheus refuses every target after relabeling: {'; '.join(reasons)}", [d.subject])]
    out = []
    key = "endpoints" if d.kind == "ServiceMonitor" else "podMetricsEndpoints"
    user = list((monitor.get("spec") or {}).get(key)[index].get("relabelings") or [])
    for rule_index, n in sorted(by_rule.items()):
        k = rule_index - ev.prefix
        rule = ev.rules[rule_index]
        seen = values_seen([t for t in reaching], ev.rules, rule_index)
        shown = ", ".join(repr(v) for v in seen[:8]) or "none"
        where = f"relabelings[{k}]" if 0 <= k < len(user) else f"rule #{rule_index} (scrape class)"
        msg = (f"{where} ({rule.describe()}) drops {n} of {len(reaching)} target(s); the values it saw: {shown}")
        fix = None
        if partial:
            out.append(Finding("relabel.drops", INFO, "relabelings", msg, [d.subject]))
            continue
        if 0 <= k < len(user):
            new_user = copy.deepcopy(user)
            if rule.action == "keep" and seen:
                new_user[k]["regex"] = "|".join(quote_meta(v) for v in seen)
                summary = "keep what the targets have (or remove the rule)"
            else:
                del new_user[k]
                summary = "remove the rule that drops every target"
            fix = ports.endpoint_fix(monitor, index, summary, {"relabelings": new_user})
        out.append(Finding("relabel.drops-all" if n == len(reaching) else "relabel.drops", ERROR, "relabelings",
                           msg, [d.subject], fix))
    return out
