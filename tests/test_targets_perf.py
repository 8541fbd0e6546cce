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
