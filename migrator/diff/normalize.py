"""A scrape job in one canonical form, so that two spellings of one meaning compare equal.

Input: a job as Prometheus typed it (migrator.scrapeconfig: string fields hold their literal text)
or as the renderer wrote it, plus the ``global`` section. Output: plain data where

* defaults are filled (honor_labels false, honor_timestamps true, scheme http, metrics_path
  /metrics, scrape_interval / scrape_timeout from ``global``, enable_http2 / follow_redirects /
  enable_compression true, ...), and empty values (null, [], {}) are dropped;
* durations are spelled one way (``1m``, ``60s`` and ``60000ms`` are all ``1m``);
* relabel rules have every field their action reads and no other (action lower-case, regex
  ``(.*)``, separator ``;``, replacement ``$1``; ``${1}`` is ``$1``); the lists stay ordered;
* sets are sorted: namespace names, static targets, Kubernetes SD configs, selector terms;
* secrets (passwords, tokens, credentials, client secrets, private keys, secret headers, and the
  userinfo of every URL: ``proxy_url``, ``oauth2.token_url``, ``api_server``, URLs in params and
  relabel replacements, ... -- see migrator.redact) are replaced by ``<redacted:XXXXXXXX>``: an HMAC
  under a key drawn per process, so a changed secret still shows as changed, yet nothing about its
  value leaves the process. ``redact_text`` turns those into plain ``<redacted>`` for output.

Templating placeholders are kept as text and compared as text.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
from typing import Any

from migrator.redact import redact_url, redact_value
from migrator.relabel.duration import format_duration, parse_duration
from migrator.scrapeconfig import PLACEHOLDER_RE

REDACTED = "<redacted>"
_REDACTED_RE = re.compile(r"<redacted:[0-9a-f]{8}>")
_KEY = os.urandom(16)

#: Fields whose value is a secret, wherever they occur.
SECRET_FIELDS = frozenset({"password", "bearer_token", "credentials", "client_secret", "key",
                           "client_certificate_key", "secret_key", "secret_access_key", "token"})
#: Fields whose whole value (a mapping of header -> values) is secret.
SECRET_MAPS = frozenset({"proxy_connect_header"})
#: Fields whose value is a URL (or a list of URLs), in any SD or HTTP client section: an ``@`` in one that
#: does not parse makes the whole value secret. Any other string still has the userinfo of its URLs redacted.
URL_FIELDS = frozenset({"proxy_url", "token_url", "api_server", "url", "server", "servers", "endpoint",
                        "identity_endpoint", "api_url", "host", "proxy_from_environment_url"})
#: Fields left as they are (a regex is not a URL; redacting inside one would change its meaning).
NOT_TEXT = frozenset({"regex"})

DURATION_FIELDS = frozenset({"scrape_interval", "scrape_timeout", "refresh_interval"})

#: Top-level defaults of a scrape_config (Prometheus 2.x/3.x); interval/timeout come from global.
JOB_DEFAULTS: dict[str, Any] = {
    "honor_labels": False,
    "honor_timestamps": True,
    "track_timestamps_staleness": False,
    "scheme": "http",
    "metrics_path": "/metrics",
    "enable_http2": True,
    "follow_redirects": True,
    "enable_compression": True,
    "sample_limit": 0,
    "target_limit": 0,
    "label_limit": 0,
    "label_name_length_limit": 0,
    "label_value_length_limit": 0,
    "keep_dropped_targets": 0,
    "body_size_limit": "0",
}
#: Defaults of the HTTP client inside each kubernetes_sd_configs entry.
SD_DEFAULTS: dict[str, Any] = {"enable_http2": True, "follow_redirects": True}
GLOBAL_INTERVAL, GLOBAL_TIMEOUT = "1m", "10s"

#: The fields each relabel action reads (everything else has no effect and is dropped).
RULE_FIELDS: dict[str, tuple[str, ...]] = {
    "replace": ("source_labels", "separator", "regex", "target_label", "replacement"),
    "keep": ("source_labels", "separator", "regex"),
    "drop": ("source_labels", "separator", "regex"),
    "keepequal": ("source_labels", "separator", "target_label"),
    "dropequal": ("source_labels", "separator", "target_label"),
    "hashmod": ("source_labels", "separator", "modulus", "target_label"),
    "labelmap": ("regex", "replacement"),
    "labeldrop": ("regex",),
    "labelkeep": ("regex",),
    "lowercase": ("source_labels", "separator", "target_label"),
    "uppercase": ("source_labels", "separator", "target_label"),
}
RULE_DEFAULTS = {"separator": ";", "regex": "(.*)", "replacement": "$1", "source_labels": []}
RULE_ORDER = ("action", "source_labels", "separator", "regex", "modulus", "target_label", "replacement")


def secret_token(value: Any) -> str:
    digest = hmac.new(_KEY, json.dumps(value, sort_keys=True, default=str).encode(), hashlib.sha256)
    return f"<redacted:{digest.hexdigest()[:8]}>"


def _url(value: Any, key: str | None) -> Any:
    """A string with the userinfo of its URLs turned into secret tokens."""
    if key in URL_FIELDS:
        return redact_url(value, secret_token)
    if key in NOT_TEXT:
        return value
    return redact_value(value, secret_token)


def redact_text(value: Any) -> Any:
    """Output form: every secret token becomes ``<redacted>`` (recursively)."""
    if isinstance(value, str):
        return _REDACTED_RE.sub(REDACTED, value)
    if isinstance(value, list):
        return [redact_text(v) for v in value]
    if isinstance(value, dict):
        return {k: redact_text(v) for k, v in value.items()}
    return value


def duration(value: Any) -> Any:
    """One spelling per duration value; anything that is not one (a placeholder) stays as it is."""
    if isinstance(value, str) and not PLACEHOLDER_RE.search(value):
        try:
            return format_duration(parse_duration(value))
        except ValueError:
            return value
    return value


def _seconds(value: Any) -> float | None:
    try:
        return parse_duration(value) if isinstance(value, str) else None
    except ValueError:
        return None


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _empty(value: Any) -> bool:
    return value is None or value == [] or value == {}


def _scalar_text(value: Any) -> Any:
    """A scalar where Prometheus reads a string: the text (True -> "true", 8 -> "8")."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return value


