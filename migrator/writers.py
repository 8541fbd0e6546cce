"""Writing results: YAML documents in the forms users load, JSON reports, files.

Edges only. Output is deterministic: the same data gives byte-identical text
(block-style YAML, keys in insertion order, which is the operator's order).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any, BinaryIO, Iterable, Iterator

import yaml

from migrator.errors import InputError

#: The document forms of a list of scrape jobs (``--format``).
SCRAPE_FORMATS = ("list", "prometheus-yml", "secret", "helm-values")
DEFAULT_SECRET_NAME = "additional-scrape-configs"
SECRET_KEY = "prometheus-additional.yaml"


class _Dumper(yaml.SafeDumper):
    """Block style, no aliases, multi-line strings as literal blocks."""

    def ignore_aliases(self, data: Any) -> bool:  # never write &anchors
        return True


def _str_representer(dumper: yaml.SafeDumper, value: str):
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str_representer)


def dump_yaml(data: Any) -> str:
    """One YAML document, block style, keys in insertion order."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, default_flow_style=False,
                     allow_unicode=True, width=1 << 16)


def dump_yaml_all(docs: Iterable[Any]) -> str:
    """Several documents separated by ``---``."""
    return "---\n".join(dump_yaml(d) for d in docs)


try:  # orjson writes large reports an order of magnitude faster, byte for byte the same
    import orjson as _orjson
except ImportError:  # pragma: no cover - orjson is a dependency, but stay usable without it
    _orjson = None


def dump_json_bytes(data: Any, *, newline: bool = True) -> bytes:
    """JSON, indented by 2, keys in insertion order, UTF-8, ending in a newline (unless not asked)."""
    if _orjson is not None:
        try:
            return _orjson.dumps(data, option=_orjson.OPT_INDENT_2 | (_orjson.OPT_APPEND_NEWLINE if newline else 0))
        except TypeError:  # a type orjson does not know (e.g. an int beyond 64 bits)
            pass
    return (json.dumps(data, indent=2, sort_keys=False, ensure_ascii=False) + ("\n" if newline else "")).encode()


def dump_json(data: Any) -> str:
    return dump_json_bytes(data).decode("utf-8")


def scrape_document(jobs: list[dict], form: str, *, global_config: dict | None = None,
                    secret_name: str = DEFAULT_SECRET_NAME, namespace: str | None = None) -> Any:
    """The jobs as one of SCRAPE_FORMATS (data, ready for dump_yaml)."""
    if form == "list":
        return list(jobs)
    if form == "prometheus-yml":
        doc: dict[str, Any] = {}
        if global_config:
            doc["global"] = dict(global_config)
        doc["scrape_configs"] = list(jobs)
        return doc
    if form == "secret":
        metadata: dict[str, Any] = {"name": secret_name}
        if namespace:
            metadata["namespace"] = namespace
        return {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": metadata,
            "type": "Opaque",
            "stringData": {SECRET_KEY: dump_yaml(list(jobs)) if jobs else "[]\n"},
        }
    if form == "helm-values":
        return {"prometheus": {"prometheusSpec": {"additionalScrapeConfigs": list(jobs)}}}
    raise InputError(f"unknown --format {form!r} (choose from {', '.join(SCRAPE_FORMATS)})",
                     field="--format")


@contextlib.contextmanager
def open_output(out: str | None, *, force: bool = False, mode: int | None = None) -> Iterator[BinaryIO]:
    """A binary stream to write a large result to, piece by piece: ``out`` (a path) or stdout.

    Same safety as write_output: an existing file is replaced only with ``force``, after a
    ``.bak`` copy, and only once everything was written (atomic rename).
    """
    if out is None or out == "-":
        stream = sys.stdout.buffer if hasattr(sys.stdout, "buffer") else None
        if stream is None:  # a text-only stdout (tests): collect, then write as text
            buf = io.BytesIO()
            yield buf
            sys.stdout.write(buf.getvalue().decode("utf-8"))
        else:
            sys.stdout.flush()
            yield stream
            stream.flush()
        return
    path = _checked_target(out, force)
    tmp = path.with_name(path.name + ".tmp-migrator")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode if mode is not None else 0o644)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
        if mode is not None:
            os.chmod(tmp, mode)
        _replace(tmp, path, force)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _checked_target(out: str, force: bool) -> Path:
    path = Path(out)
    if path.exists():
        if path.is_dir():
            raise InputError("is a directory; give a file path", file=out, field="--out")
        if not force:
            raise InputError("file exists; pass --force to replace it (a .bak copy is kept)",
                             file=out, field="--out")
    if path.parent and not path.parent.exists():
        raise InputError("directory does not exist", file=str(path.parent), field="--out")
    return path


def _replace(tmp: Path, path: Path, force: bool) -> str | None:
    backup = None
    if path.exists() and force:
        backup = str(path) + ".bak"
        shutil.copy2(path, backup)
    os.replace(tmp, path)
    return backup


def write_output(text: str, out: str | None, *, force: bool = False, mode: int | None = None) -> str | None:
    """Write text to ``out`` (a path), or to stdout when out is None or '-'.

    An existing file is never overwritten without ``force``; with it, the old
    file is first copied to ``<out>.bak``. Returns the backup path, if any.
    """
    if out is None or out == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return None
    path = _checked_target(out, force)
    tmp = path.with_name(path.name + ".tmp-migrator")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode if mode is not None else 0o644)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        if mode is not None:
            os.chmod(tmp, mode)
        return _replace(tmp, path, force)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
