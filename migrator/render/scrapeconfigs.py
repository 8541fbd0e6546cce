"""ScrapeConfig (monitoring.coreos.com/v1alpha1) -> one Prometheus scrape job, as prometheus-operator 6adcebc does.

Mirrors pkg/prometheus/promcfg.go generateScrapeConfig (the job) and pkg/prometheus/resource_selector.go
checkScrapeConfig (what rejects the resource). It reuses the monitors renderer (_Renderer in monitors.py) for
credentials, TLS, proxy, OAuth2, limits and relabelings, so operator mode and portable mode follow the same rules
as for ServiceMonitors/PodMonitors (see the monitors module docstring).

Differences from the monitors that are the operator's, not ours:

* job name ``scrapeConfig/<namespace>/<name>``; relabel_configs start with the ``__tmp_prometheus_job_name`` rule,
  then the scrape class relabelings, then (``spec.jobName``) ``{target_label: job, action: replace,
  replacement: <jobName>}``, then the user relabelings, followed by the enforced namespace label rule *only when the
  user gave relabelings*; no namespace/pod/container/endpoint labels;
* sharding rules only when the CR has more than one shard, and not when a user relabeling already has a
  ``hashmod`` action (appendShardingRelabelingWithAddressIfMissing); in portable mode only with ``shard=(N, I)``,
  N > 1;
* ``honor_labels``/``honor_timestamps`` only when set in the spec;
* the operator rejects every ScrapeConfig for Prometheus < 2.40.0: checkScrapeConfig calls the HTTP SD,
  PuppetDB and OVHCloud SD validators (minimum 2.28.0, 2.31.0, 2.40.0) whether or not the spec uses them.

Every SD kind of the CRD at 6adcebc is rendered (static, file, http, kubernetes, consul, dns, ec2, azure, gce,
openstack, digitalocean, kuma, eureka, docker, linode, hetzner, nomad, dockerswarm, puppetdb, lightsail, ovhcloud,
scaleway, ionos). A spec key ending in ``SDConfigs`` that is none of these raises an InputError naming it rather
than emitting something that could differ from the operator.

Operator quirks reproduced (with a RenderWarning): an Azure SD entry with ``environment`` loses the HTTP client
fields rendered before it (basic_auth, authorization, oauth2, proxy) and Azure never renders tlsConfig,
followRedirects or enableHTTP2; an unknown OVHcloud ``service`` is dropped; an Ionos entry without oauth2 always
gets ``authorization`` (type Bearer). SD credentials that Prometheus can only take inline (consul token, ec2 /
lightsail keys, azure client_secret, openstack password / application_credential_secret, ovhcloud secrets,
scaleway secret_key) need ``inline_secrets`` in portable mode.
"""

from __future__ import annotations

from typing import Any

from migrator.discovery.common import ALLOWED_SELECTORS, ROLES
from migrator.errors import InputError
from migrator.render.monitors import _Renderer, _d, _int, _l, _s, _sorted_map
from migrator.credentials import mask_userinfo
from migrator.render.util import parse_duration_ms, valid_label_name

API_VERSION = "monitoring.coreos.com/v1alpha1"
KIND = "ScrapeConfig"

#: spec key -> Prometheus key of every SD kind rendered, in the operator's output order
SD_KINDS = {
    "staticConfigs": "static_configs", "fileSDConfigs": "file_sd_configs", "httpSDConfigs": "http_sd_configs",
    "kubernetesSDConfigs": "kubernetes_sd_configs", "consulSDConfigs": "consul_sd_configs",
    "dnsSDConfigs": "dns_sd_configs", "ec2SDConfigs": "ec2_sd_configs", "azureSDConfigs": "azure_sd_configs",
    "gceSDConfigs": "gce_sd_configs", "openstackSDConfigs": "openstack_sd_configs",
    "digitalOceanSDConfigs": "digitalocean_sd_configs", "kumaSDConfigs": "kuma_sd_configs",
    "eurekaSDConfigs": "eureka_sd_configs", "dockerSDConfigs": "docker_sd_configs",
    "linodeSDConfigs": "linode_sd_configs", "hetznerSDConfigs": "hetzner_sd_configs",
    "nomadSDConfigs": "nomad_sd_configs", "dockerSwarmSDConfigs": "dockerswarm_sd_configs",
    "puppetDBSDConfigs": "puppetdb_sd_configs", "lightSailSDConfigs": "lightsail_sd_configs",
    "ovhcloudSDConfigs": "ovhcloud_sd_configs", "scalewaySDConfigs": "scaleway_sd_configs",
    "ionosSDConfigs": "ionos_sd_configs",
}

#: checkScrapeConfig runs these validators for every ScrapeConfig; each refuses an older Prometheus outright.
_FLOOR_CHECKS = (("2.28.0", "httpSDConfigs: HTTP SD configuration is only supported for Prometheus version >= 2.28.0"),
                 ("2.31.0", "puppetDBSDConfigs: puppetDB SD configuration is only supported for Prometheus "
                            "version >= 2.31.0"),
                 ("2.40.0", "OVHCloudSDConfigs: OVHCloud SD configuration is only supported for Prometheus "
                            "version >= 2.40.0"))
MIN_VERSION = "2.40.0"

_K8S_ROLES = ROLES
#: The operator's table is Prometheus's before 3.11: the pod role takes pod selectors only.
_K8S_SELECTOR_ROLES = {**ALLOWED_SELECTORS, "pod": ("pod",)}
_DNS_TYPE_MIN = {"NS": "2.49.0", "MX": "2.38.0"}
_ESCAPING = {"AllowUTF8": "allow-utf-8", "Underscores": "underscores", "Dots": "dots", "Values": "values"}


def is_scrape_config(obj: Any) -> bool:
    return isinstance(obj, dict) and obj.get("kind") == KIND


# -- checks (checkScrapeConfig) ------------------------------------------------------------------------------

