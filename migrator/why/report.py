"""Presenting diagnoses: text (a few lines each), JSON (schema migrator.why/v1), markdown."""

from __future__ import annotations

from migrator.why.model import Diagnosis

SCHEMA = "migrator.why/v1"


def _title(d: Diagnosis) -> str:
    ep = f" endpoint {d.endpoint}" if d.endpoint is not None else ""
    return f"{d.subject}{ep}"


def verdict(d: Diagnosis) -> str:
    if d.error:
        return f"cannot be evaluated: {d.error}"
    if d.ok:
        return f"scrapes {d.scraped} target(s)"
    return f"scrapes NOTHING: emptied at stage '{d.first_empty}'"


def funnel_line(d: Diagnosis) -> str:
    return " -> ".join(f"{s.name} {s.count}" for s in d.stages)


def text(diags: list[Diagnosis]) -> str:
    out = []
    for d in diags:
        out.append(f"{_title(d)}: {verdict(d)}  ({d.origin})")
        if d.stages:
            out.append(f"  funnel: {funnel_line(d)}")
        empty = d.first_empty
        for s in d.stages:
            if s.name == empty and s.note:
                out.append(f"  {s.name}: {s.note}")
        for f in d.findings:
            out.append(f"  {f.severity} {f.id}: {f.message}")
            if f.fix:
                where = f" ({f.fix.target['kind']} {f.fix.target['namespace'] + '/' if f.fix.target.get('namespace') else ''}" \
                        f"{f.fix.target['name']})" if f.fix.target else ""
                out.append(f"    fix{where}: {f.fix.summary}")
                if f.fix.yaml:
                    out.extend("      " + line for line in f.fix.yaml.rstrip("\n").split("\n"))
        out.append("")
    bad = sum(1 for d in diags if not d.ok)
    out.append(f"{len(diags)} checked: {len(diags) - bad} scrape something, {bad} scrape nothing")
    if any(f.fix and f.fix.patch for d in diags for f in d.findings):
        out.append(PATCH_NOTE)
    return "\n".join(out) + "\n"


PATCH_NOTE = ("fixes are merge patches of the object named (kubectl patch KIND NAME -n NS --type merge -p ...): "
              "null removes a key, a list replaces the whole list")


def to_json(diags: list[Diagnosis]) -> dict:
    return {"schema": SCHEMA, "subjects": [d.to_json() for d in diags],
            "summary": {"checked": len(diags), "scraping": sum(1 for d in diags if d.ok),
                        "not_scraping": sum(1 for d in diags if not d.ok)}}


def markdown(diags: list[Diagnosis]) -> str:
    out = ["# migrator why", ""]
    for d in diags:
        out += [f"## {_title(d)}", "", f"**{verdict(d)}** — `{d.origin}`", ""]
        if d.stages:
            out += ["| stage | count | note |", "|---|---:|---|"]
            for s in d.stages:
                mark = " **(empties)**" if s.name == d.first_empty else ""
                note = s.note.replace("|", "\\|")
                out.append(f"| {s.name}{mark} | {s.count} {s.unit} | {note} |")
            out.append("")
        for f in d.findings:
            out.append(f"- **{f.severity}** `{f.id}`: {f.message}")
            if f.fix:
                out.append(f"  - fix: {f.fix.summary}")
                if f.fix.yaml:
                    out += ["", "    ```yaml"] + ["    " + line for line in f.fix.yaml.rstrip("\n").split("\n")] + \
                        ["    ```", ""]
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"
