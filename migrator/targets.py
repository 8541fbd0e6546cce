"""What a scrape setup scrapes: discovery, then Prometheus's relabeling, job by job.

Pure core: scrape jobs (plain dicts, as Prometheus typed them) plus an
inventory in; per job, the kept targets with their final labels and the
dropped ones with the rule that dropped them, out. File and cluster reading
happen in the caller; file_sd files are read through a callable it passes.
"""

from __future__ import annotations

import contextlib
import gc
import glob
import json
import os
from collections import Counter, OrderedDict, defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Optional

from migrator.errors import ConfigError, InputError
from migrator.scrapeconfig import OTHER_SD, PLACEHOLDER_RE
from migrator.version import Version

try:  # the JSON report is written in pieces through orjson (writers.dump_json_bytes)
    import orjson as _orjson
except ImportError:  # pragma: no cover - a dependency
    _orjson = None


@dataclass
class Target:
    """One discovered target: its pre-relabel labels, and the outcome."""

    discovered: dict[str, str]
    labels: Optional[dict[str, str]] = None   # final labels when kept
    rule: Optional[int] = None                # index of the relabel rule that dropped it
    reason: Optional[str] = None              # why it was dropped or refused
    steps: list = field(default_factory=list, repr=False)

    @property
    def kept(self) -> bool:
        return self.labels is not None


@dataclass
class JobResult:
    job: str
    origin: str                                # where the job comes from (file:line, or the monitor)
    targets: list[Target] = field(default_factory=list)
    error: Optional[str] = None                # the job could not be evaluated
    warnings: list[str] = field(default_factory=list)
    config: dict = field(default_factory=dict, repr=False)
    #: distinct scrapes among the kept targets (identity.merged_targets), once computed
    distinct: Optional[int] = field(default=None, repr=False, compare=False)
    #: labelmaps where Prometheus 2.43+ picks a value at random (relabel.random_pick.RandomPick)
    random_picks: list = field(default_factory=list, repr=False, compare=False)

    @property
    def kept(self) -> list[Target]:
        return [t for t in self.targets if t.labels is not None]

    @property
    def dropped(self) -> list[Target]:
        return [t for t in self.targets if t.labels is None]


@dataclass
class Group:
    """A target group from any discovery: (targets, group labels)."""

    source: str
    targets: list[dict[str, str]]
    labels: dict[str, str]


@dataclass
class EvalOptions:
    version: Optional[Version] = None
    own_namespace: str = "default"
    base_dir: str = "."
    global_config: dict = field(default_factory=dict)
    trace: bool = False
    #: discovery results shared by the jobs of one run (see SDCache)
    sd_cache: Optional["SDCache"] = None
    #: only the kept targets' final labels are wanted (migrate's proof compares nothing else): dropped targets
    #: are not recorded, kept ones come without their pre-relabel labels (Target.discovered is empty) and
    #: random labelmap picks are not looked for. Kept targets and their labels are the same.
    kept_only: bool = False


class SDCache:
    """Discovery results shared by the jobs of one run, keyed by the SD config: Prometheus too runs one
    discoverer for identical kubernetes_sd_configs blocks. Groups are never modified; an entry is
    dropped as soon as the last job that uses it has taken it, so memory stays that of one discovery."""

    def __init__(self, jobs: Iterable[dict]):
        self.uses: Counter = Counter(self.key(sd) for job in jobs for sd in job.get("kubernetes_sd_configs") or []
                                     if isinstance(sd, dict))
        self.groups: dict[str, list] = {}

    @staticmethod
    def key(sd: dict) -> str:
        return json.dumps(sd, sort_keys=True, default=str)

    def take(self, key: str) -> Optional[list]:
        found = self.groups.get(key)
        if found is not None:
            self._used(key)
        return found

    def put(self, key: str, groups: list) -> None:
        if self.uses.get(key, 0) > 1:
            self.groups[key] = groups
        self._used(key)

    def _used(self, key: str) -> None:
        self.uses[key] -= 1
        if self.uses[key] <= 0:
            self.groups.pop(key, None)


