from migrator.lint.model import BUG, Rule

RULE = Rule(
    id="relabel/endpointslice-labels", severity=BUG,
    summary="rules on __meta_kubernetes_endpoint_* labels in a job of the endpointslice role",
    explanation="""The endpointslice role sets `__meta_kubernetes_endpointslice_*` labels, never the endpoints
    role's `__meta_kubernetes_endpoint_*`: rules reading those see empty values, and the usual keep on
    `__meta_kubernetes_endpoint_port_name` drops every target. Happens when a job (or a CR's
    serviceDiscoveryRole) moves to EndpointSlice and the relabelings do not. The verdict is the one
    `migrator diff` reports.""",
    fail="""\
scrape_configs:
- job_name: web
  kubernetes_sd_configs: [{role: endpointslice}]
  relabel_configs:
  - action: keep
    source_labels: [__meta_kubernetes_endpoint_port_name]
    regex: http
""",
    ok="""\
scrape_configs:
- job_name: web
  kubernetes_sd_configs: [{role: endpointslice}]
  relabel_configs:
  - action: keep
    source_labels: [__meta_kubernetes_endpointslice_port_name]
    regex: http
""")


def check(ctx):
    from migrator.diff.findings import endpoint_labels_under_endpointslice

    for job, origin, subject in ctx.all_jobs():
        for f in endpoint_labels_under_endpointslice([job]):
            yield ctx.at(RULE, origin, f.message, subject)
