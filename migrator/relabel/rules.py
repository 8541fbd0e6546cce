"""Relabel rules: parsing and load-time validation as Prometheus does it (semantics.md 1.2, 1.7).

``parse_rule`` takes one rule as plain data (a dict from YAML/JSON) and returns a
``Rule``, or raises ``ConfigError`` with Prometheus's own message. Checks follow
the version given (2.42 rules up to 2.49, then the 2.50 / 3.0 / 3.2 / 3.7.0 /
3.7.2 changes), and the name validation scheme (``legacy`` or ``utf8``; the
default is ``legacy`` before 3.0 and ``utf8`` from 3.0 on).
"""

from __future__ import annotations

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


def parse_rule(raw: Any, *, version: Version | str | None = None, scheme: str | None = None,
               text_of: Optional[Callable[[str], Optional[str]]] = None,
               kind: str = "target") -> Rule:
    """One relabel rule from plain data, validated as Prometheus ``version`` validates it.

    ``scheme`` is the scrape config's name validation scheme ("legacy" or "utf8"; default by
    version). ``text_of(field)`` may give the literal YAML text of a scalar field, because
    Prometheus reads string fields as their literal text (``replacement: 010`` is "010").
    ``kind`` names the rule list in the null-rule message ("target", "metric", ...).
    Raises ConfigError(message, field=...) with Prometheus's message.
    """
    v = resolve_version(version)
    sch = scheme or default_scheme(v)
    if sch not in ("legacy", "utf8"):
        raise ConfigError(
            "unknown relabel config name validation method specified, must be either '', "
            f"'legacy' or 'utf8', got {sch}")
    if raw is None:
        raise ConfigError(f"empty or null {kind} relabeling rule in scrape config")
    if not isinstance(raw, dict):
        raise ConfigError(_unmarshal_error(raw, "relabel.plain"))

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

    explicit = set()
    action = "replace"
    source_labels: tuple[str, ...] = ()
    source_set = False
    separator = DEFAULT_SEPARATOR
    regex_text = DEFAULT_REGEX
    modulus = 0
    target_label = ""
    replacement = DEFAULT_REPLACEMENT
    angle = v.at_least("2.51.0")
    u13 = not v.at_least("2.47.0")
    dotall = v.major >= 3
    regex: Optional[Regex] = None
    # go-yaml v2: type errors are collected and reported at the end; an error from a custom
    # unmarshaler (action, label names, regex) stops decoding at once.
    type_errors: list[ConfigError] = []
    for key, value in raw.items():
        try:
            if key not in FIELDS:
                raise _TypeError(f"field {key} not found in type relabel.plain", field=str(key))
            explicit.add(key)
            if key == "action":
                if value is None:
                    action = ""
                    continue
                s = text(key, value)
                low = s.lower()
                if low not in ACTIONS:
                    raise ConfigError(f"unknown relabel action {_go_quote(s)}", field=key)
                action = low
            elif key == "source_labels":
                if value is None:
                    source_labels = ()
                    source_set = False
                    continue
                if not isinstance(value, list):
                    raise _TypeError(_unmarshal_error(value, "model.LabelNames"), field=key)
                names = []
                for i, item in enumerate(value):
                    if isinstance(item, (list, dict)):
                        raise _TypeError(_unmarshal_error(item, "string"), field=f"{key}[{i}]")
                    name = "" if item is None else (item if isinstance(item, str) else _scalar_text(item))
                    ok = is_utf8_name(name) if v.major >= 3 else is_legacy_name(name)
                    if not ok:
                        raise ConfigError(f"{_go_quote(name)} is not a valid label name", field=f"{key}[{i}]")
                    names.append(name)
                source_labels = tuple(names)
                source_set = True
            elif key == "separator":
                separator = text(key, value)
            elif key == "regex":
                regex_text = text(key, value)
                try:
                    regex = compile_regex(regex_text, dotall=dotall, angle_names=angle, unicode13=u13)
                except RegexError as exc:
                    raise ConfigError(str(exc), field="regex") from None
            elif key == "modulus":
                modulus = _parse_modulus(value)
            elif key == "target_label":
                target_label = text(key, value)
            elif key == "replacement":
                replacement = text(key, value)
        except _TypeError as exc:
            type_errors.append(exc)
    if type_errors:
        first = type_errors[0]
        raise ConfigError(first.message, field=first.field)
    if regex is None:
        regex = compile_regex(regex_text, dotall=dotall, angle_names=angle, unicode13=u13)

    default_regex = "regex" not in explicit  # Go compares the compiled object's identity
    _validate(v, sch, action, source_set, separator, default_regex, modulus, target_label,
              replacement)
    return Rule(action=action, source_labels=source_labels, separator=separator, regex=regex,
                modulus=modulus, target_label=target_label, replacement=replacement,
                explicit=frozenset(explicit), version=v, scheme=sch,
                legacy_replace=v < Version(2, 50, 0),
                target_template=Template(target_label), replacement_template=Template(replacement))


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


def _go_quote(s: str) -> str:
    """Go's %q for the strings that appear in messages (ASCII printable kept, others escaped)."""
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
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
              default_regex: bool, modulus: int, target: str, replacement: str) -> None:
    def fail(msg: str, fld: Optional[str] = None) -> None:
        raise ConfigError(msg, field=fld)

    if action == "":
        fail("relabel action cannot be empty", "action")
    if modulus == 0 and action == "hashmod":
        fail("relabel configuration for hashmod requires non-zero modulus", "modulus")
    if action in ("replace", "hashmod", "lowercase", "uppercase", "keepequal", "dropequal") and target == "":
        fail(f"relabel configuration for {action} action requires 'target_label' value", "target_label")

    def name_ok(s: str) -> bool:
        return is_legacy_name(s) if scheme == "legacy" else is_utf8_name(s)

    def invalid_target() -> None:
        fail(f"{_go_quote(target)} is invalid 'target_label' for {action} action", "target_label")

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
            fail(f"{_go_quote(replacement)} is invalid 'replacement' for {action} action", "replacement")
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
            fail(f"{_go_quote(replacement)} is invalid 'replacement' for {action} action", "replacement")
        if action == "hashmod" and not name_ok(target):
            invalid_target()

    if action in ("keepequal", "dropequal"):
        if not default_regex or modulus != 0 or separator != DEFAULT_SEPARATOR \
                or replacement != DEFAULT_REPLACEMENT:
            fail(f"{action} action requires only 'source_labels' and `target_label`, and no other fields")
    if action in ("labeldrop", "labelkeep"):
        if source_set or target != "" or modulus != 0 or separator != DEFAULT_SEPARATOR \
                or replacement != DEFAULT_REPLACEMENT:
            fail(f"{action} action requires only 'regex', and no other fields")
