"""Normalisation: one canonical form per meaning (property-tested), and any one semantic change shows."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migrator.diff.configdiff import JobInput, diff_jobs
from migrator.diff.normalize import JOB_DEFAULTS, normalize_job, normalize_rule, redact_text, replacement_text

LABELS = ["__meta_kubernetes_pod_label_app", "__meta_kubernetes_namespace", "__meta_kubernetes_pod_name",
          "__address__", "__meta_kubernetes_pod_container_port_name", "instance"]
TARGETS = ["team", "namespace", "pod", "__address__", "__metrics_path__", "env"]
REGEXES = ["(.*)", "true", "(.+)", "foo|bar", "([^:]+):\\d+", "010"]
NAMESPACES = ["default", "shop", "istio-system", "monitoring", "kube-system"]
#: seconds -> spellings Prometheus reads as that duration
SPELLINGS = {15: ["15s", "15000ms"], 30: ["30s", "30000ms"], 60: ["1m", "60s", "60000ms"],
             90: ["1m30s", "90s"], 120: ["2m", "120s", "1m60s"], 3600: ["1h", "60m", "3600s"]}
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def rules(draw):
    action = draw(st.sampled_from(["replace", "keep", "drop", "labelmap", "labeldrop", "hashmod", "lowercase"]))
    rule: dict = {"action": action}
    if action in ("replace", "keep", "drop", "hashmod", "lowercase"):
        rule["source_labels"] = draw(st.lists(st.sampled_from(LABELS), min_size=1, max_size=3))
    if action in ("replace", "keep", "drop", "labelmap", "labeldrop"):
        if draw(st.booleans()):
            rule["regex"] = draw(st.sampled_from(REGEXES))
    if action in ("replace", "hashmod", "lowercase"):
        rule["target_label"] = draw(st.sampled_from(TARGETS))
    if action in ("replace", "labelmap") and draw(st.booleans()):
        rule["replacement"] = draw(st.sampled_from(["$1", "${1}-x", "$1:80", "static", "${2}"]))
    if action == "hashmod":
        rule["modulus"] = draw(st.integers(1, 8))
    if "source_labels" in rule and draw(st.booleans()):
        rule["separator"] = draw(st.sampled_from([";", ":", "/"]))
    return rule


@st.composite
def jobs(draw):
    job: dict = {"job_name": draw(st.sampled_from(["a", "b", "kubernetes-pods"]))}
    if draw(st.booleans()):
        job["scrape_interval"] = SPELLINGS[draw(st.sampled_from(sorted(SPELLINGS)))][0]
    if draw(st.booleans()):
        job["scrape_timeout"] = draw(st.sampled_from(["5s", "10s"]))
    for key, values in (("metrics_path", ["/metrics", "/stats/prometheus"]), ("scheme", ["http", "https"]),
                        ("honor_labels", [True, False]), ("sample_limit", [0, 1000])):
        if draw(st.booleans()):
            job[key] = draw(st.sampled_from(values))
    if draw(st.booleans()):
        sd: dict = {"role": draw(st.sampled_from(["pod", "endpoints", "service"]))}
        names = draw(st.lists(st.sampled_from(NAMESPACES), unique=True, max_size=3))
        if names:
            sd["namespaces"] = {"names": names}
        job["kubernetes_sd_configs"] = [sd]
    else:
        job["static_configs"] = [{"targets": draw(st.lists(st.sampled_from(["h1:80", "h2:80", "h3:9100"]),
                                                           unique=True, min_size=1, max_size=3)),
                                  **({"labels": {"env": "prod"}} if draw(st.booleans()) else {})}]
    if draw(st.booleans()):
        job["basic_auth"] = {"username": "u", "password": draw(st.sampled_from(["s3cret", "hunter2"]))}
    if draw(st.booleans()):
        job["params"] = {"module": [draw(st.sampled_from(["http_2xx", "tcp"]))]}
    job["relabel_configs"] = draw(st.lists(rules(), max_size=5))
    return job


def _shuffled(value, draw):
    """Mapping keys in another order, recursively (lists keep their order)."""
    if isinstance(value, dict):
        keys = draw(st.permutations(list(value)))
        return {k: _shuffled(value[k], draw) for k in keys}
    if isinstance(value, list):
        return [_shuffled(v, draw) for v in value]
    return value


@st.composite
def twins(draw):
    """(job, its twin): durations respelled, defaults explicit, sets reordered, keys reordered."""
    job = draw(jobs())
    twin = copy.deepcopy(job)
    for key in ("scrape_interval",):
        if key in twin:
            seconds = next(s for s, sp in SPELLINGS.items() if twin[key] in sp)
            twin[key] = draw(st.sampled_from(SPELLINGS[seconds]))
    if "scrape_interval" not in twin and draw(st.booleans()):
        twin["scrape_interval"] = draw(st.sampled_from(SPELLINGS[60]))      # the global default
    if "scrape_timeout" not in twin and draw(st.booleans()):
        twin["scrape_timeout"] = normalize_job(job)["scrape_timeout"]       # the inherited default, explicit
    for key, value in JOB_DEFAULTS.items():
        if key not in twin and draw(st.booleans()):
            twin[key] = value
    if draw(st.booleans()):
        twin["metric_relabel_configs"] = []
    for sd in twin.get("kubernetes_sd_configs") or []:
        if "namespaces" in sd:
            sd["namespaces"]["names"] = draw(st.permutations(sd["namespaces"]["names"]))
        elif draw(st.booleans()):
            sd["namespaces"] = {"names": [], "own_namespace": False}
        if draw(st.booleans()):
            sd["follow_redirects"] = True
    for sc in twin.get("static_configs") or []:
        sc["targets"] = draw(st.permutations(sc["targets"]))
    for rule in twin["relabel_configs"]:
        action = rule["action"]
        if action == "replace" and draw(st.booleans()):
            del rule["action"]
        elif draw(st.booleans()):
            rule["action"] = action.upper() if draw(st.booleans()) else action.capitalize()
        if action in ("replace", "keep", "drop", "labelmap", "labeldrop") and "regex" not in rule and draw(st.booleans()):
            rule["regex"] = "(.*)"
        if action in ("replace", "labelmap") and "replacement" not in rule and draw(st.booleans()):
            rule["replacement"] = draw(st.sampled_from(["$1", "${1}"]))
        if action in ("keep", "drop") and draw(st.booleans()):
            rule["replacement"] = "ignored"          # keep/drop never read it
        if "source_labels" in rule and "separator" not in rule and draw(st.booleans()):
            rule["separator"] = ";"
    return job, _shuffled(twin, draw)


@SETTINGS
@given(twins())
def test_a_twin_normalises_to_the_same_form(pair):
    job, twin = pair
    assert normalize_job(job) == normalize_job(twin)
    assert not diff_jobs(JobInput("a", job), JobInput("a", twin), "name").changed


def _mutations(job: dict) -> list:
    """Single semantic changes of a job: (description, function changing a copy in place)."""
    out = [
        ("metrics_path", lambda j: j.__setitem__("metrics_path", "/other")),
        ("honor_labels", lambda j: j.__setitem__("honor_labels", not j.get("honor_labels", False))),
        ("scrape_interval", lambda j: j.__setitem__("scrape_interval", "7s")),
        ("insert a rule", lambda j: j["relabel_configs"].insert(0, {"action": "drop", "source_labels": ["x"],
                                                                      "regex": "y"})),
        ("params", lambda j: j.__setitem__("params", {"module": ["icmp"]})),
        ("password", lambda j: j.__setitem__("basic_auth", {"username": "u", "password": "other-secret"})),
    ]
    if job["relabel_configs"]:
        out.append(("remove a rule", lambda j: j["relabel_configs"].pop()))
        first = job["relabel_configs"][0]
        if "regex" in RULE_READS.get(first["action"], ()):
            out.append(("a rule's regex", lambda j: j["relabel_configs"][0].__setitem__("regex", "changed-(.*)")))
    if job.get("kubernetes_sd_configs"):
        out.append(("a namespace", lambda j: j["kubernetes_sd_configs"][0].setdefault(
            "namespaces", {"names": []})["names"].append("brand-new")))
        out.append(("the role", lambda j: j["kubernetes_sd_configs"][0].__setitem__("role", "node")))
    else:
        out.append(("a target", lambda j: j["static_configs"][0]["targets"].append("h9:1")))
    return out


RULE_READS = {"replace": ("regex",), "keep": ("regex",), "drop": ("regex",), "labelmap": ("regex",),
              "labeldrop": ("regex",)}


@SETTINGS
@given(jobs(), st.data())
def test_any_single_semantic_change_is_reported(job, data):
    name, mutate = data.draw(st.sampled_from(_mutations(job)), label="mutation")
    changed = copy.deepcopy(job)
    mutate(changed)
    d = diff_jobs(JobInput("a", job), JobInput("a", changed), "name")
    assert d.changed, name
    text = json.dumps(d.to_json())
    assert "s3cret" not in text and "hunter2" not in text and "other-secret" not in text


@pytest.mark.slow
@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(twins())
def test_twins_many(pair):
    job, twin = pair
    assert normalize_job(job) == normalize_job(twin)


# -- examples -------------------------------------------------------------------------------------

def test_durations_by_value_and_the_timeout_default():
    assert normalize_job({"job_name": "a", "scrape_interval": "60s"})["scrape_interval"] == "1m"
    assert normalize_job({"job_name": "a", "scrape_interval": "1m30s"}) == \
        normalize_job({"job_name": "a", "scrape_interval": "90s"})
    # from global; a global timeout above the job's interval is capped at the interval (Prometheus does that)
    n = normalize_job({"job_name": "a", "scrape_interval": "5s"}, {"scrape_interval": "30s", "scrape_timeout": "10s"})
    assert (n["scrape_interval"], n["scrape_timeout"]) == ("5s", "5s")
    n = normalize_job({"job_name": "a"}, {"scrape_interval": "30s"})
    assert (n["scrape_interval"], n["scrape_timeout"]) == ("30s", "10s")
    assert normalize_job({"job_name": "a"})["scrape_interval"] == "1m"
    # a placeholder stays text
    assert normalize_job({"job_name": "a", "scrape_interval": "${INTERVAL}"})["scrape_interval"] == "${INTERVAL}"


def test_rule_defaults_and_unread_fields():
    assert normalize_rule({"target_label": "x", "source_labels": ["a"]}) == {
        "action": "replace", "source_labels": ["a"], "separator": ";", "regex": "(.*)", "target_label": "x",
        "replacement": "$1"}
    assert normalize_rule({"action": "Keep", "source_labels": ["a"], "regex": "b", "replacement": "zzz",
                           "target_label": "t"}) == {"action": "keep", "source_labels": ["a"], "separator": ";",
                                                     "regex": "b"}
    # a separator joins nothing when there is at most one source label
    assert normalize_rule({"action": "keep", "source_labels": ["a"], "separator": ":", "regex": "x"}) == \
        normalize_rule({"action": "keep", "source_labels": ["a"], "regex": "x"})
    assert normalize_rule({"action": "keep", "source_labels": ["a", "b"], "separator": ":", "regex": "x"}) != \
        normalize_rule({"action": "keep", "source_labels": ["a", "b"], "regex": "x"})
    assert normalize_rule({"action": "labelmap", "regex": True}) == {"action": "labelmap", "regex": "true",
                                                                     "replacement": "$1"}


@pytest.mark.parametrize("text,expected", [("${1}", "$1"), ("${1}:80", "$1:80"), ("${1}x", "${1}x"),
                                           ("$1", "$1"), ("${name}.svc", "$name.svc"), ("a${2}", "a$2")])
def test_replacement_group_references(text, expected):
    assert replacement_text(text) == expected


def test_secrets_are_redacted_but_their_changes_seen():
    job = {"job_name": "a", "basic_auth": {"username": "u", "password": "p1"}, "bearer_token": "tok-123",
           "proxy_connect_header": {"Proxy-Authorization": ["Basic abc"]},
           "http_headers": {"X-Key": {"secrets": ["zzz"], "values": ["visible"]}},
           "oauth2": {"client_id": "id", "client_secret": "cs"}, "authorization": {"credentials": "cr"}}
    n = normalize_job(job)
    text = json.dumps(redact_text(n))
    for secret in ("p1", "tok-123", "Basic abc", "zzz", "\"cs\"", "\"cr\""):
        assert secret not in text
    assert "visible" in text and text.count("<redacted>") == 6
    other = copy.deepcopy(job)
    other["basic_auth"]["password"] = "p2"
    d = diff_jobs(JobInput("a", job), JobInput("a", other), "name")
    assert [(f.path, f.to_json()["old"], f.to_json()["new"]) for f in d.fields] == \
        [("basic_auth.password", "<redacted>", "<redacted>")]


def test_sets_compare_as_sets_and_lists_as_lists():
    a = {"job_name": "a", "kubernetes_sd_configs": [{"role": "pod", "namespaces": {"names": ["x", "y"]},
                                                     "selectors": [{"role": "pod", "label": "a=b,c in (d,e)"}]}],
         "relabel_configs": [{"source_labels": ["a", "b"], "target_label": "t"}]}
    b = copy.deepcopy(a)
    b["kubernetes_sd_configs"][0]["namespaces"]["names"] = ["y", "x"]
    b["kubernetes_sd_configs"][0]["selectors"][0]["label"] = "c in (d,e), a=b"
    assert normalize_job(a) == normalize_job(b)
    b["relabel_configs"][0]["source_labels"] = ["b", "a"]    # order of source labels matters
    assert normalize_job(a) != normalize_job(b)
