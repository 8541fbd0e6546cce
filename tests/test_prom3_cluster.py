"""``targets --cluster`` against ../shared's fake Kubernetes API server: the same result as ``--inventory``
with the same objects, and what real Prometheus 3 discovers from that server.

The fake server serves what Prometheus's discovery lists (pods, services, endpoints, endpointslices,
nodes, namespaces, ingresses) and nothing else, like an API server seen through Prometheus's usual
RBAC: ``--cluster`` lists ReplicaSets or Jobs only for a job whose attach_metadata needs them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cli_util import run_cli
from conftest import SAMPLES, shared_dir
from prom3_util import _stop, prom3, run_promtruth
from test_prom3_discovery import FIXTURES, OWN_NAMESPACE, _cluster, _job_params, compare_job

CONFIGS = [SAMPLES / "raw" / "istio-prometheus.yml", FIXTURES / "roles.yml", SAMPLES / "istio" / "monitors.yaml"]


@pytest.fixture(scope="module")
def fake_cluster(tmp_path_factory):
    """(kubeconfig, snapshot) of a running fake API server; stopped at the end of the module."""
    script = shared_dir("tools", "prometheus3", "fake_apiserver.py")
    tmp = tmp_path_factory.mktemp("fake-cluster")
    snapshot = _cluster(tmp)
    log = open(tmp / "fake.log", "w")
    proc = subprocess.Popen([sys.executable, str(script), "--snapshot", str(snapshot)], stdout=subprocess.PIPE,
                            stderr=log, text=True, start_new_session=True)
    try:
        line = proc.stdout.readline()
        if not line.startswith("LISTENING "):
            pytest.fail(f"fake API server did not start: {line!r}\n{(tmp / 'fake.log').read_text()}")
        url = line.split()[1]
        kubeconfig = tmp / "kubeconfig.yaml"
        kubeconfig.write_text(
            "apiVersion: v1\nkind: Config\n"
            f"clusters:\n- name: fake\n  cluster: {{server: \"{url}\"}}\n"
            "users:\n- name: u\n  user: {}\n"
            "contexts:\n- name: fake\n  context: {cluster: fake, user: u, namespace: default}\n"
            "current-context: fake\n", encoding="utf-8")
        yield kubeconfig, snapshot
    finally:
        _stop(proc)
        proc.stdout.close()
        log.close()


def _targets(config: Path, *source: str, version: str = "3.5.3") -> tuple[int, dict, str]:
    r = run_cli("targets", str(config), *source, "--output", "json", "--show-dropped",
                "--prometheus-version", version, "--own-namespace", OWN_NAMESPACE)
    return r.code, (json.loads(r.stdout) if r.stdout.strip() else {}), r.stderr


def _normalized(doc: dict) -> dict:
    """Target order aside (the server lists objects sorted, the file has its own order): merged_into
    indices follow the order, the labels they stand for are compared."""
    for job in doc.get("jobs", []):
        for key in ("targets", "dropped"):
            items = [{k: v for k, v in t.items() if k != "merged_into"} for t in job.get(key, [])]
            job[key] = sorted(items, key=lambda t: json.dumps(t, sort_keys=True))
    return doc


@pytest.mark.parametrize("config", CONFIGS, ids=lambda p: p.name)
def test_cluster_equals_inventory(fake_cluster, config):
    kubeconfig, snapshot = fake_cluster
    code_c, cluster, err_c = _targets(config, "--cluster", "--kubeconfig", str(kubeconfig))
    code_i, inventory, err_i = _targets(config, "--inventory", str(snapshot))
    assert code_c == code_i, (err_c, err_i)
    assert code_c in (0, 1), err_c
    counts = lambda d: {j["job"]: j.get("distinct_targets") for j in d["jobs"]}  # noqa: E731
    assert counts(cluster) == counts(inventory)
    assert _normalized(cluster) == _normalized(inventory)


def test_cluster_lists_owner_kinds_only_when_a_job_needs_them(fake_cluster, tmp_path):
    kubeconfig, _ = fake_cluster
    cfg = tmp_path / "deploy.yml"
    cfg.write_text("scrape_configs:\n- job_name: p\n  kubernetes_sd_configs:\n  - role: pod\n"
                   "    attach_metadata: {deployment: true}\n", encoding="utf-8")
    code, _, err = _targets(cfg, "--cluster", "--kubeconfig", str(kubeconfig), version="3.13.2")
    assert code == 2 and "ReplicaSet" in err and "404" in err


def test_cluster_matches_prometheus3(fake_cluster):
    kubeconfig, snapshot = fake_cluster
    config = FIXTURES / "roles.yml"
    b = prom3()
    truth = run_promtruth(snapshot, config, own_namespace=OWN_NAMESPACE, binaries=b)
    code, ours, err = _targets(config, "--cluster", "--kubeconfig", str(kubeconfig), version=b.version)
    assert code in (0, 1), err
    params = _job_params(config)
    jobs = {j["job"]: j for j in ours["jobs"]}
    assert set(jobs) == set(truth["scrape_pools"])
    diffs = []
    for name, pool in truth["scrape_pools"].items():
        diffs += compare_job(name, jobs[name], pool, params.get(name))
    assert not diffs, "\n".join(diffs[:40])
