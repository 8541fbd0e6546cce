"""A synthetic, realistic cluster inventory for the ``targets`` benchmark (deterministic, seeded).

    python benchmarks/gen_inventory.py OUT.json [--pods 20000] [--seed 7]

What ``kubectl get pods,services,endpoints,endpointslices,nodes,namespaces,replicasets -A -o json``
would print for a cluster of ``--pods`` pods in 50 namespaces on 500 nodes:

* Deployments of 1-6 replicas, each with a ReplicaSet (owned by the Deployment), a Service, its
  Endpoints and an EndpointSlice (ready pods as addresses, running-but-unready ones as
  notReadyAddresses / ready=false; pods without an IP and finished pods are not listed);
* ~60% of the pods with an Istio sidecar, as the injector leaves them: init container istio-init,
  container istio-proxy with port http-envoy-prom 15090, annotations prometheus.io/scrape "true",
  prometheus.io/port "15020", prometheus.io/path "/stats/prometheus", sidecar.istio.io/status, and
  labels service.istio.io/canonical-name, service.istio.io/canonical-revision,
  security.istio.io/tlsMode;
* ~20% of the pods with their own prometheus.io/scrape, port and path annotations (their Services
  annotated too, some as scrape_slow), the rest without;
* ~2% of the pods Pending without a podIP, ~1% Succeeded;
* istiod (Service istiod in istio-system with port http-monitoring 15014) and the ingress and
  egress gateway pods; the ``kubernetes`` Service in default (for the API server job).

Deployment(s) themselves are not listed (kubectl's command above does not list them either).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import uuid
from typing import Any

N_NAMESPACES = 50
N_NODES = 500
ISTIO_VERSION = "1.27.1"
SYSTEM_NAMESPACES = ("default", "kube-system", "istio-system")
ZONES = ("eu-west-1a", "eu-west-1b", "eu-west-1c")
BASE_TIME = 1_790_000_000  # 2026-09-21, fixed for determinism
HASH_CHARS = "bcdfghjklmnpqrstvwxz2456789"  # the alphabet of Kubernetes' name suffixes
WORDS = ("cart", "checkout", "payment", "search", "catalog", "user", "auth", "billing", "shipping", "review",
         "inventory", "email", "notify", "report", "ledger", "pricing", "quote", "media", "profile", "gateway",
         "session", "order", "feed", "rank", "audit", "export", "import", "sync", "worker", "cache")


def _ts(offset: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(BASE_TIME + offset))


class Gen:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.rv = 100_000
        self.pod_ip_seq = 0

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def suffix(self, n: int) -> str:
        return "".join(self.rng.choice(HASH_CHARS) for _ in range(n))

    def resource_version(self) -> str:
        self.rv += self.rng.randint(1, 40)
        return str(self.rv)

    def next_pod_ip(self) -> str:
        i = self.pod_ip_seq
        self.pod_ip_seq += 1
        return f"10.{100 + i // 65024}.{(i // 254) % 256}.{1 + i % 254}"

    def cid(self) -> str:
        return "containerd://" + "%064x" % self.rng.getrandbits(256)


def make_nodes(g: Gen, n: int) -> list[dict]:
    nodes = []
    for i in range(n):
        ip = f"10.0.{i // 250}.{10 + i % 250}"
        name = f"ip-{ip.replace('.', '-')}.eu-west-1.compute.internal"
        zone = ZONES[i % 3]
        itype = ("m6i.2xlarge", "m6i.4xlarge", "c6i.4xlarge", "r6i.2xlarge")[i % 4]
        role = "system" if i < 10 else "workload"
        nodes.append({
            "apiVersion": "v1", "kind": "Node",
            "metadata": {
                "name": name, "uid": g.uid(), "resourceVersion": g.resource_version(),
                "creationTimestamp": _ts(i * 60),
                "labels": {
                    "beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/instance-type": itype,
                    "beta.kubernetes.io/os": "linux", "eks.amazonaws.com/nodegroup": f"ng-{role}",
                    "failure-domain.beta.kubernetes.io/region": "eu-west-1",
                    "failure-domain.beta.kubernetes.io/zone": zone, "kubernetes.io/arch": "amd64",
                    "kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
                    "node.kubernetes.io/instance-type": itype, "node-role": role,
                    "topology.kubernetes.io/region": "eu-west-1", "topology.kubernetes.io/zone": zone,
                },
                "annotations": {"alpha.kubernetes.io/provided-node-ip": ip,
                                "node.alpha.kubernetes.io/ttl": "0",
                                "volumes.kubernetes.io/controller-managed-attach-detach": "true"},
            },
            "spec": {"providerID": f"aws:///{zone}/i-{g.rng.getrandbits(64):016x}"[:36],
                     "podCIDR": f"10.{100 + i // 256}.{i % 256}.0/24"},
            "status": {
                "addresses": [{"type": "InternalIP", "address": ip},
                              {"type": "InternalDNS", "address": name},
                              {"type": "Hostname", "address": name}],
                "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
                "conditions": [
                    {"type": "MemoryPressure", "status": "False", "reason": "KubeletHasSufficientMemory"},
                    {"type": "DiskPressure", "status": "False", "reason": "KubeletHasNoDiskPressure"},
                    {"type": "PIDPressure", "status": "False", "reason": "KubeletHasSufficientPID"},
                    {"type": "Ready", "status": "True", "reason": "KubeletReady"}],
                "nodeInfo": {"kubeletVersion": "v1.31.4-eks-aeac579", "containerRuntimeVersion": "containerd://1.7.25",
                             "osImage": "Amazon Linux 2023", "architecture": "amd64",
                             "operatingSystem": "linux"},
                "capacity": {"cpu": "8", "memory": "32386756Ki", "pods": "110"},
            },
        })
    return nodes


def make_namespaces(g: Gen, names: list[str], injected: set[str]) -> list[dict]:
    out = []
    for i, name in enumerate(names):
        labels = {"kubernetes.io/metadata.name": name}
        if name in injected:
            labels["istio-injection"] = "enabled"
        if name not in SYSTEM_NAMESPACES:
            labels["team"] = f"team-{i % 9}"
        out.append({"apiVersion": "v1", "kind": "Namespace",
                    "metadata": {"name": name, "uid": g.uid(), "resourceVersion": g.resource_version(),
                                 "creationTimestamp": _ts(i), "labels": labels},
                    "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}})
    return out


def _port(name: str | None, number: int, protocol: str = "TCP") -> dict:
    p: dict[str, Any] = {"containerPort": number, "protocol": protocol}
    if name:
        p["name"] = name
    return p


def _istio_init(g: Gen) -> dict:
    return {"name": "istio-init", "image": f"docker.io/istio/proxyv2:{ISTIO_VERSION}",
            "args": ["istio-iptables", "-p", "15001", "-z", "15006", "-u", "1337", "-m", "REDIRECT",
                     "-i", "*", "-x", "", "-b", "*", "-d", "15090,15021,15020", "--log_output_level=default:info"],
            "resources": {"limits": {"cpu": "2", "memory": "1Gi"}, "requests": {"cpu": "10m", "memory": "40Mi"}},
            "securityContext": {"capabilities": {"add": ["NET_ADMIN", "NET_RAW"], "drop": ["ALL"]},
                                "runAsUser": 0, "runAsNonRoot": False}}


def _istio_proxy(extra_ports: list[dict] | None = None, router: bool = False) -> dict:
    ports = list(extra_ports or [])
    if not router:
        ports = [_port("http-envoy-prom", 15090)]
    else:
        ports.append(_port("http-envoy-prom", 15090))
    return {"name": "istio-proxy", "image": f"docker.io/istio/proxyv2:{ISTIO_VERSION}",
            "args": ["proxy", "router" if router else "sidecar", "--domain", "$(POD_NAMESPACE).svc.cluster.local",
                     "--proxyLogLevel=warning", "--proxyComponentLogLevel=misc:error",
                     "--log_output_level=default:info"],
            "ports": ports,
            "readinessProbe": {"httpGet": {"path": "/healthz/ready", "port": 15021}, "periodSeconds": 15},
            "resources": {"limits": {"cpu": "2", "memory": "1Gi"}, "requests": {"cpu": "100m", "memory": "128Mi"}}}


def _status(g: Gen, phase: str, node: dict | None, containers: list[dict], inits: list[dict], ready: bool,
            ip: str | None, start: int) -> dict:
    host_ip = node["status"]["addresses"][0]["address"] if node else None
    cond_ready = "True" if ready else "False"
    st: dict[str, Any] = {"phase": phase, "qosClass": "Burstable"}
    if phase == "Pending":
        st["conditions"] = [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
                             "lastTransitionTime": _ts(start),
                             "message": "0/500 nodes are available: 500 Insufficient cpu."}]
        return st
    st["conditions"] = [
        {"type": "PodReadyToStartContainers", "status": "True", "lastTransitionTime": _ts(start + 3)},
        {"type": "Initialized", "status": "True", "lastTransitionTime": _ts(start + 4),
         **({"reason": "PodCompleted"} if phase == "Succeeded" else {})},
        {"type": "Ready", "status": cond_ready, "lastTransitionTime": _ts(start + 9),
         **({"reason": "PodCompleted"} if phase == "Succeeded" else {})},
        {"type": "ContainersReady", "status": cond_ready, "lastTransitionTime": _ts(start + 9)},
        {"type": "PodScheduled", "status": "True", "lastTransitionTime": _ts(start)}]
    st["hostIP"] = host_ip
    st["hostIPs"] = [{"ip": host_ip}]
    if ip:
        st["podIP"] = ip
        st["podIPs"] = [{"ip": ip}]
    st["startTime"] = _ts(start)

    def cstatus(c: dict, init: bool) -> dict:
        if phase == "Succeeded" or init:
            state = {"terminated": {"exitCode": 0, "reason": "Completed", "containerID": "",
                                    "startedAt": _ts(start + 2), "finishedAt": _ts(start + 3)}}
        else:
            state = {"running": {"startedAt": _ts(start + 5)}}
        cid = g.cid()
        if "terminated" in state:
            state["terminated"]["containerID"] = cid
        return {"name": c["name"], "image": c["image"], "imageID": c["image"].split(":")[0] + "@sha256:"
                + "%064x" % g.rng.getrandbits(256), "containerID": cid,
                "ready": ready and not init and phase == "Running", "restartCount": g.rng.choice((0, 0, 0, 1)),
                "started": phase == "Running" and not init, "state": state}

    st["containerStatuses"] = [cstatus(c, False) for c in containers]
    if inits:
        st["initContainerStatuses"] = [cstatus(c, True) for c in inits]
    return st


def make_pod(g: Gen, *, ns: str, deploy: str, rs_name: str, rs_uid: str, template_hash: str, labels: dict,
             annotations: dict, containers: list[dict], inits: list[dict], node: dict, start: int,
             phase: str, ready: bool, sa: str) -> dict:
    name = f"{rs_name}-{g.suffix(5)}"
    ip = g.next_pod_ip() if phase != "Pending" else None
    pod = {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {
            "name": name, "generateName": f"{rs_name}-", "namespace": ns, "uid": g.uid(),
            "resourceVersion": g.resource_version(), "creationTimestamp": _ts(start),
            "labels": dict(labels, **{"pod-template-hash": template_hash}),
            "annotations": dict(annotations),
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": rs_name, "uid": rs_uid,
                                 "controller": True, "blockOwnerDeletion": True}],
        },
        "spec": {"containers": containers, "dnsPolicy": "ClusterFirst", "enableServiceLinks": True,
                 "preemptionPolicy": "PreemptLowerPriority", "priority": 0, "restartPolicy": "Always",
                 "schedulerName": "default-scheduler", "serviceAccount": sa, "serviceAccountName": sa,
                 "terminationGracePeriodSeconds": 30,
                 "tolerations": [{"effect": "NoExecute", "key": "node.kubernetes.io/not-ready",
                                  "operator": "Exists", "tolerationSeconds": 300},
                                 {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable",
                                  "operator": "Exists", "tolerationSeconds": 300}]},
        "status": _status(g, phase, node if phase != "Pending" else None, containers, inits, ready, ip, start),
    }
    if inits:
        pod["spec"]["initContainers"] = inits
    if phase != "Pending":
        pod["spec"]["nodeName"] = node["metadata"]["name"]
    return pod


def make_workload(g: Gen, *, ns: str, name: str, replicas: int, kind: str, nodes: list[dict], start: int,
                  service_ports: list[dict], pod_labels: dict, pod_annotations: dict,
                  containers_fn, inits_fn, service_annotations: dict | None = None,
                  service_labels: dict | None = None, sa: str = "default",
                  force_running: bool = False) -> list[dict]:
    """A Deployment's ReplicaSet, pods, Service, Endpoints and EndpointSlice."""
    rng = g.rng
    template_hash = g.suffix(rng.choice((9, 10)))
    rs_name = f"{name}-{template_hash}"
    rs_uid = g.uid()
    deploy_uid = g.uid()
    selector = {"app": name}
    objs: list[dict] = [{
        "apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {"name": rs_name, "namespace": ns, "uid": rs_uid, "resourceVersion": g.resource_version(),
                     "creationTimestamp": _ts(start), "generation": 1,
                     "labels": dict(pod_labels, **{"pod-template-hash": template_hash}),
                     "annotations": {"deployment.kubernetes.io/desired-replicas": str(replicas),
                                     "deployment.kubernetes.io/max-replicas": str(replicas + 1),
                                     "deployment.kubernetes.io/revision": "1"},
                     "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": name,
                                          "uid": deploy_uid, "controller": True, "blockOwnerDeletion": True}]},
        "spec": {"replicas": replicas,
                 "selector": {"matchLabels": dict(selector, **{"pod-template-hash": template_hash})}},
        "status": {"replicas": replicas, "observedGeneration": 1},
    }]
    pods = []
    for r in range(replicas):
        x = rng.random()
        if force_running or x >= 0.03:
            phase, ready = "Running", rng.random() >= 0.01
        elif x < 0.02:
            phase, ready = "Pending", False
        else:
            phase, ready = "Succeeded", False
        node = nodes[rng.randrange(len(nodes))]
        pods.append(make_pod(g, ns=ns, deploy=name, rs_name=rs_name, rs_uid=rs_uid, template_hash=template_hash,
                             labels=pod_labels, annotations=pod_annotations, containers=containers_fn(),
                             inits=inits_fn(), node=node, start=start + 30 + r, phase=phase, ready=ready, sa=sa))
    objs += pods
    svc_uid = g.uid()
    cluster_ip = f"172.20.{rng.randrange(256)}.{rng.randrange(1, 255)}"
    svc_labels = dict(service_labels or {"app": name})
    objs.append({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": name, "namespace": ns, "uid": svc_uid, "resourceVersion": g.resource_version(),
                     "creationTimestamp": _ts(start), "labels": svc_labels,
                     **({"annotations": dict(service_annotations)} if service_annotations else {})},
        "spec": {"type": "ClusterIP", "clusterIP": cluster_ip, "clusterIPs": [cluster_ip],
                 "internalTrafficPolicy": "Cluster", "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack",
                 "ports": service_ports, "selector": selector, "sessionAffinity": "None"},
        "status": {"loadBalancer": {}},
    })
    # endpoints: pods with an IP that are not finished; ready ones as addresses
    listed = [p for p in pods if p["status"].get("podIP") and p["status"]["phase"] == "Running"]
    ep_ports = [{"name": p.get("name"), "port": p["targetPort"] if isinstance(p["targetPort"], int) else p["port"],
                 "protocol": p.get("protocol", "TCP")} for p in service_ports]
    for p in ep_ports:
        if p["name"] is None:
            del p["name"]

    def ref(p: dict) -> dict:
        md = p["metadata"]
        return {"kind": "Pod", "name": md["name"], "namespace": ns, "uid": md["uid"]}

    def is_ready(p: dict) -> bool:
        return any(c["type"] == "Ready" and c["status"] == "True" for c in p["status"]["conditions"])

    ready_addrs = [{"ip": p["status"]["podIP"], "nodeName": p["spec"]["nodeName"], "targetRef": ref(p)}
                   for p in listed if is_ready(p)]
    unready = [{"ip": p["status"]["podIP"], "nodeName": p["spec"]["nodeName"], "targetRef": ref(p)}
               for p in listed if not is_ready(p)]
    subset: dict[str, Any] = {"ports": ep_ports}
    if ready_addrs:
        subset["addresses"] = ready_addrs
    if unready:
        subset["notReadyAddresses"] = unready
    objs.append({"apiVersion": "v1", "kind": "Endpoints",
                 "metadata": {"name": name, "namespace": ns, "uid": g.uid(), "resourceVersion": g.resource_version(),
                              "creationTimestamp": _ts(start), "labels": dict(svc_labels)},
                 **({"subsets": [subset]} if listed else {})})
    objs.append({
        "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
        "metadata": {"name": f"{name}-{g.suffix(5)}", "generateName": f"{name}-", "namespace": ns,
                     "uid": g.uid(), "resourceVersion": g.resource_version(), "creationTimestamp": _ts(start),
                     "labels": dict(svc_labels, **{"endpointslice.kubernetes.io/managed-by":
                                                   "endpointslice-controller.k8s.io",
                                                   "kubernetes.io/service-name": name}),
                     "annotations": {"endpoints.kubernetes.io/last-change-trigger-time": _ts(start + 40)},
                     "ownerReferences": [{"apiVersion": "v1", "kind": "Service", "name": name, "uid": svc_uid,
                                          "controller": True, "blockOwnerDeletion": True}]},
        "addressType": "IPv4",
        "endpoints": [{"addresses": [p["status"]["podIP"]],
                       "conditions": {"ready": is_ready(p), "serving": is_ready(p), "terminating": False},
                       "nodeName": p["spec"]["nodeName"],
                       "zone": _zone_of(nodes, p["spec"]["nodeName"]),
                       "targetRef": ref(p)} for p in listed],
        "ports": ep_ports,
    })
    return objs


