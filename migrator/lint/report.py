"""Presentations of lint findings: text (file:line), json, markdown, SARIF 2.1.0, GitHub workflow commands."""

from __future__ import annotations

from collections import Counter

from migrator.lint.model import RANK, SEVERITIES, LintFinding, Rule

SCHEMA = "migrator.lint/v1"


def summary(findings: list[LintFinding]) -> dict:
    c = Counter(f.severity for f in findings)
    return {"findings": len(findings), **{s: c.get(s, 0) for s in SEVERITIES}}


def _summary_line(findings: list[LintFinding]) -> str:
    s = summary(findings)
    if not findings:
        return "no findings"
    return f"{s['findings']} finding(s): {s['bug']} bug, {s['warning']} warning, {s['info']} info"


def text(findings: list[LintFinding]) -> str:
    out = []
    for f in findings:
        subject = f" ({f.subject})" if f.subject else ""
        out.append(f"{f.where}: {f.severity}: {f.rule}: {f.message}{subject}")
        if f.fix:
            out.append(f"    fix: {f.fix}")
    out.append(_summary_line(findings))
    return "\n".join(out) + "\n"


def to_json(findings: list[LintFinding]) -> dict:
    return {"schema": SCHEMA, "findings": [f.to_json() for f in findings], "summary": summary(findings)}


def _md_cell(s: str) -> str:
    return s.replace("|", "\\|").replace("\n", " ")


def markdown(findings: list[LintFinding]) -> str:
    out = ["### migrator lint", ""]
    if not findings:
        return "\n".join(out + ["No findings.", ""])
    out += [_summary_line(findings), "", "| severity | rule | where | subject | message |",
            "|---|---|---|---|---|"]
    for f in findings:
        out.append(f"| {f.severity} | `{f.rule}` | `{_md_cell(f.where)}` | {_md_cell(f.subject)} | "
                   f"{_md_cell(f.message)}{' — fix: ' + _md_cell(f.fix) if f.fix else ''} |")
    return "\n".join(out) + "\n"


_SARIF_LEVEL = {"bug": "error", "warning": "warning", "info": "note"}


def _uri(path: str) -> str:
    """A SARIF artifact URI: a relative path as a relative reference (what code scanning maps to the
    repository), an absolute one as a file: URI."""
    import os
    from urllib.parse import quote

    p = path.replace(os.sep, "/")
    return ("file://" + quote(p)) if os.path.isabs(path) else quote(p)


def sarif(findings: list[LintFinding], rules: list[Rule], version: str) -> dict:
    index = {r.id: i for i, r in enumerate(rules)}
    results = []
    for f in findings:
        loc = {"physicalLocation": {"artifactLocation": {"uri": _uri(f.file)}}}
        if f.line:
            loc["physicalLocation"]["region"] = {"startLine": f.line}
        res = {"ruleId": f.rule, "level": _SARIF_LEVEL[f.severity], "message": {"text": f.message},
               "locations": [loc]}
        if f.rule in index:
            res["ruleIndex"] = index[f.rule]
        if f.subject or f.fix:
            res["properties"] = {k: v for k, v in (("subject", f.subject), ("fix", f.fix)) if v}
        results.append(res)
    driver = {
        "name": "migrator", "version": version,
        "rules": [{"id": r.id, "name": r.id.replace("/", "-"), "shortDescription": {"text": r.summary},
                   "fullDescription": {"text": " ".join(r.explanation.split())}, "help": {"text": r.doc},
                   "defaultConfiguration": {"level": _SARIF_LEVEL[r.severity]},
                   "properties": {"severity": r.severity}} for r in rules],
    }
    return {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
            "runs": [{"tool": {"driver": driver}, "results": results}]}


def _esc_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _esc_prop(s: str) -> str:
    return _esc_data(s).replace(":", "%3A").replace(",", "%2C")


_GITHUB = {"bug": "error", "warning": "warning", "info": "notice"}


def github(findings: list[LintFinding]) -> str:
    """GitHub Actions workflow commands: one annotation per finding, on its file and line."""
    out = []
    for f in findings:
        props = [f"file={_esc_prop(f.file)}"]
        if f.line:
            props.append(f"line={f.line}")
        props.append(f"title={_esc_prop(f.rule)}")
        msg = f.message + (f" ({f.subject})" if f.subject else "") + (f"\nfix: {f.fix}" if f.fix else "")
        out.append(f"::{_GITHUB[f.severity]} {','.join(props)}::{_esc_data(msg)}")
    out.append(_summary_line(findings))
    return "\n".join(out) + "\n"


def rule_list(rules: list[Rule]) -> str:
    width = max(len(r.id) for r in rules)
    return "".join(f"{r.id:<{width}}  {r.severity:<7}  {r.summary}\n" for r in rules)


def at_or_above(findings: list[LintFinding], level: str) -> bool:
    return any(RANK[f.severity] <= RANK[level] for f in findings)
