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
from migrator.sources import load_documents, read_text
from migrator.writers import dump_json, dump_yaml, dump_yaml_all, write_output

STATUS_TEXT = {
    "exact": "exact",
    "relabelings": "with relabelings",
    "scrapeconfig": "ScrapeConfig",
    "raw": "kept raw",
    "failed": "FAILED",
}


def _err(message: str) -> None:
    print(message, file=sys.stderr)


def resource_filename(obj: dict) -> str:
    md = obj.get("metadata") or {}
    return f"{str(obj.get('kind', 'object')).lower()}-{md.get('namespace', 'default')}-{md.get('name', 'unnamed')}.yaml"


def write_resource_dir(resources: list[dict], out_dir: str, *, force: bool) -> list[str]:
    """One file per resource, ready for `kubectl apply -f DIR`. Existing files need --force (and get a .bak)."""
    path = Path(out_dir)
    if path.exists() and not path.is_dir():
        raise InputError("exists and is not a directory", file=out_dir, field="--out")
    path.mkdir(parents=True, exist_ok=True)
    written = []
    for obj in resources:
        target = path / resource_filename(obj)
        write_output(dump_yaml(obj), str(target), force=force)
        written.append(str(target))
    return written


def proof_json(proof: Any) -> dict | None:
    if proof is None:
        return None
    if getattr(proof, "pending", False) or getattr(proof, "note", None):
        return {"equivalent": None, "note": proof.note or "not proven"}
    return {
        "equivalent": proof.equivalent,
        "targets_before": len(proof.before.kept) if proof.before else 0,
        "targets_after": sum(len(r.kept) for r in proof.after),
        "only_before": proof.only_before,
        "only_after": proof.only_after,
        "changed": [{"before": a, "after": b} for a, b in proof.changed],
    }


def report_data(migrations: list, proofs: dict, source: str) -> dict:
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
    return {"source": source, "summary": counts, "jobs": jobs}


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
    summary = ", ".join(f"{n} {STATUS_TEXT.get(s, s)}" for s, n in data["summary"].items())
    lines.append(f"{len(data['jobs'])} job(s): {summary}")
    return "\n".join(lines) + "\n"


def _proof_word(proof: dict | None) -> str:
    if proof is None:
        return "not proven (no inventory)"
    if proof.get("equivalent") is None:
        return f"not proven ({proof.get('note')})"
    return "identical" if proof["equivalent"] else "DIFFERS"


def _proof_lines(proof: dict | None, *, prefix: str) -> list[str]:
    if proof is None:
        return []
    if proof.get("equivalent") is None:
        return [f"{prefix}proof: not made ({proof.get('note')})"]
    head = (f"{prefix}proof: {proof['targets_before']} target(s) before, {proof['targets_after']} after: "
            + ("identical labels" if proof["equivalent"] else "DIFFERENT"))
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