def static_groups(job: dict) -> list[Group]:
    out = []
    for i, sc in enumerate(job.get("static_configs") or []):
        targets = [{"__address__": str(t)} for t in (sc.get("targets") or [])]
        out.append(Group(f"static/{i}", targets, {str(k): str(v) for k, v in (sc.get("labels") or {}).items()}))
    return out


def file_sd_groups(job: dict, base_dir: str) -> list[Group]:
    """Target groups from file_sd_configs files, as Prometheus reads them (``__meta_filepath``).

    A file Prometheus could not read (not YAML/JSON, not a list of groups of strings) is InputError
    with its file, line and field.
    """
    from migrator.sources import parse_documents, read_text

    out = []
    for sd in job.get("file_sd_configs") or []:
        for pattern in sd.get("files") or []:
            full = pattern if os.path.isabs(pattern) else os.path.join(base_dir, pattern)
            for path in sorted(glob.glob(full)):
                name, text = read_text(path)
                docs = parse_documents(text, name)
                if len(docs) > 1:
                    raise docs[1].error("a file_sd file holds one list of target groups, not several documents")
                if not docs:
                    continue
                doc = docs[0]
                if not isinstance(doc.data, list):
                    raise doc.error(f"a file_sd file holds a list of target groups, not {_a(doc.data)}")
                for i, g in enumerate(doc.data):
                    if not isinstance(g, dict):
                        raise doc.error(f"a target group must be a mapping, not {_a(g)}", (i,))
                    raw_targets, raw_labels = g.get("targets") or [], g.get("labels") or {}
                    if not isinstance(raw_targets, list):
                        raise doc.error(f"must be a list of strings, not {_a(raw_targets)}", (i, "targets"))
                    if not isinstance(raw_labels, dict):
                        raise doc.error(f"must be a mapping of strings, not {_a(raw_labels)}", (i, "labels"))
                    for j, t in enumerate(raw_targets):
                        if isinstance(t, (dict, list)):
                            raise doc.error(f"must be a string, not {_a(t)}", (i, "targets", j))
                    for k, v in raw_labels.items():
                        if isinstance(v, (dict, list)):
                            raise doc.error(f"must be a string, not {_a(v)}", (i, "labels", k))
                    labels = {str(k): _text(doc, (i, "labels", k), v) for k, v in raw_labels.items()}
                    labels["__meta_filepath"] = path
                    targets = [{"__address__": _text(doc, (i, "targets", j), t)} for j, t in enumerate(raw_targets)]
                    out.append(Group(f"{path}:{i}", targets, labels))
    return out


def _a(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean", int: "an integer",
            float: "a number", type(None): "null"}.get(type(value), type(value).__name__)


def _text(doc: Any, path: tuple, value: Any) -> str:
    """A scalar as the string Prometheus reads (its literal text)."""
    if isinstance(value, str):
        return value
    literal = doc.text_of(path)
    return literal if literal is not None else ("" if value is None else str(value))


class _RecentDiscoveries:
    """The last few discovery results of the process, for the callers that evaluate jobs one by one without
    an SDCache (migrate's proof: each job before and after; diff: both sides; why; lint): identical
    ``kubernetes_sd_configs`` blocks over the same, unchanged inventory are discovered once. Bounded by
    entries and by targets held, so memory stays that of a few discoveries."""

    MAX_ENTRIES = 6
    MAX_TARGETS = 400_000

    def __init__(self) -> None:
        self._entries: "OrderedDict[tuple, tuple[Any, list, int]]" = OrderedDict()

    @staticmethod
    def key(inventory: Any, sd_key: str, opts: EvalOptions) -> Optional[tuple]:
        generation = getattr(inventory, "generation", None)
        if generation is None:
            return None
        return (id(inventory), generation, sd_key, opts.own_namespace, str(opts.version))

    def get(self, key: tuple, inventory: Any) -> Optional[list]:
        found = self._entries.get(key)
        if found is None or found[0]() is not inventory:
            return None
        self._entries.move_to_end(key)
        return found[1]

    def put(self, key: tuple, inventory: Any, groups: list) -> None:
        import weakref

        size = sum(len(g.targets) for g in groups)
        if size > self.MAX_TARGETS:
            return
        try:
            ref = weakref.ref(inventory)
        except TypeError:
            return
        self._entries[key] = (ref, groups, size)
        while len(self._entries) > self.MAX_ENTRIES or \
                sum(e[2] for e in self._entries.values()) > self.MAX_TARGETS:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()


