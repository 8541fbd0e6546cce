"""Strict validation of monitors: schema (from the CRDs), selectors, relabel rules, RE2 regexes."""

from __future__ import annotations

import json
import sys
import textwrap
import time
from pathlib import Path

import pytest

from migrator.errors import InputError
from migrator.schemas import KINDS, load_schema
from migrator.sources import load_documents, parse_documents
from migrator.validate import (parse_duration, validate_documents, validate_monitor,
                               validate_relabel_config)

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
ORACLE = SHARED / "oracle" / "operator-cases"
CRDS = SHARED / "crds"


def doc_of(text: str, name: str = "m.yaml"):
    (doc,) = parse_documents(textwrap.dedent(text).lstrip("\n"), name)
    return doc


def where(errs: list[InputError]) -> list[tuple[int, str]]:
    return [(e.line, e.field) for e in errs]


# --------------------------------------------------------------------------- valid input

def _oracle_monitors() -> list[Path]:
    return sorted(ORACLE.glob("*/monitor.yaml")) if ORACLE.is_dir() else []


@pytest.mark.shared
@pytest.mark.parametrize("path", _oracle_monitors() or [None], ids=lambda p: p.parent.name if p else "absent")
def test_every_oracle_monitor_is_valid(path):
    if path is None:
        pytest.skip(f"../shared is not beside the checkout ({ORACLE} missing)")
    docs = load_documents([str(path)])
    assert docs
    for doc in docs:
        assert doc.kind in ("ServiceMonitor", "PodMonitor")
        assert [str(e) for e in validate_monitor(doc)] == []


VALID = {
    "podmonitor": """
        apiVersion: monitoring.coreos.com/v1
        kind: PodMonitor
        metadata: {name: pm, namespace: ns, labels: {team: a}}
        spec:
          selector:
            matchLabels: {app: x}
            matchExpressions:
            - {key: tier, operator: NotIn, values: [db]}
            - {key: example.com/canary, operator: DoesNotExist}
          podMetricsEndpoints:
          - port: web
            portNumber: 8080
            targetPort: 8080
            interval: 1m30s
            scrapeTimeout: 10s
            scheme: HTTPS
            relabelings:
            - {action: Replace, sourceLabels: [__meta_kubernetes_pod_name], targetLabel: pod}
            - {action: hashmod, sourceLabels: [__address__], targetLabel: __tmp_hash, modulus: 4}
            - {action: keep, sourceLabels: [__tmp_hash], regex: '(?i)[[:digit:]]+|\\pL|a)|(b'}
            - {action: labelmap, regex: '__meta_kubernetes_pod_label_(.+)', replacement: 'k_$1'}
            - {action: labeldrop, regex: 'tmp_.*'}
            - {action: lowercase, sourceLabels: [a], targetLabel: b}
            - {action: keepequal, sourceLabels: [a], targetLabel: b}
            - {action: drop, regex: '(?P<g>a)(?P<g>b)'}
            - {action: replace, targetLabel: 'utf-8.name', replacement: x}
    """,
    "servicemonitor": """
        apiVersion: monitoring.coreos.com/v1
        kind: ServiceMonitor
        metadata: {name: sm}
        spec:
          selector: {}
          nativeHistogramMinBucketFactor: 1.1e0
          endpoints:
          - port: web
            interval: "0"
            bearerTokenSecret: {name: s, key: k}
          - targetPort: metrics
            authorization: {credentials: {name: s, key: k}}
    """,
    "probe": """
        apiVersion: monitoring.coreos.com/v1
        kind: Probe
        metadata: {name: p}
        spec:
          interval: 30s
          scrapeTimeout: 30s
          prober: {url: blackbox:9115}
          targets:
            staticConfig:
              static: [a.example.com]
              relabelingConfigs:
              - {action: replace, targetLabel: x, replacement: y}
    """,
    "scrapeconfig": """
        apiVersion: monitoring.coreos.com/v1alpha1
        kind: ScrapeConfig
        metadata: {name: sc}
        spec:
          scrapeInterval: 1m
          staticConfigs:
          - targets: [a:80]
          relabelings:
          - {action: drop, sourceLabels: [a], regex: x}
    """,
}


@pytest.mark.parametrize("name", sorted(VALID))
def test_valid_documents_of_each_kind(name):
    doc = doc_of(VALID[name])
    assert [str(e) for e in validate_monitor(doc)] == []


# --------------------------------------------------------------------------- invalid monitors

SM_HEAD = """\
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: sm
spec:
  selector: {}
  endpoints:
"""  # line 8 is the first endpoint

