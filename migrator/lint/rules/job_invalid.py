from migrator.lint.model import BUG, Rule

RULE = Rule(
    id="job/invalid", severity=BUG,
    summary="a raw scrape job Prometheus refuses to load",
    explanation="""Prometheus refuses the whole configuration when one job is invalid (a job name used twice, a
    relabel rule it rejects, a field of the wrong type): nothing is scraped until it is fixed. The verdict is the
    one `migrator targets` and `validate` give, from the project's scrape config reader and relabel authority.""",
    fail="""\
scrape_configs:
- job_name: node
  static_configs: [{targets: ['10.0.0.1:9100']}]
- job_name: node
  static_configs: [{targets: ['10.0.0.2:9100']}]
""",
    ok="""\
scrape_configs:
- job_name: node
  static_configs: [{targets: ['10.0.0.1:9100', '10.0.0.2:9100']}]
""")


def check(ctx):
    for job in ctx.jobs:
        for p in job.problems:
            if p.severity == "error":
                yield type(ctx).at(RULE, f"{p.file}:{p.line or job.line}",
                                   f"{p.field + ': ' if p.field else ''}{p.message}", f"job {job.name}")
