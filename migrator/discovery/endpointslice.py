"""Role ``endpointslice``: one group per discovery.k8s.io EndpointSlice.

One target per (endpoint, port, address); pod-backed endpoints get pod labels and
the matching container, then extra targets for uncovered container ports, as in
the endpoints role.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .common import (ADDRESS, META, NAMESPACE_LABEL, Context, add_object_meta, join_host_port, lst, m, name_of,
                     namespace_of, opt, opt_bool, opt_num, s, sanitize, str_map, text)
from .endpoints import SeenPods, match_container, resolve_pod
from .pod import pod_labels
from .service import service_labels

if TYPE_CHECKING:
    from . import TargetGroup

SERVICE_NAME_LABEL = "kubernetes.io/service-name"
P = META + "endpointslice_"


def non_primary_ip_family(svc: dict | None, eps: dict) -> bool:
    """A dual-stack service's slice whose address type is not the service's primary IP family."""
    if svc is None:
        return False
    spec = m(svc, "spec")
    policy = spec.get("ipFamilyPolicy")
    if policy not in ("PreferDualStack", "RequireDualStack"):
        return False
    families = lst(spec, "ipFamilies")
    if not families:
        return False
    return s(eps, "addressType") != text(families[0])


def build_endpointslice(eps: dict, ctx: Context) -> "TargetGroup":
    from . import TargetGroup

    f = ctx.features
    ns, name = namespace_of(eps), name_of(eps)
    labels: dict[str, str] = {NAMESPACE_LABEL: ns, P + "address_type": s(eps, "addressType")}
    if f.unified_metadata:
        add_object_meta(labels, eps, "endpointslice")
    else:
        labels[P + "name"] = name
    svc = None
    svc_name = str_map(m(eps, "metadata"), "labels").get(SERVICE_NAME_LABEL)
    if svc_name is not None and ctx.services is not None:
        svc = ctx.services.get(ns, svc_name)
        if svc is not None:
            labels.update(service_labels(svc))
    if ctx.cfg.attach_namespace:
        labels.update(ctx.namespace_meta(ns))
    tg = TargetGroup(f"endpointslice/{ns}/{name}", [], labels)
    if f.dual_stack_dedup and non_primary_ip_family(svc, eps):
        return tg

    seen = SeenPods()
    attach_node = ctx.cfg.attach_node
    topology_key = "topology" if f.v1beta1_apis and s(eps, "apiVersion").endswith("v1beta1") else "deprecatedTopology"
    slice_ports = [p for p in lst(eps, "ports") if isinstance(p, dict)]

    for ep in lst(eps, "endpoints"):
        if not isinstance(ep, dict):
            continue
        # labels common to every address and port of this endpoint
        base: dict[str, str] = {}
        cond = m(ep, "conditions")
        for c in ("ready", "serving", "terminating"):
            b = opt_bool(cond, c)
            if b is not None:
                base[P + "endpoint_conditions_" + c] = "true" if b else "false"
        hostname = opt(ep, "hostname")
        if hostname is not None:
            base[P + "endpoint_hostname"] = hostname
        ref = ep.get("targetRef")
        if not isinstance(ref, dict):
            ref = None
        if ref is not None:
            base[P + "address_target_kind"] = s(ref, "kind")
            base[P + "address_target_name"] = s(ref, "name")
        node_name = opt(ep, "nodeName")
        if f.slice_node_name_zone:
            if node_name is not None:
                base[P + "endpoint_node_name"] = node_name
            zone = opt(ep, "zone")
            if zone is not None:
                base[P + "endpoint_zone"] = zone
        for k, v in str_map(ep, topology_key).items():
            ln = sanitize(k)
            base[P + "endpoint_topology_" + ln] = v
            base[P + "endpoint_topology_present_" + ln] = "true"
        if attach_node:
            if f.attach_node_via_target_ref and ref is not None and s(ref, "kind") == "Node":
                base.update(ctx.node_meta(s(ref, "name")))
            else:
                base.update(ctx.node_meta(node_name))
        pod = resolve_pod(ref, ctx)
        plabels = pod_labels(pod, ctx) if pod is not None else None
        addresses = [text(a) for a in lst(ep, "addresses")]

        for port in slice_ports:
            number = opt_num(port, "port")
            pname, proto, app = opt(port, "name"), opt(port, "protocol"), opt(port, "appProtocol")
            for addr in addresses:
                t = {ADDRESS: addr if number is None else join_host_port(addr, number)}
                if pname is not None:
                    t[P + "port_name"] = pname
                if proto is not None:
                    t[P + "port_protocol"] = proto
                if number is not None:
                    t[P + "port"] = str(number)
                if app is not None:
                    t[P + "port_app_protocol"] = app
                t.update(base)
                if pod is not None:
                    t.update(plabels)  # type: ignore[arg-type]
                    match_container(t, pod, number, None, ctx)
                    seen.see(pod, number)
                tg.targets.append(t)
    tg.targets.extend(seen.extra_targets(ctx))
    return tg


def discover_endpointslices(ctx: Context) -> list["TargetGroup"]:
    assert ctx.main is not None
    return [build_endpointslice(e, ctx) for e in ctx.main.list()]
