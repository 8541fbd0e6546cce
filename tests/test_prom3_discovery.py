"""Discovery end to end against real Prometheus 3: zero differences from ``migrator targets``.

A real ``prometheus`` (3.x, with kubernetes_sd; tests/prom3_util.py) discovers an inventory through
../shared's fake Kubernetes API server (promtruth.py); ``migrator targets --output json
--prometheus-version <its version>`` reads the same inventory. For every job:

* dropped targets: the multiset of discovered label sets is the same (targets that fail, e.g. with
  no address, are in neither of Prometheus's lists, and only in ours as refused);
* active targets: Prometheus keeps ONE target per distinct final label set and scrape URL (its
  scrape pool's hash); so our kept targets are grouped by their full final labels, and Prometheus
  must list exactly one target per group, with the group's public labels, scrape URL, interval and
  timeout, and the discovered labels of one of the group's targets;
* ``distinct_targets`` (when ``targets`` reports it) equals Prometheus's active count.

Inputs: the samples (samples/raw configs and the monitors, over samples/inventory/cluster.yaml
plus tests/fixtures/prom3/ingresses.yaml), tests/fixtures/prom3/roles.yml (every role, with
namespaces, own_namespace, selectors, attach_metadata), and generated inventories
(benchmarks/gen_inventory.py; 2 seeds at a small size here, larger ones marked ``slow`` and run
with ``MIGRATOR_PROM3_SLOW=1 python -m pytest -m slow tests/test_prom3_discovery.py``).
"""

from __future__ import annotations

import importlib.util
import json
import os
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import yaml

from cli_util import run_cli
from conftest import REPO, SAMPLES
from migrator.identity import scrape_url
from prom3_util import prom3, run_promtruth

pytestmark = [pytest.mark.promtool]

FIXTURES = REPO / "tests" / "fixtures" / "prom3"
OWN_NAMESPACE = "istio-system"
SLOW = os.environ.get("MIGRATOR_PROM3_SLOW") == "1"
slow_only = pytest.mark.skipif(not SLOW, reason="larger Prometheus 3 runs: set MIGRATOR_PROM3_SLOW=1")


def _items(path: Path) -> list:
    text = path.read_text(encoding="utf-8")
    doc = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    return list(doc.get("items") or [])


def _snapshot(tmp_path: Path, *sources: Path, name: str = "snapshot.json") -> Path:
    """One kubectl-style List holding every source's items (the fake API server reads one file)."""
    items = []
    for src in sources:
        items += _items(src)
    out = tmp_path / name
    out.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": items}), encoding="utf-8")
    return out


def _ours(configs: list[Path], snapshot: Path, version: str) -> dict:
    r = run_cli("targets", *map(str, configs), "--inventory", str(snapshot), "--output", "json",
                "--show-dropped", "--prometheus-version", version, "--own-namespace", OWN_NAMESPACE)
    assert r.code in (0, 1), f"migrator targets exited {r.code}:\n{r.stderr}\n{r.stdout[-2000:]}"
    return json.loads(r.stdout)


def _public(labels: dict) -> dict:
    return {k: v for k, v in labels.items() if not k.startswith("__")}


def _key(d: dict) -> tuple:
    return tuple(sorted(d.items()))


def _brief(k: tuple) -> str:
    """A discovered label set, short: its address, object names and the non-meta labels."""
    d = dict(k)
    names = {n: d[n] for n in d if n.endswith(("_name", "_namespace")) and n.count("_label") == 0}
    rest = {n: v for n, v in d.items() if not n.startswith("__meta_")}
    return f"{d.get('__address__')} {names} {rest}"


def compare_job(job: str, ours: dict, pool: dict, params) -> list[str]:
    """Every difference between our job result and Prometheus's scrape pool (empty: none)."""
    diffs: list[str] = []
    # dropped: same multiset of discovered label sets (refused targets are in neither list)
    our_dropped = Counter(_key(t["discovered"]) for t in ours.get("dropped", []) if t.get("rule") is not None)
    their_dropped = Counter(_key(t["discoveredLabels"]) for t in pool["dropped"])
    for k, n in (our_dropped - their_dropped).items():
        diffs.append(f"{job}: dropped only by migrator (x{n}): {_brief(k)}")
    for k, n in (their_dropped - our_dropped).items():
        diffs.append(f"{job}: dropped only by Prometheus (x{n}): {_brief(k)}")
    # active: one Prometheus target per distinct full final label set (scrape URL included)
    groups: dict[tuple, list] = defaultdict(list)
    for t in ours.get("targets", []):
        labels = t["labels"]
        groups[(_key(labels), scrape_url(labels, params))].append(t)
    shown: dict[tuple, list] = defaultdict(list)   # what Prometheus's API shows of a group -> discovered sets
    for (labels, url), members in groups.items():
        lab = dict(labels)
        pub = (_key(_public(lab)), url, lab.get("__scrape_interval__"), lab.get("__scrape_timeout__"))
        shown[pub].append({_key(m["discovered"]) for m in members})
    if len(pool["active"]) != len(groups):
        diffs.append(f"{job}: Prometheus has {len(pool['active'])} active targets, migrator "
                     f"{len(groups)} distinct final label sets ({len(ours.get('targets', []))} kept)")
    if "distinct_targets" in ours and ours["distinct_targets"] != len(pool["active"]):
        diffs.append(f"{job}: distinct_targets {ours['distinct_targets']} != Prometheus's {len(pool['active'])}")
    for a in pool["active"]:
        pub = (_key(a["labels"]), a["scrapeUrl"], a.get("scrapeInterval"), a.get("scrapeTimeout"))
        cands = shown.get(pub)
        disc = _key(a["discoveredLabels"])
        if not cands:
            diffs.append(f"{job}: active only in Prometheus: {a['scrapeUrl']} {a['labels']}")
            continue
        for i, members in enumerate(cands):
            if disc in members:
                del cands[i]
                break
        else:
            diffs.append(f"{job}: active {a['scrapeUrl']} {a['labels']}: Prometheus's discovered labels are "
                         f"none of migrator's for that target: {a['discoveredLabels']}")
    for pub, cands in shown.items():
        for _ in cands:
            diffs.append(f"{job}: active only in migrator: {pub[1]} {dict(pub[0])}")
    return diffs


