"""--from-cluster: the live Prometheus CR, its additionalScrapeConfigs Secret and selected monitors, read
from a fake API server (tests/fake_kube.py); refusals become clear errors."""

from __future__ import annotations

import base64
import copy
import json

import pytest
import yaml

from conftest import SAMPLES
from fake_kube import FakeKube
from migrator.diff.command import run_diff
from migrator.diff.live import choose_prometheus, fetch_live
from migrator.errors import InputError

MONITORS = [d for d in yaml.safe_load_all((SAMPLES / "istio" / "monitors.yaml").read_text()) if d]
CR = yaml.safe_load((SAMPLES / "istio" / "prometheus.yaml").read_text())
EXTRA_JOBS = "- job_name: extra\n  static_configs:\n  - targets: ['10.9.9.9:9100']\n"
SECRET = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "extra-scrape", "namespace": "monitoring"},
          "data": {"jobs.yaml": base64.b64encode(EXTRA_JOBS.encode()).decode()}}
UNSELECTED = {"apiVersion": "monitoring.coreos.com/v1", "kind": "PodMonitor",
              "metadata": {"name": "stray", "namespace": "shop", "labels": {"release": "other"}},
              "spec": {"selector": {}, "podMetricsEndpoints": [{"port": "http"}]}}


def _cr(**spec) -> dict:
    cr = copy.deepcopy(CR)
    cr["spec"].update(spec)
    return cr


def _objects(cr=None, secret=SECRET):
    objs = [cr or _cr(additionalScrapeConfigs={"name": "extra-scrape", "key": "jobs.yaml"})]
    objs += copy.deepcopy(MONITORS) + [UNSELECTED]
    if secret:
        objs.append(secret)
    return objs


def test_fetch_live_reads_cr_secret_and_selected_monitors(tmp_path):
    with FakeKube(_objects(), page_size=2) as api:
        state = fetch_live(str(tmp_path), kubeconfig=api.kubeconfig(tmp_path))
        requests = list(api.requests)
    assert state.cr["metadata"]["name"] == "kube-prometheus-stack-prometheus"
    assert sorted(m["metadata"]["name"] for m in state.monitors) == sorted(m["metadata"]["name"] for m in MONITORS)
    assert any("not selected" in n for n in state.notes)
    assert any("continue=page2" in r for r in requests)      # 4 monitors in pages of 2
    assert any("/api/v1/namespaces/monitoring/secrets/extra-scrape" in r for r in requests)
    secret_file = next(f for f in state.files if "secret-" in f)
    doc = yaml.safe_load(open(secret_file))
    assert doc["scrape_configs"][0]["job_name"] == "extra" and doc["global"]["scrape_interval"] == "30s"


def test_from_cluster_diff_against_the_same_monitors_shows_only_the_secret_job(tmp_path, capsys):
    new = tmp_path / "new.yaml"
    new.write_text((SAMPLES / "istio" / "monitors.yaml").read_text())
    with FakeKube(_objects()) as api:
        code = run_diff([], [str(new)], kubeconfig=api.kubeconfig(tmp_path), from_cluster=True, output="json")
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    assert report["old"][0].startswith("cluster http://127.0.0.1")
    assert [o["job"] for o in report["only_old"]] == ["extra"]
    assert report["only_new"] == []
    assert all(not j["changed"] for j in report["jobs"]) and len(report["jobs"]) == 3
    assert report["verdict"]["differing_jobs"] == ["extra"]


def test_from_cluster_no_difference_exits_0(tmp_path, capsys):
    new = tmp_path / "new.yaml"
    new.write_text((SAMPLES / "istio" / "monitors.yaml").read_text())
    with FakeKube(_objects(cr=_cr(), secret=None)) as api:
        code = run_diff([], [str(new)], kubeconfig=api.kubeconfig(tmp_path), from_cluster=True)
    out = capsys.readouterr().out
    assert code == 0, out
    assert "No differences" in out


def test_unselected_monitor_in_new_is_a_finding(tmp_path, capsys):
    new = tmp_path / "new.yaml"
    new.write_text((SAMPLES / "istio" / "monitors.yaml").read_text() + "---\n" + yaml.safe_dump(UNSELECTED))
    with FakeKube(_objects(cr=_cr(), secret=None)) as api:
        code = run_diff([], [str(new)], kubeconfig=api.kubeconfig(tmp_path), from_cluster=True, output="json")
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    hits = [f for f in report["findings"] if f["code"] == "monitor-not-selected"]
    assert [f["subject"] for f in hits] == ["PodMonitor shop/stray"]


@pytest.mark.parametrize("path,code,message", [
    ("/apis/monitoring.coreos.com/v1/prometheuses", 401, "401 Unauthorized"),
    ("/apis/monitoring.coreos.com/v1/prometheuses", 404, "list prometheuses.monitoring.coreos.com: not found (404)"),
    ("/apis/monitoring.coreos.com/v1/servicemonitors", 403,
     "not allowed to list servicemonitors.monitoring.coreos.com (403 Forbidden)"),
    ("/api/v1/namespaces/monitoring/secrets/extra-scrape", 403,
     "not allowed to get Secret monitoring/extra-scrape (403 Forbidden)"),
])
def test_refusals_are_clear_errors(tmp_path, path, code, message):
    with FakeKube(_objects(), refuse={path: code}) as api:
        with pytest.raises(InputError) as err:
            fetch_live(str(tmp_path), kubeconfig=api.kubeconfig(tmp_path))
    assert message in str(err.value)


