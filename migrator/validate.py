"""Strict validation of operator monitors (PodMonitor, ServiceMonitor; also ScrapeConfig, Probe).

What a user expects to hear before rendering, as the API server (strict field validation), the
operator (which rejects invalid monitors) and Prometheus (which refuses to load bad relabel rules)
would say it:

* the CRD schema, from the compact copy in migrator/schemas/ (see tools/gen_schemas.py): unknown
  fields, types as YAML 1.1 reads them (``port: 8080`` is not a string), enums, patterns
  (durations), required fields, minimum/maximum, list uniqueness, the few CEL rules we know;
* metadata: a valid name (required), namespace, labels and annotations;
* label selectors: operators In/NotIn/Exists/DoesNotExist, values required or forbidden, valid
  label keys and values (the operator rejects a monitor whose selector does not convert);
* relabel rules, the operator's checks (which follow Prometheus' load-time checks) for the
  Prometheus version in use: RE2 regexes (Go dialect), target labels, modulus, extra fields;
* scrapeTimeout not above the interval, one authentication method per endpoint.

Pure: a Document in, a list of InputError out (every error names file, line and field). All
errors of a document are collected; the CLI prints them all and exits 2.
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache
from typing import Any, Iterable

import re2

from migrator.credentials import HIDDEN, is_credential_path, mask_userinfo
from migrator.errors import InputError
from migrator.relabel.rules import check_rule, go_quote
from migrator.relabel.duration import DURATION_PATTERN
from migrator.relabel.duration import parse_duration as parse_duration_ms
from migrator.schemas import KINDS, load_schema
from migrator.sources import Document, dotted
from migrator.version import DEFAULT_PROMETHEUS_VERSION, Version

__all__ = ["validate_monitor", "validate_documents", "validate_relabel_config", "parse_duration"]


SELECTOR_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")

_DEFAULT_VERSION = Version.parse(DEFAULT_PROMETHEUS_VERSION)

# --------------------------------------------------------------------------- durations

# The one parser is migrator.relabel.duration (DURATION_PATTERN, the CRDs' pattern, comes from there).


def _duration_ns(text: str) -> int:
    """model.ParseDuration, in nanoseconds; ValueError with Prometheus' message."""
    return parse_duration_ms(text) * 1_000_000


def parse_duration(text: str) -> float:
    """A Prometheus duration (``1h30m``, ``500ms``, ``0``) in seconds; InputError when invalid."""
    if not isinstance(text, str):
        raise InputError(f"invalid duration {text!r}: expected a string such as 30s or 1m")
    try:
        return _duration_ns(text) / 1e9
    except ValueError as exc:
        raise InputError(f"invalid duration {_q(text)}: {exc}") from None


# --------------------------------------------------------------------------- regexes

# Relabel regexes are the relabel authority's (migrator.relabel); these options are for the CRD
# schema's own patterns only. (RE2's C++ logging would print to stderr.)
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False


# --------------------------------------------------------------------------- names

_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_QUALIFIED_PART = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")


def _qualified_name_problem(key: str) -> str | None:
    """Kubernetes IsQualifiedName (label and annotation keys)."""
    prefix, _, name = key.rpartition("/")
    if "/" in key and not prefix:
        return "prefix part must be non-empty"
    if prefix and (len(prefix) > 253 or not _DNS_SUBDOMAIN.fullmatch(prefix)):
        return "prefix part must be a lowercase DNS subdomain (e.g. example.com)"
    if not name:
        return "name part must be non-empty"
    if len(name) > 63:
        return "name part must be no more than 63 characters"
    if not _QUALIFIED_PART.fullmatch(name):
        return ("name part must consist of alphanumeric characters, '-', '_' or '.', and must "
                "start and end with an alphanumeric character")
    return None


def _label_value_problem(value: str) -> str | None:
    if value == "":
        return None
    if len(value) > 63:
        return "must be no more than 63 characters"
    if not _QUALIFIED_PART.fullmatch(value):
        return ("must be empty or consist of alphanumeric characters, '-', '_' or '.', and must "
                "start and end with an alphanumeric character")
    return None


# --------------------------------------------------------------------------- helpers

#: Go's %q (the duration helpers above still say _q): the relabel authority's one quoting function.
_q = go_quote


