"""Both sides of a ``migrate`` proof against real Prometheus 3.

``migrate`` turns the sample's raw jobs into monitors and proves on the inventory that they scrape the
same targets with the same labels. Here a real Prometheus 3.5 discovers the inventory twice, once with
the raw config and once with the monitors rendered in portable mode: each side equals ``migrator
targets`` of that side (tests/test_prom3_discovery.py's comparison), and what Prometheus scrapes is
the same on both sides: the same active targets (final labels, scrape URL, interval, timeout).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from cli_util import run_cli
from conftest import SAMPLES
from prom3_util import prom3, run_promtruth
from test_prom3_discovery import OWN_NAMESPACE, _cluster, _job_params, _key, _ours, compare_job


def _side(snapshot: Path, source: Path, prom_config: Path, version: str) -> dict:
    """Prometheus's scrape pools for prom_config, checked against `migrator targets source`."""
    truth = run_promtruth(snapshot, prom_config, own_namespace=OWN_NAMESPACE, binaries=prom3())
    ours = {j["job"]: j for j in _ours([source], snapshot, version)["jobs"]}
    pools = truth["scrape_pools"]
    assert set(ours) == set(pools), (sorted(ours), sorted(pools))
    params = _job_params(prom_config)
    diffs = []
    for name, pool in pools.items():
        diffs += compare_job(name, ours[name], pool, params.get(name))
    assert not diffs, f"{source.name}:\n" + "\n".join(diffs[:40])
    return pools


def _scraped(pools: dict) -> Counter:
    return Counter((_key(a["labels"]), a["scrapeUrl"], a["scrapeInterval"], a["scrapeTimeout"])
                   for pool in pools.values() for a in pool["active"])


def test_migrate_proof_holds_in_real_prometheus3(tmp_path):
    b = prom3()
    snapshot = _cluster(tmp_path)
    raw = SAMPLES / "raw" / "istio-prometheus.yml"
    out = tmp_path / "monitors"
    r = run_cli("migrate", str(raw), "--inventory", str(snapshot), "--prometheus-version", b.version,
                "-o", str(out))
    assert r.code == 0, r.stderr
    monitors = tmp_path / "monitors.yaml"
    monitors.write_text("\n---\n".join(p.read_text(encoding="utf-8") for p in sorted(out.iterdir())),
                        encoding="utf-8")
    rendered = tmp_path / "rendered.yml"
    r = run_cli("render", str(monitors), "-o", str(rendered), "--prometheus-version", b.version)
    assert r.code == 0, r.stderr
    before = _side(snapshot, raw, raw, b.version)
    after = _side(snapshot, monitors, rendered, b.version)
    only_before, only_after = _scraped(before) - _scraped(after), _scraped(after) - _scraped(before)
    assert not only_before and not only_after, (
        f"scraped only before migrating: {list(only_before)[:5]}\nonly after: {list(only_after)[:5]}")
    assert sum(_scraped(before).values()) > 0
