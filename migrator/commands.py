"""What each CLI command does, between reading inputs and writing outputs.

The CLI module only declares options; these functions load, call the pure
core, and write. They raise MigratorError (or ErrorList) for the CLI to report.
"""

from __future__ import annotations

import gc
import sys
from dataclasses import dataclass, field
from typing import Any

from migrator.errors import ErrorList, ExitStatus, InputError, MigratorError
from migrator.kinds import (RenderInputs, classify, describe, prometheus_namespace, prometheus_spec,
                            single_prometheus)
from migrator.sources import Document, load_documents
from migrator.writers import (dump_json, dump_json_bytes, dump_yaml, dump_yaml_all, open_output,
                              scrape_document, write_output)


def _warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def _note(message: str) -> None:
    print(message, file=sys.stderr)


def _check_stdin_once(*groups: list[str] | None) -> None:
    uses = sum(1 for g in groups if g for a in g if a == "-")
    if uses > 1:
        raise InputError("'-' (stdin) can be given only once")


def load_render_inputs(files: list[str], prometheus: str | None,
                       prometheus_version: str | None = None) -> tuple[RenderInputs, Document | None]:
    """Read and sort the inputs of render; validate every monitor (all errors at once), for the
    Prometheus version render will use."""
    from migrator.validate import validate_monitor

    _check_stdin_once(files, [prometheus] if prometheus else None)
    inputs = classify(load_documents(files))
    for line in inputs.skipped_summary():
        _warn(line)
    cr_doc = None
    if prometheus:
        cr_inputs = classify(load_documents([prometheus]))
        if not cr_inputs.prometheus:
            raise InputError("no Prometheus object (kind: Prometheus, monitoring.coreos.com/v1) found",
                             file=prometheus, field="--prometheus")
        cr_doc = single_prometheus(cr_inputs.prometheus)
        if inputs.prometheus:
            _warn(f"{describe(inputs.prometheus[0])} among the inputs is ignored: --prometheus wins")
    else:
        cr_doc = single_prometheus(inputs.prometheus)
    from migrator.render import RenderContext

    version = RenderContext.from_cr(cr_doc.data if cr_doc else None, version=prometheus_version).version
    errors: list[MigratorError] = []
    for doc in inputs.monitors:
        errors.extend(validate_monitor(doc, version=version))
    errors.extend(_duplicates(inputs.monitors + inputs.secrets + inputs.configmaps))
    if errors:
        raise ErrorList(errors)
    return inputs, cr_doc


def _duplicates(docs: list[Document]) -> list[MigratorError]:
    """Monitors given twice (errors, returned); Secrets and ConfigMaps given twice (warned)."""
    from migrator.validate import duplicate_objects

    errors, warnings = duplicate_objects(docs)
    for w in warnings:
        _warn(w)
    return list(errors)


def global_config(cr: dict | None, ctx: Any, *, operator: bool) -> dict:
    """The ``global`` section of a full prometheus.yml for this Prometheus CR."""
    from migrator.scrapeconfig import operator_global

    spec = (cr or {}).get("spec") or {}
    out: dict[str, Any] = dict(operator_global(spec))
    out["evaluation_interval"] = spec.get("evaluationInterval") or "30s"
    if cr:
        md = cr.get("metadata") or {}
        labels = {"prometheus": f"{md.get('namespace', 'default')}/{md.get('name', '')}"}
        if operator:
            labels["prometheus_replica"] = "$(POD_NAME)"
        labels.update(spec.get("externalLabels") or {})
        out["external_labels"] = labels
    version = ctx.version
    if version.at_least("2.45.0"):
        pairs = [("sample_limit", "sampleLimit", "enforcedSampleLimit"),
                 ("target_limit", "targetLimit", "enforcedTargetLimit"),
                 ("label_limit", "labelLimit", "enforcedLabelLimit"),
                 ("label_name_length_limit", "labelNameLengthLimit", "enforcedLabelNameLengthLimit"),
                 ("label_value_length_limit", "labelValueLengthLimit", "enforcedLabelValueLengthLimit")]
        if spec.get("bodySizeLimit") or spec.get("enforcedBodySizeLimit"):
            out["body_size_limit"] = spec.get("bodySizeLimit") or spec.get("enforcedBodySizeLimit")
        for key, own, enforced in pairs:
            value, cap = spec.get(own) or 0, spec.get(enforced) or 0
            if value > 0:
                out[key] = min(value, cap) if cap > 0 else value
            elif cap > 0:
                out[key] = cap
        if version.at_least("2.47.0"):
            value, cap = spec.get("keepDroppedTargets") or 0, spec.get("enforcedKeepDroppedTargets") or 0
            if value > 0:
                out["keep_dropped_targets"] = min(value, cap) if cap > 0 else value
            elif cap > 0:
                out["keep_dropped_targets"] = cap
    return out


