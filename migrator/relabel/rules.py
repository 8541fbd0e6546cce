"""Relabel rules: parsing and load-time validation as Prometheus does it (semantics.md 1.2, 1.7).

``parse_rule`` takes one rule as plain data (a dict from YAML/JSON) and returns a
``Rule``, or raises ``ConfigError`` with Prometheus's own message. Checks follow
the version given (2.42 rules up to 2.49, then the 2.50 / 3.0 / 3.2 / 3.7.0 /
3.7.2 changes), and the name validation scheme (``legacy`` or ``utf8``; the
default is ``legacy`` before 3.0 and ``utf8`` from 3.0 on).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from migrator.errors import ConfigError
from migrator.relabel.regex import Regex, RegexError, compile_regex
from migrator.relabel.template import Template
from migrator import version as _version_mod
from migrator.version import Version

ACTIONS = ("replace", "keep", "drop", "keepequal", "dropequal", "hashmod", "labelmap",
           "labeldrop", "labelkeep", "lowercase", "uppercase")
FIELDS = ("source_labels", "separator", "regex", "modulus", "target_label", "replacement", "action")

DEFAULT_SEPARATOR = ";"
DEFAULT_REGEX = "(.*)"
DEFAULT_REPLACEMENT = "$1"
MAX_UINT64 = 2 ** 64 - 1

_LEGACY_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*\Z")
#: Prometheus's relabelTarget / relabelTargetLegacy regex ("T" in semantics.md 1.7).
_TEMPLATE_TARGET = re.compile(r"(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+\Z", re.ASCII)


def is_legacy_name(name: str) -> bool:
    """Legacy label-name rule: ``[a-zA-Z_][a-zA-Z0-9_]*``."""
    return bool(_LEGACY_NAME.match(name))


def is_utf8_name(name: str) -> bool:
    """UTF-8 label-name rule (3.x): any non-empty valid UTF-8 string."""
    return name != "" and is_valid_utf8(name)


def is_valid_utf8(s: str) -> bool:
    """Whether s encodes as valid UTF-8 (Python strings can hold lone surrogates)."""
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def is_template_target(s: str) -> bool:
    """The legacy template check T: legacy name segments, ``$name`` or ``${name}``."""
    return bool(_TEMPLATE_TARGET.match(s))


def default_scheme(version: Version) -> str:
    return "utf8" if version.major >= 3 else "legacy"


_parsed_versions: dict[tuple, Version] = {}


def resolve_version(version: Version | str | None) -> Version:
    if isinstance(version, Version):
        return version
    if version is None or isinstance(version, str):
        # Parsed once per text (None: per current default); Versions are never changed.
        key = (version, _version_mod.DEFAULT_PROMETHEUS_VERSION)
        v = _parsed_versions.get(key)
        if v is None:
            v = Version.parse(version)
            if len(_parsed_versions) >= 256:
                _parsed_versions.clear()
            _parsed_versions[key] = v
        return v
    return Version.parse(version)


@dataclass(frozen=True, eq=False)
class Rule:
    """One relabel rule, with defaults applied and regex/templates compiled."""

    action: str = "replace"
    source_labels: tuple[str, ...] = ()
    separator: str = DEFAULT_SEPARATOR
    regex: Regex = field(default=None)  # type: ignore[assignment]
    modulus: int = 0
    target_label: str = ""
    replacement: str = DEFAULT_REPLACEMENT
    #: Which fields the input set explicitly (for diagnostics and round trips).
    explicit: frozenset = frozenset()
    #: Version whose runtime semantics apply.
    version: Version = field(default=None)  # type: ignore[assignment]
    #: Name validation scheme for the runtime target check ("legacy" or "utf8").
    scheme: str = "legacy"
    #: Runtime semantics of 2.42-2.49 replace: delete the unexpanded target_label (see engine).
    legacy_replace: bool = field(default=False, repr=False)
    target_template: Template = field(default=None, repr=False)  # type: ignore[assignment]
    replacement_template: Template = field(default=None, repr=False)  # type: ignore[assignment]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Rule) and self.key() == other.key()

    def __hash__(self) -> int:
        return hash(self.key())

    def key(self) -> tuple:
        return (self.action, self.source_labels, self.separator, self.regex.pattern, self.modulus,
                self.target_label, self.replacement)

    def to_dict(self) -> dict[str, Any]:
        """The rule as YAML-ready data, fields at their defaults left out."""
        out: dict[str, Any] = {}
        if self.source_labels:
            out["source_labels"] = list(self.source_labels)
        if self.separator != DEFAULT_SEPARATOR:
            out["separator"] = self.separator
        if self.regex.pattern != DEFAULT_REGEX or "regex" in self.explicit:
            out["regex"] = self.regex.pattern
        if self.modulus:
            out["modulus"] = self.modulus
        if self.target_label:
            out["target_label"] = self.target_label
        if self.replacement != DEFAULT_REPLACEMENT:
            out["replacement"] = self.replacement
        if self.action != "replace":
            out["action"] = self.action
        return out

    def describe(self) -> str:
        """A short one-line description, for explanations."""
        d = self.to_dict()
        parts = [self.action]
        for k in ("source_labels", "regex", "target_label", "replacement", "modulus", "separator"):
            if k in d:
                parts.append(f"{k}={d[k]!r}")
        return " ".join(parts)


@dataclass(frozen=True)
class RuleProblem:
    """One reason Prometheus refuses a relabel rule.

    ``path`` is where, relative to the rule's own path given to ``check_rule`` (``()`` = the rule
    itself, ``("regex",)``, ``("source_labels", 2)``); ``message`` is Prometheus's own wording;
    ``hint`` an optional explanation of ours (never part of ``message``).
    """

    path: tuple
    message: str
    hint: str = ""

    @property
    def field(self) -> Optional[str]:
        """The path as text (``source_labels[2]``), None for the rule itself."""
        out = ""
        for part in self.path:
            out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
        return out or None

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


#: Actions newer than the oldest Prometheus modelled: the first version that knows them.
ACTION_SINCE = {"lowercase": Version(2, 36, 0), "uppercase": Version(2, 36, 0),
                "keepequal": Version(2, 41, 0), "dropequal": Version(2, 41, 0)}


class _TypeError(ConfigError):
    """A go-yaml type error (collected, reported after the whole rule is decoded)."""


def _tag(v: Any) -> str:
    if v is None:
        return "!!null"
    if isinstance(v, bool):
        return "!!bool"
    if isinstance(v, int):
        return "!!int"
    if isinstance(v, float):
        return "!!float"
    if isinstance(v, str):
        return "!!str"
    if isinstance(v, list):
        return "!!seq"
    if isinstance(v, dict):
        return "!!map"
    return "!!" + type(v).__name__


def _scalar_text(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _unmarshal_error(v: Any, into: str) -> str:
    if isinstance(v, (list, dict)):
        return f"cannot unmarshal {_tag(v)} into {into}"
    return f"cannot unmarshal {_tag(v)} `{_scalar_text(v)}` into {into}"


def _path_of(fld: Optional[str]) -> tuple:
    """"source_labels[2]" -> ("source_labels", 2)."""
    if not fld:
        return ()
    name, _, rest = fld.partition("[")
    return (name, int(rest[:-1])) if rest else (name,)


class _Decoded:
    """A rule's fields as decoded so far (defaults where absent or undecodable)."""

    __slots__ = ("action", "source_labels", "source_set", "separator", "regex_text", "regex",
                 "modulus", "target_label", "replacement", "explicit")

    def __init__(self) -> None:
        self.action = "replace"
        self.source_labels: tuple[str, ...] = ()
        self.source_set = False
        self.separator = DEFAULT_SEPARATOR
        self.regex_text = DEFAULT_REGEX
        self.regex: Optional[Regex] = None
        self.modulus = 0
        self.target_label = ""
        self.replacement = DEFAULT_REPLACEMENT
        self.explicit: set = set()


