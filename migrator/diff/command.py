"""`migrator diff OLD NEW`: load both sides, compare configs and targets, print, return the status.

Exit status like diff(1) and kubectl diff: 0 no differences, 1 differences; errors raise
InputError (the CLI's status 2).
"""

from __future__ import annotations

import json
import sys
import tempfile
from dataclasses import replace
from typing import Any, Optional

from migrator.diff.configdiff import (JobInput, Pairing, diff_configs, identical, mapping_from_report,
                                      pair_by_overlap, pair_jobs, parse_map)
from migrator.diff.findings import WARNING, Finding, all_findings
from migrator.diff.report import DiffReport, render_json, render_markdown, render_text
from migrator.diff.targetdiff import diff_all, kept_addresses, only_side, slim
from migrator.errors import InputError
from migrator.scrapeconfig import refuse_unusable

OUTPUTS = ("text", "json", "markdown")
FAIL_ON = ("config", "targets", "labels")


def _warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


class Side:
    """One side of the diff, loaded."""

    def __init__(self, label: str, paths: list[str], *, prometheus: Optional[str], prometheus_version: Optional[str],
                 operator_compatible: bool, key: Optional[str] = None, own_namespace: Optional[str] = None):
        from migrator.commands import load_scrape_inputs

        self.label = label
        self.paths = paths
        loaded = load_scrape_inputs(paths, prometheus=prometheus, prometheus_version=prometheus_version, key=key)
        self.global_config, self.version, self.monitor_docs = loaded.global_config, loaded.version, loaded.monitors
        self.own_ns = own_namespace or loaded.own_namespace
        jobs = loaded.jobs
        refuse_unusable(p for j in jobs for p in j.problems)  # a field of the wrong type: nothing to compare
        self.cr = _find_cr(paths, prometheus)
        if operator_compatible and self.monitor_docs:
            jobs = _operator_jobs(jobs, self.monitor_docs, self.cr, self.version)
        self.jobs: list[JobInput] = []
        self.bases: dict[str, str] = {}
        self.warnings: list[str] = []
        seen: set[str] = set()
        for job in jobs:
            name = job.name
            self.warnings += [f"{label}: {p}" for p in job.warnings]
            if name in seen:
                self.warnings.append(f"{label}: job {name!r} ({job.origin}) is defined twice; the first one is "
                                     "compared")
                continue
            seen.add(name)
            if job.errors:
                self.warnings.append(f"{label}: job {name!r} ({job.origin}) is not Prometheus's dialect "
                                     f"({'; '.join(p.message for p in job.errors)}): compared as plain YAML")
            self.jobs.append(JobInput(name, job.config, job.origin, plain=bool(job.errors),
                                      global_config=self.global_config))
            self.bases[name] = job.base_dir

    @property
    def names(self) -> list[str]:
        return [j.name for j in self.jobs]

    def origin(self, name: str) -> str:
        return next((j.origin for j in self.jobs if j.name == name), "")

    def evaluate(self, inventory: Any, sd_cache: Any = None, twins: Optional[dict[str, Any]] = None) -> list:
        """Every job's JobResult (targets.evaluate_job). sd_cache: discovery shared with other evaluations of
        the same semantics (semantics()); twins: job name -> the result of an identical job evaluated elsewhere
        (evaluate_sides), taken with this side's origin instead of evaluating the job again."""
        from migrator import targets as core
        from migrator.progress import progress_bar

        with progress_bar(f"evaluating {self.label or 'jobs'}", unit="jobs") as cb:
            results = []
            for i, j in enumerate(self.jobs):
                results.append(self._evaluate_one(j, inventory, sd_cache, twins, core))
                if cb:
                    cb(i + 1, len(self.jobs))
        return results

    def _evaluate_one(self, j: Any, inventory: Any, sd_cache: Any, twins: Optional[dict[str, Any]], core: Any):
        if j.plain:
            return core.JobResult(j.name, j.origin, config=j.config, error="not Prometheus's dialect: not evaluated")
        twin = (twins or {}).get(j.name)
        if twin is not None:
            return core.JobResult(twin.job, j.origin, targets=list(twin.targets), error=twin.error,
                                  warnings=list(twin.warnings), config=j.config,
                                  distinct=twin.distinct, random_picks=list(twin.random_picks))
        opts = core.EvalOptions(version=self.version, own_namespace=self.own_ns or "default",
                                base_dir=self.bases.get(j.name, "."), global_config=self.global_config,
                                sd_cache=sd_cache)
        return slim(core.evaluate_job(j.config, j.origin, inventory, opts))

    def semantics(self) -> tuple:
        """What, besides a job and the inventory, decides its discovery (targets.RECENT_DISCOVERIES' key)."""
        return self.own_ns or "default", str(self.version)


