"""What the rules look at: the inputs as loaded (monitors, raw jobs, Prometheus CRs, an inventory), with
where each node sits (file:line), and the project's own verdicts on them computed once (rendered jobs,
`migrator why` diagnoses). Rules only read this; every Prometheus or operator rule is decided elsewhere."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Iterator, Optional

from migrator.lint.model import FROM_WHY, RANK, LintFinding, Rule
from migrator.sources import Document, dotted

_ENDPOINTS = {"ServiceMonitor": "endpoints", "PodMonitor": "podMetricsEndpoints"}


@dataclass
class RuleList:
    """One list of relabel rules as Prometheus sees it (snake_case fields), and where it is written."""

    doc: Document
    path: tuple                 # of the list in doc
    rules: list                 # Prometheus-form rules (dicts; anything else as written)
    kind: str                   # "relabel" (target) or "metric"
    subject: str                # "ServiceMonitor ns/name" or "job NAME"
    crd: bool = False           # written with the CRD's field names (sourceLabels, ...)

    def line(self, index: Optional[int] = None, fld: Optional[str] = None) -> int:
        p = self.path + ((index,) if index is not None else ())
        if fld and index is not None:
            p += ({"source_labels": "sourceLabels", "target_label": "targetLabel"}.get(fld, fld) if self.crd
                  else fld,)
        return self.doc.line_of(p)

    def where(self, index: int) -> str:
        return dotted(self.path + (index,))


@dataclass
class Context:
    monitors: list = field(default_factory=list)      # Documents of PodMonitor/ServiceMonitor/ScrapeConfig/Probe
    jobs: list = field(default_factory=list)          # migrator.scrapeconfig.Job
    cr_docs: list = field(default_factory=list)       # Documents of Prometheus CRs
    inventory: Any = None
    version: Any = None                               # migrator.version.Version or None
    store: Any = None                                 # AssetStore
    own_namespace: Optional[str] = None
    global_config: dict = field(default_factory=dict)

    @cached_property
    def validation(self) -> list[tuple[Document, list]]:
        """(monitor, validate's errors) for every monitor: `migrator validate`'s verdict."""
        from migrator.validate import validate_monitor
        return [(doc, validate_monitor(doc, version=self.version)) for doc in self.monitors]

    @cached_property
    def duplicates(self) -> list:
        """validate's verdict on monitors given twice: an InputError at the second one."""
        from migrator.validate import duplicate_objects
        return duplicate_objects(self.monitors)[0]

    @cached_property
    def valid(self) -> list[Document]:
        """The monitors validate accepts: the only ones the other rules look at (an invalid one is
        monitor/invalid's finding, a second one of a name monitor/duplicate's, and neither the operator nor
        Prometheus would run it as written)."""
        again = {(e.file, e.line) for e in self.duplicates}
        return [doc for doc, errors in self.validation if not errors
                and (doc.file, doc.line_of(("metadata", "name"))) not in again]

    @property
    def crs(self) -> list[dict]:
        return [d.data for d in self.cr_docs]

    @property
    def cr(self) -> Optional[dict]:
        return self.crs[0] if self.crs else None

    # -- findings ---------------------------------------------------------------------------------------------
    @staticmethod
    def finding(rule: Rule, doc: Document, path: tuple, message: str, subject: str = "",
                fix: Optional[str] = None, severity: Optional[str] = None) -> LintFinding:
        return LintFinding(rule.id, severity or rule.severity, doc.file, doc.line_of(path), message, subject, fix)

    @staticmethod
    def at(rule: Rule, origin: str, message: str, subject: str = "", fix: Optional[str] = None,
           severity: Optional[str] = None) -> LintFinding:
        """A finding at an origin "file:line"."""
        file, _, line = origin.rpartition(":")
        if not file or not line.isdigit():
            file, line = origin, "0"
        return LintFinding(rule.id, severity or rule.severity, file, int(line), message, subject, fix)

    # -- the inputs ---------------------------------------------------------------------------------------------
    @staticmethod
    def subject_of(doc: Document) -> str:
        return f"{doc.kind} {doc.namespace or 'default'}/{doc.name}"

    def endpoints(self) -> Iterator[tuple[Document, tuple, dict]]:
        """(monitor, path, endpoint) for every ServiceMonitor / PodMonitor endpoint that is a mapping."""
        for doc in self.valid:
            key = _ENDPOINTS.get(str(doc.kind))
            spec = doc.data.get("spec") if isinstance(doc.data.get("spec"), dict) else {}
            eps = spec.get(key) if key else None
            for i, ep in enumerate(eps if isinstance(eps, list) else []):
                if isinstance(ep, dict):
                    yield doc, ("spec", key, i), ep

    def rule_lists(self) -> Iterator[RuleList]:
        """Every relabel rule list the user wrote: monitors' relabelings/metricRelabelings, raw jobs'
        relabel_configs/metric_relabel_configs."""
        from migrator.render.monitors import operator_relabel_rule

        def crd(doc: Document, path: tuple, value: Any, kind: str) -> Optional[RuleList]:
            if not isinstance(value, list):
                return None
            rules = [operator_relabel_rule(r) if isinstance(r, dict) else r for r in value]
            return RuleList(doc, path, rules, kind, self.subject_of(doc), crd=True)

        for doc, path, ep in self.endpoints():
            for key, kind in (("relabelings", "relabel"), ("metricRelabelings", "metric")):
                rl = crd(doc, path + (key,), ep.get(key), kind)
                if rl:
                    yield rl
        for doc in self.valid:
            if doc.kind == "ScrapeConfig" and isinstance(doc.data.get("spec"), dict):
                for key, kind in (("relabelings", "relabel"), ("metricRelabelings", "metric")):
                    rl = crd(doc, ("spec", key), doc.data["spec"].get(key), kind)
                    if rl:
                        yield rl
        for job in self.jobs:
            for key, kind in (("relabel_configs", "relabel"), ("metric_relabel_configs", "metric")):
                value = job.config.get(key)
                if isinstance(value, list):
                    yield RuleList(job.doc, job.path + (key,), value, kind, f"job {job.name}")

    @cached_property
    def render_context(self):
        from migrator.render import RenderContext
        return RenderContext.from_cr(self.cr, version=str(self.version) if self.version else None)

    @cached_property
    def rendered(self) -> list[tuple[Document, Any]]:
        """(monitor, RenderResult) for each monitor the renderer accepts (one that it refuses is
        monitor/invalid's business)."""
        from migrator.errors import MigratorError
        from migrator.render import render_monitors

        out = []
        for doc in self.valid:
            if doc.kind == "Probe":
                continue
            try:
                out.append((doc, render_monitors([doc.data], self.render_context, self.store)))
            except MigratorError:
                continue
        return out

    def all_jobs(self) -> Iterator[tuple[dict, str, str]]:
        """(Prometheus job, origin file:line, subject): raw jobs and the jobs monitors render to."""
        for job in self.jobs:
            if not job.failed:
                yield job.config, f"{job.file}:{job.line}", f"job {job.name}"
        for doc, result in self.rendered:
            for j in result.jobs:
                yield j, f"{doc.file}:{doc.line}", self.subject_of(doc)

    @cached_property
    def pickups(self) -> list:
        """(monitor, `migrator why` pickup finding): does a Prometheus CR (none given: kube-prometheus-stack's
        defaults) select each monitor? Needs no inventory (with one, Namespace labels are used)."""
        from migrator.why import pickup

        out = []
        for doc in self.valid:
            if doc.kind not in ("ServiceMonitor", "PodMonitor", "ScrapeConfig"):
                continue
            _stage, findings, _cr = pickup.stage(doc.data, self.crs, self.inventory)
            out += [(doc, f) for f in findings]
        return out

    def pickup(self, rule: Rule, ids: set[str]) -> Iterator[LintFinding]:
        for doc, f in self.pickups:
            if f.id in ids:
                sev = FROM_WHY.get(f.severity, rule.severity)
                if RANK[sev] < RANK[rule.severity]:
                    sev = rule.severity
                yield self.finding(rule, doc, ("metadata",) if f.id != "pickup.namespace" else
                                   ("metadata", "namespace"), f"{f.message} [{f.id}]", self.subject_of(doc),
                                   f.fix.summary if f.fix else None, severity=sev)

    @cached_property
    def diagnoses(self) -> list:
        """`migrator why` on every monitor endpoint and raw job ([] without an inventory)."""
        if self.inventory is None:
            return []
        from dataclasses import replace

        from migrator.targets import EvalOptions
        from migrator.why import diagnose

        opts = EvalOptions(version=self.version, own_namespace=self.own_namespace or "default",
                           global_config=self.global_config or {})
        monitors = [(d.data, f"{d.file}:{d.line}") for d in self.valid if d.kind != "Probe"]
        jobs = []
        for job in self.jobs:
            base = os.path.dirname(job.file) if job.file not in ("<stdin>", "-") else "."
            errs = [str(p) for p in job.problems if p.severity == "error"]
            jobs.append((job.config, f"{job.file}:{job.line}", base, errs, replace(opts)))
        return diagnose(monitors, jobs, self.crs, self.inventory, self.store,
                        version=str(self.version) if self.version else None)

    def why(self, rule: Rule, ids: set[str], prefixes: tuple[str, ...] = ()) -> Iterator[LintFinding]:
        """The `migrator why` findings with these ids (or id prefixes), as findings of rule: severity the
        rule's, or lower when why rates the finding lower."""
        seen = set()
        for d in self.diagnoses:
            for f in d.findings:
                if f.id not in ids and not f.id.startswith(prefixes or ("\0",)):
                    continue
                sev = FROM_WHY.get(f.severity, rule.severity)
                if RANK[sev] < RANK[rule.severity]:
                    sev = rule.severity
                key = (d.origin, f.id, f.message)
                if key in seen:
                    continue
                seen.add(key)
                fix = f.fix.summary if f.fix else None
                doc = self._docs_by_origin.get(d.origin)
                if doc is not None and d.kind in _ENDPOINTS:
                    i = d.endpoint or 0
                    ep = ("spec", _ENDPOINTS[d.kind], i)
                    path = {"selected": ("metadata", "labels"), "namespaces": ("spec", "namespaceSelector"),
                            "objects": ("spec", "selector"), "selector": ("spec", "selector"),
                            "port": ep + ("port",), "relabelings": ep + ("relabelings",)}.get(f.stage, ep)
                    yield self.finding(rule, doc, path, f"{f.message} [{f.id}]", d.subject, fix, severity=sev)
                else:
                    yield self.at(rule, d.origin, f"{f.message} [{f.id}]", d.subject, fix, severity=sev)

    @cached_property
    def _docs_by_origin(self) -> dict:
        return {f"{d.file}:{d.line}": d for d in self.valid}
