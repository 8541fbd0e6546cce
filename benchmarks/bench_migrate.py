"""Benchmark: `migrate` with its proof on a 200-job config over a 20,000-pod inventory, next to `targets`.

    python benchmarks/bench_migrate.py [--pods 20000] [--jobs 200] [--keep DIR] [--repeat N] [--skip-command]
                                       [--config FILE]

1. Builds a 200-job prometheus.yml from the jobs of the real configs (../shared/oracle/real-configs/*.yaml
   holding scrape_configs; skipped with a message when absent, then the samples' jobs are used), cycled and
   renamed ``<job>-<n>`` so every name is unique.
2. Generates the deterministic 20,000-pod inventory of benchmarks/gen_inventory.py (JSON ``kind: List``).
3. Runs ``migrator targets CONFIG --inventory INV -o OUT`` as a child process (wall, CPU, peak RSS).
4. Runs, in a fresh child process, what ``migrate`` with proof does: read the config and the inventory,
   ``migrate_jobs`` (decisions, validation), then ``prove`` for every migrated job (the original job and the
   portable render of its resources both evaluated over the inventory, label multisets compared).
5. Runs the command itself, ``migrator migrate CONFIG --inventory INV -o DIR --report FILE.json`` (the
   resources and the report written), as a child process (unless --skip-command).
6. Prints all three, and the ratios to the ``targets`` run of the same round, in wall and CPU time (target:
   migrate with proof within 1.5x of one targets run, issue 13: PASS/MISS on wall time; CPU time is given
   because wall time is noisy on a shared machine), and the proof totals. ``--repeat N`` runs N rounds
   (each: targets, library, command, in turn) and judges the best of each side.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REAL = REPO.parent / "shared" / "oracle" / "real-configs"
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))


def real_jobs() -> list[dict]:
    from migrator.scrapeconfig import read_jobs
    from migrator.sources import load_documents

    files = sorted(REAL.glob("*.yaml")) if REAL.is_dir() else []
    if not files:
        print(f"note: {REAL} is absent: using the samples' jobs", file=sys.stderr)
        files = sorted((REPO / "samples" / "raw").glob("*.y*ml"))
    out = []
    for f in files:
        try:
            parsed = read_jobs(load_documents([str(f)]))
        except Exception:  # monitors, not scrape configs
            continue
        for job in parsed.jobs:
            if job.failed:
                continue
            out.append(job.config)
    return out


def build_config(path: Path, n_jobs: int) -> int:
    import yaml

    base = real_jobs()
    jobs = []
    i = 0
    while len(jobs) < n_jobs:
        j = dict(base[i % len(base)])
        j["job_name"] = f"{j['job_name']}-{i}"
        jobs.append(j)
        i += 1
    path.write_text(yaml.safe_dump({"global": {"scrape_interval": "30s"}, "scrape_configs": jobs},
                                   sort_keys=False, width=10_000), encoding="utf-8")
    return len(base)


def run_child(cmd: list[str]) -> dict:
    """Run CMD (its output to temporary files: a pipe left unread would block a chatty child), with its wall
    time, CPU time (user + system) and peak RSS."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=REPO)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
    if p.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({status}):\n{stderr[-2000:]}")
    return {"wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "rss_mb": ru.ru_maxrss / 1024, "stdout": stdout}


MIGRATE_CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[3])
t0 = time.perf_counter()
from migrator.inventory import load_inventory
from migrator.migrate import MigrateOptions, migrate_jobs, prove
from migrator.scrapeconfig import read_jobs
from migrator.sources import load_documents
parsed = read_jobs(load_documents([sys.argv[1]]))
t1 = time.perf_counter()
inv = load_inventory([sys.argv[2]])
t2 = time.perf_counter()
opts = MigrateOptions(inventory=inv, global_config=parsed.global_config)
ms = migrate_jobs(parsed.jobs, opts)
t3 = time.perf_counter()
stats = {"jobs": len(ms), "status": {}, "proved": 0, "equivalent": 0, "targets": 0, "pending": 0,
         "differences": 0}
for m, j in zip(ms, parsed.jobs):
    stats["status"][m.status] = stats["status"].get(m.status, 0) + 1
    p = prove(m, j, opts)
    if p is None:
        continue
    stats["proved"] += 1
    stats["pending"] += p.pending
    stats["equivalent"] += p.equivalent
    stats["targets"] += len(p.before.kept)
    stats["differences"] += len(p.only_before) + len(p.only_after) + len(p.changed)