def _check(raw: Any, v: Version, sch: str, kind: str,
           text_of: Optional[Callable[[str], Optional[str]]]) -> tuple[list[RuleProblem], _Decoded]:
    """Every problem of one rule (Prometheus's own first), and what could be decoded."""
    d = _Decoded()
    if raw is None:
        return [RuleProblem((), f"empty or null {kind} relabeling rule in scrape config")], d
    if not isinstance(raw, dict):
        return [RuleProblem((), _unmarshal_error(raw, "relabel.plain"))], d

    def text(name: str, value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, str):
            return value
        if isinstance(value, (list, dict)):
            raise _TypeError(_unmarshal_error(value, "string"), field=name)
        if text_of is not None:
            t = text_of(name)
            if t is not None:
                return t
        return _scalar_text(value)

    angle = v.at_least("2.51.0")
    u13 = not v.at_least("2.47.0")
    dotall = v.major >= 3
    # go-yaml v2 collects type errors and reports them at the end; an error from a custom
    # unmarshaler (action, label names, regex) stops decoding at once: Prometheus reports the
    # first of those, else the first type error, else the first failed check. Here every one
    # is collected, Prometheus's first.
    custom: list[RuleProblem] = []
    types: list[RuleProblem] = []
    action_ok = True
    for key, value in raw.items():
        try:
            if key not in FIELDS:
                close = difflib.get_close_matches(str(key), FIELDS, n=1, cutoff=0.6)
                types.append(RuleProblem((str(key),), f"field {key} not found in type relabel.plain",
                                         f"did you mean {close[0]}?" if close else ""))
                continue
            d.explicit.add(key)
            if key == "action":
                if value is None:
                    d.action = ""
                    continue
                try:
                    s = text(key, value)
                except _TypeError:
                    action_ok = False
                    raise
                low = s.lower()
                since = ACTION_SINCE.get(low)
                if low not in ACTIONS or (since is not None and v < since):
                    action_ok = False
                    hint = f"{low} needs Prometheus >= {since.text[1:]}" if low in ACTIONS else ""
                    custom.append(RuleProblem(("action",), f"unknown relabel action {go_quote(s)}", hint))
                    continue
                d.action = low
            elif key == "source_labels":
                if value is None:
                    d.source_labels, d.source_set = (), False
                    continue
                if not isinstance(value, list):
                    raise _TypeError(_unmarshal_error(value, "model.LabelNames"), field=key)
                names = []
                for i, item in enumerate(value):
                    if isinstance(item, (list, dict)):
                        types.append(RuleProblem((key, i), _unmarshal_error(item, "string")))
                        continue
                    name = "" if item is None else (item if isinstance(item, str) else _scalar_text(item))
                    ok = is_utf8_name(name) if v.major >= 3 else is_legacy_name(name)
                    if not ok:
                        custom.append(RuleProblem((key, i), f"{go_quote(name)} is not a valid label name"))
                    names.append(name)
                d.source_labels, d.source_set = tuple(names), True
            elif key == "separator":
                d.separator = text(key, value)
            elif key == "regex":
                d.regex_text = text(key, value)
                try:
                    d.regex = compile_regex(d.regex_text, dotall=dotall, angle_names=angle, unicode13=u13)
                except RegexError as exc:
                    custom.append(RuleProblem(("regex",), str(exc), exc.hint))
            elif key == "modulus":
                d.modulus = _parse_modulus(value)
            elif key == "target_label":
                d.target_label = text(key, value)
            elif key == "replacement":
                d.replacement = text(key, value)
        except _TypeError as exc:
            types.append(RuleProblem(_path_of(exc.field), exc.message))
    problems = custom + types
    if "regex" not in d.explicit:
        d.regex = compile_regex(DEFAULT_REGEX, dotall=dotall, angle_names=angle, unicode13=u13)
    if action_ok:
        decoded_badly = {p.path[:1] for p in problems}
        default_regex = "regex" not in d.explicit  # Go compares the compiled object's identity
        for p in _validate(v, sch, d.action, d.source_set, d.separator, default_regex, d.modulus,
                           d.target_label, d.replacement):
            if p.path[:1] not in decoded_badly:
                problems.append(p)
    return problems, d


