"""diff's shared work (migrator.diff.command.evaluate_sides): each distinct kubernetes_sd_configs block of both
sides discovered once, a NEW job identical to OLD's not evaluated again -- and the report exactly what evaluating
every job of both sides on its own gives, wherever the sides differ (rules, global config, file_sd files beside
each side, semantics)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from conftest import SAMPLES
from migrator import discovery
from migrator import targets as core
from migrator.diff import command
from migrator.diff.command import Side, evaluate_sides, run_diff, same_evaluation
from migrator.diff.targetdiff import OBJECT_LABELS, slim, target_object
from migrator.diff.configdiff import identical
from migrator.inventory import load_inventory

INVENTORY = str(SAMPLES / "inventory" / "cluster.yaml")
RAW = str(SAMPLES / "raw" / "istio-prometheus.yml")
MONITORS = str(SAMPLES / "istio" / "monitors.yaml")


@pytest.fixture
def counted(monkeypatch):
    """Calls of targets.evaluate_job (job names) and of discovery.discover (SD blocks), and no process-wide
    memo to hide a repeated discovery."""
    calls: dict[str, list] = {"evaluate": [], "discover": []}
    evaluate, discover = core.evaluate_job, discovery.discover

    def evaluate_counted(job, *a, **kw):
        calls["evaluate"].append(job.get("job_name"))
        return evaluate(job, *a, **kw)

    def discover_counted(sd, *a, **kw):
        calls["discover"].append(json.dumps(sd, sort_keys=True))
        return discover(sd, *a, **kw)

    monkeypatch.setattr(core, "evaluate_job", evaluate_counted)
    monkeypatch.setattr(discovery, "discover", discover_counted)
    monkeypatch.setattr(core.RECENT_DISCOVERIES, "MAX_ENTRIES", 0)
    core.RECENT_DISCOVERIES.clear()
    return calls


def write(path: Path, doc: dict) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return str(path)


def both_ways(capsys, monkeypatch, counted: dict, old: list[str], new: list[str]) -> tuple[dict, dict]:
    """The JSON report with the shared work (asserted byte-identical to the one with every job of each side
    evaluated on its own), and the calls the shared run made."""
    code = run_diff(old, new, inventory=[INVENTORY], output="json")
    fast = capsys.readouterr().out
    calls = {k: list(v) for k, v in counted.items()}
    with monkeypatch.context() as m:
        m.setattr(command, "evaluate_sides", lambda a, b, inv: (a.evaluate(inv), b.evaluate(inv)))
        ref_code = run_diff(old, new, inventory=[INVENTORY], output="json")
    ref = capsys.readouterr().out
    assert fast == ref and code == ref_code
    return json.loads(fast), calls


POD_JOB = {"job_name": "pods", "kubernetes_sd_configs": [{"role": "pod"}],
           "relabel_configs": [{"source_labels": ["__meta_kubernetes_pod_container_port_name"],
                                "regex": ".*-envoy-prom", "action": "keep"},
                               {"source_labels": ["__meta_kubernetes_pod_name"], "target_label": "pod"}]}
ISTIOD_JOB = {"job_name": "istiod", "kubernetes_sd_configs": [{"role": "endpoints",
                                                               "namespaces": {"names": ["istio-system"]}}],
              "relabel_configs": [{"source_labels": ["__meta_kubernetes_service_name"], "regex": "istiod",
                                   "action": "keep"}]}


def test_identical_jobs_evaluated_once_and_discovery_shared(tmp_path, capsys, monkeypatch, counted):
    edited = dict(POD_JOB, relabel_configs=POD_JOB["relabel_configs"] + [
        {"target_label": "cluster", "replacement": "eu"}])
    svc = {"job_name": "services", "kubernetes_sd_configs": [{"role": "service"}]}
    old = write(tmp_path / "old.yml", {"scrape_configs": [POD_JOB, ISTIOD_JOB]})
    new = write(tmp_path / "new.yml", {"scrape_configs": [edited, ISTIOD_JOB, svc]})
    rep, calls = both_ways(capsys, monkeypatch, counted, [old], [new])
    # OLD's two jobs, NEW's edited and added ones; NEW's istiod is OLD's (its config is identical)
    assert calls["evaluate"] == ["pods", "istiod", "pods", "services"]
    # pod, endpoints/istio-system, service: once each over both sides
    assert sorted(calls["discover"]) == sorted(set(counted["discover"])) and len(calls["discover"]) == 3
    pods = next(t for t in rep["targets"] if t["old"] == "pods")
    assert pods["changed"] and pods["common"] > 0 and pods["relabelled"] == pods["common"]
    assert [(c["label"], c["change"], c["targets"]) for c in pods["labels"]] == [("cluster", "added", pods["common"])]
    istiod = next(t for t in rep["targets"] if t["old"] == "istiod")
    assert not istiod["changed"] and istiod["common"] == istiod["old_targets"] == istiod["new_targets"] > 0
    assert [o["job"] for o in rep["only_new"]] == ["services"] and rep["only_new"][0]["targets"] > 0


def test_a_twin_keeps_its_own_origin(tmp_path, capsys, monkeypatch, counted):
    """A job identical on both sides that cannot be evaluated is reported with each side's file and line."""
    consul = {"job_name": "consul", "consul_sd_configs": [{"server": "consul:8500"}]}
    old = write(tmp_path / "old.yml", {"scrape_configs": [POD_JOB, consul]})
    new = write(tmp_path / "sub" / "new.yml", {"scrape_configs": [consul]})
    rep, calls = both_ways(capsys, monkeypatch, counted, [old], [new])
    errors = [w for w in rep["warnings"] if "could not be evaluated" in w]
    assert len(errors) == 2
    assert "consul (" + str(tmp_path / "old.yml") + ":" in errors[0]
    assert "consul (" + str(tmp_path / "sub" / "new.yml") + ":" in errors[1]


