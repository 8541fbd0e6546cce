from migrator.lint.model import INFO, Rule
from migrator.lint.rules._examples import INVENTORY

RULE = Rule(
    id="targets/identical", severity=INFO,
    summary="targets of one job that are identical after relabeling (Prometheus scrapes them once)",
    explanation="""When two targets of one job end with the same labels, Prometheus merges them into one
    scrape: the job scrapes fewer targets than it seems to (a static target listed twice, several Service ports
    that relabeling maps to the same address, an instance label that hides the difference). Harmless, but often
    a sign that a relabeling drops the label that told the targets apart. "The same" is the project's scrape
    identity (migrator.identity); the targets are the ones `migrator why` evaluates on the inventory.""",
    needs_inventory=True, inventory=INVENTORY,
    fail="""\
scrape_configs:
- job_name: web
  static_configs: [{targets: ['10.0.0.5:8080', '10.0.0.6:8080']}]
  relabel_configs:
  - {target_label: __address__, replacement: 'web.shop.svc:8080'}
""",
    ok="""\
scrape_configs:
- job_name: web
  static_configs: [{targets: ['10.0.0.5:8080', '10.0.0.6:8080']}]
""")


def check(ctx):
    from migrator.identity import merged_targets

    for d in ctx.diagnoses:
        if d.error or len(d.kept) < 2:
            continue
        distinct, _ = merged_targets(d.kept)
        if distinct < len(d.kept):
            yield ctx.at(RULE, d.origin, f"{len(d.kept) - distinct} of its {len(d.kept)} target(s) are identical "
                         f"to another one after relabeling: Prometheus scrapes {distinct}", d.subject)
