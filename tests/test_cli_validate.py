"""`migrator validate`: every error at once, located; exit 0 or 2."""

from __future__ import annotations

import json

from cli_util import run_cli
from conftest import SAMPLES


def test_samples_are_valid():
    r = run_cli("validate", str(SAMPLES / "istio" / "monitors.yaml"))
    assert r.code == 0, r.stderr
    assert "3 monitor(s) checked, 0 error(s)" in r.stderr


def test_all_errors_reported_with_lines(tmp_path):
    bad = (SAMPLES / "istio" / "monitors.yaml").read_text() \
        .replace("operator: Exists", "operator: Exist").replace("interval: 15s", "interval: fast")
    f = tmp_path / "bad.yaml"
    f.write_text(bad)
    r = run_cli("validate", str(f))
    assert r.code == 2
    assert r.stderr.count("error: ") >= 4  # one operator + three intervals
    assert "bad.yaml:" in r.stderr and "Exist" in r.stderr


def test_json_output(tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text((SAMPLES / "istio" / "monitors.yaml").read_text().replace("port: http-monitoring", "port: 15014"))
    r = run_cli("validate", str(f), "--output", "json")
    assert r.code == 2
    report = json.loads(r.stdout)
    (err,) = report["errors"]
    assert err["field"] == "spec.endpoints[0].port" and isinstance(err["line"], int)
    assert len(report["checked"]) == 3
