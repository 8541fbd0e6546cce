"""Every real input shape reaches migrate, targets and diff through one reader (issue 9, part 2)."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest

from cli_util import run_cli
from conftest import SAMPLES

FIX = Path(__file__).parent / "fixtures" / "migrate"
REPO = Path(__file__).resolve().parents[1]
INVENTORY = str(SAMPLES / "inventory" / "cluster.yaml")
MAP = str(FIX / "prometheus-community-values-map.yaml")
LIST_LAYOUT = str(FIX / "prometheus-community-values-list.yaml")
MANIFEST = str(FIX / "istio-addons-manifest.yaml")
PLAIN = str(FIX / "istio-addons-prometheus.yml")
RAW = str(SAMPLES / "raw" / "istio-prometheus.yml")
BARE = str(SAMPLES / "raw" / "additional-scrape-configs.yaml")
CHART_JOBS = ["prometheus", "kubernetes-pods", "istio-control-plane", "envoy-stats"]


def _jobs(report: Path) -> list[str]:
    return [j["job_name"] for j in json.loads(report.read_text())["jobs"]]


@pytest.mark.parametrize("path,layout", [(MAP, "scrapeConfigs map"),
                                         (LIST_LAYOUT, "serverFiles.prometheus.yml scrape_configs list")])
def test_both_layouts_of_the_community_chart(tmp_path, path, layout):
    report = tmp_path / "r.json"
    r = run_cli("migrate", path, "-i", INVENTORY, "--report", str(report))
    assert r.code == 0, r.stderr
    assert f"prometheus-community chart: {layout}, extraScrapeConfigs" in r.stderr
    assert json.loads(report.read_text())["shape"].startswith(f"helm-values (prometheus-community chart: {layout}")
    # the map's key is the default job_name, job_name overrides it, enabled: false leaves the job out
    assert sorted(_jobs(report)) == sorted(CHART_JOBS)
    t = run_cli("targets", path, "-i", INVENTORY)
    assert t.code in (0, 1) and "Traceback" not in t.stderr and f"chart: {layout}" in t.stderr
    for job in CHART_JOBS:
        assert f"job {job} " in t.stdout


def test_the_two_layouts_are_the_same_config():
    r = run_cli("diff", MAP, LIST_LAYOUT, "-i", INVENTORY)
    assert r.code == 0, r.stdout
    assert "No differences" in r.stdout


def test_the_charts_global_is_server_global(tmp_path):
    """The chart writes server.global as the global section: a 1m interval, pinned on the monitors of a
    Prometheus CR scraping every 30s."""
    r = run_cli("migrate", MAP)
    assert r.code == 0
    assert "interval: 1m" in r.stdout and "inherited it from the original global section" in r.stderr


def test_a_manifest_whose_config_is_not_the_first_document(tmp_path):
    report = tmp_path / "r.json"
    r = run_cli("migrate", MANIFEST, "-i", INVENTORY, "--report", str(report), "--allow-unproven")
    assert r.code == 0, r.stderr
    assert len(_jobs(report)) == 10
    # one line for the five unrelated documents
    skipped = [line for line in r.stderr.splitlines() if "skipping" in line]
    assert skipped == [f"warning: {MANIFEST}:4: skipping 5 documents not used by this command (1 ServiceAccount, "
                       "1 ClusterRole, 1 ClusterRoleBinding, 1 Service, 1 Deployment)"]
    t = run_cli("targets", MANIFEST, "-i", INVENTORY)
    assert t.code in (0, 1) and sum("skipping" in line for line in t.stderr.splitlines()) == 1
    # the same ten jobs through every command: the manifest and the plain prometheus.yml are one config
    d = run_cli("diff", MANIFEST, PLAIN, "-i", INVENTORY)
    assert d.code == 0, d.stdout


def test_a_bare_list_runs_under_the_prometheus_crs_global_section(tmp_path):
    # same three jobs: prometheus.yml with global 30s, and the bare additionalScrapeConfigs list
    r = run_cli("diff", RAW, BARE, "-i", INVENTORY)
    assert r.code == 0, r.stdout
    cr = tmp_path / "cr.yaml"
    cr.write_text("apiVersion: monitoring.coreos.com/v1\nkind: Prometheus\nmetadata: {name: k8s, namespace: "
                  "monitoring}\nspec: {scrapeInterval: 2m, scrapeTimeout: 20s}\n")
    r = run_cli("diff", BARE, BARE, "-i", INVENTORY, "--prometheus", str(cr))
    assert r.code == 0, r.stdout
    # under a CR scraping every 2m, the jobs of the bare list keep the CR's values: nothing to pin, and never
    # "inherited from the original global section" (a bare list has none)
    m = run_cli("migrate", BARE, "--prometheus", str(cr))
    assert m.code == 0, m.stderr
    assert "global section" not in m.stderr
    assert re.findall(r"\binterval: (\S+)", m.stdout) == ["15s"]  # only the job's own


def test_a_file_without_global_names_prometheus_default(tmp_path):
    src = tmp_path / "p.yml"
    src.write_text(textwrap.dedent("""\
        scrape_configs:
        - job_name: app
          kubernetes_sd_configs:
          - role: pod
        """))
    r = run_cli("migrate", str(src))
    assert r.code == 0
    assert "inherited it from Prometheus's default (the original file sets no global scrape_interval)" in r.stderr
    assert "original global section" not in r.stderr


def test_helm_values_of_kube_prometheus_stack_define_the_cr(tmp_path):
    src = tmp_path / "values.yaml"
    src.write_text(textwrap.dedent("""\
        prometheus:
          prometheusSpec:
            scrapeInterval: 1m
            additionalScrapeConfigs:
            - job_name: app
              kubernetes_sd_configs:
              - role: pod
        """))
    r = run_cli("migrate", str(src))
    assert r.code == 0, r.stderr
    assert "interval:" not in r.stdout  # the jobs already run under the values' own 1m


def test_placeholders_in_a_monitor_are_warned_by_targets(tmp_path):
    pm = tmp_path / "pm.yaml"
    pm.write_text(textwrap.dedent("""\
        apiVersion: monitoring.coreos.com/v1
        kind: PodMonitor
        metadata: {name: app, namespace: monitoring}
        spec:
          namespaceSelector:
            matchNames: ["{{ .Release.Namespace }}"]
          selector: {matchLabels: {app: istiod}}
          podMetricsEndpoints: [{port: http-monitoring}]
        """))
    r = run_cli("targets", str(pm), "-i", INVENTORY)
    assert f"{pm}:6: spec.namespaceSelector.matchNames[0]: templating placeholder {{{{ .Release.Namespace }}}}" \
        in r.stderr


def test_targets_says_the_inventory_lacks_the_kind():
    r = run_cli("targets", str(FIX / "ingress-probe.yml"), "-i", INVENTORY)
    assert "0 targets kept (0 dropped): the inventory holds no Ingress, which this job discovers" in r.stderr


def test_docs_name_only_real_commands():
    from migrator.cli import app

    commands = {c.name or c.callback.__name__ for c in app.registered_commands} | \
        {g.name for g in app.registered_groups}
    texts = {p: p.read_text() for p in [REPO / "README.md", *sorted((REPO / "samples").rglob("*")) ]
             if p.is_file() and p.suffix in (".md", ".yaml", ".yml")}
    for path, text in texts.items():
        for name in re.findall(r"`migrator ([a-z][a-z-]*)", text):
            assert name in commands, f"{path}: `migrator {name}` is no command"
    readme = texts[REPO / "README.md"]
    assert not re.search(r"promtool check config` of Prometheus 2\.42\.", readme)
    assert "nodes,namespaces,ingresses -A" in readme


@pytest.mark.parametrize("name", ["helm-community-prometheus-values-29-map.orig", "istio-addons-prometheus.orig"])
def test_the_upstream_files_verbatim_through_every_command(name, tmp_path):
    """The chart's current values.yaml and Istio's addons manifest as upstream ships them: the same ten jobs
    for targets, migrate and diff."""
    from conftest import shared_dir

    orig = shared_dir("oracle", "real-configs", name)
    # the corpus's derived prometheus.yml (no global section: the chart's server.global is Prometheus's 1m), or
    # for Istio the ConfigMap's prometheus.yml verbatim (global 15s)
    derived = orig.with_suffix(".yaml") if name.startswith("helm") else Path(PLAIN)
    report = tmp_path / "r.json"
    r = run_cli("migrate", str(orig), "-i", INVENTORY, "--witnesses", "--report", str(report))
    assert r.code == 0, r.stderr
    assert len(_jobs(report)) == 10
    t = run_cli("targets", str(orig), "-i", INVENTORY)
    assert t.code in (0, 1) and sum(line.startswith("job ") for line in t.stdout.splitlines()) == 10
    d = run_cli("diff", str(orig), str(derived), "-i", INVENTORY)
    assert d.code == 0, d.stdout


def test_the_operator_version_of_the_cluster(monkeypatch):
    """--cluster: the ServiceMonitor CRD's operator.prometheus.io/version annotation."""
    import sys
    import types

    from migrator.schemas import cluster_operator_version

    class CRD:
        metadata = types.SimpleNamespace(annotations={"operator.prometheus.io/version": "0.79.2"})

    class Api:
        def __init__(self, client):
            pass

        def read_custom_resource_definition(self, name):
            assert name == "servicemonitors.monitoring.coreos.com"
            return CRD()

    fake = types.ModuleType("kubernetes")
    fake.client = types.SimpleNamespace(ApiextensionsV1Api=Api)
    monkeypatch.setitem(sys.modules, "kubernetes", fake)
    assert cluster_operator_version(object()) == "0.79.2"


def test_a_monitor_without_spec_is_input_error_not_a_crash(tmp_path):
    """Fuzz F9: the placeholder scan met a monitor without spec (KeyError, exit 3)."""
    m = tmp_path / "m.yaml"
    m.write_text("apiVersion: monitoring.coreos.com/v1\nkind: PodMonitor\n")
    old = tmp_path / "old.yaml"
    old.write_text("- job_name: istiod\n")
    for args in (("diff", str(old), str(m)), ("targets", str(m), "-i", INVENTORY)):
        r = run_cli(*args)
        assert r.code == 2 and "internal error" not in r.stderr, r.stderr
