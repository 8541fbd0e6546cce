"""`migrator migrate` through the command line: outputs, report, proof verdicts, secrets, source rewrite."""

from __future__ import annotations

import base64
import json
import os
import stat
import textwrap

import pytest
import yaml

from cli_util import run_cli
from conftest import SAMPLES

RAW = str(SAMPLES / "raw" / "istio-prometheus.yml")
INVENTORY = str(SAMPLES / "inventory" / "cluster.yaml")


def docs(text: str) -> list:
    return [d for d in yaml.safe_load_all(text) if d]


def test_migrates_the_sample_and_proves_it():
    r = run_cli("migrate", RAW, "--inventory", INVENTORY)
    assert r.code == 0, r.stderr
    kinds = [(d["kind"], d["metadata"]["name"]) for d in docs(r.stdout)]
    assert kinds == [("ServiceMonitor", "istiod"), ("PodMonitor", "envoy-stats"), ("PodMonitor", "kubernetes-pods")]
    assert r.stderr.count("identical labels") == 3
    assert "annotation-driven job" in r.stderr


def test_report_json_schema_and_directory_output(tmp_path):
    out, report = tmp_path / "monitors", tmp_path / "report.json"
    r = run_cli("migrate", RAW, "-i", INVENTORY, "-o", str(out), "--report", str(report))
    assert r.code == 0, r.stderr
    assert sorted(os.listdir(out)) == ["podmonitor-monitoring-envoy-stats.yaml",
                                       "podmonitor-monitoring-kubernetes-pods.yaml",
                                       "servicemonitor-monitoring-istiod.yaml"]
    data = json.loads(report.read_text())
    jobs = {j["job_name"]: j for j in data["jobs"]}
    assert set(jobs) == {"istiod", "envoy-stats", "kubernetes-pods"}
    envoy = jobs["envoy-stats"]
    assert envoy["status"] in ("exact", "relabelings")
    assert envoy["resources"] == [{"kind": "PodMonitor", "namespace": "monitoring", "name": "envoy-stats"}]
    assert envoy["rendered_jobs"] == ["podMonitor/monitoring/envoy-stats/0"]
    assert envoy["source"] == {"file": RAW, "line": 26}
    assert envoy["proof"]["equivalent"] is True and envoy["label_changes"] == []
    # the mapping feeds diff: the migrated monitors are then target-for-target the same
    r = run_cli("diff", RAW, str(out), "-i", INVENTORY, "--mapping", str(report), "--targets-only")
    assert r.code == 0, r.stdout


def test_markdown_report(tmp_path):
    report = tmp_path / "migration.md"
    assert run_cli("migrate", RAW, "--report", str(report)).code == 0
    text = report.read_text()
    assert "| `envoy-stats` |" in text and "not proven (no inventory)" in text


def test_adopting_operator_labels_is_a_proven_change():
    r = run_cli("migrate", RAW, "-i", INVENTORY, "--adopt-operator-labels")
    assert r.code == 1
    assert "DIFFERENT" in r.stderr and "label change" in r.stderr
    assert run_cli("migrate", RAW, "-i", INVENTORY, "--adopt-operator-labels", "--allow-label-changes").code == 0


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(textwrap.dedent(text))
    return p


def test_inline_credentials_go_to_a_private_file_only(tmp_path):
    src = write(tmp_path, "prometheus.yml", """\
        scrape_configs:
        - job_name: app
          basic_auth:
            username: scraper
            password: s3cr3t-value
          kubernetes_sd_configs:
          - role: pod
          relabel_configs:
          - source_labels: [__meta_kubernetes_pod_label_app]
            regex: shop
            action: keep
        """)
    r = run_cli("migrate", str(src))
    assert r.code == 0, r.stderr
    assert "s3cr3t-value" not in r.stdout + r.stderr
    assert "--secrets-out" in r.stderr
    secrets = tmp_path / "creds.yaml"
    r = run_cli("migrate", str(src), "--secrets-out", str(secrets))
    assert r.code == 0 and "s3cr3t-value" not in r.stdout + r.stderr
    (secret,) = docs(secrets.read_text())
    assert base64.b64decode(secret["data"]["password"]).decode() == "s3cr3t-value"
    assert stat.S_IMODE(os.stat(secrets).st_mode) == 0o600
    monitor = docs(r.stdout)[0]
    assert "basicAuth" in yaml.safe_dump(monitor)


def test_a_job_in_another_dialect_fails_and_the_rest_migrates(tmp_path):
    src = write(tmp_path, "vm.yml", """\
        scrape_configs:
        - job_name: vm
          kubernetes_sd_configs: [{role: endpointslices}]
        - job_name: pods
          kubernetes_sd_configs: [{role: pod}]
        """)
    r = run_cli("migrate", str(src))
    assert r.code == 1
    assert "endpointslices" in r.stderr and "FAILED" in r.stderr
    assert [d["metadata"]["name"] for d in docs(r.stdout)] == ["pods"]


def test_rewrite_source_and_in_place(tmp_path):
    src = write(tmp_path, "prometheus.yml", """\
        # keep me
        scrape_configs:
        - job_name: pods   # goes
          kubernetes_sd_configs: [{role: pod}]
        - job_name: vm     # stays: it cannot migrate
          kubernetes_sd_configs: [{role: endpointslices}]
        """)
    rest = tmp_path / "rest.yml"
    run_cli("migrate", str(src), "--rewrite-source", str(rest))
    assert [j["job_name"] for j in yaml.safe_load(rest.read_text())["scrape_configs"]] == ["vm"]
    assert "# keep me" in rest.read_text()
    r = run_cli("migrate", str(src), "--rewrite-source", str(src))
    assert r.code == 2 and "--in-place" in r.stderr
    original = src.read_text()
    run_cli("migrate", str(src), "--in-place")
    assert (tmp_path / "prometheus.yml.bak").read_text() == original
    assert "job_name: pods" not in src.read_text() and "# keep me" in src.read_text()