def _check_http(r: _Renderer, obj: dict, fld: str) -> None:
    """The per-object checks of the asset store (AddSafeAuthorizationCredentials, AddOAuth2, AddSafeTLSConfig,
    addProxyConfigToStore) for a spec or SD entry with SafeAuthorization / OAuth2 / SafeTLSConfig / ProxyConfig."""
    authz = obj.get("authorization")
    if isinstance(authz, dict) and authz.get("credentials") is not None and \
            _s(authz.get("type")).strip().lower() == "basic":
        raise r.error("authorization type cannot be set to \"basic\", use \"basicAuth\" instead",
                      fld + ".authorization.type")
    o = obj.get("oauth2")
    if isinstance(o, dict):
        if not _s(o.get("tokenUrl")):
            raise r.error("OAuth2 tokenURL must be specified", fld + ".oauth2.tokenUrl")
        cid = _d(o.get("clientId"))
        if not cid.get("secret") and not cid.get("configMap"):
            raise r.error("OAuth2 'clientID' must be specified", fld + ".oauth2.clientId")
        if cid.get("secret") and cid.get("configMap"):
            raise r.error("cannot specify both Secret and ConfigMap", fld + ".oauth2.clientId")
        r.check_tls(o.get("tlsConfig"), fld + ".oauth2.tlsConfig", False)
        r.check_proxy(o, fld + ".oauth2")
    r.check_tls(obj.get("tlsConfig"), fld + ".tlsConfig", False)
    r.check_proxy(obj, fld)
    n_auth = sum(1 for k in ("basicAuth", "authorization", "oauth2") if obj.get(k) is not None)
    if n_auth > 1:
        r.warn("more than one of basicAuth, authorization and oauth2 is set: the operator renders them all and "
               "Prometheus refuses the configuration (at most one of basic_auth, oauth2 & authorization)", fld)


def _check(r: _Renderer, sc: dict) -> None:
    spec = _d(sc.get("spec"))
    name = _s(spec.get("scrapeClass"))
    if name and name not in r.ctx.scrape_classes:
        raise r.error(f"scrapeClass {name!r} not found in Prometheus scrapeClasses", "spec.scrapeClass")
    r.validate_relabelings(_l(spec.get("relabelings")), "spec.relabelings")
    _check_http(r, spec, "spec")
    timeout = _s(spec.get("scrapeTimeout"))
    if timeout:
        interval = _s(spec.get("scrapeInterval")) or _s(r.ctx.get("scrapeInterval")) or "30s"
        si, st = parse_duration_ms(interval), parse_duration_ms(timeout)
        if si is None:
            raise r.error(f"invalid scrapeInterval {interval!r}", "spec.scrapeInterval")
        if st is None:
            raise r.error(f"invalid scrapeTimeout {timeout!r}", "spec.scrapeTimeout")
        if st > si:
            raise r.error(f"scrapeTimeout {timeout!r} greater than scrapeInterval {interval!r}",
                          "spec.scrapeTimeout")
    r.validate_relabelings(_l(spec.get("metricRelabelings")), "spec.metricRelabelings")
    utf8 = r.ctx.at_least("3.0.0")
    for i, st_cfg in enumerate(_l(spec.get("staticConfigs"))):
        for label in sorted(_d(_d(st_cfg).get("labels")), key=str):
            if not valid_label_name(str(label), utf8):
                raise r.error(f"invalid label {str(label)!r}", f"spec.staticConfigs[{i}].labels")
    for minimum, message in _FLOOR_CHECKS:
        if not r.ctx.at_least(minimum):
            raise r.error(f"the operator rejects every ScrapeConfig for Prometheus < {MIN_VERSION} (rendering for "
                          f"{r.ctx.version}): {message}", "spec")
    _check_sd_keys(r, spec)
    for i, h in enumerate(_l(spec.get("httpSDConfigs"))):
        _check_http(r, _d(h), f"spec.httpSDConfigs[{i}]")
    for i, k in enumerate(_l(spec.get("kubernetesSDConfigs"))):
        _check_k8s(r, _d(k), f"spec.kubernetesSDConfigs[{i}]")
    for i, c in enumerate(_l(spec.get("consulSDConfigs"))):
        _check_consul(r, _d(c), f"spec.consulSDConfigs[{i}]")
    for i, d in enumerate(_l(spec.get("dnsSDConfigs"))):
        d = _d(d)
        if d.get("type") is not None and _s(d.get("type")) != "SRV" and d.get("port") is None:
            raise r.error(f"port required for record type {_s(d.get('type'))!r}", f"spec.dnsSDConfigs[{i}].port")
    for i, e in enumerate(_l(spec.get("ec2SDConfigs"))):
        e = _d(e)
        r.check_tls(e.get("tlsConfig"), f"spec.ec2SDConfigs[{i}].tlsConfig", False)
        r.check_proxy(e, f"spec.ec2SDConfigs[{i}]")
    for key, check in _EXTRA_CHECKS.items():
        for i, e in enumerate(_l(spec.get(key))):
            check(r, _d(e), f"spec.{key}[{i}]")


def _check_sd_keys(r: _Renderer, spec: dict) -> None:
    for key in spec:
        if str(key).endswith("SDConfigs") and str(key) not in SD_KINDS and _l(spec.get(key)):
            raise r.error(f"{key} is not a service discovery known to migrator (prometheus-operator 6adcebc); "
                          f"known: {', '.join(SD_KINDS)}", f"spec.{key}")


def _check_k8s(r: _Renderer, k: dict, fld: str) -> None:
    _check_http(r, k, fld)
    role = _s(k.get("role")).lower()
    if role not in _K8S_ROLES:
        raise r.error(f"invalid role {_s(k.get('role'))!r}, expecting one of: Pod, Service, Endpoints, "
                      "EndpointSlice, Node or Ingress", fld + ".role")
    if role == "endpointslice" and not r.ctx.at_least("2.21.0"):
        raise r.error("EndpointSlice role is only supported for Prometheus version >= 2.21.0", fld + ".role")
    if k.get("apiServer") is not None and isinstance(k.get("namespaces"), dict) and \
            k["namespaces"].get("ownNamespace") is True:
        raise r.error("cannot use 'apiServer' and 'namespaces.ownNamespace' simultaneously", fld)
    allowed = _K8S_SELECTOR_ROLES[role]
    for j, s in enumerate(_l(k.get("selectors"))):
        if _s(_d(s).get("role")).lower() not in allowed:
            raise r.error(f"{_s(k.get('role'))} role supports only {', '.join(allowed)} selectors",
                          f"{fld}.selectors[{j}].role")


