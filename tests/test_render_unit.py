"""Unit tests for migrator.render: portable mode, version gates, rejections, fields without oracle coverage.

Where an expectation was checked against an upstream golden file (prometheus-operator 6adcebc,
pkg/prometheus/testdata/<name>.golden in the mirror), the test says which one. Expectations without a golden
file are read from pkg/prometheus/promcfg.go (generateServiceMonitorConfig / generatePodMonitorConfig) and say so.
"""

from __future__ import annotations

import base64

import pytest

from migrator.errors import InputError
from migrator.render import (AssetStore, RenderContext, SecretMount, kubernetes_sd_config, render_monitors,
                             selected_by)
from migrator.render.util import label_selector_string, parse_duration_ms, quantity_to_float

SHARDING_KEEP = {"source_labels": ["__tmp_hash", "__tmp_disable_sharding"], "regex": "$(SHARD);|.+;.+",
                 "action": "keep"}


def cr(**spec) -> dict:
    return {"apiVersion": "monitoring.coreos.com/v1", "kind": "Prometheus",
            "metadata": {"name": "test", "namespace": "default"},
            "spec": {"version": "v3.13.2", "scrapeInterval": "30s", **spec}}


def sm(name="sm1", ns="default", endpoints=None, **spec) -> dict:
    return {"apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor",
            "metadata": {"name": name, "namespace": ns, "labels": {"group": "group1"}},
            "spec": {"selector": spec.pop("selector", {}),
                     "endpoints": endpoints if endpoints is not None else [{"port": "web"}], **spec}}


def pm(name="pm1", ns="default", endpoints=None, **spec) -> dict:
    return {"apiVersion": "monitoring.coreos.com/v1", "kind": "PodMonitor",
            "metadata": {"name": name, "namespace": ns, "labels": {"group": "group1"}},
            "spec": {"selector": spec.pop("selector", {}),
                     "podMetricsEndpoints": endpoints if endpoints is not None else [{"port": "web"}], **spec}}


def secret(name, ns="default", **values) -> dict:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": ns},
            "stringData": values}


STORE = AssetStore(
    secrets=[secret("auth", user="admin", pass_="x", token="tok"),
             {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "b64", "namespace": "default"},
              "data": {"password": base64.b64encode(b"s3cret").decode()}},
             secret("oauth", client_secret="cs", client_id="cid"),
             secret("proxy", header="hv")],
    configmaps=[{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "oauth", "namespace": "default"},
                 "data": {"client_id": "test_client_id"}}])


def render(monitors, spec=None, **kw):
    ctx = RenderContext.from_cr(cr(**(spec or {})))
    return render_monitors(monitors if isinstance(monitors, list) else [monitors], ctx, kw.pop("store", STORE),
                           **kw)


def job(monitor, spec=None, **kw) -> dict:
    return render(monitor, spec, **kw).jobs[0]


def relabels(j: dict) -> list[dict]:
    return j["relabel_configs"]


BASIC = {"username": {"name": "auth", "key": "user"}, "password": {"name": "b64", "key": "password"}}


# -- portable mode ---------------------------------------------------------------------------------------------

def test_portable_has_no_sharding_rules_operator_has_them():
    portable = job(sm())
    assert not any("__tmp_hash" in str(r) for r in relabels(portable))
    operator = job(sm(), mode="operator")
    assert relabels(operator)[-1] == SHARDING_KEEP
    assert relabels(operator)[-2]["modulus"] == 1
    # apart from the sharding rules the two modes agree
    assert relabels(operator)[:-3] == relabels(portable)


@pytest.mark.parametrize("shards,index", [(2, 1), (3, 0)])
def test_portable_shard_substitution(shards, index):
    rules = relabels(job(sm(), shard=(shards, index)))[-3:]
    assert rules[0] == {"source_labels": ["__address__", "__tmp_hash"], "target_label": "__tmp_hash",
                        "regex": "(.+);", "replacement": "$1", "action": "replace"}
    assert rules[1] == {"source_labels": ["__tmp_hash"], "target_label": "__tmp_hash", "modulus": shards,
                        "action": "hashmod"}
    assert rules[2]["regex"] == f"{index};|.+;.+"
    assert "$(SHARD)" not in str(rules)


