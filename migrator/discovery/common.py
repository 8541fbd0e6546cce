"""Conventions every Kubernetes SD role shares.

Label-name sanitising, ``*_label_* / *_labelpresent_*`` metadata, host:port
joining, lenient field access on API objects, the version feature gates, the
parsed ``kubernetes_sd_config``, and scoped, selector-filtered views of the
inventory (what Prometheus's informers would hold).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from migrator.errors import InputError
from migrator.inventory import Inventory
from migrator.relabel.rules import _go_quote
from migrator.scrapeconfig import KUBERNETES_SD
from migrator.sources import dotted
from migrator.version import Version

from .selectors import (FieldSelector, LabelSelector, UnsupportedField, parse_field_selector,
                        parse_label_selector)

META = "__meta_kubernetes_"
NAMESPACE_LABEL = META + "namespace"
ADDRESS = "__address__"
PRESENT = "true"

#: The Kubernetes SD roles (kubernetes.go Role) and the kind of object each lists: the one list every
#: command uses (discovery, the scrape config reader, render, migrate).
ROLE_KIND = {"pod": "Pod", "service": "Service", "endpoints": "Endpoints", "endpointslice": "EndpointSlice",
             "node": "Node", "ingress": "Ingress"}
ROLES = tuple(ROLE_KIND)
#: The first release with each role newer than the oldest release migrator models.
ROLE_SINCE = {"endpointslice": Version(2, 21, 0)}

# -- lenient access to API objects ------------------------------------------------------------


def m(obj: Any, key: str) -> dict:
    """obj[key] if it is a mapping, else {}."""
    if isinstance(obj, dict):
        v = obj.get(key)
        if isinstance(v, dict):
            return v
    return {}


def lst(obj: Any, key: str) -> list:
    """obj[key] if it is a list, else []."""
    if isinstance(obj, dict):
        v = obj.get(key)
        if isinstance(v, list):
            return v
    return []


def text(v: Any) -> str:
    """A scalar as the Go string it decodes to (None -> "")."""
    if isinstance(v, str):
        return v
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def s(obj: Any, key: str) -> str:
    """obj[key] as a string ("" when missing or null)."""
    if isinstance(obj, dict):
        v = obj.get(key)
        return v if isinstance(v, str) else text(v)
    return ""


def opt(obj: Any, key: str) -> str | None:
    """obj[key] as a string, or None when missing or null (a Go *string)."""
    if not isinstance(obj, dict):
        return None
    v = obj.get(key)
    if v is None or isinstance(v, str):
        return v
    return text(v)


def num(v: Any) -> int:
    """A port number as Go decodes it (missing -> 0).

    Inventories read from files are checked when loaded (inventory.py refuses a port that is not an
    integer in range, as the API server would), so anything else only comes from objects built in
    code: read leniently, never raising.
    """
    if isinstance(v, bool) or v is None:
        return 0
    if isinstance(v, int):
        return v
    try:
        return int(str(v).strip())
    except ValueError:
        try:
            return int(float(str(v)))
        except (ValueError, OverflowError):
            return 0


def opt_num(obj: Any, key: str) -> int | None:
    v = obj.get(key) if isinstance(obj, dict) else None
    return None if v is None else num(v)


def opt_bool(obj: Any, key: str) -> bool | None:
    """A Go *bool: None when missing; "true"/"false" strings accepted."""
    v = obj.get(key) if isinstance(obj, dict) else None
    if v is None:
        return None
    if isinstance(v, str):
        return v.strip().lower() == "true"
    return bool(v)


def meta(obj: Any) -> dict:
    return m(obj, "metadata")


def name_of(obj: Any) -> str:
    return s(meta(obj), "name")


def namespace_of(obj: Any) -> str:
    ns = s(meta(obj), "namespace")
    return ns or "default"


def str_map(obj: Any, key: str) -> dict[str, str]:
    """A map[string]string field (labels, annotations, topology)."""
    d = m(obj, key)
    if not d:
        return {}
    try:  # all names and values str already (text() returns them as they are): a plain copy
        "".join(d)
        "".join(d.values())
    except TypeError:
        return {text(k): text(v) for k, v in d.items()}
    return dict(d)


def controller_of(obj: Any) -> dict | None:
    """The first ownerReference with controller: true (metav1.GetControllerOf)."""
    for ref in lst(meta(obj), "ownerReferences"):
        if isinstance(ref, dict) and opt_bool(ref, "controller"):
            return ref
    return None


# -- label conventions ------------------------------------------------------------------------

_INVALID = re.compile(r"[^a-zA-Z0-9_]")


@lru_cache(maxsize=65536)
def sanitize(name: str) -> str:
    """strutil.SanitizeLabelName: every code point outside [A-Za-z0-9_] becomes one '_'."""
    return _INVALID.sub("_", name)


def join_host_port(host: str, port: int | str) -> str:
    """net.JoinHostPort: brackets around hosts that contain ':'."""
    if ":" in host:
        return f"[{host}]:{port}"
    return f"{host}:{port}"


#: (resource, "label" | "annotation", the map's items) -> the labels they give. Pure: keyed by
#: content, so equal maps of different objects (or jobs) share one entry; values only read.
_expanded: dict[tuple, dict[str, str]] = {}


def _add_map(ls: dict[str, str], obj: dict, key: str, resource: str, what: str) -> None:
    """The ``<resource>_<what>_<k>`` / ``_<what>present_<k>`` pair for each entry of obj[key]."""
    d = m(obj, key)
    if not d:
        return
    try:
        "".join(d)
        "".join(d.values())
    except TypeError:  # not all str: no caching
        _expand_into(ls, str_map(obj, key), resource, what)
        return
    ck = (resource, what, tuple(d.items()))
    exp = _expanded.get(ck)
    if exp is None:
        exp = {}
        _expand_into(exp, d, resource, what)
        if len(_expanded) >= 100_000:
            _expanded.clear()
        _expanded[ck] = exp
    ls.update(exp)  # same keys, order and final values as writing them one by one


def _expand_into(ls: dict[str, str], d: dict[str, str], resource: str, what: str) -> None:
    pre, present = f"{META}{resource}_{what}_", f"{META}{resource}_{what}present_"
    for k, v in d.items():
        ln = sanitize(k)
        ls[pre + ln] = v
        ls[present + ln] = PRESENT


def add_labels_annotations(ls: dict[str, str], obj: Any, resource: str, *,
                           labels: bool = True, annotations: bool = True) -> None:
    """``<resource>_label_<k>``/``_labelpresent_<k>`` and the annotation pair, for obj's metadata."""
    md = meta(obj)
    if labels:
        _add_map(ls, md, "labels", resource, "label")
    if annotations:
        _add_map(ls, md, "annotations", resource, "annotation")