def cross_check(configs: list[Path], snapshot: Path, *, prom_config: Path | None = None,
                timeout: float = 60.0, global_interval: str | None = None) -> dict:
    """Run both sides; assert zero differences for every job. Returns a summary per job."""
    b = prom3()
    ours = _ours(configs, snapshot, b.version)
    if global_interval is None:
        global_interval = _bare_list_interval(prom_config or configs[0], ours)
    truth = run_promtruth(snapshot, prom_config or configs[0], timeout=timeout, own_namespace=OWN_NAMESPACE,
                          binaries=b, global_interval=global_interval)
    pools = truth["scrape_pools"]
    our_jobs = {j["job"]: j for j in ours["jobs"]}
    diffs = []
    if set(pools) != set(our_jobs):
        diffs.append(f"jobs: Prometheus {sorted(pools)}, migrator {sorted(our_jobs)}")
    params = _job_params(prom_config or configs[0])
    summary = {}
    for job in sorted(set(pools) & set(our_jobs)):
        diffs += compare_job(job, our_jobs[job], pools[job], params.get(job))
        summary[job] = (len(pools[job]["active"]), len(pools[job]["dropped"]), len(our_jobs[job].get("targets", [])))
    assert not diffs, f"{len(diffs)} difference(s) from Prometheus {b.version}:\n" + "\n".join(diffs[:40])
    return summary


def _bare_list_interval(config: Path, ours: dict) -> str | None:
    """A bare job list has no global section: which global interval it runs under is migrator's
    choice (the operator's, 30s, unless a CR says otherwise), not discovery; Prometheus is given the
    same one (taken from a job without its own scrape_interval)."""
    doc = yaml.safe_load(config.read_text(encoding="utf-8"))
    if not isinstance(doc, list):
        return None
    own = {j.get("job_name") for j in doc if isinstance(j, dict) and "scrape_interval" in j}
    for job in ours["jobs"]:
        if job["job"] not in own:
            for t in job.get("targets", []) + job.get("dropped", []):
                return t["discovered"].get("__scrape_interval__")
    return None


def _job_params(config: Path) -> dict:
    doc = yaml.safe_load(config.read_text(encoding="utf-8"))
    jobs = doc if isinstance(doc, list) else (doc or {}).get("scrape_configs") or []
    return {j.get("job_name"): j.get("params") for j in jobs if isinstance(j, dict)}


def _cluster(tmp_path: Path) -> Path:
    return _snapshot(tmp_path, SAMPLES / "inventory" / "cluster.yaml", FIXTURES / "ingresses.yaml")


# ----------------------------------------------------------------------------------------------
# The samples and the role fixtures


@pytest.mark.parametrize("config", ["raw/istio-prometheus.yml", "raw/additional-scrape-configs.yaml"])
def test_samples_match_prometheus3(tmp_path, config):
    summary = cross_check([SAMPLES / config], _cluster(tmp_path))
    assert sum(a for a, _, _ in summary.values()) > 0


def test_every_role_matches_prometheus3(tmp_path):
    summary = cross_check([FIXTURES / "roles.yml"], _cluster(tmp_path))
    roles = {"pod", "service", "endpoints", "endpointslice", "node", "ingress"}
    seen = {job.split("-")[0] for job, (active, dropped, _) in summary.items() if active + dropped}
    assert seen == roles, summary
    # the selectors select: fewer targets than the catch-all job of the role (an ingress rule
    # without host has no address: refused in ingress-all, kept in ingress-selected's probe)
    for role in ("pod", "service", "endpoints", "endpointslice"):
        sel = [s for j, s in summary.items() if j.startswith(role + "-") and not j.endswith("-all")]
        assert all(a + d < summary[f"{role}-all"][0] + summary[f"{role}-all"][1] for a, d, _ in sel), summary