def test_file_sd_files_are_read_beside_each_side(tmp_path, capsys, monkeypatch, counted):
    """The same job text reads different files when the sides live in different directories."""
    job = {"job_name": "files", "file_sd_configs": [{"files": ["targets/*.json"]}]}
    write(tmp_path / "a" / "targets" / "t.json", [{"targets": ["a:9100", "b:9100"], "labels": {"env": "x"}}])
    write(tmp_path / "b" / "targets" / "t.json", [{"targets": ["a:9100", "c:9100"], "labels": {"env": "y"}}])
    old = write(tmp_path / "a" / "prometheus.yml", {"scrape_configs": [job]})
    new = write(tmp_path / "b" / "prometheus.yml", {"scrape_configs": [job]})
    rep, calls = both_ways(capsys, monkeypatch, counted, [old], [new])
    (t,) = rep["targets"]
    assert t["only_old"] == ["http://b:9100/metrics"] and t["only_new"] == ["http://c:9100/metrics"]
    assert t["common"] == 1 and [(c["label"], c["change"]) for c in t["labels"]] == [("env", "changed")]
    assert calls["evaluate"] == ["files", "files"]
    # in one directory the same job is evaluated once
    counted["evaluate"].clear()
    same = write(tmp_path / "a" / "copy.yml", {"scrape_configs": [job]})
    assert run_diff([old], [same], inventory=[INVENTORY], output="json") == 0
    assert counted["evaluate"] == ["files"]


def test_a_global_config_change_is_a_label_change(tmp_path, capsys, monkeypatch, counted):
    old = write(tmp_path / "old.yml", {"global": {"scrape_interval": "30s"}, "scrape_configs": [ISTIOD_JOB]})
    new = write(tmp_path / "new.yml", {"global": {"scrape_interval": "1m"}, "scrape_configs": [ISTIOD_JOB]})
    rep, calls = both_ways(capsys, monkeypatch, counted, [old], [new])
    (t,) = rep["targets"]
    assert t["changed"] and [(c["label"], c["change"], c["examples"][0]["old"], c["examples"][0]["new"])
                             for c in t["labels"]] == [("__scrape_interval__", "changed", "30s", "1m")]
    assert calls["evaluate"] == ["istiod", "istiod"]


