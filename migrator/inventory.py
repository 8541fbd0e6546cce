"""A cluster inventory: the Kubernetes objects that service discovery reads.

``Inventory`` holds objects as the API returns them (plain dicts, camelCase
field names), indexed by kind and by namespace/name. It is read leniently:
missing optional fields are fine, objects of kinds discovery never reads are
skipped and counted.

Two loaders fill it:

* ``load_inventory(paths)``: files of ``kubectl get ... -A -o yaml`` or
  ``-o json`` output (a ``kind: List``), multi-document YAML, several files,
  ``-`` for stdin. JSON is read with orjson; YAML with yaml_rs where it reads
  exactly as PyYAML's libyaml loader does (kubectl's output: migrator.fastyaml),
  with the libyaml loader otherwise.
* ``load_cluster(kubeconfig, context)``: read-only, paginated list calls
  against a live cluster with the official kubernetes client, each page's
  items added as it arrives.

These loaders are the only I/O of the discovery simulator.
"""

from __future__ import annotations

import gc
import io
import json
import os
from typing import Any, Callable, Iterable, Iterator

import yaml

from migrator.errors import InputError
from migrator.sources import iter_files, read_text

try:  # orjson parses JSON several times faster than the json module
    import orjson as _orjson
except ImportError:  # pragma: no cover - optional
    _orjson = None

try:  # the C loader is an order of magnitude faster
    _YamlLoader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the libyaml build
    _YamlLoader = yaml.SafeLoader

#: Kinds discovery reads, in a stable order.
KINDS: tuple[str, ...] = ("Pod", "Service", "Endpoints", "EndpointSlice", "Node", "Ingress", "Namespace",
                          "ReplicaSet", "Deployment", "Job", "CronJob")
#: Kinds that have no namespace.
CLUSTER_SCOPED: frozenset[str] = frozenset({"Node", "Namespace"})

Progress = Callable[[int, int], None]


def _namespace_of(obj: dict, kind: str) -> str:
    if kind in CLUSTER_SCOPED:
        return ""
    md = obj.get("metadata")
    ns = md.get("namespace") if isinstance(md, dict) else None
    if ns is None or ns == "":
        return "default"  # what the API server would have set on create
    return str(ns)


def _name_of(obj: dict) -> str:
    md = obj.get("metadata")
    name = md.get("name") if isinstance(md, dict) else None
    return "" if name is None else str(name)


# -- what the API server guarantees ------------------------------------------------------------
# Discovery builds addresses from port numbers. The API server stores them as integers in range, so
# an object with another value there (a string, 1e400, .inf) cannot come from a cluster: refuse it,
# naming the file and the object, rather than invent a port.

def _bad_port(obj: dict, kind: str, source: str | None, path: str, value: Any, low: int) -> InputError:
    ns = _namespace_of(obj, kind)
    what = f"{kind} {ns + '/' if ns else ''}{_name_of(obj) or '(no name)'}"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10 ** 12:
        shown = "a number too large for a port"
    elif isinstance(value, (str, int, float, bool)):
        shown = repr(value) if not isinstance(value, str) or len(value) <= 40 else repr(value[:40]) + "..."
    else:
        shown = f"a {type(value).__name__}"
    return InputError(f"not a port number: {shown} (the API server accepts only integers from {low} to 65535)",
                      file=source or "inventory", field=f"{what}: {path}")


def _port_ok(value: Any, low: int) -> bool:
    return type(value) is int and low <= value <= 65535


def _check_ports(obj: dict, kind: str, source: str | None, items: Any, path: str, key: str, low: int,
                 optional: bool = False) -> None:
    if not isinstance(items, list):
        return
    for i, p in enumerate(items):
        if isinstance(p, dict):
            v = p.get(key)
            if v is None and optional:
                continue
            if not _port_ok(v, low):
                raise _bad_port(obj, kind, source, f"{path}[{i}].{key}", v, low)


def _check_pod(obj: dict, kind: str, source: str | None) -> None:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return
    for section in ("containers", "initContainers"):
        cs = spec.get(section)
        if isinstance(cs, list):
            for i, c in enumerate(cs):
                if isinstance(c, dict) and c.get("ports") is not None:
                    _check_ports(obj, kind, source, c["ports"], f"spec.{section}[{i}].ports", "containerPort", 1)


