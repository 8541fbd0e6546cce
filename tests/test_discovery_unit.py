"""Kubernetes SD unit tables: sanitising, selectors, namespaces, version differences, edge cases."""

from __future__ import annotations

import copy

import pytest

from migrator.discovery import (ROLE_KIND, ROLES, TargetGroup, check_sd_config, check_sd_configs, discover, flatten,
                                 roles)
from migrator.discovery.common import ALLOWED_SELECTORS
from migrator.discovery.common import join_host_port, sanitize
from migrator.discovery.selectors import parse_field_selector, parse_label_selector
from migrator.errors import InputError
from migrator.inventory import Inventory
from migrator.version import Version

M = "__meta_kubernetes_"


# -- object builders ----------------------------------------------------------------------------

def pod(name="p1", ns="default", ip="10.0.0.1", node="n1", labels=None, annotations=None, containers=None,
        init_containers=None, owner=None, phase="Running", ready="True", **status):
    md = {"name": name, "namespace": ns, "uid": f"uid-{name}"}
    if labels is not None:
        md["labels"] = labels
    if annotations is not None:
        md["annotations"] = annotations
    if owner is not None:
        md["ownerReferences"] = [{"kind": owner[0], "name": owner[1], "controller": True}]
    spec = {"nodeName": node, "containers": containers if containers is not None else
            [{"name": "app", "image": "app:1", "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}]}]}
    if init_containers is not None:
        spec["initContainers"] = init_containers
    st = {"podIP": ip, "hostIP": "192.168.0.1", "phase": phase,
          "conditions": [{"type": "Ready", "status": ready}], **status}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": md, "spec": spec, "status": st}


def node(name="n1", labels=None, annotations=None, addresses=(("InternalIP", "192.168.0.1"),), port=10250,
         conditions=None):
    md = {"name": name, "labels": labels or {}, "annotations": annotations or {}}
    st = {"addresses": [{"type": t, "address": a} for t, a in addresses],
          "daemonEndpoints": {"kubeletEndpoint": {"Port": port}}}
    if conditions is not None:
        st["conditions"] = [{"type": t, "status": v} for t, v in conditions]
    return {"apiVersion": "v1", "kind": "Node", "metadata": md, "spec": {"providerID": "pid"}, "status": st}


def service(name="svc", ns="default", labels=None, annotations=None, type_="ClusterIP", ports=((80, "web"),), **spec):
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "namespace": ns, "labels": labels or {}, "annotations": annotations or {}},
            "spec": {"type": type_, "clusterIP": "10.96.0.1", "ports": [{"name": n, "port": p, "protocol": "TCP"}
                                                                        for p, n in ports], **spec}}


def endpoints(name="svc", ns="default", addrs=(("10.0.0.1", "p1"),), port=8080, not_ready=(), labels=None,
              annotations=None, node_name=None):
    def addr(ip, pname):
        a = {"ip": ip}
        if pname:
            a["targetRef"] = {"kind": "Pod", "name": pname, "namespace": ns}
        if node_name is not None:
            a["nodeName"] = node_name
        return a
    return {"apiVersion": "v1", "kind": "Endpoints",
            "metadata": {"name": name, "namespace": ns, "labels": labels or {}, "annotations": annotations or {}},
            "subsets": [{"addresses": [addr(*a) for a in addrs], "notReadyAddresses": [addr(*a) for a in not_ready],
                         "ports": [{"name": "web", "port": port, "protocol": "TCP"}]}]}


def slice_(name="svc-abc", ns="default", svc="svc", addrs=(("10.0.0.1", "p1"),), port=8080, address_type="IPv4",
           labels=None, **ep_extra):
    lab = {"kubernetes.io/service-name": svc, **(labels or {})}
    eps = []
    for ip, pname in addrs:
        e = {"addresses": [ip], "conditions": {"ready": True}, **ep_extra}
        if pname:
            e["targetRef"] = {"kind": "Pod", "name": pname, "namespace": ns}
        eps.append(e)
    return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": name, "namespace": ns, "labels": lab}, "addressType": address_type,
            "ports": [{"name": "web", "port": port, "protocol": "TCP"}], "endpoints": eps}


def run(sd, objs, version=None, own="default"):
    return {g.source: g for g in discover(sd, Inventory.from_objects(copy.deepcopy(objs)), own_namespace=own,
                                          version=Version.parse(version) if version else None)}


# -- conventions --------------------------------------------------------------------------------

@pytest.mark.parametrize("key,want", [
    ("app.kubernetes.io/name", "app_kubernetes_io_name"),
    ("test/label", "test_label"),
    ("a-b:c d", "a_b_c_d"),
    ("Été", "_t_"),            # one underscore per code point, not per byte
    ("日本", "__"),
    ("already_OK_09", "already_OK_09"),
])
def test_sanitize(key, want):
    assert sanitize(key) == want


