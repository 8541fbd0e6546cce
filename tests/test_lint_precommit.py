"""The pre-commit hooks of .pre-commit-hooks.yaml, run by the real pre-commit against a temporary git repository.

The hooks are installed from this checkout as `repo: local` hooks with the manifest's own id, entry, types and
arguments (language system: the migrator of this environment), so that the test needs no network."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from migrator.lint import all_rules

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.skipif(shutil.which("pre-commit", path=str(BIN)) is None and shutil.which("pre-commit") is None,
                                reason="pre-commit is not installed (pip install -e '.[test]')")


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=repo, check=True,
                   capture_output=True)


def _repo(tmp_path: Path, files: dict[str, str]) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    local = []
    for h in hooks:
        h = dict(h, language="system")
        h["entry"] = str(BIN / h["entry"].split()[0]) + " " + " ".join(h["entry"].split()[1:])
        if h["id"] == "migrator-validate":
            h["files"] = r"^monitors/"
        local.append(h)
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump({"repos": [{"repo": "local", "hooks": local}]}))
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    _git(repo, "add", ".")
    return repo


def _run(repo: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "pc-home"), PATH=f"{BIN}:{os.environ['PATH']}")
    exe = shutil.which("pre-commit", path=str(BIN)) or shutil.which("pre-commit")
    return subprocess.run([exe, "run", "--all-files", "--color", "never"], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=300)


def _example(rule_id: str, which: str) -> str:
    r = next(x for x in all_rules() if x.id == rule_id)
    return getattr(r, which)


def test_manifest_has_both_hooks():
    ids = [h["id"] for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())]
    assert ids == ["migrator-validate", "migrator-lint"]


def test_hooks_pass_on_good_files(tmp_path):
    repo = _repo(tmp_path, {"monitors/web.yaml": _example("monitor/no-port", "ok"),
                            "prometheus.yml": _example("relabel/present-without-regex", "ok")})
    r = _run(repo, tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "migrator validate" in r.stdout and "migrator lint" in r.stdout and "Passed" in r.stdout


def test_lint_hook_fails_on_a_bug_and_names_rule_and_line(tmp_path):
    repo = _repo(tmp_path, {"monitors/web.yaml": _example("monitor/no-port", "ok"),
                            "prometheus.yml": _example("relabel/present-without-regex", "fail")})
    r = _run(repo, tmp_path)
    assert r.returncode == 1
    assert "prometheus.yml:5: bug: relabel/present-without-regex:" in r.stdout


def test_validate_hook_fails_on_an_invalid_monitor(tmp_path):
    repo = _repo(tmp_path, {"monitors/web.yaml": _example("monitor/invalid", "fail")})
    r = _run(repo, tmp_path)
    assert r.returncode == 1
    assert "migrator validate" in r.stdout and "Failed" in r.stdout and "monitors/web.yaml:" in r.stdout


@pytest.mark.skipif(os.environ.get("MIGRATOR_TEST_NETWORK") != "1",
                    reason="installs the hooks' own environment from the package index (MIGRATOR_TEST_NETWORK=1)")
def test_the_manifest_itself_with_try_repo(tmp_path):
    """The real manifest (language: python): pre-commit builds an environment with this checkout installed."""
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / "prometheus.yml").write_text(_example("relabel/present-without-regex", "fail"))
    _git(repo, "add", ".")
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "pc-home"))
    exe = shutil.which("pre-commit", path=str(BIN)) or shutil.which("pre-commit")
    r = subprocess.run([exe, "try-repo", str(ROOT), "migrator-lint", "--all-files", "--color", "never"], cwd=repo,
                       env=env, capture_output=True, text=True, timeout=900)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "prometheus.yml:5: bug: relabel/present-without-regex:" in r.stdout
