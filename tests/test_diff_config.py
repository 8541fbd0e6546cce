"""Config diff: pairing jobs (name, migrate report, --map, overlap), field changes, relabel rules
inserted/removed/moved/changed, YAML scalar quirks, another dialect compared as plain YAML."""

from __future__ import annotations

import pytest

from migrator.diff.configdiff import (JobInput, Pairing, diff_jobs, field_changes, mapping_from_report,
                                      pair_by_overlap, pair_jobs, parse_map, rule_changes)
from migrator.diff.normalize import normalize_rule
from migrator.errors import InputError
from migrator.scrapeconfig import read_jobs
from migrator.sources import parse_documents


def _jobs(text: str) -> dict[str, JobInput]:
    parsed = read_jobs(parse_documents(text, "t.yaml"))
    return {j.name: JobInput(j.name, j.config, f"t.yaml:{j.line}", plain=j.failed,
                             global_config=parsed.global_config) for j in parsed.jobs}


def R(**kw) -> dict:
    return normalize_rule(kw)


KEEP_APP = R(action="keep", source_labels=["app"], regex="web")
DROP_PHASE = R(action="drop", source_labels=["phase"], regex="Succeeded")
NS = R(source_labels=["__meta_kubernetes_namespace"], target_label="namespace")
POD = R(source_labels=["__meta_kubernetes_pod_name"], target_label="pod")


def test_pairing_by_name_mapping_and_map():
    p = pair_jobs(["a", "b", "c"], ["a", "x", "y", "z"], mapping={"b": ["x", "y"], "ghost": ["x"]},
                  maps=[("c", "z")])
    assert [(q.old, q.new, q.how) for q in p.pairs] == [("a", ["a"], "name"), ("b", ["x", "y"], "mapping"),
                                                       ("c", ["z"], "map")]
    assert p.only_old == [] and p.only_new == []
    assert any("ghost" in n for n in p.notes)
    p = pair_jobs(["a", "b"], ["c"])
    assert (p.pairs, p.only_old, p.only_new) == ([], ["a", "b"], ["c"])


def test_map_errors_name_the_missing_job():
    with pytest.raises(InputError, match="OLD has no job 'nope'"):
        pair_jobs(["a"], ["b"], maps=[("nope", "b")])
    with pytest.raises(InputError, match="NEW has no job 'nope'"):
        pair_jobs(["a"], ["b"], maps=[("a", "nope")])
    assert parse_map("envoy-stats=podMonitor/monitoring/x/0") == ("envoy-stats", "podMonitor/monitoring/x/0")
    with pytest.raises(InputError, match="OLD_JOB=NEW_JOB"):
        parse_map("no-equals")


def test_mapping_report_shape():
    assert mapping_from_report({"jobs": [{"job_name": "a", "rendered_jobs": ["m/0", "m/1"]},
                                         {"job_name": "b", "rendered_jobs": []}]}) == {"a": ["m/0", "m/1"]}
    with pytest.raises(InputError, match="not a migrate report"):
        mapping_from_report([])
    with pytest.raises(InputError, match="rendered_jobs must be a list"):
        mapping_from_report({"jobs": [{"job_name": "a", "rendered_jobs": "m/0"}]})


def test_pairing_by_overlap_is_greedy_and_one_to_one():
    p = Pairing(only_old=["envoy", "istiod", "pods"], only_new=["pm-envoy", "pm-gw", "sm-istiod"])
    made = pair_by_overlap(p, {"envoy": {"a", "b", "c"}, "istiod": {"i"}, "pods": {"z"}},
                           {"pm-envoy": {"a", "b", "c"}, "pm-gw": {"a"}, "sm-istiod": {"i"}})
    assert sorted((m.old, m.new[0]) for m in made) == [("envoy", "pm-envoy"), ("istiod", "sm-istiod")]
    assert p.only_old == ["pods"] and p.only_new == ["pm-gw"]
    assert all(m.how == "overlap" for m in made)


def test_rule_changes_inserted_removed_moved_changed():
    old = [KEEP_APP, DROP_PHASE, NS, POD]
    new = [DROP_PHASE, KEEP_APP, NS, dict(POD, regex="(.+)"), R(target_label="env", replacement="prod")]
    changes = {(c.change, c.old_index, c.new_index) for c in rule_changes(old, new)}
    assert changes == {("moved", 0, 1), ("changed", 3, 3), ("inserted", None, 4)}
    (changed,) = [c for c in rule_changes(old, new) if c.change == "changed"]
    assert [(f.path, f.old, f.new) for f in changed.fields] == [("regex", "(.*)", "(.+)")]
    removed = rule_changes([KEEP_APP, NS], [NS])
    assert [(c.change, c.old_index) for c in removed] == [("removed", 0)]
    assert rule_changes(old, old) == []
    # rules of different actions or unrelated sources are not "changed" but removed + inserted
    swap = rule_changes([KEEP_APP], [R(action="keep", source_labels=["other"], regex="x")])
    assert sorted(c.change for c in swap) == ["inserted", "removed"]


