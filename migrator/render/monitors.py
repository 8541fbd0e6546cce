"""ServiceMonitor/PodMonitor (v1) -> Prometheus scrape_configs, as prometheus-operator 6adcebc generates them.

The structure follows pkg/prometheus/promcfg.go (generateServiceMonitorConfig, generatePodMonitorConfig and
their helpers): jobs are dicts whose insertion order is the operator's yaml.MapSlice order. Go maps that the
operator marshals directly (params, endpoint_params, proxy_connect_header) come out with sorted keys, as
yaml.v2 sorts map keys.

Two modes:

* ``operator``: the exact operator output (credentials inlined from the AssetStore, TLS material as
  /etc/prometheus/certs/<0|1>_<ns>_<name>_<key>, sharding rules with ``$(SHARD)``).
* ``portable`` (default): the same jobs, loadable by a plain Prometheus:
  - sharding rules are left out, unless ``shard=(N, I)`` is given: then they are kept with modulus N and
    ``$(SHARD)`` replaced by I;
  - a credential held in a Secret becomes the ``*_file`` form at ``<secrets_dir>/<secret>/<key>`` (the operator's
    mount convention for Prometheus ``spec.secrets``) and is listed in ``RenderResult.mounts``; with
    ``inline_secrets=True`` it is inlined as in operator mode. Fields without a file form in Prometheus
    (proxy_connect_header values; oauth2 client_id taken from a Secret; basic_auth username before
    Prometheus 2.48, which added username_file via prometheus/common v0.45) are inlined with
    ``inline_secrets`` and otherwise refused with an InputError that points to --inline-secrets. In file mode
    the Secret content is not needed, so the AssetStore need not hold it;
  - TLS material is always referenced by file: Secret-held at ``<secrets_dir>/<secret>/<key>`` (a mount),
    ConfigMap-held at ``/etc/prometheus/configmaps/<configmap>/<key>`` (the operator's ``spec.configMaps``
    convention; listed in ``RenderResult.configmap_mounts``);
  - ConfigMap values that are inlined by the operator (oauth2 clientId) are inlined too.

Version gates: where the operator silently drops a field for an old Prometheus, a RenderWarning names the field
and the minimum version. Where it rejects the monitor (RoleSelector < 2.17, lowercase/uppercase < 2.36,
keepequal/dropequal < 2.41, scrapeTimeout > interval, unknown scrape class, conflicting auth, invalid
relabelings, missing Secret/ConfigMap keys) an InputError is raised.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from migrator.credentials import has_userinfo, mask_userinfo
from migrator.errors import InputError
from migrator.relabel.rules import ACTION_SINCE, RuleProblem, check_rule, go_quote
from migrator.render.assets import AssetStore
from migrator.render.context import RenderContext
from migrator.render.util import (label_selector_string, parse_base2_bytes, parse_duration_ms,
                                  quantity_to_float, sanitize_label_name, valid_label_name)
from migrator.version import Version

TLS_ASSETS_DIR = "/etc/prometheus/certs"
CONFIGMAPS_DIR = "/etc/prometheus/configmaps"
DEFAULT_SECRETS_DIR = "/etc/prometheus/secrets"
#: prometheus/common v0.45.0 added basic_auth.username_file; Prometheus 2.48.0 is the first release using it.
USERNAME_FILE_MIN_VERSION = "2.48.0"


@dataclass
class RenderWarning:
    message: str
    monitor: str
    field: str | None = None

    def __str__(self) -> str:
        where = f"{self.monitor}: {self.field}" if self.field else self.monitor
        return f"{where}: {self.message}"


@dataclass
class SecretMount:
    namespace: str
    secret: str
    key: str
    path: str


@dataclass
class ConfigMapMount:
    namespace: str
    configmap: str
    key: str
    path: str


@dataclass
class RenderResult:
    jobs: list[dict]
    warnings: list[RenderWarning] = field(default_factory=list)
    mounts: list[SecretMount] = field(default_factory=list)
    configmap_mounts: list[ConfigMapMount] = field(default_factory=list)


def _d(v: Any) -> dict:
    return v if isinstance(v, dict) else {}


def _l(v: Any) -> list:
    return v if isinstance(v, list) else []


def _s(v: Any) -> str:
    """A string field (Go zero value "" for None)."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _sorted_map(m: dict) -> dict:
    return {str(k): m[k] for k in sorted(m, key=str)}


def monitor_id(monitor: dict) -> str:
    md = _d(monitor.get("metadata"))
    return f"{monitor.get('kind', 'Monitor')} {md.get('namespace') or 'default'}/{md.get('name', '')}"


