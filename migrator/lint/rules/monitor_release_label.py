from migrator.lint.model import BUG, Rule

RULE = Rule(
    id="monitor/release-label", severity=BUG,
    summary="a monitor the Prometheus CR's monitor selector does not pick up (the release label)",
    explanation="""A Prometheus CR only loads the monitors its serviceMonitorSelector / podMonitorSelector /
    scrapeConfigSelector matches; kube-prometheus-stack selects `release: <its Helm release>`. A monitor with
    another (or no) release label is valid and applied, and scrapes nothing. Without a CR (--prometheus, a CR
    among the inputs, or `prometheus:` in .migrator.yaml) the monitor is checked against kube-prometheus-stack's
    default and a missing release label is a warning. The verdict is `migrator why`'s pickup stage.""",
    fail="""\
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: web, namespace: monitoring, labels: {release: prometheus}}
spec:
  selector: {matchLabels: {app: web}}
  endpoints: [{port: http}]
""",
    ok="""\
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: web, namespace: monitoring, labels: {release: kube-prometheus-stack}}
spec:
  selector: {matchLabels: {app: web}}
  endpoints: [{port: http}]
""",
    prometheus="""\
apiVersion: monitoring.coreos.com/v1
kind: Prometheus
metadata: {name: kube-prometheus-stack-prometheus, namespace: monitoring}
spec:
  serviceMonitorSelector: {matchLabels: {release: kube-prometheus-stack}}
  serviceMonitorNamespaceSelector: {}
""")

IDS = {"pickup.release-label", "pickup.label-mismatch", "pickup.no-selector", "pickup.no-release-label"}


def check(ctx):
    yield from ctx.pickup(RULE, IDS)
