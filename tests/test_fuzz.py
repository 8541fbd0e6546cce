"""Fuzzing every command in-process (issue 8, section 6): see tests/fuzz/.

A failing case prints how to rerun it alone and shrink it:
    python tools/fuzz.py --seed SEED --only INDEX
Bounded for CI (MIGRATOR_FUZZ_CASES random cases, default 720: about 35 s on
one core for the whole file); a longer run: MIGRATOR_FUZZ_CASES=5000 pytest tests/test_fuzz.py, or
python tools/fuzz.py --cases 5000 --seed S.
"""

from __future__ import annotations

import copy
import functools
import os
import random

import pytest
import yaml

from tests.fuzz import corpus, mutate
from tests.fuzz.cases import PRECIOUS, Case, make_case
from tests.fuzz.runner import run_case
from tests.fuzz.secrets import Planted, b64, plant_monitors, plant_raw

SEED = int(os.environ.get("MIGRATOR_FUZZ_SEED", "8"))
CASES = int(os.environ.get("MIGRATOR_FUZZ_CASES", "720"))
CHUNK = 30
COMMANDS = ["render", "validate", "targets", "migrate", "diff"]

pytestmark = pytest.mark.fuzz


def _failures(outcomes) -> str:
    bad = [o for o in outcomes if o.problems]
    lines = [f"{len(bad)} of {len(outcomes)} case(s) failed (rerun one: python tools/fuzz.py "
             f"--seed {SEED} --only INDEX; it writes a minimized reproducer)"]
    for o in bad[:6]:
        lines.append(o.report()[:1500])
    return "\n".join(lines)


# ---------------------------------------------------------------- random cases

@pytest.mark.parametrize("start", range(0, CASES, CHUNK), ids=lambda s: f"cases{s}-{min(s + CHUNK, CASES) - 1}")
def test_random_cases(start):
    """Mutated inputs with planted secrets through every command: exit 0/1/2, no traceback, no leak."""
    outcomes = [run_case(make_case(SEED, i), timeout=15) for i in range(start, min(start + CHUNK, CASES))]
    assert not any(o.problems for o in outcomes), _failures(outcomes)


@pytest.mark.parametrize("command", COMMANDS)
def test_planted_secrets_on_valid_inputs(command):
    """Unmutated inputs, a marker in every credential field: shown only where secrets were asked for."""
    outcomes = [run_case(make_case(SEED + 1, i, command=command, mutation="none"), timeout=15)
                for i in range(12)]
    assert not any(o.problems for o in outcomes), _failures(outcomes)


# ---------------------------------------------------------------- the issue's examples

def _docs(path: str) -> list:
    return copy.deepcopy(_load(path))


@functools.lru_cache(maxsize=None)
def _load(path: str) -> list:
    with open(os.path.join(corpus.REPO, path), encoding="utf-8") as f:
        return [d for d in yaml.load_all(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) if d is not None]


def _case(name: str, args: list[list[str]], files: dict[str, bytes], planted: Planted | None = None,
          existing: dict[str, bytes] | None = None, stdin: bytes | None = None) -> Case:
    return Case(seed=0, index=0, command=args[0][0], args=args, droppable=[], files=files, stdin=stdin,
                planted=planted, existing=existing or {}, mutated=name, notes=[name])


def _with(docs: list, path: tuple, raw: str, form: str = "yaml") -> bytes:
    """docs with the value at path replaced by raw text (a tag, 1e400, deep nesting...)."""
    d = mutate.Doc(copy.deepcopy(docs), form)
    mutate.put(d.docs, path, d.placeholder(raw))
    return d.text().encode()


MON = "samples/istio/monitors.yaml"
RAW = "samples/raw/istio-prometheus.yml"
INV = "samples/inventory/cluster.yaml"
PROM = "samples/istio/prometheus.yaml"
DEEP_JSON = "[" * 100_000 + "]" * 100_000
DEEP_YAML = "{a: " * 100_000 + "1" + "}" * 100_000