def _check_consul(r: _Renderer, c: dict, fld: str) -> None:
    for key, minimum in (("pathPrefix", "2.45.0"), ("namespace", "2.28.0"), ("filter", "3.0.0"),
                         ("healthFilter", "3.11.2")):
        if c.get(key) is not None and not r.ctx.at_least(minimum):
            raise r.error(f"field `{key}` is only supported for Prometheus version >= {minimum} "
                          f"(rendering for {r.ctx.version})", f"{fld}.{key}")
    _check_http(r, c, fld)


# -- generation (generateScrapeConfig) ------------------------------------------------------------------------

def _http_client(r: _Renderer, out: dict, obj: dict, fld: str, order: tuple[str, ...]) -> None:
    """The HTTP client fields of an SD entry, in the order the operator appends them for that SD kind."""
    for part in order:
        if part == "basic_auth" and isinstance(obj.get("basicAuth"), dict):
            r.basic_auth(out, obj["basicAuth"], fld + ".basicAuth")
        elif part == "authorization" and isinstance(obj.get("authorization"), dict):
            r.authorization(out, obj["authorization"], fld + ".authorization")
        elif part == "oauth2" and isinstance(obj.get("oauth2"), dict):
            r.oauth2(out, obj["oauth2"], fld + ".oauth2")
        elif part == "proxy":
            r.proxy(out, obj, fld, gated_all=False)
        elif part == "tls_config" and isinstance(obj.get("tlsConfig"), dict):
            r.tls(out, obj["tlsConfig"], fld + ".tlsConfig", with_files=False)
        elif part == "follow_redirects" and obj.get("followRedirects") is not None:
            out["follow_redirects"] = obj["followRedirects"] is True
        elif part == "enable_http2" and obj.get("enableHTTP2") is not None:
            out["enable_http2"] = obj["enableHTTP2"] is True


def _static(r: _Renderer, items: list, fld: str) -> list:
    out = []
    for st in items:
        st = _d(st)
        out.append({"targets": [_s(t) for t in _l(st.get("targets"))],
                    "labels": {k: _s(v) for k, v in _sorted_map(_d(st.get("labels"))).items()}})
    return out


def _file(r: _Renderer, items: list, fld: str) -> list:
    out = []
    for f in items:
        f = _d(f)
        e: dict = {"files": [_s(x) for x in _l(f.get("files"))]}
        if f.get("refreshInterval") is not None:
            e["refresh_interval"] = _s(f["refreshInterval"])
        out.append(e)
    return out


def _http(r: _Renderer, items: list, fld: str) -> list:
    out = []
    for i, h in enumerate(items):
        h, f = _d(h), f"{fld}[{i}]"
        e: dict = {}
        _http_client(r, e, h, f, ("basic_auth", "authorization", "tls_config", "proxy", "oauth2"))
        e["url"] = _s(h.get("url"))
        if h.get("refreshInterval") is not None:
            e["refresh_interval"] = _s(h["refreshInterval"])
        _http_client(r, e, h, f, ("follow_redirects", "enable_http2"))
        out.append(e)
    return out


def _kubernetes(r: _Renderer, items: list, fld: str) -> list:
    out = []
    for i, k in enumerate(items):
        k, f = _d(k), f"{fld}[{i}]"
        e: dict = {}
        if k.get("apiServer") is not None:
            e["api_server"] = _s(k["apiServer"])
        role = _s(k.get("role")).lower()
        if role != "endpointslice" or r.gate("2.21.0", "role", f + ".role"):
            e["role"] = role
        _http_client(r, e, k, f, ("basic_auth", "authorization", "oauth2", "proxy", "follow_redirects",
                                  "enable_http2", "tls_config"))
        ns = k.get("namespaces")
        if isinstance(ns, dict):
            names: dict = {"names": [_s(n) for n in _l(ns.get("names"))]}
            if ns.get("ownNamespace") is not None:
                names["own_namespace"] = ns["ownNamespace"] is True
            e["namespaces"] = names
        sels = _l(k.get("selectors"))
        if sels:
            out_sels = []
            for s in sels:
                s = _d(s)
                one: dict = {"role": _s(s.get("role")).lower()}
                if s.get("label") is not None:
                    one["label"] = _s(s["label"])
                if s.get("field") is not None:
                    one["field"] = _s(s["field"])
                out_sels.append(one)
            if r.gate("2.17.0", "selectors", f + ".selectors"):
                e["selectors"] = out_sels
        am = k.get("attachMetadata")
        if isinstance(am, dict):
            minimum = {"pod": "2.35.0", "endpoints": "2.37.0", "endpointslice": "2.37.0"}.get(role)
            if minimum is None:
                r.warn(f"dropped 'attach_metadata': Prometheus does not support it for role {role!r}; the operator "
                       "silently ignores it", f + ".attachMetadata")
            elif r.gate(minimum, "attach_metadata", f + ".attachMetadata"):
                # the CRD struct is marshalled as is: an unset node is written as null
                e["attach_metadata"] = {"node": am.get("node") if isinstance(am.get("node"), bool) else None}
        out.append(e)
    return out


