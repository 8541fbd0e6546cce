"""Istio presets (rules/istio, migrator.presets) and the shipped samples (samples/)."""

from __future__ import annotations

import copy
import itertools
import re
from pathlib import Path

import pytest
import yaml

from migrator import presets
from migrator.errors import InputError
from migrator.paths import rules_dir
from migrator.presets import (IstioOptions, check_examples, istio_monitors, istio_presets, load_preset,
                              mesh_config_fragment, parse_duration_ms, parse_label, substitute)

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SAMPLES = REPO / "samples"
PRESET_FILES = ("istio-envoy-pod-monitor.yaml", "istiod-service-monitor.yaml",
                "istio-gateways-pod-monitor.yaml", "mesh-config.yaml")
MONITOR_NAMES = ["istio-envoy-pod-monitor", "istiod-service-monitor", "istio-gateways-pod-monitor"]


def shared(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"../shared is not beside the checkout ({path} missing)")
    return path


def by_name(monitors: list[dict]) -> dict[str, dict]:
    return {m["metadata"]["name"]: m for m in monitors}


def endpoints(monitor: dict) -> list[dict]:
    return monitor["spec"].get("podMetricsEndpoints") or monitor["spec"]["endpoints"]


# --------------------------------------------------------------------------- rules/ data


def test_rules_dir_holds_the_istio_presets():
    istio = rules_dir() / "istio"
    assert istio.is_dir(), f"rules_dir() gave {rules_dir()}, which has no istio/"
    assert sorted(p.name for p in istio.glob("*.yaml")) == sorted(PRESET_FILES)
    loaded = istio_presets()
    assert set(loaded) == {"sidecars", "istiod", "gateways", "mesh-config"}
    for preset in loaded.values():
        assert preset.path.parent == istio
        assert preset.description.strip()


def test_rules_dir_is_the_checkout_copy_or_an_identical_installed_one():
    found = rules_dir() / "istio"
    for name in PRESET_FILES:
        assert (found / name).read_text() == (REPO / "rules" / "istio" / name).read_text()


def test_every_preset_example_is_what_its_template_gives_with_defaults():
    assert check_examples() == []
    loaded = istio_presets()
    defaults = istio_monitors(IstioOptions())
    assert [loaded[c].example for c in ("sidecars", "istiod", "gateways")] == defaults
    assert loaded["mesh-config"].example == mesh_config_fragment()


def test_monitor_names_match_the_template_and_default_order():
    loaded = istio_presets()
    for comp in ("sidecars", "istiod", "gateways"):
        assert loaded[comp].template["metadata"]["name"] == loaded[comp].name
    assert [m["metadata"]["name"] for m in istio_monitors(IstioOptions())] == MONITOR_NAMES


def test_declared_parameter_defaults_are_the_option_defaults():
    params = presets.istio_parameters(IstioOptions())
    for preset in istio_presets().values():
        used = set(re.findall(r"\$\{(\w+)\}", yaml.safe_dump(preset.template)))
        assert used == set(preset.parameters), preset.path  # every placeholder documented, no extra
        for name, spec in preset.parameters.items():
            assert spec["default"] == params[name], (preset.path, name)
            assert spec.get("description")


def test_check_examples_reports_a_stale_example(tmp_path):
    text = (rules_dir() / "istio" / "istiod-service-monitor.yaml").read_text()
    stale = tmp_path / "stale.yaml"
    i = text.rindex("interval: 15s")  # the example comes last in the file
    stale.write_text(text[:i] + "interval: 30s" + text[i + len("interval: 15s"):])
    problems = check_examples([load_preset(stale)])
    assert len(problems) == 1 and "differs from the example" in problems[0]


