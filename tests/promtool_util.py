"""Running the real promtool against file_sd target groups (a test helper, reusable).

``check_service_discovery(job, groups)`` writes the target groups as a file_sd
JSON file, a prometheus.yml with ``job`` pointed at it, runs
``promtool check service-discovery --timeout=... CONFIG JOB`` and returns one
``SDResult`` per result promtool printed. promtool prints, per target:
``discoveredLabels`` and ``labels`` (the relabeled label set including ``__``
labels but without ``__meta_*``); ``labels`` is empty for a dropped target,
and an ``error`` key appears when the target was refused (no address, bad
interval, ...). The error text itself is not printed (it marshals as ``{}``).

Caveats of ``check service-discovery`` (2.42):

* results are grouped by target-group source in Go map order, so their order
  is not the input order: compare as multisets, or give each group one target;
* within one source, identical results are printed once;
* file_sd adds ``__meta_filepath`` to every group's labels; target label names
  must be legacy-valid (the JSON is validated).

``check_config(config)`` runs ``promtool check config`` and returns (ok, output).

Every function takes ``promtool=`` to run another binary than ``PROMTOOL`` (promtool 3 from
tests/prom3_util.py).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Optional

import yaml

PROMTOOL = os.environ.get("PROMTOOL") or shutil.which("promtool") or "/usr/bin/promtool"


def promtool_available() -> bool:
    return Path(PROMTOOL).exists() and os.access(PROMTOOL, os.X_OK)


def promtool_version(promtool: Optional[str] = None) -> Optional[str]:
    """e.g. "2.42.0" (None without promtool). promtool: another binary than PROMTOOL."""
    if promtool is None and not promtool_available():
        return None
    out = subprocess.run([promtool or PROMTOOL, "--version"], capture_output=True, text=True, timeout=30)
    first = (out.stdout or out.stderr).split("\n", 1)[0]
    # "promtool, version 2.42.0+ds (branch: ...)"
    for word in first.split():
        if word[:1].isdigit():
            return word.split("+", 1)[0]
    return None


@dataclass(frozen=True)
class SDResult:
    """One target as promtool reports it."""

    status: str                       # "kept", "dropped" or "error"
    labels: tuple                     # sorted (name, value) pairs; () unless kept
    discovered: tuple                 # promtool's discoveredLabels (2.42: may be partly relabeled)

    def key(self) -> tuple:
        """What can be compared with a simulation: status and final labels."""
        return (self.status, self.labels)


class PromtoolError(RuntimeError):
    pass


def dump_yaml(data: Any) -> str:
    return yaml.safe_dump(data, default_flow_style=False, sort_keys=False, allow_unicode=True, width=10_000)


def check_config(config: Any, *, workdir: Optional[str] = None,
                 promtool: Optional[str] = None) -> tuple[bool, str]:
    """``promtool check config`` on a config (dict or YAML text): (ok, combined output)."""
    with tempfile.TemporaryDirectory(dir=workdir) as d:
        path = Path(d) / "prometheus.yml"
        path.write_text(config if isinstance(config, str) else dump_yaml(config), encoding="utf-8")
        out = subprocess.run([promtool or PROMTOOL, "check", "config", "--syntax-only", str(path)],
                             capture_output=True, text=True, timeout=60)
        return out.returncode == 0, (out.stdout + out.stderr).replace(str(path), "prometheus.yml")


def check_service_discovery(job: dict, groups: Iterable[dict], *, global_config: Optional[dict] = None,
                            timeout_s: float = 0.3, expected: Optional[int] = None, retries: int = 3,
                            workdir: Optional[str] = None,
                            promtool: Optional[str] = None) -> tuple[list[SDResult], str]:
    """Run service discovery + relabeling of ``job`` over file_sd ``groups`` with promtool.

    ``job`` is a scrape config without service discovery (its ``job_name`` is used); a
    ``file_sd_configs`` entry pointing at the written groups is added. Returns (results, path of
    the target file as promtool saw it, for ``__meta_filepath``). When ``expected`` is given and
    fewer results come back (discovery slower than the timeout), retries with a longer timeout.
    Raises PromtoolError when promtool refuses the config.
    """
    groups = list(groups)
    with tempfile.TemporaryDirectory(dir=workdir) as d:
        sd_path = str(Path(d) / "targets.json")
        Path(sd_path).write_text(json.dumps(groups, ensure_ascii=False), encoding="utf-8")
        cfg_job = dict(job)
        cfg_job["file_sd_configs"] = [{"files": [sd_path]}]
        config: dict[str, Any] = {}
        if global_config:
            config["global"] = global_config
        config["scrape_configs"] = [cfg_job]
        cfg_path = Path(d) / "prometheus.yml"
        cfg_path.write_text(dump_yaml(config), encoding="utf-8")
        t = timeout_s
        for _attempt in range(max(1, retries)):
            out = subprocess.run(
                [promtool or PROMTOOL, "check", "service-discovery", f"--timeout={t}s", str(cfg_path),
                 str(job["job_name"])], capture_output=True, text=True, timeout=120 + t)
            if out.returncode != 0:
                raise PromtoolError(f"promtool failed ({out.returncode}): {out.stderr.strip()}"
                                    f"\n{out.stdout.strip()}\nconfig:\n{cfg_path.read_text()}")
            try:
                raw = json.loads(out.stdout)
            except json.JSONDecodeError as exc:
                raise PromtoolError(f"unparseable promtool output: {exc}: {out.stdout[:500]}") from None
            results = [parse_result(r) for r in raw or []]
            if expected is None or len(results) >= expected:
                return results, sd_path
            t *= 3
        return results, sd_path


def parse_result(r: dict) -> SDResult:
    labels = r.get("labels") or {}
    disc = r.get("discoveredLabels") or {}
    if "error" in r:
        status = "error"
    elif not labels:
        status = "dropped"
    else:
        status = "kept"
    return SDResult(status, tuple(sorted(labels.items())) if status == "kept" else (),
                    tuple(sorted(disc.items())))


def outcome_key(labels: Optional[dict], error: Optional[str]) -> tuple:
    """The SDResult.key() a simulation should produce: kept labels, dropped, or error."""
    if labels is not None:
        return ("kept", tuple(sorted(labels.items())))
    if error is not None:
        return ("error", ())
    return ("dropped", ())


def multiset_diff(expected: Iterable[tuple], actual: Iterable[tuple]) -> tuple[Counter, Counter]:
    """(only in expected, only in actual) as Counters."""
    e, a = Counter(expected), Counter(actual)
    return e - a, a - e
