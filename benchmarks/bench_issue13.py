"""Every goal of issue 13 (big clusters) in one run: the benchmarks below, one after the other on the same
machine, their PASS/MISS lines gathered in one table at the end.

    python benchmarks/bench_issue13.py [--keep DIR] [--quick]

| goal | script |
| --- | --- |
| `targets`, 13 jobs, 20,000 pods: wall <= 0.8x promtool's CPU for its one job, peak RSS below promtool's; a YAML inventory loads in <= 2x the JSON's time | `bench_targets.py --pods 20000` (promtool side by side; YAML written as kubectl lays it out) |
| the same at 50,000 pods (125 namespaces), under 3 GB | `bench_targets.py --pods 50000 --skip-yaml` |
| `migrate` of the 200-job config with its proof: <= 1.5x one `targets` run | `bench_migrate.py --pods 5000` |
| `diff` of two setups with an inventory: <= 1.5x one `targets` run of the larger side | `bench_diff.py --pods 20000` |
| `--cluster`: 50,000 pods from the fake API server under 3 GB | `bench_cluster.py --pods 50000` |

About 25 minutes and 10 GB of disk on 2 cores at full size (`--quick`: a tenth of the pods, a few minutes; the
ratios are then dominated by start-up costs). Each script's whole output is kept in DIR/<name>.log.
Timings are only comparable on an otherwise idle machine: the load average is printed before each step.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def steps(quick: bool) -> list[tuple[str, list[str]]]:
    k = 10 if quick else 1
    return [
        ("targets-20k", ["bench_targets.py", "--pods", str(20_000 // k)]),
        ("targets-50k", ["bench_targets.py", "--pods", str(50_000 // k), "--skip-yaml"]),
        ("migrate", ["bench_migrate.py", "--pods", str(5_000 // k)]),
        ("diff", ["bench_diff.py", "--pods", str(20_000 // k)]),
        ("cluster-50k", ["bench_cluster.py", "--pods", str(50_000 // k)]),
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keep", metavar="DIR", help="keep every script's files and log here")
    ap.add_argument("--quick", action="store_true", help="a tenth of the pods (a smoke run)")
    ap.add_argument("--only", action="append", metavar="NAME", help="only this step (repeatable)")
    args = ap.parse_args(argv)
    work = Path(args.keep or tempfile.mkdtemp(prefix="bench-issue13-"))
    work.mkdir(parents=True, exist_ok=True)
    verdicts: list[tuple[str, str]] = []
    t_all = time.perf_counter()
    for name, cmd in steps(args.quick):
        if args.only and name not in args.only:
            continue
        sub = work / name
        sub.mkdir(exist_ok=True)
        full = [sys.executable, str(HERE / cmd[0]), *cmd[1:], "--keep", str(sub)]
        print(f"== {name}: {' '.join(cmd)}  (load average {os.getloadavg()[0]:.2f})", flush=True)
        t0 = time.perf_counter()
        with open(work / f"{name}.log", "w", encoding="utf-8") as log:
            proc = subprocess.run(full, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            log.write(proc.stdout)
        print(f"   exit {proc.returncode}, {time.perf_counter() - t0:.0f} s, log {work / f'{name}.log'}")
        found = False
        for line in proc.stdout.splitlines():
            text = line.strip()
            for word in ("PASS", "MISS"):
                if text.startswith(word) or f": {word}" in text or text.endswith(word):
                    verdicts.append((name, text))
                    found = True
                    break
        if not found:
            verdicts.append((name, f"MISS  no verdict printed (exit {proc.returncode}); see the log"))
    print(f"\nissue 13, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"{time.perf_counter() - t_all:.0f} s in all{' (--quick)' if args.quick else ''}:")
    for name, text in verdicts:
        print(f"  {name:<12} {text}")
    return 0 if all("MISS" not in t for _, t in verdicts) else 1


if __name__ == "__main__":
    raise SystemExit(main())