def add_object_meta(ls: dict[str, str], obj: Any, resource: str, *, annotations: bool = True) -> None:
    """addObjectMetaLabels: ``<resource>_name`` plus labels and annotations."""
    ls[f"{META}{resource}_name"] = name_of(obj)
    add_labels_annotations(ls, obj, resource, annotations=annotations)


# -- versions -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Features:
    """What a Prometheus version's Kubernetes SD does (None = latest main, 3.x)."""

    version: Version | None = None

    def at_least(self, major: int, minor: int, patch: int = 0) -> bool:
        if self.version is None:
            return True
        return (self.version.major, self.version.minor, self.version.patch) >= (major, minor, patch)

    @property
    def attach_node_via_target_ref(self) -> bool:  # 2f35619710
        return self.at_least(2, 45)

    @property
    def unified_metadata(self) -> bool:  # 866fa25b20: endpoints annotations, slice labels, node annotations
        return self.at_least(2, 46)

    @property
    def skip_extras_without_pod_ip(self) -> bool:  # d542483e8c
        return self.at_least(2, 46)

    @property
    def slice_node_name_zone(self) -> bool:  # 7704cde4ea
        return self.at_least(2, 52)

    @property
    def init_containers_in_endpoints(self) -> bool:  # a10dc9298e (sidecars), also pod_container_init
        return self.at_least(3, 0)

    @property
    def v1beta1_apis(self) -> bool:  # 145988d48f removed EndpointSlice/Ingress v1beta1
        return not self.at_least(3, 0)

    @property
    def attach_namespace(self) -> bool:  # c2d6e528e4, a9f6fdd910
        return self.at_least(3, 6)

    @property
    def pod_owner_metadata(self) -> bool:  # 228b94f6eb: deployment, job, cronjob
        return self.at_least(3, 11)

    @property
    def pod_node_selectors(self) -> bool:  # 99e464c239, with empty groups for pods on unknown nodes
        return self.at_least(3, 11)

    @property
    def dual_stack_dedup(self) -> bool:  # a87b603464
        return self.at_least(3, 11)

    @property
    def node_conditions(self) -> bool:  # 7260801724
        return self.at_least(3, 12)

    @property
    def loadbalancer_status_ips(self) -> bool:  # 6cb11890aa, on main after 3.14.0 (not in a release)
        return self.at_least(3, 15)