def render_jobs(monitors: list[dict], cr: dict | None, *, prometheus_version: str | None, operator: bool,
                secrets: list[dict] = (), configmaps: list[dict] = (), inline_secrets: bool = False,
                secrets_dir: str = "/etc/prometheus/secrets", shard: tuple[int, int] | None = None,
                refuse_url_credentials: bool = False):
    from migrator.render import AssetStore, RenderContext, render_monitors

    ctx = RenderContext.from_cr(cr, version=prometheus_version)
    store = AssetStore(secrets=list(secrets), configmaps=list(configmaps))
    result = render_monitors(monitors, ctx, store, mode="operator" if operator else "portable",
                             inline_secrets=inline_secrets, secrets_dir=secrets_dir, shard=shard,
                             refuse_url_credentials=refuse_url_credentials)
    return ctx, result


def _emit(jobs: list[dict], *, form: str, cr: dict | None, ctx: Any, operator: bool, secret_name: str,
          out: str | None, force: bool, secret_mode: bool, output: str, report: dict) -> None:
    namespace = ((cr or {}).get("metadata") or {}).get("namespace")
    doc = scrape_document(jobs, form, global_config=global_config(cr, ctx, operator=operator)
                          if form == "prometheus-yml" else None,
                          secret_name=secret_name, namespace=namespace)
    text = dump_yaml(doc)
    if output == "json":
        if out:
            backup = write_output(text, out, force=force, mode=0o600 if secret_mode else None)
            report["out"] = out
            if backup:
                report["backup"] = backup
        else:
            report["document"] = text
        write_output(dump_json(report), None)
        return
    backup = write_output(text, out, force=force, mode=0o600 if secret_mode else None)
    if backup:
        _note(f"{out} replaced; the previous content is in {backup}")


