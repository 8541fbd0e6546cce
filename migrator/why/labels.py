"""Label selectors explained: which requirement fails, and near misses.

Every match decision is ``migrator.render.util.selector_matches`` (the one place a metav1.LabelSelector is
decided); this module only splits a selector into its requirements, asks that function about each one, and
ranks objects by how close they come.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from migrator.render.util import selector_matches


@dataclass(frozen=True)
class Requirement:
    """One requirement of a selector, as a one-requirement selector (what selector_matches decides)."""

    key: str
    op: str          # "=" (matchLabels), In, NotIn, Exists, DoesNotExist
    values: tuple[str, ...] = ()

    @property
    def selector(self) -> dict:
        if self.op == "=":
            return {"matchLabels": {self.key: self.values[0]}}
        expr: dict = {"key": self.key, "operator": self.op}
        if self.values:
            expr["values"] = list(self.values)
        return {"matchExpressions": [expr]}

    def matches(self, labels: dict[str, str]) -> bool:
        return selector_matches(self.selector, labels)

    def text(self) -> str:
        if self.op == "=":
            return f"{self.key}={self.values[0]}"
        if self.op in ("In", "NotIn"):
            return f"{self.key} {self.op} ({', '.join(self.values)})"
        return f"{self.key} {self.op}"

    def why_not(self, labels: dict[str, str]) -> str:
        """Why labels fail this requirement, in words."""
        has = self.key in labels
        got = f"{self.key}={labels[self.key]}" if has else f"no label {self.key}"
        if self.op in ("=", "In"):
            near = near_keys(self.key, labels) if not has else []
            hint = f" (but {', '.join(f'{k}={labels[k]}' for k in near)}: one edit away)" if near else ""
            return f"needs {self.text()}, has {got}{hint}"
        if self.op == "Exists":
            near = near_keys(self.key, labels)
            hint = f" (but {', '.join(near)}: one edit away)" if near else ""
            return f"needs the label {self.key} (any value), has none{hint}"
        if self.op == "NotIn":
            return f"{self.text()} excludes it: has {got}"
        return f"{self.key} DoesNotExist excludes it: has {got}"


def requirements(selector: Any) -> list[Requirement]:
    """The requirements of a metav1.LabelSelector, matchLabels first (sorted by key)."""
    sel = selector if isinstance(selector, dict) else {}
    out = [Requirement(str(k), "=", ("" if v is None else str(v),))
           for k, v in sorted((sel.get("matchLabels") or {}).items(), key=lambda kv: str(kv[0]))]
    for e in sel.get("matchExpressions") or []:
        if isinstance(e, dict):
            out.append(Requirement(str(e.get("key", "")), str(e.get("operator", "")),
                                   tuple(str(v) for v in e.get("values") or [])))
    return out


def failing(selector: Any, labels: dict[str, str]) -> list[Requirement]:
    return [r for r in requirements(selector) if not r.matches(labels)]


def selector_text(selector: Any) -> str:
    reqs = requirements(selector)
    return ", ".join(r.text() for r in reqs) if reqs else "{} (everything)"


def distance(a: str, b: str) -> int:
    """Levenshtein distance (small strings)."""
    if a == b:
        return 0
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def close(a: str, b: str) -> bool:
    """A typo away: one edit, or the same text but for case, '-', '_' and '.'."""
    def norm(s: str) -> str:
        return s.lower().replace("-", "").replace("_", "").replace(".", "")
    return a != b and (distance(a, b) <= 1 or norm(a) == norm(b))


def near_keys(key: str, labels: dict[str, str]) -> list[str]:
    return [k for k in labels if close(key, k)]


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate nearest to word (edit distance, ties by order); None without candidates."""
    best, best_d = None, None
    for c in candidates:
        d = distance(word, c)
        if best_d is None or d < best_d:
            best, best_d = c, d
    return best


def fixed_requirement(req: Requirement, labels: dict[str, str]) -> dict:
    """The selector entry that would let labels pass req (for a near miss): the object's own value."""
    if req.op in ("=", "In", "Exists"):
        near = [k for k in labels if close(req.key, k)] if req.key not in labels else [req.key]
        key = near[0] if near else req.key
        if req.op == "Exists":
            return {"matchExpressions": [{"key": key, "operator": "Exists"}]}
        value = labels.get(key, "")
        if req.op == "=":
            return {"matchLabels": {key: value}}
        return {"matchExpressions": [{"key": key, "operator": "In", "values": list(req.values) + [value]}]}
    return {}


def with_requirement_replaced(selector: Any, req: Requirement, labels: dict[str, str]) -> dict:
    """The selector with req replaced by its fixed form (other requirements kept, order kept)."""
    sel = selector if isinstance(selector, dict) else {}
    ml = {str(k): v for k, v in (sel.get("matchLabels") or {}).items()}
    exprs = [e for e in sel.get("matchExpressions") or [] if isinstance(e, dict)]
    fix = fixed_requirement(req, labels)
    if req.op == "=":
        ml.pop(req.key, None)
    else:
        exprs = [e for e in exprs if not (str(e.get("key")) == req.key and str(e.get("operator")) == req.op)]
    # an excluding requirement (NotIn, DoesNotExist) that fails is dropped: fix is {}
    ml.update(fix.get("matchLabels", {}))
    exprs += fix.get("matchExpressions", [])
    out: dict = {}
    if ml:
        out["matchLabels"] = ml
    if exprs:
        out["matchExpressions"] = exprs
    return out


def labels_of(obj: Any) -> dict[str, str]:
    """metadata.labels as strings (discovery's own accessor: what its __meta_*_label_* labels hold)."""
    from migrator.discovery.common import meta, str_map
    return str_map(meta(obj), "labels")


def name_of(obj: Any) -> str:
    md = obj.get("metadata") if isinstance(obj, dict) else None
    return str(md.get("name") or "") if isinstance(md, dict) else ""


def namespace_of(obj: Any) -> str:
    md = obj.get("metadata") if isinstance(obj, dict) else None
    return str(md.get("namespace") or "default") if isinstance(md, dict) else "default"


def map_patch(old: Any, new: dict) -> dict:
    """The JSON merge patch from map old to map new (a removed key is null)."""
    old = old if isinstance(old, dict) else {}
    out: dict = {k: None for k in old if k not in new}
    out.update({k: v for k, v in new.items() if old.get(k) != v})
    return out


def selector_patch(old: Any, new: dict) -> dict:
    """The JSON merge patch from LabelSelector old to new: matchLabels key by key, matchExpressions whole."""
    old = old if isinstance(old, dict) else {}
    out: dict = {}
    if "matchLabels" in new:
        out["matchLabels"] = map_patch(old.get("matchLabels"), new["matchLabels"])
    elif old.get("matchLabels"):
        out["matchLabels"] = None
    if "matchExpressions" in new:
        out["matchExpressions"] = new["matchExpressions"]
    elif old.get("matchExpressions"):
        out["matchExpressions"] = None
    return out
