"""Editing a user's scrape config file without disturbing it: remove jobs, keep the rest.

Line-based first (``_line_edits``): a removed job is the span of lines from the comment block directly above
its ``-`` to its last line, cut out of the text; every other line stays byte-identical (indentation,
quoting, comments, line endings). A list left empty becomes ``[]``; in the prometheus-community chart's
``scrapeConfigs`` map (whose chart defaults would come back if the key were deleted) a job is turned off
with ``enabled: false``. Embedded YAML (a ConfigMap's literal block, Helm's ``additionalScrapeConfigs: |``
or ``extraScrapeConfigs``) is edited line by line the same way, a Secret's base64 ``data`` re-encoded in
place. Shapes lines cannot express (flow-style lists, JSON, folded or quoted strings) fall back to a
ruamel.yaml round trip, which keeps comments, key order and quoting of everything not removed.
"""

from __future__ import annotations

import base64
import io
from typing import Any, Iterable

from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import LiteralScalarString

from migrator.errors import InputError


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.brace_single_entry_mapping_in_flow_sequence = True  # [{a: 1}] stays that (and JSON stays JSON)
    y.width = 1 << 16
    y.indent(mapping=2, sequence=2, offset=0)
    return y


def _load_all(text: str, name: str) -> list:
    try:
        return list(_yaml().load_all(text))
    except Exception as exc:  # ruamel raises several error types
        raise InputError(f"cannot edit this YAML: {str(exc).splitlines()[0]}", file=name) from None


def _dump_all(docs: list) -> str:
    buf = io.StringIO()
    y = _yaml()
    if len(docs) == 1:
        y.dump(docs[0], buf)
    else:
        y.dump_all(docs, buf)
    return buf.getvalue()


def _drop_from_list(seq: Any, names: set[str]) -> int:
    if not isinstance(seq, list):
        return 0
    keep = [j for j in seq if not (isinstance(j, dict) and str(j.get("job_name")) in names)]
    removed = len(seq) - len(keep)
    if removed:
        # delete in place, from the end, so that comments attached to kept items stay put
        for i in range(len(seq) - 1, -1, -1):
            j = seq[i]
            if isinstance(j, dict) and str(j.get("job_name")) in names:
                del seq[i]
    return removed


def _edit_embedded(text: str, names: set[str], where: str) -> tuple[str, int]:
    docs = _load_all(text, where)
    removed = sum(_edit_doc(d, names, where) for d in docs)
    return (_dump_all(docs) if removed else text), removed


def _edit_doc(doc: Any, names: set[str], where: str, key: str | None = None) -> int:
    if isinstance(doc, list):
        return _drop_from_list(doc, names)
    if not isinstance(doc, dict):
        return 0
    kind = doc.get("kind")
    if isinstance(kind, str) and kind.endswith("List") and isinstance(doc.get("items"), list):
        return sum(_edit_doc(item, names, where, key) for item in doc["items"])  # kubectl get ... -o yaml
    if kind in ("Secret", "ConfigMap") and "apiVersion" in doc:
        removed = 0
        for section in ("stringData", "data"):
            values = doc.get(section)
            if not isinstance(values, dict):
                continue
            for k in list(values):
                if key is not None and k != key:
                    continue
                raw = values[k]
                encoded = kind == "Secret" and section == "data"
                try:
                    text = base64.b64decode(str(raw)).decode("utf-8") if encoded else str(raw)
                except (ValueError, UnicodeDecodeError):
                    continue
                if "job_name" not in text:
                    continue
                new, n = _edit_embedded(text, names, f"{where}[{k}]")
                if n:
                    values[k] = base64.b64encode(new.encode()).decode() if encoded else LiteralScalarString(new)
                    removed += n
        return removed
    removed = 0
    if "scrape_configs" in doc:
        removed += _drop_from_list(doc["scrape_configs"], names)
    prom = doc.get("prometheus")
    spec = prom.get("prometheusSpec") if isinstance(prom, dict) else None
    if isinstance(spec, dict) and "additionalScrapeConfigs" in spec:
        value = spec["additionalScrapeConfigs"]
        if isinstance(value, str):
            new, n = _edit_embedded(value, names, f"{where}[additionalScrapeConfigs]")
            if n:
                spec["additionalScrapeConfigs"] = LiteralScalarString(new)
            removed += n
        else:
            removed += _drop_from_list(value, names)
    server_files = doc.get("serverFiles")
    if isinstance(server_files, dict) and isinstance(server_files.get("prometheus.yml"), dict):
        removed += _drop_from_list(server_files["prometheus.yml"].get("scrape_configs"), names)
    extra = doc.get("extraScrapeConfigs")
    if isinstance(extra, str) and "job_name" in extra:
        new, n = _edit_embedded(extra, names, f"{where}[extraScrapeConfigs]")
        if n:
            doc["extraScrapeConfigs"] = LiteralScalarString(new)
        removed += n
    return removed