def render(*, files: list[str], prometheus: str | None, prometheus_version: str | None,
           operator_compatible: bool, form: str, out: str | None, force: bool, inline_secrets: bool,
           secrets_dir: str, shards: int | None, shard: int | None, secret_name: str, output: str,
           operator_version: str | None = None) -> None:
    if inline_secrets and operator_compatible:
        raise InputError("--inline-secrets is for portable mode; --operator-compatible always inlines",
                         field="--inline-secrets")
    if inline_secrets:
        from migrator.writers import refuse_secrets_on_stdout

        refuse_secrets_on_stdout(out, "--inline-secrets", needs="-o FILE")
    if (shards is None) != (shard is None):
        raise InputError("--shards and --shard go together", field="--shards")
    if shards is not None and shard is not None and shard >= shards:
        raise InputError(f"--shard must be below --shards ({shards})", field="--shard")
    if operator_compatible and shards is not None:
        raise InputError("--shards/--shard are for portable mode; in --operator-compatible mode the CR's "
                         "spec.shards and $(SHARD) apply", field="--shards")
    inputs, cr_doc = load_render_inputs(files, prometheus, prometheus_version)
    if not inputs.monitors:
        raise InputError("no PodMonitor, ServiceMonitor or ScrapeConfig among the inputs")
    cr = cr_doc.data if cr_doc else None
    from migrator.render import selected_by

    for doc in inputs.monitors:
        if cr is not None and selected_by(cr, doc.data) is False:
            _warn(f"{describe(doc)} ({doc.file}:{doc.line}) is not selected by the Prometheus CR's "
                  f"{doc.kind[0].lower() + doc.kind[1:]}Selector; rendered anyway")
    ctx, result = render_jobs([d.data for d in inputs.monitors], cr, prometheus_version=prometheus_version,
                              operator=operator_compatible,
                              secrets=[d.data for d in inputs.secrets],
                              configmaps=[d.data for d in inputs.configmaps],
                              inline_secrets=inline_secrets, secrets_dir=secrets_dir,
                              refuse_url_credentials=True,
                              shard=(shards, shard) if shards is not None else None)
    warnings = [_warning_dict(w) for w in result.warnings]
    from migrator.schemas import newer_fields, resolve_operator

    op_version, op_source = resolve_operator(operator_version, cr=cr)
    for doc in inputs.monitors:  # the reading side: a field newer than the operator named is a warning
        for f, since in newer_fields(doc.data, op_version):
            warnings.append({"monitor": f"{describe(doc)} ({doc.file}:{doc.line})", "field": f,
                             "message": f"exists only from prometheus-operator v{since}; the CRDs of v{op_version} "
                                        f"(from {op_source}) lack it: the API server refuses or prunes it"})
    mounts = [{"namespace": m.namespace, "secret": m.secret, "key": m.key, "path": m.path}
              for m in result.mounts]
    cm_mounts = [{"namespace": m.namespace, "configmap": m.configmap, "key": m.key, "path": m.path}
                 for m in getattr(result, "configmap_mounts", [])]
    if output != "json":
        for w in warnings:
            _warn(f"{w['monitor']}: {w['field'] + ': ' if w.get('field') else ''}{w['message']}")
        if mounts:
            _note("Secrets to mount into Prometheus (e.g. the Prometheus CR's spec.secrets):")
            for m in _unique_secrets(mounts):
                _note(f"  - {m}")
        if cm_mounts:
            _note("ConfigMaps to mount into Prometheus (e.g. the Prometheus CR's spec.configMaps):")
            for m in dict.fromkeys(f"{m['namespace']}/{m['configmap']} (key {m['key']} -> {m['path']})"
                                   for m in cm_mounts):
                _note(f"  - {m}")
    report = {
        "command": "render",
        "mode": "operator" if operator_compatible else "portable",
        "format": form,
        "prometheus_version": str(ctx.version),
        "jobs": [j.get("job_name") for j in result.jobs],
        "warnings": warnings,
        "secrets_to_mount": mounts,
        "configmaps_to_mount": cm_mounts,
        "skipped": inputs.skipped,
    }
    secret_mode = operator_compatible or inline_secrets
    _emit(result.jobs, form=form, cr=cr, ctx=ctx, operator=operator_compatible, secret_name=secret_name,
          out=out, force=force, secret_mode=secret_mode, output=output, report=report)


def _warning_dict(w: Any) -> dict:
    return {"monitor": w.monitor, "field": w.field, "message": w.message}


def _unique_secrets(mounts: list[dict]) -> list[str]:
    seen: dict[str, None] = {}
    for m in mounts:
        seen[f"{m['namespace']}/{m['secret']} (key {m['key']} -> {m['path']})"] = None
    return list(seen)


