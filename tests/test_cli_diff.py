"""`migrator diff` through the command line: the Istio review, a twin, and usage errors."""

from __future__ import annotations

import json

from cli_util import run_cli
from conftest import SAMPLES

RAW = str(SAMPLES / "raw" / "istio-prometheus.yml")
LIST = str(SAMPLES / "raw" / "additional-scrape-configs.yaml")
MONITORS = str(SAMPLES / "istio" / "monitors.yaml")
INVENTORY = str(SAMPLES / "inventory" / "cluster.yaml")


def test_istio_raw_vs_presets_lists_the_label_changes():
    r = run_cli("diff", RAW, MONITORS, "-i", INVENTORY)
    assert r.code == 1, r.stderr
    assert "job: envoy-stats -> podMonitor/monitoring/istio-envoy-pod-monitor/0" in r.stdout
    assert '~ label job on 6 target(s): "envoy-stats" -> "monitoring/istio-envoy-pod-monitor"' in r.stdout
    assert "+ label namespace" in r.stdout and "+ label pod" in r.stdout


def test_same_setup_twice_is_no_difference():
    r = run_cli("diff", RAW, RAW, "-i", INVENTORY)
    assert r.code == 0, r.stdout + r.stderr


def test_json_verdict_and_map():
    r = run_cli("diff", RAW, MONITORS, "-i", INVENTORY, "--output", "json", "--targets-only",
                "--map", "envoy-stats=podMonitor/monitoring/istio-envoy-pod-monitor/0")
    assert r.code == 1
    report = json.loads(r.stdout)
    assert report["verdict"]["exit_status"] == 1
    assert [p["paired_by"] for p in report["pairs"]] == ["map"]


def test_fail_on_narrows_the_verdict(tmp_path):
    # the bare list runs under a Prometheus CR scraping every 1m, prometheus.yml's global says 30s: config and
    # label changes, same targets
    cr = tmp_path / "cr.yaml"
    cr.write_text("apiVersion: monitoring.coreos.com/v1\nkind: Prometheus\nmetadata: {name: k8s, namespace: "
                  "monitoring}\nspec: {scrapeInterval: 1m}\n")
    assert run_cli("diff", RAW, LIST, "-i", INVENTORY, "--prometheus", str(cr)).code == 1
    r = run_cli("diff", RAW, LIST, "--fail-on", "targets", "-i", INVENTORY, "--prometheus", str(cr))
    assert r.code == 0, r.stdout


def test_a_bare_list_runs_under_the_operators_global_section():
    """The same three jobs as prometheus.yml (global 30s) and as a bare additionalScrapeConfigs list (the
    operator's default 30s): no false interval change (issue 9)."""
    r = run_cli("diff", RAW, LIST, "-i", INVENTORY)
    assert r.code == 0, r.stdout
    assert "__scrape_interval__" not in r.stdout


def test_usage_errors():
    assert run_cli("diff", RAW).code == 2
    r = run_cli("diff", RAW, MONITORS, "--map", "nonsense")
    assert r.code == 2 and "Traceback" not in r.stderr
