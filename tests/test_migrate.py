"""migrate: one decision per job, exact selector/field extraction, series identity, secrets, proofs."""

from __future__ import annotations

import base64
import copy
from pathlib import Path

import pytest
import yaml

from migrator.identity import identity_labels
from migrator.inventory import load_inventory
from migrator.migrate import MigrateOptions, migrate_jobs, prove
from migrator.migrate.core import camel_rule, dns_name
from migrator.migrate.idioms import idiom_dir, load_idioms
from migrator.migrate.prove import compare
from migrator.targets import JobResult, Target
from migrator.scrapeconfig import read_jobs
from migrator.sources import Document, load_documents, parse_documents
from migrator.validate import validate_monitor

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
REAL = SHARED / "oracle" / "real-configs"
FIXTURES = REPO / "tests" / "fixtures" / "migrate"
CLUSTER = REPO / "samples" / "inventory" / "cluster.yaml"


def jobs_of(*jobs: dict):
    return read_jobs(parse_documents(yaml.safe_dump({"scrape_configs": list(jobs)}), "<test>")).jobs


def one(job: dict, **kw):
    [m] = migrate_jobs(jobs_of(job), MigrateOptions(**kw))
    return m


def spec_of(m):
    return m.resources[0]["spec"]


def ep_of(m):
    s = spec_of(m)
    return (s.get("podMetricsEndpoints") or s.get("endpoints"))[0]


def pod_job(*rules, **extra):
    return {"job_name": extra.pop("job_name", "j"), "kubernetes_sd_configs": [{"role": "pod"}],
            "relabel_configs": list(rules), **extra}


_INV: dict = {}


def inventory(path: Path):
    if path not in _INV:
        _INV[path] = load_inventory([str(path)])
    return _INV[path]


# ---------------------------------------------------------------------------------------------------- decisions

@pytest.mark.parametrize("sd, status, kind, extra", [
    ({"kubernetes_sd_configs": [{"role": "pod"}]}, "exact", "PodMonitor", {}),
    # Endpoints is the operator's default role: not written (issue 9: no default the operator fills anyway)
    ({"kubernetes_sd_configs": [{"role": "endpoints"}]}, "exact", "ServiceMonitor", {"serviceDiscoveryRole": None}),
    ({"kubernetes_sd_configs": [{"role": "endpointslice"}]}, "exact", "ServiceMonitor",
     {"serviceDiscoveryRole": "EndpointSlice"}),
    ({"kubernetes_sd_configs": [{"role": "service"}]}, "scrapeconfig", "ScrapeConfig", {}),
    ({"kubernetes_sd_configs": [{"role": "node"}]}, "scrapeconfig", "ScrapeConfig", {}),
    ({"kubernetes_sd_configs": [{"role": "ingress"}]}, "scrapeconfig", "ScrapeConfig", {}),
    ({"static_configs": [{"targets": ["a:9100"], "labels": {"env": "prod"}}]}, "scrapeconfig", "ScrapeConfig", {}),
    ({"file_sd_configs": [{"files": ["/etc/sd/*.json"]}]}, "scrapeconfig", "ScrapeConfig", {}),
    ({"kubernetes_sd_configs": [{"role": "pod"}, {"role": "pod", "namespaces": {"names": ["a"]}}]},
     "scrapeconfig", "ScrapeConfig", {}),
    ({"kubernetes_sd_configs": [{"role": "pod", "selectors": [{"role": "pod", "label": "a=b"}]}]},
     "scrapeconfig", "ScrapeConfig", {}),
])
def test_decision_per_discovery(sd, status, kind, extra):
    m = one({"job_name": "x", **sd})
    assert m.status == status, m.reasons
    assert [r["kind"] for r in m.resources] == [kind]
    for k, v in extra.items():
        assert spec_of(m).get(k) == v
    assert m.reasons and all(isinstance(r, str) and r for r in m.reasons)
    if kind == "ScrapeConfig":
        assert spec_of(m)["jobName"] == "x"
        assert m.resources[0]["apiVersion"] == "monitoring.coreos.com/v1alpha1"
        assert m.rendered_jobs == ["scrapeConfig/monitoring/x"]
    for r in m.resources:
        assert validate_monitor(Document(r, "<t>")) == []


def test_keep_raw_keeps_scrapeconfig_jobs_raw_but_not_monitor_jobs():
    jobs = jobs_of({"job_name": "n", "kubernetes_sd_configs": [{"role": "node"}]},
                   {"job_name": "p", "kubernetes_sd_configs": [{"role": "pod"}]})
    a, b = migrate_jobs(jobs, MigrateOptions(keep_raw=True))
    assert a.status == "raw" and a.raw_job["job_name"] == "n" and a.resources == []
    assert any("keep_raw" in r for r in a.reasons) and any("role node" in r for r in a.reasons)
    assert b.status == "exact"


def test_other_dialect_fails_naming_the_construct_and_does_not_stop_others():
    text = """
scrape_configs:
- job_name: vm
  kubernetes_sd_configs: [{role: pod}]
  relabel_configs:
  - {action: keep_if_equal, source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_port, __meta_kubernetes_pod_container_port_number]}
- job_name: vm-slices
  kubernetes_sd_configs: [{role: endpointslices}]
- job_name: ok
  kubernetes_sd_configs: [{role: pod}]
"""
    jobs = read_jobs(parse_documents(text, "<t>")).jobs
    ms = migrate_jobs(jobs, MigrateOptions())
    assert [m.job_name for m in ms] == ["vm", "vm-slices", "ok"]
    assert [m.status for m in ms] == ["failed", "failed", "exact"]
    assert "keep_if_equal" in " ".join(ms[0].reasons)
    assert "endpointslices" in " ".join(ms[1].reasons)