@pytest.mark.parametrize("host,port,want", [
    ("10.0.0.1", 80, "10.0.0.1:80"),
    ("2001:db8::1", 9090, "[2001:db8::1]:9090"),
    ("", 9000, ":9000"),
    ("svc.ns.svc", "443", "svc.ns.svc:443"),
])
def test_join_host_port(host, port, want):
    assert join_host_port(host, port) == want


def test_label_keys_and_present_labels_on_pod():
    g = run({"role": "pod"}, [pod(labels={"app.kubernetes.io/name": "x", "empty": ""},
                                  annotations={"prometheus.io/scrape": "true"})])["pod/default/p1"]
    assert g.labels[M + "pod_label_app_kubernetes_io_name"] == "x"
    assert g.labels[M + "pod_labelpresent_app_kubernetes_io_name"] == "true"
    assert g.labels[M + "pod_label_empty"] == ""
    assert g.labels[M + "pod_labelpresent_empty"] == "true"
    assert g.labels[M + "pod_annotation_prometheus_io_scrape"] == "true"
    assert g.labels[M + "pod_annotationpresent_prometheus_io_scrape"] == "true"


# -- label selectors ----------------------------------------------------------------------------

@pytest.mark.parametrize("sel,labels,want", [
    ("", {}, True),
    ("app=web", {"app": "web"}, True),
    ("app==web", {"app": "db"}, False),
    ("app!=web", {}, True),                    # != matches when absent
    ("app!=web", {"app": "web"}, False),
    ("app in (web, db)", {"app": "db"}, True),
    ("app in (web,db)", {}, False),
    ("app notin (web,db)", {}, True),          # notin matches when absent
    ("app notin (web,db)", {"app": "web"}, False),
    ("app", {"app": ""}, True),
    ("!app", {"app": "x"}, False),
    ("!app", {"other": "x"}, True),
    ("tier=fe,app", {"tier": "fe"}, False),    # comma is AND
    ("tier=fe, app", {"tier": "fe", "app": "a"}, True),
    ("replicas>2", {"replicas": "3"}, True),
    ("replicas>2", {"replicas": "2"}, False),
    ("replicas<2", {"replicas": "x"}, False),  # non-integer value never matches
    ("replicas<2", {}, False),
    ("app.kubernetes.io/name=web", {"app.kubernetes.io/name": "web"}, True),
    ("app=", {"app": ""}, True),
])
def test_label_selector(sel, labels, want):
    assert parse_label_selector(sel).matches(labels) is want


@pytest.mark.parametrize("sel", ["app in ()", "app in (a", "=x", "app=a b", "app>x", "-bad=x", "app=,",
                                 "a/b/c=x", "app notin web", "app=" + "x" * 64])
def test_label_selector_invalid(sel):
    with pytest.raises(ValueError):
        parse_label_selector(sel)


@pytest.mark.parametrize("sel,kind,obj,want", [
    ("", "Pod", pod(), True),
    ("metadata.name=p1", "Pod", pod(), True),
    ("metadata.name!=p1", "Pod", pod(), False),
    ("metadata.namespace==default,status.phase=Running", "Pod", pod(), True),
    ("status.phase=Running", "Pod", pod(phase="Succeeded"), False),
    ("spec.nodeName=n2", "Pod", pod(node="n2"), True),
    ("status.podIP=10.0.0.1", "Pod", pod(), True),
    ("spec.hostNetwork=false", "Pod", pod(), True),   # unset is false
    ("spec.unschedulable=false", "Node", node(), True),
    ("metadata.name=a\\,b", "Node", node(name="a,b"), True),
])
def test_field_selector(sel, kind, obj, want):
    assert parse_field_selector(sel, kind).matches(obj, kind) is want


@pytest.mark.parametrize("sel,kind", [("status.phase=Running", "Service"), ("spec.foo=1", "Pod"), ("nonsense", "Pod"),
                                      ("metadata.name=a=b", "Pod")])
def test_field_selector_invalid(sel, kind):
    with pytest.raises(ValueError):
        parse_field_selector(sel, kind)


# -- config checks ------------------------------------------------------------------------------

@pytest.mark.parametrize("sd,version,message", [
    ({"role": "endpointslices"}, None, "endpointslices"),
    ({"role": "Pod"}, None, 'unknown Kubernetes SD role "Pod"'),
    ({}, None, "role missing"),
    ({"role": "pod", "selectors": [{"role": "pod"}, {"role": "pod"}]}, None, "duplicated selector role: pod"),
    ({"role": "service", "selectors": [{"role": "pod"}]}, None, "service role supports only service selectors"),
    ({"role": "pod", "selectors": [{"role": "node"}]}, "2.42.0", "pod role supports only pod selectors"),
    ({"role": "pod", "selectors": [{"role": "pod", "label": "a in ("}]}, None, "selectors[0].label"),
    ({"role": "pod", "selectors": [{"role": "pod", "field": "spec.bogus=1"}]}, None, "field label not supported"),
    ({"role": "pod", "attach_metadata": {"namespace": True}}, "3.5.0", "3.6.0"),
    ({"role": "pod", "attach_metadata": {"deployment": True}}, "3.10.2", "3.11.0"),
    ({"role": "pod", "attach_metadata": {"bogus": True}}, None, "bogus"),
    ({"role": {"a": 1}}, None, "cannot unmarshal !!map into string"),
    ({"role": "pod", "namespaces": 5}, None, "namespaces: cannot unmarshal !!int `5`"),
    ({"role": "pod", "selectors": "x"}, None, "selectors: cannot unmarshal !!str `x` into []kubernetes.SelectorConfig"),
    ({"role": "endpointslice"}, "2.20.0", 'unknown Kubernetes SD role "endpointslice" (new in Prometheus v2.21.0'),
    ({"role": "pod", "attach_metadata": {"node": True}}, "2.34.0", "field attach_metadata not found"),
])
def test_config_rejected(sd, version, message):
    with pytest.raises(InputError) as err:
        run(sd, [pod()], version)
    assert message in str(err.value)


