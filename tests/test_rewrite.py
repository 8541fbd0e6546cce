"""Removing migrated jobs from a user's file keeps everything else as it was."""

from __future__ import annotations

import base64
import json
import textwrap

import yaml

from migrator.rewrite import remove_jobs

PROM_YML = textwrap.dedent("""\
    # my Prometheus
    global:
      scrape_interval: 30s   # keep this comment
    scrape_configs:
    # the API server
    - job_name: 'apiserver'
      scheme: https
      static_configs: [{targets: ["10.0.0.1:6443"]}]
    - job_name: pods   # migrated
      kubernetes_sd_configs:
      - role: pod
      relabel_configs:
      - source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_scrape]
        action: keep
        regex: "true"
    - job_name: node
      static_configs:
      - targets: ['a:9100']
    """)


def test_removes_only_the_named_jobs_and_keeps_comments_and_quoting():
    out = remove_jobs(PROM_YML, {"pods"})
    assert [j["job_name"] for j in yaml.safe_load(out)["scrape_configs"]] == ["apiserver", "node"]
    assert "# my Prometheus" in out and "# keep this comment" in out and "# the API server" in out
    assert "job_name: 'apiserver'" in out  # quoting kept
    assert '["10.0.0.1:6443"]' in out     # flow style kept
    assert out.replace("\n", "") != PROM_YML.replace("\n", "")


def test_nothing_to_remove_gives_the_same_text():
    assert remove_jobs(PROM_YML, {"nope"}) == PROM_YML


def test_bare_list_and_helm_values():
    bare = "- job_name: a\n  static_configs: []\n- job_name: b  # stays\n  static_configs: []\n"
    assert remove_jobs(bare, ["a"]) == "- job_name: b  # stays\n  static_configs: []\n"
    values = "prometheus:\n  prometheusSpec:\n    additionalScrapeConfigs:\n    - job_name: a\n    - job_name: b\n"
    assert yaml.safe_load(remove_jobs(values, ["b"]))["prometheus"]["prometheusSpec"]["additionalScrapeConfigs"] \
        == [{"job_name": "a"}]


def test_configmap_and_secret_hold_embedded_yaml():
    cm = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: prometheus\ndata:\n  prometheus.yml: |\n"
          "    scrape_configs:\n    - job_name: a  # first\n    - job_name: b\n")
    out = remove_jobs(cm, ["b"])
    inner = yaml.safe_load(yaml.safe_load(out)["data"]["prometheus.yml"])
    assert inner == {"scrape_configs": [{"job_name": "a"}]}
    assert "# first" in out
    jobs = "- job_name: a\n- job_name: b\n"
    secret = ("apiVersion: v1\nkind: Secret\nmetadata:\n  name: extra\ndata:\n  prometheus-additional.yaml: "
              + base64.b64encode(jobs.encode()).decode() + "\n")
    out = remove_jobs(secret, ["a"])
    data = yaml.safe_load(out)["data"]["prometheus-additional.yaml"]
    assert yaml.safe_load(base64.b64decode(data)) == [{"job_name": "b"}]


def test_a_json_source_stays_json_and_flow_mappings_keep_their_braces():
    text = ('{"scrape_configs": [{"job_name": "a", "kubernetes_sd_configs": [{"role": "pod"}]}, '
            '{"job_name": "b", "static_configs": [{"targets": ["x:1"]}]}]}\n')
    out = remove_jobs(text, ["a"])
    assert json.loads(out) == {"scrape_configs": [{"job_name": "b", "static_configs": [{"targets": ["x:1"]}]}]}
    flow = "scrape_configs:\n- job_name: a\n- job_name: b\n  static_configs: [{targets: [x:1]}]\n"
    assert "static_configs: [{targets: [x:1]}]" in remove_jobs(flow, ["a"])


def test_a_kubectl_list_of_secrets_is_edited_item_by_item():
    inner = "scrape_configs:\n- job_name: a\n  kubernetes_sd_configs: [{role: pod}]\n- job_name: b\n"
    doc = {"apiVersion": "v1", "kind": "List", "items": [
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
         "data": {"prometheus-additional.yaml": base64.b64encode(inner.encode()).decode()}}]}
    out = yaml.safe_load(remove_jobs(yaml.safe_dump(doc), ["a"]))
    kept = base64.b64decode(out["items"][0]["data"]["prometheus-additional.yaml"]).decode()
    assert [j["job_name"] for j in yaml.safe_load(kept)["scrape_configs"]] == ["b"]