def test_every_job_once_in_order():
    jobs = jobs_of(*[{"job_name": f"j{i}", "kubernetes_sd_configs": [{"role": r}]}
                     for i, r in enumerate(["pod", "node", "endpoints", "service", "pod"])])
    ms = migrate_jobs(jobs, MigrateOptions())
    assert [m.job_name for m in ms] == [f"j{i}" for i in range(5)]
    names = [r["metadata"]["name"] for m in ms for r in m.resources]
    assert len(names) == len(set(names))


def test_names_are_unique_dns_labels():
    jobs = jobs_of({"job_name": "A/b", "kubernetes_sd_configs": [{"role": "pod"}]},
                   {"job_name": "a-b", "kubernetes_sd_configs": [{"role": "pod"}]},
                   {"job_name": "${NAMESPACE}/kube-state-metrics", "kubernetes_sd_configs": [{"role": "pod"}]})
    ms = migrate_jobs(jobs, MigrateOptions())
    assert [m.resources[0]["metadata"]["name"] for m in ms] == ["a-b", "a-b-2", "namespace-kube-state-metrics"]
    assert dns_name("x" * 80) == "x" * 63


# ------------------------------------------------------------------------------------------------- placeholders

def test_placeholder_in_a_duration_keeps_the_job_raw_and_says_why():
    m = one(pod_job(scrape_interval="$$SCRAPE_INTERVAL$$"))
    assert m.status == "raw"
    assert m.raw_job["scrape_interval"] == "$$SCRAPE_INTERVAL$$"
    assert "$$SCRAPE_INTERVAL$$" in " ".join(m.reasons)


def test_placeholder_in_a_string_field_is_kept_verbatim():
    job = pod_job({"source_labels": ["__address__"], "target_label": "__address__", "regex": "(.+):\\d+",
                   "replacement": "${1}:$$NODE_PORT$$"}, job_name="{{ .Release.Name }}-pods")
    job["kubernetes_sd_configs"] = [{"role": "pod", "namespaces": {"names": ["${NAMESPACE}"]}}]
    m = one(job)
    assert m.status == "relabelings"
    assert spec_of(m)["namespaceSelector"] == {"matchNames": ["${NAMESPACE}"]}
    rl = ep_of(m)["relabelings"]
    assert {"targetLabel": "job", "replacement": "{{ .Release.Name }}-pods", "action": "replace"} in rl
    assert rl[-1]["replacement"] == "${1}:$$NODE_PORT$$"


# ---------------------------------------------------------------------------------------------------- selectors

def test_literal_keep_on_pod_label_is_match_labels():
    m = one(pod_job({"source_labels": ["__meta_kubernetes_pod_label_app"], "action": "keep", "regex": "web"}))
    assert m.status == "exact"
    assert spec_of(m)["selector"] == {"matchLabels": {"app": "web"}}


@pytest.mark.parametrize("regex, expected", [
    ("a|b", [{"key": "app", "operator": "In", "values": ["a", "b"]}]),
    ("(a|b)", [{"key": "app", "operator": "In", "values": ["a", "b"]}]),
    ("^(?:a|b)$", [{"key": "app", "operator": "In", "values": ["a", "b"]}]),
    (".+", [{"key": "app", "operator": "Exists"}, {"key": "app", "operator": "NotIn", "values": [""]}]),
])
def test_keep_regex_forms(regex, expected):
    m = one(pod_job({"source_labels": ["__meta_kubernetes_pod_label_app"], "action": "keep", "regex": regex}))
    assert spec_of(m)["selector"] == {"matchExpressions": expected}


@pytest.mark.parametrize("regex", ["a.*", "a|", "(a|b)c", "a\\.b", "", "[ab]", "a|b.+"])
def test_keep_regexes_that_are_not_selectors_stay(regex):
    rule = {"source_labels": ["__meta_kubernetes_pod_label_app"], "action": "keep", "regex": regex}
    m = one(pod_job(rule))
    assert m.status == "relabelings"
    assert spec_of(m)["selector"] == {}
    assert ep_of(m)["relabelings"][-1] == camel_rule(rule)


def test_drop_forms():
    m = one(pod_job({"source_labels": ["__meta_kubernetes_pod_label_tier"], "action": "drop", "regex": "batch|cron"},
                    {"source_labels": ["__meta_kubernetes_pod_label_name"], "action": "drop", "regex": ""},
                    {"source_labels": ["__meta_kubernetes_pod_labelpresent_legacy"], "action": "drop",
                     "regex": "true"}))
    assert m.status == "exact"
    assert spec_of(m)["selector"]["matchExpressions"] == [
        {"key": "tier", "operator": "NotIn", "values": ["batch", "cron"]},
        {"key": "name", "operator": "Exists"}, {"key": "name", "operator": "NotIn", "values": [""]},
        {"key": "legacy", "operator": "DoesNotExist"}]


def test_rule_whose_source_an_earlier_rule_rewrites_is_not_a_selector():
    m = one(pod_job({"source_labels": ["__meta_kubernetes_pod_label_other"], "target_label":
                     "__meta_kubernetes_pod_label_app"},
                    {"source_labels": ["__meta_kubernetes_pod_label_app"], "action": "keep", "regex": "web"}))
    assert m.status == "relabelings" and spec_of(m)["selector"] == {}
    m = one(pod_job({"action": "labelmap", "regex": "__meta_kubernetes_pod_annotation_(.+)",
                     "replacement": "__meta_kubernetes_pod_label_$1"},
                    {"source_labels": ["__meta_kubernetes_pod_label_app"], "action": "keep", "regex": "web"}))
    assert spec_of(m)["selector"] == {}


