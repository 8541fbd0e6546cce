"""The proof's fast paths (issue 13) give what the slow ones give.

identity.same_scrapes (multisets of cheap identity keys) must still see every difference match_targets sees;
identity.keyed_scrapes must merge exactly the targets merged_targets merges; prove.compare must return what
match_targets over all scrapes returns.
"""

from __future__ import annotations

import random

import pytest

from migrator.identity import (identity_key, identity_labels, job_query, keyed_scrapes, match_targets,
                               merged_targets, pool_key, same_scrapes, scrape_pool_key, scraped, target_id)
from migrator.migrate.prove import Proof, compare, scrapes
from migrator.redact import redact_data
from migrator.targets import JobResult, Target

BASE = {"__address__": "10.0.0.1:8080", "__scheme__": "http", "__metrics_path__": "/metrics",
        "__scrape_interval__": "30s", "__scrape_timeout__": "10s", "job": "pods", "instance": "10.0.0.1:8080",
        "namespace": "default", "pod": "web-0"}


def result(*label_sets: dict, params: dict | None = None, dropped: int = 0) -> JobResult:
    config = {"job_name": "j"} if params is None else {"job_name": "j", "params": params}
    targets = [Target({"__address__": ls.get("__address__", "")}, dict(ls)) for ls in label_sets]
    targets += [Target({"__address__": f"x{i}"}, None, 0, "dropped by relabel rule #0 (keep)") for i in range(dropped)]
    return JobResult("j", "test", targets, config=config)


def keys(*results: JobResult) -> list:
    """Each result's scrapes as same_scrapes takes them: (job query, identity keys)."""
    return [(job_query((r.config or {}).get("params")),
             [identity_key(t.labels) for t in scraped(r.kept, lambda t: t.labels)]) for r in results]


def slow_compare(before: list[JobResult], after: list[JobResult]):
    """prove.compare without its fast path: match_targets over every scrape."""
    def shown(item):
        return redact_data(identity_labels(item[0]))

    m = match_targets(scrapes(before), scrapes(after), lambda item: target_id(*item))
    return ([shown(x) for x in m.only_old], [shown(x) for x in m.only_new],
            [(shown(x), shown(y)) for x, y in m.changed()])


def other(**changes) -> dict:
    out = dict(BASE)
    for k, v in changes.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = v
    return out


def test_pool_key_equal_exactly_when_scrape_pool_key_is():
    a, b = dict(BASE), dict(reversed(list(BASE.items())))
    assert pool_key(a) == pool_key(b) and scrape_pool_key(a) == scrape_pool_key(b)
    for changed in (other(pod="web-1"), other(extra="x"), other(pod=None), other(__tmp_x="1")):
        assert pool_key(changed) != pool_key(a)
        assert scrape_pool_key(changed) != scrape_pool_key(a)


def test_identity_key_is_the_identity_labels():
    labels = other(__tmp_prometheus_job_name="podMonitor/x/0", __param_module="http_2xx", __tmp_y="1")
    assert identity_key(labels) == frozenset(identity_labels(labels).items())
    assert ("__param_module", "http_2xx") in identity_key(labels)
    assert not any(k.startswith("__tmp") for k, _ in identity_key(labels))


@pytest.mark.parametrize("after", [
    [other(pod="web-1")],                        # a changed value
    [other(container="c")],                      # an added label
    [other(namespace=None)],                     # a removed label
    [other(__address__="10.0.0.1:9090")],        # another scrape key
    [other(__param_module="x")],                 # another query
    [other(__scrape_interval__="1m")],           # another scrape setting
    [dict(BASE), other(pod="web-1")],            # one more target
    [],                                          # no target
])
def test_same_scrapes_sees_every_difference(after):
    before, after_r = result(BASE), result(*after)
    assert not same_scrapes(keys(before), keys(after_r))
    assert compare([before], [after_r]) == slow_compare([before], [after_r]) != ([], [], [])


def test_same_scrapes_counts_multiplicity():
    # two distinct scrapes with one identity (they differ in a __tmp label only) against one
    a, b = other(__tmp_a="1"), other(__tmp_a="2")
    before, after = result(a, b), result(dict(BASE))
    assert scraped(before.kept, lambda t: t.labels) == before.kept  # not merged: other final labels
    assert not same_scrapes(keys(before), keys(after))
    got = compare([before], [after])
    assert got == slow_compare([before], [after])
    assert len(got[0]) == 1 and not got[1] and not got[2]


