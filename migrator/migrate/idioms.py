"""The relabel idioms migrate recognises: data in rules/migrate/<id>.yaml, recognisers here.

Each data file has ``id``, ``idiom`` (the IDIOMS.md name), ``becomes`` (what migrate makes of it), ``description``,
``why`` (the sentence used in a reason when a rule of this idiom stays a relabeling), an ``example`` job and the
``expected`` migration (status and resource); tests run every example through migrate_jobs and compare.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from migrator.paths import rules_dir


def idiom_dir() -> Path:
    return rules_dir() / "migrate"


@lru_cache(maxsize=1)
def load_idioms() -> dict[str, dict]:
    out: dict[str, dict] = {}
    for path in sorted(idiom_dir().glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and data.get("id"):
            data["_file"] = path.name
            out[str(data["id"])] = data
    return out


def _n(rule: dict) -> tuple[str, list[str], str, str]:
    action = str(rule.get("action", "replace") or "replace").lower()
    src = [str(s) for s in rule.get("source_labels") or []]
    regex = "(.*)" if rule.get("regex") is None else str(rule["regex"])
    return action, src, regex, str(rule.get("target_label") or "")


_ANN = re.compile(r"^__meta_kubernetes_\w+_annotation(present)?_")
_NAME = re.compile(r"^__meta_kubernetes_(service_name|pod_name|endpoints_name|endpointslice_name)$")
_PORT = re.compile(r"^__meta_kubernetes_(pod_container_port_name|endpoint_port_name|endpointslice_port_name|"
                   r"pod_container_port_number|service_port_name)$")


def classify(rule: dict, kind: str) -> str:
    """The idiom id of a rule that stays a relabeling."""
    action, src, regex, target = _n(rule)
    ann = any(_ANN.match(s) for s in src)
    if action in ("keep", "drop"):
        if ann:
            return "sel-annotation"
        if any(s == "__meta_kubernetes_pod_phase" for s in src):
            return "sel-phase"
        if any(s == "__meta_kubernetes_pod_container_name" for s in src):
            return "sel-container-name"
        if any(_NAME.match(s) for s in src):
            return "sel-object-name"
        if any(_PORT.match(s) for s in src):
            return "sel-port-name-regex"
        if kind == "ServiceMonitor" and any(s.startswith("__meta_kubernetes_pod_label") for s in src):
            return "sel-pod-label-in-servicemonitor"
        if src == ["__meta_kubernetes_namespace"]:
            return "sel-namespace-drop" if action == "drop" else "sel-namespace-pattern"
        if any("_label_" in s or "_labelpresent_" in s for s in src):
            return "sel-label-pattern"
        return "other"
    if action == "replace" and target == "__address__":
        return "rw-address-from-annotation" if ann else "rw-address"
    if action == "replace" and target in ("__metrics_path__", "__scheme__") and ann:
        return "rw-path-scheme-from-annotation"
    if action == "labelmap":
        if "annotation_prometheus_io_param" in regex:
            return "rw-param-from-annotation"
        if regex.startswith("__meta_kubernetes_pod_label_") or regex.startswith("__meta_kubernetes_service_label_"):
            return "lm-pod-labels"
    if action == "replace" and len(src) == 1 and target in _OPERATOR_LABELS and src[0].startswith("__meta_kubernetes_"):
        return "lbl-meta-standard"
    if action == "replace" and len(src) >= 1 and all(s.startswith("__meta_kubernetes_") for s in src) \
            and target and not target.startswith("__"):
        return "lbl-meta-renamed"
    return "other"


_OPERATOR_LABELS = {"namespace", "pod", "container", "service", "job", "endpoint"}
_FALLBACK_WHY = "no monitor field expresses it exactly"


def explain_rule(rule: dict, kind: str) -> str:
    ident = classify(rule, kind)
    data = load_idioms().get(ident)
    why = str(data.get("why")).strip() if data and data.get("why") else _FALLBACK_WHY
    return f"{why} [{ident}]" if data else why
