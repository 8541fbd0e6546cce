"""Applying relabel rules to a label set (semantics.md 1.1, 1.4-1.6).

Label sets are plain ``dict[str, str]``. An empty value is the same as an absent
label: reading a missing label gives "", writing "" deletes. Rules run in order;
keep/drop/keepequal/dropequal can drop the set (the result is then None).

Runtime version differences follow the rule's version (set by parse_rule):
2.42-2.49 delete the *unexpanded* ``target_label`` when the expanded target is
invalid or the replacement is empty; from 2.50 an invalid target is a no-op and
an empty replacement deletes the expanded target. ``labelmap`` where several
names map to one target (last write wins): 2.42 walks the sorted label set; from
2.43 (model/labels Builder.Range over one Builder for the whole chain) the
Builder's order, which the dict's insertion order mirrors: the discovered labels
(in Go map order in Prometheus, so not deterministic there: here the order the
label set was built in), then the job's defaults, then each name a rule adds, in
order (a name set again keeps its place; one deleted and set again goes last).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Callable, Iterable, Optional

from migrator.relabel.rules import Rule, is_legacy_name, is_utf8_name
from migrator.version import Version

_V2_47 = Version(2, 47, 0)
_V2_43 = Version(2, 43, 0)


def _builder_order(rule: Rule) -> bool:
    """labelmap walks the label set in insertion order (2.43+), not sorted (2.42)."""
    return rule.version is None or not rule.version < _V2_43


# ---------------------------------------------------------------------------------------------
# Go strings.ToLower / strings.ToUpper: per-code-point simple case mapping.

# Case pairs added in Unicode 14.0 (Python 3.11 knows them; Go before 1.21, i.e. Prometheus
# builds before ~2.47, uses Unicode 13 tables and leaves them alone).
_UNICODE14_CASED = frozenset(
    [0x2C2F, 0x2C5F, 0xA7C0, 0xA7C1, 0xA7D0, 0xA7D1, 0xA7D6, 0xA7D7, 0xA7D8, 0xA7D9]
    + list(range(0x10570, 0x1057B)) + list(range(0x1057C, 0x1058B)) + list(range(0x1058C, 0x10593))
    + [0x10594, 0x10595] + list(range(0x10597, 0x105A2)) + list(range(0x105A3, 0x105B2))
    + list(range(0x105B3, 0x105BA)) + [0x105BB, 0x105BC])

_lower_cache: dict[str, str] = {}
_upper_cache: dict[str, str] = {}


def _simple_lower(c: str) -> str:
    r = _lower_cache.get(c)
    if r is None:
        full = c.lower()
        if len(full) == 1:
            r = full
        elif c == "\u0130":  # İ: full mapping is "i̇", the simple one is "i"
            r = "i"
        else:  # pragma: no cover - no other code point has a multi-char lowercase
            r = c
        _lower_cache[c] = r
    return r


def _simple_upper(c: str) -> str:
    r = _upper_cache.get(c)
    if r is None:
        full = c.upper()
        if len(full) == 1:
            r = full
        else:
            # SpecialCasing entries (ß, ŉ, ǰ, ﬀ, Greek with ypogegrammeni...): the simple
            # uppercase is the single-code-point titlecase when there is one, else the char itself.
            t = c.title()
            r = t if len(t) == 1 else c
        _upper_cache[c] = r
    return r


def go_lower(s: str, version: Version | None = None) -> str:
    """Go's strings.ToLower (simple per-code-point mapping, no context rules)."""
    if s.isascii():
        return s.lower()
    old = version is not None and version < _V2_47
    return "".join(c if old and ord(c) in _UNICODE14_CASED else _simple_lower(c) for c in s)


def go_upper(s: str, version: Version | None = None) -> str:
    """Go's strings.ToUpper (simple per-code-point mapping, no special casing)."""
    if s.isascii():
        return s.upper()
    old = version is not None and version < _V2_47
    return "".join(c if old and ord(c) in _UNICODE14_CASED else _simple_upper(c) for c in s)


def hashmod(value: str, modulus: int) -> int:
    """Prometheus hashmod: last 8 bytes of MD5(value) as big-endian uint64, mod modulus."""
    digest = hashlib.md5(value.encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[8:], "big") % modulus


# ---------------------------------------------------------------------------------------------