def _inventory(extra: list | None = None, raw_path: tuple | None = None, raw: str = "", form: str = "json") -> bytes:
    items = corpus.items_of(_docs(INV))[:30] + (extra or [])
    doc = [{"apiVersion": "v1", "kind": "List", "items": items}]
    if raw_path is None:
        return mutate.Doc(doc, form).text().encode()
    return _with(doc, raw_path, raw, form)


def _pod_with_port() -> tuple[int, int]:
    items = corpus.items_of(_docs(INV))[:30]
    for i, it in enumerate(items):
        if it.get("kind") == "Pod":
            for c, cont in enumerate(it["spec"].get("containers") or []):
                if cont.get("ports"):
                    return i, c
    raise AssertionError("no pod with a port in the sample inventory")


def _examples() -> list[Case]:
    mon, raw, prom = _docs(MON), _docs(RAW), _docs(PROM)
    pod, cont = _pod_with_port()
    port_path = (0, "items", pod, "spec", "containers", cont, "ports", 0, "containerPort")
    t = lambda *a: [list(a)]  # noqa: E731
    out = [
        _case("!!int abc as a port", t("render", "@m.yaml"),
              {"m.yaml": _with(mon, (0, "spec", "podMetricsEndpoints", 0, "port"), "!!int abc")}),
        _case("!!bool maybe as namespaceSelector.any", t("validate", "@m.yaml"),
              {"m.yaml": _with(mon, (0, "spec", "namespaceSelector", "any"), "!!bool maybe")}),
        _case("relabel_configs: 5", t("targets", "@r.yaml", "--inventory", "@i.json"),
              {"r.yaml": _with(raw, (0, "scrape_configs", 0, "relabel_configs"), "5"), "i.json": _inventory()}),
        _case("kubernetes_sd_configs: 5", t("migrate", "@r.yaml", "--inventory", "@i.json"),
              {"r.yaml": _with(raw, (0, "scrape_configs", 0, "kubernetes_sd_configs"), "5"), "i.json": _inventory()}),
        _case("a role that is a mapping", t("diff", "@r.yaml", "@m.yaml", "--inventory", "@i.json"),
              {"r.yaml": _with(raw, (0, "scrape_configs", 1, "kubernetes_sd_configs", 0, "role"), "{a: 1}"),
               "m.yaml": _with(mon, (0, "kind"), "PodMonitor"), "i.json": _inventory()}),
        _case("Helm additionalScrapeConfigs a number", t("targets", "@v.yaml", "--inventory", "@i.json"),
              {"v.yaml": b"prometheus:\n  prometheusSpec:\n    additionalScrapeConfigs: 5\n", "i.json": _inventory()}),
        _case("serverFiles without scrape_configs", t("migrate", "@v.yaml"),
              {"v.yaml": b"serverFiles:\n  prometheus.yml:\n    global: {scrape_interval: 1m}\n"}),
        _case("serverFiles with a list as global", t("migrate", "@v.yaml"),
              {"v.yaml": b"serverFiles:\n  prometheus.yml:\n    global: []\n    scrape_configs: [{job_name: a}]\n"}),
        _case("a Secret whose data is a string", t("render", "@m.yaml", "--operator-compatible"),
              {"m.yaml": _with(mon + [{"apiVersion": "v1", "kind": "Secret",
                                        "metadata": {"name": "s", "namespace": "monitoring"}, "data": "x"}],
                               (len(mon), "data"), "abc")}),
        _case("a Prometheus CR whose spec is a number", t("render", "@m.yaml", "--prometheus", "@p.yaml"),
              {"m.yaml": _with(mon, (0, "kind"), "PodMonitor"), "p.yaml": _with(prom, (0, "spec"), "5")}),
        _case("a Prometheus CR whose metadata is a list", t("targets", "@m.yaml", "--prometheus", "@p.yaml",
                                                            "--inventory", "@i.json"),
              {"m.yaml": _with(mon, (0, "kind"), "PodMonitor"), "p.yaml": _with(prom, (0, "metadata"), "[1]"),
               "i.json": _inventory()}),
        _case("a Prometheus CR whose selector is a string", t("render", "@m.yaml", "--prometheus", "@p.yaml"),
              {"m.yaml": _with(mon, (0, "kind"), "PodMonitor"),
               "p.yaml": _with(prom, (0, "spec", "podMonitorSelector"), "x")}),
        _case("an inventory nested 100,000 deep (JSON)", t("targets", "@r.yaml", "--inventory", "@i.json"),
              {"r.yaml": _with(raw, (0, "global"), "{}"), "i.json": DEEP_JSON.encode()}),
        _case("an inventory nested 100,000 deep (YAML)", t("migrate", "@r.yaml", "--inventory", "@i.yaml"),
              {"r.yaml": _with(raw, (0, "global"), "{}"), "i.yaml": DEEP_YAML.encode()}),
        _case("a --mapping nested 100,000 deep", t("diff", "@r.yaml", "@m.yaml", "--mapping", "@map.json"),
              {"r.yaml": _with(raw, (0, "global"), "{}"), "m.yaml": _with(mon, (0, "kind"), "PodMonitor"),
               "map.json": DEEP_JSON.encode()}),
        _case("monitors nested 100,000 deep", t("validate", "@m.yaml"), {"m.yaml": DEEP_YAML.encode()}),
        _case("an alias bomb inside an inventory", t("targets", "@r.yaml", "--inventory", "@i.yaml"),
              {"r.yaml": _with(raw, (0, "global"), "{}"),
               "i.yaml": _inventory(raw_path=(0, "items", 0, "metadata", "labels", "bomb"),
                                    raw=mutate.alias_bomb(), form="yaml")}),
        _case("containerPort: 1e400", t("targets", "@r.yaml", "--inventory", "@i.json"),
              {"r.yaml": _with(raw, (0, "global"), "{}"), "i.json": _inventory(raw_path=port_path, raw="1e400")}),
        _case("containerPort: .inf", t("targets", "@r.yaml", "--inventory", "@i.yaml"),
              {"r.yaml": _with(raw, (0, "global"), "{}"),
               "i.yaml": _inventory(raw_path=port_path, raw=".inf", form="yaml")}),
        _case("a 5000-digit number in an inventory", t("migrate", "@r.yaml", "--inventory", "@i.json"),
              {"r.yaml": _with(raw, (0, "global"), "{}"), "i.json": _inventory(raw_path=port_path, raw="9" * 5000)}),
        _case("port: 1e400 in a monitor", t("render", "@m.yaml"),
              {"m.yaml": _with(mon, (0, "spec", "podMetricsEndpoints", 0, "port"), "1e400")}),
        _case("an output path under a regular file", t("render", "@m.yaml", "-o", "@afile/x"),
              {"m.yaml": _with(mon, (0, "kind"), "PodMonitor"), "afile": b"a regular file\n"}),
        _case("random bytes", t("targets", "@r.yaml", "--inventory", "@i.json"),
              {"r.yaml": bytes(random.Random(5).randrange(256) for _ in range(3000)), "i.json": _inventory()}),
    ]
    return out