def remove_jobs(text: str, job_names: Iterable[str], *, name: str = "<source>", key: str | None = None) -> str:
    """The text with the named jobs removed and everything else as it was."""
    return remove_jobs_counted(text, job_names, name=name, key=key)[0]


def remove_jobs_counted(text: str, job_names: Iterable[str], *, name: str = "<source>",
                        key: str | None = None) -> tuple[str, int]:
    """(the text with the named jobs removed, how many jobs were removed)."""
    names = {str(n) for n in job_names}
    if not names:
        return text, 0
    try:
        edits, removed = _line_edits(text, names, key)
    except _NotLineBased:
        edits, removed = None, 0
    if edits is not None:
        return (_apply(text, edits) if removed else text), removed
    docs = _load_all(text, name)
    removed = sum(_edit_doc(d, names, name, key) for d in docs)
    if not removed:
        return text, 0
    out = _dump_all(docs)
    if text.startswith("---") and not out.startswith("---"):
        out = "---\n" + out
    return out, removed


# ---------------------------------------------------------------------------------------------------------
# line-based removal: every untouched line byte-identical

class _NotLineBased(Exception):
    """This shape cannot be edited line by line: the ruamel round trip does it."""


def _apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    """Character-range replacements (start, end, new), applied from the end."""
    out = text
    last = len(text) + 1
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        if end > last:
            raise _NotLineBased("overlapping edits")
        out = out[:start] + new + out[end:]
        last = start
    return out


class _Lines:
    def __init__(self, text: str):
        self.text = text
        self.lines = text.splitlines(keepends=True)
        self.offsets = [0]
        for line in self.lines:
            self.offsets.append(self.offsets[-1] + len(line))

    def start(self, line: int) -> int:
        return self.offsets[min(line, len(self.lines))]

    def blank_or_comment(self, line: int) -> bool:
        s = self.lines[line].strip()
        return not s or s.startswith("#")