@pytest.mark.parametrize("shard,mode", [((2, 2), "portable"), ((0, 0), "portable"), ((2, 1), "operator")])
def test_bad_shard_argument(shard, mode):
    with pytest.raises(InputError):
        render(sm(), shard=shard, mode=mode)


def test_operator_shards_from_cr():
    # golden ShardingRelabelConfigs_without_retention.golden (oracle sm-shards-2): modulus = spec.shards
    assert relabels(job(sm(), {"shards": 3}, mode="operator"))[-2]["modulus"] == 3
    assert relabels(job(sm(), {"shards": 0}, mode="operator"))[-2]["modulus"] == 1


def test_portable_file_secrets_and_mounts():
    ep = {"port": "web", "basicAuth": BASIC}
    res = render([sm(endpoints=[ep]),
                  pm(endpoints=[{"port": "web", "authorization": {"credentials": {"name": "auth", "key": "token"}}},
                                {"port": "m", "bearerTokenSecret": {"name": "auth", "key": "token"}}])])
    smj, pmj0, pmj1 = res.jobs
    assert smj["basic_auth"] == {"username_file": "/etc/prometheus/secrets/auth/user",
                                 "password_file": "/etc/prometheus/secrets/b64/password"}
    assert pmj0["authorization"] == {"type": "Bearer",
                                     "credentials_file": "/etc/prometheus/secrets/auth/token"}
    assert pmj1["bearer_token_file"] == "/etc/prometheus/secrets/auth/token"
    assert res.mounts == [SecretMount("default", "auth", "user", "/etc/prometheus/secrets/auth/user"),
                          SecretMount("default", "b64", "password", "/etc/prometheus/secrets/b64/password"),
                          SecretMount("default", "auth", "token", "/etc/prometheus/secrets/auth/token")]
    assert "admin" not in str(res.jobs) and "tok" not in str(res.jobs).replace("token", "")


def test_portable_file_mode_needs_no_secret_content_and_honours_secrets_dir():
    res = render(sm(endpoints=[{"port": "web", "basicAuth": BASIC}]), store=AssetStore(), secrets_dir="/s/")
    assert res.jobs[0]["basic_auth"] == {"username_file": "/s/auth/user", "password_file": "/s/b64/password"}


def test_portable_inline_secrets():
    res = render(sm(endpoints=[{"port": "web", "basicAuth": BASIC}]), inline_secrets=True)
    assert res.jobs[0]["basic_auth"] == {"username": "admin", "password": "s3cret"}
    assert res.mounts == []


def test_portable_oauth2_client_secret_file_and_configmap_client_id():
    o = {"clientId": {"configMap": {"name": "oauth", "key": "client_id"}},
         "clientSecret": {"name": "oauth", "key": "client_secret"}, "tokenUrl": "http://t"}
    j = job(sm(endpoints=[{"port": "web", "oauth2": o}]))
    assert list(j["oauth2"].items()) == [("client_id", "test_client_id"),
                                        ("client_secret_file", "/etc/prometheus/secrets/oauth/client_secret"),
                                        ("token_url", "http://t")]


@pytest.mark.parametrize("ep", [
    {"port": "web", "proxyUrl": "http://p", "proxyConnectHeader": {"h": [{"name": "proxy", "key": "header"}]}},
    {"port": "web", "oauth2": {"clientId": {"secret": {"name": "oauth", "key": "client_id"}},
                               "clientSecret": {"name": "oauth", "key": "client_secret"}, "tokenUrl": "http://t"}},
])
def test_portable_no_file_form_needs_inline_secrets(ep):
    with pytest.raises(InputError, match="--inline-secrets"):
        render(sm(endpoints=[ep]))
    j = job(sm(endpoints=[ep]), inline_secrets=True)
    assert "hv" in str(j) or "cid" in str(j)


