"""kubectl's YAML, read fast: yaml_rs where it reads a text exactly as PyYAML's safe loader does.

An inventory of tens of thousands of pods is hundreds of megabytes of ``kubectl get -o yaml``. libyaml
reads about 4 MB/s; yaml_rs (Rust) about 50 MB/s, but it implements YAML 1.2's core schema where the
rest of migrator (and the reference behaviour) is PyYAML's YAML 1.1. ``documents(text)`` returns what
yaml_rs reads when one scan of the text shows it cannot differ from libyaml's reading, else None (then
the caller reads the text with libyaml, which also says where an error is).

The scan errs on the side of None: a match inside a quoted string only costs time. kubectl's output
has none of the constructs it looks for (go-yaml quotes every string a YAML 1.1 reader would not take
as a string and writes no anchor, tag, tab or flow collection but ``{}`` and ``[]``).

A big ``kind: List`` is parsed in two processes (the second half in a forked child that sends its
items back as JSON), on machines with two cores or more: the parse is most of the load's time.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from typing import Any

import re2

try:
    import orjson as _orjson
except ImportError:  # pragma: no cover - a dependency
    _orjson = None
try:
    import yaml_rs as _yaml_rs
except ImportError:  # pragma: no cover - a dependency, but stay usable without it
    _yaml_rs = None

_OPTIONS = re2.Options()
_OPTIONS.max_mem = 64 << 20  # room for the DFA: the scan must not fall back to the slow NFA

# Where the two readers differ (found by comparing them on every YAML file of the tests, samples and
# ../shared, a kubectl-style List of 2,000 pods, and a generated grid of scalars in every position; tests
# keep the grid): YAML 1.1 numbers, booleans and timestamps that 1.2 reads as strings or otherwise; anchors,
# aliases, tags, directives, complex or empty keys, flow collections with content; control characters,
# tabs and the line breaks YAML 1.2 lacks, which libyaml refuses or reads otherwise.
#
# Where a plain scalar can end (consumed: only whether a match exists matters).
_END = r"(?: *(?:\r?\n|\z|#|:(?:[ ,\[\]{}]|\r?\n|\z)|[,\]}]))"
_INT, _SEXA, _FRAC, _EXP, _SIGN = r"[0-9][0-9_]*", r"(?::[0-5]?[0-9])*", r"(?:\.[0-9_]*)?", r"(?:[eE][-+]?[0-9]+)?", r"[-+]?"
# A number one schema reads otherwise than the other: every YAML 1.1 or 1.2 number form except the plain
# decimals and floats both read alike, ``[-+]?(0|[1-9][0-9]*)(\.[0-9]*([eE][-+][0-9]+)?)?``, spelled out
# as the ways to differ from that form (RE2 has no lookahead), plus timestamps and a leading underscore.
_UNSAFE_NUMBER = "|".join((
    _SIGN + r"0[bxoBXO][0-9a-fA-F_]+" + _END,                                   # 0x1F, 0o17, 0b101
    _SIGN + r"[0-9.][-+0-9.eE:]*_",                                             # 1_000, 1e1_0 (yaml_rs: anywhere)
    _SIGN + r"0[0-9][0-9_]*" + _SEXA + _FRAC + _EXP + _END,                     # 0755
    _SIGN + _INT + r"(?::[0-5]?[0-9])+" + _FRAC + _EXP + _END,                  # 1:20 (base 60)
    _SIGN + _INT + _SEXA + r"[eE][-+]?[0-9]+" + _END,                           # 1e3
    _SIGN + _INT + _SEXA + r"\.[0-9_]*[eE][0-9]+" + _END,                       # 1.0e3
    _SIGN + r"\.[0-9][0-9_]*" + _EXP + _END,                                    # .5
    _SIGN + r"_",
    r"[0-9]{4}-[0-9][0-9]?-",                                                   # 2001-12-14
))
#: after a value indicator: a flow collection with content, an anchor, alias or tag, or such a number
_VALUE = r" *(?:[\[{] *[^ \]}\r\n]|[&*!]|" + _UNSAFE_NUMBER + ")"
#: plain words YAML 1.1 reads as a boolean, a merge key or a value key, and 1.2 as strings
_WORD = r" *(?:yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|<<|=)" + _END
_NOT_PORTABLE_ALTERNATIVES = (
    r"[:-] " + _VALUE,
    # a line starting with: a key or value of one of these characters, a directive, a complex or empty key,
    # a flow collection, or a dot other than a document end marker
    r"(?:\A|\n) *(?:[+_0-9&*!%?:\[{]|-[^- \r\n]|\.(?:\z|[^.]|\.(?:\z|[^.])|\.\.[^ \r\n]))",
    r"(?:\A|\n)(?:---|\.\.\.) *[^ \r\n#]",  # content on a document marker line
    r"(?:\A|\n|: |- )" + _WORD,
    r"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f]",  # control characters and tabs
)
_MARKER = r"(?m:^(?:---|\.\.\.) *(?:#[^\n]*)?\r?$)"  # a document marker line
#: infinity or not-a-number, which the JSON a forked parser sends back cannot carry (orjson writes null)
_SPECIAL_FLOAT = r"\.(?:inf|Inf|INF|nan|NaN|NAN)"
#: One pass finds both: a document marker (group 1) or what is not portable. No alternative that is not
#: portable matches where a marker line starts or inside it (content after a marker starts before it, at
#: the line break), so the leftmost match is the one that tells.
_MARKER_OR_NOT_PORTABLE = re2.compile("(" + _MARKER + ")|(" + _SPECIAL_FLOAT + ")|"
                                      + "|".join(_NOT_PORTABLE_ALTERNATIVES), _OPTIONS)
_NOT_PORTABLE_NON_ASCII = re2.compile(r"[\x{80}-\x{9f}\x{feff}\x{fffe}\x{ffff}\x{2028}\x{2029}]", _OPTIONS)
#: a block scalar with no content ending a document: yaml_rs reads "\n" where libyaml reads ""
_EMPTY_BLOCK_AT_END = re2.compile(r"[|>][-+0-9]* *(?:#[^\n]*)?(?:\r?\n *)*\z", _OPTIONS)

_NOT_AN_ITEM = re2.compile(r"\n(?:[^ \-\r\n]|-[^ \r\n])", _OPTIONS)  # a line at column 0 that is no item

#: A ``kind: List`` is parsed in chunks of about this size (yaml_rs's time per byte grows with the text).
CHUNK_CHARS = 8 << 20
#: A single document at least this long that is a ``kind: List`` is parsed in chunks, in two processes
#: where it can fork.
PARALLEL_MIN_CHARS = 4 << 20
#: The share of the chunks the parent parses; the child parses the rest and also encodes it as JSON,
#: which the parent decodes.
PARENT_SHARE = 0.5


def _scannable(text: str) -> bytes | str:
    """What RE2 scans: the text's bytes when it is ASCII (the same offsets, and no conversion of offsets
    between characters and bytes, which costs as much as the scan), else the text."""
    return text.encode("ascii") if text.isascii() else text


def portable(text: str) -> bool:
    """Whether yaml_rs reads ``text`` exactly as PyYAML's safe loader (libyaml) does."""
    return _pieces(text, _scannable(text)) is not None


