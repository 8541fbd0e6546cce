"""migrate's proof proves something: no target is "not proven", witnesses give the proof targets (issue 9)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import yaml

from cli_util import run_cli
from conftest import SAMPLES

FIX = Path(__file__).parent / "fixtures" / "migrate"
ISTIO = str(FIX / "istio-addons-prometheus.yml")
INGRESS = str(FIX / "ingress-probe.yml")
INVENTORY = str(SAMPLES / "inventory" / "cluster.yaml")
EMPTY_ON_SAMPLE = {"kubernetes-pods-slow", "kubernetes-service-endpoints", "kubernetes-service-endpoints-slow",
                   "kubernetes-services", "prometheus-pushgateway"}


def _report(tmp_path, *args):
    report = tmp_path / "r.json"
    r = run_cli("migrate", *args, "--report", str(report))
    return r, json.loads(report.read_text())


def test_a_proof_over_no_target_is_not_proven_and_fails(tmp_path):
    r, data = _report(tmp_path, ISTIO, "-i", INVENTORY)
    assert r.code == 1, r.stderr
    jobs = {j["job_name"]: j for j in data["jobs"]}
    unproven = {n for n, j in jobs.items() if (j.get("proof") or {}).get("unproven")}
    assert unproven == EMPTY_ON_SAMPLE
    for n in unproven:
        assert jobs[n]["proof"]["equivalent"] is None and jobs[n]["proof"]["proven"] is False
        assert jobs[n]["proof"]["note"] == "no target on this inventory"
        assert f"error: job {n} " in r.stderr
    assert jobs["kubernetes-pods"]["proof"]["proven"] is True
    # jobs kept raw are not "unproven", and have no proof
    assert jobs["kubernetes-nodes"]["status"] == "raw" and "proof" not in jobs["kubernetes-nodes"]
    assert data["proof"] == {"attempted": True, "identical": 3, "differs": 0, "unproven": 5, "not_made": 0,
                             "kept_raw": 2}
    assert "proof: 3 identical, 5 not proven" in r.stderr
    assert r.stderr.count("proof: not proven (no target on this inventory)") == 5


def test_markdown_report_shows_unproven_and_kept_raw(tmp_path):
    report = tmp_path / "r.md"
    r = run_cli("migrate", ISTIO, "-i", INVENTORY, "--report", str(report), "--allow-unproven")
    assert r.code == 0, r.stderr
    text = report.read_text()
    assert "| `kubernetes-services` | ScrapeConfig | ScrapeConfig monitoring/kubernetes-services | not proven (no " \
           "target on this inventory) |" in text
    assert "| `kubernetes-nodes` | kept raw |" in text
    assert "5 not proven" in text and "2 kept raw" in text
    assert "warning: job kubernetes-services" in r.stderr and "(allowed by --allow-unproven)" in r.stderr


def test_without_inventory_no_proof_is_attempted_and_exit_is_0():
    r = run_cli("migrate", ISTIO)
    assert r.code == 0, r.stderr
    assert "proof: none attempted (no --inventory or --cluster" in r.stderr
    assert "not proven" not in r.stderr


def test_witnesses_prove_every_migrated_job(tmp_path):
    wfile = tmp_path / "witnesses.yaml"
    r, data = _report(tmp_path, ISTIO, "-i", INVENTORY, "--witnesses-out", str(wfile))
    assert r.code == 0, r.stderr
    jobs = {j["job_name"]: j for j in data["jobs"]}
    for n in EMPTY_ON_SAMPLE:
        p = jobs[n]["proof"]
        assert p["proven"] is True and p["targets_before"] > 0 and p["witnesses"], (n, p)
    assert data["proof"]["unproven"] == 0 and data["proof"]["identical"] == 8
    objs = [d for d in yaml.safe_load_all(wfile.read_text()) if d]
    assert {o["kind"] for o in objs} == {"Pod", "Service", "Endpoints"}
    assert len(objs) == sum(len(jobs[n]["proof"]["witnesses"]) for n in EMPTY_ON_SAMPLE)
    pods = [o for o in objs if o["kind"] == "Pod" and o["metadata"]["name"].startswith("witness-kubernetes-pods-slow")]
    ann = [p["metadata"].get("annotations", {}) for p in pods]
    # a target the keep rule accepts, one the drop rule removes, and each annotation branch
    assert any(a.get("prometheus.io/scrape_slow") == "true" for a in ann)
    assert any(a.get("prometheus.io/scrape_slow") == "true" and a.get("prometheus.io/port") == "9102" for a in ann)
    assert any("prometheus.io/scrape_slow" not in a for a in ann)
    assert any(a.get("prometheus.io/scheme") in ("http", "https") for a in ann)
    assert "witness object(s) written to" in r.stderr
    assert "(on " in r.stderr and "witness object(s) added to the inventory)" in r.stderr


def test_witnesses_catch_a_wrong_migration():
    """The witnesses have teeth: a migrated monitor that lost its keep rule differs on them."""
    from migrator.inventory import load_inventory
    from migrator.migrate import MigrateOptions, migrate_jobs
    from migrator.migrate.prove import prove, prove_with_witnesses
    from migrator.scrapeconfig import read_jobs
    from migrator.sources import load_documents

    parsed = read_jobs(load_documents([ISTIO]))
    job = next(j for j in parsed.jobs if j.name == "kubernetes-service-endpoints")
    opts = MigrateOptions(inventory=load_inventory([INVENTORY]), global_config=parsed.global_config)
    m = migrate_jobs([job], opts)[0]
    assert prove(m, job, opts).unproven
    assert prove_with_witnesses(m, job, opts).proven
    ep = m.resources[0]["spec"]["endpoints"][0]
    ep["relabelings"] = [r for r in ep["relabelings"] if r.get("action") != "keep"]
    p = prove_with_witnesses(m, job, opts)
    assert not p.equivalent and p.only_after, p.summary()


def test_an_inventory_without_the_kind_says_so_and_witnesses_supply_it():
    r = run_cli("migrate", INGRESS, "-i", INVENTORY)
    assert r.code == 1
    assert "not proven (no target on this inventory: it holds no Ingress, which this job discovers)" in r.stderr
    r = run_cli("migrate", INGRESS, "-i", INVENTORY, "--witnesses")
    assert r.code == 0, r.stderr
    assert "identical labels (on " in r.stderr


def test_a_placeholder_value_is_never_proven(tmp_path):
    src = tmp_path / "jobs.yml"
    src.write_text(textwrap.dedent("""\
        scrape_configs:
        - job_name: mesh
          kubernetes_sd_configs:
          - role: pod
          relabel_configs:
          - source_labels: [__meta_kubernetes_namespace]
            regex: istio-system|{{ .Values.meshNamespace }}
            action: keep
        """))
    r, data = _report(tmp_path, str(src), "-i", INVENTORY)
    assert r.code == 1
    assert "warning: " in r.stderr and "{{ .Values.meshNamespace }}" in r.stderr
    p = data["jobs"][0]["proof"]
    assert p["unproven"] is True and "placeholder value {{ .Values.meshNamespace }}" in p["note"]
    # witnesses cannot know a placeholder's value either
    r = run_cli("migrate", str(src), "-i", INVENTORY, "--witnesses")
    assert r.code == 1 and "placeholder value" in r.stderr


def test_witnesses_need_an_inventory():
    r = run_cli("migrate", ISTIO, "--witnesses")
    assert r.code == 2 and "--witnesses" in r.stderr


def test_the_readmes_witness_example_is_what_migrate_prints(tmp_path, monkeypatch):
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    monkeypatch.chdir(FIX)
    r = run_cli("migrate", "istio-addons-prometheus.yml", "-i", INVENTORY, "--operator-version", "v0.76.0",
                "--witnesses-out", str(tmp_path / "witnesses.yaml"))
    assert r.code == 0, r.stderr
    for line in ("note: resources for prometheus-operator v0.76.0 (from --operator-version)",
                 "job kubernetes-service-endpoints (istio-addons-prometheus.yml:162): with relabelings -> "
                 "ServiceMonitor monitoring/kubernetes-service-endpoints",
                 "proof: 8 target(s) before, 8 after: identical labels (on 30 witness object(s) added to the inventory)",
                 "10 job(s): 5 with relabelings, 2 kept raw, 3 ScrapeConfig; proof: 8 identical"):
        assert line in r.stderr and line in readme, line
    assert "73 witness object(s) written to" in r.stderr and "73 witness object(s) written to" in readme


def test_a_job_witnesses_cannot_exercise_is_unprovable_with_the_reason(tmp_path):
    src = tmp_path / "p.yml"
    src.write_text(textwrap.dedent("""\
        scrape_configs:
        - job_name: rack
          kubernetes_sd_configs:
          - role: pod
          relabel_configs:
          - source_labels: [__address__]
            action: keep
            regex: '10\\.99\\..*'
        """))
    r, data = _report(tmp_path, str(src), "-i", INVENTORY, "--witnesses")
    assert r.code == 1
    p = data["jobs"][0]["proof"]
    assert p["unproven"] is True and p["note"].startswith("unprovable: none of the ")
    assert "keep on __address__ =~ '10\\\\.99\\\\..*': no witness value derived" in p["note"]
