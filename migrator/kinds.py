"""Sorting input documents by what they are: monitors, Secrets, ConfigMaps, the Prometheus CR.

Pure: takes loaded Documents, returns them grouped, with notes for what is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from migrator.errors import InputError
from migrator.sources import Document

MONITORING_GROUP = "monitoring.coreos.com"
MONITOR_KINDS = ("ServiceMonitor", "PodMonitor", "ScrapeConfig")


@dataclass
class RenderInputs:
    monitors: list[Document] = field(default_factory=list)
    secrets: list[Document] = field(default_factory=list)
    configmaps: list[Document] = field(default_factory=list)
    prometheus: list[Document] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # one note per skipped document


def describe(doc: Document) -> str:
    ns = doc.namespace
    return f"{doc.kind} {ns + '/' if ns else ''}{doc.name}"


def require_object(doc: Document) -> None:
    """A Kubernetes object: a mapping with string apiVersion and kind."""
    if not isinstance(doc.data, dict):
        raise doc.error(f"not a Kubernetes object: the document is a {type(doc.data).__name__}, "
                        "expected a mapping with apiVersion and kind")
    for key in ("apiVersion", "kind"):
        value = doc.data.get(key)
        if not isinstance(value, str) or not value:
            raise doc.error(f"not a Kubernetes object: no {key}", field_name=key)


def classify(docs: list[Document]) -> RenderInputs:
    out = RenderInputs()
    for doc in docs:
        require_object(doc)
        kind = doc.data["kind"]
        group = doc.data["apiVersion"].split("/")[0] if "/" in doc.data["apiVersion"] else ""
        if kind in MONITOR_KINDS and group == MONITORING_GROUP:
            out.monitors.append(doc)
        elif kind == "Prometheus" and group == MONITORING_GROUP:
            out.prometheus.append(doc)
        elif kind == "Secret" and group == "":
            out.secrets.append(doc)
        elif kind == "ConfigMap" and group == "":
            out.configmaps.append(doc)
        else:
            out.skipped.append(f"{doc.file}:{doc.line}: skipping {describe(doc)} "
                               f"({doc.data['apiVersion']}): not used by this command")
    return out


def single_prometheus(docs: list[Document]) -> Document | None:
    if len(docs) > 1:
        names = ", ".join(describe(d) for d in docs)
        raise InputError(f"more than one Prometheus object given ({names}); give one", file=docs[1].file,
                         line=docs[1].line)
    return docs[0] if docs else None
