"""Small pure helpers shared by the renderer: durations, byte sizes, quantities, label selectors."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from migrator.errors import InputError
from migrator.relabel.duration import duration_or_none

_INVALID_LABEL_CHAR = re.compile(r"[^a-zA-Z0-9_]")
_LEGACY_LABEL = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
_LEGACY_TARGET_WITH_VARS = re.compile(r"^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$")


def sanitize_label_name(name: str) -> str:
    """The operator's sanitizeLabelName: every character outside [a-zA-Z0-9_] becomes '_'."""
    return _INVALID_LABEL_CHAR.sub("_", str(name))


def valid_label_name(name: str, utf8: bool) -> bool:
    if utf8:
        return len(name) > 0
    return bool(_LEGACY_LABEL.match(name))


def valid_label_name_with_vars(name: str, utf8: bool) -> bool:
    if utf8:
        return len(name) > 0
    return bool(_LEGACY_TARGET_WITH_VARS.match(name))


def parse_duration_ms(text: str) -> int | None:
    """Prometheus model.ParseDuration (migrator.relabel.duration) in milliseconds, or None when invalid."""
    return duration_or_none(str(text))


_BYTE_UNITS = {"B": 0, "KB": 1, "KIB": 1, "MB": 2, "MIB": 2, "GB": 3, "GIB": 3, "TB": 4, "TIB": 4,
               "PB": 5, "PIB": 5, "EB": 6, "EIB": 6}
_BYTE_PART = re.compile(r"(\d+(?:\.\d+)?)([A-Za-z]+)")


def parse_base2_bytes(text: str) -> int | None:
    """alecthomas/units.ParseBase2Bytes (KB = KiB = 1024), compound forms such as 1GB512MB included."""
    s = str(text).strip()
    if not s:
        return None
    pos, total = 0, 0.0
    for m in _BYTE_PART.finditer(s):
        if m.start() != pos:
            return None
        unit = m.group(2).upper()
        if unit not in _BYTE_UNITS:
            return None
        total += float(m.group(1)) * (1024 ** _BYTE_UNITS[unit])
        pos = m.end()
    if pos != len(s):
        return None
    return int(total)


_QUANTITY_SUFFIX = {"": 0, "n": -9, "u": -6, "m": -3, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_QUANTITY_BIN = {"Ki": 1024, "Mi": 1024 ** 2, "Gi": 1024 ** 3, "Ti": 1024 ** 4, "Pi": 1024 ** 5,
                 "Ei": 1024 ** 6}
_QUANTITY_RE = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$")


def quantity_to_float(value, field: str) -> float:
    """A Kubernetes resource.Quantity (e.g. 1.1, "100m", "2Ki") as AsApproximateFloat64 gives it."""
    if isinstance(value, bool):
        raise InputError(f"{value!r} is not a quantity", field=field)
    if isinstance(value, (int, float)):
        return float(value)
    m = _QUANTITY_RE.match(str(value).strip())
    if not m:
        raise InputError(f"{value!r} is not a valid quantity", field=field)
    try:
        num = Decimal(m.group(1))
    except InvalidOperation:  # pragma: no cover - the regex admits only decimals
        raise InputError(f"{value!r} is not a valid quantity", field=field) from None
    if m.group(2):
        num = num * (Decimal(10) ** int(m.group(2)[1:]))
    elif m.group(3) in _QUANTITY_BIN:
        num = num * _QUANTITY_BIN[m.group(3)]
    elif m.group(3):
        num = num * (Decimal(10) ** _QUANTITY_SUFFIX[m.group(3)])
    return float(num)


_SELECTOR_OPS = {"In": "in", "NotIn": "notin", "Exists": "", "DoesNotExist": "!"}


def label_selector_string(selector: dict | None, field: str = "spec.selector") -> str:
    """metav1.LabelSelectorAsSelector(sel).String(): requirements sorted (stably) by key."""
    selector = selector or {}
    reqs: list[tuple[str, str]] = []
    for k, v in (selector.get("matchLabels") or {}).items():
        # Go iterates the map in random order but the later stable sort by key makes it deterministic
        # (one requirement per key in matchLabels).
        reqs.append((str(k), f"{k}={'' if v is None else v}"))
    reqs.sort(key=lambda r: r[0])
    exprs: list[tuple[str, str]] = []
    for i, e in enumerate(selector.get("matchExpressions") or []):
        key, op = str(e.get("key", "")), e.get("operator")
        values = [str(v) for v in (e.get("values") or [])]
        if op in ("In", "NotIn"):
            if not values:
                raise InputError(f"operator {op} needs at least one value",
                                 field=f"{field}.matchExpressions[{i}].values")
            vals = values[0] if len(values) == 1 else ",".join(sorted(values))
            exprs.append((key, f"{key} {_SELECTOR_OPS[op]} ({vals})"))
        elif op in ("Exists", "DoesNotExist"):
            if values:
                raise InputError(f"operator {op} takes no values",
                                 field=f"{field}.matchExpressions[{i}].values")
            exprs.append((key, f"{_SELECTOR_OPS[op]}{key}"))
        else:
            raise InputError(f"{op!r} is not a valid label selector operator",
                             field=f"{field}.matchExpressions[{i}].operator")
    allreqs = reqs + exprs
    allreqs.sort(key=lambda r: r[0])  # Python's sort is stable, like Go's insertion sort for small n
    return ",".join(text for _, text in allreqs)


def selector_matches(selector: dict | None, labels: dict) -> bool:
    """Does a metav1.LabelSelector match a label set? (None selector matches nothing, {} everything.)"""
    if selector is None:
        return False
    for k, v in (selector.get("matchLabels") or {}).items():
        if str(k) not in labels or str(labels[str(k)]) != str(v):
            return False
    for e in selector.get("matchExpressions") or []:
        key, op = str(e.get("key", "")), e.get("operator")
        values = {str(v) for v in (e.get("values") or [])}
        present = key in labels
        if op == "In" and not (present and str(labels[key]) in values):
            return False
        if op == "NotIn" and present and str(labels[key]) in values:
            return False
        if op == "Exists" and not present:
            return False
        if op == "DoesNotExist" and present:
            return False
        if op not in ("In", "NotIn", "Exists", "DoesNotExist"):
            raise InputError(f"{op!r} is not a valid label selector operator")
    return True
