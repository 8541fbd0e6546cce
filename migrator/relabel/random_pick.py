"""Where Prometheus picks a label value at random: ``labelmap`` mapping several labels of ONE target to one name.

From 2.43 (relabel/engine.py ``_builder_order``) labelmap walks the label set in the order the names entered
Prometheus's labels.Builder, and the last write wins. Prometheus sets a target's own discovered labels, then its
group's others, then the job's defaults, then the job's ``params`` -- the discovered labels and the params from
Go maps, whose order is random on every run. So when two or more labels of one such block (still in their first
place: not deleted and set again by an earlier rule) with different values map to one name, and one of them is
the last writer, Prometheus keeps a random one of them; migrator shows the value of the last in the order its
discovery built the set (deterministic, not Prometheus's). 2.42 walks the sorted names: never random.

Pure: a job's target groups, its evaluated targets and parsed rules in; the random picks out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from migrator.relabel.engine import _apply, _builder_order
from migrator.relabel.rules import Rule

PARAM_PREFIX = "__param_"


@dataclass
class RandomPick:
    """One labelmap rule giving LABEL a random one of SOURCES' values on TARGETS targets of a job."""

    rule: int                                   # index in relabel_configs
    label: str
    sources: list[str] = field(default_factory=list)
    targets: int = 0

    def message(self, job: str) -> str:
        return (f"job {job}: relabel_configs[{self.rule}] (labelmap) maps {', '.join(self.sources)} to label "
                f'"{self.label}" with different values on {self.targets} target(s): Prometheus 2.43+ keeps one '
                "of them at random (Go map order, on every run); migrator shows one of them")


def target_picks(start: dict[str, str], blocks: list[set[str]], rules: list[Rule]) -> list[tuple[int, str, tuple]]:
    """(rule index, label, candidate sources) for each labelmap of RULES that picks at random on the label set
    START (the pre-relabel labels, in Prometheus's insertion order). BLOCKS: sets of START's names whose
    relative order in Prometheus is random (changed in place as names leave them)."""
    lset = dict(start)
    out = []
    for i, rule in enumerate(rules):
        if rule.action == "labelmap" and _builder_order(rule):
            by_name: dict[str, list[str]] = defaultdict(list)
            for name in lset:
                if rule.regex.matches(name):
                    by_name[rule.regex.replace_all(name, rule.replacement_template)].append(name)
            for label, sources in by_name.items():
                if len(sources) < 2:
                    continue
                block = next((b for b in blocks if sources[-1] in b), None)   # the last writer's block
                if block is None:
                    continue
                cands = [n for n in sources if n in block]
                if len({lset[n] for n in cands}) > 1:
                    out.append((i, label, tuple(cands)))
        keep, _ = _apply(lset, rule)
        if not keep:
            break
        for b in blocks:  # a name deleted (and maybe set again, then last) has left its random place
            b.intersection_update(lset)
    return out


def _may_collide(universe: set[str], rules: list[Rule]) -> bool:
    """Whether some 2.43+ labelmap of RULES can map two names to one, for label sets drawn from UNIVERSE
    (with the names rules add). A templated target label: anything can happen (True)."""
    names = set(universe)
    for rule in rules:
        if rule.action == "labelmap":
            seen: dict[str, str] = {}
            for name in names:
                if rule.regex.matches(name):
                    out = rule.regex.replace_all(name, rule.replacement_template)
                    if _builder_order(rule) and seen.setdefault(out, name) != name:
                        return True
            names.update(seen)
        elif rule.action not in ("keep", "drop", "keepequal", "dropequal", "labeldrop", "labelkeep"):
            target = rule.target_label or ""
            if "$" in target:
                return True
            names.add(target)
    return False


def random_picks(groups: Iterable[Any], targets: list[Any], rules: list[Rule]) -> list[RandomPick]:
    """The random labelmap picks of one job: GROUPS (``.targets``: each target's own labels, ``.labels``: the
    group's) and TARGETS (``.discovered``: the pre-relabel set), one per group target, in order."""
    if not any(r.action == "labelmap" and _builder_order(r) for r in rules):
        return []
    groups = list(groups)
    universe: set[str] = set()
    for t in targets:
        universe.update(t.discovered)
    if not _may_collide(universe, rules):
        return []
    found: dict[tuple[int, str], RandomPick] = {}
    it = iter(targets)
    for g in groups:
        group_labels: Optional[dict] = g.labels or {}
        for own in g.targets:
            t = next(it, None)
            if t is None:
                break
            pre = t.discovered
            own_names = {str(k) for k in own} & pre.keys()
            group_names = ({str(k) for k in group_labels} & pre.keys()) - own_names
            params = {n for n in pre if n.startswith(PARAM_PREFIX)} - own_names - group_names
            for i, label, cands in target_picks(pre, [own_names, group_names, params], rules):
                p = found.setdefault((i, label), RandomPick(i, label))
                p.sources = sorted(set(p.sources) | set(cands))
                p.targets += 1
    return [found[k] for k in sorted(found)]