def check_rule(raw: Any, *, version: Version | str | None = None, path: tuple = (),
               scheme: str | None = None, kind: str = "target",
               text_of: Optional[Callable[[str], Optional[str]]] = None) -> list[RuleProblem]:
    """Every reason Prometheus ``version`` refuses the relabel rule ``raw`` ([] = accepted).

    The one authority on relabel rules: parse_rule (targets, migrate, diff), validate (a
    monitor's relabelings, mapped to this form) and render call it. Paths are ``path`` + the
    field's path; the first problem is the one Prometheus itself reports (it stops there).
    ``scheme``, ``kind`` and ``text_of`` as for parse_rule.
    """
    v = resolve_version(version)
    problems, _ = _check(raw, v, _scheme(scheme, v), kind, text_of)
    if path:
        problems = [RuleProblem(tuple(path) + p.path, p.message, p.hint) for p in problems]
    return problems


def check_rules(raw: Any, *, version: Version | str | None = None, path: tuple = (),
                scheme: str | None = None, kind: str = "target") -> list[RuleProblem]:
    """check_rule over a rule list (``relabel_configs``): every problem of every rule, paths
    ``path + (i, field...)``; the first is the one Prometheus reports."""
    path = tuple(path)
    if raw is None:
        return []
    if not isinstance(raw, list):
        return [RuleProblem(path, _unmarshal_error(raw, "[]*relabel.Config"))]
    out: list[RuleProblem] = []
    for i, item in enumerate(raw):
        out.extend(check_rule(item, version=version, path=path + (i,), scheme=scheme, kind=kind))
    return out