@dataclass
class Step:
    """What one rule did, for explanations."""

    index: int
    rule: Rule
    value: Optional[str]          # the joined source value (None for label* actions)
    matched: Optional[bool]       # regex match / equality outcome, when meaningful
    changes: dict                 # name -> (old or None, new or None)
    dropped: bool = False

    def describe(self) -> str:
        what = f"#{self.index} {self.rule.describe()}"
        if self.dropped:
            return what + " -> dropped"
        if not self.changes:
            return what + " -> no change"
        parts = []
        for k, (a, b) in sorted(self.changes.items()):
            if b is None:
                parts.append(f"-{k}")
            elif a is None:
                parts.append(f"+{k}={b!r}")
            else:
                parts.append(f"{k}: {a!r} -> {b!r}")
        return what + " -> " + ", ".join(parts)


def _source_value(lset: dict, rule: Rule) -> str:
    src = rule.source_labels
    if len(src) == 1:
        return lset.get(src[0], "")
    if not src:
        return ""
    return rule.separator.join([lset.get(n, "") for n in src])


def _set(lset: dict, name: str, value: str) -> None:
    if value == "":
        lset.pop(name, None)
    else:
        lset[name] = value


def _apply(lset: dict, rule: Rule) -> tuple[bool, Optional[bool]]:
    """Apply one rule to lset in place. Returns (keep, matched)."""
    action = rule.action
    if action == "replace":
        val = _source_value(lset, rule)
        regex = rule.regex
        spans = regex.search(val)
        if spans is None:
            return True, False
        names = regex.names
        tt = rule.target_template
        target = tt.literal if not tt.has_refs else tt.expand(val, spans, names)
        old = rule.legacy_replace
        if old or rule.scheme == "legacy":
            valid = is_legacy_name(target)
        else:
            valid = is_utf8_name(target)
        if not valid:
            if old:
                lset.pop(rule.target_label, None)
            return True, True
        rt = rule.replacement_template
        res = rt.literal if not rt.has_refs else rt.expand(val, spans, names)
        if res == "":
            lset.pop(rule.target_label if old else target, None)
        else:
            lset[target] = res
        return True, True
    if action == "keep":
        ok = rule.regex.matches(_source_value(lset, rule))
        return ok, ok
    if action == "drop":
        m = rule.regex.matches(_source_value(lset, rule))
        return not m, m
    if action == "keepequal":
        eq = lset.get(rule.target_label, "") == _source_value(lset, rule)
        return eq, eq
    if action == "dropequal":
        eq = lset.get(rule.target_label, "") == _source_value(lset, rule)
        return not eq, eq
    if action == "hashmod":
        _set(lset, rule.target_label, str(hashmod(_source_value(lset, rule), rule.modulus)))
        return True, None
    if action == "lowercase":
        _set(lset, rule.target_label, go_lower(_source_value(lset, rule), rule.version))
        return True, None
    if action == "uppercase":
        _set(lset, rule.target_label, go_upper(_source_value(lset, rule), rule.version))
        return True, None
    if action == "labelmap":
        regex = rule.regex
        tmpl = rule.replacement_template
        writes = []
        for name in (list(lset) if _builder_order(rule) else sorted(lset)):
            if regex.matches(name):
                writes.append((regex.replace_all(name, tmpl), lset[name]))
        for name, value in writes:
            _set(lset, name, value)
        return True, None
    if action == "labeldrop":
        regex = rule.regex
        for name in [n for n in lset if regex.matches(n)]:
            del lset[name]
        return True, None
    if action == "labelkeep":
        regex = rule.regex
        for name in [n for n in lset if not regex.matches(n)]:
            del lset[name]
        return True, None
    raise ValueError(f"relabel: unknown relabel action type {action!r}")  # pragma: no cover


# ---------------------------------------------------------------------------------------------
# Compiled rules: one closure per rule doing exactly what _apply does, with per-rule caches.
# A rule's outcome depends only on its joined source value (replace, hashmod, lowercase,
# uppercase; keep/drop through the regex's own cache) or, for labelmap/labeldrop/labelkeep, on
# each label name alone; so results are cached per value / per name (bounded).

#: Most entries per rule cache before it is emptied.
RULE_CACHE_LIMIT = 8192
#: Most label names remembered per labelmap/labeldrop/labelkeep rule before they are forgotten.
NAME_CACHE_LIMIT = 65536

