"""Running the migrator CLI in-process, as a user would call it."""

from __future__ import annotations

from dataclasses import dataclass

from typer.testing import CliRunner

from migrator.cli import app


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


def run_cli(*args: str, stdin: str | None = None) -> Run:
    result = CliRunner().invoke(app, list(args), input=stdin, catch_exceptions=False)
    return Run(result.exit_code, result.stdout, result.stderr)
