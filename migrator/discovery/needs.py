"""Which object kinds a job's Kubernetes discovery reads: an inventory without them selects nothing.

One place for every command that explains an empty result (targets, migrate's proof).
"""

from __future__ import annotations

from typing import Any

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
