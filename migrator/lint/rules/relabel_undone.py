from migrator.lint.model import BUG, WARNING, Rule

RULE = Rule(
    id="relabel/undone", severity=WARNING,
    summary="relabelings that undo each other: a label written and then dropped or overwritten unread, a keep "
            "and a drop of the same values",
    explanation="""A rule that writes a label which a later rule drops (labeldrop, labelkeep) or overwrites
    unconditionally before anything reads it has no effect: usually the later rule was meant for another label,
    or the order is wrong. A keep and a later drop on the same source labels and regex drop every target (a
    bug). Each rule is read by the relabel authority; which labels a rule writes, reads or removes is asked of
    the project's relabel engine.""",
    fail="""\
scrape_configs:
- job_name: pods
  kubernetes_sd_configs: [{role: pod}]
  relabel_configs:
  - source_labels: [__meta_kubernetes_pod_name]
    target_label: pod
  - action: labeldrop
    regex: pod|container
""",
    ok="""\
scrape_configs:
- job_name: pods
  kubernetes_sd_configs: [{role: pod}]
  relabel_configs:
  - source_labels: [__meta_kubernetes_pod_name]
    target_label: pod
  - action: labeldrop
    regex: container
""")

_WRITES = ("replace", "hashmod", "lowercase", "uppercase")


def _always_writes(rule) -> bool:
    """A replace whose regex matches any value (the default (.*)): it always sets (or clears) its target."""
    return rule.action == "replace" and rule.regex.pattern in ("(.*)", ".*")


def check(ctx):
    from migrator.lint.rules._relabel import parsed

    for rl in ctx.rule_lists():
        rules = parsed(rl, ctx.version)
        for n, (i, _raw, rule) in enumerate(rules):
            if rule.action in ("keep", "drop"):
                for j, _r2, later in rules[n + 1:]:
                    if later.action == ("drop" if rule.action == "keep" else "keep") and \
                            later.source_labels == rule.source_labels and later.regex.pattern == rule.regex.pattern \
                            and later.separator == rule.separator:
                        yield ctx.finding(RULE, rl.doc, rl.path + (j,),
                                          f"{rl.where(j)}: {later.action} on the values {rl.where(i)} "
                                          f"{'kept' if rule.action == 'keep' else 'dropped'}: every target is "
                                          "dropped", rl.subject, severity=BUG)
                        break
                continue
            if rule.action not in _WRITES or "$" in rule.target_label or not rule.target_label:
                continue
            label = rule.target_label
            for j, _r2, later in rules[n + 1:]:
                if label in later.source_labels or later.action in ("labelmap", "keepequal", "dropequal"):
                    break
                undone = None
                if later.action == "labeldrop" and later.regex.matches(label):
                    undone = f"labeldrop {later.regex.pattern!r} removes it"
                elif later.action == "labelkeep" and not later.regex.matches(label):
                    undone = f"labelkeep {later.regex.pattern!r} does not keep it"
                elif later.action in _WRITES and later.target_label == label and \
                        (later.action != "replace" or _always_writes(later)):
                    undone = "it is overwritten there before anything reads it"
                if undone:
                    yield ctx.finding(RULE, rl.doc, rl.path + (i,),
                                      f"{rl.where(i)} writes {label!r}, but {rl.where(j)} undoes it: {undone}",
                                      rl.subject)
                    break
