"""Benchmark: relabel N pod label sets through a typical kubernetes-pods rule chain.

    python benchmarks/bench_relabel.py [N] [--version 2.42.0]

Prints targets/second for ``relabel`` (the rules alone) and ``populate_target``
(job defaults + rules + address/instance checks), on cold and warm caches (the regexes'
caches and the engine's compiled rules with their per-rule caches).
Not a test.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from migrator.relabel import (parse_rules, populate_target, populate_targets, pre_relabel_labels,  # noqa: E402
                              relabel)
from migrator.relabel import engine as engine_mod  # noqa: E402
from migrator.relabel import regex as regex_mod  # noqa: E402

JOB = {
    "job_name": "kubernetes-pods",
    "relabel_configs": [
        {"source_labels": ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"], "action": "keep",
         "regex": "true"},
        {"source_labels": ["__meta_kubernetes_pod_annotation_prometheus_io_scrape_slow"], "action": "drop",
         "regex": "true"},
        {"source_labels": ["__meta_kubernetes_pod_annotation_prometheus_io_scheme"], "action": "replace",
         "regex": "(https?)", "target_label": "__scheme__"},
        {"source_labels": ["__meta_kubernetes_pod_annotation_prometheus_io_path"], "action": "replace",
         "target_label": "__metrics_path__", "regex": "(.+)"},
        {"source_labels": ["__address__", "__meta_kubernetes_pod_annotation_prometheus_io_port"],
         "action": "replace", "regex": r"([^:]+)(?::\d+)?;(\d+)", "replacement": "$1:$2",
         "target_label": "__address__"},
        {"action": "labelmap", "regex": "__meta_kubernetes_pod_annotation_prometheus_io_param_(.+)",
         "replacement": "__param_$1"},
        {"action": "labelmap", "regex": "__meta_kubernetes_pod_label_(.+)"},
        {"source_labels": ["__meta_kubernetes_namespace"], "action": "replace", "target_label": "namespace"},
        {"source_labels": ["__meta_kubernetes_pod_name"], "action": "replace", "target_label": "pod"},
        {"source_labels": ["__meta_kubernetes_pod_phase"], "regex": "Pending|Succeeded|Failed|Completed",
         "action": "drop"},
        {"source_labels": ["__meta_kubernetes_pod_node_name"], "action": "replace", "target_label": "node"},
    ],
}


def pods(n: int, seed: int = 1) -> list[dict[str, str]]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        ns = f"team-{rnd.randrange(40)}"
        app = f"app-{rnd.randrange(300)}"
        pod = f"{app}-{rnd.getrandbits(32):08x}-{rnd.getrandbits(20):05x}"
        ip = f"10.{rnd.randrange(256)}.{rnd.randrange(256)}.{rnd.randrange(1, 255)}"
        port = rnd.choice(["8080", "9090", "9100", "3000"])
        labels = {
            "__address__": f"{ip}:{port}",
            "__meta_kubernetes_namespace": ns,
            "__meta_kubernetes_pod_name": pod,
            "__meta_kubernetes_pod_ip": ip,
            "__meta_kubernetes_pod_uid": f"{rnd.getrandbits(128):032x}",
            "__meta_kubernetes_pod_node_name": f"node-{rnd.randrange(500)}",
            "__meta_kubernetes_pod_host_ip": f"192.168.{rnd.randrange(4)}.{rnd.randrange(256)}",
            "__meta_kubernetes_pod_ready": rnd.choice(["true", "false"]),
            "__meta_kubernetes_pod_phase": rnd.choice(["Running"] * 8 + ["Pending", "Succeeded"]),
            "__meta_kubernetes_pod_container_name": app,
            "__meta_kubernetes_pod_container_port_name": rnd.choice(["metrics", "http", ""]),
            "__meta_kubernetes_pod_container_port_number": port,
            "__meta_kubernetes_pod_container_port_protocol": "TCP",
            "__meta_kubernetes_pod_controller_kind": "ReplicaSet",
            "__meta_kubernetes_pod_controller_name": f"{app}-{rnd.getrandbits(32):08x}",
            "__meta_kubernetes_pod_label_app": app,
            "__meta_kubernetes_pod_labelpresent_app": "true",
            "__meta_kubernetes_pod_label_pod_template_hash": f"{rnd.getrandbits(32):08x}",
            "__meta_kubernetes_pod_labelpresent_pod_template_hash": "true",
            "__meta_kubernetes_pod_label_team": ns,
            "__meta_kubernetes_pod_labelpresent_team": "true",
        }
        if rnd.random() < 0.8:
            labels["__meta_kubernetes_pod_annotation_prometheus_io_scrape"] = "true"
            labels["__meta_kubernetes_pod_annotationpresent_prometheus_io_scrape"] = "true"
        if rnd.random() < 0.5:
            labels["__meta_kubernetes_pod_annotation_prometheus_io_port"] = port
        if rnd.random() < 0.2:
            labels["__meta_kubernetes_pod_annotation_prometheus_io_path"] = "/custom/metrics"
        if rnd.random() < 0.05:
            labels["__meta_kubernetes_pod_annotation_prometheus_io_param_format"] = "prometheus"
        out.append(labels)
    return out


def bench(name: str, fn, items) -> float:
    t0 = time.perf_counter()
    kept = 0
    for it in items:
        if fn(it) is not None:
            kept += 1
    dt = time.perf_counter() - t0
    rate = len(items) / dt
    print(f"{name:<40} {len(items):>7} targets in {dt:6.2f} s = {rate:>9,.0f} targets/s ({kept} kept)")
    return rate


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", nargs="?", type=int, default=50_000)
    ap.add_argument("--version", default="2.42.0")
    args = ap.parse_args()
    rules = parse_rules(JOB["relabel_configs"], version=args.version)
    data = pods(args.n)
    print(f"{args.n} pods, {len(rules)} rules, version {args.version}; "
          f"regexes on the Python fast path: {sum(r.regex.fast for r in rules)}/{len(rules)}")
    pre = [pre_relabel_labels(p, JOB, version=args.version) for p in data]
    clear_caches(rules)
    bench("relabel (cold caches)", lambda p: relabel(p, rules), pre)
    bench("relabel (warm caches)", lambda p: relabel(p, rules), pre)
    bench("populate_target", lambda p: populate_target(p, JOB, version=args.version, rules=rules).labels, data)
    t0 = time.perf_counter()
    res = populate_targets(data, JOB, version=args.version, rules=rules)
    dt = time.perf_counter() - t0
    print(f"{'populate_targets (batch)':<40} {len(data):>7} targets in {dt:6.2f} s = {len(data) / dt:>9,.0f} targets/s "
          f"({sum(r.kept for r in res)} kept)")
    saved = regex_mod.FAST_PATH_MAX_LEN
    regex_mod.FAST_PATH_MAX_LEN = -1  # force RE2 for every match, caches off
    saved_limits = regex_mod.CACHE_LIMIT, getattr(engine_mod, "RULE_CACHE_LIMIT", None)
    regex_mod.CACHE_LIMIT = 0
    if saved_limits[1] is not None:
        engine_mod.RULE_CACHE_LIMIT = 0  # per-rule result caches keep one entry at most
    clear_caches(rules)
    try:
        bench("relabel (RE2 only, no caches)", lambda p: relabel(p, rules), pre)
    finally:
        regex_mod.FAST_PATH_MAX_LEN = saved
        regex_mod.CACHE_LIMIT = saved_limits[0]
        if saved_limits[1] is not None:
            engine_mod.RULE_CACHE_LIMIT = saved_limits[1]
        clear_caches(rules)


def clear_caches(rules) -> None:
    """Empty the regex caches and drop the compiled rules (with their per-rule result and
    label-name caches), so the next run starts cold."""
    for r in rules:
        r.regex._cache.clear()
        r.regex._cache_bool.clear()
    compiled = getattr(engine_mod, "_compiled", None)
    if compiled is not None:
        compiled.clear()


if __name__ == "__main__":
    main()
