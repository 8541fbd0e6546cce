"""Reading raw scrape configs: every shape, Prometheus's typing, problems per job."""

from __future__ import annotations

import base64
import textwrap

import pytest

from conftest import SHARED
from migrator.errors import InputError
from migrator.scrapeconfig import read_jobs
from migrator.sources import parse_documents

JOBS_LIST = textwrap.dedent("""\
    - job_name: envoy-stats
      metrics_path: /stats/prometheus
      kubernetes_sd_configs:
      - role: pod
      relabel_configs:
      - source_labels: [__meta_kubernetes_pod_container_port_name]
        action: keep
        regex: '.*-envoy-prom'
    """)


def read(text: str, **kw):
    return read_jobs(parse_documents(text, "cfg.yaml"), **kw)


def indent(text: str, n: int) -> str:
    return textwrap.indent(text, " " * n)


@pytest.mark.parametrize("shape,text", [
    ("list", JOBS_LIST),
    ("prometheus.yml", "global:\n  scrape_interval: 30s\nscrape_configs:\n" + JOBS_LIST),
    ("secret:prometheus-additional.yaml",
     "apiVersion: v1\nkind: Secret\nmetadata: {name: extra}\ndata:\n  prometheus-additional.yaml: "
     + base64.b64encode(JOBS_LIST.encode()).decode() + "\n"),
    ("secret:jobs.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: extra}\nstringData:\n"
     "  other: 'not yaml: ['\n  jobs.yaml: |\n" + indent(JOBS_LIST, 4)),
    ("configmap:prometheus.yml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: prometheus}\ndata:\n"
     "  prometheus.yml: |\n    scrape_configs:\n" + indent(JOBS_LIST, 4)),
    ("helm-values", "prometheus:\n  prometheusSpec:\n    additionalScrapeConfigs:\n" + indent(JOBS_LIST, 4)),
    ("helm-values", "prometheus:\n  prometheusSpec:\n    additionalScrapeConfigs: |\n" + indent(JOBS_LIST, 6)),
    ("helm-values (prometheus-community chart: serverFiles.prometheus.yml scrape_configs list)",
     "serverFiles:\n  prometheus.yml:\n    scrape_configs:\n" + indent(JOBS_LIST, 4)),
])
def test_every_shape_gives_the_same_job(shape, text):
    result = read(text)
    assert result.shape == shape
    (job,) = result.jobs
    assert job.name == "envoy-stats" and not job.problems
    assert job.config["relabel_configs"][0]["regex"] == ".*-envoy-prom"


def test_embedded_yaml_errors_point_into_the_outer_file():
    text = ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: p}\ndata:\n  prometheus.yml: |\n"
            "    scrape_configs:\n    - job_name: a\n      relabel_configs: [\n")
    with pytest.raises(InputError) as exc:
        read(text, key="prometheus.yml")
    assert exc.value.file == "cfg.yaml"


def test_string_fields_take_the_literal_text():
    (job,) = read(textwrap.dedent("""\
        - job_name: 010
          metrics_path: /m
          relabel_configs:
          - source_labels: [a]
            regex: 010
            replacement: yes
          - source_labels: [b]
            regex: true
            target_label: x
        """)).jobs
    assert job.name == "010"
    rules = job.config["relabel_configs"]
    assert rules[0]["regex"] == "010" and rules[0]["replacement"] == "yes"
    assert rules[1]["regex"] == "true"


def test_unknown_field_and_bad_duration_are_job_errors_with_lines():
    (job,) = read("- job_name: a\n  scrape_intervall: 30s\n  scrape_timeout: 10 s\n").jobs
    assert job.failed
    messages = [(p.line, p.message) for p in job.problems]
    assert (2, "field scrape_intervall not found in type scrape_config") in messages
    assert (3, 'unknown unit " s" in duration "10 s"') in messages  # Prometheus 3's words


def test_placeholders_are_kept_and_warned():
    (job,) = read(textwrap.dedent("""\
        - job_name: pods-${NAMESPACE}
          scrape_interval: $$SCRAPE_INTERVAL$$
          kubernetes_sd_configs:
          - role: pod
            namespaces:
              names: ['{{ .Release.Namespace }}']
          relabel_configs:
          - source_labels: [__address__]
            regex: (?P<host>[^:]+)(?::\\d+)?
            replacement: ${host}:9100
            target_label: __address__
        """)).jobs
    assert not job.failed
    assert job.config["scrape_interval"] == "$$SCRAPE_INTERVAL$$"
    tokens = sorted(p.message.split()[2] for p in job.placeholders)
    assert tokens == ["$$SCRAPE_INTERVAL$$", "${NAMESPACE}", "{{"]  # ${host} is a named group, not a placeholder


def test_victoriametrics_dialect_fails_that_job_only():
    result = read(textwrap.dedent("""\
        - job_name: vm
          kubernetes_sd_configs: [{role: endpointslices}]
          relabel_configs:
          - {source_labels: [a, b], action: keep_if_equal}
        - job_name: fine
          static_configs: [{targets: ['localhost:9090']}]
        """))
    vm, fine = result.jobs
    assert vm.failed and not fine.failed
    assert any("keep_if_equal" in p.message for p in vm.problems)
    assert any("endpointslices" in p.message for p in vm.problems)


def test_duplicate_job_names():
    result = read("- job_name: a\n- job_name: a\n")
    assert result.jobs[1].failed and "used twice" in result.jobs[1].problems[0].message


def test_not_a_scrape_config():
    with pytest.raises(InputError, match="no scrape configuration found"):
        read("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n")


def test_secret_with_several_candidate_keys_needs_key():
    text = ("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  a.yaml: |\n"
            + indent(JOBS_LIST, 4) + "  b.yaml: |\n" + indent(JOBS_LIST, 4))
    with pytest.raises(InputError, match="--key"):
        read(text)
    assert read(text, key="b.yaml").jobs[0].name == "envoy-stats"


def test_real_configs_read_without_errors():
    from migrator.sources import load_documents

    base = SHARED / "oracle" / "real-configs"
    if not base.is_dir():
        pytest.skip("../shared/oracle/real-configs is absent")
    files = [f for f in sorted(base.glob("*.yaml"))
             if "scrape_configs" in f.read_text()]
    assert len(files) >= 10
    for f in files:
        result = read_jobs(load_documents([str(f)]))
        assert result.jobs, f
        errors = [str(p) for j in result.jobs for p in j.problems if p.severity == "error"]
        assert errors == [], f