# (id, YAML after SM_HEAD or a whole document, expected line, field, message fragment)
BAD = [
    ("unknown-field-spec", SM_HEAD.replace("  selector: {}\n", "  selector: {}\n  jobLable: x\n")
     + "  - port: web\n", 7, "spec.jobLable", 'unknown field "jobLable" (did you mean "jobLabel"?)'),
    ("unknown-field-endpoint", SM_HEAD + "  - port: web\n    intervall: 30s\n",
     9, "spec.endpoints[0].intervall", 'unknown field "intervall"'),
    ("unknown-field-top", SM_HEAD + "  - port: web\nextra: 1\n", 9, "extra", 'unknown field "extra"'),
    ("wrong-type-port-int", SM_HEAD + "  - port: 8080\n",
     8, "spec.endpoints[0].port", 'must be a string, not an integer (8080); quote it: "8080"'),
    ("wrong-type-bool-yaml11", SM_HEAD + "  - port: web\n    honorLabels: 'yes'\n",
     9, "spec.endpoints[0].honorLabels", "must be a boolean, not a string (yes)"),
    ("wrong-type-octal-text", SM_HEAD + "  - port: 010\n",
     8, "spec.endpoints[0].port", 'quote it: "010"'),
    ("wrong-type-endpoints-map", SM_HEAD.replace("  endpoints:\n", "  endpoints: {port: web}\n"),
     7, "spec.endpoints", "must be a list, not a mapping"),
    ("bad-duration", SM_HEAD + "  - port: web\n    interval: 30sec\n",
     9, "spec.endpoints[0].interval", 'invalid duration "30sec"'),
    ("bad-duration-order", SM_HEAD + "  - port: web\n    scrapeTimeout: 10s1m\n",
     9, "spec.endpoints[0].scrapeTimeout", 'invalid duration "10s1m"'),
    ("duration-out-of-range", SM_HEAD + "  - port: web\n    interval: 300y\n",
     9, "spec.endpoints[0].interval", "duration out of range"),
    ("timeout-above-interval", SM_HEAD + "  - port: web\n    interval: 10s\n    scrapeTimeout: 1m\n",
     10, "spec.endpoints[0].scrapeTimeout", 'scrapeTimeout "1m" greater than interval "10s"'),
    ("bad-enum-scheme", SM_HEAD + "  - port: web\n    scheme: ftp\n",
     9, "spec.endpoints[0].scheme", 'unsupported value "ftp" (supported: "http", "https"'),
    ("bad-enum-action", SM_HEAD + "  - port: web\n    relabelings:\n    - action: copy\n",
     10, "spec.endpoints[0].relabelings[0].action", 'unsupported value "copy"'),
    ("minimum", SM_HEAD + "  - port: web\n    relabelings:\n    - {action: hashmod, modulus: -1, targetLabel: h}\n",
     10, "spec.endpoints[0].relabelings[0].modulus", "must be greater than or equal to 0, not -1"),
    ("required-selector", SM_HEAD.replace("  selector: {}\n", "") + "  - port: web\n",
     5, "spec.selector", 'required field "selector" is missing'),
    ("required-endpoints-null", SM_HEAD,
     7, "spec.endpoints", 'required field "endpoints" is missing'),
    ("required-spec", "apiVersion: monitoring.coreos.com/v1\nkind: PodMonitor\nmetadata: {name: a}\n",
     1, "spec", 'required field "spec" is missing'),
    ("required-secret-key", SM_HEAD + "  - port: web\n    bearerTokenSecret: {name: s}\n",
     9, "spec.endpoints[0].bearerTokenSecret.key", 'required field "key" is missing'),
    ("name-missing", SM_HEAD.replace("  name: sm\n", "  namespace: ns\n") + "  - port: web\n",
     3, "metadata.name", 'required field "name" is missing'),
    ("metadata-missing", SM_HEAD.replace("metadata:\n  name: sm\n", "") + "  - port: web\n",
     1, "metadata.name", "is missing"),
    ("name-slash", SM_HEAD.replace("name: sm", "name: a/b") + "  - port: web\n",
     4, "metadata.name", "may not be '.' or '..' and may not contain '/'"),
    ("bad-namespace", SM_HEAD.replace("  name: sm\n", "  name: sm\n  namespace: My_NS\n") + "  - port: web\n",
     5, "metadata.namespace", 'invalid namespace "My_NS"'),
    ("label-value-int", SM_HEAD.replace("  name: sm\n", "  name: sm\n  labels:\n    v: 2\n")
     + "  - port: web\n", 6, "metadata.labels.v", "must be a string, not an integer (2)"),
    ("metadata-list", SM_HEAD.replace("metadata:\n  name: sm\n", "metadata: [sm]\n") + "  - port: web\n",
     3, "metadata", "must be a mapping, not a list"),
    ("unknown-metadata-field", SM_HEAD.replace("  name: sm\n", "  name: sm\n  label: {}\n")
     + "  - port: web\n", 5, "metadata.label", 'unknown field "label" (did you mean "labels"?)'),
    ("selector-operator", SM_HEAD.replace("  selector: {}\n", "  selector:\n    matchExpressions:\n"
                                          "    - {key: app, operator: Equals, values: [a]}\n")
     + "  - port: web\n", 8, "spec.selector.matchExpressions[0].operator",
     '"Equals" is not a valid label selector operator'),
    ("selector-in-without-values", SM_HEAD.replace("  selector: {}\n", "  selector:\n    matchExpressions:\n"
                                                   "    - key: app\n      operator: In\n")
     + "  - port: web\n", 8, "spec.selector.matchExpressions[0].values",
     "values must be non-empty for operator In"),
    ("selector-exists-with-values", SM_HEAD.replace("  selector: {}\n", "  selector:\n    matchExpressions:\n"
                                                    "    - key: app\n      operator: Exists\n"
                                                    "      values: [a]\n")
     + "  - port: web\n", 10, "spec.selector.matchExpressions[0].values",
     "values must be empty for operator Exists"),
    ("selector-bad-label-value", SM_HEAD.replace("  selector: {}\n", "  selector:\n    matchLabels:\n"
                                                 "      app: -x-\n")
     + "  - port: web\n", 8, "spec.selector.matchLabels.app", 'invalid label value "-x-"'),
    ("selector-bad-key", SM_HEAD.replace("  selector: {}\n", "  selector:\n    matchLabels:\n"
                                         "      'a b': x\n")
     + "  - port: web\n", 8, "spec.selector.matchLabels.a b", 'invalid label key "a b"'),
    ("regex-lookahead", SM_HEAD + "  - port: web\n    relabelings:\n    - action: keep\n"
     "      regex: '(?=x)'\n", 11, "spec.endpoints[0].relabelings[0].regex",
     "invalid or unsupported Perl syntax: `(?=` (RE2 has no lookahead or lookbehind)"),
    ("regex-repeat-1001", SM_HEAD + "  - port: web\n    relabelings:\n    - action: drop\n"
     "      regex: 'a{1001}'\n", 11, "spec.endpoints[0].relabelings[0].regex", "invalid repeat count"),
    ("regex-unbalanced", SM_HEAD + "  - port: web\n    metricRelabelings:\n    - action: drop\n"
     "      regex: '(foo'\n", 11, "spec.endpoints[0].metricRelabelings[0].regex",
     "error parsing regexp: missing closing ): `^(?s:(foo)$`"),
    ("regex-backref", SM_HEAD + "  - port: web\n    relabelings:\n    - {action: drop, regex: '(a)\\1'}\n",
     10, "spec.endpoints[0].relabelings[0].regex", "RE2 has no back-references"),
    ("regex-go-only-C", SM_HEAD + "  - port: web\n    relabelings:\n    - {action: drop, regex: 'a\\C'}\n",
     10, "spec.endpoints[0].relabelings[0].regex", "invalid escape sequence: `\\C`"),
    ("replace-without-target", SM_HEAD + "  - port: web\n    relabelings:\n    - sourceLabels: [a]\n",
     10, "spec.endpoints[0].relabelings[0].targetLabel",
     "relabel configuration for replace action requires 'target_label' value"),
    ("hashmod-without-modulus", SM_HEAD + "  - port: web\n    relabelings:\n    - action: hashmod\n"
     "      targetLabel: h\n", 10, "spec.endpoints[0].relabelings[0].modulus",
     "relabel configuration for hashmod requires non-zero modulus"),
    ("hashmod-without-target", SM_HEAD + "  - port: web\n    relabelings:\n    - action: HashMod\n"
     "      modulus: 2\n", 10, "spec.endpoints[0].relabelings[0].targetLabel",
     "relabel configuration for hashmod action requires 'target_label' value"),
    ("lowercase-with-replacement", SM_HEAD + "  - port: web\n    relabelings:\n    - action: lowercase\n"
     "      targetLabel: a\n      replacement: x\n", 12, "spec.endpoints[0].relabelings[0].replacement",
     "'replacement' can not be set for lowercase action"),
    ("labeldrop-with-source", SM_HEAD + "  - port: web\n    relabelings:\n    - action: labeldrop\n"
     "      regex: x\n      sourceLabels: [a]\n", 12, "spec.endpoints[0].relabelings[0].sourceLabels",
     "labeldrop action requires only 'regex', and no other fields"),
    ("keepequal-with-regex", SM_HEAD + "  - port: web\n    relabelings:\n    - action: keepequal\n"
     "      targetLabel: a\n      regex: 'x+'\n", 12, "spec.endpoints[0].relabelings[0].regex",
     "keepequal action requires only"),
    ("labelmap-empty-replacement", SM_HEAD + "  - port: web\n    relabelings:\n    - action: labelmap\n"
     "      regex: 'a_(.*)'\n      replacement: ''\n", 12, "spec.endpoints[0].relabelings[0].replacement",
     "\"\" is invalid 'replacement' for labelmap action"),
    ("relabel-null-item", SM_HEAD + "  - port: web\n    relabelings:\n    -\n",
     10, "spec.endpoints[0].relabelings[0]", "list item must not be null"),
    ("two-auth-methods", SM_HEAD + "  - port: web\n    basicAuth: {username: {name: s, key: u}}\n"
     "    oauth2: {clientId: {secret: {name: s, key: i}}, clientSecret: {name: s, key: c}, "
     "tokenUrl: 'http://t'}\n", 10, "spec.endpoints[0].oauth2",
     "basicAuth and oauth2 cannot be configured at the same time"),
    ("authorization-basic", SM_HEAD + "  - port: web\n    authorization:\n      type: Basic\n"
     "      credentials: {name: s, key: k}\n", 10, "spec.endpoints[0].authorization.type",
     "use \"basicAuth\" instead"),
    ("set-duplicate", SM_HEAD.replace("  selector: {}\n", "  selector: {}\n  scrapeProtocols: [PrometheusProto, OpenMetricsText1.0.0, PrometheusProto]\n")
     + "  - port: web\n", 7, "spec.scrapeProtocols[2]", 'duplicate value "PrometheusProto" (also at [0])'),
    ("pattern-url", SM_HEAD + "  - port: web\n    proxyUrl: ftp://x\n", 9, "spec.endpoints[0].proxyUrl",
     'invalid value "ftp://x": must match the pattern'),
    ("int-or-string", SM_HEAD + "  - targetPort: [1]\n", 8, "spec.endpoints[0].targetPort",
     "must be an integer or a string, not a list"),
    ("int64-min", "apiVersion: monitoring.coreos.com/v1\nkind: PodMonitor\nmetadata: {name: a}\n"
     "spec:\n  selector: {}\n  sampleLimit: -3\n", 6, "spec.sampleLimit", "must be greater than or equal to 0"),
    ("int32-range", "apiVersion: monitoring.coreos.com/v1\nkind: PodMonitor\nmetadata: {name: a}\n"
     "spec:\n  selector: {}\n  podMetricsEndpoints:\n  - portNumber: 70000\n", 7,
     "spec.podMetricsEndpoints[0].portNumber", "must be less than or equal to 65535, not 70000"),
    ("apiVersion-wrong", SM_HEAD.replace("/v1\n", "/v1beta1\n") + "  - port: web\n", 1, "apiVersion",
     'apiVersion "monitoring.coreos.com/v1beta1" is not served for ServiceMonitor'),
    ("kind-unknown", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n", 2, "kind",
     'cannot validate kind "ConfigMap"'),
    ("scrapeconfig-cel", "apiVersion: monitoring.coreos.com/v1alpha1\nkind: ScrapeConfig\n"
     "metadata: {name: a}\nspec:\n  basicAuth: {username: {name: s, key: u}}\n"
     "  authorization: {credentials: {name: s, key: k}}\n", 4, "spec",
     "at most one of basicAuth, authorization, or oauth2 can be configured"),
    ("probe-unknown-field", "apiVersion: monitoring.coreos.com/v1\nkind: Probe\nmetadata: {name: a}\n"
     "spec:\n  targets:\n    staticConfig:\n      statics: [a]\n", 7, "spec.targets.staticConfig.statics",
     'unknown field "statics" (did you mean "static"?)'),
]


