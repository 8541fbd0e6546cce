from migrator.lint.model import BUG, Rule

RULE = Rule(
    id="monitor/namespace", severity=BUG,
    summary="a monitor outside the namespaces the CR watches, or looking in namespaces out of its range",
    explanation="""Two namespace ranges decide what a monitor scrapes: the Prometheus CR's
    *MonitorNamespaceSelector (none: only the CR's own namespace) must include the monitor's namespace, and the
    monitor's namespaceSelector (none: only its own namespace) must include the namespaces of the Services or
    Pods it means. A ServiceMonitor in `monitoring` for a Service in `shop` without `namespaceSelector:
    {matchNames: [shop]}` finds nothing. With an inventory, namespaces that do not exist are reported too. The
    verdicts are `migrator why`'s (pickup and namespace stages).""",
    fail="""\
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: web, namespace: shop, labels: {release: kube-prometheus-stack}}
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
metadata: {name: k8s, namespace: monitoring}
spec:
  serviceMonitorSelector: {matchLabels: {release: kube-prometheus-stack}}
""")

PICKUP = {"pickup.namespace", "pickup.namespace-unknown"}
WHY = {"namespace.out-of-range", "namespace.missing"}


def check(ctx):
    yield from ctx.pickup(RULE, PICKUP)
    yield from ctx.why(RULE, WHY)