def _scheme(scheme: str | None, v: Version) -> str:
    sch = scheme or default_scheme(v)
    if sch not in ("legacy", "utf8"):
        raise ConfigError(
            "unknown relabel config name validation method specified, must be either '', "
            f"'legacy' or 'utf8', got {sch}")
    return sch


def parse_rule(raw: Any, *, version: Version | str | None = None, scheme: str | None = None,
               text_of: Optional[Callable[[str], Optional[str]]] = None,
               kind: str = "target") -> Rule:
    """One relabel rule from plain data, validated as Prometheus ``version`` validates it.

    ``scheme`` is the scrape config's name validation scheme ("legacy" or "utf8"; default by
    version). ``text_of(field)`` may give the literal YAML text of a scalar field, because
    Prometheus reads string fields as their literal text (``replacement: 010`` is "010").
    ``kind`` names the rule list in the null-rule message ("target", "metric", ...).
    Raises ConfigError(message, field=...) with Prometheus's message (check_rule's first problem).
    """
    v = resolve_version(version)
    sch = _scheme(scheme, v)
    problems, d = _check(raw, v, sch, kind, text_of)
    if problems:
        first = problems[0]
        raise ConfigError(first.message, field=first.field)
    return Rule(action=d.action, source_labels=d.source_labels, separator=d.separator,
                regex=d.regex, modulus=d.modulus, target_label=d.target_label,
                replacement=d.replacement, explicit=frozenset(d.explicit), version=v, scheme=sch,
                legacy_replace=v < Version(2, 50, 0),
                target_template=Template(d.target_label),
                replacement_template=Template(d.replacement))


def parse_rules(raw: Any, *, version: Version | str | None = None, scheme: str | None = None,
                kind: str = "target",
                text_of: Optional[Callable[[int, str], Optional[str]]] = None) -> list[Rule]:
    """A list of rules (``relabel_configs``); field names in errors are ``[i].field``.

    ``text_of(i, field)`` may give the literal YAML text of rule i's scalar field.
    """
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ConfigError(_unmarshal_error(raw, "[]*relabel.Config"))
    out = []
    for i, item in enumerate(raw):
        if item is None:
            raise ConfigError(f"empty or null {kind} relabeling rule in scrape config", field=f"[{i}]")
        try:
            tf = (lambda f, _i=i: text_of(_i, f)) if text_of is not None else None
            out.append(parse_rule(item, version=version, scheme=scheme, kind=kind, text_of=tf))
        except ConfigError as exc:
            exc.field = f"[{i}]" + (f".{exc.field}" if exc.field else "")
            raise
    return out


_GO_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t",
               "\v": "\\v", '"': '\\"', "\\": "\\\\"}


