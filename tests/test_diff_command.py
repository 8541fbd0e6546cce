"""`run_diff` end to end: the Istio sample (raw jobs vs the presets), exit statuses and --fail-on, outputs,
findings, and X vs a reformatted twin X' for every sample and every shared real config (exit 0)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from conftest import SAMPLES, SHARED
from migrator.diff.command import run_diff
from migrator.diff.findings import (endpoint_labels_under_endpointslice, honor_labels_with_kubernetes,
                                    job_label_missing, unselected_monitors)
from migrator.diff.normalize import JOB_DEFAULTS, normalize_job
from migrator.diff.report import render_text
from migrator.errors import InputError
from migrator.inventory import load_inventory
from migrator.relabel.duration import parse_duration
from migrator.scrapeconfig import PLACEHOLDER_RE, read_jobs
from migrator.sources import load_documents

INVENTORY = str(SAMPLES / "inventory" / "cluster.yaml")
MONITORS = str(SAMPLES / "istio" / "monitors.yaml")
PROMETHEUS = str(SAMPLES / "istio" / "prometheus.yaml")
RAW = str(SAMPLES / "raw" / "istio-prometheus.yml")
LIST = str(SAMPLES / "raw" / "additional-scrape-configs.yaml")
ENVOY_PM = "podMonitor/monitoring/istio-envoy-pod-monitor/0"


def diff_json(capsys, *args, **kwargs) -> tuple[int, dict]:
    code = run_diff(*args, output="json", **kwargs)
    return code, json.loads(capsys.readouterr().out)


# -- the done-when -------------------------------------------------------------------

def test_istio_raw_vs_presets_plan(capsys):
    code = run_diff([RAW], [MONITORS], inventory=[INVENTORY])
    out = capsys.readouterr().out
    assert code == 1
    assert f"~ job envoy-stats -> {ENVOY_PM}" in out
    assert "paired by target overlap" in out
    assert '~ label job on 6 target(s): "envoy-stats" -> "monitoring/istio-envoy-pod-monitor"' in out
    for label in ("namespace", "pod", "container", "endpoint"):
        assert f"+ label {label} on 6 target(s)" in out
    assert "~ job istiod -> serviceMonitor/monitoring/istiod-service-monitor/0" in out
    assert "- job kubernetes-pods only in OLD" in out
    # the summary comes first, one line per job; the completed Job pod the raw job scraped is named
    assert out.splitlines()[2] == "Summary:"
    assert f"  job: envoy-stats -> {ENVOY_PM} on 6 target(s) in both: labels job changed; container, endpoint, " \
        "namespace, pod added; 1 target(s) only in OLD" in out
    assert "(only in OLD: pod shop/db-migrate-" in out
    assert "+ job podMonitor/monitoring/istio-gateways-pod-monitor/0 only in NEW" in out
    assert out.rstrip().splitlines()[-1].startswith("Differences (config, targets, labels) in job(s): envoy-stats")
    assert "\x1b[" not in out                       # not a TTY: no colour


def test_istio_with_an_explicit_map_is_exact(capsys):
    code, rep = diff_json(capsys, [RAW], [MONITORS], inventory=[INVENTORY], maps=[f"envoy-stats={ENVOY_PM}"])
    assert code == 1
    assert [(p["old"], p["new"], p["paired_by"]) for p in rep["pairs"]] == [("envoy-stats", [ENVOY_PM], "map")]
    assert [o["job"] for o in rep["only_old"]] == ["istiod", "kubernetes-pods"]   # no automatic pairing then
    (t,) = rep["targets"]
    labels = {(c["label"], c["change"]) for c in t["labels"]}
    assert {("job", "changed"), ("namespace", "added"), ("pod", "added"), ("container", "added"),
            ("endpoint", "added")} <= labels
    assert t["common"] == 6


def test_mapping_from_a_migrate_report(capsys, tmp_path):
    report = tmp_path / "report.json"
    report.write_text(json.dumps({"jobs": [{"job_name": "istiod",
                                            "rendered_jobs": ["serviceMonitor/monitoring/istiod-service-monitor/0"]},
                                           {"job_name": "envoy-stats", "rendered_jobs": [
                                               ENVOY_PM, "podMonitor/monitoring/istio-gateways-pod-monitor/0"]}]}))
    code, rep = diff_json(capsys, [RAW], [MONITORS], inventory=[INVENTORY], mapping=str(report))
    assert code == 1
    pairs = {p["old"]: (p["new"], p["paired_by"]) for p in rep["pairs"]}
    assert pairs["envoy-stats"] == ([ENVOY_PM, "podMonitor/monitoring/istio-gateways-pod-monitor/0"], "mapping")
    envoy = next(t for t in rep["targets"] if t["old"] == "envoy-stats")
    assert envoy["new_targets"] == 8 and envoy["common"] == 6     # the gateways are scraped twice in NEW
    assert [o["job"] for o in rep["only_old"]] == ["kubernetes-pods"] and rep["only_new"] == []


def test_without_inventory_names_differ_so_jobs_are_only_on_one_side(capsys):
    code, rep = diff_json(capsys, [RAW], [MONITORS])
    assert code == 1 and rep["targets"] is None and rep["pairs"] == []
    assert [o["job"] for o in rep["only_old"]] == ["istiod", "envoy-stats", "kubernetes-pods"]
    assert any("--map" in n for n in rep["notes"])
    assert rep["verdict"]["fail_on"] == ["config"]


# -- verdicts ----------------------------------------------------------------------------------

def _write(tmp_path: Path, name: str, text: str) -> str:
    p = tmp_path / name
    p.write_text(text)
    return str(p)


STATIC = "- job_name: s\n  static_configs: [{targets: ['h:1'%s]%s}]\n%s"


def test_exit_status_and_fail_on(tmp_path, capsys):
    base = _write(tmp_path, "base.yaml", STATIC % ("", "", ""))
    config_only = _write(tmp_path, "c.yaml", STATIC % ("", "", "  honor_timestamps: false\n"))
    label_only = _write(tmp_path, "l.yaml", STATIC % ("", ", labels: {team: a}", ""))
    target_more = _write(tmp_path, "t.yaml", STATIC % (", 'h:2'", "", ""))
    inv = [INVENTORY]
    assert run_diff([base], [base]) == 0
    assert run_diff([base], [base], inventory=inv) == 0
    assert run_diff([base], [config_only]) == 1
    assert run_diff([base], [config_only], inventory=inv, fail_on=["targets", "labels"]) == 0
    assert run_diff([base], [config_only], inventory=inv, targets_only=True) == 0
    assert run_diff([base], [label_only], inventory=inv, fail_on=["targets"]) == 0
    assert run_diff([base], [label_only], inventory=inv, fail_on=["labels"]) == 1
    assert run_diff([base], [target_more], inventory=inv, fail_on=["labels"]) == 0
    assert run_diff([base], [target_more], inventory=inv, fail_on=["targets,labels"]) == 1
    capsys.readouterr()
    code, rep = diff_json(capsys, [base], [label_only], inventory=inv, fail_on=["labels"])
    assert rep["verdict"] == {"differences": True, "config": True, "targets": False, "labels": True,
                              "fail_on": ["labels"], "differing_jobs": ["s"], "exit_status": 1}


@pytest.mark.parametrize("kwargs,message", [
    ({"fail_on": ["nope"]}, "unknown --fail-on nope"),
    ({"output": "yaml"}, "unknown --output"),
    ({"targets_only": True}, "needs the cluster's objects"),
    ({"inventory": [INVENTORY], "cluster": True}, "not both"),
    ({"from_cluster": True}, "give only NEW"),
    ({"maps": ["istiod=nope"]}, "NEW has no job 'nope'"),
])
def test_errors_are_input_errors(kwargs, message):
    with pytest.raises(InputError, match=message):
        run_diff([RAW], [MONITORS], **kwargs)


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        run_diff([str(tmp_path / "absent.yaml")], [RAW])


# -- outputs -----------------------------------------------------------------------------------

def test_json_schema_keys(capsys):
    _, rep = diff_json(capsys, [RAW], [MONITORS], inventory=[INVENTORY])
    assert list(rep) == ["schema", "old", "new", "targets_compared", "pairs", "only_old", "only_new", "jobs",
                         "targets", "findings", "warnings", "notes", "verdict"]
    assert rep["schema"] == "migrator.diff/v1"
    assert set(rep["jobs"][0]) == {"old", "new", "paired_by", "changed", "compared_as_plain_yaml", "fields",
                                   "rules", "warnings"}
    assert set(rep["findings"][0]) == {"severity", "code", "subject", "message"}


def test_markdown_and_out_file(tmp_path, capsys):
    out = tmp_path / "plan.md"
    code = run_diff([RAW], [MONITORS], inventory=[INVENTORY], output="markdown", out=str(out))
    text = out.read_text()
    assert code == 1 and capsys.readouterr().out == ""
    assert text.startswith("### migrator diff") and "| `envoy-stats` | `" + ENVOY_PM + "` | overlap | changed |" in text
    assert "```diff" in text
    with pytest.raises(InputError, match="file exists"):
        run_diff([RAW], [MONITORS], output="markdown", out=str(out))


def test_colour_only_when_asked(capsys):
    from migrator.diff.report import DiffReport

    rep = DiffReport(["a"], ["b"], only_old=[{"job": "x", "origin": "f:1", "targets": None, "examples": []}])
    assert "\x1b[" in render_text(rep, color=True)
    assert "\x1b[" not in render_text(rep, color=False)


def test_secrets_never_printed(tmp_path, capsys):
    a = _write(tmp_path, "a.yaml", "- job_name: s\n  basic_auth: {username: u, password: hunter2}\n"
                                   "  static_configs: [{targets: ['h:1']}]\n")
    b = _write(tmp_path, "b.yaml", "- job_name: s\n  basic_auth: {username: u, password: swordfish}\n"
                                   "  static_configs: [{targets: ['h:1']}]\n")
    for output in ("text", "json", "markdown"):
        assert run_diff([a], [b], output=output) == 1
        text = capsys.readouterr().out
        assert "hunter2" not in text and "swordfish" not in text and "<redacted>" in text


def test_another_dialect_is_warned_and_compared_as_yaml(tmp_path, capsys):
    vm = "- job_name: vm\n  static_configs: [{targets: ['h:1']}]\n  relabel_configs: [{action: %s, source_labels: [a, b]}]\n"
    a = _write(tmp_path, "a.yaml", vm % "keep_if_equal")
    b = _write(tmp_path, "b.yaml", vm % "drop_if_equal")
    code, rep = diff_json(capsys, [a], [b])
    assert code == 1 and rep["jobs"][0]["compared_as_plain_yaml"]
    assert any("compared as plain YAML" in w for w in rep["warnings"])
    assert run_diff([a], [a]) == 0


# -- findings ----------------------------------------------------------------------------------

def test_findings_units():
    inv = load_inventory([INVENTORY])
    monitors = [d for d in yaml.safe_load_all(Path(MONITORS).read_text()) if d]
    sm = next(m for m in monitors if m["kind"] == "ServiceMonitor")
    bad = json.loads(json.dumps(sm))
    bad["spec"]["jobLabel"] = "no-such-label"
    (f,) = job_label_missing([bad], inv)
    assert f.code == "job-label-missing" and "1 of 1 selected Service" in f.message
    good = json.loads(json.dumps(sm))
    good["spec"]["jobLabel"] = "app"
    assert job_label_missing([good], inv) == []
    cr = yaml.safe_load(Path(PROMETHEUS).read_text())
    stray = json.loads(json.dumps(sm))
    stray["metadata"]["labels"] = {"release": "other"}
    assert [f.subject for f in unselected_monitors(cr, monitors + [stray])] == \
        ["ServiceMonitor monitoring/istiod-service-monitor"]
    assert unselected_monitors(None, [stray]) == []
    job = {"job_name": "j", "honor_labels": True, "kubernetes_sd_configs": [{"role": "endpointslice"}],
           "relabel_configs": [{"source_labels": ["__meta_kubernetes_endpoint_port_name"], "action": "keep",
                                "regex": "web"}]}
    assert [f.code for f in honor_labels_with_kubernetes([job])] == ["honor-labels-kubernetes"]
    (e,) = endpoint_labels_under_endpointslice([job])
    assert "__meta_kubernetes_endpoint_port_name" in e.message
    assert endpoint_labels_under_endpointslice([dict(job, kubernetes_sd_configs=[{"role": "endpoints"}])]) == []
    assert honor_labels_with_kubernetes([dict(job, honor_labels=False)]) == []


def test_findings_in_the_diff_report(capsys):
    code, rep = diff_json(capsys, [MONITORS], [RAW], inventory=[INVENTORY])
    codes = {f["code"] for f in rep["findings"]}
    assert "honor-labels-kubernetes" in codes                  # kubernetes-pods has honor_labels: true
    code, rep = diff_json(capsys, [RAW], [MONITORS], inventory=[INVENTORY])
    assert any(f["code"] == "duplicate-scrape" and "istio-gateways-pod-monitor" in f["message"]
               for f in rep["findings"])


# -- X vs a reformatted twin X' ------------------------------------------------------------------

def _respell(value):
    """Another spelling of the same duration (60s -> 60000ms, 1m -> 60s)."""
    if not isinstance(value, str) or PLACEHOLDER_RE.search(value):
        return value
    try:
        seconds = parse_duration(value) / 1000
    except ValueError:
        return value
    return f"{int(seconds * 1000)}ms" if seconds and seconds < 60 else f"{int(seconds)}s" if seconds else "0s"


def _reordered(value):
    if isinstance(value, dict):
        return {k: _reordered(value[k]) for k in reversed(list(value))}
    if isinstance(value, list):
        return [_reordered(v) for v in value]
    return value


def _twin_job(job: dict, global_config: dict) -> dict:
    twin = json.loads(json.dumps(job))
    norm = normalize_job(job, global_config)
    for key, value in JOB_DEFAULTS.items():
        twin.setdefault(key, value)
    twin["scrape_interval"] = _respell(twin.get("scrape_interval") or norm["scrape_interval"])
    twin["scrape_timeout"] = _respell(twin.get("scrape_timeout") or norm["scrape_timeout"])
    for section in ("relabel_configs", "metric_relabel_configs"):
        for rule in twin.get(section) or []:
            if isinstance(rule, dict):
                rule.setdefault("action", "replace")
                rule.setdefault("separator", ";")
                if rule["action"].lower() in ("replace", "keep", "drop", "labelmap", "labeldrop", "labelkeep"):
                    rule.setdefault("regex", "(.*)")
                if rule["action"].lower() in ("replace", "labelmap"):
                    rule.setdefault("replacement", "${1}")
    for sd in twin.get("kubernetes_sd_configs") or []:
        names = (sd.get("namespaces") or {}).get("names")
        if isinstance(names, list):
            sd["namespaces"]["names"] = list(reversed(names))
        sd.setdefault("follow_redirects", True)
    for sc in twin.get("static_configs") or []:
        if isinstance(sc.get("targets"), list):
            sc["targets"] = list(reversed(sc["targets"]))
    return _reordered(twin)


def make_twin(paths: list[str], directory: Path) -> list[str]:
    """X': raw jobs keys reordered, defaults explicit, durations respelled, flow style; objects reordered."""
    docs = load_documents(paths)
    raw, objects = [], []
    for doc in docs:
        d = doc.data
        is_object = isinstance(d, dict) and isinstance(d.get("apiVersion"), str) and isinstance(d.get("kind"), str)
        holds_jobs = is_object and d["kind"] in ("Secret", "ConfigMap")
        if holds_jobs:
            try:
                read_jobs([doc])
                raw.append(doc)
                continue
            except InputError:
                pass
        (objects if is_object else raw).append(doc)
    out = []
    if raw:
        parsed = read_jobs(raw)
        g = dict(parsed.effective_global())  # a bare list runs under the operator's global: written out
        for key in ("scrape_interval", "scrape_timeout"):
            if key in g:
                g[key] = _respell(g[key])
        jobs = [_reordered(j.config) if j.failed else _twin_job(j.config, parsed.effective_global())
                for j in parsed.jobs]
        doc = {"scrape_configs": jobs, "global": g} if g else {"scrape_configs": jobs}
        p = directory / "twin-raw.yaml"
        p.write_text(yaml.safe_dump(doc, default_flow_style=True, sort_keys=False, width=100))
        out.append(str(p))
    if objects:
        p = directory / "twin-objects.yaml"
        p.write_text("---\n".join(yaml.safe_dump(_reordered(o.data), default_flow_style=True, sort_keys=False)
                                  for o in objects))
        out.append(str(p))
    return out