def _check_service(obj: dict, kind: str, source: str | None) -> None:
    spec = obj.get("spec")
    if isinstance(spec, dict):
        _check_ports(obj, kind, source, spec.get("ports"), "spec.ports", "port", 1)


def _check_endpoints(obj: dict, kind: str, source: str | None) -> None:
    subsets = obj.get("subsets")
    if isinstance(subsets, list):
        for i, sub in enumerate(subsets):
            if isinstance(sub, dict):
                _check_ports(obj, kind, source, sub.get("ports"), f"subsets[{i}].ports", "port", 1)


def _check_endpointslice(obj: dict, kind: str, source: str | None) -> None:
    _check_ports(obj, kind, source, obj.get("ports"), "ports", "port", 0, optional=True)


def _check_node(obj: dict, kind: str, source: str | None) -> None:
    status = obj.get("status")
    de = status.get("daemonEndpoints") if isinstance(status, dict) else None
    ke = de.get("kubeletEndpoint") if isinstance(de, dict) else None
    if isinstance(ke, dict):
        for key in ("Port", "port"):
            v = ke.get(key)
            if v is not None and not _port_ok(v, 0):
                raise _bad_port(obj, kind, source, f"status.daemonEndpoints.kubeletEndpoint.{key}", v, 0)


_PORT_CHECKS: dict[str, Callable[[dict, str, str | None], None]] = {
    "Pod": _check_pod, "Service": _check_service, "Endpoints": _check_endpoints,
    "EndpointSlice": _check_endpointslice, "Node": _check_node,
}


class Inventory:
    """Kubernetes objects by kind, namespace and name.

    ``objects[kind]`` maps ``(namespace, name)`` to the object (namespace ``""``
    for Nodes and Namespaces); insertion order is input order, and a later
    object with the same kind/namespace/name replaces the earlier one.
    ``skipped`` counts objects of other kinds by kind; ``notes`` says what was
    skipped or replaced, for the user.
    """

    def __init__(self) -> None:
        self.objects: dict[str, dict[tuple[str, str], dict]] = {k: {} for k in KINDS}
        self.skipped: dict[str, int] = {}
        self.replaced = 0
        #: changes with every object added: what discovery computed from an older state is stale
        self.generation = 0
        self._by_ns: dict[str, dict[str, list[dict]]] | None = None
        self._notes: list[str] = []

    # -- building --------------------------------------------------------------------------
    @classmethod
    def from_objects(cls, objs: Iterable[Any]) -> "Inventory":
        inv = cls()
        for obj in objs:
            inv.add(obj)
        return inv

    def add(self, obj: Any, kind: str | None = None, source: str | None = None) -> bool:
        """Add one object (or every item of a ``*List``); False if it was skipped.

        ``source`` names the file it comes from: an object the API server could not hold (a port
        that is not a port number) is refused with InputError naming the file and the object.
        """
        if not isinstance(obj, dict):
            self._skip("(not an object)")
            return False
        k = obj.get("kind")
        if not isinstance(k, str) or not k:
            k = kind
        if isinstance(k, str) and k.endswith("List") and isinstance(obj.get("items"), list):
            item_kind = k[:-4] or None  # PodList -> Pod; List -> (each item says)
            ok = True
            for item in obj["items"]:
                ok = self.add(item, item_kind, source) and ok
            return ok
        if k not in self.objects:
            self._skip(k if isinstance(k, str) and k else "(no kind)")
            return False
        check = _PORT_CHECKS.get(k)
        if check is not None:
            check(obj, k, source)
        key = (_namespace_of(obj, k), _name_of(obj))
        store = self.objects[k]
        if key in store:
            self.replaced += 1
        store[key] = obj
        self._by_ns = None
        self.generation += 1
        return True

    def _skip(self, kind: str) -> None:
        self.skipped[kind] = self.skipped.get(kind, 0) + 1

    def merge(self, other: "Inventory") -> None:
        for k, store in other.objects.items():
            for key, obj in store.items():
                if key in self.objects[k]:
                    self.replaced += 1
                self.objects[k][key] = obj
        for k, n in other.skipped.items():
            self.skipped[k] = self.skipped.get(k, 0) + n
        self.replaced += other.replaced
        self._notes.extend(other._notes)
        self._by_ns = None
        self.generation += 1

    # -- reading ---------------------------------------------------------------------------
    def get(self, kind: str, namespace: str, name: str) -> dict | None:
        """The object, or None. Cluster-scoped kinds use namespace ``""``."""
        return self.objects[kind].get(("" if kind in CLUSTER_SCOPED else namespace, name))

    def list(self, kind: str, namespace: str = "") -> list[dict]:
        """Every object of kind, in input order; only those in namespace unless it is ``""``."""
        if namespace == "" or kind in CLUSTER_SCOPED:
            return list(self.objects[kind].values())
        if self._by_ns is None:
            by_ns: dict[str, dict[str, list[dict]]] = {}
            for k, store in self.objects.items():
                d: dict[str, list[dict]] = {}
                for (ns, _), obj in store.items():
                    d.setdefault(ns, []).append(obj)
                by_ns[k] = d
            self._by_ns = by_ns
        return list(self._by_ns[kind].get(namespace, ()))

    def count(self, kind: str) -> int:
        return len(self.objects[kind])

    def __len__(self) -> int:
        return sum(len(s) for s in self.objects.values())

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())

    @property
    def notes(self) -> list[str]:
        """Human-readable notes: skipped kinds, replaced duplicates."""
        out = list(self._notes)
        if self.skipped:
            parts = ", ".join(f"{n} {k}" for k, n in sorted(self.skipped.items()))
            out.append(f"skipped {self.skipped_total} object(s) that Kubernetes discovery does not read: {parts}")
        if self.replaced:
            out.append(f"{self.replaced} object(s) appeared more than once; the last copy was kept")
        return out

    def summary(self) -> dict[str, int]:
        """Objects per kind (kinds with none left out)."""
        return {k: len(s) for k, s in self.objects.items() if s}


