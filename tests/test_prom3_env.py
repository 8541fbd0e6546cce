"""Finding Prometheus 3 and running its harness: skips with a reason, failures never hang."""

from __future__ import annotations

import os
import stat
import sys
import time
from pathlib import Path

import pytest

import prom3_util
from prom3_util import HarnessFailure, Prom3, find_prom3, run_promtruth, wait_gone


def _stub(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


def _fake_bindir(tmp_path: Path, version: str, k8s: bool) -> Path:
    d = tmp_path / "usr" / "bin"
    d.mkdir(parents=True)
    check = "exit 0" if k8s else 'echo "field kubernetes_sd_configs not found in type config.ScrapeConfig" >&2; exit 1'
    for name in ("prometheus", "promtool"):
        _stub(d / name, "#!/bin/sh\n"
                        f'if [ "$1" = --version ]; then echo "{name}, version {version}+ds (branch: x)"; exit 0; fi\n'
                        f"{check}\n")
    return d


@pytest.fixture
def only_dir(monkeypatch):
    """find_prom3 looking only at the given directory."""
    def use(d: Path):
        monkeypatch.setenv("PROM3_BIN", str(d))
        monkeypatch.setattr(prom3_util, "CACHE_DIRS", ())
        monkeypatch.delenv("PROM3_DIR", raising=False)
        find_prom3.cache_clear()
    yield use
    find_prom3.cache_clear()


def test_missing_binaries_skip_with_reason(tmp_path, only_dir):
    only_dir(tmp_path / "nothing")
    found, why = find_prom3()
    assert found is None and "no prometheus+promtool" in why and "get-prometheus3.sh" in why


def test_too_old_binaries_skip_with_reason(tmp_path, only_dir):
    only_dir(_fake_bindir(tmp_path, "2.42.0", k8s=True))
    found, why = find_prom3()
    assert found is None and "below 3" in why


def test_binaries_without_kubernetes_sd_skip_with_reason(tmp_path, only_dir):
    only_dir(_fake_bindir(tmp_path, "3.5.3", k8s=False))
    found, why = find_prom3()
    assert found is None and "without kubernetes_sd_configs" in why


def test_good_binaries_are_found_by_env(tmp_path, only_dir):
    d = _fake_bindir(tmp_path, "3.5.3", k8s=True)
    only_dir(d)
    found, why = find_prom3()
    assert found == Prom3(d, "3.5.3"), why


def test_harness_that_hangs_fails_with_its_log_and_leaves_nothing(tmp_path):
    # A stand-in harness: starts a child in its own session (as promtruth starts prometheus),
    # logs, then never returns.
    pidfile = tmp_path / "child.pid"
    script = tmp_path / "hang.py"
    script.write_text(
        "import subprocess, sys, time\n"
        "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'], start_new_session=True)\n"
        f"open({str(pidfile)!r}, 'w').write(str(p.pid))\n"
        "print('promtruth: waiting for scrape pools', flush=True)\n"
        "import signal; signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "time.sleep(600)\n", encoding="utf-8")
    t0 = time.monotonic()
    with pytest.raises(HarnessFailure) as exc:
        run_promtruth("snap.yaml", "cfg.yaml", timeout=1, margin=1, script=script,
                      binaries=Prom3(Path("/nonexistent"), "3.5.3"))
    assert time.monotonic() - t0 < 30
    assert "did not return" in str(exc.value) and "waiting for scrape pools" in str(exc.value)
    assert wait_gone([int(pidfile.read_text())]) == []


def test_harness_not_settled_fails_with_its_log(tmp_path):
    script = tmp_path / "unstable.py"
    script.write_text("import sys\nprint('promtruth: native discovery, NOT stable (pool x still moving)')\n"
                      "sys.exit(3)\n", encoding="utf-8")
    with pytest.raises(HarnessFailure) as exc:
        run_promtruth("snap.yaml", "cfg.yaml", timeout=1, script=script,
                      binaries=Prom3(Path("/nonexistent"), "3.5.3"))
    assert "did not settle" in str(exc.value) and "pool x still moving" in str(exc.value)


def test_real_binaries_when_present():
    b = prom3_util.prom3()
    assert int(b.version.split(".")[0]) >= 3
    assert os.access(b.prometheus, os.X_OK) and os.access(b.promtool, os.X_OK)
    assert sys.executable