_ZONE_CACHE: dict[str, str] = {}


def _zone_of(nodes: list[dict], name: str) -> str:
    if name not in _ZONE_CACHE:
        for n in nodes:
            _ZONE_CACHE[n["metadata"]["name"]] = n["metadata"]["labels"]["topology.kubernetes.io/zone"]
    return _ZONE_CACHE[name]


def _sidecar_status() -> str:
    return json.dumps({"initContainers": ["istio-init"], "containers": ["istio-proxy"],
                       "volumes": ["workload-socket", "credential-socket", "workload-certs", "istio-envoy",
                                   "istio-data", "istio-podinfo", "istio-token", "istiod-ca-cert"],
                       "imagePullSecrets": None, "revision": "default"}, separators=(",", ":"))


ISTIO_ANNOTATIONS = {"istio.io/rev": "default", "kubectl.kubernetes.io/default-container": "app",
                     "kubectl.kubernetes.io/default-logs-container": "app",
                     "prometheus.io/path": "/stats/prometheus", "prometheus.io/port": "15020",
                     "prometheus.io/scrape": "true", "sidecar.istio.io/status": _sidecar_status()}


def istio_system(g: Gen, nodes: list[dict]) -> list[dict]:
    ns = "istio-system"
    objs = []
    system_nodes = nodes[:10]
    istiod_labels = {"app": "istiod", "istio": "pilot", "istio.io/rev": "default",
                     "install.operator.istio.io/owning-resource": "unknown", "operator.istio.io/component": "Pilot",
                     "sidecar.istio.io/inject": "false", "app.kubernetes.io/name": "istiod",
                     "app.kubernetes.io/part-of": "istio", "app.kubernetes.io/version": ISTIO_VERSION}
    objs += make_workload(
        g, ns=ns, name="istiod", replicas=2, kind="istiod", nodes=system_nodes, start=100,
        service_ports=[{"name": "grpc-xds", "port": 15010, "protocol": "TCP", "targetPort": 15010},
                       {"name": "https-dns", "port": 15012, "protocol": "TCP", "targetPort": 15012},
                       {"name": "https-webhook", "port": 443, "protocol": "TCP", "targetPort": 15017},
                       {"name": "http-monitoring", "port": 15014, "protocol": "TCP", "targetPort": 15014}],
        pod_labels=istiod_labels,
        pod_annotations={"prometheus.io/port": "15014", "prometheus.io/scrape": "true",
                         "sidecar.istio.io/inject": "false"},
        containers_fn=lambda: [{"name": "discovery", "image": f"docker.io/istio/pilot:{ISTIO_VERSION}",
                                "ports": [_port(None, 8080), _port(None, 15010), _port(None, 15017)],
                                "resources": {"requests": {"cpu": "500m", "memory": "2Gi"}}}],
        inits_fn=lambda: [], service_labels={"app": "istiod", "istio": "pilot", "istio.io/rev": "default",
                                             "release": "istio"},
        sa="istiod", force_running=True)
    for gw, replicas, extra in (
            ("ingressgateway", 3, [_port("status-port", 15021), _port("http2", 8080), _port("https", 8443)]),
            ("egressgateway", 2, [_port("http2", 8080), _port("https", 8443)])):
        app = f"istio-{gw}"
        labels = {"app": app, "istio": gw, "chart": "gateways", "heritage": "Tiller", "release": "istio",
                  "istio.io/rev": "default", "sidecar.istio.io/inject": "false",
                  "service.istio.io/canonical-name": app, "service.istio.io/canonical-revision": "latest",
                  "operator.istio.io/component": "IngressGateways" if gw == "ingressgateway" else "EgressGateways"}
        objs += make_workload(
            g, ns=ns, name=app, replicas=replicas, kind="gateway", nodes=system_nodes, start=200,
            service_ports=[{"name": "status-port", "port": 15021, "protocol": "TCP", "targetPort": 15021},
                           {"name": "http2", "port": 80, "protocol": "TCP", "targetPort": 8080},
                           {"name": "https", "port": 443, "protocol": "TCP", "targetPort": 8443}],
            pod_labels=labels,
            pod_annotations={"istio.io/rev": "default", "prometheus.io/path": "/stats/prometheus",
                             "prometheus.io/port": "15020", "prometheus.io/scrape": "true",
                             "sidecar.istio.io/inject": "false"},
            containers_fn=lambda extra=extra: [_istio_proxy(extra, router=True)], inits_fn=lambda: [],
            service_labels={"app": app, "istio": gw, "release": "istio"}, sa=f"{app}-service-account",
            force_running=True)
    return objs


