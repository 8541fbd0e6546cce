"""Real Prometheus accepts what `render` emits.

Every operator case and every sample, rendered in portable mode for Prometheus 2.42.0, must pass
Debian's `promtool check config --syntax-only`. That build has no kubernetes_sd_configs, so each
kubernetes_sd_configs block is swapped for a file_sd_configs block (the rest — relabel rules, auth,
TLS, limits — is checked by the real binary) and is checked against our own schema instead.
"""

from __future__ import annotations

import subprocess

import pytest
import yaml

from conftest import SAMPLES, needs_promtool, shared_cases
from migrator import commands
from migrator.kinds import classify
from migrator.discovery import check_sd_config
from migrator.sources import load_documents
from migrator.version import Version
from migrator.writers import dump_yaml

VERSION = "2.42.0"


def promtool_check(tmp_path, jobs: list[dict], *, refused: str | None = None) -> None:
    swapped = []
    for job in jobs:
        job = dict(job)
        for sd in job.pop("kubernetes_sd_configs", None) or []:
            assert check_sd_config(sd, Version.parse(VERSION)) == [], (job["job_name"], sd)
            job.setdefault("file_sd_configs", []).append({"files": [str(tmp_path / "targets.json")]})
        swapped.append(job)
    config = tmp_path / "prometheus.yml"
    config.write_text(dump_yaml({"scrape_configs": swapped}))
    proc = subprocess.run(["promtool", "check", "config", "--syntax-only", str(config)],
                          capture_output=True, text=True, timeout=120)
    if refused is None:
        assert proc.returncode == 0, proc.stdout + proc.stderr + config.read_text()
    else:  # a rendering the operator itself gets wrong for this version: promtool must say why
        assert proc.returncode != 0 and refused in proc.stdout + proc.stderr, proc.stdout + proc.stderr


def render_portable(monitors, cr, secrets=(), configmaps=()):
    _, result = commands.render_jobs(monitors, cr, prometheus_version=VERSION, operator=False,
                                     secrets=secrets, configmaps=configmaps)
    return result


CASES = [c for c in shared_cases("oracle", "operator-cases") if not c.name.startswith("partial-")]


@needs_promtool
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_operator_case_portable_rendering_loads_in_promtool(tmp_path, case):
    from oracle_cases import case_objects, case_to_cr

    context = yaml.safe_load((case / "context.yaml").read_text())
    monitors = [d for d in yaml.safe_load_all((case / "monitor.yaml").read_text()) if d]
    secrets, configmaps = case_objects(context)
    result = render_portable(monitors, case_to_cr(context), secrets, configmaps)
    assert result.jobs
    # The operator writes the enforced namespace label as given; "ns-key" is not a label name that
    # Prometheus 2.x accepts. We render it faithfully, warn, and promtool must refuse exactly that.
    warned = [w for w in result.warnings if "enforcedNamespaceLabel" in w.message]
    promtool_check(tmp_path, result.jobs,
                   refused="is invalid 'target_label' for replace action" if warned else None)


SAMPLE_MONITOR_FILES = sorted(p for p in SAMPLES.rglob("*.yaml")
                              if "PodMonitor" in p.read_text() or "ServiceMonitor" in p.read_text())


@needs_promtool
@pytest.mark.parametrize("path", SAMPLE_MONITOR_FILES, ids=[p.name for p in SAMPLE_MONITOR_FILES])
def test_sample_monitors_render_for_promtool(tmp_path, path):
    inputs = classify(load_documents([str(path)]))
    result = render_portable([d.data for d in inputs.monitors], None,
                             [d.data for d in inputs.secrets], [d.data for d in inputs.configmaps])
    assert result.warnings == []
    promtool_check(tmp_path, result.jobs)


def test_there_are_cases_to_check():
    if not CASES:
        pytest.skip("../shared/oracle/operator-cases is absent")
    assert len(CASES) >= 20
    assert SAMPLE_MONITOR_FILES, "samples/ should hold monitors"


@pytest.mark.parametrize("sd,problem", [
    ({"role": "pod"}, None),
    ({"role": "Pod"}, "unknown Kubernetes SD role"),
    ({}, "role missing"),
    ({"role": "endpointslices"}, "unknown Kubernetes SD role"),
    ({"role": "pod", "attach_metadata": {"namespace": True}}, "AttachMetadataConfig"),
    ({"role": "pod", "selectors": [{"role": "service"}]}, "pod role supports only pod selectors"),
    ({"role": "endpoints", "selectors": [{"role": "pod"}, {"role": "pod"}]}, "duplicated selector role"),
    ({"role": "pod", "namespace": ["a"]}, "field namespace not found"),
])
def test_kubernetes_sd_schema_for_2_42(sd, problem):
    problems = [str(p) for p in check_sd_config(sd, Version.parse(VERSION))]
    if problem is None:
        assert problems == []
    else:
        assert any(problem in p for p in problems), problems


def test_kubernetes_sd_newer_fields_for_3_x():
    assert check_sd_config({"role": "pod", "attach_metadata": {"namespace": True, "deployment": True},
                                "selectors": [{"role": "node", "label": "a=b"}]}) == []
