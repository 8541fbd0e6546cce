"""`migrator lint`: named, documented checks over monitors and scrape configs (pint / yamllint style).

Every rule is one module of migrator.lint.rules: ``RULE`` (a stable id such as ``monitor/release-label``, a
severity bug / warning / info, a summary, a one-paragraph explanation, and a failing and a passing example that
the tests run) and ``check(ctx)``, which yields findings. A rule never decides a Prometheus or operator rule
itself: it asks the project's authority (validate, the relabel authority and engine, the renderer,
`migrator why`, `migrator diff`'s findings) and names, places and grades the verdict.

Severity bug: the monitor or job scrapes nothing it was meant to (or Prometheus refuses it); warning: it
scrapes, but not as meant; info: worth a look.
"""

from __future__ import annotations

import importlib
from functools import lru_cache

from migrator.lint.model import BUG, INFO, RANK, SEVERITIES, WARNING, LintFinding, Rule

__all__ = ["BUG", "INFO", "RANK", "SEVERITIES", "WARNING", "LintFinding", "Rule", "all_rules", "rule", "run_rules"]


@lru_cache(maxsize=1)
def _modules() -> tuple:
    from migrator.lint.rules import MODULES
    return tuple(importlib.import_module(f"migrator.lint.rules.{m}") for m in MODULES)


def all_rules() -> list[Rule]:
    return [m.RULE for m in _modules()]


def rule(rule_id: str) -> Rule:
    for r in all_rules():
        if r.id == rule_id:
            return r
    from migrator.errors import InputError
    raise InputError(f"no lint rule {rule_id!r} (migrator lint --list-rules lists them)", field="RULE")


def run_rules(ctx, *, disabled: frozenset = frozenset()) -> list[LintFinding]:
    """Every enabled rule over ctx; findings sorted by file, line, rule."""
    out: list[LintFinding] = []
    for m in _modules():
        if m.RULE.id in disabled:
            continue
        if m.RULE.needs_inventory and ctx.inventory is None:
            continue
        out.extend(m.check(ctx))
    seen, unique = set(), []
    for f in out:
        key = (f.rule, f.file, f.line, f.message)
        if key not in seen:
            seen.add(key)
            unique.append(f)
    unique.sort(key=lambda f: (f.file, f.line, RANK.get(f.severity, 3), f.rule, f.message))
    return unique
