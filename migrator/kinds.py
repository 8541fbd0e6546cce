"""Sorting input documents by what they are: monitors, Secrets, ConfigMaps, the Prometheus CR.

Pure: takes loaded Documents, returns them grouped, with notes for what is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from migrator.errors import ErrorList, InputError
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
    skipped_docs: list[Document] = field(default_factory=list)

    def skipped_summary(self) -> list[str]:
        """What to tell the user about the skipped documents: the note itself for one, one line for several
        (a manifest of 50 unrelated objects is not 50 lines)."""
        if len(self.skipped_docs) <= 1:
            return list(self.skipped)
        counts: dict[str, int] = {}
        for d in self.skipped_docs:
            counts[str(d.kind)] = counts.get(str(d.kind), 0) + 1
        first = self.skipped_docs[0]
        kinds = ", ".join(f"{n} {k}" for k, n in counts.items())
        return [f"{first.file}:{first.line}: skipping {len(self.skipped_docs)} documents not used by this command "
                f"({kinds})"]


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
            _raise_all(doc, _SECRET)
            out.secrets.append(doc)
        elif kind == "ConfigMap" and group == "":
            _raise_all(doc, _CONFIGMAP)
            out.configmaps.append(doc)
        else:
            out.skipped.append(f"{doc.file}:{doc.line}: skipping {describe(doc)} "
                               f"({doc.data['apiVersion']}): not used by this command")
            out.skipped_docs.append(doc)
    return out


def single_prometheus(docs: list[Document]) -> Document | None:
    """The one Prometheus CR among docs (None when there is none), its fields type-checked."""
    if len(docs) > 1:
        names = ", ".join(describe(d) for d in docs)
        raise InputError(f"more than one Prometheus object given ({names}); give one", file=docs[1].file,
                         line=docs[1].line)
    if docs:
        check_prometheus(docs[0])
    return docs[0] if docs else None


# -- the Prometheus CR, typed ---------------------------------------------------------------------
# The fields migrator reads, with the types the CRD gives them: the API server would refuse anything
# else, so a CR that has another type there is unusable input (file:line: field: message).

SCALAR, INT, BOOL, MAPPING = "a string", "an integer", "true or false", "a mapping"
_STRMAP = {"*": SCALAR}
_SELECTOR = {"matchLabels": _STRMAP,
             "matchExpressions": [{"key": SCALAR, "operator": SCALAR, "values": [SCALAR]}]}
_METADATA = {"name": SCALAR, "namespace": SCALAR, "labels": _STRMAP, "annotations": _STRMAP}
_PROMETHEUS_SPEC: dict = {
    "version": SCALAR, "shards": INT, "replicas": INT,
    "scrapeInterval": SCALAR, "scrapeTimeout": SCALAR, "evaluationInterval": SCALAR,
    "externalLabels": _STRMAP, "replicaExternalLabelName": SCALAR, "prometheusExternalLabelName": SCALAR,
    **{f"{what}{ns}Selector": _SELECTOR for what in ("podMonitor", "serviceMonitor", "probe", "scrapeConfig")
       for ns in ("", "Namespace")},
    **{name: INT for name in ("sampleLimit", "targetLimit", "labelLimit", "labelNameLengthLimit",
                              "labelValueLengthLimit", "keepDroppedTargets", "enforcedSampleLimit",
                              "enforcedTargetLimit", "enforcedLabelLimit", "enforcedLabelNameLengthLimit",
                              "enforcedLabelValueLengthLimit", "enforcedKeepDroppedTargets")},
    "bodySizeLimit": SCALAR, "enforcedBodySizeLimit": SCALAR,
    "scrapeClasses": [MAPPING], "podTargetLabels": [SCALAR], "scrapeProtocols": [SCALAR],
    "enforcedNamespaceLabel": SCALAR, "excludedFromEnforcement": [MAPPING],
    "ignoreNamespaceSelectors": BOOL, "overrideHonorLabels": BOOL, "overrideHonorTimestamps": BOOL,
    "arbitraryFSAccessThroughSMs": MAPPING, "apiserverConfig": MAPPING, "serviceDiscoveryRole": SCALAR,
    "secrets": [SCALAR], "configMaps": [SCALAR], "additionalScrapeConfigs": MAPPING,
}
_PROMETHEUS = {"metadata": _METADATA, "spec": _PROMETHEUS_SPEC}
#: Secret and ConfigMap values are strings (messages name the key, never the value)
_SECRET = {"metadata": _METADATA, "data": _STRMAP, "stringData": _STRMAP}
_CONFIGMAP = {"metadata": _METADATA, "data": _STRMAP, "binaryData": _STRMAP}


def _type_name(value: object) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean", int: "an integer",
            float: "a number"}.get(type(value), type(value).__name__)


def _check_typed(doc: Document, value: object, schema: object, path: tuple, out: list[InputError]) -> None:
    if value is None:
        return
    if isinstance(schema, dict):
        if not isinstance(value, dict):
            out.append(doc.error(f"must be a mapping, not {_type_name(value)}", path))
            return
        for k, v in value.items():
            sub = schema.get(k, schema.get("*"))
            if sub is not None:
                _check_typed(doc, v, sub, path + (k,), out)
    elif isinstance(schema, list):
        if not isinstance(value, list):
            out.append(doc.error(f"must be a list, not {_type_name(value)}", path))
            return
        for i, v in enumerate(value):
            _check_typed(doc, v, schema[0], path + (i,), out)
    elif schema == SCALAR and isinstance(value, (dict, list)):
        out.append(doc.error(f"must be a string, not {_type_name(value)}", path))
    elif schema == INT and (isinstance(value, bool) or not isinstance(value, int)):
        out.append(doc.error(f"must be an integer, not {_type_name(value)}", path))
    elif schema == BOOL and not isinstance(value, bool):
        out.append(doc.error(f"must be true or false, not {_type_name(value)}", path))
    elif schema == MAPPING and not isinstance(value, dict):
        out.append(doc.error(f"must be a mapping, not {_type_name(value)}", path))


def _raise_all(doc: Document, schema: dict) -> None:
    errors: list[InputError] = []
    _check_typed(doc, doc.data, schema, (), errors)
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise ErrorList(errors)


def check_prometheus(doc: Document) -> None:
    """InputError (ErrorList for several) when a field migrator reads has a type the CRD does not allow."""
    require_object(doc)
    _raise_all(doc, _PROMETHEUS)


def prometheus_spec(doc: Document | None) -> dict:
    """The spec of a (checked) Prometheus CR; {} without one."""
    spec = doc.data.get("spec") if doc is not None and isinstance(doc.data, dict) else None
    return spec if isinstance(spec, dict) else {}


def prometheus_namespace(doc: Document | None) -> str | None:
    """The namespace of a (checked) Prometheus CR; None without one or when it has none."""
    md = doc.data.get("metadata") if doc is not None and isinstance(doc.data, dict) else None
    ns = md.get("namespace") if isinstance(md, dict) else None
    return None if ns is None else str(ns)
