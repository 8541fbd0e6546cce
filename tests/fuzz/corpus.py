"""The base inputs the fuzzer mutates: monitors, raw configs, inventories, Prometheus CRs."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"
FIXTURES = REPO / "tests" / "fixtures"
SHARED = REPO.parent / "shared"

MONITOR_KINDS = {"PodMonitor", "ServiceMonitor", "ScrapeConfig", "Probe"}

try:
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader


@dataclass(frozen=True)
class Base:
    """One base input: where it comes from and its documents (never mutated in place)."""

    name: str
    docs: tuple


def _load(path: Path) -> list[Any]:
    try:
        return [d for d in yaml.load_all(path.read_text(encoding="utf-8"), Loader=_Loader) if d is not None]
    except (yaml.YAMLError, UnicodeDecodeError, OSError):
        return []


def _is_monitor(doc: Any) -> bool:
    return isinstance(doc, dict) and doc.get("kind") in MONITOR_KINDS


def _is_raw(doc: Any) -> bool:
    if isinstance(doc, list):
        return any(isinstance(j, dict) and "job_name" in j for j in doc)
    if isinstance(doc, dict):
        return "scrape_configs" in doc or "job_name" in str(doc)[:100_000]
    return False


def _shared(*parts: str) -> Path | None:
    path = SHARED.joinpath(*parts)
    return path if path.exists() else None


@functools.lru_cache(maxsize=None)
def monitors() -> tuple[Base, ...]:
    out = [Base("samples/istio/monitors.yaml", tuple(_load(SAMPLES / "istio" / "monitors.yaml")))]
    cases = _shared("oracle", "operator-cases")
    if cases:
        for case in sorted(p for p in cases.iterdir() if p.is_dir()):
            docs = [d for d in _load(case / "monitor.yaml") if _is_monitor(d)]
            if docs:
                out.append(Base(f"shared/oracle/operator-cases/{case.name}/monitor.yaml", tuple(docs)))
    real = _shared("oracle", "real-configs")
    if real:
        for path in sorted(real.glob("*.yaml")):
            docs = _load(path)
            if docs and all(_is_monitor(d) for d in docs):
                out.append(Base(f"shared/oracle/real-configs/{path.name}", tuple(docs)))
    return tuple(out)


@functools.lru_cache(maxsize=None)
def raws() -> tuple[Base, ...]:
    out = [Base(f"samples/raw/{p.name}", tuple(_load(p))) for p in sorted((SAMPLES / "raw").glob("*.y*ml"))]
    real = _shared("oracle", "real-configs")
    if real:
        for path in sorted(real.glob("*.yaml")):
            docs = _load(path)
            if docs and not any(_is_monitor(d) for d in docs) and any(_is_raw(d) for d in docs):
                out.append(Base(f"shared/oracle/real-configs/{path.name}", tuple(docs)))
    return tuple(d for d in out if d.docs)


@functools.lru_cache(maxsize=None)
def inventories() -> tuple[Base, ...]:
    """Inventories as one `kind: List` each (big ones are sampled per case by the case builder)."""
    out = [Base("samples/inventory/cluster.yaml", tuple(_load(SAMPLES / "inventory" / "cluster.yaml")))]
    for path in sorted((FIXTURES / "migrate").glob("*.yaml")):
        out.append(Base(f"tests/fixtures/migrate/{path.name}", tuple(_load(path))))
    cases = _shared("oracle", "k8s-sd-cases")
    if cases:
        for case in sorted(p for p in cases.iterdir() if p.is_dir()):
            docs = _load(case / "objects.yaml")
            if docs:
                out.append(Base(f"shared/oracle/k8s-sd-cases/{case.name}/objects.yaml", tuple(docs)))
    return tuple(d for d in out if d.docs)


@functools.lru_cache(maxsize=None)
def prometheuses() -> tuple[Base, ...]:
    out = [Base("samples/istio/prometheus.yaml", tuple(_load(SAMPLES / "istio" / "prometheus.yaml")))]
    cases = _shared("oracle", "operator-cases")
    if cases:
        for case in sorted(p for p in cases.iterdir() if p.is_dir()):
            ctx = _load(case / "context.yaml")
            prom = ctx[0].get("prometheus") if ctx and isinstance(ctx[0], dict) else None
            if isinstance(prom, dict):
                prom = {"apiVersion": "monitoring.coreos.com/v1", **prom}
                out.append(Base(f"shared/oracle/operator-cases/{case.name}/context.yaml#prometheus", (prom,)))
    return tuple(out)


def items_of(docs: Any) -> list[Any]:
    """The objects of an inventory's documents (List items flattened)."""
    out: list[Any] = []
    for d in docs:
        if isinstance(d, dict) and isinstance(d.get("items"), list):
            out.extend(d["items"])
        elif d is not None:
            out.append(d)
    return out


def job_names(docs: Any) -> list[str]:
    """The job_name values found anywhere in raw config documents (best effort)."""
    names: list[str] = []

    def walk(node: Any, depth: int = 0) -> None:
        if depth > 50:
            return
        if isinstance(node, dict):
            if isinstance(node.get("job_name"), str):
                names.append(node["job_name"])
            for v in node.values():
                walk(v, depth + 1)
        elif isinstance(node, list):
            for v in node:
                walk(v, depth + 1)

    walk(list(docs))
    return names


def monitor_job_names(docs: Any) -> list[str]:
    """The job names the operator gives a monitor's endpoints (kind/ns/name/i)."""
    out = []
    for d in docs:
        if not _is_monitor(d):
            continue
        meta = d.get("metadata") or {}
        spec = d.get("spec") or {}
        kind = {"PodMonitor": "podMonitor", "ServiceMonitor": "serviceMonitor"}.get(d.get("kind"))
        eps = spec.get("podMetricsEndpoints") or spec.get("endpoints") or []
        if kind and isinstance(meta, dict) and isinstance(eps, list):
            for i in range(len(eps)):
                out.append(f"{kind}/{meta.get('namespace', 'default')}/{meta.get('name')}/{i}")
    return out
