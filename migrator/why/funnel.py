"""Evaluating a rendered job stage by stage: which relabel rule belongs to which stage, and what each drops.

The job is rendered by migrator.render (as the operator does) and evaluated by migrator.targets (discovery,
then Prometheus's relabeling); a target's fate under one rule is migrator.relabel.relabel on that rule.
Nothing here decides a match itself: it only sorts the rules the renderer wrote into stages.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Optional

from migrator.relabel import parse_rules, relabel, relabel_trace
from migrator.targets import EvalOptions, JobResult, evaluate_job

#: the order of the target-level stages of a monitor's job
TARGET_STAGES = ("selector", "port", "phase", "relabelings")
_DROPPING = ("keep", "drop", "keepequal", "dropequal")


def generated_stage(rule: dict) -> str:
    """The stage of a keep/drop rule the renderer generated (before the monitor's own relabelings)."""
    src = [str(s) for s in rule.get("source_labels") or []]
    if src == ["__meta_kubernetes_pod_phase"]:
        return "phase"
    if any(s.endswith(("_port_name", "_port_number")) for s in src):
        return "port"
    if src and all(s.startswith(("__meta_kubernetes_service_label", "__meta_kubernetes_pod_label"))
                   for s in src):
        return "selector"
    return "relabelings"  # a scrape class's rule


def without_relabelings(monitor: dict) -> dict:
    """The monitor with every endpoint's own relabelings removed (to find where they start in the job)."""
    m = copy.deepcopy(monitor)
    spec = m.get("spec") if isinstance(m.get("spec"), dict) else {}
    for key in ("endpoints", "podMetricsEndpoints"):
        for ep in spec.get(key) or []:
            if isinstance(ep, dict):
                ep.pop("relabelings", None)
    return m


def common_prefix(a: list, b: list) -> int:
    n = 0
    while n < len(a) and n < len(b) and a[n] == b[n]:
        n += 1
    return n


@dataclass
class Evaluated:
    """A job evaluated, each target with the first stage (in TARGET_STAGES order) that drops it."""

    result: JobResult
    rules: list
    prefix: int                                   # rules before the monitor's own relabelings
    stage_of: list[str] = field(default_factory=list)   # per rule index
    first: list[Optional[str]] = field(default_factory=list)  # per target: dropping stage or None (kept)
    dropped_by: list[Optional[int]] = field(default_factory=list)

    def passing(self, stage: str) -> list:
        """Targets that get past every stage up to and including stage."""
        cut = TARGET_STAGES.index(stage)
        return [t for t, f in zip(self.result.targets, self.first)
                if f is None or TARGET_STAGES.index(f) > cut]

    def reaching(self, stage: str) -> list:
        """Targets that get past every stage before stage."""
        cut = TARGET_STAGES.index(stage)
        return [t for t, f in zip(self.result.targets, self.first)
                if f is None or TARGET_STAGES.index(f) >= cut]

    def dropped_at(self, stage: str) -> list:
        return [t for t, f in zip(self.result.targets, self.first) if f == stage]


def evaluate(job: dict, origin: str, inventory: Any, opts: EvalOptions, prefix: Optional[int] = None) -> Evaluated:
    """Evaluate job; with prefix (monitors), attribute each drop to a stage."""
    result = evaluate_job(job, origin, inventory, opts)
    if result.error:
        return Evaluated(result, [], 0)
    rules = parse_rules(job.get("relabel_configs"), version=opts.version,
                        scheme=job.get("metric_name_validation_scheme") or None)
    raw = [r for r in job.get("relabel_configs") or []]
    n = len(rules) if prefix is None else prefix
    stage_of = [(generated_stage(raw[i]) if str(raw[i].get("action", "replace")).lower() in _DROPPING
                 else "") if i < n else "relabelings" for i in range(len(rules))]
    ev = Evaluated(result, rules, n, stage_of)
    checks = [(stage_of[i], rules[i]) for i in range(n) if stage_of[i]]
    for t in result.targets:
        failed = {st for st, rule in checks if st != "relabelings" and relabel(t.discovered, [rule]) is None}
        first = next((st for st in TARGET_STAGES[:-1] if st in failed), None)
        if first is None and not t.kept:
            first = "relabelings"
        ev.first.append(first)
        ev.dropped_by.append(t.rule)
    return ev


def values_seen(targets: list, rules: list, index: int) -> list[str]:
    """The joined source values rule #index saw, over targets (relabel_trace's record), distinct, in order."""
    out: list[str] = []
    for t in targets:
        _, _, steps = relabel_trace(t.discovered, rules[:index + 1])
        if len(steps) == index + 1 and steps[-1].value is not None and steps[-1].value not in out:
            out.append(steps[-1].value)
    return out