def generate_istio(*, namespace: str, release: str | None, labels: list[str], istio_namespace: str,
                   interval: str, only: str | None, no_egress: bool, with_mesh_config: bool, form: str,
                   prometheus: str | None, prometheus_version: str | None, out: str | None,
                   force: bool) -> None:
    from migrator.presets import IstioOptions, istio_monitors, mesh_config_fragment, parse_label

    label_map: dict[str, str] = {}
    for text in labels:
        k, v = parse_label(text)
        label_map[k] = v
    if release is not None:
        label_map["release"] = release
    if not label_map:
        label_map = {"release": "kube-prometheus-stack"}
    kwargs: dict[str, Any] = dict(namespace=namespace, labels=label_map, istio_namespace=istio_namespace,
                                  interval=interval, egress=not no_egress, with_mesh_config=with_mesh_config)
    if only:
        kwargs["only"] = {p.strip() for p in only.split(",") if p.strip()}
    monitors = istio_monitors(IstioOptions(**kwargs))
    if form == "monitors":
        docs = list(monitors)
        if with_mesh_config:
            docs.append(mesh_config_fragment())
        text = dump_yaml_all(docs)
    else:
        cr = None
        if prometheus:
            cr_inputs = classify(load_documents([prometheus]))
            cr_doc = single_prometheus(cr_inputs.prometheus)
            if cr_doc is None:
                raise InputError("no Prometheus object found", file=prometheus, field="--prometheus")
            cr = cr_doc.data
        ctx, result = render_jobs(monitors, cr, prometheus_version=prometheus_version, operator=False)
        for w in result.warnings:
            _warn(f"{w.monitor}: {w.message}")
        doc = scrape_document(result.jobs, form,
                              global_config=global_config(cr, ctx, operator=False)
                              if form == "prometheus-yml" else None,
                              namespace=namespace)
        text = dump_yaml(doc)
        if with_mesh_config:
            _note("--with-mesh-config: add this to your IstioOperator:\n" + dump_yaml(mesh_config_fragment()))
    backup = write_output(text, out, force=force)
    if backup:
        _note(f"{out} replaced; the previous content is in {backup}")


def validate(*, files: list[str], prometheus_version: str | None, strict_names: bool, output: str) -> None:
    from migrator.kinds import require_object
    from migrator.validate import validate_monitor
    from migrator.version import Version

    version = Version.parse(prometheus_version) if prometheus_version else None
    docs = load_documents(files)
    checked, errors = [], []
    for doc in docs:
        require_object(doc)
        if doc.data["apiVersion"].split("/")[0] != "monitoring.coreos.com" or \
                doc.data["kind"] not in ("PodMonitor", "ServiceMonitor", "ScrapeConfig", "Probe"):
            _warn(f"{doc.file}:{doc.line}: skipping {describe(doc)}: not a monitor")
            continue
        checked.append(doc)
        errors.extend(validate_monitor(doc, version=version, strict_names=strict_names))
    errors.extend(_duplicates([d for d in docs if isinstance(d.data, dict)]))
    if output == "json":
        write_output(dump_json({
            "command": "validate", "checked": [f"{describe(d)} ({d.file}:{d.line})" for d in checked],
            "errors": [{"file": e.file, "line": e.line, "field": e.field, "message": e.message} for e in errors],
        }), None)
    else:
        for err in errors:
            print(f"error: {err}", file=sys.stderr)
        print(f"{len(checked)} monitor(s) checked, {len(errors)} error(s)", file=sys.stderr)
    if errors:
        raise ExitStatus(2)
    if not checked:
        raise InputError("no monitor among the inputs")


# ---------------------------------------------------------------------------
# targets


@dataclass
class LoadedJob:
    """One scrape job ready to evaluate or compare, from a raw config or rendered from a monitor.

    ``config`` is typed as Prometheus reads it (a field of the wrong type is null, with a problem);
    ``problems`` are what reading it found (raw configs only).
    """

    config: dict
    origin: str  # "file:line", or "PodMonitor ns/name (file:line)"
    base_dir: str = "."  # where relative file_sd paths start
    problems: list = field(default_factory=list)

    @property
    def name(self) -> str:
        return str(self.config.get("job_name", ""))

    @property
    def errors(self) -> list:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def unusable(self) -> bool:
        """A field of the wrong type: the input is not a usable scrape config (exit status 2)."""
        return any(getattr(p, "unusable", False) for p in self.problems)


@dataclass
class ScrapeInputs:
    """What load_scrape_inputs reads: the jobs, the global section, the version, and the context."""

    jobs: list[LoadedJob]
    global_config: dict
    version: Any  # migrator.version.Version | None
    own_namespace: str | None  # the Prometheus CR's namespace
    monitors: list[Document]


