"""Role ``node``: one group and one target (the kubelet) per node."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .common import ADDRESS, META, Context, add_object_meta, join_host_port, lst, m, name_of, num, s, sanitize

if TYPE_CHECKING:
    from . import TargetGroup

#: nodeAddress priority (k8s.io/kubernetes/pkg/util/node)
ADDRESS_PRIORITY = ("InternalIP", "InternalDNS", "ExternalIP", "ExternalDNS", "LegacyHostIP", "Hostname")


def node_address(node: dict) -> tuple[str | None, dict[str, list[str]]]:
    """(the address to scrape or None, addresses by type in status.addresses order)."""
    by_type: dict[str, list[str]] = {}
    for a in lst(m(node, "status"), "addresses"):
        if isinstance(a, dict):
            by_type.setdefault(s(a, "type"), []).append(s(a, "address"))
    for t in ADDRESS_PRIORITY:
        if t in by_type:
            return by_type[t][0], by_type
    return None, by_type


def build_node(node: dict, ctx: Context) -> "TargetGroup | None":
    """The node's group, or None when it has no address (Prometheus ignores the event)."""
    from . import TargetGroup

    name = name_of(node)
    labels: dict[str, str] = {META + "node_provider_id": s(m(node, "spec"), "providerID")}
    if ctx.features.node_conditions:
        for cond in lst(m(node, "status"), "conditions"):
            if isinstance(cond, dict):
                labels[META + "node_condition_" + sanitize(s(cond, "type").lower())] = s(cond, "status").lower()
    add_object_meta(labels, node, "node")
    addr, by_type = node_address(node)
    if addr is None:
        return None
    kubelet = m(m(m(node, "status"), "daemonEndpoints"), "kubeletEndpoint")
    port = num(kubelet.get("Port", kubelet.get("port")))  # the API really spells it "Port"
    target = {ADDRESS: join_host_port(addr, port), "instance": name}
    for t, addrs in by_type.items():
        target[sanitize(META + "node_address_" + t)] = addrs[0]
    return TargetGroup(f"node/{name}", [target], labels)


def discover_nodes(ctx: Context) -> list["TargetGroup"]:
    assert ctx.main is not None
    out = []
    for node in ctx.main.list():
        tg = build_node(node, ctx)
        if tg is not None:
            out.append(tg)
    return out