def test_filters_after_non_writing_rules_are_hoisted():
    m = one(pod_job({"source_labels": ["__meta_kubernetes_pod_name"], "target_label": "instance"},
                    {"action": "labelmap", "regex": "__meta_kubernetes_pod_label_(.+)"},
                    {"source_labels": ["__meta_kubernetes_pod_label_app"], "action": "keep", "regex": "web"}))
    assert spec_of(m)["selector"] == {"matchLabels": {"app": "web"}}
    assert [r.get("action") for r in ep_of(m)["relabelings"]] == ["labeldrop", "replace", None, "labelmap"]


def test_composite_splits_only_when_it_decomposes():
    m = one(pod_job({"source_labels": ["__meta_kubernetes_namespace", "__meta_kubernetes_pod_label_app",
                                       "__meta_kubernetes_pod_container_port_name"],
                     "action": "keep", "regex": "knative-serving;controller;metrics"}))
    assert m.status == "exact"
    assert spec_of(m)["namespaceSelector"] == {"matchNames": ["knative-serving"]}
    assert spec_of(m)["selector"] == {"matchLabels": {"app": "controller"}}
    assert ep_of(m)["port"] == "metrics"
    for regex in ("(a;b)|(c;d)", "a;b|c;d", "a;^b", "a;b;c"):
        rule = {"source_labels": ["__meta_kubernetes_namespace", "__meta_kubernetes_pod_label_app"],
                "action": "keep", "regex": regex}
        m = one(pod_job(rule))
        assert m.status == "relabelings", regex
        assert ep_of(m)["relabelings"][-1] == camel_rule(rule)
    # decomposable, but no part becomes a field: the rule stays as written
    rule = {"source_labels": ["__meta_kubernetes_service_name", "__meta_kubernetes_pod_container_name"],
            "action": "keep", "regex": "web;app"}
    m = one({"job_name": "s", "kubernetes_sd_configs": [{"role": "endpoints"}], "relabel_configs": [rule]})
    assert ep_of(m)["relabelings"][2:] == [camel_rule(rule)]
    assert not any("decomposes" in r for r in m.reasons)
    # annotation values may hold ';': never split
    m = one(pod_job({"source_labels": ["__meta_kubernetes_pod_annotation_a", "__meta_kubernetes_pod_label_app"],
                     "action": "keep", "regex": "x;y"}))
    assert spec_of(m)["selector"] == {}


def test_namespaces():
    m = one(pod_job())
    assert spec_of(m)["namespaceSelector"] == {"any": True}
    job = pod_job({"source_labels": ["__meta_kubernetes_namespace"], "action": "keep", "regex": "b|c|z"})
    job["kubernetes_sd_configs"] = [{"role": "pod", "namespaces": {"names": ["a", "b", "c"]}}]
    m = one(job)
    assert spec_of(m)["namespaceSelector"] == {"matchNames": ["b", "c"]} and m.status == "exact"
    m = one(pod_job({"source_labels": ["__meta_kubernetes_namespace"], "action": "drop", "regex": "kube-system"}))
    assert spec_of(m)["namespaceSelector"] == {"any": True} and m.status == "relabelings"


def test_ports():
    m = one(pod_job({"source_labels": ["__meta_kubernetes_pod_container_port_number"], "action": "keep",
                     "regex": "8080"}))
    assert ep_of(m)["portNumber"] == 8080 and "endpoint" not in ep_of(m)["relabelings"][0]["regex"]
    m = one(pod_job({"source_labels": ["__meta_kubernetes_pod_container_port_name"], "action": "keep",
                     "regex": "metrics"}))
    assert ep_of(m)["port"] == "metrics"
    assert ep_of(m)["relabelings"][0] == {"action": "labeldrop", "regex": "namespace|container|pod|endpoint"}
    m = one({"job_name": "s", "kubernetes_sd_configs": [{"role": "endpoints"}], "relabel_configs": [
        {"source_labels": ["__meta_kubernetes_endpoint_port_name"], "action": "keep", "regex": "web"}]})
    assert ep_of(m)["port"] == "web"
    # the endpointslice role's port label is another meta label
    m = one({"job_name": "s", "kubernetes_sd_configs": [{"role": "endpointslice"}], "relabel_configs": [
        {"source_labels": ["__meta_kubernetes_endpoint_port_name"], "action": "keep", "regex": "web"}]})
    assert "port" not in ep_of(m)


def test_service_labels_select_services_pod_labels_do_not():
    m = one({"job_name": "s", "kubernetes_sd_configs": [{"role": "endpoints"}], "relabel_configs": [
        {"source_labels": ["__meta_kubernetes_service_label_app"], "action": "keep", "regex": "api"},
        {"source_labels": ["__meta_kubernetes_pod_label_app"], "action": "keep", "regex": "api"}]})
    assert spec_of(m)["selector"] == {"matchLabels": {"app": "api"}}
    assert m.status == "relabelings"
    assert any("[sel-pod-label-in-servicemonitor]" in r for r in m.reasons)


def test_label_key_recovery():
    rule = {"source_labels": ["__meta_kubernetes_pod_label_app_kubernetes_io_name"], "action": "keep", "regex": "x"}
    assert spec_of(one(pod_job(rule)))["selector"] == {"matchLabels": {"app.kubernetes.io/name": "x"}}
    odd = {"source_labels": ["__meta_kubernetes_pod_label_my_team_label"], "action": "keep", "regex": "x"}
    m = one(pod_job(odd))
    assert spec_of(m)["selector"] == {} and any("ambiguous" in r for r in m.reasons)
    inv = load_inventory_objects([{"apiVersion": "v1", "kind": "Pod",
                                   "metadata": {"name": "p", "namespace": "n", "labels": {"my-team/label": "x"}}}])
    m = one(pod_job(odd), inventory=inv)
    assert spec_of(m)["selector"] == {"matchLabels": {"my-team/label": "x"}}
    inv = load_inventory_objects([
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "n", "labels": {"my-team/label": "x"}}},
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "q", "namespace": "n", "labels": {"my.team/label": "x"}}}])
    m = one(pod_job(odd), inventory=inv)
    assert spec_of(m)["selector"] == {} and any("several keys" in r for r in m.reasons)


