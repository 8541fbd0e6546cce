"""Proof that a migration keeps the job's targets and labels: evaluate both over an inventory, compare.

Before: the raw job through migrator.targets.evaluate_job. After: the resources rendered in portable mode
(credentials inlined from the migration's own Secrets, so no mount is needed) and every rendered job
evaluated the same way. Compared: what Prometheus scrapes, the multisets of the identities of each job's
distinct scrapes (kept targets with one final label set are one scrape: migrator.identity.scraped; the URL
Prometheus scrapes, and the labels the series get plus __scrape_interval__ / __scrape_timeout__).

Cost (issue 13): both forms are evaluated keeping only their kept targets (EvalOptions.kept_only), and the two
multisets are first compared by cheap exact keys (identity.same_scrapes); only when those differ are the
scrapes matched one by one (identity.match_targets), which is what is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from migrator.identity import (identity_labels, job_query, keyed_scrapes, match_targets, merged_targets,
                               same_scrapes, scraped, target_id)
from migrator.migrate.core import JobMigration, MigrateOptions
from migrator.redact import redact_data
from migrator.scrapeconfig import Job
from migrator.targets import EvalOptions, JobResult, _gc_paused, evaluate_job


@dataclass
class Proof:
    job_name: str
    before: JobResult
    after: list[JobResult]
    only_before: list[dict] = field(default_factory=list)
    only_after: list[dict] = field(default_factory=list)
    changed: list[tuple[dict, dict]] = field(default_factory=list)
    #: why the proof could not be made (render pending for ScrapeConfig, an evaluation error, no target)
    note: str = ""
    pending: bool = False
    #: both forms select no target on this inventory (or a placeholder value): nothing was compared
    unproven: bool = False
    #: the synthesized objects the proof added to the inventory (see migrate.witness), if any
    witnesses: list = field(default_factory=list)

    @property
    def distinct_before(self) -> int:
        """The distinct scrapes the original job's kept targets make (what is compared)."""
        return _distinct(self.before)

    @property
    def distinct_after(self) -> int:
        return sum(map(_distinct, self.after))

    def counts(self) -> str:
        """``12 target(s) before (5 distinct scrape(s)), 5 after`` (distinct counts only when some merge)."""
        n_b, n_a = len(self.before.kept), sum(len(a.kept) for a in self.after)
        d_b, d_a = self.distinct_before, self.distinct_after
        return (f"{n_b} target(s) before" + (f" ({d_b} distinct scrape(s))" if d_b != n_b else "")
                + f", {n_a} after" + (f" ({d_a} distinct scrape(s))" if d_a != n_a else ""))

    @property
    def proven(self) -> bool:
        """Identical on at least one target: a proof of something."""
        return self.equivalent and bool(self.before.kept)

    @property
    def equivalent(self) -> bool:
        """No difference found on the inventory (vacuously so when unproven: see proven)."""
        return (not self.note or self.unproven) and not self.only_before and not self.only_after and not self.changed \
            and not self.before.error and not any(a.error for a in self.after)

    def summary(self) -> str:
        if self.pending:
            return f"{self.job_name}: proof pending ({self.note})"
        if self.unproven:
            return f"{self.job_name}: not proven ({self.note})"
        if self.note:
            return f"{self.job_name}: no proof ({self.note})"
        n, d = len(self.before.kept), self.distinct_before
        if self.equivalent:
            return f"{self.job_name}: {n} target(s)" + (f" ({d} distinct scrape(s))" if d != n else "") + \
                ", identical labels"
        return (f"{self.job_name}: {len(self.only_before)} target(s) only before, {len(self.only_after)} only "
                f"after, {len(self.changed)} with changed labels")


def scrapes(results: list[JobResult]) -> list[tuple[dict, object]]:
    """(final labels, job params) of what the jobs scrape: each job's kept targets, those Prometheus merges
    (one final label set) once."""
    return [(t.labels, (r.config or {}).get("params")) for r in results for t in scraped(r.kept, lambda t: t.labels)]


def _distinct(r: JobResult) -> int:
    """How many distinct scrapes the job makes (JobResult.distinct, computed once)."""
    if r.distinct is None:
        r.distinct = merged_targets(t.labels for t in r.kept)[0]
    return r.distinct


def _keyed_scrapes(results: list[JobResult]) -> list[tuple[tuple, object, list[frozenset], list[dict]]]:
    """``scrapes`` per job, with their cheap keys: ``(job_query(params), params, identity keys, final labels)``
    (identity.same_scrapes); sets each result's ``distinct`` on the way."""
    out = []
    for r in results:
        params = (r.config or {}).get("params")
        keys, labels = keyed_scrapes([t.labels for t in r.targets if t.labels is not None])
        r.distinct = len(labels)
        out.append((job_query(params), params, keys, labels))
    return out


