"""Benchmark: `migrator targets` over a large synthetic cluster, stage by stage, next to promtool.

    python benchmarks/bench_targets.py [--pods 20000] [--keep DIR] [--skip-promtool] [--profile]

1. Generates a deterministic inventory (benchmarks/gen_inventory.py: Deployments with
   ReplicaSets, Services, Endpoints, EndpointSlices; ~60% Istio sidecars, ~20% annotated pods,
   ~2% Pending, ~1% Succeeded; istiod and gateways; 500 nodes, 50 namespaces) as a JSON
   ``kind: List``.
2. Writes one prometheus.yml: the jobs of the community Helm chart's prometheus.yml
   (../shared/oracle/real-configs/helm-community-prometheus-values-29-map.yaml, skipped with a
   message when absent) plus the three Istio jobs rendered portable from samples/istio/monitors.yaml.
3. Runs ``migrator targets CONFIG --inventory INV --output json -o OUT`` as a subprocess (wall,
   user+sys CPU and peak RSS of that child, from wait4), then the same work in a fresh child process
   stage by stage with the library functions the command uses: load config, load inventory,
   discover, relabel, findings, JSON write. Relabel cost is given per rule evaluated per target:
   a kept (or refused) target ran every rule of its job, a dropped one ran rules 0..dropped_by
   (keep/drop stop relabeling), so the count is exact; a traced sample checks it.
4. Unless --skip-promtool: the kubernetes-pods job alone through ``promtool check
   service-discovery``: our discovered pod targets (flattened pre-relabel label sets) written as
   file_sd target groups, one per target, and the job pointed at them; promtool's user+sys CPU and
   peak RSS are measured (it idles until --timeout, so its wall time is not the fair figure), its
   output is checked to hold every target, and its final labels are compared with ours (computed
   with the semantics of promtool's version).
5. Prints a table and PASS/MISS for the targets: whole `targets` wall (and CPU) <= 0.8x promtool CPU for
   kubernetes-pods, migrator peak RSS below promtool's and under 3 GB, relabel <= 2 us per rule evaluated.

Heavy work runs in child processes so that each peak RSS is that process's own (a child forked
from a large parent inherits the parent's high-water mark in ru_maxrss).
--profile also runs the command under cProfile and prints the top hotspots.
Unless --skip-yaml: the same inventory written as ``kubectl get -A -o yaml`` lays it out (block style, sorted
keys, ambiguous strings quoted; PyYAML's emitter, kept in the --keep directory for the next run), and
``load_inventory`` of the JSON and of the YAML file, each in a fresh child process: goal YAML <= 2x JSON (issue 13).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Optional

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

HELM_CONFIG = ROOT.parent / "shared" / "oracle" / "real-configs" / "helm-community-prometheus-values-29-map.yaml"
ISTIO_MONITORS = ROOT / "samples" / "istio" / "monitors.yaml"
PODS_JOB = "kubernetes-pods"
LEGACY_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
RELABEL_TARGET_US = 2.0
YAML_RATIO_GOAL = 2.0
TRACE_SAMPLE_PER_JOB = 300


# ---------------------------------------------------------------------------------------------
# measuring child processes


class Run:
    def __init__(self, cmd: list[str], wall: float, cpu: float, rss_mb: float, code: int, stderr: str):
        self.cmd, self.wall, self.cpu, self.rss_mb, self.code, self.stderr = cmd, wall, cpu, rss_mb, code, stderr


def run_measured(cmd: list[str], *, stdout_path: Optional[str] = None, env: Optional[dict] = None) -> Run:
    """Run cmd; its own wall time, user+sys CPU and peak RSS (os.wait4 rusage of that child)."""
    with tempfile.TemporaryFile() as err, (open(stdout_path, "wb") if stdout_path else
                                           open(os.devnull, "wb")) as out:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    return Run(cmd, wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024, p.returncode, stderr)


def rss_now_mb() -> float:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2 ** 20
    except OSError:  # pragma: no cover - not Linux
        return float("nan")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---------------------------------------------------------------------------------------------
# the scrape config


def build_config(path: Path) -> list[str]:
    """Helm chart jobs + the three Istio jobs (portable) as one prometheus.yml; returns job names."""
    import yaml

    from migrator import commands

    jobs: list[dict] = []
    if HELM_CONFIG.exists():
        helm = yaml.safe_load(HELM_CONFIG.read_text(encoding="utf-8"))
        jobs += helm.get("scrape_configs") or []
    else:
        print(f"note: {HELM_CONFIG} is absent: only the Istio jobs are benchmarked", file=sys.stderr)
    monitors = [d for d in yaml.safe_load_all(ISTIO_MONITORS.read_text(encoding="utf-8")) if d]
    _, result = commands.render_jobs(monitors, None, prometheus_version=None, operator=False)
    jobs += result.jobs
    path.write_text(yaml.safe_dump({"scrape_configs": jobs}, sort_keys=False, width=10_000), encoding="utf-8")
    return [str(j["job_name"]) for j in jobs]


# ---------------------------------------------------------------------------------------------
# child: the command's work, stage by stage (mirrors commands.targets / targets.evaluate_job)


def rules_run(r: Any, n_rules: int) -> int:
    """Rules relabeling evaluated for one target: all of them, unless keep/drop stopped it."""
    return r.dropped_by + 1 if r.dropped_by is not None else n_rules


def stages_child(config: str, inv_path: str, workdir: str, promtool_version: Optional[str]) -> dict:
    from migrator import commands
    from migrator import targets as core
    from migrator.errors import ConfigError, InputError
    from migrator.inventory import load_inventory
    from migrator.relabel import parse_rules
    from migrator.relabel.engine import relabel_index, relabel_trace
    from migrator.relabel.target import populate_targets
    from migrator.writers import dump_json, write_output

    rows: list[dict] = []
    acc: dict[str, list[float]] = {}

    def stage(name: str, fn):
        t0, c0 = time.perf_counter(), time.process_time()
        value = fn()
        add(name, time.perf_counter() - t0, time.process_time() - c0)
        return value

    def add(name: str, wall: float, cpu: float) -> None:
        if name not in acc:
            acc[name] = [0.0, 0.0]
            rows.append({"stage": name})
        acc[name][0] += wall
        acc[name][1] += cpu
        row = next(r for r in rows if r["stage"] == name)
        row.update(wall=acc[name][0], cpu=acc[name][1], peak_rss_mb=peak_rss_mb(), rss_mb=rss_now_mb())

    loaded = stage(
        "load config", lambda: commands.load_scrape_inputs([config], prometheus=None, prometheus_version=None))
    jobs, global_config, version, cr_ns = loaded.jobs, loaded.global_config, loaded.version, loaded.own_namespace
    inv = stage("load inventory", lambda: load_inventory([inv_path]))
    opts = core.EvalOptions(version=version, own_namespace=cr_ns or "default", global_config=global_config)
    results: list = []
    per_job: list[dict] = []
    rules_total = 0
    targets_total = 0
    sample: list[tuple] = []          # (pre labels, rules, computed count) for the trace check
    pods_pre: list[dict] = []         # pre-relabel label sets of kubernetes-pods (engine-only timing)
    pods_rules: list = []
    for job in jobs:
        config_job, origin, base = job.config, job.origin, job.base_dir
        name = str(config_job.get("job_name", ""))
        result = core.JobResult(name, origin, config=config_job)
        gc_paused = gc.isenabled()   # as targets.evaluate_job does
        gc.disable()
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            rules = parse_rules(config_job.get("relabel_configs"), version=opts.version,
                                scheme=config_job.get("metric_name_validation_scheme") or None)
            groups = core.static_groups(config_job) + core.file_sd_groups(config_job, base) + \
                (core.kubernetes_groups(config_job, inv, opts) if config_job.get("kubernetes_sd_configs") else [])
        except (ConfigError, InputError) as err:
            result.error = str(err)
            results.append(result)
            if gc_paused:
                gc.enable()
            continue
        add("discover", time.perf_counter() - t0, time.process_time() - c0)
        t0, c0 = time.perf_counter(), time.process_time()
        job_for_labels = core._defaults_view(config_job, result)
        for g in groups:
            for r in populate_targets(g.targets, job_for_labels, version=opts.version, rules=rules,
                                      global_config=opts.global_config, group_labels=g.labels):
                result.targets.append(core.Target(r.discovered, r.labels, r.dropped_by, r.reason, r.steps))
        add("relabel", time.perf_counter() - t0, time.process_time() - c0)
        if gc_paused:
            gc.enable()
        n_rules = len(rules)
        job_rules = 0
        stride = max(1, len(result.targets) // TRACE_SAMPLE_PER_JOB)
        for i, t in enumerate(result.targets):
            k = t.rule + 1 if t.rule is not None else n_rules
            job_rules += k
            if i % stride == 0:
                sample.append((t.discovered, rules, k))
        if name == PODS_JOB:
            pods_pre = [t.discovered for t in result.targets]
            pods_rules = rules
        rules_total += job_rules
        targets_total += len(result.targets)
        per_job.append({"job": name, "targets": len(result.targets), "kept": len(result.kept),
                        "dropped": len(result.dropped), "rules": n_rules, "rules_evaluated": job_rules})
        results.append(result)
    warnings = stage("findings", lambda: core.findings(results))
    out_path = os.path.join(workdir, "stages-out.json")

    def write_json() -> int:
        text = dump_json({"jobs": [core.result_json(r) for r in results], "warnings": warnings})
        write_output(text, out_path, force=True)
        return len(text)

    size = stage("JSON write", write_json)
    whole = {"stage": "total (in-process)", "wall": sum(a[0] for a in acc.values()),
             "cpu": sum(a[1] for a in acc.values()), "peak_rss_mb": peak_rss_mb(), "rss_mb": rss_now_mb()}

    # check the rule count on a traced sample (relabel_trace records one step per rule run)
    mismatches = sum(1 for pre, rules, k in sample if len(relabel_trace(pre, rules)[2]) != k)
    # engine only: relabel_index over kubernetes-pods' pre-relabel sets (no label-set building)
    engine = None
    if pods_pre:
        c0 = time.process_time()
        n = 0
        for pre in pods_pre:
            _, dropped_by = relabel_index(pre, pods_rules)
            n += dropped_by + 1 if dropped_by is not None else len(pods_rules)
        engine = {"cpu": time.process_time() - c0, "rules_evaluated": n, "targets": len(pods_pre)}

    # JSON write split: building the dicts, json.dumps(indent=2) as dump_json does, and orjson
    # (OPT_INDENT_2) on the same data, for kubernetes-pods' part of the document
    json_split = None
    pods_result = next((r for r in results if r.job == PODS_JOB), None)
    if pods_result is not None:
        c0 = time.process_time()
        doc = core.result_json(pods_result)
        c1 = time.process_time()
        text = dump_json(doc)
        c2 = time.process_time()
        json_split = {"build": c1 - c0, "dump_json": c2 - c1, "chars": len(text)}
        try:
            import orjson
            fast = orjson.dumps(doc, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
            json_split["orjson"] = time.process_time() - c2
            json_split["orjson_identical"] = fast.decode("utf-8") == text
        except ImportError:  # pragma: no cover
            pass
        del doc, text

    promtool_inputs = None
    if promtool_version:
        promtool_inputs = write_promtool_inputs(jobs, inv, workdir, promtool_version, global_config)

    # the mirror must do what the command does: same outcome counts as evaluate_job, job by job;
    # and where the relabel stage's time goes (CPU s): pre-relabel label sets, the rules
    # (relabel_index, incl. its copy of the set), everything else populate_target does after them,
    # and the per-group / per-target overhead around it (job defaults per group, Target objects)
    from migrator.relabel.target import job_defaults, pre_relabel_labels

    n_sample = len(sample)
    del results, pods_pre, sample
    verify = []
    split = {"populate": 0.0, "pre_relabel_labels": 0.0, "relabel_index": 0.0, "job_defaults": 0.0}
    for job, pj in zip(jobs, per_job):
        config_job, origin, base = job.config, job.origin, job.base_dir
        r = core.evaluate_job(config_job, origin, inv, core.EvalOptions(
            version=opts.version, own_namespace=opts.own_namespace, base_dir=base,
            global_config=opts.global_config))
        if (len(r.kept), len(r.dropped)) != (pj["kept"], pj["dropped"]):
            verify.append(f"{pj['job']}: evaluate_job {len(r.kept)}/{len(r.dropped)}, "
                          f"stages {pj['kept']}/{pj['dropped']}")
        del r
        try:
            rules = parse_rules(config_job.get("relabel_configs"), version=opts.version,
                                scheme=config_job.get("metric_name_validation_scheme") or None)
            groups = core.static_groups(config_job) + core.file_sd_groups(config_job, base) + \
                (core.kubernetes_groups(config_job, inv, opts) if config_job.get("kubernetes_sd_configs") else [])
            view = core._defaults_view(config_job, core.JobResult("", ""))
            c0 = time.process_time()
            for g in groups:
                populate_targets(g.targets, view, version=opts.version, rules=rules,
                                 global_config=opts.global_config, group_labels=g.labels)
            c1 = time.process_time()
            defaults = job_defaults(view, version=opts.version, global_config=opts.global_config)
            pres = [pre_relabel_labels(t, view, version=opts.version, global_config=opts.global_config,
                                       group_labels=g.labels, defaults=defaults)
                    for g in groups for t in g.targets]
            c2 = time.process_time()
            for pre in pres:
                relabel_index(pre, rules)
            c3 = time.process_time()
            for g in groups:
                job_defaults(view, version=opts.version, global_config=opts.global_config)
            c4 = time.process_time()
        except (ConfigError, InputError):
            continue
        split["populate"] += c1 - c0
        split["pre_relabel_labels"] += c2 - c1
        split["relabel_index"] += c3 - c2
        split["job_defaults"] += c4 - c3
        del groups, pres
    return {"rows": rows, "whole": whole, "per_job": per_job, "rules_evaluated": rules_total,
            "targets": targets_total, "trace_sample": n_sample, "trace_mismatches": mismatches,
            "engine": engine, "json_chars": size, "promtool_inputs": promtool_inputs,
            "inventory": inv.summary(), "verify": verify, "relabel_split": split, "json_split": json_split}


def write_promtool_inputs(jobs: list, inv: Any, workdir: str, promtool_version: str,
                          global_config: dict) -> Optional[dict]:
    """kubernetes-pods via file_sd: target groups, a config, and our expected outcome (promtool's semantics)."""
    import yaml

    from migrator.discovery import discover
    from migrator.relabel.target import populate_targets
    from migrator.version import Version

    job = next((j.config for j in jobs if j.config.get("job_name") == PODS_JOB), None)
    if job is None:
        return None
    v = Version.parse(promtool_version)
    flat: list[dict] = []
    for sd in job.get("kubernetes_sd_configs") or []:
        for g in discover(sd, inv, version=v):
            for t in g.targets:
                merged = dict(g.labels)
                merged.update(t)
                flat.append(merged)
    dropped_names = 0
    groups, discovered = [], []
    sd_path = os.path.join(workdir, "pods-file-sd.json")
    for labels in flat:
        clean = {k: val for k, val in labels.items() if LEGACY_NAME.match(k)}
        dropped_names += len(labels) - len(clean)
        addr = clean.pop("__address__")
        groups.append({"targets": [addr], "labels": clean})
        discovered.append(dict(clean, __address__=addr))
    with open(sd_path, "w", encoding="utf-8") as f:
        json.dump(groups, f, ensure_ascii=False)
    cfg_job = {k: val for k, val in job.items() if k != "kubernetes_sd_configs"}
    cfg_job["file_sd_configs"] = [{"files": [sd_path]}]
    cfg: dict[str, Any] = {}
    if global_config:
        cfg["global"] = global_config
    cfg["scrape_configs"] = [cfg_job]
    cfg_path = os.path.join(workdir, "prometheus-pods-file-sd.yml")
    with open(cfg_path, "w", encoding="utf-8") as f:
        yaml.safe_dump(cfg, f, sort_keys=False, width=10_000)
    expected = []
    for r in populate_targets(discovered, cfg_job, version=v, group_labels={"__meta_filepath": sd_path}):
        if r.labels is not None:
            expected.append(["kept", sorted(r.labels.items())])
        else:
            expected.append(["error" if r.error is not None else "dropped", []])
    exp_path = os.path.join(workdir, "pods-expected.json")
    with open(exp_path, "w", encoding="utf-8") as f:
        json.dump(expected, f)
    return {"config": cfg_path, "file_sd": sd_path, "expected": exp_path, "groups": len(groups),
            "dropped_label_names": dropped_names, "version": promtool_version}


def compare_child(promtool_out: str, expected_path: str) -> dict:
    """promtool's results vs ours as multisets of (status, final labels)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from promtool_util import multiset_diff, parse_result

    try:
        import orjson
        raw = orjson.loads(Path(promtool_out).read_bytes())
    except ImportError:  # pragma: no cover
        raw = json.loads(Path(promtool_out).read_text(encoding="utf-8"))
    theirs = [parse_result(r).key() for r in raw or []]
    ours = [(s, tuple(tuple(p) for p in labels)) for s, labels in json.loads(Path(expected_path).read_text())]
    only_ours, only_theirs = multiset_diff(ours, theirs)

    def show(counter) -> list[str]:
        return [f"{s} {dict(labels)}" for (s, labels) in list(counter.elements())[:3]]

    statuses: dict[str, int] = {}
    for s, _ in theirs:
        statuses[s] = statuses.get(s, 0) + 1
    return {"results": len(theirs), "expected": len(ours), "only_ours": sum(only_ours.values()),
            "only_promtool": sum(only_theirs.values()), "sample_ours": show(only_ours),
            "sample_promtool": show(only_theirs), "statuses": statuses}


# ---------------------------------------------------------------------------------------------
# what-if: the same command with two changes outside benchmarks/ applied at run time

WHAT_IF = """\
import gc, sys
import orjson
import migrator.commands, migrator.writers

def dump_json(data):  # what writers.dump_json prints, via orjson (same bytes for this document)
    return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE).decode("utf-8")

