"""Every operator golden case through the command line, as a user runs it:

    migrator render monitor.yaml secrets.yaml --prometheus prometheus.yaml --operator-compatible

with the case's context written as a Prometheus CR and Secret/ConfigMap objects. The output must equal
the operator's expected.yaml as data. (PARTIAL cases have no endpoints, so the operator emits no job;
tests/test_render_operator_cases.py checks their kubernetes_sd_configs block through the function.)
"""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml

from cli_util import run_cli
from conftest import REPO, shared_cases
from migrator.writers import dump_yaml_all

CASES = [c for c in shared_cases("oracle", "operator-cases") if not c.name.startswith("partial-")]


def write_case_inputs(case, tmp_path) -> list[str]:
    from oracle_cases import case_objects, case_to_cr

    context = yaml.safe_load((case / "context.yaml").read_text())
    secrets, configmaps = case_objects(context)
    args = [str(case / "monitor.yaml")]
    if secrets or configmaps:
        store = tmp_path / "secrets.yaml"
        store.write_text(dump_yaml_all(secrets + configmaps))
        args.append(str(store))
    cr = tmp_path / "prometheus.yaml"
    cr.write_text(dump_yaml_all([case_to_cr(context)]))
    return args + ["--prometheus", str(cr)]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_operator_case_through_the_cli(tmp_path, case):
    r = run_cli("render", *write_case_inputs(case, tmp_path), "--operator-compatible")
    assert r.code == 0, r.stderr
    expected = yaml.safe_load((case / "expected.yaml").read_text())
    assert yaml.safe_load(r.stdout) == expected


def test_cases_present():
    if not CASES:
        pytest.skip("../shared/oracle/operator-cases is absent")
    assert len(CASES) == 24


def test_python_dash_m_entry_point(tmp_path):
    """The installed entry point works the same as the in-process runner."""
    sample = REPO / "samples" / "istio" / "monitors.yaml"
    proc = subprocess.run([sys.executable, "-m", "migrator", "render", str(sample)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert [j["job_name"] for j in yaml.safe_load(proc.stdout)] == [
        "serviceMonitor/monitoring/istiod-service-monitor/0",
        "podMonitor/monitoring/istio-envoy-pod-monitor/0",
        "podMonitor/monitoring/istio-gateways-pod-monitor/0",
    ]
