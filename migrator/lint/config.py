"""`.migrator.yaml` (found upward from the working directory) and inline `# migrator: disable=RULE` comments.

.migrator.yaml::

    prometheus: deploy/prometheus.yaml      # the default CR (relative to this file)
    inventory: [cluster/inventory.json]     # the default inventory
    lint:
      disable: [job/placeholder]            # rules not run
      severity: {targets/duplicate: bug}    # severities changed
      fail-on: warning                      # the default --fail-on

A comment ``# migrator: disable=RULE[,RULE...]`` silences those rules (``all`` for every rule) on its own line
and on the next line; among the first comment lines of a YAML document (before its first key), for the whole
document; ``# migrator: disable-file=RULE`` anywhere, for the whole file.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Optional

from migrator.errors import InputError
from migrator.lint.model import SEVERITIES

NAME = ".migrator.yaml"


@dataclass
class Config:
    path: Optional[str] = None
    disable: set = field(default_factory=set)
    severity: dict = field(default_factory=dict)
    fail_on: Optional[str] = None
    prometheus: list = field(default_factory=list)
    inventory: list = field(default_factory=list)


def find(start: str) -> Optional[str]:
    d = os.path.abspath(start)
    while True:
        p = os.path.join(d, NAME)
        if os.path.isfile(p):
            return p
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


def load(path: Optional[str], known: set[str]) -> Config:
    from migrator.sources import load_documents

    if path is None:
        return Config()
    docs = load_documents([path])
    if not docs or docs[0].data is None:
        return Config(path=path)
    doc = docs[0]
    data = doc.data
    if not isinstance(data, dict):
        raise doc.error("expected a mapping (prometheus, inventory, lint)")
    base = os.path.dirname(os.path.abspath(path))

    def paths(key: str) -> list[str]:
        v = data.get(key)
        if v is None:
            return []
        items = v if isinstance(v, list) else [v]
        if not all(isinstance(x, str) and x for x in items):
            raise doc.error("expected a file name or a list of them", (key,))
        return [x if os.path.isabs(x) else os.path.join(base, x) for x in items]

    cfg = Config(path=path, prometheus=paths("prometheus"), inventory=paths("inventory"))
    lint = data.get("lint") or {}
    if not isinstance(lint, dict):
        raise doc.error("expected a mapping (disable, severity, fail-on)", ("lint",))
    unknown = set(lint) - {"disable", "severity", "fail-on"}
    if unknown:
        raise doc.error(f"unknown key(s) {', '.join(sorted(map(str, unknown)))} (known: disable, severity, fail-on)",
                        ("lint",))
    dis = lint.get("disable") or []
    if not isinstance(dis, list):
        raise doc.error("expected a list of rule ids", ("lint", "disable"))
    for i, r in enumerate(dis):
        if r not in known:
            raise doc.error(f"no lint rule {r!r} (migrator lint --list-rules lists them)", ("lint", "disable", i))
        cfg.disable.add(r)
    sev = lint.get("severity") or {}
    if not isinstance(sev, dict):
        raise doc.error("expected a mapping of rule id to bug, warning or info", ("lint", "severity"))
    for r, s in sev.items():
        if r not in known:
            raise doc.error(f"no lint rule {r!r} (migrator lint --list-rules lists them)", ("lint", "severity", r))
        if s not in SEVERITIES:
            raise doc.error(f"severity {s!r}: expected bug, warning or info", ("lint", "severity", r))
        cfg.severity[r] = s
    fo = lint.get("fail-on")
    if fo is not None:
        if fo not in SEVERITIES:
            raise doc.error(f"fail-on {fo!r}: expected bug, warning or info", ("lint", "fail-on"))
        cfg.fail_on = fo
    return cfg


_COMMENT = re.compile(r"#\s*migrator:\s*(disable|disable-file)=([A-Za-z0-9_./,\- ]+)")


@dataclass
class Suppressions:
    """Per file: rules off for the whole file, and (rule, line) pairs that are off."""

    files: dict = field(default_factory=dict)    # file -> set of rules (or "all")
    lines: dict = field(default_factory=dict)    # file -> {line: set of rules}

    def silenced(self, rule: str, file: str, line: int) -> bool:
        whole = self.files.get(file, set())
        here = self.lines.get(file, {}).get(line, set())
        return bool({rule, "all"} & (whole | here))


def scan(files: list[str]) -> Suppressions:
    """Read the disable comments of these files (stdin has none we can read again)."""
    s = Suppressions()
    for f in files:
        try:
            with open(f, encoding="utf-8", errors="replace") as fh:
                text = fh.read()
        except OSError:
            continue
        lines = text.splitlines()
        per: dict = {}
        doc_start, in_header = 0, True
        for n, raw in enumerate(lines, start=1):
            stripped = raw.strip()
            if stripped.startswith("---"):
                doc_start, in_header = n, True
                continue
            m = _COMMENT.search(raw)
            if m:
                names = {x for x in re.split(r"[,\s]+", m[2]) if x}
                if m[1] == "disable-file":
                    s.files.setdefault(f, set()).update(names)
                elif stripped.startswith("#") and in_header:
                    end = next((k for k in range(n + 1, len(lines) + 1) if lines[k - 1].strip().startswith("---")),
                               len(lines) + 1)
                    for k in range(doc_start, end):
                        per.setdefault(k, set()).update(names)
                else:
                    per.setdefault(n, set()).update(names)
                    per.setdefault(n + 1, set()).update(names)
            if stripped and not stripped.startswith("#"):
                in_header = False
        s.lines[f] = per
    return s