def api_server(g: Gen) -> list[dict]:
    ips = ["10.0.250.11", "10.0.250.12", "10.0.250.13"]
    uid = g.uid()
    return [
        {"apiVersion": "v1", "kind": "Service",
         "metadata": {"name": "kubernetes", "namespace": "default", "uid": uid, "resourceVersion": "200",
                      "creationTimestamp": _ts(0), "labels": {"component": "apiserver", "provider": "kubernetes"}},
         "spec": {"type": "ClusterIP", "clusterIP": "172.20.0.1", "clusterIPs": ["172.20.0.1"],
                  "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 443}],
                  "sessionAffinity": "None"}},
        {"apiVersion": "v1", "kind": "Endpoints",
         "metadata": {"name": "kubernetes", "namespace": "default", "uid": g.uid(), "resourceVersion": "201",
                      "labels": {"endpointslice.kubernetes.io/skip-mirror": "true"}},
         "subsets": [{"addresses": [{"ip": ip} for ip in ips],
                      "ports": [{"name": "https", "port": 443, "protocol": "TCP"}]}]},
        {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
         "metadata": {"name": "kubernetes", "namespace": "default", "uid": g.uid(), "resourceVersion": "202",
                      "labels": {"kubernetes.io/service-name": "kubernetes"}},
         "addressType": "IPv4",
         "endpoints": [{"addresses": [ip], "conditions": {"ready": True, "serving": True, "terminating": False}}
                       for ip in ips],
         "ports": [{"name": "https", "port": 443, "protocol": "TCP"}]},
    ]