def test_missing_secret_and_key(tmp_path):
    with FakeKube(_objects(secret=None)) as api:
        with pytest.raises(InputError, match="get Secret monitoring/extra-scrape: not found"):
            fetch_live(str(tmp_path), kubeconfig=api.kubeconfig(tmp_path))
    optional = _cr(additionalScrapeConfigs={"name": "extra-scrape", "key": "jobs.yaml", "optional": True})
    with FakeKube(_objects(cr=optional, secret=None)) as api:
        state = fetch_live(str(tmp_path), kubeconfig=api.kubeconfig(tmp_path))
    assert any("absent (optional)" in n for n in state.notes)
    wrong_key = _cr(additionalScrapeConfigs={"name": "extra-scrape", "key": "other.yaml"})
    with FakeKube(_objects(cr=wrong_key)) as api:
        with pytest.raises(InputError, match="has no key 'other.yaml'"):
            fetch_live(str(tmp_path), kubeconfig=api.kubeconfig(tmp_path))


def test_choose_prometheus():
    a = {"metadata": {"name": "p", "namespace": "x"}}
    b = {"metadata": {"name": "p", "namespace": "y"}}
    assert choose_prometheus([a], None) is a
    assert choose_prometheus([a, b], "y/p") is b
    with pytest.raises(InputError, match="several Prometheus objects are named 'p'"):
        choose_prometheus([a, b], "p")
    with pytest.raises(InputError, match="choose one with --prometheus"):
        choose_prometheus([a, b], None)
    with pytest.raises(InputError, match="no Prometheus object 'q'"):
        choose_prometheus([a], "q")
    with pytest.raises(InputError, match="has no Prometheus object"):
        choose_prometheus([], None)


def test_namespace_selector_asks_for_namespace_labels(tmp_path):
    cr = _cr(podMonitorNamespaceSelector={"matchLabels": {"team": "mesh"}},
             serviceMonitorNamespaceSelector={"matchLabels": {"team": "mesh"}})
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "monitoring", "labels": {"team": "mesh"}}}
    with FakeKube(_objects(cr=cr, secret=None) + [namespace]) as api:
        state = fetch_live(str(tmp_path), kubeconfig=api.kubeconfig(tmp_path))
        assert any(r.startswith("/api/v1/namespaces?") for r in api.requests)
    assert len(state.monitors) == 3


def test_cluster_targets_equal_inventory_targets(tmp_path, capsys):
    """--cluster (listing the fake API) gives the very report --inventory gives for the same objects."""
    inventory = SAMPLES / "inventory" / "cluster.yaml"
    objects = yaml.safe_load(inventory.read_text())["items"]
    raw, monitors = str(SAMPLES / "raw" / "istio-prometheus.yml"), str(SAMPLES / "istio" / "monitors.yaml")
    with FakeKube(objects, page_size=3) as api:
        code = run_diff([raw], [monitors], cluster=True, kubeconfig=api.kubeconfig(tmp_path), output="json")
        assert any("continue=page2" in r for r in api.requests)
    live = json.loads(capsys.readouterr().out)
    assert run_diff([raw], [monitors], inventory=[str(inventory)], output="json") == code == 1
    offline = json.loads(capsys.readouterr().out)
    assert live == offline
    assert live["targets"] and any(t["common"] == 6 for t in live["targets"])


SCRAPE_CONFIG = {"apiVersion": "monitoring.coreos.com/v1alpha1", "kind": "ScrapeConfig",
                 "metadata": {"name": "sc", "namespace": "monitoring", "labels": {"release": "kube-prometheus-stack"}},
                 "spec": {"staticConfigs": [{"targets": ["10.1.1.1:9100"]}]}}


def test_scrape_configs_are_read_when_the_cr_selects_them(tmp_path, capsys):
    new = tmp_path / "new.yaml"
    new.write_text((SAMPLES / "istio" / "monitors.yaml").read_text())
    cr = _cr(scrapeConfigSelector={"matchLabels": {"release": "kube-prometheus-stack"}})
    with FakeKube(_objects(cr=cr, secret=None) + [SCRAPE_CONFIG]) as api:
        state = fetch_live(str(tmp_path), kubeconfig=api.kubeconfig(tmp_path))
        assert [m["kind"] for m in state.monitors].count("ScrapeConfig") == 1
        code = run_diff([], [str(new)], kubeconfig=api.kubeconfig(tmp_path), from_cluster=True, output="json")
    report = json.loads(capsys.readouterr().out)
    assert code == 1 and [o["job"] for o in report["only_old"]] == ["scrapeConfig/monitoring/sc"]
    # without a scrapeConfigSelector the operator ignores them, and so do we; a cluster without the CRD is fine
    with FakeKube(_objects(cr=_cr(scrapeConfigSelector=None), secret=None) + [SCRAPE_CONFIG]) as api:
        kinds = [m["kind"] for m in fetch_live(str(tmp_path), kubeconfig=api.kubeconfig(tmp_path)).monitors]
    assert "ScrapeConfig" not in kinds
    with FakeKube(_objects(cr=cr, secret=None), refuse={"/apis/monitoring.coreos.com/v1alpha1/scrapeconfigs": 404}) as api:
        state = fetch_live(str(tmp_path), kubeconfig=api.kubeconfig(tmp_path))
    assert any("no ScrapeConfig objects" in n for n in state.notes)
