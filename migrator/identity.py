"""What makes two scrapes the same target, and the URL Prometheus calls: one definition for every command.

Prometheus (scrape/target.go) scrapes ``Target.URL()``: scheme ``__scheme__``, host ``__address__``,
path ``__metrics_path__`` and the job's ``params``, where each ``__param_<k>`` label replaces the first
value of ``k`` (or adds ``k``); Go's ``url.URL{...}.String()`` writes it, the query through
``url.Values.Encode`` (keys sorted, ``QueryEscape``d). A target's identity is where it is scraped (that
scrape key) plus the labels its series get: the final labels without a ``__`` prefix, and
``__scrape_interval__`` / ``__scrape_timeout__``, which change how it is scraped. Other ``__`` labels
(``__meta_*``, ``__tmp_*``) die with relabeling.

Pure: label dicts (and a job's ``params``) in, keys, URLs and matchings out. ``migrate``'s proof, ``diff``
and ``targets`` call it; nothing else decides what "the same target" is, nor which of a job's kept targets
Prometheus merges into one scrape (``merged_targets``, ``scraped``): proofs and diffs compare those scrapes.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import compress
from typing import Any, Callable, Generic, Iterable, NamedTuple, Optional, TypeVar

PARAM_PREFIX = "__param_"
SCHEME, ADDRESS, METRICS_PATH = "__scheme__", "__address__", "__metrics_path__"
#: ``__`` labels that change how a target is scraped and so take part in the comparison.
SCRAPE_SETTINGS = ("__scrape_interval__", "__scrape_timeout__")

Query = tuple[tuple[str, tuple[str, ...]], ...]


class ScrapeKey(NamedTuple):
    """Where Prometheus scrapes a target: the parts of its URL (query: key -> values, keys sorted)."""

    scheme: str
    address: str
    path: str
    query: Query = ()

    @property
    def url(self) -> str:
        return go_url(self.scheme, self.address, self.path, encode_query(self.query))

    def shown(self, redact: Callable[[str], str]) -> str:
        """The URL for output, ``redact`` applied to the address and each query value before encoding."""
        query = tuple((k, tuple(redact(v) for v in vs)) for k, vs in self.query)
        return go_url(self.scheme, redact(self.address), self.path, encode_query(query))


def _text(value: Any) -> str:
    return "" if value is None else value if isinstance(value, str) else str(value)


def query_values(labels: dict[str, str], params: Any = None) -> Query:
    """The query Prometheus sends: the job's ``params`` (every value), then each ``__param_<k>`` label
    replacing the first value of k or adding k. A ``params`` that is not a mapping of lists counts as none."""
    values: dict[str, list[str]] = {}
    if isinstance(params, dict):
        for k, vs in params.items():
            if isinstance(vs, list):
                values[_text(k)] = [_text(v) for v in vs]
    for name, value in labels.items():
        if name.startswith(PARAM_PREFIX):
            k = name[len(PARAM_PREFIX):]
            if values.get(k):
                values[k][0] = value
            else:
                values[k] = [value]
    return tuple((k, tuple(values[k])) for k in sorted(values))


def scrape_key(labels: dict[str, str], params: Any = None) -> ScrapeKey:
    """Where a kept target (its final labels) is scraped. Prometheus always sets ``__scheme__`` and
    ``__metrics_path__`` before relabeling; when a caller's labels lack them, the job defaults stand in."""
    return ScrapeKey(labels.get(SCHEME, "http"), labels.get(ADDRESS, ""), labels.get(METRICS_PATH, "/metrics"),
                     query_values(labels, params))


def scrape_url(labels: dict[str, str], params: Any = None) -> str:
    """The URL Prometheus scrapes for a kept target, byte for byte."""
    return scrape_key(labels, params).url


def compared_labels(labels: dict[str, str]) -> dict[str, str]:
    """The labels compared for drift: every label a series gets, plus the scrape interval and timeout."""
    return {k: v for k, v in labels.items() if not k.startswith("__") or k in SCRAPE_SETTINGS}


def identity_labels(labels: dict[str, str]) -> dict[str, str]:
    """The labels that tell targets apart, for showing one: compared labels plus those of the scrape key."""
    return {k: v for k, v in labels.items() if _is_identity_name(k)}


T = TypeVar("T")


class TargetId(NamedTuple):
    """A target's identity: two targets are the same one when these are equal."""

    key: ScrapeKey
    labels: tuple[tuple[str, str], ...]     # compared labels, sorted


def target_id(labels: dict[str, str], params: Any = None) -> TargetId:
    return TargetId(scrape_key(labels, params), tuple(sorted(compared_labels(labels).items())))