def _consul(r: _Renderer, items: list, fld: str) -> list:
    out = []
    for i, c in enumerate(items):
        c, f = _d(c), f"{fld}[{i}]"
        e: dict = {}
        _http_client(r, e, c, f, ("basic_auth", "authorization", "oauth2", "proxy", "tls_config"))
        e["server"] = _s(c.get("server"))
        if c.get("pathPrefix") is not None:
            e["path_prefix"] = _s(c["pathPrefix"])
        if isinstance(c.get("tokenRef"), dict):
            e["token"] = r.secret_only_inline(c["tokenRef"], f + ".tokenRef", "consul_sd_configs token")
        for key, out_key in (("datacenter", "datacenter"), ("namespace", "namespace"), ("partition", "partition")):
            if c.get(key) is not None:
                e[out_key] = _s(c[key])
        if c.get("scheme") is not None:
            e["scheme"] = _s(c["scheme"]).lower()
        if _l(c.get("services")):
            e["services"] = [_s(x) for x in c["services"]]
        if _l(c.get("tags")):
            e["tags"] = [_s(x) for x in c["tags"]]
        if c.get("tagSeparator") is not None:
            e["tag_separator"] = _s(c["tagSeparator"])
        if _d(c.get("nodeMeta")):
            e["node_meta"] = {k: _s(v) for k, v in _sorted_map(c["nodeMeta"]).items()}
        if c.get("filter") is not None:
            e["filter"] = _s(c["filter"])
        if c.get("healthFilter") is not None:
            e["health_filter"] = _s(c["healthFilter"])
        if c.get("allowStale") is not None:
            e["allow_stale"] = c["allowStale"] is True
        if c.get("refreshInterval") is not None:
            e["refresh_interval"] = _s(c["refreshInterval"])
        if c.get("followRedirects") is not None:
            e["follow_redirects"] = c["followRedirects"] is True
        if c.get("enableHTTP2") is not None:
            e["enable_http2"] = c["enableHTTP2"] is True
        out.append(e)
    return out


def _dns(r: _Renderer, items: list, fld: str) -> list:
    out = []
    for i, d in enumerate(items):
        d, f = _d(d), f"{fld}[{i}]"
        e: dict = {"names": [_s(n) for n in _l(d.get("names"))]}
        if d.get("refreshInterval") is not None:
            e["refresh_interval"] = _s(d["refreshInterval"])
        if d.get("type") is not None:
            typ = _s(d["type"])
            minimum = _DNS_TYPE_MIN.get(typ)
            if minimum is None or r.gate(minimum, "type", f + ".type"):
                e["type"] = typ
        if d.get("port") is not None:
            e["port"] = _int(d["port"], f + ".port", r)
        out.append(e)
    return out


def _ec2(r: _Renderer, items: list, fld: str) -> list:
    out = []
    for i, c in enumerate(items):
        c, f = _d(c), f"{fld}[{i}]"
        e: dict = {}
        r.proxy(e, c, f, gated_all=False)
        if c.get("region") is not None:
            e["region"] = _s(c["region"])
        if isinstance(c.get("accessKey"), dict) and isinstance(c.get("secretKey"), dict):
            e["access_key"] = r.secret_only_inline(c["accessKey"], f + ".accessKey", "ec2_sd_configs access_key")
            e["secret_key"] = r.secret_only_inline(c["secretKey"], f + ".secretKey", "ec2_sd_configs secret_key")
        if c.get("roleARN") is not None:
            e["role_arn"] = _s(c["roleARN"])
        if c.get("refreshInterval") is not None:
            e["refresh_interval"] = _s(c["refreshInterval"])
        if c.get("port") is not None:
            e["port"] = _int(c["port"], f + ".port", r)
        filters = _l(c.get("filters"))
        if filters and r.gate("2.3.0", "filters", f + ".filters"):
            e["filters"] = [{"name": _s(_d(x).get("name")), "values": [_s(v) for v in _l(_d(x).get("values"))]}
                            for x in sorted(filters, key=lambda x: _s(_d(x).get("name")))]
        if c.get("followRedirects") is not None and r.gate("2.41.0", "follow_redirects", f + ".followRedirects"):
            e["follow_redirects"] = c["followRedirects"] is True
        if c.get("enableHTTP2") is not None and r.gate("2.41.0", "enable_http2", f + ".enableHTTP2"):
            e["enable_http2"] = c["enableHTTP2"] is True
        if isinstance(c.get("tlsConfig"), dict) and r.gate("2.41.0", "tls_config", f + ".tlsConfig"):
            r.tls(e, c["tlsConfig"], f + ".tlsConfig", with_files=False)
        out.append(e)
    return out


# -- the other SD kinds, as lists of steps in the operator's append order ----------------------------------------
# ("http", part...)            HTTP client fields via _http_client (basic_auth, authorization, oauth2, proxy, ...)
# ("req", key, out, conv)      always written (Go non-pointer field)
# ("opt", key, out, conv)      written when set (Go pointer field)
# ("nonempty", key, out, conv) written when not empty (Go `!= ""` / len > 0)
# ("secret", key, out)         a Secret value Prometheus only takes inline, written when set
# ("gate", minimum, key, out, conv)  written when set, dropped with a warning before `minimum`
# ("filters",)                 addFiltersToYaml: sorted by name, written when not empty
# conv: str, lower, int, bool, strlist
def _conv(r: _Renderer, v: Any, conv: str, fld: str) -> Any:
    if conv == "lower":
        return _s(v).lower()
    if conv == "int":
        return _int(v, fld, r)
    if conv == "bool":
        return v is True
    if conv == "strlist":
        return [_s(x) for x in _l(v)]
    return _s(v)


def _filters(filters: list) -> list:
    return [{"name": _s(_d(x).get("name")), "values": [_s(v) for v in _l(_d(x).get("values"))]}
            for x in sorted(filters, key=lambda x: _s(_d(x).get("name")))]