# -- files -----------------------------------------------------------------------------------

def _json_documents(text: str, name: str) -> list[Any]:
    """Every JSON value of a text (one, or several concatenated as kubectl -w prints them)."""
    if _orjson is not None:
        try:
            return [_orjson.loads(text)]
        except ValueError:
            pass  # several values, or malformed: the json module says where
    dec = json.JSONDecoder()
    out: list[Any] = []
    pos, n = 0, len(text)
    while True:
        while pos < n and text[pos] in " \t\r\n":
            pos += 1
        if pos >= n:
            return out
        try:
            value, pos = dec.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise InputError(f"malformed JSON: {exc.msg} (column {exc.colno})", file=name,
                             line=exc.lineno) from None
        except RecursionError:
            raise InputError("JSON nesting is too deep", file=name,
                             line=text.count("\n", 0, pos) + 1) from None
        except ValueError as exc:  # an integer of more digits than Python converts
            raise InputError(f"malformed JSON: {exc}", file=name, line=text.count("\n", 0, pos) + 1) from None
        out.append(value)


class _ReportingReader:
    """A text stream for the YAML parser that reports how far it has read (for progress bars)."""

    def __init__(self, text: str, report: Callable[[int], None]):
        self._buf = io.StringIO(text)
        self._report = report
        self._done = 0

    def read(self, size: int = -1) -> str:
        chunk = self._buf.read(size)
        self._done += len(chunk)
        self._report(self._done)
        return chunk


class _GuardedYamlLoader(_YamlLoader):  # type: ignore[misc,valid-type]
    """The C loader, refusing a document whose aliases expand it beyond the limits (an alias bomb)
    or refer to themselves: the constructor shares aliased objects, but everything that walks the
    data afterwards (discovery, JSON output) pays for the full expansion."""

    source_name = "<input>"

    def construct_document(self, node: yaml.Node) -> Any:
        _check_aliases(node, self.source_name)
        return super().construct_document(node)