def load_scrape_inputs(configs: list[str], *, prometheus: str | None, prometheus_version: str | None,
                       key: str | None = None) -> ScrapeInputs:
    """Jobs from raw scrape configs and/or monitors (rendered portable)."""
    import os

    from migrator.scrapeconfig import read_jobs, split_documents
    from migrator.version import Version

    docs = load_documents(configs)
    raw_docs, object_docs, not_configs = split_documents(docs, key=key)
    inputs = classify(object_docs)
    for line in inputs.skipped_summary():
        _warn(line)
    cr_doc = None
    if prometheus:
        cr_doc = single_prometheus(classify(load_documents([prometheus])).prometheus)
        if cr_doc is None:
            raise InputError("no Prometheus object found", file=prometheus, field="--prometheus")
    else:
        cr_doc = single_prometheus(inputs.prometheus)
    cr = cr_doc.data if cr_doc else None
    spec = prometheus_spec(cr_doc)
    version_text = prometheus_version or spec.get("version")
    version = Version.parse(version_text) if version_text else None
    jobs: list[LoadedJob] = []
    global_config: dict = {}
    if raw_docs:
        parsed = read_jobs(raw_docs, key=key)
        if parsed.shape.startswith("helm-values ("):  # which layout of the chart's values was found
            _note(f"note: scrape configs read from {parsed.shape}")
        global_config = parsed.effective_global(spec if cr_doc else None)
        for job in parsed.jobs:
            base = os.path.dirname(job.file) if job.file not in ("<stdin>", "-") else "."
            jobs.append(LoadedJob(job.config, f"{job.file}:{job.line}", base, job.problems))
    if inputs.monitors:
        from migrator.validate import validate_monitor

        from migrator.scrapeconfig import placeholder_warnings

        for d in inputs.monitors:
            for w in placeholder_warnings(d, ("spec",)):
                _warn(w)
        errors = [e for d in inputs.monitors for e in validate_monitor(d, version=version)]
        errors += _duplicates(inputs.monitors + inputs.secrets + inputs.configmaps)
        if errors:
            raise ErrorList(errors)
        ctx, result = render_jobs([d.data for d in inputs.monitors], cr,
                                  prometheus_version=str(version) if version else None, operator=False,
                                  secrets=[d.data for d in inputs.secrets],
                                  configmaps=[d.data for d in inputs.configmaps])
        for w in result.warnings:
            _warn(f"{w.monitor}: {w.message}")
        origins = _monitor_origins(inputs.monitors)
        for job in result.jobs:
            jobs.append(LoadedJob(job, origins.get(_monitor_key(job["job_name"]), "monitor"), ".", []))
        if not raw_docs:
            # monitors run under an operator-managed Prometheus: its global section comes from the CR,
            # whose scrapeInterval defaults to 30s (not Prometheus's own 1m)
            from migrator.scrapeconfig import operator_global

            global_config = operator_global(spec)
    if not jobs:
        if len(not_configs) == 1:
            raise not_configs[0]
        raise InputError("no scrape job among the inputs")
    return ScrapeInputs(jobs, global_config, version, prometheus_namespace(cr_doc), inputs.monitors)


def _monitor_key(job_name: str) -> tuple:
    parts = job_name.split("/")
    return tuple(parts[:3]) if len(parts) >= 3 else (job_name,)


def _monitor_origins(monitors: list[Document]) -> dict:
    out = {}
    for d in monitors:
        kind = d.kind[0].lower() + d.kind[1:]
        out[(kind, d.namespace or "default", d.name)] = f"{describe(d)} ({d.file}:{d.line})"
    return out


def _monitor_findings(monitors: list[Document]) -> list[str]:
    out = []
    for d in monitors:
        spec = d.data.get("spec") or {}
        eps = spec.get("podMetricsEndpoints" if d.kind == "PodMonitor" else "endpoints") or []
        for i, ep in enumerate(eps):
            if not isinstance(ep, dict):
                continue
            if not (ep.get("port") or ep.get("portNumber") or ep.get("targetPort")):
                what = "every declared container port" if d.kind == "PodMonitor" else \
                    "every endpoint port and every unbound container port"
                out.append(f"{describe(d)} endpoint {i} ({d.file}:{d.line}) has no port: {what} is scraped")
            port = ep.get("port")
            if isinstance(port, str) and any(c in port for c in ".*+?()[]{}|^$\\"):
                out.append(f"{describe(d)} endpoint {i}: port {port!r} holds regex characters; the operator "
                           "uses it as a regex")
    return out


