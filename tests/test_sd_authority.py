"""kubernetes_sd_configs are judged in one place (migrator.discovery.check_sd_config): targets and
migrate, which used to stop at the first problem of their own copy, name every problem the same way."""

from __future__ import annotations

import textwrap

from cli_util import run_cli
from conftest import SAMPLES

INVENTORY = str(SAMPLES / "inventory" / "cluster.yaml")

BAD = """\
    scrape_configs:
    - job_name: bad
      kubernetes_sd_configs:
      - role: pods
        attach_metadata: {namespace: true}
        selectors: [{role: pod}, {role: pod}]
    - job_name: good
      kubernetes_sd_configs: [{role: pod}]
    """

PROBLEMS = [
    'kubernetes_sd_configs[0].role: unknown Kubernetes SD role "pods" (did you mean pod?)',
    "kubernetes_sd_configs[0].attach_metadata.namespace: field namespace not found in type "
    "kubernetes.AttachMetadataConfig (new in Prometheus v3.6.0; this is v2.42.0)",
    "kubernetes_sd_configs[0].selectors[1].role: duplicated selector role: pod",
]


def _config(tmp_path):
    path = tmp_path / "prometheus.yml"
    path.write_text(textwrap.dedent(BAD))
    return str(path)


def test_targets_names_every_problem(tmp_path):
    r = run_cli("targets", _config(tmp_path), "--inventory", INVENTORY, "--prometheus-version", "2.42.0")
    assert r.code == 1
    line = next(x for x in r.stderr.splitlines() if "job bad" in x)
    for p in PROBLEMS:
        assert p.split(".", 1)[1] in line, line
    assert "Traceback" not in r.stderr


def test_migrate_names_every_problem(tmp_path):
    r = run_cli("migrate", _config(tmp_path), "--prometheus-version", "2.42.0")
    assert r.code == 1
    for p in PROBLEMS:
        assert p in r.stderr, r.stderr


def test_newest_release_accepts_what_2_42_refuses(tmp_path):
    r = run_cli("migrate", _config(tmp_path))
    assert "attach_metadata.namespace" not in r.stderr
    assert 'unknown Kubernetes SD role "pods"' in r.stderr