def _load_all(stream: Any, loader_class: type, name: str) -> list[Any]:
    loader = loader_class(stream)
    loader.source_name = name
    try:
        out = []
        while loader.check_data():
            d = loader.get_data()
            if d is not None:
                out.append(d)
        return out
    finally:
        loader.dispose()


def _check_aliases(root: yaml.Node, name: str) -> None:
    from migrator.sources import MAX_ALIAS_NODES, MAX_NODES

    sizes: dict[int, int] = {}  # id(node) -> nodes it expands to; -1 while being expanded
    unique = 0

    def size(node: yaml.Node) -> int:
        nonlocal unique
        known = sizes.get(id(node))
        if known is not None:
            if known < 0:
                raise InputError("recursive YAML alias", file=name, line=node.start_mark.line + 1)
            return known
        unique += 1
        if isinstance(node, yaml.ScalarNode):
            sizes[id(node)] = 1
            return 1
        sizes[id(node)] = -1
        if isinstance(node, yaml.SequenceNode):
            n = 1 + sum(size(child) for child in node.value)
        else:
            n = 1 + sum(size(k) + size(v) for k, v in node.value)
        sizes[id(node)] = n
        if n > MAX_NODES or n - unique > MAX_ALIAS_NODES:
            raise InputError(f"YAML aliases expand to more than {MAX_ALIAS_NODES:,} repeated nodes "
                             "(an alias bomb?); refusing it", file=name, line=node.start_mark.line + 1)
        return n

    size(root)


def _portable_documents(text: str) -> list[Any] | None:
    """The documents of a YAML text read fast by yaml_rs where that is exact (see migrator.fastyaml)."""
    from migrator import fastyaml

    return fastyaml.documents(text)


def _yaml_documents(text: str, name: str, report: Callable[[int], None] | None = None) -> list[Any]:
    fast = _portable_documents(text)
    if fast is not None:
        if report is not None:
            report(len(text))
        return fast
    stream: Any = text if report is None else _ReportingReader(text, report)
    # an alias needs an anchor: without "&" the text has none and the plain C loader is safe
    loader = _GuardedYamlLoader if "&" in text else _YamlLoader
    try:
        return _load_all(stream, loader, name)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        context = getattr(exc, "context", None)
        msg = f"malformed YAML: {problem}" + (f" ({context})" if context else "")
        raise InputError(msg, file=name, line=(mark.line + 1) if mark else None) from None
    except RecursionError:
        raise InputError("YAML nesting is too deep", file=name) from None
    except (ValueError, LookupError, TypeError, ArithmeticError) as exc:
        # a scalar its tag cannot be (!!int abc, an empty !!int, a 5000-digit integer): the slower
        # reader of configs says where (file:line: field)
        from migrator.sources import parse_documents

        parse_documents(text, name)
        msg = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise InputError(f"unusable YAML value: {msg}", file=name) from None


def parse_text(text: str, name: str, report: Callable[[int], None] | None = None) -> list[Any]:
    """The documents of one file: JSON if it looks like JSON, YAML otherwise.

    ``report(chars_read)`` is called while a YAML text is parsed (the slow case).
    """
    head = text[:4096].lstrip()[:1]  # (not the whole text: a copy of hundreds of megabytes)
    if head in ("{", "[") or (not head and text[:4096] != text and text.lstrip()[:1] in ("{", "[")):
        try:
            return _json_documents(text, name)
        except InputError as json_error:
            if name.lower().endswith(".json"):
                raise
            try:  # YAML flow style also starts with { or [
                return _yaml_documents(text, name)
            except InputError:
                raise json_error from None
    return _yaml_documents(text, name, report)


def _add_documents(inv: Inventory, docs: list[Any], name: str) -> None:
    for doc in docs:
        if isinstance(doc, list):  # a bare sequence of objects
            for item in doc:
                inv.add(item, source=name)
        elif isinstance(doc, dict):
            inv.add(doc, source=name)
        else:
            raise InputError(f"expected Kubernetes objects (mappings with a kind), found a {type(doc).__name__}",
                             file=name)


def _file_size(path: str) -> int:
    try:
        return os.path.getsize(path) if path != "-" else 0
    except OSError:
        return 0


