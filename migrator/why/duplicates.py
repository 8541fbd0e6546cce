"""Duplicates: an address scraped by another job too (migrator.identity.scrape_key decides "the same")."""

from __future__ import annotations

from collections import defaultdict

from migrator.identity import scrape_key
from migrator.why import labels as L
from migrator.why.model import INFO, WARNING, Diagnosis, Finding, Fix, target_of

_NEGATE = {"=": "NotIn", "In": "NotIn", "Exists": "DoesNotExist"}


def _exclusion(broad: Diagnosis, narrow: Diagnosis) -> Fix | None:
    """Leave the narrow monitor's objects out of the broad one: its selector requirements, negated."""
    if broad.monitor is None or narrow.monitor is None or broad.kind != narrow.kind:
        return None
    nsel = (narrow.monitor.get("spec") or {}).get("selector") or {}
    reqs = [r for r in L.requirements(nsel) if r.op in _NEGATE]
    if len(reqs) != 1:
        return None
    r = reqs[0]
    expr: dict = {"key": r.key, "operator": _NEGATE[r.op]}
    if r.values:
        expr["values"] = list(r.values)
    sel = dict((broad.monitor.get("spec") or {}).get("selector") or {})
    sel["matchExpressions"] = list(sel.get("matchExpressions") or []) + [expr]
    return Fix(f"leave {narrow.subject}'s targets to it: exclude them from {broad.subject}'s selector",
               target_of(broad.kind, broad.namespace, broad.name), {"spec": {"selector": sel}})


def add_findings(diagnoses: list[Diagnosis]) -> None:
    where: dict[tuple, list[tuple[Diagnosis, dict]]] = defaultdict(list)
    for d in diagnoses:
        seen = set()
        for labels in d.kept:
            key = scrape_key(labels, d.config.get("params"))
            if key not in seen:
                seen.add(key)
                where[key].append((d, labels))
    pairs: dict[tuple[int, int], list[tuple]] = defaultdict(list)
    for key, hits in where.items():
        for i, (a, la) in enumerate(hits):
            for b, lb in hits[i + 1:]:
                if a is not b:
                    pairs[(id(a), id(b))].append((key, a, la, b, lb))
    for shared in pairs.values():
        _, a, _, b, _ = shared[0]
        addrs = [k.address for k, *_ in shared]
        series = "; ".join(_series(la, lb) for _, _, la, _, lb in shared[:1])
        broad, narrow = (a, b) if len(a.kept) >= len(b.kept) else (b, a)
        text = (f"{len(addrs)} address(es) scraped by both {a.subject} (job {a.job}) and {b.subject} (job {b.job}): "
                f"{', '.join(addrs[:6])}; every series of these targets would be stored twice ({series})")
        broad.findings.append(Finding("duplicate.address", WARNING, "scraped", text, [a.subject, b.subject],
                                      _exclusion(broad, narrow)))
        narrow.findings.append(Finding("duplicate.address", INFO, "scraped", text, [a.subject, b.subject]))


def _series(la: dict, lb: dict) -> str:
    """The two label sets one address's series get, by the labels that tell them apart."""
    keys = sorted(k for k in set(la) | set(lb) if not k.startswith("__") and la.get(k) != lb.get(k))

    def show(labels: dict) -> str:
        return "{" + ", ".join(f'{k}="{labels[k]}"' for k in keys if k in labels) + "}"
    return f"{show(la)} and {show(lb)}"
