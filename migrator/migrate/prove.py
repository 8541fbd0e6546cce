"""Proof that a migration keeps the job's targets and labels: evaluate both over an inventory, compare.

Before: the raw job through migrator.targets.evaluate_job. After: the resources rendered in portable mode
(credentials inlined from the migration's own Secrets, so no mount is needed) and every rendered job
evaluated the same way. Compared: the multisets of the kept targets' identities (migrator.identity: the URL
Prometheus scrapes, and the labels the series get plus __scrape_interval__ / __scrape_timeout__).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from migrator.identity import identity_labels, match_targets, target_id
from migrator.migrate.core import JobMigration, MigrateOptions
from migrator.redact import redact_data
from migrator.scrapeconfig import Job
from migrator.targets import EvalOptions, JobResult, evaluate_job


@dataclass
class Proof:
    job_name: str
    before: JobResult
    after: list[JobResult]
    only_before: list[dict] = field(default_factory=list)
    only_after: list[dict] = field(default_factory=list)
    changed: list[tuple[dict, dict]] = field(default_factory=list)
    #: why the proof could not be made (render pending for ScrapeConfig, an evaluation error)
    note: str = ""
    pending: bool = False

    @property
    def equivalent(self) -> bool:
        return not self.note and not self.only_before and not self.only_after and not self.changed \
            and not self.before.error and not any(a.error for a in self.after)

    def summary(self) -> str:
        if self.pending:
            return f"{self.job_name}: proof pending ({self.note})"
        if self.note:
            return f"{self.job_name}: no proof ({self.note})"
        n = len(self.before.kept)
        if self.equivalent:
            return f"{self.job_name}: {n} target(s), identical labels"
        return (f"{self.job_name}: {len(self.only_before)} target(s) only before, {len(self.only_after)} only "
                f"after, {len(self.changed)} with changed labels")


def compare(before: list[JobResult], after: list[JobResult]
            ) -> tuple[list[dict], list[dict], list[tuple[dict, dict]]]:
    """Targets only before, only after, and scraped on both sides with other labels (each shown by its
    identity labels, any URL credential in them redacted: the proof goes into the migrate report)."""
    def kept(results: list[JobResult]) -> list[tuple[dict, object]]:
        return [(t.labels, (r.config or {}).get("params")) for r in results for t in r.kept]

    def shown(item: tuple[dict, object]) -> dict:
        return redact_data(identity_labels(item[0]))

    m = match_targets(kept(before), kept(after), lambda item: target_id(*item))
    return ([shown(x) for x in m.only_old], [shown(x) for x in m.only_new],
            [(shown(x), shown(y)) for x, y in m.changed()])


def _context(opts: MigrateOptions):
    from migrator.render import RenderContext

    return RenderContext.from_cr(opts.prometheus, version=str(opts.version) if opts.version else None)


def eval_options(opts: MigrateOptions, ctx=None, global_config: dict | None = None) -> EvalOptions:
    """How to evaluate the original job: its own file's global section (opts.global_config, else the one given,
    else the target Prometheus's)."""
    from migrator.migrate.core import cr_global

    ctx = ctx or _context(opts)
    g = global_config if global_config is not None else opts.global_config
    if g is None:
        g = cr_global(ctx)
    return EvalOptions(version=opts.version or ctx.version, own_namespace=ctx.namespace, global_config=dict(g))


def prove(m: JobMigration, job: Job, opts: MigrateOptions, *, global_config: dict | None = None,
          before: JobResult | None = None) -> Proof | None:
    """None without an inventory, or for a job kept raw or failed."""
    if opts.inventory is None or m.status in ("raw", "failed"):
        return None
    from migrator.render import AssetStore, render_monitors

    from migrator.migrate.core import cr_global

    ctx = _context(opts)
    eo = eval_options(opts, ctx, global_config)
    # the migrated jobs run under the target Prometheus: its global interval and timeout
    eo_after = EvalOptions(version=eo.version, own_namespace=eo.own_namespace, global_config=cr_global(ctx))
    if before is None:
        before = evaluate_job(job.config, f"{job.file}:{job.line}", opts.inventory, eo)
    proof = Proof(job.name, before, [])
    try:
        result = render_monitors(m.resources, ctx, AssetStore(secrets=m.secrets), mode="portable",
                                 inline_secrets=True)
    except Exception as exc:  # an InputError from the renderer: the migration is wrong
        proof.note = f"render failed: {exc}"
        return proof
    rendered = [j for j in result.jobs if j.get("job_name") in m.rendered_jobs]
    if len(rendered) < len(m.rendered_jobs):
        missing = [n for n in m.rendered_jobs if n not in {j.get("job_name") for j in rendered}]
        proof.pending = any(n.startswith("scrapeConfig/") for n in missing)
        proof.note = ("ScrapeConfig rendering is not available in migrator.render yet" if proof.pending
                      else f"render gave no job {missing[0]}")
        return proof
    proof.after = [evaluate_job(j, f"{m.file}:{m.line} (migrated)", opts.inventory, eo_after) for j in rendered]
    if before.error:
        proof.note = f"original job: {before.error}"
        return proof
    for a in proof.after:
        if a.error:
            proof.note = f"migrated job {a.job}: {a.error}"
            return proof
    proof.only_before, proof.only_after, proof.changed = compare([before], proof.after)
    return proof
