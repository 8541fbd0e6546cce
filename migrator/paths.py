"""Where migrator's shipped data lives (rules/), installed or from a checkout."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def rules_dir() -> Path:
    """The rules/ directory: inside the installed package, else the checkout's top level."""
    installed = _HERE / "rules"
    if installed.is_dir():
        return installed
    return _HERE.parent / "rules"
