"""Just enough regex analysis to decide when a relabel rule is exactly a selector, a port or a no-op.

Prometheus anchors every relabel regex as ``^(?s:REGEX)$``. The helpers here only ever answer "yes, this
regex is exactly X" for a small set of shapes (a top-level alternation of plain literals, ``.*``, ``.+``,
``true``); anything they do not understand is "no", and the caller keeps the rule as a relabeling.
"""

from __future__ import annotations

import re

#: Characters a literal alternative may hold. '.' is allowed unescaped: it is then the same regex in the
#: monitor (the operator pastes selector values into a regex), so the meaning is preserved exactly.
_LITERAL = re.compile(r"^[A-Za-z0-9_.\-]+$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_PORT_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
ANY = {".*", "(.*)", "(?:.*)", "(?s:.*)", "^.*$", "^(.*)$"}
NONEMPTY = {".+", "(.+)", "(?:.+)", "^.+$", "^(.+)$"}


def split_top(regex: str, sep: str) -> list[str] | None:
    """Split at `sep` outside groups and classes; None when the regex is malformed for this purpose."""
    parts, depth, cur, i, in_class = [], 0, "", 0, False
    while i < len(regex):
        c = regex[i]
        if c == "\\":
            cur += regex[i:i + 2]
            i += 2
            continue
        if in_class:
            if c == "]" and not cur.endswith("["):
                in_class = False
            cur += c
        elif c == "[":
            in_class = True
            cur += c
            if regex[i + 1:i + 2] == "^":
                cur += "^"
                i += 1
            if regex[i + 1:i + 2] == "]":  # a leading ] is literal in a class
                cur += "]"
                i += 1
        elif c == "(":
            depth += 1
            cur += c
        elif c == ")":
            depth -= 1
            if depth < 0:
                return None
            cur += c
        elif c == sep and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += c
        i += 1
    if depth != 0 or in_class:
        return None
    parts.append(cur)
    return parts


def _strip_group(regex: str) -> str:
    """'(a|b)' or '(?:a|b)' -> 'a|b' when one group spans the whole regex."""
    for opener in ("(?:", "("):
        if regex.startswith(opener) and regex.endswith(")"):
            inner = regex[len(opener):-1]
            if split_top(inner, "\x00") is not None and _balanced_prefixes(inner):
                return inner
    return regex


def _balanced_prefixes(inner: str) -> bool:
    """True when no prefix of inner closes more groups than it opens (so the outer group spans it all)."""
    depth, i = 0, 0
    while i < len(inner):
        c = inner[i]
        if c == "\\":
            i += 2
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth < 0:
                return False
        i += 1
    return depth == 0


def strip_anchors(regex: str) -> str:
    """'^x$' -> 'x' (Prometheus anchors anyway); only a leading ^ and an unescaped trailing $."""
    if regex.startswith("^"):
        regex = regex[1:]
    if regex.endswith("$") and not regex.endswith("\\$"):
        regex = regex[:-1]
    return regex


def literal_alternatives(regex: str) -> list[str] | None:
    """['a', 'b'] when the regex is exactly a|b of plain literals (no empty alternative); else None."""
    r = _strip_group(strip_anchors(regex))
    alts = split_top(r, "|")
    if not alts:
        return None
    out = []
    for a in alts:
        a = _strip_group(a)
        if not a or not _LITERAL.match(a):
            return None
        out.append(a)
    return out


def is_any(regex: str) -> bool:
    return regex in ANY


def is_nonempty(regex: str) -> bool:
    return regex in NONEMPTY


def is_true(regex: str) -> bool:
    return regex in ("true", "(true)", "^true$")


def valid_label_value(v: str) -> bool:
    return len(v) <= 63 and bool(_LABEL_VALUE.match(v))


def valid_namespace(v: str) -> bool:
    return len(v) <= 63 and bool(_DNS_LABEL.match(v))


def valid_port_name(v: str) -> bool:
    return len(v) <= 15 and bool(_PORT_NAME.match(v)) and not v.isdigit()


def has_inner_anchor(part: str) -> bool:
    """An unescaped ^ or $ outside a class, or \\A \\z \\b \\B anywhere."""
    i, in_class = 0, False
    while i < len(part):
        c = part[i]
        if c == "\\":
            if part[i + 1:i + 2] in ("A", "z", "b", "B"):
                return True
            i += 2
            continue
        if in_class:
            if c == "]":
                in_class = False
        elif c == "[":
            in_class = True
            if part[i + 1:i + 2] == "^":
                i += 1
        elif c in "^$":
            return True
        i += 1
    return False


def decompose(regex: str, n: int) -> list[str] | None:
    """A composite regex over n ';'-joined sources as n per-source regexes, when that is exact.

    Exact when the values cannot contain ';' (the caller checks the sources), the regex has no top-level
    alternation, splits into exactly n top-level parts at ';', and no part holds an anchor other than a
    leading ^ on the first part or a trailing $ on the last.
    """
    if split_top(regex, "|") is None or len(split_top(regex, "|")) != 1:
        return None
    parts = split_top(regex, ";")
    if parts is None or len(parts) != n:
        return None
    if parts[0].startswith("^"):
        parts[0] = parts[0][1:]
    if parts[-1].endswith("$") and not parts[-1].endswith("\\$"):
        parts[-1] = parts[-1][:-1]
    if any(has_inner_anchor(p) for p in parts):
        return None
    return parts