class _Renderer:
    def __init__(self, ctx: RenderContext, store: AssetStore, mode: str, inline_secrets: bool,
                 secrets_dir: str, shard: tuple[int, int] | None):
        if mode not in ("operator", "portable"):
            raise InputError(f"unknown render mode {mode!r} (expected 'operator' or 'portable')")
        self.ctx = ctx
        self.store = store
        self.operator = mode == "operator"
        self.inline = self.operator or inline_secrets
        self.secrets_dir = (secrets_dir or DEFAULT_SECRETS_DIR).rstrip("/") or "/"
        self.shard = shard
        self.warnings: list[RenderWarning] = []
        self.mounts: list[SecretMount] = []
        self.cm_mounts: list[ConfigMapMount] = []
        # per-monitor state
        self.mon = ""
        self.ns = "default"

    # -- errors, warnings, version gates --------------------------------------------------------
    def error(self, message: str, fld: str | None) -> InputError:
        return InputError(f"{self.mon}: {message}", field=fld)

    def warn(self, message: str, fld: str | None) -> None:
        w = RenderWarning(message, self.mon, fld)
        if w not in self.warnings:
            self.warnings.append(w)

    def gate(self, min_version: str, key: str, fld: str | None) -> bool:
        """True when the version supports `key`; else warn that the operator drops it."""
        if self.ctx.at_least(min_version):
            return True
        self.warn(f"dropped '{key}': needs Prometheus >= {min_version} (rendering for {self.ctx.version}); "
                  "the operator silently ignores it", fld)
        return False

    # -- assets ------------------------------------------------------------------------------------
    def _secret_value(self, sel: dict, fld: str) -> str:
        name, key = _s(sel.get("name")), _s(sel.get("key"))
        if not self.store.has_secret(self.ns, name):
            raise self.error(f"Secret {self.ns}/{name} not found (give it as input, or use portable mode "
                             "without --inline-secrets to reference it as a file)", fld)
        v = self.store.secret_key(self.ns, name, key)
        if v is None:
            raise self.error(f"key {key!r} not found in Secret {self.ns}/{name}", fld)
        return v

    def _configmap_value(self, sel: dict, fld: str) -> str:
        name, key = _s(sel.get("name")), _s(sel.get("key"))
        if not self.store.has_configmap(self.ns, name):
            raise self.error(f"ConfigMap {self.ns}/{name} not found (give it as input)", fld)
        v = self.store.configmap_key(self.ns, name, key)
        if v is None:
            raise self.error(f"key {key!r} not found in ConfigMap {self.ns}/{name}", fld)
        return v

    def _secret_file(self, sel: dict) -> str:
        name, key = _s(sel.get("name")), _s(sel.get("key"))
        path = f"{self.secrets_dir}/{name}/{key}"
        m = SecretMount(self.ns, name, key, path)
        if m not in self.mounts:
            self.mounts.append(m)
        return path

    def credential(self, sel: dict, fld: str, inline_key: str, file_key: str | None,
                   file_min: str | None = None) -> tuple[str, str]:
        """(key, value) for a credential held in a Secret: inlined, or the *_file form in portable mode."""
        if self.inline:
            return inline_key, self._secret_value(sel, fld)
        if file_key is None or (file_min and not self.ctx.at_least(file_min)):
            extra = f" before Prometheus {file_min}" if file_key and file_min else ""
            raise self.error(f"Prometheus has no file form for '{inline_key}'{extra}, so the Secret value "
                             f"cannot be referenced as a mounted file; use --inline-secrets to inline it", fld)
        return file_key, self._secret_file(sel)

    def secret_only_inline(self, sel: dict, fld: str, what: str) -> str:
        if self.inline:
            return self._secret_value(sel, fld)
        raise self.error(f"Prometheus has no file form for {what}, so the Secret value cannot be referenced "
                         "as a mounted file; use --inline-secrets to inline it", fld)

    def tls_asset(self, ref: dict, is_secret: bool) -> str:
        name, key = _s(ref.get("name")), _s(ref.get("key"))
        if self.operator:
            return f"{TLS_ASSETS_DIR}/{0 if is_secret else 1}_{self.ns}_{name}_{key}"
        if is_secret:
            return self._secret_file(ref)
        path = f"{CONFIGMAPS_DIR}/{name}/{key}"
        m = ConfigMapMount(self.ns, name, key, path)
        if m not in self.cm_mounts:
            self.cm_mounts.append(m)
        return path

    # -- relabel configs -----------------------------------------------------------------------------
    def validate_relabelings(self, rcs: list, fld: str) -> None:
        """The operator's LabelConfigValidator: a failure rejects the monitor."""
        for i, rc in enumerate(rcs):
            problems = check_relabeling(rc, self.ctx.version)
            if problems:
                raise self.error(str(problems[0]), _join(f"{fld}[{i}]", problems[0].path))

    def check_port_regexes(self, ep: dict, fld: str, endpoints_key: str) -> None:
        """The operator writes a port name into a keep rule's regex verbatim: it must be one."""
        for key, message in port_regex_problems(endpoints_key, ep, self.ctx.version):
            raise self.error(message, f"{fld}.{key}")

    # -- shared pieces -----------------------------------------------------------------------------
    def honor_labels(self, cfg: dict, value: Any) -> None:
        honor = value is True
        if self.ctx.get("overrideHonorLabels") is True:
            honor = False
        cfg["honor_labels"] = honor

    def honor_timestamps(self, cfg: dict, value: Any, fld: str) -> None:
        override = self.ctx.get("overrideHonorTimestamps") is True
        if value is None and not override:
            return
        if self.gate("2.9.0", "honor_timestamps", fld):
            cfg["honor_timestamps"] = (value is True) and not override

    def track_staleness(self, cfg: dict, value: Any, fld: str) -> None:
        if value is None:
            return
        if self.gate("2.48.0", "track_timestamps_staleness", fld):
            cfg["track_timestamps_staleness"] = bool(value)

    def attach_metadata(self, spec: dict, scrape_class: dict) -> dict | None:
        am = spec.get("attachMetadata")
        if am is None:
            am = scrape_class.get("attachMetadata")
        return am if isinstance(am, dict) else None

    def namespaces(self, spec: dict) -> list[str]:
        nsel = _d(spec.get("namespaceSelector"))
        if self.ctx.get("ignoreNamespaceSelectors") is True:
            return [self.ns]
        if nsel.get("any") is True:
            return []
        names = [_s(n) for n in _l(nsel.get("matchNames"))]
        return names if names else [self.ns]

    def sd_config(self, spec: dict, role: str, roles: list[str], attach: dict | None, attach_min: str,
                  fld_prefix: str = "spec") -> dict:
        sd: dict = {"role": role}
        nss = self.namespaces(spec)
        if nss:
            sd["namespaces"] = {"names": nss}
        api = self.ctx.get("apiserverConfig")
        if isinstance(api, dict):
            self.apiserver(sd, api)
        if attach is not None:
            if self.gate(attach_min, "attach_metadata", f"{fld_prefix}.attachMetadata"):
                sd["attach_metadata"] = {"node": attach.get("node") is True}
        mech = spec.get("selectorMechanism") or "RelabelConfig"
        if mech == "RoleSelector":
            label = label_selector_string(_d(spec.get("selector")))
            sd["selectors"] = [{"role": r, "label": label} for r in roles]
        return sd

    def apiserver(self, sd: dict, api: dict) -> None:
        """The CR's apiserverConfig. Like generateK8SSDConfig, Secret references are resolved in the
        monitor's namespace (the store handed to it is store.ForNamespace(monitor namespace))."""
        sd["api_server"] = _s(api.get("host"))
        fld = "prometheus spec.apiserverConfig"
        if isinstance(api.get("basicAuth"), dict):
            self.basic_auth(sd, api["basicAuth"], fld + ".basicAuth")
        if _s(api.get("bearerToken")):
            sd["bearer_token"] = _s(api.get("bearerToken"))
        if _s(api.get("bearerTokenFile")):
            sd["bearer_token_file"] = _s(api.get("bearerTokenFile"))
        if isinstance(api.get("authorization"), dict):
            self.authorization(sd, api["authorization"], fld + ".authorization")
        if isinstance(api.get("tlsConfig"), dict):
            self.tls(sd, api["tlsConfig"], fld + ".tlsConfig", with_files=True)
        self.proxy(sd, api, fld, gated_all=False)

    def basic_auth(self, cfg: dict, ba: dict, fld: str) -> None:
        auth: dict = {}
        k, v = self.credential(_d(ba.get("username")), fld + ".username", "username", "username_file",
                               USERNAME_FILE_MIN_VERSION)
        auth[k] = v
        k, v = self.credential(_d(ba.get("password")), fld + ".password", "password", "password_file")
        auth[k] = v
        cfg["basic_auth"] = auth

    def authorization(self, cfg: dict, authz: dict, fld: str) -> None:
        typ = _s(authz.get("type")) or "Bearer"
        out: dict = {"type": typ.strip()}
        if isinstance(authz.get("credentials"), dict):
            k, v = self.credential(authz["credentials"], fld + ".credentials", "credentials", "credentials_file")
            out[k] = v
        if _s(authz.get("credentialsFile")):
            out["credentials_file"] = _s(authz.get("credentialsFile"))
        if self.gate("2.26.0", "authorization", fld):
            cfg["authorization"] = out

    def proxy(self, cfg: dict, pc: dict, fld: str, gated_all: bool, min_all: str = "2.43.0") -> None:
        """addProxyConfigtoYaml; gated_all: every key needs min_all (inside oauth2)."""
        keys = ("proxyUrl", "noProxy", "proxyFromEnvironment", "proxyConnectHeader")
        if all(pc.get(k) is None for k in keys):
            return
        if pc.get("proxyUrl") is not None:
            if not gated_all or self.gate(min_all, "proxy_url", fld + ".proxyUrl"):
                cfg["proxy_url"] = _s(pc.get("proxyUrl"))
        if pc.get("noProxy") is not None and self.gate("2.43.0", "no_proxy", fld + ".noProxy"):
            cfg["no_proxy"] = _s(pc.get("noProxy"))
        if pc.get("proxyFromEnvironment") is not None and \
                self.gate("2.43.0", "proxy_from_environment", fld + ".proxyFromEnvironment"):
            cfg["proxy_from_environment"] = pc.get("proxyFromEnvironment") is True
        hdr = pc.get("proxyConnectHeader")
        if hdr is not None and self.gate("2.43.0", "proxy_connect_header", fld + ".proxyConnectHeader"):
            out: dict = {}
            for name in sorted(_d(hdr), key=str):
                vals = []
                for j, sel in enumerate(_l(hdr[name])):
                    vals.append(self.secret_only_inline(_d(sel), f"{fld}.proxyConnectHeader.{name}[{j}]",
                                                        "proxy_connect_header values"))
                out[str(name)] = vals
            cfg["proxy_connect_header"] = out

    def safe_tls(self, tls: dict, fld: str) -> dict:
        out: dict = {}
        if tls.get("insecureSkipVerify") is not None:
            out["insecure_skip_verify"] = tls.get("insecureSkipVerify") is True
        for src, key in (("ca", "ca_file"), ("cert", "cert_file")):
            ref = _d(tls.get(src))
            if isinstance(ref.get("secret"), dict):
                out[key] = self.tls_asset(ref["secret"], True)
            elif isinstance(ref.get("configMap"), dict):
                out[key] = self.tls_asset(ref["configMap"], False)
        if isinstance(tls.get("keySecret"), dict):
            out["key_file"] = self.tls_asset(tls["keySecret"], True)
        if _s(tls.get("serverName")):
            out["server_name"] = _s(tls.get("serverName"))
        if tls.get("minVersion") is not None and self.gate("2.35.0", "min_version", fld + ".minVersion"):
            out["min_version"] = _s(tls.get("minVersion"))
        if tls.get("maxVersion") is not None and self.gate("2.41.0", "max_version", fld + ".maxVersion"):
            out["max_version"] = _s(tls.get("maxVersion"))
        return out

    def tls(self, cfg: dict, tls: dict | None, fld: str, with_files: bool) -> None:
        if tls is None:
            return
        out = self.safe_tls(tls, fld)
        if with_files:
            for src, key in (("caFile", "ca_file"), ("certFile", "cert_file"), ("keyFile", "key_file")):
                if _s(tls.get(src)):
                    out[key] = _s(tls.get(src))
        cfg["tls_config"] = out

    def oauth2(self, cfg: dict, o: dict | None, fld: str) -> None:
        if o is None:
            return
        cid = _d(o.get("clientId"))
        if isinstance(cid.get("secret"), dict):
            client_id = self.secret_only_inline(cid["secret"], fld + ".clientId.secret",
                                                "oauth2 client_id")
        elif isinstance(cid.get("configMap"), dict):
            client_id = self._configmap_value(cid["configMap"], fld + ".clientId.configMap")
        else:
            client_id = ""
        out: dict = {"client_id": client_id}
        k, v = self.credential(_d(o.get("clientSecret")), fld + ".clientSecret", "client_secret",
                               "client_secret_file")
        out[k] = v
        out["token_url"] = _s(o.get("tokenUrl"))
        if _l(o.get("scopes")):
            out["scopes"] = [_s(x) for x in o["scopes"]]
        if _d(o.get("endpointParams")):
            out["endpoint_params"] = {k2: _s(v2) for k2, v2 in _sorted_map(o["endpointParams"]).items()}
        old = not self.ctx.at_least("2.43.0")
        self.proxy(out, o, fld, gated_all=True)
        if isinstance(o.get("tlsConfig"), dict):
            if old:
                self.gate("2.43.0", "tls_config", fld + ".tlsConfig")
            else:
                out["tls_config"] = self.safe_tls(o["tlsConfig"], fld + ".tlsConfig")
        if self.gate("2.27.0", "oauth2", fld):
            cfg["oauth2"] = out

    def relabel_list(self, rcs: list) -> list[dict]:
        """generateRelabelConfig."""
        return [operator_relabel_rule(rc) for rc in rcs]

    def enforced(self, monitor: dict, rcs: list) -> list:
        """namespacelabeler.GetRelabelingConfigs: append the enforced namespace label rule."""
        label = _s(self.ctx.get("enforcedNamespaceLabel"))
        if not label or self.excluded(monitor):
            return list(rcs)
        if not valid_label_name(label, self.ctx.at_least("3.0.0")):
            self.warn(f"enforcedNamespaceLabel {label!r} is not a valid label name before Prometheus 3.0 "
                      f"(rendering for {self.ctx.version}): Prometheus will refuse the generated "
                      "target_label; the operator does not check it", None)
        return list(rcs) + [{"targetLabel": label, "replacement": self.ns}]

    def excluded(self, monitor: dict) -> bool:
        api = _s(monitor.get("apiVersion"))
        group = api.split("/", 1)[0] if "/" in api else ""
        kind = _s(monitor.get("kind"))
        name = _s(_d(monitor.get("metadata")).get("name"))
        resource_kind = {"servicemonitors": "ServiceMonitor", "podmonitors": "PodMonitor", "probes": "Probe",
                         "prometheusrules": "PrometheusRule", "scrapeconfigs": "ScrapeConfig"}
        for ref in _l(self.ctx.get("excludedFromEnforcement")):
            ref = _d(ref)
            rk = resource_kind.get(_s(ref.get("resource")), "")
            if not _s(ref.get("namespace")) or not rk:
                continue
            rgroup = _s(ref.get("group")) or "monitoring.coreos.com"
            if _s(ref.get("namespace")) != self.ns or rk != kind or rgroup != group:
                continue
            if not _s(ref.get("name")) or _s(ref.get("name")) == name:
                return True
        return False

    def sharding(self, relabelings: list) -> None:
        if self.operator:
            modulus, shard_value = self.ctx.shards, "$(SHARD)"
        elif self.shard is not None:
            modulus, shard_value = self.shard[0], str(self.shard[1])
        else:
            return
        relabelings.extend([
            {"source_labels": ["__address__", "__tmp_hash"], "target_label": "__tmp_hash", "regex": "(.+);",
             "replacement": "$1", "action": "replace"},
            {"source_labels": ["__tmp_hash"], "target_label": "__tmp_hash", "modulus": modulus,
             "action": "hashmod"},
            {"source_labels": ["__tmp_hash", "__tmp_disable_sharding"], "regex": f"{shard_value};|.+;.+",
             "action": "keep"},
        ])

    def selector_rules(self, relabelings: list, spec: dict, prefix: str) -> None:
        if (spec.get("selectorMechanism") or "RelabelConfig") != "RelabelConfig":
            return
        sel = _d(spec.get("selector"))
        ml = _d(sel.get("matchLabels"))
        for k in sorted(ml, key=str):
            sk = sanitize_label_name(k)
            relabelings.append({"action": "keep",
                                "source_labels": [f"{prefix}_label_{sk}", f"{prefix}_labelpresent_{sk}"],
                                "regex": f"({_s(ml[k])});true"})
        for e in _l(sel.get("matchExpressions")):
            e = _d(e)
            sk = sanitize_label_name(_s(e.get("key")))
            op = e.get("operator")
            vals = "|".join(_s(v) for v in _l(e.get("values")))
            if op in ("In", "NotIn"):
                relabelings.append({"action": "keep" if op == "In" else "drop",
                                    "source_labels": [f"{prefix}_label_{sk}", f"{prefix}_labelpresent_{sk}"],
                                    "regex": f"({vals});true"})
            elif op in ("Exists", "DoesNotExist"):
                relabelings.append({"action": "keep" if op == "Exists" else "drop",
                                    "source_labels": [f"{prefix}_labelpresent_{sk}"], "regex": "true"})

    def limits(self, cfg: dict, spec: dict) -> None:
        for spec_key, prom_key, enforced_key, min_v in (
                ("sampleLimit", "sample_limit", "enforcedSampleLimit", None),
                ("targetLimit", "target_limit", "enforcedTargetLimit", "2.21.0"),
                ("labelLimit", "label_limit", "enforcedLabelLimit", "2.27.0"),
                ("labelNameLengthLimit", "label_name_length_limit", "enforcedLabelNameLengthLimit", "2.27.0"),
                ("labelValueLengthLimit", "label_value_length_limit", "enforcedLabelValueLengthLimit", "2.27.0"),
                ("keepDroppedTargets", "keep_dropped_targets", "enforcedKeepDroppedTargets", "2.47.0")):
            user = _int(spec.get(spec_key), f"spec.{spec_key}", self)
            enforced = _int(self.ctx.spec.get(enforced_key), f"prometheus spec.{enforced_key}", self)
            final = self._limit(user, enforced)
            if final is None:
                continue
            if min_v is None or self.gate(min_v, prom_key, f"spec.{spec_key}"):
                cfg[prom_key] = int(final)

    def _limit(self, user, enforced):
        if not enforced:
            return user
        if not user:
            return None if self.ctx.at_least("2.45.0") else enforced
        return user if enforced > user else enforced

    def native_histograms(self, cfg: dict, spec: dict) -> None:
        if spec.get("scrapeNativeHistograms") is not None and \
                self.gate("3.8.0", "scrape_native_histograms", "spec.scrapeNativeHistograms"):
            cfg["scrape_native_histograms"] = spec["scrapeNativeHistograms"] is True
        if spec.get("nativeHistogramBucketLimit") is not None and \
                self.gate("2.45.0", "native_histogram_bucket_limit", "spec.nativeHistogramBucketLimit"):
            cfg["native_histogram_bucket_limit"] = int(spec["nativeHistogramBucketLimit"])
        if spec.get("nativeHistogramMinBucketFactor") is not None and \
                self.gate("2.50.0", "native_histogram_min_bucket_factor", "spec.nativeHistogramMinBucketFactor"):
            cfg["native_histogram_min_bucket_factor"] = quantity_to_float(
                spec["nativeHistogramMinBucketFactor"], "spec.nativeHistogramMinBucketFactor")
        if spec.get("scrapeClassicHistograms") is not None:
            if self.ctx.version.major == 3:
                cfg["always_scrape_classic_histograms"] = spec["scrapeClassicHistograms"] is True
            elif self.gate("2.45.0", "scrape_classic_histograms", "spec.scrapeClassicHistograms"):
                cfg["scrape_classic_histograms"] = spec["scrapeClassicHistograms"] is True
        if spec.get("convertClassicHistogramsToNHCB") is not None and \
                self.gate("3.0.0", "convert_classic_histograms_to_nhcb", "spec.convertClassicHistogramsToNHCB"):
            cfg["convert_classic_histograms_to_nhcb"] = spec["convertClassicHistogramsToNHCB"] is True

    def tail(self, cfg: dict, spec: dict, scrape_class: dict, monitor: dict, ep: dict, ep_fld: str) -> None:
        """Everything after relabel_configs: limits, histograms, protocols, body size, metric relabelings."""
        self.limits(cfg, spec)
        self.native_histograms(cfg, spec)
        protos = _l(spec.get("scrapeProtocols"))
        if protos:
            kept = []
            for p in protos:
                if p == "PrometheusText1.0.0" and not self.ctx.version.at_least("3.0.0"):  # >= 3.0.0-rc.0
                    self.warn("dropped scrape protocol PrometheusText1.0.0: needs Prometheus >= 3.0.0 "
                              f"(rendering for {self.ctx.version}); the operator silently ignores it",
                              "spec.scrapeProtocols")
                    continue
                kept.append(_s(p))
            if self.gate("2.49.0", "scrape_protocols", "spec.scrapeProtocols"):
                cfg["scrape_protocols"] = kept
        fb = spec.get("fallbackScrapeProtocol")
        if fb is None:
            fb = scrape_class.get("fallbackScrapeProtocol")
        if fb is not None and self.gate("3.0.0", "fallback_scrape_protocol", "spec.fallbackScrapeProtocol"):
            cfg["fallback_scrape_protocol"] = _s(fb)
        body = self._body_size(spec.get("bodySizeLimit"))
        if body and self.gate("2.28.0", "body_size_limit", "spec.bodySizeLimit"):
            cfg["body_size_limit"] = body
        mrc = list(_l(scrape_class.get("metricRelabelings")))
        mrc += self.enforced(monitor, _l(ep.get("metricRelabelings")))
        if mrc:
            cfg["metric_relabel_configs"] = self.relabel_list(mrc)

    def _body_size(self, user) -> str | None:
        enforced = _s(self.ctx.get("enforcedBodySizeLimit"))
        user_s = _s(user)
        if not enforced:
            return user_s or None
        if not user_s:
            return enforced
        u, e = parse_base2_bytes(user_s), parse_base2_bytes(enforced)
        # units.ParseBase2Bytes errors yield 0 in the operator (errors ignored).
        return enforced if (u or 0) > (e or 0) else user_s

    def check_endpoint(self, ep: dict, fld: str, tls_with_files: bool) -> None:
        """The resource selector's per-endpoint checks (a failure rejects the whole monitor)."""
        has = {k: ep.get(k) is not None for k in ("authorization", "basicAuth", "bearerTokenSecret", "oauth2")}
        pairs = (("authorization", "basicAuth"), ("authorization", "bearerTokenSecret"),
                 ("authorization", "oauth2"), ("basicAuth", "bearerTokenSecret"), ("basicAuth", "oauth2"),
                 ("bearerTokenSecret", "oauth2"))
        for a, b in pairs:
            if has[a] and has[b]:
                raise self.error(f"{a} and {b} cannot be configured at the same time", fld)
        authz = ep.get("authorization")
        if isinstance(authz, dict):
            if _s(authz.get("type")).strip().lower() == "basic":
                raise self.error("'authorization' type cannot be set to \"basic\", use \"basicAuth\" instead",
                                 fld + ".authorization.type")
            if authz.get("credentials") is None:
                raise self.error("'authorization' credentials are required", fld + ".authorization.credentials")
        o = ep.get("oauth2")
        if isinstance(o, dict):
            if not _s(o.get("tokenUrl")):
                raise self.error("OAuth2 tokenURL must be specified", fld + ".oauth2.tokenUrl")
            cid = _d(o.get("clientId"))
            if not cid.get("secret") and not cid.get("configMap"):
                raise self.error("OAuth2 'clientID' must be specified", fld + ".oauth2.clientId")
            if cid.get("secret") and cid.get("configMap"):
                raise self.error("cannot specify both Secret and ConfigMap", fld + ".oauth2.clientId")
            self.check_tls(o.get("tlsConfig"), fld + ".oauth2.tlsConfig", False)
            self.check_proxy(o, fld + ".oauth2")
        self.check_tls(ep.get("tlsConfig"), fld + ".tlsConfig", tls_with_files)
        self.check_proxy(ep, fld)
        interval = _s(ep.get("interval"))
        timeout = _s(ep.get("scrapeTimeout"))
        if timeout:
            if not interval:
                interval = _s(self.ctx.get("scrapeInterval")) or "30s"
            si, st = parse_duration_ms(interval), parse_duration_ms(timeout)
            if si is None:
                raise self.error(f"invalid scrapeInterval {interval!r}", fld + ".interval")
            if st is None:
                raise self.error(f"invalid scrapeTimeout {timeout!r}", fld + ".scrapeTimeout")
            if st > si:
                raise self.error(f"scrapeTimeout {timeout!r} greater than scrapeInterval {interval!r}",
                                 fld + ".scrapeTimeout")
        self.validate_relabelings(_l(ep.get("relabelings")), fld + ".relabelings")
        self.validate_relabelings(_l(ep.get("metricRelabelings")), fld + ".metricRelabelings")

    def check_tls(self, tls: Any, fld: str, with_files: bool) -> None:
        if not isinstance(tls, dict):
            return
        for src in ("ca", "cert"):
            ref = _d(tls.get(src))
            if ref.get("secret") and ref.get("configMap"):
                raise self.error("cannot specify both Secret and ConfigMap", f"{fld}.{src}")
        mn, mx = tls.get("minVersion"), tls.get("maxVersion")
        if mn is not None and mx is not None and _s(mx) < _s(mn):
            raise self.error("maxVersion must more than or equal to minVersion", fld)
        has_cert_ref = bool(_d(tls.get("cert")))
        has_key_ref = tls.get("keySecret") is not None
        if not with_files:
            if has_cert_ref and not has_key_ref:
                raise self.error("client cert specified without client key", fld)
            if has_key_ref and not has_cert_ref:
                raise self.error("client key specified without client cert", fld)
            return
        if _d(tls.get("ca")) and _s(tls.get("caFile")):
            raise self.error("cannot specify both 'caFile' and 'ca'", fld)
        if has_cert_ref and _s(tls.get("certFile")):
            raise self.error("cannot specify both 'certFile' and 'cert'", fld)
        if _s(tls.get("keyFile")) and has_key_ref:
            raise self.error("cannot specify both 'keyFile' and 'keySecret'", fld)
        has_cert = has_cert_ref or bool(_s(tls.get("certFile")))
        has_key = has_key_ref or bool(_s(tls.get("keyFile")))
        if has_cert and not has_key:
            raise self.error("cannot specify client cert without client key", fld)
        if has_key and not has_cert:
            raise self.error("cannot specify client key without client cert", fld)

    def check_proxy(self, pc: dict, fld: str) -> None:
        from_env = pc.get("proxyFromEnvironment") is True
        url = bool(_s(pc.get("proxyUrl")))
        no_proxy = bool(_s(pc.get("noProxy")))
        if _d(pc.get("proxyConnectHeader")) and not from_env and not url:
            raise self.error("if proxyConnectHeader is configured, proxyUrl or proxyFromEnvironment must also "
                             "be configured", fld + ".proxyConnectHeader")
        if from_env and url:
            raise self.error("if proxyFromEnvironment is configured, proxyUrl must not be configured", fld)
        if from_env and no_proxy:
            raise self.error("if proxyFromEnvironment is configured, noProxy must not be configured", fld)
        if not url and no_proxy:
            raise self.error("if noProxy is configured, proxyUrl must also be configured", fld)
        for name, vals in _d(pc.get("proxyConnectHeader")).items():
            if not _l(vals):
                raise self.error(f"proxyConnectHeader[{name}] has no values", fld + ".proxyConnectHeader")

    def check_monitor(self, monitor: dict, endpoints_key: str) -> None:
        spec = _d(monitor.get("spec"))
        label_selector_string(_d(spec.get("selector")))  # invalid operators reject the monitor
        if (spec.get("selectorMechanism") or "RelabelConfig") == "RoleSelector" and \
                not self.ctx.at_least("2.17.0"):
            raise self.error("RoleSelector selectorMechanism is only supported in Prometheus 2.17.0 and newer "
                             f"(rendering for {self.ctx.version})", "spec.selectorMechanism")
        deny_fs = _d(self.ctx.get("arbitraryFSAccessThroughSMs")).get("deny") is True
        for i, ep in enumerate(_l(spec.get(endpoints_key))):
            ep = _d(ep)
            fld = f"spec.{endpoints_key}[{i}]"
            if deny_fs and endpoints_key == "endpoints":
                if _s(ep.get("bearerTokenFile")):
                    raise self.error("it accesses file system via bearer token file which Prometheus "
                                     "specification prohibits (arbitraryFSAccessThroughSMs.deny)",
                                     fld + ".bearerTokenFile")
                tls = _d(ep.get("tlsConfig"))
                if any(_s(tls.get(k)) for k in ("caFile", "certFile", "keyFile")):
                    raise self.error("it accesses file system via tls config which Prometheus specification "
                                     "prohibits (arbitraryFSAccessThroughSMs.deny)", fld + ".tlsConfig")
            self.check_endpoint(ep, fld, endpoints_key == "endpoints")
            self.check_port_regexes(ep, fld, endpoints_key)
        sc = spec.get("scrapeClass")
        if _s(sc) and _s(sc) not in self.ctx.scrape_classes:
            raise self.error(f"scrapeClass {_s(sc)!r} not found in Prometheus scrapeClasses", "spec.scrapeClass")

    # -- monitors ------------------------------------------------------------------------------------
    def begin(self, monitor: dict) -> None:
        self.mon = monitor_id(monitor)
        self.ns = _s(_d(monitor.get("metadata")).get("namespace")) or "default"

    def service_monitor(self, m: dict) -> list[dict]:
        self.begin(m)
        self.check_monitor(m, "endpoints")
        return [self.sm_job(m, _d(ep), i) for i, ep in enumerate(_l(_d(m.get("spec")).get("endpoints")))]

    def pod_monitor(self, m: dict) -> list[dict]:
        self.begin(m)
        self.check_monitor(m, "podMetricsEndpoints")
        return [self.pm_job(m, _d(ep), i)
                for i, ep in enumerate(_l(_d(m.get("spec")).get("podMetricsEndpoints")))]

    def sm_role(self, spec: dict) -> str:
        if spec.get("serviceDiscoveryRole") is not None:
            return self.ctx.endpoint_role(spec.get("serviceDiscoveryRole"))
        return self.ctx.default_endpoint_role()

    def sm_sd(self, m: dict) -> dict:
        spec = _d(m.get("spec"))
        sc = self.ctx.scrape_class(spec.get("scrapeClass"))
        role = self.sm_role(spec)
        return self.sd_config(spec, role, [role, "service"], self.attach_metadata(spec, sc), "2.37.0")

    def pm_sd(self, m: dict) -> dict:
        spec = _d(m.get("spec"))
        sc = self.ctx.scrape_class(spec.get("scrapeClass"))
        return self.sd_config(spec, "pod", ["pod"], self.attach_metadata(spec, sc), "2.35.0")

    def common_head(self, kind: str, m: dict, ep: dict, i: int, fld: str) -> dict:
        md = _d(m.get("metadata"))
        cfg: dict = {"job_name": f"{kind}/{self.ns}/{_s(md.get('name'))}/{i}"}
        self.honor_labels(cfg, ep.get("honorLabels"))
        self.honor_timestamps(cfg, ep.get("honorTimestamps"), fld + ".honorTimestamps")
        self.track_staleness(cfg, ep.get("trackTimestampsStaleness"), fld + ".trackTimestampsStaleness")
        return cfg

    def scrape_params(self, cfg: dict, ep: dict) -> None:
        if _s(ep.get("interval")):
            cfg["scrape_interval"] = _s(ep["interval"])
        if _s(ep.get("scrapeTimeout")):
            cfg["scrape_timeout"] = _s(ep["scrapeTimeout"])
        if _s(ep.get("path")):
            cfg["metrics_path"] = _s(ep["path"])
        if ep.get("params") is not None:
            cfg["params"] = {k: [_s(x) for x in _l(v)] for k, v in _sorted_map(_d(ep["params"])).items()}
        if ep.get("scheme") is not None:
            cfg["scheme"] = _s(ep["scheme"]).lower()

    def bearer_token_secret(self, cfg: dict, ep: dict, fld: str) -> None:
        bts = ep.get("bearerTokenSecret")
        if isinstance(bts, dict) and _s(bts.get("name")):
            k, v = self.credential(bts, fld + ".bearerTokenSecret", "bearer_token", "bearer_token_file")
            if k in cfg:
                raise self.error("bearerTokenFile and bearerTokenSecret both become 'bearer_token_file' in "
                                 "portable mode, which Prometheus refuses; keep one of them", fld)
            cfg[k] = v

    def merged_authorization(self, ep_authz: Any, sc: dict) -> dict | None:
        sca = sc.get("authorization") if isinstance(sc.get("authorization"), dict) else None
        if not isinstance(ep_authz, dict) or not ep_authz:
            return sca
        authz = dict(ep_authz)
        if sca is None:
            return authz
        if authz.get("credentials") is None:
            authz["credentials"] = sca.get("credentials")
        if authz.get("credentials") is None and not _s(authz.get("credentialsFile")):
            authz["credentials"] = sca.get("credentials")
            authz["credentialsFile"] = sca.get("credentialsFile")
        return authz

    def merged_tls(self, tls: Any, sc: dict, safe: bool) -> dict | None:
        sct = sc.get("tlsConfig") if isinstance(sc.get("tlsConfig"), dict) else None
        if safe and isinstance(tls, dict) and not tls:
            tls = None
        if not isinstance(tls, dict):
            return sct
        if sct is None:
            return tls
        tls = dict(tls)
        if not _s(tls.get("caFile")) and not _d(tls.get("ca")):
            tls["caFile"] = sct.get("caFile")
        if not _s(tls.get("certFile")) and not _d(tls.get("cert")):
            tls["certFile"] = sct.get("certFile")
        if not _s(tls.get("keyFile")) and tls.get("keySecret") is None:
            tls["keyFile"] = sct.get("keyFile")
        return tls

    def sm_job(self, m: dict, ep: dict, i: int) -> dict:
        spec = _d(m.get("spec"))
        fld = f"spec.endpoints[{i}]"
        sc = self.ctx.scrape_class(spec.get("scrapeClass"))
        cfg = self.common_head("serviceMonitor", m, ep, i, fld)
        role = self.sm_role(spec)
        cfg["kubernetes_sd_configs"] = [self.sm_sd(m)]
        self.scrape_params(cfg, ep)
        if ep.get("followRedirects") is not None and \
                self.gate("2.26.0", "follow_redirects", fld + ".followRedirects"):
            cfg["follow_redirects"] = ep["followRedirects"] is True
        if ep.get("enableHttp2") is not None and self.gate("2.35.0", "enable_http2", fld + ".enableHttp2"):
            cfg["enable_http2"] = ep["enableHttp2"] is True
        self.proxy(cfg, ep, fld, gated_all=False)
        self.oauth2(cfg, ep.get("oauth2") if isinstance(ep.get("oauth2"), dict) else None, fld + ".oauth2")
        self.tls(cfg, self.merged_tls(ep.get("tlsConfig"), sc, safe=False), fld + ".tlsConfig", with_files=True)
        if _s(ep.get("bearerTokenFile")):
            cfg["bearer_token_file"] = _s(ep["bearerTokenFile"])
        self.bearer_token_secret(cfg, ep, fld)
        if isinstance(ep.get("basicAuth"), dict):
            self.basic_auth(cfg, ep["basicAuth"], fld + ".basicAuth")
        authz = self.merged_authorization(ep.get("authorization"), sc)
        if authz is not None:
            self.authorization(cfg, authz, fld + ".authorization")

        rl: list[dict] = [{"source_labels": ["job"], "target_label": "__tmp_prometheus_job_name"}]
        self.selector_rules(rl, spec, "__meta_kubernetes_service")
        port = _s(ep.get("port"))
        tp = ep.get("targetPort")
        if port:
            src = "__meta_kubernetes_endpointslice_port_name" if role == "endpointslice" \
                else "__meta_kubernetes_endpoint_port_name"
            rl.append({"action": "keep", "source_labels": [src], "regex": port})
        elif tp is not None:
            self.target_port_rule(rl, tp)
        kind_src = ["__meta_kubernetes_endpointslice_address_target_kind",
                     "__meta_kubernetes_endpointslice_address_target_name"] if role == "endpointslice" else \
            ["__meta_kubernetes_endpoint_address_target_kind", "__meta_kubernetes_endpoint_address_target_name"]
        rl += [
            {"source_labels": list(kind_src), "separator": ";", "regex": "Node;(.*)", "replacement": "${1}",
             "target_label": "node"},
            {"source_labels": list(kind_src), "separator": ";", "regex": "Pod;(.*)", "replacement": "${1}",
             "target_label": "pod"},
            {"source_labels": ["__meta_kubernetes_namespace"], "target_label": "namespace"},
            {"source_labels": ["__meta_kubernetes_service_name"], "target_label": "service"},
            {"source_labels": ["__meta_kubernetes_pod_name"], "target_label": "pod"},
            {"source_labels": ["__meta_kubernetes_pod_container_name"], "target_label": "container"},
        ]
        if ep.get("filterRunning") is not False:
            rl.append(_running_filter())
        for lbl in _l(spec.get("targetLabels")):
            rl.append(_copy_label("__meta_kubernetes_service_label_", _s(lbl)))
        for lbl in _l(spec.get("podTargetLabels")) + _l(self.ctx.get("podTargetLabels")):
            rl.append(_copy_label("__meta_kubernetes_pod_label_", _s(lbl)))
        rl.append({"source_labels": ["__meta_kubernetes_service_name"], "target_label": "job",
                   "replacement": "${1}"})
        if _s(spec.get("jobLabel")):
            rl.append({"source_labels": ["__meta_kubernetes_service_label_" + sanitize_label_name(spec["jobLabel"])],
                       "target_label": "job", "regex": "(.+)", "replacement": "${1}"})
        return self.finish_job(cfg, rl, port, tp, spec, sc, m, ep, fld)

    def finish_job(self, cfg: dict, rl: list, port: Any, tp: Any, spec: dict, sc: dict, m: dict, ep: dict,
                   fld: str) -> dict:
        """What ServiceMonitor and PodMonitor jobs end with: the endpoint label, scrape-class and user
        relabelings (plus the enforced namespace label), sharding, then the remaining fields."""
        if port:
            rl.append({"target_label": "endpoint", "replacement": port})
        elif tp is not None and _int_or_string(tp) != "":
            rl.append({"target_label": "endpoint", "replacement": _int_or_string(tp)})
        rl += self.relabel_list(_l(sc.get("relabelings")))
        rl += self.relabel_list(self.enforced(m, _l(ep.get("relabelings"))))
        self.sharding(rl)
        cfg["relabel_configs"] = rl
        self.tail(cfg, spec, sc, m, ep, fld)
        return cfg

    def target_port_rule(self, rl: list, tp: Any) -> None:
        # an IntOrString written as a YAML string is the string form (a port name), even "8080"
        if isinstance(tp, str):
            if tp != "":
                rl.append({"action": "keep", "source_labels": ["__meta_kubernetes_pod_container_port_name"],
                           "regex": tp})
        else:
            n = int(tp)
            if n != 0:
                rl.append({"action": "keep", "source_labels": ["__meta_kubernetes_pod_container_port_number"],
                           "regex": n})

    def pm_job(self, m: dict, ep: dict, i: int) -> dict:
        spec = _d(m.get("spec"))
        fld = f"spec.podMetricsEndpoints[{i}]"
        sc = self.ctx.scrape_class(spec.get("scrapeClass"))
        cfg = self.common_head("podMonitor", m, ep, i, fld)
        cfg["kubernetes_sd_configs"] = [self.pm_sd(m)]
        self.scrape_params(cfg, ep)
        if ep.get("followRedirects") is not None and \
                self.gate("2.26.0", "follow_redirects", fld + ".followRedirects"):
            cfg["follow_redirects"] = ep["followRedirects"] is True
        if ep.get("enableHttp2") is not None and self.gate("2.35.0", "enable_http2", fld + ".enableHttp2"):
            cfg["enable_http2"] = ep["enableHttp2"] is True
        self.tls(cfg, self.merged_tls(ep.get("tlsConfig"), sc, safe=True), fld + ".tlsConfig", with_files=True)
        self.bearer_token_secret(cfg, ep, fld)
        if isinstance(ep.get("basicAuth"), dict):
            self.basic_auth(cfg, ep["basicAuth"], fld + ".basicAuth")
        self.oauth2(cfg, ep.get("oauth2") if isinstance(ep.get("oauth2"), dict) else None, fld + ".oauth2")
        self.proxy(cfg, ep, fld, gated_all=False)
        authz = self.merged_authorization(ep.get("authorization"), sc)
        if authz is not None:
            self.authorization(cfg, authz, fld + ".authorization")

        rl: list[dict] = [{"source_labels": ["job"], "target_label": "__tmp_prometheus_job_name"}]
        if ep.get("filterRunning") is not False:
            rl.append(_running_filter())
        self.selector_rules(rl, spec, "__meta_kubernetes_pod")
        port = _s(ep.get("port"))
        pn = ep.get("portNumber")
        tp = ep.get("targetPort")
        if port:
            rl.append({"action": "keep", "source_labels": ["__meta_kubernetes_pod_container_port_name"],
                       "regex": port})
        elif pn:
            rl.append({"action": "keep", "source_labels": ["__meta_kubernetes_pod_container_port_number"],
                       "regex": int(pn)})
        elif tp is not None:
            self.warn("'targetPort' is deprecated, use 'port' or 'portNumber' instead", fld + ".targetPort")
            self.target_port_rule(rl, tp)
        rl += [
            {"source_labels": ["__meta_kubernetes_namespace"], "target_label": "namespace"},
            {"source_labels": ["__meta_kubernetes_pod_container_name"], "target_label": "container"},
            {"source_labels": ["__meta_kubernetes_pod_name"], "target_label": "pod"},
        ]
        for lbl in _l(spec.get("podTargetLabels")) + _l(self.ctx.get("podTargetLabels")):
            rl.append(_copy_label("__meta_kubernetes_pod_label_", _s(lbl)))
        rl.append({"target_label": "job", "replacement": f"{self.ns}/{_s(_d(m.get('metadata')).get('name'))}"})
        if _s(spec.get("jobLabel")):
            rl.append({"source_labels": ["__meta_kubernetes_pod_label_" + sanitize_label_name(spec["jobLabel"])],
                       "target_label": "job", "regex": "(.+)", "replacement": "${1}"})
        return self.finish_job(cfg, rl, port, tp, spec, sc, m, ep, fld)