# -- check_sd_config: every problem, with its path, never an exception ---------------------------

V242 = Version(2, 42, 0)


@pytest.mark.parametrize("sd,version,want", [
    ({"role": "pod"}, None, []),
    ({"role": "endpointslice", "selectors": [{"role": "pod"}, {"role": "service"}, {"role": "endpointslice"}]},
     V242, []),
    ({"role": "pod", "api_server": "https://k", "bearer_token": "t", "follow_redirects": True}, None, []),
    ({"role": "pod", "follow_redirects": True, "tls_config": {}, "enable_http2": True}, None, []),
    # wrong types: a problem at the value's path, in yaml.v2's words
    ({"role": {"a": 1}}, None,
     [("role", "cannot unmarshal !!map into string (a role is one of: pod, service, endpoints, endpointslice, "
               "node, ingress)")]),
    ({"role": ["pod"]}, None, [("role", "cannot unmarshal !!seq into string (a role is one of: pod, service, "
                                        "endpoints, endpointslice, node, ingress)")]),
    ({"role": 5}, None, [("role", 'unknown Kubernetes SD role "5"')]),
    ({"role": "pod", "namespaces": 5}, None,
     [("namespaces", "cannot unmarshal !!int `5` into kubernetes.plain (namespaces must be a mapping with "
                     "names and own_namespace)")]),
    ({"role": "pod", "namespaces": {"names": "a", "own_namespace": "yes, please", "x": 1}}, None,
     [("namespaces.x", "field x not found in type kubernetes.plain"),
      ("namespaces.names", "cannot unmarshal !!str `a` into []string"),
      ("namespaces.own_namespace", "cannot unmarshal !!str `yes, pl...` into bool")]),
    ({"role": "pod", "namespaces": {"names": ["a", {"b": 1}]}}, None,
     [("namespaces.names[1]", "cannot unmarshal !!map into string")]),
    ({"role": "pod", "selectors": "x"}, None,
     [("selectors", "cannot unmarshal !!str `x` into []kubernetes.SelectorConfig")]),
    ({"role": "pod", "selectors": [5, {"role": "pod", "label": ["a"], "bogus": 1}]}, None,
     [("selectors[0]", "cannot unmarshal !!int `5` into kubernetes.SelectorConfig"),
      ("selectors[1].bogus", "field bogus not found in type kubernetes.SelectorConfig"),
      ("selectors[1].label", "cannot unmarshal !!seq into string")]),
    ({"role": "pod", "attach_metadata": 5}, None,
     [("attach_metadata", "cannot unmarshal !!int `5` into kubernetes.AttachMetadataConfig")]),
    ({"role": "pod", "attach_metadata": {"node": "x"}}, None,
     [("attach_metadata.node", "cannot unmarshal !!str `x` into bool")]),
    ({"role": "pod", "kubeconfig_file": {"a": 1}}, None, [("kubeconfig_file", "cannot unmarshal !!map into string")]),
    ({"role": "pod", "namespace": ["a"], "bogus": 1}, None,
     [("namespace", "field namespace not found in type kubernetes.plain"),
      ("bogus", "field bogus not found in type kubernetes.plain")]),
    (5, None, [("", "cannot unmarshal !!int `5` into kubernetes.plain (a kubernetes_sd_configs entry must be a "
                    "mapping)")]),
    (None, None, [("", "empty or null section in kubernetes_sd_configs")]),
    # roles
    ({}, None, [("role", "role missing (one of: pod, service, endpoints, endpointslice, node, ingress)")]),
    ({"role": None}, None, [("role", "role missing (one of: pod, service, endpoints, endpointslice, node, ingress)")]),
    ({"role": ""}, None, [("role", 'unknown Kubernetes SD role ""')]),
    ({"role": "pods"}, None, [("role", 'unknown Kubernetes SD role "pods" (did you mean pod?)')]),
    ({"role": "endpointslices"}, None,
     [("role", 'unknown Kubernetes SD role "endpointslices" (VictoriaMetrics spelling; Prometheus calls it '
               'endpointslice)')]),
    ({"role": "endpointslice"}, Version(2, 20, 0),
     [("role", 'unknown Kubernetes SD role "endpointslice" (new in Prometheus v2.21.0; this is v2.20.0)')]),
    ({}, Version(2, 20, 0), [("role", "role missing (one of: pod, service, endpoints, node, ingress)")]),
    # selectors: every one judged, duplicates and roles not allowed both reported
    ({"role": "pod", "selectors": [{"role": "node"}, {"role": "pod", "label": "a in (", "field": "x"},
                                   {"role": "pod"}, {"role": "bogus"}, {}]}, V242,
     [("selectors[0].role", "pod role supports only pod selectors"),
      ("selectors[1].field", "invalid selector: 'x'; can't understand 'x'"),
      ("selectors[1].label", "unable to parse requirement: found 'end of string', expected: ',' or ')'"),
      ("selectors[2].role", "duplicated selector role: pod"),
      ("selectors[3].role", 'unknown Kubernetes SD role "bogus"'),
      ("selectors[4].role", "pod role supports only pod selectors")]),
    ({"role": "pod", "selectors": [{"role": "node"}]}, Version(3, 11, 0), []),
    ({"role": "service", "selectors": [{"role": "service", "field": "spec.bogus=1"}]}, None, []),  # API server's
    # attach_metadata by release
    ({"role": "pod", "attach_metadata": {"node": True}}, Version(2, 34, 0),
     [("attach_metadata", "field attach_metadata not found in type kubernetes.plain (new in Prometheus v2.35.0; "
                          "this is v2.34.0)")]),
    ({"role": "pod", "attach_metadata": {"node": True, "namespace": True, "cronjob": True}}, V242,
     [("attach_metadata.namespace", "field namespace not found in type kubernetes.AttachMetadataConfig (new in "
                                    "Prometheus v3.6.0; this is v2.42.0)"),
      ("attach_metadata.cronjob", "field cronjob not found in type kubernetes.AttachMetadataConfig (new in "
                                  "Prometheus v3.11.0; this is v2.42.0)")]),
    ({"role": "pod", "attach_metadata": {"node": True, "namespace": True, "cronjob": True}}, None, []),
    # connection settings (SDConfig.UnmarshalYAML)
    ({"role": "pod", "api_server": "https://k", "kubeconfig_file": "/k", "namespaces": {"own_namespace": True}},
     None, [("kubeconfig_file", "cannot use 'kubeconfig_file' and 'api_server' simultaneously"),
            ("namespaces.own_namespace", "cannot use 'api_server' and 'namespaces.own_namespace' simultaneously"),
            ("namespaces.own_namespace", "cannot use 'kubeconfig_file' and 'namespaces.own_namespace' "
                                         "simultaneously")]),
    ({"role": "pod", "bearer_token": "t"}, None,
     [("", "to use custom HTTP client configuration please provide the 'api_server' URL explicitly")]),
    ({"role": "pod", "follow_redirects": False, "kubeconfig_file": "/k"}, None,
     [("", "cannot use a custom HTTP client configuration together with 'kubeconfig_file'"),
      ("", "to use custom HTTP client configuration please provide the 'api_server' URL explicitly")]),
])
def test_check_sd_config(sd, version, want):
    got = [(p.field, p.message) for p in check_sd_config(sd, version)]
    assert got == want


