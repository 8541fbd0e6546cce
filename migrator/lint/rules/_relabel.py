"""Rules of a RuleList parsed by the relabel authority (a rule Prometheus refuses is monitor/invalid's or
job/invalid's finding, and skipped here)."""

from __future__ import annotations


def parsed(rl, version):
    """(index, raw, Rule) for every rule of rl that Prometheus accepts."""
    from migrator.errors import MigratorError
    from migrator.relabel import parse_rule

    out = []
    for i, raw in enumerate(rl.rules):
        if not isinstance(raw, dict):
            continue
        try:
            out.append((i, raw, parse_rule(raw, version=version, kind="metric" if rl.kind == "metric" else "target")))
        except (MigratorError, ValueError):
            continue
    return out