migrator.writers.dump_json = migrator.commands.dump_json = dump_json
gc.disable()  # no cyclic garbage worth collecting in one command run
from migrator.cli import main
sys.argv[0] = "migrator"
main()
"""


def what_if(config: Path, inv: Path, workdir: Path, reference: Path) -> tuple[Run, bool]:
    import filecmp

    script = workdir / "what_if.py"
    script.write_text(WHAT_IF, encoding="utf-8")
    out = workdir / "targets-what-if.json"
    run = run_measured([sys.executable, str(script), "targets", str(config), "--inventory", str(inv),
                        "--output", "json", "-o", str(out), "--force"])
    return run, run.code in (0, 1) and filecmp.cmp(out, reference, shallow=False)


# ---------------------------------------------------------------------------------------------
# profile


def profile(config: Path, inv: Path, workdir: Path, top: int = 20) -> None:
    import pstats

    prof = workdir / "targets.prof"
    out = workdir / "out-profile.json"
    cmd = [sys.executable, "-m", "cProfile", "-o", str(prof), "-m", "migrator", "targets", str(config),
           "--inventory", str(inv), "--output", "json", "-o", str(out), "--force"]
    run = run_measured(cmd)
    print(f"\ncProfile of `migrator targets` (wall {run.wall:.1f} s under the profiler); top {top} by own time:")
    st = pstats.Stats(str(prof))
    total = st.total_tt  # type: ignore[attr-defined]
    rows = sorted(st.stats.items(), key=lambda kv: kv[1][2], reverse=True)[:top]  # type: ignore[attr-defined]
    print(f"  {'own s':>7} {'share':>6} {'cum s':>7}  function")
    for (file, line, func), (cc, nc, tt, ct, _) in rows:
        short = file.replace(str(ROOT) + os.sep, "")
        short = re.sub(r".*/(site-packages|python3\.\d+)/", "", short)
        print(f"  {tt:7.2f} {100 * tt / total:5.1f}% {ct:7.2f}  {short}:{line}:{func} ({nc} calls)")
    print("  by cumulative time (project functions):")
    cum = sorted(((k, v) for k, v in st.stats.items() if "migrator" in k[0]),  # type: ignore[attr-defined]
                 key=lambda kv: kv[1][3], reverse=True)[:12]
    for (file, line, func), (cc, nc, tt, ct, _) in cum:
        short = file.replace(str(ROOT) + os.sep, "")
        print(f"  {ct:7.2f} {100 * ct / total:5.1f}%  {short}:{func}")


# ---------------------------------------------------------------------------------------------
# report


#: issue 13: the whole command's wall time within this share of promtool's CPU for its one job, and memory
WALL_RATIO_GOAL = 0.8
RSS_LIMIT_MB = 3_000


def write_yaml(json_path: str, yaml_path: str) -> None:
    """The JSON inventory as ``kubectl get -o yaml`` lays it out: block style, keys sorted, every string a
    YAML 1.1 reader would not take as a string quoted, long strings folded at 80 columns."""
    import orjson
    import yaml

    with open(json_path, "rb") as fh:
        doc = orjson.loads(fh.read())
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    tmp = yaml_path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        yaml.dump(doc, fh, Dumper=dumper, default_flow_style=False, sort_keys=True)
    os.replace(tmp, yaml_path)


def yaml_load(workdir: Path, inv: Path) -> Optional[tuple[Run, Run, bool]]:
    """load_inventory of the JSON and of the YAML inventory, each in a fresh child: (json, yaml, same); the
    runs' wall and CPU are those of load_inventory itself (the child's start and imports left out; CPU with
    the fork's), the peak RSS the child's."""
    ypath = workdir / "inventory.yaml"
    if not ypath.exists() or ypath.stat().st_mtime < inv.stat().st_mtime:
        w = run_measured([sys.executable, __file__, "--_yaml", str(inv), str(ypath)])
        if w.code:
            print(w.stderr, file=sys.stderr)
            return None
        print(f"  inventory as YAML: {ypath.stat().st_size / 1e6:.0f} MB, written in {w.wall:.0f} s")
    runs = []
    for path in (inv, ypath):
        out = workdir / f"load-{path.suffix[1:]}.out"
        r = run_measured([sys.executable, __file__, "--_load", str(path)], stdout_path=str(out))
        if r.code:
            print(r.stderr, file=sys.stderr)
            return None
        got = json.loads(out.read_text())
        r.wall, r.cpu = got["wall"], got["cpu"]
        runs.append((r, got["summary"]))
    return runs[0][0], runs[1][0], runs[0][1] == runs[1][1]


def fmt_row(stage: str, wall: Optional[float], cpu: Optional[float], rss: Optional[float]) -> str:
    def f(x, spec):
        return format(x, spec) if x is not None else "-"
    return f"  {stage:<52} {f(wall, '8.2f'):>8} {f(cpu, '8.2f'):>8} {f(rss, '9.0f'):>9}"


def machine() -> str:
    cpu = ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30
    return f"{os.cpu_count()} cores {cpu}, {mem:.0f} GiB RAM, Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pods", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--keep", metavar="DIR", help="write the files here and keep them")
    ap.add_argument("--skip-promtool", action="store_true")
    ap.add_argument("--promtool-timeout", type=float, metavar="S",
                    help="first --timeout for promtool (default: 1 s per 2,000 pods, at least 3 s; tripled "
                         "while its output lacks targets)")
    ap.add_argument("--profile", action="store_true", help="also run the command under cProfile")
    ap.add_argument("--what-if", action="store_true",
                    help="also run the command with orjson for dump_json and the cyclic GC off (patched at run "
                         "time) and check its output is byte-identical")
    ap.add_argument("--skip-yaml", action="store_true", help="no YAML inventory load comparison")
    ap.add_argument("--_stages", nargs=4, help=argparse.SUPPRESS)
    ap.add_argument("--_yaml", nargs=2, help=argparse.SUPPRESS)
    ap.add_argument("--_load", nargs=1, help=argparse.SUPPRESS)
    ap.add_argument("--_compare", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args._stages:
        config, inv, workdir, pversion = args._stages
        print(json.dumps(stages_child(config, inv, workdir, pversion or None)))
        return 0
    if args._compare:
        print(json.dumps(compare_child(*args._compare)))
        return 0
    if args._yaml:
        write_yaml(*args._yaml)
        return 0
    if args._load:
        from migrator.inventory import load_inventory

        def cpu() -> float:
            me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
            return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime

        t0, c0 = time.perf_counter(), cpu()
        inv = load_inventory(args._load)
        wall, used = time.perf_counter() - t0, cpu() - c0  # (freeing the inventory left out)
        print(json.dumps({"summary": inv.summary(), "wall": wall, "cpu": used}))
        return 0

    with tempfile.TemporaryDirectory(prefix="bench-targets-") as tmp:
        workdir = Path(args.keep) if args.keep else Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        return bench(args, workdir)


def bench(args: argparse.Namespace, workdir: Path) -> int:
    sys.path.insert(0, str(ROOT / "tests"))
    from promtool_util import PROMTOOL, promtool_available, promtool_version

    print(f"bench_targets: {args.pods:,} pods, seed {args.seed}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
          f"\n  machine: {machine()}\n  files: {workdir}")
    inv = workdir / "inventory.json"
    gen = run_measured([sys.executable, str(HERE / "gen_inventory.py"), str(inv), "--pods", str(args.pods),
                        "--seed", str(args.seed)], stdout_path=str(workdir / "gen.out"))
    if gen.code:
        print(gen.stderr, file=sys.stderr)
        return 2
    counts = json.loads((workdir / "gen.out").read_text())
    print(f"  inventory: {inv.stat().st_size / 1e6:.0f} MB JSON, generated in {gen.wall:.1f} s: "
          + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
    config = workdir / "prometheus.yml"
    job_names = build_config(config)
    print(f"  config: {len(job_names)} jobs ({', '.join(job_names)})")

    # 1. the command as users run it
    out = workdir / "targets.json"
    cli = run_measured(["migrator", "targets", str(config), "--inventory", str(inv), "--output", "json",
                        "-o", str(out), "--force"])
    if cli.code not in (0, 1):
        print(cli.stderr, file=sys.stderr)
        return 2
    print(f"  migrator targets: exit {cli.code}, {out.stat().st_size / 1e6:.0f} MB JSON")

    # 2. stage by stage, in a fresh process
    pversion = None
    if not args.skip_promtool:
        if promtool_available():
            pversion = promtool_version()
        else:
            print(f"  note: no promtool at {PROMTOOL}: promtool comparison skipped")
    st_out = workdir / "stages.out"
    st = run_measured([sys.executable, __file__, "--_stages", str(config), str(inv), str(workdir), pversion or ""],
                      stdout_path=str(st_out))
    if st.code:
        print(st.stderr, file=sys.stderr)
        return 2
    stages = json.loads(st_out.read_text())

    # 3. promtool on kubernetes-pods
    prom, cmp_ = None, None
    pin = stages.get("promtool_inputs")
    if pin:
        timeout = args.promtool_timeout or max(3.0, args.pods / 2000)
        for _ in range(4):
            prom_out = workdir / "promtool-sd.json"
            prom = run_measured([PROMTOOL, "check", "service-discovery", f"--timeout={timeout:g}s", pin["config"],
                                 PODS_JOB], stdout_path=str(prom_out))
            if prom.code:
                print(f"promtool failed ({prom.code}): {prom.stderr[-2000:]}", file=sys.stderr)
                prom = None
                break
            c = run_measured([sys.executable, __file__, "--_compare", str(prom_out), pin["expected"]],
                             stdout_path=str(workdir / "compare.out"))
            if c.code:
                print(c.stderr, file=sys.stderr)
                return 2
            cmp_ = json.loads((workdir / "compare.out").read_text())
            if cmp_["results"] >= pin["groups"]:
                break
            print(f"  promtool --timeout={timeout:g}s printed {cmp_['results']:,} of {pin['groups']:,} targets: "
                  "retrying with a longer timeout")
            timeout *= 3
        prom_timeout = timeout

    wif = what_if(config, inv, workdir, out) if args.what_if else None
    yml = None if args.skip_yaml else yaml_load(workdir, inv)

    # report
    print()
    print(f"  {'stage':<52} {'wall s':>8} {'CPU s':>8} {'peak MB':>9}")
    print(fmt_row("migrator targets (subprocess, whole command)", cli.wall, cli.cpu, cli.rss_mb))
    if wif:
        print(fmt_row("what-if: same, orjson dump_json + gc.disable()", wif[0].wall, wif[0].cpu, wif[0].rss_mb)
              + f"  (output identical: {wif[1]})")
    print("  in-process, stage by stage (peak MB = process high-water mark after the stage):")
    for r in stages["rows"]:
        print(fmt_row("  " + r["stage"], r["wall"], r["cpu"], r["peak_rss_mb"]))
    w = stages["whole"]
    print(fmt_row("  total (in-process child; its own peak RSS)", w["wall"], w["cpu"], st.rss_mb))
    relabel = next(r for r in stages["rows"] if r["stage"] == "relabel")
    n_rules = stages["rules_evaluated"]
    us_rule = relabel["wall"] / n_rules * 1e6 if n_rules else float("nan")
    us_rule_cpu = relabel["cpu"] / n_rules * 1e6 if n_rules else float("nan")
    if prom:
        print(fmt_row(f"promtool check service-discovery {PODS_JOB} (--timeout={prom_timeout:g}s)",
                      prom.wall, prom.cpu, prom.rss_mb))
    if yml:
        print(fmt_row("load_inventory, JSON (in a child process)", yml[0].wall, yml[0].cpu, yml[0].rss_mb))
        print(fmt_row("load_inventory, YAML (in a child; CPU with its fork's)", yml[1].wall, yml[1].cpu,
                      yml[1].rss_mb) + f"  (same objects: {yml[2]})")
    print(f"\n  targets: {stages['targets']:,} discovered over {len(stages['per_job'])} jobs, "
          f"{sum(j['kept'] for j in stages['per_job']):,} kept; JSON {stages['json_chars'] / 1e6:.0f} MB")
    for j in stages["per_job"]:
        print(f"    {j['job']:<52} {j['targets']:>7,} targets {j['kept']:>7,} kept  {j['rules']:>2} rules, "
              f"{j['rules_evaluated']:>9,} evaluated")
    print(f"  rules evaluated: {n_rules:,} (a dropped target ran rules 0..dropped_by, others all rules; "
          f"checked with relabel_trace on {stages['trace_sample']:,} sampled targets: "
          f"{stages['trace_mismatches']} mismatches)")
    print(f"  relabel stage: {us_rule:.2f} us wall ({us_rule_cpu:.2f} us CPU) per rule evaluated per target "
          "(populate_targets: label-set building, rules, post-relabel checks)")
    eng = stages.get("engine")
    if eng:
        print(f"  engine only (relabel_index over {PODS_JOB}'s {eng['targets']:,} pre-relabel sets): "
              f"{eng['cpu'] / eng['rules_evaluated'] * 1e6:.2f} us CPU per rule evaluated")
    sp = stages.get("relabel_split")
    if sp and sp["populate"]:
        rest = sp["populate"] - sp["pre_relabel_labels"] - sp["relabel_index"] - sp["job_defaults"]
        print(f"  relabel stage, where the CPU goes (re-run of populate_targets per group, {sp['populate']:.1f} s): "
              f"pre_relabel_labels {sp['pre_relabel_labels']:.1f} s, relabel_index (rules) "
              f"{sp['relabel_index']:.1f} s = {sp['relabel_index'] / n_rules * 1e6:.2f} us per rule evaluated, "
              f"job_defaults once per target group {sp['job_defaults']:.1f} s, post-relabel checks {rest:.1f} s; "
              f"Target objects etc. {relabel['cpu'] - sp['populate']:.1f} s")
    js = stages.get("json_split")
    if js:
        print(f"  JSON, {PODS_JOB}'s part ({js['chars'] / 1e6:.0f} MB): result_json {js['build']:.2f} s, "
              f"dump_json (json.dumps indent=2, pure-Python encoder) {js['dump_json']:.2f} s"
              + (f", orjson OPT_INDENT_2 {js['orjson']:.2f} s (output identical: {js['orjson_identical']})"
                 if "orjson" in js else ""))
    if stages["verify"]:
        print("  WARNING: stage mirror differs from evaluate_job: " + "; ".join(stages["verify"]))
    else:
        print("  stage mirror checked: same kept/dropped counts as targets.evaluate_job for every job")
    if cmp_ and pin:
        print(f"\n  promtool {pin['version']} vs migrator ({PODS_JOB}, {pin['groups']:,} file_sd groups of one target; "
              f"{pin['dropped_label_names']} non-legacy label names left out): promtool printed "
              f"{cmp_['results']:,} results ({cmp_['statuses']}), we expect {cmp_['expected']:,}")
        print(f"    differences: {cmp_['only_ours']} only ours, {cmp_['only_promtool']} only promtool's")
        for s in cmp_["sample_ours"]:
            print(f"      only ours: {s[:300]}")
        for s in cmp_["sample_promtool"]:
            print(f"      only promtool: {s[:300]}")

    print("\n  targets:")
    verdicts = []
    if prom:
        verdicts.append((f"whole `migrator targets` wall {cli.wall:.1f} s = {cli.wall / prom.cpu:.2f}x promtool CPU "
                         f"{prom.cpu:.1f} s ({PODS_JOB} alone; goal <= {WALL_RATIO_GOAL}x)",
                         cli.wall <= WALL_RATIO_GOAL * prom.cpu))
        verdicts.append((f"whole `migrator targets` CPU {cli.cpu:.1f} s = {cli.cpu / prom.cpu:.2f}x promtool CPU "
                         f"(what a shared machine's wall time hides; goal <= {WALL_RATIO_GOAL}x)",
                         cli.cpu <= WALL_RATIO_GOAL * prom.cpu))
        verdicts.append((f"migrator peak RSS {cli.rss_mb:.0f} MB = {cli.rss_mb / prom.rss_mb:.2f}x promtool's "
                         f"{prom.rss_mb:.0f} MB (goal < 1x)", cli.rss_mb < prom.rss_mb))
    else:
        print("    (promtool targets not evaluated: --skip-promtool or no promtool)")
    verdicts.append((f"migrator peak RSS {cli.rss_mb:.0f} MB < {RSS_LIMIT_MB:,} MB", cli.rss_mb < RSS_LIMIT_MB))
    verdicts.append((f"relabel {us_rule:.2f} us <= {RELABEL_TARGET_US:g} us per rule evaluated per target",
                     us_rule <= RELABEL_TARGET_US))
    if yml:
        j, y, same = yml
        verdicts.append((f"YAML inventory load wall {y.wall:.2f} s = {y.wall / j.wall:.2f}x JSON's {j.wall:.2f} s "
                         f"(CPU {y.cpu:.2f} s = {y.cpu / j.cpu:.2f}x; goal <= {YAML_RATIO_GOAL:g}x)",
                         y.wall <= YAML_RATIO_GOAL * j.wall and same))
    for text, ok in verdicts:
        print(f"    {'PASS' if ok else 'MISS'}  {text}")
    if cmp_ and (cmp_["only_ours"] or cmp_["only_promtool"] or cmp_["results"] < cmp_["expected"]):
        print("    MISS  promtool's final labels differ from ours (see above)")
    elif cmp_:
        print("    PASS  promtool's final labels equal ours for every target")
    if args.profile:
        profile(config, inv, workdir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