@pytest.mark.parametrize("version,ok", [("v2.47.0", False), ("v2.48.0", True)])
def test_portable_username_file_needs_2_48(version, ok):
    m = sm(endpoints=[{"port": "web", "basicAuth": BASIC}])
    if ok:
        assert "username_file" in job(m, {"version": version})["basic_auth"]
    else:
        with pytest.raises(InputError, match="inline-secrets"):
            render(m, {"version": version})
        assert job(m, {"version": version}, inline_secrets=True)["basic_auth"]["username"] == "admin"


def test_portable_tls_paths_and_mounts():
    tls = {"ca": {"configMap": {"name": "cas", "key": "ca.crt"}}, "cert": {"secret": {"name": "tls", "key": "c"}},
           "keySecret": {"name": "tls", "key": "k"}, "serverName": "srv"}
    res = render(pm(endpoints=[{"port": "web", "tlsConfig": tls}]))
    assert list(res.jobs[0]["tls_config"].items()) == [
        ("ca_file", "/etc/prometheus/configmaps/cas/ca.crt"), ("cert_file", "/etc/prometheus/secrets/tls/c"),
        ("key_file", "/etc/prometheus/secrets/tls/k"), ("server_name", "srv")]
    assert [m.key for m in res.mounts] == ["c", "k"]
    assert [m.path for m in res.configmap_mounts] == ["/etc/prometheus/configmaps/cas/ca.crt"]
    # operator mode: the tls-assets convention (golden K8SSDConfigGenerationTLSConfig.golden)
    op = job(pm(endpoints=[{"port": "web", "tlsConfig": tls}]), mode="operator")
    assert op["tls_config"]["ca_file"] == "/etc/prometheus/certs/1_default_cas_ca.crt"
    assert op["tls_config"]["key_file"] == "/etc/prometheus/certs/0_default_tls_k"


# -- credentials in operator mode ------------------------------------------------------------------------------

def test_operator_inlines_basic_auth_and_bearer_token_secret():
    # no golden for endpoint basicAuth/bearerTokenSecret; order from generateServiceMonitorConfig:
    # ... tls_config, bearer_token_file, bearer_token, basic_auth, authorization
    ep = {"port": "web", "bearerTokenFile": "/f", "bearerTokenSecret": {"name": "auth", "key": "token"},
          "scheme": "HTTPS", "path": "/m", "params": {"b": ["2"], "a": ["1"]}, "scrapeTimeout": "10s",
          "interval": "20s"}
    j = job(sm(endpoints=[ep]), mode="operator")
    keys = list(j)
    assert keys[:9] == ["job_name", "honor_labels", "kubernetes_sd_configs", "scrape_interval", "scrape_timeout",
                        "metrics_path", "params", "scheme", "bearer_token_file"]
    assert j["bearer_token"] == "tok" and keys[9] == "bearer_token"
    assert list(j["params"]) == ["a", "b"] and j["scheme"] == "https"
    basic = job(sm(endpoints=[{"port": "web", "basicAuth": BASIC}]), mode="operator")
    assert list(basic["basic_auth"].items()) == [("username", "admin"), ("password", "s3cret")]


def test_operator_apiserver_basic_auth():
    # golden K8SSDConfigGenerationTwo.golden
    store = AssetStore([secret("foo", username="foo", password="bar")])
    ctx = RenderContext.from_cr(cr(apiserverConfig={"host": "example.com", "basicAuth": {
        "username": {"name": "foo", "key": "username"}, "password": {"name": "foo", "key": "password"}}}))
    got = kubernetes_sd_config(sm(namespaceSelector={"matchNames": ["test"]}), ctx, store)
    assert list(got.items()) == [("role", "endpoints"), ("namespaces", {"names": ["test"]}),
                                 ("api_server", "example.com"),
                                 ("basic_auth", {"username": "foo", "password": "bar"})]


