"""A small local Kubernetes API server for tests: list/get calls answered from fixture objects.

``FakeKube(objects)`` serves, on 127.0.0.1 and an ephemeral port (a thread of its own):

* ``GET /api/v1/<plural>`` and ``/api/v1/namespaces/<ns>/<plural>`` (core kinds), and
  ``GET /apis/<group>/<version>[/namespaces/<ns>]/<plural>`` (everything else, custom resources
  included), as the list kind ``<Kind>List``, paginated: ``limit`` (capped by ``page_size``) and
  ``continue`` tokens ``page2``, ``page3``, ...;
* ``GET .../<plural>/<name>``: one object, or a 404 Status;
* ``refuse={path: code}``: that path answers with a Status of that code (401, 403, 404, ...).

Every request path (with its query) is recorded in ``requests``. ``kubeconfig(dir)`` writes a
kubeconfig pointing at the server and returns its path.
"""

from __future__ import annotations

import http.server
import json
import threading
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import parse_qs, urlparse

_PLURALS = {"Endpoints": "endpoints", "Ingress": "ingresses", "Prometheus": "prometheuses",
            "NetworkPolicy": "networkpolicies"}
_REASONS = {401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 500: "InternalError"}


def plural(kind: str) -> str:
    return _PLURALS.get(kind, kind.lower() + "s")


def _api_base(api_version: str) -> str:
    return "/api/v1" if api_version == "v1" else f"/apis/{api_version}"



def _meta(obj) -> dict:
    """An object's metadata; a mangled object (the fuzz suite serves those) has none, as the server sees it."""
    md = obj.get("metadata") if isinstance(obj, dict) else None
    return md if isinstance(md, dict) else {}

class FakeKube:
    def __init__(self, objects: Iterable[dict] = (), *, refuse: dict[str, int] | None = None,
                 page_size: int = 1000, default_empty: bool = True):
        self.objects: list[dict] = [dict(o) for o in objects]
        self.refuse = dict(refuse or {})
        self.page_size = page_size
        self.default_empty = default_empty
        self.requests: list[str] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server API
                outer.requests.append(self.path)
                code, body = outer.answer(self.path)
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    # -- answers ------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def _status(self, code: int, message: str = "") -> tuple[int, dict]:
        return code, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                      "message": message or _REASONS.get(code, ""), "reason": _REASONS.get(code, ""),
                      "code": code}

    def _collection(self, base: str, plural_name: str) -> list[dict]:
        return [o for o in self.objects
                if _api_base(str(o.get("apiVersion", "v1"))) == base and plural(str(o.get("kind"))) == plural_name]

    def answer(self, raw_path: str) -> tuple[int, dict]:
        url = urlparse(raw_path)
        path = url.path.rstrip("/")
        if path in self.refuse:
            return self._status(self.refuse[path])
        parts = path.strip("/").split("/")
        if parts[:2] == ["api", "v1"]:
            base, rest = "/api/v1", parts[2:]
        elif parts[:1] == ["apis"] and len(parts) >= 3:
            base, rest = f"/apis/{parts[1]}/{parts[2]}", parts[3:]
        else:
            return self._status(404, f"no route for {path}")
        namespace = None
        if len(rest) >= 3 and rest[0] == "namespaces":
            namespace, rest = rest[1], rest[2:]
        if not rest or len(rest) > 2:
            return self._status(404, f"no route for {path}")
        plural_name = rest[0]
        items = self._collection(base, plural_name)
        if namespace is not None:
            items = [o for o in items if _meta(o).get("namespace", "default") == namespace]
        if len(rest) == 2:
            for o in items:
                if _meta(o).get("name") == rest[1]:
                    return 200, o
            return self._status(404, f'{plural_name} "{rest[1]}" not found')
        if not items and not self.default_empty and not self._collection(base, plural_name):
            return self._status(404, "the server could not find the requested resource")
        q = parse_qs(url.query)
        limit = int(q.get("limit", ["0"])[0] or 0)
        size = min(limit, self.page_size) if limit > 0 else self.page_size
        token = q.get("continue", [""])[0]
        page = int(token[4:]) if token.startswith("page") else 1
        chunk = items[(page - 1) * size: page * size]
        meta: dict[str, Any] = {"resourceVersion": "1"}
        if page * size < len(items):
            meta["continue"] = f"page{page + 1}"
            meta["remainingItemCount"] = len(items) - page * size  # as the API server says it
        kind = str(items[0].get("kind")) if items else "Object"
        return 200, {"kind": f"{kind}List", "apiVersion": "v1", "metadata": meta, "items": chunk}

    # -- plumbing -------------------------------------------------------------------------------

    def kubeconfig(self, directory: Any, name: str = "kubeconfig", context: str = "x") -> str:
        text = (f"apiVersion: v1\nkind: Config\nclusters: [{{name: c, cluster: {{server: '{self.url}'}}}}]\n"
                f"users: [{{name: u, user: {{token: t}}}}]\n"
                f"contexts: [{{name: {context}, context: {{cluster: c, user: u}}}}]\n"
                f"current-context: {context}\n")
        p = Path(directory) / name
        p.write_text(text)
        return str(p)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> "FakeKube":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
