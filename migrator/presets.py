"""Ready-made monitors for well-known software, generated from the data in rules/.

The Istio presets are the three monitors of the standard Istio +
kube-prometheus-stack setup (Envoy sidecars, istiod, gateways) and the
IstioOperator fragment that turns Istio's standard metrics on. Each lives in
rules/istio/*.yaml as a template with a description and an example (its
output for default parameters); see rules/README.md.

Substitution is deliberately dumb and safe: the template is loaded with a safe
YAML loader, then every string scalar is scanned for ``${name}``. A scalar that
is exactly one placeholder is replaced by the parameter's value, whatever its
type (a mapping for labels, a list for gateway names); a value of None removes
the mapping key (or list item) altogether. A placeholder inside a longer
string is replaced by the value's text (strings only). Inserted values are not
scanned again, mapping keys are never substituted, nothing is evaluated, and
an unknown placeholder is an error.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import yaml

from migrator.errors import InputError
from migrator.paths import rules_dir
from migrator.relabel.duration import operator_duration_problem, parse_duration

#: The Istio monitors, in output order.
ISTIO_COMPONENTS: tuple[str, ...] = ("sidecars", "istiod", "gateways")
#: The component name of the IstioOperator fragment.
MESH_CONFIG = "mesh-config"

DEFAULT_LABELS = {"release": "kube-prometheus-stack"}

_DNS1123_LABEL_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS1123_SUBDOMAIN_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_QUALIFIED_NAME_RE = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_PLACEHOLDER_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass
class IstioOptions:
    """Parameters of `migrator generate istio` (defaults: the guide's setup)."""

    namespace: str = "monitoring"
    labels: dict = field(default_factory=lambda: dict(DEFAULT_LABELS))
    istio_namespace: str = "istio-system"
    interval: str = "15s"
    only: set[str] = field(default_factory=lambda: set(ISTIO_COMPONENTS))
    egress: bool = True
    with_mesh_config: bool = False


# --------------------------------------------------------------------------- validation


def parse_duration_ms(text: str) -> int:
    """A monitor's interval (the CRDs' Duration, not empty) in milliseconds; InputError if malformed."""
    problem = operator_duration_problem(text) if text != "" else "expected a Prometheus duration such as 15s"
    if problem is not None:
        raise InputError(f"invalid duration {text!r}: {problem}")
    return parse_duration(text)


def _check_interval(text: Any) -> None:
    try:
        ms = parse_duration_ms(text)
    except InputError as err:
        raise InputError(err.message, field="--interval") from None
    if ms == 0:
        raise InputError(f"invalid interval {text!r}: must be greater than zero", field="--interval")


def _check_namespace(text: Any, option: str) -> None:
    if not isinstance(text, str) or not text:
        raise InputError("a namespace name must not be empty", field=option)
    if len(text) > 63 or not _DNS1123_LABEL_RE.match(text):
        raise InputError(f"invalid namespace {text!r}: must be a DNS-1123 label (at most 63 "
                         "characters: lower-case letters, digits and '-', starting and ending "
                         "with a letter or digit)", field=option)


def check_label_key(key: Any) -> None:
    """InputError unless key is a valid Kubernetes label key ([prefix/]name)."""
    if not isinstance(key, str) or not key:
        raise InputError("a label key must not be empty", field="--label")
    prefix, slash, name = key.rpartition("/")
    if slash:
        if not prefix or len(prefix) > 253 or not _DNS1123_SUBDOMAIN_RE.match(prefix):
            raise InputError(f"invalid label key {key!r}: the prefix before '/' must be a DNS-1123 "
                             "subdomain (lower-case, e.g. example.com)", field="--label")
    if not name or len(name) > 63 or not _QUALIFIED_NAME_RE.match(name):
        raise InputError(f"invalid label key {key!r}: the name must be at most 63 characters of "
                         "letters, digits, '-', '_' and '.', starting and ending with a letter "
                         "or digit", field="--label")


def check_label_value(key: str, value: Any) -> None:
    """InputError unless value is a valid Kubernetes label value (may be empty)."""
    if not isinstance(value, str):
        raise InputError(f"invalid value for label {key!r}: {value!r} is not a string",
                         field="--label")
    if value and (len(value) > 63 or not _QUALIFIED_NAME_RE.match(value)):
        raise InputError(f"invalid value {value!r} for label {key!r}: must be empty or at most 63 "
                         "characters of letters, digits, '-', '_' and '.', starting and ending "
                         "with a letter or digit", field="--label")


def parse_label(text: str) -> tuple[str, str]:
    """"key=value" -> (key, value), both checked against Kubernetes label syntax."""
    if not isinstance(text, str) or "=" not in text:
        raise InputError(f"invalid label {text!r}: expected KEY=VALUE, e.g. release=kube-prometheus-stack",
                         field="--label")
    key, _, value = text.partition("=")
    check_label_key(key)
    check_label_value(key, value)
    return key, value


def _check_only(only: Any) -> set[str]:
    if isinstance(only, str):
        only = [p.strip() for p in only.split(",") if p.strip()]
    try:
        names = set(only)
    except TypeError:
        raise InputError(f"invalid --only {only!r}: expected names among "
                         f"{', '.join(ISTIO_COMPONENTS)}", field="--only") from None
    unknown = sorted(str(n) for n in names - set(ISTIO_COMPONENTS))
    if unknown:
        raise InputError(f"unknown component{'s' if len(unknown) > 1 else ''} "
                         f"{', '.join(repr(u) for u in unknown)}: choose among "
                         f"{', '.join(ISTIO_COMPONENTS)}", field="--only")
    if not names:
        raise InputError("nothing to generate: name at least one of "
                         f"{', '.join(ISTIO_COMPONENTS)}", field="--only")
    return names


def validate_options(opts: IstioOptions) -> None:
    """Raise InputError with a clear message for the first bad parameter."""
    _check_namespace(opts.namespace, "--namespace")
    _check_namespace(opts.istio_namespace, "--istio-namespace")
    _check_interval(opts.interval)
    if opts.labels is not None and not isinstance(opts.labels, dict):
        raise InputError("labels must be a mapping of label keys to values", field="--label")
    for key, value in (opts.labels or {}).items():
        check_label_key(key)
        check_label_value(key, value)
    _check_only(opts.only)
    if not isinstance(opts.egress, bool):
        raise InputError(f"egress must be true or false, not {opts.egress!r}", field="--no-egress")


# --------------------------------------------------------------------------- templates


@dataclass(frozen=True)
class Preset:
    """One rules/<group>/*.yaml file."""

    name: str
    component: str
    description: str
    parameters: dict
    template: Any
    example: Any
    path: Path


_REQUIRED_KEYS = ("name", "component", "description", "template", "example")


def load_preset(path: Path) -> Preset:
    """Read and check the shape of one preset file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"cannot read preset: {exc}", file=str(path)) from None
    if not isinstance(data, dict):
        raise InputError("a preset file must be a mapping", file=str(path))
    missing = [k for k in _REQUIRED_KEYS if k not in data]
    if missing:
        raise InputError(f"preset file lacks {', '.join(missing)}", file=str(path))
    params = data.get("parameters") or {}
    if not isinstance(params, dict):
        raise InputError("parameters must be a mapping", file=str(path), field="parameters")
    return Preset(name=str(data["name"]), component=str(data["component"]),
                  description=str(data["description"]), parameters=params,
                  template=data["template"], example=data["example"], path=path)


def preset_dir(group: str = "istio") -> Path:
    return rules_dir() / group


@lru_cache(maxsize=8)
def _presets(directory: str) -> dict[str, Preset]:
    path = Path(directory)
    if not path.is_dir():
        raise InputError("preset directory not found (is migrator installed with its rules/?)",
                         file=str(path))
    out: dict[str, Preset] = {}
    for f in sorted(path.glob("*.yaml")):
        preset = load_preset(f)
        if preset.component in out:
            raise InputError(f"component {preset.component!r} is defined twice "
                             f"(also in {out[preset.component].path.name})", file=str(f))
        out[preset.component] = preset
    return out


def istio_presets() -> dict[str, Preset]:
    """The Istio preset files by component: sidecars, istiod, gateways, mesh-config."""
    presets = _presets(str(preset_dir("istio")))
    for comp in ISTIO_COMPONENTS + (MESH_CONFIG,):
        if comp not in presets:
            raise InputError(f"no preset for component {comp!r}", file=str(preset_dir("istio")))
    return presets


_DROP = object()


def substitute(node: Any, params: dict[str, Any], *, where: str = "template") -> Any:
    """A deep copy of node with every ``${name}`` string scalar filled in from params."""

    def fill(value: Any, path: str) -> Any:
        if isinstance(value, dict):
            out = {}
            for k, v in value.items():
                new = fill(v, f"{path}.{k}")
                if new is not _DROP:
                    out[k] = new
            return out
        if isinstance(value, list):
            return [new for i, v in enumerate(value) if (new := fill(v, f"{path}[{i}]")) is not _DROP]
        if not isinstance(value, str) or "${" not in value:
            return value
        names = _PLACEHOLDER_RE.findall(value)
        for name in names:
            if name not in params:
                raise InputError(f"unknown placeholder ${{{name}}}", file=where, field=path)
        whole = _PLACEHOLDER_RE.fullmatch(value)
        if whole:
            new = params[whole[1]]
            return _DROP if new is None else copy.deepcopy(new)

        def text(m: re.Match) -> str:
            v = params[m[1]]
            if not isinstance(v, str):
                raise InputError(f"placeholder ${{{m[1]}}} inside a string needs a string value",
                                 file=where, field=path)
            return v

        result = _PLACEHOLDER_RE.sub(text, value)
        if "${" in _PLACEHOLDER_RE.sub("", value):
            raise InputError(f"malformed placeholder in {value!r}", file=where, field=path)
        return result

    result = fill(node, "")
    return None if result is _DROP else result


def istio_parameters(opts: IstioOptions) -> dict[str, Any]:
    """The template parameters for opts (labels None when empty: the key is left out)."""
    return {
        "namespace": opts.namespace,
        "labels": dict(opts.labels) if opts.labels else None,
        "istio_namespace": opts.istio_namespace,
        "interval": opts.interval,
        "gateways": ["ingressgateway", "egressgateway"] if opts.egress else ["ingressgateway"],
    }


def istio_monitors(opts: IstioOptions) -> list[dict]:
    """The selected Istio monitors for opts, ordered sidecars, istiod, gateways."""
    validate_options(opts)
    only = _check_only(opts.only)
    presets = istio_presets()
    params = istio_parameters(opts)
    return [substitute(presets[c].template, params, where=str(presets[c].path))
            for c in ISTIO_COMPONENTS if c in only]


def mesh_config_fragment() -> dict:
    """The IstioOperator fragment: spec.meshConfig.defaultProviders.metrics: [prometheus]."""
    preset = istio_presets()[MESH_CONFIG]
    return substitute(preset.template, {}, where=str(preset.path))


def check_examples(presets: Iterable[Preset] | None = None) -> list[str]:
    """Problems found when each preset's template is filled with its declared defaults and
    compared with its example ([] when every file documents itself correctly)."""
    problems = []
    for preset in presets if presets is not None else istio_presets().values():
        defaults = {k: (v or {}).get("default") if isinstance(v, dict) else None
                    for k, v in preset.parameters.items()}
        try:
            got = substitute(preset.template, defaults, where=str(preset.path))
        except InputError as err:
            problems.append(str(err))
            continue
        if got != preset.example:
            problems.append(f"{preset.path}: the template with default parameters differs from "
                            "the example")
    return problems
