from migrator.lint.model import BUG, Rule

RULE = Rule(
    id="monitor/invalid", severity=BUG,
    summary="a monitor the API server, the operator or Prometheus refuses",
    explanation="""The monitor breaks the operator's CRD schema or a Prometheus rule (a relabeling Prometheus
    refuses, a timeout longer than the interval, a port name that is no regex...): the API server rejects it, or
    the operator drops it from the generated configuration, so it scrapes nothing. This is `migrator validate`'s
    verdict, reported as findings.""",
    fail="""\
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: web, namespace: shop, labels: {release: kube-prometheus-stack}}
spec:
  selector: {matchLabels: {app: web}}
  endpoints:
  - port: http
    relabelings:
    - action: replace
      sourceLabels: [__meta_kubernetes_pod_name]
      targetLabel: pod
      regex: "web-(.*"
""",
    ok="""\
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: web, namespace: shop, labels: {release: kube-prometheus-stack}}
spec:
  selector: {matchLabels: {app: web}}
  endpoints:
  - port: http
    relabelings:
    - action: replace
      sourceLabels: [__meta_kubernetes_pod_name]
      targetLabel: pod
""")


def check(ctx):
    for doc, errors in ctx.validation:
        for err in errors:
            yield type(ctx).at(RULE, f"{err.file or doc.file}:{err.line or doc.line}",
                               f"{err.field + ': ' if err.field else ''}{err.message}", ctx.subject_of(doc))
