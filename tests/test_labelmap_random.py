"""``targets`` warns where Prometheus 2.43+ keeps a random value: a labelmap mapping several labels of ONE
target, still in the (Go map) order discovery gave them, with different values to one name.

Order model: tests/test_labelmap_order.py (relabel/engine.py ``_builder_order``); the check:
migrator/relabel/random_pick.py.
"""

from __future__ import annotations

import json

import pytest

from cli_util import run_cli

POD_INVENTORY = """\
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata: {name: web-1, namespace: shop, labels: {app: web, name: frontend}}
  spec:
    nodeName: n1
    containers: [{name: web, ports: [{name: http, containerPort: 8080}]}]
  status: {phase: Running, podIP: 10.1.0.5}
"""


def _warnings(tmp_path, config: str, *args: str) -> list[str]:
    (tmp_path / "c.yml").write_text(config, encoding="utf-8")
    (tmp_path / "inv.yaml").write_text(POD_INVENTORY, encoding="utf-8")
    r = run_cli("targets", str(tmp_path / "c.yml"), "--inventory", str(tmp_path / "inv.yaml"), "--output", "json",
                *args)
    assert r.code == 0, r.stderr
    return [w for w in json.loads(r.stdout)["warnings"] if "at random" in w]


STATIC = """\
scrape_configs:
- job_name: s
  static_configs:
  - {targets: ["h:80"], labels: {a: x, b: y}}
  - {targets: ["h:81"], labels: {a: x, b: x}}
  relabel_configs:
  - {action: labelmap, regex: "(a|b)", replacement: z}
"""


def test_group_labels_mapped_to_one_name_warn_naming_job_and_label(tmp_path):
    [w] = _warnings(tmp_path, STATIC)
    assert w.startswith("job s: relabel_configs[0] (labelmap) maps a, b to label \"z\"")
    assert "on 1 target(s)" in w and "Prometheus 2.43+" in w   # h:81's values agree: no random pick there
    # 2.42 walks the sorted names: deterministic
    assert _warnings(tmp_path, STATIC, "--prometheus-version", "2.42.0") == []


def test_pod_labels_of_one_pod_warn(tmp_path):
    config = """\
scrape_configs:
- job_name: pods
  kubernetes_sd_configs: [{role: pod}]
  relabel_configs:
  - {action: labelmap, regex: __meta_kubernetes_pod_label_(app|name), replacement: app}
  - {action: labelmap, regex: __meta_kubernetes_pod_label_(.+)}
"""
    [w] = _warnings(tmp_path, config)
    assert w.startswith("job pods: relabel_configs[0] (labelmap) maps __meta_kubernetes_pod_label_app, "
                        "__meta_kubernetes_pod_label_name to label \"app\"")


@pytest.mark.parametrize("rules", [
    # a label a rule sets comes after the discovered ones: it is the last writer, always
    '  - {source_labels: [a], target_label: c}\n  - {action: labelmap, regex: "(b|c)", replacement: z}\n',
    # deleted and set again: it goes last
    '  - {action: labeldrop, regex: b}\n  - {source_labels: [a], target_label: b, replacement: new}\n'
    '  - {action: labelmap, regex: "(a|b)", replacement: z}\n',
    # a target's own label comes before its group's: the group's wins, always
    '  - {action: labelmap, regex: "(__address__|a)", replacement: z}\n',
    # one name per label (the usual labelmap)
    '  - {action: labelmap, regex: "(.+)", replacement: "x_$1"}\n',
])
def test_deterministic_orders_do_not_warn(tmp_path, rules):
    config = STATIC.split("  relabel_configs:")[0] + "  relabel_configs:\n" + rules
    assert _warnings(tmp_path, config) == []


def test_params_are_a_go_map_too(tmp_path):
    config = """\
scrape_configs:
- job_name: probe
  params: {a: ["1"], b: ["2"]}
  static_configs: [{targets: ["h:80"]}]
  relabel_configs:
  - {action: labelmap, regex: "__param_(a|b)", replacement: p}
"""
    [w] = _warnings(tmp_path, config)
    assert "maps __param_a, __param_b to label \"p\"" in w


def test_random_picks_unit():
    from migrator.relabel import parse_rules
    from migrator.relabel.random_pick import target_picks

    rules = parse_rules([{"action": "labelmap", "regex": "(a|b|c)", "replacement": "z"}], version="3.5.3")
    start = {"b": "2", "a": "1", "c": "1"}   # b the target's own label, a and c its group's
    # the last writer is a or c, at random, and both hold "1": no random value
    assert target_picks(start, [{"b"}, {"a", "c"}], rules) == []
    # all three in one random block: any of them may be last
    assert target_picks(start, [{"a", "b", "c"}], rules) == [(0, "z", ("b", "a", "c"))]
    # a dropped target: nothing after the drop counts
    drop = parse_rules([{"action": "drop", "regex": ".*"}, {"action": "labelmap", "regex": "(a|b)",
                                                            "replacement": "z"}], version="3.5.3")
    assert target_picks(start, [{"a", "b", "c"}], drop) == []


def test_diff_reports_it_as_a_finding_of_its_own(tmp_path):
    (tmp_path / "c.yml").write_text(STATIC, encoding="utf-8")
    r = run_cli("diff", str(tmp_path / "c.yml"), str(tmp_path / "c.yml"), "--inventory",
                str(_inventory(tmp_path)), "--output", "json")
    assert r.code == 0, r.stderr
    found = [f for f in json.loads(r.stdout)["findings"] if f["code"] == "labelmap-random"]
    assert len(found) == 1 and "label \"z\"" in found[0]["message"]


def _inventory(tmp_path):
    path = tmp_path / "inv.yaml"
    path.write_text(POD_INVENTORY, encoding="utf-8")
    return path