def load_inventory_objects(objs):
    from migrator.inventory import Inventory

    return Inventory.from_objects(objs)


# -------------------------------------------------------------------------------------------- fields and labels

def test_job_fields_map_to_monitor_fields():
    job = {"job_name": "f", "kubernetes_sd_configs": [{"role": "endpoints", "attach_metadata": {"node": True}}],
           "scrape_interval": "15s", "scrape_timeout": "5s", "metrics_path": "/m", "scheme": "https",
           "params": {"module": ["a", "b"]}, "honor_labels": True, "honor_timestamps": False,
           "sample_limit": 100, "label_limit": 30, "follow_redirects": False,
           "tls_config": {"ca_file": "/ca", "insecure_skip_verify": True, "server_name": "x"},
           "bearer_token_file": "/token",
           "metric_relabel_configs": [{"source_labels": ["__name__"], "regex": "go_.*", "action": "drop"}]}
    m = one(job)
    ep, spec = ep_of(m), spec_of(m)
    assert (ep["interval"], ep["scrapeTimeout"], ep["path"], ep["scheme"]) == ("15s", "5s", "/m", "https")
    assert ep["params"] == {"module": ["a", "b"]} and ep["honorLabels"] is True and ep["honorTimestamps"] is False
    assert ep["followRedirects"] is False
    assert ep["tlsConfig"] == {"caFile": "/ca", "insecureSkipVerify": True, "serverName": "x"}
    assert ep["bearerTokenFile"] == "/token"
    assert ep["metricRelabelings"] == [{"sourceLabels": ["__name__"], "regex": "go_.*", "action": "drop"}]
    assert spec["sampleLimit"] == 100 and spec["labelLimit"] == 30 and spec["attachMetadata"] == {"node": True}


def test_constant_rewrites_become_fields_only_when_nothing_reads_them_first():
    m = one(pod_job({"target_label": "__scheme__", "replacement": "https"},
                    {"target_label": "__metrics_path__", "replacement": "/x"},
                    {"target_label": "__param_module", "replacement": "http_2xx"}))
    assert (ep_of(m)["scheme"], ep_of(m)["path"], ep_of(m)["params"]) == ("https", "/x", {"module": ["http_2xx"]})
    assert m.status == "exact"
    m = one(pod_job({"source_labels": ["__metrics_path__"], "target_label": "orig_path"},
                    {"target_label": "__metrics_path__", "replacement": "/x"}))
    assert "path" not in ep_of(m)
    # nor when an earlier rule may set it (the constant would then be overwritten by that rule)
    m = one(pod_job({"source_labels": ["__meta_kubernetes_pod_annotation_path"], "regex": "(.+)",
                     "target_label": "__metrics_path__"},
                    {"target_label": "__metrics_path__", "replacement": "/x"}))
    assert "path" not in ep_of(m) and len(ep_of(m)["relabelings"]) == 4


def test_operator_copies_are_left_to_the_operator_unless_touched_before():
    m = one(pod_job({"source_labels": ["__meta_kubernetes_namespace"], "target_label": "namespace"},
                    {"source_labels": ["__meta_kubernetes_pod_container_name"], "target_label": "container"}))
    assert ep_of(m)["relabelings"][0] == {"action": "labeldrop", "regex": "pod"}
    m = one(pod_job({"action": "labelmap", "regex": "__meta_kubernetes_pod_label_(.+)"},
                    {"source_labels": ["__meta_kubernetes_namespace"], "target_label": "namespace"}))
    assert ep_of(m)["relabelings"][0] == {"action": "labeldrop", "regex": "namespace|container|pod"}
    assert any("[lbl-meta-standard]" in r for r in m.reasons)


def test_filter_running():
    assert ep_of(one(pod_job()))["filterRunning"] is False
    m = one(pod_job({"source_labels": ["__meta_kubernetes_pod_phase"], "action": "drop", "regex": "Succeeded|Failed"}))
    assert "filterRunning" not in ep_of(m) and m.status == "exact"


def test_inherited_interval_and_timeout_are_kept():
    job = pod_job()
    # the original global section says 15s/5s, the target Prometheus uses 30s (and 10s)
    m = one(job, global_config={"scrape_interval": "15s", "scrape_timeout": "5s"})
    assert (ep_of(m)["interval"], ep_of(m)["scrapeTimeout"]) == ("15s", "5s")
    assert any("original global section" in r for r in m.reasons)
    # no global section: Prometheus's defaults (1m, 10s); the CR says 30s
    m = one(job, global_config={})
    assert ep_of(m)["interval"] == "1m" and "scrapeTimeout" not in ep_of(m)
    m = one(job, global_config={}, prometheus={"spec": {"scrapeInterval": "1m"}})
    assert "interval" not in ep_of(m)
    m = one(job)  # unknown: nothing pinned
    assert "interval" not in ep_of(m)
    m = one({"job_name": "s", "static_configs": [{"targets": ["a:1"]}]}, global_config={"scrape_interval": "2m"})
    assert spec_of(m)["scrapeInterval"] == "2m"


def test_proof_sees_an_interval_change():
    job = jobs_of({"job_name": "p", "kubernetes_sd_configs": [{"role": "pod"}]})[0]
    opts = MigrateOptions(inventory=inventory(FIXTURES / "linkerd.yaml"), global_config={"scrape_interval": "15s"})
    [m] = migrate_jobs([job], opts)
    assert prove(m, job, opts).equivalent
    del m.resources[0]["spec"]["podMetricsEndpoints"][0]["interval"]
    p = prove(m, job, opts)
    assert p.changed and all(b["__scrape_interval__"] == "15s" and a["__scrape_interval__"] == "30s"
                             for b, a in p.changed)


