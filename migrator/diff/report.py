"""How a diff is shown: a plan for people (text, colour on a TTY), JSON for tools, Markdown for a PR.

JSON schema ``migrator.diff/v1`` (keys always present, in this order)::

    {
      "schema": "migrator.diff/v1",
      "old": [str], "new": [str],                 # the inputs ("cluster" for --from-cluster)
      "targets_compared": bool,                   # an inventory or a cluster was given
      "pairs": [{"old": str, "new": [str], "paired_by": "name"|"mapping"|"map"|"overlap"}],
      "only_old": [{"job", "origin", "targets": int|null, "distinct_targets"?: int, "examples": [url]}],
      "only_new": [ same ],
      "jobs": [{"old", "new", "paired_by", "changed": bool, "compared_as_plain_yaml": bool,
                "fields": [{"path", "change": "added"|"removed"|"changed", "old"?, "new"?}],
                "rules": [{"section", "change": "inserted"|"removed"|"moved"|"changed",
                           "old_index", "new_index", "old"?, "new"?, "fields"?}],
                "warnings": [str]}],
      "targets": null | [{"old", "new": [str], "paired_by", "old_targets", "new_targets",  # kept targets
                          "old_distinct_targets", "new_distinct_targets", "common",  # distinct scrapes
                          "relabelled", "only_old": [url], "only_new": [url],
                          "labels": [{"label", "change", "targets", "examples": [{"target", "old", "new"}]}],
                          "errors": [str], "objects": {url: "pod ns/name"},  # behind only_old/only_new
                          "changed": bool}],
      "findings": [{"severity": "warning"|"info", "code", "subject", "message"}],
      "warnings": [str], "notes": [str],
      "verdict": {"differences": bool, "config": bool, "targets": bool, "labels": bool,
                  "fail_on": [str], "differing_jobs": [str], "exit_status": 0|1}
    }

Secret values, and the userinfo of every URL shown (migrator.redact), appear only as ``<redacted>``. Rules in "old"/"new" are normalised (defaults filled).
Compared target labels: those without a ``__`` prefix, plus ``__scrape_interval__`` and ``__scrape_timeout__``.
Compared targets: what Prometheus scrapes, one per distinct final label set of a job (kept targets that
Prometheus merges count once: migrator.identity.scraped); "common", "only_old", "only_new" and the label
counts are in those distinct scrapes, "old_targets"/"new_targets" count every kept target.
"jobs" is empty with --targets-only; "targets" is null without an inventory or cluster.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from io import StringIO
from typing import Any, Optional

from migrator.diff.configdiff import BY_OVERLAP, JobDiff, JobPair
from migrator.diff.findings import Finding
from migrator.diff.normalize import redact_text
from migrator.diff.targetdiff import TargetDiff
from migrator.redact import redact_data, redact_value

SCHEMA = "migrator.diff/v1"
HOW = {"name": "same name", "mapping": "migrate report mapping", "map": "--map",
       "overlap": "target overlap (automatic: check it, or pin it with --map)"}


@dataclass
class DiffReport:
    old: list[str]
    new: list[str]
    pairs: list[JobPair] = field(default_factory=list)
    only_old: list[dict] = field(default_factory=list)
    only_new: list[dict] = field(default_factory=list)
    jobs: list[JobDiff] = field(default_factory=list)
    targets: Optional[list[TargetDiff]] = None
    findings: list[Finding] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    fail_on: list[str] = field(default_factory=list)
    targets_only: bool = False

    # -- verdict ------------------------------------------------------------------------------

    @property
    def config_changed(self) -> bool:
        return any(j.changed for j in self.jobs) or bool(self.only_old or self.only_new)

    @property
    def targets_changed(self) -> bool:
        if self.targets is None:
            return False
        return any(t.targets_changed for t in self.targets) or \
            any(o.get("targets") for o in self.only_old + self.only_new)

    @property
    def labels_changed(self) -> bool:
        return self.targets is not None and any(t.labels_changed for t in self.targets)

    def counted(self) -> list[str]:
        """The kinds of difference that decide the exit status."""
        if self.fail_on:
            return list(self.fail_on)
        kinds = [] if self.targets_only else ["config"]
        if self.targets is not None:
            kinds += ["targets", "labels"]
        return kinds

    @property
    def differences(self) -> bool:
        flags = {"config": self.config_changed, "targets": self.targets_changed, "labels": self.labels_changed}
        return any(flags[k] for k in self.counted())

    def differing_jobs(self) -> list[str]:
        kinds = self.counted()
        out: dict[str, None] = {}
        if "config" in kinds:
            for j in self.jobs:
                if j.changed:
                    out[j.old] = None
        if self.targets is not None:
            for t in self.targets:
                if ("targets" in kinds and t.targets_changed) or ("labels" in kinds and t.labels_changed):
                    out[t.old] = None
        for o in self.only_old:
            if "config" in kinds or ("targets" in kinds and o.get("targets")):
                out[o["job"]] = None
        for o in self.only_new:
            if "config" in kinds or ("targets" in kinds and o.get("targets")):
                out[o["job"]] = None
        return list(out)

    @property
    def exit_status(self) -> int:
        return 1 if self.differences else 0

    # -- JSON -------------------------------------------------------------------------------

    def to_json(self) -> dict:
        # every string once more through the URL redaction: a message or a name may quote a URL too
        return redact_data(self._json())

    def _json(self) -> dict:
        return {
            "schema": SCHEMA,
            "old": list(self.old), "new": list(self.new),
            "targets_compared": self.targets is not None,
            "pairs": [{"old": p.old, "new": list(p.new), "paired_by": p.how} for p in self.pairs],
            "only_old": self.only_old, "only_new": self.only_new,
            "jobs": [] if self.targets_only else [j.to_json() for j in self.jobs],
            "targets": None if self.targets is None else [t.to_json() for t in self.targets],
            "findings": [f.to_json() for f in self.findings],
            "warnings": list(self.warnings), "notes": list(self.notes),
            "verdict": {"differences": self.differences, "config": self.config_changed,
                        "targets": self.targets_changed, "labels": self.labels_changed,
                        "fail_on": self.counted(), "differing_jobs": self.differing_jobs(),
                        "exit_status": self.exit_status},
        }


# ---------------------------------------------------------------------------
# Pieces of text


def _v(value: Any) -> str:
    value = redact_text(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def describe_rule(rule: Any) -> str:
    """One relabel rule on one line (normalised input: defaults are left out)."""
    if not isinstance(rule, dict):
        return _v(rule)
    r = redact_text(rule)
    action = r.get("action", "replace")
    src = r.get("source_labels") or []
    sep = r.get("separator", ";")
    srctext = (sep if sep != ";" else ";").join(src) if src else ""
    if sep != ";" and src:
        srctext += f" (separator {sep!r})"
    regex = r.get("regex", "(.*)")
    if action in ("keep", "drop"):
        return f"{action} if {srctext or '(empty)'} =~ {regex}"
    if action == "replace":
        value = r.get("replacement", "$1")
        if regex == "(.*)" and value == "$1":
            return f"{r.get('target_label')} <- {srctext or '(empty)'}"
        if not src and regex == "(.*)":
            return f"{r.get('target_label')} = {value!r}"
        return f"{r.get('target_label')} <- {srctext or '(empty)'} =~ {regex} => {value!r}"
    if action == "labelmap":
        return f"labelmap {regex} => {r.get('replacement', '$1')!r}"
    if action in ("labeldrop", "labelkeep"):
        return f"{action} {regex}"
    if action == "hashmod":
        return f"{r.get('target_label')} <- hash({srctext}) % {r.get('modulus')}"
    if action in ("lowercase", "uppercase", "keepequal", "dropequal"):
        return f"{action} {srctext} -> {r.get('target_label')}"
    return _v(r)


def _field_line(c) -> str:
    if c.change == "added":
        return f"+ {c.path}: {_v(c.new)}"
    if c.change == "removed":
        return f"- {c.path}: {_v(c.old)}"
    return f"~ {c.path}: {_v(c.old)} -> {_v(c.new)}"


def _rule_line(r) -> str:
    section = "" if r.section == "relabel_configs" else "metric "
    if r.change == "inserted":
        return f"+ {section}rule [{r.new_index}] {describe_rule(r.new)}"
    if r.change == "removed":
        return f"- {section}rule [{r.old_index}] {describe_rule(r.old)}"
    if r.change == "moved":
        return f"> {section}rule moved [{r.old_index}] -> [{r.new_index}]: {describe_rule(r.new)}"
    parts = "; ".join(f"{f.path} {_v(f.old)} -> {_v(f.new)}" for f in r.fields)
    return f"~ {section}rule [{r.old_index}] -> [{r.new_index}] {describe_rule(r.new)}  ({parts})"


def _label_lines(t: TargetDiff) -> list[str]:
    out = []
    for c in t.labels:
        ex = c.examples[0] if c.examples else {}
        if c.change == "added":
            vals = ", ".join(sorted({_v(e["new"]) for e in c.examples}))
            out.append(f"+ label {c.label} on {c.targets} target(s), e.g. {vals}")
        elif c.change == "removed":
            vals = ", ".join(sorted({_v(e["old"]) for e in c.examples}))
            out.append(f"- label {c.label} on {c.targets} target(s), was e.g. {vals}")
        else:
            vals = "; ".join(f"{_v(e['old'])} -> {_v(e['new'])}" for e in c.examples)
            out.append(f"~ label {c.label} on {c.targets} target(s): {vals}")
        del ex
    return out


def _kept_count(o: dict) -> str:
    """``3 target(s)``, or ``3 target(s) (2 distinct scrape(s))`` when Prometheus merges some."""
    n, d = o.get("targets"), o.get("distinct_targets", o.get("targets"))
    return f"{n} target(s)" + (f" ({d} distinct scrape(s))" if d != n else "")


def _kept_cell(o: dict) -> str:
    return "—" if o.get("targets") is None else _kept_count(o)


def _obj(t: TargetDiff, url: str) -> str:
    return f": {t.objects[url]}" if url in t.objects else ""


def summary_lines(rep: DiffReport) -> list[str]:
    """One line per job pair and per one-sided job: what a reviewer reads first."""
    out = []
    tmap = {t.old: t for t in rep.targets or []}
    for p in rep.pairs:
        head = f"job: {p.old} -> {', '.join(p.new)}"
        t = tmap.get(p.old)
        bits = []
        if not rep.targets_only:
            diffs = [j for j in rep.jobs if j.old == p.old]
            nf = sum(len(j.fields) for j in diffs)
            counts: dict[str, int] = {}
            for j in diffs:
                for r in j.rules:
                    counts[r.change] = counts.get(r.change, 0) + 1
            cfg = ([f"{nf} field(s)"] if nf else []) + [f"{n} rule(s) {k}" for k, n in counts.items()]
            bits.append("config: " + (", ".join(cfg) if cfg else "same"))
        if t is not None:
            bits.insert(0, t.brief())
        out.append(f"{head} {bits[0]}" if t is not None else f"{head}: {bits[0]}")
        out[-1] += "".join(f" | {b}" for b in bits[1:])
    for side, items in (("OLD", rep.only_old), ("NEW", rep.only_new)):
        verb = "no longer scraped" if side == "OLD" else "newly scraped"
        for o in items:
            n = o.get("targets")
            out.append(f"job: {o['job']} only in {side}" + (f": {_kept_count(o)} {verb}" if n is not None else ""))
    return out


def _style(line: str) -> str:
    s = line.lstrip()
    if s.startswith("+"):
        return "green"
    if s.startswith("-"):
        return "red"
    if s.startswith("~") or s.startswith(">"):
        return "yellow"
    if s.startswith("warning"):
        return "magenta"
    return ""


def plan_lines(rep: DiffReport) -> list[str]:
    """The plan, line by line; any URL credential a line still quotes (a message, a name) is redacted."""
    return [redact_value(line) for line in _plan_lines(rep)]


def _plan_lines(rep: DiffReport) -> list[str]:
    lines = [f"migrator diff: OLD {' '.join(rep.old)}  ->  NEW {' '.join(rep.new)}", ""]
    summary = summary_lines(rep)
    if summary:
        lines.append("Summary:")
        lines += ["  " + s for s in summary]
        lines.append("")
    auto = [p for p in rep.pairs if p.how == BY_OVERLAP]
    if auto:
        lines.append("Jobs paired automatically by kept-target overlap (names differ; pin with --map OLD=NEW):")
        lines += [f"  {p.old} -> {', '.join(p.new)}" for p in auto]
        lines.append("")
    targets = {(t.old, tuple(t.new)): t for t in (rep.targets or [])}
    by_pair: dict[tuple, list[JobDiff]] = {}
    for j in rep.jobs:
        by_pair.setdefault(j.old, []).append(j)
    for p in rep.pairs:
        diffs = by_pair.get(p.old, [])
        t = targets.get((p.old, tuple(p.new)))
        changed = any(j.changed for j in diffs) if not rep.targets_only else False
        changed = changed or (t is not None and t.changed)
        mark = "~" if changed else "="
        lines.append(f"{mark} job {p.old} -> {', '.join(p.new)}   [paired by {HOW.get(p.how, p.how)}]")
        if not rep.targets_only:
            for j in diffs:
                prefix = f"    (vs {j.new})" if len(p.new) > 1 else None
                body = [_field_line(c) for c in j.fields] + [_rule_line(r) for r in j.rules] + \
                    [f"warning: {w}" for w in j.warnings]
                if prefix and body:
                    lines.append(prefix)
                lines += ["    " + b for b in body]
        if t is not None:
            lines.append("    targets: " + t.summary().split(": ", 2)[-1])
            lines += ["      " + x for x in _label_lines(t)]
            for url in t.only_old[:3]:
                lines.append(f"      - target {url} (only in OLD{_obj(t, url)})")
            if len(t.only_old) > 3:
                lines.append(f"      - ... {len(t.only_old) - 3} more only in OLD")
            for url in t.only_new[:3]:
                lines.append(f"      + target {url} (only in NEW{_obj(t, url)})")
            if len(t.only_new) > 3:
                lines.append(f"      + ... {len(t.only_new) - 3} more only in NEW")
            lines += [f"      warning: {e}" for e in t.errors]
        if not changed:
            lines.append("    no difference")
        lines.append("")
    for mark, side, items in (("-", "OLD", rep.only_old), ("+", "NEW", rep.only_new)):
        for o in items:
            what = ""
            if o.get("targets") is not None:
                verb = "no longer scraped" if side == "OLD" else "newly scraped"
                what = f": {_kept_count(o)} {verb}" + \
                    (f", e.g. {', '.join(o['examples'])}" if o.get("examples") else "")
            lines.append(f"{mark} job {o['job']} only in {side} ({o.get('origin') or '?'}){what}")
    if rep.only_old or rep.only_new:
        lines.append("")
    if rep.findings:
        lines.append("Findings (NEW):")
        lines += [f"  {f.severity}: {f}" for f in rep.findings]
        lines.append("")
    for n in rep.notes:
        lines.append(f"note: {n}")
    for w in rep.warnings:
        lines.append(f"warning: {w}")
    if rep.notes or rep.warnings:
        lines.append("")
    lines.append(verdict_line(rep))
    return lines


def verdict_line(rep: DiffReport) -> str:
    if not rep.differences:
        return f"No differences ({', '.join(rep.counted()) or 'nothing'} compared)."
    flags = [k for k, v in (("config", rep.config_changed), ("targets", rep.targets_changed),
                            ("labels", rep.labels_changed)) if v and k in rep.counted()]
    return f"Differences ({', '.join(flags)}) in job(s): {', '.join(rep.differing_jobs())}"


def render_text(rep: DiffReport, *, color: bool = False, width: int = 160) -> str:
    lines = plan_lines(rep)
    if not color:
        return "\n".join(lines).rstrip() + "\n"
    from rich.console import Console
    from rich.text import Text

    buf = StringIO()
    console = Console(file=buf, force_terminal=True, width=width, highlight=False, soft_wrap=True)
    for line in lines:
        style = _style(line) if not line.startswith(("~ job", "= job")) else "bold"
        console.print(Text(line, style=style))
    return buf.getvalue()


def render_json(rep: DiffReport) -> str:
    return json.dumps(rep.to_json(), indent=2, ensure_ascii=False) + "\n"


def render_markdown(rep: DiffReport) -> str:
    """A PR comment: a verdict, a table of jobs, the plan in a diff block."""
    status = "✅ no differences" if not rep.differences else "⚠️ " + verdict_line(rep)
    out = ["### migrator diff", "", status, ""]
    if rep.pairs or rep.only_old or rep.only_new:
        out += ["| OLD job | NEW job | paired by | config | targets |", "|---|---|---|---|---|"]
        tmap = {t.old: t for t in rep.targets or []}
        for p in rep.pairs:
            cfg = "changed" if any(j.changed for j in rep.jobs if j.old == p.old) else "same"
            t = tmap.get(p.old)
            tcell = "—" if t is None else (t.summary().split(": ", 2)[-1])
            out.append(f"| `{p.old}` | {', '.join(f'`{n}`' for n in p.new)} | {p.how} | {cfg} | {tcell} |")
        for o in rep.only_old:
            out.append(f"| `{o['job']}` | — | | removed | {_kept_cell(o)} |")
        for o in rep.only_new:
            out.append(f"| — | `{o['job']}` | | added | {_kept_cell(o)} |")
        out.append("")
    out += ["<details><summary>Plan</summary>", "", "```diff"]
    out += [line.replace("```", "'''") for line in plan_lines(rep)]
    out += ["```", "", "</details>", ""]
    return "\n".join(redact_value(line) for line in out)
