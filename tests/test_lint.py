"""migrator lint: every rule's documented examples (the docs ARE the tests), outputs, configuration, exit status."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_util import run_cli
from migrator.lint import all_rules as rules

ROOT = Path(__file__).resolve().parent.parent
RULES = rules()


def lint_example(tmp_path: Path, rule, text: str, *extra: str):
    inp = tmp_path / "input.yaml"
    inp.write_text(text)
    args = ["lint", str(inp), "--output", "json", "--no-config", "--fail-on", "info"]
    if rule.prometheus:
        (tmp_path / "prometheus.yaml").write_text(rule.prometheus)
        args += ["--prometheus", str(tmp_path / "prometheus.yaml")]
    if rule.inventory:
        (tmp_path / "inventory.yaml").write_text(rule.inventory)
        args += ["--inventory", str(tmp_path / "inventory.yaml")]
    r = run_cli(*args, *extra)
    assert r.code in (0, 1), r.stderr
    return r, json.loads(r.stdout)["findings"]


def test_at_least_ten_rules_with_unique_ids_and_documentation():
    ids = [r.id for r in RULES]
    assert len(ids) >= 10 and len(set(ids)) == len(ids)
    for r in RULES:
        assert r.severity in ("bug", "warning", "info")
        assert "/" in r.id and r.summary and len(r.explanation.split()) > 25
        assert r.fail.strip() and r.ok.strip() and r.fail != r.ok


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_failing_example_fails(tmp_path, rule):
    r, findings = lint_example(tmp_path, rule, rule.fail)
    mine = [f for f in findings if f["rule"] == rule.id]
    assert mine, f"{rule.id}: no finding on its failing example; got {findings}"
    assert r.code == 1
    for f in mine:
        assert f["file"].endswith("input.yaml") and f["line"] >= 1


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_passing_example_passes(tmp_path, rule):
    _, findings = lint_example(tmp_path, rule, rule.ok)
    assert not [f for f in findings if f["rule"] == rule.id], findings


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_passing_example_has_no_bug_at_all(tmp_path, rule):
    _, findings = lint_example(tmp_path, rule, rule.ok)
    assert not [f for f in findings if f["severity"] == "bug"], findings


def test_list_rules_text_and_json():
    r = run_cli("lint", "--list-rules")
    assert r.code == 0
    assert "monitor/release-label" in r.stdout and "bug" in r.stdout
    r = run_cli("lint", "--list-rules", "--output", "json")
    data = json.loads(r.stdout)
    assert {d["id"] for d in data} == {x.id for x in RULES}
    assert all(set(d) >= {"id", "severity", "summary"} for d in data)


def test_explain_prints_the_documentation_with_examples():
    r = run_cli("lint", "--explain", "relabel/present-without-regex")
    assert r.code == 0
    assert "relabel/present-without-regex (bug)" in r.stdout
    assert "Fails:" in r.stdout and "Passes:" in r.stdout and 'regex: "true"' in r.stdout
    r = run_cli("lint", "--explain", "no/such-rule")
    assert r.code == 2 and "no lint rule" in r.stderr


def test_broken_sample_has_the_release_label_bug_on_its_line():
    r = run_cli("lint", str(ROOT / "samples/why/broken-monitors.yaml"), "-i", str(ROOT / "samples/inventory/cluster.yaml"),
                "--prometheus", str(ROOT / "samples/istio/prometheus.yaml"), "--no-config")
    assert r.code == 1
    assert "broken-monitors.yaml:10: bug: monitor/release-label:" in r.stdout
    assert "monitor/port" in r.stdout and "port.number-not-name" in r.stdout


@pytest.mark.parametrize("path", ["samples/istio/monitors.yaml", "samples/raw/istio-prometheus.yml",
                                  "samples/raw/additional-scrape-configs.yaml"])
def test_good_samples_have_no_bug(path):
    r = run_cli("lint", str(ROOT / path), "-i", str(ROOT / "samples/inventory/cluster.yaml"),
                "--prometheus", str(ROOT / "samples/istio/prometheus.yaml"), "--no-config")
    assert r.code == 0, r.stdout + r.stderr


def test_real_configs_lint_without_unusable_or_internal_error():
    from conftest import shared_dir
    d = shared_dir("oracle", "real-configs")
    for f in sorted(d.glob("*.yaml")):
        r = run_cli("lint", str(f), "--no-config", "--output", "json")
        assert r.code in (0, 1, 2), (f, r.stderr)
        assert "internal error" not in r.stderr, (f, r.stderr)
        if r.code != 2:
            json.loads(r.stdout)


FAIL_ON = """\
scrape_configs:
- job_name: pods
  honor_labels: true
  kubernetes_sd_configs: [{role: pod}]