#: CRD field names of a RelabelConfig, by Prometheus field name.
_CRD_FIELD = {"source_labels": "sourceLabels", "target_label": "targetLabel"}


def operator_relabel_rule(rc: Any) -> dict:
    """generateRelabelConfig for one RelabelConfig: the Prometheus rule the operator writes."""
    rc = _d(rc)
    r: dict = {}
    if _l(rc.get("sourceLabels")):
        r["source_labels"] = [_s(x) for x in rc["sourceLabels"]]
    if rc.get("separator") is not None:
        r["separator"] = _s(rc["separator"])
    if _s(rc.get("targetLabel")):
        r["target_label"] = _s(rc["targetLabel"])
    if _s(rc.get("regex")):
        r["regex"] = _s(rc["regex"])
    modulus = rc.get("modulus")
    if modulus:  # (a modulus of the wrong type is kept as is: the relabel authority refuses it)
        r["modulus"] = int(modulus) if isinstance(modulus, int) and not isinstance(modulus, bool) else modulus
    if rc.get("replacement") is not None:
        r["replacement"] = _s(rc["replacement"])
    if _s(rc.get("action")):
        r["action"] = _s(rc["action"]).lower()
    return r


def check_relabeling(rc: Any, version: Any) -> list[RuleProblem]:
    """Why the operator or Prometheus ``version`` refuses a monitor's RelabelConfig ([] = neither).

    The operator's own checks (a mapping; lowercase/uppercase need 2.36, keepequal/dropequal 2.41,
    in its words), then the relabel authority on the rule the operator generates from it. Paths
    use the CRD's field names (``targetLabel``); validate and render both call this.
    """
    if not isinstance(rc, dict):
        return [RuleProblem((), "a relabeling must be a mapping")]
    v = version if isinstance(version, Version) else Version.parse(version)
    out: list[RuleProblem] = []
    action = _s(rc.get("action"))
    since = ACTION_SINCE.get(action.lower())
    if since is not None and v < since:
        out.append(RuleProblem(("action",), f"{action} relabel action is only supported from Prometheus "
                                            f"version {since.text[1:]}", f"the version in use is {v}"))
    seen = {p.path[:1] for p in out}
    for p in check_rule(operator_relabel_rule(rc), version=v):
        path = (_CRD_FIELD.get(p.path[0], p.path[0]),) + p.path[1:] if p.path else ()
        if path[:1] not in seen:
            hint = p.hint
            if path == ("regex",) and _s(rc.get("regex")) == "(.*)" and action.lower() in ("keepequal",
                                                                                         "dropequal"):
                hint = "the operator accepts regex \"(.*)\" but Prometheus rejects the generated configuration"
            out.append(RuleProblem(path, p.message, hint))
    return out


