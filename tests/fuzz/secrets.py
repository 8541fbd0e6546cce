"""Planting unique secret markers in every credential field of monitors, raw configs and Secrets.

A marker is ``S3CRET<tag>`` with a per-case unique tag; ``Planted`` maps each
marker to the field it was planted in, so a leak names the field. A marker
may appear only in the outputs the user asked to hold secrets.
"""

from __future__ import annotations

import base64
import random
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

PREFIX = "S3CRET"
_B64_RUN = re.compile(rb"[A-Za-z0-9+/]{16,}={0,2}")


@dataclass
class Planted:
    rng: random.Random
    markers: dict[str, str] = field(default_factory=dict)  # marker -> field

    def new(self, where: str) -> str:
        marker = f"{PREFIX}{len(self.markers)}q{self.rng.randrange(10**6):06d}"
        self.markers[marker] = where
        return marker

    def find(self, data: bytes | str) -> list[tuple[str, str]]:
        """(marker, field) for every planted marker in data, plain or base64-encoded."""
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        found = []
        decoded = decodings(data)
        for marker, where in self.markers.items():
            mb = marker.encode()
            if any(mb in d for d in decoded):
                found.append((marker, where))
        # (a marker cut short by a byte mutation is not reported: once its URL lost the '@', it is a host name)
        return found


def decodings(data: bytes) -> list[bytes]:
    """data, and the decoding of every base64 run in it (a marker may be encoded, alone or inside a document)."""
    decoded = [data]
    for m in _B64_RUN.finditer(data):
        blob = m.group(0)
        for cut in range(4):  # a marker's base64 need not start at a 4-byte boundary of the run
            piece = blob[cut:]
            piece = piece[: len(piece) - len(piece) % 4]
            try:
                decoded.append(base64.b64decode(piece, validate=False))
            except ValueError:
                pass
    return decoded


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _url(p: Planted, what: str, scheme: str = "http", host: str = "proxy.example:3128") -> str:
    return f"{scheme}://{p.new(what + ' userinfo')}:{p.new(what + ' userinfo')}@{host}"


def _pem(p: Planted) -> str:
    return ("-----BEGIN PRIVATE KEY-----\n" + p.new("tls key material") + "\n-----END PRIVATE KEY-----\n")


# ---------------------------------------------------------------- monitors

def _sel(name: str, key: str) -> dict:
    return {"name": name, "key": key}


def plant_endpoint(ep: dict, p: Planted, secret: str, data: dict, rng: random.Random, kind: str,
                   wrong_types: bool = True) -> None:
    """Credentials on one monitor endpoint (or a ScrapeConfig spec): a secret reference whose
    value (in the Secret `secret`) is a marker, or a marker given where a reference belongs."""
    # (oauth2 less often: portable render refuses its clientId Secret, which hides the rest of the case)
    choice = rng.choices(["basicAuth", "bearerTokenSecret", "authorization", "oauth2", "tls", "wrongtype"],
                         [3, 2, 3, 0.6, 2, 2 if wrong_types else 0])[0]
    if choice == "basicAuth":
        data["username"] = p.new("Secret data basicAuth.username")
        data["password"] = p.new("Secret data basicAuth.password")
        ep["basicAuth"] = {"username": _sel(secret, "username"), "password": _sel(secret, "password")}
    elif choice == "bearerTokenSecret" and kind != "ScrapeConfig":
        data["token"] = p.new("Secret data bearerTokenSecret")
        ep["bearerTokenSecret"] = _sel(secret, "token")
    elif choice in ("authorization", "bearerTokenSecret"):
        data["token"] = p.new("Secret data authorization.credentials")
        ep["authorization"] = {"type": "Bearer", "credentials": _sel(secret, "token")}
    elif choice == "oauth2":
        data["client-id"] = "client-id"
        data["client-secret"] = p.new("Secret data oauth2.clientSecret")
        ep["oauth2"] = {"clientId": {"secret": _sel(secret, "client-id")},
                        "clientSecret": _sel(secret, "client-secret"),
                        "tokenUrl": _url(p, "oauth2.tokenUrl", host="oauth.example/token")}
    elif choice == "tls":
        data["tls.key"] = _pem(p)
        ep["scheme"] = "https"
        ep["tlsConfig"] = {"ca": {"secret": _sel(secret, "ca.crt")}, "cert": {"secret": _sel(secret, "tls.crt")},
                           "keySecret": _sel(secret, "tls.key")}
        data["ca.crt"] = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n"
        data["tls.crt"] = data["ca.crt"]
    else:  # a marker where a SecretKeySelector belongs: must not be quoted back in an error
        which = rng.choice(["basicAuth.password", "basicAuth.username", "bearerTokenSecret",
                            "authorization.credentials", "oauth2.clientSecret"])
        marker = p.new(f"{which} (wrong type: a string)")
        if which.startswith("basicAuth"):
            other = "username" if which.endswith("password") else "password"
            ep["basicAuth"] = {which.split(".")[1]: marker, other: _sel(secret, other)}
            data[other] = p.new(f"Secret data basicAuth.{other}")
        elif which == "bearerTokenSecret":
            ep["bearerTokenSecret"] = marker
        elif which == "authorization.credentials":
            ep["authorization"] = {"credentials": marker}
        else:
            ep["oauth2"] = {"clientId": {"secret": _sel(secret, "client-id")}, "clientSecret": marker,
                            "tokenUrl": "https://oauth.example/token"}
    if rng.random() < 0.12:  # (portable render refuses it: the whole case is then an exit 2)
        ep["proxyUrl"] = _url(p, "proxyUrl")