def test_monitors_rendered_portable_match_prometheus3(tmp_path):
    # migrator targets reads the monitors; Prometheus reads what `render` makes of them (portable)
    monitors = SAMPLES / "istio" / "monitors.yaml"
    rendered = tmp_path / "rendered.yml"
    r = run_cli("render", str(monitors), "-o", str(rendered))
    assert r.code == 0, r.stderr
    summary = cross_check([monitors], _cluster(tmp_path), prom_config=rendered)
    assert sum(a for a, _, _ in summary.values()) > 0


# ----------------------------------------------------------------------------------------------
# Generated inventories


def _gen_inventory(tmp_path: Path, pods: int, seed: int) -> Path:
    spec = importlib.util.spec_from_file_location("gen_inventory", REPO / "benchmarks" / "gen_inventory.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    inv = tmp_path / f"gen-{pods}-{seed}.json"
    mod.write_inventory(str(inv), pods, seed)
    return _snapshot(tmp_path, inv, FIXTURES / "ingresses.yaml", name=f"snap-{pods}-{seed}.json")


def _all_configs(tmp_path: Path) -> Path:
    """One prometheus.yml with the sample jobs and the role fixtures (job names kept apart)."""
    jobs = []
    for src in (SAMPLES / "raw" / "istio-prometheus.yml", FIXTURES / "roles.yml"):
        jobs += yaml.safe_load(src.read_text(encoding="utf-8"))["scrape_configs"]
    cfg = tmp_path / "all.yml"
    cfg.write_text(yaml.safe_dump({"global": {"scrape_interval": "30s", "scrape_timeout": "10s"},
                                   "scrape_configs": jobs}, sort_keys=False), encoding="utf-8")
    return cfg


@pytest.mark.parametrize("seed", [7, 11])
def test_generated_inventory_matches_prometheus3(tmp_path, seed):
    cfg = _all_configs(tmp_path)
    summary = cross_check([cfg], _gen_inventory(tmp_path, 150, seed))
    assert summary["kubernetes-pods"][0] > 0


@pytest.mark.slow
@slow_only
@pytest.mark.parametrize("pods, seed", [(1500, 1), (1500, 2), (4000, 3)])
def test_generated_inventory_matches_prometheus3_slow(tmp_path, pods, seed):
    cfg = _all_configs(tmp_path)
    cross_check([cfg], _gen_inventory(tmp_path, pods, seed), timeout=120)


# ----------------------------------------------------------------------------------------------
# The comparison itself (no binary needed): it sees every kind of difference, and forgives merging


def _t(addr: str, **extra) -> dict:
    disc = {"__address__": addr, "__meta_x": addr, "job": "j", "__scheme__": "http", "__metrics_path__": "/m",
            "__scrape_interval__": "30s", "__scrape_timeout__": "10s"}
    labels = {k: v for k, v in disc.items() if not k.startswith("__meta")}
    labels.update(instance=addr, **extra)
    return {"discovered": disc, "labels": labels}


def _active(t: dict) -> dict:
    lab = t["labels"]
    return {"discoveredLabels": t["discovered"], "labels": _public(lab),
            "scrapeUrl": f"http://{lab['__address__']}/m", "scrapeInterval": "30s", "scrapeTimeout": "10s"}


def test_comparison_forgives_merged_targets_only():
    a, b = _t("h:1", app="x"), _t("h:1", app="x")
    b["discovered"]["__meta_x"] = "other"          # two discovered targets, one final label set
    ours = {"targets": [a, b], "dropped": []}
    assert compare_job("j", ours, {"active": [_active(b)], "dropped": []}, None) == []
    # but Prometheus listing both, or a target we do not have, is a difference
    assert compare_job("j", ours, {"active": [_active(a), _active(b)], "dropped": []}, None)
    c = _t("h:2")
    assert compare_job("j", ours, {"active": [_active(a), _active(c)], "dropped": []}, None)


def test_comparison_sees_labels_urls_discovered_and_dropped():
    a = _t("h:1", app="x")
    ours = {"targets": [a], "dropped": [{"discovered": _t("h:9")["discovered"], "rule": 0}]}
    good = {"active": [_active(a)], "dropped": [{"discoveredLabels": _t("h:9")["discovered"]}]}
    assert compare_job("j", ours, good, None) == []
    wrong_label = dict(_active(a), labels=dict(_active(a)["labels"], app="y"))
    wrong_url = dict(_active(a), scrapeUrl="https://h:1/m")
    wrong_disc = dict(_active(a), discoveredLabels=dict(a["discovered"], __meta_x="z"))
    wrong_interval = dict(_active(a), scrapeInterval="1m")
    for bad in (wrong_label, wrong_url, wrong_disc, wrong_interval):
        assert compare_job("j", ours, dict(good, active=[bad]), None), bad
    assert compare_job("j", ours, dict(good, dropped=[]), None)
    # a refused target (rule None: no address...) is in neither of Prometheus's lists
    refused = {"targets": [a], "dropped": [{"discovered": _t("")["discovered"], "rule": None, "reason": "no address"}]}
    assert compare_job("j", refused, dict(good, dropped=[]), None) == []