def port_regex_problems(endpoints_key: str, ep: Any, version: Any) -> list[tuple[str, str]]:
    """(field, message) for an endpoint's port name that is no valid regex.

    Render (like the operator) keeps targets with ``regex: <port>`` (endpoints[].port or a string
    targetPort; podMetricsEndpoints[].port, else a string targetPort when no portNumber): a name
    such as ``http[`` makes a configuration Prometheus refuses to load.
    """
    ep = _d(ep)
    port, tp = _s(ep.get("port")), ep.get("targetPort")
    if port:
        key, text = "port", port
    elif endpoints_key == "podMetricsEndpoints" and ep.get("portNumber"):
        return []
    elif isinstance(tp, str) and tp:
        key, text = "targetPort", tp
    else:
        return []
    problems = check_rule({"action": "keep", "source_labels": ["__meta_kubernetes_pod_container_port_name"],
                           "regex": text}, version=version)
    return [(key, f"{key} {go_quote(text)} is not a valid regex, and the operator writes it into a relabel "
                  f"rule's regex: {problems[0]}")] if problems else []


_URL_KEYS = ("api_server", "server", "host")


def _refuse_url_credentials(job: dict) -> None:
    """Portable mode writes no credential: a URL with userinfo (``http://user:pass@proxy``) is one."""
    stack: list[tuple[Any, str]] = [(job, "")]
    while stack:
        node, where = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for k, v in items:
            at = f"{where}[{k}]" if isinstance(k, int) else (f"{where}.{k}" if where else str(k))
            if isinstance(v, (dict, list)):
                stack.append((v, at))
            elif isinstance(v, str) and isinstance(k, str) and (k.endswith("url") or k in _URL_KEYS) \
                    and has_userinfo(v):
                raise InputError(f"job {job.get('job_name')}: the URL holds credentials (userinfo: "
                                 + go_quote(mask_userinfo(v)) + "); portable mode writes no credential: "
                                 "use --inline-secrets to inline it", field=at)


