"""Errors that reach the user: a message, and where it comes from.

Every problem with user input is raised as InputError (exit status 2 at the
CLI). The CLI prints str(err) and never a traceback. Any other exception that
reaches the CLI is a bug: one line ``internal error: Type: message`` and exit
status 3 (the traceback only with ``migrator --debug``).
"""

from __future__ import annotations


class MigratorError(Exception):
    """Base class for every error migrator reports to the user."""

    exit_code = 2

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 field: str | None = None):
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.field = field

    def where(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file if self.line is None else f"{self.file}:{self.line}")
        if self.field:
            parts.append(self.field)
        return ": ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        return f"{where}: {self.message}" if where else self.message


class InputError(MigratorError):
    """The input cannot be used: malformed, invalid, or inconsistent."""


class ConfigError(MigratorError):
    """A scrape configuration that Prometheus itself would refuse to load."""


class ErrorList(MigratorError):
    """Several input errors found at once (e.g. every invalid field of every monitor)."""

    def __init__(self, errors: list[MigratorError]):
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


class ExitStatus(Exception):
    """Leave with this status after the output was written; not an error message."""

    def __init__(self, code: int):
        super().__init__(code)
        self.code = code
