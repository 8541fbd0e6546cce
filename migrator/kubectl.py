"""``kubectl-migrator``: migrator as a kubectl plugin (``kubectl migrator targets ...``).

kubectl runs ``kubectl-migrator`` from PATH with the arguments after ``migrator``. The commands are migrator's;
the one difference is the default for the commands that read cluster objects (targets, why, lint, migrate,
diff): without --inventory, --cluster or --from-cluster they read the live cluster of the current kubeconfig
context (read-only list calls), as kubectl itself would; --context and --kubeconfig choose another.
"""

from __future__ import annotations

import sys
from typing import Optional

#: The commands whose objects come from --inventory or --cluster.
CLUSTER_COMMANDS = {"targets", "why", "lint", "migrate", "diff"}
_SOURCE_FLAGS = {"--inventory", "-i", "--cluster", "--from-cluster"}
_INFO_FLAGS = {"-h", "--help", "--list-rules", "--explain", "--version"}


def plugin_args(argv: list[str]) -> list[str]:
    """migrator's arguments for `kubectl migrator ARGV`: --cluster added where the cluster is the default."""
    command: Optional[str] = next((a for a in argv if not a.startswith("-")), None)
    if command not in CLUSTER_COMMANDS:
        return list(argv)
    before_dashdash = argv[:argv.index("--")] if "--" in argv else argv
    flags = {a.split("=", 1)[0] for a in before_dashdash if a.startswith("-")}
    if flags & (_SOURCE_FLAGS | _INFO_FLAGS):
        return list(argv)
    if "--" in argv:
        i = argv.index("--")
        return argv[:i] + ["--cluster"] + argv[i:]
    return list(argv) + ["--cluster"]


def main(argv: Optional[list[str]] = None) -> None:
    from migrator.cli import app

    app(args=plugin_args(list(sys.argv[1:] if argv is None else argv)), prog_name="kubectl migrator")