def test_check_sd_configs_paths_start_at_the_entry():
    assert [str(p) for p in check_sd_configs([{"role": "pod"}, {"role": "pods", "namespaces": 5}])] == [
        '[1].role: unknown Kubernetes SD role "pods" (did you mean pod?)',
        "[1].namespaces: cannot unmarshal !!int `5` into kubernetes.plain (namespaces must be a mapping with "
        "names and own_namespace)"]
    assert [str(p) for p in check_sd_configs(5)] == ["cannot unmarshal !!int `5` into []*kubernetes.SDConfig"]
    assert check_sd_configs(None) == []


@pytest.mark.parametrize("sd", [{"role": {"a": 1}}, {"role": "pod", "namespaces": 5}, {"role": "pod", "selectors": "x"},
                                {"role": "pod", "selectors": [None, 1.5, []]}, [], "pod", 5, None,
                                {"role": "pod", "attach_metadata": []}, {"role": "pod", "namespaces": []}])
def test_discover_reports_wrong_types_as_input_errors(sd):
    with pytest.raises(InputError):
        run(sd, [pod()])


def test_discover_reports_every_problem():
    with pytest.raises(InputError) as err:
        run({"role": "pod", "namespaces": 5, "selectors": "x"}, [pod()])
    assert "namespaces: cannot unmarshal" in err.value.message and "selectors: cannot unmarshal" in err.value.message


def test_one_roles_list():
    assert ROLES == ("pod", "service", "endpoints", "endpointslice", "node", "ingress")
    assert roles(Version(2, 20, 0)) == ("pod", "service", "endpoints", "node", "ingress")
    assert roles(V242) == roles() == ROLES
    assert set(ROLE_KIND) == set(ROLES) == set(ALLOWED_SELECTORS)
    # nobody else spells the list out
    import pathlib
    import re

    import migrator

    spelled = re.compile(r'"pod",\s*"service",\s*"endpoints"|"endpoints":\s*"Endpoints",\s*"endpointslice"')
    root = pathlib.Path(migrator.__file__).parent
    owners = [str(p.relative_to(root)) for p in root.rglob("*.py") if spelled.search(p.read_text())]
    assert owners == ["discovery/common.py"]


