"""`targets` says how many distinct scrapes each job makes, as Prometheus counts them.

Prometheus's scrape pool keeps one target per final label set (scrape/scrape.go sync, Target.hash);
the samples' annotation-driven kubernetes-pods job rewrites every declared port of a pod to the
annotation's port: 24 kept discovered targets, 7 targets in Prometheus 3.5.3 (proven with the real
binary by tests/test_prom3_discovery.py, which also checks distinct_targets against it).
"""

from __future__ import annotations

import json

from cli_util import run_cli
from conftest import SAMPLES
from migrator.identity import merged_targets, scrape_pool_key

ARGS = (str(SAMPLES / "raw" / "istio-prometheus.yml"), "--inventory", str(SAMPLES / "inventory" / "cluster.yaml"),
        "--prometheus-version", "3.5.3")


def test_json_counts_distinct_scrapes_and_names_merged_targets():
    r = run_cli("targets", *ARGS, "--output", "json")
    jobs = {j["job"]: j for j in json.loads(r.stdout)["jobs"]}
    pods = jobs["kubernetes-pods"]
    assert len(pods["targets"]) == 24 and pods["distinct_targets"] == 7
    # every discovered target is still listed; a merged one names the first of its kind
    for i, t in enumerate(pods["targets"]):
        j = t.get("merged_into")
        if j is not None:
            assert j < i and pods["targets"][j]["labels"] == t["labels"] and "merged_into" not in pods["targets"][j]
    assert sum("merged_into" in t for t in pods["targets"]) == 24 - 7
    assert jobs["envoy-stats"]["distinct_targets"] == len(jobs["envoy-stats"]["targets"]) == 7


def test_text_counts_distinct_scrapes():
    r = run_cli("targets", *ARGS)
    assert "24 target(s) kept (7 distinct scrape(s)), 6 dropped" in r.stdout


def test_identity_is_the_full_final_label_set():
    a = {"__address__": "h:1", "job": "j", "instance": "h:1"}
    # a __ label that survives relabeling (not __meta_) makes another target in Prometheus
    b = dict(a, __tmp_x="1")
    assert scrape_pool_key(a) != scrape_pool_key(b)
    assert merged_targets([a, b, dict(a), dict(b)]) == (2, [None, None, 0, 1])