_Fn = Callable[[dict], bool]
_compiled: dict[int, tuple[Rule, _Fn]] = {}


def _getter(rule: Rule) -> Callable[[dict], str]:
    src = rule.source_labels
    if len(src) == 1:
        name = src[0]
        return lambda lset: lset.get(name, "")
    if not src:
        return lambda lset: ""
    sep = rule.separator
    return lambda lset: sep.join([lset.get(n, "") for n in src])


def _replace_outcome(rule: Rule, val: str) -> Optional[tuple[str, Optional[str]]]:
    """What _apply's replace does for source value val: None (nothing), (name, None) (delete
    name) or (name, value) (set)."""
    regex = rule.regex
    spans = regex.search(val)
    if spans is None:
        return None
    names = regex.names
    tt = rule.target_template
    target = tt.literal if not tt.has_refs else tt.expand(val, spans, names)
    old = rule.legacy_replace
    if old or rule.scheme == "legacy":
        valid = is_legacy_name(target)
    else:
        valid = is_utf8_name(target)
    if not valid:
        return (rule.target_label, None) if old else None
    rt = rule.replacement_template
    res = rt.literal if not rt.has_refs else rt.expand(val, spans, names)
    if res == "":
        return (rule.target_label if old else target, None)
    return (target, res)


def _compile(rule: Rule) -> _Fn:
    action = rule.action
    get = _getter(rule)
    if action == "keep":
        matches = rule.regex.matches
        return lambda lset: matches(get(lset))
    if action == "drop":
        matches = rule.regex.matches
        return lambda lset: not matches(get(lset))
    if action == "keepequal":
        tl = rule.target_label
        return lambda lset: lset.get(tl, "") == get(lset)
    if action == "dropequal":
        tl = rule.target_label
        return lambda lset: lset.get(tl, "") != get(lset)
    if action in ("replace", "hashmod", "lowercase", "uppercase"):
        cache: dict[str, Optional[tuple[str, Optional[str]]]] = {}
        if action == "replace":
            def outcome(val: str) -> Optional[tuple[str, Optional[str]]]:
                return _replace_outcome(rule, val)
        else:
            tl = rule.target_label
            if action == "hashmod":
                def value(val: str) -> str:
                    return str(hashmod(val, rule.modulus))
            elif action == "lowercase":
                def value(val: str) -> str:
                    return go_lower(val, rule.version)
            else:
                def value(val: str) -> str:
                    return go_upper(val, rule.version)

            def outcome(val: str) -> Optional[tuple[str, Optional[str]]]:
                res = value(val)
                return (tl, None if res == "" else res)

        def run(lset: dict) -> bool:
            val = get(lset)
            try:
                op = cache[val]
            except KeyError:
                op = outcome(val)
                if len(cache) >= RULE_CACHE_LIMIT:
                    cache.clear()
                cache[val] = op
            if op is not None:
                name, res = op
                if res is None:
                    lset.pop(name, None)
                else:
                    lset[name] = res
            return True
        return run
    if action in ("labelmap", "labeldrop", "labelkeep"):
        regex = rule.regex
        tmpl = rule.replacement_template
        seen: set[str] = set()
        hits: dict[str, str] = {}       # matching name -> its labelmap target name

        def classify(lset: dict) -> None:
            # (keys <= set walks the keys; keys - set would walk the whole set)
            if not lset.keys() <= seen:
                unknown = [name for name in lset if name not in seen]
                if len(seen) + len(unknown) > NAME_CACHE_LIMIT:
                    seen.clear()
                    hits.clear()
                    unknown = list(lset)
                for name in unknown:
                    seen.add(name)
                    if regex.matches(name):
                        hits[name] = regex.replace_all(name, tmpl) if action == "labelmap" else name

        if action == "labelmap":
            builder_order = _builder_order(rule)

            def run(lset: dict) -> bool:
                classify(lset)
                matched = lset.keys() & hits.keys()
                if matched:
                    # Last write wins, in _apply's order (insertion order from 2.43, else sorted).
                    if len(matched) == 1:
                        name = next(iter(matched))
                        writes = [(hits[name], lset[name])]
                    elif builder_order:
                        writes = [(hits[name], lset[name]) for name in lset if name in matched]
                    else:
                        writes = [(hits[name], lset[name]) for name in sorted(matched)]
                    for name, value in writes:
                        if value == "":
                            lset.pop(name, None)
                        else:
                            lset[name] = value
                return True
        elif action == "labeldrop":
            def run(lset: dict) -> bool:
                classify(lset)
                for name in lset.keys() & hits.keys():
                    del lset[name]
                return True
        else:
            def run(lset: dict) -> bool:
                classify(lset)
                for name in [name for name in lset if name not in hits]:
                    del lset[name]
                return True
        return run
    raise ValueError(f"relabel: unknown relabel action type {action!r}")  # pragma: no cover


