from migrator.lint.model import BUG, Rule
from migrator.lint.rules._examples import INVENTORY, service_monitor

RULE = Rule(
    id="relabel/drops-all", severity=BUG,
    summary="a monitor's or job's own relabelings drop every target it discovers",
    explanation="""The objects are found and the port matches, but the monitor's relabelings (or a raw job's
    relabel_configs) drop every target: a keep on a value no target has, a drop that matches all. When they drop
    only some targets, the finding is a warning naming the rule. The verdict is Prometheus's relabeling as the
    project's engine evaluates it on the inventory (`migrator why`'s relabelings stage).""",
    needs_inventory=True, inventory=INVENTORY,
    fail=service_monitor(body="""\
  selector: {matchLabels: {app: web}}
  endpoints:
  - port: http
    relabelings:
    - {action: keep, sourceLabels: [__meta_kubernetes_service_label_app], regex: frontend}
"""),
    ok=service_monitor(body="""\
  selector: {matchLabels: {app: web}}
  endpoints:
  - port: http
    relabelings:
    - {action: keep, sourceLabels: [__meta_kubernetes_service_label_app], regex: web}
"""))

IDS = {"relabel.drops-all", "relabel.drops"}


def check(ctx):
    yield from ctx.why(RULE, IDS)