def same_evaluation(a: Side, ja: JobInput, b: Side, jb: JobInput) -> bool:
    """Whether evaluate_job gives OLD's job JA and NEW's job JB the same result over one inventory: the same
    config, global config and semantics, and, where file_sd_configs read files, the same base directory."""
    if ja.plain or jb.plain or a.semantics() != b.semantics():
        return False
    try:
        if not (identical(ja.config, jb.config) and identical(a.global_config, b.global_config)):
            return False
    except RecursionError:
        return False
    return not ja.config.get("file_sd_configs") or a.bases.get(ja.name, ".") == b.bases.get(jb.name, ".")


def evaluate_sides(a: Side, b: Side, inventory: Any) -> tuple[list, list]:
    """Both sides' results (Side.evaluate), the work shared between them: each distinct kubernetes_sd_configs
    block of both sides is discovered once (one targets.SDCache per semantics), and a NEW job identical to
    OLD's job of its name (same_evaluation) is not evaluated again: its result is OLD's targets, NEW's origin."""
    from migrator import targets as core

    olds = {j.name: j for j in a.jobs}
    twin_names = {j.name for j in b.jobs if j.name in olds and same_evaluation(a, olds[j.name], b, j)}
    configs: dict[tuple, list[dict]] = {}
    for side, jobs in ((a, a.jobs), (b, [j for j in b.jobs if j.name not in twin_names])):
        configs.setdefault(side.semantics(), []).extend(j.config for j in jobs if not j.plain)
    caches = {sem: core.SDCache(cs) for sem, cs in configs.items()}
    old_results = a.evaluate(inventory, caches[a.semantics()])
    twins = {j.name: r for j, r in zip(a.jobs, old_results) if j.name in twin_names}
    new_results = b.evaluate(inventory, caches.get(b.semantics()), twins)
    return old_results, new_results


def _find_cr(paths: list[str], prometheus: Optional[str]) -> Optional[dict]:
    from migrator.kinds import single_prometheus
    from migrator.sources import load_documents

    if prometheus:
        docs = load_documents([prometheus])
    else:
        docs = [d for d in load_documents([p for p in paths if p != "-"])] if "-" not in paths else []
    crs = [d for d in docs if isinstance(d.data, dict) and d.data.get("kind") == "Prometheus"
           and str(d.data.get("apiVersion", "")).startswith("monitoring.coreos.com/")]
    doc = single_prometheus(crs)
    return doc.data if doc else None


def _operator_jobs(jobs: list, monitor_docs: list, cr: Optional[dict], version: Any) -> list:
    """Monitor jobs rendered as the operator renders them, in place of the portable ones."""
    from migrator.commands import render_jobs

    if cr is None:
        raise InputError("--operator-compatible needs the Prometheus CR (--prometheus FILE, or among the inputs)",
                         field="--operator-compatible")
    _, result = render_jobs([d.data for d in monitor_docs], cr, prometheus_version=str(version) if version else None,
                            operator=True)
    rendered = {j["job_name"]: j for j in result.jobs}
    return [replace(j, config=rendered.get(j.name, j.config)) for j in jobs]


def _read_mapping(path: str) -> dict[str, list[str]]:
    from migrator.sources import read_text

    name, text = read_text(path)
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise InputError(f"not JSON: {exc}", file=name, field="--mapping") from None
    except RecursionError:
        raise InputError("not a migrate report: JSON nesting is too deep", file=name, field="--mapping") from None
    return mapping_from_report(data, name)