RECENT_DISCOVERIES = _RecentDiscoveries()


def kubernetes_groups(job: dict, inventory: Any, opts: EvalOptions) -> list[Group]:
    from migrator.discovery import discover

    out = []
    for i, sd in enumerate(job.get("kubernetes_sd_configs") or []):
        key = SDCache.key(sd)
        cached = opts.sd_cache.take(key) if opts.sd_cache is not None else None
        if cached is not None:
            out.extend(cached)
            continue
        recent = RECENT_DISCOVERIES.key(inventory, key, opts) if opts.sd_cache is None else None
        cached = RECENT_DISCOVERIES.get(recent, inventory) if recent is not None else None
        if cached is not None:
            out.extend(cached)
            continue
        try:
            groups = discover(sd, inventory, own_namespace=opts.own_namespace, version=opts.version)
        except InputError as err:
            err.field = f"kubernetes_sd_configs[{i}]" + (f".{err.field}" if err.field else "")
            raise
        converted = [Group(g.source, g.targets, g.labels) for g in groups]
        if opts.sd_cache is not None:
            opts.sd_cache.put(key, converted)
        elif recent is not None:
            RECENT_DISCOVERIES.put(recent, inventory, converted)
        out.extend(converted)
    return out


def unsupported_discovery(job: dict) -> list[str]:
    return [k for k in OTHER_SD if job.get(k)]


def evaluate_job(job: dict, origin: str, inventory: Any, opts: EvalOptions) -> JobResult:
    """Discover and relabel every target of one job."""
    # Hundreds of thousands of label sets are allocated here and none is part of a reference
    # cycle: pause the cyclic GC, whose full collections would rescan the whole (large) heap.
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        return _evaluate_job(job, origin, inventory, opts)
    finally:
        if paused:
            gc.enable()


def _evaluate_job(job: dict, origin: str, inventory: Any, opts: EvalOptions) -> JobResult:
    from migrator.relabel import parse_rules
    from migrator.relabel.target import populate_targets

    name = str(job.get("job_name", ""))
    result = JobResult(name, origin, config=job)
    others = unsupported_discovery(job)
    if others:
        result.error = f"uses {', '.join(others)}, which migrator cannot evaluate"
        return result
    if job.get("kubernetes_sd_configs") and inventory is None:
        result.error = "uses kubernetes_sd_configs: give an inventory (--inventory FILE) or --cluster"
        return result
    try:
        rules = parse_rules(job.get("relabel_configs"), version=opts.version,
                            scheme=job.get("metric_name_validation_scheme") or None)
        groups = static_groups(job) + file_sd_groups(job, opts.base_dir) + \
            (kubernetes_groups(job, inventory, opts) if job.get("kubernetes_sd_configs") else [])
    except ConfigError as err:
        result.error = f"relabel_configs{err.field or ''}: {err.message}" if err.field is not None \
            else err.message
        return result
    except InputError as err:
        result.error = str(err)
        return result
    job_for_labels = _defaults_view(job, result)
    targets = result.targets
    try:
        if opts.kept_only:
            for g in groups:
                targets += [Target({}, r.labels) for r in
                            populate_targets(g.targets, job_for_labels, version=opts.version, rules=rules,
                                             global_config=opts.global_config, group_labels=g.labels)
                            if r.labels is not None]
            return result
        for g in groups:
            for r in populate_targets(g.targets, job_for_labels, version=opts.version, rules=rules,
                                      global_config=opts.global_config, group_labels=g.labels,
                                      trace=opts.trace):
                targets.append(Target(r.discovered, r.labels, r.dropped_by, r.reason, r.steps))
    except ConfigError as err:
        result.error = err.message
        return result
    from migrator.relabel.random_pick import random_picks

    result.random_picks = random_picks(groups, result.targets, rules)
    return result


