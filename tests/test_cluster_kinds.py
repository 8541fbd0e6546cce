"""``--cluster`` lists the same kinds for targets, diff and migrate (discovery.needs.cluster_kinds): what
Prometheus's discovery lists, and ReplicaSet/Job/Namespace only for a job whose attach_metadata needs them."""

from __future__ import annotations

import pytest
import yaml

from cli_util import run_cli
from fake_kube import FakeKube

PLAIN = """\
scrape_configs:
- job_name: p
  kubernetes_sd_configs: [{role: pod}]
"""
OWNERS = """\
scrape_configs:
- job_name: p
  kubernetes_sd_configs: [{role: pod, attach_metadata: {deployment: true, cronjob: true}}]
"""
OWNER_PATHS = ("/replicasets", "/jobs", "/namespaces", "/deployments", "/cronjobs")


def _listed(kube: FakeKube) -> set[str]:
    """The collections listed, as '/<plural>'."""
    return {"/" + r.split("?")[0].rstrip("/").rsplit("/", 1)[-1] for r in kube.requests}


def _run(command: str, config, kubeconfig: str, tmp_path) -> tuple[int, str]:
    if command == "targets":
        r = run_cli("targets", str(config), "--cluster", "--kubeconfig", kubeconfig)
    elif command == "diff":
        r = run_cli("diff", str(config), str(config), "--cluster", "--kubeconfig", kubeconfig)
    else:
        r = run_cli("migrate", str(config), "--cluster", "--kubeconfig", kubeconfig, "--operator-version",
                    "0.80.0", "-o", str(tmp_path / "out"))
    return r.code, r.stderr


@pytest.mark.parametrize("command", ["targets", "diff", "migrate"])
def test_cluster_lists_owner_kinds_only_when_a_job_needs_them(command, tmp_path):
    plain, owners = tmp_path / "plain.yml", tmp_path / "owners.yml"
    plain.write_text(PLAIN, encoding="utf-8")
    owners.write_text(OWNERS, encoding="utf-8")
    with FakeKube([]) as kube:
        code, err = _run(command, plain, kube.kubeconfig(tmp_path), tmp_path)
        assert code in (0, 1), err
        listed = _listed(kube)
    assert {"/pods", "/services", "/endpoints", "/nodes"} <= listed
    assert not listed & set(OWNER_PATHS), listed
    with FakeKube([]) as kube:
        code, err = _run(command, owners, kube.kubeconfig(tmp_path), tmp_path / "2")
        assert code in (0, 1), err
        listed = _listed(kube)
    assert {"/pods", "/replicasets", "/jobs"} <= listed and not listed & {"/namespaces", "/deployments", "/cronjobs"}


def test_diff_cluster_lists_what_either_side_needs(tmp_path):
    plain, owners = tmp_path / "plain.yml", tmp_path / "owners.yml"
    plain.write_text(PLAIN, encoding="utf-8")
    owners.write_text(OWNERS.replace("deployment: true, cronjob: true", "namespace: true"), encoding="utf-8")
    with FakeKube([]) as kube:
        r = run_cli("diff", str(plain), str(owners), "--cluster", "--kubeconfig", kube.kubeconfig(tmp_path))
        assert r.code in (0, 1), r.stderr
        listed = _listed(kube)
    assert "/namespaces" in listed and not listed & {"/replicasets", "/jobs"}


def test_one_decision():
    from migrator.commands import _cluster_kinds
    from migrator.discovery.needs import cluster_kinds

    jobs = yaml.safe_load(OWNERS)["scrape_configs"]
    assert cluster_kinds(jobs) == ["Pod", "Service", "Endpoints", "EndpointSlice", "Node", "Ingress", "ReplicaSet",
                                   "Job"]
    assert cluster_kinds([{"kubernetes_sd_configs": "bad"}, None, {"kubernetes_sd_configs": [None, {}]}]) == \
        cluster_kinds([])
    from types import SimpleNamespace

    assert _cluster_kinds([SimpleNamespace(config=j) for j in jobs]) == cluster_kinds(jobs)   # targets' own
