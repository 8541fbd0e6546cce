"""`migrator lint`: reading the inputs and the configuration, running the rules, writing the report."""

from __future__ import annotations

import os
import sys
from typing import Optional

from migrator.errors import InputError
from migrator.writers import dump_json, write_output


def _note(message: str) -> None:
    print(f"note: {message}", file=sys.stderr)


def list_rules(output: str) -> str:
    from migrator.lint import all_rules as rules, report

    _rule_docs_output(output, "--list-rules")
    if output == "json":
        return dump_json([{"id": r.id, "severity": r.severity, "summary": r.summary,
                           "needs_inventory": r.needs_inventory} for r in rules()])
    return report.rule_list(rules())


def _rule_docs_output(output: str, what: str) -> None:
    """--list-rules and --explain print text, markdown or json; sarif and github are forms of findings."""
    if output in ("sarif", "github"):
        raise InputError(f"{what} prints text, markdown or json; --output {output} is for findings",
                         field="--output")


def explain(rule_id: str, output: str) -> str:
    from migrator.lint import rule

    _rule_docs_output(output, "--explain")
    r = rule(rule_id)
    if output == "json":
        return dump_json({"id": r.id, "severity": r.severity, "summary": r.summary,
                          "explanation": " ".join(r.explanation.split()), "fail": r.fail, "ok": r.ok,
                          "prometheus": r.prometheus, "inventory": r.inventory, "needs_inventory": r.needs_inventory})
    return r.doc


def load_context(inputs: list[str], *, inventory: Optional[list[str]] = None, cluster: bool = False,
                 kubeconfig: Optional[str] = None, context: Optional[str] = None,
                 prometheus: Optional[list[str]] = None, prometheus_version: Optional[str] = None,
                 own_namespace: Optional[str] = None, key: Optional[str] = None, quiet: bool = False):
    """The lint Context of these inputs (InputError when they are unusable)."""
    from migrator.kinds import check_prometheus, classify
    from migrator.lint.context import Context
    from migrator.render import AssetStore
    from migrator.scrapeconfig import NoScrapeConfig, locate_jobs, read_jobs
    from migrator.sources import load_documents
    from migrator.version import Version

    stdin_uses = sum(1 for a in list(inputs) + list(inventory or []) + list(prometheus or []) if a == "-")
    if stdin_uses > 1:
        raise InputError("'-' (stdin) can be given only once")
    if inventory and cluster:
        raise InputError("give --inventory or --cluster, not both", field="--cluster")
    raw_docs, object_docs = [], []
    for doc in load_documents(inputs):
        d = doc.data
        if d is None:
            continue
        if isinstance(d, dict) and isinstance(d.get("apiVersion"), str) and isinstance(d.get("kind"), str):
            if d["kind"] in ("Secret", "ConfigMap"):
                try:
                    locate_jobs(doc, key=key)
                    raw_docs.append(doc)
                    continue
                except NoScrapeConfig:
                    pass
            object_docs.append(doc)
            continue
        try:
            locate_jobs(doc, key=key)
        except InputError as err:  # any other YAML in a linted directory or commit is not ours to judge
            if not isinstance(err, NoScrapeConfig) and not err.message.startswith("no scrape configuration found"):
                raise
            if not quiet:
                _note(f"{doc.file}:{doc.line}: skipped: neither a Kubernetes object nor a scrape config")
            continue
        raw_docs.append(doc)
    objs = classify(object_docs)
    cr_docs = list(objs.prometheus)
    for path in prometheus or []:
        found = classify(load_documents([path])).prometheus
        if not found:
            raise InputError("no Prometheus object (kind: Prometheus, monitoring.coreos.com/v1) found", file=path,
                             field="--prometheus")
        cr_docs = found + [c for c in cr_docs if c not in found]
    for doc in cr_docs:
        check_prometheus(doc)
    crs = [d.data for d in cr_docs]
    version_text = prometheus_version or next((str(c["spec"]["version"]) for c in crs
                                               if isinstance(c.get("spec"), dict) and c["spec"].get("version")), None)
    version = Version.parse(version_text) if version_text else None
    # each file is a configuration of its own (a job name used in two files is no clash)
    by_file: dict = {}
    for doc in raw_docs:
        by_file.setdefault(doc.file, []).append(doc)
    parts = [read_jobs(docs, key=key) for docs in by_file.values()]
    jobs = [j for part in parts for j in part.jobs]
    glob = next((part.global_config for part in parts if part.global_config), {})
    for job in jobs:
        for p in job.problems:
            if getattr(p, "unusable", False):
                raise InputError(str(p))
    inv = None
    if inventory:
        from migrator.progress import load_inventory_with_bar
        inv = load_inventory_with_bar(inventory)
    elif cluster:
        from migrator.progress import load_cluster_with_bar
        inv = load_cluster_with_bar(kubeconfig=kubeconfig, context=context)
    cr_ns = next((str(c["metadata"]["namespace"]) for c in crs
                  if isinstance(c.get("metadata"), dict) and c["metadata"].get("namespace")), None)
    return Context(monitors=list(objs.monitors), jobs=jobs, cr_docs=cr_docs,
                   inventory=inv, version=version,
                   store=AssetStore(secrets=[d.data for d in objs.secrets], configmaps=[d.data for d in objs.configmaps]),
                   own_namespace=own_namespace or cr_ns, global_config=glob or {})