EXAMPLES = _examples()


@pytest.mark.parametrize("case", EXAMPLES, ids=[c.mutated for c in EXAMPLES])
def test_issue_examples(case):
    """Section 2's crashing inputs: each gets an exit status 0/1/2 and no traceback."""
    out = run_case(case, timeout=15)
    assert not out.problems, out.report() + "\n" + out.stderr[-1000:]


# ---------------------------------------------------------------- secrets and write safety

def _secret_setup(wrong_types: bool = False):
    """Monitors and a raw config with a marker in every credential field kind, and their Secrets
    (valid, unless wrong_types: then markers also stand where a Secret reference belongs)."""
    p = Planted(random.Random(SEED))
    mons = []
    for i in range(12):  # every choice of secrets.plant_endpoint, more than once
        mons += plant_monitors(copy.deepcopy(_docs(MON)), p, random.Random(i), wrong_types)
    raws = []
    for i in range(8):
        raws += plant_raw(copy.deepcopy(_docs(RAW)), p, random.Random(i))
    return p, yaml.safe_dump_all(mons).encode(), yaml.safe_dump(raws[0]).encode(), raws


@pytest.mark.parametrize("wrong_types", [False, True], ids=["valid", "markers-as-wrong-types"])
def test_secrets_nowhere_but_where_asked(wrong_types):
    """Each command and output form: no marker outside --operator-compatible/--inline-secrets/
    --secrets-out/--rewrite-source outputs, also when a marker stands where a Secret reference belongs."""
    p, mons, _, raws = _secret_setup(wrong_types)
    inv = _inventory(extra=[{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "x", "namespace": "default"},
                             "data": {"t": b64(p.new("inventory Secret"))}}])
    outcomes = []
    for k, raw_doc in enumerate(raws):
        raw = yaml.safe_dump(raw_doc).encode()
        files = {"m.yaml": mons, "r.yaml": raw, "i.json": inv}
        runs = [
            [["render", "@m.yaml"]], [["render", "@m.yaml", "--output", "json"]],
            [["render", "@m.yaml", "--format", "secret", "-o", "@o.yaml"]],
            [["validate", "@m.yaml", "--output", "json"]],
            [["targets", "@r.yaml", "--inventory", "@i.json", "--output", "json", "--show-dropped"]],
            [["targets", "@m.yaml", "--inventory", "@i.json"]],
            [["migrate", "@r.yaml", "--inventory", "@i.json"]],
            [["migrate", "@r.yaml", "--inventory", "@i.json", "-o", "@out", "--report", "@rep.json"]],
            [["migrate", "@r.yaml", "--report", "@rep.md", "--secrets-out", "@sec.yaml"]],
            [["diff", "@r.yaml", "@m.yaml"]],
            [["diff", "@r.yaml", "@m.yaml", "--inventory", "@i.json", "--output", "json"]],
            [["diff", "@r.yaml", "@m.yaml", "--inventory", "@i.json", "--output", "markdown"]],
            [["diff", "@r.yaml", "@r.yaml", "--output", "json"]],
        ]
        for args in runs if k == 0 else [a for a in runs if "@r.yaml" in a[0]]:
            case = _case(" ".join(args[0]), args, dict(files), planted=p)
            case.secret_files = {"sec.yaml"}
            outcomes.append(run_case(case, timeout=15))
    leaks = [o for o in outcomes if any(pr.kind == "leak" for pr in o.problems)]
    assert not leaks, _failures(leaks)