@pytest.mark.parametrize("ep,field", [
    ({"port": "web", "basicAuth": {"username": {"name": "nope", "key": "u"},
                                   "password": {"name": "auth", "key": "user"}}},
     "spec.endpoints[0].basicAuth.username"),
    ({"port": "web", "authorization": {"credentials": {"name": "auth", "key": "missing"}}},
     "spec.endpoints[0].authorization.credentials"),
])
def test_operator_missing_secret_is_input_error(ep, field):
    with pytest.raises(InputError) as err:
        render(sm(endpoints=[ep]), mode="operator")
    assert err.value.field == field
    assert "ServiceMonitor default/sm1" in str(err.value)


def test_scrape_class_authorization_credentials_file():
    # golden serviceMonitorObjectWithNonDefaultScrapeClassAuthz.golden
    classes = [{"name": "c", "authorization": {"credentialsFile": "/etc/secret/credentials"}}]
    j = job(sm(scrapeClass="c"), {"scrapeClasses": classes}, mode="operator")
    assert list(j)[3:5] == ["authorization", "relabel_configs"]
    assert j["authorization"] == {"type": "Bearer", "credentials_file": "/etc/secret/credentials"}


# -- version gates -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("version,ep,key,minimum", [
    ("v2.25.0", {"port": "web", "followRedirects": False}, "follow_redirects", "2.26.0"),
    ("v2.34.0", {"port": "web", "enableHttp2": True}, "enable_http2", "2.35.0"),
    ("v2.8.0", {"port": "web", "honorTimestamps": False}, "honor_timestamps", "2.9.0"),
    ("v2.47.0", {"port": "web", "trackTimestampsStaleness": True}, "track_timestamps_staleness", "2.48.0"),
    ("v2.25.0", {"port": "web", "authorization": {"credentials": {"name": "auth", "key": "token"}}},
     "authorization", "2.26.0"),
    ("v2.42.0", {"port": "web", "proxyUrl": "http://p", "noProxy": "x"}, "no_proxy", "2.43.0"),
])
def test_version_gate_drops_field_with_warning(version, ep, key, minimum):
    res = render(sm(endpoints=[ep]), {"version": version}, mode="operator")
    assert key not in res.jobs[0]
    assert any(key in w.message and minimum in w.message and w.field and w.field.startswith("spec.endpoints[0]")
               for w in res.warnings), res.warnings
    # one version later the field is there and nothing is said
    res2 = render(sm(endpoints=[ep]), {"version": minimum}, mode="operator")
    assert key in res2.jobs[0] and not res2.warnings


@pytest.mark.parametrize("version,spec,key", [
    ("v2.34.0", {"attachMetadata": {"node": True}}, "attach_metadata"),
    ("v2.20.0", {"targetLimit": 5}, "target_limit"),
    ("v2.48.0", {"scrapeProtocols": ["OpenMetricsText1.0.0"]}, "scrape_protocols"),
    ("v2.55.0", {"fallbackScrapeProtocol": "PrometheusText0.0.4"}, "fallback_scrape_protocol"),
])
def test_version_gate_spec_fields(version, spec, key):
    res = render(pm(**spec), {"version": version}, mode="operator")
    flat = str(res.jobs[0])
    assert key not in flat
    assert any(key in w.message for w in res.warnings)


def test_pm_attach_metadata_gate_is_2_35_sm_is_2_37():
    assert "attach_metadata" in kubernetes_sd_config(pm(attachMetadata={"node": True}),
                                                     RenderContext.from_cr(cr(version="2.35.0")))
    assert "attach_metadata" not in kubernetes_sd_config(sm(attachMetadata={"node": True}),
                                                         RenderContext.from_cr(cr(version="2.36.0")))


def test_prerelease_orders_before_release():
    # golden NativeHistogramConfigAlwaysScrapeClassicHistograms.golden (version 3.0.0-rc.0)
    spec = {"nativeHistogramBucketLimit": 10, "scrapeClassicHistograms": True,
            "nativeHistogramMinBucketFactor": "12.124", "convertClassicHistogramsToNHCB": True}
    j = job(sm(**spec), {"version": "3.0.0-rc.0"}, mode="operator")
    assert list(j.items())[-3:] == [("native_histogram_bucket_limit", 10),
                                    ("native_histogram_min_bucket_factor", 12.124),
                                    ("always_scrape_classic_histograms", True)]