t4 = time.perf_counter()
stats["stages"] = {"read config": t1 - t0, "load inventory": t2 - t1, "migrate_jobs": t3 - t2, "prove": t4 - t3}
print(json.dumps(stats))
"""


def _row(name: str, r: dict) -> str:
    return f"{name:32}{r['wall']:9.2f}{r['cpu']:9.2f}{r['rss_mb']:9.0f}"


def _best(runs: list[dict]) -> dict:
    return {"wall": min(r["wall"] for r in runs), "cpu": min(r["cpu"] for r in runs),
            "rss_mb": max(r["rss_mb"] for r in runs)}


GOAL = 1.5


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pods", type=int, default=20_000)
    ap.add_argument("--jobs", type=int, default=200)
    ap.add_argument("--keep", help="write the config and inventory here and keep them")
    ap.add_argument("--repeat", type=int, default=1, help="rounds (targets, library, command in turn); best of each")
    ap.add_argument("--config", help="benchmark this prometheus.yml instead of the 200-job one built from the real configs")
    ap.add_argument("--skip-command", action="store_true", help="do not run the migrate command itself")
    ap.add_argument("--skip-targets", action="store_true",
                    help="only migrate + proof (no ratio)")
    args = ap.parse_args(argv)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-migrate-"))
    work.mkdir(parents=True, exist_ok=True)
    config, inv = work / "prometheus.yml", work / "inventory.json"
    if args.config:
        config = Path(args.config).resolve()
        print(f"config: {config}")
    else:
        n_base = build_config(config, args.jobs)
        print(f"config: {args.jobs} jobs from {n_base} distinct real jobs -> {config}")
    if not inv.exists():
        from gen_inventory import write_inventory

        t0 = time.perf_counter()
        counts = write_inventory(str(inv), args.pods)
        print(f"inventory: {counts.get('Pod')} pods, {len(counts)} kinds, {time.perf_counter() - t0:.1f}s -> {inv}")
    out_dir, report = work / "migrate-out", work / "migrate-report.json"
    rounds: dict[str, list[dict]] = {"targets": [], "library": [], "command": []}
    stats = None
    for _ in range(max(1, args.repeat)):
        for old in (work / "targets.txt", report):  # the commands refuse to replace a file without --force
            if old.exists():
                old.unlink()
        if not args.skip_targets:
            rounds["targets"].append(run_child(
                [sys.executable, "-m", "migrator", "targets", str(config), "--inventory", str(inv),
                 "-o", str(work / "targets.txt")]))
        mig = run_child([sys.executable, "-c", MIGRATE_CHILD, str(config), str(inv), str(REPO)])
        rounds["library"].append(mig)
        stats = stats or json.loads(mig["stdout"].strip().splitlines()[-1])
        if not args.skip_command:
            if out_dir.exists():
                shutil.rmtree(out_dir)
            rounds["command"].append(run_child(
                [sys.executable, "-m", "migrator", "migrate", str(config), "--inventory", str(inv),
                 "-o", str(out_dir), "--report", str(report)]))
    best = {k: _best(v) for k, v in rounds.items() if v}
    print(f"\n{'':32}{'wall s':>9}{'cpu s':>9}{'peak MB':>9}" + (f"   (best of {args.repeat})" if args.repeat > 1 else ""))
    if "targets" in best:
        print(_row("migrator targets (text)", best["targets"]))
    print(_row("migrate + proof (library)", best["library"]))
    for k, v in stats["stages"].items():  # of the first round
        print(f"  {k:30}{v:9.2f}")
    if "command" in best:
        print(_row("migrator migrate (command)", best["command"]) + "   -o DIR --report FILE.json")
    print(f"\nstatuses: {stats['status']}")
    print(f"proofs: {stats['proved']} made, {stats['equivalent']} equivalent, {stats['pending']} pending, "
          f"{stats['differences']} label/target differences, {stats['targets']} original targets compared")
    ok = stats["equivalent"] == stats["proved"]
    if "targets" in best:
        t = best["targets"]
        for name in ("library", "command"):
            if name not in best:
                continue
            m = best[name]
            wall, cpu = m["wall"] / t["wall"], m["cpu"] / t["cpu"]
            verdict = "PASS" if wall <= GOAL else "MISS"
            ok = ok and wall <= GOAL
            what = "migrate+proof (library)" if name == "library" else "migrate command        "
            print(f"ratio {what} / targets: wall {wall:.2f}x, CPU {cpu:.2f}x "
                  f"(target <= {GOAL}x, issue 13): {verdict}")
    if not args.keep:
        shutil.rmtree(work)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
