"""One verdict on a relabel rule, whichever command asks (issue 8, section 1).

For every rule of a table (and random well-typed rules), at several Prometheus versions:

    promtool 2.42 (the truth, at 2.42) == relabel.check_rule (the authority) == parse_rule
      == `targets` on a raw scrape config holding the rule
      == `validate` on a ServiceMonitor holding the rule as a relabeling (camelCase)
      == `render` of that ServiceMonitor

and, when promtool is there, render's output for an accepted rule loads in promtool. Version gates
(lowercase/uppercase from 2.36, keepequal/dropequal from 2.41) are checked the same way against
the table. RE2's C++ logging never reaches stderr (checked in a subprocess, where it would show).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli_util import run_cli
from conftest import needs_promtool
from migrator.errors import ConfigError
from migrator.relabel import check_rule, parse_rule
from migrator.render.monitors import operator_relabel_rule
from migrator.version import Version
from promtool_util import check_config, promtool_available, promtool_version

DEEP_OK = "(" * 998 + "a" + ")" * 998
DEEP_BAD = "(" * 999 + "a" + ")" * 999

# (rule in Prometheus form, first version that accepts it; None = no version does)
TABLE = [
    ({"action": "lowercase", "source_labels": ["a"], "target_label": "b"}, "2.36.0"),
    ({"action": "uppercase", "source_labels": ["a"], "target_label": "b"}, "2.36.0"),
    ({"action": "keepequal", "source_labels": ["a"], "target_label": "b"}, "2.41.0"),
    ({"action": "dropequal", "source_labels": ["a"], "target_label": "b"}, "2.41.0"),
    ({"action": "lowercase", "source_labels": ["a"], "target_label": "b", "replacement": "x"}, None),
    ({"action": "keepequal", "source_labels": ["a"], "target_label": "b", "regex": "(.*)"}, None),
    ({"action": "keep", "source_labels": ["a"], "regex": r"\pL{1000}"}, "0.0.0"),
    ({"action": "keep", "source_labels": ["a"], "regex": r"\p{Greek}{1000}x"}, "0.0.0"),
    ({"action": "keep", "source_labels": ["a"], "regex": "("}, None),
    ({"action": "keep", "source_labels": ["a"], "regex": "http["}, None),
    ({"action": "keep", "source_labels": ["a"], "regex": "a)|(b"}, "0.0.0"),
    ({"action": "keep", "source_labels": ["a"], "regex": "(?=x)"}, None),
    ({"action": "keep", "source_labels": ["a"], "regex": "(?<=x)"}, None),
    ({"action": "keep", "source_labels": ["a"], "regex": r"(a)\1"}, None),
    ({"action": "keep", "source_labels": ["a"], "regex": r"a\C"}, None),
    ({"action": "keep", "source_labels": ["a"], "regex": "a{1001}"}, None),
    ({"action": "keep", "source_labels": ["a"], "regex": "*a"}, None),
    ({"action": "keep", "source_labels": ["a"], "regex": "(?P<n>a)(?P<n>b)"}, "0.0.0"),
    ({"action": "keep", "source_labels": ["a"], "regex": "(?P<é>a)"}, None),
    ({"action": "keep", "source_labels": ["a"], "regex": "(?<n>a)"}, "2.51.0"),
    ({"action": "keep", "source_labels": ["a"], "regex": DEEP_OK}, "0.0.0"),
    ({"action": "keep", "source_labels": ["a"], "regex": DEEP_BAD}, None),
    ({"source_labels": ["a"], "target_label": "${1}"}, "0.0.0"),
    ({"source_labels": ["a"], "target_label": "0${1}"}, "3.2.0"),
    ({"source_labels": ["a"]}, None),
    ({"source_labels": ["foo-bar"], "target_label": "x"}, "3.0.0"),
    ({"action": "hashmod", "source_labels": ["a"], "target_label": "h"}, None),
    ({"action": "hashmod", "source_labels": ["a"], "target_label": "h", "modulus": 8}, "0.0.0"),
    ({"action": "labelmap", "regex": "a_(.*)", "replacement": "a-b"}, "3.2.0"),
    ({"action": "labeldrop", "regex": "a", "source_labels": ["x"]}, None),
    ({"action": "labeldrop", "regex": "a.*"}, "0.0.0"),
    ({"action": "copy", "source_labels": ["a"], "target_label": "b"}, None),
]
VERSIONS = ["2.30.0", "2.35.0", "2.36.0", "2.40.0", "2.41.0", "2.42.0", "3.13.2"]
#: Versions whose verdicts the table states (3.x rows are left to the cross-check between commands).
TABLE_VERSIONS = ("2.30.0", "2.35.0", "2.36.0", "2.40.0", "2.41.0", "2.42.0")

PROMTOOL_242 = promtool_available() and (promtool_version() or "").startswith("2.42")

_CRD = {"source_labels": "sourceLabels", "target_label": "targetLabel"}


def crd_form(rule: dict) -> dict | None:
    """The rule as a monitor's RelabelConfig, when the operator writes exactly this rule back."""
    out = {_CRD.get(k, k): v for k, v in rule.items()}
    return out if operator_relabel_rule(out) == rule else None


