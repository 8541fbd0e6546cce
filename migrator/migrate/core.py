"""Raw scrape jobs -> PodMonitor / ServiceMonitor / ScrapeConfig resources, one decision per job.

The monitor form reproduces the original job exactly by default:

* the operator's generated relabelings come first (its keep rules for selector and port, its
  ``namespace``/``pod``/``container``/``service``/``node``/``endpoint`` labels, ``job`` rewritten); the user
  relabelings we emit start by undoing them (a ``labeldrop`` of the labels it added, a rule pinning ``job``
  to the old job_name) so that the original ``relabel_configs`` that follow, verbatim and in order, see
  exactly the state they saw in the original job;
* a relabel rule becomes a monitor field only when that is exactly equivalent: a keep/drop whose source no
  earlier rule may rewrite (filters commute) on a pod/service label (selector), the namespace
  (namespaceSelector), a port name/number (port/portNumber), the pod phase (filterRunning), a constant
  ``__metrics_path__``/``__scheme__``/``__param_*`` no earlier rule reads (path/scheme/params), or a copy
  the operator makes anyway (``namespace`` <- ``__meta_kubernetes_namespace``, ...) that no earlier rule
  touches;
* ``filterRunning: false`` unless the original drops Failed/Succeeded pods itself.

``adopt_operator_labels`` leaves the operator's labels in place (``job`` as the operator names it, its
``namespace``/``pod``/... labels, its phase filter) and lists every resulting label change.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from typing import Any

from migrator.discovery.common import ROLE_KIND
from migrator.errors import MigratorError
from migrator.migrate import regexes as rx
from migrator.migrate.idioms import explain_rule
from migrator.migrate.keys import recover_key
from migrator.render.context import RenderContext
from migrator.render.util import sanitize_label_name
from migrator.scrapeconfig import OTHER_SD, PLACEHOLDER_RE, Job
from migrator.sources import Document
from migrator.version import Version

GROUP = "monitoring.coreos.com"


@dataclass
class MigrateOptions:
    namespace: str = "monitoring"
    labels: dict = field(default_factory=lambda: {"release": "kube-prometheus-stack"})
    keep_raw: bool = False
    adopt_operator_labels: bool = False
    prometheus: dict | None = None
    version: Version | None = None
    inventory: Any = None
    #: the original file's ``global`` section (ScrapeConfigFile.global_config); when given, a job that relies
    #: on the global interval/timeout gets them explicitly if the target Prometheus's differ ({} means
    #: Prometheus's defaults: 1m / 10s). None: not known, nothing pinned.
    global_config: dict | None = None
    #: global_config is the source file's own section (False: the operator's, for a bare job list)
    own_global: bool = True
    #: the prometheus-operator release the resources are for (migrator.schemas; None: the newest shipped):
    #: no field its CRDs lack is written, and a job whose exact form needs one takes the next exact form
    operator_version: str | None = None


@dataclass
class JobMigration:
    job_name: str
    file: str
    line: int
    #: "invalid": Prometheus itself refuses the job as it is (see prometheus_problems); not migrated
    status: str  # "exact" | "relabelings" | "scrapeconfig" | "raw" | "invalid" | "failed"
    resources: list[dict] = field(default_factory=list)
    secrets: list[dict] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    label_changes: list[str] = field(default_factory=list)
    raw_job: dict | None = None
    rendered_jobs: list[str] = field(default_factory=list)


class _Fallback(Exception):
    """The job cannot be this kind of resource; the message says why."""


# ---------------------------------------------------------------------------------------------
# relabel rule helpers

def norm(rule: dict) -> dict:
    """A relabel rule with Prometheus's defaults filled in."""
    return {
        "action": str(rule.get("action", "replace") or "replace").lower(),
        "source_labels": [str(s) for s in (rule.get("source_labels") or [])],
        "separator": ";" if rule.get("separator") is None else str(rule.get("separator")),
        "regex": "(.*)" if rule.get("regex") is None else str(rule.get("regex")),
        "replacement": "$1" if rule.get("replacement") is None else str(rule.get("replacement")),
        "target_label": str(rule.get("target_label") or ""),
        "modulus": rule.get("modulus"),
    }


def _full(regex: str, name: str) -> bool:
    try:
        return re.fullmatch(f"(?s:{regex})", name) is not None
    except re.error:
        return True  # unknown: assume it does


_K8S_KEY_MAP = re.compile(r"^\^?__meta_kubernetes_\w+?_(label|annotation)_\(")


def may_write(rule: dict, label: str) -> bool:
    """Can this rule set, change or remove `label`? Conservative: 'maybe' is True."""
    n = norm(rule)
    a = n["action"]
    if a in ("keep", "drop", "keepequal", "dropequal"):
        return False
    if a in ("replace", "hashmod", "lowercase", "uppercase"):
        t = n["target_label"]
        return t == label or "$" in t
    if a == "labelmap":
        repl = n["replacement"]
        prefix = repl.split("$", 1)[0]
        if prefix and not label.startswith(prefix):
            return False
        if not prefix and label.startswith("_") and repl in ("$1", "${1}") and _K8S_KEY_MAP.match(n["regex"]):
            return False  # sanitised Kubernetes keys start with a letter or digit
        return True
    if a == "labeldrop":
        return _full(n["regex"], label)
    if a == "labelkeep":
        return not _full(n["regex"], label)
    return True


def reads(rule: dict, label: str) -> bool:
    n = norm(rule)
    if label in n["source_labels"]:
        return True
    if n["action"] in ("keepequal", "dropequal") and n["target_label"] == label:
        return True
    if n["action"] == "labelmap" and _full(n["regex"], label):
        return True
    return False


def touches(rule: dict, label: str) -> bool:
    return reads(rule, label) or may_write(rule, label)


def camel_rule(rule: dict) -> dict:
    """A Prometheus relabel rule as a monitor relabeling (the operator turns it back verbatim)."""
    out: dict = {}
    if rule.get("source_labels"):
        out["sourceLabels"] = [str(s) for s in rule["source_labels"]]
    if rule.get("separator") is not None:
        out["separator"] = str(rule["separator"])
    if rule.get("target_label") not in (None, ""):
        out["targetLabel"] = str(rule["target_label"])
    if rule.get("regex") is not None:
        # the operator leaves an empty regex out, which would make it (.*): "()" matches the same
        out["regex"] = str(rule["regex"]) if str(rule["regex"]) != "" else "()"
    if rule.get("modulus") is not None:
        out["modulus"] = int(rule["modulus"])
    if rule.get("replacement") is not None:
        out["replacement"] = str(rule["replacement"])
    if rule.get("action") is not None:
        out["action"] = str(rule["action"])
    return out


