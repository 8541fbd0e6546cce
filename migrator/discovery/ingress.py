"""Role ``ingress``: one group per ingress, one target per rule path."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .common import ADDRESS, META, NAMESPACE_LABEL, Context, add_object_meta, lst, m, name_of, namespace_of, s, text

if TYPE_CHECKING:
    from . import TargetGroup


def matches_hostname_pattern(pattern: str, host: str) -> bool:
    """A TLS host covers a rule host: equal, or ``*.rest`` with the same number of parts and equal rest."""
    if pattern == host:
        return True
    pp, hp = pattern.split("."), host.split(".")
    if not pp or pp[0] != "*" or len(pp) != len(hp):
        return False
    return pp[1:] == hp[1:]


def rule_paths(rule: dict) -> list[str]:
    """``/`` when the rule has no http; else each path ("" -> "/"); http without paths -> none."""
    http = rule.get("http")
    if http is None:
        return ["/"]
    return [s(p, "path") or "/" for p in lst(http, "paths") if isinstance(p, dict)]


def build_ingress(ing: dict, ctx: Context) -> "TargetGroup":
    from . import TargetGroup

    ns, name = namespace_of(ing), name_of(ing)
    spec = m(ing, "spec")
    labels: dict[str, str] = {NAMESPACE_LABEL: ns}
    cls = spec.get("ingressClassName")
    if cls is not None:
        labels[META + "ingress_class_name"] = text(cls)
    add_object_meta(labels, ing, "ingress")
    if ctx.cfg.attach_namespace:
        labels.update(ctx.namespace_meta(ns))
    tg = TargetGroup(f"ingress/{ns}/{name}", [], labels)
    tls_hosts = [text(h) for t in lst(spec, "tls") if isinstance(t, dict) for h in lst(t, "hosts")]
    for rule in lst(spec, "rules"):
        if not isinstance(rule, dict):
            continue
        host = s(rule, "host")
        scheme = "https" if any(matches_hostname_pattern(p, host) for p in tls_hosts) else "http"
        for path in rule_paths(rule):
            tg.targets.append({ADDRESS: host, META + "ingress_scheme": scheme, META + "ingress_host": host,
                               META + "ingress_path": path})
    return tg


def discover_ingresses(ctx: Context) -> list["TargetGroup"]:
    assert ctx.main is not None
    return [build_ingress(i, ctx) for i in ctx.main.list()]