def test_text1_protocol_dropped_before_v3():
    res = render(sm(scrapeProtocols=["PrometheusText1.0.0", "OpenMetricsText1.0.0"]), {"version": "v2.55.0"})
    assert res.jobs[0]["scrape_protocols"] == ["OpenMetricsText1.0.0"]
    assert any("PrometheusText1.0.0" in w.message for w in res.warnings)


# -- rejections ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("version,monitor,match", [
    ("v2.16.0", sm(selectorMechanism="RoleSelector"), "RoleSelector"),
    ("v2.35.0", pm(endpoints=[{"port": "w", "relabelings": [{"action": "Lowercase", "sourceLabels": ["a"],
                                                             "targetLabel": "b"}]}]), "2.36.0"),
    ("v2.40.0", sm(endpoints=[{"port": "w", "metricRelabelings": [{"action": "keepequal", "sourceLabels": ["a"],
                                                                   "targetLabel": "b"}]}]), "2.41.0"),
    ("v3.13.2", sm(endpoints=[{"port": "w", "interval": "10s", "scrapeTimeout": "11s"}]), "greater than"),
    ("v3.13.2", pm(endpoints=[{"port": "w", "scrapeTimeout": "31s"}]), "greater than"),  # CR scrapeInterval 30s
    ("v3.13.2", sm(scrapeClass="nope"), "not found"),
    ("v3.13.2", sm(endpoints=[{"port": "w", "basicAuth": BASIC,
                               "authorization": {"credentials": {"name": "a", "key": "b"}}}]), "same time"),
    ("v3.13.2", sm(endpoints=[{"port": "w", "relabelings": [{"action": "hashmod", "targetLabel": "x"}]}]),
     "modulus"),
    ("v3.13.2", sm(endpoints=[{"port": "w", "relabelings": [{"regex": "(", "targetLabel": "x"}]}]),
     "error parsing regexp: missing closing \\)"),
    # a template target must match Prometheus's template regex before 3.2 ("${1}" does, "0${1}" not)
    ("v2.55.0", sm(endpoints=[{"port": "w", "relabelings": [{"targetLabel": "0${1}"}]}]), "target_label"),
    ("v3.13.2", sm(endpoints=[{"port": "w", "noProxy": "x"}]), "noProxy"),
])
def test_rejections(version, monitor, match):
    with pytest.raises(InputError, match=match):
        render(monitor, {"version": version}, mode="operator")


@pytest.mark.parametrize("ep", [{"port": "w", "bearerTokenFile": "/var/run/token"},
                                {"port": "w", "tlsConfig": {"caFile": "/ca"}}])
def test_arbitrary_fs_access_denied(ep):
    spec = {"arbitraryFSAccessThroughSMs": {"deny": True}}
    with pytest.raises(InputError, match="file system"):
        render(sm(endpoints=[ep]), spec)
    assert job(sm(endpoints=[ep]))  # allowed by default


def test_accepted_just_at_the_gate():
    render(sm(selectorMechanism="RoleSelector"), {"version": "v2.17.0"}, mode="operator")
    render(sm(endpoints=[{"port": "w", "interval": "10s", "scrapeTimeout": "10s"}]), mode="operator")
    render(sm(endpoints=[{"port": "w", "relabelings": [{"targetLabel": "${1}"}]}]), {"version": "v3.0.0"})
    render(sm(endpoints=[{"port": "w", "relabelings": [{"targetLabel": "${1}"}]}]), {"version": "v2.55.0"})


def test_multiple_default_scrape_classes_rejected():
    with pytest.raises(InputError, match="multiple default"):
        RenderContext.from_cr(cr(scrapeClasses=[{"name": "a", "default": True}, {"name": "b", "default": True}]))


# -- fields without golden coverage (expectations from promcfg.go) -------------------------------------------

