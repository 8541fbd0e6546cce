"""Prometheus durations: the one parser and formatter every command uses.

* ``parse_duration(text, version=...)``: prometheus/common model.ParseDuration, in milliseconds,
  ValueError with Prometheus's message. Up to 2.42 (common v0.39) Prometheus used a regex-based
  parser; from 2.43 a hand-written one. Both accept the same strings; they word some refusals
  differently (``5x``: "not a valid duration string" / "unknown unit"; a number beyond uint64:
  "duration out of range" / "not a valid duration string").
* ``format_duration(ms)``: model.Duration.String().
* ``operator_duration_problem(text)``: the operator CRDs' Duration pattern (monitoringv1.Duration),
  the thin check the API server makes before Prometheus sees the value. It differs from Prometheus
  in one place: the pattern accepts "" (the field is then unset), ParseDuration refuses it.

Pure.
"""

from __future__ import annotations

import functools
import re

from migrator.relabel.rules import _go_quote, resolve_version
from migrator.version import Version

__all__ = ["parse_duration", "format_duration", "duration_or_none", "operator_duration_problem",
           "DURATION_PATTERN", "NEW_PARSER_SINCE"]

#: The Duration pattern of the operator CRDs (monitoringv1.Duration), exactly as the schemas hold it.
DURATION_PATTERN = ("^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?"
                    "(([0-9]+)ms)?)$")
_CRD_RE = re.compile(DURATION_PATTERN.replace("$", r"\Z"))

#: The first release whose ParseDuration is the hand-written one (prometheus/common v0.42).
NEW_PARSER_SINCE = Version(2, 43, 0)

_MS = {"y": 365 * 86_400_000, "w": 7 * 86_400_000, "d": 86_400_000, "h": 3_600_000,
       "m": 60_000, "s": 1000, "ms": 1}
_UNIT_POS = {"y": 1, "w": 2, "d": 3, "h": 4, "m": 5, "s": 6, "ms": 7}
_OLD_DURATION = re.compile(r"(?:([0-9]+)y)?(?:([0-9]+)w)?(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?"
                           r"(?:([0-9]+)s)?(?:([0-9]+)ms)?\Z")
_INT64_MAX = 2 ** 63 - 1
_UINT64_MAX = 2 ** 64 - 1


def parse_duration(text: str, *, version: Version | str | None = None) -> int:
    """model.ParseDuration of the given Prometheus release, in milliseconds; ValueError with its message."""
    if not isinstance(text, str):
        raise ValueError(f"not a valid duration string: {text!r}")
    return parse_duration_cached(text, resolve_version(version) < NEW_PARSER_SINCE)


def duration_or_none(text: object, *, version: Version | str | None = None) -> int | None:
    """parse_duration for a value of any type: None when it is not a valid duration string."""
    if not isinstance(text, str):
        return None
    try:
        return parse_duration_cached(text, resolve_version(version) < NEW_PARSER_SINCE)
    except ValueError:
        return None


@functools.lru_cache(maxsize=1024)
def parse_duration_cached(text: str, old: bool) -> int:
    """parse_duration with the parser chosen: ``old`` is the regex parser of releases before 2.43."""
    if text == "0":
        return 0
    if text == "":
        raise ValueError("empty duration string")
    return _parse_old(text) if old else _parse_new(text)


def _wrap64(x: int) -> int:
    x &= _UINT64_MAX
    return x - 2 ** 64 if x >= 2 ** 63 else x


def _parse_old(s: str) -> int:
    """common v0.39: durationRE, strconv.Atoi (clamped on overflow), int64 arithmetic that wraps."""
    m = _OLD_DURATION.match(s)
    if not m:
        raise ValueError(f"not a valid duration string: {_go_quote(s)}")
    dur = 0
    overflow = False
    for digits, unit in zip(m.groups(), ("y", "w", "d", "h", "m", "s", "ms")):
        if digits is None:
            continue
        n = min(int(digits), _INT64_MAX)
        if n > _INT64_MAX // _MS[unit] // 1_000_000:
            overflow = True
        dur = _wrap64(dur + _wrap64(_wrap64(n * 1_000_000) * _MS[unit]))
        if dur < 0:
            overflow = True
    if overflow:
        raise ValueError("duration out of range")
    return dur // 1_000_000


def _is_digit(ch: str) -> bool:
    return "0" <= ch <= "9"


def _parse_new(s: str) -> int:
    """common v0.42+: digits (strconv.ParseUint), then a unit, units strictly largest first."""
    orig, dur_ns, last, i, n = s, 0, 0, 0, len(s)
    while i < n:
        if not _is_digit(s[i]):
            raise ValueError(f"not a valid duration string: {_go_quote(orig)}")
        j = i
        while j < n and _is_digit(s[j]):
            j += 1
        value = int(s[i:j])
        if value > _UINT64_MAX:  # ParseUint fails
            raise ValueError(f"not a valid duration string: {_go_quote(orig)}")
        k = j
        while k < n and not _is_digit(s[k]):
            k += 1
        if k == j:
            raise ValueError(f"not a valid duration string: {_go_quote(orig)}")
        unit = s[j:k]
        if unit not in _UNIT_POS:
            raise ValueError(f"unknown unit {_go_quote(unit)} in duration {_go_quote(orig)}")
        if _UNIT_POS[unit] <= last:  # units go from the largest to the smallest, each once
            raise ValueError(f"not a valid duration string: {_go_quote(orig)}")
        last = _UNIT_POS[unit]
        mult = _MS[unit] * 1_000_000
        if value > (1 << 63) // mult:
            raise ValueError("duration out of range")
        dur_ns = (dur_ns + value * mult) & _UINT64_MAX
        if dur_ns > _INT64_MAX:
            raise ValueError("duration out of range")
        i = k
    return dur_ns // 1_000_000


def format_duration(ms: int) -> str:
    """model.Duration.String(): largest units first; y and w only when exact; 0 is "0s"."""
    ms = int(ms)
    if ms == 0:
        return "0s"
    sign = ""
    if ms < 0:
        sign, ms = "-", -ms
    out = []
    for unit, exact in (("y", True), ("w", True), ("d", False), ("h", False), ("m", False),
                        ("s", False), ("ms", False)):
        mult = _MS[unit]
        if exact and ms % mult:
            continue
        q = ms // mult
        if q > 0:
            out.append(f"{q}{unit}")
            ms -= q * mult
    return sign + "".join(out)


def operator_duration_problem(text: object, *, version: Version | str | None = None) -> str | None:
    """Why the API server or Prometheus refuses a monitoringv1.Duration value; None when it is fine.

    The CRD pattern first (it accepts "", an unset value), then Prometheus's ParseDuration, whose
    overflow check the pattern cannot make.
    """
    if not isinstance(text, str) or _CRD_RE.match(text) is None:
        return ("expected a Prometheus duration such as 30s, 1m30s or 1h (units y, w, d, h, m, s, ms, "
                "largest first, whole numbers)")
    if text == "":
        return None
    try:
        parse_duration(text, version=version)
    except ValueError as exc:
        return str(exc)
    return None