@pytest.mark.parametrize("text,line,field,fragment", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_monitor_reports_file_line_field_and_message(text, line, field, fragment):
    errs = validate_monitor(doc_of(text, "bad.yaml"))
    assert errs, "expected an error"
    matching = [e for e in errs if fragment in e.message]
    assert matching, f"no error mentions {fragment!r}: {[str(e) for e in errs]}"
    e = matching[0]
    assert (e.file, e.line, e.field) == ("bad.yaml", line, field), str(e)
    assert str(e).startswith(f"bad.yaml:{line}: {field}: ")
    assert len(errs) == 1, [str(x) for x in errs]  # each case has exactly one problem


def test_all_errors_of_a_document_are_collected_in_line_order():
    text = SM_HEAD + (
        "  - port: 8080\n"
        "    interval: 5 minutes\n"
        "    scheme: ftp\n"
        "    relabelings:\n"
        "    - {action: keep, regex: '(?=x)'}\n"
        "    - sourceLabels: [a]\n"
        "  - port: web\n"
        "    bogus: true\n")
    errs = validate_monitor(doc_of(text, "many.yaml"))
    assert where(errs) == [
        (8, "spec.endpoints[0].port"),
        (9, "spec.endpoints[0].interval"),
        (10, "spec.endpoints[0].scheme"),
        (12, "spec.endpoints[0].relabelings[0].regex"),
        (13, "spec.endpoints[0].relabelings[1].targetLabel"),
        (15, "spec.endpoints[1].bogus"),
    ]
    errs = validate_documents(parse_documents(text + "---\n" + text, "two.yaml"))
    assert len(errs) == 13  # 6 + 6, and the second ServiceMonitor default/sm is the first one again
    assert "is given twice" in errs[-1].message


def test_a_document_that_is_not_a_mapping():
    (e,) = validate_monitor(doc_of("- a\n- b\n"))
    assert "not a Kubernetes object" in e.message and e.line == 1


def test_strict_names_are_optional():
    doc = doc_of(SM_HEAD.replace("name: sm", "name: defaultServiceMonitor") + "  - port: web\n")
    assert validate_monitor(doc) == []
    (e,) = validate_monitor(doc, strict_names=True)
    assert (e.line, e.field) == (4, "metadata.name") and "RFC 1123 subdomain" in e.message


@pytest.mark.parametrize("version,target,ok", [
    ("v3.13.2", "utf-8.label", True),    # 3.x: UTF-8 label names
    ("v2.55.0", "utf-8.label", False),   # 2.x: legacy names
    ("v2.55.0", "${1}x", True),          # templates are fine for replace
    ("v3.0.0", "0${3}", False),          # templates: legacy rule T until 3.2
    ("v3.2.0", "0${3}", True),
])
def test_replace_target_label_depends_on_version(version, target, ok):
    doc = doc_of(SM_HEAD + f"  - port: web\n    relabelings:\n    - {{targetLabel: '{target}', replacement: x}}\n")
    errs = validate_monitor(doc, version=version)
    assert (errs == []) is ok, [str(e) for e in errs]


def test_case_actions_need_prometheus_2_36():
    doc = doc_of(SM_HEAD + "  - port: web\n    relabelings:\n    - {action: uppercase, sourceLabels: [a], targetLabel: b}\n")
    assert validate_monitor(doc, version="2.36.0") == []
    (e,) = validate_monitor(doc, version="2.35.0")
    assert "only supported from Prometheus version 2.36.0" in e.message and e.line == 10


# --------------------------------------------------------------------------- relabel rules alone

RULES = [
    # (rule, style, version, expected field (relative) or None, fragment)
    ({"sourceLabels": ["a"], "targetLabel": "b"}, None, None, None, None),
    ({"source_labels": ["a"], "target_label": "b"}, None, None, None, None),
    ({"source_labels": ["a"]}, None, None, "target_label", "requires 'target_label' value"),
    (None, "prometheus", None, "", "empty or null target relabeling rule"),
    ({}, "prometheus", None, "target_label", "requires 'target_label' value"),
    ({}, "crd", None, "targetLabel", "requires 'target_label' value"),
    ({"action": None, "target_label": "x"}, "prometheus", None, "action", "relabel action cannot be empty"),
    ({"action": "", "target_label": "x"}, "prometheus", None, "action", 'unknown relabel action ""'),
    ({"action": "copy", "target_label": "x"}, "prometheus", None, "action", 'unknown relabel action "copy"'),
    ({"action": "KEEP", "regex": "a"}, "prometheus", None, None, None),
    ({"action": "keepequal", "target_label": "x", "regex": "(.*)"}, "prometheus", None, "regex",
     "requires only 'source_labels' and `target_label`"),
    ({"action": "keepequal", "targetLabel": "x", "regex": "(.*)"}, "crd", None, "regex",
     "Prometheus rejects the generated configuration"),  # the operator lets it pass, Prometheus does not
    ({"action": "keepequal", "targetLabel": "x", "regex": ""}, "crd", None, None, None),  # not written out
    ({"action": "keepequal", "target_label": "x", "separator": ";"}, "prometheus", None, None, None),
    ({"action": "labelkeep", "source_labels": []}, "prometheus", None, "source_labels", "requires only 'regex'"),
    ({"action": "labelkeep", "sourceLabels": []}, "crd", None, None, None),
    ({"action": "labelmap", "replacement": None}, "prometheus", None, "replacement", "invalid 'replacement'"),
    ({"action": "labelmap", "regex": "a(.*)", "replacement": "${1}_x"}, "prometheus", "2.42.0", None, None),
    ({"action": "labelmap", "replacement": "a-b"}, "prometheus", "2.42.0", "replacement", "invalid 'replacement'"),
    ({"action": "hashmod", "target_label": "${1}", "modulus": 2}, "prometheus", "2.42.0", "target_label",
     "invalid 'target_label' for hashmod"),
    ({"action": "lowercase", "target_label": "${1}"}, "prometheus", "2.42.0", None, None),
    ({"action": "lowercase", "target_label": "${1}"}, "prometheus", "2.50.0", "target_label", "invalid 'target_label'"),
    ({"action": "keepequal", "target_label": "x"}, "prometheus", "2.40.0", "action", "2.41.0"),
    ({"source_labels": ["foo-bar"], "target_label": "x"}, "prometheus", "2.42.0", ("source_labels", 0),
     '"foo-bar" is not a valid label name'),
    ({"source_labels": ["foo-bar"], "target_label": "x"}, "prometheus", "3.0.0", None, None),
    ({"source_labels": ["a", ""], "target_label": "x"}, "prometheus", "3.0.0", ("source_labels", 1),
     '"" is not a valid label name'),
    ({"regex": 10, "target_label": "x"}, "prometheus", None, None, None),  # go-yaml reads it as "10"
    ({"regex": "a{,3}", "target_label": "x"}, "prometheus", None, None, None),
    ({"regex": "(?<n>a)", "target_label": "x"}, "prometheus", "2.42.0", "regex", "(?<"),
    ({"target_label": "x", "sourceLabel": ["a"]}, "prometheus", None, "sourceLabel",
     "field sourceLabel not found in type relabel.plain (did you mean source_labels?)"),
    ({"action": "hashmod", "target_label": "x", "modulus": 2**64}, "prometheus", None, "modulus",
     "cannot unmarshal !!int `18446744073709551616` into uint64"),
]


@pytest.mark.parametrize("rule,style,version,field,fragment", RULES)
def test_validate_relabel_config(rule, style, version, field, fragment):
    errs = validate_relabel_config(rule, path=("relabel_configs", 3), version=version, style=style)
    if field is None:
        assert [str(e) for e in errs] == []
        return
    assert len(errs) == 1, [str(e) for e in errs]
    rel = field if isinstance(field, tuple) else ((field,) if field else ())
    from migrator.sources import dotted
    assert errs[0].field == dotted(("relabel_configs", 3) + rel)
    assert fragment in errs[0].message, errs[0].message


def test_validate_relabel_config_with_document_lines():
    doc = doc_of("""
        relabel_configs:
        - source_labels: [a]
          regex: 010
          action: keep
        - source_labels: [a]
          action: replace
    """, "raw.yaml")
    rules = doc.data["relabel_configs"]
    assert validate_relabel_config(rules[0], path=("relabel_configs", 0), doc=doc) == []
    (e,) = validate_relabel_config(rules[1], path=("relabel_configs", 1), doc=doc)
    assert str(e) == ("raw.yaml:5: relabel_configs[1].target_label: relabel configuration for "
                      "replace action requires 'target_label' value")


# --------------------------------------------------------------------------- regexes and durations

REGEXES = [
    # (regex, None when valid else a fragment of the reason)
    ("(.*)", None), ("", None), ("a)|(b", None), ("(?i)foo", None), ("a(?i)b", None),
    ("[[:alpha:]]+", None), (r"\pL\p{Greek}\PN", None), (r"\Q.*\E", None), ("(?U)a+", None),
    ("a{1000}", None), ("a{,3}", None), ("(?P<g>a)(?P<g>b)", None), ("(?P<n1_>a)", None),
    (r"\z\A\b", None), ("[]a]", None), (r"\pL{1000}", None), ("(?<n>a)", None), (r"\C\Q\C\E", "\\C"),
    ("(?=x)", "(?="), ("(?!x)", "(?!"), ("(?<=x)", "(?<="), ("(?<!x)", "(?<!"),
    ("a{1001}", "invalid repeat count"), ("(a{100}){100}", "invalid repeat count"),
    ("(", "missing closing )"), ("a)", "unexpected )"), ("[a", "missing closing ]"),
    (r"(a)\1", "back-references"), (r"\Z", "invalid escape sequence"), ("a**", "nested repetition"),
    ("a++", "nested repetition"), ("(?P<é>a)", "invalid named capture: `(?P<é>`"), ("(?#c)", "(?#"),
    ("[z-a]", "invalid character class range"), (r"\p{Foo}", "invalid character class range"),
    ("*a", "missing argument to repetition operator"), ("(?x)a", "(?x"), ("\ud800", "invalid UTF-8"),
    ("(" * 998 + "a" + ")" * 998, None), ("(" * 999 + "a" + ")" * 999, "nests too deeply"),
    ("(?:" * 1200 + "a" + ")" * 1200, None),
]


def check_regex(regex: str, version: str | None = None) -> str | None:
    """The relabel authority's verdict on a regex (through a keep rule), as text."""
    from migrator.relabel import check_rule

    problems = check_rule({"action": "keep", "source_labels": ["a"], "regex": regex}, version=version)
    assert all(p.path == ("regex",) for p in problems), problems
    return str(problems[0]) if problems else None


@pytest.mark.parametrize("regex,problem", REGEXES)
def test_check_regex(regex, problem):
    got = check_regex(regex)
    if problem is None:
        assert got is None
    else:
        assert got is not None and problem in got, got


def test_check_regex_named_groups_depend_on_version():
    assert check_regex("(?<n>a)", version="2.51.0") is None
    assert "(?<" in check_regex("(?<n>a)", version="2.42.0")


DURATIONS = [("0", 0.0), ("30s", 30.0), ("1m30s", 90.0), ("1h", 3600.0), ("500ms", 0.5),
             ("1y", 365 * 86400.0), ("2w1d", 15 * 86400.0), ("1d2h3m4s5ms", 93784.005),
             ("292y", 292 * 365 * 86400.0)]
BAD_DURATIONS = [("", "empty duration string"), ("1", "not a valid duration"),
                 ("s", "not a valid duration"), ("1s1m", "not a valid duration"),
                 ("1.5s", 'unknown unit "."'), ("1x", 'unknown unit "x"'),
                 ("1s1s", "not a valid duration"), ("-1s", "not a valid duration"),
                 ("300y", "out of range"), ("9223372036855ms", "out of range"), (30, "expected a string")]


@pytest.mark.parametrize("text,seconds", DURATIONS)
def test_parse_duration(text, seconds):
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text,fragment", BAD_DURATIONS)
def test_parse_duration_rejects(text, fragment):
    with pytest.raises(InputError) as exc:
        parse_duration(text)
    assert fragment in exc.value.message


# --------------------------------------------------------------------------- schemas

def test_shipped_schemas_match_the_generator():
    if not CRDS.is_dir():
        pytest.skip(f"../shared is not beside the checkout ({CRDS} missing)")
    sys.path.insert(0, str(REPO / "tools"))
    try:
        import gen_schemas
    finally:
        sys.path.remove(str(REPO / "tools"))
    generated = gen_schemas.render(CRDS)
    shipped_dir = REPO / "migrator" / "schemas"
    assert sorted(generated) == sorted(str(p.relative_to(shipped_dir)) for p in shipped_dir.rglob("*.json"))
    for name, text in generated.items():
        assert (shipped_dir / name).read_text(encoding="utf-8") == text, \
            f"{name} is stale: run python tools/gen_schemas.py"


@pytest.mark.parametrize("kind", KINDS)
def test_schemas_are_compact_and_complete(kind):
    s = load_schema(kind)
    assert s["kind"] == kind and s["group"] == "monitoring.coreos.com"
    assert s["storageVersion"] in s["versions"]
    text = json.dumps(s)
    assert '"description"' not in text and '"default"' not in text
    root = s["versions"][s["storageVersion"]]
    assert {"apiVersion", "kind", "metadata", "spec"} <= set(root["properties"])


# --------------------------------------------------------------------------- speed

def test_a_thousand_endpoints_validate_quickly():
    lines = [SM_HEAD.rstrip("\n")]
    for i in range(1000):
        lines += [f"  - port: web{i}", "    interval: 30s", "    scrapeTimeout: 10s", "    path: /metrics",
                  "    relabelings:",
                  f"    - {{action: replace, sourceLabels: [__meta_kubernetes_pod_name], targetLabel: p{i}}}",
                  "    - {action: keep, sourceLabels: [__meta_x], regex: 'a|b(c+)'}",
                  "    metricRelabelings:",
                  f"    - {{action: drop, sourceLabels: [__name__], regex: 'go_.*{i}'}}"]
    doc = doc_of("\n".join(lines) + "\n")
    start = time.perf_counter()
    errs = validate_monitor(doc)
    elapsed = time.perf_counter() - start
    assert errs == []
    assert elapsed < 1.0, f"validating 1000 endpoints took {elapsed:.2f}s"
    # and an error deep in the list still gets its own line
    bad = doc_of("\n".join(lines).replace("port: web999", "port: 999") + "\n")
    (e,) = validate_monitor(bad)
    assert e.field == "spec.endpoints[999].port" and e.line == 8 + 999 * 9


# --------------------------------------------------------------------------- robustness

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=False),
                     st.text(max_size=12), st.sampled_from(["In", "Exists", "(", "a{1001}", "30s", "hashmod",
                                                            "replace", "labeldrop", "$1", "${1}", "http"]))