def _defaults_view(job: dict, result: JobResult) -> dict:
    """The job as the scrape layer sees it; a placeholder where a duration belongs uses the default."""
    view = job
    for key in ("scrape_interval", "scrape_timeout"):
        value = job.get(key)
        if isinstance(value, str) and PLACEHOLDER_RE.search(value):
            if view is job:
                view = dict(job)
            del view[key]
            result.warnings.append(f"{key} is the placeholder {value}: evaluated with the default")
    return view


# ---------------------------------------------------------------------------
# Findings a reviewer wants


def present_rule_without_regex(job: dict) -> list[str]:
    """keep/drop on a *present label without a regex: the default (.*) matches, so it is a no-op."""
    out = []
    for i, rule in enumerate(job.get("relabel_configs") or []):
        if not isinstance(rule, dict):
            continue
        action = str(rule.get("action", "replace")).lower()
        sources = rule.get("source_labels") or []
        if action in ("keep", "drop") and "regex" not in rule and \
                any("labelpresent_" in s or "annotationpresent_" in s for s in sources):
            out.append(f"relabel_configs[{i}]: {action} on {', '.join(sources)} has no regex; the default "
                       f"(.*) matches any value, so this rule {'keeps' if action == 'keep' else 'drops'} "
                       f"every target (did you mean regex: 'true'?)")
    return out


# where a target is scraped: defined once, in migrator.identity (prove and diff use it too)
from migrator.identity import merged_targets, scrape_key  # noqa: E402


def findings(results: list[JobResult], inventory=None) -> list[str]:
    """Warnings across jobs: empty jobs (with the kinds their discovery reads that the inventory lacks),
    duplicate scrapes, identical targets, no-op rules."""
    from migrator.discovery.needs import missing_kinds

    out = []
    where: dict[tuple, list[str]] = defaultdict(list)
    for r in results:
        if r.error:
            continue
        for w in present_rule_without_regex(r.config):
            out.append(f"job {r.job}: {w}")
        out += [p.message(r.job) for p in r.random_picks]
        kept = r.kept
        if not kept:
            missing = missing_kinds(r.config, inventory)
            out.append(f"job {r.job}: 0 targets kept ({len(r.targets) - len(kept)} dropped)"
                       + (f": the inventory holds no {' and no '.join(missing)}, which this job discovers"
                          if missing else ""))
        with _gc_paused():
            distinct = r.distinct if r.distinct is not None else merged_targets(t.labels for t in kept)[0]
            dupes = len(kept) - distinct
            if dupes:
                out.append(f"job {r.job}: {dupes} target(s) identical to another one of the same job "
                           "(Prometheus scrapes them once)")
            for key in {scrape_key(t.labels) for t in kept}:
                where[key].append(r.job)
    shared: dict[tuple, int] = Counter()
    for key, jobs in where.items():
        if len(jobs) > 1:
            shared[tuple(sorted(jobs))] += 1
    for jobs, n in sorted(shared.items()):
        out.append(f"{n} address(es) scraped by several jobs ({', '.join(jobs)}): duplicate series")
    return out


def result_json(r: JobResult) -> dict:
    """One job in the stable JSON schema of `migrator targets --output json`."""
    kept = r.kept
    distinct, into = merged_targets(t.labels for t in kept)  # Prometheus scrapes each final label set once
    out: dict[str, Any] = {
        "job": r.job,
        "origin": r.origin,
        "distinct_targets": distinct,
        "targets": [{"discovered": t.discovered, "labels": t.labels} if j is None else
                    {"discovered": t.discovered, "labels": t.labels, "merged_into": j} for t, j in zip(kept, into)],
        "dropped": [{"discovered": t.discovered, "rule": t.rule, "reason": t.reason} for t in r.dropped],
    }
    if r.error:
        out["error"] = r.error
    if r.warnings:
        out["warnings"] = list(r.warnings)
    return out