_GROUP_REF = re.compile(r"\$\{(\w+)\}(?!\w)")


def replacement_text(value: Any) -> Any:
    """``${1}`` is ``$1`` unless a word character follows (Go's Expand reads ``$1x`` as ``${1x}``)."""
    if not isinstance(value, str):
        return value
    return _GROUP_REF.sub(lambda m: f"${m.group(1)}", value)


def normalize_rule(rule: Any) -> Any:
    """One relabel rule, with exactly the fields its action reads, defaults filled."""
    if not isinstance(rule, dict):
        return rule
    action = str(_scalar_text(rule.get("action")) or "replace").lower()
    fields = RULE_FIELDS.get(action)
    if fields is None:  # an action Prometheus does not know: keep everything, as text
        return {k: rule[k] for k in sorted(rule)}
    out: dict[str, Any] = {"action": action}
    for name in RULE_ORDER[1:]:
        if name not in fields:
            continue
        value = rule.get(name)
        if name == "source_labels":
            value = [str(_scalar_text(v)) for v in (value or [])]
        elif name == "modulus":
            value = value if value is not None else 0
        else:
            value = _scalar_text(value)
            if value is None:
                value = RULE_DEFAULTS.get(name, "")
            if name == "replacement":
                value = replacement_text(value)
        out[name] = value
    if "separator" in out and len(out.get("source_labels") or []) <= 1:
        out["separator"] = ";"  # joins nothing: any separator means the same
    return out


def _split_selector(text: str) -> list[str]:
    """Terms of a label/field selector string, split on commas outside parentheses."""
    terms, depth, cur = [], 0, ""
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            terms.append(cur.strip())
            cur = ""
        else:
            cur += ch
    terms.append(cur.strip())
    return sorted(t.replace(" ", "") for t in terms if t.strip())


def _generic(value: Any, key: str | None = None) -> Any:
    """Drop empty values, redact secrets, respell durations, recursively."""
    if key in SECRET_FIELDS and isinstance(value, (str, int, float)) and value != "":
        return secret_token(value)
    if key in SECRET_MAPS and isinstance(value, dict) and value:
        return {k: secret_token(v) for k, v in sorted(value.items())}
    if key == "http_headers" and isinstance(value, dict):
        out_h = {}
        for name, spec in sorted(value.items()):
            if isinstance(spec, dict):
                spec = {k: ([secret_token(s) for s in v] if k == "secrets" and isinstance(v, list) else v)
                        for k, v in spec.items()}
            out_h[name] = _generic(spec)
        return out_h
    if key in DURATION_FIELDS:
        return duration(value)
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            nv = _generic(v, str(k))
            if not _empty(nv):
                out[str(k)] = nv
        return out
    if isinstance(value, list):
        return [_generic(v, key if key in URL_FIELDS else None) for v in value]
    if isinstance(value, str):
        return _url(value, key)
    return value