def test_pod_role_node_selector_accepted_from_3_11():
    assert run({"role": "pod", "selectors": [{"role": "node", "label": "a=b"}]}, [pod()], "3.11.0")


# -- namespaces ---------------------------------------------------------------------------------

OBJS_NS = [pod("a", "ns1"), pod("b", "ns2"), pod("c", "own"), pod("d", "default")]


@pytest.mark.parametrize("namespaces,own,want", [
    (None, "own", {"pod/ns1/a", "pod/ns2/b", "pod/own/c", "pod/default/d"}),
    ({"names": ["ns1"]}, "own", {"pod/ns1/a"}),
    ({"names": ["ns1", "ns1"]}, "own", {"pod/ns1/a"}),            # duplicates: same groups once
    ({"own_namespace": True}, "own", {"pod/own/c"}),
    ({"own_namespace": True, "names": ["ns2"]}, "own", {"pod/ns2/b", "pod/own/c"}),
    ({"own_namespace": True}, "", set()),                         # no own namespace known: nothing
    ({"names": ["nope"]}, "own", set()),
])
def test_namespaces(namespaces, own, want):
    sd = {"role": "pod"} | ({"namespaces": namespaces} if namespaces is not None else {})
    assert set(run(sd, OBJS_NS, own=own)) == want


def test_node_role_ignores_namespaces():
    assert set(run({"role": "node", "namespaces": {"names": ["x"]}}, [node("n1"), node("n2")])) == {"node/n1", "node/n2"}


def test_endpoints_pod_in_other_namespace_does_not_resolve():
    ep = endpoints(ns="ns1")
    ep["subsets"][0]["addresses"][0]["targetRef"]["namespace"] = "ns2"
    objs = [ep, pod("p1", "ns2")]
    scoped = run({"role": "endpoints", "namespaces": {"names": ["ns1", "ns2"]}}, objs)["endpoints/ns1/svc"]
    assert M + "pod_name" not in scoped.targets[0]
    everywhere = run({"role": "endpoints"}, objs)["endpoints/ns1/svc"]  # one cluster-wide pod informer
    assert everywhere.targets[0][M + "pod_name"] == "p1"


# -- selectors filter what informers hold -------------------------------------------------------

def test_selectors_in_endpoints_roles():
    objs = [pod(labels={"app": "x"}), service(labels={"team": "a"}), endpoints(), slice_()]
    for role, src in (("endpoints", "endpoints/default/svc"), ("endpointslice", "endpointslice/default/svc-abc")):
        plain = run({"role": role}, objs)[src]
        assert plain.targets[0][M + "pod_name"] == "p1" and plain.labels[M + "service_name"] == "svc"
        filtered = run({"role": role, "selectors": [{"role": "pod", "label": "app=y"},
                                                    {"role": "service", "field": "metadata.name=other"}]}, objs)[src]
        assert M + "pod_name" not in filtered.targets[0]       # target kept, no pod labels
        assert len(filtered.targets) == 1                      # and no extra targets
        assert M + "service_name" not in filtered.labels
        gone = run({"role": role, "selectors": [{"role": role, "label": "nope"}]}, objs)
        assert gone == {}


def test_pod_role_node_selector_with_attach_node():
    objs = [pod("p1", node="n1"), pod("p2", node="n2"), node("n1", labels={"pool": "a"}), node("n2", labels={"pool": "b"})]
    got = run({"role": "pod", "attach_metadata": {"node": True},
               "selectors": [{"role": "node", "label": "pool=a"}]}, objs)
    assert got["pod/default/p1"].labels[M + "node_label_pool"] == "a"
    assert got["pod/default/p2"].targets == [] and got["pod/default/p2"].labels == {}


@pytest.mark.parametrize("version,empty", [("3.10.0", False), ("3.11.0", True), (None, True)])
def test_pod_on_missing_node_with_attach_node(version, empty):
    g = run({"role": "pod", "attach_metadata": {"node": True}}, [pod(node="ghost")], version)["pod/default/p1"]
    assert (g.targets == [] and g.labels == {}) is empty
    assert M + "node_name" not in g.labels


# -- version differences ------------------------------------------------------------------------

SIDECAR_POD = pod(containers=[{"name": "app", "image": "a", "ports": [{"name": "m", "containerPort": 8080,
                                                                          "protocol": "TCP"}]}],
                  init_containers=[{"name": "side", "image": "s", "restartPolicy": "Always",
                                    "ports": [{"name": "sp", "containerPort": 9090, "protocol": "TCP"}]}])


def _addresses(g: TargetGroup) -> list[str]:
    return [t["__address__"] for t in g.targets]


