"""Progress bars: every command that reads an inventory or a cluster, or evaluates jobs, asks for one (it is
drawn only when stderr is a terminal; here the requests are recorded)."""

from __future__ import annotations

import contextlib

import pytest

from cli_util import run_cli
from conftest import SAMPLES
from fake_kube import FakeKube

INV = str(SAMPLES / "inventory" / "cluster.yaml")
MONITORS = str(SAMPLES / "istio" / "monitors.yaml")
RAW = str(SAMPLES / "raw" / "istio-prometheus.yml")


@pytest.fixture
def bars(monkeypatch):
    from migrator import progress

    seen: list[tuple[str, list]] = []

    @contextlib.contextmanager
    def bar(description, *, unit="bytes"):
        calls: list = []
        seen.append((description, calls))
        yield lambda *a: calls.append(a)

    monkeypatch.setattr(progress, "progress_bar", bar)
    return seen


@pytest.mark.parametrize("args", [
    ["targets", MONITORS, "--inventory", INV],
    ["diff", RAW, MONITORS, "--inventory", INV],
    ["why", MONITORS, "--inventory", INV],
    ["lint", MONITORS, "--no-config", "--inventory", INV],
])
def test_inventory_and_evaluation_report_progress(bars, args):
    run_cli(*args)
    names = [d for d, _ in bars]
    assert "loading inventory" in names, names
    loading = dict(bars)["loading inventory"]
    assert loading and loading[-1][0] == loading[-1][1] > 0  # done == total at the end
    if args[0] in ("targets", "diff"):
        evaluating = [calls for d, calls in bars if d.startswith("evaluating")]
        assert evaluating and all(c and c[-1][0] == c[-1][1] for c in evaluating)


def test_cluster_listing_reports_every_page(bars, tmp_path):
    pods = [{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"p{i}", "namespace": "ns"},
             "status": {"podIP": f"10.0.0.{i}", "phase": "Running"}} for i in range(5)]
    with FakeKube(pods, page_size=2) as api:
        run_cli("diff", RAW, MONITORS, "--cluster", "--kubeconfig", api.kubeconfig(tmp_path))
    listing = dict(bars)["listing cluster objects"]
    pages = [c[2] for c in listing if len(c) == 3 and c[2].startswith("Pod")]
    assert pages == ["Pod 2 of 5", "Pod 4 of 5", "Pod 5"]
