#!/usr/bin/env python3
"""Write migrator/schemas/<kind>.json: compact validation schemas derived from the operator CRDs.

Usage: python tools/gen_schemas.py [CRD_DIR] [OUT_DIR]
(defaults: ../shared/crds beside the checkout, and migrator/schemas/).

The CRDs in CRD_DIR (the newest operator) give OUT_DIR/<kind>.json; each CRD_DIR/by-version/vX.Y.Z/ gives
OUT_DIR/by-version/vX.Y.Z/<kind>.json for the kinds it has; OUT_DIR/versions.json names the newest
operator version (the CRDs' operator.prometheus.io/version annotation) and the older ones shipped. Both
are generated at dev time from ../shared and shipped in the package: migrate and render check what an
operator of a given version accepts without any file outside the package.

Only what validation needs is kept (no descriptions, no defaults); every served version is
written, and the storage version is named. The output is deterministic (sorted keys), so a
test can regenerate it and compare byte for byte.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CRDS = REPO.parent / "shared" / "crds"
DEFAULT_OUT = REPO / "migrator" / "schemas"

#: CRD file -> kind; the schema file is the lower-cased kind.
CRD_FILES = {
    "monitoring.coreos.com_podmonitors.yaml": "PodMonitor",
    "monitoring.coreos.com_servicemonitors.yaml": "ServiceMonitor",
    "monitoring.coreos.com_scrapeconfigs.yaml": "ScrapeConfig",
    "monitoring.coreos.com_probes.yaml": "Probe",
}

#: Scalar schema keywords kept as they are.
KEEP = (
    "type", "required", "enum", "pattern", "format",
    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
    "minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties",
    "nullable", "x-kubernetes-int-or-string", "x-kubernetes-preserve-unknown-fields",
    "x-kubernetes-list-type", "x-kubernetes-list-map-keys",
)


def compact(schema: dict) -> dict:
    """The validation-relevant part of one OpenAPI v3 schema node, recursively."""
    out: dict = {}
    for key in KEEP:
        if key in schema:
            out[key] = schema[key]
    if "properties" in schema:
        out["properties"] = {name: compact(sub) for name, sub in schema["properties"].items()}
    if "items" in schema and isinstance(schema["items"], dict):
        out["items"] = compact(schema["items"])
    if "additionalProperties" in schema:
        ap = schema["additionalProperties"]
        out["additionalProperties"] = compact(ap) if isinstance(ap, dict) else ap
    if "anyOf" in schema and not schema.get("x-kubernetes-int-or-string"):
        out["anyOf"] = [compact(s) for s in schema["anyOf"]]
    if "x-kubernetes-validations" in schema:  # CEL rules: kept for the few validate.py knows
        out["x-kubernetes-validations"] = [
            {k: v for k, v in rule.items() if k in ("rule", "message")}
            for rule in schema["x-kubernetes-validations"]]
    return out


def build(crd: dict) -> dict:
    spec = crd["spec"]
    versions = {}
    storage = None
    for v in spec["versions"]:
        if not v.get("served", False):
            continue
        versions[v["name"]] = compact(v["schema"]["openAPIV3Schema"])
        if v.get("storage"):
            storage = v["name"]
    return {
        "group": spec["group"],
        "kind": spec["names"]["kind"],
        "storageVersion": storage,
        "versions": versions,
    }


def _operator_version(crd: dict) -> str:
    ann = (crd.get("metadata") or {}).get("annotations") or {}
    return str(ann.get("operator.prometheus.io/version") or "").lstrip("v")


def render(crd_dir: Path) -> dict[str, str]:
    """Schema file name (relative to OUT_DIR) -> text, for every CRD we know, newest and by version."""
    out = _render_dir(crd_dir, required=True)
    newest = None
    for fname in CRD_FILES:
        with open(crd_dir / fname, encoding="utf-8") as fh:
            newest = newest or _operator_version(yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
    older = []
    by_version = crd_dir / "by-version"
    if by_version.is_dir():
        for vdir in sorted(by_version.iterdir(), key=lambda p: tuple(int(x) for x in p.name.lstrip("v").split("."))):
            if not vdir.is_dir():
                continue
            for name, text in _render_dir(vdir, required=False).items():
                out[f"by-version/{vdir.name}/{name}"] = text
            older.append(vdir.name.lstrip("v"))
    out["versions.json"] = json.dumps({"newest": newest, "older": older}, sort_keys=True) + "\n"
    return out


def _render_dir(crd_dir: Path, *, required: bool) -> dict[str, str]:
    out = {}
    for fname, kind in CRD_FILES.items():
        if not required and not (crd_dir / fname).exists():
            continue
        with open(crd_dir / fname, encoding="utf-8") as fh:
            crd = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        data = build(crd)
        if data["kind"] != kind:
            raise SystemExit(f"{fname}: kind {data['kind']!r}, expected {kind!r}")
        out[f"{kind.lower()}.json"] = json.dumps(data, sort_keys=True, separators=(",", ":"),
                                                 ensure_ascii=False) + "\n"
    return out


def main(argv: list[str]) -> int:
    crd_dir = Path(argv[1]) if len(argv) > 1 else DEFAULT_CRDS
    out_dir = Path(argv[2]) if len(argv) > 2 else DEFAULT_OUT
    if not crd_dir.is_dir():
        print(f"no CRD directory at {crd_dir}", file=sys.stderr)
        return 2
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, text in render(crd_dir).items():
        (out_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (out_dir / name).write_text(text, encoding="utf-8")
        print(f"wrote {out_dir / name} ({len(text):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