def migrate(*, source: str, inventory: list[str] | None, cluster: bool, kubeconfig: str | None,
            context: str | None, namespace: str, labels: list[str], prometheus: str | None,
            prometheus_version: str | None, key: str | None, keep_raw: bool, adopt_operator_labels: bool,
            allow_label_changes: bool, out: str | None, force: bool, report: str | None,
            secrets_out: str | None, rewrite_source: str | None, in_place: bool) -> int:
    from migrator.migrate import MigrateOptions, migrate_jobs, prove
    from migrator.presets import parse_label
    from migrator.progress import progress_bar
    from migrator.scrapeconfig import read_jobs
    from migrator.version import Version

    label_map: dict[str, str] = {}
    for text in labels:
        k, v = parse_label(text)
        label_map[k] = v
    if not label_map:
        label_map = {"release": "kube-prometheus-stack"}
    if inventory and cluster:
        raise InputError("give --inventory or --cluster, not both", field="--cluster")
    if in_place and source == "-":
        raise InputError("--in-place needs a file, not stdin", field="--in-place")
    if report and not report.endswith((".json", ".md", ".markdown")):
        raise InputError("--report FILE must end in .json or .md", field="--report")
    docs = load_documents([source])
    parsed = read_jobs(docs, key=key)
    cr = None
    if prometheus:
        cr_doc = single_prometheus(classify(load_documents([prometheus])).prometheus)
        if cr_doc is None:
            raise InputError("no Prometheus object found", file=prometheus, field="--prometheus")
        cr = cr_doc.data
    version_text = prometheus_version or (((cr or {}).get("spec") or {}).get("version"))
    version = Version.parse(version_text) if version_text else None
    inv = None
    if inventory:
        from migrator.inventory import load_inventory

        with progress_bar("loading inventory") as cb:
            inv = load_inventory(inventory, progress=cb)
    elif cluster:
        from migrator.inventory import load_cluster

        with progress_bar("listing cluster objects", unit="kinds") as cb:
            inv = load_cluster(kubeconfig=kubeconfig, context=context, progress=cb)
    opts = MigrateOptions(namespace=namespace, labels=label_map, keep_raw=keep_raw,
                          adopt_operator_labels=adopt_operator_labels, prometheus=cr, version=version,
                          inventory=inv, global_config=parsed.global_config or {})
    migrations = migrate_jobs(parsed.jobs, opts)
    by_name = {j.name: j for j in parsed.jobs}
    proofs: dict[str, Any] = {}
    if inv is not None:
        with progress_bar("proving", unit="jobs") as cb:
            for i, m in enumerate(migrations):
                job = by_name.get(m.job_name)
                if job is not None:
                    p = prove(m, job, opts)
                    if p is not None:
                        proofs[m.job_name] = p
                if cb:
                    cb(i + 1, len(migrations))
    data = report_data(migrations, proofs, source)
    resources = [r for m in migrations for r in m.resources]
    secrets = [s for m in migrations for s in m.secrets]
    # outputs: monitors, then the secrets file, the report, the rewritten source
    if out:
        written = write_resource_dir(resources, out, force=force)
        _err(f"{len(written)} resource(s) written to {out}/")
    elif resources:
        write_output(dump_yaml_all(resources), None)
    if secrets:
        if secrets_out:
            write_output(dump_yaml_all(secrets), secrets_out, force=force, mode=0o600)
            _err(f"{len(secrets)} Secret(s) with the credentials written to {secrets_out} (mode 0600)")
        else:
            names = ", ".join(f"{(s.get('metadata') or {}).get('namespace')}/{(s.get('metadata') or {}).get('name')}"
                              for s in secrets)
            _err(f"warning: the monitors reference {len(secrets)} Secret(s) ({names}) holding credentials "
                 "that were inline in the source; write them with --secrets-out FILE (never printed)")
    _err(report_text(data).rstrip("\n"))
    if report:
        text = dump_json(data) if report.endswith(".json") else report_text(data, markdown=True)
        write_output(text, report, force=force)
    if rewrite_source or in_place:
        from migrator.rewrite import remove_jobs

        migrated = [m.job_name for m in migrations if m.status in ("exact", "relabelings", "scrapeconfig")]
        target = rewrite_source or source
        same = source != "-" and os.path.abspath(target) == os.path.abspath(source)
        if same and not in_place:
            raise InputError("that is the source itself: add --in-place to rewrite it (a .bak copy is kept)",
                             field="--rewrite-source")
        name, text = read_text(source)
        new = remove_jobs(text, migrated, name=name, key=key)
        write_output(new, target, force=force or same)
        _err(f"{target}: {len(migrated)} migrated job(s) removed" + (" (previous content in .bak)" if same else ""))
    failed = [m for m in migrations if m.status == "failed"]
    differing = [name for name, p in proofs.items()
                 if not getattr(p, "pending", False) and not getattr(p, "note", None) and not p.equivalent]
    for name in differing:
        _err(f"error: job {name}: the migrated form does not scrape the same targets with the same labels"
             + ("" if not allow_label_changes else " (allowed by --allow-label-changes)"))
    if failed:
        return 1
    if differing and not allow_label_changes:
        return 1
    return 0
