"""The records of `migrator lint`: a rule (its documentation is data, its examples are tests) and a finding."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

BUG, WARNING, INFO = "bug", "warning", "info"
SEVERITIES = (BUG, WARNING, INFO)
RANK = {BUG: 0, WARNING: 1, INFO: 2}
#: A `migrator why` finding's severity, as a lint severity (capped by the rule's own).
FROM_WHY = {"error": BUG, "warning": WARNING, "info": INFO}


@dataclass(frozen=True)
class Rule:
    """One lint rule. ``fail`` and ``ok`` are complete inputs (YAML, several documents allowed) on which the
    rule reports at least one finding, and none; ``inventory`` / ``prometheus`` are the cluster objects and CR
    the examples are linted with (the rule needs them when ``needs_inventory``). The tests run every example."""

    id: str
    severity: str
    summary: str
    explanation: str
    fail: str
    ok: str
    inventory: Optional[str] = None
    prometheus: Optional[str] = None
    needs_inventory: bool = False

    @property
    def doc(self) -> str:
        """The rule's documentation (``--explain``), examples included."""
        out = [f"{self.id} ({self.severity}): {self.summary}", "", _wrap(self.explanation)]
        if self.needs_inventory:
            out += ["", "Needs the cluster's objects: --inventory FILE or --cluster."]
        out += ["", "Fails:", "", _indent(self.fail), "", "Passes:", "", _indent(self.ok)]
        if self.prometheus:
            out += ["", "With the Prometheus CR:", "", _indent(self.prometheus)]
        if self.inventory:
            out += ["", "On the cluster objects:", "", _indent(self.inventory)]
        return "\n".join(out) + "\n"


@dataclass
class LintFinding:
    rule: str
    severity: str
    file: str
    line: int
    message: str
    subject: str = ""
    fix: Optional[str] = None
    end_line: Optional[int] = field(default=None, repr=False)

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file

    def to_json(self) -> dict:
        return {"rule": self.rule, "severity": self.severity, "file": self.file, "line": self.line,
                "subject": self.subject, "message": self.message, "fix": self.fix}


def _indent(text: str) -> str:
    return "\n".join(("    " + line) if line.strip() else "" for line in text.strip("\n").splitlines())


def _wrap(text: str, width: int = 100) -> str:
    import textwrap
    return textwrap.fill(" ".join(text.split()), width)