def _typename(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "mapping"
    return type(value).__name__


_ARTICLE = {"integer": "an integer", "object": "a mapping", "array": "a list", "string": "a string",
            "boolean": "a boolean", "number": "a number", "list": "a list", "mapping": "a mapping",
            "null": "null"}


def _an(value: Any) -> str:
    """'an integer', 'a list', ... for the YAML type of value."""
    t = _typename(value)
    return _ARTICLE.get(t, t)


def _version(version: Version | str | None) -> Version:
    if version is None:
        return _DEFAULT_VERSION
    if isinstance(version, Version):
        return version
    return Version.parse(version)


def _key_str(key: Any) -> str:
    """A mapping key as sigs.k8s.io/yaml turns it into a JSON key."""
    if isinstance(key, bool):
        return "true" if key else "false"
    return str(key)


@lru_cache(maxsize=256)
def _pattern(p: str):
    return re2.compile(p, _RE2_OPTIONS)


_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")
_INT_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}


class _Collector:
    """Errors of one document, each with file, line and field."""

    def __init__(self, doc: Document | None, version: Version):
        self.doc = doc
        self.version = version
        self.utf8 = version.major >= 3
        self.errors: list[InputError] = []
        data = doc.data if doc is not None else None
        self.kind = data.get("kind") if isinstance(data, dict) else None

    def secret(self, path: tuple) -> bool:
        """Whether the value at path is (inside) a credential: messages never show it."""
        return is_credential_path(path, self.kind)

    def shown(self, path: tuple, value: Any) -> str:
        """value quoted for a message (Go's %q), or a mark when it is a credential's."""
        return HIDDEN if self.secret(path) else go_quote(mask_userinfo(str(value)))

    def add(self, path: tuple, message: str) -> None:
        if self.secret(path):
            message = self._redact(path, message)
        if self.doc is not None:
            self.errors.append(self.doc.error(message, path))
        else:
            self.errors.append(InputError(message, field=dotted(path)))

    def _redact(self, path: tuple, message: str) -> str:
        """A safety net: no scalar found at path (of 4 characters or more) survives in message."""
        node: Any = self.doc.data if self.doc is not None else None
        for part in path:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                return message
        stack, seen = [node], 0
        while stack and seen < 10_000:
            item = stack.pop()
            seen += 1
            if isinstance(item, dict):
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)
            elif item is not None and not isinstance(item, bool):
                text = str(item)
                if len(text) >= 4:
                    message = message.replace(go_quote(text), HIDDEN).replace(text, HIDDEN)
        return message

    def text(self, path: tuple, value: Any) -> str:
        if self.doc is not None:
            t = self.doc.text_of(path)
            if t is not None:
                return t
        return _key_str(value) if not isinstance(value, float) else repr(value)


# --------------------------------------------------------------------------- schema walk

def _walk(c: _Collector, value: Any, schema: dict, path: tuple) -> None:
    if value is None:
        # The API server prunes a null field whose schema is not nullable; required checks see
        # it as missing (done by the parent).
        return
    if schema.get("x-kubernetes-int-or-string"):
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            c.add(path, f"must be an integer or a string, not {_an(value)}")
            return
        if isinstance(value, str):
            _check_string(c, value, schema, path)
        return
    t = schema.get("type")
    if t == "string":
        if not isinstance(value, str):
            _type_error(c, value, t, path)
            return
        _check_string(c, value, schema, path)
    elif t in ("integer", "number"):
        ok = isinstance(value, int) and not isinstance(value, bool)
        if t == "number":
            ok = ok or isinstance(value, float)
        if not ok:
            _type_error(c, value, t, path)
            return
        _check_number(c, value, schema, path)
    elif t == "boolean":
        if not isinstance(value, bool):
            _type_error(c, value, t, path)
            return
    elif t == "array":
        if not isinstance(value, list):
            _type_error(c, value, t, path)
            return
        _check_array(c, value, schema, path)
    elif t == "object":
        if not isinstance(value, dict):
            _type_error(c, value, t, path)
            return
        _check_object(c, value, schema, path)
    if "enum" in schema and t not in ("string",) and value not in schema["enum"]:
        c.add(path, f"unsupported value {HIDDEN if c.secret(path) else repr(value)} (supported: {', '.join(map(str, schema['enum']))})")
    if "anyOf" in schema:
        for sub in schema["anyOf"]:
            trial = _Collector(None, c.version)
            _walk(trial, value, sub, path)
            if not trial.errors:
                break
        else:
            c.add(path, "does not match any of the allowed forms")


