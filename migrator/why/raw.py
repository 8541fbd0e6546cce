"""The funnel of a raw scrape job: discovery role -> namespaces -> each keep/drop rule -> scraped."""

from __future__ import annotations

import copy
from typing import Any

from migrator.discovery import ROLE_KIND
from migrator.identity import scrape_url
from migrator.targets import EvalOptions
from migrator.why import labels as L
from migrator.why import scope
from migrator.why.funnel import evaluate, values_seen
from migrator.why.model import ERROR, Diagnosis, Finding, Fix, Stage, target_of

_DROPPING = ("keep", "drop", "keepequal", "dropequal")


def diagnose_raw(job: dict, origin: str, inventory: Any, opts: EvalOptions) -> Diagnosis:
    name = str(job.get("job_name", ""))
    d = Diagnosis(f"job {name}", "job", None, name, name, origin, config=job)
    d.stages.append(Stage("exists", 1, "job", origin))
    raw_funnel(d, job, inventory, opts)
    return d


def raw_funnel(d: Diagnosis, job: dict, inventory: Any, opts: EvalOptions) -> None:
    ev = evaluate(job, d.origin, inventory, opts)
    if ev.result.error:
        d.error = ev.result.error
        return
    sds = [sd for sd in job.get("kubernetes_sd_configs") or [] if isinstance(sd, dict)]
    targets = ev.result.targets
    if sds and inventory is not None:
        role = str(sds[0].get("role", ""))
        kind = ROLE_KIND.get(role, role)
        d.stages.append(Stage("role", len(inventory.list(kind)), kind + "s", f"role {role}: in the whole cluster"))
        names = (sds[0].get("namespaces") or {}).get("names")
        d.stages.append(Stage("namespaces", len(targets), "targets",
                              f"discovered in {', '.join(names) if names else 'every namespace'}"))
    else:
        d.stages.append(Stage("discovered", len(targets), "targets", "static and file_sd targets"))
    alive = len(targets)
    for i, rule in enumerate(ev.rules):
        if rule.action not in _DROPPING:
            continue
        n = sum(1 for r in ev.dropped_by if r == i)
        alive -= n
        d.stages.append(Stage(f"rule #{i}", alive, "targets", rule.describe()))
    kept = [t for t in targets if t.kept]
    refused = [t for t in targets if not t.kept and t.rule is None]
    unique = {tuple(sorted(t.labels.items())) for t in kept}
    d.stages.append(Stage("scraped", len(unique), "targets", f"{len(refused)} refused" if refused else ""))
    d.kept = [t.labels for t in kept]
    d.targets = sorted({scrape_url(t.labels, job.get("params")) for t in kept})
    if kept:
        return
    if not targets:
        d.findings.extend(_no_targets(d, job, sds, inventory))
        return
    for s in d.stages:
        if s.count == 0 and s.name.startswith("rule #"):
            i = int(s.name[len("rule #"):])
            rule = ev.rules[i]
            reaching = [t for t, r in zip(targets, ev.dropped_by) if r is None or r >= i]
            seen = values_seen(reaching, ev.rules, i)
            shown = ", ".join(repr(v) for v in seen[:8]) or "none"
            rules = copy.deepcopy(job.get("relabel_configs") or [])
            if rule.action == "keep" and seen:
                from migrator.why.monitor import quote_meta
                rules[i]["regex"] = "|".join(quote_meta(v) for v in seen)
                summary = "keep what the targets have (or remove the rule)"
            else:
                del rules[i]
                summary = "remove the rule that drops every target"
            d.findings.append(Finding("relabel.drops-all", ERROR, s.name,
                                      f"relabel_configs[{i}] ({rule.describe()}) drops every target that reaches "
                                      f"it ({len(reaching)}); the values it saw: {shown}", [d.subject],
                                      Fix(summary, target_of("job", None, d.name), {"relabel_configs": rules})))
            return
    reasons = sorted({t.reason for t in targets if t.reason})
    d.findings.append(Finding("relabel.refused", ERROR, "scraped",
                              f"Prometheus refuses every target: {'; '.join(reasons)}", [d.subject]))


def _no_targets(d: Diagnosis, job: dict, sds: list, inventory: Any) -> list[Finding]:
    if not sds or inventory is None:
        return [Finding("discovery.empty", ERROR, d.stages[-1].name, "the job discovers no target", [d.subject])]
    role = str(sds[0].get("role", ""))
    names = (sds[0].get("namespaces") or {}).get("names") or []
    existing = scope.inventory_namespaces(inventory)
    missing = [n for n in names if n not in existing]
    if missing:
        near = {n: L.closest(n, existing) for n in missing}
        near = {n: c for n, c in near.items() if c and L.close(n, c)}
        fixed = [near.get(n, n) for n in names]
        shown = ", ".join(f"{n} (did you mean {near[n]}?)" if n in near else n for n in missing)
        sd = copy.deepcopy(job.get("kubernetes_sd_configs"))
        sd[0]["namespaces"]["names"] = fixed
        return [Finding("namespace.missing", ERROR, "namespaces",
                        f"role {role} looks in namespaces that do not exist: {shown}", [d.subject],
                        Fix("name existing namespaces", target_of("job", None, d.name),
                            {"kubernetes_sd_configs": sd}) if fixed != names else None)]
    kind = ROLE_KIND.get(role, role)
    return [Finding("discovery.empty", ERROR, "namespaces",
                    f"no {kind} in {', '.join(names) if names else 'the cluster'} gives a target for role {role}",
                    [d.subject])]
