from migrator.lint.model import INFO, Rule

RULE = Rule(
    id="job/placeholder", severity=INFO,
    summary="a templating placeholder (${VAR}, $$VAR$$, {{ .x }}) kept literally in a scrape config",
    explanation="""Placeholders of envsubst, Helm or an agent's templating are substituted before Prometheus
    reads the file; as written they are literal text, and a linted or migrated config evaluates with them as
    they are (durations with the default). Fine when the file really is a template; a bug when the substitution
    step is gone. The verdict is the project's scrape config reader's.""",
    fail="""\
scrape_configs:
- job_name: web
  scrape_interval: ${INTERVAL}
  static_configs: [{targets: ['10.0.0.5:8080']}]
""",
    ok="""\
scrape_configs:
- job_name: web
  scrape_interval: 30s
  static_configs: [{targets: ['10.0.0.5:8080']}]
""")


def check(ctx):
    for job in ctx.jobs:
        for p in job.placeholders:
            if p.severity != "error":
                yield ctx.at(RULE, f"{p.file}:{p.line or job.line}", f"{p.field + ': ' if p.field else ''}"
                             f"{p.message}", f"job {job.name}")