def _type_error(c: _Collector, value: Any, expected: str, path: tuple) -> None:
    got = _typename(value)
    msg = f"must be {_ARTICLE.get(expected, expected)}, not {_ARTICLE.get(got, got)}"
    if c.secret(path):
        pass  # a credential's value is never shown, not even a wrong one
    elif isinstance(value, (bool, int, float)) and expected == "string":
        text = mask_userinfo(c.text(path, value))
        msg += f" ({text}); quote it: {go_quote(text)}"
    elif isinstance(value, (str, bool, int, float)):
        msg += f" ({mask_userinfo(c.text(path, value))})"
    c.add(path, msg)


def _check_string(c: _Collector, value: str, schema: dict, path: tuple) -> None:
    enum = schema.get("enum")
    if enum is not None and value not in enum:
        c.add(path, f"unsupported value {c.shown(path, value)} (supported: {', '.join(go_quote(e) for e in enum)})")
        return
    pattern = schema.get("pattern")
    if pattern is not None:
        if pattern == DURATION_PATTERN:
            if _pattern(pattern).search(value) is None:
                c.add(path, f"invalid duration {c.shown(path, value)}: expected a Prometheus duration such as "
                            "30s, 1m30s or 1h (units y, w, d, h, m, s, ms, largest first, "
                            "whole numbers)")
                return
            if value not in ("", "0"):
                try:
                    _duration_ns(value)
                except ValueError as exc:
                    c.add(path, f"invalid duration {c.shown(path, value)}: {exc}")
                    return
        elif _pattern(pattern).search(value) is None:
            c.add(path, f"invalid value {c.shown(path, value)}: must match the pattern {pattern}")
            return
    n = len(value)
    if "minLength" in schema and n < schema["minLength"]:
        c.add(path, "must not be empty" if schema["minLength"] == 1
              else f"must be at least {schema['minLength']} characters long")
    if "maxLength" in schema and n > schema["maxLength"]:
        c.add(path, f"must be at most {schema['maxLength']} characters long")
    if schema.get("format") == "date-time" and not _DATE_TIME.fullmatch(value):
        c.add(path, f"invalid date-time {c.shown(path, value)} (expected RFC 3339, e.g. 2024-01-02T03:04:05Z)")


def _check_number(c: _Collector, value: int | float, schema: dict, path: tuple) -> None:
    lo, hi = _INT_RANGES.get(schema.get("format", ""), (None, None))
    if lo is not None and not lo <= value <= hi:
        c.add(path, f"{value} is out of range for {schema['format']}")
        return
    if "minimum" in schema:
        m, excl = schema["minimum"], schema.get("exclusiveMinimum") is True
        if value < m or (excl and value == m):
            c.add(path, f"must be greater than {'' if excl else 'or equal to '}{m}, not {value}")
    if "maximum" in schema:
        m, excl = schema["maximum"], schema.get("exclusiveMaximum") is True
        if value > m or (excl and value == m):
            c.add(path, f"must be less than {'' if excl else 'or equal to '}{m}, not {value}")


def _check_array(c: _Collector, value: list, schema: dict, path: tuple) -> None:
    if "minItems" in schema and len(value) < schema["minItems"]:
        c.add(path, f"must have at least {schema['minItems']} item{'s' if schema['minItems'] != 1 else ''}")
    if "maxItems" in schema and len(value) > schema["maxItems"]:
        c.add(path, f"must have at most {schema['maxItems']} items")
    items = schema.get("items")
    if items is not None:
        nullable = items.get("nullable", False)
        for i, item in enumerate(value):
            if item is None and not nullable:
                c.add(path + (i,), "list item must not be null (an empty \"-\" entry?)")
                continue
            _walk(c, item, items, path + (i,))
    lt = schema.get("x-kubernetes-list-type")
    if lt == "set":
        seen: dict = {}
        for i, item in enumerate(value):
            if isinstance(item, (str, int, float, bool)):
                if (type(item), item) in seen:
                    c.add(path + (i,), f"duplicate value {c.shown(path + (i,), item) if isinstance(item, str) else item} "
                                       f"(also at [{seen[(type(item), item)]}])")
                else:
                    seen[(type(item), item)] = i
    elif lt == "map":
        keys = schema.get("x-kubernetes-list-map-keys") or []
        seen = {}
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                continue
            k = tuple(repr(item.get(key)) for key in keys)
            if k in seen:
                desc = ", ".join(f"{key}={item.get(key)!r}" for key in keys)
                c.add(path + (i,), f"duplicate entry with {desc} (also at [{seen[k]}])")
            else:
                seen[k] = i