# meta labels whose values cannot hold ';' (Kubernetes names, label values, port names, phases)
_SEMICOLON_FREE = re.compile(
    r"^__meta_kubernetes_(namespace|pod_label_\w+|pod_labelpresent_\w+|service_label_\w+|"
    r"service_labelpresent_\w+|pod_container_port_name|pod_container_port_number|pod_container_port_protocol|"
    r"endpoint_port_name|endpointslice_port_name|endpoint_port_protocol|service_name|pod_name|"
    r"pod_container_name|endpoints_name|endpointslice_name|pod_phase|pod_node_name|pod_ready|"
    r"pod_container_init|endpoint_ready|pod_controller_kind|pod_controller_name)$")

RUNNING_REGEXES = {"(Failed|Succeeded)", "Failed|Succeeded", "Succeeded|Failed", "(Succeeded|Failed)"}

#: (source, target) copies the operator makes itself, by kind
OPERATOR_COPIES = {
    "PodMonitor": {("__meta_kubernetes_namespace", "namespace"), ("__meta_kubernetes_pod_name", "pod"),
                   ("__meta_kubernetes_pod_container_name", "container")},
    "ServiceMonitor": {("__meta_kubernetes_namespace", "namespace"), ("__meta_kubernetes_pod_name", "pod"),
                       ("__meta_kubernetes_pod_container_name", "container"),
                       ("__meta_kubernetes_service_name", "service"), ("__meta_kubernetes_service_name", "job")},
}


def dns_name(text: str) -> str:
    s = re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")
    s = re.sub(r"-{2,}", "-", s)
    return (s[:63].rstrip("-")) or "job"


def _where(i: int) -> str:
    return f"relabel_configs[{i}]"


def _rule_text(rule: dict) -> str:
    n = norm(rule)
    src = ",".join(n["source_labels"])
    if n["action"] in ("keep", "drop"):
        return f"{n['action']} {src} =~ {n['regex']!r}"
    if n["action"] in ("labelmap", "labeldrop", "labelkeep"):
        return f"{n['action']} {n['regex']!r}"
    return f"{n['action']} {src or '(no source)'} -> {n['target_label']}"


# ---------------------------------------------------------------------------------------------
# the selection plan: which rules become fields

@dataclass
class _Plan:
    kind: str
    role: str
    match_labels: dict = field(default_factory=dict)
    match_expressions: list = field(default_factory=list)
    namespaces: list | None = None  # None: all
    port: str | None = None
    port_number: int | None = None
    running_absorbed: bool = False
    path: str | None = None
    scheme: str | None = None
    params: dict = field(default_factory=dict)
    absorbed_labels: set = field(default_factory=set)
    remaining: list = field(default_factory=list)       # (original index text, rule)
    reasons: list = field(default_factory=list)


def _split_composites(rules: list[dict], reasons: list[str]) -> list[tuple[str, dict]]:
    out: list[tuple[str, dict]] = []
    for i, r in enumerate(rules):
        n = norm(r)
        src = n["source_labels"]
        if n["action"] == "keep" and len(src) > 1 and n["separator"] == ";" \
                and all(_SEMICOLON_FREE.match(s) for s in src) \
                and not any(may_write(e, s) for _, e in out for s in src):
            parts = rx.decompose(n["regex"], len(src))
            if parts is not None:
                kept = [(s, p) for s, p in zip(src, parts) if not rx.is_any(p)]
                reasons.append(f"{_where(i)}: keep {','.join(src)} =~ {n['regex']!r} decomposes into "
                               f"{len(kept)} single-label keep(s) ({', '.join(f'{s} =~ {p!r}' for s, p in kept)}); "
                               "exact because these values cannot contain ';'")
                for j, (s, p) in enumerate(kept):
                    out.append((f"{_where(i)}.{s}", {"source_labels": [s], "regex": p, "action": "keep"}))
                continue
        out.append((_where(i), r))
    return out


def _add_expr(plan: _Plan, key: str, op: str, values: list[str] | None = None) -> None:
    e: dict = {"key": key, "operator": op}
    if values is not None:
        e["values"] = list(values)
    if e not in plan.match_expressions:
        plan.match_expressions.append(e)


def _try_selector(plan: _Plan, where: str, n: dict, inventory) -> str | None:
    """The reason when the filter became (part of) the selector, else None (plan.reasons says why not)."""
    src, regex, action = n["source_labels"][0], n["regex"], n["action"]
    obj = "pod" if plan.kind == "PodMonitor" else "service"
    kobj = "Pod" if plan.kind == "PodMonitor" else "Service"
    label_p, present_p = f"__meta_kubernetes_{obj}_label_", f"__meta_kubernetes_{obj}_labelpresent_"
    if src.startswith(label_p) or src.startswith(present_p):
        present = src.startswith(present_p)
        name = src[len(present_p if present else label_p):]
        key, how = recover_key(name, kobj, inventory)
        if key is None:
            plan.reasons.append(f"{where}: {action} on {src} stays a relabeling: the label key is ambiguous ({how})")
            return None
        if present:
            if rx.is_true(regex) or regex == "" or regex == "()":
                keep_present = (action == "keep") == rx.is_true(regex)
                _add_expr(plan, key, "Exists" if keep_present else "DoesNotExist")
                return f"{where}: {action} {src} =~ {regex!r} -> selector {key} {'Exists' if keep_present else 'DoesNotExist'} ({how})"
            return None
        alts = rx.literal_alternatives(regex)
        if alts and all(rx.valid_label_value(a) for a in alts):
            if action == "keep":
                if len(alts) == 1 and key not in plan.match_labels:
                    plan.match_labels[key] = alts[0]
                    return f"{where}: keep {src} =~ {regex!r} -> selector.matchLabels {key}: {alts[0]} ({how})"
                _add_expr(plan, key, "In", alts)
                return f"{where}: keep {src} =~ {regex!r} -> selector {key} In {alts} ({how})"
            _add_expr(plan, key, "NotIn", alts)
            return f"{where}: drop {src} =~ {regex!r} -> selector {key} NotIn {alts} ({how})"
        if (action == "keep" and rx.is_nonempty(regex)) or (action == "drop" and regex in ("", "()")):
            _add_expr(plan, key, "Exists")
            _add_expr(plan, key, "NotIn", [""])
            return (f"{where}: {action} {src} =~ {regex!r} -> selector {key} Exists and NotIn [''] (present and "
                    f"non-empty; Exists alone would also keep an empty value) ({how})")
        return None
    if src == "__meta_kubernetes_namespace" and action == "keep":
        alts = rx.literal_alternatives(regex)
        if not alts or not all(rx.valid_namespace(a) for a in alts):
            return None
        if plan.namespaces is not None and any(PLACEHOLDER_RE.search(x) for x in plan.namespaces):
            return None
        new = alts if plan.namespaces is None else [x for x in plan.namespaces if x in alts]
        if not new:
            return None
        plan.namespaces = list(dict.fromkeys(new))
        return f"{where}: keep namespace =~ {regex!r} -> namespaceSelector.matchNames {plan.namespaces}"
    if action != "keep":
        return None
    if plan.kind == "PodMonitor":
        port_src, num_src = "__meta_kubernetes_pod_container_port_name", "__meta_kubernetes_pod_container_port_number"
    else:
        port_src = "__meta_kubernetes_endpointslice_port_name" if plan.role == "endpointslice" \
            else "__meta_kubernetes_endpoint_port_name"
        num_src = None
    alts = rx.literal_alternatives(regex)
    if src == port_src and alts and len(alts) == 1 and rx.valid_port_name(alts[0]) \
            and plan.port_number is None and plan.port in (None, alts[0]):
        plan.port = alts[0]
        return f"{where}: keep {src} =~ {regex!r} -> port: {alts[0]}"
    if num_src and src == num_src and alts and len(alts) == 1 and alts[0].isdigit() \
            and 0 < int(alts[0]) < 65536 and plan.port is None and plan.port_number in (None, int(alts[0])):
        plan.port_number = int(alts[0])
        return f"{where}: keep {src} =~ {regex!r} -> portNumber: {alts[0]}"
    return None