@pytest.mark.parametrize("args", [
    ["render", "@m.yaml", "-o", "@dest"],
    ["render", "@m.yaml", "--inline-secrets", "-o", "@dest"],
    ["targets", "@r.yaml", "--inventory", "@i.json", "-o", "@dest"],
    ["diff", "@r.yaml", "@m.yaml", "-o", "@dest"],
    ["migrate", "@r.yaml", "--report", "@dest"],
    ["migrate", "@r.yaml", "--secrets-out", "@dest"],
    ["migrate", "@r.yaml", "--rewrite-source", "@dest"],
    ["migrate", "@r.yaml", "-o", "@out", "--secrets-out", "@dest"],
], ids=lambda a: " ".join(a).replace("@", ""))
def test_existing_output_kept_without_force(args):
    """An existing destination without --force is never modified, nothing else is written, no temp file is left."""
    p, mons, raw, _ = _secret_setup()
    case = _case(args[0], [args], {"m.yaml": mons, "r.yaml": raw, "i.json": _inventory()}, planted=p,
                 existing={"dest": PRECIOUS})
    case.secret_files = {"dest"}
    out = run_case(case, timeout=15)
    assert not out.problems, out.report()
    assert out.code == 2, f"exit {out.code}: an existing {args[-2]} without --force must be refused\n{out.stderr}"


# ---------------------------------------------------------------- the harness itself can fail

def _validate_case(p: Planted, existing: dict | None = None) -> Case:
    return _case("self-test", [["validate", "@m.yaml"]], {"m.yaml": yaml.safe_dump_all(_docs(MON)).encode()},
                 planted=p, existing=existing or {"dest": PRECIOUS})