_KEYS = st.sampled_from(["port", "interval", "scrapeTimeout", "relabelings", "action", "regex", "modulus",
                         "targetLabel", "sourceLabels", "replacement", "separator", "selector",
                         "matchExpressions", "matchLabels", "key", "operator", "values", "basicAuth",
                         "authorization", "type", "credentials", "x", "endpoints", "podMetricsEndpoints"])
_DATA = st.recursive(_SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(_KEYS, inner, max_size=5)),
                     max_leaves=25)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=_DATA, kind=st.sampled_from(KINDS))
def test_validation_never_crashes_and_always_locates_errors(spec, kind):
    from migrator.sources import Document
    api = "monitoring.coreos.com/v1alpha1" if kind == "ScrapeConfig" else "monitoring.coreos.com/v1"
    doc = Document({"apiVersion": api, "kind": kind, "metadata": {"name": "a"}, "spec": spec}, "f.yaml")
    errs = validate_monitor(doc)
    assert isinstance(errs, list)
    for e in errs:
        assert isinstance(e, InputError) and e.file == "f.yaml" and e.line == 1
        assert e.message and e.field


# --------------------------------------------------------------------------- issue 8

@pytest.mark.parametrize("version,ok", [("2.30.0", False), ("2.35.0", False), ("2.36.0", True)])
def test_lowercase_needs_2_36_in_every_form(version, ok):
    """The relabel authority (raw rules: targets) and validate (monitors) agree on the version gate."""
    from migrator.relabel import check_rule

    raw = check_rule({"action": "lowercase", "source_labels": ["a"], "target_label": "b"}, version=version)
    assert (raw == []) is ok, raw
    if not ok:
        assert raw[0].message == 'unknown relabel action "lowercase"'  # Prometheus's own words
        assert raw[0].path == ("action",)
    doc = doc_of(SM_HEAD + "  - port: web\n    relabelings:\n    - {action: lowercase, sourceLabels: [a], "
                 "targetLabel: b}\n", "lc.yaml")
    errs = validate_monitor(doc, version=version)
    assert (errs == []) is ok, [str(e) for e in errs]


