"""Why does a monitor (or raw job) scrape nothing? The funnel from "exists" to "scraped", offline.

Pure core: monitors, raw jobs, Prometheus CRs and a cluster inventory in; one ``Diagnosis`` per monitor
endpoint (or raw job) out. Every semantic decision is the project's own: which CR selects a monitor is
``migrator.render.selected_by``, label selectors ``migrator.render.util.selector_matches``, the job is
rendered by ``migrator.render`` and evaluated (Kubernetes discovery, then Prometheus's relabeling) by
``migrator.targets``; "the same target" is ``migrator.identity.scrape_key``. This package only sorts the
rules the renderer wrote into stages (``funnel``), counts, and explains (one module per stage).

Stages of a ServiceMonitor / PodMonitor endpoint (counts are what is left after the stage):

  exists (1) -> selected (1 when a Prometheus CR picks the monitor up; ``pickup``) -> namespaces (namespaces in
  range that exist; ``scope``) -> objects (Services / Pods in range) -> selector (those it matches) ->
  endpoints (ServiceMonitor: targets of those Services; ``endpoints``) or targets (PodMonitor: container ports
  of those Pods) -> port (``ports``) -> phase (filterRunning) -> relabelings (the monitor's own rules) ->
  scraped (distinct targets).

Later stages are counted as if the earlier ones passed (so that every cause shows at once), except that
``scraped`` is 0 when the monitor is not picked up. A raw job: exists -> role (objects of the role's kind in the
cluster) -> namespaces (targets discovered in range) -> ``rule #i`` for each keep/drop rule -> scraped; a job
without Kubernetes discovery: exists -> discovered -> rules -> scraped.

JSON (``--output json``), schema ``migrator.why/v1``::

  {"schema": "migrator.why/v1",
   "subjects": [{
      "subject": "ServiceMonitor monitoring/istiod",     # or "job NAME"
      "kind": "ServiceMonitor|PodMonitor|ScrapeConfig|job", "namespace": str|null, "name": str,
      "endpoint": int|null,                               # index, when the monitor has several endpoints
      "job": "serviceMonitor/monitoring/istiod/0", "origin": "file:line",
      "verdict": "scraped|not-scraped", "scraped": int, "first_empty_stage": str|null, "error": str|null,
      "funnel": [{"stage": str, "count": int, "unit": str, "note": str}],
      "findings": [{"id": str, "severity": "error|warning|info", "stage": str, "message": str,
                    "objects": ["Kind ns/name"],
                    "fix": null | {"summary": str, "target": {"kind", "namespace", "name"} | null,
                                   "patch": JSON merge patch (RFC 7386) of that object | null,
                                   "yaml": the patch as a YAML snippet | null}}],
      "targets": ["http://10.0.1.58:15014/metrics"]}],
   "summary": {"checked": int, "scraping": int, "not_scraping": int}}

Findings come errors first (the cause that empties the funnel), then warnings, then infos. Finding ids:
pickup.no-selector, pickup.release-label, pickup.label-mismatch, pickup.namespace, pickup.namespace-unknown,
pickup.no-release-label (no CR given); namespace.out-of-range, namespace.missing; selector.no-objects,
selector.near-miss, selector.no-match, selector.empty; endpoints.role, endpoints.service-selects-no-pod,
endpoints.no-selector, endpoints.no-addresses, endpoints.not-ready; targets.no-pod-ip; port.number-not-name,
port.target-port-name, port.unnamed, port.name-mismatch, port.target-port, port.undeclared,
port.init-container; phase.not-running; relabel.drops-all, relabel.drops, relabel.refused; discovery.empty;
monitor.no-endpoints; duplicate.address. A raw job's fix targets {"kind": "job", "name": job_name} and patches the job itself.
"""

from __future__ import annotations

from typing import Any, Optional

from migrator.why.model import Diagnosis, Finding, Fix, Stage, apply_patch

__all__ = ["Diagnosis", "Finding", "Fix", "Stage", "apply_patch", "diagnose"]


def diagnose(monitors: list[tuple[dict, str]], jobs: list[tuple], crs: list[dict], inventory: Any,
             store: Any = None, *, version: Optional[str] = None) -> list[Diagnosis]:
    """Every monitor endpoint and raw job, diagnosed; duplicates found across all of them.

    monitors: (monitor, origin); jobs: (config, origin, base_dir, errors, EvalOptions).
    """
    from dataclasses import replace

    from migrator.render import AssetStore
    from migrator.why.duplicates import add_findings
    from migrator.why.monitor import diagnose_monitor
    from migrator.why.raw import diagnose_raw

    out: list[Diagnosis] = []
    for m, origin in monitors:
        out.extend(diagnose_monitor(m, origin, crs, inventory, store or AssetStore(), version))
    for config, origin, base_dir, errors, opts in jobs:
        if errors:
            name = str(config.get("job_name", ""))
            out.append(Diagnosis(f"job {name}", "job", None, name, name, origin, error="; ".join(errors),
                                 config=config))
            continue
        out.append(diagnose_raw(config, origin, inventory, replace(opts, base_dir=base_dir)))
    add_findings(out)
    for d in out:
        d.sort_findings()
    return out
