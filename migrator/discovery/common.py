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
from migrator.version import Version

from .selectors import FieldSelector, LabelSelector, parse_field_selector, parse_label_selector

META = "__meta_kubernetes_"
NAMESPACE_LABEL = META + "namespace"
ADDRESS = "__address__"
PRESENT = "true"

ROLES = ("pod", "service", "endpoints", "endpointslice", "node", "ingress")

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
    """A port number as Go decodes it (missing -> 0); lenient about strings."""
    if isinstance(v, bool) or v is None:
        return 0
    if isinstance(v, int):
        return v
    try:
        return int(str(v).strip())
    except ValueError:
        try:
            return int(float(str(v)))
        except ValueError:
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


#: Selector roles each SD role accepts (kubernetes.go allowedSelectors).
ALLOWED_SELECTORS = {
    "pod": ("pod", "node"),
    "service": ("service",),
    "endpointslice": ("pod", "service", "endpointslice"),
    "endpoints": ("pod", "service", "endpoints"),
    "node": ("node",),
    "ingress": ("ingress",),
}
ATTACH_KEYS = {"node": (2, 0), "namespace": (3, 6), "deployment": (3, 11), "job": (3, 11), "cronjob": (3, 11)}

#: kind each selector role filters
SELECTOR_KIND = {"pod": "Pod", "service": "Service", "endpoints": "Endpoints", "endpointslice": "EndpointSlice",
                 "node": "Node", "ingress": "Ingress"}


def _bool(v: Any, fieldname: str) -> bool:
    if v is None:
        return False
    if isinstance(v, bool):
        return v
    raise InputError(f"must be true or false, not {v!r}", field=fieldname)


def parse_sd_config(sd: Any, features: Features) -> SDConfig:
    """Read and check a kubernetes_sd_configs entry as Prometheus does when it loads the config."""
    if not isinstance(sd, dict):
        raise InputError("a kubernetes_sd_configs entry must be a mapping", field="kubernetes_sd_configs")
    role = sd.get("role")
    if role is None or role == "":
        raise InputError("role missing (one of: pod, service, endpoints, endpointslice, node, ingress)",
                         field="role")
    if not isinstance(role, str) or role not in ROLES:
        hint = " (VictoriaMetrics spelling; Prometheus calls it endpointslice)" if role == "endpointslices" else ""
        raise InputError(f"unknown Kubernetes SD role {role!r}{hint}; expected one of: "
                         "pod, service, endpoints, endpointslice, node, ingress", field="role")
    cfg = SDConfig(role=role)

    ns = sd.get("namespaces")
    if ns is not None:
        if not isinstance(ns, dict):
            raise InputError("must be a mapping with names and own_namespace", field="namespaces")
        names = ns.get("names")
        if names is not None:
            if not isinstance(names, list):
                raise InputError("must be a list of namespace names", field="namespaces.names")
            cfg.names = [text(n) for n in names]
        cfg.own_namespace = _bool(ns.get("own_namespace"), "namespaces.own_namespace")

    am = sd.get("attach_metadata")
    if am is not None:
        if not isinstance(am, dict):
            raise InputError("must be a mapping", field="attach_metadata")
        for key, value in am.items():
            if key not in ATTACH_KEYS:
                raise InputError(f"unknown field {key!r}", field=f"attach_metadata.{key}")
            need = ATTACH_KEYS[key]
            if not features.at_least(*need):
                raise InputError(f"attach_metadata.{key} needs Prometheus {need[0]}.{need[1]}.0 or later "
                                 f"(this is {features.version}); Prometheus {features.version} refuses the field",
                                 field=f"attach_metadata.{key}")
            setattr(cfg, f"attach_{key}", _bool(value, f"attach_metadata.{key}"))

    sels = sd.get("selectors")
    if sels is not None:
        if not isinstance(sels, list):
            raise InputError("must be a list", field="selectors")
        allowed = ALLOWED_SELECTORS[role]
        if role == "pod" and not features.pod_node_selectors:
            allowed = ("pod",)
        for i, sel in enumerate(sels):
            where = f"selectors[{i}]"
            if not isinstance(sel, dict):
                raise InputError("must be a mapping with role, label and field", field=where)
            srole = text(sel.get("role"))
            if srole in cfg.selectors:
                raise InputError(f"duplicated selector role: {srole}", field=f"{where}.role")
            if srole not in allowed:
                raise InputError(f"{role} role supports only {', '.join(allowed)} selectors", field=f"{where}.role")
            label_text, field_text = text(sel.get("label")), text(sel.get("field"))
            try:
                fsel = parse_field_selector(field_text, SELECTOR_KIND[srole])
            except ValueError as exc:
                raise InputError(str(exc), field=f"{where}.field") from None
            try:
                lsel = parse_label_selector(label_text)
            except ValueError as exc:
                raise InputError(str(exc), field=f"{where}.label") from None
            cfg.selectors[srole] = Selector(lsel, fsel, label_text, field_text)
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
