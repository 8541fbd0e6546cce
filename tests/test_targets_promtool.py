"""Real Prometheus agrees with `migrator targets` on the shipped samples.

For every job of the sample raw config and of the rendered Istio presets, the label sets our discovery
finds on the sample inventory are written as file_sd target groups (one group per target); promtool's
`check service-discovery` (Prometheus 2.42) relabels them with the job's own rules, and migrator does the
same from the same file. The final label sets must be identical, target for target.
"""

from __future__ import annotations

import json

import pytest

from conftest import SAMPLES, needs_promtool
from migrator import commands
from migrator import targets as core
from migrator.inventory import load_inventory
from migrator.version import Version
from promtool_util import check_service_discovery, multiset_diff, outcome_key

VERSION = Version.parse("2.42.0")
INVENTORY = str(SAMPLES / "inventory" / "cluster.yaml")


def sample_jobs():
    out = []
    for config in (SAMPLES / "raw" / "istio-prometheus.yml", SAMPLES / "istio" / "monitors.yaml"):
        loaded = commands.load_scrape_inputs([str(config)], prometheus=None, prometheus_version=str(VERSION))
        out += [(job.config, loaded.global_config) for job in loaded.jobs]
    return out


JOBS = sample_jobs()


@needs_promtool
@pytest.mark.parametrize("job,global_config", JOBS, ids=[j["job_name"] for j, _ in JOBS])
def test_sample_job_matches_promtool(tmp_path, job, global_config):
    inventory = load_inventory([INVENTORY])
    opts = core.EvalOptions(version=VERSION, global_config=global_config)
    groups = core.kubernetes_groups(job, inventory, opts)
    file_groups = []
    for g in groups:
        for t in g.targets:
            labels = {**g.labels, **t}
            address = labels.pop("__address__")
            file_groups.append({"targets": [address], "labels": labels})
    assert file_groups, "the sample inventory should give this job something to discover"
    raw_job = {k: v for k, v in job.items() if k != "kubernetes_sd_configs"}
    results, sd_path = check_service_discovery(raw_job, file_groups, global_config=global_config,
                                               expected=len(file_groups), workdir=str(tmp_path))
    # ours, from the very same file
    ours_job = dict(raw_job, file_sd_configs=[{"files": [sd_path]}])
    (tmp_path / "replay.json").write_text(json.dumps(file_groups))
    ours_job["file_sd_configs"] = [{"files": [str(tmp_path / "replay.json")]}]
    mine = core.evaluate_job(ours_job, "test", None, opts)
    assert mine.error is None
    expected = [r.key() for r in results]
    actual = []
    for t in mine.targets:
        labels = None if t.labels is None else {k: v for k, v in t.labels.items()}
        actual.append(outcome_key(labels, t.reason if t.rule is None and t.labels is None else None))
    # __meta_filepath differs (two files); it never reaches final labels, so the comparison is exact
    only_promtool, only_ours = multiset_diff(expected, actual)
    assert not only_promtool and not only_ours, (only_promtool, only_ours)
    assert len(expected) == len(file_groups)