def _join(fld: str, path: tuple) -> str:
    for part in path:
        fld += f"[{part}]" if isinstance(part, int) else f".{part}"
    return fld


def _int_or_string(tp: Any) -> str:
    """intstr.IntOrString.String(): the string, or the decimal integer."""
    if isinstance(tp, bool):
        return "true" if tp else "false"
    if isinstance(tp, int):
        return str(tp)
    return _s(tp)


def _int(v: Any, fld: str, r: _Renderer) -> int | None:
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, str)):
        raise r.error(f"expected an integer, got {v!r}", fld)
    try:
        return int(v)
    except ValueError:
        raise r.error(f"expected an integer, got {v!r}", fld) from None


def _running_filter() -> dict:
    return {"action": "drop", "source_labels": ["__meta_kubernetes_pod_phase"], "regex": "(Failed|Succeeded)"}


def _copy_label(prefix: str, label: str) -> dict:
    s = sanitize_label_name(label)
    return {"source_labels": [prefix + s], "target_label": s, "regex": "(.+)", "replacement": "${1}"}


def _validate_scrape_classes(r: _Renderer) -> None:
    """NewConfigGenerator validates every scrape class: a failure fails the whole configuration."""
    saved = r.mon
    for i, sc in enumerate(r.ctx.spec.get("scrapeClasses") or []):
        r.mon = f"Prometheus scrape class {sc.get('name')!r}"
        r.validate_relabelings(_l(sc.get("relabelings")), f"spec.scrapeClasses[{i}].relabelings")
        r.validate_relabelings(_l(sc.get("metricRelabelings")), f"spec.scrapeClasses[{i}].metricRelabelings")
        r.check_tls(sc.get("tlsConfig"), f"spec.scrapeClasses[{i}].tlsConfig", True)
        authz = sc.get("authorization")
        if isinstance(authz, dict):
            if authz.get("credentials") is not None and _s(authz.get("credentialsFile")):
                raise r.error("authorization can not specify both \"credentials\" and \"credentialsFile\"",
                              f"spec.scrapeClasses[{i}].authorization")
            if _s(authz.get("type")).strip().lower() == "basic":
                raise r.error("authorization type cannot be set to \"basic\", use \"basicAuth\" instead",
                              f"spec.scrapeClasses[{i}].authorization.type")
    r.mon = saved