def test_bad_source_is_exit_2(tmp_path):
    r = run_cli("migrate", str(write(tmp_path, "x.yml", "kind: Deployment\napiVersion: apps/v1\n")))
    assert r.code == 2 and "Traceback" not in r.stderr


# ------------------------------------------------------------------- exit status: jobs Prometheus refuses, proofs

INVALID_JOBS = {
    "unknown SD role": ("  kubernetes_sd_configs: [{role: pods}]\n", "unknown Kubernetes SD role"),
    "lookahead regex": ("  kubernetes_sd_configs: [{role: pod}]\n"
                        "  relabel_configs: [{source_labels: [a], regex: '(?=x)', action: keep}]\n", "(?="),
    "hashmod modulus 0": ("  kubernetes_sd_configs: [{role: pod}]\n"
                          "  relabel_configs: [{source_labels: [a], target_label: b, action: hashmod, modulus: 0}]\n",
                          "non-zero modulus"),
    "timeout above interval": ("  kubernetes_sd_configs: [{role: pod}]\n  scrape_interval: 10s\n"
                               "  scrape_timeout: 20s\n", "scrape timeout greater than scrape interval"),
}


@pytest.mark.parametrize("case", list(INVALID_JOBS))
def test_a_job_prometheus_refuses_is_exit_1_naming_it(tmp_path, case):
    body, message = INVALID_JOBS[case]
    src = write(tmp_path, "prometheus.yml", "scrape_configs:\n- job_name: bad\n" + body
                + "- job_name: good\n  kubernetes_sd_configs: [{role: pod}]\n")
    report = tmp_path / "r.json"
    r = run_cli("migrate", str(src), "--report", str(report))
    assert r.code == 1, r.stderr
    error = next(line for line in r.stderr.splitlines() if line.startswith("error: job bad"))
    assert error.startswith(f"error: job bad ({src}:2): invalid for Prometheus") and message in error
    assert [d["metadata"]["name"] for d in docs(r.stdout)] == ["good"]
    data = json.loads(report.read_text())
    assert data["exit_status"] == 1 and [e["job_name"] for e in data["errors"]] == ["bad"]
    assert {j["job_name"]: j["status"] for j in data["jobs"]} == {"bad": "invalid", "good": "exact"}
    # the user may say otherwise, explicitly
    r = run_cli("migrate", str(src), "--allow-invalid-jobs")
    assert r.code == 0 and "warning: job bad" in r.stderr and "--allow-invalid-jobs" in r.stderr


def test_an_invalid_global_scrape_interval_is_exit_1(tmp_path):
    src = write(tmp_path, "prometheus.yml", """\
        global:
          scrape_interval: banana
        scrape_configs:
        - job_name: pods
          kubernetes_sd_configs: [{role: pod}]
        """)
    report = tmp_path / "r.md"
    r = run_cli("migrate", str(src), "--report", str(report))
    assert r.code == 1
    assert "error: job pods" in r.stderr and "global.scrape_interval" in r.stderr
    assert "Errors (exit status 1)" in report.read_text() and "`pods`" in report.read_text()


def test_a_proof_not_made_is_exit_1_unless_allowed(tmp_path, monkeypatch):
    import migrator.migrate as migrate_pkg

    class NotMade:
        pending, note, equivalent = False, "render failed: boom", False

    monkeypatch.setattr(migrate_pkg, "prove", lambda m, job, opts, **kw: NotMade())
    r = run_cli("migrate", RAW, "--inventory", INVENTORY)
    assert r.code == 1
    assert "proof: not made (render failed: boom)" in r.stderr
    assert "error: job envoy-stats" in r.stderr and "proof not made" in r.stderr
    assert run_cli("migrate", RAW, "--inventory", INVENTORY, "--allow-unproven").code == 0


@pytest.mark.parametrize("field", [
    "  proxy_url: http://S3CRETuser:S3CRETpass@proxy.example:3128\n  kubernetes_sd_configs: [{role: pod}]\n",
    "  oauth2: {client_id: a, client_secret: b, token_url: 'https://S3CRETuser:S3CRETpass@idp/token'}\n"
    "  kubernetes_sd_configs: [{role: pod}]\n",
    "  kubernetes_sd_configs: [{role: node, api_server: 'https://S3CRETuser:S3CRETpass@k8s:6443'}]\n",
    "  static_configs: [{targets: ['S3CRETuser:S3CRETpass@host:9100']}]\n",
], ids=["proxy_url", "oauth2.token_url", "api_server", "static-target"])
def test_credentials_in_a_url_never_reach_a_monitor(tmp_path, field):
    src = write(tmp_path, "prometheus.yml", "scrape_configs:\n- job_name: j\n" + field)
    out = tmp_path / "out"
    r = run_cli("migrate", str(src), "-o", str(out), "--secrets-out", str(tmp_path / "creds.yaml"))
    assert r.code == 0, r.stderr
    assert "S3CRET" not in r.stdout + r.stderr
    assert not out.exists() or all("S3CRET" not in p.read_text() for p in out.iterdir())
    assert "kept raw" in r.stderr and "credentials in a URL" in r.stderr