def make_inventory(n_pods: int = 20_000, *, seed: int = 7, n_namespaces: int = N_NAMESPACES,
                   n_nodes: int = N_NODES) -> dict:
    """The whole inventory as a ``kind: List`` document."""
    g = Gen(seed)
    rng = g.rng
    _ZONE_CACHE.clear()
    nodes = make_nodes(g, n_nodes)
    n_app = max(1, n_namespaces - len(SYSTEM_NAMESPACES))
    app_namespaces = [f"{WORDS[i % len(WORDS)]}-{('prod', 'stg', 'dev', 'qa')[(i // len(WORDS)) % 4]}"
                      + (f"-{i // (4 * len(WORDS))}" if i >= 4 * len(WORDS) else "") for i in range(n_app)]
    injected = {ns for i, ns in enumerate(app_namespaces) if i % 5 < 3} | {"istio-system"}
    objs: list[dict] = list(nodes)
    objs += make_namespaces(g, list(SYSTEM_NAMESPACES) + app_namespaces, injected)
    objs += api_server(g)
    objs += istio_system(g, nodes)
    made = sum(1 for o in objs if o["kind"] == "Pod")
    d = 0
    while made < n_pods:
        replicas = min(rng.randint(1, 6), n_pods - made)
        ns = app_namespaces[rng.randrange(len(app_namespaces))]
        name = f"{rng.choice(WORDS)}-{rng.choice(WORDS)}-{d}"
        d += 1
        x = rng.random()
        kind = "istio" if x < 0.60 else ("annotated" if x < 0.80 else "plain")
        labels = {"app": name, "app.kubernetes.io/name": name, "app.kubernetes.io/instance": name,
                  "app.kubernetes.io/part-of": ns.split("-")[0], "version": f"v{1 + d % 3}"}
        annotations: dict[str, str] = {}
        svc_ann: dict[str, str] = {}
        app_ports = [_port("http", 8080)]
        if rng.random() < 0.3:
            app_ports.append(_port("grpc", 9090))
        if kind == "istio":
            labels.update({"security.istio.io/tlsMode": "istio", "service.istio.io/canonical-name": name,
                           "service.istio.io/canonical-revision": labels["version"]})
            annotations = dict(ISTIO_ANNOTATIONS)
        elif kind == "annotated":
            mport, path = rng.choice(((9102, "/metrics"), (8080, "/actuator/prometheus"), (9100, "/metrics")))
            if mport != 8080:
                app_ports.append(_port("metrics", mport))
            annotations = {"prometheus.io/scrape": "true", "prometheus.io/port": str(mport),
                           "prometheus.io/path": path}
            y = rng.random()
            if y < 0.5:
                svc_ann = {"prometheus.io/scrape": "true", "prometheus.io/port": str(mport),
                           "prometheus.io/path": path}
            elif y < 0.6:
                svc_ann = {"prometheus.io/scrape_slow": "true", "prometheus.io/port": str(mport)}
            elif y < 0.65:
                svc_ann = {"prometheus.io/probe": "true"}
        elif rng.random() < 0.25:
            app_ports = []  # a worker without ports
        image = f"123456789012.dkr.ecr.eu-west-1.amazonaws.com/{name.rsplit('-', 1)[0]}:{rng.randint(1, 400)}"

        def containers(app_ports=app_ports, kind=kind, image=image) -> list[dict]:
            app = {"name": "app", "image": image, "ports": [dict(p) for p in app_ports],
                   "resources": {"requests": {"cpu": "250m", "memory": "256Mi"}, "limits": {"memory": "512Mi"}}}
            if not app_ports:
                del app["ports"]
            return [app, _istio_proxy()] if kind == "istio" else [app]

        def inits(kind=kind) -> list[dict]:
            return [_istio_init(g)] if kind == "istio" else []

        svc_ports = [{"name": p["name"], "port": 80 if p["name"] == "http" else p["containerPort"],
                      "protocol": "TCP", "targetPort": p["containerPort"]} for p in app_ports] or \
            [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080}]
        objs += make_workload(g, ns=ns, name=name, replicas=replicas, kind=kind, nodes=nodes[10:] or nodes,
                              start=1000 + d * 17, service_ports=svc_ports, pod_labels=labels,
                              pod_annotations=annotations, containers_fn=containers, inits_fn=inits,
                              service_annotations=svc_ann, sa=name)
        made += replicas
    order = {"Pod": 0, "Service": 1, "Endpoints": 2, "EndpointSlice": 3, "Node": 4, "Namespace": 5,
             "ReplicaSet": 6}
    objs.sort(key=lambda o: order[o["kind"]])  # kubectl lists kind by kind
    return {"apiVersion": "v1", "kind": "List", "items": objs, "metadata": {"resourceVersion": ""}}