def test_the_istio_sample_reports_as_before(capsys, monkeypatch, counted):
    rep, calls = both_ways(capsys, monkeypatch, counted, [RAW], [MONITORS])
    assert rep["targets"] and any(t["changed"] for t in rep["targets"])
    # the raw jobs' and the monitors' blocks: each distinct one discovered once
    assert len(calls["discover"]) == len(set(calls["discover"])) == len(set(counted["discover"]))


@pytest.mark.parametrize("old_kw,new_kw", [
    ({"prometheus_version": "2.45.0"}, {"prometheus_version": "3.1.0"}),
    ({"own_namespace": "istio-system"}, {"own_namespace": "shop"}),
])
def test_other_semantics_share_nothing(tmp_path, counted, old_kw, new_kw):
    own = {"job_name": "own", "kubernetes_sd_configs": [{"role": "pod", "namespaces": {"own_namespace": True}}]}
    # not evaluated (consul): its pod block, counted as a use, stays in OLD's cache after OLD is done
    mixed = {"job_name": "mixed", "kubernetes_sd_configs": [{"role": "pod"}],
             "consul_sd_configs": [{"server": "consul:8500"}]}
    path = write(tmp_path / "p.yml", {"scrape_configs": [POD_JOB, own, mixed]})
    kw = dict(prometheus=None, prometheus_version=None, operator_compatible=False)
    a = Side("OLD", [path], **{**kw, **old_kw})
    b = Side("NEW", [path], **{**kw, **new_kw})
    assert not same_evaluation(a, a.jobs[0], b, b.jobs[0])
    inv = load_inventory([INVENTORY])
    old, new = evaluate_sides(a, b, inv)
    assert counted["evaluate"] == ["pods", "own", "mixed"] * 2
    assert len(counted["discover"]) == 4          # nothing taken from the other side's discovery
    ref = core.evaluate_job(b.jobs[1].config, "", inv, core.EvalOptions(own_namespace=b.semantics()[0],
                                                                          version=b.version))
    assert [(t.labels, t.rule) for t in new[1].targets] == [(t.labels, t.rule) for t in ref.targets]
    if "own_namespace" in old_kw:
        assert {t.discovered["__meta_kubernetes_namespace"] for t in old[1].targets} == {"istio-system"}
        assert {t.discovered["__meta_kubernetes_namespace"] for t in new[1].targets} == {"shop"}


def test_identical_is_strict():
    assert identical({"a": [1, {"b": "x"}]}, {"a": [1, {"b": "x"}]})
    assert not identical({"a": 1}, {"a": True})          # equal for Python
    assert not identical({"a": 1}, {"a": 1.0})
    assert not identical({"a": 1, "b": 2}, {"b": 2, "a": 1})
    assert not identical([1, 2], (1, 2))
    assert not identical({"a": [1]}, {"a": [1, 2]})
    assert not identical(float("nan"), float("nan"))


def test_a_twin_differing_only_in_types_is_evaluated(tmp_path, counted):
    """Configs equal for Python (True == 1) but typed differently are not twins."""
    path = write(tmp_path / "p.yml", {"scrape_configs": [ISTIOD_JOB]})
    kw = dict(prometheus=None, prometheus_version=None, operator_compatible=False)
    a, b = Side("OLD", [path], **kw), Side("NEW", [path], **kw)
    assert same_evaluation(a, a.jobs[0], b, b.jobs[0])
    b.jobs[0].config = dict(b.jobs[0].config, honor_labels=1)
    a.jobs[0].config = dict(a.jobs[0].config, honor_labels=True)
    assert a.jobs[0].config == b.jobs[0].config
    assert not same_evaluation(a, a.jobs[0], b, b.jobs[0])
    evaluate_sides(a, b, load_inventory([INVENTORY]))
    assert counted["evaluate"] == ["istiod", "istiod"]


