"""Which OLD job is which NEW job, and what changed in meaning between them.

Pure: jobs in (name, typed config, origin), pairs and per-pair changes out. Fields are compared on
normalised forms (migrator.diff.normalize) with deepdiff; relabel lists are aligned with an LCS over
normalised rules and reported as rules inserted, removed, moved or changed. Secrets never leave
in clear: values come out as ``<redacted>``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from deepdiff import DeepDiff

from migrator.diff.normalize import canonical, normalize_job, normalize_plain, redact_text
from migrator.errors import InputError

RULE_SECTIONS = ("relabel_configs", "metric_relabel_configs")
#: How a pair was made.
BY_NAME, BY_MAPPING, BY_MAP, BY_OVERLAP = "name", "mapping", "map", "overlap"


@dataclass
class JobInput:
    """One job of one side."""

    name: str
    config: dict
    origin: str = ""
    plain: bool = False         # another dialect: compared as plain YAML
    global_config: dict = field(default_factory=dict)

    def normalized(self) -> dict:
        if self.plain:
            return normalize_plain(self.config)
        return normalize_job(self.config, self.global_config)


@dataclass
class JobPair:
    old: str
    new: list[str]
    how: str


@dataclass
class Pairing:
    pairs: list[JobPair] = field(default_factory=list)
    only_old: list[str] = field(default_factory=list)
    only_new: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class FieldChange:
    path: str
    change: str                 # added | removed | changed
    old: Any = None
    new: Any = None

    def to_json(self) -> dict:
        out: dict[str, Any] = {"path": self.path, "change": self.change}
        if self.change != "added":
            out["old"] = redact_text(self.old)
        if self.change != "removed":
            out["new"] = redact_text(self.new)
        return out


@dataclass
class RuleChange:
    section: str                # relabel_configs | metric_relabel_configs
    change: str                 # inserted | removed | moved | changed
    old_index: Optional[int] = None
    new_index: Optional[int] = None
    old: Optional[dict] = None
    new: Optional[dict] = None
    fields: list[FieldChange] = field(default_factory=list)

    def to_json(self) -> dict:
        out: dict[str, Any] = {"section": self.section, "change": self.change,
                               "old_index": self.old_index, "new_index": self.new_index}
        if self.old is not None:
            out["old"] = redact_text(self.old)
        if self.new is not None:
            out["new"] = redact_text(self.new)
        if self.fields:
            out["fields"] = [f.to_json() for f in self.fields]
        return out


@dataclass
class JobDiff:
    old: str
    new: str
    how: str
    fields: list[FieldChange] = field(default_factory=list)
    rules: list[RuleChange] = field(default_factory=list)
    plain: bool = False
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.fields or self.rules)

    def to_json(self) -> dict:
        return {"old": self.old, "new": self.new, "paired_by": self.how, "changed": self.changed,
                "compared_as_plain_yaml": self.plain,
                "fields": [f.to_json() for f in self.fields], "rules": [r.to_json() for r in self.rules],
                "warnings": list(self.warnings)}


# ---------------------------------------------------------------------------
# Pairing


def identical(x: Any, y: Any) -> bool:
    """Equal and of the same types all the way down, mapping keys in the same order (``1 == True`` and
    ``{a, b} == {b, a}`` for Python, not here)."""
    if x is y:
        return True
    if type(x) is not type(y):
        return False
    if isinstance(x, dict):
        return len(x) == len(y) and all(identical(ka, kb) and identical(va, vb)
                                        for (ka, va), (kb, vb) in zip(x.items(), y.items()))
    if isinstance(x, (list, tuple)):
        return len(x) == len(y) and all(identical(va, vb) for va, vb in zip(x, y))
    return bool(x == y)


def parse_map(text: str) -> tuple[str, str]:
    """``OLD=NEW`` (a job name may hold '/', not '=' before the split point: the first '=' splits)."""
    old, sep, new = text.partition("=")
    if not sep or not old or not new:
        raise InputError(f"expected OLD_JOB=NEW_JOB, got {text!r}", field="--map")
    return old, new


def mapping_from_report(report: Any, where: str = "--mapping") -> dict[str, list[str]]:
    """{old job: [new jobs]} from a migrate report ({"jobs": [{"job_name", "rendered_jobs"}]})."""
    if not isinstance(report, dict) or not isinstance(report.get("jobs"), list):
        raise InputError('not a migrate report: expected {"jobs": [{"job_name": ..., "rendered_jobs": [...]}]}',
                         file=where)
    out: dict[str, list[str]] = {}
    for i, entry in enumerate(report["jobs"]):
        if not isinstance(entry, dict) or not isinstance(entry.get("job_name"), str):
            raise InputError("each entry needs a job_name", file=where, field=f"jobs[{i}]")
        rendered = entry.get("rendered_jobs") or []
        if not isinstance(rendered, list) or not all(isinstance(r, str) for r in rendered):
            raise InputError("rendered_jobs must be a list of job names", file=where, field=f"jobs[{i}].rendered_jobs")
        if rendered:
            out.setdefault(entry["job_name"], []).extend(rendered)
    return out


def pair_jobs(old: Iterable[str], new: Iterable[str], *, mapping: dict[str, list[str]] | None = None,
              maps: list[tuple[str, str]] = ()) -> Pairing:
    """Explicit --map first, then the migrate report's mapping, then equal names."""
    old_names, new_names = list(dict.fromkeys(old)), list(dict.fromkeys(new))
    old_set, new_set = set(old_names), set(new_names)
    result = Pairing()
    chosen: dict[str, tuple[list[str], str]] = {}
    for o, n in maps:
        if o not in old_set:
            raise InputError(f"--map {o}={n}: OLD has no job {o!r} (its jobs: {', '.join(old_names) or 'none'})",
                             field="--map")
        if n not in new_set:
            raise InputError(f"--map {o}={n}: NEW has no job {n!r} (its jobs: {', '.join(new_names) or 'none'})",
                             field="--map")
        news, _ = chosen.setdefault(o, ([], BY_MAP))
        news.append(n)
    for o, ns in (mapping or {}).items():
        if o in chosen:
            continue
        if o not in old_set:
            result.notes.append(f"the mapping names job {o!r}, which OLD does not have")
            continue
        present = [n for n in ns if n in new_set]
        missing = [n for n in ns if n not in new_set]
        if missing:
            result.notes.append(f"the mapping pairs {o!r} with {', '.join(missing)}, which NEW does not have")
        if present:
            chosen[o] = (present, BY_MAPPING)
    used_new = {n for ns, _ in chosen.values() for n in ns}
    for o in old_names:
        if o not in chosen and o in new_set and o not in used_new:
            chosen[o] = ([o], BY_NAME)
            used_new.add(o)
    for o in old_names:
        if o in chosen:
            news, how = chosen[o]
            result.pairs.append(JobPair(o, list(dict.fromkeys(news)), how))
        else:
            result.only_old.append(o)
    result.only_new = [n for n in new_names if n not in used_new]
    return result