def _run_steps(r: _Renderer, c: dict, f: str, steps: tuple) -> dict:
    e: dict = {}
    for step in steps:
        kind = step[0]
        if kind == "http":
            _http_client(r, e, c, f, step[1:])
        elif kind in ("req", "opt", "nonempty"):
            _, key, out, conv = step
            v = c.get(key)
            if kind == "req" or (kind == "opt" and v is not None) or (kind == "nonempty" and v not in (None, "", [])):
                e[out] = _conv(r, v, conv, f"{f}.{key}")
        elif kind == "secret":
            _, key, out = step
            if isinstance(c.get(key), dict):
                e[out] = r.secret_only_inline(c[key], f"{f}.{key}", f"{out} in this service discovery")
        elif kind == "gate":
            _, minimum, key, out, conv = step
            if c.get(key) is not None and r.gate(minimum, out, f"{f}.{key}"):
                e[out] = _conv(r, c[key], conv, f"{f}.{key}")
        elif kind == "filters":
            if _l(c.get("filters")):
                e["filters"] = _filters(c["filters"])
        else:  # pragma: no cover - a typo in the tables below
            raise AssertionError(step)
    return e


_STEPS: dict[str, tuple] = {
    "gceSDConfigs": (("req", "project", "project", "str"), ("req", "zone", "zone", "str"),
                     ("opt", "filter", "filter", "str"), ("opt", "refreshInterval", "refresh_interval", "str"),
                     ("opt", "port", "port", "int"), ("opt", "tagSeparator", "tag_separator", "str")),
    "openstackSDConfigs": (
        ("req", "role", "role", "lower"), ("req", "region", "region", "str"),
        ("opt", "identityEndpoint", "identity_endpoint", "str"), ("opt", "username", "username", "str"),
        ("opt", "userid", "userid", "str"), ("secret", "password", "password"),
        ("opt", "domainName", "domain_name", "str"), ("opt", "domainID", "domain_id", "str"),
        ("opt", "projectName", "project_name", "str"), ("opt", "projectID", "project_id", "str"),
        ("opt", "applicationCredentialName", "application_credential_name", "str"),
        ("opt", "applicationCredentialId", "application_credential_id", "str"),
        ("secret", "applicationCredentialSecret", "application_credential_secret"),
        ("opt", "allTenants", "all_tenants", "bool"), ("opt", "refreshInterval", "refresh_interval", "str"),
        ("opt", "port", "port", "int"), ("opt", "availability", "availability", "str"), ("http", "tls_config")),
    "digitalOceanSDConfigs": (
        ("http", "authorization", "oauth2", "proxy", "follow_redirects", "enable_http2", "tls_config"),
        ("opt", "port", "port", "int"), ("opt", "refreshInterval", "refresh_interval", "str")),
    "kumaSDConfigs": (
        ("http", "basic_auth", "authorization", "oauth2", "proxy"), ("req", "server", "server", "str"),
        ("http", "follow_redirects", "enable_http2", "tls_config"),
        ("opt", "refreshInterval", "refresh_interval", "str"), ("opt", "fetchTimeout", "fetch_timeout", "str"),
        ("opt", "clientID", "client_id", "str")),
    "eurekaSDConfigs": (
        ("http", "basic_auth", "authorization", "oauth2", "proxy", "follow_redirects", "enable_http2", "tls_config"),
        ("opt", "refreshInterval", "refresh_interval", "str"), ("nonempty", "server", "server", "str")),
    "dockerSDConfigs": (
        ("http", "authorization", "oauth2", "proxy", "basic_auth"), ("filters",), ("req", "host", "host", "str"),
        ("http", "tls_config"), ("opt", "port", "port", "int"),
        ("opt", "hostNetworkingHost", "host_networking_host", "str"),
        ("gate", "2.54.1", "matchFirstNetwork", "match_first_network", "bool"),
        ("opt", "refreshInterval", "refresh_interval", "str"), ("http", "follow_redirects", "enable_http2")),
    "linodeSDConfigs": (
        ("http", "authorization", "oauth2", "proxy", "tls_config"), ("opt", "port", "port", "int"),
        ("opt", "region", "region", "str"), ("http", "enable_http2"),
        ("opt", "tagSeparator", "tag_separator", "str"), ("opt", "refreshInterval", "refresh_interval", "str"),
        ("http", "follow_redirects")),
    "hetznerSDConfigs": (
        ("http", "basic_auth", "authorization", "oauth2", "proxy"), ("req", "role", "role", "lower"),
        ("http", "follow_redirects", "enable_http2", "tls_config"), ("opt", "port", "port", "int"),
        ("opt", "refreshInterval", "refresh_interval", "str")),  # label_selector: see _hetzner
    "nomadSDConfigs": (
        ("http", "basic_auth", "authorization", "oauth2", "proxy"), ("req", "server", "server", "str"),
        ("opt", "allowStale", "allow_stale", "bool"), ("opt", "namespace", "namespace", "str"),
        ("opt", "refreshInterval", "refresh_interval", "str"), ("opt", "region", "region", "str"),
        ("opt", "tagSeparator", "tag_separator", "str"),
        ("http", "follow_redirects", "enable_http2", "tls_config")),
    "dockerSwarmSDConfigs": (
        ("http", "basic_auth", "authorization", "oauth2", "proxy"), ("filters",), ("req", "host", "host", "str"),
        ("http", "tls_config"), ("req", "role", "role", "lower"), ("opt", "port", "port", "int"),
        ("opt", "refreshInterval", "refresh_interval", "str"), ("http", "follow_redirects", "enable_http2")),
    "puppetDBSDConfigs": (
        ("http", "basic_auth", "authorization", "oauth2", "proxy"), ("req", "url", "url", "str"),
        ("req", "query", "query", "str"), ("opt", "includeParameters", "include_parameters", "bool"),
        ("opt", "port", "port", "int"), ("opt", "refreshInterval", "refresh_interval", "str"),
        ("http", "follow_redirects", "tls_config", "enable_http2")),
    "lightSailSDConfigs": (
        ("http", "basic_auth", "authorization", "proxy", "oauth2"), ("opt", "region", "region", "str"),
        ("opt", "endpoint", "endpoint", "str"), ("opt", "port", "port", "int"),
        ("opt", "refreshInterval", "refresh_interval", "str")),  # keys, role_arn, tls...: see _lightsail
    "scalewaySDConfigs": (
        ("req", "accessKey", "access_key", "str"), ("secret", "secretKey", "secret_key"),
        ("req", "projectID", "project_id", "str"), ("req", "role", "role", "lower"), ("opt", "port", "port", "int"),
        ("opt", "apiURL", "api_url", "str"), ("opt", "zone", "zone", "str"),
        ("opt", "nameFilter", "name_filter", "str"), ("nonempty", "tagsFilter", "tags_filter", "strlist"),
        ("opt", "refreshInterval", "refresh_interval", "str"),
        ("http", "proxy", "tls_config", "follow_redirects", "enable_http2")),
}


