"""Large-cluster paths keep their output: the JSON report written in pieces, inventories past the config
size limit, the collector paused while loading."""

from __future__ import annotations

import gc
import json

import pytest

from migrator import targets as core
from migrator.inventory import load_inventory
from migrator.writers import dump_json_bytes


def _t(addr: str, labels: dict | None = None, rule: int | None = None, reason: str | None = None) -> core.Target:
    return core.Target({"__address__": addr, "__meta_x": "é\n\"q\""}, labels, rule, reason)


def _results() -> list[core.JobResult]:
    kept = [_t(f"10.0.0.{i}:80", {"instance": f"i{i % 3}", "job": "j"}) for i in range(700)]
    dropped = [_t(f"10.0.1.{i}:80", None, 2, "dropped by rule 2 (keep)") for i in range(300)]
    return [
        core.JobResult("j", "a.yml:3", kept + dropped, warnings=["w1"]),
        core.JobResult("only-kept", "a.yml:9", kept[:1]),
        core.JobResult("none", "a.yml:12", []),
        core.JobResult("broken", "a.yml:20", [], error="uses consul_sd_configs"),
        core.JobResult("only-dropped \x00migrator-targets\x00", "x", dropped[:3]),
    ]


@pytest.mark.parametrize("newline", [b"\n", b"\n    "])
def test_chunks_are_the_whole_job_byte_for_byte(newline, monkeypatch):
    monkeypatch.setattr(core, "_BATCH", 7)  # several batches, a last short one
    for r in _results():
        whole = dump_json_bytes(core.result_json(r), newline=False).replace(b"\n", newline)
        assert b"".join(core.result_json_chunks(r, newline)) == whole
        assert r.distinct == core.result_json(r)["distinct_targets"]


def test_slim_keeps_the_distinct_count_for_findings():
    r = _results()[0]
    list(core.result_json_chunks(r))
    s = core.slim(r)
    assert s.distinct == 3
    assert any("697 target(s) identical" in w for w in core.findings([s]))
    assert core.findings([s]) == core.findings([core.slim(_results()[0])])  # computed when not known


def test_inventory_larger_than_a_config_may_be(tmp_path, monkeypatch):
    import migrator.sources as sources

    monkeypatch.setattr(sources, "MAX_BYTES", 100)
    pod = {"kind": "Pod", "metadata": {"name": "p" * 200, "namespace": "n"}}
    js, ym = tmp_path / "inv.json", tmp_path / "inv.yaml"
    js.write_text(json.dumps({"kind": "List", "items": [pod]}))
    ym.write_text("kind: List\nitems:\n- kind: Pod\n  metadata: {name: " + "p" * 200 + ", namespace: n}\n")
    for path in (js, ym):
        inv = load_inventory([str(path)])
        assert inv.get("Pod", "n", "p" * 200) is not None


def test_load_leaves_the_collector_as_it_was(tmp_path):
    path = tmp_path / "inv.json"
    path.write_text(json.dumps({"kind": "Pod", "metadata": {"name": "a"}}))
    assert gc.isenabled()
    load_inventory([str(path)])
    assert gc.isenabled()
    gc.disable()
    try:
        load_inventory([str(path)])
        assert not gc.isenabled()
    finally:
        gc.enable()


# -- YAML inventories: yaml_rs only where it reads exactly as libyaml's loader -----------------------

KUBECTL_YAML = """apiVersion: v1
items:
- apiVersion: v1
  kind: Pod
  metadata:
    annotations:
      prometheus.io/port: "15020"
      prometheus.io/scrape: "true"
      sidecar.istio.io/status: '{"initContainers":["istio-init"],"containers":["istio-proxy"]}'
    creationTimestamp: "2026-09-21T14:15:30Z"
    labels:
      app: cart
      version: 1.27.1
    name: cart-1
    namespace: shop
    uid: 0b0ead10-f761-201b-11a4-cb7a44dd6f2c
  spec:
    containers:
    - image: docker.io/istio/proxyv2@sha256:0b0ead10f761201b11a4cb7a44dd6f2c43bffd7603e49d262d5e449eb41dfe5e
      name: app
      ports:
      - containerPort: 8080
        protocol: TCP
      resources: {}
    nodeName: node-1
    tolerations: []
  status:
    podIP: 10.100.0.1
    phase: Running
kind: List
metadata:
  resourceVersion: ""
"""