# -- the sd config ----------------------------------------------------------------------------


@dataclass
class Selector:
    label: LabelSelector
    field: FieldSelector
    label_text: str = ""
    field_text: str = ""

    def matches(self, obj: dict, kind: str) -> bool:
        return self.label.matches(str_map(meta(obj), "labels")) and self.field.matches(obj, kind)


@dataclass
class SDConfig:
    role: str
    names: list[str] = field(default_factory=list)
    own_namespace: bool = False
    selectors: dict[str, Selector] = field(default_factory=dict)
    attach_node: bool = False
    attach_namespace: bool = False
    attach_deployment: bool = False
    attach_job: bool = False
    attach_cronjob: bool = False

    def namespaces(self, own_namespace: str) -> list[str]:
        """Discovery.getNamespaces: "" means all namespaces."""
        if not self.names and not self.own_namespace:
            return [""]
        if self.own_namespace and own_namespace != "":
            return self.names + [own_namespace]
        return list(self.names)


#: Selector roles each SD role accepts (kubernetes.go allowedSelectors); the pod role's node
#: selectors come with 3.11 (Features.pod_node_selectors).
ALLOWED_SELECTORS = {
    "pod": ("pod", "node"),
    "service": ("service",),
    "endpointslice": ("pod", "service", "endpointslice"),
    "endpoints": ("pod", "service", "endpoints"),
    "node": ("node",),
    "ingress": ("ingress",),
}
#: attach_metadata (2.35+) keys, each with the release that added it.
ATTACH_KEYS = {"node": Version(2, 35, 0), "namespace": Version(3, 6, 0), "deployment": Version(3, 11, 0),
               "job": Version(3, 11, 0), "cronjob": Version(3, 11, 0)}
_ATTACH_SINCE = Version(2, 35, 0)
#: The fields of kubernetes_sd_config itself; the others in scrapeconfig.KUBERNETES_SD are the HTTP client's.
_OWN_FIELDS = ("role", "api_server", "kubeconfig_file", "namespaces", "selectors", "attach_metadata")
#: config.DefaultHTTPClientConfig's values that are not the zero value.
_HTTP_DEFAULTS = {"follow_redirects": True, "enable_http2": True}


@dataclass(frozen=True)
class SDProblem:
    """Why Prometheus (or, with ``load_time`` False, the API server it watches) refuses an entry."""

    path: tuple  # inside the kubernetes_sd_configs entry (or list): ("selectors", 0, "role")
    message: str
    load_time: bool = True  # False: Prometheus loads the config, its list/watch calls are refused

    @property
    def field(self) -> str:
        return dotted(self.path)

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.path else self.message


def _since(version: Version | None, first: Version | None) -> bool:
    return first is None or version is None or not version < first


def roles(version: Version | str | None = None) -> tuple[str, ...]:
    """The roles the release knows (None: the newest)."""
    v = _version(version)
    return tuple(r for r in ROLES if _since(v, ROLE_SINCE.get(r)))


def _version(version: Version | str | Features | None) -> Version | None:
    if isinstance(version, Features):
        return version.version
    if isinstance(version, str):
        return Version.parse(version)
    return version


def _yaml_tag(v: Any) -> str:
    return {bool: "!!bool", int: "!!int", float: "!!float", str: "!!str", dict: "!!map", list: "!!seq",
            type(None): "!!null"}.get(type(v), "!!str")


