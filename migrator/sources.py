"""Reading user input: files, directories and stdin, as YAML or JSON documents.

Every document keeps where it came from (file, line of each node) so that an
error can point at file, line and field. Documents are plain Python data
(dict/list/str/int/float/bool/None); YAML is read as go-yaml v2 reads it (YAML
1.1: ``yes`` is true, ``010`` is 8), and the literal text of every scalar is
kept too, because Prometheus reads string fields as their literal text
(``regex: 010`` is the string "010").

Edges only: no semantics here.
"""

from __future__ import annotations

import datetime
import io
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

import yaml
from yaml.constructor import SafeConstructor

from migrator.errors import InputError

try:  # the C parser is an order of magnitude faster; fall back quietly
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the libyaml build
    _Loader = yaml.SafeLoader

#: Most nodes one document may expand to: a guard against huge or hostile input.
MAX_NODES = 20_000_000
#: Most nodes that aliases may repeat in one document: the guard against alias bombs.
MAX_ALIAS_NODES = 100_000
#: Largest input file read, in bytes.
MAX_BYTES = 512 * 1024 * 1024
YAML_SUFFIXES = (".yaml", ".yml", ".json")

Path_ = tuple  # a path into a document: keys and list indexes


@dataclass
class Document:
    """One YAML/JSON document (or one item of a ``kind: List``)."""

    data: Any
    file: str
    line: int = 1
    marks: dict[tuple, int] = field(default_factory=dict, repr=False)
    texts: dict[tuple, str] = field(default_factory=dict, repr=False)

    def line_of(self, path: Iterable = ()) -> int:
        """The 1-based line of the node at path, or of its nearest ancestor."""
        p = tuple(path)
        while p:
            if p in self.marks:
                return self.marks[p]
            p = p[:-1]
        return self.marks.get((), self.line)

    def text_of(self, path: Iterable) -> str | None:
        """The literal text of the scalar at path (None for non-scalars or unknown)."""
        return self.texts.get(tuple(path))

    def error(self, message: str, path: Iterable = (), field_name: str | None = None) -> InputError:
        p = tuple(path)
        return InputError(message, file=self.file, line=self.line_of(p),
                          field=field_name if field_name is not None else dotted(p))

    @property
    def kind(self) -> str | None:
        return self.data.get("kind") if isinstance(self.data, dict) else None

    @property
    def name(self) -> str:
        md = self.data.get("metadata") if isinstance(self.data, dict) else None
        return str((md or {}).get("name", "")) if isinstance(md, dict) else ""

    @property
    def namespace(self) -> str | None:
        md = self.data.get("metadata") if isinstance(self.data, dict) else None
        ns = md.get("namespace") if isinstance(md, dict) else None
        return str(ns) if ns is not None else None


def dotted(path: Iterable) -> str:
    """('spec', 'endpoints', 0, 'port') -> 'spec.endpoints[0].port'."""
    out = ""
    for p in path:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            out += ("." if out else "") + str(p)
    return out


class _Builder:
    """Turns a composed YAML node tree into plain data, recording lines and texts."""

    def __init__(self, file: str):
        self.file = file
        self.count = 0
        self.repeated = 0
        self.built: set[int] = set()
        self.marks: dict[tuple, int] = {}
        self.texts: dict[tuple, str] = {}
        self.constructor = SafeConstructor()

    def build(self, node: yaml.Node, path: tuple, active: set[int]) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise InputError(
                f"document expands to more than {MAX_NODES:,} nodes (a YAML alias bomb?); refusing it",
                file=self.file, line=node.start_mark.line + 1)
        if id(node) in self.built:
            self.repeated += 1
            if self.repeated > MAX_ALIAS_NODES:
                raise InputError(
                    f"YAML aliases expand to more than {MAX_ALIAS_NODES:,} repeated nodes "
                    "(an alias bomb?); refusing it", file=self.file, line=node.start_mark.line + 1)
        else:
            self.built.add(id(node))
        self.marks[path] = node.start_mark.line + 1
        if isinstance(node, yaml.ScalarNode):
            self.texts[path] = node.value
            return self._scalar(node, path)
        if id(node) in active:
            raise InputError("recursive YAML alias", file=self.file, line=node.start_mark.line + 1,
                             field=dotted(path))
        active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [self.build(child, path + (i,), active) for i, child in enumerate(node.value)]
            # mapping
            try:
                self.constructor.flatten_mapping(node)  # resolves "<<" merge keys
            except yaml.YAMLError as exc:
                raise _yaml_error(exc, self.file) from None
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise InputError("a mapping key must be a scalar", file=self.file,
                                     line=key_node.start_mark.line + 1, field=dotted(path))
                key = self._scalar(key_node, path)
                if isinstance(key, (list, dict)):  # pragma: no cover - scalars only
                    key = str(key)
                if key in out:
                    raise InputError(f"mapping key {key!r} is defined twice", file=self.file,
                                     line=key_node.start_mark.line + 1, field=dotted(path + (key,)))
                out[key] = self.build(value_node, path + (key,), active)
                self.marks[path + (key,)] = key_node.start_mark.line + 1
            return out
        finally:
            active.discard(id(node))

    def _scalar(self, node: yaml.ScalarNode, path: tuple) -> Any:
        if node.tag == "tag:yaml.org,2002:timestamp":
            return node.value  # keep dates as written
        if node.tag == "tag:yaml.org,2002:binary":
            return node.value
        try:
            value = self.constructor.construct_object(node, deep=True)
        except yaml.YAMLError:
            return node.value
        except (ValueError, LookupError, TypeError, ArithmeticError):
            if node.tag == "tag:yaml.org,2002:int" and node.value.lstrip("+-").isdigit():
                return node.value  # more digits than Python converts: the text (a number field says so)
            # an explicit tag the text cannot be (!!int abc, !!bool maybe): go-yaml refuses it too
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            shown = repr(node.value) if len(node.value) <= 40 else repr(node.value[:40]) + "..."
            raise InputError(f"cannot decode {shown} as {tag}", file=self.file,
                             line=node.start_mark.line + 1, field=dotted(path) or None) from None
        if isinstance(value, (datetime.date, datetime.datetime)):
            return node.value
        return value


