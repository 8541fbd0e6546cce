"""Relabel regexes with Go (RE2) semantics.

Prometheus compiles ``^(?:R)$`` (2.x) or ``^(?s:R)$`` (3.x) by plain string
concatenation and uses Go's ``regexp`` (RE2 syntax, leftmost-first). Here the
same text is compiled with google-re2, plus the few checks where Go is stricter
than C++ RE2 (``\\C``, non-ASCII capture names, ``(?<name>`` before Go 1.22).

Speed: the google-re2 binding costs microseconds per call, so

* results are cached per (regex, value), and
* a conservative subset of patterns (literals, escaped punctuation, ``.``,
  ASCII classes, ``\\d \\w \\s``, single-atom quantifiers, groups and
  alternation, no flags, no quantified groups) is translated to Python ``re``,
  where the two dialects provably give the same match and the same groups. Any
  other construct, and long values, go to RE2.

Everything here is pure: no I/O, no logging (RE2 error logging is turned off).
"""

from __future__ import annotations

import re
from itertools import chain
from typing import Optional

import re2

Spans = tuple  # flat (start0, end0, start1, end1, ...) in code points; -1 when a group did not match

_UNANCHORED = getattr(getattr(re2, "_Anchor", None), "UNANCHORED", None)

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # RE2's C++ logging would print to stderr
# Go has no memory budget for a compiled regexp (only a size limit far beyond RE2's default 8 MiB),
# so `\pL{1000}` is valid for Prometheus: a pattern too large for the default is compiled again
# with room (only then, so the usual patterns keep RE2's default DFA budget).
_LARGE_OPTIONS = re2.Options()
_LARGE_OPTIONS.log_errors = False
_LARGE_OPTIONS.max_mem = 1 << 30

#: Most cached values per regex before its cache is emptied.
CACHE_LIMIT = 8192
#: Longest value the Python fast path is used for (bounds backtracking).
FAST_PATH_MAX_LEN = 256


class RegexError(ValueError):
    """A pattern Prometheus refuses; str() is Go's message, ``hint`` an optional explanation."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.hint = hint


_RE2_TO_GO = [
    ("missing ): ", "missing closing ): "),
    ("missing ]: ", "missing closing ]: "),
    ("unexpected ): ", "unexpected ): "),
    ("bad repetition operator: ", "invalid nested repetition operator: "),
    ("invalid repetition size: ", "invalid repeat count: "),
    ("invalid perl operator: ", "invalid or unsupported Perl syntax: "),
    ("invalid named capture group: ", "invalid named capture: "),
    ("missing argument to repetition operator: ", "missing argument to repetition operator: "),
    ("no argument for repetition operator: ", "missing argument to repetition operator: "),
    ("invalid escape sequence: ", "invalid escape sequence: "),
    ("invalid character class range: ", "invalid character class range: "),
    ("invalid character class: ", "invalid character class: "),
    ("invalid UTF-8: ", "invalid UTF-8: "),
    ("trailing \\: ", "trailing backslash at end of expression: "),
    ("bad nesting depth: ", "expression nests too deeply: "),
]


_LOOKAROUND = ("(?=", "(?!", "(?<=", "(?<!")


def _go_error(re2_message: str, wrapped: str, angle_names: bool) -> RegexError:
    """The RegexError Go's regexp/syntax gives for what C++ RE2 refused with re2_message."""
    for prefix, go in _RE2_TO_GO:
        if re2_message.startswith(prefix):
            arg = re2_message[len(prefix):]
            hint = ""
            if go.startswith("trailing backslash"):
                arg = ""
            elif arg in _LOOKAROUND:
                hint = "RE2 has no lookahead or lookbehind"
                if arg.startswith("(?<"):
                    if angle_names:  # Go >= 1.22 reads "(?<" as a named group up to the next ">"
                        rest = wrapped[wrapped.find(arg):]
                        end = rest.find(">")
                        return RegexError("error parsing regexp: invalid named capture: "
                                          f"`{rest if end < 0 else rest[:end + 1]}`", hint)
                    arg = "(?<"
            elif go.startswith("invalid escape") and arg[1:2].isdigit():
                hint = "RE2 has no back-references"
            return RegexError(f"error parsing regexp: {go}`{arg}`", hint)
    if "too large" in re2_message or "max_mem" in re2_message:
        return RegexError("error parsing regexp: expression too large")
    return RegexError(f"error parsing regexp: {re2_message}")


