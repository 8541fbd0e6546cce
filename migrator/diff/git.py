"""`migrator diff --git BASE..HEAD PATHS`: both sides read from git objects, without a checkout.

``BASE..HEAD`` compares two commits; ``BASE...HEAD`` the merge base of the two with HEAD (what a pull request
changes); ``BASE`` alone compares BASE with the working tree. Each side's PATHS (files or directories, relative
to the working directory) are read with ``git ls-tree`` / ``git show REV:path`` into a temporary directory; when
none of them exists on one side, there is nothing to compare (exit 2, saying so). In the report, the temporary paths read ``REV:path``.
"""

from __future__ import annotations

import os
import subprocess
from typing import Optional

from migrator.errors import InputError


def _git(*args: str) -> bytes:
    try:
        p = subprocess.run(["git", *args], capture_output=True, timeout=120)
    except FileNotFoundError:
        raise InputError("git is not installed", field="--git") from None
    if p.returncode != 0:
        msg = p.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InputError(f"git {' '.join(args[:2])}: {msg[-1] if msg else 'failed'}", field="--git")
    return p.stdout


def parse_range(spec: str) -> tuple[str, Optional[str]]:
    """(base, head); head None: the working tree."""
    if not spec or spec.startswith("-"):
        raise InputError(f"expected BASE..HEAD, BASE...HEAD or BASE, got {spec!r}", field="--git")
    if "..." in spec:
        base, head = spec.split("...", 1)
        head = head or "HEAD"
        base = _git("merge-base", base or "HEAD", head).decode().strip()
        return base, head
    if ".." in spec:
        base, head = spec.split("..", 1)
        return base or "HEAD", head or "HEAD"
    return spec, None


def _resolve(rev: str) -> str:
    return _git("rev-parse", "--verify", "--quiet", rev + "^{commit}").decode().strip()


def materialize(rev: Optional[str], paths: list[str], into: str) -> list[str]:
    """Write PATHS as they are at rev (None: the working tree) under `into`; the paths to read there."""
    out = []
    for path in paths:
        if path == "-" or os.path.isabs(path):
            raise InputError("with --git, give paths relative to the working directory", file=path, field="PATHS")
        rel = os.path.normpath(path)
        if rel.startswith(".."):
            raise InputError("with --git, give paths inside the repository", file=path, field="PATHS")
        if rev is None:
            out.append(os.path.abspath(rel))
            continue
        names = [n for n in _git("ls-tree", "-r", "-z", "--name-only", rev, "--", rel).decode("utf-8").split("\0") if n]
        for name in names:
            dest = os.path.join(into, name)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            with open(dest, "wb") as fh:
                fh.write(_git("show", f"{rev}:./{name}"))
        target = os.path.join(into, rel)
        if names:
            out.append(target)
    return out


def run(spec: str, paths: list[str], **kw) -> int:
    import tempfile

    from migrator.diff.command import run_diff

    if not paths:
        raise InputError("with --git give the paths to compare (files or directories)", field="PATHS")
    base, head = parse_range(spec)
    base_id, head_id = _resolve(base), (_resolve(head) if head else None)
    with tempfile.TemporaryDirectory(prefix="migrator-git-") as tmp:
        old_dir, new_dir = os.path.join(tmp, "base"), os.path.join(tmp, "head")
        os.makedirs(old_dir)
        os.makedirs(new_dir)
        old = materialize(base_id, paths, old_dir)
        new = materialize(head_id, paths, new_dir) if head_id else [p for p in materialize(None, paths, new_dir)
                                                                  if os.path.exists(p)]
        for side, rev, got in (("OLD", base, old), ("NEW", head or "the working tree", new)):
            if not got:
                raise InputError(f"none of {', '.join(paths)} exists at {rev}: no {side} side to compare (lint the "
                                 "files instead)", field="--git")
        rename = {old_dir + os.sep: f"{base}:", new_dir + os.sep: f"{head}:"}
        if head is None:
            rename[os.getcwd() + os.sep] = ""
        return run_diff(old, new, rename=rename, **kw)
