"""kubectl-migrator: the kubectl plugin entry point (the cluster of the current context by default) and the
krew manifest template."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from migrator.kubectl import plugin_args

ROOT = Path(__file__).resolve().parent.parent
MONITORS = str(ROOT / "samples/istio/monitors.yaml")
INVENTORY = str(ROOT / "samples/inventory/cluster.yaml")
BIN = Path(sys.executable).parent


@pytest.mark.parametrize("argv, expected", [
    (["targets", "m.yaml"], ["targets", "m.yaml", "--cluster"]),
    (["why", "x", "m.yaml", "--context", "prod"], ["why", "x", "m.yaml", "--context", "prod", "--cluster"]),
    (["targets", "m.yaml", "-i", "inv.json"], ["targets", "m.yaml", "-i", "inv.json"]),
    (["targets", "m.yaml", "--inventory=inv.json"], ["targets", "m.yaml", "--inventory=inv.json"]),
    (["diff", "--from-cluster", "new/"], ["diff", "--from-cluster", "new/"]),
    (["lint", "--list-rules"], ["lint", "--list-rules"]),
    (["targets", "--help"], ["targets", "--help"]),
    (["render", "m.yaml"], ["render", "m.yaml"]),
    (["validate", "m.yaml"], ["validate", "m.yaml"]),
    (["--debug", "targets", "m.yaml"], ["--debug", "targets", "m.yaml", "--cluster"]),
    ([], []),
])
def test_plugin_args(argv, expected):
    assert plugin_args(argv) == expected


def _plugin(argv, kubeconfig):
    """kubectl-migrator ARGV in a process of its own, KUBECONFIG pointing at kubeconfig (the kubernetes client
    reads KUBECONFIG when it is imported, so this cannot run in-process)."""
    env = dict(os.environ, KUBECONFIG=kubeconfig)
    r = subprocess.run([sys.executable, "-c", "from migrator.kubectl import main; main()", *argv], env=env,
                       capture_output=True, text=True, timeout=300)
    return r.returncode, r.stdout, r.stderr


def test_plugin_reads_the_current_context_by_default(tmp_path):
    from fake_kube import FakeKube

    from cli_util import run_cli

    objects = yaml.safe_load(open(INVENTORY))["items"]
    offline = json.loads(run_cli("targets", MONITORS, "--inventory", INVENTORY, "--output", "json").stdout)
    with FakeKube(objects) as kube:
        code, out, err = _plugin(["targets", MONITORS, "--output", "json"], kube.kubeconfig(tmp_path))
        assert code == 0, err
        assert kube.requests  # it asked the cluster
    assert json.loads(out)["jobs"] == offline["jobs"]


def test_plugin_with_an_inventory_stays_offline(tmp_path):
    code, out, err = _plugin(["targets", MONITORS, "-i", INVENTORY], str(tmp_path / "no-such-kubeconfig"))
    assert code == 0, err


@pytest.mark.skipif(shutil.which("kubectl") is None or not (BIN / "kubectl-migrator").exists(),
                    reason="kubectl or the kubectl-migrator entry point (pip install -e .) is missing")
def test_kubectl_runs_the_plugin(tmp_path):
    from fake_kube import FakeKube

    objects = yaml.safe_load(open(INVENTORY))["items"]
    with FakeKube(objects) as kube:
        env = dict(os.environ, PATH=f"{BIN}:{os.environ['PATH']}", KUBECONFIG=kube.kubeconfig(tmp_path))
        r = subprocess.run(["kubectl", "migrator", "targets", MONITORS], env=env, capture_output=True, text=True,
                           timeout=120)
    assert r.returncode == 0, r.stderr
    assert "istiod" in r.stdout


def test_entry_point_and_krew_manifest():
    text = (ROOT / "pyproject.toml").read_text()
    assert 'kubectl-migrator = "migrator.kubectl:main"' in text
    manifest = yaml.safe_load((ROOT / "krew/migrator.yaml").read_text())
    assert manifest["kind"] == "Plugin" and manifest["metadata"]["name"] == "migrator"
    assert manifest["apiVersion"] == "krew.googlecontainertools.github.com/v1alpha2"
    spec = manifest["spec"]
    assert spec["shortDescription"] and spec["version"].startswith("v")
    for p in spec["platforms"]:
        assert p["bin"] == "kubectl-migrator" and p["uri"] and p["sha256"] and p["selector"]["matchLabels"]["os"]


def test_plugin_lint_reads_the_cluster_like_an_inventory(tmp_path):
    from fake_kube import FakeKube

    from cli_util import run_cli

    broken, cr = str(ROOT / "samples/why/broken-monitors.yaml"), str(ROOT / "samples/istio/prometheus.yaml")
    offline = run_cli("lint", broken, "--prometheus", cr, "-i", INVENTORY, "--no-config", "--output", "json")
    assert offline.code == 1
    objects = yaml.safe_load(open(INVENTORY))["items"]
    with FakeKube(objects) as kube:
        code, out, err = _plugin(["lint", broken, "--prometheus", cr, "--no-config", "--output", "json"],
                                 kube.kubeconfig(tmp_path))
    assert code == 1, err
    assert json.loads(out)["findings"] == json.loads(offline.stdout)["findings"]
    assert any(f["rule"] == "monitor/port" for f in json.loads(out)["findings"])