#: Largest inventory file read, in bytes: a cluster's objects are data, larger than any config
#: (sources.MAX_BYTES); 50,000 pods as indented JSON are about 620 MB.
MAX_INVENTORY_BYTES = 8 * 1024 ** 3


def _read_text(path: str, stdin: io.TextIOBase | None) -> tuple[str, str]:
    """sources.read_text with the inventory's size limit."""
    if path != "-" and _file_size(path) > MAX_INVENTORY_BYTES:
        raise InputError(f"file is larger than {MAX_INVENTORY_BYTES // 1024 ** 3} GiB", file=path)
    import migrator.sources as sources

    if path == "-" or _file_size(path) <= sources.MAX_BYTES:
        return read_text(path, stdin)
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=path) from None
    if b"\x00" in raw[:65536]:
        raise InputError("not a text file (binary content)", file=path)
    try:
        return path, raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError("not a text file (invalid UTF-8)", file=path,
                         line=raw[: exc.start].count(b"\n") + 1) from None


def _json_file(path: str) -> list[Any] | None:
    """The one JSON value of a file, parsed from its bytes (no text copy), or None when the file is not
    exactly one well-formed JSON value (then the text path reads it and says what is wrong)."""
    if _orjson is None:
        return None
    try:
        size = os.path.getsize(path)
        if size > MAX_INVENTORY_BYTES or size == 0:
            return None
        with open(path, "rb") as fh:
            head = fh.read(4096)
            start = head.lstrip(b" \t\r\n")[:1]
            if start not in (b"{", b"[") or b"\x00" in head:
                return None
            fh.seek(0)
            raw = fh.read()
    except OSError:
        return None
    try:
        return [_orjson.loads(raw)]  # orjson refuses invalid UTF-8 and a BOM: the text path handles them
    except ValueError:
        return None


def load_inventory(paths: list[str], stdin: io.TextIOBase | None = None,
                   progress: Progress | None = None) -> Inventory:
    """Read objects from files (YAML or JSON, ``kind: List`` or multi-document), directories or ``-``."""
    # Millions of dicts and lists are built here and none is part of a reference cycle: pause the cyclic
    # GC, whose collections would rescan the growing heap again and again (3x the parse time at 20,000
    # pods, more the larger the cluster).
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        return _load_inventory(paths, stdin, progress)
    finally:
        if paused:
            gc.enable()


def _load_inventory(paths: list[str], stdin: io.TextIOBase | None, progress: Progress | None) -> Inventory:
    files: list[str] = []
    for arg in paths:
        found = iter_files(arg)
        if not found and arg != "-":
            raise InputError("directory holds no *.yaml, *.yml or *.json file", file=arg)
        files.extend(found)
    sizes = [_file_size(f) for f in files]
    total = sum(sizes)
    done = 0
    if progress:
        progress(0, total)
    inv = Inventory()
    for f, size in zip(files, sizes):
        docs = _json_file(f) if f != "-" else None
        name = f
        if docs is None:
            name, text = _read_text(f, stdin)
            if f == "-":
                size = len(text.encode("utf-8", "replace"))
                total += size
            report = None
            if progress:
                base, limit = done, size

                def report(chars: int, base: int = base, limit: int = limit) -> None:
                    progress(base + min(chars, limit), total)  # type: ignore[misc]
            docs = parse_text(text, name, report)
            del text
        _add_documents(inv, docs, name)
        del docs
        done += size
        if progress:
            progress(done, total)
    return inv


# -- a live cluster --------------------------------------------------------------------------

