"""`migrator migrate`: read a raw config, call the migration core, write monitors, report and proof.

Edges only: the decisions are in migrator/migrate/.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from migrator.errors import InputError
from migrator.kinds import classify, single_prometheus
from migrator.sources import Document, expand_lists, load_documents, parse_documents, read_text
from migrator.writers import (OutputSet, dump_json, dump_yaml, dump_yaml_all, refuse_secrets_on_stdout,
                              write_output)

STATUS_TEXT = {
    "exact": "exact",
    "relabelings": "with relabelings",
    "scrapeconfig": "ScrapeConfig",
    "raw": "kept raw",
    "invalid": "INVALID for Prometheus",
    "failed": "FAILED",
}


def _err(message: str) -> None:
    print(message, file=sys.stderr)


def resource_filename(obj: dict) -> str:
    md = obj.get("metadata") or {}
    return f"{str(obj.get('kind', 'object')).lower()}-{md.get('namespace', 'default')}-{md.get('name', 'unnamed')}.yaml"


def write_resource_dir(resources: list[dict], out_dir: str, *, force: bool) -> list[str]:
    """One file per resource, ready for `kubectl apply -f DIR`. Existing files need --force (and get a .bak);
    the files appear together (see writers.OutputSet)."""
    outputs = OutputSet(force=force)
    add_resource_dir(outputs, resources, out_dir)
    return [w.shown for w in outputs.commit()]


def add_resource_dir(outputs: OutputSet, resources: list[dict], out_dir: str) -> list[str]:
    path = outputs.add_dir(out_dir, field="--out")
    names = []
    for obj in resources:
        target = str(path / resource_filename(obj))
        outputs.add(target, dump_yaml(obj), field="--out")
        names.append(target)
    return names


def proof_json(proof: Any) -> dict | None:
    if proof is None:
        return None
    witnesses = _witness_names(proof)
    if getattr(proof, "unproven", False):
        return {"equivalent": None, "proven": False, "unproven": True, "note": proof.note,
                "targets_before": 0, "targets_after": 0, **witnesses}
    if getattr(proof, "pending", False) or getattr(proof, "note", None):
        return {"equivalent": None, "proven": False, "note": proof.note or "not proven", **witnesses}
    return {
        "equivalent": proof.equivalent,
        "proven": proof.proven,
        **witnesses,
        "targets_before": len(proof.before.kept) if proof.before else 0,
        "targets_after": sum(len(r.kept) for r in proof.after),
        # what is compared: the distinct scrapes those kept targets make (Prometheus merges the others)
        "distinct_targets_before": proof.distinct_before,
        "distinct_targets_after": proof.distinct_after,
        "only_before": proof.only_before,
        "only_after": proof.only_after,
        "changed": [{"before": a, "after": b} for a, b in proof.changed],
    }


def _witness_names(proof: Any) -> dict:
    ws = getattr(proof, "witnesses", None) or []
    if not ws:
        return {}
    return {"witnesses": [f"{w.get('kind')} {(w.get('metadata') or {}).get('namespace', '')}/"
                          f"{(w.get('metadata') or {}).get('name')}".replace(" /", " ") for w in ws]}


def proof_counts(migrations: list, proofs: dict, *, attempted: bool) -> dict:
    """How many migrated jobs were proven identical, differ, are not proven (and why not), kept raw."""
    out = {"attempted": attempted, "identical": 0, "differs": 0, "unproven": 0, "not_made": 0,
           "kept_raw": sum(1 for m in migrations if m.status == "raw")}
    for m in migrations:
        p = proofs.get(m.job_name)
        if p is None:
            continue
        if getattr(p, "unproven", False):
            out["unproven"] += 1
        elif getattr(p, "pending", False) or getattr(p, "note", None):
            out["not_made"] += 1
        elif p.equivalent:
            out["identical"] += 1
        else:
            out["differs"] += 1
    return out


def proof_summary(counts: dict) -> str:
    """One line for the summary: what the proof showed, or that none was attempted."""
    if not counts["attempted"]:
        return "proof: none attempted (no --inventory or --cluster; exit status 0 says nothing about targets)"
    parts = [f"{counts['identical']} identical"]
    if counts["differs"]:
        parts.append(f"{counts['differs']} DIFFER")
    if counts["unproven"]:
        parts.append(f"{counts['unproven']} not proven (no target on this inventory or a placeholder value; "
                     "--witnesses synthesizes objects to prove them)")
    if counts["not_made"]:
        parts.append(f"{counts['not_made']} could not be made")
    return "proof: " + ", ".join(parts)


def report_data(migrations: list, proofs: dict, source: str, *, attempted: bool = False) -> dict:
    jobs = []
    for m in migrations:
        entry = {
            "job_name": m.job_name,
            "status": m.status,
            "resources": [{"kind": r.get("kind"), "namespace": (r.get("metadata") or {}).get("namespace"),
                           "name": (r.get("metadata") or {}).get("name")} for r in m.resources],
            "rendered_jobs": list(m.rendered_jobs),
            "reasons": list(m.reasons),
            "label_changes": list(m.label_changes),
            "source": {"file": m.file, "line": m.line},
        }
        if m.job_name in proofs:
            entry["proof"] = proof_json(proofs[m.job_name])
        jobs.append(entry)
    counts: dict[str, int] = {}
    for m in migrations:
        counts[m.status] = counts.get(m.status, 0) + 1
    return {"source": source, "summary": counts, "proof": proof_counts(migrations, proofs, attempted=attempted),
            "jobs": jobs}


def report_text(data: dict, *, markdown: bool = False) -> str:
    lines = []
    if markdown:
        lines += [f"## migrator migrate: `{data['source']}`", "",
                  "| job | result | resources | proof |", "|---|---|---|---|"]
        for j in data["jobs"]:
            res = ", ".join(f"{r['kind']} {r['namespace']}/{r['name']}" for r in j["resources"]) or "-"
            lines.append(f"| `{j['job_name']}` | {STATUS_TEXT.get(j['status'], j['status'])} | {res} | "
                         f"{_proof_word(j.get('proof'))} |")
        lines.append("")
        lines += [_summary_line(data), ""]
        for title, entries in (("Errors (exit status 1)", data.get("errors")), ("Warnings", data.get("warnings"))):
            if entries:
                lines += [f"**{title}**", ""] + [f"- `{e['job_name']}` ({e['source']}): {e['message']}"
                                                 for e in entries] + [""]
        for j in data["jobs"]:
            lines.append(f"### `{j['job_name']}` ({j['source']['file']}:{j['source']['line']})")
            lines += [f"- {r}" for r in j["reasons"]]
            lines += [f"- label change: {c}" for c in j["label_changes"]]
            lines += _proof_lines(j.get("proof"), prefix="- ")
            lines.append("")
        return "\n".join(lines) + "\n"
    for j in data["jobs"]:
        res = ", ".join(f"{r['kind']} {r['namespace']}/{r['name']}" for r in j["resources"])
        lines.append(f"job {j['job_name']} ({j['source']['file']}:{j['source']['line']}): "
                     f"{STATUS_TEXT.get(j['status'], j['status'])}" + (f" -> {res}" if res else ""))
        lines += [f"  - {r}" for r in j["reasons"]]
        lines += [f"  - label change: {c}" for c in j["label_changes"]]
        lines += _proof_lines(j.get("proof"), prefix="  ")
    lines.append(_summary_line(data))
    return "\n".join(lines) + "\n"


def _summary_line(data: dict) -> str:
    summary = ", ".join(f"{n} {STATUS_TEXT.get(s, s)}" for s, n in data["summary"].items())
    line = f"{len(data['jobs'])} job(s): {summary}"
    if data.get("proof"):
        line += "; " + proof_summary(data["proof"])
    return line


def _proof_word(proof: dict | None) -> str:
    if proof is None:
        return "not proven (no inventory)"
    if proof.get("unproven"):
        return f"not proven ({proof.get('note')})"
    if proof.get("equivalent") is None:
        return f"not proven ({proof.get('note')})"
    return "identical" if proof["equivalent"] else "DIFFERS"


def _proof_lines(proof: dict | None, *, prefix: str) -> list[str]:
    if proof is None:
        return []
    if proof.get("unproven"):
        return [f"{prefix}proof: not proven ({proof.get('note')})"]
    if proof.get("equivalent") is None:
        return [f"{prefix}proof: not made ({proof.get('note')})"]
    n_b, n_a = proof["targets_before"], proof["targets_after"]
    d_b, d_a = proof.get("distinct_targets_before", n_b), proof.get("distinct_targets_after", n_a)
    head = (f"{prefix}proof: {n_b} target(s) before" + (f" ({d_b} distinct scrape(s))" if d_b != n_b else "")
            + f", {n_a} after" + (f" ({d_a} distinct scrape(s))" if d_a != n_a else "") + ": "
            + ("identical labels" if proof["equivalent"] else "DIFFERENT")
            + (f" (on {len(proof['witnesses'])} witness object(s) added to the inventory)"
               if proof.get("witnesses") else ""))
    out = [head]
    for labels in proof["only_before"][:3]:
        out.append(f"{prefix}  only before: {_labels(labels)}")
    for labels in proof["only_after"][:3]:
        out.append(f"{prefix}  only after:  {_labels(labels)}")
    for change in proof["changed"][:3]:
        out.append(f"{prefix}  changed: {_labels(change['before'])}  ->  {_labels(change['after'])}")
    return out


def _labels(labels: dict) -> str:
    return "{" + ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"


def read_source(source: str, *, need_text: bool) -> tuple[list[Document], str | None, str]:
    """The source's documents, its text (to rewrite it) and its name: every input is read once (stdin
    cannot be read twice)."""
    if source != "-" and os.path.isdir(source):
        if need_text:
            raise InputError("--rewrite-source and --in-place need SOURCE to be one file, not a directory",
                             file=source, field="--rewrite-source")
        return load_documents([source]), None, source
    name, text = read_text(source)
    return list(expand_lists(parse_documents(text, name))), text, name


def _rewrite_target(source: str, rewrite_source: str | None, in_place: bool) -> tuple[str, bool] | None:
    """(file to write the rewritten source to, whether it is the source itself)."""
    if not (rewrite_source or in_place):
        return None
    if in_place and source == "-":
        raise InputError("--in-place needs a file, not stdin", field="--in-place")
    target = rewrite_source or source
    # the same file through a symlink is the same file: --in-place rewrites the file a link points to
    same = source != "-" and os.path.realpath(target) == os.path.realpath(source)
    if same and not in_place:
        raise InputError("that is the source itself: add --in-place to rewrite it (a .bak copy is kept)",
                         field="--rewrite-source")
    return target, same


def _verdicts(migrations: list, proofs: dict, *, allow_invalid_jobs: bool, allow_unproven: bool,
              allow_label_changes: bool) -> tuple[list[dict], list[dict]]:
    """(errors, warnings): what makes the exit status 1, and the same kinds of findings a flag allowed."""
    from migrator.migrate.core import INVALID_REASON

    errors: list[dict] = []
    warnings: list[dict] = []
    for m in migrations:
        where = f"{m.file}:{m.line}"
        if m.status == "failed":
            errors.append({"job_name": m.job_name, "source": where, "message": "could not be migrated"})
        elif m.status == "invalid":
            (warnings if allow_invalid_jobs else errors).append({
                "job_name": m.job_name, "source": where,
                "message": "invalid for Prometheus: " + "; ".join(r.removeprefix(INVALID_REASON) for r in m.reasons)
                           + (" (allowed by --allow-invalid-jobs)" if allow_invalid_jobs else "")})
        p = proofs.get(m.job_name)
        if p is None:
            continue
        if getattr(p, "pending", False) or getattr(p, "note", None):
            what = "not proven" if getattr(p, "unproven", False) else "proof not made"
            (warnings if allow_unproven else errors).append({
                "job_name": m.job_name, "source": where,
                "message": f"{what} ({p.note or 'not proven'})"
                           + (" (allowed by --allow-unproven)" if allow_unproven else "")})
        elif not p.equivalent:
            (warnings if allow_label_changes else errors).append({
                "job_name": m.job_name, "source": where,
                "message": "the migrated form does not scrape the same targets with the same labels"
                           + (" (allowed by --allow-label-changes)" if allow_label_changes else "")})
    return errors, warnings


def migrate(*, source: str, inventory: list[str] | None, cluster: bool, kubeconfig: str | None,
            context: str | None, namespace: str, labels: list[str], prometheus: str | None,
            prometheus_version: str | None, key: str | None, keep_raw: bool, adopt_operator_labels: bool,
            allow_label_changes: bool, out: str | None, force: bool, report: str | None,
            secrets_out: str | None, rewrite_source: str | None, in_place: bool,
            allow_invalid_jobs: bool = False, allow_unproven: bool = False, witnesses: bool = False,
            witnesses_out: str | None = None, operator_version: str | None = None) -> int:
    from migrator.migrate import MigrateOptions, migrate_jobs, prove
    from migrator.migrate.prove import NO_TARGET, prove_with_witnesses
    from migrator.presets import parse_label
    from migrator.progress import progress_bar
    from migrator.scrapeconfig import read_jobs, split_documents
    from migrator.version import Version

    label_map: dict[str, str] = {}
    for text in labels:
        k, v = parse_label(text)
        label_map[k] = v
    if not label_map:
        label_map = {"release": "kube-prometheus-stack"}
    if inventory and cluster:
        raise InputError("give --inventory or --cluster, not both", field="--cluster")
    stdin_users = [name for name, value in (("SOURCE", source), ("--prometheus", prometheus)) if value == "-"] + \
        ["--inventory" for i in inventory or [] if i == "-"]
    if len(stdin_users) > 1:
        raise InputError(f"stdin can be read only once: {' and '.join(stdin_users)} both name '-'",
                         field=stdin_users[-1])
    if report and not report.endswith((".json", ".md", ".markdown")):
        raise InputError("--report FILE must end in .json or .md", field="--report")
    if secrets_out is not None:
        refuse_secrets_on_stdout(secrets_out, "--secrets-out", needs="a FILE")
    if witnesses_out is not None:
        witnesses = True
        if witnesses_out == "-":
            raise InputError("--witnesses-out needs a FILE (stdout carries the resources)", field="--witnesses-out")
    if witnesses and not (inventory or cluster):
        raise InputError("--witnesses completes a proof: give --inventory FILE or --cluster", field="--witnesses")
    rewrite = _rewrite_target(source, rewrite_source, in_place)
    # every destination is checked before the (long) work, and again when the files are written
    early = OutputSet(force=force)
    if out:
        early.add_dir(out, field="--out")
    for dest, field in ((secrets_out, "--secrets-out"), (report, "--report"), (witnesses_out, "--witnesses-out"),
                        (rewrite[0] if rewrite else None, "--rewrite-source")):
        if dest:
            early.check(dest, field=field, force=force or bool(rewrite and field == "--rewrite-source" and rewrite[1]))
    docs, source_text, source_name = read_source(source, need_text=rewrite is not None)
    # the reader every command uses: the scrape config may be any document of a manifest
    raw_docs, object_docs, not_configs = split_documents(docs, key=key)
    objects = classify(object_docs)
    for line in objects.skipped_summary():
        _err(f"warning: {line}")
    if objects.monitors:
        _err(f"note: {len(objects.monitors)} monitor(s) in {source_name} left as they are (migrate reads raw "
             "scrape jobs)")
    if not raw_docs:
        if len(not_configs) == 1:
            raise not_configs[0]
        raise InputError("no scrape configuration found among its documents: expected scrape_configs, a list of "
                         "jobs, a Secret or ConfigMap holding one, or Helm values with scrape configs",
                         file=source_name)
    parsed = read_jobs(raw_docs, key=key)
    parsed.refuse_unusable()  # a field of the wrong type: not a scrape config (exit 2)
    if parsed.shape.startswith("helm-values") or len(docs) > 1:
        _err(f"note: {source_name}: scrape configs read from {parsed.shape}")
    for job in parsed.jobs:  # templating placeholders, as targets warns of them
        for p in job.placeholders:
            _err(f"warning: {p}")
    cr = None
    if prometheus:
        cr_doc = single_prometheus(classify(load_documents([prometheus])).prometheus)
        if cr_doc is None:
            raise InputError("no Prometheus object found", file=prometheus, field="--prometheus")
        cr = cr_doc.data
    elif objects.prometheus:  # a manifest holding the Prometheus CR the jobs run under
        cr_doc = single_prometheus(objects.prometheus)
        cr = cr_doc.data if cr_doc else None
    elif parsed.cr_spec is not None:  # kube-prometheus-stack values: the CR their prometheusSpec makes
        cr = {"apiVersion": "monitoring.coreos.com/v1", "kind": "Prometheus",
              "metadata": {"name": "kube-prometheus-stack-prometheus", "namespace": namespace},
              "spec": parsed.cr_spec}
    from migrator.schemas import parse_operator_version, resolve_operator

    if operator_version:
        parse_operator_version(operator_version)  # exit 2 before any work
    version_text = prometheus_version or (((cr or {}).get("spec") or {}).get("version"))
    version = Version.parse(version_text) if version_text else None
    inv = None
    cluster_operator = None
    if inventory:
        from migrator.progress import load_inventory_with_bar

        inv = load_inventory_with_bar(inventory)
    elif cluster:
        from migrator.discovery.needs import cluster_kinds
        from migrator.progress import load_cluster_with_bar

        inv = load_cluster_with_bar(kubeconfig=kubeconfig, context=context,  # what the jobs' discovery lists
                                    kinds=cluster_kinds(j.config for j in parsed.jobs))
        if not operator_version:
            from migrator.inventory import kube_api_client
            from migrator.schemas import cluster_operator_version

            cluster_operator = cluster_operator_version(kube_api_client(kubeconfig, context)[0])
    op_version, op_source = resolve_operator(operator_version, cluster=cluster_operator, cr=cr,
                                             helm_tag=parsed.operator_tag)
    _err(f"note: resources for prometheus-operator v{op_version} (from {op_source})")
    opts = MigrateOptions(operator_version=op_version, namespace=namespace, labels=label_map, keep_raw=keep_raw,
                          adopt_operator_labels=adopt_operator_labels, prometheus=cr, version=version,
                          inventory=inv, global_config=parsed.effective_global(((cr or {}).get("spec") or None)),
                          own_global=parsed.own_global)
    migrations = migrate_jobs(parsed.jobs, opts)
    by_name = {j.name: j for j in parsed.jobs}
    proofs: dict[str, Any] = {}
    if inv is not None:
        with progress_bar("proving", unit="jobs") as cb:
            for i, m in enumerate(migrations):
                job = by_name.get(m.job_name)
                if job is not None and m.status != "invalid":
                    p = prove(m, job, opts)
                    if p is not None and witnesses and getattr(p, "unproven", False) and NO_TARGET in p.note:
                        p = prove_with_witnesses(m, job, opts)
                    if p is not None:
                        proofs[m.job_name] = p
                if cb:
                    cb(i + 1, len(migrations))
    errors, warnings = _verdicts(migrations, proofs, allow_invalid_jobs=allow_invalid_jobs,
                                 allow_unproven=allow_unproven, allow_label_changes=allow_label_changes)
    data = report_data(migrations, proofs, source, attempted=inv is not None)
    data["errors"], data["warnings"] = errors, warnings
    data["shape"] = parsed.shape
    data["operator_version"] = op_version
    data["exit_status"] = 1 if errors else 0
    resources = [r for m in migrations for r in m.resources]
    secrets = [s for m in migrations for s in m.secrets]
    migrated = [m.job_name for m in migrations if m.status in ("exact", "relabelings", "scrapeconfig")]

    # every file is added (and checked) before any is written; they appear together
    outputs = OutputSet(force=force)
    dir_files = add_resource_dir(outputs, resources, out) if out else []
    if secrets and secrets_out:
        outputs.add(secrets_out, dump_yaml_all(secrets), field="--secrets-out", mode=0o600)
    witness_objs = [w for p in proofs.values() for w in getattr(p, "witnesses", None) or []]
    if witnesses_out:
        outputs.add(witnesses_out, dump_yaml_all(witness_objs) if witness_objs else "# no witness was needed\n",
                    field="--witnesses-out")
    if report:
        outputs.add(report, dump_json(data) if report.endswith(".json") else report_text(data, markdown=True),
                    field="--report")
    if rewrite is not None:
        from migrator.rewrite import remove_jobs_counted

        target, same = rewrite
        new, removed = remove_jobs_counted(source_text or "", migrated, name=source_name, key=key)
        if removed != len(migrated):
            raise InputError(f"found {removed} of the {len(migrated)} migrated job(s) where --rewrite-source can "
                             "remove them (this shape of source is not one it edits); nothing was written",
                             file=source_name, field="--rewrite-source")
        if not (same and new == source_text):  # nothing removed from the source itself: left untouched
            outputs.add(target, new, field="--rewrite-source", force=force or same)
    written = {w.shown: w for w in outputs.commit()}

    if out:
        _err(f"{len(dir_files)} resource(s) written to {out}/"
             + _backups_note([written[f] for f in dir_files if f in written]))
    elif resources:
        write_output(dump_yaml_all(resources), None)
    if secrets:
        if secrets_out:
            _err(f"{len(secrets)} Secret(s) with the credentials written to {secrets_out} (mode 0600)"
                 + _backups_note([written[secrets_out]]))
        else:
            names = ", ".join(f"{(s.get('metadata') or {}).get('namespace')}/{(s.get('metadata') or {}).get('name')}"
                              for s in secrets)
            _err(f"warning: the monitors reference {len(secrets)} Secret(s) ({names}) holding credentials "
                 "that were inline in the source; write them with --secrets-out FILE (never printed)")
    _err(report_text(data).rstrip("\n"))
    if witnesses_out:
        _err(f"{len(witness_objs)} witness object(s) written to {witnesses_out}" + _backups_note([written.get(witnesses_out)]))
    elif witness_objs:
        _err(f"{len(witness_objs)} witness object(s) added to the inventory for the proof (see them with "
             "--witnesses-out FILE)")
    if rewrite is not None:
        target, same = rewrite
        if target in written:
            _err(f"{target}: {len(migrated)} migrated job(s) removed" + _backups_note([written[target]]))
        else:
            _err(f"{target}: no migrated job to remove; left as it is")
    for e in warnings:
        _err(f"warning: job {e['job_name']} ({e['source']}): {e['message']}")
    for e in errors:
        _err(f"error: job {e['job_name']} ({e['source']}): {e['message']}")
    return 1 if errors else 0


def _backups_note(written: list) -> str:
    backups = [w.backup for w in written if w is not None and w.backup]
    return f" (previous content in {', '.join(backups)})" if backups else ""