# --------------------------------------------------------------------------------------------
# Capture groups: Go numbers them by their opening parenthesis; names may repeat.

_CAPTURE_NAME = re.compile(r"[A-Za-z0-9_]+\Z")


def _scan_groups(pattern: str, *, angle_names: bool) -> list[Optional[str]]:
    """Names (None = unnamed) of the capture groups of pattern, in order.

    Raises RegexError for Go-only rejections. Run on a pattern RE2 accepted.
    """
    out: list[Optional[str]] = []
    groups: list[bool] = []  # open groups: capturing or not
    depth = max_depth = 0  # nesting of capturing groups (each one a node of Go's parse tree)
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            nxt = pattern[i + 1] if i + 1 < n else ""
            if nxt == "Q":
                end = pattern.find("\\E", i + 2)
                i = n if end < 0 else end + 2
                continue
            if nxt == "C":
                raise RegexError("error parsing regexp: invalid escape sequence: `\\C`",
                                 "Go has no \\C (any byte)")
            i += 2
            continue
        if c == "[":
            i = _skip_class(pattern, i)
            continue
        if c == ")" and groups:
            depth -= groups.pop()
        elif c == "(":
            capturing = not pattern.startswith("(?", i) or pattern.startswith(("(?P<", "(?<"), i)
            groups.append(capturing)
            if capturing:
                depth += 1
                max_depth = max(max_depth, depth)
            if pattern.startswith("(?P<", i) or pattern.startswith("(?<", i):
                start = i + (4 if pattern[i + 2] == "P" else 3)
                if pattern[i + 2] == "<" and not angle_names:
                    raise RegexError("error parsing regexp: invalid or unsupported Perl syntax: `(?<`",
                                     "named groups (?<name>...) need Prometheus >= 2.51.0; "
                                     "use (?P<name>...)")
                end = pattern.find(">", start)
                name = pattern[start:end]
                if end < 0 or not _CAPTURE_NAME.match(name):
                    raise RegexError(
                        f"error parsing regexp: invalid named capture: `{pattern[i:end + 1]}`")
                out.append(name)
                i = end + 1
                continue
            if pattern.startswith("(?", i):
                i += 2
                continue
            out.append(None)
        i += 1
    # Go limits the height of the parse tree to 1000: the anchoring concatenation is one level,
    # every capturing group one, the innermost node another. (Other deep nestings, of
    # repetitions say, are not measured here.)
    if max_depth + 2 > 1000:
        raise RegexError(f"error parsing regexp: expression nests too deeply: `{pattern}`")
    return out


def _skip_class(p: str, i: int) -> int:
    """Index just past the character class starting at p[i] == '['."""
    n = len(p)
    j = i + 1
    if j < n and p[j] == "^":
        j += 1
    if j < n and p[j] == "]":  # a leading ] is literal
        j += 1
    while j < n:
        c = p[j]
        if c == "\\":
            j += 2
            continue
        if c == "[" and p.startswith("[:", j):
            end = p.find(":]", j + 2)
            if end >= 0:
                j = end + 2
                continue
        if c == "]":
            return j + 1
        j += 1
    return n


# --------------------------------------------------------------------------------------------
# The Python fast path: a whitelist translator.