def test_empty_regex_survives_the_operator():
    # the operator leaves out an empty regex, which Prometheus would read as (.*)
    assert camel_rule({"source_labels": ["a"], "regex": "", "action": "drop"})["regex"] == "()"


# ------------------------------------------------------------------------------------------------------ secrets

def test_inline_credentials_become_secret_references():
    m = one({"job_name": "Auth Job", "kubernetes_sd_configs": [{"role": "pod"}],
             "basic_auth": {"username": "u", "password": "p4ss"}})
    ep = ep_of(m)
    assert ep["basicAuth"] == {"username": {"name": "auth-job-scrape-credentials", "key": "username"},
                               "password": {"name": "auth-job-scrape-credentials", "key": "password"}}
    [s] = m.secrets
    assert s["kind"] == "Secret" and s["metadata"]["namespace"] == "monitoring"
    assert base64.b64decode(s["data"]["password"]).decode() == "p4ss"
    assert "p4ss" not in yaml.safe_dump(m.resources) and "p4ss" not in " ".join(m.reasons)
    m = one({"job_name": "t", "kubernetes_sd_configs": [{"role": "endpoints"}], "bearer_token": "tok"})
    assert ep_of(m)["authorization"] == {"type": "Bearer", "credentials": {"name": "t-scrape-credentials",
                                                                           "key": "token"}}
    m = one({"job_name": "o", "kubernetes_sd_configs": [{"role": "pod"}],
             "oauth2": {"client_id": "id", "client_secret": "sec", "token_url": "https://t/x"}})
    assert ep_of(m)["oauth2"]["clientSecret"] == {"name": "o-scrape-credentials", "key": "client-secret"}


def test_file_credentials():
    m = one({"job_name": "f", "kubernetes_sd_configs": [{"role": "pod"}], "bearer_token_file": "/t"})
    assert m.status == "raw"
    assert any("PodMonitor cannot reference files" in r for r in m.reasons)
    m = one({"job_name": "f", "kubernetes_sd_configs": [{"role": "endpoints"}],
             "authorization": {"credentials_file": "/t"}})
    assert ep_of(m)["bearerTokenFile"] == "/t"


# ---------------------------------------------------------------------------------------------- series identity

def test_default_pins_job_and_drops_operator_labels():
    m = one({"job_name": "svc", "kubernetes_sd_configs": [{"role": "endpoints"}]})
    assert ep_of(m)["relabelings"] == [{"action": "labeldrop", "regex": "namespace|service|pod|container|node"},
                                       {"targetLabel": "job", "replacement": "svc", "action": "replace"}]
    assert m.label_changes == []


def test_adopt_operator_labels_lists_the_changes():
    m = one(pod_job(job_name="pods"), adopt_operator_labels=True)
    assert "relabelings" not in ep_of(m) and "filterRunning" not in ep_of(m)
    text = "\n".join(m.label_changes)
    for word in ("namespace", "pod", "container", "job: 'pods' -> monitoring/pods", "Failed"):
        assert word in text
    # a rule reading an operator-set label still sees the original value
    m = one(pod_job({"source_labels": ["job"], "target_label": "origin_job"}), adopt_operator_labels=True)
    assert {"targetLabel": "job", "replacement": "j", "action": "replace"} in ep_of(m)["relabelings"]


# ----------------------------------------------------------------------------------------------------- idioms

IDIOMS = sorted(idiom_dir().glob("*.yaml"))


def test_idiom_files_present():
    ids = load_idioms()
    assert len(ids) >= 20
    for ident, data in ids.items():
        assert data["_file"] == f"{ident}.yaml"
        assert data.get("description") and data.get("example") and data.get("expected")
        if data["becomes"] == "relabeling":
            assert data.get("why"), ident


@pytest.mark.parametrize("ident", sorted(load_idioms()))
def test_idiom_example(ident):
    data = load_idioms()[ident]
    m = one(copy.deepcopy(data["example"]))
    assert m.status == data["expected"]["status"]
    assert m.resources[0] == data["expected"]["resource"]
    assert validate_monitor(Document(m.resources[0], "<t>")) == []
    if data["becomes"] == "relabeling":
        assert any(f"[{ident}]" in r and str(data["why"]).strip()[:40] in r for r in m.reasons), m.reasons


# ------------------------------------------------------------------------------------------------------ proofs

def _kept(*labels, params=None) -> JobResult:
    return JobResult("j", "<t>", [Target({}, dict(x)) for x in labels], config={"params": params} if params else {})


def test_compare_multisets_and_changes():
    a = {"__address__": "1:1", "job": "x"}
    b = {"__address__": "1:1", "job": "y"}
    c = {"__address__": "2:2", "job": "x"}
    assert compare([_kept(a, a)], [_kept(a, a)]) == ([], [], [])
    # two kept targets with one final label set are one scrape in Prometheus: compared once
    assert compare([_kept(a, a)], [_kept(a)]) == ([], [], [])
    assert compare([_kept(a, a, c)], [_kept(a)]) == ([c], [], [])
    # ... within one job (one scrape pool): the same label set in two jobs is two scrapes
    assert compare([_kept(a)], [_kept(a), _kept(a)]) == ([], [a], [])
    assert compare([_kept(a, c)], [_kept(b)]) == ([c], [], [(a, b)])
    # identical targets pair first, whatever their order
    assert compare([_kept(b, a)], [_kept(a, c)]) == ([b], [c], [])


