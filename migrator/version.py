"""Prometheus versions: parsing ("2.42.0", "v2.42.0") and comparison."""

from __future__ import annotations

import re
from functools import total_ordering

from migrator.errors import InputError

#: The operator's default Prometheus version (prometheus-operator 6adcebc).
DEFAULT_PROMETHEUS_VERSION = "v3.13.2"

_VERSION_RE = re.compile(r"^v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+].*)?$")


@total_ordering
class Version:
    __slots__ = ("major", "minor", "patch", "text")

    def __init__(self, major: int, minor: int, patch: int = 0, text: str | None = None):
        self.major, self.minor, self.patch = major, minor, patch
        self.text = text or f"v{major}.{minor}.{patch}"

    @classmethod
    def parse(cls, text: str | None, *, field: str = "version") -> "Version":
        if text is None or str(text).strip() == "":
            text = DEFAULT_PROMETHEUS_VERSION
        m = _VERSION_RE.match(str(text).strip())
        if not m:
            raise InputError(f"invalid Prometheus version {text!r} (expected e.g. 2.42.0 or v2.42.0)",
                             field=field)
        major, minor, patch = int(m[1]), int(m[2]), int(m[3] or 0)
        return cls(major, minor, patch, text=f"v{major}.{minor}.{patch}")

    def _key(self) -> tuple[int, int, int]:
        return (self.major, self.minor, self.patch)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            other = Version.parse(other)
        return isinstance(other, Version) and self._key() == other._key()

    def __lt__(self, other: "Version | str") -> bool:
        if isinstance(other, str):
            other = Version.parse(other)
        return self._key() < other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def at_least(self, other: str) -> bool:
        return not self < Version.parse(other)

    def __repr__(self) -> str:
        return f"Version({self.text!r})"

    def __str__(self) -> str:
        return self.text
