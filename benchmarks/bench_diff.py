"""Benchmark: `migrator diff OLD NEW --inventory` of two realistic setups, next to one `targets` run of the larger side.

    python benchmarks/bench_diff.py [--pods 20000] [--seed 7] [--keep DIR] [--repeat N] [--profile]

1. Generates the deterministic inventory of benchmarks/gen_inventory.py (JSON ``kind: List``).
2. OLD: the 13-job prometheus.yml of bench_targets.py (the community Helm chart's 10 jobs + the three
   Istio jobs rendered portable from samples/istio/monitors.yaml; bench_targets.build_config).
   NEW: what a reviewer compares it with before a migration, a directory holding
   * prometheus.yml: the chart's jobs, edited as a change would: ``kubernetes-pods`` gets a ``cluster``
     label (a label change on every kept target), ``kubernetes-pods-slow`` is removed, a job
     ``istio-system-endpointslices`` (istiod's monitoring port through a discovery block no OLD job has)
     is added, the other jobs are unchanged;
   * monitors.yaml: samples/istio/monitors.yaml, the Istio jobs as monitors (rendered by the command).
3. In one run, each as a child process measured with os.wait4 (wall, user+sys CPU, peak RSS):
   ``migrator targets OLD --inventory INV --output json -o F``, the same for NEW, and
   ``migrator diff OLD NEW --inventory INV --output json -o F``. Every child counts the calls of
   ``migrator.discovery.discover`` (a wrapper installed by this script in the child, not in the product).
4. Prints the three runs, the ratio diff / targets of the larger side (the one whose targets run printed
   more JSON) in wall and in CPU, PASS/MISS against issue 13's 1.5x, and the discover calls: the diff
   must discover each distinct ``kubernetes_sd_configs`` block of both sides once (the union of what the
   two targets runs discovered).
5. Unless --skip-every-job: the upper bound, OLD against OLD with a label added to every job (NEW-ALL: no job
   identical on both sides, so every job of both sides is evaluated; discovery still shared).

--profile also runs the diff under cProfile and prints its hotspots.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from bench_targets import HELM_CONFIG, ISTIO_MONITORS, Run, build_config, machine, run_measured  # noqa: E402

RATIO_GOAL = 1.5

#: the child: migrator's CLI with discover() counted; argv: COUNTS_FILE PROFILE_FILE|"" migrator-args...
CHILD = r"""
import atexit, json, sys
counts_path, prof_path, args = sys.argv[1], sys.argv[2], sys.argv[3:]
import migrator.discovery as discovery
_discover = discovery.discover
calls = []

def counted(sd, *a, **kw):
    calls.append(json.dumps(sd, sort_keys=True, default=str))
    return _discover(sd, *a, **kw)

discovery.discover = counted

def dump():
    with open(counts_path, "w") as f:
        json.dump(calls, f)

atexit.register(dump)
sys.argv = ["migrator", *args]
from migrator.cli import main
if prof_path:
    import cProfile
    prof = cProfile.Profile()
    atexit.register(lambda: prof.dump_stats(prof_path))
    prof.enable()
main()
"""


def build_new(old_config: Path, new_dir: Path) -> list[str]:
    """NEW: the chart's jobs with a few edits (prometheus.yml) + the Istio monitors; returns its raw job names."""
    import yaml

    new_dir.mkdir(parents=True, exist_ok=True)
    jobs: list[dict] = []
    if HELM_CONFIG.exists():
        jobs = [dict(j) for j in yaml.safe_load(HELM_CONFIG.read_text(encoding="utf-8")).get("scrape_configs") or []]
    out = []
    for j in jobs:
        if j["job_name"] == "kubernetes-pods-slow":
            continue                                   # removed
        if j["job_name"] == "kubernetes-pods":         # a label on every target
            j["relabel_configs"] = list(j.get("relabel_configs") or []) + [
                {"target_label": "cluster", "replacement": "prod-eu-west-1"}]
        out.append(j)
    out.append({                                       # added, with a discovery block no OLD job has
        "job_name": "istio-system-endpointslices",
        "kubernetes_sd_configs": [{"role": "endpointslice", "namespaces": {"names": ["istio-system"]}}],
        "relabel_configs": [
            {"source_labels": ["__meta_kubernetes_endpointslice_port_name"], "regex": "http-monitoring",
             "action": "keep"},
            {"source_labels": ["__meta_kubernetes_namespace"], "target_label": "namespace"},
            {"source_labels": ["__meta_kubernetes_service_name"], "target_label": "service"},
        ],
    })
    (new_dir / "prometheus.yml").write_text(yaml.safe_dump({"scrape_configs": out}, sort_keys=False, width=10_000),
                                            encoding="utf-8")
    shutil.copy(ISTIO_MONITORS, new_dir / "monitors.yaml")
    return [str(j["job_name"]) for j in out]