def _kubernetes_sd(sd: Any) -> Any:
    if not isinstance(sd, dict):
        return sd
    out = dict(sd)
    for k, v in SD_DEFAULTS.items():
        out.setdefault(k, v)
    ns = out.get("namespaces")
    if isinstance(ns, dict):
        ns = dict(ns)
        if isinstance(ns.get("names"), list):
            ns["names"] = sorted({str(n) for n in ns["names"]})
        if ns.get("own_namespace") is False:
            del ns["own_namespace"]
        ns = {k: v for k, v in ns.items() if not _empty(v)}
        if ns:
            out["namespaces"] = ns
        else:
            out.pop("namespaces")
    if isinstance(out.get("selectors"), list):
        sels = []
        for sel in out["selectors"]:
            if isinstance(sel, dict):
                sel = {k: (",".join(_split_selector(v)) if k in ("label", "field") and isinstance(v, str) else v)
                       for k, v in sel.items() if not _empty(v) and v != ""}
            sels.append(sel)
        out["selectors"] = sorted(sels, key=canonical)
    am = out.get("attach_metadata")
    if isinstance(am, dict):
        am = {k: v for k, v in am.items() if v is not False}
        if am:
            out["attach_metadata"] = am
        else:
            out.pop("attach_metadata")
    return out


def _static(sc: Any) -> Any:
    if not isinstance(sc, dict):
        return sc
    out = dict(sc)
    if isinstance(out.get("targets"), list):
        out["targets"] = sorted({str(_scalar_text(t)) for t in out["targets"]})
    if isinstance(out.get("labels"), dict):
        out["labels"] = {str(k): _scalar_text(v) for k, v in sorted(out["labels"].items())}
    return {k: v for k, v in out.items() if not _empty(v)}


def normalize_job(job: dict, global_config: dict | None = None) -> dict:
    """The canonical form of one scrape job (a new dict; the input is not changed)."""
    g = global_config or {}
    out = _generic(job)
    for k, v in JOB_DEFAULTS.items():
        if k not in out:
            out[k] = v
    if "body_size_limit" in out:
        out["body_size_limit"] = _size(out["body_size_limit"])
    interval = out.get("scrape_interval") or duration(g.get("scrape_interval")) or GLOBAL_INTERVAL
    out["scrape_interval"] = interval
    if "scrape_timeout" not in out:
        timeout = duration(g.get("scrape_timeout")) or GLOBAL_TIMEOUT
        ti, tt = _seconds(interval), _seconds(timeout)
        if ti is not None and tt is not None and tt > ti:
            timeout = interval  # Prometheus caps the inherited timeout at the job's interval
        out["scrape_timeout"] = timeout
    for section in ("relabel_configs", "metric_relabel_configs"):
        if section in out:
            out[section] = [normalize_rule(r) for r in out[section]]
    if isinstance(out.get("kubernetes_sd_configs"), list):
        out["kubernetes_sd_configs"] = sorted((_kubernetes_sd(sd) for sd in out["kubernetes_sd_configs"]),
                                              key=canonical)
    if isinstance(out.get("static_configs"), list):
        merged: list = sorted((_static(sc) for sc in out["static_configs"]), key=canonical)
        out["static_configs"] = [sc for sc in merged if not _empty(sc)]
        if not out["static_configs"]:
            del out["static_configs"]
    if isinstance(out.get("file_sd_configs"), list):
        out["file_sd_configs"] = sorted(
            ({**sd, "files": sorted(sd.get("files") or []),
              "refresh_interval": sd.get("refresh_interval") or "5m"} if isinstance(sd, dict) else sd
             for sd in out["file_sd_configs"]), key=canonical)
    if isinstance(out.get("params"), dict):
        out["params"] = {str(k): [str(_scalar_text(x)) for x in v] if isinstance(v, list) else v
                         for k, v in sorted(out["params"].items())}
    if isinstance(out.get("scheme"), str):
        out["scheme"] = out["scheme"].lower() if out["scheme"].lower() in ("http", "https") else out["scheme"]
    return {k: out[k] for k in sorted(out)}


_SIZE_UNITS = {"B": 1, "KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30, "TB": 1 << 40, "PB": 1 << 50, "EB": 1 << 60}


def _size(value: Any) -> Any:
    """A size in bytes as text ("1KB" and "1024B" and "1024" are all "1024")."""
    m = re.match(r"^(\d+)(B|KB|MB|GB|TB|PB|EB|KiB|MiB|GiB|TiB|PiB|EiB)?$", str(value))
    if not m:
        return value
    unit = (m.group(2) or "B").replace("iB", "B")
    return str(int(m.group(1)) * _SIZE_UNITS[unit])


def normalize_plain(value: Any, key: str | None = None) -> Any:
    """A job of another dialect: plain YAML data, secrets redacted, mapping keys sorted."""
    if isinstance(value, dict):
        return {str(k): (secret_token(v) if str(k) in SECRET_FIELDS and isinstance(v, (str, int, float))
                         else normalize_plain(v, str(k)))
                for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, list):
        return [normalize_plain(v, key if key in URL_FIELDS else None) for v in value]
    if isinstance(value, str):
        return _url(value, key)
    return value