def test_harness_detects_each_kind_of_failure(monkeypatch, tmp_path):
    """A bug planted in the CLI is reported by run_case: crash, leak, clobbered file, temp file, hang."""
    import time

    from migrator import commands

    p = Planted(random.Random(1))
    marker = p.new("self-test password")

    def crash(**kw):
        raise RuntimeError("planted bug")

    def leak(**kw):
        print(f"password is {marker}")

    def leak_b64(**kw):
        import sys
        sys.stderr.write(f"data: {b64('x' + marker)}\n")

    def traceback_text(**kw):
        print("Traceback (most recent call last):")

    def clobber_and_tmp(**kw):
        dest = os.path.join(kw["files"][0].rsplit("/", 1)[0], "dest")
        with open(dest, "w") as f:
            f.write("clobbered")
        with open(dest + ".tmp-x", "w") as f:
            f.write("left")

    def hang(**kw):
        time.sleep(5)

    expect = {crash: "exit-3", leak: "leak", leak_b64: "leak", traceback_text: "traceback",
              clobber_and_tmp: "clobber", hang: "timeout"}
    for fn, kind in expect.items():
        monkeypatch.setattr(commands, "validate", fn)
        out = run_case(_validate_case(p), timeout=1)
        kinds = {pr.kind for pr in out.problems} | ({"exit-3"} if any(pr.kind == "exception" for pr in out.problems)
                                                   else set())
        assert kind in kinds, f"{fn.__name__}: expected a {kind} problem, got {out.report()}"
        if fn is clobber_and_tmp:
            assert "tmpfile" in kinds, out.report()
    monkeypatch.undo()
    assert not run_case(_validate_case(p), timeout=15).problems


# ---------------------------------------------------------------- every finding, as it was found (/work/coord/fuzz-findings.md)

def _marked(*markers: str) -> Planted:
    p = Planted(random.Random(0))
    for m in markers:
        p.markers[m] = "planted"
    return p


_SM_WITH = ("apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {{name: a, namespace: default}}\n"
            "spec:\n  selector: {{}}\n  endpoints:\n  - port: web\n{}")
_PM_WITH = ("apiVersion: monitoring.coreos.com/v1\nkind: PodMonitor\nmetadata: {{name: p, namespace: default}}\n"
            "spec:\n  selector: {{}}\n  podMetricsEndpoints:\n  - port: web\n{}")
_PROXY = "    proxyUrl: http://S3CRETUSER:S3CRETPASS@proxy.example:3128\n"
_NULL_SPEC_CR = b"apiVersion: monitoring.coreos.com/v1\nkind: Prometheus\nmetadata: {name: p, namespace: monitoring}\nspec: null\n"