def scrape_pool_key(labels: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """What a job's scrape pool keeps ONE target per (Prometheus scrape/scrape.go ``sync``, keyed by
    ``Target.hash``: the final label set and the scrape URL): the full final labels, ``__`` ones included
    (``__meta_*`` are gone by then); the URL follows from them and the job's params. Sorted, for showing
    and ordering; ``pool_key`` is the same key unordered, for grouping."""
    return tuple(sorted(labels.items()))


def pool_key(labels: dict[str, str]) -> frozenset:
    """``scrape_pool_key`` as a set, cheaper to build (no sort) and hash: two label sets have equal
    pool keys exactly when their scrape pool keys are equal (a label set's names are unique, so it is
    the set of its items). What ``merged_targets`` and ``first_scrapes`` group by."""
    return frozenset(labels.items())


def merged_targets(label_sets: Iterable[dict[str, str]]) -> tuple[int, list[Optional[int]]]:
    """(how many distinct scrapes a job's kept targets make, as Prometheus counts them; for each target,
    the index of the earlier one it merges into, or None when it is the first of its kind)."""
    first: dict[frozenset, int] = {}
    into: list[Optional[int]] = []
    for i, labels in enumerate(label_sets):
        key = pool_key(labels)
        into.append(first.get(key))
        first.setdefault(key, i)
    return len(first), into


def first_scrapes(items: Iterable[T], labels: Callable[[T], dict[str, str]]) -> dict[frozenset, T]:
    """``scraped`` keyed: pool key -> the first item of each scrape of one job, in order (what
    ``merged_targets`` counts)."""
    first: dict[frozenset, T] = {}
    for x in items:
        first.setdefault(pool_key(labels(x)), x)
    return first


def job_query(params: Any = None) -> Query:
    """The query a job's ``params`` alone send (``query_values`` of a label set without ``__param_``
    labels). Jobs with equal job queries send equal queries for every label set."""
    return query_values({}, params)


def _is_identity_name(name: str) -> bool:
    """A label ``identity_labels`` keeps: one a series gets, a scrape setting, or part of the scrape key."""
    return not name.startswith("__") or name in SCRAPE_SETTINGS or name in (SCHEME, ADDRESS, METRICS_PATH) \
        or name.startswith(PARAM_PREFIX)


_identity_names: dict[str, bool] = {}


def identity_key(labels: dict[str, str]) -> frozenset:
    """The items of ``identity_labels(labels)`` as a set, built without sorting (names classified once
    each). Equal identity keys and equal ``job_query`` give equal ``target_id``: see ``same_scrapes``."""
    known = _identity_names
    if not labels.keys() <= known.keys():
        if len(known) > 100_000:
            known.clear()
        for name in labels:
            if name not in known:
                known[name] = _is_identity_name(name)
    keep = list(map(known.__getitem__, labels))
    if all(keep):
        return frozenset(labels.items())
    return frozenset(compress(labels.items(), keep))


def keyed_scrapes(label_sets: Iterable[dict[str, str]]) -> tuple[list[frozenset], list[dict[str, str]]]:
    """What one job scrapes of its kept targets' final LABEL_SETS, as ``scraped`` gives it, and the
    ``identity_key`` of each, in the same order. Targets with one pool key have one identity key, so only
    targets sharing an identity key are looked at for merging (usually none)."""
    label_sets = list(label_sets)
    keys = list(map(identity_key, label_sets))
    counts = Counter(keys)
    if len(counts) == len(keys):
        return keys, label_sets
    # a target merges into an earlier one with the same final labels (so the same identity key): compared as
    # dicts with the few earlier distinct ones of its identity, by pool key when there are many
    earlier: dict[frozenset, list[dict[str, str]]] = {}
    pools: dict[frozenset, set[frozenset]] = {}
    out_keys, out = [], []
    for k, labels in zip(keys, label_sets):
        if counts[k] > 1:
            pool = pools.get(k)
            if pool is not None:
                pk = pool_key(labels)
                if pk in pool:
                    continue
                pool.add(pk)
            else:
                same_id = earlier.setdefault(k, [])
                if labels in same_id:
                    continue
                same_id.append(labels)
                if len(same_id) > 8:
                    pools[k] = set(map(pool_key, same_id))
        out_keys.append(k)
        out.append(labels)
    return out_keys, out


def same_scrapes(old: Iterable[tuple[Query, Iterable[frozenset]]],
                 new: Iterable[tuple[Query, Iterable[frozenset]]]) -> bool:
    """Whether two multisets of scrapes are equal, each side given as groups ``(job_query(params), identity
    keys of scrapes of a job with those params)``. True means ``match_targets`` over them finds every target on
    both sides with the same identity (nothing only on one side, nothing changed): equal keys and queries give
    equal identities (the scrape key and the compared labels are read from the identity labels and the job's
    query alone), paired one to one. False says nothing (a target's identity does not depend on every identity
    label: ``__scheme__`` absent or ``http``): then ask ``match_targets``."""
    def counts(groups: Iterable[tuple[Query, Iterable[frozenset]]]) -> dict[Query, Counter]:
        out: dict[Query, Counter] = {}
        for query, keys in groups:
            c = out.get(query)
            if c is None:
                c = out[query] = Counter()
            c.update(keys)
        return out

    a, b = counts(old), counts(new)
    # plain dict equality (C): Counters built by counting hold no zero counts
    return a.keys() == b.keys() and all(dict.__eq__(a[q], b[q]) for q in a)


def scraped(items: Iterable[T], labels: Callable[[T], dict[str, str]]) -> list[T]:
    """What one scrape pool (one job) scrapes of its kept targets ITEMS (``labels`` gives an item's final
    labels): the first of each set ``merged_targets`` merges, in order. ``diff`` and ``migrate``'s proof compare
    these, as Prometheus scrapes them, not every discovered target."""
    return list(first_scrapes(items, labels).values())


@dataclass
class Matching(Generic[T]):
    """Two multisets of targets matched: ``pairs`` are the targets scraped on both sides (same scrape key),
    identical ones paired first; the rest are only on one side."""

    only_old: list[T] = field(default_factory=list)
    only_new: list[T] = field(default_factory=list)
    pairs: list[tuple[T, T]] = field(default_factory=list)
    ids: dict[int, TargetId] = field(default_factory=dict, repr=False)

    def changed(self) -> list[tuple[T, T]]:
        """The pairs whose compared labels differ."""
        return [(a, b) for a, b in self.pairs if self.ids[id(a)].labels != self.ids[id(b)].labels]


def match_targets(old: Iterable[T], new: Iterable[T],
                  identify: Optional[Callable[[T], TargetId]] = None) -> Matching[T]:
    """Match OLD's targets with NEW's by identity (``identify`` maps an item to its TargetId; by default an
    item is a final label set, scraped without job params). Identical targets pair first; of the rest, the
    ones with one scrape key pair in label order; what is left is only on one side. Deterministic."""
    ident = identify or target_id
    old, new = list(old), list(new)
    m: Matching[T] = Matching()
    for item in old + new:
        m.ids[id(item)] = ident(item)
    by_id_new: dict[TargetId, list[T]] = defaultdict(list)
    for b in new:
        by_id_new[m.ids[id(b)]].append(b)
    rest_old: dict[ScrapeKey, list[T]] = defaultdict(list)
    for a in old:
        same = by_id_new.get(m.ids[id(a)])
        if same:
            m.pairs.append((a, same.pop(0)))
        else:
            rest_old[m.ids[id(a)].key].append(a)
    rest_new: dict[ScrapeKey, list[T]] = defaultdict(list)
    for tid, items in by_id_new.items():
        rest_new[tid.key].extend(items)
    order = lambda item: m.ids[id(item)]  # noqa: E731
    for key in sorted(set(rest_old) | set(rest_new)):
        a_items, b_items = sorted(rest_old.get(key, []), key=order), sorted(rest_new.get(key, []), key=order)
        m.pairs += list(zip(a_items, b_items))
        m.only_old += a_items[len(b_items):]
        m.only_new += b_items[len(a_items):]
    return m


# ---------------------------------------------------------------------------
# Go's net/url, as far as Target.URL().String() uses it

_ALNUM = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_UNRESERVED = _ALNUM | frozenset(b"-_.~")
_HOST_OK = _UNRESERVED | frozenset(b"!$&'()*+,;=:[]<>\"")
_PATH_OK = _UNRESERVED | frozenset(b"$&+,/:;=@")
_QUERY_OK = _UNRESERVED


def _utf8(s: str) -> bytes:
    try:
        return s.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (JSON allows one): Go's decoder made it U+FFFD
        return s.encode("utf-16", "surrogatepass").decode("utf-16", "replace").encode("utf-8")


def _escape(s: str, ok: frozenset, space_plus: bool = False) -> str:
    out = []
    for c in _utf8(s):
        if c in ok:
            out.append(chr(c))
        elif space_plus and c == 0x20:
            out.append("+")
        else:
            out.append(f"%{c:02X}")
    return "".join(out)


def query_escape(s: str) -> str:
    """Go's url.QueryEscape."""
    return _escape(s, _QUERY_OK, space_plus=True)


def encode_query(query: Query) -> str:
    """Go's url.Values.Encode over already sorted keys."""
    return "&".join(f"{query_escape(k)}={query_escape(v)}" for k, vs in query for v in vs)


def go_url(scheme: str, host: str, path: str, raw_query: str = "") -> str:
    """Go's url.URL{Scheme, Host, Path, RawQuery}.String()."""
    out = []
    if scheme:
        out.append(scheme + ":")
    if scheme or host:
        if host or path:
            out.append("//")
        if host:
            out.append(_escape(host, _HOST_OK))
    escaped = "*" if path == "*" else _escape(path, _PATH_OK)
    if escaped and escaped[0] != "/" and host:
        out.append("/")
    if not out and ":" in escaped.split("/", 1)[0]:
        out.append("./")
    out.append(escaped)
    if raw_query:
        out.append("?" + raw_query)
    return "".join(out)
