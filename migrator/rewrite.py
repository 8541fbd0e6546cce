"""Editing a user's scrape config file without disturbing it: remove jobs, keep the rest.

ruamel.yaml round-trip keeps comments, key order and quoting of everything
that is not removed. Works on every shape migrate reads: prometheus.yml, a
bare job list, Helm values, and a Secret or ConfigMap holding one (the
embedded YAML is edited the same way and put back as a literal block, or
re-encoded for a Secret's base64 ``data``).
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
    docs = _load_all(text, name)
    removed = sum(_edit_doc(d, names, name, key) for d in docs)
    if not removed:
        return text, 0
    out = _dump_all(docs)
    if text.startswith("---") and not out.startswith("---"):
        out = "---\n" + out
    return out, removed