def _compose(text: str) -> list:
    import yaml

    try:
        return list(yaml.compose_all(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
    except yaml.YAMLError:
        raise _NotLineBased("not YAML") from None


def _get(node, key: str):
    from yaml.nodes import MappingNode

    if not isinstance(node, MappingNode):
        return None
    for k, v in node.value:
        if getattr(k, "value", None) == key:
            return v
    return None


def _last_line(node, lines: _Lines) -> int:
    """The last line holding content of the node (its block scalar's last non-blank line included)."""
    from yaml.nodes import MappingNode, ScalarNode, SequenceNode

    if isinstance(node, ScalarNode) or node.flow_style:
        end = node.end_mark
        line = end.line if end.column > 0 else end.line - 1
        if isinstance(node, ScalarNode) and node.style in ("|", ">"):
            while line > node.start_mark.line and not lines.lines[line].strip():
                line -= 1
        return line
    if isinstance(node, MappingNode):
        return max([node.start_mark.line] + [_last_line(v, lines) for pair in node.value for v in pair])
    if isinstance(node, SequenceNode):
        return max([node.start_mark.line] + [_last_line(v, lines) for v in node.value])
    return node.start_mark.line


def _item_start(node, lines: _Lines) -> int:
    """The line of the item's '-', then up through the comment block directly above it."""
    line = node.start_mark.line
    prefix = lines.lines[line][:node.start_mark.column]
    while "-" not in prefix:
        line -= 1
        if line < 0:
            raise _NotLineBased("no dash")
        prefix = lines.lines[line]
        if prefix.strip() and not prefix.strip().startswith("-") and not prefix.strip().startswith("#"):
            raise _NotLineBased("item without a dash line")
    while line > 0 and lines.lines[line - 1].strip().startswith("#"):
        line -= 1
    return line


def _is_job(item, names: set[str]) -> bool:
    name = _get(item, "job_name")
    return name is not None and getattr(name, "value", None) in names


def _seq_edits(seq, names: set[str], lines: _Lines, owner_key=None, empty: str = "[]\n") -> tuple[list, int]:
    """Edits removing the named jobs of a block sequence (owner_key: the key node whose value it is)."""
    from yaml.nodes import ScalarNode, SequenceNode

    if isinstance(seq, ScalarNode) and seq.tag.endswith(":null"):
        return [], 0
    if not isinstance(seq, SequenceNode):
        return [], 0
    hits = [i for i, item in enumerate(seq.value) if _is_job(item, names)]
    if not hits:
        return [], 0
    if seq.flow_style:
        raise _NotLineBased("flow sequence")
    starts = [_item_start(item, lines) for item in seq.value]
    edits = []
    for i in hits:
        first = starts[i]
        if i + 1 < len(seq.value):
            end = starts[i + 1]
        else:
            end = _last_line(seq.value[i], lines) + 1
        if i > 0:
            first = max(first, _last_line(seq.value[i - 1], lines) + 1)
        edits.append((lines.start(first), lines.start(end), ""))
    if len(hits) == len(seq.value):  # nothing left: an empty list, not a null
        if owner_key is None:
            if empty:
                edits.append((lines.start(starts[0]), lines.start(starts[0]), empty))
        else:
            colon = lines.text.index(":", owner_key.end_mark.index)
            edits.append((colon + 1, colon + 1, " []"))
    return edits, len(hits)


def _pair(node, key: str):
    from yaml.nodes import MappingNode

    if not isinstance(node, MappingNode):
        return None, None
    for k, v in node.value:
        if getattr(k, "value", None) == key:
            return k, v
    return None, None


def _map_edits(mapping, names: set[str], lines: _Lines) -> tuple[list, int]:
    """The chart's scrapeConfigs map: a migrated job is turned off (enabled: false), since deleting the key
    would bring back the chart's default."""
    from yaml.nodes import MappingNode, ScalarNode

    if not isinstance(mapping, MappingNode):
        return [], 0
    edits, n = [], 0
    for k, v in mapping.value:
        if not isinstance(v, MappingNode):
            continue
        jn = _get(v, "job_name")
        name = jn.value if isinstance(jn, ScalarNode) and jn.value else k.value
        if name not in names:
            continue
        if v.flow_style:
            raise _NotLineBased("flow mapping")
        ek, ev = _pair(v, "enabled")
        if ek is not None:
            edits.append((ev.start_mark.index, ev.end_mark.index, "false"))
        else:
            first = v.value[0][0]
            indent = " " * first.start_mark.column
            at = lines.start(first.start_mark.line)
            edits.append((at, at, f"{indent}enabled: false  # migrated by migrator\n"))
        n += 1
    return edits, n


def _block_scalar_edits(node, names: set[str], lines: _Lines, key) -> tuple[list, int]:
    """A literal block (|) holding YAML: its lines are the outer lines below the indicator, indented."""
    from yaml.nodes import ScalarNode

    if not isinstance(node, ScalarNode) or "job_name" not in str(node.value):
        return [], 0
    if node.style != "|":
        raise _NotLineBased("not a literal block")
    inner = _Lines(node.value)
    inner_edits, n = _doc_edits_text(node.value, names, key, empty="")
    if not n:
        return [], 0
    base = node.start_mark.line + 1
    out = []
    for start, end, new in inner_edits:
        # inner character offsets -> outer: the same line, shifted by the block's indentation
        s_line, s_col = _line_col(inner, start)
        e_line, e_col = _line_col(inner, end)
        for ln in range(s_line, min(e_line + 1, len(inner.lines))):
            outer_line = lines.lines[base + ln]
            if not outer_line.rstrip("\r\n").endswith(inner.lines[ln].rstrip("\r\n")):
                raise _NotLineBased("block lines do not match")
        indent = _indent_of(lines.lines[base + s_line], inner.lines[s_line]) if s_line < len(inner.lines) else ""
        o_start = lines.start(base + s_line) + (len(indent) + s_col if s_col else 0)
        e_indent = _indent_of(lines.lines[base + e_line], inner.lines[e_line]) if e_line < len(inner.lines) else ""
        o_end = lines.start(base + e_line) + (len(e_indent) + e_col if e_col else 0)
        new_text = "".join((indent + x if x.strip() else x) for x in new.splitlines(keepends=True)) \
            if new.endswith("\n") and not s_col else new
        out.append((o_start, o_end, new_text))
    return out, n


def _indent_of(outer: str, inner: str) -> str:
    o, i = outer.rstrip("\r\n"), inner.rstrip("\r\n")
    return o[:len(o) - len(i)] if i else o


def _line_col(lines: _Lines, index: int) -> tuple[int, int]:
    import bisect

    line = bisect.bisect_right(lines.offsets, index) - 1
    return line, index - lines.offsets[line]


def _secret_value_edits(node, names: set[str], key) -> tuple[list, int]:
    from yaml.nodes import ScalarNode

    if not isinstance(node, ScalarNode) or node.style not in (None, "", "'", '"'):
        return [], 0
    try:
        text = base64.b64decode(str(node.value)).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return [], 0
    if "job_name" not in text:
        return [], 0
    edits, n = _doc_edits_text(text, names, key)
    if not n:
        return [], 0
    new = base64.b64encode(_apply(text, edits).encode()).decode()
    return [(node.start_mark.index, node.end_mark.index, new)], n


def _doc_edits_text(text: str, names: set[str], key, empty: str = "[]\n") -> tuple[list, int]:
    """Edits for every document of a text; a root list left empty becomes `empty` (an embedded block is left
    empty instead: Helm templates paste it under scrape_configs)."""
    lines = _Lines(text)
    edits, n = [], 0
    for doc in _compose(text):
        e, k = _node_edits(doc, names, lines, key, empty)
        edits += e
        n += k
    return edits, n


def _node_edits(doc, names: set[str], lines: _Lines, key, empty: str = "[]\n") -> tuple[list, int]:
    from yaml.nodes import MappingNode, SequenceNode

    if doc is None:
        return [], 0
    if isinstance(doc, SequenceNode):
        return _seq_edits(doc, names, lines, empty=empty)
    if not isinstance(doc, MappingNode):
        return [], 0
    if doc.flow_style:
        if "job_name" in lines.text[doc.start_mark.index:doc.end_mark.index]:
            raise _NotLineBased("flow mapping")
        return [], 0
    edits: list = []
    n = 0

    def add(result: tuple[list, int]) -> None:
        nonlocal n
        edits.extend(result[0])
        n += result[1]

    kind = getattr(_get(doc, "kind"), "value", None)
    items = _get(doc, "items")
    if isinstance(kind, str) and kind.endswith("List") and isinstance(items, SequenceNode):
        for item in items.value:
            add(_node_edits(item, names, lines, key, empty))
        return edits, n
    if kind in ("Secret", "ConfigMap") and _get(doc, "apiVersion") is not None:
        for section in ("stringData", "data"):
            values = _get(doc, section)
            if not isinstance(values, MappingNode):
                continue
            for k, v in values.value:
                if key is not None and k.value != key:
                    continue
                if kind == "Secret" and section == "data":
                    add(_secret_value_edits(v, names, key))
                else:
                    add(_block_scalar_edits(v, names, lines, None))
        return edits, n
    k, v = _pair(doc, "scrape_configs")
    if v is not None:
        add(_seq_edits(v, names, lines, k))
    spec = _get(_get(doc, "prometheus"), "prometheusSpec")
    k, v = _pair(spec, "additionalScrapeConfigs")
    if v is not None:
        add(_block_scalar_edits(v, names, lines, None) if not isinstance(v, SequenceNode)
            else _seq_edits(v, names, lines, k))
    pyml = _get(_get(doc, "serverFiles"), "prometheus.yml")
    k, v = _pair(pyml, "scrape_configs")
    if v is not None:
        add(_seq_edits(v, names, lines, k))
    add(_map_edits(_get(doc, "scrapeConfigs"), names, lines))
    extra = _get(doc, "extraScrapeConfigs")
    if extra is not None:
        add(_block_scalar_edits(extra, names, lines, None))
    return edits, n


def _line_edits(text: str, names: set[str], key: str | None) -> tuple[list, int]:
    """(character edits, jobs removed) for the whole text; _NotLineBased when a shape needs the round trip."""
    return _doc_edits_text(text, names, key)