def _plan(kind: str, role: str, rules: list[dict], namespaces: list | None, inventory,
          adopt: bool) -> _Plan:
    plan = _Plan(kind, role, namespaces=namespaces)
    expanded = _split_composites(rules, plan.reasons)
    done: list[dict] = []  # every rule before the current one, absorbed or not (for the write checks)
    for where, r in expanded:
        n = norm(r)
        before = done
        done = done + [r]
        src = n["source_labels"]
        a = n["action"]
        if a in ("keep", "drop") and len(src) == 1 and not any(may_write(e, src[0]) for e in before):
            if a == "keep" and rx.is_any(n["regex"]):
                plan.reasons.append(f"{where}: keep {src[0]} =~ {n['regex']!r} matches every value: dropped (no-op)")
                continue
            if a == "drop" and src[0] == "__meta_kubernetes_pod_phase" and n["regex"] in RUNNING_REGEXES:
                plan.running_absorbed = True
                plan.reasons.append(f"{where}: drop phase {n['regex']!r} is the operator's default pod filter "
                                    "(filterRunning unset)")
                continue
            why = _try_selector(plan, where, n, inventory)
            if why:
                plan.reasons.append(why)
                continue
        t = n["target_label"]
        if a == "replace" and rx.is_any(n["regex"]) and "$" not in n["replacement"] \
                and n["replacement"] != "" and (t in ("__metrics_path__", "__scheme__") or
                                                 (t.startswith("__param_") and len(t) > 8)) \
                and not any(touches(e, t) for e in before):
            val = n["replacement"]
            if t == "__scheme__" and val in ("http", "https"):
                plan.scheme = val
            elif t == "__metrics_path__":
                plan.path = val
            elif t.startswith("__param_"):
                plan.params[t[len("__param_"):]] = [val]
            else:
                plan.remaining.append((where, r))
                continue
            field_name = {"__scheme__": "scheme", "__metrics_path__": "path"}.get(t, f"params.{t[8:]}")
            plan.reasons.append(f"{where}: constant {t} = {val!r} -> {field_name}")
            continue
        if not adopt and a == "replace" and len(src) == 1 and (src[0], t) in OPERATOR_COPIES[kind] \
                and rx.is_any(n["regex"]) and n["replacement"] in ("$1", "${1}") \
                and t not in plan.absorbed_labels \
                and not any(touches(e, t) or may_write(e, src[0]) for e in before):
            plan.absorbed_labels.add(t)
            plan.reasons.append(f"{where}: {t} <- {src[0]} is a label the operator sets itself: left to it")
            continue
        plan.remaining.append((where, r))
    _restore_composites(plan, rules)
    return plan


def _restore_composites(plan: _Plan, rules: list[dict]) -> None:
    """A composite keep none of whose parts became a field is kept as written (one rule, not n)."""
    for i, r in enumerate(rules):
        prefix = f"{_where(i)}."
        split_note = f"{_where(i)}: keep "
        if not any(line.startswith(split_note) and "decomposes" in line for line in plan.reasons):
            continue
        if any(line.startswith(prefix) for line in plan.reasons):
            continue  # some part became a field (or a no-op): the split stays
        parts = [k for k, (w, _) in enumerate(plan.remaining) if w.startswith(prefix)]
        if not parts or parts != list(range(parts[0], parts[0] + len(parts))):
            continue
        plan.remaining[parts[0]:parts[-1] + 1] = [(_where(i), r)]
        plan.reasons[:] = [line for line in plan.reasons if not (line.startswith(split_note) and "decomposes" in line)]


# ---------------------------------------------------------------------------------------------
# job-level fields

_EP_FIELDS = {
    "scrape_interval": "interval", "scrape_timeout": "scrapeTimeout", "metrics_path": "path", "scheme": "scheme",
    "honor_labels": "honorLabels", "honor_timestamps": "honorTimestamps",
    "track_timestamps_staleness": "trackTimestampsStaleness", "follow_redirects": "followRedirects",
    "enable_http2": "enableHttp2", "proxy_url": "proxyUrl", "no_proxy": "noProxy",
    "proxy_from_environment": "proxyFromEnvironment",
}
_SPEC_FIELDS = {
    "sample_limit": "sampleLimit", "target_limit": "targetLimit", "label_limit": "labelLimit",
    "label_name_length_limit": "labelNameLengthLimit", "label_value_length_limit": "labelValueLengthLimit",
    "keep_dropped_targets": "keepDroppedTargets", "body_size_limit": "bodySizeLimit",
    "scrape_protocols": "scrapeProtocols", "fallback_scrape_protocol": "fallbackScrapeProtocol",
    "native_histogram_bucket_limit": "nativeHistogramBucketLimit",
    "scrape_native_histograms": "scrapeNativeHistograms",
    "always_scrape_classic_histograms": "scrapeClassicHistograms",
    "scrape_classic_histograms": "scrapeClassicHistograms",
    "convert_classic_histograms_to_nhcb": "convertClassicHistogramsToNHCB",
}
_AUTH_KEYS = ("tls_config", "bearer_token", "bearer_token_file", "basic_auth", "authorization", "oauth2")
_HANDLED = {"job_name", "kubernetes_sd_configs", "relabel_configs", "metric_relabel_configs", "params",
            *_EP_FIELDS, *_SPEC_FIELDS, *_AUTH_KEYS}