def test_same_scrapes_counts_across_jobs_of_the_after_side():
    before = result(BASE, other(pod="web-1"))
    split = [result(BASE), result(other(pod="web-1"))]
    twice = [result(BASE), result(BASE)]
    assert same_scrapes(keys(before), keys(*split))
    assert compare([before], split) == ([], [], [])
    assert not same_scrapes(keys(before), keys(*twice))
    assert compare([before], twice) == slow_compare([before], twice) != ([], [], [])


def test_params_take_part():
    with_params = result(BASE, params={"module": ["http_2xx"]})
    as_label = result(other(__param_module="http_2xx"))
    other_params = result(BASE, params={"module": ["tcp"]})
    assert not same_scrapes(keys(with_params), keys(other_params))
    assert compare([with_params], [other_params]) == slow_compare([with_params], [other_params]) != ([], [], [])
    # not the same cheap key, yet the same target: the slow path decides
    assert not same_scrapes(keys(with_params), keys(as_label))
    assert compare([with_params], [as_label]) == slow_compare([with_params], [as_label]) == ([], [], [])


def test_labels_outside_the_identity_do_not_count():
    before = result(BASE)
    after = result(other(__tmp_prometheus_job_name="podMonitor/monitoring/x/0"))
    assert same_scrapes(keys(before), keys(after))
    assert compare([before], [after]) == ([], [], [])


def test_scheme_default_is_left_to_the_slow_path():
    before, after = result(BASE), result(other(__scheme__=None))
    assert not same_scrapes(keys(before), keys(after))  # cheap keys differ ...
    assert target_id(BASE) == target_id(other(__scheme__=None))  # ... the identities do not
    assert compare([before], [after]) == ([], [], [])


def test_keyed_scrapes_merges_what_merged_targets_merges():
    a, b = dict(BASE), other(pod="web-1")
    c = other(__tmp_x="1")  # same identity as a, other final labels: not merged
    items = [a, b, dict(a), c, dict(b), dict(c), a]
    got_keys, got = keyed_scrapes(items)
    distinct, into = merged_targets(items)
    assert got == [x for x, j in zip(items, into) if j is None] == scraped(items, lambda x: x)
    assert len(got) == distinct == 3
    assert got_keys == [identity_key(x) for x in got]
    unique = [a, b, c]
    assert keyed_scrapes(unique) == ([identity_key(x) for x in unique], unique)


def test_distinct_counts_kept_once_and_equal_to_merged_targets():
    before = result(BASE, dict(BASE), other(pod="web-1"), dropped=3)
    after = [result(BASE), result(other(pod="web-1"), other(pod="web-1"))]
    p = Proof("j", before, after)
    assert (p.distinct_before, p.distinct_after) == (2, 2)
    compare([before], after)
    assert before.distinct == merged_targets(t.labels for t in before.kept)[0] == 2
    assert [r.distinct for r in after] == [1, 1]


def test_random_cases_agree_with_match_targets():
    rng = random.Random(13)
    names = ["pod", "container", "__tmp_x", "__param_m", "__scheme__", "__metrics_path__", "__scrape_timeout__"]
    values = ["a", "b"]

    def labels() -> dict:
        out = {"__address__": rng.choice(["h:1", "h:2"]), "job": "j"}
        for n in names:
            if rng.random() < 0.4:
                out[n] = rng.choice(values)
        return out

    differ = same = 0
    for _ in range(400):
        before = [result(*[labels() for _ in range(rng.randint(0, 4))],
                         params=rng.choice([None, {"m": ["a"]}, {"m": ["b"]}]))]
        after = [result(*[labels() for _ in range(rng.randint(0, 4))],
                        params=rng.choice([None, {"m": ["a"]}])) for _ in range(rng.randint(1, 2))]
        if rng.random() < 0.5:  # the same targets again, in another order, some after jobs split
            flat = [dict(t.labels) for t in before[0].kept]
            rng.shuffle(flat)
            after = [result(*flat, params=(before[0].config or {}).get("params"))]
        fast, slow = compare(before, after), slow_compare(before, after)
        assert fast == slow
        if same_scrapes(keys(*before), keys(*after)):
            assert slow == ([], [], [])
            same += 1
        else:
            differ += 1
    assert same > 50 and differ > 50