def test_field_changes_readable_paths():
    a = {"kubernetes_sd_configs": [{"role": "pod", "namespaces": {"names": ["a", "b"]}}], "scheme": "http"}
    b = {"kubernetes_sd_configs": [{"role": "pod", "namespaces": {"names": ["a", "c"]}}], "scheme": "https",
         "params": {"x": ["1"]}}
    got = {(c.path, c.change) for c in field_changes(a, b)}
    assert got == {("kubernetes_sd_configs[0].namespaces.names", "changed"), ("scheme", "changed"),
                   ("params", "added")}
    (names,) = [c for c in field_changes(a, b) if c.path.endswith("names")]
    assert (names.old, names.new) == (["a", "b"], ["a", "c"])


def test_yaml_scalar_quirks_and_spellings_compare_equal():
    jobs = _jobs("""
scrape_configs:
- job_name: a
  scrape_interval: 1m
  kubernetes_sd_configs: [{role: pod, namespaces: {names: [y, x]}}]
  relabel_configs:
  - source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_scrape]
    action: keep
    regex: true
  - {source_labels: [__meta_kubernetes_pod_name], target_label: pod, replacement: '${1}'}
- job_name: b
  scrape_interval: 60s
  honor_labels: false
  scheme: http
  kubernetes_sd_configs:
  - role: pod
    namespaces:
      names: [x, y]
  relabel_configs:
  - action: Keep
    source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_scrape]
    regex: "true"
    separator: ;
  - source_labels: [__meta_kubernetes_pod_name]
    target_label: pod
    action: replace
    regex: (.*)
""")
    d = diff_jobs(jobs["a"], jobs["b"], "map")
    assert [f.path for f in d.fields] == ["job_name"] and d.rules == []


def test_a_yes_regex_is_the_text_yes_not_true():
    jobs = _jobs("""
- job_name: a
  static_configs: [{targets: [h:1]}]
  relabel_configs: [{source_labels: [x], action: keep, regex: yes}]
- job_name: b
  static_configs: [{targets: [h:1]}]
  relabel_configs: [{source_labels: [x], action: keep, regex: "true"}]
""")
    d = diff_jobs(jobs["a"], jobs["b"], "map")
    (rule,) = d.rules
    assert rule.change == "changed" and [(f.old, f.new) for f in rule.fields] == [("yes", "true")]


def test_another_dialect_is_compared_as_plain_yaml_with_a_warning():
    jobs = _jobs("""
- job_name: vm
  static_configs: [{targets: [h:1]}]
  relabel_configs: [{action: keep_if_equal, source_labels: [a, b]}]
- job_name: vm2
  static_configs: [{targets: [h:1]}]
  relabel_configs: [{action: keep_if_equal, source_labels: [a, c]}]
- job_name: prom
  static_configs: [{targets: [h:1]}]
""")
    assert jobs["vm"].plain and not jobs["prom"].plain
    d = diff_jobs(jobs["vm"], jobs["vm2"], "map")
    assert d.plain and d.warnings and "plain YAML" in d.warnings[0]
    assert {f.path for f in d.fields} == {"job_name", "relabel_configs[0].source_labels"}
    same = diff_jobs(jobs["vm"], jobs["vm"], "name")
    assert not same.changed and same.plain


def test_json_of_a_job_diff_is_stable():
    jobs = _jobs("""
- job_name: a
  basic_auth: {username: u, password: one}
  static_configs: [{targets: [h:1]}]
- job_name: b
  basic_auth: {username: u, password: two}
  static_configs: [{targets: [h:1]}]
""")
    out = diff_jobs(jobs["a"], jobs["b"], "map").to_json()
    assert list(out) == ["old", "new", "paired_by", "changed", "compared_as_plain_yaml", "fields", "rules",
                         "warnings"]
    assert {"path": "basic_auth.password", "change": "changed", "old": "<redacted>", "new": "<redacted>"} \
        in out["fields"]


def test_placeholders_are_compared_as_text():
    jobs = _jobs("""
- job_name: a
  kubernetes_sd_configs: [{role: pod, namespaces: {names: ['${NAMESPACE}']}}]
  scrape_interval: $$INTERVAL$$
- job_name: b
  kubernetes_sd_configs: [{role: pod, namespaces: {names: ['${NAMESPACE}']}}]
  scrape_interval: $$INTERVAL$$
- job_name: c
  kubernetes_sd_configs: [{role: pod, namespaces: {names: ['{{ .Release.Namespace }}']}}]
  scrape_interval: $$INTERVAL$$
""")
    assert [f.path for f in diff_jobs(jobs["a"], jobs["b"], "map").fields] == ["job_name"]
    d = diff_jobs(jobs["a"], jobs["c"], "map")
    (names,) = [f for f in d.fields if f.path != "job_name"]
    assert (names.path, names.old, names.new) == ("kubernetes_sd_configs[0].namespaces.names", ["${NAMESPACE}"],
                                                  ["{{ .Release.Namespace }}"])