@pytest.mark.parametrize("version,init_label,init_extra", [("2.42.0", False, False), ("2.55.1", False, False),
                                                          ("3.0.0", True, True), (None, True, True)])
def test_init_containers_in_endpoints(version, init_label, init_extra):
    g = run({"role": "endpoints"}, [SIDECAR_POD, endpoints()], version)["endpoints/default/svc"]
    assert (M + "pod_container_init" in g.targets[0]) is init_label
    assert ("10.0.0.1:9090" in _addresses(g)) is init_extra


@pytest.mark.parametrize("version,want", [("2.42.0", ["10.0.0.2:8080", ":9000"]), ("2.46.0", ["10.0.0.2:8080"])])
def test_extra_targets_of_pods_without_ip(version, want):
    p = pod(ip="", containers=[{"name": "c", "ports": [{"containerPort": 8080}, {"containerPort": 9000}]}])
    g = run({"role": "endpoints"}, [p, endpoints(addrs=(("10.0.0.2", "p1"),))], version)["endpoints/default/svc"]
    assert _addresses(g) == want


@pytest.mark.parametrize("version,annotations", [("2.42.0", False), ("2.46.0", True)])
def test_endpoints_annotations_and_slice_metadata(version, annotations):
    objs = [endpoints(annotations={"a/b": "1"}, labels={"l": "1"}), slice_(labels={"x": "y"})]
    ep = run({"role": "endpoints"}, objs, version)["endpoints/default/svc"]
    assert ep.labels[M + "endpoints_label_l"] == "1"
    assert (M + "endpoints_annotation_a_b" in ep.labels) is annotations
    es = run({"role": "endpointslice"}, objs, version)["endpointslice/default/svc-abc"]
    assert es.labels[M + "endpointslice_name"] == "svc-abc"
    assert (M + "endpointslice_label_x" in es.labels) is annotations


@pytest.mark.parametrize("version,present", [("2.51.2", False), ("2.52.0", True)])
def test_slice_node_name_and_zone(version, present):
    g = run({"role": "endpointslice"}, [slice_(nodeName="n1", zone="z1")], version)["endpointslice/default/svc-abc"]
    assert (g.targets[0].get(M + "endpointslice_endpoint_node_name") == "n1") is present
    assert (g.targets[0].get(M + "endpointslice_endpoint_zone") == "z1") is present


@pytest.mark.parametrize("version,has_node", [("2.44.0", False), ("2.45.0", True)])
def test_attach_node_via_target_ref_node(version, has_node):
    ep = endpoints(addrs=(("192.168.0.1", None),))
    ep["subsets"][0]["addresses"][0]["targetRef"] = {"kind": "Node", "name": "n1"}
    g = run({"role": "endpoints", "attach_metadata": {"node": True}}, [ep, node("n1")], version)
    assert (g["endpoints/default/svc"].targets[0].get(M + "node_name") == "n1") is has_node


@pytest.mark.parametrize("version,annotation", [("2.42.0", False), ("2.46.0", True)])
def test_attached_node_annotations(version, annotation):
    objs = [pod(), node("n1", labels={"zone": "a"}, annotations={"note": "x"})]
    g = run({"role": "pod", "attach_metadata": {"node": True}}, objs, version)["pod/default/p1"]
    assert g.labels[M + "node_name"] == "n1" and g.labels[M + "node_label_zone"] == "a"
    assert (M + "node_annotation_note" in g.labels) is annotation


@pytest.mark.parametrize("version,present", [("3.11.0", False), ("3.12.0", True)])
def test_node_conditions(version, present):
    g = run({"role": "node"}, [node(conditions=[("Ready", "True"), ("MemoryPressure", "False")])], version)["node/n1"]
    assert (g.labels.get(M + "node_condition_ready") == "true") is present
    assert (g.labels.get(M + "node_condition_memorypressure") == "false") is present


@pytest.mark.parametrize("version,want", [("2.42.0", "1.2.3.4"), ("3.14.0", "1.2.3.4"), (None, "5.6.7.8,9.9.9.9")])
def test_loadbalancer_ip(version, want):
    svc = service(type_="LoadBalancer", loadBalancerIP="1.2.3.4")
    svc["status"] = {"loadBalancer": {"ingress": [{"ip": "5.6.7.8"}, {"hostname": "lb"}, {"ip": "9.9.9.9"}]}}
    g = run({"role": "service"}, [svc], version)["svc/default/svc"]
    assert g.targets[0][M + "service_loadbalancer_ip"] == want


@pytest.mark.parametrize("version,targets", [("3.10.0", 1), ("3.11.0", 0)])
def test_dual_stack_secondary_slice(version, targets):
    svc = service(ipFamilyPolicy="PreferDualStack", ipFamilies=["IPv6", "IPv4"])
    g = run({"role": "endpointslice"}, [svc, slice_(addrs=(("10.0.0.9", None),))], version)
    assert len(g["endpointslice/default/svc-abc"].targets) == targets
    assert g["endpointslice/default/svc-abc"].labels[M + "service_name"] == "svc"


