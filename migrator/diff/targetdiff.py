"""What two setups scrape, compared target by target.

Pure: two lists of migrator.targets.JobResult and the job pairing in; per pair, targets only in OLD,
only in NEW, and label changes on the targets both scrape, out. Targets are matched by their
scrape key (scheme, __address__, __metrics_path__, params), the address Prometheus actually calls.
Compared labels: every label a series gets (no ``__`` prefix) plus ``__scrape_interval__`` and
``__scrape_timeout__``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from migrator.diff.configdiff import JobPair
from migrator.targets import JobResult, scrape_key

EXAMPLES = 3
COMPARED_INTERNAL = ("__scrape_interval__", "__scrape_timeout__")


def compared_labels(labels: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in labels.items() if not k.startswith("__") or k in COMPARED_INTERNAL}


def scrape_url(key: tuple) -> str:
    scheme, address, path, params = key
    query = "&".join(f"{k[len('__param_'):]}={v}" for k, v in params)
    return f"{scheme}://{address}{path}" + (f"?{query}" if query else "")


@dataclass
class LabelChange:
    """One label across the targets both sides scrape: added, removed or changed on n targets."""

    label: str
    change: str                           # added | removed | changed
    targets: int = 0
    examples: list[dict] = field(default_factory=list)   # {"target", "old", "new"}

    def to_json(self) -> dict:
        return {"label": self.label, "change": self.change, "targets": self.targets, "examples": self.examples}


@dataclass
class TargetDiff:
    old: str
    new: list[str]
    how: str
    old_targets: int = 0
    new_targets: int = 0
    only_old: list[str] = field(default_factory=list)       # scrape URLs
    only_new: list[str] = field(default_factory=list)
    common: int = 0
    relabelled: int = 0                                    # common targets whose labels differ
    labels: list[LabelChange] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    objects: dict[str, str] = field(default_factory=dict)   # scrape URL -> "pod ns/name" (only-one-side targets)

    @property
    def targets_changed(self) -> bool:
        return bool(self.only_old or self.only_new)

    @property
    def labels_changed(self) -> bool:
        return bool(self.labels)

    @property
    def changed(self) -> bool:
        return self.targets_changed or self.labels_changed

    def summary(self) -> str:
        """``job: envoy-stats -> podMonitor/... on 6 targets: ...``"""
        head = f"job: {self.old} -> {', '.join(self.new)}"
        parts = []
        if self.common:
            parts.append(f"{self.common} target(s) in both" +
                         (f", labels differ on {self.relabelled}" if self.relabelled else ", same labels"))
        if self.only_old:
            parts.append(f"{len(self.only_old)} only in OLD")
        if self.only_new:
            parts.append(f"{len(self.only_new)} only in NEW")
        if not parts:
            parts.append("no targets on either side")
        return f"{head}: " + "; ".join(parts)

    def to_json(self) -> dict:
        return {"old": self.old, "new": list(self.new), "paired_by": self.how,
                "old_targets": self.old_targets, "new_targets": self.new_targets, "common": self.common,
                "relabelled": self.relabelled, "only_old": self.only_old, "only_new": self.only_new,
                "labels": [c.to_json() for c in self.labels], "errors": self.errors,
                "objects": {u: self.objects[u] for u in self.only_old + self.only_new if u in self.objects},
                "changed": self.changed}

    def brief(self) -> str:
        """``on 6 targets: labels job changed; namespace, pod added; 1 target only in OLD``"""
        parts = []
        kinds: dict[str, list[str]] = {}
        for c in self.labels:
            kinds.setdefault(c.change, []).append(c.label)
        for kind in ("changed", "added", "removed"):
            if kind in kinds:
                parts.append(f"{', '.join(kinds[kind])} {kind}")
        text = f"on {self.common} target(s) in both"
        text += (": labels " + "; ".join(parts)) if parts else ": same labels"
        if self.only_old:
            text += f"; {len(self.only_old)} target(s) only in OLD"
        if self.only_new:
            text += f"; {len(self.only_new)} target(s) only in NEW"
        return text


def target_object(discovered: dict[str, str]) -> str:
    """The Kubernetes object behind a target, from its discovered labels ("" when none)."""
    ns = discovered.get("__meta_kubernetes_namespace", "")
    for kind, key in (("pod", "__meta_kubernetes_pod_name"), ("service", "__meta_kubernetes_service_name"),
                      ("node", "__meta_kubernetes_node_name"), ("ingress", "__meta_kubernetes_ingress_name")):
        if discovered.get(key):
            return f"{kind} {ns + '/' if ns and kind != 'node' else ''}{discovered[key]}"
    return ""


def _keyed(results: list[JobResult], objects: dict[str, str] | None = None) -> dict[tuple, list[dict]]:
    out: dict[tuple, list[dict]] = defaultdict(list)
    for r in results:
        for t in r.kept:
            key = scrape_key(t.labels)
            out[key].append(compared_labels(t.labels))
            if objects is not None:
                what = target_object(t.discovered)
                if what:
                    objects.setdefault(scrape_url(key), what)
    for v in out.values():
        v.sort(key=lambda labels: sorted(labels.items()))
    return out


def diff_targets(old: list[JobResult], new: list[JobResult], how: str = "name",
                 examples: int = EXAMPLES) -> TargetDiff:
    """Compare the kept targets of OLD's job(s) with NEW's (a pair may have several NEW jobs)."""
    result = TargetDiff(", ".join(r.job for r in old), [r.job for r in new], how)
    for side, rs in (("OLD", old), ("NEW", new)):
        for r in rs:
            if r.error:
                result.errors.append(f"{side} job {r.job} could not be evaluated: {r.error}")
    a, b = _keyed(old, result.objects), _keyed(new, result.objects)
    result.old_targets = sum(len(v) for v in a.values())
    result.new_targets = sum(len(v) for v in b.values())
    result.only_old = sorted(scrape_url(k) for k in a if k not in b for _ in a[k])
    result.only_new = sorted(scrape_url(k) for k in b if k not in a for _ in b[k])
    changes: dict[tuple[str, str], LabelChange] = {}
    for key in sorted(set(a) & set(b)):
        for la, lb in zip(a[key], b[key]):
            result.common += 1
            differs = False
            for name in sorted(set(la) | set(lb)):
                va, vb = la.get(name), lb.get(name)
                if va == vb:
                    continue
                differs = True
                kind = "added" if va is None else "removed" if vb is None else "changed"
                c = changes.setdefault((name, kind), LabelChange(name, kind))
                c.targets += 1
                example = {"target": scrape_url(key), "old": va, "new": vb}
                if len(c.examples) < examples and all((e["old"], e["new"]) != (va, vb) for e in c.examples):
                    c.examples.append(example)
            result.relabelled += differs
        extra_a, extra_b = len(a[key]) - len(b[key]), len(b[key]) - len(a[key])
        result.only_old += [scrape_url(key)] * max(extra_a, 0)
        result.only_new += [scrape_url(key)] * max(extra_b, 0)
    keep = set(result.only_old) | set(result.only_new)
    result.objects = {u: w for u, w in result.objects.items() if u in keep}
    order = {"changed": 0, "added": 1, "removed": 2}
    result.labels = sorted(changes.values(), key=lambda c: (order[c.change], c.label))
    return result


def diff_all(old: list[JobResult], new: list[JobResult], pairs: list[JobPair]) -> list[TargetDiff]:
    olds = {r.job: r for r in old}
    news = {r.job: r for r in new}
    return [diff_targets([olds[p.old]], [news[n] for n in p.new], p.how) for p in pairs
            if p.old in olds and all(n in news for n in p.new)]


def kept_addresses(results: list[JobResult]) -> dict[str, set]:
    """job -> the addresses it keeps (the basis of pairing by overlap)."""
    return {r.job: {t.labels.get("__address__", "") for t in r.kept} for r in results if not r.error}


def only_side(r: JobResult) -> dict[str, Any]:
    """A job only one side has: how many targets it keeps (and a few of them)."""
    urls = sorted(scrape_url(scrape_key(t.labels)) for t in r.kept)
    out: dict[str, Any] = {"job": r.job, "targets": len(urls), "examples": list(dict.fromkeys(urls))[:EXAMPLES]}
    if r.error:
        out["error"] = r.error
    return out
