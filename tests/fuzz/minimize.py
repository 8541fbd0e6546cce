"""Shrinking a failing case to a small reproducer with the same failure signature."""

from __future__ import annotations

import json
import shlex
import time
from pathlib import Path

from tests.fuzz.cases import Case
from tests.fuzz.runner import Outcome, Problem, run_case


def _still(case: Case, sig: str, groups: list[int], files: dict[str, bytes], stdin: bytes | None,
           timeout: float) -> bool:
    out = run_case(case, groups=groups, files=files, stdin=stdin, timeout=timeout)
    return any(p.signature == sig for p in out.problems)


def _ddmin_lines(data: bytes, keep, budget: list[int]) -> bytes:
    """Drop chunks of lines (halving the chunk size) while `keep(candidate)` holds."""
    lines = data.splitlines(keepends=True)
    chunk = max(1, len(lines) // 2)
    while chunk >= 1 and budget[0] > 0:
        i = 0
        changed = False
        while i < len(lines) and budget[0] > 0:
            cand = lines[:i] + lines[i + chunk:]
            budget[0] -= 1
            if cand != lines and keep(b"".join(cand)):
                lines = cand
                changed = True
            else:
                i += chunk
        if not changed:
            chunk //= 2
    return b"".join(lines)


def minimize(case: Case, problem: Problem, *, max_runs: int = 300, max_seconds: float = 120,
             timeout: float = 20) -> tuple[list[int], dict[str, bytes], bytes | None]:
    """Fewer options, fewer documents and lines in each input, as long as `problem` recurs."""
    sig = problem.signature
    groups = list(range(len(case.args)))
    files = dict(case.files)
    stdin = case.stdin
    deadline = time.monotonic() + max_seconds
    budget = [max_runs]

    def ok(g=None, f=None, s=None) -> bool:
        if time.monotonic() > deadline or budget[0] <= 0:
            return False
        budget[0] -= 1
        return _still(case, sig, groups if g is None else g, files if f is None else f,
                      stdin if s is None else s, timeout)

    for gi in list(case.droppable):
        cand = [g for g in groups if g != gi]
        if ok(g=cand):
            groups = cand
    used = case.argv(groups=groups)
    files = {k: v for k, v in files.items() if any(k == u or k.startswith(u + "/") for u in used)}
    for name in list(files):
        data = files[name]
        if len(data) > 2_000_000:
            continue

        def keep(cand: bytes, name=name) -> bool:
            return ok(f={**files, name: cand})

        files[name] = _ddmin_lines(data, keep, budget)
    if stdin:
        stdin = _ddmin_lines(stdin, lambda cand: ok(s=cand), budget)
    return groups, files, stdin


def write_reproducer(directory: Path, case: Case, outcome: Outcome, problem: Problem,
                     groups: list[int], files: dict[str, bytes], stdin: bytes | None) -> Path:
    """DIR/<case>/: the input files, cmd.sh (run from that directory) and what went wrong."""
    d = directory / f"{case.name}"
    d.mkdir(parents=True, exist_ok=True)
    for name, data in {**files, **case.existing}.items():
        (d / name).parent.mkdir(parents=True, exist_ok=True)
        (d / name).write_bytes(data)
    for name, target in case.symlinks.items():
        if not (d / name).is_symlink():
            (d / name).symlink_to(target)
    argv = case.argv(groups=groups)
    serve = ""
    if case.cluster is not None:
        (d / "cluster.json").write_text(json.dumps(case.cluster, indent=1, allow_nan=True))
        serve = ("# the cluster: in another shell, in this directory (writes ./kubeconfig, serves until Ctrl-C):\n"
                 "#   python tools/fuzz.py --serve cluster.json\n")
    line = "migrator " + " ".join(shlex.quote(a) for a in argv)
    if stdin is not None:
        (d / "stdin").write_bytes(stdin)
        line += " < stdin"
    (d / "cmd.sh").write_text(f"#!/bin/sh\n# {problem.signature}\n{serve}cd \"$(dirname \"$0\")\"\n{line}\n")
    (d / "PROBLEM.txt").write_text(
        f"{problem.signature}\n{problem.detail}\n\ncase: {case.describe()}\n"
        f"planted markers: {case.planted.markers if case.planted else {}}\n"
        f"exit status {outcome.code}\n--- stderr (tail)\n{outcome.stderr[-2000:]}\n")
    return d