class _Secret:
    def __init__(self, name: str, namespace: str, labels: dict):
        self.name, self.namespace, self.labels = name, namespace, labels
        self.data: dict[str, str] = {}

    def ref(self, key: str, value: str) -> dict:
        self.data[key] = value
        return {"name": self.name, "key": key}

    def manifest(self) -> dict | None:
        if not self.data:
            return None
        return {"apiVersion": "v1", "kind": "Secret",
                "metadata": {"name": self.name, "namespace": self.namespace, **({"labels": dict(self.labels)}
                                                                                if self.labels else {})},
                "type": "Opaque",
                "data": {k: base64.b64encode(v.encode()).decode() for k, v in self.data.items()}}


def _auth(cfg: dict, kind: str, sec: _Secret, out: dict, reasons: list[str]) -> None:
    """TLS and credentials -> monitor fields (kind: PodMonitor, ServiceMonitor or ScrapeConfig)."""
    files_ok = kind == "ServiceMonitor"
    tls = cfg.get("tls_config")
    if tls:
        t: dict = {}
        for k, v in tls.items():
            if k == "insecure_skip_verify":
                t["insecureSkipVerify"] = bool(v)
            elif k == "server_name":
                t["serverName"] = v
            elif k in ("min_version", "max_version"):
                t["minVersion" if k == "min_version" else "maxVersion"] = v
            elif k in ("ca_file", "cert_file", "key_file"):
                if not files_ok:
                    raise _Fallback(f"tls_config.{k} is a file path: a {kind} cannot reference files (its "
                                    "tlsConfig takes Secrets and ConfigMaps only)")
                t[{"ca_file": "caFile", "cert_file": "certFile", "key_file": "keyFile"}[k]] = v
            elif k in ("ca", "cert"):
                t[k] = {"secret": sec.ref("ca.crt" if k == "ca" else "tls.crt", str(v))}
                reasons.append(f"tls_config.{k} (inline) -> Secret {sec.name} key {'ca.crt' if k == 'ca' else 'tls.crt'}")
            elif k == "key":
                t["keySecret"] = sec.ref("tls.key", str(v))
                reasons.append(f"tls_config.key (inline) -> Secret {sec.name} key tls.key")
            else:
                raise _Fallback(f"tls_config.{k} has no {kind} field")
        out["tlsConfig"] = t
    if cfg.get("bearer_token") is not None:
        out["authorization"] = {"type": "Bearer", "credentials": sec.ref("token", str(cfg["bearer_token"]))}
        reasons.append(f"bearer_token (inline) -> authorization.credentials from Secret {sec.name} key token")
    if cfg.get("bearer_token_file") is not None:
        if not files_ok:
            raise _Fallback(f"bearer_token_file is a file path: a {kind} cannot reference files")
        out["bearerTokenFile"] = cfg["bearer_token_file"]
    authz = cfg.get("authorization")
    if authz:
        typ = str(authz.get("type") or "Bearer")
        extra = set(authz) - {"type", "credentials", "credentials_file"}
        if extra:
            raise _Fallback(f"authorization.{sorted(extra)[0]} has no {kind} field")
        if authz.get("credentials_file") is not None:
            if not files_ok or typ.lower() != "bearer":
                raise _Fallback(f"authorization.credentials_file is a file path: a {kind} cannot reference it"
                                + ("" if files_ok else " (only a ServiceMonitor has bearerTokenFile)"))
            out["bearerTokenFile"] = authz["credentials_file"]
            reasons.append("authorization.credentials_file (Bearer) -> bearerTokenFile")
        else:
            out["authorization"] = {"type": typ, "credentials": sec.ref("credentials", str(authz.get("credentials") or ""))}
            reasons.append(f"authorization.credentials (inline) -> Secret {sec.name} key credentials")
    ba = cfg.get("basic_auth")
    if ba:
        bad = [k for k in ba if k not in ("username", "password")]
        if bad:
            raise _Fallback(f"basic_auth.{bad[0]}: monitors have no file or reference form for it")
        out["basicAuth"] = {"username": sec.ref("username", str(ba.get("username") or "")),
                            "password": sec.ref("password", str(ba.get("password") or ""))}
        reasons.append(f"basic_auth (inline) -> basicAuth from Secret {sec.name} keys username, password")
    o = cfg.get("oauth2")
    if o:
        bad = [k for k in o if k not in ("client_id", "client_secret", "token_url", "scopes", "endpoint_params")]
        if bad:
            raise _Fallback(f"oauth2.{bad[0]} has no {kind} field")
        oo: dict = {"clientId": {"secret": sec.ref("client-id", str(o.get("client_id") or ""))},
                    "clientSecret": sec.ref("client-secret", str(o.get("client_secret") or "")),
                    "tokenUrl": o.get("token_url")}
        if o.get("scopes"):
            oo["scopes"] = list(o["scopes"])
        if o.get("endpoint_params"):
            oo["endpointParams"] = dict(o["endpoint_params"])
        out["oauth2"] = oo
        reasons.append(f"oauth2 client_id/client_secret (inline) -> Secret {sec.name}")


def cr_global(ctx: RenderContext) -> dict:
    """The global section the operator generates for the target Prometheus (interval and timeout)."""
    from migrator.scrapeconfig import operator_global

    return operator_global({"scrapeInterval": ctx.get("scrapeInterval"), "scrapeTimeout": ctx.get("scrapeTimeout")})


def _timing(cfg: dict, opts: MigrateOptions, ctx: RenderContext, reasons: list[str]) -> dict:
    """scrape_interval/scrape_timeout to set explicitly so the job keeps its effective values."""
    from migrator.relabel.target import scrape_interval_timeout
    from migrator.relabel.duration import format_duration

    if opts.global_config is None:
        return {}
    out: dict = {}
    try:
        oi, ot = scrape_interval_timeout(cfg, version=opts.version, global_config=opts.global_config)
        view = dict(cfg)
        ni, _ = scrape_interval_timeout(view, version=opts.version, global_config=cr_global(ctx))
        if ni != oi and "scrape_interval" not in cfg:
            out["scrape_interval"] = view["scrape_interval"] = format_duration(oi)
        _, nt = scrape_interval_timeout(view, version=opts.version, global_config=cr_global(ctx))
        if nt != ot and "scrape_timeout" not in cfg:
            out["scrape_timeout"] = format_duration(ot)
    except MigratorError:
        return {}
    for k, v in out.items():
        if not opts.own_global:
            origin = "the operator's global section for the source's Prometheus"
        elif k in opts.global_config:
            origin = "the original global section"
        else:
            origin = "Prometheus's default (the original file sets no global " + k + ")"
        reasons.append(f"{k} = {v}: the job inherited it from {origin}, and the target Prometheus's global value "
                       "differs")
    return out


