"""Go ``Regexp.Expand`` templates: ``$1``, ``${1}``, ``$name``, ``$$`` (semantics.md 1.6).

A template is parsed once into literal text and group references; expanding it
against a match is then a join. Malformed ``$`` stays literal; a name made only
of ASCII digits without a leading zero (below 10^8-ish, as Go counts) is a group
number; anything else is a group name (``$1x`` is the group named ``1x``).
"""

from __future__ import annotations

import unicodedata
from typing import Union

Part = Union[str, int, tuple]  # literal text | group number | ("name",)


def _is_name_char(c: str) -> bool:
    if c == "_":
        return True
    if c.isalpha():  # Unicode letter categories L*
        return True
    return unicodedata.category(c) == "Nd"


def _extract(t: str, i: int):
    """Go's extract() on t[i:] (just after a '$'): (name, num, next index) or None if malformed."""
    n = len(t)
    if i >= n:
        return None
    brace = t[i] == "{"
    if brace:
        i += 1
    j = i
    while j < n and _is_name_char(t[j]):
        j += 1
    if j == i:
        return None
    name = t[i:j]
    if brace:
        if j >= n or t[j] != "}":
            return None
        j += 1
    num = 0
    for ch in name:
        if not ("0" <= ch <= "9") or num >= 100_000_000:
            num = -1
            break
        num = num * 10 + ord(ch) - 48
    if len(name) > 1 and name[0] == "0":
        num = -1
    return name, num, j


class Template:
    """A parsed Go expansion template."""

    __slots__ = ("text", "parts", "has_refs", "literal")

    def __init__(self, text: str):
        self.text = text
        parts: list[Part] = []
        buf: list[str] = []
        i, n = 0, len(text)
        while True:
            k = text.find("$", i)
            if k < 0:
                buf.append(text[i:])
                break
            buf.append(text[i:k])
            i = k + 1
            if i < n and text[i] == "$":
                buf.append("$")
                i += 1
                continue
            ext = _extract(text, i)
            if ext is None:
                buf.append("$")
                continue
            name, num, i = ext
            if buf:
                parts.append("".join(buf))
                buf = []
            parts.append(num if num >= 0 else (name,))
        if buf and "".join(buf):
            parts.append("".join(buf))
        self.parts = tuple(p for p in parts if p != "")
        self.has_refs = any(not isinstance(p, str) for p in self.parts)
        self.literal = "".join(p for p in self.parts if isinstance(p, str)) if not self.has_refs else None

    def __repr__(self) -> str:
        return f"Template({self.text!r})"

    def expand(self, src: str, spans, names: dict) -> str:
        """Expand against a match: spans is the flat Go index list, names maps name -> group indexes."""
        if not self.has_refs:
            return self.literal  # type: ignore[return-value]
        out: list[str] = []
        ng = len(spans) // 2
        for p in self.parts:
            if isinstance(p, str):
                out.append(p)
            elif isinstance(p, int):
                if p < ng and spans[2 * p] >= 0:
                    out.append(src[spans[2 * p]:spans[2 * p + 1]])
            else:
                for idx in names.get(p[0], ()):
                    if idx < ng and spans[2 * idx] >= 0:
                        out.append(src[spans[2 * idx]:spans[2 * idx + 1]])
                        break
        return "".join(out)
