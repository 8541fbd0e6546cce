"""Role ``pod``: one group per pod, one target per container port (or per port-less container)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .common import (ADDRESS, META, NAMESPACE_LABEL, Context, add_object_meta, controller_of, join_host_port, lst, m,
                     name_of, namespace_of, num, s)

if TYPE_CHECKING:
    from . import TargetGroup

POD_IP = META + "pod_ip"
CONTAINER_NAME = META + "pod_container_name"
CONTAINER_ID = META + "pod_container_id"
CONTAINER_IMAGE = META + "pod_container_image"
CONTAINER_PORT_NAME = META + "pod_container_port_name"
CONTAINER_PORT_NUMBER = META + "pod_container_port_number"
CONTAINER_PORT_PROTOCOL = META + "pod_container_port_protocol"
CONTAINER_INIT = META + "pod_container_init"


def pod_source(namespace: str, name: str) -> str:
    return f"pod/{namespace}/{name}"


def pod_ready(pod: dict) -> str:
    """The Ready condition's status, lower-cased; "unknown" without one."""
    for cond in lst(m(pod, "status"), "conditions"):
        if isinstance(cond, dict) and s(cond, "type") == "Ready":
            return s(cond, "status").lower()
    return "unknown"


def pod_labels(pod: dict, ctx: Context) -> dict[str, str]:
    """podLabels: pod metadata, status and controller labels (no namespace, node or namespace metadata).

    Cached per pod for one discovery run: endpoints and endpointslices look the same pod up often.
    """
    key = id(pod)
    cached = ctx.pod_labels_cache.get(key)
    if cached is not None:
        return cached
    status, spec = m(pod, "status"), m(pod, "spec")
    ls = {
        POD_IP: s(status, "podIP"),
        META + "pod_ready": pod_ready(pod),
        META + "pod_phase": s(status, "phase"),
        META + "pod_node_name": s(spec, "nodeName"),
        META + "pod_host_ip": s(status, "hostIP"),
        META + "pod_uid": s(m(pod, "metadata"), "uid"),
    }
    add_object_meta(ls, pod, "pod")
    owner = controller_of(pod)
    if owner is not None:
        kind, oname = s(owner, "kind"), s(owner, "name")
        if kind:
            ls[META + "pod_controller_kind"] = kind
        if oname:
            ls[META + "pod_controller_name"] = oname
        cfg = ctx.cfg
        if kind == "ReplicaSet":
            if cfg.attach_deployment and ctx.replicasets is not None:
                rs = ctx.replicasets.get(namespace_of(pod), oname)
                if rs is not None:
                    rs_owner = controller_of(rs)
                    if rs_owner is not None and s(rs_owner, "kind") == "Deployment":
                        ls[META + "pod_deployment_name"] = s(rs_owner, "name")
        elif kind == "Job":
            if cfg.attach_job:
                ls[META + "pod_job_name"] = oname
            if cfg.attach_cronjob and ctx.jobs is not None:
                job = ctx.jobs.get(namespace_of(pod), oname)
                if job is not None:
                    job_owner = controller_of(job)
                    if job_owner is not None and s(job_owner, "kind") == "CronJob":
                        ls[META + "pod_cronjob_name"] = s(job_owner, "name")
    ctx.pod_labels_cache[key] = ls
    return ls


def containers(pod: dict, with_init: bool = True) -> list[tuple[dict, bool]]:
    """(container, is_init): spec.containers then (if with_init) spec.initContainers."""
    spec = m(pod, "spec")
    out = [(c, False) for c in lst(spec, "containers") if isinstance(c, dict)]
    if with_init:
        out += [(c, True) for c in lst(spec, "initContainers") if isinstance(c, dict)]
    return out


def ports(container: dict) -> list[dict]:
    return [p for p in lst(container, "ports") if isinstance(p, dict)]


def _container_id(pod: dict, cname: str, is_init: bool) -> str:
    key = "initContainerStatuses" if is_init else "containerStatuses"
    for st in lst(m(pod, "status"), key):
        if isinstance(st, dict) and s(st, "name") == cname:
            return s(st, "containerID")
    return ""


def build_pod(pod: dict, ctx: Context) -> "TargetGroup":
    from . import TargetGroup

    ns, name = namespace_of(pod), name_of(pod)
    tg = TargetGroup(pod_source(ns, name), [], {})
    pod_ip = s(m(pod, "status"), "podIP")
    if pod_ip == "":
        return tg
    node_name = s(m(pod, "spec"), "nodeName")
    if ctx.cfg.attach_node and ctx.features.pod_node_selectors and ctx.nodes is not None \
            and ctx.nodes.get("", node_name) is None:
        return tg  # >= 3.11: pods on nodes the (selector-filtered) node store lacks
    labels = dict(pod_labels(pod, ctx))
    labels[NAMESPACE_LABEL] = ns
    if ctx.cfg.attach_node:
        labels.update(ctx.node_meta(node_name))
    if ctx.cfg.attach_namespace:
        labels.update(ctx.namespace_meta(ns))
    tg.labels = labels
    targets = tg.targets
    for c, is_init in containers(pod):
        cname, image = s(c, "name"), s(c, "image")
        cid = _container_id(pod, cname, is_init)
        init = "true" if is_init else "false"
        cports = ports(c)
        if not cports:
            targets.append({ADDRESS: pod_ip, CONTAINER_NAME: cname, CONTAINER_ID: cid, CONTAINER_IMAGE: image,
                            CONTAINER_INIT: init})
            continue
        for p in cports:
            number = str(num(p.get("containerPort")))
            targets.append({
                ADDRESS: join_host_port(pod_ip, number),
                CONTAINER_NAME: cname,
                CONTAINER_ID: cid,
                CONTAINER_IMAGE: image,
                CONTAINER_PORT_NUMBER: number,
                CONTAINER_PORT_NAME: s(p, "name"),
                CONTAINER_PORT_PROTOCOL: s(p, "protocol"),
                CONTAINER_INIT: init,
            })
    return tg


def discover_pods(ctx: Context) -> list["TargetGroup"]:
    assert ctx.main is not None
    return [build_pod(p, ctx) for p in ctx.main.list()]