def monitor(rc: dict) -> str:
    return yaml.safe_dump({
        "apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor",
        "metadata": {"name": "sm", "namespace": "ns"},
        "spec": {"selector": {}, "endpoints": [{"port": "web", "relabelings": [rc]}]},
    }, sort_keys=False, allow_unicode=True, width=100_000)


def raw_config(rule: dict) -> str:
    return yaml.safe_dump({"scrape_configs": [{"job_name": "j", "static_configs": [{"targets": ["h:80"]}],
                                               "relabel_configs": [rule]}]},
                          sort_keys=False, allow_unicode=True, width=100_000)


def promtool_verdict(rule: dict) -> tuple[bool, str]:
    ok, out = check_config({"scrape_configs": [{"job_name": "j", "file_sd_configs": [{"files": ["/x.json"]}],
                                                "relabel_configs": [rule]}]})
    message = ""
    if not ok:
        for line in out.splitlines():
            if "prometheus.yml: " in line:
                message = line.split("prometheus.yml: ", 1)[1].strip()
    return ok, message


def verdicts(rule: dict, version: str, tmp: Path) -> dict[str, tuple[bool, str]]:
    """Each entry point's (accepted, what it said)."""
    out: dict[str, tuple[bool, str]] = {}
    problems = check_rule(rule, version=version)
    out["authority"] = (not problems, problems[0].message if problems else "")
    try:
        parse_rule(rule, version=version)
        out["parse_rule"] = (True, "")
    except ConfigError as exc:
        out["parse_rule"] = (False, exc.message)
    cfg = tmp / "raw.yml"
    cfg.write_text(raw_config(rule), encoding="utf-8")
    r = run_cli("targets", str(cfg), "--prometheus-version", version, "--output", "json")
    (job,) = json.loads(r.stdout)["jobs"]
    out["targets"] = ("error" not in job, job.get("error", ""))
    rc = crd_form(rule)
    if rc is not None:
        mon = tmp / "monitor.yaml"
        mon.write_text(monitor(rc), encoding="utf-8")
        r = run_cli("validate", str(mon), "--prometheus-version", version)
        assert r.code in (0, 2), r.stderr
        out["validate"] = (r.code == 0, r.stderr)
        r = run_cli("render", str(mon), "--prometheus-version", version)
        assert r.code in (0, 2), r.stderr
        out["render"] = (r.code == 0, r.stderr)
        if r.code == 0:
            out["render_output"] = (True, r.stdout)
    return out


def expected(since: str | None, version: str) -> bool:
    return since is not None and not Version.parse(version) < Version.parse(since)


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("rule,since", TABLE, ids=[f"rule{i}" for i in range(len(TABLE))])
def test_every_entry_point_gives_the_same_verdict(rule, since, version, tmp_path):
    got = verdicts(rule, version, tmp_path)
    got.pop("render_output", None)
    oks = {name: ok for name, (ok, _) in got.items()}
    assert len(set(oks.values())) == 1, f"entry points disagree on {rule} at {version}: {got}"
    if version in TABLE_VERSIONS:
        assert oks["authority"] is expected(since, version), (rule, version, got["authority"])
    if not oks["authority"]:
        message = got["authority"][1]
        assert got["parse_rule"][1] == message
        assert got["targets"][1].endswith(message)
        for name in ("validate", "render"):
            if name in got:
                text = got[name][1]
                # Prometheus's words, or the operator's for what it refuses first (its version gates,
                # the CRD's enum of actions)
                assert message in text or "relabel action is only supported from" in text \
                    or "unsupported value" in text, (name, text)
                assert "monitor.yaml:" in text, text  # file and line, from validate and render alike