_LIT_PUNCT = set("-:/,=@;%#!<>'\"~&` _")
_ESC_PUNCT = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_CLASS_PUNCT = set("_.:/,=@;%+*?()$#!<> {}'\"`")
_QUANT_BRACE = re.compile(r"\{(\d{1,4})(?:(,)(\d{1,4})?)?\}")
_PY_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def translate_fast(pattern: str) -> Optional[str]:
    """Python ``re`` text equivalent to the RE2 body ``pattern``, or None if not provably equal.

    The result is meant to be compiled with re.ASCII (and re.DOTALL for 3.x) and
    used as ``fullmatch``.
    """
    out: list[str] = []
    depth = 0
    names: set[str] = set()
    atom = False  # may a quantifier follow?
    unbounded = 0
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            if i + 1 >= n:
                return None
            e = pattern[i + 1]
            if e in "dDwW":
                out.append("\\" + e)
            elif e == "s":
                out.append(r"[\t\n\f\r ]")
            elif e == "S":
                out.append(r"[^\t\n\f\r ]")
            elif e in _ESC_PUNCT:
                out.append("\\" + e)
            else:
                return None
            i += 2
            atom = True
            continue
        if c == "[":
            cls, i = _translate_class(pattern, i)
            if cls is None:
                return None
            out.append(cls)
            atom = True
            continue
        if c == "(":
            if pattern.startswith("(?:", i):
                out.append("(?:")
                i += 3
            elif pattern.startswith("(?P<", i):
                end = pattern.find(">", i + 4)
                name = pattern[i + 4:end]
                if end < 0 or not _PY_NAME.match(name) or name in names:
                    return None
                names.add(name)
                out.append(f"(?P<{name}>")
                i = end + 1
            elif pattern.startswith("(?", i):
                return None
            else:
                out.append("(")
                i += 1
            depth += 1
            if depth > 32:
                return None  # (Python's parser recurses per group)
            atom = False
            continue
        if c == ")":
            if depth == 0:
                return None
            depth -= 1
            out.append(")")
            i += 1
            if i < n and pattern[i] in "*+?{":
                return None  # quantified groups: capture semantics differ in corner cases
            atom = False
            continue
        if c in "*+?":
            if not atom:
                return None
            out.append(c)
            i += 1
            if c != "?":
                unbounded += 1
            if i < n and pattern[i] == "?":
                out.append("?")
                i += 1
            if i < n and pattern[i] in "*+?{":
                return None
            atom = False
            continue
        if c == "{":
            m = _QUANT_BRACE.match(pattern, i)
            if not m or not atom:
                return None
            lo = int(m[1])
            hi = int(m[3]) if m[3] is not None else (None if m[2] else lo)
            if lo > 1000 or (hi is not None and (hi > 1000 or hi < lo)):
                return None
            if hi is None:
                unbounded += 1
            out.append(m[0])
            i = m.end()
            if i < n and pattern[i] == "?":
                out.append("?")
                i += 1
            if i < n and pattern[i] in "*+?{":
                return None
            atom = False
            continue
        if c == "|":
            out.append("|")
            i += 1
            atom = False
            continue
        if c == ".":
            out.append(".")
            i += 1
            atom = True
            continue
        if c == "^":
            out.append("^")
            i += 1
            atom = False
            continue
        if c == "$":
            out.append(r"\Z")
            i += 1
            atom = False
            continue
        if c.isascii():
            if not (c.isalnum() or c in _LIT_PUNCT):
                return None
        elif "\ud800" <= c <= "\udfff":
            return None
        out.append(re.escape(c))
        i += 1
        atom = True
    if depth != 0 or unbounded > 4:
        return None
    return "".join(out)


def _translate_class(p: str, i: int) -> tuple[Optional[str], int]:
    n = len(p)
    j = i + 1
    out = ["["]
    if j < n and p[j] == "^":
        out.append("^")
        j += 1
    items = 0
    prev: Optional[str] = None  # previous single ASCII alnum item, for ranges
    while j < n:
        c = p[j]
        if c == "]":
            if items == 0:
                return None, j
            out.append("]")
            return "".join(out), j + 1
        if c == "\\":
            if j + 1 >= n:
                return None, j
            e = p[j + 1]
            if e in "dDwW":
                out.append("\\" + e)
            elif e == "s":
                out.append(r"\t\n\f\r ")
            elif e in _ESC_PUNCT:
                out.append("\\" + e)
            else:
                return None, j
            prev = None
            items += 1
            j += 2
            continue
        if c == "-":
            nxt = p[j + 1] if j + 1 < n else ""
            if nxt == "]":
                out.append(r"\-")
                items += 1
                j += 1
                continue
            if prev is None or not nxt.isascii() or not nxt.isalnum():
                return None, j
            same = (prev.isdigit() and nxt.isdigit()) or (prev.islower() and nxt.islower()) \
                or (prev.isupper() and nxt.isupper())
            if not same or nxt < prev:
                return None, j
            out.append("-" + nxt)
            prev = None
            items += 1
            j += 2
            continue
        if c.isascii() and c.isalnum():
            out.append(c)
            prev = c
        elif c in _CLASS_PUNCT:
            out.append("\\" + c if c in "{}()$*+?." else c)
            prev = None
        else:
            return None, j
        items += 1
        j += 1
    return None, j