def _placeholder_durations(cfg: dict) -> list[str]:
    return [f"{k} is the placeholder {cfg[k]}" for k in ("scrape_interval", "scrape_timeout")
            if isinstance(cfg.get(k), str) and PLACEHOLDER_RE.search(cfg[k])]


# ---------------------------------------------------------------------------------------------
# PodMonitor / ServiceMonitor

def _monitor(job: Job, opts: MigrateOptions, ctx: RenderContext, name: str) -> JobMigration:
    cfg = job.config
    sd = cfg["kubernetes_sd_configs"][0]
    role = str(sd.get("role"))
    kind = "PodMonitor" if role == "pod" else "ServiceMonitor"
    # the role a ServiceMonitor discovers with: its own serviceDiscoveryRole, else the Prometheus CR's, else
    # Endpoints; written only when the default would not give the job's role
    sd_role = None
    if kind == "ServiceMonitor":
        wanted = "EndpointSlice" if role == "endpointslice" else "Endpoints"
        default = str(ctx.get("serviceDiscoveryRole") or "Endpoints")
        if wanted != default:
            sd_role = wanted
    reasons = [f"role {role} -> {kind}" + (f" (serviceDiscoveryRole: {sd_role})" if sd_role
                                           else f" ({ctx.get('serviceDiscoveryRole') or 'Endpoints'}: the discovery "
                                                "role the operator uses anyway; no serviceDiscoveryRole written)"
                                           if kind == "ServiceMonitor" else "")]
    for k in sd:
        if k not in ("role", "namespaces", "attach_metadata"):
            raise _Fallback(f"kubernetes_sd_configs[0].{k} has no {kind} field")
    attach = sd.get("attach_metadata") or {}
    if any(v for k, v in attach.items() if k != "node"):
        raise _Fallback(f"attach_metadata {', '.join(k for k, v in attach.items() if v and k != 'node')} has no "
                        f"{kind} field")
    unsupported = [k for k in cfg if k not in _HANDLED]
    if unsupported:
        raise _Fallback(f"{unsupported[0]} has no {kind} field")
    bad_dur = _placeholder_durations(cfg)
    if bad_dur:
        raise _Fallback(f"{bad_dur[0]}: the monitor's interval/scrapeTimeout must be a duration (the CRD pattern "
                        "refuses it), so it cannot be kept verbatim")
    nss = sd.get("namespaces") or {}
    names = [str(x) for x in (nss.get("names") or [])]
    if nss.get("own_namespace"):
        names.append(ctx.namespace)
        reasons.append(f"namespaces.own_namespace -> {ctx.namespace} (the target Prometheus's namespace)")
    plan = _plan(kind, role, list(cfg.get("relabel_configs") or []), names or None, opts.inventory,
                 opts.adopt_operator_labels)
    reasons += plan.reasons

    ep: dict = {}
    if plan.port:
        ep["port"] = plan.port
    elif plan.port_number:
        ep["portNumber"] = plan.port_number
    spec_extra: dict = {}
    for k, v in _timing(cfg, opts, ctx, reasons).items():
        ep[_EP_FIELDS[k]] = v
    for k, v in cfg.items():
        if k in _EP_FIELDS:
            ep[_EP_FIELDS[k]] = v
        elif k in _SPEC_FIELDS:
            spec_extra[_SPEC_FIELDS[k]] = v
    if cfg.get("params"):
        ep["params"] = {str(k): [str(x) for x in v] for k, v in cfg["params"].items()}
    if plan.path is not None:
        ep["path"] = plan.path
    if plan.scheme is not None:
        ep["scheme"] = plan.scheme
    if plan.params:
        ep.setdefault("params", {}).update(plan.params)
    sec = _Secret(f"{name}-scrape-credentials", opts.namespace, opts.labels)
    _auth(cfg, kind, sec, ep, reasons)
    _drop_defaults(ep, reasons)

    # series identity
    label_changes: list[str] = []
    op_labels = ["namespace", "container", "pod"] if kind == "PodMonitor" else \
        ["namespace", "service", "pod", "container", "node"]
    if plan.port:
        op_labels.append("endpoint")
    op_labels += [sanitize_label_name(str(x)) for x in (ctx.get("podTargetLabels") or [])]
    remaining = [r for _, r in plan.remaining]
    comp: list[dict] = []
    if opts.adopt_operator_labels:
        read_ops = [L for L in op_labels + ["job"] if any(reads(r, L) for r in remaining)]
        drop = [L for L in op_labels if L in read_ops]
        pin_job = "job" in read_ops
        for L in op_labels:
            if L not in drop:
                label_changes.append(f"{L}: added by the operator ({_op_label_desc(kind, L, plan.port)})"
                                     + (" unless the relabelings set it" if any(may_write(r, L) for r in remaining)
                                        else ""))
        if not pin_job:
            new_job = f"{opts.namespace}/{name}" if kind == "PodMonitor" else "the Service name"
            label_changes.append(f"job: {job.name!r} -> {new_job} (the operator's job label)"
                                 + (" unless the relabelings set it" if any(may_write(r, "job") for r in remaining)
                                    else ""))
        if drop or pin_job:
            reasons.append(f"relabelings read {', '.join(read_ops)}, which the operator sets: restored to the "
                           "original values first so those rules see what they saw before")
        if not plan.running_absorbed:
            label_changes.append("targets whose pod is Failed or Succeeded are dropped (operator default "
                                 "filterRunning); the original job kept them")
    else:
        drop = [L for L in op_labels if L not in plan.absorbed_labels]
        pin_job = "job" not in plan.absorbed_labels
        if not plan.running_absorbed:
            ep["filterRunning"] = False
            reasons.append("filterRunning: false: the original job keeps targets of Failed/Succeeded pods")
        if drop or pin_job:
            reasons.append("relabelings start by undoing the operator's labels ("
                           + ", ".join(([f"labeldrop {'|'.join(drop)}"] if drop else [])
                                       + ([f"job pinned to {job.name!r}"] if pin_job else []))
                           + ") so the final labels are exactly the original job's")
    if drop:
        comp.append({"action": "labeldrop", "regex": "|".join(drop)})
    if pin_job:
        # a "$" in the job name would be a group reference in a replacement: "$$" is a literal "$"
        comp.append({"targetLabel": "job", "replacement": job.name.replace("$", "$$"), "action": "replace"})
    if ctx.get("enforcedNamespaceLabel"):
        label_changes.append(f"{ctx.get('enforcedNamespaceLabel')}: set to {opts.namespace} by the Prometheus "
                             "CR's enforcedNamespaceLabel (after every relabeling)")
    if ctx.scrape_class(None):
        reasons.append(f"the Prometheus CR's default scrape class {ctx.default_scrape_class!r} applies to this "
                       "monitor too (its relabelings, TLS and authorization)")
    relabelings = comp + [camel_rule(r) for r in remaining]
    if relabelings:
        ep["relabelings"] = relabelings
    if remaining:
        from migrator.migrate.idioms import classify

        ids = {classify(r, kind) for r in remaining}
        if ids & {"sel-annotation", "rw-address-from-annotation", "rw-path-scheme-from-annotation",
                  "rw-param-from-annotation"}:
            reasons.append("annotation-driven job: whether, where and how each target is scraped comes from its "
                           "prometheus.io/* annotations, read per target; no monitor field reads annotations, so "
                           "those rules stay relabelings (istio's own PodMonitor carries them the same way)")
        for where, r in plan.remaining:
            reasons.append(f"{where}: {_rule_text(r)} kept as a relabeling: {explain_rule(r, kind)}")
    if cfg.get("metric_relabel_configs"):
        ep["metricRelabelings"] = [camel_rule(r) for r in cfg["metric_relabel_configs"]]
        reasons.append(f"metric_relabel_configs -> metricRelabelings ({len(cfg['metric_relabel_configs'])} rule(s))")

    selector: dict = {}
    if plan.match_labels:
        selector["matchLabels"] = dict(plan.match_labels)
    if plan.match_expressions:
        selector["matchExpressions"] = list(plan.match_expressions)
    spec: dict = {}
    if sd_role:
        spec["serviceDiscoveryRole"] = sd_role
    spec["selector"] = selector
    if plan.namespaces:
        spec["namespaceSelector"] = {"matchNames": list(plan.namespaces)}
        reasons.append(f"namespaces -> namespaceSelector.matchNames {plan.namespaces}")
    else:
        spec["namespaceSelector"] = {"any": True}
        reasons.append("no namespace restriction -> namespaceSelector.any: true (a monitor's default is its own "
                       "namespace)")
    if attach.get("node"):
        spec["attachMetadata"] = {"node": True}
    spec.update(spec_extra)
    spec["podMetricsEndpoints" if kind == "PodMonitor" else "endpoints"] = [ep]
    resource = {"apiVersion": f"{GROUP}/v1", "kind": kind,
                "metadata": {"name": name, "namespace": opts.namespace,
                             **({"labels": dict(opts.labels)} if opts.labels else {})},
                "spec": spec}
    status = "relabelings" if remaining else "exact"
    prefix = "podMonitor" if kind == "PodMonitor" else "serviceMonitor"
    secret = sec.manifest()
    return JobMigration(job.name, job.file, job.line, status, [resource], [secret] if secret else [], reasons,
                        label_changes, None, [f"{prefix}/{opts.namespace}/{name}/0"])