def targets(*, configs: list[str], inventory: list[str] | None, cluster: bool, kubeconfig: str | None,
            context: str | None, prometheus: str | None, prometheus_version: str | None,
            own_namespace: str | None, key: str | None, output: str, explain: str | None,
            out: str | None, force: bool, show_dropped: bool) -> int:
    _check_stdin_once(configs, inventory)
    if explain is not None and output != "text":
        raise InputError("--explain prints the relabel steps as text; for JSON use --output json without "
                         "--explain (it lists every target with its discovered and final labels)",
                         field="--explain")
    loaded = load_scrape_inputs(configs, prometheus=prometheus, prometheus_version=prometheus_version, key=key)
    inv = None
    if inventory and cluster:
        raise InputError("give --inventory or --cluster, not both", field="--cluster")
    if inventory:
        from migrator.progress import load_inventory_with_bar

        inv = load_inventory_with_bar(inventory)
        for note in getattr(inv, "notes", []) or []:
            _note(f"inventory: {note}")
    elif cluster:
        from migrator.progress import load_cluster_with_bar

        inv = load_cluster_with_bar(kubeconfig=kubeconfig, context=context, kinds=_cluster_kinds(loaded.jobs))
    if inv is not None:
        gc.freeze()  # the inventory lives to the end and holds no cycles: keep the collector off it
    try:
        return _targets_run(loaded.jobs, inv, version=loaded.version,
                            own_namespace=own_namespace or loaded.own_namespace or "default",
                            global_config=loaded.global_config, monitors=loaded.monitors, output=output,
                            explain=explain, out=out, force=force, show_dropped=show_dropped)
    finally:
        if inv is not None:
            gc.unfreeze()


def _cluster_kinds(jobs: list[LoadedJob]) -> list[str]:
    """What ``--cluster`` lists for these jobs (discovery.needs.cluster_kinds: one decision for every command)."""
    from migrator.discovery.needs import cluster_kinds

    return cluster_kinds(job.config for job in jobs)


def _targets_run(jobs: list[LoadedJob], inv, *, version, own_namespace, global_config, monitors, output,
                 explain, out, force, show_dropped) -> int:
    from migrator import targets as core
    from migrator.progress import progress_bar

    needs_k8s = [j.name for j in jobs if j.config.get("kubernetes_sd_configs")]
    if needs_k8s and inv is None:
        raise InputError(f"job(s) {', '.join(needs_k8s)} use kubernetes_sd_configs: give the cluster's objects "
                         "with --inventory FILE (kubectl get pods,services,endpoints,endpointslices,nodes,"
                         "namespaces,ingresses -A -o json) or read them with --cluster", field="--inventory")
    opts = core.EvalOptions(version=version, own_namespace=own_namespace,
                            global_config=global_config, trace=explain is not None)
    problems_out: list[str] = []
    sd_cache = core.SDCache(j.config for j in jobs)

    def evaluate_all():
        with progress_bar("evaluating jobs", unit="jobs") as cb:
            for i, job in enumerate(jobs):
                problems_out.extend(str(p) for p in job.warnings)
                if job.errors:
                    yield core.JobResult(job.name, job.origin, config=job.config,
                                         error="; ".join(str(p) for p in job.errors))
                else:
                    yield core.evaluate_job(job.config, job.origin, inv, core.EvalOptions(
                        version=opts.version, own_namespace=opts.own_namespace, base_dir=job.base_dir,
                        global_config=opts.global_config, trace=opts.trace, sd_cache=sd_cache))
                if cb:
                    cb(i + 1, len(jobs))

    if output == "json" and explain is None:
        # stream job by job: a big cluster gives gigabytes of JSON, never all in memory at once
        results = []
        with open_output(out, force=force) as stream:
            stream.write(b'{\n  "jobs": [')
            for n, r in enumerate(evaluate_all()):
                stream.write(b"\n    " if n == 0 else b",\n    ")
                for chunk in core.result_json_chunks(r, b"\n    "):  # in pieces: never a whole job's JSON
                    stream.write(chunk)
                results.append(core.slim(r))
            warnings = problems_out + _monitor_findings(monitors) + core.findings(results, inv)
            stream.write((b"\n  ]," if results else b"],") + b'\n  "warnings": '
                         + dump_json_bytes(warnings, newline=False).replace(b"\n", b"\n  ") + b"\n}\n")
    else:
        # --explain needs every step of every target; the table only needs final labels
        results = list(evaluate_all()) if explain is not None else [core.slim(r) for r in evaluate_all()]
        warnings = problems_out + _monitor_findings(monitors) + core.findings(results, inv)
        if explain is not None:
            text = _explain_text(results, explain)
        else:
            text = _targets_text(results, show_dropped=show_dropped)
        write_output(text, out, force=force)
    failed = [r for r in results if r.error]
    if output != "json" or out:
        for w in warnings:
            _warn(w)
        for r in failed:
            print(f"error: job {r.job} ({r.origin}) could not be evaluated: {r.error}", file=sys.stderr)
    if any(j.unusable for j in jobs):
        return 2
    return 1 if failed else 0


