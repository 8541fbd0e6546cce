"""Secrets and ConfigMaps given as input, looked up the way the operator's asset store does.

Pure: objects in, values out. A Secret's ``data`` is base64 (as ``kubectl get -o yaml`` prints it) and
``stringData`` is plain text; both are decoded, ``stringData`` winning on conflicts as the API server does.
"""

from __future__ import annotations

import base64
import binascii
from typing import Iterable

from migrator.errors import InputError


def _values(obj: dict, section: str, what: str) -> dict:
    """obj[section]: a mapping ({} when absent); InputError otherwise (checked first by kinds.classify)."""
    v = obj.get(section)
    if v is None:
        return {}
    if not isinstance(v, dict):
        ns, name = _meta(obj, what)
        raise InputError(f"{what} {ns}/{name}: {section} must be a mapping", field=section)
    return v


def _meta(obj: dict, what: str) -> tuple[str, str]:
    if not isinstance(obj, dict):
        raise InputError(f"a {what} must be a mapping")
    md = obj.get("metadata")
    if not isinstance(md, dict) or not md.get("name"):
        raise InputError(f"{what} without metadata.name", field="metadata.name")
    return str(md.get("namespace") or "default"), str(md["name"])


class AssetStore:
    """Secrets and ConfigMaps by (namespace, name). Namespace defaults to "default" when absent."""

    def __init__(self, secrets: Iterable[dict] = (), configmaps: Iterable[dict] = ()):
        self.secrets: dict[tuple[str, str], dict[str, str]] = {}
        self.configmaps: dict[tuple[str, str], dict[str, str]] = {}
        for s in secrets or ():
            ns, name = _meta(s, "Secret")
            values: dict[str, str] = {}
            for k, v in _values(s, "data", "Secret").items():
                try:
                    values[str(k)] = base64.b64decode(str(v), validate=True).decode("utf-8")
                except (binascii.Error, ValueError, UnicodeDecodeError):
                    raise InputError(f"Secret {ns}/{name}: data.{k} is not valid base64-encoded UTF-8 "
                                     "(use stringData for plain values)", field=f"data.{k}") from None
            for k, v in _values(s, "stringData", "Secret").items():
                values[str(k)] = "" if v is None else str(v)
            self.secrets[(ns, name)] = values
        for c in configmaps or ():
            ns, name = _meta(c, "ConfigMap")
            values = {str(k): ("" if v is None else str(v)) for k, v in _values(c, "data", "ConfigMap").items()}
            self.configmaps[(ns, name)] = values

    def secret_key(self, namespace: str, name: str, key: str) -> str | None:
        """The decoded value, or None when the Secret or the key is missing."""
        return self.secrets.get((namespace, name), {}).get(key)

    def configmap_key(self, namespace: str, name: str, key: str) -> str | None:
        return self.configmaps.get((namespace, name), {}).get(key)

    def has_secret(self, namespace: str, name: str) -> bool:
        return (namespace, name) in self.secrets

    def has_configmap(self, namespace: str, name: str) -> bool:
        return (namespace, name) in self.configmaps
