"""`migrator targets` end to end on the shipped samples and on small hand-made configs."""

from __future__ import annotations

import json
import textwrap

import pytest

from cli_util import run_cli
from conftest import SAMPLES

INVENTORY = str(SAMPLES / "inventory" / "cluster.yaml")
MONITORS = str(SAMPLES / "istio" / "monitors.yaml")
RAW = str(SAMPLES / "raw" / "istio-prometheus.yml")


def targets_json(*args: str) -> tuple[int, dict, str]:
    r = run_cli("targets", *args, "--output", "json")
    return r.code, (json.loads(r.stdout) if r.stdout else {}), r.stderr


def by_job(report: dict) -> dict:
    return {j["job"]: j for j in report["jobs"]}


def pods(job: dict) -> list[str]:
    return sorted(t["labels"].get("pod", "") for t in job["targets"])


def test_istio_presets_on_the_sample_cluster():
    code, report, _ = targets_json(MONITORS, "--inventory", INVENTORY)
    assert code == 0
    jobs = by_job(report)
    istiod = jobs["serviceMonitor/monitoring/istiod-service-monitor/0"]
    assert [t["labels"]["job"] for t in istiod["targets"]] == ["istiod"]
    assert istiod["targets"][0]["labels"]["__address__"].endswith(":15014")
    sidecars = jobs["podMonitor/monitoring/istio-envoy-pod-monitor/0"]
    gateways = jobs["podMonitor/monitoring/istio-gateways-pod-monitor/0"]
    # one target per running sidecar pod (the gateways carry the canonical-revision label too);
    # the completed Job pod is dropped by the operator's phase filter
    assert len(sidecars["targets"]) == 6
    assert all(t["labels"]["__address__"].endswith(":15090") for t in sidecars["targets"])
    assert {t["labels"]["namespace"] for t in sidecars["targets"]} == {"shop", "istio-system"}
    assert len(gateways["targets"]) == 2
    assert all("gateway" in p for p in pods(gateways))
    assert set(pods(gateways)) <= set(pods(sidecars))
    # ... and the duplicate-target warning points it out
    assert any("scraped by several jobs" in w and "istio-gateways-pod-monitor" in w for w in report["warnings"])


def test_json_schema_is_promtool_shaped():
    _, report, _ = targets_json(RAW, "--inventory", INVENTORY)
    job = by_job(report)["istiod"]
    (target,) = job["targets"]
    assert set(target) == {"discovered", "labels"}
    for name in ("__address__", "__metrics_path__", "__scheme__", "__scrape_interval__", "__scrape_timeout__",
                 "job", "instance"):
        assert name in target["labels"]
    assert target["labels"]["job"] == "istiod" and target["labels"]["instance"] == target["labels"]["__address__"]
    assert "__meta_kubernetes_pod_name" in target["discovered"]
    assert not any(k.startswith("__meta_") for k in target["labels"])
    dropped = job["dropped"][0]
    assert set(dropped) == {"discovered", "rule", "reason"} and dropped["rule"] == 0


def test_raw_istio_jobs_on_the_sample_cluster():
    code, report, _ = targets_json(RAW, "--inventory", INVENTORY)
    assert code == 0
    jobs = by_job(report)
    assert [t["labels"]["job"] for t in jobs["istiod"]["targets"]] == ["istiod"]
    envoy = jobs["envoy-stats"]["targets"]
    assert envoy and all(t["labels"]["__metrics_path__"] == "/stats/prometheus" for t in envoy)
    # the raw job keeps no pod/namespace labels: exactly what migrating to monitors would change
    assert all(set(k for k in t["labels"] if not k.startswith("__")) == {"job", "instance"} for t in envoy)


def test_text_output_is_a_table_per_job():
    r = run_cli("targets", MONITORS, "--inventory", INVENTORY)
    assert r.code == 0
    assert "job serviceMonitor/monitoring/istiod-service-monitor/0" in r.stdout
    assert "1 target(s) kept" in r.stdout and 'job="istiod"' in r.stdout
    assert "duplicate series" in r.stderr


def test_missing_inventory_is_a_usage_error():
    r = run_cli("targets", RAW)
    assert r.code == 2 and "--inventory" in r.stderr


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(textwrap.dedent(text))
    return str(p)


def test_static_and_file_sd_jobs_need_no_inventory(tmp_path):
    write(tmp_path, "targets.json", '[{"targets": ["10.1.1.1:9100", "10.1.1.2"], "labels": {"env": "prod"}}]')
    cfg = write(tmp_path, "prometheus.yml", """\
        global:
          scrape_interval: 1m
        scrape_configs:
        - job_name: node
          file_sd_configs:
          - files: [targets.json]
          relabel_configs:
          - source_labels: [__meta_filepath]
            regex: .*/(.*)
            target_label: from
        - job_name: self
          scrape_interval: 15s
          static_configs:
          - targets: ['localhost:9090']
        """)
    code, report, stderr = targets_json(cfg)
    assert code == 0, stderr
    jobs = by_job(report)
    node = jobs["node"]["targets"]
    assert [t["labels"]["from"] for t in node] == ["targets.json", "targets.json"]
    assert node[0]["discovered"]["__meta_filepath"].endswith("targets.json")
    assert node[0]["labels"]["__scrape_interval__"] == "1m"
    assert jobs["self"]["targets"][0]["labels"]["__scrape_interval__"] == "15s"
    assert jobs["self"]["targets"][0]["labels"]["instance"] == "localhost:9090"


