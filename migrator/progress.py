"""A progress bar on stderr for work that takes seconds, only when stderr is a terminal."""

from __future__ import annotations

import contextlib
import sys
from typing import Callable, Iterator, Optional

#: ``callback(done, total)``, or ``callback(done, total, what)`` to say what is being done now
Callback = Callable[..., None]


@contextlib.contextmanager
def progress_bar(description: str, *, unit: str = "bytes") -> Iterator[Optional[Callback]]:
    """Yields a callback(done, total), or None when stderr is not a TTY (no bar at all)."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import (BarColumn, DownloadColumn, MofNCompleteColumn, Progress, TextColumn,
                               TimeRemainingColumn)

    columns = [TextColumn("{task.description}"), BarColumn(),
               DownloadColumn() if unit == "bytes" else MofNCompleteColumn(), TimeRemainingColumn()]
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int, what: str | None = None) -> None:
            if what is None:
                bar.update(task, completed=done, total=total or None)
            else:
                bar.update(task, completed=done, total=total or None, description=f"{description}: {what}")

        yield update


def load_inventory_with_bar(paths: list[str], stdin=None):
    """inventory.load_inventory with a bar while the files are read (every command reads inventories so)."""
    from migrator.inventory import load_inventory

    with progress_bar("loading inventory") as cb:
        return load_inventory(paths, stdin, progress=cb)


def load_cluster_with_bar(*, kubeconfig: Optional[str], context: Optional[str], kinds=None):
    """inventory.load_cluster with a bar that moves after every page listed."""
    from migrator.inventory import load_cluster

    with progress_bar("listing cluster objects", unit="kinds") as cb:
        return load_cluster(kubeconfig=kubeconfig, context=context, progress=cb, kinds=kinds)