def test_compare_identity_is_the_scrape_url_and_series_labels():
    a = {"__address__": "1:1", "__param_module": "http_2xx", "job": "x", "__tmp_x": "1", "__meta_y": "2"}
    # __tmp_/__meta_ labels never reach Prometheus's target: not part of the identity
    assert compare([_kept(a)], [_kept({**a, "__tmp_x": "other", "__meta_y": ""})]) == ([], [], [])
    # another module is another scrape, not a label change
    other = {**a, "__param_module": "tcp"}
    assert compare([_kept(a)], [_kept(other)]) == ([identity_labels(a)], [identity_labels(other)], [])
    # the job's params are part of the URL (the label replaces only their first value)
    before, after = _kept(a, params={"module": ["x", "y"]}), _kept(a, params={"module": ["x", "z"]})
    assert compare([before], [after]) == ([identity_labels(a)], [identity_labels(a)], [])
    # a changed scrape timeout changes how the target is scraped: a label change on the same target
    slow = {**a, "__scrape_timeout__": "30s"}
    assert compare([_kept(a)], [_kept(slow)]) == ([], [], [(identity_labels(a), identity_labels(slow))])



def _pods_migration(tmp_path):
    """The community chart's kubernetes-pods job on a pod with two declared ports, both rewritten to the
    annotation's port: two kept targets, one final label set (tests/test_diff_targets.py's case)."""
    from test_diff_targets import OLD_PODS, POD_INVENTORY

    (tmp_path / "inv.yaml").write_text(POD_INVENTORY, encoding="utf-8")
    [job] = read_jobs(parse_documents(OLD_PODS, "<test>")).jobs
    opts = MigrateOptions(inventory=load_inventory([str(tmp_path / "inv.yaml")]))
    [m] = migrate_jobs([job], opts)
    return m, job, opts


def test_proof_compares_what_prometheus_scrapes_not_every_discovered_target(tmp_path):
    m, job, opts = _pods_migration(tmp_path)
    # the migrated form selects the first declared port only: one target, the same one scrape
    m = copy.deepcopy(m)
    ep_of(m)["port"] = "http"
    ep_of(m)["relabelings"].append({"action": "labeldrop", "regex": "endpoint"})  # the label port: adds
    p = prove(m, job, opts)
    assert (len(p.before.kept), p.distinct_before, sum(len(a.kept) for a in p.after), p.distinct_after) == (2, 1, 1, 1)
    assert p.equivalent and p.proven and not p.only_before, p.summary()
    assert p.counts() == "2 target(s) before (1 distinct scrape(s)), 1 after"
    assert p.summary() == "pods: 2 target(s) (1 distinct scrape(s)), identical labels"
    from migrator.commands_migrate import _proof_lines, proof_json

    data = proof_json(p)
    assert (data["targets_before"], data["distinct_targets_before"], data["distinct_targets_after"]) == (2, 1, 1)
    assert _proof_lines(data, prefix="")[0] == \
        "proof: 2 target(s) before (1 distinct scrape(s)), 1 after: identical labels"


def test_proof_reports_a_real_difference_in_distinct_scrapes(tmp_path):
    m, job, opts = _pods_migration(tmp_path)
    m = copy.deepcopy(m)
    ep = ep_of(m)
    # without the rewrite to the annotation's port, each declared port is a scrape of its own
    ep["relabelings"] = [r for r in ep["relabelings"] if r.get("targetLabel") != "__address__"]
    p = prove(m, job, opts)
    assert not p.equivalent
    assert [x["__address__"] for x in p.only_before] == ["10.1.0.5:9100"]
    assert sorted(x["__address__"] for x in p.only_after) == ["10.1.0.5:8080", "10.1.0.5:9090"]
    assert p.summary() == "pods: 1 target(s) only before, 2 only after, 0 with changed labels"


def test_compare_shows_no_url_credential():
    a = {"__address__": "bb:9115", "__param_target": "http://u:S3CRETPASS@site/", "instance": "u:S3CRETPASS@h:1"}
    b = {**a, "__param_target": "http://u:S3CRETPASS@other/"}
    out = compare([_kept(a)], [_kept(b, {**b, "instance": "x"})])
    assert "S3CRETPASS" not in repr(out)
    assert out[0] == [{"__address__": "bb:9115", "__param_target": "http://<redacted>@site/",
                       "instance": "<redacted>@h:1"}]


def _prove_all(config: Path, inv_path: Path, **kw):
    parsed = read_jobs(load_documents([str(config)]))
    opts = MigrateOptions(inventory=inventory(inv_path), global_config=parsed.global_config, **kw)
    ms = migrate_jobs(parsed.jobs, opts)
    assert [m.job_name for m in ms] == [j.name for j in parsed.jobs]
    return [(m, prove(m, j, opts)) for m, j in zip(ms, parsed.jobs)]


@pytest.mark.parametrize("config", sorted((REPO / "samples" / "raw").glob("*.y*ml")), ids=lambda p: p.name)
def test_samples_prove_equivalent(config):
    results = _prove_all(config, CLUSTER)
    assert all(m.status in ("exact", "relabelings") for m, _ in results)
    for m, p in results:
        assert p is not None and p.equivalent, p.summary()
        for r in m.resources:
            assert validate_monitor(Document(r, "<t>")) == []
    assert sum(len(p.before.kept) for _, p in results) >= 30