def _label_text(labels: dict[str, str]) -> str:
    return ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items()) if not k.startswith("__"))


def _columns(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    """Rows aligned in columns (the last one free-running), two spaces apart, under a header."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header[:-1])]
    out = []
    for row in [header, *rows]:
        cells = [c.ljust(w) for c, w in zip(row, widths)] + [row[-1]]
        out.append(("  " + "  ".join(cells)).rstrip())
    return out


def _targets_text(results, *, show_dropped: bool) -> str:
    lines: list[str] = []
    for r in results:
        head = f"job {r.job}  from {r.origin}"
        if r.error:
            lines += [head, f"  not evaluated: {r.error}", ""]
            continue
        kept = r.kept
        from migrator.identity import merged_targets

        distinct = merged_targets(t.labels for t in kept)[0]
        lines += [head, f"  {len(kept)} target(s) kept ({distinct} distinct scrape(s)), {len(r.dropped)} dropped"]
        if kept:
            kept = sorted(kept, key=lambda t: (t.labels.get("namespace", ""), t.labels.get("pod", ""),
                                               t.labels.get("__address__", ""), _label_text(t.labels)))
            lines += _columns(("address", "path", "labels"),
                              [(t.labels.get("__address__", ""), t.labels.get("__metrics_path__", ""),
                                _label_text(t.labels)) for t in kept])
        if show_dropped and r.dropped:
            lines += _columns(("dropped address", "reason"),
                              [(t.discovered.get("__address__", ""), t.reason or "") for t in r.dropped])
        lines.append("")
    return "\n".join(lines) + "\n"


def _explain_text(results, needle: str) -> str:
    from migrator import targets as core

    lines = []
    found = 0
    for r in results:
        for t in r.targets:
            if not core.matches_target(t, needle):
                continue
            found += 1
            lines.append(f"job {r.job}: target {t.discovered.get('__address__', '')}")
            lines.append("  discovered labels:")
            lines += [f"    {k}={v!r}" for k, v in sorted(t.discovered.items())]
            for step in t.steps:
                lines.append(f"  {step.describe()}")
            if t.kept:
                lines.append("  => kept with labels: " + _label_text(t.labels))
                from migrator.redact import shown_scrape_url  # migrator.identity's URL, credentials redacted

                lines.append(f"     scraped at {shown_scrape_url(t.labels, (r.config or {}).get('params'))}")
            else:
                lines.append(f"  => dropped: {t.reason}")
            lines.append("")
    if not found:
        raise InputError(f"no discovered target matches {needle!r} (give an address, an instance, or a "
                         "pod, node or service name)", field="--explain")
    return "\n".join(lines) + "\n"
