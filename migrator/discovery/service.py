"""Role ``service``: one group per service, one target per service port."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .common import (ADDRESS, META, NAMESPACE_LABEL, Context, add_object_meta, join_host_port, lst, m, name_of,
                     namespace_of, num, s)

if TYPE_CHECKING:
    from . import TargetGroup


def service_labels(svc: dict) -> dict[str, str]:
    """serviceLabels: namespace, service name, labels and annotations (also used by endpoints roles)."""
    ls = {NAMESPACE_LABEL: namespace_of(svc)}
    add_object_meta(ls, svc, "service")
    return ls


def loadbalancer_ip(svc: dict, ctx: Context) -> str:
    spec_ip = s(m(svc, "spec"), "loadBalancerIP")
    if not ctx.features.loadbalancer_status_ips:
        return spec_ip
    ips = [s(i, "ip") for i in lst(m(m(svc, "status"), "loadBalancer"), "ingress") if isinstance(i, dict)]
    ips = [ip for ip in ips if ip != ""]
    return ",".join(ips) if ips else spec_ip


def build_service(svc: dict, ctx: Context) -> "TargetGroup":
    from . import TargetGroup

    ns, name = namespace_of(svc), name_of(svc)
    labels = service_labels(svc)
    if ctx.cfg.attach_namespace:
        labels.update(ctx.namespace_meta(ns))
    tg = TargetGroup(f"svc/{ns}/{name}", [], labels)
    spec = m(svc, "spec")
    stype = s(spec, "type")
    for p in lst(spec, "ports"):
        if not isinstance(p, dict):
            continue
        number = str(num(p.get("port")))
        t = {
            ADDRESS: join_host_port(f"{name}.{ns}.svc", number),
            META + "service_port_name": s(p, "name"),
            META + "service_port_number": number,
            META + "service_port_protocol": s(p, "protocol"),
            META + "service_type": stype,
        }
        if stype == "ExternalName":
            t[META + "service_external_name"] = s(spec, "externalName")
        else:
            t[META + "service_cluster_ip"] = s(spec, "clusterIP")
        if stype == "LoadBalancer":
            t[META + "service_loadbalancer_ip"] = loadbalancer_ip(svc, ctx)
        tg.targets.append(t)
    return tg


def discover_services(ctx: Context) -> list["TargetGroup"]:
    assert ctx.main is not None
    return [build_service(svc, ctx) for svc in ctx.main.list()]
