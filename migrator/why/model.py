"""The records of a diagnosis: funnel stages, findings, fixes (see migrator.why for the JSON schema)."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Optional

ERROR, WARNING, INFO = "error", "warning", "info"
_RANK = {ERROR: 0, WARNING: 1, INFO: 2}


@dataclass
class Fix:
    """The change that fixes a finding: words, and (where it is an edit) a merge patch on one object.

    ``patch`` is a JSON merge patch (RFC 7386: mappings merge, null deletes, anything else replaces) to apply
    to the object ``target`` ({"kind", "namespace", "name"}); ``yaml`` shows it as the snippet to paste.
    """

    summary: str
    target: Optional[dict] = None
    patch: Optional[dict] = None

    @property
    def shown_patch(self) -> Optional[dict]:
        """The patch as printed: credential values and URL userinfo of the object it repeats are hidden."""
        from migrator.credentials import scrub
        return None if self.patch is None else scrub(self.patch)

    @property
    def yaml(self) -> Optional[str]:
        if self.patch is None:
            return None
        from migrator.writers import dump_yaml
        return dump_yaml(self.shown_patch)

    def to_json(self) -> dict:
        return {"summary": self.summary, "target": self.target, "patch": self.shown_patch, "yaml": self.yaml}


@dataclass
class Finding:
    id: str                     # stable, e.g. "selector.near-miss"
    severity: str               # error (empties the funnel), warning, info
    stage: str                  # the funnel stage it explains
    message: str
    objects: list[str] = field(default_factory=list)   # "Kind ns/name"
    fix: Optional[Fix] = None

    def to_json(self) -> dict:
        return {"id": self.id, "severity": self.severity, "stage": self.stage, "message": self.message,
                "objects": list(self.objects), "fix": self.fix.to_json() if self.fix else None}


@dataclass
class Stage:
    name: str
    count: int
    unit: str
    note: str = ""

    def to_json(self) -> dict:
        return {"stage": self.name, "count": self.count, "unit": self.unit, "note": self.note}


@dataclass
class Diagnosis:
    """One monitor endpoint (or raw job): its funnel and findings."""

    subject: str                 # "ServiceMonitor monitoring/istiod" or "job envoy-stats"
    kind: str                    # ServiceMonitor, PodMonitor, ScrapeConfig, job
    namespace: Optional[str]
    name: str
    job: str
    origin: str
    endpoint: Optional[int] = None
    stages: list[Stage] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)      # scrape URLs of the kept targets
    error: Optional[str] = None                           # the job could not be evaluated
    kept: list = field(default_factory=list, repr=False)  # final label sets of the kept targets
    config: dict = field(default_factory=dict, repr=False)  # the job
    monitor: Optional[dict] = field(default=None, repr=False)

    @property
    def scraped(self) -> int:
        return self.stages[-1].count if self.stages and self.error is None else 0

    @property
    def first_empty(self) -> Optional[str]:
        for s in self.stages:
            if s.count == 0:
                return s.name
        return None

    @property
    def ok(self) -> bool:
        return self.error is None and self.scraped > 0

    def sort_findings(self) -> None:
        order = {s.name: i for i, s in enumerate(self.stages)}
        self.findings.sort(key=lambda f: (_RANK.get(f.severity, 3), order.get(f.stage, 99)))

    def to_json(self) -> dict:
        return {"subject": self.subject, "kind": self.kind, "namespace": self.namespace, "name": self.name,
                "endpoint": self.endpoint, "job": self.job, "origin": self.origin,
                "verdict": "scraped" if self.ok else "not-scraped", "scraped": self.scraped,
                "first_empty_stage": self.first_empty, "error": self.error,
                "funnel": [s.to_json() for s in self.stages], "findings": [f.to_json() for f in self.findings],
                "targets": list(self.targets)}


def object_id(kind: str, namespace: Optional[str], name: str) -> str:
    return f"{kind} {namespace}/{name}" if namespace else f"{kind} {name}"


def target_of(kind: str, namespace: Optional[str], name: str) -> dict:
    return {"kind": kind, "namespace": namespace, "name": name}


def apply_patch(obj: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch: the patched copy of obj."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = copy.deepcopy(obj) if isinstance(obj, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = apply_patch(out.get(k), v)
    return out