def _key(monitor: dict) -> str:
    md = _d(monitor.get("metadata"))
    return f"{_s(md.get('namespace')) or 'default'}/{_s(md.get('name'))}"


def render_monitors(monitors: list[dict], ctx: RenderContext, store: AssetStore | None = None, *,
                    mode: str = "portable", inline_secrets: bool = False,
                    secrets_dir: str = DEFAULT_SECRETS_DIR,
                    shard: tuple[int, int] | None = None,
                    refuse_url_credentials: bool = False) -> RenderResult:
    """The scrape_configs entries for the given ServiceMonitors, PodMonitors and ScrapeConfigs (other kinds are
    ignored with a warning).

    Order: ServiceMonitors sorted by "<namespace>/<name>", then PodMonitors likewise (one job per endpoint), then
    ScrapeConfigs likewise (one job each, see migrator.render.scrapeconfigs).

    refuse_url_credentials: in portable mode without inline_secrets, refuse a job whose URL carries
    userinfo (a proxyUrl ``http://user:pass@proxy``): for output meant to be written out, which
    holds no credential in that mode.
    """
    from migrator.render.scrapeconfigs import scrape_config_job

    if shard is not None:
        if mode != "portable":
            raise InputError("shard=(N, I) applies to portable mode only; operator mode uses the CR's shards")
        try:
            n, idx = int(shard[0]), int(shard[1])
        except (TypeError, ValueError, IndexError):
            raise InputError(f"shard must be (shards, index), got {shard!r}") from None
        if n < 1 or not 0 <= idx < n:
            raise InputError(f"shard index must be in [0, {n - 1}] for {n} shards, got {idx}")
        shard = (n, idx)
    r = _Renderer(ctx, store or AssetStore(), mode, inline_secrets, secrets_dir, shard)
    _validate_scrape_classes(r)
    for m in monitors:
        if not isinstance(m, dict) or m.get("kind") not in ("ServiceMonitor", "PodMonitor", "ScrapeConfig"):
            kind = m.get("kind") if isinstance(m, dict) else type(m).__name__
            r.warnings.append(RenderWarning(f"ignored: not a ServiceMonitor, PodMonitor or ScrapeConfig "
                                            f"(kind {kind!r})",
                                            monitor_id(m) if isinstance(m, dict) else "input", None))
    sms = sorted((m for m in monitors if isinstance(m, dict) and m.get("kind") == "ServiceMonitor"), key=_key)
    pms = sorted((m for m in monitors if isinstance(m, dict) and m.get("kind") == "PodMonitor"), key=_key)
    scs = sorted((m for m in monitors if isinstance(m, dict) and m.get("kind") == "ScrapeConfig"), key=_key)
    seen: set[tuple[str, str]] = set()
    for m in sms + pms + scs:
        k = (m.get("kind"), _key(m))
        if k in seen:
            raise InputError(f"{monitor_id(m)} is given twice")
        seen.add(k)
    jobs: list[dict] = []
    for m in sms:
        jobs += r.service_monitor(m)
    for m in pms:
        jobs += r.pod_monitor(m)
    for m in scs:
        jobs.append(scrape_config_job(r, m))
    if refuse_url_credentials and not r.inline:
        for job in jobs:
            _refuse_url_credentials(job)
    return RenderResult(jobs=jobs, warnings=r.warnings, mounts=r.mounts, configmap_mounts=r.cm_mounts)


def kubernetes_sd_config(monitor: dict, ctx: RenderContext, store: AssetStore | None = None) -> dict:
    """The kubernetes_sd_configs entry alone (as generateK8SSDConfig), operator mode.

    The store is only needed when the CR's apiserverConfig references Secrets."""
    r = _Renderer(ctx, store or AssetStore(), "operator", True, DEFAULT_SECRETS_DIR, None)
    r.begin(monitor)
    kind = monitor.get("kind")
    if kind == "ServiceMonitor":
        return r.sm_sd(monitor)
    if kind == "PodMonitor":
        return r.pm_sd(monitor)
    raise InputError(f"expected a ServiceMonitor or PodMonitor, got kind {kind!r}", field="kind")