def _check_object(c: _Collector, value: dict, schema: dict, path: tuple) -> None:
    props = schema.get("properties")
    extra = schema.get("additionalProperties")
    free = schema.get("x-kubernetes-preserve-unknown-fields") or (props is None and extra is None)
    for req in schema.get("required", ()):
        if value.get(req) is None:
            c.add(path + (req,), f"required field {go_quote(req)} is missing")
    for key, item in value.items():
        name = _key_str(key)
        if props is not None and name in props:
            _walk(c, item, props[name], path + (key,))
        elif isinstance(extra, dict):
            _walk(c, item, extra, path + (key,))
        elif extra is True or free:
            continue
        else:
            hint = ""
            if props:
                close = difflib.get_close_matches(name, list(props), n=1, cutoff=0.6)
                if close:
                    hint = f" (did you mean {go_quote(close[0])}?)"
            c.add(path + (key,), f"unknown field {go_quote(name)}{hint}")
    if "minProperties" in schema and len(value) < schema["minProperties"]:
        c.add(path, f"must have at least {schema['minProperties']} entries")
    for rule in schema.get("x-kubernetes-validations", ()):
        _check_cel(c, value, rule, path)
    if props:
        _semantic_hooks(c, value, props, path, cel="x-kubernetes-validations" in schema)


_CEL_AT_MOST = re.compile(r"\[\s*((?:has\(self\.\w+\)\s*,?\s*)+)\]\.filter\(\s*(\w+)\s*,\s*\2\s*\)"
                          r"\.size\(\)\s*<=\s*(\d+)")


def _check_cel(c: _Collector, value: dict, rule: dict, path: tuple) -> None:
    """The CEL rules we understand; others are left to the API server."""
    m = _CEL_AT_MOST.fullmatch(" ".join(str(rule.get("rule", "")).split()))
    if m:
        fields = re.findall(r"has\(self\.(\w+)\)", m[1])
        present = [f for f in fields if value.get(f) is not None]
        if len(present) > int(m[3]):
            c.add(path, rule.get("message") or f"at most {m[3]} of {', '.join(fields)} may be set "
                                               f"(found {', '.join(present)})")


# --------------------------------------------------------------------------- semantic hooks

_RELABEL_PROPS = {"sourceLabels", "targetLabel", "regex", "action", "replacement"}
_SELECTOR_PROPS = {"matchExpressions", "matchLabels"}
_AUTH_FIELDS = ("authorization", "basicAuth", "oauth2", "bearerTokenSecret")


def _semantic_hooks(c: _Collector, value: dict, props: dict, path: tuple, cel: bool = False) -> None:
    keys = props.keys()
    if _RELABEL_PROPS <= keys:
        _relabel(c, value, path)
    if len(path) == 3 and path[:2] in (("spec", "endpoints"), ("spec", "podMetricsEndpoints")):
        _port_regex(c, value, path)
    if set(keys) == _SELECTOR_PROPS:
        _selector(c, value, path)
    if not cel and sum(f in keys for f in _AUTH_FIELDS) >= 2:  # (a CEL rule says it otherwise)
        present = [f for f in _AUTH_FIELDS if f in keys and value.get(f) is not None]
        if len(present) > 1:
            c.add(path + (present[1],), f"{present[0]} and {present[1]} cannot be configured at the "
                                        "same time (one authentication method per endpoint)")
    if path and path[-1] == "authorization" and {"type", "credentials"} <= keys:
        t = value.get("type")
        if isinstance(t, str) and t.strip().lower() == "basic":
            c.add(path + ("type",), "'authorization' type cannot be set to \"basic\", use \"basicAuth\" "
                                    "instead")
        if "credentialsFile" not in keys and value.get("credentials") is None:
            c.add(path + ("credentials",), "'authorization' credentials are required")
        if value.get("credentials") is not None and value.get("credentialsFile"):
            c.add(path + ("credentialsFile",),
                  "authorization can not specify both \"credentials\" and \"credentialsFile\"")
    if "scrapeTimeout" in keys:
        interval_key = next((k for k in ("interval", "scrapeInterval") if k in keys), None)
        if interval_key:
            _timeout_vs_interval(c, value, interval_key, path)