def _cannot(v: Any, go_type: str) -> str:
    """yaml.v2's type error ("cannot unmarshal !!str `x` into bool"), long values cut as it cuts them."""
    tag = _yaml_tag(v)
    if tag in ("!!map", "!!seq"):
        return f"cannot unmarshal {tag} into {go_type}"
    t = text(v)
    return f"cannot unmarshal {tag} `{t[:7] + '...' if len(t) > 10 else t}` into {go_type}"


class _Reader:
    """One kubernetes_sd_configs entry read as SDConfig.UnmarshalYAML reads it, every problem kept."""

    def __init__(self, version: Version | None):
        self.version = version
        self.problems: list[SDProblem] = []
        self.seen: set[str] = set()  # selector roles

    def add(self, path: tuple, message: str, load_time: bool = True) -> None:
        self.problems.append(SDProblem(path, message, load_time))

    def string(self, v: Any, path: tuple, go_type: str = "string") -> str | None:
        """A scalar as yaml.v2 decodes it into a Go string (null: ""); None after a problem."""
        if isinstance(v, (dict, list)):
            self.add(path, _cannot(v, go_type))
            return None
        return text(v)

    def boolean(self, v: Any, path: tuple) -> bool:
        if v is None or isinstance(v, bool):
            return bool(v)
        self.add(path, _cannot(v, "bool"))
        return False

    def fields(self, value: dict, allowed: Any, go_type: str, path: tuple) -> None:
        for k in value:
            if k not in allowed:
                self.add(path + (k,), f"field {k} not found in type {go_type}")

    def role(self, v: Any, path: tuple) -> str | None:
        """A Role: a string, one of the release's roles (Role.UnmarshalYAML)."""
        if isinstance(v, (dict, list)):
            self.add(path, _cannot(v, "string") + " (a role is one of: " + ", ".join(roles(self.version)) + ")")
            return None
        s = text(v)
        if s not in roles(self.version):
            hint = ""
            near = next((r for r in roles(self.version) if s.lower() in (r, r + "s")), None)
            if s in ROLES:
                hint = f" (new in Prometheus {ROLE_SINCE[s]}; this is {self.version})"
            elif s == "endpointslices":
                hint = " (VictoriaMetrics spelling; Prometheus calls it endpointslice)"
            elif near:
                hint = f" (did you mean {near}?)"
            self.add(path, f"unknown Kubernetes SD role {_go_quote(s)}{hint}")
            return None
        return s

    def read(self, sd: Any) -> SDConfig | None:
        if sd is None:
            self.add((), "empty or null section in kubernetes_sd_configs")
            return None
        if not isinstance(sd, dict):
            self.add((), _cannot(sd, "kubernetes.plain") + " (a kubernetes_sd_configs entry must be a mapping)")
            return None
        v = self.version
        self.fields(sd, KUBERNETES_SD, "kubernetes.plain", ())
        role = None
        if sd.get("role") is None:
            self.add(("role",), "role missing (one of: " + ", ".join(roles(v)) + ")")
        else:
            role = self.role(sd["role"], ("role",))
        cfg = SDConfig(role=role or "")

        api_server = sd.get("api_server")
        if api_server is not None:
            self.string(api_server, ("api_server",))
        kubeconfig = self.string(sd.get("kubeconfig_file"), ("kubeconfig_file",)) or ""

        ns = sd.get("namespaces")
        if ns is not None:
            if not isinstance(ns, dict):
                self.add(("namespaces",), _cannot(ns, "kubernetes.plain")
                         + " (namespaces must be a mapping with names and own_namespace)")
            else:
                self.fields(ns, ("names", "own_namespace"), "kubernetes.plain", ("namespaces",))
                names = ns.get("names")
                if names is not None:
                    if not isinstance(names, list):
                        self.add(("namespaces", "names"), _cannot(names, "[]string"))
                    else:
                        for i, n in enumerate(names):
                            name = self.string(n, ("namespaces", "names", i))
                            if name is not None:
                                cfg.names.append(name)
                cfg.own_namespace = self.boolean(ns.get("own_namespace"), ("namespaces", "own_namespace"))

        am = sd.get("attach_metadata")
        if am is not None:
            if not _since(v, _ATTACH_SINCE):
                self.add(("attach_metadata",), "field attach_metadata not found in type kubernetes.plain "
                         f"(new in Prometheus {_ATTACH_SINCE}; this is {v})")
            elif not isinstance(am, dict):
                self.add(("attach_metadata",), _cannot(am, "kubernetes.AttachMetadataConfig"))
            else:
                for key, value in am.items():
                    first = ATTACH_KEYS.get(key)
                    if first is None or not _since(v, first):
                        hint = f" (new in Prometheus {first}; this is {v})" if first is not None else ""
                        self.add(("attach_metadata", key),
                                 f"field {key} not found in type kubernetes.AttachMetadataConfig{hint}")
                        continue
                    setattr(cfg, f"attach_{key}", self.boolean(value, ("attach_metadata", key)))

        # SDConfig.UnmarshalYAML's checks, in its order
        custom_http = any(not _is_default(v_, _HTTP_DEFAULTS.get(k)) for k, v_ in sd.items()
                          if k in KUBERNETES_SD and k not in _OWN_FIELDS)
        if api_server is not None and kubeconfig != "":
            self.add(("kubeconfig_file",), "cannot use 'kubeconfig_file' and 'api_server' simultaneously")
        if kubeconfig != "" and custom_http:
            self.add((), "cannot use a custom HTTP client configuration together with 'kubeconfig_file'")
        if api_server is None and custom_http:
            self.add((), "to use custom HTTP client configuration please provide the 'api_server' URL explicitly")
        if api_server is not None and cfg.own_namespace:
            self.add(("namespaces", "own_namespace"),
                     "cannot use 'api_server' and 'namespaces.own_namespace' simultaneously")
        if kubeconfig != "" and cfg.own_namespace:
            self.add(("namespaces", "own_namespace"),
                     "cannot use 'kubeconfig_file' and 'namespaces.own_namespace' simultaneously")

        sels = sd.get("selectors")
        if sels is not None:
            if not isinstance(sels, list):
                self.add(("selectors",), _cannot(sels, "[]kubernetes.SelectorConfig"))
            else:
                for i, sel in enumerate(sels):
                    self.selector(cfg, role, sel, ("selectors", i))
        return cfg

    def selector(self, cfg: SDConfig, role: str | None, sel: Any, where: tuple) -> None:
        if sel is None:
            sel = {}
        if not isinstance(sel, dict):
            self.add(where, _cannot(sel, "kubernetes.SelectorConfig"))
            return
        self.fields(sel, ("role", "label", "field"), "kubernetes.SelectorConfig", where)
        label_text = self.string(sel.get("label"), where + ("label",))
        field_text = self.string(sel.get("field"), where + ("field",))
        srole = "" if sel.get("role") is None else self.role(sel["role"], where + ("role",))
        if srole is None:
            return
        if srole in self.seen:
            self.add(where + ("role",), f"duplicated selector role: {srole}")
        self.seen.add(srole)
        if role is not None:
            allowed = ALLOWED_SELECTORS[role]
            if role == "pod" and not Features(self.version).pod_node_selectors:
                allowed = ("pod",)
            if srole not in allowed:
                self.add(where + ("role",), f"{role} role supports only {', '.join(allowed)} selectors")
        fsel = lsel = None
        if field_text is not None:
            try:
                parse_field_selector(field_text, None)  # fields.ParseSelector: the syntax
                fsel = parse_field_selector(field_text, ROLE_KIND.get(srole))
            except UnsupportedField as exc:
                self.add(where + ("field",), str(exc), load_time=False)
            except ValueError as exc:
                self.add(where + ("field",), str(exc))
        if label_text is not None:
            try:
                lsel = parse_label_selector(label_text)
            except ValueError as exc:
                self.add(where + ("label",), str(exc))
        if fsel is not None and lsel is not None and srole not in cfg.selectors:
            cfg.selectors[srole] = Selector(lsel, fsel, label_text, field_text)


