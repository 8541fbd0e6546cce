from migrator.lint.model import BUG, Rule
from migrator.lint.rules._examples import INVENTORY, service_monitor

RULE = Rule(
    id="monitor/selector", severity=BUG,
    summary="a monitor's selector matches no Service or Pod in its namespaces",
    explanation="""The monitor's selector (matchLabels / matchExpressions) matches none of the Services
    (ServiceMonitor) or Pods (PodMonitor) in the namespaces it looks in: a typo in a label key or value, or
    labels of the Deployment instead of its Pods. The monitor scrapes nothing. When a label is one typo away,
    the finding names it. The verdict is `migrator why`'s selector stage.""",
    needs_inventory=True, inventory=INVENTORY,
    fail=service_monitor(body="""\
  selector: {matchLabels: {app: webb}}
  endpoints: [{port: http}]
"""),
    ok=service_monitor(body="""\
  selector: {matchLabels: {app: web}}
  endpoints: [{port: http}]
"""))

PREFIXES = ("selector.",)


def check(ctx):
    yield from ctx.why(RULE, set(), PREFIXES)
