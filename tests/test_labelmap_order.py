"""labelmap where several names map to one: which value wins, per Prometheus version.

2.42 (model/relabel, one fresh sorted label set per rule): the sorted names, last write wins.
2.43+ (one labels.Builder for the chain, Builder.Range: base labels not touched, then the `add`
list in order): the order the labels entered the Builder: discovered labels (Go map order in
Prometheus), the job's defaults, then each name a rule adds; a name set again keeps its place,
one deleted and set again goes last. Proven against promtool 3.5.3 by tests/test_relabel_promtool.py.
"""

from __future__ import annotations

import pytest

from migrator.relabel import parse_rules, populate_target, relabel, relabel_trace

JOB = {"job_name": "j"}


def _final(rules_raw: list, discovered: dict, version: str) -> dict:
    rules = parse_rules(rules_raw, version=version)
    fast = relabel(discovered, rules)
    traced, _, _ = relabel_trace(discovered, rules)
    assert fast == traced  # the compiled rules and the step-by-step path agree
    return fast


CREATED_AFTER = [
    # a1 is created by a rule, after the discovered b: 3.x walks b then a1, 2.42 walks a1 then b
    {"source_labels": ["x"], "target_label": "a1"},
    {"action": "labelmap", "regex": "(a1|b)", "replacement": "z"},
]


@pytest.mark.parametrize("version, expected", [("2.42.0", "from-b"), ("2.43.0", "from-x"),
                                               ("3.5.3", "from-x"), ("3.13.2", "from-x")])
def test_label_a_rule_adds_comes_after_the_discovered_ones(version, expected):
    out = _final(CREATED_AFTER, {"b": "from-b", "x": "from-x"}, version)
    assert out["z"] == expected


def test_a_label_deleted_and_set_again_goes_last():
    rules = [{"action": "labeldrop", "regex": "b"},
             {"source_labels": ["x"], "target_label": "b"},
             {"action": "labelmap", "regex": "(b|c)", "replacement": "z"}]
    # discovered order b, c: b deleted and set again -> c, b: b wins in 3.x; 2.42 sorted: c wins
    assert _final(rules, {"b": "old", "c": "from-c", "x": "new"}, "3.5.3")["z"] == "new"
    assert _final(rules, {"b": "old", "c": "from-c", "x": "new"}, "2.42.0")["z"] == "from-c"


def test_a_label_set_again_keeps_its_place():
    rules = [{"source_labels": ["x"], "target_label": "c"},
             {"action": "labelmap", "regex": "(b|c)", "replacement": "z"}]
    # discovered order c, b: c updated in place, so b still comes last
    assert _final(rules, {"c": "old", "b": "from-b", "x": "new"}, "3.5.3")["z"] == "from-b"


def test_empty_target_name_takes_the_last_in_order():
    # "$1" of a regex without a group is "": every matching name maps to the empty name
    rules = [{"source_labels": ["x"], "target_label": "a9"},
             {"action": "labelmap", "regex": "(?:a9|b)", "replacement": "$1"}]
    assert _final(rules, {"b": "from-b", "x": "from-x"}, "3.5.3")[""] == "from-x"
    assert _final(rules, {"b": "from-b", "x": "from-x"}, "2.42.0")[""] == "from-b"


def test_params_come_after_the_job_defaults():
    # Every default label and param maps to one name: 3.x keeps the last param's value,
    # 2.42 the last default in sorted order (__scrape_timeout__).
    job = {"job_name": "j", "params": {"p": ["v1"]},
           "relabel_configs": [{"action": "labelmap", "regex": "__(param_p|scrape_timeout__|scheme__)",
                                "replacement": "d"}]}
    r3 = populate_target({"__address__": "h:80"}, job, version="3.5.3")
    r2 = populate_target({"__address__": "h:80"}, job, version="2.42.0")
    assert r3.labels["d"] == "v1"
    assert r2.labels["d"] == r2.labels["__scrape_timeout__"]


def test_target_labels_come_before_group_labels():
    # Prometheus sets a target's own labels, then its group's others (scrape/target.go): the group's
    # label is later, so it wins from 2.43 (proven on real Prometheus 3.5 by roles.yml's job
    # pod-target-before-group: container name vs pod name). 2.42: sorted, z_t wins.
    job = {"job_name": "j", "relabel_configs": [{"action": "labelmap", "regex": "(z_t|a_g)", "replacement": "x"}]}
    kw = dict(group_labels={"a_g": "from-group", "z_t": "hidden"})
    disc = {"__address__": "h:80", "z_t": "from-target"}
    assert populate_target(disc, job, version="3.5.3", **kw).labels["x"] == "from-group"
    assert populate_target(disc, job, version="2.42.0", **kw).labels["x"] == "from-target"
    # the target's own value still wins over the group's for the same name
    assert populate_target(disc, job, version="3.5.3", **kw).labels["z_t"] == "from-target"