def _is_default(value: Any, default: Any = None) -> bool:
    """Whether an HTTP client field leaves config.DefaultHTTPClientConfig as it is (null keeps it)."""
    if value is None:
        return True
    if default is not None:
        return value == default
    if isinstance(value, dict):
        return all(_is_default(v) for v in value.values())
    if isinstance(value, bool):
        return value is False
    return value == "" or value == []


def check_sd_config(sd: Any, version: Version | str | Features | None = None) -> list[SDProblem]:
    """Every reason Prometheus ``version`` (None: the newest) refuses one kubernetes_sd_configs entry
    when it loads the config, each with its path inside the entry; [] when it loads."""
    r = _Reader(_version(version))
    r.read(sd)
    return [p for p in r.problems if p.load_time]


def check_sd_configs(value: Any, version: Version | str | Features | None = None) -> list[SDProblem]:
    """check_sd_config for a whole kubernetes_sd_configs list; paths start with the entry's index."""
    if value is None:
        return []
    if not isinstance(value, list):
        return [SDProblem((), _cannot(value, "[]*kubernetes.SDConfig"))]
    return [SDProblem((i,) + p.path, p.message) for i, sd in enumerate(value)
            for p in check_sd_config(sd, version)]


def parse_sd_config(sd: Any, features: Features) -> SDConfig:
    """Read a kubernetes_sd_configs entry as Prometheus does when it loads the config.

    InputError (field: the path inside the entry) for what check_sd_config reports, every problem,
    and for a field selector the API server refuses (Prometheus would discover nothing for that informer).
    """
    r = _Reader(features.version)
    cfg = r.read(sd)
    if len(r.problems) == 1:
        raise InputError(r.problems[0].message, field=r.problems[0].field or None)
    if r.problems:
        raise InputError("; ".join(str(p) for p in r.problems))
    assert cfg is not None
    return cfg


