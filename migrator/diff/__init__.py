"""`migrator diff OLD NEW`: what a scrape change changes in meaning and on which targets.

* normalize: one canonical form per scrape job (defaults, durations, sets, secrets redacted);
* configdiff: pairing jobs (name, migrate report mapping, --map, target overlap) and per-job changes;
* targetdiff: targets only in OLD / only in NEW, label changes on the rest;
* findings: what a reviewer wants flagged (unselected monitors, jobLabel, honor_labels, ...);
* report: text plan, JSON (schema migrator.diff/v1), Markdown;
* live: --from-cluster (the running Prometheus CR and what it selects);
* command: run_diff, the whole command.
"""

from migrator.diff.command import run_diff

__all__ = ["run_diff"]