@needs_promtool
@pytest.mark.skipif(not PROMTOOL_242, reason="these cases expect promtool 2.42")
@pytest.mark.parametrize("rule,since", TABLE, ids=[f"rule{i}" for i in range(len(TABLE))])
def test_promtool_agrees_and_loads_what_render_writes(rule, since, tmp_path):
    ok, message = promtool_verdict(rule)
    got = verdicts(rule, "2.42.0", tmp_path)
    assert got["authority"] == (ok, message), (rule, message)
    rendered = got.get("render_output")
    if rendered is not None:
        jobs = yaml.safe_load(rendered[1])
        for job in jobs:  # (Debian's promtool has no kubernetes_sd: the rules are what is checked)
            job.pop("kubernetes_sd_configs")
            job["file_sd_configs"] = [{"files": ["/x.json"]}]
        loaded, out = check_config({"scrape_configs": jobs})
        assert loaded, out


# Random well-typed rules (every field a string, a list of label names or a positive modulus), so
# the monitor form says the same as the raw form.
ACTIONS = ["replace", "keep", "drop", "hashmod", "labelmap", "labeldrop", "labelkeep", "lowercase",
           "uppercase", "keepequal", "dropequal", "copy"]
REGEXES = ["(.*)", "a", "(a)", "(?<n>a)", "a++", "(", "[z-a]", r"(a)\1", "a{1001}", r"\C", "(?P<é>a)", "a)|(b",
           r"\pL{1000}", "http[", "(?i)x", "*a", ""]
TARGETS = ["a", "${1}", "$1", "1abc", "foo-bar", "$1x", "a.${1}", "__meta_x", "_${1}_", "0${1}", ""]


@st.composite
def typed_rules(draw):
    r: dict = {}
    if draw(st.booleans()):
        r["action"] = draw(st.sampled_from(ACTIONS))
    if draw(st.booleans()):
        r["source_labels"] = draw(st.lists(st.sampled_from(["a", "b", "foo-bar", "__meta_x"]), min_size=1,
                                           max_size=2))
    if draw(st.booleans()):
        r["separator"] = draw(st.sampled_from([";", ",", ""]))
    if draw(st.booleans()):
        r["regex"] = draw(st.sampled_from(REGEXES))
    if draw(st.integers(0, 3)) == 0:
        r["modulus"] = draw(st.sampled_from([1, 5]))
    if draw(st.booleans()):
        r["target_label"] = draw(st.sampled_from(TARGETS))
    if draw(st.booleans()):
        r["replacement"] = draw(st.sampled_from(["$1", "x", "", "a-b", "copy_$0"]))
    return r


@needs_promtool
@pytest.mark.skipif(not PROMTOOL_242, reason="these cases expect promtool 2.42")
@settings(max_examples=40, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(rule=typed_rules(), version=st.sampled_from(["2.35.0", "2.40.0", "2.42.0", "3.13.2"]))
def test_random_rules_same_verdict_everywhere(rule, version, tmp_path):
    got = verdicts(rule, version, tmp_path)
    got.pop("render_output", None)
    oks = {name: ok for name, (ok, _) in got.items()}
    assert len(set(oks.values())) == 1, f"entry points disagree on {rule} at {version}: {got}"
    if version == "2.42.0":
        ok, message = promtool_verdict(rule)
        assert got["authority"] == (ok, message), rule


def test_no_re2_log_lines_on_stderr(tmp_path):
    """RE2's C++ logging goes to the process's own stderr (CliRunner cannot see it): use a subprocess."""
    for regex, code in ((r"\pL{1000}", 0), ("a{2}{3}", 2), ("(", 2), ("(?=x)", 2)):
        f = tmp_path / "m.yaml"
        f.write_text(monitor({"action": "keep", "sourceLabels": ["a"], "regex": regex}), encoding="utf-8")
        for command in ("validate", "render"):
            p = subprocess.run([sys.executable, "-m", "migrator", command, str(f)], capture_output=True,
                               text=True, timeout=120)
            assert p.returncode == code, (command, regex, p.stderr)
            for line in p.stderr.splitlines():
                assert line.startswith(("error: ", "warning: ")) or "monitor(s) checked" in line \
                    or "nothing was written" in line or "error(s)" in line, (command, regex, line)
            assert "b'" not in p.stderr and 'b"' not in p.stderr, p.stderr