def pair_by_overlap(pairing: Pairing, old_addresses: dict[str, set], new_addresses: dict[str, set]) -> list[JobPair]:
    """Pair leftover jobs whose kept target addresses overlap most (greedy, one to one).

    Moves the pairs from only_old/only_new into pairs (paired_by "overlap") and returns them.
    """
    candidates = []
    for o in pairing.only_old:
        for n in pairing.only_new:
            a, b = old_addresses.get(o) or set(), new_addresses.get(n) or set()
            common = len(a & b)
            if common:
                candidates.append((-common, -common / len(a | b), o, n))
    made = []
    taken_old, taken_new = set(), set()
    for _, _, o, n in sorted(candidates):
        if o in taken_old or n in taken_new:
            continue
        taken_old.add(o)
        taken_new.add(n)
        made.append(JobPair(o, [n], BY_OVERLAP))
    pairing.pairs.extend(made)
    pairing.only_old = [o for o in pairing.only_old if o not in taken_old]
    pairing.only_new = [n for n in pairing.only_new if n not in taken_new]
    return made


# ---------------------------------------------------------------------------
# Field and rule changes


def _dotted(path: list) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else ("." if out else "") + str(p)
    return out or "(job)"


def _is_scalar_list(value: Any) -> bool:
    return isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value)


def _get(data: Any, path: list) -> Any:
    for p in path:
        data = data[p]
    return data


def field_changes(old: Any, new: Any) -> list[FieldChange]:
    """deepdiff of two normalised values, as changes at readable paths.

    A change inside a list of scalars is reported as the whole list changing (namespace names,
    source labels, targets read better that way)."""
    if old == new:
        return []
    tree = DeepDiff(old, new, verbose_level=2, view="tree")
    seen: dict[str, FieldChange] = {}
    for kind, levels in tree.items():
        for level in levels:
            path = level.path(output_format="list")
            # climb to the enclosing list of scalars, if any
            for cut in range(len(path)):
                head = path[:cut]
                try:
                    a, b = _get(old, head), _get(new, head)
                except (KeyError, IndexError, TypeError):
                    continue
                if (_is_scalar_list(a) or a is None) and (_is_scalar_list(b) or b is None) and \
                        (isinstance(a, list) or isinstance(b, list)) and cut > 0:
                    path = head
                    break
            key = _dotted(path)
            if key in seen:
                continue
            try:
                a = _get(old, path)
                has_a = True
            except (KeyError, IndexError, TypeError):
                a, has_a = None, False
            try:
                b = _get(new, path)
                has_b = True
            except (KeyError, IndexError, TypeError):
                b, has_b = None, False
            change = "changed" if has_a and has_b else ("added" if has_b else "removed")
            seen[key] = FieldChange(key, change, a if has_a else None, b if has_b else None)
    return sorted(seen.values(), key=lambda c: c.path)