def _slow(text):
    from migrator import inventory

    return [d for d in inventory._load_all(text, inventory._YamlLoader, "x") if d is not None]


def test_kubectl_output_takes_the_fast_path_and_reads_the_same():
    from migrator import inventory

    fast = inventory._portable_documents(KUBECTL_YAML)
    assert fast is not None
    assert json.dumps(fast) == json.dumps(_slow(KUBECTL_YAML))  # same values, types and key order
    two = KUBECTL_YAML + "---\n" + KUBECTL_YAML + "...\n"
    assert inventory._portable_documents(two) == _slow(two)
    quoted = KUBECTL_YAML.replace("  labels:", '  note: "yes"\n    labels:')  # quoted: a string for both
    assert inventory._portable_documents(quoted) == _slow(quoted)
    plain = KUBECTL_YAML.replace("  labels:", '  note: yes\n    labels:')  # plain: a boolean for libyaml
    assert inventory._portable_documents(plain) is None
    assert inventory._yaml_documents(plain, "x") == _slow(plain)


@pytest.mark.parametrize("value", ["yes", "off", "0755", "0X1F", "1_000", "_1", "1:20", "1e3", "1.0e3", "0b101",
                                   "2001-12-14", "2001-12-14 21:59:43.10 -5", "&a x", "!!str 1", "[1, 0755]",
                                   "{a: on}", "<<", "="])
def test_scalars_yaml_1_1_reads_otherwise_take_the_libyaml_path(value):
    from migrator import inventory

    for text in (f"k: {value}\n", f"- {value}\n", f"k:\n  {value}\n", f"a: 1\n---\nk: {value}\n"):
        assert inventory._portable_documents(text) is None, text
        try:
            expected = _slow(text)
        except Exception:  # libyaml refuses it: so does the inventory reader
            with pytest.raises(Exception):
                inventory._yaml_documents(text, "x")
        else:
            assert inventory._yaml_documents(text, "x") == expected


@pytest.mark.parametrize("text", ["k: a\x01b\n", "k: a\tb\n", "k: |\n", "k: [|]\n", "%YAML 1.1\n---\nk: 1\n",
                                  "? [a]\n: b\n", "k: a\x85b\n"])
def test_what_libyaml_refuses_or_reads_otherwise_is_not_read_fast(text):
    from migrator import inventory

    assert inventory._portable_documents(text) is None


def test_alias_bomb_still_refused():
    from migrator.errors import InputError
    from migrator import inventory

    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdef", "bcdefg"))
    with pytest.raises(InputError, match="alias"):
        inventory._yaml_documents(bomb, "bomb.yaml")


# -- discovery shared by callers that evaluate job by job (migrate's proof, diff, why, lint) --------------

def test_identical_discovery_blocks_are_discovered_once_until_the_inventory_changes(monkeypatch):
    import migrator.discovery as discovery
    from migrator.inventory import Inventory

    calls = []
    real = discovery.discover
    monkeypatch.setattr(discovery, "discover", lambda *a, **k: calls.append(1) or real(*a, **k))
    core.RECENT_DISCOVERIES.clear()
    pod = {"kind": "Pod", "metadata": {"name": "a", "namespace": "n"}, "status": {"podIP": "10.0.0.1"},
           "spec": {"containers": [{"name": "c", "ports": [{"containerPort": 80}]}]}}
    inv = Inventory.from_objects([pod])
    job = {"job_name": "j", "kubernetes_sd_configs": [{"role": "pod"}]}
    other = {"job_name": "k", "kubernetes_sd_configs": [{"role": "pod"}],
             "relabel_configs": [{"action": "drop", "regex": ".*", "source_labels": ["__address__"]}]}
    opts = core.EvalOptions()
    a = core.evaluate_job(job, "a", inv, opts)
    b = core.evaluate_job(other, "b", inv, opts)
    assert len(calls) == 1 and len(a.kept) == 1 and len(b.dropped) == 1
    core.evaluate_job(job, "a", inv, core.EvalOptions(own_namespace="n"))  # another own namespace: not shared
    assert len(calls) == 2
    inv.add(dict(pod, metadata={"name": "b", "namespace": "n"}))
    assert len(core.evaluate_job(job, "a", inv, opts).kept) == 2  # the inventory changed: discovered anew
    assert len(calls) == 3
    core.evaluate_job(job, "a", Inventory.from_objects([pod]), opts)  # an equal but other inventory
    assert len(calls) == 4