def compiled(rules: Iterable[Rule]) -> list[_Fn]:
    """The compiled form of each rule (kept per Rule object)."""
    out = []
    for rule in rules:
        hit = _compiled.get(id(rule))
        if hit is None or hit[0] is not rule:
            if len(_compiled) >= 4096:
                _compiled.clear()
            hit = (rule, _compile(rule))
            _compiled[id(rule)] = hit
        out.append(hit[1])
    return out


def relabel_owned(lset: dict[str, str], rules: list[Rule], fns: Optional[list[_Fn]] = None
                  ) -> tuple[Optional[dict[str, str]], Optional[int]]:
    """relabel_index on a label set the caller hands over: lset must hold no empty value and is
    changed in place (and returned) instead of copied. fns: ``compiled(rules)``, if at hand."""
    if not rules:
        return lset, None
    if fns is None:
        fns = compiled(rules)
    for i, fn in enumerate(fns):
        if not fn(lset):
            return None, i
    return lset, None


_READ_ONLY = ("keep", "drop", "keepequal", "dropequal")


def read_only_prefix(rules: list[Rule]) -> int:
    """How many leading rules only read the label set (keep, drop, keepequal, dropequal)."""
    n = 0
    while n < len(rules) and rules[n].action in _READ_ONLY:
        n += 1
    return n


def relabel_from(labels: dict[str, str], rules: list[Rule], fns: Optional[list[_Fn]] = None,
                 lead: Optional[int] = None) -> tuple[Optional[dict[str, str]], Optional[int]]:
    """relabel_index on a label set holding no empty value, left unchanged: the leading rules
    that only read run on it, the copy is made for the first rule that may write (a target
    dropped early costs no copy). fns, lead: ``compiled(rules)``, ``read_only_prefix(rules)``."""
    if fns is None:
        fns = compiled(rules)
    if lead is None:
        lead = read_only_prefix(rules)
    for i in range(lead):
        if not fns[i](labels):
            return None, i
    lset = dict(labels)
    for i in range(lead, len(fns)):
        if not fns[i](lset):
            return None, i
    return lset, None


def _start(labels: dict) -> dict:
    return {k: v for k, v in labels.items() if v != ""}


def relabel(labels: dict[str, str], rules: Iterable[Rule]) -> Optional[dict[str, str]]:
    """Apply rules in order; the new label set, or None when a rule dropped it.

    The input is not modified. Empty values count as absent and never appear in the result
    (with no rules at all, the input is returned as a copy, as Prometheus returns it unchanged).
    """
    rules = list(rules)
    if not rules:
        return dict(labels)
    return relabel_owned(_start(labels), rules)[0]


def relabel_index(labels: dict[str, str], rules: Iterable[Rule]
                  ) -> tuple[Optional[dict[str, str]], Optional[int]]:
    """Like relabel, plus the index of the rule that dropped the set: (result | None, index | None)."""
    rules = list(rules)
    if not rules:
        return dict(labels), None
    return relabel_owned(_start(labels), rules)


def relabel_trace(labels: dict[str, str], rules: Iterable[Rule]
                  ) -> tuple[Optional[dict[str, str]], Optional[int], list[Step]]:
    """Like relabel, with a record of every step: (result | None, index of the dropping rule | None, steps)."""
    rules = list(rules)
    lset = _start(labels) if rules else dict(labels)
    steps: list[Step] = []
    for i, rule in enumerate(rules):
        before = dict(lset)
        value = None if rule.action in ("labelmap", "labeldrop", "labelkeep") else _source_value(lset, rule)
        keep, matched = _apply(lset, rule)
        changes = {}
        for k in before.keys() | lset.keys():
            a, b = before.get(k), lset.get(k)
            if a != b:
                changes[k] = (a, b)
        steps.append(Step(i, rule, value, matched, changes, dropped=not keep))
        if not keep:
            return None, i, steps
    return lset, None, steps