def _loads(text: str) -> Any:
    # parse_datetime would turn quoted strings into datetimes too; plain timestamps are not portable
    return _yaml_rs.loads(text, parse_datetime=False, duplicate_key_policy=_yaml_rs.DuplicateKeyPolicy.LastWins)


def _checked(doc: Any) -> bytes:
    """``doc`` as JSON; raises TypeError for what libyaml reads otherwise or migrator cannot use (a key
    that is not a string, an integer beyond 64 bits)."""
    return _orjson.dumps(doc)


def _pieces(text: str, scan: bytes | str) -> tuple[list[str], bool] | None:
    """The documents of a stream, split at its marker lines (yaml_rs returns a list for several), and
    whether it may hold an infinite or not-a-number float; None when the text is not portable."""
    cuts = []
    special = False
    for m in _MARKER_OR_NOT_PORTABLE.finditer(scan):
        if m.start(1) >= 0:
            cuts.append((m.start(), m.end()))
        elif m.start(2) >= 0:
            special = True
        else:
            return None
    if not isinstance(scan, bytes) and _NOT_PORTABLE_NON_ASCII.search(text):
        return None
    if not cuts:
        return [text], special
    out, pos = [], 0
    for start, end in cuts:
        out.append(text[pos:start])
        pos = end
    out.append(text[pos:])
    return out, special


def _ends_with_empty_block(piece: str) -> bool:
    tail = piece[-4096:]  # (not a copy of the whole document)
    stripped = tail.rstrip(" \r\n")
    if not stripped and len(tail) < len(piece):
        tail, stripped = piece, piece.rstrip(" \r\n")
    start = stripped.rfind("\n") + 1  # the last line with content, and what follows it
    return bool(_EMPTY_BLOCK_AT_END.search(tail[start:]))


def documents(text: str) -> list[Any] | None:
    """The documents of a YAML text as yaml_rs reads them, when that is exactly how the libyaml loader
    reads them; None otherwise (not portable, or an error for the libyaml path to report with its line)."""
    if _yaml_rs is None or _orjson is None:
        return None
    scan = _scannable(text)
    split = _pieces(text, scan)
    if split is None:
        return None
    pieces, special = split
    # where to cut a big List into chunks (the scan's offsets are the whole text's)
    cuts = [_list_cuts(piece, scan if len(pieces) == 1 else None) if len(piece) >= PARALLEL_MIN_CHARS else None
            for piece in pieces]
    del scan  # (as large as the text)
    fork = not special and _can_fork()
    docs = []
    try:
        for piece, cut in zip(pieces, cuts):
            if _ends_with_empty_block(piece):
                return None
            if not piece or piece.isspace():
                continue
            doc = None if cut is None else _parse_list(piece, cut, fork and len(piece) >= PARALLEL_MIN_CHARS)
            if doc is None:
                doc = _loads(piece)
                _checked(doc)
            if doc is not None:
                docs.append(doc)
    except Exception:  # any refusal: libyaml says what and where
        return None
    return docs


