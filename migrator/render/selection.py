"""Would a Prometheus CR select a monitor? (podMonitorSelector / serviceMonitorSelector + namespace selectors)

Mirrors ResourceSelector.SelectServiceMonitors/SelectPodMonitors and operator.SelectNamespacesFromCache:

* monitor selector unset (null) -> nothing selected; ``{}`` -> everything;
* namespace selector unset -> only the Prometheus object's own namespace; ``{}`` -> every namespace; otherwise it
  needs the Namespace objects' labels, which we do not have. Only the label ``kubernetes.io/metadata.name``
  (set by the API server on every namespace, equal to its name) is known, so a selector that uses no other
  label is decided exactly; anything else gives None (undecidable).
"""

from __future__ import annotations

from migrator.errors import InputError
from migrator.render.context import DEFAULT_NAMESPACE
from migrator.render.util import selector_matches

NAME_LABEL = "kubernetes.io/metadata.name"

_SELECTORS = {
    "ServiceMonitor": ("serviceMonitorSelector", "serviceMonitorNamespaceSelector"),
    "PodMonitor": ("podMonitorSelector", "podMonitorNamespaceSelector"),
    "ScrapeConfig": ("scrapeConfigSelector", "scrapeConfigNamespaceSelector"),
}


def _namespace_selected(sel: dict, namespace: str) -> bool | None:
    keys = set((sel.get("matchLabels") or {}).keys())
    keys |= {str(e.get("key")) for e in (sel.get("matchExpressions") or []) if isinstance(e, dict)}
    if keys - {NAME_LABEL}:
        return None
    return selector_matches(sel, {NAME_LABEL: namespace})


def selected_by(cr: dict | None, monitor: dict) -> bool | None:
    """True/False when decidable from the objects alone, None when it depends on Namespace labels."""
    if not isinstance(monitor, dict):
        raise InputError("a monitor must be a mapping")
    kind = monitor.get("kind")
    if kind not in _SELECTORS:
        raise InputError(f"expected a ServiceMonitor, PodMonitor or ScrapeConfig, got kind {kind!r}", field="kind")
    cr = cr or {}
    spec = cr.get("spec") if isinstance(cr.get("spec"), dict) else {}
    md = cr.get("metadata") if isinstance(cr.get("metadata"), dict) else {}
    prom_ns = str(md.get("namespace") or DEFAULT_NAMESPACE)
    mmd = monitor.get("metadata") if isinstance(monitor.get("metadata"), dict) else {}
    mon_ns = str(mmd.get("namespace") or DEFAULT_NAMESPACE)
    labels = {str(k): str(v) for k, v in (mmd.get("labels") or {}).items()}
    sel_key, ns_key = _SELECTORS[kind]
    sel = spec.get(sel_key)
    if sel is None or not isinstance(sel, dict):
        return False
    if not selector_matches(sel, labels):
        return False
    nsel = spec.get(ns_key)
    if nsel is None:
        return mon_ns == prom_ns
    if not isinstance(nsel, dict):
        raise InputError(f"spec.{ns_key} must be a label selector", field=f"spec.{ns_key}")
    return _namespace_selected(nsel, mon_ns)