def test_selector_relabel_rules_all_operators():
    sel = {"matchLabels": {"b.x": "2", "a": "1"},
           "matchExpressions": [{"key": "in", "operator": "In", "values": ["x", "y"]},
                                {"key": "out", "operator": "NotIn", "values": ["z"]},
                                {"key": "has", "operator": "Exists"},
                                {"key": "not-has", "operator": "DoesNotExist"}]}
    rules = relabels(job(sm(selector=sel)))[1:7]
    p = "__meta_kubernetes_service_label"
    assert rules == [
        {"action": "keep", "source_labels": [f"{p}_a", f"{p}present_a"], "regex": "(1);true"},
        {"action": "keep", "source_labels": [f"{p}_b_x", f"{p}present_b_x"], "regex": "(2);true"},
        {"action": "keep", "source_labels": [f"{p}_in", f"{p}present_in"], "regex": "(x|y);true"},
        {"action": "drop", "source_labels": [f"{p}_out", f"{p}present_out"], "regex": "(z);true"},
        {"action": "keep", "source_labels": [f"{p}present_has"], "regex": "true"},
        {"action": "drop", "source_labels": [f"{p}present_not_has"], "regex": "true"},
    ]
    # PodMonitor: the same on pod labels, after the phase filter
    prules = relabels(job(pm(selector=sel)))
    assert prules[1]["source_labels"] == ["__meta_kubernetes_pod_phase"]
    assert prules[6] == {"action": "keep", "source_labels": ["__meta_kubernetes_pod_labelpresent_has"],
                         "regex": "true"}


def test_job_label():
    smr = relabels(job(sm(jobLabel="app.kubernetes.io/name")))
    i = smr.index({"source_labels": ["__meta_kubernetes_service_name"], "target_label": "job",
                   "replacement": "${1}"})
    assert smr[i + 1] == {"source_labels": ["__meta_kubernetes_service_label_app_kubernetes_io_name"],
                          "target_label": "job", "regex": "(.+)", "replacement": "${1}"}
    pmr = relabels(job(pm(jobLabel="team")))
    i = pmr.index({"target_label": "job", "replacement": "default/pm1"})
    assert pmr[i + 1] == {"source_labels": ["__meta_kubernetes_pod_label_team"], "target_label": "job",
                          "regex": "(.+)", "replacement": "${1}"}


@pytest.mark.parametrize("nsel,ignore,expected", [
    ({"any": True}, False, None),
    ({"matchNames": ["a", "b"]}, False, ["a", "b"]),
    ({}, False, ["default"]),
    ({"any": True, "matchNames": ["a"]}, True, ["default"]),
])
def test_namespace_selector_in_full_job(nsel, ignore, expected):
    spec = {"ignoreNamespaceSelectors": True} if ignore else {}
    sd = job(pm(namespaceSelector=nsel), spec)["kubernetes_sd_configs"][0]
    assert sd.get("namespaces") == (None if expected is None else {"names": expected})


def test_role_selector_string():
    assert label_selector_string({"matchLabels": {"group": "group1"}, "matchExpressions": [
        {"key": "group", "operator": "In", "values": ["group2"]}, {"key": "groupb", "operator": "DoesNotExist"},
        {"key": "a", "operator": "NotIn", "values": ["y", "x"]}, {"key": "e", "operator": "Exists"}]}) == \
        "a notin (x,y),e,group=group1,group in (group2),!groupb"
    sd = job(sm(selectorMechanism="RoleSelector", selector={"matchLabels": {"k": "v"}}),
             {"serviceDiscoveryRole": "EndpointSlice"})["kubernetes_sd_configs"][0]
    assert sd["selectors"] == [{"role": "endpointslice", "label": "k=v"}, {"role": "service", "label": "k=v"}]


def test_endpointslice_role_needs_2_21_and_per_monitor_override():
    assert job(sm(), {"serviceDiscoveryRole": "EndpointSlice", "version": "v2.20.0"})[
        "kubernetes_sd_configs"][0]["role"] == "endpoints"
    j = job(sm(serviceDiscoveryRole="EndpointSlice"))
    assert j["kubernetes_sd_configs"][0]["role"] == "endpointslice"
    assert relabels(j)[1]["source_labels"] == ["__meta_kubernetes_endpointslice_port_name"]


