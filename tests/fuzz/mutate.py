"""Structure-aware mutations of YAML/JSON documents, and byte-level ones of their text.

Tree mutations replace the value at a random path by a value of another type,
or by raw text (``__FZRAW<n>__`` placeholders, substituted after dumping) that
the dumper cannot produce: impossible tags, 1e400, deep nesting, alias bombs.
Each mutation returns a short description, used in reports and reproducers.
"""

from __future__ import annotations

import copy
import json
import random
import re
from typing import Any, Callable

import yaml

DEEP = 100_000


class Doc:
    """Documents being mutated, and the raw texts their placeholders stand for."""

    def __init__(self, docs: list[Any], form: str = "yaml"):
        self.docs = docs
        self.form = form  # yaml or json
        self.raw: dict[str, str] = {}
        self.notes: list[str] = []
        #: texts that must not move out of their credential field (planted markers, Secret data values)
        self.taboo: list[str] = []

    def placeholder(self, raw: str) -> str:
        key = f"__FZRAW{len(self.raw)}__"
        self.raw[key] = raw
        return key

    def text(self) -> str:
        if self.form == "json":
            body = "\n".join(json.dumps(d, indent=1, allow_nan=True, default=str) for d in self.docs)
            for key, raw in self.raw.items():
                body = body.replace(json.dumps(key), raw)
            return body + "\n"
        body = yaml.dump_all(self.docs, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1 << 20,
                             explicit_start=len(self.docs) > 1)
        for key, raw in self.raw.items():
            body = body.replace(key, raw)
        return body


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def _repr_str(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _repr_str)


# ---------------------------------------------------------------- paths

def paths(node: Any, prefix: tuple = (), depth: int = 0, out: list | None = None) -> list[tuple]:
    """Every path (tuple of keys/indices) in a tree, the root excluded."""
    out = [] if out is None else out
    if depth > 40:
        return out
    if isinstance(node, dict):
        for k, v in node.items():
            out.append(prefix + (k,))
            paths(v, prefix + (k,), depth + 1, out)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out.append(prefix + (i,))
            paths(v, prefix + (i,), depth + 1, out)
    return out


def get(node: Any, path: tuple) -> Any:
    for p in path:
        node = node[p]
    return node


def put(root: Any, path: tuple, value: Any) -> None:
    get(root, path[:-1])[path[-1]] = value


def show(path: tuple) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out.lstrip(".")


# ---------------------------------------------------------------- values

def _nest_yaml(rng: random.Random) -> str:
    depth = rng.choice([DEEP, DEEP, 5_000, 1_000])
    kind = rng.randrange(3)
    if kind == 0:
        return "[" * depth + "]" * depth
    if kind == 1:
        return "{a: " * depth + "1" + "}" * depth
    return "[" * depth + "{a: 1}" + "]" * depth


def _nest_json(rng: random.Random) -> str:
    depth = rng.choice([DEEP, DEEP, 5_000, 1_000])
    if rng.random() < 0.5:
        return "[" * depth + "]" * depth
    return '{"a": ' * depth + "1" + "}" * depth


def alias_bomb(width: int = 9, levels: int = 9) -> str:
    parts = [f"&a0 [{', '.join(['lol'] * width)}]"]
    for i in range(1, levels):
        parts.append(f"&a{i} [{', '.join([f'*a{i-1}'] * width)}]")
    return "[" + ", ".join(parts) + "]"