def _lcs(a: list[str], b: list[str]) -> list[tuple[int, int]]:
    n, m = len(a), len(b)
    table = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            table[i][j] = table[i + 1][j + 1] + 1 if a[i] == b[j] else max(table[i + 1][j], table[i][j + 1])
    out, i, j = [], 0, 0
    while i < n and j < m:
        if a[i] == b[j]:
            out.append((i, j))
            i, j = i + 1, j + 1
        elif table[i + 1][j] >= table[i][j + 1]:
            i += 1
        else:
            j += 1
    return out


def _likeness(a: Any, b: Any) -> tuple | None:
    """How alike two rules are (smaller: more alike); None when they are not one rule changed."""
    if not (isinstance(a, dict) and isinstance(b, dict)) or a.get("action") != b.get("action"):
        return None
    same_sources = a.get("source_labels") == b.get("source_labels")
    same_target = "target_label" in a and a.get("target_label") == b.get("target_label")
    if not (same_sources or same_target):
        return None
    differing = sum(1 for k in set(a) | set(b) if a.get(k) != b.get(k))
    return (not same_sources, not same_target, differing)


def rule_changes(old: list, new: list, section: str = "relabel_configs") -> list[RuleChange]:
    """Normalised rule lists aligned: inserted, removed, moved (same rule elsewhere), changed (in place)."""
    ka, kb = [canonical(r) for r in old], [canonical(r) for r in new]
    anchors = _lcs(ka, kb)
    matched_a = {i for i, _ in anchors}
    matched_b = {j for _, j in anchors}
    removed = [i for i in range(len(old)) if i not in matched_a]
    inserted = [j for j in range(len(new)) if j not in matched_b]
    out: list[RuleChange] = []
    # moved: an unmatched old rule equal to an unmatched new one
    for i in list(removed):
        for j in inserted:
            if ka[i] == kb[j]:
                out.append(RuleChange(section, "moved", i, j, old[i], new[j]))
                removed.remove(i)
                inserted.remove(j)
                break
    # changed: within one gap between anchors, pair leftovers of the same action, closest first
    bounds = [(-1, -1)] + anchors + [(len(old), len(new))]
    for (a0, b0), (a1, b1) in zip(bounds, bounds[1:]):
        scored = []
        for i in (i for i in removed if a0 < i < a1):
            for j in (j for j in inserted if b0 < j < b1):
                score = _likeness(old[i], new[j])
                if score is not None:
                    scored.append((score, i, j))
        for _, i, j in sorted(scored):
            if i in removed and j in inserted:
                out.append(RuleChange(section, "changed", i, j, old[i], new[j], field_changes(old[i], new[j])))
                removed.remove(i)
                inserted.remove(j)
    out += [RuleChange(section, "removed", i, None, old[i]) for i in removed]
    out += [RuleChange(section, "inserted", None, j, None, new[j]) for j in inserted]
    order = {"removed": 0, "changed": 1, "moved": 2, "inserted": 3}

    def position(c: RuleChange) -> tuple:
        return (c.new_index if c.new_index is not None else c.old_index, order[c.change])

    return sorted(out, key=position)


def diff_jobs(old: JobInput, new: JobInput, how: str) -> JobDiff:
    a, b = old.normalized(), new.normalized()
    plain = old.plain or new.plain
    result = JobDiff(old.name, new.name, how, plain=plain)
    if plain:
        result.warnings.append("compared as plain YAML: " + ("OLD" if old.plain else "NEW") +
                               " uses another dialect (see the warnings above)")
        if old.plain != new.plain:  # compare like with like
            a, b = normalize_plain(old.config), normalize_plain(new.config)
    rules_a = {s: a.pop(s, []) for s in RULE_SECTIONS}
    rules_b = {s: b.pop(s, []) for s in RULE_SECTIONS}
    result.fields = field_changes(a, b)
    for s in RULE_SECTIONS:
        if plain:
            result.fields += field_changes({s: rules_a[s]} if rules_a[s] else {}, {s: rules_b[s]} if rules_b[s] else {})
        else:
            result.rules += rule_changes(rules_a[s] or [], rules_b[s] or [], s)
    return result


def diff_configs(old: list[JobInput], new: list[JobInput], pairing: Pairing) -> list[JobDiff]:
    """One JobDiff per (old, new) job of each pair (a pair with several new jobs gives several)."""
    olds = {j.name: j for j in old}
    news = {j.name: j for j in new}
    out = []
    for p in pairing.pairs:
        for n in p.new:
            out.append(diff_jobs(olds[p.old], news[n], p.how))
    return out