def _yaml_error(exc: yaml.YAMLError, file: str) -> InputError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    msg = f"malformed YAML: {problem}" + (f" ({context})" if context else "")
    return InputError(msg, file=file, line=(mark.line + 1) if mark else None)


def read_text(path: str, stdin: io.TextIOBase | None = None) -> tuple[str, str]:
    """(display name, text) for a file path or '-' (stdin). Refuses binary files."""
    if path == "-":
        stream = stdin if stdin is not None else sys.stdin
        raw = stream.buffer.read() if hasattr(stream, "buffer") else stream.read()
        name = "<stdin>"
    else:
        p = Path(path)
        if not p.exists():
            raise InputError("no such file or directory", file=path)
        if p.stat().st_size > MAX_BYTES:
            raise InputError(f"file is larger than {MAX_BYTES // (1024 * 1024)} MiB", file=path)
        try:
            raw = p.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", file=path) from None
        name = path
    if isinstance(raw, str):
        text = raw
    else:
        if b"\x00" in raw[:65536]:
            raise InputError("not a text file (binary content)", file=name)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise InputError("not a text file (invalid UTF-8)", file=name, line=line) from None
    return name, text


def parse_documents(text: str, name: str) -> list[Document]:
    """All documents of a YAML (or JSON) text; empty documents are skipped."""
    docs: list[Document] = []
    try:
        for node in yaml.compose_all(text, Loader=_Loader):
            if node is None:
                continue
            b = _Builder(name)
            data = b.build(node, (), set())
            if data is None:
                continue
            docs.append(Document(data, name, node.start_mark.line + 1, b.marks, b.texts))
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, name) from None
    except RecursionError:
        raise InputError("YAML nesting is too deep", file=name) from None
    return docs


def expand_lists(docs: Iterable[Document]) -> Iterator[Document]:
    """Replace each ``kind: List`` (kubectl get -o yaml) by its items."""
    for doc in docs:
        d = doc.data
        if isinstance(d, dict) and isinstance(d.get("kind"), str) and d["kind"].endswith("List") \
                and isinstance(d.get("items"), list):
            for i, item in enumerate(d["items"]):
                prefix = ("items", i)
                n = len(prefix)
                marks = {k[n:]: v for k, v in doc.marks.items() if k[:n] == prefix}
                texts = {k[n:]: v for k, v in doc.texts.items() if k[:n] == prefix}
                yield Document(item, doc.file, marks.get((), doc.line), marks, texts)
        else:
            yield doc


def iter_files(arg: str) -> list[str]:
    """A path argument: '-', a file, or a directory (recursive, *.yaml *.yml *.json, sorted)."""
    if arg == "-":
        return ["-"]
    p = Path(arg)
    if p.is_dir():
        return [str(f) for f in sorted(p.rglob("*")) if f.is_file() and f.suffix.lower() in YAML_SUFFIXES]
    return [arg]


def load_documents(args: Iterable[str], stdin: io.TextIOBase | None = None) -> list[Document]:
    """Every document from every argument, in order, with Lists expanded."""
    out: list[Document] = []
    for arg in args:
        files = iter_files(arg)
        if not files and arg != "-":
            raise InputError("directory holds no *.yaml, *.yml or *.json file", file=arg)
        for f in files:
            name, text = read_text(f, stdin)
            out.extend(expand_lists(parse_documents(text, name)))
    return out
