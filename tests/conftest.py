"""Shared test fixtures: where ../shared is, and running the CLI in-process."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SAMPLES = REPO / "samples"


def shared_dir(*parts: str) -> Path:
    """A path under ../shared, or skip the calling test when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"../shared is not beside the checkout ({path} missing)")
    return path


def shared_cases(*parts: str) -> list[Path]:
    """Case directories under ../shared/... for parametrize ([] when absent)."""
    path = SHARED.joinpath(*parts)
    if not path.is_dir():
        return []
    return sorted(p for p in path.iterdir() if p.is_dir())


needs_promtool = pytest.mark.skipif(shutil.which("promtool") is None,
                                    reason="promtool not on PATH (apt install prometheus)")
