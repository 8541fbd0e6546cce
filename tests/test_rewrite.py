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


# ------------------------------------------------------------------------------------ issue 9: byte-identical

from pathlib import Path  # noqa: E402

from cli_util import run_cli  # noqa: E402
from conftest import SAMPLES  # noqa: E402

FIX = Path(__file__).parent / "fixtures" / "migrate"
INVENTORY = str(SAMPLES / "inventory" / "cluster.yaml")


def _only_deletions(before: str, after: str) -> list[str]:
    """The deleted lines, asserting that every other line of `before` is in `after` byte for byte, in order."""
    import difflib

    a, b = before.splitlines(keepends=True), after.splitlines(keepends=True)
    deleted = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        assert op in ("equal", "delete"), (op, a[i1:i2], b[j1:j2])
        if op == "delete":
            deleted += a[i1:i2]
    return deleted


def test_rewrite_keeps_every_other_line_and_the_files_indentation(tmp_path):
    src = FIX / "handwritten-prometheus.yml"
    rest = tmp_path / "rest.yml"
    r = run_cli("migrate", str(src), "-i", INVENTORY, "--keep-raw", "--rewrite-source", str(rest))
    assert r.code == 0, r.stderr
    before, after = src.read_text(), rest.read_text()
    deleted = "".join(_only_deletions(before, after))
    # each migrated job went with the comment block directly above it; the raw job's comment stayed
    assert "# The control plane: istiod's monitoring port.\n" in deleted
    assert "# (Kept in sync with the Istio chart.)\n" in deleted and "# Envoy sidecars\n" in deleted
    assert '    - job_name: "istiod"\n' in deleted and '    - job_name: "envoy-stats"\n' in deleted
    assert "# node exporters outside the cluster: stays raw" in after and "# end of file" in after
    assert '          - targets: ["10.0.0.1:9100", "10.0.0.2:9100"]   # rack 1\n' in after
    assert [j["job_name"] for j in yaml.safe_load(after)["scrape_configs"]] == ["node"]


def test_rewrite_of_crlf_and_tabs_in_comments_is_byte_identical():
    text = "scrape_configs:\r\n# a\t(tab)\r\n- job_name: a\r\n  static_configs: []\r\n- job_name: 'b'   # keep\r\n"
    out = remove_jobs(text, ["a"])
    assert out == "scrape_configs:\r\n- job_name: 'b'   # keep\r\n"


def test_rewrite_of_a_manifest_configmap_deletes_lines_only(tmp_path):
    src = FIX / "istio-addons-manifest.yaml"
    rest = tmp_path / "rest.yaml"
    r = run_cli("migrate", str(src), "--rewrite-source", str(rest))
    assert r.code == 0, r.stderr
    deleted = _only_deletions(src.read_text(), rest.read_text())
    assert any("- job_name: kubernetes-pods\n" in line for line in deleted)
    t = run_cli("targets", str(rest), "-i", INVENTORY)
    assert [line.split()[1] for line in t.stdout.splitlines() if line.startswith("job ")] == \
        ["kubernetes-nodes", "kubernetes-nodes-cadvisor"]


def test_rewrite_of_the_charts_map_turns_jobs_off(tmp_path):
    """Deleting a key of the chart's scrapeConfigs map would bring the chart's default job back."""
    src = FIX / "prometheus-community-values-map.yaml"
    out = remove_jobs(src.read_text(), ["kubernetes-pods", "istio-control-plane"])
    data = yaml.safe_load(out)
    assert data["scrapeConfigs"]["kubernetes-pods"]["enabled"] is False
    assert data["scrapeConfigs"]["istiod"]["enabled"] is False
    assert data["scrapeConfigs"]["prometheus"]["enabled"] is True
    import difflib

    changed = [line for line in difflib.ndiff(src.read_text().splitlines(), out.splitlines())
               if line[:1] in "+-"]
    assert changed == ["-     enabled: true", "+     enabled: false", "+     enabled: false  # migrated by migrator"]


def test_an_emptied_list_is_an_empty_list():
    assert remove_jobs("# jobs\nscrape_configs:   # all of them\n- job_name: a\n", ["a"]) == \
        "# jobs\nscrape_configs: []   # all of them\n"
    assert remove_jobs("- job_name: a\n  static_configs: []\n", ["a"]) == "[]\n"