def _steps_sd(key: str):
    def render(r: _Renderer, items: list, fld: str) -> list:
        return [_run_steps(r, _d(c), f"{fld}[{i}]", _STEPS[key]) for i, c in enumerate(items)]
    return render


def _azure(r: _Renderer, items: list, fld: str) -> list:
    out = []
    for i, c in enumerate(items):
        c, f = _d(c), f"{fld}[{i}]"
        e: dict = {}
        _http_client(r, e, c, f, ("basic_auth", "authorization", "oauth2", "proxy"))
        if c.get("environment") is not None:
            if e:
                r.warn(f"dropped {', '.join(repr(k) for k in e)}: the operator starts the entry afresh when "
                       "'environment' is set and silently loses the HTTP client fields written before it", f)
            e = {"environment": _s(c["environment"])}
        for key, out_key in (("authenticationMethod", "authentication_method"),):
            if c.get(key) is not None:
                e[out_key] = _s(c[key])
        if _s(c.get("subscriptionID")):
            e["subscription_id"] = _s(c["subscriptionID"])
        for key, out_key in (("tenantID", "tenant_id"), ("clientID", "client_id")):
            if c.get(key) is not None:
                e[out_key] = _s(c[key])
        if isinstance(c.get("clientSecret"), dict):
            e["client_secret"] = r.secret_only_inline(c["clientSecret"], f + ".clientSecret",
                                                      "azure_sd_configs client_secret")
        if c.get("resourceGroup") is not None:
            e["resource_group"] = _s(c["resourceGroup"])
        if c.get("refreshInterval") is not None:
            e["refresh_interval"] = _s(c["refreshInterval"])
        if c.get("port") is not None:
            e["port"] = _int(c["port"], f + ".port", r)
        for key in ("tlsConfig", "followRedirects", "enableHTTP2"):
            if c.get(key) is not None:
                r.warn(f"dropped '{key}': the operator does not render it for Azure SD", f"{f}.{key}")
        out.append(e)
    return out


def _hetzner(r: _Renderer, items: list, fld: str) -> list:
    out = []
    for i, c in enumerate(items):
        c, f = _d(c), f"{fld}[{i}]"
        e = _run_steps(r, c, f, _STEPS["hetznerSDConfigs"])
        if _s(c.get("labelSelector")) and r.gate("3.5.0", "label_selector", f + ".labelSelector"):
            e["label_selector"] = _s(c["labelSelector"])
        out.append(e)
    return out


def _lightsail(r: _Renderer, items: list, fld: str) -> list:
    out = []
    for i, c in enumerate(items):
        c, f = _d(c), f"{fld}[{i}]"
        e = _run_steps(r, c, f, _STEPS["lightSailSDConfigs"])
        if isinstance(c.get("accessKey"), dict) and isinstance(c.get("secretKey"), dict):
            e["access_key"] = r.secret_only_inline(c["accessKey"], f + ".accessKey", "lightsail_sd_configs access_key")
            e["secret_key"] = r.secret_only_inline(c["secretKey"], f + ".secretKey", "lightsail_sd_configs secret_key")
        if c.get("roleARN") is not None:
            e["role_arn"] = _s(c["roleARN"])
        _http_client(r, e, c, f, ("tls_config", "follow_redirects", "enable_http2"))
        out.append(e)
    return out


_OVH_SERVICES = {"VPS": "vps", "DedicatedServer": "dedicated_server"}


def _ovhcloud(r: _Renderer, items: list, fld: str) -> list:
    out = []
    for i, c in enumerate(items):
        c, f = _d(c), f"{fld}[{i}]"
        e: dict = {"application_key": _s(c.get("applicationKey")),
                   "application_secret": r.secret_only_inline(_d(c.get("applicationSecret")),
                                                               f + ".applicationSecret",
                                                               "ovhcloud_sd_configs application_secret"),
                   "consumer_key": r.secret_only_inline(_d(c.get("consumerKey")), f + ".consumerKey",
                                                        "ovhcloud_sd_configs consumer_key")}
        service = _s(c.get("service"))
        if service in _OVH_SERVICES:
            e["service"] = _OVH_SERVICES[service]
        else:
            r.warn(f"dropped 'service': {service!r} is not supported by Prometheus; the operator silently "
                   "ignores it", f + ".service")
        if c.get("endpoint") is not None:
            e["endpoint"] = _s(c["endpoint"])
        if c.get("refreshInterval") is not None:
            e["refresh_interval"] = _s(c["refreshInterval"])
        out.append(e)
    return out


def _ionos(r: _Renderer, items: list, fld: str) -> list:
    out = []
    for i, c in enumerate(items):
        c, f = _d(c), f"{fld}[{i}]"
        e: dict = {}
        if not isinstance(c.get("oauth2"), dict):
            # Authorization is a value field in IonosSDConfig: always rendered (type Bearer) without oauth2
            r.authorization(e, _d(c.get("authorization")), f + ".authorization")
        _http_client(r, e, c, f, ("oauth2", "proxy", "tls_config"))
        e["datacenter_id"] = _s(c.get("datacenterID"))
        _http_client(r, e, c, f, ("follow_redirects", "enable_http2"))
        if c.get("port") is not None:
            e["port"] = _int(c["port"], f + ".port", r)
        if c.get("refreshInterval") is not None:
            e["refresh_interval"] = _s(c["refreshInterval"])
        out.append(e)
    return out