def test_target_port_forms():
    r = relabels(job(sm(endpoints=[{"targetPort": 8080}])))
    assert r[1] == {"action": "keep", "source_labels": ["__meta_kubernetes_pod_container_port_number"],
                    "regex": 8080}
    assert {"target_label": "endpoint", "replacement": "8080"} in r
    res = render(pm(endpoints=[{"targetPort": "metrics"}]))
    assert relabels(res.jobs[0])[2]["regex"] == "metrics"
    assert any("deprecated" in w.message for w in res.warnings)


def test_enforced_namespace_label_and_exclusion():
    spec = {"enforcedNamespaceLabel": "ns"}
    ep = [{"port": "w", "metricRelabelings": [{"action": "drop", "regex": "x", "sourceLabels": ["a"]}]}]
    j = job(sm(ns="team", endpoints=ep), spec)
    assert relabels(j)[-1] == {"target_label": "ns", "replacement": "team"}
    assert j["metric_relabel_configs"][-1] == {"target_label": "ns", "replacement": "team"}
    excl = {"enforcedNamespaceLabel": "ns", "excludedFromEnforcement": [
        {"resource": "servicemonitors", "namespace": "team"}]}
    j2 = job(sm(ns="team", endpoints=ep), excl)
    assert {"target_label": "ns", "replacement": "team"} not in relabels(j2)
    # the exclusion names ServiceMonitors: a PodMonitor in the same namespace is still enforced
    j3 = job(pm(ns="team", endpoints=ep), excl)
    assert relabels(j3)[-1] == {"target_label": "ns", "replacement": "team"}


@pytest.mark.parametrize("version,warned", [("v2.55.0", True), ("v3.0.0", False)])
def test_enforced_label_invalid_before_v3_warns(version, warned):
    res = render(sm(), {"enforcedNamespaceLabel": "ns-key", "version": version})
    assert relabels(res.jobs[0])[-1] == {"target_label": "ns-key", "replacement": "default"}
    assert any("ns-key" in w.message for w in res.warnings) is warned


def test_honor_overrides():
    # golden-free; from AddHonorLabels / AddHonorTimestamps
    j = job(sm(endpoints=[{"port": "w", "honorLabels": True, "honorTimestamps": True}]),
            {"overrideHonorLabels": True, "overrideHonorTimestamps": True})
    assert j["honor_labels"] is False and j["honor_timestamps"] is False
    assert "honor_timestamps" in job(sm(), {"overrideHonorTimestamps": True})


@pytest.mark.parametrize("user,override,expected", [
    # the table of TestHonorTimestamps in pkg/prometheus/promcfg_test.go (None = key absent)
    (None, True, False), (None, False, None), (False, True, False), (False, False, False),
    (True, True, False), (True, False, True)])
def test_honor_timestamps_table(user, override, expected):
    ep = {"port": "w"} if user is None else {"port": "w", "honorTimestamps": user}
    j = job(sm(endpoints=[ep]), {"overrideHonorTimestamps": override, "version": "2.9.0"})
    assert j.get("honor_timestamps") is expected


def test_bad_limit_is_input_error():
    with pytest.raises(InputError, match="integer"):
        render(sm(sampleLimit="lots"))


def test_limits_with_enforced_values():
    # golden SampleLimits_Limit500.golden (2.47.0, enforced 1000, limit 500 -> 500) and
    # SampleLimits_GlobalLimit-1_Enforce-2000-Limit-500-2.21.golden; LabelLimits_*.golden for label_limit
    assert job(sm(sampleLimit=500), {"version": "v2.47.0", "enforcedSampleLimit": 1000})["sample_limit"] == 500
    assert job(sm(sampleLimit=2000), {"version": "v2.47.0", "enforcedSampleLimit": 1000})["sample_limit"] == 1000
    assert "sample_limit" not in job(sm(), {"version": "v2.47.0", "enforcedSampleLimit": 1000})
    assert job(sm(), {"version": "v2.44.0", "enforcedSampleLimit": 1000})["sample_limit"] == 1000