#: endpoint fields whose value is what the operator (and Prometheus) use when the field is absent
_EP_DEFAULTS = {"path": "/metrics", "scheme": "http", "honorLabels": False, "followRedirects": True,
                "enableHttp2": True}


def _drop_defaults(ep: dict, reasons: list[str]) -> None:
    """Leave out what the operator fills in anyway (issue 9: no default is written)."""
    dropped = [f"{k}: {str(v).lower() if isinstance(v, bool) else v}" for k, v in _EP_DEFAULTS.items()
               if k in ep and ep[k] == v and type(ep[k]) is type(v)]
    for item in dropped:
        del ep[item.split(":", 1)[0]]
    if dropped:
        reasons.append(f"{', '.join(dropped)}: the default the operator uses anyway, not written")


def _op_label_desc(kind: str, label: str, port: str | None) -> str:
    return {"namespace": "the target's namespace", "pod": "the pod name", "container": "the container name",
            "service": "the Service name", "node": "the node name for node-backed endpoints",
            "endpoint": f"the port name {port!r}"}.get(label, "a pod label (podTargetLabels of the Prometheus CR)")


# ---------------------------------------------------------------------------------------------
# ScrapeConfig

_SC_FIELDS = {
    "scrape_interval": "scrapeInterval", "scrape_timeout": "scrapeTimeout", "metrics_path": "metricsPath",
    "scheme": "scheme", "honor_labels": "honorLabels", "honor_timestamps": "honorTimestamps",
    "track_timestamps_staleness": "trackTimestampsStaleness", "enable_http2": "enableHTTP2",
    "proxy_url": "proxyUrl", "no_proxy": "noProxy", "proxy_from_environment": "proxyFromEnvironment",
    "enable_compression": "enableCompression", **{k: v for k, v in _SPEC_FIELDS.items()},
}
_SC_ROLES = ROLE_KIND  # a ScrapeConfig spells each role as the kind it lists


