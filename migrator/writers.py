"""Writing results: YAML documents in the forms users load, JSON reports, files.

Edges only. Output is deterministic: the same data gives byte-identical text
(block-style YAML, keys in insertion order, which is the operator's order).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any, Iterable

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


def dump_json(data: Any) -> str:
    return json.dumps(data, indent=2, sort_keys=False, ensure_ascii=False) + "\n"


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


def write_output(text: str, out: str | None, *, force: bool = False, mode: int | None = None) -> str | None:
    """Write text to ``out`` (a path), or to stdout when out is None or '-'.

    An existing file is never overwritten without ``force``; with it, the old
    file is first copied to ``<out>.bak``. Returns the backup path, if any.
    """
    if out is None or out == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return None
    path = Path(out)
    backup = None
    if path.exists():
        if path.is_dir():
            raise InputError("is a directory; give a file path", file=out, field="--out")
        if not force:
            raise InputError("file exists; pass --force to replace it (a .bak copy is kept)",
                             file=out, field="--out")
        backup = str(path) + ".bak"
        shutil.copy2(path, backup)
    if path.parent and not path.parent.exists():
        raise InputError("directory does not exist", file=str(path.parent), field="--out")
    tmp = path.with_name(path.name + ".tmp-migrator")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode if mode is not None else 0o644)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return backup