def test_monitor_order_and_duplicates():
    res = render([pm("b"), sm("z", ns="a-b"), sm("y", ns="a"), pm("a", endpoints=[{"port": "1"}, {"port": "2"}])])
    assert [j["job_name"] for j in res.jobs] == [
        "serviceMonitor/a-b/z/0", "serviceMonitor/a/y/0", "podMonitor/default/a/0", "podMonitor/default/a/1",
        "podMonitor/default/b/0"]  # sorted as "<ns>/<name>" strings, like Go's sorted map keys
    with pytest.raises(InputError, match="twice"):
        render([sm("x"), sm("x")])


def test_other_kinds_are_ignored_with_a_warning():
    res = render([{"kind": "Probe", "metadata": {"name": "p"}}, sm()])
    assert len(res.jobs) == 1
    assert any("Probe" in w.message for w in res.warnings)


def test_missing_optional_fields_do_not_crash():
    for m in ({"kind": "ServiceMonitor", "metadata": {"name": "x"}},
              {"kind": "PodMonitor", "metadata": {"name": "x"}, "spec": {"podMetricsEndpoints": [{}]}}):
        render(m)


# -- context, assets, selection -----------------------------------------------------------------------------------

def test_context_defaults_and_override():
    ctx = RenderContext.from_cr(None)
    assert (str(ctx.version), ctx.name, ctx.namespace, ctx.shards) == ("v3.13.2", "prometheus", "default", 1)
    assert str(RenderContext.from_cr(cr(version="v2.40.0"), version="2.50.1").version) == "v2.50.1"
    with pytest.raises(InputError):
        RenderContext.from_cr(cr(version="v1.8.0"))
    with pytest.raises(InputError):
        RenderContext.from_cr({"kind": "Alertmanager"})


def test_asset_store_decoding():
    st = AssetStore([{"metadata": {"name": "s"}, "data": {"a": base64.b64encode(b"x").decode()},
                      "stringData": {"b": "y"}}])
    assert (st.secret_key("default", "s", "a"), st.secret_key("default", "s", "b")) == ("x", "y")
    assert st.secret_key("default", "s", "c") is None
    with pytest.raises(InputError, match="base64"):
        AssetStore([{"metadata": {"name": "s"}, "data": {"a": "!!notbase64"}}])


@pytest.mark.parametrize("spec,monitor,expected", [
    ({"serviceMonitorSelector": {}}, sm(), True),
    ({}, sm(), False),                                                    # no selector: nothing selected
    ({"serviceMonitorSelector": {"matchLabels": {"group": "other"}}}, sm(), False),
    ({"serviceMonitorSelector": {}}, sm(ns="other"), False),              # own namespace only
    ({"serviceMonitorSelector": {}, "serviceMonitorNamespaceSelector": {}}, sm(ns="other"), True),
    ({"podMonitorSelector": {"matchExpressions": [{"key": "group", "operator": "Exists"}]},
      "podMonitorNamespaceSelector": {"matchLabels": {"team": "a"}}}, pm(ns="x"), None),
    ({"podMonitorSelector": {}, "podMonitorNamespaceSelector": {"matchLabels": {
        "kubernetes.io/metadata.name": "x"}}}, pm(ns="x"), True),
    ({"podMonitorSelector": {}, "podMonitorNamespaceSelector": {"matchLabels": {
        "kubernetes.io/metadata.name": "y"}}}, pm(ns="x"), False),
])
def test_selected_by(spec, monitor, expected):
    assert selected_by(cr(**spec), monitor) is expected


@pytest.mark.parametrize("text,ms", [("30s", 30000), ("1m30s", 90000), ("0", 0), ("1h", 3600000),
                                     ("500ms", 500), ("", None), ("1.5s", None), ("s", None)])
def test_parse_duration(text, ms):
    assert parse_duration_ms(text) == ms


def test_quantity():
    assert quantity_to_float("12.124", "f") == 12.124
    assert quantity_to_float("100m", "f") == 0.1
    with pytest.raises(InputError):
        quantity_to_float("abc", "f")