"""


def test_fail_on(tmp_path):
    f = tmp_path / "p.yml"
    f.write_text(FAIL_ON)  # one warning (job/honor-labels)
    assert run_cli("lint", str(f), "--no-config").code == 0
    assert run_cli("lint", str(f), "--no-config", "--fail-on", "warning").code == 1
    assert run_cli("lint", str(f), "--no-config", "--fail-on", "info").code == 1
    assert run_cli("lint", str(f), "--no-config", "--fail-on", "nonsense").code == 2


def test_unusable_input_exits_2(tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text("scrape_configs: [\n")
    r = run_cli("lint", str(f), "--no-config")
    assert r.code == 2 and "bad.yaml:" in r.stderr
    assert run_cli("lint", str(tmp_path / "missing.yaml"), "--no-config").code == 2
    assert run_cli("lint", "--no-config").code == 2


def test_config_file_found_upward_disables_and_changes_severity(tmp_path, monkeypatch):
    (tmp_path / "p.yml").write_text(FAIL_ON)
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    monkeypatch.chdir(sub)
    (tmp_path / ".migrator.yaml").write_text("lint:\n  severity: {job/honor-labels: bug}\n")
    r = run_cli("lint", str(tmp_path / "p.yml"))
    assert r.code == 1 and "bug: job/honor-labels" in r.stdout
    (tmp_path / ".migrator.yaml").write_text("lint:\n  disable: [job/honor-labels]\n  fail-on: info\n")
    r = run_cli("lint", str(tmp_path / "p.yml"))
    assert r.code == 0 and "job/honor-labels" not in r.stdout
    assert "job/honor-labels" in run_cli("lint", str(tmp_path / "p.yml"), "--no-config").stdout
    (tmp_path / ".migrator.yaml").write_text("lint:\n  disable: [no/such]\n")
    r = run_cli("lint", str(tmp_path / "p.yml"))
    assert r.code == 2 and ".migrator.yaml:" in r.stderr


def test_config_gives_the_default_cr(tmp_path, monkeypatch):
    rule = next(r for r in RULES if r.id == "monitor/release-label")
    (tmp_path / "m.yaml").write_text(rule.fail)
    (tmp_path / "cr.yaml").write_text(rule.prometheus)
    monkeypatch.chdir(tmp_path)
    assert "pickup.release-label" not in run_cli("lint", "m.yaml").stdout
    (tmp_path / ".migrator.yaml").write_text("prometheus: cr.yaml\n")
    r = run_cli("lint", "m.yaml")
    assert r.code == 1 and "pickup.release-label" in r.stdout


def test_inline_disable_comments(tmp_path):
    body = FAIL_ON.replace("  honor_labels: true\n", "  honor_labels: true  # migrator: disable=job/honor-labels\n")
    f = tmp_path / "p.yml"
    # the finding sits on the job's line: a comment on the line before it silences it
    f.write_text(FAIL_ON.replace("- job_name: pods", "# migrator: disable=job/honor-labels\n- job_name: pods"))
    assert "job/honor-labels" not in run_cli("lint", str(f), "--no-config", "--fail-on", "info").stdout
    f.write_text("# migrator: disable=all\n" + FAIL_ON)
    assert "job/honor-labels" not in run_cli("lint", str(f), "--no-config").stdout
    f.write_text(FAIL_ON + "# migrator: disable-file=job/honor-labels\n")
    assert "job/honor-labels" not in run_cli("lint", str(f), "--no-config").stdout
    f.write_text("# migrator: disable=job/placeholder\n" + FAIL_ON)
    assert "job/honor-labels" in run_cli("lint", str(f), "--no-config").stdout
    f.write_text(body)  # a comment on a line that is not the finding's does nothing
    assert "job/honor-labels" in run_cli("lint", str(f), "--no-config").stdout


def test_disable_option(tmp_path):
    f = tmp_path / "p.yml"
    f.write_text(FAIL_ON)
    assert "job/honor-labels" not in run_cli("lint", str(f), "--no-config", "--disable", "job/honor-labels").stdout
    assert run_cli("lint", str(f), "--no-config", "--disable", "nope").code == 2


def test_stdin(tmp_path):
    r = run_cli("lint", "-", "--no-config", "--fail-on", "warning", stdin=FAIL_ON)
    assert r.code == 1 and "<stdin>" in r.stdout or "-:" in r.stdout


def test_each_file_is_its_own_configuration(tmp_path):
    for name in ("a.yml", "b.yml"):
        (tmp_path / name).write_text("scrape_configs:\n- job_name: node\n  static_configs: [{targets: ['x:1']}]\n")
    r = run_cli("lint", str(tmp_path), "--no-config")
    assert r.code == 0 and "job/invalid" not in r.stdout


# The SARIF 2.1.0 schema is not available offline (no pip/Debian package ships it): this hand-written
# schema checks the parts of sarif-schema-2.1.0.json that code scanning requires, with its field names,
# required properties and enums.
SARIF_MINIMAL_SCHEMA = {
    "type": "object", "required": ["version", "runs"],
    "properties": {
        "version": {"const": "2.1.0"}, "$schema": {"type": "string"},
        "runs": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["tool"],
            "properties": {
                "tool": {"type": "object", "required": ["driver"], "properties": {"driver": {
                    "type": "object", "required": ["name"],
                    "properties": {"name": {"type": "string"}, "version": {"type": "string"},
                                   "informationUri": {"type": "string", "format": "uri"},
                                   "rules": {"type": "array", "items": {"$ref": "#/definitions/descriptor"}}}}}},
                "results": {"type": "array", "items": {"$ref": "#/definitions/result"}}}}}},
    "definitions": {
        "message": {"type": "object", "anyOf": [{"required": ["text"]}, {"required": ["id"]}],
                    "properties": {"text": {"type": "string"}}},
        "descriptor": {"type": "object", "required": ["id"], "properties": {
            "id": {"type": "string"}, "name": {"type": "string"},
            "shortDescription": {"$ref": "#/definitions/message"},
            "fullDescription": {"$ref": "#/definitions/message"}, "help": {"$ref": "#/definitions/message"},
            "defaultConfiguration": {"type": "object", "properties": {
                "level": {"enum": ["none", "note", "warning", "error"]}}}}},
        "result": {"type": "object", "required": ["message"], "properties": {
            "ruleId": {"type": "string"}, "ruleIndex": {"type": "integer", "minimum": -1},
            "level": {"enum": ["none", "note", "warning", "error"]},
            "message": {"$ref": "#/definitions/message"},
            "locations": {"type": "array", "items": {"type": "object", "properties": {
                "physicalLocation": {"type": "object", "properties": {
                    "artifactLocation": {"type": "object", "properties": {"uri": {"type": "string"}}},
                    "region": {"type": "object", "properties": {
                        "startLine": {"type": "integer", "minimum": 1}}}}}}}}}},
    },
}


def test_sarif_output_is_valid_and_lists_every_rule(tmp_path):
    import jsonschema

    rule = next(r for r in RULES if r.id == "relabel/never-matches")
    f = tmp_path / "p.yml"
    f.write_text(rule.fail)
    r = run_cli("lint", str(f), "--no-config", "--output", "sarif")
    assert r.code == 1
    log = json.loads(r.stdout)
    jsonschema.validate(log, SARIF_MINIMAL_SCHEMA)
    driver = log["runs"][0]["tool"]["driver"]
    assert [d["id"] for d in driver["rules"]] == [x.id for x in RULES]
    results = log["runs"][0]["results"]
    assert results and all(driver["rules"][x["ruleIndex"]]["id"] == x["ruleId"] for x in results)
    assert results[0]["level"] == "error"
    assert results[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 7
    assert results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "file://" + str(f)


def test_sarif_uri_of_a_relative_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "my dir").mkdir()
    (tmp_path / "my dir" / "p.yml").write_text(FAIL_ON)
    log = json.loads(run_cli("lint", "my dir/p.yml", "--no-config", "--output", "sarif").stdout)
    assert log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == \
        "my%20dir/p.yml"


def test_github_annotations_and_markdown(tmp_path):
    rule = next(r for r in RULES if r.id == "relabel/never-matches")
    f = tmp_path / "p,1.yml"
    f.write_text(rule.fail)
    r = run_cli("lint", str(f), "--no-config", "--output", "github")
    lines = [x for x in r.stdout.splitlines() if x.startswith("::")]
    assert lines and lines[0].startswith(f"::error file={str(f).replace(',', '%2C')},line=7,"
                                         "title=relabel/never-matches::")
    r = run_cli("lint", str(f), "--no-config", "--output", "markdown")
    assert "| bug | `relabel/never-matches` |" in r.stdout


def test_json_output_schema(tmp_path):
    f = tmp_path / "p.yml"
    f.write_text(FAIL_ON)
    data = json.loads(run_cli("lint", str(f), "--no-config", "--output", "json").stdout)
    assert data["schema"] == "migrator.lint/v1"
    assert data["summary"] == {"findings": 1, "bug": 0, "warning": 1, "info": 0}
    assert set(data["findings"][0]) == {"rule", "severity", "file", "line", "subject", "message", "fix"}


@pytest.mark.parametrize("endpoints", ["['\\x00']", "-18446744073709551616", "[[1, x]]"])
def test_an_invalid_monitor_is_one_finding_not_a_crash(tmp_path, endpoints):
    """Found by mutating the examples: the other rules (and `why`) only look at monitors validate accepts."""
    f = tmp_path / "m.yaml"
    f.write_text(f"""\
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {{name: web, namespace: shop, labels: {{release: kube-prometheus-stack}}}}
spec:
  selector: {{matchLabels: {{app: web}}}}
  endpoints: {endpoints}
""")
    r = run_cli("lint", str(f), "--no-config", "-i", str(ROOT / "samples/inventory/cluster.yaml"), "--output", "json")
    assert r.code == 1, r.stderr
    assert {x["rule"] for x in json.loads(r.stdout)["findings"]} == {"monitor/invalid"}


def test_inline_disable_several_rules_and_a_reason(tmp_path):
    f = tmp_path / "p.yml"
    f.write_text("# migrator: disable=job/placeholder, job/honor-labels  (federation job: labels are the target's)\n"
                 + FAIL_ON)
    r = run_cli("lint", str(f), "--no-config", "--fail-on", "info")
    assert r.code == 0 and "job/honor-labels" not in r.stdout