def test_v1beta1_slice_topology_in_2x():
    s = slice_(addrs=(("10.0.0.9", None),), topology={"kubernetes.io/hostname": "n1"})
    s["apiVersion"] = "discovery.k8s.io/v1beta1"
    g = run({"role": "endpointslice"}, [s], "2.42.0")["endpointslice/default/svc-abc"]
    assert g.targets[0][M + "endpointslice_endpoint_topology_kubernetes_io_hostname"] == "n1"
    assert g.targets[0][M + "endpointslice_endpoint_topology_present_kubernetes_io_hostname"] == "true"


# -- owners (attach_metadata deployment / job / cronjob) ----------------------------------------

OWNERS = [
    pod("web-1", owner=("ReplicaSet", "web-7d")),
    {"kind": "ReplicaSet", "metadata": {"name": "web-7d", "namespace": "default",
                                        "ownerReferences": [{"kind": "Deployment", "name": "web", "controller": True}]}},
    pod("job-1", owner=("Job", "nightly-123")),
    {"kind": "Job", "metadata": {"name": "nightly-123", "namespace": "default",
                                 "ownerReferences": [{"kind": "CronJob", "name": "nightly", "controller": True}]}},
    pod("orphan-1", owner=("ReplicaSet", "missing-rs")),
]


@pytest.mark.parametrize("attach,source,label,want", [
    ({"deployment": True}, "pod/default/web-1", "pod_deployment_name", "web"),
    ({"deployment": True}, "pod/default/orphan-1", "pod_deployment_name", None),   # ReplicaSet not in inventory
    ({}, "pod/default/web-1", "pod_deployment_name", None),
    ({"job": True}, "pod/default/job-1", "pod_job_name", "nightly-123"),
    ({"job": True}, "pod/default/job-1", "pod_cronjob_name", None),
    ({"cronjob": True}, "pod/default/job-1", "pod_cronjob_name", "nightly"),
    ({"cronjob": True}, "pod/default/job-1", "pod_job_name", None),
])
def test_owner_metadata(attach, source, label, want):
    g = run({"role": "pod", "attach_metadata": attach}, OWNERS)[source]
    assert g.labels.get(M + label) == want
    assert g.labels[M + "pod_controller_name"]


# -- roles: edge cases --------------------------------------------------------------------------

def test_pod_targets_and_container_ids():
    p = pod(ip="fd00::5", containers=[{"name": "a", "image": "a:1", "ports": [{"containerPort": 80, "protocol": "TCP"}]},
                                      {"name": "b", "image": "b:1"}],
            init_containers=[{"name": "i", "image": "i:1"}],
            containerStatuses=[{"name": "a", "containerID": "containerd://aaa"}],
            initContainerStatuses=[{"name": "i", "containerID": "containerd://iii"}])
    g = run({"role": "pod"}, [p])["pod/default/p1"]
    assert _addresses(g) == ["[fd00::5]:80", "fd00::5", "fd00::5"]     # bare IPs are never bracketed
    assert [t[M + "pod_container_id"] for t in g.targets] == ["containerd://aaa", "", "containerd://iii"]
    assert [t[M + "pod_container_init"] for t in g.targets] == ["false", "false", "true"]
    assert M + "pod_container_port_name" not in g.targets[1]


@pytest.mark.parametrize("conditions,want", [([{"type": "Ready", "status": "False"}], "false"), ([], "unknown"),
                                             ([{"type": "PodScheduled", "status": "True"}], "unknown")])
def test_pod_ready(conditions, want):
    p = pod()
    p["status"]["conditions"] = conditions
    assert run({"role": "pod"}, [p])["pod/default/p1"].labels[M + "pod_ready"] == want


def test_pod_without_ip_gives_empty_group():
    g = run({"role": "pod"}, [pod(ip="")])["pod/default/p1"]
    assert g.targets == [] and g.labels == {}


def test_endpoints_ready_then_not_ready_and_last_container_wins():
    p = pod(containers=[{"name": "first", "ports": [{"name": "a", "containerPort": 8080, "protocol": "UDP"}]},
                        {"name": "second", "ports": [{"name": "b", "containerPort": 8080, "protocol": "UDP"}]}])
    ep = endpoints(addrs=(("10.0.0.1", "p1"),), not_ready=(("10.0.0.2", None),))
    g = run({"role": "endpoints"}, [p, ep])["endpoints/default/svc"]
    assert [(t["__address__"], t[M + "endpoint_ready"]) for t in g.targets] == [("10.0.0.1:8080", "true"),
                                                                                ("10.0.0.2:8080", "false")]
    assert g.targets[0][M + "pod_container_name"] == "second"
    assert g.targets[0][M + "pod_container_port_protocol"] == "TCP"      # the endpoint port's protocol
    sl = run({"role": "endpointslice"}, [p, slice_()])["endpointslice/default/svc-abc"]
    assert sl.targets[0][M + "pod_container_port_protocol"] == "UDP"     # the container port's protocol


