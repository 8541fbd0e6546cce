"""Document forms and file writing: deterministic YAML, no silent overwrite."""

from __future__ import annotations

import os
import stat

import pytest
import yaml

from migrator.errors import InputError
from migrator.writers import dump_yaml, scrape_document, write_output

JOBS = [{"job_name": "podMonitor/monitoring/x/0", "honor_labels": False,
         "relabel_configs": [{"source_labels": ["job"], "target_label": "__tmp_prometheus_job_name"},
                             {"regex": "$(SHARD);|.+;.+", "action": "keep"}]}]


def test_list_form_is_the_jobs_with_key_order_kept():
    text = dump_yaml(scrape_document(JOBS, "list"))
    assert yaml.safe_load(text) == JOBS
    assert text.index("job_name") < text.index("honor_labels") < text.index("relabel_configs")
    assert text.startswith("- job_name: podMonitor/monitoring/x/0\n")


def test_prometheus_yml_form():
    doc = scrape_document(JOBS, "prometheus-yml", global_config={"scrape_interval": "30s"})
    assert list(doc) == ["global", "scrape_configs"]
    assert doc["scrape_configs"] == JOBS


def test_secret_form_holds_the_list_under_the_operator_key():
    doc = scrape_document(JOBS, "secret", secret_name="extra", namespace="monitoring")
    assert doc["kind"] == "Secret" and doc["metadata"] == {"name": "extra", "namespace": "monitoring"}
    assert yaml.safe_load(doc["stringData"]["prometheus-additional.yaml"]) == JOBS
    text = dump_yaml(doc)
    assert "prometheus-additional.yaml: |\n" in text  # a literal block a reviewer can read
    assert yaml.safe_load(text) == doc


def test_helm_values_form():
    doc = scrape_document(JOBS, "helm-values")
    assert doc["prometheus"]["prometheusSpec"]["additionalScrapeConfigs"] == JOBS


def test_unknown_form():
    with pytest.raises(InputError, match="unknown --format"):
        scrape_document(JOBS, "toml")


def test_deterministic():
    assert dump_yaml(scrape_document(JOBS, "secret")) == dump_yaml(scrape_document(JOBS, "secret"))


def test_existing_file_is_not_overwritten_without_force(tmp_path):
    target = tmp_path / "out.yaml"
    target.write_text("precious\n")
    with pytest.raises(InputError, match="--force"):
        write_output("new\n", str(target))
    assert target.read_text() == "precious\n"
    backup = write_output("new\n", str(target), force=True)
    assert target.read_text() == "new\n"
    assert backup and open(backup).read() == "precious\n"


def test_secret_bearing_file_mode(tmp_path):
    target = tmp_path / "s.yaml"
    write_output("x\n", str(target), mode=0o600)
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600


def test_missing_directory(tmp_path):
    with pytest.raises(InputError, match="directory does not exist"):
        write_output("x\n", str(tmp_path / "no" / "such.yaml"))


def test_backups_are_numbered_never_overwritten_and_keep_the_mode(tmp_path):
    target = tmp_path / "out.yaml"
    target.write_text("v1\n")
    os.chmod(target, 0o640)
    assert write_output("v2\n", str(target), force=True) == str(tmp_path / "out.yaml.bak")
    assert write_output("v3\n", str(target), force=True) == str(tmp_path / "out.yaml.bak.1")
    assert (tmp_path / "out.yaml.bak").read_text() == "v1\n"
    assert (tmp_path / "out.yaml.bak.1").read_text() == "v2\n"
    assert target.read_text() == "v3\n"
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640  # a replaced file keeps its mode
    assert stat.S_IMODE(os.stat(tmp_path / "out.yaml.bak").st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.yaml", "out.yaml.bak", "out.yaml.bak.1"]


def test_an_output_set_refuses_one_file_twice_and_writes_nothing(tmp_path):
    from migrator.writers import OutputSet

    outputs = OutputSet()
    outputs.add(str(tmp_path / "a.json"), "{}", field="--report")
    with pytest.raises(InputError, match="same file as --report"):
        outputs.add(str(tmp_path / "." / "a.json"), "x", field="--secrets-out")
    assert list(tmp_path.iterdir()) == []