def test_a_regex_go_accepts_is_accepted_and_too_deep_is_refused():
    ok = doc_of(SM_HEAD + "  - port: web\n    relabelings:\n    - {action: keep, sourceLabels: [a], "
                "regex: '\\pL{1000}'}\n")
    assert validate_monitor(ok, version="2.42.0") == []
    deep = "(" * 999 + "a" + ")" * 999
    bad = doc_of(SM_HEAD + f"  - port: web\n    relabelings:\n    - {{action: keep, sourceLabels: [a], "
                 f"regex: '{deep}'}}\n")
    (e,) = validate_monitor(bad, version="2.42.0")
    assert "expression nests too deeply" in e.message


CREDENTIAL_CASES = [
    ("basicAuth:\n      password: S3CRET-pw\n      username: {name: s, key: u}\n", "basicAuth.password"),
    ("bearerTokenSecret: S3CRET-bt\n", "bearerTokenSecret"),
    ("authorization:\n      credentials: S3CRET-cred\n", "authorization.credentials"),
    ("oauth2:\n      clientId: {secret: {name: a, key: b}}\n      clientSecret: S3CRET-cs\n"
     "      tokenUrl: http://t\n", "oauth2.clientSecret"),
    ("oauth2:\n      clientId: {secret: {name: a, key: b}}\n      clientSecret: 73310001\n"
     "      tokenUrl: http://t\n", "oauth2.clientSecret"),
    ("basicAuth:\n      password: {name: S3CRET-name, key: [k]}\n", "basicAuth.password.key"),
]