def test_load_preset_refuses_incomplete_files(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ncomponent: y\ntemplate: {}\n")
    with pytest.raises(InputError, match="lacks description, example"):
        load_preset(bad)


def _guide_block(text: str, filename: str) -> list[str]:
    """The YAML lines of one manifest of the guide (its indentation is lost in the copy)."""
    start = text.index(f"// {filename}")
    end = text.index("[ 3.", start)
    return text[start:end].splitlines()[1:]


def _guide_pairs(lines: list[str]) -> set[str]:
    out = set()
    for line in lines:
        line = re.sub(r"(^|\s)#.*$", "", line).strip()
        if not line:
            continue
        item = line.startswith("- ")
        if item:
            line = line[2:].strip()
        if ":" in line:
            key, _, value = line.partition(":")
            if value.strip():
                out.add(f"{key.strip()}: {value.strip()}")
        elif item:
            out.add(f"- {line}")
    return out


def _leaf_pairs(node, key=None) -> set[str]:
    out = set()
    if isinstance(node, dict):
        for k, v in node.items():
            out |= _leaf_pairs(v, k)
    elif isinstance(node, list):
        for v in node:
            out |= _leaf_pairs(v, key) if isinstance(v, (dict, list)) else {f"- {v}"}
    else:
        value = str(node).lower() if isinstance(node, bool) else str(node)
        out.add(f"{key}: {value}")
    return out


@pytest.mark.parametrize("name", MONITOR_NAMES)
def test_monitors_mirror_the_guide_field_for_field(name):
    guide = shared("reference", "istio-metrics-guide.txt").read_text(encoding="utf-8")
    expected = _guide_pairs(_guide_block(guide, f"{name}.yaml"))
    assert len(expected) >= 8
    # the guide leaves the egress gateway commented out: compare with --no-egress
    got = by_name(istio_monitors(IstioOptions(egress=False)))[name]
    assert _leaf_pairs(got) == expected


def test_mesh_config_fragment_is_the_guides():
    frag = mesh_config_fragment()
    assert frag["kind"] == "IstioOperator" and frag["apiVersion"] == "install.istio.io/v1alpha1"
    assert frag["spec"] == {"meshConfig": {"defaultProviders": {"metrics": ["prometheus"]}}}
    guide = shared("reference", "istio-metrics-guide.txt").read_text(encoding="utf-8")
    block = guide[guide.index("meshConfig:"):guide.index("[ 2. istio")]
    assert [ln.split("#")[0].strip() for ln in block.splitlines() if ln.split("#")[0].strip()] == \
        ["meshConfig:", "defaultProviders:", "metrics:", "- prometheus"]
    frag["spec"]["meshConfig"] = {}
    assert mesh_config_fragment()["spec"]["meshConfig"]  # callers get copies


# --------------------------------------------------------------------------- CRD schema (strict)


def _strict(schema):
    """The schema with additionalProperties: false wherever properties are listed."""
    if isinstance(schema, dict):
        out = {k: _strict(v) for k, v in schema.items()}
        if "properties" in out and "additionalProperties" not in out \
                and not out.get("x-kubernetes-preserve-unknown-fields"):
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [_strict(v) for v in schema]
    return schema


@pytest.fixture(scope="module")
def validators():
    jsonschema = pytest.importorskip("jsonschema")
    out = {}
    for kind, plural in (("PodMonitor", "podmonitors"), ("ServiceMonitor", "servicemonitors")):
        crd = yaml.safe_load(shared("crds", f"monitoring.coreos.com_{plural}.yaml").read_text())
        version = next(v for v in crd["spec"]["versions"] if v["name"] == "v1")
        schema = _strict(version["schema"]["openAPIV3Schema"])
        out[kind] = jsonschema.Draft7Validator(schema)
    return out


def _validate(validators, monitor: dict) -> None:
    errors = sorted(validators[monitor["kind"]].iter_errors(monitor), key=str)
    assert not errors, f"{monitor['metadata']['name']}: " + "; ".join(
        f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in errors)
    assert monitor["apiVersion"] == "monitoring.coreos.com/v1"
    # the CRD leaves metadata open: check it by hand
    assert set(monitor["metadata"]) <= {"name", "namespace", "labels"}
    assert isinstance(monitor["metadata"]["name"], str) and isinstance(monitor["metadata"]["namespace"], str)


def test_strict_schema_rejects_unknown_and_misspelt_fields(validators):
    base = istio_monitors(IstioOptions())[0]
    typo = copy.deepcopy(base)
    typo["spec"]["podMetricsEndpoints"][0]["prot"] = typo["spec"]["podMetricsEndpoints"][0].pop("port")
    assert list(validators["PodMonitor"].iter_errors(typo))
    wrong_level = copy.deepcopy(base)
    wrong_level["spec"]["interval"] = "15s"
    assert list(validators["PodMonitor"].iter_errors(wrong_level))
    bad_interval = copy.deepcopy(base)
    bad_interval["spec"]["podMetricsEndpoints"][0]["interval"] = "15"
    assert list(validators["PodMonitor"].iter_errors(bad_interval))
    as_service = copy.deepcopy(base)
    as_service["kind"] = "ServiceMonitor"
    assert list(validators["ServiceMonitor"].iter_errors(as_service))  # podMetricsEndpoints unknown there


ONLY_SUBSETS = [set(c) for n in (1, 2, 3) for c in itertools.combinations(("sidecars", "istiod", "gateways"), n)]
LABEL_VARIANTS = [{"release": "kube-prometheus-stack"}, {},
                  {"release": "prom", "app.kubernetes.io/part-of": "istio", "team": ""}]


@pytest.mark.parametrize("only,egress,labels", [
    (only, egress, labels) for only in ONLY_SUBSETS for egress in (True, False) for labels in LABEL_VARIANTS])
def test_every_generated_monitor_validates_against_the_crd(validators, only, egress, labels):
    opts = IstioOptions(only=only, egress=egress, labels=labels, namespace="observability",
                        istio_namespace="istio-control", interval="1m30s")
    monitors = istio_monitors(opts)
    assert len(monitors) == len(only)
    for m in monitors:
        _validate(validators, m)


@pytest.mark.parametrize("interval", ["15s", "1m", "1m30s", "500ms", "2h", "1d"])
def test_intervals_validate_against_the_crd(validators, interval):
    for m in istio_monitors(IstioOptions(interval=interval)):
        _validate(validators, m)
        assert {e["interval"] for e in endpoints(m)} == {interval}


# --------------------------------------------------------------------------- parameters


def _replace_everywhere(node, old, new):
    if isinstance(node, dict):
        return {k: _replace_everywhere(v, old, new) for k, v in node.items()}
    if isinstance(node, list):
        return [_replace_everywhere(v, old, new) for v in node]
    return new if node == old else node


def test_defaults_are_the_guide_setup():
    m = by_name(istio_monitors(IstioOptions()))
    side, istiod, gw = m["istio-envoy-pod-monitor"], m["istiod-service-monitor"], m["istio-gateways-pod-monitor"]
    assert [x["kind"] for x in (side, istiod, gw)] == ["PodMonitor", "ServiceMonitor", "PodMonitor"]
    for x in (side, istiod, gw):
        assert x["metadata"]["namespace"] == "monitoring"
        assert x["metadata"]["labels"] == {"release": "kube-prometheus-stack"}
        assert [e["interval"] for e in endpoints(x)] == ["15s"]
    assert side["spec"]["selector"] == {"matchExpressions": [
        {"key": "service.istio.io/canonical-revision", "operator": "Exists"}]}
    assert side["spec"]["namespaceSelector"] == {"any": True}
    assert endpoints(side)[0]["port"] == "http-envoy-prom" and endpoints(side)[0]["path"] == "/stats/prometheus"
    assert istiod["spec"]["selector"] == {"matchLabels": {"app": "istiod"}}
    assert istiod["spec"]["namespaceSelector"] == {"matchNames": ["istio-system"]}
    assert endpoints(istiod)[0]["port"] == "http-monitoring" and endpoints(istiod)[0]["path"] == "/metrics"
    assert gw["spec"]["selector"] == {"matchExpressions": [
        {"key": "istio", "operator": "In", "values": ["ingressgateway", "egressgateway"]}]}
    assert gw["spec"]["namespaceSelector"] == {"matchNames": ["istio-system"]}
    assert endpoints(gw)[0]["port"] == "http-envoy-prom" and endpoints(gw)[0]["path"] == "/stats/prometheus"


def test_namespace_moves_only_the_monitors():
    default = istio_monitors(IstioOptions())
    got = istio_monitors(IstioOptions(namespace="observability"))
    assert [m["metadata"]["namespace"] for m in got] == ["observability"] * 3
    for d, g in zip(default, got):
        g["metadata"]["namespace"] = "monitoring"
        assert d == g


def test_istio_namespace_changes_istiod_and_gateways_not_sidecars():
    default = by_name(istio_monitors(IstioOptions()))
    got = by_name(istio_monitors(IstioOptions(istio_namespace="istio-control")))
    assert got["istio-envoy-pod-monitor"] == default["istio-envoy-pod-monitor"]
    for name in ("istiod-service-monitor", "istio-gateways-pod-monitor"):
        assert got[name]["spec"]["namespaceSelector"] == {"matchNames": ["istio-control"]}
        assert got[name]["metadata"]["namespace"] == "monitoring"
        assert _replace_everywhere(got[name], "istio-control", "istio-system") == default[name]


def test_interval_changes_every_endpoint_and_nothing_else():
    default = istio_monitors(IstioOptions())
    got = istio_monitors(IstioOptions(interval="1m"))
    for d, g in zip(default, got):
        assert [e["interval"] for e in endpoints(g)] == ["1m"]
        assert _replace_everywhere(g, "1m", "15s") == d


def test_labels_replace_the_release_label_on_every_monitor():
    labels = {"release": "prom", "team": "platform"}
    got = istio_monitors(IstioOptions(labels=labels))
    assert [m["metadata"]["labels"] for m in got] == [labels] * 3
    got[0]["metadata"]["labels"]["team"] = "changed"
    assert got[1]["metadata"]["labels"]["team"] == "platform"  # no shared objects
    assert labels == {"release": "prom", "team": "platform"}   # caller's dict untouched
    assert all("labels" not in m["metadata"] for m in istio_monitors(IstioOptions(labels={})))


def test_no_egress_keeps_only_the_ingress_gateway():
    default = by_name(istio_monitors(IstioOptions()))
    got = by_name(istio_monitors(IstioOptions(egress=False)))
    expr = got["istio-gateways-pod-monitor"]["spec"]["selector"]["matchExpressions"]
    assert expr == [{"key": "istio", "operator": "In", "values": ["ingressgateway"]}]
    for name in ("istio-envoy-pod-monitor", "istiod-service-monitor"):
        assert got[name] == default[name]


@pytest.mark.parametrize("only", ONLY_SUBSETS)
def test_only_selects_components_in_fixed_order(only):
    names = [m["metadata"]["name"] for m in istio_monitors(IstioOptions(only=only))]
    comp = {"sidecars": MONITOR_NAMES[0], "istiod": MONITOR_NAMES[1], "gateways": MONITOR_NAMES[2]}
    assert names == [comp[c] for c in ("sidecars", "istiod", "gateways") if c in only]


def test_only_accepts_a_comma_list_and_with_mesh_config_leaves_monitors_alone():
    assert istio_monitors(IstioOptions(only="gateways, sidecars")) == \
        istio_monitors(IstioOptions(only={"sidecars", "gateways"}))
    assert istio_monitors(IstioOptions(with_mesh_config=True)) == istio_monitors(IstioOptions())


def test_results_are_fresh_copies():
    first = istio_monitors(IstioOptions())
    first[0]["spec"]["selector"]["matchExpressions"].clear()
    first[2]["spec"]["selector"]["matchExpressions"][0]["values"].append("x")
    again = istio_monitors(IstioOptions())
    assert again[0]["spec"]["selector"]["matchExpressions"]
    assert again[2]["spec"]["selector"]["matchExpressions"][0]["values"] == ["ingressgateway", "egressgateway"]
    a, b = IstioOptions(), IstioOptions()
    a.labels["x"] = "y"
    a.only.discard("istiod")
    assert b.labels == {"release": "kube-prometheus-stack"} and b.only == {"sidecars", "istiod", "gateways"}


BAD_OPTIONS = [
    (dict(interval="15"), "--interval", "invalid duration '15'"),
    (dict(interval="1.5m"), "--interval", "invalid duration '1.5m'"),
    (dict(interval="30s1m"), "--interval", "largest first"),
    (dict(interval="15S"), "--interval", "invalid duration"),
    (dict(interval=""), "--interval", "invalid duration ''"),
    (dict(interval="0"), "--interval", "must be greater than zero"),
    (dict(interval="0s"), "--interval", "must be greater than zero"),
    (dict(interval="999999999y"), "--interval", "duration out of range"),
    (dict(namespace="Monitoring"), "--namespace", "invalid namespace 'Monitoring': must be a DNS-1123 label"),
    (dict(namespace="-mon"), "--namespace", "DNS-1123 label"),
    (dict(namespace="mon.itoring"), "--namespace", "DNS-1123 label"),
    (dict(namespace="a" * 64), "--namespace", "at most 63"),
    (dict(namespace=""), "--namespace", "must not be empty"),
    (dict(istio_namespace="istio_system"), "--istio-namespace", "invalid namespace 'istio_system'"),
    (dict(labels={"release": "kube prometheus"}), "--label", "invalid value 'kube prometheus' for label 'release'"),
    (dict(labels={"release": "x" * 64}), "--label", "at most 63"),
    (dict(labels={"release": 1}), "--label", "is not a string"),
    (dict(labels={"-bad": "x"}), "--label", "invalid label key '-bad'"),
    (dict(labels={"Example.com/team": "x"}), "--label", "DNS-1123 subdomain"),
    (dict(labels={"example.com/": "x"}), "--label", "invalid label key 'example.com/'"),
    (dict(labels={"k" * 64: "x"}), "--label", "the name must be at most 63"),
    (dict(labels={"": "x"}), "--label", "must not be empty"),
    (dict(labels=["release=x"]), "--label", "must be a mapping"),
    (dict(only={"sidecar"}), "--only", "unknown component 'sidecar': choose among sidecars, istiod, gateways"),
    (dict(only={"envoy", "pilot"}), "--only", "unknown components 'envoy', 'pilot'"),
    (dict(only=set()), "--only", "nothing to generate"),
    (dict(egress="no"), "--no-egress", "egress must be true or false"),
]


@pytest.mark.parametrize("kwargs,field,message", BAD_OPTIONS,
                         ids=[f"{i}-{field}" for i, (_, field, _) in enumerate(BAD_OPTIONS)])
def test_bad_parameters_raise_input_error(kwargs, field, message):
    with pytest.raises(InputError) as info:
        istio_monitors(IstioOptions(**kwargs))
    assert info.value.field == field
    assert message in info.value.message
    assert str(info.value).startswith(f"{field}: ")


@pytest.mark.parametrize("text,expected", [
    ("release=kube-prometheus-stack", ("release", "kube-prometheus-stack")),
    ("app.kubernetes.io/part-of=istio", ("app.kubernetes.io/part-of", "istio")),
    ("team=", ("team", "")),
    ("Team_1=Platform.Core", ("Team_1", "Platform.Core")),
])
def test_parse_label_accepts_kubernetes_labels(text, expected):
    assert parse_label(text) == expected


@pytest.mark.parametrize("text,message", [
    ("release", "invalid label 'release': expected KEY=VALUE"),
    ("=x", "label key must not be empty"),
    ("k=v=w", "invalid value 'v=w' for label 'k'"),
    ("k=a b", "invalid value 'a b'"),
    ("a/b/c=x", "DNS-1123 subdomain"),
    ("k-=x", "invalid label key 'k-'"),
])
def test_parse_label_refuses_bad_labels(text, message):
    with pytest.raises(InputError, match=re.escape(message)) as info:
        parse_label(text)
    assert info.value.field == "--label"


@pytest.mark.parametrize("text,ms", [("15s", 15000), ("1m30s", 90000), ("500ms", 500), ("1h", 3600000),
                                     ("1d", 86400000), ("1w", 604800000), ("1y", 31536000000), ("0", 0)])
def test_parse_duration_ms(text, ms):
    assert parse_duration_ms(text) == ms


# --------------------------------------------------------------------------- substitution


def test_substitution_is_whole_value_typed_and_not_rescanned():
    template = {"a": "${x}", "b": ["${y}", "keep"], "c": "pre-${s}-post", "${s}": "key untouched",
                "d": "${gone}", "e": ["${gone}", 1]}
    params = {"x": {"m": ["${s}"]}, "y": 3, "s": "${x}", "gone": None}
    got = substitute(template, params)
    assert got == {"a": {"m": ["${s}"]}, "b": [3, "keep"], "c": "pre-${x}-post", "${s}": "key untouched",
                   "e": [1]}
    got["a"]["m"].append("z")
    assert params["x"] == {"m": ["${s}"]}


@pytest.mark.parametrize("template,params,message", [
    ({"a": "${nope}"}, {}, "unknown placeholder ${nope}"),
    ({"a": "x-${n}"}, {"n": 3}, "needs a string value"),
    ({"a": "${1}"}, {}, "malformed placeholder"),
    ({"a": "${__import__('os')}"}, {}, "malformed placeholder"),
])
def test_substitution_errors(template, params, message):
    with pytest.raises(InputError, match=re.escape(message)):
        substitute(template, params)


def test_no_placeholder_survives_in_generated_output():
    for only in ONLY_SUBSETS:
        for egress in (True, False):
            text = yaml.safe_dump_all(istio_monitors(IstioOptions(only=only, egress=egress)))
            assert "${" not in text
    assert "${" not in yaml.safe_dump(mesh_config_fragment())


# --------------------------------------------------------------------------- samples


def _load_all(path: Path) -> list:
    return [d for d in yaml.safe_load_all(path.read_text()) if d is not None]


def test_sample_monitors_are_the_default_preset_output():
    assert _load_all(SAMPLES / "istio" / "monitors.yaml") == istio_monitors(IstioOptions())


def test_sample_prometheus_cr_selects_the_sample_monitors():
    from migrator.version import Version
    (cr,) = _load_all(SAMPLES / "istio" / "prometheus.yaml")
    assert cr["kind"] == "Prometheus" and cr["apiVersion"] == "monitoring.coreos.com/v1"
    assert (cr["metadata"]["name"], cr["metadata"]["namespace"]) == ("kube-prometheus-stack-prometheus", "monitoring")
    spec = cr["spec"]
    assert Version.parse(spec["version"]).at_least("2.42.0")
    assert spec["image"].endswith(":" + spec["version"])
    assert spec["scrapeInterval"] == "30s"
    assert spec["podMonitorNamespaceSelector"] == {} and spec["serviceMonitorNamespaceSelector"] == {}
    for m in _load_all(SAMPLES / "istio" / "monitors.yaml"):
        selector = spec["podMonitorSelector" if m["kind"] == "PodMonitor" else "serviceMonitorSelector"]
        assert set(selector) == {"matchLabels"}
        assert selector["matchLabels"].items() <= m["metadata"]["labels"].items()


def test_sample_raw_configs_hold_the_same_istio_jobs():
    from migrator.scrapeconfig import read_jobs
    from migrator.sources import load_documents
    full = yaml.safe_load((SAMPLES / "raw" / "istio-prometheus.yml").read_text())
    bare = yaml.safe_load((SAMPLES / "raw" / "additional-scrape-configs.yaml").read_text())
    assert isinstance(bare, list) and full["scrape_configs"] == bare
    jobs = {j["job_name"]: j for j in bare}
    assert list(jobs) == ["istiod", "envoy-stats", "kubernetes-pods"]
    assert jobs["istiod"]["kubernetes_sd_configs"] == [{"role": "endpoints", "namespaces": {"names": ["istio-system"]}}]
    assert jobs["istiod"]["relabel_configs"][0] == {
        "source_labels": ["__meta_kubernetes_service_name", "__meta_kubernetes_endpoint_port_name"],
        "action": "keep", "regex": "istiod;http-monitoring"}
    assert jobs["envoy-stats"]["kubernetes_sd_configs"] == [{"role": "pod"}]
    assert jobs["envoy-stats"]["metrics_path"] == "/stats/prometheus"
    assert jobs["envoy-stats"]["relabel_configs"][0]["regex"] == ".*-envoy-prom"
    for name in ("istio-prometheus.yml", "additional-scrape-configs.yaml"):
        read = read_jobs(load_documents([str(SAMPLES / "raw" / name)]))
        assert [j.name for j in read.jobs] == list(jobs)
        assert [p for j in read.jobs for p in j.problems] == []


# inventory -----------------------------------------------------------------


@pytest.fixture(scope="module")
def inventory() -> dict[str, list[dict]]:
    from migrator.sources import load_documents
    docs = load_documents([str(SAMPLES / "inventory" / "cluster.yaml")])
    out: dict[str, list[dict]] = {}
    for d in docs:
        out.setdefault(d.kind, []).append(d.data)
    return out


def _matches(selector: dict, labels: dict) -> bool:
    for k, v in (selector.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for e in selector.get("matchExpressions") or []:
        op, key = e["operator"], e["key"]
        if op == "Exists" and key not in labels or op == "DoesNotExist" and key in labels:
            return False
        if op == "In" and labels.get(key) not in e["values"]:
            return False
        if op == "NotIn" and key in labels and labels[key] in e["values"]:
            return False
    return True


def _has_sidecar(pod: dict) -> bool:
    return any(c["name"] == "istio-proxy" for c in pod["spec"]["containers"])


def test_inventory_is_a_kubectl_list_of_a_small_istio_cluster(inventory):
    raw = yaml.safe_load((SAMPLES / "inventory" / "cluster.yaml").read_text())
    assert raw["kind"] == "List" and raw["apiVersion"] == "v1"
    assert set(inventory) == {"Pod", "Service", "Endpoints", "EndpointSlice", "Node", "Namespace"}
    assert len(inventory["Node"]) == 2
    namespaces = {n["metadata"]["name"]: n for n in inventory["Namespace"]}
    assert {"istio-system", "monitoring", "default", "shop"} <= set(namespaces)
    assert namespaces["shop"]["metadata"]["labels"]["istio-injection"] == "enabled"
    uids = [o["metadata"]["uid"] for objs in inventory.values() for o in objs]
    assert len(uids) == len(set(uids))
    nodes = {n["metadata"]["name"]: n for n in inventory["Node"]}
    for pod in inventory["Pod"]:
        assert pod["metadata"]["namespace"] in namespaces
        assert pod["spec"]["nodeName"] in nodes
        node_ip = next(a["address"] for a in nodes[pod["spec"]["nodeName"]]["status"]["addresses"]
                       if a["type"] == "InternalIP")
        assert pod["status"]["hostIP"] == node_ip
        assert pod["status"]["podIP"] and pod["metadata"]["ownerReferences"]
        assert {c["name"] for c in pod["status"]["containerStatuses"]} == \
            {c["name"] for c in pod["spec"]["containers"]}
    ips = [p["status"]["podIP"] for p in inventory["Pod"]]
    assert len(ips) == len(set(ips))


def test_inventory_pods_cover_the_cases(inventory):
    pods = {(p["metadata"]["namespace"], p["metadata"]["name"]): p for p in inventory["Pod"]}
    phases = [p["status"]["phase"] for p in pods.values()]
    assert phases.count("Succeeded") == 1 and set(phases) == {"Running", "Succeeded"}
    done = next(p for p in pods.values() if p["status"]["phase"] == "Succeeded")
    assert done["metadata"]["ownerReferences"][0]["kind"] == "Job"
    ready = {c["type"]: c["status"] for c in done["status"]["conditions"]}
    assert ready["Ready"] == "False"
    assert any(not _has_sidecar(p) for p in pods.values())
    meshed = [p for (ns, _), p in pods.items() if ns == "shop" and _has_sidecar(p) and p["status"]["phase"] == "Running"]
    assert 3 <= len(meshed) <= 4
    for p in meshed + [done]:
        labels, ann = p["metadata"]["labels"], p["metadata"]["annotations"]
        assert {"service.istio.io/canonical-name", "service.istio.io/canonical-revision"} <= set(labels)
        assert p["status"]["phase"] != "Running" or {"app", "version"} <= set(labels)
        assert ann["prometheus.io/scrape"] == "true" and ann["prometheus.io/port"] == "15020"
        assert ann["prometheus.io/path"] == "/stats/prometheus"
        proxy = next(c for c in p["spec"]["containers"] if c["name"] == "istio-proxy")
        assert {"containerPort": 15090, "name": "http-envoy-prom", "protocol": "TCP"} in proxy["ports"]
    gateways = {p["metadata"]["labels"].get("istio"): p for p in pods.values()
                if p["metadata"]["namespace"] == "istio-system" and "gateway" in p["metadata"]["name"]}
    assert set(gateways) == {"ingressgateway", "egressgateway"}
    for kind, p in gateways.items():
        assert p["metadata"]["labels"]["app"] == f"istio-{kind}"
        (proxy,) = p["spec"]["containers"]
        assert proxy["name"] == "istio-proxy"
        assert {"containerPort": 15090, "name": "http-envoy-prom", "protocol": "TCP"} in proxy["ports"]
        assert all(cs["ready"] for cs in p["status"]["containerStatuses"])


def test_inventory_services_endpoints_and_slices_agree(inventory):
    pods = {(p["metadata"]["namespace"], p["metadata"]["name"]): p for p in inventory["Pod"]}
    endpoints_ = {(e["metadata"]["namespace"], e["metadata"]["name"]): e for e in inventory["Endpoints"]}
    slices = {(s["metadata"]["namespace"], s["metadata"]["labels"]["kubernetes.io/service-name"]): s
              for s in inventory["EndpointSlice"]}
    for svc in inventory["Service"]:
        key = (svc["metadata"]["namespace"], svc["metadata"]["name"])
        ep, sl = endpoints_[key], slices[key]
        (subset,) = ep["subsets"]
        assert [a["ip"] for a in subset["addresses"]] == [e["addresses"][0] for e in sl["endpoints"]]
        assert subset["ports"] == sl["ports"]
        selector = svc["spec"].get("selector")
        if selector is None:  # default/kubernetes: the API server, outside the pod set
            continue
        selected = sorted(p["status"]["podIP"] for p in pods.values()
                          if p["metadata"]["namespace"] == key[0] and p["status"]["phase"] == "Running"
                          and _matches({"matchLabels": selector}, p["metadata"]["labels"]))
        assert selected == sorted(a["ip"] for a in subset["addresses"]), key
        for a in subset["addresses"]:
            pod = pods[(a["targetRef"]["namespace"], a["targetRef"]["name"])]
            assert a["targetRef"]["uid"] == pod["metadata"]["uid"] and a["nodeName"] == pod["spec"]["nodeName"]
        assert len(svc["spec"]["ports"]) == len(subset["ports"])
        for sp, epp in zip(svc["spec"]["ports"], subset["ports"]):
            assert sp["name"] == epp["name"] and sp["targetPort"] == epp["port"]
    istiod = next(s for s in inventory["Service"] if s["metadata"]["name"] == "istiod")
    assert {(p["name"], p["port"], p["targetPort"]) for p in istiod["spec"]["ports"]} == {
        ("grpc-xds", 15010, 15010), ("https-dns", 15012, 15012), ("https-webhook", 443, 15017),
        ("http-monitoring", 15014, 15014)}
    assert istiod["metadata"]["namespace"] == "istio-system" and istiod["metadata"]["labels"]["app"] == "istiod"
    assert {(s["metadata"]["namespace"], s["metadata"]["name"]) for s in inventory["Service"]} >= {
        ("shop", "frontend"), ("shop", "cart"), ("shop", "catalog")}


def test_default_monitors_select_the_expected_inventory_objects(inventory):
    """What the default monitors select in the sample cluster (selector and port level)."""
    monitors = by_name(istio_monitors(IstioOptions()))

    def pods_for(m):
        ns_sel = m["spec"]["namespaceSelector"]
        out = []
        for p in inventory["Pod"]:
            if not ns_sel.get("any") and p["metadata"]["namespace"] not in ns_sel["matchNames"]:
                continue
            if not _matches(m["spec"]["selector"], p["metadata"]["labels"]):
                continue
            ports = {pt.get("name") for c in p["spec"]["containers"] for pt in c.get("ports", [])}
            if endpoints(m)[0]["port"] in ports:
                out.append(p["metadata"]["name"])
        return sorted(out)

    sidecars = pods_for(monitors["istio-envoy-pod-monitor"])
    # every injected pod (the 4 shop apps, the completed Job) and the gateways: they carry the label too
    assert len(sidecars) == 7
    assert any(n.startswith("db-migrate-") for n in sidecars)
    assert sum(n.startswith("istio-") for n in sidecars) == 2
    assert [n.split("-")[1] for n in pods_for(monitors["istio-gateways-pod-monitor"])] == \
        ["egressgateway", "ingressgateway"]
    istiod = monitors["istiod-service-monitor"]
    services = [s for s in inventory["Service"]
                if s["metadata"]["namespace"] in istiod["spec"]["namespaceSelector"]["matchNames"]
                and _matches(istiod["spec"]["selector"], s["metadata"]["labels"])]
    assert [s["metadata"]["name"] for s in services] == ["istiod"]
    assert "http-monitoring" in {p["name"] for p in services[0]["spec"]["ports"]}
