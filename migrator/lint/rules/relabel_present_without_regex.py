from migrator.lint.model import BUG, Rule

RULE = Rule(
    id="relabel/present-without-regex", severity=BUG,
    summary="keep/drop on a *present label without a regex: keeps (or drops) every target",
    explanation="""`__meta_kubernetes_*_labelpresent_*` and `*_annotationpresent_*` are "true" on every target
    that has the label and absent otherwise, but a keep/drop without `regex` uses the default `(.*)`, which
    matches the empty value too: the keep keeps every target (the filter does nothing, so the job scrapes what
    it was not meant to) and the drop drops every target. Write `regex: "true"`. The verdict is the one
    `migrator targets` reports.""",
    fail="""\
scrape_configs:
- job_name: annotated-pods
  kubernetes_sd_configs: [{role: pod}]
  relabel_configs:
  - action: keep
    source_labels: [__meta_kubernetes_pod_annotationpresent_prometheus_io_scrape]
""",
    ok="""\
scrape_configs:
- job_name: annotated-pods
  kubernetes_sd_configs: [{role: pod}]
  relabel_configs:
  - action: keep
    source_labels: [__meta_kubernetes_pod_annotationpresent_prometheus_io_scrape]
    regex: "true"
""")


def check(ctx):
    import re

    from migrator.targets import present_rule_without_regex

    for rl in ctx.rule_lists():
        if rl.kind != "relabel":
            continue
        for text in present_rule_without_regex({"relabel_configs": rl.rules}):
            m = re.match(r"relabel_configs\[(\d+)\]: (.*)", text, re.S)
            i = int(m[1]) if m else None
            yield ctx.finding(RULE, rl.doc, rl.path + ((i,) if i is not None else ()),
                              f"{rl.where(i) if i is not None else ''}: {m[2] if m else text}", rl.subject,
                              'add regex: "true"')
