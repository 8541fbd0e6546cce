"""Helpers to turn ../shared/oracle/operator-cases/<case>/context.yaml into render inputs.

Shared with the integrator's CLI-level oracle test: keep `case_to_cr` and `case_store` importable.
"""

from __future__ import annotations

import base64
import copy
from pathlib import Path

import yaml

from migrator.render import AssetStore

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CASES_DIR = SHARED / "oracle" / "operator-cases"


def case_dirs() -> list[Path]:
    if not CASES_DIR.is_dir():
        return []
    return sorted(p for p in CASES_DIR.iterdir() if p.is_dir())


def load_yaml(path: Path):
    return yaml.safe_load(path.read_text())


def load_all_yaml(path: Path) -> list:
    return [d for d in yaml.safe_load_all(path.read_text()) if d is not None]


def is_partial(case: Path) -> bool:
    ctx = load_yaml(case / "context.yaml")
    return "PARTIAL" in case.name.upper() or "generateK8SSDConfig" in str(ctx.get("test", {}).get("entryPoint"))


def case_to_cr(context: dict) -> dict:
    """The Prometheus object the case's Go test builds, with every recorded CR-level input as a CR field."""
    cr = copy.deepcopy(context.get("prometheus") or {"kind": "Prometheus"})
    cr.setdefault("kind", "Prometheus")
    cr.setdefault("apiVersion", "monitoring.coreos.com/v1")
    md = cr.get("metadata") or {}
    md.pop("note", None)  # documentation, not an ObjectMeta field
    cr["metadata"] = md
    spec = cr.setdefault("spec", {})
    version = context.get("prometheusVersion")
    if version and not spec.get("version"):
        spec["version"] = version
    shards = (context.get("shards") or {}).get("spec")
    if shards is not None:
        spec["shards"] = shards
    sdr = context.get("serviceDiscoveryRole")
    if isinstance(sdr, dict) and sdr.get("prometheus"):
        spec["serviceDiscoveryRole"] = sdr["prometheus"]
    for key in ("enforcedNamespaceLabel", "podTargetLabels", "scrapeClasses", "excludedFromEnforcement"):
        val = context.get(key)
        if val:
            spec[key] = copy.deepcopy(val)
    for key in ("ignoreNamespaceSelectors", "overrideHonorLabels", "overrideHonorTimestamps"):
        if context.get(key) is True:
            spec[key] = True
    for key, val in (context.get("limits") or {}).items():
        spec[key] = val
    api = context.get("apiserverConfig")
    if isinstance(api, dict) and api:
        spec["apiserverConfig"] = copy.deepcopy(api)
    return cr


def case_objects(context: dict) -> tuple[list[dict], list[dict]]:
    """The Go test's asset store as v1 Secrets (base64 data) and ConfigMaps, ready to write as YAML."""
    store = context.get("store") or {}
    secrets = []
    for s in store.get("secrets") or []:
        data = {k: base64.b64encode(str(v).encode()).decode() for k, v in (s.get("data") or {}).items()}
        secrets.append({"apiVersion": "v1", "kind": "Secret",
                        "metadata": {"name": s["name"], "namespace": s.get("namespace", "default")},
                        "data": data})
    cms = []
    for c in store.get("configMaps") or []:
        cms.append({"apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": {"name": c["name"], "namespace": c.get("namespace", "default")},
                    "data": {k: str(v) for k, v in (c.get("data") or {}).items()}})
    return secrets, cms


def case_store(context: dict) -> AssetStore:
    """The asset store of the Go test."""
    secrets, cms = case_objects(context)
    return AssetStore(secrets=secrets, configmaps=cms)
