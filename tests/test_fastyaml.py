"""migrator.fastyaml: yaml_rs only where it reads a text exactly as libyaml's safe loader does.

The property under test everywhere: when ``fastyaml.documents(text)`` returns documents, they are the
documents libyaml's loader returns (same values, types and key order); when it cannot be sure, None.
"""

from __future__ import annotations

import itertools
import json
import os

import pytest
import yaml

from conftest import REPO, SHARED
from migrator import fastyaml, inventory


def _slow(text):
    return [d for d in inventory._load_all(text, inventory._YamlLoader, "x") if d is not None]


def _same(text):
    """Assert the fast reading, when there is one, is libyaml's; return whether it was fast."""
    fast = fastyaml.documents(text)
    if fast is None:
        return False
    try:
        slow = _slow(text)
    except yaml.YAMLError:
        pytest.fail(f"fast path read what libyaml refuses: {text!r}")
    assert json.dumps(fast, default=repr) == json.dumps(slow, default=repr), text
    return True


# -- scalars: every form in every position --------------------------------------------------------

_PARTS = ["0", "1", "7", "00", "08", "10", "_", ".", "e", "E", "e+", "e-", "+", "-", ":", ":3", ":60", "0x",
          "0o", "0b", "1f", "x", "a", "12", "9", "-0", "inf", ".nan", "Inf", "2001-12-14", "T", " #c", "~", "e1_0",
          "_e", "e_1", "e+1_0", ".e1", "1e", "_5"]
_WORDS = ["yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF", "y", "n", "Y", "true",
          "True", "FALSE", "null", "Null", "NULL", "~", "<<", "=", "", ".inf", "-.Inf", ".NaN", "0.", "-1.5e+3",
          "1.5e3", "1.5E-3", "+12", "0o17", "0x_1", "1__0", "1:20:30", "190:20:30.15", "6.8523015e+5",
          "685.230_15e+03", "2001-12-14t21:59:43.10-05:00", "2002-12-14", "12:30", "-_", "+.5", "1.0.0",
          "8080abc", "2Gi", "500m", "1.27.1", "10.0.0.1", "2026-09-21T14:15:30Z", "1e1_0", "1.5e1_0", "1e_1",
          "1_e1", "1.e1", "1.0e+1_0", "1e+_1", "0x_1", "0o1_7", "1.5_e3", "+.5e3", "1__2", "0e0", "-1E-1_0",
          "1_0.5", "1.5__", "._5", "1:2_0", "0b1_0"]


def _scalars():
    seen = set()
    for a, b in itertools.product(_PARTS, repeat=2):
        seen.add(a + b)
    for a, b, c in itertools.product(["1", "0", "-1", "+1", ".5", "12", "_", "1.5"], [".", "_", ":", "e", "E+", ""],
                                     ["0", "5", "1_0", "e3", "e+3", "E-2", ":30", "_", "e_1", "e1_", ""]):
        seen.add(a + b + c)
    seen.update(_WORDS)
    return sorted(s for s in seen if s.strip())


_POSITIONS = ["k: {}\n", "- {}\n", "k:\n  {}\n", "{}: v\n", "- {}: v\n", "a:\n  b: {}\n  c: 1\n",
              "k: '{}'\n", 'k: "{}"\n', "k: [{}]\n", "a: 1\n---\nk: {}\n", "k: {}"]


def test_scalar_grid_fast_only_where_exact():
    scalars = _scalars()
    assert len(scalars) > 900
    fast = total = 0
    for value, pos in itertools.product(scalars, _POSITIONS):
        text = pos.format(value)
        total += 1
        fast += _same(text)
    # the common forms go fast (else the fast path would be useless), the rest is checked above
    assert fast > total // 4, (fast, total)


@pytest.mark.parametrize("value", ["yes", "off", "0755", "0X1F", "1_000", "_1", "1:20", "1e3", "1.0e3", "0b101",
                                   "2001-12-14", "&a x", "!!str 1", "<<", "=", ".5", "0o17"])
def test_plain_scalars_read_otherwise_by_yaml_1_1_are_never_fast(value):
    for text in (f"k: {value}\n", f"- {value}\n", f"k:\n  {value}\n", f"a: 1\n---\nk: {value}\n"):
        assert fastyaml.documents(text) is None, text


@pytest.mark.parametrize("value", ["'yes'", '"off"', "'0755'", '"1e3"', "8080", "1.5", "-3", "true", "null",
                                   "2Gi", "1.27.1", "'2001-12-14'", "{}", "[]"])
def test_what_kubectl_writes_is_fast(value):
    assert _same(f"k: {value}\n- x\n".replace("\n- x", "")), value


# -- every YAML file the project and ../shared hold ------------------------------------------------

def _corpus():
    roots = [REPO / "tests", REPO / "samples", REPO / "rules"]
    if SHARED.is_dir():  # ../shared adds 400-odd files written by others; without it the project's own
        roots.append(SHARED)
    for root in roots:
        for path in sorted(root.rglob("*.y*ml")):
            if path.suffix in (".yaml", ".yml") and path.stat().st_size < 2_000_000:
                yield path


def test_corpus_fast_only_where_exact():
    n = fast = 0
    for path in _corpus():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        try:
            _slow(text)
        except (yaml.YAMLError, ValueError, TypeError, RecursionError):  # libyaml refuses it: so must we
            assert fastyaml.documents(text) is None, path
            continue
        n += 1
        fast += _same(text)
    assert n > 100 and fast > 10, (n, fast)


# -- a big List in two processes --------------------------------------------------------------------