# -- checks of the other SD kinds (resource_selector.go validate*SDConfigs) -------------------------------------
def _require_version(r: _Renderer, minimum: str, what: str, fld: str) -> None:
    if not r.ctx.at_least(minimum):
        raise r.error(f"{what} is only supported for Prometheus version >= {minimum} "
                      f"(rendering for {r.ctx.version})", fld)


def _check_server_url(r: _Renderer, server: str, fld: str) -> None:
    """validateServer: url.Parse, then a scheme and a host are required."""
    import urllib.parse

    try:
        u = urllib.parse.urlsplit(server)
    except ValueError as exc:
        raise r.error(f"cannot parse server: {exc}", fld) from None
    if not u.scheme or not u.netloc:
        raise r.error(f"must not be empty and have a scheme: {mask_userinfo(server)}", fld)


def _chk_azure(r: _Renderer, c: dict, f: str) -> None:
    method = _s(c.get("authenticationMethod"))
    if method == "SDK":
        _require_version(r, "2.52.0", "SDK authentication", f + ".authenticationMethod")
    if method == "WorkloadIdentity":
        _require_version(r, "3.11.0", "WorkloadIdentity authentication", f + ".authenticationMethod")
    if c.get("resourceGroup") is not None:
        _require_version(r, "2.35.0", "ResourceGroup", f + ".resourceGroup")
    if method in ("ManagedIdentity", "SDK", "WorkloadIdentity"):
        return  # the operator skips the remaining checks for these methods
    if not _s(c.get("tenantID")):
        raise r.error("configuration requires a tenantID", f + ".tenantID")
    if not _s(c.get("clientID")):
        raise r.error("configuration requires a clientID", f + ".clientID")
    if c.get("clientSecret") is None:
        raise r.error("configuration requires a clientSecret", f + ".clientSecret")
    _check_http(r, c, f)


def _chk_openstack(r: _Renderer, c: dict, f: str) -> None:
    if _s(c.get("role")) == "LoadBalancer":
        _require_version(r, "3.2.0", "the LoadBalancer role", f + ".role")
    r.check_tls(c.get("tlsConfig"), f + ".tlsConfig", False)


def _chk_http_only(r: _Renderer, c: dict, f: str) -> None:
    _check_http(r, c, f)


def _chk_kuma(r: _Renderer, c: dict, f: str) -> None:
    if c.get("clientID") is not None:
        _require_version(r, "2.50.0", "field `clientID` in kuma SD configuration", f + ".clientID")
    _check_server_url(r, _s(c.get("server")), f + ".server")
    _check_http(r, c, f)


def _chk_docker(r: _Renderer, c: dict, f: str) -> None:
    if c.get("matchFirstNetwork") is not None:
        _require_version(r, "2.54.1", "field `matchFirstNetwork`", f + ".matchFirstNetwork")
    _check_http(r, c, f)


def _chk_hetzner(r: _Renderer, c: dict, f: str) -> None:
    if c.get("labelSelector") is not None:
        _require_version(r, "3.5.0", "field `labelSelector`", f + ".labelSelector")
    _check_http(r, c, f)


def _chk_nomad(r: _Renderer, c: dict, f: str) -> None:
    _check_server_url(r, _s(c.get("server")), f + ".server")
    _check_http(r, c, f)


def _chk_puppetdb(r: _Renderer, c: dict, f: str) -> None:
    import urllib.parse

    url = _s(c.get("url"))
    try:
        u = urllib.parse.urlsplit(url)
    except ValueError as exc:
        raise r.error(f"cannot parse url: {exc}", f + ".url") from None
    if u.scheme not in ("http", "https"):
        raise r.error("URL scheme must be 'http' or 'https'", f + ".url")
    if not u.netloc:
        raise r.error("host is missing in URL", f + ".url")
    _check_http(r, c, f)


def _chk_scaleway(r: _Renderer, c: dict, f: str) -> None:
    r.check_proxy(c, f)
    r.check_tls(c.get("tlsConfig"), f + ".tlsConfig", False)


_EXTRA_CHECKS = {
    "azureSDConfigs": _chk_azure, "openstackSDConfigs": _chk_openstack, "digitalOceanSDConfigs": _chk_http_only,
    "kumaSDConfigs": _chk_kuma, "eurekaSDConfigs": _chk_http_only, "dockerSDConfigs": _chk_docker,
    "linodeSDConfigs": _chk_http_only, "hetznerSDConfigs": _chk_hetzner, "nomadSDConfigs": _chk_nomad,
    "dockerSwarmSDConfigs": _chk_http_only, "puppetDBSDConfigs": _chk_puppetdb,
    "lightSailSDConfigs": _chk_http_only, "scalewaySDConfigs": _chk_scaleway, "ionosSDConfigs": _chk_http_only,
}

_SD_FUNCS = {
    "staticConfigs": _static, "fileSDConfigs": _file, "httpSDConfigs": _http, "kubernetesSDConfigs": _kubernetes,
    "consulSDConfigs": _consul, "dnsSDConfigs": _dns, "ec2SDConfigs": _ec2, "azureSDConfigs": _azure,
    "hetznerSDConfigs": _hetzner, "lightSailSDConfigs": _lightsail, "ovhcloudSDConfigs": _ovhcloud,
    "ionosSDConfigs": _ionos,
}
_SD_RENDERERS = tuple((key, out_key, _SD_FUNCS.get(key) or _steps_sd(key)) for key, out_key in SD_KINDS.items())


def _sharding(r: _Renderer, rl: list[dict]) -> None:
    """appendShardingRelabelingWithAddressIfMissing, called only when shards != 1."""
    n = r.ctx.shards if r.operator else (r.shard[0] if r.shard is not None else 1)
    if n == 1:
        return
    if any(rc.get("action") == "hashmod" for rc in rl):
        return
    r.sharding(rl)