#: (kind, API group client class name, list method for all namespaces / cluster)
_CLUSTER_LISTS: tuple[tuple[str, str, str], ...] = (
    ("Namespace", "CoreV1Api", "list_namespace"),
    ("Node", "CoreV1Api", "list_node"),
    ("Pod", "CoreV1Api", "list_pod_for_all_namespaces"),
    ("Service", "CoreV1Api", "list_service_for_all_namespaces"),
    ("Endpoints", "CoreV1Api", "list_endpoints_for_all_namespaces"),
    ("EndpointSlice", "DiscoveryV1Api", "list_endpoint_slice_for_all_namespaces"),
    ("Ingress", "NetworkingV1Api", "list_ingress_for_all_namespaces"),
    ("ReplicaSet", "AppsV1Api", "list_replica_set_for_all_namespaces"),
    ("Deployment", "AppsV1Api", "list_deployment_for_all_namespaces"),
    ("Job", "BatchV1Api", "list_job_for_all_namespaces"),
    ("CronJob", "BatchV1Api", "list_cron_job_for_all_namespaces"),
)
PAGE_SIZE = 500
#: Seconds one list call may take (connect, read).
REQUEST_TIMEOUT = (10, 120)


def _api_error(exc: Exception, kind: str, where: str) -> InputError:
    status = getattr(exc, "status", None)
    reason = getattr(exc, "reason", None) or ""
    if status == 401:
        msg = "the cluster refused the credentials (401 Unauthorized)"
    elif status == 403:
        msg = f"not allowed to list {kind} objects (403 Forbidden); discovery needs list access"
    elif status == 404:
        msg = f"the API server does not serve {kind} objects (404 Not Found)"
    elif status:
        msg = f"listing {kind} objects failed: HTTP {status} {reason}".rstrip()
    else:
        msg = f"cannot reach the API server while listing {kind} objects: {exc}"
    return InputError(msg, file=where)


def kube_api_client(kubeconfig: str | None = None, context: str | None = None):
    """(kubernetes ApiClient, a name for where it points) from a kubeconfig, else the in-cluster
    service account; InputError when neither can be loaded."""
    try:
        from kubernetes import client, config  # imported lazily: slow to import
        from kubernetes.config.config_exception import ConfigException
    except ImportError:  # pragma: no cover - it is a dependency
        raise InputError("the kubernetes Python client is not installed") from None
    where = kubeconfig or os.environ.get("KUBECONFIG") or "~/.kube/config"
    if kubeconfig is not None:
        _check_kubeconfig(kubeconfig)
    try:
        api_client = config.new_client_from_config(config_file=kubeconfig, context=context)
    except ConfigException as exc:
        if kubeconfig is not None or context is not None:
            raise InputError(f"cannot load the kubeconfig: {exc}", file=where) from None
        try:
            config.load_incluster_config()
        except ConfigException:
            raise InputError(f"cannot load the kubeconfig: {exc}", file=where) from None
        api_client, where = client.ApiClient(), "in-cluster config"
    except (OSError, ValueError, TypeError, KeyError, AttributeError, yaml.YAMLError) as exc:
        # the client's own reading of a malformed file: bad input, not a bug of ours
        msg = " ".join(str(exc).split()) or type(exc).__name__
        raise InputError(f"cannot load the kubeconfig: {msg}", file=where) from None
    return api_client, getattr(api_client.configuration, "host", None) or where


def _a(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean", int: "an integer",
            float: "a number"}.get(type(value), type(value).__name__)


def _check_kubeconfig(path: str) -> None:
    """A kubeconfig file is one YAML mapping with the list fields kubectl expects; InputError otherwise."""
    from migrator.sources import parse_documents

    name, text = read_text(path)
    docs = parse_documents(text, name)
    if len(docs) > 1:
        raise docs[1].error("a kubeconfig holds one YAML document; this file has several", field_name="")
    if not docs:
        raise InputError("the kubeconfig is empty", file=name)
    doc = docs[0]
    if not isinstance(doc.data, dict):
        raise doc.error(f"a kubeconfig must be a mapping, not {_a(doc.data)}")
    for key in ("clusters", "contexts", "users"):
        value = doc.data.get(key)
        if value is None:
            continue
        if not isinstance(value, list):
            raise doc.error(f"must be a list, not {_a(value)}", (key,))
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                raise doc.error(f"must be a mapping, not {_a(item)}", (key, i))
            inner = item.get(key[:-1])
            if inner is not None and not isinstance(inner, dict):
                raise doc.error(f"must be a mapping, not {_a(inner)}", (key, i, key[:-1]))
    current = doc.data.get("current-context")
    if current is not None and not isinstance(current, str):
        raise doc.error(f"must be a string, not {_a(current)}", ("current-context",))


