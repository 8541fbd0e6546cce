from migrator.lint.model import WARNING, Rule
from migrator.lint.rules._examples import INVENTORY, service_monitor

RULE = Rule(
    id="targets/duplicate", severity=WARNING,
    summary="one address scraped by several monitors or jobs (duplicate series)",
    explanation="""Two monitors or jobs that keep the same target scrape it twice: every series exists twice
    (under two job labels), doubling load and making sums wrong. Usually a monitor migrated from a raw job while
    the raw job still runs, or two monitors whose selectors overlap. "The same target" is the project's scrape
    identity (migrator.identity); the finding names the labels that tell the two series apart. The verdict is
    `migrator why`'s.""",
    needs_inventory=True, inventory=INVENTORY,
    fail=service_monitor(body="""\
  selector: {matchLabels: {app: web}}
  endpoints: [{port: http}]
""") + "---\n" + service_monitor(name="web-again", body="""\
  selector: {matchExpressions: [{key: app, operator: In, values: [web]}]}
  endpoints: [{port: http}]
"""),
    ok=service_monitor(body="""\
  selector: {matchLabels: {app: web}}
  endpoints: [{port: http}]
"""))

IDS = {"duplicate.address"}


def check(ctx):
    yield from ctx.why(RULE, IDS)
