"""Findings a reviewer wants, with a severity, beyond what migrator.targets.findings already says.

Pure functions over monitors (plain dicts), scrape jobs (plain dicts, as Prometheus typed them),
the Prometheus CR and an inventory:

* ``unselected_monitors``: a monitor the CR's monitor selector does not pick (the ``release`` label);
* ``job_label_missing``: ``jobLabel`` naming a label the objects the monitor selects do not carry;
* ``honor_labels_with_kubernetes``: ``honor_labels: true`` on Kubernetes-discovered targets, whose
  own ``namespace``/``pod``/... labels then win over the discovered ones;
* ``endpoint_labels_under_endpointslice``: rules on ``__meta_kubernetes_endpoint_*`` labels in a job
  of the endpointslice role, where those labels are never set;
* ``all_findings`` adds migrator.targets.findings (two jobs scraping one address, no-op keep/drop on a
  ``*present`` label, empty jobs) when target results are given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Optional

WARNING, INFO = "warning", "info"


@dataclass
class Finding:
    severity: str           # warning | info
    code: str
    message: str
    subject: str = ""       # a job or a monitor

    def __str__(self) -> str:
        return f"{self.subject}: {self.message}" if self.subject else self.message

    def to_json(self) -> dict:
        return {"severity": self.severity, "code": self.code, "subject": self.subject, "message": self.message}


def _md(obj: dict) -> dict:
    md = obj.get("metadata") if isinstance(obj, dict) else None
    return md if isinstance(md, dict) else {}


def monitor_name(monitor: dict) -> str:
    md = _md(monitor)
    return f"{monitor.get('kind')} {md.get('namespace') or 'default'}/{md.get('name', '')}"


def unselected_monitors(cr: Optional[dict], monitors: Iterable[dict],
                        namespace_labels: Optional[dict[str, dict]] = None) -> list[Finding]:
    """Monitors the Prometheus CR would not pick up (None: no CR, nothing to say)."""
    from migrator.render import selected_by
    from migrator.render.util import selector_matches

    if cr is None:
        return []
    out = []
    spec = cr.get("spec") if isinstance(cr.get("spec"), dict) else {}
    crname = f"{_md(cr).get('namespace') or 'default'}/{_md(cr).get('name', '')}"
    for m in monitors:
        if m.get("kind") not in ("PodMonitor", "ServiceMonitor", "ScrapeConfig"):
            continue
        verdict = selected_by(cr, m)
        key = {"PodMonitor": "podMonitor", "ScrapeConfig": "scrapeConfig"}.get(str(m.get("kind")), "serviceMonitor")
        if verdict is None and namespace_labels is not None:
            ns = _md(m).get("namespace") or "default"
            verdict = selector_matches(spec.get(f"{key}NamespaceSelector"), namespace_labels.get(ns, {}))
        if verdict is False:
            labels = _md(m).get("labels") or {}
            out.append(Finding(WARNING, "monitor-not-selected",
                               f"the Prometheus CR {crname} does not select it ({key}Selector "
                               f"{spec.get(key + 'Selector')!r}, {key}NamespaceSelector "
                               f"{spec.get(key + 'NamespaceSelector')!r}; monitor labels {labels!r}): "
                               "it scrapes nothing once rolled out", monitor_name(m)))
        elif verdict is None:
            out.append(Finding(INFO, "monitor-selection-unknown",
                               f"whether the Prometheus CR {crname} selects it depends on Namespace labels",
                               monitor_name(m)))
    return out


def _monitor_namespaces(m: dict) -> Optional[list[str]]:
    """The namespaces a monitor looks in (None: all)."""
    spec = m.get("spec") if isinstance(m.get("spec"), dict) else {}
    nsel = spec.get("namespaceSelector") if isinstance(spec.get("namespaceSelector"), dict) else {}
    if nsel.get("any") is True:
        return None
    names = [str(n) for n in nsel.get("matchNames") or []]
    return names or [str(_md(m).get("namespace") or "default")]


def job_label_missing(monitors: Iterable[dict], inventory: Any) -> list[Finding]:
    """``jobLabel`` that the selected Services (ServiceMonitor) or Pods (PodMonitor) lack."""
    from migrator.render.util import selector_matches

    if inventory is None:
        return []
    out = []
    for m in monitors:
        spec = m.get("spec") if isinstance(m.get("spec"), dict) else {}
        label = spec.get("jobLabel")
        kind = {"ServiceMonitor": "Service", "PodMonitor": "Pod"}.get(str(m.get("kind")))
        if not label or not kind:
            continue
        namespaces = _monitor_namespaces(m)
        objs = []
        for ns in (namespaces if namespaces is not None else [""]):
            objs += inventory.list(kind, ns)
        selected = [o for o in objs if selector_matches(spec.get("selector") if isinstance(spec.get("selector"), dict)
                                                        else {}, _md(o).get("labels") or {})]
        lacking = [o for o in selected if str(label) not in (_md(o).get("labels") or {})]
        if selected and lacking:
            names = ", ".join(f"{_md(o).get('namespace', 'default')}/{_md(o).get('name', '')}" for o in lacking[:3])
            out.append(Finding(WARNING, "job-label-missing",
                               f"jobLabel {label!r}: {len(lacking)} of {len(selected)} selected {kind} object(s) "
                               f"lack that label ({names}{', ...' if len(lacking) > 3 else ''}); their job label "
                               "falls back to the " + ("Service" if kind == "Service" else "monitor") + " name",
                               monitor_name(m)))
    return out


def honor_labels_with_kubernetes(jobs: Iterable[dict]) -> list[Finding]:
    out = []
    for job in jobs:
        if job.get("honor_labels") is True and job.get("kubernetes_sd_configs"):
            out.append(Finding(WARNING, "honor-labels-kubernetes",
                               "honor_labels: true on Kubernetes-discovered targets: when a target exposes "
                               "namespace, pod, container or job labels of its own, those win over the ones "
                               "relabeling attaches (series move to the exposed namespace/pod)",
                               str(job.get("job_name", ""))))
    return out


_ENDPOINT_META = re.compile(r"^__meta_kubernetes_endpoint_")


def endpoint_labels_under_endpointslice(jobs: Iterable[dict]) -> list[Finding]:
    out = []
    for job in jobs:
        roles = {sd.get("role") for sd in job.get("kubernetes_sd_configs") or [] if isinstance(sd, dict)}
        if "endpointslice" not in roles:
            continue
        used = set()
        for rule in job.get("relabel_configs") or []:
            if isinstance(rule, dict):
                used |= {str(s) for s in rule.get("source_labels") or [] if _ENDPOINT_META.match(str(s))}
        if used:
            out.append(Finding(WARNING, "endpoint-labels-under-endpointslice",
                               f"relabel rules read {', '.join(sorted(used))}, which the endpointslice role never "
                               "sets (it has __meta_kubernetes_endpointslice_*): those rules see empty values",
                               str(job.get("job_name", ""))))
    return out


def all_findings(*, jobs: list[dict], monitors: list[dict] = (), cr: Optional[dict] = None,
                 inventory: Any = None, results: Optional[list] = None,
                 namespace_labels: Optional[dict[str, dict]] = None) -> list[Finding]:
    """Everything above, plus migrator.targets.findings over ``results`` (as warnings)."""
    out = unselected_monitors(cr, monitors, namespace_labels)
    out += job_label_missing(monitors, inventory)
    out += honor_labels_with_kubernetes(jobs)
    out += endpoint_labels_under_endpointslice(jobs)
    if results is not None:
        from migrator.targets import findings as target_findings

        code = {"address(es) scraped by several jobs": "duplicate-scrape", "has no regex": "present-without-regex",
                "targets kept": "empty-job", "identical to another": "identical-targets",
                "at random": "labelmap-random"}
        for text in target_findings(results, inventory):
            c = next((v for k, v in code.items() if k in text), "targets")
            out.append(Finding(WARNING, c, text))
    return out