def _scrapeconfig(job: Job, opts: MigrateOptions, ctx: RenderContext, name: str, why: str) -> JobMigration:
    cfg = job.config
    reasons = [why + " -> ScrapeConfig (monitoring.coreos.com/v1alpha1) with jobName " + repr(job.name)]
    others = [k for k in OTHER_SD if cfg.get(k)]
    if others:
        raise _Fallback(f"{others[0]}: migrator does not translate this discovery into a ScrapeConfig yet")
    bad_dur = _placeholder_durations(cfg)
    if bad_dur:
        raise _Fallback(f"{bad_dur[0]}: scrapeInterval/scrapeTimeout must be durations in a ScrapeConfig")
    spec: dict = {"jobName": job.name}
    for k, v in _timing(cfg, opts, ctx, reasons).items():
        spec[_SC_FIELDS[k]] = v
    for k, v in cfg.items():
        if k in ("job_name", "relabel_configs", "metric_relabel_configs", "static_configs", "file_sd_configs",
                 "kubernetes_sd_configs", "params", *_AUTH_KEYS):
            continue
        if k == "follow_redirects":
            continue  # no ScrapeConfig field at spec level; Prometheus's default is true
        if k not in _SC_FIELDS:
            raise _Fallback(f"{k} has no ScrapeConfig field")
        spec[_SC_FIELDS[k]] = v
    if cfg.get("follow_redirects") is False:
        raise _Fallback("follow_redirects: false has no ScrapeConfig field")
    if cfg.get("scheme"):
        spec["scheme"] = str(cfg["scheme"]).upper()
    if cfg.get("params"):
        spec["params"] = {str(k): [str(x) for x in v] for k, v in cfg["params"].items()}
    statics = []
    for sc in cfg.get("static_configs") or []:
        if not sc.get("targets"):
            continue
        item: dict = {"targets": [str(t) for t in sc["targets"]]}
        if sc.get("labels"):
            item["labels"] = {str(k): str(v) for k, v in sc["labels"].items()}
        statics.append(item)
    if statics:
        spec["staticConfigs"] = statics
    files = []
    for f in cfg.get("file_sd_configs") or []:
        item = {"files": [str(x) for x in f.get("files") or []]}
        if f.get("refresh_interval"):
            item["refreshInterval"] = f["refresh_interval"]
        files.append(item)
    if files:
        spec["fileSDConfigs"] = files
    k8s = []
    for i, sd in enumerate(cfg.get("kubernetes_sd_configs") or []):
        item = {"role": _SC_ROLES.get(str(sd.get("role")), str(sd.get("role")))}
        for k, v in sd.items():
            if k == "role":
                continue
            if k == "namespaces":
                ns: dict = {}
                if v.get("names"):
                    ns["names"] = [str(x) for x in v["names"]]
                if v.get("own_namespace"):
                    ns["ownNamespace"] = True
                if ns:
                    item["namespaces"] = ns
            elif k == "attach_metadata":
                item["attachMetadata"] = {"node": bool(v.get("node"))}
                if any(val for kk, val in v.items() if kk != "node"):
                    raise _Fallback(f"kubernetes_sd_configs[{i}].attach_metadata: only node has a ScrapeConfig field")
            elif k == "selectors":
                item["selectors"] = [{"role": _SC_ROLES.get(str(s.get("role")), s.get("role")),
                                      **({"label": s["label"]} if s.get("label") else {}),
                                      **({"field": s["field"]} if s.get("field") else {})} for s in v]
            elif k == "api_server":
                item["apiServer"] = v
            else:
                raise _Fallback(f"kubernetes_sd_configs[{i}].{k} has no ScrapeConfig field")
        k8s.append(item)
    if k8s:
        spec["kubernetesSDConfigs"] = k8s
    sec = _Secret(f"{name}-scrape-credentials", opts.namespace, opts.labels)
    _auth(cfg, "ScrapeConfig", sec, spec, reasons)
    if cfg.get("relabel_configs"):
        spec["relabelings"] = [camel_rule(r) for r in cfg["relabel_configs"]]
        reasons.append(f"relabel_configs -> relabelings verbatim ({len(cfg['relabel_configs'])} rule(s)); the "
                       "operator only adds job := jobName before them, which is the original job label")
    if not _operator_has(opts, {"apiVersion": f"{GROUP}/v1alpha1", "kind": "ScrapeConfig", "spec": {"jobName": ""}}):
        # before jobName (v0.76.0) the operator names the job scrapeConfig/<ns>/<name>: a first relabeling sets
        # the original job label instead, exactly what jobName does
        del spec["jobName"]
        spec["relabelings"] = [{"targetLabel": "job", "replacement": job.name.replace("$", "$$"),
                                "action": "replace"}] + list(spec.get("relabelings") or [])
        reasons.append(f"jobName exists only from prometheus-operator v0.76.0 (target: v{opts.operator_version}): "
                       f"a first relabeling sets job to {job.name!r} instead")
    if cfg.get("metric_relabel_configs"):
        spec["metricRelabelings"] = [camel_rule(r) for r in cfg["metric_relabel_configs"]]
    resource = {"apiVersion": f"{GROUP}/v1alpha1", "kind": "ScrapeConfig",
                "metadata": {"name": name, "namespace": opts.namespace,
                             **({"labels": dict(opts.labels)} if opts.labels else {})},
                "spec": spec}
    secret = sec.manifest()
    return JobMigration(job.name, job.file, job.line, "scrapeconfig", [resource], [secret] if secret else [],
                        reasons, [], None, [f"scrapeConfig/{opts.namespace}/{name}"])


# ---------------------------------------------------------------------------------------------

def _raw(job: Job, reasons: list[str]) -> JobMigration:
    return JobMigration(job.name, job.file, job.line, "raw", [], [], reasons, [], dict(job.config), [])


def _validate(m: JobMigration, opts: MigrateOptions) -> list[str]:
    from migrator.validate import validate_monitor

    out = []
    for r in m.resources:
        doc = Document(r, f"<migrated {m.job_name}>")
        out += [f"{e.field}: {e.message}" if e.field else e.message
                for e in validate_monitor(doc, version=opts.version, operator_version=opts.operator_version)]
    return out


def _operator_has(opts: MigrateOptions, probe: dict) -> bool:
    """Whether the target operator's CRDs have every field of the probe resource."""
    from migrator.schemas import operator_schema_version, unknown_fields

    return not unknown_fields(probe, operator_schema_version(opts.operator_version))


def operator_gaps(m: JobMigration, opts: MigrateOptions) -> str | None:
    """Why the target operator cannot take this form (a field its CRDs lack, with the release that has it),
    or None. Decided by migrator.schemas, for every resource migrate writes."""
    from migrator.schemas import first_version_with, operator_schema_version, unknown_fields

    target = operator_schema_version(opts.operator_version)
    for r in m.resources:
        for f in unknown_fields(r, target):
            since = first_version_with(r, f)
            return (f"{r.get('kind')} {f} exists only from prometheus-operator v{since}" if since else
                    f"{r.get('kind')} {f} exists in no shipped prometheus-operator release") + \
                f" (target: v{opts.operator_version or target})"
    return None


def _unique(name: str, used: set[str]) -> str:
    base, i = name, 2
    while name in used:
        suffix = f"-{i}"
        name = base[:63 - len(suffix)].rstrip("-") + suffix
        i += 1
    used.add(name)
    return name


def _why_not_monitor(cfg: dict) -> str | None:
    """None when the job's discovery fits a PodMonitor/ServiceMonitor, else what it is."""
    sds = cfg.get("kubernetes_sd_configs") or []
    kinds = [k for k in ("static_configs", "file_sd_configs", *OTHER_SD) if cfg.get(k)]
    if kinds:
        return f"{' and '.join(kinds)} (no PodMonitor/ServiceMonitor form)"
    if len(sds) != 1:
        return f"{len(sds)} kubernetes_sd_configs (a monitor has one discovery)" if sds else \
            "no service discovery"
    role = str(sds[0].get("role"))
    if role not in ("pod", "endpoints", "endpointslice"):
        return f"role {role} (PodMonitor covers pod, ServiceMonitor endpoints/endpointslice)"
    return None