def result_json_chunks(r: JobResult, newline: bytes = b"\n") -> Iterator[bytes]:
    """``dump_json_bytes(result_json(r), newline=False)`` with every ``\n`` replaced by ``newline``
    (the command indents each job inside its report), byte for byte, in pieces of a few hundred
    targets: a job of a large cluster is gigabytes of JSON, never built (or copied) whole."""
    from migrator.writers import dump_json_bytes

    if _orjson is None:
        yield dump_json_bytes(result_json(r), newline=False).replace(b"\n", newline)
        return
    with _gc_paused():
        kept = r.kept
        dropped = [t for t in r.targets if t.labels is None]
        distinct, into = merged_targets(t.labels for t in kept)
        r.distinct = distinct
    head: dict[str, Any] = {"job": r.job, "origin": r.origin, "distinct_targets": distinct,
                            "targets": _TARGETS_MARK, "dropped": _DROPPED_MARK}
    if r.error:
        head["error"] = r.error
    if r.warnings:
        head["warnings"] = list(r.warnings)
    text = dump_json_bytes(head, newline=False).replace(b"\n", newline)
    marks = (dump_json_bytes(_TARGETS_MARK, newline=False), dump_json_bytes(_DROPPED_MARK, newline=False))
    if text.count(marks[0]) != 1 or text.count(marks[1]) != 1 or text.find(marks[0]) > text.find(marks[1]):
        yield dump_json_bytes(result_json(r), newline=False).replace(b"\n", newline)  # a name holding a mark
        return
    before, rest = text.split(marks[0])
    middle, after = rest.split(marks[1])
    inner = newline + b"  "
    yield before
    yield from _list_chunks(kept, lambda t, i: {"discovered": t.discovered, "labels": t.labels} if into[i] is None
                            else {"discovered": t.discovered, "labels": t.labels, "merged_into": into[i]}, inner)
    yield middle
    yield from _list_chunks(dropped, lambda t, i: {"discovered": t.discovered, "rule": t.rule, "reason": t.reason},
                            inner)
    yield after


_TARGETS_MARK, _DROPPED_MARK = "\x00migrator-targets\x00", "\x00migrator-dropped\x00"
_BATCH = 256


def _list_chunks(items: list, build: Any, newline: bytes) -> Iterator[bytes]:
    """A JSON list indented as orjson's OPT_INDENT_2 writes it at the line prefix ``newline``, in batches."""
    from migrator.writers import dump_json_bytes

    if not items:
        yield b"[]"
        return
    yield b"["
    for start in range(0, len(items), _BATCH):
        with _gc_paused():
            batch = [build(t, i) for i, t in enumerate(items[start:start + _BATCH], start)]
        piece = dump_json_bytes(batch, newline=False)  # b"[\n  {...},\n  {...}\n]"
        del batch
        piece = piece[1:-2].replace(b"\n", newline)  # \n  {...},\n  {...}  at this level
        yield piece if start == 0 else b"," + piece
    yield newline + b"]"


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """The cyclic GC off while many acyclic objects (label sets, JSON items) are built."""
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def slim(r: JobResult) -> JobResult:
    """The result without what only the JSON output needs (pre-relabel label sets of every target),
    so that a large run keeps only what findings and summaries use."""
    with _gc_paused():
        kept = [Target({}, t.labels) for t in r.targets if t.labels is not None]
        dropped = [Target({"__address__": t.discovered.get("__address__", "")}, None, t.rule, t.reason)
                   for t in r.targets if t.labels is None]
    out = JobResult(r.job, r.origin, kept + dropped, r.error, r.warnings, r.config)
    out.distinct = r.distinct
    out.random_picks = r.random_picks
    return out


def matches_target(t: Target, needle: str) -> bool:
    """--explain: an address, an instance, or a pod / node / service name."""
    d = t.discovered
    if needle in (d.get("__address__"), d.get("__meta_kubernetes_pod_name"), d.get("__meta_kubernetes_node_name"),
                  d.get("__meta_kubernetes_service_name")):
        return True
    return t.labels is not None and needle in (t.labels.get("instance"), t.labels.get("__address__"))
