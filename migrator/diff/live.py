"""`--from-cluster`: what a Prometheus managed by the operator scrapes now, read from the cluster.

Read-only calls with the official kubernetes client: list the Prometheus CRs (one by name, or the
only one), get the Secret its ``spec.additionalScrapeConfigs`` names, list the PodMonitors,
ServiceMonitors (and ScrapeConfigs when the CR has a scrapeConfigSelector) cluster-wide and keep those the CR
selects (Namespaces are listed only when a
namespace selector needs their labels). Everything is written as YAML files into a directory the
caller owns, so that the ordinary input path (migrator.commands.load_scrape_inputs) reads them.

401, 403 and 404 answers, and an API server that cannot be reached, raise InputError.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Optional

from migrator.errors import InputError

GROUP, VERSION = "monitoring.coreos.com", "v1"
PAGE_SIZE = 500
REQUEST_TIMEOUT = (10, 120)


@dataclass
class LiveState:
    label: str                              # "cluster <host>: Prometheus ns/name"
    cr: dict
    cr_file: str
    files: list[str] = field(default_factory=list)
    monitors: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _api_error(exc: Exception, what: str, where: str) -> InputError:
    status = getattr(exc, "status", None)
    if status == 401:
        msg = "the cluster refused the credentials (401 Unauthorized)"
    elif status == 403:
        msg = f"not allowed to {what} (403 Forbidden); --from-cluster needs read access to it"
    elif status == 404:
        msg = f"cannot {what}: not found (404)"
    elif status:
        msg = f"cannot {what}: HTTP {status} {getattr(exc, 'reason', '') or ''}".rstrip()
    else:
        msg = f"cannot reach the API server to {what}: {exc}"
    return InputError(msg, file=where)


def _body(call: Callable[..., Any], what: str, where: str, api_exception: type, **kwargs: Any) -> Any:
    try:
        resp = call(_preload_content=False, _request_timeout=REQUEST_TIMEOUT, **kwargs)
        raw = resp.data if hasattr(resp, "data") else resp.read()
    except api_exception as exc:
        raise _api_error(exc, what, where) from None
    except Exception as exc:  # urllib3 connection errors, timeouts, TLS failures
        raise _api_error(exc, what, where) from None
    try:
        return json.loads(raw)
    except (ValueError, TypeError):
        raise InputError(f"the API server answered with something that is not JSON ({what})", file=where) from None


def _list(call: Callable[..., Any], what: str, where: str, api_exception: type, **kwargs: Any) -> Iterator[dict]:
    token: Optional[str] = None
    while True:
        extra = dict(kwargs, limit=PAGE_SIZE)
        if token:
            extra["_continue"] = token
        body = _body(call, what, where, api_exception, **extra)
        if not isinstance(body, dict):
            raise InputError(f"unexpected answer ({what})", file=where)
        for item in body.get("items") or ():
            if isinstance(item, dict):
                yield item
        token = (body.get("metadata") or {}).get("continue") or None
        if not token:
            return


def _name(obj: dict) -> str:
    md = obj.get("metadata") or {}
    return f"{md.get('namespace') or 'default'}/{md.get('name', '')}"


def choose_prometheus(crs: list[dict], wanted: Optional[str]) -> dict:
    """The CR named ``wanted`` (NAME or NAMESPACE/NAME), or the only one."""
    if wanted:
        hits = [c for c in crs if _name(c) == wanted or (c.get("metadata") or {}).get("name") == wanted]
        if not hits:
            raise InputError(f"no Prometheus object {wanted!r} in the cluster (found: "
                             f"{', '.join(_name(c) for c in crs) or 'none'})", field="--prometheus")
        if len(hits) > 1:
            raise InputError(f"several Prometheus objects are named {wanted!r} "
                             f"({', '.join(_name(c) for c in hits)}): give NAMESPACE/NAME", field="--prometheus")
        return hits[0]
    if not crs:
        raise InputError("the cluster has no Prometheus object (monitoring.coreos.com/v1)")
    if len(crs) > 1:
        raise InputError(f"the cluster has several Prometheus objects ({', '.join(_name(c) for c in crs)}): "
                         "choose one with --prometheus NAMESPACE/NAME", field="--prometheus")
    return crs[0]


def select_monitors(cr: dict, monitors: list[dict], namespace_labels: Callable[[], dict[str, dict]]) -> list[dict]:
    """The monitors the CR selects; Namespace labels are asked for only when a selector needs them."""
    from migrator.render import selected_by
    from migrator.render.util import selector_matches

    spec = cr.get("spec") or {}
    out = []
    for m in monitors:
        verdict = selected_by(cr, m)
        if verdict is None:
            key = {"PodMonitor": "podMonitorNamespaceSelector",
                   "ScrapeConfig": "scrapeConfigNamespaceSelector"}.get(str(m.get("kind")),
                                                                         "serviceMonitorNamespaceSelector")
            ns = (m.get("metadata") or {}).get("namespace") or "default"
            verdict = selector_matches(spec.get(key), namespace_labels().get(ns, {}))
        if verdict:
            out.append(m)
    return out


def _secret_text(secret: dict, key: str, where: str) -> Optional[str]:
    data = secret.get("data") or {}
    if key in data:
        try:
            return base64.b64decode(str(data[key]), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise InputError(f"Secret {_name(secret)} key {key!r} is not base64 of UTF-8 text", file=where) from None
    if key in (secret.get("stringData") or {}):
        return str(secret["stringData"][key])
    return None


def _wrap_jobs(text: str, scrape_interval: str, scrape_timeout: Optional[str]) -> str:
    """The Secret's job list as a prometheus.yml with the CR's global section (what the operator writes)."""
    lines = [ln for ln in text.splitlines() if ln.strip() != "---"]
    glob = f"global:\n  scrape_interval: {json.dumps(scrape_interval)}\n"
    if scrape_timeout:
        glob += f"  scrape_timeout: {json.dumps(scrape_timeout)}\n"
    body = "\n".join("  " + ln if ln.strip() else ln for ln in lines)
    return glob + "scrape_configs:\n" + (body + "\n" if body.strip() else "  []\n")


def fetch_live(directory: str, *, kubeconfig: Optional[str] = None, context: Optional[str] = None,
               prometheus: Optional[str] = None) -> LiveState:
    """Read the live setup into YAML files under ``directory``."""
    from migrator.inventory import kube_api_client
    from migrator.writers import dump_yaml, dump_yaml_all

    api_client, host = kube_api_client(kubeconfig, context)
    from kubernetes import client
    from kubernetes.client.rest import ApiException

    try:
        custom = client.CustomObjectsApi(api_client)
        core = client.CoreV1Api(api_client)

        def list_custom(plural: str) -> list[dict]:
            return list(_list(custom.list_cluster_custom_object, f"list {plural}.{GROUP}", host, ApiException,
                              group=GROUP, version=VERSION, plural=plural))

        cr = choose_prometheus(list_custom("prometheuses"), prometheus)
        md = cr.get("metadata") or {}
        ns = md.get("namespace") or "default"
        spec = cr.get("spec") or {}
        state = LiveState(f"cluster {host}: Prometheus {_name(cr)}", cr, os.path.join(directory, "prometheus.yaml"))
        with open(state.cr_file, "w", encoding="utf-8") as fh:
            fh.write(dump_yaml(cr))
        extra = spec.get("additionalScrapeConfigs")
        if isinstance(extra, dict) and extra.get("name"):
            name, key = str(extra["name"]), str(extra.get("key") or "")
            what = f"get Secret {ns}/{name}"
            try:
                secret = _body(core.read_namespaced_secret, what, host, ApiException, name=name, namespace=ns)
            except InputError as err:
                if "404" in err.message and extra.get("optional"):
                    state.notes.append(f"additionalScrapeConfigs Secret {ns}/{name} is absent (optional)")
                    secret = None
                else:
                    raise
            if secret is not None:
                text = _secret_text(secret, key, host)
                if text is None:
                    if not extra.get("optional"):
                        raise InputError(f"Secret {ns}/{name} has no key {key!r} (the Prometheus CR's "
                                         "spec.additionalScrapeConfigs)", file=host)
                    state.notes.append(f"Secret {ns}/{name} has no key {key!r} (optional)")
                else:
                    path = os.path.join(directory, f"secret-{ns}-{name}-{key}.yaml".replace("/", "_"))
                    with open(path, "w", encoding="utf-8") as fh:
                        fh.write(_wrap_jobs(text, str(spec.get("scrapeInterval") or "30s"), spec.get("scrapeTimeout")))
                    state.files.append(path)
        monitors = []
        for kind, plural in (("PodMonitor", "podmonitors"), ("ServiceMonitor", "servicemonitors")):
            for m in list_custom(plural):
                m.setdefault("apiVersion", f"{GROUP}/{VERSION}")
                m.setdefault("kind", kind)
                monitors.append(m)
        if spec.get("scrapeConfigSelector") is not None:
            try:
                found = list(_list(custom.list_cluster_custom_object, f"list scrapeconfigs.{GROUP}", host,
                                   ApiException, group=GROUP, version="v1alpha1", plural="scrapeconfigs"))
            except InputError as err:
                if "404" not in err.message:
                    raise
                found = []
                state.notes.append("the cluster serves no ScrapeConfig objects (monitoring.coreos.com/v1alpha1)")
            for m in found:
                m.setdefault("apiVersion", f"{GROUP}/v1alpha1")
                m.setdefault("kind", "ScrapeConfig")
                monitors.append(m)
        cache: dict[str, dict] = {}

        def namespace_labels() -> dict[str, dict]:
            if not cache:
                for n in _list(core.list_namespace, "list namespaces", host, ApiException):
                    nmd = n.get("metadata") or {}
                    labels = dict(nmd.get("labels") or {})
                    labels.setdefault("kubernetes.io/metadata.name", nmd.get("name", ""))
                    cache[str(nmd.get("name", ""))] = labels
                cache.setdefault("", {})
            return cache

        state.monitors = select_monitors(cr, monitors, namespace_labels)
        skipped = len(monitors) - len(state.monitors)
        if skipped:
            state.notes.append(f"{skipped} monitor(s) in the cluster are not selected by Prometheus {_name(cr)}")
        if state.monitors:
            path = os.path.join(directory, "monitors.yaml")
            for m in state.monitors:  # server-side noise, not part of the monitor's meaning
                (m.get("metadata") or {}).pop("managedFields", None)
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(dump_yaml_all(state.monitors))
            state.files.append(path)
        if not state.files:
            raise InputError(f"Prometheus {_name(cr)} selects no monitor and has no "
                             "additionalScrapeConfigs: nothing to compare against", file=host)
        return state
    finally:
        try:
            api_client.close()
        except Exception:  # pragma: no cover - best effort
            pass
