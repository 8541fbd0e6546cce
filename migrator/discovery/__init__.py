"""Kubernetes service discovery over an inventory, exactly as Prometheus's kubernetes_sd builds groups.

``discover(sd_config, inventory)`` returns the target groups that a
``kubernetes_sd_configs`` entry would produce once its informers have synced on
a cluster holding the inventory's objects: one group per object, keyed by
``Source`` (``pod/<ns>/<name>``, ``svc/...``, ``endpoints/...``,
``endpointslice/...``, ``ingress/...``, ``node/<name>``), with
``__address__`` and every ``__meta_kubernetes_*`` label. ``version`` selects
the Prometheus release's behaviour where 2.x and 3.x differ (None = latest).

``flatten(groups)`` merges each target over its group's labels (target wins),
which is the label set relabeling starts from.

Pure: plain data in, plain data out.

Where Prometheus itself is not deterministic or depends on event history, this
computes one of its possible answers from the final state:

* extra container-port targets of endpoints/endpointslice groups come per pod in
  first-seen order (Prometheus: Go map order);
* when two keys sanitise to the same label name, the later key in the object wins
  (Prometheus: random);
* stale groups that only an event sequence produces (e.g. a node update that the
  endpoints node index does not notice) are not modelled; a node without addresses
  has no group (Prometheus keeps whatever it had before);
* a field selector the API server would refuse raises InputError (Prometheus logs
  failing watches and discovers nothing for that informer).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from migrator.inventory import Inventory
from migrator.version import Version

from .common import (ROLE_KIND, ROLES, Context, Features, SDConfig, SDProblem, Store, check_sd_config,
                     check_sd_configs, parse_sd_config, roles)
from .endpoints import discover_endpoints
from .endpointslice import discover_endpointslices
from .ingress import discover_ingresses
from .node import discover_nodes
from .pod import discover_pods
from .service import discover_services

__all__ = ["TargetGroup", "discover", "flatten", "parse_sd_config", "check_sd_config", "check_sd_configs",
           "ROLES", "ROLE_KIND", "roles", "Features", "SDConfig", "SDProblem"]


@dataclass
class TargetGroup:
    """targetgroup.Group: a source key, the group labels, and the targets (label sets)."""

    source: str
    targets: list[dict[str, str]] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "targets": [dict(t) for t in self.targets], "labels": dict(self.labels)}


_BUILDERS: dict[str, Callable[[Context], list]] = {
    "pod": discover_pods,
    "service": discover_services,
    "endpoints": discover_endpoints,
    "endpointslice": discover_endpointslices,
    "node": discover_nodes,
    "ingress": discover_ingresses,
}


def discover(sd_config: dict, inventory: Inventory, *, own_namespace: str = "default",
             version: Version | None = None) -> list[TargetGroup]:
    """The target groups of one kubernetes_sd_configs entry over an inventory.

    Raises InputError for a config Prometheus would refuse (unknown role, bad selectors,
    attach_metadata keys the version lacks, ...). Groups come in inventory order per
    namespace; a group listed for several namespaces (duplicate names) appears once.
    """
    features = Features(version)
    cfg = parse_sd_config(sd_config, features)
    role = cfg.role
    sel = cfg.selectors
    nodes = Store(inventory, "Node", "", sel.get("node")) if role == "node" or cfg.attach_node else None
    namespaces = Store(inventory, "Namespace") if cfg.attach_namespace else None

    if role == "node":
        scopes = [""]  # nodes are cluster-scoped; namespaces are ignored
    else:
        scopes = cfg.namespaces(own_namespace)

    out: dict[str, TargetGroup] = {}
    for ns in scopes:
        ctx = Context(cfg, features, inventory, ns, nodes=nodes, namespaces=namespaces)
        if role == "node":
            ctx.main = nodes
        else:
            ctx.main = Store(inventory, ROLE_KIND[role], ns, sel.get(role))
        if role in ("endpoints", "endpointslice"):
            ctx.pods = Store(inventory, "Pod", ns, sel.get("pod"))
            ctx.services = Store(inventory, "Service", ns, sel.get("service"))
        if role in ("pod", "endpoints", "endpointslice") and features.pod_owner_metadata:
            if cfg.attach_deployment:
                ctx.replicasets = Store(inventory, "ReplicaSet", ns)
            if cfg.attach_job or cfg.attach_cronjob:
                ctx.jobs = Store(inventory, "Job", ns)
        for tg in _BUILDERS[role](ctx):
            out[tg.source] = tg
    return list(out.values())


def flatten(groups: list[TargetGroup]) -> list[dict[str, str]]:
    """Every target merged over its group's labels (the target wins on a conflict)."""
    flat = []
    for g in groups:
        for t in g.targets:
            merged = dict(g.labels)
            merged.update(t)
            flat.append(merged)
    return flat
