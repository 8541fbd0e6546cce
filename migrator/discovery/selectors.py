"""Kubernetes label and field selectors, as the API server applies them to list/watch calls.

Prometheus passes ``selectors[].label`` and ``selectors[].field`` verbatim as
``labelSelector`` / ``fieldSelector``, so the filtering is the API server's:

* label selectors (k8s.io/apimachinery labels.Parse): comma-separated
  requirements, ANDed: ``k=v``, ``k==v``, ``k!=v`` (true when k is absent),
  ``k in (a,b)``, ``k notin (a,b)`` (true when absent), ``k``, ``!k``,
  ``k>n``, ``k<n`` (integers). Empty matches everything.
* field selectors (fields.ParseSelector): ``f=v``, ``f==v``, ``f!=v`` ANDed,
  backslash escapes ``\\\\ \\, \\=``; only the fields the resource exposes
  (``metadata.name``, ``metadata.namespace``; pods and nodes have more).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

# -- label selectors ----------------------------------------------------------------------------

_SPECIAL = set("!=<>(),")
_NAME_RE = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
_VALUE_RE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def _check_key(key: str) -> None:
    prefix, slash, name = key.rpartition("/")
    if slash and (not prefix or len(prefix) > 253 or not _DNS1123_SUBDOMAIN.match(prefix)):
        raise ValueError(f"invalid label key {key!r}: prefix part must be a DNS-1123 subdomain")
    if not name or len(name) > 63 or not _NAME_RE.match(name):
        raise ValueError(f"invalid label key {key!r}: name part must be 63 characters or less, start and end "
                         "with an alphanumeric character, with only '-', '_', '.' or alphanumerics between")


def _check_value(value: str) -> None:
    if len(value) > 63 or not _VALUE_RE.match(value):
        raise ValueError(f"invalid label value {value!r}: must be 63 characters or less, empty or start and "
                         "end with an alphanumeric character, with only '-', '_', '.' or alphanumerics between")


def _tokens(text: str) -> list[tuple[str, str]]:
    """(type, text) tokens: 'id', 'op' ('!', '=', '==', '!=', '>', '<', 'in', 'notin'), '(', ')', ','."""
    out: list[tuple[str, str]] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
            continue
        if c in "(),":
            out.append((c, c))
            i += 1
            continue
        if c in "!=<>":
            two = text[i:i + 2]
            if two in ("==", "!="):
                out.append(("op", two))
                i += 2
            else:
                out.append(("op", c))
                i += 1
            continue
        j = i
        while j < n and not text[j].isspace() and text[j] not in _SPECIAL:
            j += 1
        word = text[i:j]
        out.append(("op", word) if word in ("in", "notin") else ("id", word))
        i = j
    out.append(("end", ""))
    return out


@dataclass(frozen=True)
class Requirement:
    key: str
    op: str  # exists, !, =, !=, in, notin, >, <
    values: tuple[str, ...] = ()

    def matches(self, labels: dict[str, str]) -> bool:
        has = self.key in labels
        v = labels.get(self.key)
        op = self.op
        if op == "exists":
            return has
        if op == "!":
            return not has
        if op == "=" or op == "in":
            return has and v in self.values
        if op == "!=" or op == "notin":
            return not has or v not in self.values
        if not has:
            return False
        try:
            lv = int(v)  # type: ignore[arg-type]
        except ValueError:
            return False
        bound = int(self.values[0])
        return lv > bound if op == ">" else lv < bound


@dataclass(frozen=True)
class LabelSelector:
    requirements: tuple[Requirement, ...] = ()

    def matches(self, labels: dict[str, str]) -> bool:
        return all(r.matches(labels) for r in self.requirements)


def parse_label_selector(text: str) -> LabelSelector:
    """labels.Parse; ValueError with a message on bad syntax."""
    toks = _tokens(text or "")
    pos = 0
    reqs: list[Requirement] = []

    def peek() -> tuple[str, str]:
        return toks[pos]

    def take() -> tuple[str, str]:
        nonlocal pos
        t = toks[pos]
        pos += 1
        return t

    if peek()[0] == "end":
        return LabelSelector()
    while True:
        t = take()
        negate = False
        if t == ("op", "!"):
            negate = True
            t = take()
        if t[0] != "id":
            raise ValueError(f"unable to parse requirement: found {t[1] or 'end of string'!r}, "
                             "expected: identifier")
        key = t[1]
        _check_key(key)
        nxt = peek()
        if negate:
            if nxt[0] not in (",", "end"):
                raise ValueError(f"unable to parse requirement: found {nxt[1]!r}, expected: ',' or end of string")
            reqs.append(Requirement(key, "!"))
        elif nxt[0] in (",", "end"):
            reqs.append(Requirement(key, "exists"))
        elif nxt[0] == "op":
            op = take()[1]
            if op in ("=", "==", "!="):
                v = peek()
                if v[0] == "id":
                    take()
                    value = v[1]
                elif v[0] in (",", "end"):
                    value = ""
                else:
                    raise ValueError(f"unable to parse requirement: found {v[1]!r}, expected: identifier")
                _check_value(value)
                reqs.append(Requirement(key, "!=" if op == "!=" else "=", (value,)))
            elif op in (">", "<"):
                v = take()
                if v[0] != "id":
                    raise ValueError(f"unable to parse requirement: found {v[1]!r}, expected: integer")
                try:
                    int(v[1])
                except ValueError:
                    raise ValueError(f"for 'Gt', 'Lt' operators, the value must be an integer: {v[1]!r}") from None
                reqs.append(Requirement(key, op, (v[1],)))
            elif op in ("in", "notin"):
                if take()[0] != "(":
                    raise ValueError(f"found '{op}' not followed by '(' in label selector {text!r}")
                values: list[str] = []
                while True:
                    v = take()
                    if v[0] == "id":
                        _check_value(v[1])
                        values.append(v[1])
                        v = take()
                    elif v[0] in (",", ")"):
                        values.append("")  # k8s accepts an empty value between commas
                    else:
                        raise ValueError(f"unable to parse requirement: found {v[1] or 'end of string'!r}, "
                                         "expected: ',' or ')'")
                    if v[0] == ")":
                        break
                    if v[0] != ",":
                        raise ValueError(f"unable to parse requirement: found {v[1] or 'end of string'!r}, "
                                         "expected: ',' or ')'")
                if values == [""]:
                    raise ValueError(f"for 'in', 'notin' operators, values set can't be empty ({text!r})")
                reqs.append(Requirement(key, op, tuple(values)))
            else:
                raise ValueError(f"unable to parse requirement: found {op!r}, expected an operator "
                                 "(=, ==, !=, in, notin, >, <)")
        else:
            raise ValueError(f"unable to parse requirement: found {nxt[1]!r}, expected an operator")
        t = take()
        if t[0] == "end":
            break
        if t[0] != ",":
            raise ValueError(f"found {t[1]!r}, expected: ',' or end of string in label selector {text!r}")
        if peek()[0] == "end":
            raise ValueError(f"found end of string after ',', expected: identifier in label selector {text!r}")
    return LabelSelector(tuple(reqs))


# -- field selectors ----------------------------------------------------------------------------


def _first(obj: Any, *path: str) -> Any:
    for p in path:
        obj = obj.get(p) if isinstance(obj, dict) else None
    return obj


def _str(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _pod_ip(pod: dict) -> str:
    ips = _first(pod, "status", "podIPs")
    if isinstance(ips, list) and ips and isinstance(ips[0], dict):
        return _str(ips[0].get("ip"))
    return _str(_first(pod, "status", "podIP"))


def _pod_ips(pod: dict) -> list[str]:
    ips = _first(pod, "status", "podIPs")
    if isinstance(ips, list):
        return [_str(i.get("ip")) for i in ips if isinstance(i, dict)]
    ip = _str(_first(pod, "status", "podIP"))
    return [ip] if ip else []


_COMMON_FIELDS: dict[str, Callable[[dict], Any]] = {
    "metadata.name": lambda o: _str(_first(o, "metadata", "name")),
    "metadata.namespace": lambda o: _str(_first(o, "metadata", "namespace")),
}
_KIND_FIELDS: dict[str, dict[str, Callable[[dict], Any]]] = {
    "Pod": {
        "spec.nodeName": lambda o: _str(_first(o, "spec", "nodeName")),
        "spec.restartPolicy": lambda o: _str(_first(o, "spec", "restartPolicy")),
        "spec.schedulerName": lambda o: _str(_first(o, "spec", "schedulerName")),
        "spec.serviceAccountName": lambda o: _str(_first(o, "spec", "serviceAccountName")),
        "spec.hostNetwork": lambda o: "true" if _first(o, "spec", "hostNetwork") is True else "false",
        "status.phase": lambda o: _str(_first(o, "status", "phase")),
        "status.podIP": _pod_ip,
        "status.podIPs": _pod_ips,  # a list: = matches when any IP equals
        "status.nominatedNodeName": lambda o: _str(_first(o, "status", "nominatedNodeName")),
    },
    "Node": {
        "spec.unschedulable": lambda o: "true" if _first(o, "spec", "unschedulable") is True else "false",
    },
}


def supported_fields(kind: str) -> list[str]:
    return sorted({**_COMMON_FIELDS, **_KIND_FIELDS.get(kind, {})})


@dataclass(frozen=True)
class FieldTerm:
    field: str
    op: str  # = or !=
    value: str

    def matches(self, obj: dict, kind: str) -> bool:
        getter = _KIND_FIELDS.get(kind, {}).get(self.field) or _COMMON_FIELDS[self.field]
        got = getter(obj)
        hit = self.value in got if isinstance(got, list) else got == self.value
        return hit if self.op == "=" else not hit


@dataclass(frozen=True)
class FieldSelector:
    terms: tuple[FieldTerm, ...] = ()

    def matches(self, obj: dict, kind: str) -> bool:
        return all(t.matches(obj, kind) for t in self.terms)


def _split_unescaped(text: str, sep: str) -> list[str]:
    parts, cur, i = [], [], 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            cur.append(text[i:i + 2])
            i += 2
            continue
        if c == sep:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(c)
        i += 1
    parts.append("".join(cur))
    return parts


def _unescape(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        c = value[i]
        if c == "\\":
            if i + 1 >= len(value) or value[i + 1] not in "\\,=":
                raise ValueError(f"invalid field selector value {value!r}: invalid escape sequence")
            out.append(value[i + 1])
            i += 2
            continue
        if c in ",=":
            raise ValueError(f"invalid field selector value {value!r}: unescaped {c!r}")
        out.append(c)
        i += 1
    return "".join(out)


def _split_term(term: str) -> tuple[str, str, str] | None:
    i = 0
    while i < len(term):
        if term[i] == "\\":
            i += 2
            continue
        for op in ("!=", "==", "="):
            if term.startswith(op, i):
                return term[:i], ("!=" if op == "!=" else "="), term[i + len(op):]
        i += 1
    return None


class UnsupportedField(ValueError):
    """A field selector that parses but names a field the API server does not offer for the kind:
    Prometheus loads the config, the API server refuses its list/watch calls."""


def parse_field_selector(text: str, kind: str | None) -> FieldSelector:
    """fields.ParseSelector plus the API server's check of the field names of kind."""
    text = text or ""
    if text.strip() == "":
        return FieldSelector()
    terms = []
    allowed = {**_COMMON_FIELDS, **_KIND_FIELDS.get(kind, {})}
    for part in _split_unescaped(text, ","):
        if part == "":
            continue
        split = _split_term(part)
        if split is None:
            raise ValueError(f"invalid selector: {text!r}; can't understand {part!r}")
        key, op, value = split
        key = key.strip()
        if kind is not None and key not in allowed:  # None: the syntax only (fields.ParseSelector)
            raise UnsupportedField(f"field label not supported for {kind}: {key!r} (the API server supports "
                             f"{', '.join(supported_fields(kind))})")
        terms.append(FieldTerm(key, op, _unescape(value)))
    return FieldSelector(tuple(terms))
