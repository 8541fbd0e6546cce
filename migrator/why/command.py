"""`migrator why`: reading the inputs, diagnosing, writing the report. The pure core is the rest of
migrator.why; this module only loads (files, stdin, inventory or cluster) and writes."""

from __future__ import annotations

import os
import sys
from typing import Optional

from migrator.errors import ErrorList, InputError
from migrator.kinds import check_prometheus, classify
from migrator.sources import load_documents
from migrator.writers import dump_json, write_output


def _warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def split_args(args: list[str]) -> tuple[list[str], list[str]]:
    """(names, inputs): an argument that is '-' or an existing path is an input, anything else a name."""
    names, inputs = [], []
    for a in args:
        (inputs if a == "-" or os.path.exists(a) else names).append(a)
    if not inputs:
        raise InputError(f"no input file among the arguments ({', '.join(args)} name no existing file); "
                         "give the monitors or scrape configs to check", field="INPUTS")
    return names, inputs


def matches(d, name: str) -> bool:
    return name in {d.name, f"{d.namespace}/{d.name}", f"{d.kind}/{d.namespace}/{d.name}", d.job,
                    f"{d.kind.lower()}/{d.namespace}/{d.name}"}


def run(*, args: list[str], inventory: Optional[list[str]], cluster: bool, kubeconfig: Optional[str],
        context: Optional[str], prometheus: Optional[list[str]], prometheus_version: Optional[str],
        own_namespace: Optional[str], key: Optional[str], output: str, out: Optional[str], force: bool) -> int:
    from migrator.render import AssetStore
    from migrator.scrapeconfig import read_jobs, split_documents
    from migrator.targets import EvalOptions
    from migrator.validate import duplicate_objects, validate_monitor
    from migrator.version import Version
    from migrator.why import diagnose
    from migrator.why import report as R

    names, inputs = split_args(args)
    stdin_uses = sum(1 for a in inputs + list(inventory or []) + list(prometheus or []) if a == "-")
    if stdin_uses > 1:
        raise InputError("'-' (stdin) can be given only once")
    if inventory and cluster:
        raise InputError("give --inventory or --cluster, not both", field="--cluster")
    raw_docs, object_docs, _ = split_documents(load_documents(inputs), key=key)
    objs = classify(object_docs)
    for line in objs.skipped_summary():
        _warn(line)
    cr_docs = list(objs.prometheus)
    for path in prometheus or []:
        found = classify(load_documents([path])).prometheus
        if not found:
            raise InputError("no Prometheus object (kind: Prometheus, monitoring.coreos.com/v1) found", file=path,
                             field="--prometheus")
        cr_docs += found
    for doc in cr_docs:
        check_prometheus(doc)
    crs = [d.data for d in cr_docs]
    version_text = prometheus_version or next((str(c["spec"]["version"]) for c in crs
                                               if (c.get("spec") or {}).get("version")), None)
    version = Version.parse(version_text) if version_text else None
    errors = [e for d in objs.monitors for e in validate_monitor(d, version=version)]
    dup_errors, dup_warnings = duplicate_objects(objs.monitors + objs.secrets + objs.configmaps)
    for w in dup_warnings:
        _warn(w)
    errors += dup_errors
    if errors:
        raise ErrorList(errors)
    raw_jobs = read_jobs(raw_docs, key=key) if raw_docs else None
    for job in raw_jobs.jobs if raw_jobs else []:
        for p in job.problems:
            if getattr(p, "unusable", False):
                raise InputError(str(p))
    needs = bool(objs.monitors) or any(j.config.get("kubernetes_sd_configs") for j in (raw_jobs.jobs if raw_jobs else []))
    inv = None
    if inventory:
        from migrator.progress import load_inventory_with_bar
        inv = load_inventory_with_bar(inventory)
    elif cluster:
        from migrator.progress import load_cluster_with_bar
        inv = load_cluster_with_bar(kubeconfig=kubeconfig, context=context)
    elif needs:
        raise InputError("why needs the cluster's objects: give --inventory FILE (kubectl get pods,services,"
                         "endpoints,endpointslices,nodes,namespaces -A -o json) or --cluster", field="--inventory")
    store = AssetStore(secrets=[d.data for d in objs.secrets], configmaps=[d.data for d in objs.configmaps])
    monitors = [(d.data, f"{d.file}:{d.line}") for d in objs.monitors]
    jobs = []
    if raw_jobs:
        cr_ns = next((str((c.get("metadata") or {}).get("namespace")) for c in crs
                      if (c.get("metadata") or {}).get("namespace")), None)
        opts = EvalOptions(version=version, own_namespace=own_namespace or cr_ns or "default",
                           global_config=raw_jobs.global_config or {})
        for job in raw_jobs.jobs:
            base = os.path.dirname(job.file) if job.file not in ("<stdin>", "-") else "."
            errs = [str(p) for p in job.problems if p.severity == "error"]
            jobs.append((job.config, f"{job.file}:{job.line}", base, errs, opts))
    diags = diagnose(monitors, jobs, crs, inv, store, version=str(version) if version else None)
    if names:
        unknown = [n for n in names if not any(matches(d, n) for d in diags)]
        if unknown:
            known = ", ".join(sorted({d.name for d in diags}))
            raise InputError(f"no monitor or job named {', '.join(unknown)} among the inputs (there are: {known})",
                             field="NAMES")
        diags = [d for d in diags if any(matches(d, n) for n in names)]
    if output == "json":
        text = dump_json(R.to_json(diags))
    elif output == "markdown":
        text = R.markdown(diags)
    else:
        text = R.text(diags)
    write_output(text, out, force=force)
    return 0 if all(d.ok for d in diags) else 1
