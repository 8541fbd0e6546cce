"""Output the installed operator accepts: --operator-version, shipped CRDs per release (issue 9, part 3)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
import yaml

from cli_util import run_cli
from conftest import SAMPLES

from migrator.inventory import load_inventory
from migrator.migrate import MigrateOptions, migrate_jobs, prove
from migrator.schemas import (first_version_with, newest_operator, operator_schema_version, parse_operator_version,
                              resolve_operator, shipped_operators, unknown_fields)
from migrator.scrapeconfig import read_jobs
from migrator.sources import Document, load_documents
from migrator.validate import validate_monitor

FIX = Path(__file__).parent / "fixtures" / "migrate"
INVENTORY = str(SAMPLES / "inventory" / "cluster.yaml")
CR = str(SAMPLES / "istio" / "prometheus.yaml")
SLICES = str(FIX / "endpointslice-job.yml")
SOURCES = [str(SAMPLES / "raw" / "istio-prometheus.yml"), str(SAMPLES / "raw" / "additional-scrape-configs.yaml"),
           str(FIX / "istio-addons-prometheus.yml"), str(FIX / "ingress-probe.yml"), SLICES,
           str(FIX / "prometheus-community-values-map.yaml"), str(FIX / "operator-fields.yml")]


def _docs(text: str) -> list[dict]:
    return [d for d in yaml.safe_load_all(text) if d]


def test_shipped_releases():
    assert shipped_operators() == ["0.70.0", "0.76.0", "0.79.0", "0.86.0", newest_operator()]
    assert parse_operator_version("v0.76.0") == parse_operator_version("0.76.0") == "0.76.0"
    assert operator_schema_version("0.76.1") == "0.76.0" and operator_schema_version("0.85.2") == "0.79.0"
    assert operator_schema_version(None) == newest_operator()


@pytest.mark.parametrize("spelling", ["0.76.0", "v0.76.0"])
def test_an_endpointslice_job_for_an_operator_without_servicediscoveryrole(spelling, tmp_path):
    report = tmp_path / "r.json"
    r = run_cli("migrate", SLICES, "-i", INVENTORY, "--operator-version", spelling, "--report", str(report))
    assert r.code == 0, r.stderr
    (res,) = _docs(r.stdout)
    # the exact ServiceMonitor needs spec.serviceDiscoveryRole (v0.86.0+): said per job, next exact form taken
    assert res["kind"] == "ScrapeConfig" and res["spec"]["kubernetesSDConfigs"][0]["role"] == "EndpointSlice"
    job = json.loads(report.read_text())["jobs"][0]
    assert any("ServiceMonitor spec.serviceDiscoveryRole exists only from prometheus-operator v0.86.0 "
               "(target: v0.76.0)" in x for x in job["reasons"]), job["reasons"]
    assert job["proof"]["proven"] is True
    assert "note: resources for prometheus-operator v0.76.0 (from --operator-version)" in r.stderr


def test_the_newest_operator_gets_the_servicemonitor():
    r = run_cli("migrate", SLICES, "-i", INVENTORY)
    assert r.code == 0, r.stderr
    (res,) = _docs(r.stdout)
    assert res["kind"] == "ServiceMonitor" and res["spec"]["serviceDiscoveryRole"] == "EndpointSlice"
    assert f"v{newest_operator()} (from the newest operator whose CRDs ship with migrator)" in r.stderr


def test_the_default_role_is_not_written():
    r = run_cli("migrate", str(SAMPLES / "raw" / "istio-prometheus.yml"))
    sm = [d for d in _docs(r.stdout) if d["kind"] == "ServiceMonitor"]
    assert sm and all("serviceDiscoveryRole" not in d["spec"] for d in sm)


def test_the_crs_role_makes_the_field_unneeded(tmp_path):
    cr = tmp_path / "cr.yaml"
    cr.write_text("apiVersion: monitoring.coreos.com/v1\nkind: Prometheus\nmetadata: {name: k8s, namespace: "
                  "monitoring}\nspec: {serviceDiscoveryRole: EndpointSlice}\n")
    r = run_cli("migrate", SLICES, "--prometheus", str(cr), "--operator-version", "0.79.0")
    (res,) = _docs(r.stdout)
    assert res["kind"] == "ServiceMonitor" and "serviceDiscoveryRole" not in res["spec"]
    # and an endpoints job under that CR now needs the field, which v0.79.0 lacks
    r = run_cli("migrate", str(SAMPLES / "raw" / "istio-prometheus.yml"), "--prometheus", str(cr),
                "--operator-version", "0.79.0")
    assert "ServiceMonitor" not in {d["kind"] for d in _docs(r.stdout)}
    assert "spec.serviceDiscoveryRole exists only from prometheus-operator v0.86.0" in r.stderr


def test_the_operator_version_from_the_cr_and_from_helm_values(tmp_path):
    r = run_cli("migrate", SLICES, "--prometheus", CR)
    assert "v0.76.0 (from the Prometheus CR's chart label kube-prometheus-stack-62.7.0" in r.stderr
    assert _docs(r.stdout)[0]["kind"] == "ScrapeConfig"
    values = tmp_path / "values.yaml"
    values.write_text(textwrap.dedent("""\
        prometheusOperator:
          image:
            tag: v0.79.2
        prometheus:
          prometheusSpec:
            additionalScrapeConfigs:
            - job_name: slices
              kubernetes_sd_configs:
              - role: endpointslice
        """))
    r = run_cli("migrate", str(values))
    assert "v0.79.2 (from the Helm values' prometheusOperator.image.tag)" in r.stderr
    assert _docs(r.stdout)[0]["kind"] == "ScrapeConfig"
    assert resolve_operator(None, cluster="v0.86.0") == ("0.86.0", "the cluster's ServiceMonitor CRD")
    assert resolve_operator("0.70.0", cluster="v0.86.0")[0] == "0.70.0"


def test_a_bad_operator_version_is_exit_2():
    r = run_cli("migrate", SLICES, "--operator-version", "latest")
    assert r.code == 2 and "--operator-version: not an operator version: 'latest'" in r.stderr


@pytest.mark.parametrize("operator", shipped_operators())
def test_every_emitted_resource_validates_against_each_shipped_release(operator):
    """Every resource migrate writes, for every source fixture, against the CRDs of the release it targets;
    and the proofs still hold."""
    inv = load_inventory([INVENTORY])
    kinds = set()
    for src in SOURCES:
        parsed = read_jobs([d for d in load_documents([src])])
        opts = MigrateOptions(inventory=inv, global_config=parsed.effective_global(), own_global=parsed.own_global,
                              operator_version=operator)
        for m, job in zip(migrate_jobs(parsed.jobs, opts), parsed.jobs):
            assert m.status != "failed", (src, m.job_name, m.reasons)
            for r in m.resources:
                kinds.add(r["kind"])
                assert unknown_fields(r, operator) == [], (src, m.job_name)
                assert validate_monitor(Document(r, "<migrated>"), operator_version=operator) == [], \
                    (src, m.job_name, r)
            p = prove(m, job, opts)
            assert p is None or p.equivalent, (src, m.job_name, p.summary())
    assert kinds == {"ServiceMonitor", "PodMonitor", "ScrapeConfig"}


def test_a_scrapeconfig_before_jobname_pins_the_job_by_relabeling():
    r = run_cli("migrate", str(FIX / "ingress-probe.yml"), "-i", INVENTORY, "--operator-version", "0.70.0",
                "--witnesses")
    assert r.code == 0, r.stderr
    (res,) = _docs(r.stdout)
    assert res["kind"] == "ScrapeConfig" and "jobName" not in res["spec"]
    assert res["spec"]["relabelings"][0] == {"targetLabel": "job", "replacement": "kubernetes-ingresses",
                                             "action": "replace"}
    assert "jobName exists only from prometheus-operator v0.76.0 (target: v0.70.0)" in r.stderr
    assert "identical labels (on " in r.stderr


def test_fields_newer_than_the_operator_fall_back_per_job(tmp_path):
    report = tmp_path / "r.json"
    r = run_cli("migrate", str(FIX / "operator-fields.yml"), "--operator-version", "0.70.0", "--report", str(report))
    assert r.code == 0, r.stderr
    jobs = {j["job_name"]: j for j in json.loads(report.read_text())["jobs"]}
    for name, j in jobs.items():
        for res in _docs(r.stdout):
            assert unknown_fields(res, "0.70.0") == []
    gaps = [x for j in jobs.values() for x in j["reasons"] if "exists only from prometheus-operator" in x]
    assert gaps, jobs


def test_first_version_with():
    sm = {"apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor", "metadata": {"name": "x"},
          "spec": {"serviceDiscoveryRole": "EndpointSlice", "selector": {}, "endpoints": [{}]}}
    assert unknown_fields(sm, "0.79.0") == ["spec.serviceDiscoveryRole"]
    assert first_version_with(sm, "spec.serviceDiscoveryRole") == "0.86.0"


def test_render_warns_of_a_field_newer_than_the_operator(tmp_path):
    sm = tmp_path / "sm.yaml"
    sm.write_text(textwrap.dedent("""\
        apiVersion: monitoring.coreos.com/v1
        kind: ServiceMonitor
        metadata: {name: istiod, namespace: monitoring}
        spec:
          serviceDiscoveryRole: EndpointSlice
          selector: {matchLabels: {app: istiod}}
          endpoints: [{port: http-monitoring}]
        """))
    r = run_cli("render", str(sm), "--operator-version", "v0.76.0")
    assert r.code == 0
    assert "spec.serviceDiscoveryRole: exists only from prometheus-operator v0.86.0; the CRDs of v0.76.0" in r.stderr
    r = run_cli("render", str(sm), "--prometheus", CR)
    assert "the CRDs of v0.76.0 (from the Prometheus CR's chart label" in r.stderr
    r = run_cli("render", str(sm))
    assert "exists only from" not in r.stderr


def test_no_default_the_operator_fills_anyway(tmp_path):
    src = tmp_path / "p.yml"
    src.write_text(textwrap.dedent("""\
        scrape_configs:
        - job_name: istiod
          metrics_path: /metrics
          scheme: http
          honor_labels: false
          follow_redirects: true
          kubernetes_sd_configs:
          - role: endpoints
            namespaces: {names: [istio-system]}
          relabel_configs:
          - source_labels: [__meta_kubernetes_endpoint_port_name]
            action: keep
            regex: http-monitoring
        """))
    r = run_cli("migrate", str(src), "-i", INVENTORY)
    assert r.code == 0, r.stderr
    (res,) = _docs(r.stdout)
    ep = res["spec"]["endpoints"][0]
    assert not {"path", "scheme", "honorLabels", "followRedirects"} & set(ep), ep
    assert "serviceDiscoveryRole" not in res["spec"]
    assert "path: /metrics, scheme: http, honorLabels: false, followRedirects: true: the default the operator uses " \
           "anyway, not written" in r.stderr
    assert "identical labels" in r.stderr