def test_proof_detects_a_wrong_migration():
    parsed = read_jobs(load_documents([str(REPO / "samples" / "raw" / "istio-prometheus.yml")]))
    job = next(j for j in parsed.jobs if j.name == "envoy-stats")
    opts = MigrateOptions(inventory=inventory(CLUSTER))
    [m] = migrate_jobs([job], opts)
    assert prove(m, job, opts).equivalent
    # without the compensation the operator's labels and job show up: same targets, changed labels
    bad = copy.deepcopy(m)
    ep = bad.resources[0]["spec"]["podMetricsEndpoints"][0]
    assert ep["relabelings"][:2] == [{"action": "labeldrop", "regex": "namespace|container|pod"},
                                     {"targetLabel": "job", "replacement": "envoy-stats", "action": "replace"}]
    ep["relabelings"] = ep["relabelings"][2:]
    p = prove(bad, job, opts)
    assert not p.equivalent and len(p.changed) == len(p.before.kept) > 0 and not p.only_before
    before, after = p.changed[0]
    assert after["job"] == "monitoring/envoy-stats" and before["job"] == "envoy-stats"
    assert {"namespace", "pod", "container"} <= set(after) and not {"namespace", "pod", "container"} & set(before)
    # the adopt mode gives exactly these differences, and lists them
    opts2 = MigrateOptions(inventory=opts.inventory, adopt_operator_labels=True)
    [m2] = migrate_jobs([job], opts2)
    p2 = prove(m2, job, opts2)
    assert set(map(repr, p2.changed)) <= set(map(repr, p.changed))
    # ... plus the pods the operator's phase filter drops (cluster.yaml has a Succeeded Envoy pod)
    assert len(p2.changed) + len(p2.only_before) == len(p.changed) and not p2.only_after
    assert any("Failed or Succeeded" in c for c in m2.label_changes)
    assert any(c.startswith("job:") for c in m2.label_changes)
    # a selector taken away: more targets after
    parsed = read_jobs(load_documents([str(REAL_OR_SKIP("grafana-agent-k8s-daemonset.yaml"))]))
    job = next(j for j in parsed.jobs if j.name == "kubernetes-pods")
    opts = MigrateOptions(inventory=inventory(FIXTURES / "grafana-agent.yaml"))
    [m] = migrate_jobs([job], opts)
    assert prove(m, job, opts).equivalent
    assert m.resources[0]["spec"]["selector"]["matchExpressions"]
    bad = copy.deepcopy(m)
    bad.resources[0]["spec"]["selector"] = {}
    p = prove(bad, job, opts)
    assert p.only_after and not p.only_before
    # filterRunning left at its default: Failed/Succeeded pods go missing
    parsed = read_jobs(load_documents([str(REPO / "samples" / "raw" / "istio-prometheus.yml")]))
    job = jobs_of({"job_name": "all", "kubernetes_sd_configs": [{"role": "pod"}]})[0]
    opts = MigrateOptions(inventory=inventory(FIXTURES / "linkerd.yaml"))
    [m] = migrate_jobs([job], opts)
    assert prove(m, job, opts).equivalent
    del m.resources[0]["spec"]["podMetricsEndpoints"][0]["filterRunning"]
    p = prove(m, job, opts)
    assert p.only_before and not p.only_after and not p.changed


def REAL_OR_SKIP(name: str) -> Path:
    path = REAL / name
    if not path.exists():
        pytest.skip(f"../shared is not beside the checkout ({path} missing)")
    return path


REAL_INVENTORIES = {
    "knative-serving-prometheus-legacy.yaml": "knative.yaml",
    "linkerd-viz-prometheus.yaml": "linkerd.yaml",
    "grafana-agent-k8s-daemonset.yaml": "grafana-agent.yaml",
    "cilium-prometheus-example.yaml": "cilium.yaml",
    "helm-community-prometheus-values-29-map.yaml": "annotated.yaml",
    "istio-addons-prometheus.yaml": "annotated.yaml",
    "kubernetes-addon-prometheus.yaml": "annotated.yaml",
    "prometheus-kubernetes-example.yaml": "annotated.yaml",
}


#: Kinds a real config may hold instead of scrape configs (those files are monitors: the roundtrip tests use them).
MONITOR_KINDS = {"ServiceMonitor", "PodMonitor", "Probe", "ScrapeConfig"}


def _real_configs() -> list[str]:
    """Every real config that is not a monitor file (by kind: a file the reader cannot read is a failure here,
    not a file left out)."""
    if not REAL.is_dir():
        return ["(absent)"]
    out = []
    for p in sorted(REAL.glob("*.yaml")):
        kinds = {d.data.get("kind") for d in load_documents([str(p)]) if isinstance(d.data, dict)}
        if not (kinds and kinds <= MONITOR_KINDS):
            out.append(p.name)
    return out


#: Jobs proved over an inventory with no object they select (every discovered target is dropped by their keep
#: rules, or nothing is discovered: ``${NAMESPACE}`` is a placeholder namespace). Every other migrated job's
#: proof must cover at least one target; a job listed here that gains targets must leave the list.
_ANNOTATED_ONLY = {"kubernetes-service-endpoints", "kubernetes-service-endpoints-slow", "kubernetes-services",
                   "prometheus-pushgateway", "kubernetes-pods-slow"}
EXPECTED_EMPTY: dict[tuple[str, str], set[str]] = {
    ("cilium-prometheus-example.yaml", "cluster"): {"kubernetes-endpoints", "kubernetes-services"},
    ("cilium-prometheus-example.yaml", "fixture"): {"kubernetes-services"},
    ("grafana-agent-k8s-daemonset.yaml", "cluster"): {"kubernetes-pods", "${NAMESPACE}/kube-state-metrics",
                                                      "${NAMESPACE}/node-exporter"},
    ("grafana-agent-k8s-daemonset.yaml", "fixture"): {"${NAMESPACE}/kube-state-metrics",
                                                      "${NAMESPACE}/node-exporter"},
    ("helm-community-prometheus-values-29-map.yaml", "cluster"): _ANNOTATED_ONLY,
    ("helm-community-prometheus-values-29-map.yaml", "fixture"): {"kubernetes-api-servers"},
    ("istio-addons-prometheus.yaml", "cluster"): _ANNOTATED_ONLY,
    ("istio-addons-prometheus.yaml", "fixture"): {"kubernetes-api-servers"},
    ("knative-serving-prometheus-legacy.yaml", "cluster"): {
        "controller", "autoscaler", "activator", "webhook", "queue-proxy", "fluentd-ds", "istio-mesh",
        "istio-policy", "istio-telemetry", "istio-pilot", "kube-controller-manager", "kube-scheduler",
        "kube-state-metrics-http-metrics", "kube-state-metrics-telemetry", "node-exporter", "prometheus",
        "kubernetes-service-endpoints"},
    ("knative-serving-prometheus-legacy.yaml", "fixture"): {"kubernetes-service-endpoints"},
    ("kubernetes-addon-prometheus.yaml", "cluster"): {"kubernetes-service-endpoints", "kubernetes-services"},
    ("kubernetes-addon-prometheus.yaml", "fixture"): {"kubernetes-apiservers"},
    ("linkerd-viz-prometheus.yaml", "cluster"): {"linkerd-controller", "linkerd-multicluster-controller",
                                                 "linkerd-proxy"},
    ("prometheus-kubernetes-example.yaml", "cluster"): {"kubernetes-ingresses"},
    ("prometheus-kubernetes-example.yaml", "fixture"): {"kubernetes-apiservers", "kubernetes-ingresses"},
}


