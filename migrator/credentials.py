"""Which fields hold credentials: the one predicate every message-writing layer asks.

A message about a credential field names the field and what is wrong with it, never its value:
``spec.endpoints[0].basicAuth.password: must be a mapping, not a string`` (the string may be the
password itself, given where a Secret reference belongs). Decided by the field's path alone, in
both spellings (the operator's camelCase, Prometheus's snake_case).
"""

from __future__ import annotations

from typing import Any, Iterable

#: Field names (lower case, without "_" and "-") whose value, or anything under it, is a credential.
CREDENTIAL_NAMES = frozenset({
    "password", "passwordfile",  # (a file path is no secret, but a mistyped value may be one)
    "username",  # basicAuth.username is a Secret reference in the CRDs
    "bearertoken", "bearertokensecret", "credentials", "clientsecret", "secretkey", "accesskey",
    "token", "tokenref", "authtoken", "apikey", "applicationcredentialsecret",
    "proxyconnectheader", "keysecret", "privatekey", "secrets",
})

#: Names that are credentials only under one of these parents (tls_config.key is an inline key).
_UNDER = {"key": frozenset({"tlsconfig"})}


def _norm(part: Any) -> str:
    return str(part).lower().replace("_", "").replace("-", "")


def is_credential_field(name: Any, parent: Any = None) -> bool:
    """Whether a field called ``name`` (under ``parent``) holds a credential."""
    n = _norm(name)
    if n in CREDENTIAL_NAMES:
        return True
    parents = _UNDER.get(n)
    return parents is not None and parent is not None and _norm(parent) in parents


def is_credential_path(path: Iterable[Any], kind: str | None = None) -> bool:
    """Whether the value at ``path`` (keys and list indexes) is, or is inside, a credential.

    ``kind``: the document's kind; every value of a Secret's ``data``/``stringData`` is one.
    """
    parts = [p for p in path if not isinstance(p, int)]
    if kind == "Secret" and parts[:1] and parts[0] in ("data", "stringData"):
        return True
    parent = None
    for p in parts:
        if is_credential_field(p, parent):
            return True
        parent = p
    return False


HIDDEN = "<hidden: credential field>"


def mask_userinfo(text: str) -> str:
    """text with a URL's userinfo (``user:password@``) hidden, parseable URL or not: migrator.redact's one
    definition (a value that may hold userinfo but does not parse as a URL is hidden whole)."""
    from migrator.redact import redact_url
    return redact_url(text, _hidden)


def _hidden(_: str) -> str:
    return "<hidden>"


def has_userinfo(text: str) -> bool:
    """Whether text, read as a URL (parseable or not), carries userinfo."""
    return mask_userinfo(text) != text


def scrub(value: Any, path: tuple = (), kind: str | None = None) -> Any:
    """Plain data as it may be shown: a credential field's value hidden, every string's URL userinfo masked.

    For output that repeats a user's object (a suggested patch, an excerpt): the secret it may hold stays out.
    """
    if path and is_credential_path(path, kind):
        return HIDDEN
    if isinstance(value, str):
        return mask_userinfo(value)
    if isinstance(value, list):
        return [scrub(v, path + (i,), kind) for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {k: scrub(v, path + (k,), kind) for k, v in value.items()}
    return value