def default_namespaces(n_pods: int) -> int:
    """50 namespaces up to 20,000 pods, then one more per 400 pods (125 for 50,000)."""
    return max(N_NAMESPACES, round(n_pods / 400))


def write_inventory(path: str, n_pods: int, seed: int = 7, n_namespaces: int | None = None) -> dict[str, int]:
    doc = make_inventory(n_pods, seed=seed, n_namespaces=n_namespaces or default_namespaces(n_pods))
    counts: dict[str, int] = {}
    for o in doc["items"]:
        counts[o["kind"]] = counts.get(o["kind"], 0) + 1
    pods = [o for o in doc["items"] if o["kind"] == "Pod"]
    counts["pods with istio-proxy"] = sum(1 for p in pods if any(c["name"] == "istio-proxy"
                                                                for c in p["spec"]["containers"]))
    counts["pods with own prometheus.io annotations"] = sum(
        1 for p in pods if p["metadata"]["annotations"].get("prometheus.io/scrape") == "true"
        and "sidecar.istio.io/status" not in p["metadata"]["annotations"]
        and "istio" not in p["metadata"]["labels"])
    counts["pods Pending"] = sum(1 for p in pods if p["status"]["phase"] == "Pending")
    counts["pods Succeeded"] = sum(1 for p in pods if p["status"]["phase"] == "Succeeded")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=4, ensure_ascii=False)  # kubectl -o json indents by 4
        f.write("\n")
    return counts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--pods", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--namespaces", type=int, help="default: 50, or one per 400 pods above 20,000")
    args = ap.parse_args(argv)
    counts = write_inventory(args.out, args.pods, args.seed, args.namespaces)
    json.dump(counts, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