# ---------------------------------------------------------------------------------------------
# EvalOptions.kept_only: the proof's evaluation keeps the kept targets only, with the same final labels

REPO = __import__("pathlib").Path(__file__).resolve().parents[1]
REAL = REPO.parent / "shared" / "oracle" / "real-configs"


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The sample and (when present) real-config jobs over a small generated inventory and the sample one."""
    import importlib.util

    from migrator.inventory import load_inventory
    from migrator.scrapeconfig import read_jobs
    from migrator.sources import load_documents

    spec = importlib.util.spec_from_file_location("gen_inventory", REPO / "benchmarks" / "gen_inventory.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    inv = tmp_path_factory.mktemp("gen") / "inv.json"
    mod.write_inventory(str(inv), 120, 7)
    files = sorted((REPO / "samples" / "raw").glob("*.y*ml")) + (sorted(REAL.glob("*.yaml")) if REAL.is_dir() else [])
    jobs = []
    for f in files:
        try:
            jobs += [j for j in read_jobs(load_documents([str(f)])).jobs if not j.failed]
        except Exception:  # monitors, not scrape configs
            continue
    return jobs, [load_inventory([str(inv)]), load_inventory([str(REPO / "samples" / "inventory" / "cluster.yaml")])]


def test_kept_only_evaluation_keeps_the_same_targets(generated):
    from migrator.targets import RECENT_DISCOVERIES, EvalOptions, evaluate_job

    jobs, inventories = generated
    kept = dropped = 0
    for inv in inventories:
        for job in jobs:
            RECENT_DISCOVERIES.clear()
            full = evaluate_job(job.config, "x", inv, EvalOptions(global_config={"scrape_interval": "30s"}))
            lean = evaluate_job(job.config, "x", inv, EvalOptions(global_config={"scrape_interval": "30s"},
                                                                  kept_only=True))
            assert lean.error == full.error and lean.warnings == full.warnings
            assert [t.labels for t in lean.targets] == [t.labels for t in full.kept], job.name
            assert all(t.discovered == {} for t in lean.targets) and not lean.dropped
            kept += len(full.kept)
            dropped += len(full.dropped)
    assert kept > 100 and dropped > 100  # the jobs keep and drop targets


@pytest.mark.parametrize("adopt", [False, True])
def test_proof_compares_what_the_full_evaluation_keeps(generated, adopt):
    """prove() (kept-only evaluations, cheap identity keys) against a proof made the slow way: full
    evaluations of both forms, then match_targets over every scrape (adopting the operator's labels, proofs
    find differences)."""
    from dataclasses import replace

    from migrator.migrate import MigrateOptions, migrate_jobs, prove
    from migrator.migrate.prove import eval_options
    from migrator.targets import RECENT_DISCOVERIES, evaluate_job

    jobs, inventories = generated
    proved = differ = 0
    for inv in inventories:
        opts = MigrateOptions(inventory=inv, global_config={"scrape_interval": "30s"}, adopt_operator_labels=adopt)
        for m, job in zip(migrate_jobs(jobs, opts), jobs):
            p = prove(m, job, opts)
            if p is None or p.note:
                continue
            RECENT_DISCOVERIES.clear()
            eo = replace(eval_options(opts), kept_only=False)
            before = evaluate_job(job.config, "x", inv, eo)
            assert [t.labels for t in before.kept] == [t.labels for t in p.before.kept]
            assert p.distinct_before == merged_targets(t.labels for t in before.kept)[0]
            assert (p.only_before, p.only_after, p.changed) == slow_compare([before], p.after)
            proved += bool(before.kept)
            differ += not p.equivalent
    assert proved >= 5
    assert (differ > 0) == adopt


@pytest.mark.parametrize("n", [3, 9, 30])
def test_keyed_scrapes_merges_many_targets_of_one_identity(n):
    """Targets of one identity that differ in labels outside it (compared as dicts, by pool key past 8)."""
    rng = random.Random(n)
    distinct = [other(__tmp_x=str(i)) for i in range(n)]
    items = [dict(rng.choice(distinct)) for _ in range(4 * n)] + [other(pod="web-9")]
    got_keys, got = keyed_scrapes(items)
    assert got == scraped(items, lambda x: x)
    assert len(got) == merged_targets(items)[0]
    assert got_keys == [identity_key(x) for x in got]
