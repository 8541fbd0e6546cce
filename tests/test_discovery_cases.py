"""Kubernetes SD against Prometheus's own discovery tests (../shared/oracle/k8s-sd-cases).

Each case: objects.yaml (final store), sd.yaml (own namespace ``own-ns``), expected.yaml
(groups keyed by source, targets in the asserted order; tombstone groups ignored, since
their objects are gone; and the flattened targets).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from migrator.discovery import discover, flatten
from migrator.inventory import load_inventory

CASES_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "oracle" / "k8s-sd-cases"
CASES = sorted(p for p in CASES_DIR.iterdir() if p.is_dir()) if CASES_DIR.is_dir() else []


def _read(path: Path):
    return yaml.load(path.read_text(), Loader=yaml.CSafeLoader)


def _flat_key(t: dict) -> tuple:
    return (t.get("__address__", ""), sorted(t.items()))


def test_oracle_present_and_complete():
    if not CASES_DIR.is_dir():
        pytest.skip(f"../shared is not beside the checkout ({CASES_DIR} missing)")
    assert len(CASES) == 40, [c.name for c in CASES]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case: Path):
    inv = load_inventory([str(case / "objects.yaml")])
    sd = _read(case / "sd.yaml")
    expected = _read(case / "expected.yaml")
    tombstones = set(expected.get("tombstone_sources") or [])

    groups = discover(sd, inv, own_namespace="own-ns")

    got = {g.source: {"targets": g.targets, "labels": g.labels} for g in groups}
    assert len(got) == len(groups), "a source appears twice"
    want = {g["source"]: {"targets": g["targets"] or [], "labels": g["labels"] or {}}
            for g in expected["groups"] if g["source"] not in tombstones}
    assert sorted(got) == sorted(want)
    for source, w in want.items():
        assert got[source]["labels"] == w["labels"], source
        assert got[source]["targets"] == w["targets"], source  # order as asserted upstream
    assert not tombstones & set(got), "a tombstone source has no object, so no group"

    assert sorted(flatten(groups), key=_flat_key) == sorted(expected["flattened"], key=_flat_key)