def load_cluster(kubeconfig: str | None = None, context: str | None = None,
                 progress: Progress | None = None, *, kinds: Iterable[str] | None = None) -> Inventory:
    """Read the kinds discovery uses (default: all of KINDS) from a live cluster.

    Read-only, paginated list calls (``limit``/``continue``) across all namespaces.
    Without kubeconfig and context, the default kubeconfig is used, then the in-cluster
    service account. ``progress(kinds_done, kinds_total)`` is called after each kind, and
    ``progress(kinds_done, kinds_total, what)`` after each page (``what``: ``Pod 12,500 of 50,000``, the
    total as the API server estimates it in ``remainingItemCount``).
    401/403/404 answers and connection failures raise InputError.
    """
    api_client, where = kube_api_client(kubeconfig, context)
    from kubernetes import client
    from kubernetes.client.rest import ApiException

    wanted = set(KINDS if kinds is None else kinds)
    unknown = wanted - set(KINDS)
    if unknown:
        raise InputError(f"cannot list {', '.join(sorted(unknown))}: discovery reads only {', '.join(KINDS)}")
    calls = [c for c in _CLUSTER_LISTS if c[0] in wanted]
    inv = Inventory()
    total = len(calls)
    if progress:
        progress(0, total)
    paused = gc.isenabled()  # as load_inventory: pages of acyclic objects, no collector rescans
    if paused:
        gc.disable()
    try:
        for i, (kind, api_name, method) in enumerate(calls):
            api = getattr(client, api_name)(api_client)
            read = 0
            for items, remaining in _list_pages(getattr(api, method), kind, where, ApiException):
                for item in items:
                    if isinstance(item, dict):
                        item.setdefault("kind", kind)
                    inv.add(item, kind)
                read += len(items)
                if progress and remaining:
                    progress(i, total, f"{kind} {read:,} of {read + remaining:,}")
                elif progress:
                    progress(i, total, f"{kind} {read:,}")
            if progress:
                progress(i + 1, total)
    finally:
        if paused:
            gc.enable()
        try:
            api_client.close()
        except Exception:  # pragma: no cover - best effort
            pass
    return inv


def _list_pages(list_fn: Callable[..., Any], kind: str, where: str,
                api_exception: type) -> Iterator[tuple[list[Any], int]]:
    """The pages of a paginated list call, following ``continue`` tokens: (items as API JSON (camelCase),
    the server's count of the items still to come, 0 when it gives none). Each page's body is parsed from
    its bytes and dropped once its items are taken: no second copy of the objects."""
    token: str | None = None
    loads = _orjson.loads if _orjson is not None else json.loads
    while True:
        kwargs: dict[str, Any] = {"limit": PAGE_SIZE, "_preload_content": False,
                                  "_request_timeout": REQUEST_TIMEOUT}
        if token:
            kwargs["_continue"] = token
        try:
            resp = list_fn(**kwargs)
            raw = resp.data if hasattr(resp, "data") else resp.read()
        except api_exception as exc:
            raise _api_error(exc, kind, where) from None
        except Exception as exc:  # urllib3 connection errors, timeouts, TLS failures
            raise _api_error(exc, kind, where) from None
        try:
            try:
                body = loads(raw)
            except ValueError:  # orjson refuses what the json module reads (an integer beyond 64 bits)
                body = json.loads(raw)
        except (ValueError, TypeError, RecursionError):
            raise InputError(f"the API server answered the {kind} list with something that is not JSON",
                             file=where) from None
        del raw
        if not isinstance(body, dict):
            raise InputError(f"unexpected answer to the {kind} list call", file=where)
        meta = body.get("metadata")
        meta = meta if isinstance(meta, dict) else {}
        items = body.get("items") or []
        if not isinstance(items, list):
            raise InputError(f"unexpected answer to the {kind} list call (items is not a list)", file=where)
        remaining = meta.get("remainingItemCount")
        yield items, remaining if isinstance(remaining, int) and not isinstance(remaining, bool) and remaining > 0 else 0
        token = meta.get("continue") or None
        if not token:
            return
