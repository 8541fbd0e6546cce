"""The small cluster the examples of inventory rules run on: namespace shop with Service web (port http 8080,
one ready Pod) and Service api (no ready Pod)."""

INVENTORY = """\
apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: Namespace, metadata: {name: shop}}
- {apiVersion: v1, kind: Namespace, metadata: {name: monitoring}}
- apiVersion: v1
  kind: Service
  metadata: {name: web, namespace: shop, labels: {app: web}}
  spec:
    selector: {app: web}
    ports: [{name: http, port: 8080, targetPort: 8080, protocol: TCP}]
- apiVersion: v1
  kind: Endpoints
  metadata: {name: web, namespace: shop, labels: {app: web}}
  subsets:
  - addresses: [{ip: 10.0.0.5, targetRef: {kind: Pod, name: web-1, namespace: shop}}]
    ports: [{name: http, port: 8080, protocol: TCP}]
- apiVersion: v1
  kind: Pod
  metadata: {name: web-1, namespace: shop, labels: {app: web}}
  spec:
    containers: [{name: web, ports: [{name: http, containerPort: 8080, protocol: TCP}]}]
  status: {phase: Running, podIP: 10.0.0.5}
- apiVersion: v1
  kind: Service
  metadata: {name: api, namespace: shop, labels: {app: api}}
  spec:
    selector: {app: api}
    ports: [{name: http, port: 8080, targetPort: 8080, protocol: TCP}]
- apiVersion: v1
  kind: Endpoints
  metadata: {name: api, namespace: shop, labels: {app: api}}
"""


def service_monitor(name: str = "web", body: str = "", labels: str = "release: kube-prometheus-stack") -> str:
    """A ServiceMonitor in monitoring looking at namespace shop; body: the spec's lines after namespaceSelector."""
    return f"""\
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {{name: {name}, namespace: monitoring, labels: {{{labels}}}}}
spec:
  namespaceSelector: {{matchNames: [shop]}}
{body}"""