def test_shared_targets_with_other_params_still_differ():
    """diff_targets' short cut for NEW results holding OLD's very targets holds only with identical params."""
    from migrator.diff.targetdiff import diff_targets

    # without its __param_x label (dropped), a target is scraped with the job's params
    job = {"job_name": "s", "static_configs": [{"targets": ["a:1", "b:1"]}], "params": {"x": ["1"]},
           "relabel_configs": [{"action": "labeldrop", "regex": "__param_x"}]}
    old = core.evaluate_job(job, "old.yml:1", None, core.EvalOptions())
    same = core.JobResult("s", "new.yml:1", targets=list(old.targets), config=dict(job))
    other = core.JobResult("s", "new.yml:1", targets=list(old.targets), config=dict(job, params={"x": ["2"]}))
    t = diff_targets([old], [same])
    assert (t.common, t.only_old, t.only_new, t.labels, t.changed) == (2, [], [], [], False)
    t = diff_targets([old], [other])
    assert t.common == 0 and t.changed
    assert t.only_old == ["http://a:1/metrics?x=1", "http://b:1/metrics?x=1"]
    assert t.only_new == ["http://a:1/metrics?x=2", "http://b:1/metrics?x=2"]
    # and the short cut gives what matching a separate evaluation gives
    again = core.evaluate_job(job, "new.yml:1", None, core.EvalOptions())
    assert diff_targets([old], [same]).to_json() == diff_targets([old], [again]).to_json()


def test_merged_targets_counted_as_targets_counts_them(tmp_path, capsys):
    """diff's scrapes set each result's distinct count, which targets.findings then uses: its findings are
    those of results evaluated afresh (a job identical on both sides, and one only NEW has)."""
    dup = {"job_name": "dup", "static_configs": [{"targets": ["a:1", "a:1", "b:1"]}]}
    dup2 = {"job_name": "dup2", "static_configs": [{"targets": ["c:1", "c:1", "c:1", "d:1"]}]}
    old = write(tmp_path / "old.yml", {"scrape_configs": [dup]})
    new = write(tmp_path / "new.yml", {"scrape_configs": [dup, dup2]})
    assert run_diff([old], [new], inventory=[INVENTORY], output="json") == 1
    rep = json.loads(capsys.readouterr().out)
    found = [f["message"] for f in rep["findings"] if f["code"] == "identical-targets"]
    fresh = [core.evaluate_job(j, "", None, core.EvalOptions()) for j in (dup, dup2)]
    assert all(r.distinct is None for r in fresh)
    assert found == [w for w in core.findings(fresh) if "identical to another" in w] == [
        "job dup: 1 target(s) identical to another one of the same job (Prometheus scrapes them once)",
        "job dup2: 2 target(s) identical to another one of the same job (Prometheus scrapes them once)"]
    assert [(o["job"], o["targets"], o["distinct_targets"]) for o in rep["only_new"]] == [("dup2", 4, 2)]


def test_slim_keeps_what_diff_reads(tmp_path):
    job = dict(POD_JOB, relabel_configs=POD_JOB["relabel_configs"] + [
        {"source_labels": ["__meta_kubernetes_namespace"], "regex": "kube-system", "action": "drop"}])
    full = core.evaluate_job(job, "p.yml:1", load_inventory([INVENTORY]), core.EvalOptions())
    def seen(r):  # the object behind a kept target (only-one-side targets are shown with it)
        return [(t.labels, t.rule, t.reason, target_object(t.discovered) if t.kept else None) for t in r.targets]

    before = seen(full)
    assert full.kept and any(not t.kept for t in full.targets) and all(x[3] for x in before if x[0])
    r = slim(full)
    assert r is full and seen(r) == before
    assert all(set(t.discovered) <= set(OBJECT_LABELS) for t in r.targets)
    assert all(t.discovered == {} for t in r.targets if not t.kept)
