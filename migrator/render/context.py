"""Everything from the Prometheus custom resource that changes the generated scrape jobs.

Defaults when no CR is given (``RenderContext.from_cr(None)``): Prometheus v3.13.2 (the operator's default at
6adcebc), name ``prometheus``, namespace ``default``, empty spec (1 shard, role ``endpoints``, no scrape
classes, no enforced limits or labels). The cluster is always assumed to support EndpointSlice (operator option
WithEndpointSliceSupport), so ``serviceDiscoveryRole: EndpointSlice`` yields role ``endpointslice`` from
Prometheus 2.21 on.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from migrator.errors import InputError
from migrator.version import DEFAULT_PROMETHEUS_VERSION, Version

DEFAULT_NAME = "prometheus"
DEFAULT_NAMESPACE = "default"


@dataclass
class RenderContext:
    version: Version
    name: str = DEFAULT_NAME
    namespace: str = DEFAULT_NAMESPACE
    spec: dict = field(default_factory=dict)
    shards: int = 1
    scrape_classes: dict[str, dict] = field(default_factory=dict)
    default_scrape_class: str | None = None
    #: the version has a pre-release suffix (e.g. 3.0.0-rc.0): semver orders it before 3.0.0
    prerelease: bool = False

    @classmethod
    def from_cr(cls, cr: dict | None, *, version: str | None = None) -> "RenderContext":
        if cr is None:
            cr = {}
        if not isinstance(cr, dict):
            raise InputError("the Prometheus resource must be a mapping")
        kind = cr.get("kind")
        if kind is not None and kind not in ("Prometheus", "PrometheusAgent"):
            raise InputError(f"expected a Prometheus resource, got kind {kind!r}", field="kind")
        md = cr.get("metadata") if isinstance(cr.get("metadata"), dict) else {}
        spec = cr.get("spec") if isinstance(cr.get("spec"), dict) else {}
        spec = copy.deepcopy(spec)
        vtext = version if version not in (None, "") else spec.get("version")
        raw = str(vtext).strip() if vtext not in (None, "") else DEFAULT_PROMETHEUS_VERSION
        v = Version.parse(raw, field="spec.version")
        prerelease = bool(re.match(r"^v?\d+\.\d+(?:\.\d+)?-", raw))
        if v.major not in (2, 3):
            raise InputError(f"unsupported Prometheus version {v} (the operator supports 2.x and 3.x)",
                             field="spec.version")
        shards = spec.get("shards")
        try:
            shards_n = int(shards) if shards is not None else 1
        except (TypeError, ValueError):
            raise InputError(f"spec.shards must be an integer, got {shards!r}", field="spec.shards") from None
        if shards_n <= 1:
            shards_n = 1
        classes: dict[str, dict] = {}
        default = None
        for i, sc in enumerate(spec.get("scrapeClasses") or []):
            if not isinstance(sc, dict) or not sc.get("name"):
                raise InputError("a scrape class needs a name", field=f"spec.scrapeClasses[{i}].name")
            if sc.get("default") is True:
                if default is not None:
                    raise InputError("multiple default scrape classes defined",
                                     field=f"spec.scrapeClasses[{i}].default")
                default = sc["name"]
            classes[str(sc["name"])] = sc
        return cls(version=v, name=str(md.get("name") or DEFAULT_NAME),
                   namespace=str(md.get("namespace") or DEFAULT_NAMESPACE), spec=spec, shards=shards_n,
                   scrape_classes=classes, default_scrape_class=default, prerelease=prerelease)

    def at_least(self, minimum: str) -> bool:
        """semver GTE against a release version: X.Y.Z-rc.N is below X.Y.Z."""
        m = Version.parse(minimum)
        if self.version == m:
            return not self.prerelease
        return self.version.at_least(minimum)

    # -- accessors for CR fields ----------------------------------------------------------------
    def get(self, key: str, default: Any = None) -> Any:
        v = self.spec.get(key)
        return default if v is None else v

    def scrape_class(self, name: str | None) -> dict:
        """The named scrape class, else the default one, else {} (as getScrapeClassOrDefault)."""
        if name and name in self.scrape_classes:
            return self.scrape_classes[name]
        if self.default_scrape_class and self.default_scrape_class in self.scrape_classes:
            return self.scrape_classes[self.default_scrape_class]
        return {}

    def endpoint_role(self, sdr: str | None) -> str:
        """'endpoints' or 'endpointslice' for a ServiceDiscoveryRole value (EndpointSlice support assumed)."""
        if not self.at_least("2.21.0"):
            return "endpoints"
        return "endpointslice" if (sdr or "Endpoints") == "EndpointSlice" else "endpoints"

    def default_endpoint_role(self) -> str:
        return self.endpoint_role(self.spec.get("serviceDiscoveryRole"))