def test_endpointslice_port_without_number():
    s = slice_(addrs=(("10.0.0.9", None),))
    s["ports"] = [{"name": "any"}]
    t = run({"role": "endpointslice"}, [s])["endpointslice/default/svc-abc"].targets[0]
    assert t["__address__"] == "10.0.0.9"
    assert M + "endpointslice_port" not in t and M + "endpointslice_port_protocol" not in t


def test_service_types():
    objs = [service("a", type_="ExternalName", externalName="x.example.com"), service("b", type_="ClusterIP", ports=())]
    got = run({"role": "service"}, objs)
    t = got["svc/default/a"].targets[0]
    assert t["__address__"] == "a.default.svc:80" and t[M + "service_external_name"] == "x.example.com"
    assert M + "service_cluster_ip" not in t and M + "service_loadbalancer_ip" not in t
    assert got["svc/default/b"].targets == [] and got["svc/default/b"].labels[M + "service_name"] == "b"


@pytest.mark.parametrize("addresses,want", [
    ((("Hostname", "h"), ("ExternalIP", "1.1.1.1"), ("InternalIP", "10.1.1.1"), ("InternalIP", "10.1.1.2")), "10.1.1.1"),
    ((("Hostname", "h"), ("ExternalDNS", "e.example")), "e.example"),
    ((("Hostname", "h"),), "h"),
])
def test_node_address_priority(addresses, want):
    t = run({"role": "node"}, [node(addresses=addresses)])["node/n1"].targets[0]
    assert t["__address__"] == f"{want}:10250" and t["instance"] == "n1"
    assert t[M + "node_address_Hostname"] == "h"


def test_node_without_address_gives_no_group():
    assert run({"role": "node"}, [node(addresses=())]) == {}


@pytest.mark.parametrize("rules,tls,want", [
    ([{"host": "a.example.com"}], [], [("a.example.com", "http", "/")]),                     # no http: "/"
    ([{"host": "a.example.com", "http": {"paths": []}}], [], []),                            # http without paths
    ([{"host": "a.example.com", "http": {"paths": [{"path": ""}, {"path": "/x"}]}}], ["*.example.com"],
     [("a.example.com", "https", "/"), ("a.example.com", "https", "/x")]),
    ([{"host": "a.b.example.com"}], ["*.example.com"], [("a.b.example.com", "http", "/")]),   # one level only
    ([{"http": {"paths": [{"path": "/"}]}}], [], [("", "http", "/")]),
])
def test_ingress_rules(rules, tls, want):
    ing = {"kind": "Ingress", "metadata": {"name": "i", "namespace": "default"},
           "spec": {"rules": rules, "tls": [{"hosts": tls}]}}
    g = run({"role": "ingress"}, [ing])["ingress/default/i"]
    assert [(t["__address__"], t[M + "ingress_scheme"], t[M + "ingress_path"]) for t in g.targets] == want


def test_flatten_target_wins():
    g = TargetGroup("x", [{"__address__": "a", "k": "target"}, {"__address__": "b"}], {"k": "group", "g": "1"})
    assert flatten([g]) == [{"__address__": "a", "k": "target", "g": "1"}, {"__address__": "b", "k": "group", "g": "1"}]


# -- robustness ---------------------------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_SEL_ALPHABET = st.sampled_from(list("ab=!,() <>-_./\\") + ["in", "notin", " in ", "1", "x"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_SEL_ALPHABET, max_size=12).map("".join))
def test_selector_parsers_only_raise_value_error(text):
    for parse in (parse_label_selector, lambda t: parse_field_selector(t, "Pod")):
        try:
            sel = parse(text)
        except ValueError:
            continue
        sel.matches({"a": "b"}) if parse is parse_label_selector else sel.matches(pod(), "Pod")


_JUNK = st.recursive(st.none() | st.booleans() | st.integers(-5, 70000) | st.text(max_size=5),
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
                         st.sampled_from(["metadata", "spec", "status", "subsets", "endpoints", "ports", "addresses",
                                          "containers", "labels", "name", "namespace", "podIP", "port", "targetRef",
                                          "kind", "rules", "http", "paths", "tls", "conditions", "addressType"]),
                         inner, max_size=4), max_leaves=12)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["Pod", "Service", "Endpoints", "EndpointSlice", "Node", "Ingress"]), _JUNK, _JUNK)
def test_discovery_is_lenient_about_odd_objects(kind, body, extra):
    obj = {"kind": kind, "metadata": {"name": "x", "namespace": "default"}}
    if isinstance(body, dict):
        obj.update({k: v for k, v in body.items() if k != "kind"})
    role = {"Endpoints": "endpoints", "EndpointSlice": "endpointslice"}.get(kind, kind.lower())
    objs = [obj, pod(), node(), service()]
    for r in {role, "endpoints", "endpointslice"}:
        for g in discover({"role": r, "attach_metadata": {"node": True}}, Inventory.from_objects(objs)):
            assert all(isinstance(v, str) for t in g.targets for v in t.values())
            assert all(isinstance(v, str) for v in g.labels.values())
