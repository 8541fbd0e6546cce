"""What two setups scrape, compared target by target.

Pure: two lists of migrator.targets.JobResult and the job pairing in; per pair, targets only in OLD,
only in NEW, and label changes on the targets both scrape, out. Compared is what Prometheus scrapes: of each
job's kept targets, one per distinct final label set (migrator.identity.scraped: the targets Prometheus
merges count once); the kept and distinct counts of each side are reported. Targets are matched by their identity
(migrator.identity, shared with migrate's proof): the URL Prometheus actually calls, then the compared
labels -- every label a series gets (no ``__`` prefix) plus ``__scrape_interval__`` and
``__scrape_timeout__``. Targets are shown by that URL with any credential in it redacted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from migrator.diff.configdiff import JobPair, identical
from migrator.identity import Matching, ScrapeKey, TargetId, compared_labels, match_targets, scraped, target_id
from migrator.redact import redact_value
from migrator.targets import JobResult

EXAMPLES = 3


def shown_url(key: ScrapeKey) -> str:
    """A target's scrape URL for output: userinfo in the address or in a parameter redacted."""
    return key.shown(redact_value)


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
    old_targets: int = 0                                   # kept targets (every discovered one)
    new_targets: int = 0
    old_distinct: int = 0                                  # distinct scrapes among them: what is compared
    new_distinct: int = 0
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

    @property
    def merged(self) -> bool:
        """Prometheus merges some kept targets of a side into one scrape."""
        return (self.old_targets, self.new_targets) != (self.old_distinct, self.new_distinct)

    def counts(self) -> str:
        """``OLD 12 kept, 5 distinct scrape(s); NEW 5 kept, 5 distinct scrape(s)``"""
        return "; ".join(f"{side} {n} kept, {d} distinct scrape(s)" for side, n, d in
                         (("OLD", self.old_targets, self.old_distinct), ("NEW", self.new_targets, self.new_distinct)))

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
        return f"{head}: " + "; ".join(parts) + (f" ({self.counts()})" if self.merged else "")

    def to_json(self) -> dict:
        return {"old": self.old, "new": list(self.new), "paired_by": self.how,
                "old_targets": self.old_targets, "new_targets": self.new_targets,
                "old_distinct_targets": self.old_distinct, "new_distinct_targets": self.new_distinct,
                "common": self.common,
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
        if self.merged:
            text += f" ({self.counts()})"
        return text


_NAMESPACE = "__meta_kubernetes_namespace"
_OBJECT_NAMES = (("pod", "__meta_kubernetes_pod_name"), ("service", "__meta_kubernetes_service_name"),
                 ("node", "__meta_kubernetes_node_name"), ("ingress", "__meta_kubernetes_ingress_name"))
#: the discovered labels target_object reads: all diff needs of a target's pre-relabel labels (slim)
OBJECT_LABELS = (_NAMESPACE, *(key for _, key in _OBJECT_NAMES))


def target_object(discovered: dict[str, str]) -> str:
    """The Kubernetes object behind a target, from its discovered labels ("" when none)."""
    ns = discovered.get(_NAMESPACE, "")
    for kind, key in _OBJECT_NAMES:
        if discovered.get(key):
            return f"{kind} {ns + '/' if ns and kind != 'node' else ''}{discovered[key]}"
    return ""


def slim(r: JobResult) -> JobResult:
    """R (its targets changed in place) holding only what diff reads of it: of each target, its outcome and, of
    a kept one's pre-relabel labels, OBJECT_LABELS; a large job's targets each carry dozens of discovered labels
    (targets.slim does the same for `targets`, which needs no objects)."""
    from migrator.targets import _gc_paused

    keys = OBJECT_LABELS
    with _gc_paused():
        for t in r.targets:
            d = t.discovered
            t.discovered = {k: d[k] for k in keys if k in d} if t.labels is not None else {}
    return r


class _Scrape:
    """One kept target of one side: its final labels and its job's params."""

    __slots__ = ("labels", "params", "discovered", "tid")

    def __init__(self, labels: dict, params: Any, discovered: dict):
        self.labels, self.params, self.discovered = labels, params, discovered
        self.tid: TargetId = target_id(labels, params)


def _scrapes(results: list[JobResult]) -> list[_Scrape]:
    """What the jobs scrape: each job's kept targets, those Prometheus merges once (identity.scraped). Each
    result's ``distinct`` is set on the way (how many there are: what targets.findings would count again)."""
    out = []
    for r in results:
        first = scraped(r.kept, lambda t: t.labels)
        r.distinct = len(first)
        params = (r.config or {}).get("params")
        out += [_Scrape(t.labels, params, t.discovered) for t in first]
    return out


def _same_targets(old: list[JobResult], new: list[JobResult]) -> bool:
    """NEW's results hold OLD's very Target objects, in order, with identical params: they scrape the same
    (diff's evaluate_sides gives a job identical on both sides OLD's targets instead of evaluating it again)."""
    return len(old) == len(new) and all(
        len(ra.targets) == len(rb.targets) and all(ta is tb for ta, tb in zip(ra.targets, rb.targets))
        and identical((ra.config or {}).get("params"), (rb.config or {}).get("params")) for ra, rb in zip(old, new))


def _matched_with_itself(items: list[_Scrape]) -> Matching:
    """What match_targets(items, items) gives: every item paired with itself (identical targets pair first, in
    order), nothing only on one side."""
    return Matching(pairs=[(s, s) for s in items], ids={id(s): s.tid for s in items})


def diff_targets(old: list[JobResult], new: list[JobResult], how: str = "name",
                 examples: int = EXAMPLES) -> TargetDiff:
    """Compare what OLD's job(s) scrape with what NEW's do (a pair may have several NEW jobs): the distinct
    scrapes of each job's kept targets, as Prometheus merges them."""
    result = TargetDiff(", ".join(r.job for r in old), [r.job for r in new], how)
    for side, rs in (("OLD", old), ("NEW", new)):
        for r in rs:
            if r.error:
                result.errors.append(f"{side} job {r.job} could not be evaluated: {r.error}")
    a = _scrapes(old)
    if _same_targets(old, new):
        b = a
        for ra, rb in zip(old, new):
            rb.distinct = ra.distinct
    else:
        b = _scrapes(new)
    result.old_targets, result.new_targets = (sum(len(r.kept) for r in rs) for rs in (old, new))
    result.old_distinct, result.new_distinct = len(a), len(b)
    m = _matched_with_itself(a) if b is a else match_targets(a, b, lambda s: s.tid)
    for side, items in ((result.only_old, m.only_old), (result.only_new, m.only_new)):
        for s in items:
            url = shown_url(s.tid.key)
            side.append(url)
            what = target_object(s.discovered)
            if what:
                result.objects.setdefault(url, what)
    result.only_old.sort()
    result.only_new.sort()
    changes: dict[tuple[str, str], LabelChange] = {}
    for sa, sb in m.pairs:
        result.common += 1
        if sa.tid.labels == sb.tid.labels:
            continue
        result.relabelled += 1
        la, lb = compared_labels(sa.labels), compared_labels(sb.labels)
        for name in sorted(set(la) | set(lb)):
            va, vb = la.get(name), lb.get(name)
            if va == vb:
                continue
            kind = "added" if va is None else "removed" if vb is None else "changed"
            c = changes.setdefault((name, kind), LabelChange(name, kind))
            c.targets += 1
            va, vb = redact_value(va), redact_value(vb)
            if len(c.examples) < examples and all((e["old"], e["new"]) != (va, vb) for e in c.examples):
                c.examples.append({"target": shown_url(sa.tid.key), "old": va, "new": vb})
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
    """A job only one side has: how many targets it keeps, how many distinct scrapes they make (and a few)."""
    urls = sorted(shown_url(s.tid.key) for s in _scrapes([r]))
    out: dict[str, Any] = {"job": r.job, "targets": len(r.kept), "distinct_targets": len(urls),
                           "examples": list(dict.fromkeys(urls))[:EXAMPLES]}
    if r.error:
        out["error"] = r.error
    return out
