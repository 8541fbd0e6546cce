"""Real Prometheus 3 accepts what `render` emits for it, kubernetes_sd_configs included.

Every operator case and every sample, rendered in portable mode for the binary's version, must pass
promtool 3's ``check config --syntax-only`` as rendered (tests/test_render_promtool.py does the same
for 2.42, whose build has no Kubernetes discovery). And our kubernetes_sd_configs checks give the
binary's verdict on a set of SD blocks.
"""

from __future__ import annotations

import subprocess

import pytest
import yaml

from conftest import SAMPLES, shared_cases
from migrator import commands
from migrator.discovery import check_sd_config
from migrator.kinds import classify
from migrator.sources import load_documents
from migrator.version import Version
from migrator.writers import dump_yaml
from prom3_util import prom3

pytestmark = [pytest.mark.promtool]


def promtool3_check(tmp_path, config: dict) -> tuple[bool, str]:
    path = tmp_path / "prometheus.yml"
    path.write_text(dump_yaml(config))
    proc = subprocess.run([prom3().promtool, "check", "config", "--syntax-only", str(path)],
                          capture_output=True, text=True, timeout=120)
    return proc.returncode == 0, proc.stdout + proc.stderr


def _render(monitors, cr, secrets=(), configmaps=()):
    # secrets inlined: some 3.x fields (proxy_connect_header) have no file form
    _, result = commands.render_jobs(monitors, cr, prometheus_version=prom3().version, operator=False,
                                     secrets=secrets, configmaps=configmaps, inline_secrets=True)
    return result


CASES = [c for c in shared_cases("oracle", "operator-cases") if not c.name.startswith("partial-")]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_operator_case_renders_for_promtool3(tmp_path, case):
    from oracle_cases import case_objects, case_to_cr

    context = yaml.safe_load((case / "context.yaml").read_text())
    monitors = [d for d in yaml.safe_load_all((case / "monitor.yaml").read_text()) if d]
    secrets, configmaps = case_objects(context)
    result = _render(monitors, case_to_cr(context), secrets, configmaps)
    assert result.jobs
    ok, out = promtool3_check(tmp_path, {"scrape_configs": result.jobs})
    assert ok, out + dump_yaml({"scrape_configs": result.jobs})


SAMPLE_MONITOR_FILES = sorted(p for p in SAMPLES.rglob("*.yaml")
                              if "PodMonitor" in p.read_text() or "ServiceMonitor" in p.read_text())


@pytest.mark.parametrize("path", SAMPLE_MONITOR_FILES, ids=[p.name for p in SAMPLE_MONITOR_FILES])
def test_sample_monitors_render_for_promtool3(tmp_path, path):
    inputs = classify(load_documents([str(path)]))
    result = _render([d.data for d in inputs.monitors], None, [d.data for d in inputs.secrets],
                     [d.data for d in inputs.configmaps])
    ok, out = promtool3_check(tmp_path, {"scrape_configs": result.jobs})
    assert ok, out


SD_BLOCKS = [
    {"role": "pod"},
    {"role": "Pod"},
    {},
    {"role": "endpointslices"},
    {"role": "pod", "attach_metadata": {"node": True}},
    {"role": "pod", "attach_metadata": {"namespace": True}},     # 3.6
    {"role": "pod", "attach_metadata": {"deployment": True}},    # 3.11
    {"role": "pod", "selectors": [{"role": "service"}]},
    {"role": "endpoints", "selectors": [{"role": "pod"}, {"role": "pod"}]},
    {"role": "endpoints", "selectors": [{"role": "pod", "label": "a=b"}, {"role": "service", "field": "x=y"}]},
    {"role": "node", "selectors": [{"role": "node", "field": "metadata.name=(("}]},
    {"role": "pod", "namespace": ["a"]},
    {"role": "pod", "namespaces": {"names": ["a"], "own_namespace": True}},
    {"role": "ingress", "selectors": [{"role": "ingress", "label": "a in (b,c)"}]},
    {"role": "service", "selectors": [{"role": "service", "label": "a in b"}]},
]


@pytest.mark.parametrize("sd", SD_BLOCKS, ids=[str(i) for i in range(len(SD_BLOCKS))])
def test_kubernetes_sd_verdict_matches_promtool3(tmp_path, sd):
    b = prom3()
    ours = [str(p) for p in check_sd_config(sd, Version.parse(b.version))]
    ok, out = promtool3_check(tmp_path, {"scrape_configs": [
        {"job_name": "j", "kubernetes_sd_configs": [sd]}]})
    assert ok == (ours == []), f"ours: {ours}\npromtool {b.version}: {out}"