def _findings() -> list[Case]:
    inv = _inventory()
    t = lambda *a: [list(a)]  # noqa: E731
    cases = [
        ("F1 credential of the wrong type quoted", t("validate", "@m.yaml", "--output", "json"),
         {"m.yaml": _SM_WITH.format("    authorization:\n      credentials: S3CRETF1\n").encode()}, ["S3CRETF1"]),
        ("F1 (render)", t("render", "@m.yaml"),
         {"m.yaml": _SM_WITH.format("    basicAuth:\n      password: S3CRETF1\n").encode()}, ["S3CRETF1"]),
        ("F2 migrate copies proxy_url userinfo", t("migrate", "@s.yaml"),
         {"s.yaml": b"- job_name: istiod\n  proxy_url: http://S3CRETUSER:S3CRETPASS@proxy.example:3128\n"},
         ["S3CRETUSER", "S3CRETPASS"]),
        ("F2 (-o DIR, api_server, token_url)", t("migrate", "@s.yaml", "-o", "@out"),
         {"s.yaml": b"- job_name: a\n  kubernetes_sd_configs:\n  - role: pod\n"
                    b"    api_server: https://S3CRETUSER:S3CRETPASS@k8s.example:6443\n"
                    b"  oauth2: {client_id: c, client_secret_file: /f, token_url: 'https://S3CRETUSER:S3CRETPASS@o/t'}\n"},
         ["S3CRETUSER", "S3CRETPASS"]),
        ("F3 portable render prints proxyUrl userinfo", t("render", "@m.yaml"),
         {"m.yaml": _PM_WITH.format(_PROXY).encode()}, ["S3CRETUSER", "S3CRETPASS"]),
        ("F4 a 5000-digit integer in an inventory", t("targets", "@r.yaml", "--inventory", "@i.json"),
         {"r.yaml": b"scrape_configs:\n- job_name: a\n  kubernetes_sd_configs:\n  - role: pod\n",
          "i.json": ('{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p",'
                     '"namespace":"default"},"spec":{"containers":[{"name":"c","ports":[{"containerPort":%s}]}]}}]}'
                     % ("9" * 5000)).encode()}, []),
        ("F5 a malformed proxyUrl quoted", t("validate", "@m.yaml"),
         {"m.yaml": _PM_WITH.format("    proxyUrl: htt%://S3CRETUSER:S3CRETPASS@proxy.example:3128\n").encode()},
         ["S3CRETUSER", "S3CRETPASS"]),
        ("F6 an empty !!int", t("targets", "@r.yaml", "--inventory", "@i.json"),
         {"r.yaml": b"x: !!int", "i.json": inv}, []),
        ("F6 (--prometheus)", t("render", "@m.yaml", "--prometheus", "@p.yaml"),
         {"m.yaml": _PM_WITH.format("").encode(),
          "p.yaml": b"apiVersion: monitoring.coreos.com/v1\nkind: Prometheus\nmetadata: {name: p}\n"
                    b"spec:\n  scrapeInterval: !!int"}, []),
        ("F7 a proxyUrl without :// quoted", t("validate", "@m.yaml"),
         {"m.yaml": _SM_WITH.format("    proxyUrl: http:/'/S3CRETUSER:S3CRETPASS@proxy.example:3128\n").encode()},
         ["S3CRETUSER", "S3CRETPASS"]),
        ("F8 targets --explain --output json", t("targets", "@r.yaml", "--inventory", "@i.json", "--output", "json",
                                                 "--explain", "frontend-v1-7f9c6d8b5-t8x2n"),
         {"r.yaml": (corpus.REPO / RAW).read_bytes(), "i.json": _inventory()}, []),
        ("F9 a monitor without spec (diff)", t("diff", "@old.yaml", "@m.yaml"),
         {"old.yaml": b"- job_name: istiod\n", "m.yaml": b"apiVersion: monitoring.coreos.com/v1\nkind: PodMonitor\n"}, []),
        ("F9 (targets)", t("targets", "@m.yaml", "--inventory", "@i.json"),
         {"m.yaml": b"apiVersion: monitoring.coreos.com/v1\nkind: PodMonitor\n", "i.json": inv}, []),
        ("F10 why prints proxyUrl userinfo", t("why", "@m.yaml", "--inventory", "@i.yaml"),
         {"m.yaml": _PM_WITH.format(_PROXY).encode(), "i.yaml": (corpus.REPO / INV).read_bytes()},
         ["S3CRETUSER", "S3CRETPASS"]),
        ("F11 lint --explain --output sarif", t("lint", "@m.yaml", "--no-config", "--explain", "job/honor-labels",
                                                "--output", "sarif"),
         {"m.yaml": (corpus.REPO / MON).read_bytes()}, []),
        ("F12 a Prometheus CR with spec: null (why)", t("why", "@m.yaml", "--inventory", "@i.yaml", "--prometheus",
                                                        "@p.yaml"),
         {"m.yaml": (corpus.REPO / MON).read_bytes(), "i.yaml": (corpus.REPO / INV).read_bytes(),
          "p.yaml": _NULL_SPEC_CR}, []),
        ("F12 (lint)", t("lint", "@m.yaml", "--no-config", "--prometheus", "@p.yaml"),
         {"m.yaml": (corpus.REPO / MON).read_bytes(), "p.yaml": _NULL_SPEC_CR}, []),
    ]
    return [_case(name, args, files, planted=_marked(*markers)) for name, args, files, markers in cases]


FINDINGS = _findings()


@pytest.mark.parametrize("case", FINDINGS, ids=[c.mutated for c in FINDINGS])
def test_fuzz_findings_stay_fixed(case):
    """Each failure the fuzzer found, minimized: exit 0/1/2, no leak, and a document that parses."""
    out = run_case(case, timeout=15)
    assert not out.problems, out.report() + "\n" + out.stderr[-1000:]
