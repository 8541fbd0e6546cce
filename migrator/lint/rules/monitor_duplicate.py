from migrator.lint.model import BUG, Rule

RULE = Rule(
    id="monitor/duplicate", severity=BUG,
    summary="the same monitor (kind, namespace, name) defined twice",
    explanation="""Kubernetes holds one object per kind, namespace and name: when two files (or two documents)
    define the same monitor, whichever is applied last replaces the other, and the first one never scrapes as
    written. Usually a copy that was meant to get a new name, or a base and an overlay both rendered into the
    linted directory. The verdict is `migrator validate`'s; the second definition is not checked further.""",
    fail="""\
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: web, namespace: monitoring, labels: {release: kube-prometheus-stack}}
spec:
  selector: {matchLabels: {app: web}}
  endpoints: [{port: http}]
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: web, namespace: monitoring, labels: {release: kube-prometheus-stack}}
spec:
  selector: {matchLabels: {app: api}}
  endpoints: [{port: http}]
""",
    ok="""\
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: web, namespace: monitoring, labels: {release: kube-prometheus-stack}}
spec:
  selector: {matchLabels: {app: web}}
  endpoints: [{port: http}]
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: api, namespace: monitoring, labels: {release: kube-prometheus-stack}}
spec:
  selector: {matchLabels: {app: api}}
  endpoints: [{port: http}]
""")


def check(ctx):
    for err in ctx.duplicates:
        yield ctx.at(RULE, f"{err.file}:{err.line}", err.message)