@pytest.mark.parametrize("fragment,field", CREDENTIAL_CASES)
def test_a_credential_value_is_never_shown(fragment, field):
    doc = doc_of(SM_HEAD + "  - port: web\n    " + fragment, "cred.yaml")
    errs = validate_monitor(doc)
    assert any(e.field == f"spec.endpoints[0].{field}" for e in errs), [str(e) for e in errs]
    for e in errs:
        assert "S3CRET" not in str(e) and "73310001" not in str(e), str(e)


def test_the_credential_predicate():
    from migrator.credentials import is_credential_path

    assert is_credential_path(("spec", "endpoints", 0, "basicAuth", "password"))
    assert is_credential_path(("spec", "endpoints", 0, "bearerTokenSecret", "name"))
    assert is_credential_path(("scrape_configs", 0, "oauth2", "client_secret"))
    assert is_credential_path(("scrape_configs", 0, "tls_config", "key"))
    assert is_credential_path(("data", "token"), kind="Secret")
    assert not is_credential_path(("spec", "endpoints", 0, "port"))
    assert not is_credential_path(("spec", "endpoints", 0, "relabelings", 0, "sourceLabels", "key"))


PM_HEAD = ("apiVersion: monitoring.coreos.com/v1\nkind: PodMonitor\nmetadata:\n  name: pm\n"
           "spec:\n  selector: {}\n  podMetricsEndpoints:\n")


