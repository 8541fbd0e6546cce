"""`migrator diff --git BASE..HEAD PATHS` (both sides from git objects) and the GitHub Action's script
(ci/action.sh) on a temporary repository with two commits."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cli_util import run_cli

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=repo,
                          check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """Commit 1: the Istio sample monitors; commit 2: istiod's port given by number (a classic)."""
    r = tmp_path / "repo"
    (r / "monitoring").mkdir(parents=True)
    _git(r, "init", "-q", "-b", "main")
    shutil.copy(ROOT / "samples/istio/monitors.yaml", r / "monitoring/monitors.yaml")
    shutil.copy(ROOT / "samples/istio/prometheus.yaml", r / "monitoring/prometheus.yaml")
    _git(r, "add", ".")
    _git(r, "commit", "-qm", "base")
    text = (r / "monitoring/monitors.yaml").read_text()
    assert "port: http-monitoring" in text
    (r / "monitoring/monitors.yaml").write_text(text.replace("port: http-monitoring", 'port: "15014"'))
    _git(r, "commit", "-qam", "head")
    monkeypatch.chdir(r)
    return r


def test_diff_git_reads_both_commits(repo):
    r = run_cli("diff", "--git", "HEAD~1..HEAD", "monitoring/")
    assert r.code == 1, r.stderr
    assert "OLD HEAD~1:monitoring" in r.stdout and "NEW HEAD:monitoring" in r.stdout
    assert 'regex "http-monitoring" -> "15014"' in r.stdout
    assert "migrator-git-" not in r.stdout
    # the working tree was not touched (no checkout)
    assert _git(repo, "status", "--porcelain") == ""


def test_diff_git_targets_with_inventory(repo):
    r = run_cli("diff", "--git", "HEAD~1..HEAD", "monitoring", "-i", str(ROOT / "samples/inventory/cluster.yaml"),
                "--output", "json")
    assert r.code == 1
    assert "migrator-git-" not in r.stdout
    json.loads(r.stdout)


def test_diff_git_same_commit_and_merge_base_and_worktree(repo):
    assert run_cli("diff", "--git", "HEAD..HEAD", "monitoring/").code == 0
    assert run_cli("diff", "--git", "HEAD~1...HEAD", "monitoring/").code == 1
    assert run_cli("diff", "--git", "HEAD", "monitoring/").code == 0  # the working tree is HEAD
    (repo / "monitoring/monitors.yaml").write_text((ROOT / "samples/istio/monitors.yaml").read_text())
    assert run_cli("diff", "--git", "HEAD", "monitoring/").code == 1


def test_diff_git_path_added_in_head(repo):
    shutil.copy(ROOT / "samples/raw/istio-prometheus.yml", repo / "raw.yml")
    _git(repo, "add", "raw.yml")
    _git(repo, "commit", "-qm", "raw")
    r = run_cli("diff", "--git", "HEAD~1..HEAD", "raw.yml")
    assert r.code == 2 and "raw.yml exists at HEAD~1: no OLD side" in r.stderr
    r = run_cli("diff", "--git", "HEAD~1..HEAD", "raw.yml", "monitoring")
    assert r.code == 1, r.stderr
    assert "HEAD:raw.yml" in r.stdout


def test_diff_git_bad_input_exits_2(repo):
    r = run_cli("diff", "--git", "nosuchrev..HEAD", "monitoring/")
    assert r.code == 2 and "--git" in r.stderr
    assert run_cli("diff", "--git", "HEAD~1..HEAD").code == 2
    assert run_cli("diff", "--git", "HEAD~1..HEAD", "/etc/passwd").code == 2


def _action(repo: Path, tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    e = dict(os.environ, PATH=f"{BIN}:{os.environ['PATH']}", MIGRATOR_PYTHON=sys.executable,
             MIGRATOR_PATHS="monitoring", MIGRATOR_BASE="HEAD~1", MIGRATOR_REPORT=str(tmp_path / "report.md"),
             GITHUB_STEP_SUMMARY=str(tmp_path / "summary.md"), GITHUB_OUTPUT=str(tmp_path / "out.txt"),
             MIGRATOR_INVENTORY=str(ROOT / "samples/inventory/cluster.yaml"),
             MIGRATOR_PROMETHEUS=str(ROOT / "samples/istio/prometheus.yaml"), RUNNER_TEMP=str(tmp_path))
    e.update(env)
    return subprocess.run(["bash", str(ROOT / "ci/action.sh")], cwd=repo, env=e, capture_output=True, text=True,
                          timeout=300)


def test_action_script_on_a_two_commit_pull_request(repo, tmp_path):
    (tmp_path / "summary.md").write_text("earlier step\n")
    r = _action(repo, tmp_path)
    assert r.returncode == 1, r.stdout + r.stderr
    # the changed line (the port given by number) is annotated, with the rule as title
    assert "::error file=monitoring/monitors.yaml,line=41,title=monitor/port::" in r.stdout
    assert "port.number-not-name" in r.stdout
    report = (tmp_path / "report.md").read_text()
    assert "### migrator lint" in report and "### migrator diff" in report
    assert "| bug | `monitor/port` | `monitoring/monitors.yaml:41` |" in report
    assert "serviceMonitor/monitoring/istiod-service-monitor/0" in report and "changed" in report
    summary = (tmp_path / "summary.md").read_text()
    assert summary.startswith("earlier step\n") and summary.endswith(report)
    out = dict(line.split("=", 1) for line in (tmp_path / "out.txt").read_text().splitlines())
    assert out["findings"] == "1" and out["lint-status"] == "1" and out["diff-status"] == "1"
    assert _git(repo, "status", "--porcelain") == ""  # nothing written into the checkout


def test_action_script_fail_on(repo, tmp_path):
    assert _action(repo, tmp_path, MIGRATOR_FAIL_ON="never").returncode == 0
    # differences fail only when asked
    assert _action(repo, tmp_path, MIGRATOR_FAIL_ON="never", MIGRATOR_DIFF_FAIL_ON="config").returncode == 1


def test_action_script_clean_change_passes(repo, tmp_path):
    text = (repo / "monitoring/monitors.yaml").read_text().replace('port: "15014"', "port: http-monitoring")
    (repo / "monitoring/monitors.yaml").write_text(text.replace("interval: 15s", "interval: 30s", 1))
    _git(repo, "commit", "-qam", "fix")
    r = _action(repo, tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "::error" not in r.stdout
    assert "interval" in (tmp_path / "report.md").read_text()


def test_action_script_unusable_input_exits_2(repo, tmp_path):
    (repo / "monitoring/broken.yaml").write_text("scrape_configs: [\n")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "broken")
    r = _action(repo, tmp_path)
    assert r.returncode == 2
    assert "::error title=migrator lint::" in r.stdout