YAML_RAW = [
    "!!int abc", "!!bool maybe", "!!float xyz", "!!null nope", "!!int 1.5", "!!binary '%%%'",
    "!!timestamp 2020-99-99", "!!str [1]", "!!map 1", "!!seq 1", "!!set 5", "!!omap 5", "!!pairs 5",
    "!!python/object/apply:os.system ['true']", "!!python/name:os.system", "!<tag:example.com,2000:x> y",
    "!custom 5", "*undefined_alias", "1e400", "-1e400", ".inf", "-.inf", ".nan", ".NaN", "1e-400",
    "0x7fffffffffffffffffff", "0o99", "0b102", "1_000", "2001-12-14", "2001-12-14t21:59:43.10-05:00", "~",
    "9" * 5000, "-" + "9" * 5000, "'\\u0000'", '"\\x00\\uDFFF"', '"\\uD800"', "!!float 1e400", "!!int 1e400",
    "? complex : key",
]
JSON_RAW = ["1e400", "-1e400", "NaN", "Infinity", "-Infinity", "9" * 5000, "1.5e308", "-0", "1E+400", '"\\uD800"',
            '"\\u0000"', "[]", "{}", "null", "true"]


def wrong_value(d: Doc, rng: random.Random) -> tuple[Any, str]:
    """A value of some (probably) wrong type, or raw text."""
    r = rng.random()
    if r < 0.45:
        v = rng.choice([0, -1, 7, 65536, 2 ** 63, 10 ** 30, -(2 ** 64), 1.5, float("inf"), float("nan"),
                        "", "abc", "http[", "((", "$1", "\x00", "\t", "é", "1e400", "NaN", ".inf", "-1", "99999999",
                        "true", "null", "~", "*", "a:b", "[", "\\", "%q",
                        [], [1, "x"], [[]], [None], {}, {"a": 1}, {"name": None}, {"": ""},
                        None, True, False])
        return v, repr(v)
    if r < 0.8:
        pool = JSON_RAW if d.form == "json" else YAML_RAW
        raw = rng.choice(pool)
        return d.placeholder(raw), raw[:60]
    if r < 0.9:
        raw = _nest_json(rng) if d.form == "json" else _nest_yaml(rng)
        return d.placeholder(raw), f"nesting {raw[:12]}... ({len(raw)} chars)"
    if d.form == "yaml" and rng.random() < 0.5:
        return d.placeholder(alias_bomb()), "alias bomb 9^9"
    size = rng.choice([100_000, 1_000_000])
    if rng.random() < 0.5:
        return "x" * size, f"huge string ({size})"
    # (a longer list only measures ruamel's round-trip loader: 100,000 items take 17 s in --rewrite-source)
    return list(range(size // 100)), f"huge list ({size // 100})"


# ---------------------------------------------------------------- tree mutations

def m_wrong_type(d: Doc, rng: random.Random) -> str:
    ps = paths(d.docs)
    if not ps:
        return m_whole_doc(d, rng)
    path = rng.choice(ps)
    value, desc = wrong_value(d, rng)
    put(d.docs, path, value)
    return f"{show(path[1:]) or '<doc>'} := {desc}"


def m_credential_wrong_type(d: Doc, rng: random.Random) -> str:
    """Wrong types at credential-ish paths (secrets must not be quoted back)."""
    keys = re.compile(r"(?i)auth|token|password|secret|credential|tls|key|proxy|api_?server|oauth")
    ps = [p for p in paths(d.docs) if isinstance(p[-1], str) and keys.search(p[-1])]
    if not ps:
        return m_wrong_type(d, rng)
    path = rng.choice(ps)
    value, desc = wrong_value(d, rng)
    put(d.docs, path, value)
    return f"{show(path[1:])} := {desc}"


def m_whole_doc(d: Doc, rng: random.Random) -> str:
    i = rng.randrange(len(d.docs)) if d.docs else 0
    value, desc = wrong_value(d, rng)
    if d.docs:
        d.docs[i] = value
    else:
        d.docs.append(value)
    return f"document {i} := {desc}"


def m_delete(d: Doc, rng: random.Random) -> str:
    ps = [p for p in paths(d.docs) if isinstance(get(d.docs, p[:-1]), dict)]
    if not ps:
        return m_wrong_type(d, rng)
    path = rng.choice(ps)
    del get(d.docs, path[:-1])[path[-1]]
    return f"delete {show(path[1:])}"


def m_duplicate_item(d: Doc, rng: random.Random) -> str:
    ps = [p for p in paths(d.docs) if isinstance(get(d.docs, p), list) and get(d.docs, p)]
    if not ps:
        return m_wrong_type(d, rng)
    path = rng.choice(ps)
    lst = get(d.docs, path)
    lst.append(copy.deepcopy(rng.choice(lst)))
    return f"duplicate an item of {show(path[1:])}"


def m_add_key(d: Doc, rng: random.Random) -> str:
    ps = [p for p in paths(d.docs) if isinstance(get(d.docs, p), dict)] or [()]
    path = rng.choice(ps)
    target = get(d.docs, path)
    if not isinstance(target, dict):
        return m_wrong_type(d, rng)
    key = rng.choice(["unknownField", "<<", "", "kind", "apiVersion", "spec", "metadata", "items",
                      "scrape_configs", "job_name", "role", "port", "relabel_configs", "selector", "data"])
    value, desc = wrong_value(d, rng)
    target[key] = value
    return f"{show(path[1:]) or '<doc>'}.{key} := {desc}"


def m_numbers(d: Doc, rng: random.Random) -> str:
    """Overflowing or odd numbers in number-ish fields (ports, intervals, limits)."""
    keys = re.compile(r"(?i)port|number|limit|interval|timeout|modulus|replicas|shards|count|size")
    ps = [p for p in paths(d.docs) if isinstance(p[-1], str) and keys.search(p[-1])]
    if not ps:
        return m_wrong_type(d, rng)
    path = rng.choice(ps)
    pool = (["1e400", "-1e400", "NaN", "Infinity", "9" * 5000, "-1", "0", "1.5", '"abc"', '"1e400"', "65536"]
            if d.form == "json" else
            ["1e400", ".inf", "-.inf", ".nan", "9" * 5000, "-1", "0", "1.5", "abc", "'1e400'", "65536",
             "!!int abc", "0x10", "1_0", "'0s'", "-5s", "1y2y", "99999999999999999999h"])
    raw = rng.choice(pool)
    put(d.docs, path, d.placeholder(raw))
    return f"{show(path[1:])} := {raw[:40]}"


def m_transplant(d: Doc, rng: random.Random) -> str:
    """A real value from elsewhere in the documents put where it does not belong (type confusion)."""
    ps = paths(d.docs)
    if len(ps) < 2:
        return m_wrong_type(d, rng)
    src, dst = rng.choice(ps), rng.choice(ps)
    text = repr(get(d.docs, src))
    if dst[:len(src)] == src or src[:len(dst)] == dst or any(t in text for t in d.taboo):
        return m_wrong_type(d, rng)
    put(d.docs, dst, copy.deepcopy(get(d.docs, src)))
    return f"{show(dst[1:])} := the value of {show(src[1:])}"


SEMANTIC = {
    "regex": ["(", "[[:alpha:]]", "\\pL{1000}", "a{1001}", "(?=x)", "(?P<n>a)", "(?<n>a)", "((((((((((a))))))))))" * 30,
              "\\C", "\\Q(\\E", "(?i)Ä", "x**", "\\1", ".*" * 500, "\\x{110000}", "[z-a]", "(?U)a+", "\\b", "",
              "(|)+", "\\z", "\\Z", "$", "^", "(?s).", "[^\\x00-\\x{10FFFF}]", "\\", "a" * 100_000],
    "replacement": ["$1", "${1}", "$", "${", "$99", "${name}", "$$", "\\1", "${1x}", "é" * 1000, "$0$0$0" * 1000],
    "separator": ["", ";;", "\\", "\x00", "$1"],
    "target_label": ["", "__name__", "1abc", "a-b", "é", "${1}", "__address__", "__tmp", "job", "$1" * 100],
    "targetLabel": ["", "__name__", "1abc", "a-b", "é", "${1}", "__address__", "job"],
    "source_labels": [[""], ["a-b"], ["__meta_é"], [None], [1], "job", [["x"]]],
    "sourceLabels": [[""], ["a-b"], ["__meta_é"], [None], [1], "job"],
    "modulus": [0, -1, 2 ** 64, 1.5, "2", None],
    "action": ["Replace", "REPLACE", "lowercase", "uppercase", "keepequal", "dropequal", "hashmod", "labelmap", "", "x"],
    "port": ["http[", "(a|b)", ".*", "", "0", "65536", "-1", "a" * 64, "http-metrics", 0, 65535, 65536, -1],
    "targetPort": ["http[", 0, 65536, "-1", "", "9090"],
    "portNumber": [0, 65536, -1, 1.5, "80"],
    "path": ["", "no-slash", "/a b", "/%zz", "/?x=1", "//", "/" + "a" * 10_000],
    "metrics_path": ["", "no-slash", "/a b", "/%zz", "/?x=1"],
    "scheme": ["HTTP", "ftp", "", "https ", "Http"],
    "interval": ["0s", "1ms", "1y", "", "5", "-1s", "1h1h", "0.5s", "99999999999999999y", "1e3s", "30s"],
    "scrapeTimeout": ["0s", "1y", "", "31s", "1d", "1e3s"],
    "scrape_interval": ["0s", "1y", "", "5", "-1s", "1h1h", "99999999999999999y"],
    "scrape_timeout": ["0s", "1y", "", "31s", "1d"],
    "job_name": ["", "a/b", "é", "a" * 1000, "job name", "podMonitor/x/y/0", None],
    "jobName": ["", "a/b", "é", "a" * 1000],
    "role": ["Pod", "POD", "pods", "endpointslice", "EndpointSlice", "ingress", "node", "service", "", "x"],
    "names": [[""], ["UPPER"], ["a" * 300], [None], "default", []],
    "matchLabels": [{"": ""}, {"a": None}, {"a": 1}, {"a/b/c": "d"}, {"é": "x"}],
    "matchExpressions": [[{"key": "a", "operator": "Nope"}], [{"key": "a", "operator": "In"}],
                         [{"key": "a", "operator": "Exists", "values": ["x"]}], [{"operator": "In", "values": []}]],
    "honor_labels": ["true", "yes", 1, None],
    "sample_limit": [-1, 2 ** 64, "10"],
    "version": ["v2", "2", "v99.0.0", "", "v2.54.1-rc.0+build", "latest"],
    "api_server": ["", "not a url", "http://[::1", "https://h:99999", "unix:///x"],
    "namespace": ["", "UPPER", "a" * 64, "kube_system"],
    "name": ["", "UPPER", "a" * 300, "a/b", "-x", None],
}


def m_semantic(d: Doc, rng: random.Random) -> str:
    """A value of the right type, chosen for what Prometheus or the operator decides about it."""
    ps = [p for p in paths(d.docs) if isinstance(p[-1], str) and p[-1] in SEMANTIC]
    if not ps:
        return m_wrong_type(d, rng)
    path = rng.choice(ps)
    value = copy.deepcopy(rng.choice(SEMANTIC[path[-1]]))
    put(d.docs, path, value)
    return f"{show(path[1:])} := {repr(value)[:60]}"


TREE_MUTATIONS: list[tuple[float, Callable[[Doc, random.Random], str]]] = [
    (4, m_wrong_type), (2, m_credential_wrong_type), (2, m_numbers), (1, m_whole_doc), (1, m_delete),
    (1, m_duplicate_item), (2, m_add_key), (2, m_transplant), (5, m_semantic),
]


# ---------------------------------------------------------------- text mutations

def t_truncate(text: bytes, rng: random.Random) -> tuple[bytes, str]:
    n = rng.randrange(len(text) + 1) if text else 0
    return text[:n], f"truncated at byte {n}"


def t_random_bytes(text: bytes, rng: random.Random) -> tuple[bytes, str]:
    out = bytearray(text)
    k = rng.choice([1, 1, 2, 5, 20])
    for _ in range(k):
        pos = rng.randrange(len(out) + 1)
        chunk = rng.choice([b"\x00", b"\xff", b"\xfe\xff", b"\xef\xbb\xbf", b"\t", b":", b"{", b"[", b"&", b"*",
                            b"!", b"%", b"\r", b"|", b">", b"'", b'"', b"\\", b"\x85", b"\xe2\x80\xa8", b"- ",
                            b"---\n", b"...\n", b"\n  ", b"#", b"@", b"`",
                            bytes(rng.randrange(256) for _ in range(rng.randrange(1, 8)))])
        if rng.random() < 0.5 and pos < len(out):
            out[pos:pos + len(chunk)] = chunk
        else:
            out[pos:pos] = chunk
    return bytes(out), f"{k} random byte edit(s)"


def t_garbage(text: bytes, rng: random.Random) -> tuple[bytes, str]:
    n = rng.choice([0, 1, 100, 5000])
    return bytes(rng.randrange(256) for _ in range(n)), f"{n} random bytes"


_KEY_LINE = re.compile(rb"^( *)(- )?([A-Za-z_][\w.-]*):( .*)?$", re.M)


def t_duplicate_key(text: bytes, rng: random.Random) -> tuple[bytes, str]:
    lines = list(_KEY_LINE.finditer(text))
    if not lines:
        return t_random_bytes(text, rng)
    m = rng.choice(lines)
    indent = m.group(1) + (b"  " if m.group(2) else b"")
    value = rng.choice([b" 1", b" x", b" []", b" {}", b" null", b" !!int abc", b""])
    dup = b"\n" + indent + m.group(3) + b":" + value
    return text[:m.end()] + dup + text[m.end():], f"duplicated key {m.group(3).decode()!r}"


def t_duplicate_json_key(text: bytes, rng: random.Random) -> tuple[bytes, str]:
    keys = list(re.finditer(rb'"([^"\\]{1,40})": ', text))
    if not keys:
        return t_random_bytes(text, rng)
    m = rng.choice(keys)
    ins = m.group(0) + rng.choice([b"1, ", b'"x", ', b"[], ", b"{}, ", b"null, "])
    return text[:m.start()] + ins + text[m.start():], f"duplicated key {m.group(1).decode()!r}"


def t_encoding(text: bytes, rng: random.Random) -> tuple[bytes, str]:
    which = rng.choice(["utf-16", "utf-32", "latin-1-bom", "bom", "crlf", "tabs"])
    if which == "utf-16":
        return text.decode("utf-8", "replace").encode("utf-16"), "UTF-16"
    if which == "utf-32":
        return text.decode("utf-8", "replace").encode("utf-32"), "UTF-32"
    if which == "bom":
        return b"\xef\xbb\xbf" + text, "BOM"
    if which == "latin-1-bom":
        return b"\xff\xfe" + text, "bad BOM"
    if which == "crlf":
        return text.replace(b"\n", b"\r\n"), "CRLF"
    return text.replace(b"  ", b"\t"), "tabs for indentation"


def t_directives(text: bytes, rng: random.Random) -> tuple[bytes, str]:
    pre = rng.choice([b"%YAML 1.1\n---\n", b"%YAML 9.9\n---\n", b"%TAG ! tag:x,2000:\n---\n", b"---\n---\n",
                      b"--- !!map\n", b"--- !!str\n", b"--- |\n", b"...\n"])
    return pre + text, f"prefix {pre!r}"


TEXT_MUTATIONS_YAML = [(3, t_truncate), (3, t_random_bytes), (1, t_garbage), (3, t_duplicate_key),
                       (1, t_encoding), (1, t_directives)]
TEXT_MUTATIONS_JSON = [(3, t_truncate), (3, t_random_bytes), (1, t_garbage), (3, t_duplicate_json_key),
                       (1, t_encoding)]


def pick(rng: random.Random, table: list[tuple[float, Callable]]) -> Callable:
    total = sum(w for w, _ in table)
    x = rng.random() * total
    for w, f in table:
        x -= w
        if x < 0:
            return f
    return table[-1][1]