@pytest.mark.parametrize("head,endpoint,field,ok", [
    (PM_HEAD, "  - port: 'http['\n", "spec.podMetricsEndpoints[0].port", False),
    (PM_HEAD, "  - port: '(?=x)'\n", "spec.podMetricsEndpoints[0].port", False),
    (PM_HEAD, "  - targetPort: 'a('\n", "spec.podMetricsEndpoints[0].targetPort", False),
    (PM_HEAD, "  - portNumber: 80\n    targetPort: 'a('\n", None, True),  # portNumber wins
    (PM_HEAD, "  - port: 'a)|(b'\n", None, True),  # valid once wrapped as ^(?s:a)|(b)$
    (PM_HEAD, "  - port: http-metrics\n", None, True),
    (SM_HEAD, "  - port: 'web['\n", "spec.endpoints[0].port", False),
    (SM_HEAD, "  - targetPort: 'web['\n", "spec.endpoints[0].targetPort", False),
])
def test_a_port_name_is_a_regex(head, endpoint, field, ok):
    errs = validate_monitor(doc_of(head + endpoint, "port.yaml"))
    if ok:
        assert errs == [], [str(e) for e in errs]
        return
    (e,) = errs
    assert (e.file, e.line, e.field) == ("port.yaml", 8, field), str(e)
    assert "error parsing regexp" in e.message


def test_monitors_given_twice_are_refused_with_both_places():
    from migrator.validate import duplicate_objects

    one = SM_HEAD + "  - port: web\n"
    secret = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {a: b}\n"
    docs = parse_documents(one + "---\n" + secret + "---\n" + one + "---\n" + secret, "dup.yaml")
    errors, warnings = duplicate_objects(docs)
    (e,) = errors
    assert (e.file, e.line, e.field) == ("dup.yaml", docs[2].line + 3, "metadata.name")  # the second one
    assert "ServiceMonitor default/sm is given twice (also at dup.yaml:1)" in e.message
    (w,) = warnings
    assert "Secret default/s is given twice" in w and f"dup.yaml:{docs[1].line}" in w
    # the same name in another namespace, or of another kind, is another object
    other = one.replace("name: sm\n", "name: sm\n  namespace: x\n")
    assert duplicate_objects(parse_documents(one + "---\n" + other, "d.yaml")) == ([], [])
