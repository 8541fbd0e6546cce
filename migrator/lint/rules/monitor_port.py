from migrator.lint.model import BUG, Rule
from migrator.lint.rules._examples import INVENTORY, service_monitor

RULE = Rule(
    id="monitor/port", severity=BUG,
    summary="a monitor's port matches no port of what it selects (a number where a name belongs, a wrong name)",
    explanation="""A ServiceMonitor endpoint's `port` is the NAME of a Service port, a PodMonitor's `port` the
    name of a container port; a number there (`port: "8080"`), a name the objects do not declare, or a
    targetPort that no container port has keeps no target at all. Use the port's name, or `portNumber` /
    `targetPort` for a number. The verdict is `migrator why`'s port stage.""",
    needs_inventory=True, inventory=INVENTORY,
    fail=service_monitor(body="""\
  selector: {matchLabels: {app: web}}
  endpoints: [{port: "8080"}]
"""),
    ok=service_monitor(body="""\
  selector: {matchLabels: {app: web}}
  endpoints: [{port: http}]
"""))

PREFIXES = ("port.",)


def check(ctx):
    yield from ctx.why(RULE, set(), PREFIXES)
