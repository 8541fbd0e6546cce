"""Benchmark: load a synthetic cluster inventory (JSON and YAML) and run Kubernetes discovery over it.

    python benchmarks/bench_discovery.py [--pods 20000] [--keep DIR]

Generates pods (two containers, labels, annotations, owner references, statuses),
one service and one EndpointSlice per 10 pods, nodes and namespaces, writes them
as a ``kind: List`` in JSON and in YAML (as ``kubectl get -A -o json|yaml`` would),
then times load_inventory for both and discover for roles pod and endpointslice.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from migrator.discovery import discover, flatten  # noqa: E402
from migrator.inventory import load_inventory  # noqa: E402

PODS_PER_SERVICE = 10


def make_objects(n_pods: int, n_nodes: int = 200, n_namespaces: int = 50) -> list[dict]:
    objs: list[dict] = []
    for i in range(n_namespaces):
        objs.append({"apiVersion": "v1", "kind": "Namespace",
                     "metadata": {"name": f"ns-{i}", "labels": {"kubernetes.io/metadata.name": f"ns-{i}",
                                                                "team": f"team-{i % 7}"}}})
    for i in range(n_nodes):
        objs.append({"apiVersion": "v1", "kind": "Node",
                     "metadata": {"name": f"node-{i}", "labels": {"kubernetes.io/hostname": f"node-{i}",
                                                                  "topology.kubernetes.io/zone": f"z{i % 3}"},
                                  "annotations": {"node.alpha.kubernetes.io/ttl": "0"}},
                     "spec": {"providerID": f"aws:///z{i % 3}/i-{i:08x}"},
                     "status": {"addresses": [{"type": "InternalIP", "address": f"10.1.{i // 250}.{i % 250}"},
                                              {"type": "Hostname", "address": f"node-{i}"}],
                                "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
                                "conditions": [{"type": "Ready", "status": "True"},
                                               {"type": "MemoryPressure", "status": "False"}]}})
    n_services = max(1, n_pods // PODS_PER_SERVICE)
    for s in range(n_services):
        ns = f"ns-{s % n_namespaces}"
        app = f"app-{s}"
        objs.append({"apiVersion": "v1", "kind": "Service",
                     "metadata": {"name": app, "namespace": ns, "labels": {"app": app},
                                  "annotations": {"prometheus.io/scrape": "true"}},
                     "spec": {"type": "ClusterIP", "clusterIP": f"10.96.{s // 250}.{s % 250}",
                              "ports": [{"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"},
                                        {"name": "metrics", "port": 9090, "protocol": "TCP"}]}})
        endpoints = []
        for k in range(PODS_PER_SERVICE):
            i = s * PODS_PER_SERVICE + k
            if i >= n_pods:
                break
            pname, ip, nname = f"{app}-{k:05d}", f"10.{2 + i // 65000}.{(i // 250) % 260}.{i % 250}", f"node-{i % n_nodes}"
            endpoints.append({"addresses": [ip], "conditions": {"ready": True, "serving": True, "terminating": False},
                              "nodeName": nname, "zone": f"z{i % 3}",
                              "targetRef": {"kind": "Pod", "name": pname, "namespace": ns, "uid": f"uid-{i}"}})
            objs.append({
                "apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": pname, "namespace": ns, "uid": f"uid-{i}",
                             "labels": {"app": app, "app.kubernetes.io/name": app, "pod-template-hash": "7d9f8"},
                             "annotations": {"prometheus.io/scrape": "true", "prometheus.io/port": "9090"},
                             "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                                                  "name": f"{app}-7d9f8", "uid": f"rs-{s}", "controller": True}]},
                "spec": {"nodeName": nname, "serviceAccountName": "default", "containers": [
                    {"name": "app", "image": f"registry/{app}:1.0",
                     "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"},
                               {"name": "metrics", "containerPort": 9090, "protocol": "TCP"}]},
                    {"name": "sidecar", "image": "registry/proxy:2.1",
                     "ports": [{"name": "admin", "containerPort": 15000, "protocol": "TCP"}]}]},
                "status": {"phase": "Running", "podIP": ip, "podIPs": [{"ip": ip}], "hostIP": f"10.1.0.{i % 250}",
                           "conditions": [{"type": "Ready", "status": "True"},
                                          {"type": "ContainersReady", "status": "True"}],
                           "containerStatuses": [{"name": "app", "containerID": f"containerd://{i:064x}"},
                                                 {"name": "sidecar", "containerID": f"containerd://{i + 1:064x}"}]}})
        objs.append({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                     "metadata": {"name": f"{app}-abcde", "namespace": ns,
                                  "labels": {"kubernetes.io/service-name": app,
                                             "endpointslice.kubernetes.io/managed-by": "endpointslice-controller"}},
                     "addressType": "IPv4",
                     "ports": [{"name": "http", "port": 8080, "protocol": "TCP"},
                               {"name": "metrics", "port": 9090, "protocol": "TCP"}],
                     "endpoints": endpoints})
    return objs


def timed(label: str, fn, results: list):
    t0 = time.perf_counter()
    value = fn()
    dt = time.perf_counter() - t0
    results.append((label, dt))
    print(f"  {label:<44} {dt:8.2f} s", flush=True)
    return value


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pods", type=int, default=20_000)
    ap.add_argument("--keep", help="write the files here and keep them")
    args = ap.parse_args(argv)

    objs = make_objects(args.pods)
    doc = {"apiVersion": "v1", "kind": "List", "items": objs, "metadata": {"resourceVersion": ""}}
    results: list = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(args.keep) if args.keep else Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        jpath, ypath = out / "inventory.json", out / "inventory.yaml"
        jpath.write_text(json.dumps(doc, indent=4))
        dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
        ypath.write_text(yaml.dump(doc, Dumper=dumper, default_flow_style=False, sort_keys=False))
        print(f"synthetic inventory: {len(objs):,} objects ({args.pods:,} pods); "
              f"JSON {os.path.getsize(jpath) / 1e6:.1f} MB, YAML {os.path.getsize(ypath) / 1e6:.1f} MB")
        inv = timed("load_inventory (JSON)", lambda: load_inventory([str(jpath)]), results)
        inv_y = timed("load_inventory (YAML, libyaml)", lambda: load_inventory([str(ypath)]), results)
        assert inv.summary() == inv_y.summary(), (inv.summary(), inv_y.summary())
        print("  objects:", inv.summary())
        for role, sd in (("pod", {"role": "pod"}),
                         ("pod + attach node/namespace", {"role": "pod",
                                                          "attach_metadata": {"node": True, "namespace": True}}),
                         ("endpointslice", {"role": "endpointslice"}),
                         ("endpointslice + attach node", {"role": "endpointslice", "attach_metadata": {"node": True}}),
                         ("endpointslice, 5 namespaces", {"role": "endpointslice",
                                                          "namespaces": {"names": [f"ns-{i}" for i in range(5)]}})):
            groups = timed(f"discover {role}", lambda sd=sd: discover(sd, inv), results)
            n = len(flatten(groups))
            print(f"  {'':<44} -> {len(groups):,} groups, {n:,} targets")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