# -- informer stores --------------------------------------------------------------------------


class Store:
    """What one informer holds: objects of a kind in one namespace ("" = all), passing a selector."""

    __slots__ = ("inv", "kind", "namespace", "selector", "_memo")

    def __init__(self, inv: Inventory, kind: str, namespace: str = "", selector: Selector | None = None):
        self.inv, self.kind, self.namespace, self.selector = inv, kind, namespace, selector
        self._memo: dict[tuple[str, str], dict | None] = {}

    def _ok(self, obj: dict) -> bool:
        return self.selector is None or self.selector.matches(obj, self.kind)

    def get(self, namespace: str, name: str) -> dict | None:
        """GetByKey("<namespace>/<name>"); cluster-scoped kinds ignore namespace."""
        key = (namespace, name)
        if key in self._memo:
            return self._memo[key]
        obj = None
        if not self.namespace or namespace == self.namespace or self.kind in ("Node", "Namespace"):
            cand = self.inv.get(self.kind, namespace, name)
            if cand is not None and self._ok(cand):
                obj = cand
        self._memo[key] = obj
        return obj

    def list(self) -> list[dict]:
        objs = self.inv.list(self.kind, self.namespace)
        if self.selector is None:
            return objs
        return [o for o in objs if self._ok(o)]


@dataclass
class Context:
    """Everything a role builder needs for one namespace's informers."""

    cfg: SDConfig
    features: Features
    inv: Inventory
    namespace: str  # "" = all
    main: Store | None = None  # the role's own objects
    nodes: Store | None = None
    namespaces: Store | None = None
    replicasets: Store | None = None
    jobs: Store | None = None
    pods: Store | None = None
    services: Store | None = None
    pod_labels_cache: dict[int, dict[str, str]] = field(default_factory=dict)

    def node_meta(self, node_name: str | None) -> dict[str, str]:
        """addNodeLabels: node name, labels (and annotations >= 2.46) of a node in the store."""
        if node_name is None or self.nodes is None:
            return {}
        node = self.nodes.get("", node_name)
        if node is None:
            return {}
        ls: dict[str, str] = {}
        if self.features.unified_metadata:
            add_object_meta(ls, node, "node")
        else:
            ls[META + "node_name"] = node_name
            add_labels_annotations(ls, node, "node", annotations=False)
        return ls

    def namespace_meta(self, namespace: str) -> dict[str, str]:
        """addNamespaceLabels: labels and annotations of the namespace object, if in the store."""
        if self.namespaces is None:
            return {}
        ns = self.namespaces.get("", namespace)
        if ns is None:
            return {}
        ls: dict[str, str] = {}
        add_labels_annotations(ls, ns, "namespace")
        return ls
