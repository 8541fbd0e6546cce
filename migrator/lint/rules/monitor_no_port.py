from migrator.lint.model import WARNING, Rule

RULE = Rule(
    id="monitor/no-port", severity=WARNING,
    summary="a monitor endpoint without port, portNumber or targetPort scrapes every port",
    explanation="""Without `port` (or `portNumber` / `targetPort`) the operator generates no port filter: a
    ServiceMonitor endpoint scrapes every port of every selected Service, a PodMonitor endpoint every declared
    container port, and the ports that serve no metrics (gRPC, the app's HTTP API, a database) show up as
    targets that are down or return garbage. Name the metrics port.""",
    fail="""\
apiVersion: monitoring.coreos.com/v1
kind: PodMonitor
metadata: {name: web, namespace: shop, labels: {release: kube-prometheus-stack}}
spec:
  selector: {matchLabels: {app: web}}
  podMetricsEndpoints:
  - path: /metrics
""",
    ok="""\
apiVersion: monitoring.coreos.com/v1
kind: PodMonitor
metadata: {name: web, namespace: shop, labels: {release: kube-prometheus-stack}}
spec:
  selector: {matchLabels: {app: web}}
  podMetricsEndpoints:
  - path: /metrics
    port: metrics
""")

_PORT_FIELDS = ("port", "portNumber", "targetPort")


def check(ctx):
    for doc, path, ep in ctx.endpoints():
        if not any(ep.get(k) not in (None, "") for k in _PORT_FIELDS):
            what = "Service port" if doc.kind == "ServiceMonitor" else "container port"
            yield ctx.finding(RULE, doc, path, f"{'.'.join(str(p) for p in path[1:2])}[{path[2]}] has no port: "
                              f"every {what} of what it selects is scraped", ctx.subject_of(doc),
                              "set port: <name of the metrics port>")