SAMPLE_CONFIGS = [RAW, LIST, MONITORS]
REAL = SHARED / "oracle" / "real-configs"
REAL_CONFIGS = sorted(str(p) for p in REAL.glob("*.yaml")) if REAL.is_dir() else []


@pytest.mark.parametrize("path", SAMPLE_CONFIGS, ids=lambda p: Path(p).name)
def test_a_sample_and_its_twin_do_not_differ(path, tmp_path, capsys):
    twin = make_twin([path], tmp_path)
    assert Path(twin[0]).read_text() != Path(path).read_text()
    code = run_diff([path], twin, inventory=[INVENTORY])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "No differences (config, targets, labels compared)." in out


def test_monitors_with_their_cr_and_twin_operator_mode(tmp_path, capsys):
    twin = make_twin([MONITORS, PROMETHEUS], tmp_path)
    assert run_diff([MONITORS, PROMETHEUS], twin, operator_compatible=True) == 0, capsys.readouterr().out


@pytest.mark.shared
@pytest.mark.skipif(not REAL_CONFIGS, reason="../shared/oracle/real-configs is absent")
@pytest.mark.parametrize("path", REAL_CONFIGS, ids=lambda p: Path(p).name)
def test_a_real_config_and_its_twin_do_not_differ(path, tmp_path, capsys):
    twin = make_twin([path], tmp_path)
    code = run_diff([path], twin)
    out = capsys.readouterr().out
    assert code == 0, out