def _load_inventory(inventory: Optional[list[str]], cluster: bool, kubeconfig: Optional[str],
                    context: Optional[str], jobs: tuple = ()) -> Any:
    """The inventory, or the cluster's objects: the kinds the JOBS' discovery lists (discovery.needs.cluster_kinds,
    as ``targets --cluster``)."""
    if inventory:
        from migrator.progress import load_inventory_with_bar

        inv = load_inventory_with_bar(inventory)
        for note in getattr(inv, "notes", []) or []:
            print(f"inventory: {note}", file=sys.stderr)
        return inv
    if cluster:
        from migrator.discovery.needs import cluster_kinds
        from migrator.progress import load_cluster_with_bar

        return load_cluster_with_bar(kubeconfig=kubeconfig, context=context, kinds=cluster_kinds(j.config for j in jobs))
    return None


def run_diff(old: list[str], new: list[str], *, inventory: Optional[list[str]] = None, cluster: bool = False,
             kubeconfig: Optional[str] = None, context: Optional[str] = None, prometheus: Optional[str] = None,
             prometheus_version: Optional[str] = None, operator_compatible: bool = False,
             mapping: Optional[str] = None, maps: Optional[list[str]] = None, targets_only: bool = False,
             fail_on: Optional[list[str]] = None, output: str = "text", out: Optional[str] = None,
             force: bool = False, from_cluster: bool = False, key: Optional[str] = None,
             own_namespace: Optional[str] = None, rename: Optional[dict[str, str]] = None) -> int:
    """Compare OLD with NEW; write the plan; return 0 (no differences) or 1 (differences).

    rename: text replacements in the report (``diff --git`` shows its temporary files as ``REV:path``)."""
    from migrator.commands import _check_stdin_once
    from migrator.writers import write_output

    if output not in OUTPUTS:
        raise InputError(f"unknown --output {output!r} (choose from {', '.join(OUTPUTS)})", field="--output")
    fail_on = [f for part in (fail_on or []) for f in str(part).split(",") if f]
    bad = [f for f in fail_on if f not in FAIL_ON]
    if bad:
        raise InputError(f"unknown --fail-on {', '.join(bad)} (choose from {', '.join(FAIL_ON)})", field="--fail-on")
    if inventory and cluster:
        raise InputError("give --inventory or --cluster, not both", field="--cluster")
    if from_cluster and old:
        raise InputError("with --from-cluster, OLD is what runs in the cluster: give only NEW", field="--from-cluster")
    if not from_cluster and not old:
        raise InputError("give OLD and NEW (or --from-cluster and NEW)")
    if not new:
        raise InputError("give NEW")
    if (targets_only or any(f in ("targets", "labels") for f in fail_on)) and not (inventory or cluster):
        raise InputError("comparing targets needs the cluster's objects: --inventory FILE or --cluster",
                         field="--targets-only" if targets_only else "--fail-on")
    _check_stdin_once(old, new, inventory, [prometheus] if prometheus else None)
    pairs_given = [parse_map(m) for m in maps or []]
    mapped = _read_mapping(mapping) if mapping else None

    with tempfile.TemporaryDirectory(prefix="migrator-live-") as tmp:
        new_prometheus = prometheus
        old_label = list(old)
        if from_cluster:
            from migrator.diff.live import fetch_live

            live = fetch_live(tmp, kubeconfig=kubeconfig, context=context, prometheus=prometheus)
            old_paths, old_prometheus = live.files, live.cr_file
            old_label = [live.label]
            for n in live.notes:
                print(f"cluster: {n}", file=sys.stderr)
            if not _has_prometheus(new):
                new_prometheus = live.cr_file
        else:
            old_paths, old_prometheus = old, prometheus
        a = Side("OLD", old_paths, prometheus=old_prometheus, prometheus_version=prometheus_version,
                 operator_compatible=operator_compatible, key=None if from_cluster else key,
                 own_namespace=own_namespace)
        b = Side("NEW", new, prometheus=new_prometheus, prometheus_version=prometheus_version,
                 operator_compatible=operator_compatible, key=key, own_namespace=own_namespace)
        inv = _load_inventory(inventory, cluster, kubeconfig, context, (*a.jobs, *b.jobs))
        rep = build_report(a, b, inv, maps=pairs_given, mapping=mapped, targets_only=targets_only, fail_on=fail_on,
                           old_label=old_label, new_label=list(new))
    if output == "json":
        text = render_json(rep)
    elif output == "markdown":
        text = render_markdown(rep)
    else:
        color = (out is None or out == "-") and sys.stdout.isatty()
        text = render_text(rep, color=color)
    for before, after in sorted((rename or {}).items(), key=lambda kv: -len(kv[0])):
        text = text.replace(before, after)
    write_output(text, out, force=force)
    return rep.exit_status


