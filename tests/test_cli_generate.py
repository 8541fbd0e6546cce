"""`migrator generate istio` end to end."""

from __future__ import annotations

import pytest
import yaml

from cli_util import run_cli


def docs(text: str) -> list:
    return [d for d in yaml.safe_load_all(text) if d is not None]


def test_default_prints_the_three_monitors():
    r = run_cli("generate", "istio")
    assert r.code == 0, r.stderr
    monitors = docs(r.stdout)
    assert [(m["kind"], m["metadata"]["name"]) for m in monitors] == [
        ("PodMonitor", "istio-envoy-pod-monitor"),
        ("ServiceMonitor", "istiod-service-monitor"),
        ("PodMonitor", "istio-gateways-pod-monitor"),
    ]
    assert all(m["metadata"]["labels"] == {"release": "kube-prometheus-stack"} for m in monitors)


def test_raw_list_has_three_jobs_and_no_operator_placeholders():
    r = run_cli("generate", "istio", "--format", "list")
    assert r.code == 0, r.stderr
    jobs = yaml.safe_load(r.stdout)
    assert len(jobs) == 3 and "$(SHARD)" not in r.stdout


def test_raw_prometheus_yml_for_an_old_prometheus():
    r = run_cli("generate", "istio", "--format", "prometheus-yml", "--prometheus-version", "2.42.0")
    assert r.code == 0, r.stderr
    config = yaml.safe_load(r.stdout)
    assert config["global"]["scrape_interval"] == "30s"
    assert len(config["scrape_configs"]) == 3


def test_parameters():
    r = run_cli("generate", "istio", "--only", "sidecars,gateways", "--no-egress", "-n", "obs",
                "--label", "team=mesh", "--interval", "30s", "--istio-namespace", "istio")
    assert r.code == 0, r.stderr
    monitors = docs(r.stdout)
    assert [m["metadata"]["name"] for m in monitors] == ["istio-envoy-pod-monitor", "istio-gateways-pod-monitor"]
    gateways = monitors[1]
    assert gateways["metadata"] == {"name": "istio-gateways-pod-monitor", "namespace": "obs",
                                    "labels": {"team": "mesh"}}
    assert gateways["spec"]["selector"]["matchExpressions"][0]["values"] == ["ingressgateway"]
    assert gateways["spec"]["namespaceSelector"] == {"matchNames": ["istio"]}
    assert all(ep["interval"] == "30s" for m in monitors for ep in m["spec"]["podMetricsEndpoints"])


def test_release_sets_the_release_label():
    r = run_cli("generate", "istio", "--release", "prom")
    assert all(m["metadata"]["labels"] == {"release": "prom"} for m in docs(r.stdout))


def test_with_mesh_config():
    r = run_cli("generate", "istio", "--with-mesh-config")
    assert r.code == 0
    fragment = docs(r.stdout)[-1]
    assert fragment["spec"]["meshConfig"]["defaultProviders"]["metrics"] == ["prometheus"]


def test_out_file(tmp_path):
    out = tmp_path / "istio.yaml"
    assert run_cli("generate", "istio", "-o", str(out)).code == 0
    assert len(docs(out.read_text())) == 3
    r = run_cli("generate", "istio", "-o", str(out))
    assert r.code == 2 and "--force" in r.stderr


@pytest.mark.parametrize("args,fragment", [
    (["--interval", "15 seconds"], "interval"),
    (["--label", "novalue"], "novalue"),
    (["--only", "sidecars,mixer"], "mixer"),
    (["--namespace", "Monitoring"], "Monitoring"),
])
def test_bad_parameters(args, fragment):
    r = run_cli("generate", "istio", *args)
    assert r.code == 2, r.stdout
    assert fragment in r.stderr and "Traceback" not in r.stderr