def _timeout_vs_interval(c: _Collector, value: dict, interval_key: str, path: tuple) -> None:
    timeout, interval = value.get("scrapeTimeout"), value.get(interval_key)
    if not (isinstance(timeout, str) and isinstance(interval, str)) or not timeout or not interval:
        return
    try:
        t, i = _duration_ns(timeout), _duration_ns(interval)
    except ValueError:
        return  # reported by the pattern check
    if t > i:
        c.add(path + ("scrapeTimeout",),
              f"scrapeTimeout {go_quote(timeout)} greater than {interval_key} {go_quote(interval)}")


def _selector(c: _Collector, sel: dict, path: tuple) -> None:
    """metav1.LabelSelectorAsSelector: what the operator needs to use the selector."""
    labels = sel.get("matchLabels")
    if isinstance(labels, dict):
        for key, val in labels.items():
            p = path + ("matchLabels", key)
            problem = _qualified_name_problem(_key_str(key))
            if problem:
                c.add(p, f"invalid label key {go_quote(_key_str(key))}: {problem}")
            if isinstance(val, str):
                problem = _label_value_problem(val)
                if problem:
                    c.add(p, f"invalid label value {c.shown(p, val)}: {problem}")
    exprs = sel.get("matchExpressions")
    if not isinstance(exprs, list):
        return
    for i, expr in enumerate(exprs):
        if not isinstance(expr, dict):
            continue
        p = path + ("matchExpressions", i)
        key, op, values = expr.get("key"), expr.get("operator"), expr.get("values")
        if isinstance(key, str):
            problem = _qualified_name_problem(key)
            if problem:
                c.add(p + ("key",), f"invalid label key {go_quote(key)}: {problem}")
        if not isinstance(op, str):
            continue  # missing or mistyped: the schema reports it
        n = len(values) if isinstance(values, list) else 0
        if op not in SELECTOR_OPERATORS:
            close = [o for o in SELECTOR_OPERATORS if o.lower() == op.lower()]
            hint = f" (did you mean {go_quote(close[0])}?)" if close else ""
            c.add(p + ("operator",), f"{go_quote(op)} is not a valid label selector operator: expected "
                                     f"one of In, NotIn, Exists, DoesNotExist{hint}")
        elif op in ("In", "NotIn") and n == 0:
            c.add(p + ("values",), f"values must be non-empty for operator {op}")
        elif op in ("Exists", "DoesNotExist") and n > 0:
            c.add(p + ("values",), f"values must be empty for operator {op}")
        if isinstance(values, list):
            for j, v in enumerate(values):
                if isinstance(v, str):
                    problem = _label_value_problem(v)
                    if problem:
                        c.add(p + ("values", j), f"invalid label value {c.shown(p, v)}: {problem}")


# --------------------------------------------------------------------------- relabel rules
#
# What Prometheus accepts is decided by the relabel authority (migrator.relabel.check_rule); a
# monitor's RelabelConfig goes through render's check_relabeling (the operator's own checks, then
# the authority on the rule the operator generates). Here: paths, lines, and no second report of a
# field the schema walk already refused.

_RELABEL_SCHEMA: dict | None = None


def _relabel_schema() -> dict:
    global _RELABEL_SCHEMA
    if _RELABEL_SCHEMA is None:
        spec = load_schema("ServiceMonitor")["versions"]["v1"]["properties"]["spec"]
        _RELABEL_SCHEMA = spec["properties"]["endpoints"]["items"]["properties"]["relabelings"]["items"]
    return _RELABEL_SCHEMA


