from migrator.lint.model import BUG, Rule
from migrator.lint.rules._examples import INVENTORY, service_monitor

RULE = Rule(
    id="monitor/no-targets", severity=BUG,
    summary="what a monitor or job selects has no ready endpoint, running pod or discovered target",
    explanation="""The monitor (or raw job) finds its objects, but none of them yields a target: a Service whose
    selector matches no Pod, Endpoints without ready addresses, Pods not Running or without an IP, a monitor
    without endpoints, a discovery that finds nothing. Often a deployment problem rather than a monitor
    problem, but the monitor scrapes nothing either way. The verdicts are `migrator why`'s endpoints, targets,
    phase and discovery stages.""",
    needs_inventory=True, inventory=INVENTORY,
    fail=service_monitor(name="api", body="""\
  selector: {matchLabels: {app: api}}
  endpoints: [{port: http}]
"""),
    ok=service_monitor(body="""\
  selector: {matchLabels: {app: web}}
  endpoints: [{port: http}]
"""))

IDS = {"targets.no-pod-ip", "phase.not-running", "discovery.empty", "monitor.no-endpoints"}
PREFIXES = ("endpoints.",)


def check(ctx):
    yield from ctx.why(RULE, IDS, PREFIXES)
