"""Round trip, property-tested: random monitors -> portable render -> migrate -> monitors that select the same
targets with the same final labels, on random small inventories (evaluated with migrator.targets)."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migrator.inventory import Inventory
from migrator.migrate import MigrateOptions, migrate_jobs, prove
from migrator.render import AssetStore, RenderContext, render_monitors
from migrator.scrapeconfig import read_jobs
from migrator.sources import Document, parse_documents
from migrator.validate import validate_monitor

NAMESPACES = ["a", "b", "monitoring"]
KEYS = ["app", "tier", "app.kubernetes.io/name"]
VALUES = ["x", "y", "z-1", ""]
PORTS = [("metrics", 9090), ("http", 8080), (None, 7070)]
PHASES = ["Running", "Running", "Running", "Pending", "Failed", "Succeeded"]

labels_st = st.dictionaries(st.sampled_from(KEYS), st.sampled_from(VALUES), max_size=3)
#: pods sometimes carry every key (so that selectors match something)


@st.composite
def inventories(draw):
    objs: list[dict] = []
    pods_by_ns: dict[str, list[dict]] = {}
    n = draw(st.integers(2, 8))
    for i in range(n):
        ns = draw(st.sampled_from(NAMESPACES))
        ports = draw(st.lists(st.sampled_from(PORTS), max_size=2, unique=True))
        phase = draw(st.sampled_from(PHASES))
        ip = f"10.0.0.{i + 10}"
        pod = {"apiVersion": "v1", "kind": "Pod",
               "metadata": {"name": f"p{i}", "namespace": ns, "labels": draw(labels_st), "uid": f"uid-{i}"},
               "spec": {"nodeName": "n1", "containers": [
                   {"name": "c", "ports": [{"containerPort": num, "protocol": "TCP", **({"name": nm} if nm else {})}
                                           for nm, num in ports]}]},
               "status": {"phase": phase, "podIP": ip, "hostIP": "10.1.0.1",
                          "conditions": [{"type": "Ready", "status": "True" if phase == "Running" else "False"}]}}
        objs.append(pod)
        pods_by_ns.setdefault(ns, []).append(pod)
    for j in range(draw(st.integers(0, 3))):
        ns = draw(st.sampled_from(NAMESPACES))
        members = [p for p in pods_by_ns.get(ns, []) if draw(st.integers(0, 3)) > 0]
        ports = draw(st.lists(st.sampled_from(PORTS[:2]), min_size=1, max_size=2, unique=True))
        name = f"s{j}"
        labels = draw(labels_st)
        objs.append({"apiVersion": "v1", "kind": "Service",
                     "metadata": {"name": name, "namespace": ns, "labels": labels, "uid": f"svc-{j}"},
                     "spec": {"ports": [{"name": nm, "port": num, "targetPort": num, "protocol": "TCP"}
                                        for nm, num in ports]}})
        addrs = [{"ip": p["status"]["podIP"], "nodeName": "n1",
                  "targetRef": {"kind": "Pod", "name": p["metadata"]["name"], "namespace": ns,
                                "uid": p["metadata"]["uid"]}} for p in members]
        objs.append({"apiVersion": "v1", "kind": "Endpoints",
                     "metadata": {"name": name, "namespace": ns, "labels": labels},
                     "subsets": [{"addresses": addrs, "ports": [{"name": nm, "port": num, "protocol": "TCP"}
                                                                for nm, num in ports]}] if addrs else []})
        objs.append({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "addressType": "IPv4",
                     "metadata": {"name": f"{name}-x", "namespace": ns,
                                  "labels": {**labels, "kubernetes.io/service-name": name}},
                     "endpoints": [{"addresses": [a["ip"]], "conditions": {"ready": True}, "nodeName": "n1",
                                    "targetRef": a["targetRef"]} for a in addrs],
                     "ports": [{"name": nm, "port": num, "protocol": "TCP"} for nm, num in ports]})
    for ns in NAMESPACES:
        objs.append({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
    return Inventory.from_objects(objs)


expr_st = st.one_of(
    st.builds(lambda k, vs: {"key": k, "operator": "In", "values": vs}, st.sampled_from(KEYS),
              st.lists(st.sampled_from(VALUES[:3]), min_size=1, max_size=2, unique=True)),
    st.builds(lambda k, vs: {"key": k, "operator": "NotIn", "values": vs}, st.sampled_from(KEYS),
              st.lists(st.sampled_from(VALUES[:3]), min_size=1, max_size=2, unique=True)),
    st.builds(lambda k: {"key": k, "operator": "Exists"}, st.sampled_from(KEYS)),
    st.builds(lambda k: {"key": k, "operator": "DoesNotExist"}, st.sampled_from(KEYS)),
)
relabel_st = st.sampled_from([
    {"action": "labelmap", "regex": "__meta_kubernetes_pod_label_(.+)"},
    {"sourceLabels": ["__meta_kubernetes_pod_name"], "targetLabel": "instance"},
    {"sourceLabels": ["__meta_kubernetes_pod_phase"], "targetLabel": "phase"},
    {"sourceLabels": ["namespace", "pod"], "separator": "/", "targetLabel": "instance"},
    {"sourceLabels": ["job"], "targetLabel": "original_job"},
    {"action": "labeldrop", "regex": "container"},
    {"sourceLabels": ["__meta_kubernetes_pod_label_tier"], "regex": "x", "action": "drop"},
])


@st.composite
def monitors(draw):
    kind = draw(st.sampled_from(["PodMonitor", "ServiceMonitor"]))
    sel: dict = {}
    if draw(st.booleans()):  # half of the monitors select everything: their targets are many
        ml = draw(st.dictionaries(st.sampled_from(KEYS), st.sampled_from(VALUES[:2]), max_size=1))
        if ml:
            sel["matchLabels"] = ml
        exprs = draw(st.lists(expr_st, max_size=2))
        if exprs:
            sel["matchExpressions"] = exprs
    ep: dict = {}
    port = draw(st.sampled_from([None, None, "metrics", "http", 9090]))
    if isinstance(port, int):
        if kind == "PodMonitor":
            ep["portNumber"] = port
    elif port:
        ep["port"] = port
    if draw(st.booleans()):
        ep["path"] = draw(st.sampled_from(["/metrics", "/stats/prometheus"]))
    if draw(st.booleans()):
        ep["interval"] = draw(st.sampled_from(["15s", "1m"]))
    if draw(st.booleans()):
        ep["filterRunning"] = draw(st.booleans())
    if draw(st.booleans()):
        ep["honorLabels"] = True
    rl = draw(st.lists(relabel_st, max_size=3))
    if rl:
        ep["relabelings"] = rl
    spec: dict = {"selector": sel, "podMetricsEndpoints" if kind == "PodMonitor" else "endpoints": [ep]}
    nsel = draw(st.sampled_from([None, {"any": True}, {"any": True}, {"matchNames": ["a"]},
                                 {"matchNames": ["a", "b"]}]))
    if nsel is not None:
        spec["namespaceSelector"] = nsel
    if kind == "ServiceMonitor":
        role = draw(st.sampled_from([None, "Endpoints", "EndpointSlice"]))
        if role:
            spec["serviceDiscoveryRole"] = role
        if draw(st.booleans()):
            spec["targetLabels"] = ["app"]
    return {"apiVersion": "monitoring.coreos.com/v1", "kind": kind,
            "metadata": {"name": "m", "namespace": draw(st.sampled_from(["a", "monitoring"]))}, "spec": spec}


def _roundtrip(monitor: dict, inv: Inventory, adopt: bool = False) -> None:
    assert validate_monitor(Document(monitor, "<m>")) == []
    ctx = RenderContext.from_cr(None)
    jobs = render_monitors([monitor], ctx, AssetStore(), mode="portable").jobs
    parsed = read_jobs(parse_documents(yaml.safe_dump({"scrape_configs": jobs}, sort_keys=False), "<rendered>"))
    opts = MigrateOptions(inventory=inv, adopt_operator_labels=adopt)
    migrated = migrate_jobs(parsed.jobs, opts)
    assert len(migrated) == len(parsed.jobs) == 1
    for m, job in zip(migrated, parsed.jobs):
        assert m.status in ("exact", "relabelings"), m.reasons
        assert [r["kind"] for r in m.resources] == [monitor["kind"]]
        for r in m.resources:
            assert validate_monitor(Document(r, "<migrated>")) == []
        p = prove(m, job, opts)
        if p is not None and p.unproven:  # nothing selected on this inventory: prove it on witnesses
            from migrator.migrate.prove import prove_with_witnesses

            p = prove_with_witnesses(m, job, opts)
        assert p is not None and (not p.note or p.unproven), p and p.summary()
        if adopt:
            _differences_are_listed(p, m, inv)
        else:
            assert p.equivalent, (p.summary(), p.only_before, p.only_after, p.changed)


def _differences_are_listed(p, m, inv: Inventory) -> None:
    """--adopt-operator-labels: the proof may differ from the original, but only as the migration says
    (label_changes): labels the operator adds or sets, and targets of Failed/Succeeded pods dropped."""
    assert not p.only_after, p.only_after
    listed = {c.split(":", 1)[0] for c in m.label_changes}
    for before, after in p.changed:
        differ = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
        assert differ <= listed, (differ - listed, m.label_changes)
    if p.only_before:
        assert any("Failed or Succeeded" in c for c in m.label_changes), m.label_changes
        phase = {pod["status"]["podIP"]: pod["status"]["phase"] for pod in inv.list("Pod")}
        for t in p.only_before:
            assert phase.get(t["__address__"].rsplit(":", 1)[0]) in ("Failed", "Succeeded"), t


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(monitors(), inventories())
def test_roundtrip_monitor_render_migrate(monitor, inv):
    _roundtrip(monitor, inv)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(monitors(), inventories())
def test_roundtrip_adopting_operator_labels_differs_only_as_listed(monitor, inv):
    _roundtrip(monitor, inv, adopt=True)


def test_roundtrip_recovers_the_selector():
    """The operator's selector rules come back as a selector, not as relabelings."""
    mon = {"apiVersion": "monitoring.coreos.com/v1", "kind": "PodMonitor",
           "metadata": {"name": "m", "namespace": "a"},
           "spec": {"selector": {"matchLabels": {"app.kubernetes.io/name": "x"},
                                 "matchExpressions": [{"key": "tier", "operator": "In", "values": ["x", "y"]},
                                                      {"key": "app", "operator": "Exists"}]},
                    "namespaceSelector": {"matchNames": ["a", "b"]},
                    "podMetricsEndpoints": [{"port": "metrics"}]}}
    jobs = render_monitors([mon], RenderContext.from_cr(None), AssetStore(), mode="portable").jobs
    parsed = read_jobs(parse_documents(yaml.safe_dump({"scrape_configs": jobs}, sort_keys=False), "<r>"))
    [m] = migrate_jobs(parsed.jobs, MigrateOptions())
    spec = m.resources[0]["spec"]
    assert spec["namespaceSelector"] == {"matchNames": ["a", "b"]}
    assert spec["podMetricsEndpoints"][0]["port"] == "metrics"
    assert "filterRunning" not in spec["podMetricsEndpoints"][0]
    sel = spec["selector"]
    assert sel["matchLabels"] == {"app.kubernetes.io/name": "x"}
    assert {"key": "tier", "operator": "In", "values": ["x", "y"]} in sel["matchExpressions"]
    assert {"key": "app", "operator": "Exists"} in sel["matchExpressions"]
    # what stays: only the operator's own job/label rules, no selector rule
    kept = [r for r in spec["podMetricsEndpoints"][0].get("relabelings", []) if r.get("action") in ("keep", "drop")]
    assert kept == []


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(monitors(), inventories(), st.booleans())
def _slow_roundtrip(monitor, inv, adopt):
    _roundtrip(monitor, inv, adopt)