def _witnesses_prove(m, p, config, inv_path) -> None:
    """An empty job is proven on witnesses synthesized from its rules, unless its value is a placeholder."""
    from migrator.inventory import load_inventory
    from migrator.migrate.prove import prove_with_witnesses

    parsed = read_jobs(load_documents([str(config)]))
    job = next(j for j in parsed.jobs if j.name == m.job_name)
    opts = MigrateOptions(inventory=load_inventory([str(inv_path)]), global_config=parsed.global_config or {})
    w = prove_with_witnesses(m, job, opts)
    if job.placeholders:
        assert w.unproven and "placeholder" in w.note, w.summary()
    else:
        assert w.proven and w.witnesses, w.summary()


@pytest.mark.parametrize("name", _real_configs())
@pytest.mark.parametrize("inv", ["cluster", "fixture"])
def test_real_configs_migrate_and_prove(name, inv):
    config = REAL_OR_SKIP(name)
    if inv == "fixture" and name not in REAL_INVENTORIES:
        pytest.skip("no fixture inventory for this config (proved against samples/inventory/cluster.yaml)")
    inv_path = CLUSTER if inv == "cluster" else FIXTURES / REAL_INVENTORIES[name]
    results = _prove_all(config, inv_path)
    empty = set()
    for m, p in results:
        assert m.status != "failed", (m.job_name, m.reasons)
        if m.status == "raw":
            assert m.raw_job and m.reasons
            continue
        assert p is not None
        assert p.equivalent, p.summary()
        # a proof over no target proves nothing: the job is empty on this inventory, and says so above
        if not p.before.kept:
            assert p.unproven and not p.proven, p.summary()
            empty.add(m.job_name)
            _witnesses_prove(m, p, config, inv_path)
        else:
            assert p.proven and not p.unproven
            assert sum(len(r.kept) for r in p.after) == len(p.before.kept) > 0
    assert empty == EXPECTED_EMPTY.get((name, inv), set()), "proofs over 0 targets"


def test_real_configs_fixture_inventories_exercise_the_jobs():
    """Most monitor jobs of the configs with a fixture select something (the proofs are not vacuous)."""
    REAL_OR_SKIP("knative-serving-prometheus-legacy.yaml")
    empty, total = [], 0
    for name, fixture in REAL_INVENTORIES.items():
        for m, p in _prove_all(REAL / name, FIXTURES / fixture):
            if m.status in ("exact", "relabelings"):
                total += 1
                if not p.before.kept:
                    empty.append(f"{name}:{m.job_name}")
    assert total >= 40 and len(empty) <= 10, empty


# ------------------------------------------------------------------------------------------------------- istio

def _reasons(config: Path) -> dict[str, list[str]]:
    parsed = read_jobs(load_documents([str(config)]))
    return {m.job_name: m.reasons for m in migrate_jobs(parsed.jobs, MigrateOptions())}


@pytest.mark.parametrize("config", ["samples/raw/istio-prometheus.yml", "REAL:istio-docs-custom-scraping.yaml",
                                    "REAL:istio-addons-prometheus.yaml"])
def test_istio_reasons_say_what_became_what(config):
    path = REAL_OR_SKIP(config[5:]) if config.startswith("REAL:") else REPO / config
    reasons = _reasons(path)
    if "istiod" in reasons:
        text = "\n".join(reasons["istiod"])
        assert "role endpoints -> ServiceMonitor" in text and "port: http-monitoring" in text
        assert "namespaceSelector.matchNames ['istio-system']" in text
        assert "[sel-object-name]" in text
    if "envoy-stats" in reasons:
        text = "\n".join(reasons["envoy-stats"])
        assert "role pod -> PodMonitor" in text and "[sel-port-name-regex]" in text
    if "kubernetes-pods" not in reasons:
        assert set(reasons) == {"istiod", "envoy-stats"}
        return
    text = "\n".join(reasons["kubernetes-pods"])
    assert "[sel-annotation]" in text and "never on annotations" in text
    assert "annotation-driven job" in text
    assert "[rw-address-from-annotation]" in text and "[rw-path-scheme-from-annotation]" in text


def test_prove_none_and_pending():
    job = jobs_of({"job_name": "s", "static_configs": [{"targets": ["a:1", "b:2"]}]})[0]
    [m] = migrate_jobs([job], MigrateOptions())
    assert prove(m, job, MigrateOptions()) is None  # no inventory
    opts = MigrateOptions(inventory=inventory(FIXTURES / "linkerd.yaml"))
    [m] = migrate_jobs([job], opts)
    p = prove(m, job, opts)
    assert p.equivalent and len(p.before.kept) == 2
    m.rendered_jobs = ["scrapeConfig/monitoring/missing"]
    p = prove(m, job, opts)
    assert p.pending and not p.equivalent and "pending" in p.summary()
    raw = one({"job_name": "r", "kubernetes_sd_configs": [{"role": "node"}]}, keep_raw=True)
    assert prove(raw, job, opts) is None