def run(*, inputs: list[str], inventory: Optional[list[str]], cluster: bool, kubeconfig: Optional[str],
        context: Optional[str], prometheus: Optional[list[str]], prometheus_version: Optional[str],
        own_namespace: Optional[str], key: Optional[str], config: Optional[str], no_config: bool,
        disable: list[str], fail_on: Optional[str], output: str, out: Optional[str], force: bool) -> int:
    from migrator import __version__
    from migrator.lint import RANK, report, run_rules
    from migrator.lint import all_rules as rules
    from migrator.lint import config as C

    if not inputs:
        raise InputError("give the monitors or scrape configs to lint (files, directories or '-')", field="INPUTS")
    known = {r.id for r in rules()}
    for d in disable:
        if d not in known:
            raise InputError(f"no lint rule {d!r} (migrator lint --list-rules lists them)", field="--disable")
    cfg_path = None if no_config else (config or C.find(os.getcwd()))
    if config and not os.path.isfile(config):
        raise InputError("no such file", file=config, field="--config")
    cfg = C.load(cfg_path, known)
    if not inventory and not cluster and cfg.inventory:
        inventory = cfg.inventory
    if not prometheus and cfg.prometheus:
        prometheus = cfg.prometheus
    ctx = load_context(inputs, inventory=inventory, cluster=cluster, kubeconfig=kubeconfig, context=context,
                       prometheus=prometheus, prometheus_version=prometheus_version, own_namespace=own_namespace,
                       key=key)
    if ctx.inventory is None:
        skipped = [r.id for r in rules() if r.needs_inventory and r.id not in cfg.disable]
        if skipped and output == "text":
            _note(f"without --inventory/--cluster these rules are not run: {', '.join(skipped)}")
    findings = run_rules(ctx, disabled=frozenset(cfg.disable | set(disable)))
    for f in findings:
        if f.rule in cfg.severity:
            f.severity = cfg.severity[f.rule]
    files = sorted({f.file for f in findings if f.file not in ("-", "<stdin>") and os.path.isfile(f.file)})
    sup = C.scan(files)
    findings = [f for f in findings if not sup.silenced(f.rule, f.file, f.line)]
    findings.sort(key=lambda f: (f.file, f.line, RANK.get(f.severity, 3), f.rule, f.message))
    level = fail_on or cfg.fail_on or "bug"
    if output == "json":
        text = dump_json(report.to_json(findings))
    elif output == "markdown":
        text = report.markdown(findings)
    elif output == "sarif":
        text = dump_json(report.sarif(findings, rules(), __version__))
    elif output == "github":
        text = report.github(findings)
    else:
        text = report.text(findings)
    write_output(text, out, force=force)
    return 1 if report.at_or_above(findings, level) else 0