def plant_monitors(docs: list, p: Planted, rng: random.Random, wrong_types: bool = True) -> list:
    """Credentials on every endpoint of every monitor, and the Secrets holding their values."""
    out = list(docs)
    for i, doc in enumerate(docs):
        if not isinstance(doc, dict) or not isinstance(doc.get("spec"), dict):
            continue
        kind = doc.get("kind")
        meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
        ns = meta.get("namespace", "default") if isinstance(meta.get("namespace", "default"), str) else "default"
        secret = f"fz-creds-{i}"
        data: dict[str, str] = {}
        spec = doc["spec"]
        if kind == "ScrapeConfig":
            plant_endpoint(spec, p, secret, data, rng, kind, wrong_types)
            for sd in spec.get("kubernetesSDConfigs") or []:
                if isinstance(sd, dict) and rng.random() < 0.5:
                    sd["apiServer"] = _url(p, "kubernetesSDConfigs.apiServer", "https", "k8s.example:6443")
        else:
            eps = spec.get("podMetricsEndpoints") if kind == "PodMonitor" else spec.get("endpoints")
            if isinstance(eps, list):
                for ep in eps:
                    if isinstance(ep, dict):
                        plant_endpoint(ep, p, secret, data, rng, kind, wrong_types)
        if data:
            secret_doc: dict[str, Any] = {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
                                          "metadata": {"name": secret, "namespace": ns}}
            if rng.random() < 0.7:
                secret_doc["data"] = {k: b64(v) for k, v in data.items()}
            else:
                secret_doc["stringData"] = dict(data)
            out.append(secret_doc)
    return out


# ---------------------------------------------------------------- raw configs

def plant_job(job: dict, p: Planted, rng: random.Random) -> None:
    choice = rng.choice(["basic_auth", "bearer_token", "authorization", "oauth2", "tls"])
    if choice == "basic_auth":
        job["basic_auth"] = {"username": "user", "password": p.new("basic_auth.password")}
    elif choice == "bearer_token":
        job["bearer_token"] = p.new("bearer_token")
    elif choice == "authorization":
        job["authorization"] = {"type": "Bearer", "credentials": p.new("authorization.credentials")}
    elif choice == "oauth2":
        job["oauth2"] = {"client_id": "client", "client_secret": p.new("oauth2.client_secret"),
                         "token_url": _url(p, "oauth2.token_url", "https", "oauth.example/token")}
        if rng.random() < 0.5:
            job["oauth2"]["proxy_url"] = _url(p, "oauth2.proxy_url")
    else:
        job["scheme"] = "https"
        job["tls_config"] = {"cert": "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n",
                             "key": _pem(p)}
    if rng.random() < 0.4:
        job["proxy_url"] = _url(p, "proxy_url")
    for sd in job.get("kubernetes_sd_configs") or []:
        if isinstance(sd, dict) and rng.random() < 0.5:
            sd["api_server"] = _url(p, "kubernetes_sd_configs.api_server", "https", "k8s.example:6443")
            if rng.random() < 0.5:
                sd["basic_auth"] = {"username": "u", "password": p.new("kubernetes_sd_configs.basic_auth.password")}


def plant_raw(docs: list, p: Planted, rng: random.Random) -> list:
    """Credentials on every job found in raw config documents, also inside embedded YAML strings."""

    def walk(node: Any, depth: int = 0) -> Any:
        if depth > 60:
            return node
        if isinstance(node, dict):
            if isinstance(node.get("job_name"), str):
                plant_job(node, p, rng)
            for k, v in list(node.items()):
                node[k] = walk(v, depth + 1)
        elif isinstance(node, list):
            for i, v in enumerate(node):
                node[i] = walk(v, depth + 1)
        elif isinstance(node, str) and "job_name" in node:
            try:
                inner = yaml.safe_load(node)
            except yaml.YAMLError:
                return node
            if isinstance(inner, (dict, list)):
                return yaml.safe_dump(walk(inner, depth + 1), sort_keys=False)
        return node

    return [walk(d) for d in docs]


def plant_inventory(items: list, p: Planted, rng: random.Random) -> list:
    """A Secret (with marker values) among the inventory's objects: never to be shown."""
    ns = "default"
    for it in items:
        meta = it.get("metadata") if isinstance(it, dict) else None
        if isinstance(meta, dict) and isinstance(meta.get("namespace"), str):
            ns = meta["namespace"]
            break
    return items + [{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "fz-inventory-secret",
                                                                          "namespace": ns},
                     "data": {"token": b64(p.new("inventory Secret data"))}}]