# --------------------------------------------------------------------------------------------


def _message(exc: Exception) -> str:
    msg = exc.args[0] if exc.args else str(exc)
    return msg.decode("utf-8", "replace") if isinstance(msg, bytes) else str(msg)


def _re2_compile(wrapped: str, angle_names: bool):
    """RE2's compiled wrapped pattern (no logging); RegexError with Go's message."""
    try:
        return re2.compile(wrapped, options=_OPTIONS)
    except re2.error as exc:
        msg = _message(exc)
        if "too large" not in msg:
            raise _go_error(msg, wrapped, angle_names) from None
    try:
        return re2.compile(wrapped, options=_LARGE_OPTIONS)
    except re2.error as exc:
        raise _go_error(_message(exc), wrapped, angle_names) from None


# Unicode scripts that Go before 1.21 (Unicode 13; Prometheus before 2.47) does not know but RE2 does.
_NEW_SCRIPTS = ("Cypro_Minoan", "Old_Uyghur", "Tangsa", "Toto", "Vithkuqi", "Kawi", "Nag_Mundari")
_NEW_SCRIPT_RE = re.compile(r"(?<!\\)(?:\\\\)*(\\[pP]\{\^?(?:" + "|".join(_NEW_SCRIPTS) + r")\})")


class Regex:
    """A compiled relabel regex: ``^(?:R)$`` (2.x) or ``^(?s:R)$`` (3.x) with Go semantics."""

    __slots__ = ("pattern", "wrapped", "dotall", "ngroups", "names", "_re2", "_py", "_cache",
                 "anchored", "_cache_bool")

    def __init__(self, pattern: str, *, dotall: bool = False, angle_names: bool = False,
                 unicode13: bool = False):
        self.pattern = pattern
        self.dotall = dotall
        self.wrapped = ("^(?s:" if dotall else "^(?:") + pattern + ")$"
        if any("\ud800" <= ch <= "\udfff" for ch in pattern):
            raise RegexError("error parsing regexp: invalid UTF-8: `" + pattern + "`")
        self._re2 = _re2_compile(self.wrapped, angle_names)
        if unicode13:
            m = _NEW_SCRIPT_RE.search(pattern)
            if m:
                raise RegexError(f"error parsing regexp: invalid character class range: `{m[1]}`",
                                 "this Unicode script needs Prometheus >= 2.47.0")
        group_names = _scan_groups(self.wrapped, angle_names=angle_names)
        self.ngroups = self._re2.groups
        names: dict[str, list[int]] = {}
        if len(group_names) == self.ngroups:
            for idx, name in enumerate(group_names, start=1):
                if name is not None:
                    names.setdefault(name, []).append(idx)
        else:  # pragma: no cover - scanner disagreement; fall back to RE2's view
            for name, idx in self._re2.groupindex.items():
                names[name] = [idx]
        self.names = {k: tuple(v) for k, v in names.items()}
        self._py = None
        fast = translate_fast(pattern)
        if fast is not None:
            try:
                self._py = re.compile("(?:" + fast + r")\Z", re.ASCII | (re.DOTALL if dotall else 0))
            except (re.error, RecursionError):  # pragma: no cover - the translator bounds depth
                self._py = None
            else:
                if self._py.groups != self.ngroups:  # pragma: no cover - defensive
                    self._py = None
        self._cache: dict[str, Optional[Spans]] = {}
        self._cache_bool: dict[str, bool] = {}

    def __repr__(self) -> str:
        return f"Regex({self.pattern!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Regex) and other.wrapped == self.wrapped

    def __hash__(self) -> int:
        return hash(self.wrapped)

    @property
    def fast(self) -> bool:
        """True when the Python fast path is available for short values."""
        return self._py is not None

    # -- matching ---------------------------------------------------------------------------

    def search_re2(self, s: str, pos: int = 0) -> Optional[Spans]:
        """Leftmost-first match of the wrapped pattern (Go FindStringSubmatchIndex), via RE2."""
        raw = getattr(self._re2, "_regexp", None)
        if raw is not None and _UNANCHORED is not None and s.isascii():
            # What re2.search does, minus its offset conversion: for ASCII text byte offsets
            # are code point offsets.
            n = len(s)
            pos = max(0, min(pos, n))
            spans = raw.Match(_UNANCHORED, s.encode("ascii"), pos, n)
            if spans[0] == (-1, -1):
                return None
            return tuple(chain.from_iterable(spans))
        try:
            m = self._re2.search(s, pos)
        except UnicodeEncodeError:
            m = self._re2.search(s.encode("utf-8", "replace").decode("utf-8"), pos)
        if m is None:
            return None
        out: list[int] = []
        for a, b in m._spans if hasattr(m, "_spans") else (m.span(i) for i in range(self.ngroups + 1)):
            out.append(a)
            out.append(b)
        return tuple(out)

    def _search_py(self, s: str) -> Optional[Spans]:
        m = self._py.match(s)  # type: ignore[union-attr]
        if m is None:
            return None
        out = [0, len(s)]
        for i in range(1, self.ngroups + 1):
            a, b = m.span(i)
            out.append(a)
            out.append(b)
        return tuple(out)

    def search(self, s: str) -> Optional[Spans]:
        """Go's FindStringSubmatchIndex on s (cached)."""
        cache = self._cache
        try:
            return cache[s]
        except KeyError:
            pass
        if self._py is not None and len(s) <= FAST_PATH_MAX_LEN:
            res = self._search_py(s)
        else:
            res = self.search_re2(s)
        if len(cache) >= CACHE_LIMIT:
            cache.clear()
        cache[s] = res
        return res

    def matches(self, s: str) -> bool:
        """Go's MatchString on s (cached)."""
        cache = self._cache_bool
        try:
            return cache[s]
        except KeyError:
            pass
        if self._py is not None and len(s) <= FAST_PATH_MAX_LEN:
            res = self._py.match(s) is not None
        else:
            res = self.search_re2(s) is not None
        if len(cache) >= CACHE_LIMIT:
            cache.clear()
        cache[s] = res
        return res

    def replace_all(self, s: str, template) -> str:
        """Go's ReplaceAllString(s, template) for a parsed Template."""
        first = self.search(s)
        if first is None:
            return s
        if first[0] == 0 and first[1] == len(s):
            # The usual case: one match covering the whole string; a further match could only be
            # an empty one at the end, which Go skips because it abuts this one.
            if len(s) == 0 or not self._could_match_later():
                return template.expand(s, first, self.names)
        return self._replace_all_slow(s, template)

    def _could_match_later(self) -> bool:
        # Only a pattern whose anchors were broken by unbalanced parentheses can match again
        # after a match that ends at the end of the string; the fast-path subset never can.
        return self._py is None

    def _replace_all_slow(self, s: str, template) -> str:
        out: list[str] = []
        last_end = 0
        pos = 0
        n = len(s)
        while pos <= n:
            a = self.search_re2(s, pos)
            if a is None:
                break
            out.append(s[last_end:a[0]])
            if a[1] > last_end or a[0] == 0:
                out.append(template.expand(s, a, self.names))
            last_end = a[1]
            width = 1 if pos < n else 0
            if pos + width > a[1]:
                pos += width
            elif pos + 1 > a[1]:
                pos += 1
            else:
                pos = a[1]
        out.append(s[last_end:])
        return "".join(out)


_compiled: dict[tuple[str, bool, bool, bool], Regex] = {}


def compile_regex(pattern: str, *, dotall: bool = False, angle_names: bool = False,
                  unicode13: bool = False) -> Regex:
    """A (shared, cached) compiled relabel regex; raises RegexError with Go's message.

    dotall: 3.x wrapping ``^(?s:R)$``; angle_names: accept ``(?<name>`` (Go >= 1.22, Prometheus
    >= 2.51); unicode13: reject scripts newer than Unicode 13 (Go < 1.21, Prometheus < 2.47).
    """
    key = (pattern, dotall, angle_names, unicode13)
    r = _compiled.get(key)
    if r is None:
        r = Regex(pattern, dotall=dotall, angle_names=angle_names, unicode13=unicode13)
        if len(_compiled) > 4096:
            _compiled.clear()
        _compiled[key] = r
    return r