def compare(before: list[JobResult], after: list[JobResult]
            ) -> tuple[list[dict], list[dict], list[tuple[dict, dict]]]:
    """Scrapes only before, only after, and made on both sides with other labels (each shown by its
    identity labels, any URL credential in them redacted: the proof goes into the migrate report). Compared
    is what Prometheus scrapes (``scrapes``), not every discovered target."""
    with _gc_paused():
        old, new = _keyed_scrapes(before), _keyed_scrapes(after)
        same = same_scrapes([(q, keys) for q, _, keys, _ in old], [(q, keys) for q, _, keys, _ in new])
        old, new = [[(labels, p) for _, p, _, ls in side for labels in ls] for side in (old, new)] if not same \
            else ([], [])  # the keys freed while the collector is off (it would walk every one)
    if same:
        return [], [], []  # what match_targets would find, without identifying every target

    def shown(item: tuple[dict, object]) -> dict:
        return redact_data(identity_labels(item[0]))

    m = match_targets(old, new, lambda item: target_id(*item))
    return ([shown(x) for x in m.only_old], [shown(x) for x in m.only_new],
            [(shown(x), shown(y)) for x, y in m.changed()])


def _context(opts: MigrateOptions):
    from migrator.render import RenderContext

    return RenderContext.from_cr(opts.prometheus, version=str(opts.version) if opts.version else None)


def eval_options(opts: MigrateOptions, ctx=None, global_config: dict | None = None) -> EvalOptions:
    """How to evaluate the original job: its own file's global section (opts.global_config, else the one given,
    else the target Prometheus's); only kept targets are recorded (EvalOptions.kept_only: the proof compares
    their final labels and nothing else)."""
    from migrator.migrate.core import cr_global

    ctx = ctx or _context(opts)
    g = global_config if global_config is not None else opts.global_config
    if g is None:
        g = cr_global(ctx)
    return EvalOptions(version=opts.version or ctx.version, own_namespace=ctx.namespace, global_config=dict(g),
                       kept_only=True)


#: the note of a proof over no target (both forms select nothing on the inventory)
NO_TARGET = "no target on this inventory"


def placeholder_note(job: Job) -> str:
    """Why no proof is claimed for a job holding templating placeholders ("" when it holds none)."""
    from migrator.scrapeconfig import PLACEHOLDER_RE

    found = sorted({m.group(0) for p in job.placeholders for m in [PLACEHOLDER_RE.search(p.message)] if m})
    if not found:
        return ""
    return (f"placeholder value{'s' if len(found) > 1 else ''} {', '.join(found)}: substituted before Prometheus "
            "sees the job, so what it selects is not known here")


def no_target_note(job: Job, inventory) -> str:
    """NO_TARGET, with the kinds the job's discovery reads that the inventory holds none of."""
    from migrator.discovery.needs import missing_kinds

    missing = missing_kinds(job.config, inventory)
    if missing:
        return f"{NO_TARGET}: it holds no {' and no '.join(missing)}, which this job discovers"
    return NO_TARGET


def prove_with_witnesses(m: JobMigration, job: Job, opts: MigrateOptions, *,
                         global_config: dict | None = None) -> Proof | None:
    """The proof over the inventory plus objects synthesized from the job's rules (migrate.witness), for a job
    whose proof found no target; the proof carries the objects. Unprovable jobs keep a note saying why."""
    from dataclasses import replace

    from migrator.migrate.witness import with_witnesses, witnesses

    objs, notes = witnesses(job.config, job.name, m.resources, _context(opts).namespace)
    if not objs:
        p = prove(m, job, opts, global_config=global_config)
        if p is not None and p.unproven:
            p.note = f"unprovable with witnesses: {notes[0] if notes else 'no object could be synthesized'}"
        return p
    wopts = replace(opts, inventory=with_witnesses(opts.inventory, objs))
    p = prove(m, job, wopts, global_config=global_config)
    if p is None:
        return None
    p.witnesses = objs
    if p.unproven and NO_TARGET in p.note:
        p.note = (f"unprovable: none of the {len(objs)} witness object(s) gives a target either"
                  + (f" ({'; '.join(notes)})" if notes else ""))
    return p


def prove(m: JobMigration, job: Job, opts: MigrateOptions, *, global_config: dict | None = None,
          before: JobResult | None = None) -> Proof | None:
    """None without an inventory, or for a job kept raw or failed.

    A job whose two forms both select no target, or one holding a templating placeholder, is not proven
    (Proof.unproven, with the reason in Proof.note): identical on nothing proves nothing.
    """
    if opts.inventory is None or m.status in ("raw", "failed", "invalid"):
        return None
    from migrator.render import AssetStore, render_monitors

    from migrator.migrate.core import cr_global

    ctx = _context(opts)
    eo = eval_options(opts, ctx, global_config)
    # the migrated jobs run under the target Prometheus: its global interval and timeout
    eo_after = EvalOptions(version=eo.version, own_namespace=eo.own_namespace, global_config=cr_global(ctx),
                           kept_only=True)
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
    if proof.only_before or proof.only_after or proof.changed:
        return proof  # a difference is a finding, placeholders or not
    why = placeholder_note(job)
    if not why and not before.kept and not any(a.kept for a in proof.after):
        why = no_target_note(job, opts.inventory)
    if why:
        proof.note, proof.unproven = why, True
    return proof