@pytest.mark.slow
def test_roundtrip_many():
    _slow_roundtrip()


REPO = __import__("pathlib").Path(__file__).resolve().parents[1]
REAL = REPO.parent / "shared" / "oracle" / "real-configs"
MONITOR_FILES = ["istio-extras-prometheus-operator.yaml", "kube-prometheus-servicemonitor-apiserver.yaml",
                 "kube-prometheus-servicemonitors-misc.yaml", "linkerd-control-plane-podmonitors.yaml",
                 "strimzi-podmonitors.yaml"]


@pytest.mark.parametrize("name", MONITOR_FILES)
def test_roundtrip_real_monitors(name):
    """The corpus's real monitors: rendered portable, migrated back, same targets and labels."""
    from migrator.inventory import load_inventory

    path = REAL / name
    if not path.exists():
        pytest.skip(f"../shared is not beside the checkout ({path} missing)")
    docs = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8"))
            if isinstance(d, dict) and d.get("kind") in ("PodMonitor", "ServiceMonitor")]
    jobs = render_monitors(docs, RenderContext.from_cr(None), AssetStore(), mode="portable").jobs
    parsed = read_jobs(parse_documents(yaml.safe_dump({"scrape_configs": jobs}, sort_keys=False), name))
    kept = 0
    for inv_path in (REPO / "samples" / "inventory" / "cluster.yaml", REPO / "tests" / "fixtures" / "migrate" / "linkerd.yaml"):
        opts = MigrateOptions(inventory=load_inventory([str(inv_path)]))
        for m, job in zip(migrate_jobs(parsed.jobs, opts), parsed.jobs):
            assert m.status in ("exact", "relabelings"), m.reasons
            p = prove(m, job, opts)
            assert p.equivalent, p.summary()
            kept += len(p.before.kept)
    if name.startswith(("istio", "kube-prometheus-servicemonitor-apiserver", "linkerd")):
        assert kept > 0
