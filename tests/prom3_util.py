"""Prometheus 3 (with Kubernetes discovery) for the tests: where the binaries are, and the harness.

The binaries come from ``../shared/tools/prometheus3/get-prometheus3.sh`` (Debian sid's
``prometheus`` and ``promtool``, unpacked, not installed). They are looked up in order:

* ``$PROM3_BIN``: a directory holding ``prometheus`` and ``promtool`` (``.ci/run`` exports it);
* ``$PROM3_DIR/usr/bin`` (the script's own variable);
* the cache ``.ci/run`` fills: ``/var/cache/migrator-prom3/usr/bin``, then
  ``~/.cache/migrator-prom3/usr/bin``; then ``/tmp/prom3/usr/bin`` (the script's default).

``prom3()`` returns the binaries or skips the calling test with the reason (missing, version
below 3, or built without ``kubernetes_sd_configs``). ``run_promtruth(...)`` runs the harness; a
run that does not settle within its timeout, or a harness that does not return, FAILS the test
with the harness's log (every process it started is stopped first).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional

import pytest

from conftest import SHARED

TOOLS = SHARED / "tools" / "prometheus3"
CACHE_DIRS = ("/var/cache/migrator-prom3", "~/.cache/migrator-prom3", "/tmp/prom3")


@dataclass(frozen=True)
class Prom3:
    bindir: Path
    version: str                       # e.g. "3.5.3"

    @property
    def prometheus(self) -> str:
        return str(self.bindir / "prometheus")

    @property
    def promtool(self) -> str:
        return str(self.bindir / "promtool")


def candidate_dirs() -> list[Path]:
    out = []
    if os.environ.get("PROM3_BIN"):
        out.append(Path(os.environ["PROM3_BIN"]))
    if os.environ.get("PROM3_DIR"):
        out.append(Path(os.environ["PROM3_DIR"]) / "usr" / "bin")
    out += [Path(d).expanduser() / "usr" / "bin" for d in CACHE_DIRS]
    return out


def binary_version(binary: str) -> Optional[str]:
    """ "3.5.3" from ``promtool --version`` / ``prometheus --version`` (None when it does not run)."""
    try:
        out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    first = (out.stdout or out.stderr).split("\n", 1)[0]
    for word in first.split():
        if word[:1].isdigit():
            return word.split("+", 1)[0]
    return None


def has_kubernetes_sd(promtool: str) -> tuple[bool, str]:
    """Whether ``promtool check config`` knows kubernetes_sd_configs (Debian's 2.42 build does not)."""
    with tempfile.TemporaryDirectory() as d:
        probe = Path(d) / "probe.yml"
        probe.write_text("scrape_configs:\n- job_name: probe\n  kubernetes_sd_configs:\n"
                         "  - role: pod\n    api_server: http://127.0.0.1:1\n", encoding="utf-8")
        out = subprocess.run([promtool, "check", "config", "--syntax-only", str(probe)],
                             capture_output=True, text=True, timeout=60)
    text = out.stdout + out.stderr
    return out.returncode == 0, text.strip()


@lru_cache(maxsize=1)
def find_prom3() -> tuple[Optional[Prom3], str]:
    """(binaries, "") or (None, why not)."""
    reasons = []
    for d in candidate_dirs():
        prom, tool = d / "prometheus", d / "promtool"
        if not (os.access(prom, os.X_OK) and os.access(tool, os.X_OK)):
            reasons.append(f"{d}: no prometheus+promtool")
            continue
        v = binary_version(str(tool))
        pv = binary_version(str(prom))
        if v is None or pv is None:
            reasons.append(f"{d}: the binaries do not run")
            continue
        if int(v.split(".")[0]) < 3 or int(pv.split(".")[0]) < 3:
            reasons.append(f"{d}: version {pv}/{v} is below 3")
            continue
        ok, out = has_kubernetes_sd(str(tool))
        if not ok:
            reasons.append(f"{d}: promtool {v} was built without kubernetes_sd_configs ({out[-200:]})")
            continue
        return Prom3(d, v), ""
    return None, ("no Prometheus 3 with Kubernetes discovery (run ../shared/tools/prometheus3/"
                  "get-prometheus3.sh with PROM3_DIR=/var/cache/migrator-prom3, or set PROM3_BIN): "
                  + "; ".join(reasons))


def prom3() -> Prom3:
    """The Prometheus 3 binaries, or skip the calling test with the reason."""
    found, why = find_prom3()
    if found is None:
        pytest.skip(why)
    return found


def prom3_or_none() -> Optional[Prom3]:
    return find_prom3()[0]


# ---------------------------------------------------------------------------------------------
# The harness


def _descendants(pid: int) -> list[int]:
    """Every live descendant of pid (read from /proc), children first."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8", errors="replace") as f:
                stat = f.read()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        for c in children.get(p, []):
            out.append(c)
            todo.append(c)
    return out


def _stop(proc: subprocess.Popen, grace: float = 3.0) -> None:
    """Stop the harness and everything it started (its children run in their own sessions)."""
    if proc.poll() is not None:
        return
    kids = _descendants(proc.pid)
    try:
        proc.send_signal(signal.SIGTERM)   # the harness stops its children on SIGTERM
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=grace)
    except ProcessLookupError:
        pass
    for pid in kids:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


class HarnessFailure(AssertionError):
    pass


def run_promtruth(snapshot: Path | str, config: Path | str, *, timeout: float = 60.0,
                  own_namespace: Optional[str] = None, global_interval: Optional[str] = None,
                  binaries: Optional[Prom3] = None, margin: float = 60.0,
                  script: Optional[Path] = None) -> dict:
    """Run promtruth.py (native Kubernetes discovery) and return its JSON.

    Fails (never hangs) when the harness exits non-zero, reports ``stable: false``, or does not
    return within ``timeout`` + a margin; the failure carries the harness's log."""
    b = binaries or prom3()
    script = script or TOOLS / "promtruth.py"
    if not script.exists():
        pytest.skip(f"{script} missing (../shared beside the checkout)")
    with tempfile.TemporaryDirectory(prefix="prom3-test-") as d:
        out = Path(d) / "truth.json"
        log = Path(d) / "harness.log"
        cmd = [sys.executable, str(script), "--snapshot", str(snapshot), "--config", str(config),
               "--sd", "native", "--prometheus", b.prometheus, "--promtool", b.promtool,
               "--timeout", str(timeout), "--indent", "0", "--out", str(out)]
        if own_namespace:
            cmd += ["--own-namespace", own_namespace]
        if global_interval:
            cmd += ["--global-scrape-interval", global_interval]
        with open(log, "w", encoding="utf-8") as logf:
            proc = subprocess.Popen(cmd, stdout=logf, stderr=subprocess.STDOUT, start_new_session=True)
            try:
                rc = proc.wait(timeout=timeout + margin)
            except subprocess.TimeoutExpired:
                rc = None
            finally:
                _stop(proc)
        text = log.read_text(encoding="utf-8", errors="replace")
        if rc is None:
            raise HarnessFailure(f"promtruth did not return within {timeout + margin:.0f}s (killed):\n"
                                 f"{text[-6000:]}")
        if rc != 0 or not out.exists():
            what = "did not settle within its timeout" if rc == 3 else f"exited {rc}"
            raise HarnessFailure(f"promtruth {what} ({' '.join(cmd)}):\n{text[-6000:]}")
        result = json.loads(out.read_text(encoding="utf-8"))
        if not result.get("stable"):
            raise HarnessFailure(f"promtruth: discovery not stable:\n{text[-6000:]}")
        result["_log"] = text
        return result


def wait_gone(pids: list[int], timeout: float = 5.0) -> list[int]:
    """pids still alive after timeout (for tests of the cleanup itself)."""
    end = time.monotonic() + timeout
    alive = list(pids)
    while alive and time.monotonic() < end:
        alive = [p for p in alive if Path(f"/proc/{p}").exists()]
        time.sleep(0.05)
    return alive