def test_the_twin_check_can_fail(tmp_path, capsys):
    """A twin with one real change differs (the twin test is not vacuous)."""
    twin = make_twin([RAW], tmp_path)
    text = Path(twin[0]).read_text().replace("/stats/prometheus", "/stats/other", 1)
    Path(twin[0]).write_text(text)
    assert run_diff([RAW], twin) == 1
    assert "metrics_path" in capsys.readouterr().out


def test_old_from_stdin(monkeypatch, capsys):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(Path(RAW).read_text()))
    assert run_diff(["-"], [RAW]) == 0, capsys.readouterr().out
    with pytest.raises(InputError, match="only once"):
        run_diff(["-"], ["-"])


def test_migrate_output_is_equivalent_by_targets(tmp_path, capsys):
    """migrate's monitors, paired by its report's rendered_jobs: the equivalence check exits 0."""
    from cli_util import run_cli

    out_dir, report = tmp_path / "monitors", tmp_path / "report.json"
    r = run_cli("migrate", RAW, "--inventory", INVENTORY, "--out", str(out_dir), "--report", str(report))
    assert r.code == 0, r.stderr
    code, rep = diff_json(capsys, [RAW], [str(out_dir)], inventory=[INVENTORY], mapping=str(report),
                          prometheus=PROMETHEUS, targets_only=True)
    assert code == 0, rep["verdict"]
    assert {p["paired_by"] for p in rep["pairs"]} == {"mapping"} and len(rep["pairs"]) == 3
    assert rep["jobs"] == [] and all(t["common"] and not t["changed"] for t in rep["targets"])
    # the configs do differ (the monitors' relabelings), and a plain diff says so
    assert run_diff([RAW], [str(out_dir)], inventory=[INVENTORY], mapping=str(report), prometheus=PROMETHEUS) == 1


def test_key_chooses_the_secret_key(tmp_path, capsys):
    secret = _write(tmp_path, "s.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n"
                                        "  a.yaml: |\n    - job_name: a\n      static_configs: [{targets: ['h:1']}]\n"
                                        "  b.yaml: |\n    - job_name: b\n      static_configs: [{targets: ['h:2']}]\n")
    plain = _write(tmp_path, "a.yaml", "- job_name: a\n  static_configs: [{targets: ['h:1']}]\n")
    with pytest.raises(InputError):       # (load_scrape_inputs says "no scrape job among the inputs")
        run_diff([secret], [plain])
    assert run_diff([secret], [plain], key="a.yaml") == 0, capsys.readouterr().out