def _has_prometheus(paths: list[str]) -> bool:
    if "-" in paths:
        return False
    from migrator.sources import load_documents

    return any(isinstance(d.data, dict) and d.data.get("kind") == "Prometheus" for d in load_documents(paths))


def build_report(a: Side, b: Side, inv: Any, **kw: Any) -> DiffReport:
    """The report (_build_report), with the cyclic GC paused: both sides' targets and their scrapes are millions
    of acyclic objects, which its full collections would rescan again and again (as targets._gc_paused does
    for `targets`)."""
    from migrator.targets import _gc_paused

    with _gc_paused():
        return _build_report(a, b, inv, **kw)


def _build_report(a: Side, b: Side, inv: Any, *, maps: list[tuple[str, str]] = (),
                  mapping: Optional[dict[str, list[str]]] = None, targets_only: bool = False,
                  fail_on: list[str] = (), old_label: Optional[list[str]] = None,
                  new_label: Optional[list[str]] = None) -> DiffReport:
    from migrator.commands import _monitor_findings
    from migrator.targets import present_rule_without_regex

    pairing: Pairing = pair_jobs(a.names, b.names, mapping=mapping, maps=list(maps))
    rep = DiffReport(old_label or a.paths, new_label or b.paths, fail_on=list(fail_on), targets_only=targets_only)
    rep.warnings = a.warnings + b.warnings
    rep.notes = list(pairing.notes)
    old_results = new_results = None
    if inv is not None:
        old_results, new_results = evaluate_sides(a, b, inv)
        if not maps and not mapping and pairing.only_old and pairing.only_new:
            made = pair_by_overlap(pairing, kept_addresses(old_results), kept_addresses(new_results))
            if made:
                rep.notes.append(f"{len(made)} job pair(s) made automatically by kept-target overlap (job names "
                                 "differ): check them, or pin pairs with --map OLD=NEW")
    elif pairing.only_old and pairing.only_new:
        rep.notes.append("some jobs have no counterpart by name: pair them with --map OLD=NEW or --mapping "
                         "REPORT.json, or give --inventory to pair them by target overlap")
    rep.pairs = pairing.pairs
    rep.jobs = diff_configs(a.jobs, b.jobs, pairing)
    if inv is not None:
        rep.targets = diff_all(old_results, new_results, pairing.pairs)
        by_old = {r.job: r for r in old_results}
        by_new = {r.job: r for r in new_results}
        rep.only_old = [dict(only_side(by_old[n]), origin=a.origin(n)) for n in pairing.only_old]
        rep.only_new = [dict(only_side(by_new[n]), origin=b.origin(n)) for n in pairing.only_new]
        for r in old_results + new_results:
            if r.error:
                rep.warnings.append(f"job {r.job} ({r.origin}) could not be evaluated: {r.error}")
    else:
        rep.only_old = [{"job": n, "origin": a.origin(n), "targets": None, "examples": []} for n in pairing.only_old]
        rep.only_new = [{"job": n, "origin": b.origin(n), "targets": None, "examples": []} for n in pairing.only_new]
    jobs = [j.config for j in b.jobs if not j.plain]
    rep.findings = all_findings(jobs=jobs, monitors=[d.data for d in b.monitor_docs], cr=b.cr, inventory=inv,
                                results=[r for r in new_results if not r.error] if new_results is not None else None)
    rep.findings += [Finding(WARNING, "monitor-port", text) for text in _monitor_findings(b.monitor_docs)]
    if new_results is None:  # targets.findings has not run: the config-only check still applies
        for j in b.jobs:
            if not j.plain:
                rep.findings += [Finding(WARNING, "present-without-regex", w, j.name)
                                 for w in present_rule_without_regex(j.config)]
    return rep