def build_every_job_edited(old_config: Path, path: Path) -> int:
    """NEW-ALL: OLD with a ``cluster`` label added to every job (no job left identical: the upper bound)."""
    import yaml

    doc = yaml.safe_load(old_config.read_text(encoding="utf-8"))
    for j in doc["scrape_configs"]:
        j["relabel_configs"] = list(j.get("relabel_configs") or []) + [
            {"target_label": "cluster", "replacement": "prod-eu-west-1"}]
    path.write_text(yaml.safe_dump(doc, sort_keys=False, width=10_000), encoding="utf-8")
    return len(doc["scrape_configs"])


def run_cli(args: list[str], workdir: Path, tag: str, profile: bool = False) -> tuple[Run, list[str]]:
    counts = workdir / f"{tag}.discover.json"
    prof = workdir / f"{tag}.prof" if profile else ""
    run = run_measured([sys.executable, "-c", CHILD, str(counts), str(prof), *args])
    if run.code not in (0, 1):
        raise SystemExit(f"migrator {' '.join(args)} failed ({run.code}):\n{run.stderr[-3000:]}")
    return run, json.loads(counts.read_text())


def print_profile(prof: Path, top: int = 22) -> None:
    import pstats

    st = pstats.Stats(str(prof))
    total = st.total_tt  # type: ignore[attr-defined]
    rows = sorted(st.stats.items(), key=lambda kv: kv[1][2], reverse=True)[:top]  # type: ignore[attr-defined]
    print(f"  {'own s':>7} {'share':>6} {'cum s':>7}  function")
    for (file, line, func), (cc, nc, tt, ct, _) in rows:
        short = re.sub(r".*/(site-packages|python3\.\d+)/", "", file.replace(str(ROOT) + os.sep, ""))
        print(f"  {tt:7.2f} {100 * tt / total:5.1f}% {ct:7.2f}  {short}:{line}:{func} ({nc} calls)")
    print("  by cumulative time (project functions):")
    cum = sorted(((k, v) for k, v in st.stats.items() if "migrator" in k[0]),  # type: ignore[attr-defined]
                 key=lambda kv: kv[1][3], reverse=True)[:14]
    for (file, line, func), (cc, nc, tt, ct, _) in cum:
        print(f"  {ct:7.2f} {100 * ct / total:5.1f}%  {file.replace(str(ROOT) + os.sep, '')}:{func} ({nc} calls)")


def fmt(name: str, r: Run, extra: str = "") -> str:
    return f"  {name:<44} {r.wall:8.2f} {r.cpu:8.2f} {r.rss_mb:9.0f}  {extra}"


