"""Migrate raw scrape jobs to prometheus-operator resources, and prove the result (see core.py)."""

from migrator.migrate.core import JobMigration, MigrateOptions, migrate_jobs
from migrator.migrate.prove import Proof, prove

__all__ = ["JobMigration", "MigrateOptions", "Proof", "migrate_jobs", "prove"]