def _has_placeholder(value: Any) -> bool:
    if isinstance(value, str):
        return PLACEHOLDER_RE.search(value) is not None
    if isinstance(value, dict):
        return any(_has_placeholder(k) or _has_placeholder(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_placeholder(v) for v in value)
    return False


#: how a reason of an "invalid" JobMigration starts (the rest is the problem, with its field)
INVALID_REASON = "invalid for Prometheus (it refuses to load this job; left as it is): "


def prometheus_problems(job: Job, opts: MigrateOptions) -> list[str]:
    """What Prometheus itself refuses in this job (it would not load the config), each with its field.

    Asked of the authorities that decide it for every command: relabel rules (migrator.relabel), Kubernetes
    SD configs (migrator.discovery), scrape interval and timeout with the file's global section
    (migrator.relabel.target). Values holding a template placeholder are not judged (their value is not
    known yet).
    """
    from migrator.discovery import check_sd_config
    from migrator.errors import ConfigError
    from migrator.relabel import parse_rules
    from migrator.relabel.target import scrape_interval_timeout

    cfg = job.config
    out: list[str] = []
    scheme = cfg.get("metric_name_validation_scheme") or None
    for section, kind in (("relabel_configs", "target"), ("metric_relabel_configs", "metric")):
        rules = cfg.get(section)
        if rules is None or _has_placeholder(rules):
            continue
        try:
            parse_rules(rules, version=opts.version, scheme=scheme, kind=kind)
        except ConfigError as err:
            out.append(f"{section}{err.field or ''}: {err.message}")
    for i, sd in enumerate(cfg.get("kubernetes_sd_configs") or []):
        if _has_placeholder(sd):
            continue
        out += [f"kubernetes_sd_configs[{i}]{'.' + p.field if p.field else ''}: {p.message}"
                for p in check_sd_config(sd, opts.version)]
    glob = opts.global_config or {}
    timing = [cfg.get("scrape_interval"), cfg.get("scrape_timeout"), glob.get("scrape_interval"),
              glob.get("scrape_timeout")]
    if not _has_placeholder(timing):
        try:
            scrape_interval_timeout(cfg, version=opts.version, global_config=glob)
        except ConfigError as err:
            out.append(f"{err.field + ': ' if err.field else ''}{err.message}")
    return out


def credentials_in_urls(cfg: dict) -> list[str]:
    """The fields whose URL (or scrape address) holds credentials in its userinfo (``user:pass@``): a monitor
    or ScrapeConfig has no Secret reference for them, so it would publish them in a plain object."""
    from migrator.redact import redact_url, redact_value

    out: list[str] = []

    def url(path: str, value: Any) -> None:
        if isinstance(value, str) and redact_url(value) != value:
            out.append(path)

    url("proxy_url", cfg.get("proxy_url"))
    o = cfg.get("oauth2")
    if isinstance(o, dict):
        url("oauth2.token_url", o.get("token_url"))
        url("oauth2.proxy_url", o.get("proxy_url"))
    for i, sd in enumerate(cfg.get("kubernetes_sd_configs") or []):
        if isinstance(sd, dict):
            url(f"kubernetes_sd_configs[{i}].api_server", sd.get("api_server"))
            url(f"kubernetes_sd_configs[{i}].proxy_url", sd.get("proxy_url"))
    for i, sc in enumerate(cfg.get("static_configs") or []):
        for j, t in enumerate((sc.get("targets") or []) if isinstance(sc, dict) else []):
            if isinstance(t, str) and redact_value(t) != t:
                out.append(f"static_configs[{i}].targets[{j}]")
    return out


def migrate_job(job: Job, opts: MigrateOptions, ctx: RenderContext, used: set[str]) -> JobMigration:
    errors = [p for p in job.problems if p.severity == "error"]
    if errors:
        return JobMigration(job.name, job.file, job.line, "failed", [], [], [
            f"cannot migrate: {p.field + ': ' if p.field else ''}{p.message}" for p in errors], [], None, [])
    invalid = prometheus_problems(job, opts)
    if invalid:
        return JobMigration(job.name, job.file, job.line, "invalid", [], [], [
            INVALID_REASON + p for p in invalid],
            [], dict(job.config), [])
    in_urls = credentials_in_urls(job.config)
    if in_urls:
        return _raw(job, [f"kept raw: {', '.join(in_urls)} hold{'s' if len(in_urls) == 1 else ''} credentials in a "
                          "URL (user:password@); a monitor or ScrapeConfig has no Secret reference for it and would "
                          "publish them in a plain object"])
    cfg = job.config
    name = _unique(dns_name(job.name), used)
    why = _why_not_monitor(cfg)
    fallback_reasons: list[str] = []
    if why is None:
        try:
            m = _monitor(job, opts, ctx, name)
            gap = operator_gaps(m, opts)
            if gap:
                raise _Fallback(gap)
            problems = _validate(m, opts)
            if not problems:
                return m
            if job.placeholders:
                return _raw(job, [f"kept raw: the job holds placeholders ({', '.join(sorted({PLACEHOLDER_RE.search(p.message).group(0) if PLACEHOLDER_RE.search(p.message) else p.message for p in job.placeholders}))}) "
                                  f"that the {m.resources[0]['kind']} cannot hold verbatim: {problems[0]}"])
            why = f"the {m.resources[0]['kind']} would be invalid ({problems[0]})"
        except _Fallback as exc:
            why = str(exc)
        fallback_reasons.append(f"not a monitor: {why}")
    if opts.keep_raw:
        return _raw(job, fallback_reasons + [f"kept raw ({why}; keep_raw: jobs that need a ScrapeConfig stay raw)"])
    try:
        m = _scrapeconfig(job, opts, ctx, name, why)
        gap = operator_gaps(m, opts)
        if gap:
            raise _Fallback(gap)
    except _Fallback as exc:
        return _raw(job, fallback_reasons + [f"kept raw: {exc}"])
    problems = _validate(m, opts)
    if problems:
        what = "placeholders the ScrapeConfig cannot hold verbatim" if job.placeholders else "an invalid ScrapeConfig"
        return _raw(job, fallback_reasons + [f"kept raw: {what}: {problems[0]}"])
    m.reasons = fallback_reasons + m.reasons
    return m


def migrate_jobs(jobs: list[Job], opts: MigrateOptions) -> list[JobMigration]:
    """One JobMigration per job, in input order; a job that fails never stops the others."""
    ctx = RenderContext.from_cr(opts.prometheus, version=str(opts.version) if opts.version else None)
    used: set[str] = set()
    out = []
    for job in jobs:
        try:
            out.append(migrate_job(job, opts, ctx, used))
        except (MigratorError, ValueError, TypeError, KeyError, AttributeError) as exc:
            out.append(JobMigration(job.name, job.file, job.line, "failed", [], [],
                                    [f"cannot migrate: {type(exc).__name__}: {exc}"], [], None, []))
    return out
