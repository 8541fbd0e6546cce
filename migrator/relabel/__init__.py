"""The relabel engine: Prometheus relabeling, label for label (semantics.md Part 1).

Public API:

* ``check_rule(raw, *, version=None, path=()) -> list[RuleProblem]``: THE authority on what
  Prometheus accepts as a relabel rule (every problem, with its path, in Prometheus's words);
  validate and render call it, parse_rule raises its first problem.
* ``parse_rule(raw, *, version=None, scheme=None, text_of=None) -> Rule`` and
  ``parse_rules(raw_list, ...) -> list[Rule]``: load-time parsing and validation, raising
  ``ConfigError`` with Prometheus's message.
* ``relabel(labels, rules) -> dict | None`` (None = dropped) and
  ``relabel_trace(labels, rules) -> (result | None, dropped_by_index | None, steps)``.
* ``job_defaults(job, *, version) -> dict``, ``populate_labels(discovered, job, *, version)
  -> (labels | None, reason)`` and ``populate_target(...) -> TargetResult``: what the scrape
  layer does around relabeling.
"""

from migrator.relabel.engine import (Step, go_lower, go_upper, hashmod, relabel, relabel_index,
                                     relabel_trace)
from migrator.relabel.regex import Regex, RegexError, compile_regex
from migrator.relabel.rules import (ACTIONS, Rule, RuleProblem, check_rule, check_rules, go_quote,
                                    is_legacy_name, is_template_target, is_utf8_name, parse_rule,
                                    parse_rules)
from migrator.relabel.target import (TargetResult, format_duration, job_defaults, parse_duration,
                                     populate_labels, populate_target, populate_targets,
                                     pre_relabel_labels,
                                     scrape_url)
from migrator.relabel.template import Template

__all__ = [
    "ACTIONS", "Regex", "RegexError", "Rule", "RuleProblem", "Step", "TargetResult", "Template",
    "check_rule", "check_rules", "compile_regex", "go_quote",
    "format_duration", "go_lower", "go_upper", "hashmod", "is_legacy_name", "is_template_target",
    "is_utf8_name", "job_defaults", "parse_duration", "parse_rule", "parse_rules", "populate_labels",
    "populate_target", "populate_targets", "pre_relabel_labels", "relabel", "relabel_index",
    "relabel_trace", "scrape_url",
]
