"""Recovering a real Kubernetes label key from its sanitised meta label name.

``__meta_kubernetes_pod_label_app_kubernetes_io_name`` may come from ``app.kubernetes.io/name``,
``app-kubernetes-io/name``, ``app_kubernetes_io_name``... A selector needs the real key. Sources, in order:
the inventory (keys actually present on pods / services that sanitise to the name), then the known keys of
rules/migrate/known-label-keys.yaml. A name without '_' can only be itself. Ambiguity -> None.
"""

from __future__ import annotations

from functools import lru_cache

import yaml

from migrator.paths import rules_dir
from migrator.render.util import sanitize_label_name


@lru_cache(maxsize=1)
def known_keys() -> tuple[str, ...]:
    path = rules_dir() / "migrate" / "known-label-keys.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError:
        return ()
    return tuple(str(k) for k in data.get("keys") or ())


def _inventory_keys(inventory, kind: str) -> dict[str, set[str]]:
    cache = getattr(inventory, "_migrate_key_cache", None)
    if cache is None:
        cache = {}
        try:
            inventory._migrate_key_cache = cache
        except AttributeError:  # pragma: no cover - an inventory that refuses attributes
            pass
    if kind not in cache:
        out: dict[str, set[str]] = {}
        for obj in inventory.list(kind):
            md = obj.get("metadata") if isinstance(obj, dict) else None
            for k in ((md or {}).get("labels") or {}) if isinstance(md, dict) else {}:
                out.setdefault(sanitize_label_name(k), set()).add(str(k))
        cache[kind] = out
    return cache[kind]


def recover_key(sanitised: str, kind: str, inventory=None) -> tuple[str | None, str]:
    """(real key or None, how it was found / why not). kind: 'Pod' or 'Service'."""
    if "_" not in sanitised:
        return sanitised, "the name has no '_', so it is the key itself"
    if inventory is not None:
        seen = _inventory_keys(inventory, kind).get(sanitised, set())
        if len(seen) == 1:
            return next(iter(seen)), "the only key on the inventory's objects that sanitises to it"
        if len(seen) > 1:
            return None, f"several keys in the inventory sanitise to it ({', '.join(sorted(seen))})"
    known = sorted({k for k in known_keys() if sanitize_label_name(k) == sanitised})
    if len(known) == 1:
        return known[0], "a well-known key (rules/migrate/known-label-keys.yaml)"
    if len(known) > 1:
        return None, f"several well-known keys sanitise to it ({', '.join(known)})"
    return None, "no object in the inventory carries a key that sanitises to it, and it is not a well-known key"