def _generate(r: _Renderer, sc: dict) -> dict:
    spec = _d(sc.get("spec"))
    md = _d(sc.get("metadata"))
    scls = r.ctx.scrape_class(spec.get("scrapeClass"))
    cfg: dict = {"job_name": f"scrapeConfig/{r.ns}/{_s(md.get('name'))}"}
    rl: list[dict] = [{"source_labels": ["job"], "target_label": "__tmp_prometheus_job_name"}]
    rl += r.relabel_list(_l(scls.get("relabelings")))
    if spec.get("jobName") is not None:
        rl.append({"target_label": "job", "action": "replace", "replacement": _s(spec["jobName"])})
    if spec.get("honorTimestamps") is not None:
        r.honor_timestamps(cfg, spec["honorTimestamps"], "spec.honorTimestamps")
    r.track_staleness(cfg, spec.get("trackTimestampsStaleness"), "spec.trackTimestampsStaleness")
    if spec.get("honorLabels") is not None:
        r.honor_labels(cfg, spec["honorLabels"])
    if spec.get("metricsPath") is not None:
        cfg["metrics_path"] = _s(spec["metricsPath"])
    if _d(spec.get("params")):
        cfg["params"] = {k: [_s(x) for x in _l(v)] for k, v in _sorted_map(spec["params"]).items()}
    if spec.get("enableCompression") is not None and \
            r.gate("2.49.0", "enable_compression", "spec.enableCompression"):
        cfg["enable_compression"] = spec["enableCompression"] is True
    if spec.get("enableHTTP2") is not None and r.gate("2.35.0", "enable_http2", "spec.enableHTTP2"):
        cfg["enable_http2"] = spec["enableHTTP2"] is True
    if spec.get("scrapeInterval") is not None:
        cfg["scrape_interval"] = _s(spec["scrapeInterval"])
    if spec.get("scrapeTimeout") is not None:
        cfg["scrape_timeout"] = _s(spec["scrapeTimeout"])
    protos = _l(spec.get("scrapeProtocols"))
    if protos:
        kept = []
        for p in protos:
            if p == "PrometheusText1.0.0" and not r.ctx.version.at_least("3.0.0"):  # >= 3.0.0-rc.0
                r.warn("dropped scrape protocol PrometheusText1.0.0: needs Prometheus >= 3.0.0 "
                       f"(rendering for {r.ctx.version}); the operator silently ignores it", "spec.scrapeProtocols")
                continue
            kept.append(_s(p))
        if r.gate("2.49.0", "scrape_protocols", "spec.scrapeProtocols"):
            cfg["scrape_protocols"] = kept
    fb = spec.get("fallbackScrapeProtocol")
    if fb is None:
        fb = scls.get("fallbackScrapeProtocol")
    if fb is not None and r.gate("3.0.0", "fallback_scrape_protocol", "spec.fallbackScrapeProtocol"):
        cfg["fallback_scrape_protocol"] = _s(fb)
    if spec.get("scheme") is not None:
        cfg["scheme"] = _s(spec["scheme"]).lower()
    r.proxy(cfg, spec, "spec", gated_all=False)
    if isinstance(spec.get("basicAuth"), dict):
        r.basic_auth(cfg, spec["basicAuth"], "spec.basicAuth")
    authz = r.merged_authorization(spec.get("authorization"), scls)
    if authz is not None:
        r.authorization(cfg, authz, "spec.authorization")
    if isinstance(spec.get("oauth2"), dict):
        r.oauth2(cfg, spec["oauth2"], "spec.oauth2")
    r.tls(cfg, r.merged_tls(spec.get("tlsConfig"), scls, safe=True), "spec.tlsConfig", with_files=True)
    r.limits(cfg, spec)
    r.native_histograms(cfg, spec)
    body = r._body_size(spec.get("bodySizeLimit"))
    if body and r.gate("2.28.0", "body_size_limit", "spec.bodySizeLimit"):
        cfg["body_size_limit"] = body
    for key, out_key, fn in _SD_RENDERERS:
        items = _l(spec.get(key))
        if items:
            cfg[out_key] = fn(r, items, f"spec.{key}")
    user_rl = _l(spec.get("relabelings"))
    if user_rl:
        rl += r.relabel_list(r.enforced(sc, user_rl))
    _sharding(r, rl)
    cfg["relabel_configs"] = rl
    mrc = list(_l(scls.get("metricRelabelings"))) + r.enforced(sc, _l(spec.get("metricRelabelings")))
    if mrc:
        cfg["metric_relabel_configs"] = r.relabel_list(mrc)
    nvs = spec.get("nameValidationScheme")
    if nvs is not None and r.gate("3.0.0", "metric_name_validation_scheme", "spec.nameValidationScheme"):
        cfg["metric_name_validation_scheme"] = _s(nvs).lower()
    nes = spec.get("nameEscapingScheme")
    if nes is not None and _s(nes) in _ESCAPING and \
            r.gate("3.4.0", "metric_name_escaping_scheme", "spec.nameEscapingScheme"):
        cfg["metric_name_escaping_scheme"] = _ESCAPING[_s(nes)]
    return cfg


def scrape_config_job(r: _Renderer, sc: dict, *, check: bool = True) -> dict:
    """The job for one ScrapeConfig. check=False skips checkScrapeConfig (the operator's resource selector), as the
    upstream generator tests (and their golden files) do; the unsupported-SD refusal always applies."""
    if not isinstance(sc, dict) or sc.get("kind") != KIND:
        raise InputError("expected a ScrapeConfig", field="kind")
    # The operator sets the type information on every selected object (k8s.AddTypeInformationToObject), which
    # excludedFromEnforcement matches against.
    sc = dict(sc)
    sc["apiVersion"] = _s(sc.get("apiVersion")) or API_VERSION
    r.begin(sc)
    if check:
        _check(r, sc)
    else:
        _check_sd_keys(r, _d(sc.get("spec")))
    return _generate(r, sc)