def validate_relabel_config(rule: dict, *, path: tuple, doc: Document | None = None,
                            version: Version | str | None = None,
                            style: str | None = None) -> list[InputError]:
    """Errors of one relabel rule ([] when valid), as the operator/Prometheus would report them.

    rule: a monitor's relabeling (sourceLabels, targetLabel, ...) or a raw Prometheus rule
    (source_labels, target_label, ...); style "crd" or "prometheus" forces the reading, else it
    is guessed from the keys (camelCase when ambiguous). version: the Prometheus version the
    rule is for (default: the operator's default). path: where the rule is in doc.
    """
    if style is None:
        if isinstance(rule, dict) and any(k in rule for k in ("source_labels", "target_label")):
            style = "prometheus"
        else:
            style = "crd"
    if style not in ("crd", "prometheus"):
        raise ValueError(f"style must be 'crd' or 'prometheus', not {style!r}")
    c = _Collector(doc, _version(version))
    path = tuple(path)
    if style == "crd":
        if rule is None:
            c.add(path, "a relabeling must be a mapping, not null")
        else:
            _walk(c, rule, _relabel_schema(), path)  # the schema, then _relabel (a semantic hook)
        return c.errors
    text_of = None
    if doc is not None:
        def text_of(field: str) -> str | None:
            return doc.text_of(path + (field,))
    for p in check_rule(rule, version=c.version, text_of=text_of):
        c.add(path + p.path, str(p))
    return c.errors


def _relabel(c: _Collector, rule: Any, path: tuple) -> None:
    """A monitor's RelabelConfig (after the schema walk): the operator's and Prometheus's verdict."""
    from migrator.render.monitors import check_relabeling

    reported = {e.field for e in c.errors}
    for p in check_relabeling(rule, c.version):
        full = path + p.path
        if not any(dotted(full[:k]) in reported for k in range(len(path) + 1, len(full) + 1)):
            c.add(full, str(p))


def _port_regex(c: _Collector, endpoint: Any, path: tuple) -> None:
    """An endpoint's port name goes into a relabel regex: it must be a valid one."""
    from migrator.render.monitors import port_regex_problems

    for key, message in port_regex_problems(path[1], endpoint, c.version):
        c.add(path + (key,), message)


# --------------------------------------------------------------------------- metadata

_META_FIELDS = {
    "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation",
    "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "labels",
    "annotations", "ownerReferences", "finalizers", "managedFields",
}


def _metadata(c: _Collector, meta: Any, strict_names: bool) -> None:
    path = ("metadata",)
    if meta is None:
        c.add(path + ("name",), "required field \"metadata.name\" is missing")
        return
    if not isinstance(meta, dict):
        return  # the schema walk reports the type
    for key in meta:
        if _key_str(key) not in _META_FIELDS:
            close = difflib.get_close_matches(_key_str(key), sorted(_META_FIELDS), n=1, cutoff=0.6)
            hint = f" (did you mean {go_quote(close[0])}?)" if close else ""
            c.add(path + (key,), f"unknown field {go_quote(_key_str(key))}{hint}")
    name = meta.get("name")
    if name is None:
        c.add(path + ("name",), "required field \"name\" is missing")
    elif not isinstance(name, str):
        _type_error(c, name, "string", path + ("name",))
    elif name == "":
        c.add(path + ("name",), "name must not be empty")
    elif name in (".", "..") or "/" in name or "%" in name:
        c.add(path + ("name",), f"invalid name {go_quote(name)}: may not be '.' or '..' and may not "
                                "contain '/' or '%'")
    elif strict_names and (len(name) > 253 or not _DNS_SUBDOMAIN.fullmatch(name)):
        c.add(path + ("name",), f"invalid name {go_quote(name)}: must be a lowercase RFC 1123 subdomain "
                                "(a-z, 0-9, '-' and '.', starting and ending with an alphanumeric "
                                "character, at most 253 characters)")
    ns = meta.get("namespace")
    if ns is not None:
        if not isinstance(ns, str):
            _type_error(c, ns, "string", path + ("namespace",))
        elif len(ns) > 63 or not _DNS_LABEL.fullmatch(ns):
            c.add(path + ("namespace",), f"invalid namespace {go_quote(ns)}: must be a lowercase RFC 1123 "
                                         "label (a-z, 0-9 and '-', at most 63 characters)")
    for field in ("labels", "annotations"):
        m = meta.get(field)
        if m is None:
            continue
        if not isinstance(m, dict):
            _type_error(c, m, "object", path + (field,))
            continue
        for key, val in m.items():
            p = path + (field, key)
            problem = _qualified_name_problem(_key_str(key))
            if problem:
                c.add(p, f"invalid {field[:-1]} key {go_quote(_key_str(key))}: {problem}")
            if val is None:
                continue
            if not isinstance(val, str):
                _type_error(c, val, "string", p)
            elif field == "labels":
                problem = _label_value_problem(val)
                if problem:
                    c.add(p, f"invalid label value {c.shown(p, val)}: {problem}")


