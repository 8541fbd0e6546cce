"""Which object kinds a job's Kubernetes discovery reads: an inventory without them selects nothing.

One place for every command that explains an empty result (targets, migrate's proof), and for what
``--cluster`` lists (targets, diff, migrate: ``cluster_kinds``).
"""

from __future__ import annotations

from typing import Any, Iterable

from .common import ROLE_KIND

#: kinds each role reads to produce a target at all (a Service without Endpoints gives no endpoints target)
ROLE_NEEDS = {"pod": ("Pod",), "service": ("Service",), "endpoints": ("Endpoints",),
              "endpointslice": ("EndpointSlice",), "node": ("Node",), "ingress": ("Ingress",)}


def needed_kinds(config: Any) -> list[str]:
    """The kinds the job's kubernetes_sd_configs need, in order, without duplicates."""
    out: list[str] = []
    sds = config.get("kubernetes_sd_configs") if isinstance(config, dict) else None
    for sd in sds if isinstance(sds, list) else []:
        role = sd.get("role") if isinstance(sd, dict) else None
        for kind in ROLE_NEEDS.get(str(role), ()):
            if kind not in out and kind in ROLE_KIND.values():
                out.append(kind)
    return out


def missing_kinds(config: Any, inventory: Any) -> list[str]:
    """The kinds the job needs of which the inventory holds no object."""
    if inventory is None:
        return []
    return [k for k in needed_kinds(config) if not inventory.count(k)]


#: what Prometheus's own discovery lists for any job (what its usual RBAC allows)
CLUSTER_KINDS = ("Pod", "Service", "Endpoints", "EndpointSlice", "Node", "Ingress")
#: attach_metadata key -> the kind Prometheus lists only for a job that sets it
ATTACH_KINDS = {"namespace": "Namespace", "deployment": "ReplicaSet", "job": "Job", "cronjob": "Job"}


def cluster_kinds(configs: Iterable[Any]) -> list[str]:
    """What ``--cluster`` lists for these scrape jobs: the kinds Prometheus's own discovery lists, plus
    Namespace, ReplicaSet or Job only for a job whose ``attach_metadata`` asks for them (as Prometheus:
    its service account may not list those, and need not)."""
    kinds = list(CLUSTER_KINDS)
    for config in configs:
        sds = config.get("kubernetes_sd_configs") if isinstance(config, dict) else None
        for sd in sds if isinstance(sds, list) else ():
            am = sd.get("attach_metadata") if isinstance(sd, dict) else None
            for key, kind in ATTACH_KINDS.items():
                if isinstance(am, dict) and am.get(key) and kind not in kinds:
                    kinds.append(kind)
    return kinds