def _can_fork() -> bool:
    if not hasattr(os, "fork") or sys.platform != "linux":
        return False
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover
        cores = os.cpu_count() or 1
    return cores >= 2 and threading.active_count() <= 2  # the main thread and at most a progress bar's


def _list_cuts(piece: str, scan: bytes | str | None = None) -> list[int] | None:
    """Where to cut a ``kind: List`` document between items into chunks of about CHUNK_CHARS: offsets of
    the line breaks before items; None when the text is not laid out as kubectl writes a List
    (``items:`` at column 0 once, its items as ``- `` at column 0) or is too small to cut."""
    at = 0 if piece.startswith("items:") else piece.find("\nitems:") + 1
    if at <= 0 and not piece.startswith("items:"):
        return None
    line_end = piece.find("\n", at)
    if line_end == -1 or piece[at + len("items:"):line_end].strip(" \r") or not piece.startswith("- ", line_end + 1):
        return None
    # the items end at the first line at column 0 that is not an item
    end = len(piece)
    m = _NOT_AN_ITEM.search(piece if scan is None else scan, line_end)
    if m is not None:
        end = m.start()
        if piece.find("\nitems:", end) != -1:  # a second one: let one parser decide
            return None
    n = max(2, round((end - line_end) / CHUNK_CHARS))
    cuts: list[int] = []
    for i in range(1, n):
        cut = piece.find("\n- ", max(line_end + (end - line_end) * i // n, cuts[-1] + 1 if cuts else 0), end)
        if cut == -1:
            break
        cuts.append(cut)
    return cuts or None


def _list_chunk(piece: str, cuts: list[int], i: int) -> str:
    """Chunk ``i`` of a List cut at ``cuts`` (0 <= i <= len(cuts)), a YAML mapping: the first holds the keys
    before ``items`` and the first items; the others their items under their own ``items:`` key, the last
    also the keys after ``items``."""
    start = 0 if i == 0 else cuts[i - 1] + 1
    stop = cuts[i] + 1 if i < len(cuts) else len(piece)
    return piece[start:stop] if i == 0 else "items:\n" + piece[start:stop]


def _merged(doc: Any, more: Any) -> Any:
    """``more`` (a later chunk's mapping) added to ``doc``: items appended, other keys as one parse gives
    them (the later wins)."""
    if not (isinstance(doc, dict) and isinstance(more, dict) and isinstance(doc.get("items"), list)
            and isinstance(more.get("items"), list)):
        raise ValueError("not a List")
    items = doc["items"]
    items.extend(more.pop("items"))
    doc.update(more)
    doc["items"] = items
    return doc


def _parse_chunks(piece: str, cuts: list[int], first: int, stop: int) -> Any:
    doc = _loads(_list_chunk(piece, cuts, first))
    _checked(doc)
    for i in range(first + 1, stop):
        more = _loads(_list_chunk(piece, cuts, i))
        _checked(more)
        doc = _merged(doc, more)
    return doc


def _parse_list(piece: str, cuts: list[int], fork: bool) -> Any:
    """A big List parsed chunk by chunk (yaml_rs takes more than twice the time per byte on a 100 MB text
    than on 10 MB ones), the second half in a forked child when ``fork``. Raises what yaml_rs or the check
    raise; returns None when the child fails (then the caller parses the text in one piece)."""
    n = len(cuts) + 1
    if not fork:
        return _parse_chunks(piece, cuts, 0, n)
    half = max(1, round(n * PARENT_SHARE))
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: parse the tail, send it as JSON, exit without running any of the parent's code
        status = 1
        try:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            os.close(read_fd)
            data = _checked(_parse_chunks(piece, cuts, half, n))
            view = memoryview(data)
            while view:
                view = view[os.write(write_fd, view):]
            status = 0
        finally:
            os._exit(status)
    os.close(write_fd)
    try:
        doc = _parse_chunks(piece, cuts, 0, half)
        with os.fdopen(read_fd, "rb") as pipe:
            read_fd = -1
            raw = pipe.read()
        _, status = os.waitpid(pid, 0)
        pid = 0
        if status != 0:
            return None
        rest = _orjson.loads(raw)
        del raw
        return _merged(doc, rest)
    finally:
        if read_fd != -1:
            os.close(read_fd)
        if pid:
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except OSError:  # pragma: no cover - already gone
                pass