# --------------------------------------------------------------------------- entry point

def validate_monitor(doc: Document, *, version: Version | str | None = None,
                     strict_names: bool = False, operator_version: str | None = None) -> list[InputError]:
    """Every problem of a PodMonitor/ServiceMonitor (or ScrapeConfig/Probe) document; [] when valid.

    version: the Prometheus version the monitor is rendered for (relabel checks depend on it);
    default: the operator's default version. strict_names: also require metadata.name to be a
    lowercase RFC 1123 subdomain, as the API server does (off by default: the operator itself
    accepts any name, and its own test fixtures use names like "defaultPodMonitor").
    """
    c = _Collector(doc, _version(version))
    data = doc.data
    if not isinstance(data, dict):
        c.add((), f"not a Kubernetes object: the document is {_an(data)}, "
                  "expected a mapping with apiVersion, kind, metadata and spec")
        return c.errors
    kind = data.get("kind")
    if not isinstance(kind, str) or not kind:
        c.add(("kind",), "required field \"kind\" is missing" if kind is None else
              f"kind must be a non-empty string, not {_an(kind)}")
        return c.errors
    schema_doc = load_schema(kind, operator_version)  # the CRDs of that operator (default: the newest shipped)
    if schema_doc is None:
        c.add(("kind",), f"cannot validate kind {go_quote(kind)}: expected one of {', '.join(KINDS)}")
        return c.errors
    api = data.get("apiVersion")
    group = schema_doc["group"]
    served = sorted(schema_doc["versions"])
    expected = " or ".join(f"{group}/{s}" for s in served)
    if api is None:
        c.add(("apiVersion",), f"required field \"apiVersion\" is missing (expected {expected})")
        return c.errors
    if not isinstance(api, str) or "/" not in api or api.split("/", 1)[0] != group \
            or api.split("/", 1)[1] not in schema_doc["versions"]:
        c.add(("apiVersion",), f"apiVersion {go_quote(api)} is not served for {kind} (expected {expected})")
        return c.errors
    schema = schema_doc["versions"][api.split("/", 1)[1]]
    _walk(c, data, schema, ())
    _metadata(c, data.get("metadata"), strict_names)
    # Errors in document order, then by message, so output is stable and reads top to bottom.
    c.errors.sort(key=lambda e: (e.line or 0))
    return c.errors


def validate_documents(docs: Iterable[Document], *, version: Version | str | None = None,
                       strict_names: bool = False) -> list[InputError]:
    """validate_monitor over several documents, errors concatenated; then monitors given twice."""
    docs = list(docs)
    out: list[InputError] = []
    for doc in docs:
        out.extend(validate_monitor(doc, version=version, strict_names=strict_names))
    out.extend(duplicate_objects(docs)[0])
    return out


_MONITOR_KINDS = ("ServiceMonitor", "PodMonitor", "ScrapeConfig", "Probe")


def duplicate_objects(docs: Iterable[Document]) -> tuple[list[InputError], list[str]]:
    """Objects given twice (same kind, namespace and name): (errors, warnings).

    A monitor given twice is an error, at the second one, naming both places: Kubernetes holds
    one object per name, and render could not tell which one is meant. A Secret or ConfigMap
    given twice is a warning (render uses the later one). Other documents are ignored.
    """
    first: dict[tuple, Document] = {}
    errors: list[InputError] = []
    warnings: list[str] = []
    for doc in docs:
        data = doc.data
        if not isinstance(data, dict) or not isinstance(data.get("metadata"), dict):
            continue
        kind, meta = data.get("kind"), data["metadata"]
        name, ns = meta.get("name"), meta.get("namespace") or "default"
        if kind not in _MONITOR_KINDS + ("Secret", "ConfigMap") or not isinstance(name, str) \
                or not isinstance(ns, str):
            continue
        key = (kind, ns, name)
        if key not in first:
            first[key] = doc
            continue
        where = f"{first[key].file}:{first[key].line}"
        if kind in _MONITOR_KINDS:
            errors.append(doc.error(f"{kind} {ns}/{name} is given twice (also at {where}): keep one",
                                    ("metadata", "name")))
        else:
            warnings.append(f"{doc.file}:{doc.line}: {kind} {ns}/{name} is given twice (also at "
                            f"{where}): the later one is used")
    return errors, warnings