def bench(args: argparse.Namespace, workdir: Path) -> int:
    print(f"bench_diff: {args.pods:,} pods, seed {args.seed}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
          f"\n  machine: {machine()}, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
          f"\n  files: {workdir}")
    inv = workdir / f"inventory-{args.pods}-{args.seed}.json"
    if not inv.exists():
        gen = run_measured([sys.executable, str(HERE / "gen_inventory.py"), str(inv), "--pods", str(args.pods),
                            "--seed", str(args.seed)])
        if gen.code:
            print(gen.stderr, file=sys.stderr)
            return 2
    print(f"  inventory: {inv.stat().st_size / 1e6:.0f} MB JSON")
    old = workdir / "prometheus.yml"
    new = workdir / "new"
    old_names = build_config(old)
    new_names = build_new(old, new)
    print(f"  OLD {old.name}: {len(old_names)} jobs; NEW {new.name}/: prometheus.yml ({len(new_names)} jobs) + "
          "monitors.yaml (3 Istio monitors)")

    every_config = None
    if not args.skip_every_job:
        every_config = workdir / "every-job-edited.yml"
        build_every_job_edited(old, every_config)
    commands = {
        "targets-old": ("migrator targets OLD --output json",
                        ["targets", str(old), "--inventory", str(inv), "--output", "json", "-o",
                         str(workdir / "targets-old.json"), "--force"]),
        "targets-new": ("migrator targets NEW --output json",
                        ["targets", str(new), "--inventory", str(inv), "--output", "json", "-o",
                         str(workdir / "targets-new.json"), "--force"]),
        "diff": ("migrator diff OLD NEW --output json",
                 ["diff", str(old), str(new), "--inventory", str(inv), "--output", "json", "-o",
                  str(workdir / "diff.json"), "--force"]),
    }
    if every_config:
        commands["diff-every-job"] = ("migrator diff OLD NEW-ALL (every job edited)",
                                      ["diff", str(old), str(every_config), "--inventory", str(inv), "--output",
                                       "json", "-o", str(workdir / "diff-every-job.json"), "--force"])
    rounds: list[dict[str, Run]] = []
    calls: dict[str, list[str]] = {}
    for _ in range(args.repeat):          # alternated, so that each round's runs share the machine's load
        rounds.append({})
        for tag, (_, cmd) in commands.items():
            (workdir / f"{tag}.json").unlink(missing_ok=True)   # --force would keep the last one as .bak
            rounds[-1][tag], calls[tag] = run_cli(cmd, workdir, tag)
    sizes = {tag: (workdir / f"{tag}.json").stat().st_size for tag in ("targets-old", "targets-new")}
    larger = max(sizes, key=sizes.get)
    report = json.loads((workdir / "diff.json").read_text())

    def best(tag: str) -> Run:
        rs = [r[tag] for r in rounds]
        return Run(rs[0].cmd, min(r.wall for r in rs), min(r.cpu for r in rs), max(r.rss_mb for r in rs),
                   rs[-1].code, "")

    print(f"\n  {'run (child process)':<44} {'wall s':>8} {'CPU s':>8} {'peak MB':>9}"
          + (f"   (best of {args.repeat} alternated rounds: least wall, least CPU, most RSS)" if args.repeat > 1
             else ""))
    for tag, (name, _) in commands.items():
        r = best(tag)
        extra = f"{len(calls[tag])} discover calls"
        if tag in sizes:
            extra = f"{sizes[tag] / 1e6:.0f} MB JSON, " + extra + ("  <- larger side" if tag == larger else "")
        else:
            extra = f"exit {r.code}, {(workdir / f'{tag}.json').stat().st_size / 1e3:.0f} kB JSON, " + extra
        print(fmt(name, r, extra))
    if args.repeat > 1:
        for i, rnd in enumerate(rounds, 1):
            print(f"    round {i}: " + "; ".join(f"{tag} {r.wall:.1f}/{r.cpu:.1f} s" for tag, r in rnd.items())
                  + f"; diff/targets wall {rnd['diff'].wall / rnd[larger].wall:.2f}x, "
                  f"CPU {rnd['diff'].cpu / rnd[larger].cpu:.2f}x")
    print(f"  diff: {len(report.get('pairs', []))} pairs, {len(report.get('only_old', []))} only in OLD, "
          f"{len(report.get('only_new', []))} only in NEW; targets changed in "
          f"{sum(1 for t in report.get('targets', []) if t.get('changed'))} pair(s)")

    base, drun, dcalls = best(larger), best("diff"), calls["diff"]
    distinct = set(calls["targets-old"]) | set(calls["targets-new"])
    repeated = len(dcalls) - len(set(dcalls))
    ok_disc = repeated == 0 and set(dcalls) == distinct
    ratio_wall, ratio_cpu = drun.wall / base.wall, drun.cpu / base.cpu
    verdicts = [
        (f"diff wall {drun.wall:.1f} s = {ratio_wall:.2f}x targets of the larger side ({base.wall:.1f} s; "
         f"goal <= {RATIO_GOAL}x)", ratio_wall <= RATIO_GOAL),
        (f"diff CPU {drun.cpu:.1f} s = {ratio_cpu:.2f}x targets of the larger side ({base.cpu:.1f} s; "
         f"goal <= {RATIO_GOAL}x)", ratio_cpu <= RATIO_GOAL),
        (f"discovery: {len(dcalls)} discover calls for {len(distinct)} distinct kubernetes_sd_configs blocks "
         f"over both sides ({repeated} repeated)", ok_disc)]
    if every_config:
        ev = best("diff-every-job")
        verdicts.append((f"upper bound, every job edited (nothing identical to skip): diff wall {ev.wall:.1f} s = "
                         f"{ev.wall / base.wall:.2f}x, CPU {ev.cpu:.1f} s = {ev.cpu / base.cpu:.2f}x targets of the "
                         f"larger side; {len(calls['diff-every-job'])} discover calls",
                         max(ev.wall / base.wall, ev.cpu / base.cpu) <= RATIO_GOAL))
    print("\n  goals (issue 13):")
    for text, ok in verdicts:
        print(f"    {'PASS' if ok else 'MISS'}  {text}")
    if args.profile:
        prof_out = workdir / "diff-profile.json"
        prof_out.unlink(missing_ok=True)
        prun, _ = run_cli(["diff", str(old), str(new), "--inventory", str(inv), "--output", "json", "-o",
                           str(prof_out), "--force"], workdir, "diff-profile", profile=True)
        same = prof_out.read_bytes() == (workdir / "diff.json").read_bytes()
        print(f"\ncProfile of `migrator diff` (wall {prun.wall:.1f} s under the profiler; output identical: {same}):")
        print_profile(workdir / "diff-profile.prof")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pods", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--keep", metavar="DIR", help="write the files here and keep them (an inventory already there "
                                                  "is reused)")
    ap.add_argument("--profile", action="store_true", help="also run the diff under cProfile")
    ap.add_argument("--repeat", type=int, default=1, metavar="N",
                    help="N alternated rounds of all runs; the best of each is compared (a shared machine's noise)")
    ap.add_argument("--skip-every-job", action="store_true",
                    help="skip the upper-bound diff (OLD against OLD with every job edited)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-diff-") as tmp:
        workdir = Path(args.keep) if args.keep else Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        return bench(args, workdir)


if __name__ == "__main__":
    raise SystemExit(main())
