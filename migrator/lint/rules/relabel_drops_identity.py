from migrator.lint.model import BUG, WARNING, Rule

RULE = Rule(
    id="relabel/drops-identity", severity=WARNING,
    summary="labeldrop/labelkeep that removes job, instance, __address__ or __name__",
    explanation="""A labeldrop whose regex matches (or a labelkeep whose regex misses) `job` or `instance`
    removes the labels that tell targets apart: series of different targets collide, `up` loses its target, and
    alerts keyed on them break. Removing `__address__` in relabel_configs drops every target (a bug), removing
    `__name__` in metric_relabel_configs drops every series (a bug). Each rule is run through the project's
    relabel engine on a label set holding these labels.""",
    fail="""\
scrape_configs:
- job_name: web
  static_configs: [{targets: ['10.0.0.5:8080']}]
  metric_relabel_configs:
  - action: labelkeep
    regex: code|method
""",
    ok="""\
scrape_configs:
- job_name: web
  static_configs: [{targets: ['10.0.0.5:8080']}]
  metric_relabel_configs:
  - action: labelkeep
    regex: __name__|job|instance|code|method
""")

_TARGET = {"job": "j", "instance": "i:1", "__address__": "a:1", "__metrics_path__": "/metrics", "__scheme__": "http"}
_METRIC = {"__name__": "m", "job": "j", "instance": "i:1"}
_IDENTITY = ("job", "instance", "__address__", "__name__")


def check(ctx):
    from migrator.lint.rules._relabel import parsed
    from migrator.relabel import relabel

    for rl in ctx.rule_lists():
        labels = _TARGET if rl.kind == "relabel" else _METRIC
        for i, _raw, rule in parsed(rl, ctx.version):
            if rule.action not in ("labeldrop", "labelkeep"):
                continue
            after = relabel(labels, [rule]) or {}
            gone = [k for k in _IDENTITY if k in labels and k not in after]
            if not gone:
                continue
            fatal = "__address__" in gone or "__name__" in gone
            effect = ("every target is dropped" if "__address__" in gone else
                      "every series is dropped" if "__name__" in gone else "series of different targets collide")
            yield ctx.finding(RULE, rl.doc, rl.path + (i, "regex"),
                              f"{rl.where(i)}: {rule.action} {rule.regex.pattern!r} removes "
                              f"{', '.join(gone)}: {effect}", rl.subject, severity=BUG if fatal else None)
