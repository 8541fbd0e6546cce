"""Credentials inside URLs, hidden wherever a URL is shown: one definition for every command.

A URL's userinfo (``http://user:pass@proxy:3128``) is a credential: the whole userinfo (user and password:
a token is often the user alone) becomes ``mark(userinfo)`` -- ``<redacted>`` by default, an HMAC token
where a change must still show as a change (migrator.diff.normalize). A URL that does not parse as Go's
net/url would and holds an ``@`` that may end a userinfo is a secret as a whole.

* ``redact_url``: the value of a URL-valued field (``proxy_url``, ``oauth2.token_url``, ``api_server``, ...);
  an ``@`` in a value that is not ``scheme://authority...`` makes the whole value secret.
* ``redact_value``: any other text (label values, params, messages): every ``scheme://`` URL in it, and a
  whole value of the form ``userinfo@host:port`` (a scrape address).
"""

from __future__ import annotations

import re
from typing import Callable

REDACTED = "<redacted>"

Mark = Callable[[str], str]

_SCHEME = r"[A-Za-z][A-Za-z0-9+.\-]*"
_URL_START = re.compile(rf"{_SCHEME}://")
#: a URL inside text runs to the next blank or quote
_URL_IN_TEXT = re.compile(rf"{_SCHEME}://[^\s\"'<>`]*")
#: a scrape address with userinfo: ``user:pass@host:port``
_ADDRESS = re.compile(r"(?P<userinfo>[^\s/?#]*)@(?P<host>[^\s@/?#]+:\d*)")
_HOST_CHARS = re.compile(r"[A-Za-z0-9\-_.~!$&'()*+,;=:\[\]<>\"%\x80-\U0010ffff]*")


def _constant(_: str) -> str:
    return REDACTED


def valid_host(host: str) -> bool:
    """Go's url.parseHost: ``[v6]`` or a name, each with an optional ``:digits`` port."""
    if host.startswith("["):
        end = host.find("]")
        if end < 0:
            return False
        port = host[end + 1:]
        return port == "" or (port.startswith(":") and port[1:].isdigit() or port == ":")
    if not _HOST_CHARS.fullmatch(host):
        return False
    _, colon, port = host.rpartition(":")
    return not colon or port == "" or (port.isascii() and port.isdigit())


def _one(url: str, mark: Mark) -> str:
    """One ``scheme://...`` URL."""
    scheme, _, rest = url.partition("://")
    end = len(rest)
    for ch in "/?#":
        i = rest.find(ch)
        if 0 <= i < end:
            end = i
    authority, tail = rest[:end], rest[end:]
    if "@" in authority:
        userinfo, _, host = authority.rpartition("@")
        if valid_host(host):
            return f"{scheme}://{mark(userinfo)}@{host}{tail}"
        return mark(url)
    if "@" in tail and not valid_host(authority):   # e.g. a password holding '/': http://u:p/w@h
        return mark(url)
    return url


def redact_url(value: str, mark: Mark = _constant) -> str:
    """A URL-valued field: its userinfo redacted; the whole value when it may hold one but does not parse."""
    if not isinstance(value, str) or "@" not in value:
        return value
    if not _URL_START.match(value) or any(c.isspace() for c in value):
        return mark(value)
    return _one(value, mark)


def redact_value(value: str, mark: Mark = _constant) -> str:
    """Any other text: the userinfo of each URL in it, or of a whole ``userinfo@host:port`` value."""
    if not isinstance(value, str) or "@" not in value:
        return value
    m = _ADDRESS.fullmatch(value)
    if m and "://" not in value:
        return f"{mark(m.group('userinfo'))}@{m.group('host')}"
    return _URL_IN_TEXT.sub(lambda u: _one(u.group(0), mark), value)


def redact_data(value, mark: Mark = _constant):
    """``redact_value`` on every string of plain data (mapping keys included), recursively."""
    if isinstance(value, str):
        return redact_value(value, mark)
    if isinstance(value, list):
        return [redact_data(v, mark) for v in value]
    if isinstance(value, tuple):
        return tuple(redact_data(v, mark) for v in value)
    if isinstance(value, dict):
        return {redact_data(k, mark): redact_data(v, mark) for k, v in value.items()}
    return value


def shown_scrape_url(labels: dict, params=None) -> str:
    """The URL Prometheus scrapes for a target (migrator.identity), for output: the credentials in its address
    or in a parameter redacted before the URL is encoded (so none survives percent-encoded)."""
    from migrator.identity import scrape_key

    return scrape_key(labels, params).shown(redact_value)
