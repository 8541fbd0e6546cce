from migrator.lint.model import WARNING, Rule
from migrator.lint.rules._examples import INVENTORY, service_monitor

RULE = Rule(
    id="monitor/job-label-missing", severity=WARNING,
    summary="a monitor's jobLabel names a label the selected Services or Pods lack",
    explanation="""`jobLabel` takes the `job` label of every series from a label of the selected Service
    (ServiceMonitor) or Pod (PodMonitor). When the objects lack that label, the job label silently falls back to
    the Service (or monitor) name, and dashboards and alerts keyed on the expected job see nothing. The verdict
    is the one `migrator diff` reports.""",
    needs_inventory=True, inventory=INVENTORY,
    fail=service_monitor(body="""\
  jobLabel: app.kubernetes.io/name
  selector: {matchLabels: {app: web}}
  endpoints: [{port: http}]
"""),
    ok=service_monitor(body="""\
  jobLabel: app
  selector: {matchLabels: {app: web}}
  endpoints: [{port: http}]
"""))


def check(ctx):
    from migrator.diff.findings import job_label_missing

    if ctx.inventory is None:
        return
    for doc in ctx.valid:
        for f in job_label_missing([doc.data], ctx.inventory):
            yield ctx.finding(RULE, doc, ("spec", "jobLabel"), f.message, ctx.subject_of(doc))
