from migrator.lint.model import WARNING, Rule

RULE = Rule(
    id="job/honor-labels", severity=WARNING,
    summary="honor_labels on Kubernetes-discovered targets",
    explanation="""With `honor_labels: true` (a monitor's `honorLabels: true`) the labels a target exposes win
    over the ones discovery and relabeling attach. Targets that expose `namespace`, `pod`, `container` or `job`
    labels of their own (exporters, federation, Istio's merged metrics) then move their series to those values.
    Fine for a federation or pushgateway job; on Kubernetes-discovered pods usually a surprise. The verdict is
    the one `migrator diff` reports.""",
    fail="""\
scrape_configs:
- job_name: pods
  honor_labels: true
  kubernetes_sd_configs: [{role: pod}]
""",
    ok="""\
scrape_configs:
- job_name: pods
  kubernetes_sd_configs: [{role: pod}]
""")


def check(ctx):
    from migrator.diff.findings import honor_labels_with_kubernetes

    for job, origin, subject in ctx.all_jobs():
        for f in honor_labels_with_kubernetes([job]):
            yield ctx.at(RULE, origin, f.message, subject)