def test_a_job_in_another_dialect_fails_alone(tmp_path):
    cfg = write(tmp_path, "vm.yml", """\
        scrape_configs:
        - job_name: vm
          static_configs: [{targets: ['a:1']}]
          relabel_configs:
          - {source_labels: [a, b], action: keep_if_equal}
        - job_name: fine
          static_configs: [{targets: ['b:2']}]
        """)
    r = run_cli("targets", cfg)
    assert r.code == 1
    assert "keep_if_equal" in r.stderr and "job fine" in r.stdout and "1 target(s) kept" in r.stdout


def test_placeholders_are_warned_and_the_job_still_runs(tmp_path):
    cfg = write(tmp_path, "agent.yml", """\
        scrape_configs:
        - job_name: node-$$NODE_NAME$$
          scrape_interval: $$SCRAPE_INTERVAL$$
          static_configs: [{targets: ['$$NODE_IP$$:9100']}]
        """)
    r = run_cli("targets", cfg)
    assert r.code == 0, r.stderr
    assert "placeholder $$SCRAPE_INTERVAL$$" in r.stderr
    assert "$$NODE_IP$$:9100" in r.stdout


def test_present_rule_without_regex_is_flagged(tmp_path):
    cfg = write(tmp_path, "p.yml", """\
        scrape_configs:
        - job_name: annotated
          static_configs: [{targets: ['a:1'], labels: {__meta_kubernetes_pod_annotationpresent_x: 'true'}}]
          relabel_configs:
          - source_labels: [__meta_kubernetes_pod_annotationpresent_prometheus_io_scrape]
            action: keep
        """)
    r = run_cli("targets", cfg)
    assert r.code == 0
    assert "has no regex" in r.stderr


def test_monitor_without_port_is_flagged(tmp_path):
    pm = write(tmp_path, "pm.yaml", """\
        apiVersion: monitoring.coreos.com/v1
        kind: PodMonitor
        metadata: {name: all-ports, namespace: shop}
        spec:
          selector: {matchLabels: {app: frontend}}
          podMetricsEndpoints:
          - path: /metrics
        """)
    r = run_cli("targets", pm, "--inventory", INVENTORY)
    assert r.code == 0, r.stderr
    assert "has no port" in r.stderr


def test_explain_shows_each_step(tmp_path):
    code, report, _ = targets_json(MONITORS, "--inventory", INVENTORY)
    pod = pods(by_job(report)["podMonitor/monitoring/istio-gateways-pod-monitor/0"])[0]
    r = run_cli("targets", MONITORS, "--inventory", INVENTORY, "--explain", pod)
    assert r.code == 0
    assert "#0 replace" in r.stdout and "=> kept with labels" in r.stdout
    assert "dropped by relabel rule" in r.stdout  # the pod's other ports


def test_explain_unknown_target():
    r = run_cli("targets", MONITORS, "--inventory", INVENTORY, "--explain", "no-such-pod")
    assert r.code == 2 and "no discovered target matches" in r.stderr


@pytest.mark.parametrize("shape", ["additional-scrape-configs.yaml"])
def test_other_shapes_of_the_same_jobs(shape):
    code, report, _ = targets_json(str(SAMPLES / "raw" / shape), "--inventory", INVENTORY)
    code2, report2, _ = targets_json(RAW, "--inventory", INVENTORY)
    assert code == code2 == 0
    # the bare list has no `global:` section, so only the scrape interval/timeout may differ
    def strip(rep):
        return [(j["job"], [{k: v for k, v in t["labels"].items() if not k.startswith("__scrape_")}
                            for t in j["targets"]], [d["rule"] for d in j["dropped"]]) for j in rep["jobs"]]
    assert strip(report) == strip(report2)


def test_cluster_gives_what_the_inventory_gives(tmp_path):
    import yaml

    from fake_kube import FakeKube

    objects = yaml.safe_load(open(INVENTORY))["items"]
    with FakeKube(objects, page_size=7) as kube:
        kubeconfig = kube.kubeconfig(tmp_path)
        code, live, stderr = targets_json(MONITORS, "--cluster", "--kubeconfig", kubeconfig)
        assert code == 0, stderr
        assert any("limit=" in r and "continue=" in r for r in kube.requests)  # it paged
    _, offline, _ = targets_json(MONITORS, "--inventory", INVENTORY)
    assert live["jobs"] == offline["jobs"]


def test_cluster_refusal_is_a_clear_error(tmp_path):
    from fake_kube import FakeKube

    with FakeKube([], refuse={"/api/v1/pods": 403}) as kube:
        r = run_cli("targets", MONITORS, "--cluster", "--kubeconfig", kube.kubeconfig(tmp_path))
    assert r.code == 2 and "403" in r.stderr and "Traceback" not in r.stderr


def test_identical_discovery_blocks_are_discovered_once_and_released():
    from migrator import targets as core

    jobs = [{"job_name": "a", "kubernetes_sd_configs": [{"role": "pod"}]},
            {"job_name": "b", "kubernetes_sd_configs": [{"role": "pod"}]},
            {"job_name": "c", "kubernetes_sd_configs": [{"role": "node"}]}]
    cache = core.SDCache(jobs)
    key = core.SDCache.key({"role": "pod"})
    assert cache.take(key) is None
    groups = [core.Group("pod/x", [], {})]
    cache.put(key, groups)
    assert cache.take(key) is groups          # the second job gets the same groups
    assert key not in cache.groups            # and then they are released
    cache.put(core.SDCache.key({"role": "node"}), [])
    assert cache.groups == {}                 # a block used once is never kept