def _pod(i):
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": f"p-{i}", "namespace": f"ns-{i % 7}", "labels": {"app": f"a{i % 3}", "v": "1.2.3"},
                         "annotations": {"prometheus.io/port": "8080", "x": "- not an item"}},
            "spec": {"containers": [{"name": "c", "ports": [{"containerPort": 8080 + i % 3}]}]},
            "status": {"podIP": f"10.0.{i // 250}.{i % 250}", "phase": "Running"}}


def _kubectl_list(n, **extra):
    doc = {"apiVersion": "v1", "items": [_pod(i) for i in range(n)], "kind": "List",
           "metadata": {"resourceVersion": ""}, **extra}
    return yaml.safe_dump(doc, default_flow_style=False, sort_keys=False)


@pytest.fixture
def always_parallel(monkeypatch):
    forks = []
    real_fork = os.fork

    def fork():
        pid = real_fork()
        if pid:
            forks.append(pid)
        return pid

    monkeypatch.setattr(fastyaml, "PARALLEL_MIN_CHARS", 0)
    monkeypatch.setattr(fastyaml, "_can_fork", lambda: True)
    monkeypatch.setattr(fastyaml.os, "fork", fork)
    return forks


def test_big_list_parsed_in_two_processes_reads_the_same(always_parallel):
    text = _kubectl_list(300)
    assert fastyaml._list_cuts(text) is not None
    assert _same(text)
    assert len(always_parallel) == 1
    assert len(fastyaml.documents(text)[0]["items"]) == 300


def test_split_lists_keep_the_later_duplicate_key_and_the_key_order(always_parallel):
    text = "kind: Wrong\n" + _kubectl_list(50)
    assert _same(text)
    assert list(fastyaml.documents(text)[0]) == list(_slow(text)[0])


@pytest.mark.parametrize("tail", [
    "  extra: 99999999999999999999999\n",   # an integer beyond 64 bits in the child's half: refused there
    "  bad: a: b\n",                       # a parse error in the child's half
])
def test_a_failing_child_half_falls_back_to_libyaml(always_parallel, tail):
    text = _kubectl_list(40)
    cut = text.index("kind: List")
    text = text[:cut] + "- name: last\n" + tail + text[cut:]
    assert fastyaml.documents(text) is None
    try:
        expected = _slow(text)
    except yaml.YAMLError:
        with pytest.raises(Exception):
            inventory._yaml_documents(text, "x")
    else:
        assert inventory._yaml_documents(text, "x") == expected
    assert always_parallel, "the fork path was not taken"


def test_a_quoted_string_holding_an_item_line_is_not_cut_wrongly(always_parallel):
    items = [{"name": f"n{i}", "note": "line one\n- line two"} for i in range(60)]
    text = yaml.safe_dump({"items": items, "kind": "List"}, default_style='"', sort_keys=False)
    _same(text)  # whatever path it takes, never a different reading


def test_no_fork_when_not_possible(monkeypatch):
    monkeypatch.setattr(fastyaml, "PARALLEL_MIN_CHARS", 0)
    monkeypatch.setattr(fastyaml, "_can_fork", lambda: False)
    monkeypatch.setattr(fastyaml.os, "fork", lambda: pytest.fail("forked"))
    assert _same(_kubectl_list(20))


def test_lists_not_laid_out_as_kubectl_writes_them_are_not_split():
    assert fastyaml._list_cuts("kind: List\nitems: []\n") is None
    assert fastyaml._list_cuts("items:\n  - a\n  - b\n") is None                      # indented items
    assert fastyaml._list_cuts("items:\n- a\n- b\nitems:\n- c\n") is None            # two items keys
    text = "apiVersion: v1\nitems:\n- a\n- b\n- c\n- d\nkind: List\n"
    cuts = fastyaml._list_cuts(text)
    chunks = [yaml.safe_load(fastyaml._list_chunk(text, cuts, i)) for i in range(len(cuts) + 1)]
    assert [x for c in chunks for x in c["items"]] == ["a", "b", "c", "d"]
    assert all(c["items"] for c in chunks)
    assert chunks[-1]["kind"] == "List" and chunks[0]["apiVersion"] == "v1"


@pytest.mark.parametrize("fork", [False, True])
def test_a_list_in_many_chunks_reads_the_same(monkeypatch, fork):
    monkeypatch.setattr(fastyaml, "PARALLEL_MIN_CHARS", 0)
    monkeypatch.setattr(fastyaml, "CHUNK_CHARS", 3000)
    monkeypatch.setattr(fastyaml, "_can_fork", lambda: fork)
    text = "kind: Wrong\n" + _kubectl_list(120)
    cuts = fastyaml._list_cuts(text)
    assert len(cuts) > 10 and cuts == sorted(set(cuts))
    assert _same(text)
    assert len(fastyaml.documents(text)[0]["items"]) == 120


@pytest.mark.parametrize("text", ["a: 1\n---\nb: 2\n", "--- # c\na: 1\n...\n---\nb: yes\n", "a: 1\n--- x\n",
                                  "a: 1\n---\n", "---\n---\n", "a: |\n  x\n--- \r\nb: 0755\n"])
def test_document_markers_and_what_is_not_portable_in_one_pass(text):
    _same(text)
    assert (fastyaml.documents(text) is None) == (not fastyaml.portable(text) or "0755" in text or "yes" in text)


@pytest.mark.parametrize("value", [".inf", "-.Inf", ".NaN", ".nan"])
def test_infinite_floats_are_never_sent_through_json(always_parallel, value):
    text = _kubectl_list(60)
    cut = text.index("kind: List")
    text = text[:cut] + f"- weight: {value}\n" + text[cut:]
    docs = fastyaml.documents(text)
    assert docs is not None and not always_parallel  # read in one process: JSON has no infinity
    assert repr(docs[0]["items"][-1]["weight"]) == repr(_slow(text)[0]["items"][-1]["weight"])
