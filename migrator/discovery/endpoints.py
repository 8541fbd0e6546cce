"""Role ``endpoints``: one group per core/v1 Endpoints object.

One target per (subset, port, address), ready addresses before not-ready ones;
pod-backed addresses get the pod's labels and the matching container; then one
extra target per container port of those pods that no endpoint port covered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .common import (ADDRESS, META, NAMESPACE_LABEL, Context, add_object_meta, join_host_port, lst, m, name_of,
                     namespace_of, num, opt, s)
from .pod import (CONTAINER_IMAGE, CONTAINER_INIT, CONTAINER_NAME, CONTAINER_PORT_NAME, CONTAINER_PORT_NUMBER,
                  CONTAINER_PORT_PROTOCOL, containers, pod_labels, ports)
from .service import service_labels

if TYPE_CHECKING:
    from . import TargetGroup


class SeenPods:
    """Pods that endpoint addresses resolved to, in first-seen order, with the endpoint ports seen.

    Prometheus keeps them in a Go map, so the order of the extra targets is random there; first-seen
    order here is one of the orders Prometheus can produce.
    """

    def __init__(self) -> None:
        self.pods: dict[tuple[str, str], tuple[dict, list[int | None]]] = {}

    def see(self, pod: dict, port: int | None) -> None:
        key = (namespace_of(pod), name_of(pod))
        entry = self.pods.get(key)
        if entry is None:
            entry = self.pods[key] = (pod, [])
        entry[1].append(port)

    def extra_targets(self, ctx: Context) -> list[dict[str, str]]:
        """Targets for container ports no endpoint port covered (pod IP, container labels, pod labels)."""
        f = ctx.features
        with_init = f.init_containers_in_endpoints
        out = []
        for pod, seen in self.pods.values():
            pod_ip = s(m(pod, "status"), "podIP")
            if pod_ip == "" and f.skip_extras_without_pod_ip:
                continue
            seen_ports = {p for p in seen if p is not None}
            plabels = pod_labels(pod, ctx)
            for c, is_init in containers(pod, with_init):
                for cp in ports(c):
                    number = num(cp.get("containerPort"))
                    if number in seen_ports:
                        continue
                    t = {
                        ADDRESS: join_host_port(pod_ip, number),
                        CONTAINER_NAME: s(c, "name"),
                        CONTAINER_IMAGE: s(c, "image"),
                        CONTAINER_PORT_NAME: s(cp, "name"),
                        CONTAINER_PORT_NUMBER: str(number),
                        CONTAINER_PORT_PROTOCOL: s(cp, "protocol"),
                    }
                    if with_init:
                        t[CONTAINER_INIT] = "true" if is_init else "false"
                    t.update(plabels)
                    out.append(t)
        return out


def match_container(target: dict[str, str], pod: dict, port: int | None, protocol: str | None,
                    ctx: Context) -> None:
    """Container labels for the container port equal to the endpoint port (the last container wins).

    protocol None means: take the container port's protocol (endpointslice); otherwise the endpoint's.
    """
    if port is None:
        return
    with_init = ctx.features.init_containers_in_endpoints
    for c, is_init in containers(pod, with_init):
        for cp in ports(c):
            if num(cp.get("containerPort")) != port:
                continue
            target[CONTAINER_NAME] = s(c, "name")
            target[CONTAINER_IMAGE] = s(c, "image")
            target[CONTAINER_PORT_NAME] = s(cp, "name")
            target[CONTAINER_PORT_NUMBER] = str(port)
            target[CONTAINER_PORT_PROTOCOL] = s(cp, "protocol") if protocol is None else protocol
            if with_init:
                target[CONTAINER_INIT] = "true" if is_init else "false"
            break


def resolve_pod(ref: dict | None, ctx: Context) -> dict | None:
    if not isinstance(ref, dict) or s(ref, "kind") != "Pod" or ctx.pods is None:
        return None
    return ctx.pods.get(s(ref, "namespace"), s(ref, "name"))


def build_endpoints(eps: dict, ctx: Context) -> "TargetGroup":
    from . import TargetGroup

    ns, name = namespace_of(eps), name_of(eps)
    labels: dict[str, str] = {NAMESPACE_LABEL: ns}
    svc = ctx.services.get(ns, name) if ctx.services is not None else None
    if svc is not None:
        labels.update(service_labels(svc))
    add_object_meta(labels, eps, "endpoints", annotations=ctx.features.unified_metadata)
    if ctx.cfg.attach_namespace:
        labels.update(ctx.namespace_meta(ns))
    tg = TargetGroup(f"endpoints/{ns}/{name}", [], labels)
    seen = SeenPods()
    attach_node = ctx.cfg.attach_node
    via_ref = ctx.features.attach_node_via_target_ref

    def add(addr: dict, port: dict, ready: str) -> None:
        number = num(port.get("port"))
        protocol = s(port, "protocol")
        t = {
            ADDRESS: join_host_port(s(addr, "ip"), number),
            META + "endpoint_port_name": s(port, "name"),
            META + "endpoint_port_protocol": protocol,
            META + "endpoint_ready": ready,
        }
        ref = addr.get("targetRef")
        if not isinstance(ref, dict):
            ref = None
        if ref is not None:
            t[META + "endpoint_address_target_kind"] = s(ref, "kind")
            t[META + "endpoint_address_target_name"] = s(ref, "name")
        node_name = opt(addr, "nodeName")
        if node_name is not None:
            t[META + "endpoint_node_name"] = node_name
        hostname = s(addr, "hostname")
        if hostname:
            t[META + "endpoint_hostname"] = hostname
        if attach_node:
            if node_name is not None:
                t.update(ctx.node_meta(node_name))
            elif via_ref and ref is not None and s(ref, "kind") == "Node":
                t.update(ctx.node_meta(s(ref, "name")))
        pod = resolve_pod(ref, ctx)
        if pod is not None:
            t.update(pod_labels(pod, ctx))
            match_container(t, pod, number, protocol, ctx)
            seen.see(pod, number)
        tg.targets.append(t)

    for subset in lst(eps, "subsets"):
        if not isinstance(subset, dict):
            continue
        for port in lst(subset, "ports"):
            if not isinstance(port, dict):
                continue
            for addr in lst(subset, "addresses"):
                if isinstance(addr, dict):
                    add(addr, port, "true")
            for addr in lst(subset, "notReadyAddresses"):
                if isinstance(addr, dict):
                    add(addr, port, "false")
    tg.targets.extend(seen.extra_targets(ctx))
    return tg


def discover_endpoints(ctx: Context) -> list["TargetGroup"]:
    assert ctx.main is not None
    return [build_endpoints(e, ctx) for e in ctx.main.list()]