def go_quote(s: Any) -> str:
    """Go's %q (strconv.Quote): the one quoting of values in Prometheus-style messages."""
    s = str(s)
    if s.isascii() and s.isprintable() and '"' not in s and "\\" not in s:
        return f'"{s}"'
    out = ['"']
    for ch in s:
        o = ord(ch)
        esc = _GO_ESCAPES.get(ch)
        if esc is not None:
            out.append(esc)
        elif o < 0x20 or o == 0x7F:
            out.append(f"\\x{o:02x}")
        elif "\ud800" <= ch <= "\udfff":
            out.append("\\ufffd")
        elif o >= 0x80 and not ch.isprintable():
            out.append(f"\\u{o:04x}" if o <= 0xFFFF else f"\\U{o:08x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


_go_quote = go_quote  # the name other modules import


def _parse_modulus(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or isinstance(value, (str, list, dict)):
        raise _TypeError(_unmarshal_error(value, "uint64"), field="modulus")
    if isinstance(value, float):
        if value != value or value < 0 or value > MAX_UINT64:
            raise _TypeError(_unmarshal_error(value, "uint64"), field="modulus")
        return int(value)
    if isinstance(value, int):
        if value < 0 or value > MAX_UINT64:
            raise _TypeError(_unmarshal_error(value, "uint64"), field="modulus")
        return value
    raise _TypeError(_unmarshal_error(value, "uint64"), field="modulus")


def _validate(v: Version, scheme: str, action: str, source_set: bool, separator: str,
              default_regex: bool, modulus: int, target: str, replacement: str) -> list[RuleProblem]:
    """Prometheus's checks after decoding, in its order; at most one problem per field."""
    out: list[RuleProblem] = []

    def fail(msg: str, fld: str) -> None:
        if not any(p.path[:1] == (fld,) for p in out):
            out.append(RuleProblem((fld,), msg))

    if action == "":
        fail("relabel action cannot be empty", "action")
        return out
    if modulus == 0 and action == "hashmod":
        fail("relabel configuration for hashmod requires non-zero modulus", "modulus")
    if action in ("replace", "hashmod", "lowercase", "uppercase", "keepequal", "dropequal") and target == "":
        fail(f"relabel configuration for {action} action requires 'target_label' value", "target_label")

    def name_ok(s: str) -> bool:
        return is_legacy_name(s) if scheme == "legacy" else is_utf8_name(s)

    def invalid_target() -> None:
        fail(f"{go_quote(target)} is invalid 'target_label' for {action} action", "target_label")

    def template_ok(s: str) -> bool:
        """Check for replace templates and labelmap replacements, by version."""
        if v.major < 3:
            return is_template_target(s)
        if v < Version(3, 2, 0):
            return is_template_target(s)
        if Version(3, 7, 0) <= v < Version(3, 7, 2):
            return name_ok(s)
        return is_utf8_name(s) if scheme == "utf8" else is_template_target(s)

    if v < Version(2, 50, 0):
        if action in ("replace", "lowercase", "uppercase", "keepequal", "dropequal") \
                and not is_template_target(target):
            invalid_target()
        if action in ("lowercase", "uppercase", "keepequal", "dropequal") and replacement != DEFAULT_REPLACEMENT:
            fail(f"'replacement' can not be set for {action} action", "replacement")
        if action == "labelmap" and not is_template_target(replacement):
            fail(f"{go_quote(replacement)} is invalid 'replacement' for {action} action", "replacement")
        if action == "hashmod" and not is_legacy_name(target):
            invalid_target()
    else:
        if v.major < 3:
            scheme = "legacy"
        if action == "replace":
            if "$" in target:
                if not template_ok(target):
                    invalid_target()
            elif not name_ok(target):
                invalid_target()
        if action in ("lowercase", "uppercase", "keepequal", "dropequal") and not name_ok(target):
            invalid_target()
        if action in ("lowercase", "uppercase", "keepequal", "dropequal") and replacement != DEFAULT_REPLACEMENT:
            fail(f"'replacement' can not be set for {action} action", "replacement")
        if action == "labelmap" and not template_ok(replacement):
            fail(f"{go_quote(replacement)} is invalid 'replacement' for {action} action", "replacement")
        if action == "hashmod" and not name_ok(target):
            invalid_target()

    # The message names no field; the path is the first field that should not be there.
    if action in ("keepequal", "dropequal"):
        extra = [f for f, bad in (("regex", not default_regex), ("modulus", modulus != 0),
                                  ("separator", separator != DEFAULT_SEPARATOR),
                                  ("replacement", replacement != DEFAULT_REPLACEMENT)) if bad]
        if extra:
            fail(f"{action} action requires only 'source_labels' and `target_label`, and no other fields",
                 extra[0])
    if action in ("labeldrop", "labelkeep"):
        extra = [f for f, bad in (("source_labels", source_set), ("target_label", target != ""),
                                  ("modulus", modulus != 0), ("separator", separator != DEFAULT_SEPARATOR),
                                  ("replacement", replacement != DEFAULT_REPLACEMENT)) if bad]
        if extra:
            fail(f"{action} action requires only 'regex', and no other fields", extra[0])
    return out
