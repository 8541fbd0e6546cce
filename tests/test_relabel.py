"""Table tests for the relabel engine (migrator.relabel).

* Own tables (always run): semantics.md 1.10.1 (upstream TestRelabel), 1.10.2
  (TestRelabelValidate) and 1.10.3 (cases verified on 2.42) transcribed as data,
  plus validation messages, templates, regex dialect and target population.
* With ../shared present: the markdown tables are read at test time and checked
  against the transcription (every case id covered, every regex and replacement
  of a row present, "+x=y" expectations equal); the 2.42 experiments are replayed
  (exp2: promtool's verdict and message for every rule file; exp1/3/4/5: the
  targets API output of the real binary).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from migrator.errors import ConfigError
from migrator.relabel import (compile_regex, format_duration, go_lower, go_upper, hashmod, job_defaults,
                              parse_duration, parse_rule, parse_rules, populate_labels, populate_target,
                              relabel, relabel_trace, scrape_url)
from migrator.relabel.regex import RegexError, translate_fast
from migrator.relabel.template import Template

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SEMANTICS = SHARED / "reference" / "prometheus-semantics.md"
EXPERIMENTS = SHARED / "reference" / "experiments_2.42"

V242 = "2.42.0"
HEAD = "3.14.0"


def R(action="replace", src=None, **kw) -> dict:
    """A raw rule dict; src -> source_labels, tgt -> target_label, re -> regex, repl -> replacement."""
    d: dict = {}
    if src is not None:
        d["source_labels"] = list(src)
    for short, long in (("tgt", "target_label"), ("re", "regex"), ("repl", "replacement"),
                        ("mod", "modulus"), ("sep", "separator")):
        if short in kw:
            d[long] = kw.pop(short)
    d.update(kw)
    if action != "replace":
        d["action"] = action
    return d


def run(labels, raw_rules, version=HEAD):
    return relabel(labels, [parse_rule(r, version=version) for r in raw_rules])


# ------------------------------------------------------------------------------------------------
# 1.10.1 TestRelabel (HEAD semantics unless noted). Expected None = dropped; "same" = unchanged.

ABC = {"a": "foo", "b": "bar", "c": "baz"}
NL = {"a": "line1\nline2", "b": "bar", "c": "baz"}
EQ = {"__tmp_port": "1234", "__port1": "1234", "__port2": "5678"}
SD_TAGS = {"__meta_sd_tags": "path:/secret,job:some-job,label:foo=bar"}
K8S20 = {"__meta_kubernetes_pod_container_port_name": "foo",
         "__meta_kubernetes_pod_annotation_XXX_metrics_port": "9091"}

CASES_1_10_1 = [
    ("1", HEAD, ABC, [R(src=["a"], re="f(.*)", tgt="d", repl="ch${1}-ch${1}")], dict(ABC, d="choo-choo")),
    ("2", HEAD, ABC, [R(src=["a", "b"], re="f(.*);(.*)r", tgt="a", repl="b${1}${2}m"),
                      R(src=["c", "a"], re="(b).*b(.*)ba(.*)", tgt="d", repl="$1$2$2$3")],
     {"a": "boobam", "b": "bar", "c": "baz", "d": "boooom"}),
    ("3", HEAD, {"a": "foo"}, [R("drop", src=["a"], re=".*o.*"), R(src=["a"], re="f(.*)", tgt="d")], None),
    ("4", HEAD, {"a": "foo", "b": "bar"}, [R("drop", src=["a"], re=".*o.*")], None),
    ("5", HEAD, {"a": "abc"}, [R(src=["a"], re=".*(b).*", tgt="d", repl="$1")], {"a": "abc", "d": "b"}),
    ("6", HEAD, {"a": "foo"}, [R("drop", src=["a"], re="no-match")], "same"),
    ("7", HEAD, {"a": "foo"}, [R("drop", src=["a"], re="f|o")], "same"),
    ("8", HEAD, {"a": "foo"}, [R("keep", src=["a"], re="no-match")], None),
    ("9", HEAD, {"a": "foo"}, [R("keep", src=["a"], re="f.*")], "same"),
    ("10", HEAD, {"a": "boo"}, [R(src=["a"], re="f", tgt="b", repl="bar")], "same"),
    ("11", HEAD, {"a": "foo", "f": "baz"}, [R(src=["a"], re="(f).*", tgt="$1", repl="$2")], {"a": "foo"}),
    ("11@2.42", V242, {"a": "foo", "f": "baz"}, [R(src=["a"], re="(f).*", tgt="$1", repl="$2")], "same"),
    ("12", HEAD, ABC, [R("hashmod", src=["c"], tgt="d", mod=1000)], dict(ABC, d="976")),
    ("13", HEAD, {"a": "foo\nbar"}, [R("hashmod", src=["a"], tgt="b", mod=1000)], {"a": "foo\nbar", "b": "734"}),
    ("14", HEAD, {"a": "foo", "b1": "bar", "b2": "baz"}, [R("labelmap", re="(b.*)", repl="bar_${1}")],
     {"a": "foo", "b1": "bar", "b2": "baz", "bar_b1": "bar", "bar_b2": "baz"}),
    ("15", HEAD, {"a": "foo", "__meta_my_bar": "aaa", "__meta_my_baz": "bbb", "__meta_other": "ccc"},
     [R("labelmap", re="__meta_(my.*)", repl="${1}")],
     {"a": "foo", "__meta_my_bar": "aaa", "__meta_my_baz": "bbb", "__meta_other": "ccc", "my_bar": "aaa",
      "my_baz": "bbb"}),
    ("16", HEAD, {"a": "some-name-value"}, [R(src=["a"], re="some-([^-]+)-([^,]+)", tgt="${1}", repl="${2}")],
     {"a": "some-name-value", "name": "value"}),
    ("17", HEAD, {"a": "some-name-value"}, [R(src=["a"], re="some-([^-]+)-([^,]+)", tgt="${1}", repl="${3}")],
     "same"),
    ("18", HEAD, {"a": "some-name-0"},
     [R(src=["a"], re="some-([^-]+)-([^,]+)", tgt="${3}", repl="${1}"),
      R(src=["a"], re="some-([^-]+)-([^,]+)", tgt="${3}", repl="${2}"),
      R(src=["a"], re="some-([^-]+)(-[^,]+)", tgt="${3}", repl="${3}")], "same"),
    ("19", HEAD, SD_TAGS,
     [R(src=["__meta_sd_tags"], re="(?:.+,|^)path:(/[^,]+).*", tgt="__metrics_path__", repl="${1}"),
      R(src=["__meta_sd_tags"], re="(?:.+,|^)job:([^,]+).*", tgt="job", repl="${1}"),
      R(src=["__meta_sd_tags"], re="(?:.+,|^)label:([^=]+)=([^,]+).*", tgt="${1}", repl="${2}")],
     dict(SD_TAGS, __metrics_path__="/secret", job="some-job", foo="bar")),
    ("20", HEAD, K8S20,
     [R("labeldrop", re="^__meta_kubernetes_pod_container_port_name$"),
      R(src=["__meta_kubernetes_pod_annotation_XXX_metrics_port"], re="(.+)",
        tgt="__meta_kubernetes_pod_container_port_name", repl="metrics"),
      R("keep", src=["__meta_kubernetes_pod_container_port_name"], re="^metrics$")],
     dict(K8S20, __meta_kubernetes_pod_container_port_name="metrics")),
    ("21", HEAD, {"a": "foo", "b1": "bar", "b2": "baz"}, [R("labelkeep", re="(b.*)")], {"b1": "bar", "b2": "baz"}),
    ("22", HEAD, {"a": "foo", "b1": "bar", "b2": "baz"}, [R("labeldrop", re="(b.*)")], {"a": "foo"}),
    ("23", HEAD, {"foo": "bAr123Foo"},
     [R("uppercase", src=["foo"], tgt="foo_uppercase"), R("lowercase", src=["foo"], tgt="foo_lowercase")],
     {"foo": "bAr123Foo", "foo_uppercase": "BAR123FOO", "foo_lowercase": "bar123foo"}),
    ("24", HEAD, EQ, [R("keepequal", src=["__tmp_port"], tgt="__port1")], "same"),
    ("25", HEAD, EQ, [R("dropequal", src=["__tmp_port"], tgt="__port1")], None),
    ("26", HEAD, EQ, [R("dropequal", src=["__tmp_port"], tgt="__port2")], "same"),
    ("27", HEAD, EQ, [R("keepequal", src=["__tmp_port"], tgt="__port2")], None),
    ("28", HEAD, NL, [R(src=["a"], re="line1.*line2", tgt="d", repl="match${1}")], dict(NL, d="match")),
    ("28@2.42", V242, NL, [R(src=["a"], re="line1.*line2", tgt="d", repl="match${1}")], "same"),
    ("29", HEAD, {"utf-8.label": "line1\nline2", "b": "bar", "c": "baz"},
     [R(src=["utf-8.label"], re="line1.*line2", tgt="d", repl="match${1}")],
     {"utf-8.label": "line1\nline2", "b": "bar", "c": "baz", "d": "match"}),
    ("30", HEAD, NL, [R(src=["a"], re="line1.*line2", tgt="utf-8.label", repl="match${1}")],
     dict(NL, **{"utf-8.label": "match"})),
    ("31", HEAD, NL, [R(src=["a"], re="line1.*line2", tgt="utf-8.label${1}", repl="match")],
     dict(NL, **{"utf-8.label": "match"})),
    ("32", HEAD, NL, [R(src=["a"], re="(line1).*(?<second>line2)", tgt="label1_${1}", repl="val_${second}"),
                      R(src=["a"], re="(line1).*(?<second>line2)", tgt="label2_$1", repl="val_$second")],
     dict(NL, label1_line1="val_line2", label2_line1="val_line2")),
    ("33", HEAD, {"__name__": "http_requests_total"}, [R(src=["__name__"], re=".*_total$", tgt="__type__",
                                                          repl="counter")],
     {"__name__": "http_requests_total", "__type__": "counter"}),
    ("34", HEAD, {"__name__": "disk_usage_bytes"}, [R(src=["__name__"], re=".*_bytes$", tgt="__unit__",
                                                       repl="bytes")],
     {"__name__": "disk_usage_bytes", "__unit__": "bytes"}),
]


@pytest.mark.parametrize("cid,version,labels,rules,expected", CASES_1_10_1, ids=[c[0] for c in CASES_1_10_1])
def test_relabel_1_10_1(cid, version, labels, rules, expected):
    want = dict(labels) if expected == "same" else expected
    assert run(labels, rules, version) == want


# ------------------------------------------------------------------------------------------------
# 1.10.2 TestRelabelValidate (HEAD): (rule, scheme, error substring or None)

SOME = "some-([^-]+)-([^,]+)"
CASES_1_10_2 = [
    ({}, "utf8", "relabel action cannot be empty", {"action": None}),
    (R(), "utf8", "requires 'target_label' value", None),
    (R("lowercase"), "utf8", "requires 'target_label' value", None),
    (R("lowercase", tgt="${3}"), "utf8", None, None),
    (R("lowercase", tgt="${3}"), "legacy", "\"${3}\" is invalid 'target_label' for lowercase action", None),
    (R(re=SOME, tgt="${3}"), "utf8", None, None),
    (R(re=SOME, tgt="0${3}"), "utf8", None, None),
    (R(re=SOME, tgt="-${3}"), "utf8", None, None),
    (R("labelmap", re="__meta_kubernetes_pod_label_(strimzi_io_.+)", repl="$1"), "legacy", None, None),
    (R("labelmap", re="__meta_(.+)", repl="${1}"), "legacy", None, None),
]


@pytest.mark.parametrize("raw,scheme,error,extra", CASES_1_10_2)
def test_validate_1_10_2(raw, scheme, error, extra):
    raw = dict(raw, **(extra or {}))
    if error is None:
        parse_rule(raw, version=HEAD, scheme=scheme)
    else:
        with pytest.raises(ConfigError) as ei:
            parse_rule(raw, version=HEAD, scheme=scheme)
        assert error in str(ei.value)


# ------------------------------------------------------------------------------------------------
# 1.10.3 Extra cases verified on 2.42: pure relabeling ones (labels -> labels).

CASES_1_10_3 = [
    ("E1", {"a": "line1\nline2"}, [R(src=["a"], re="line1.*line2", tgt="d", repl="matched"),
                                   R(src=["a"], tgt="copy")], "same"),
    ("E2", {"a": "foo", **{f"d{i}": "x" for i in range(1, 9)}},
     [R(src=["a"], re="(f)(o+)", tgt="d1", repl="$1x"), R(src=["a"], re="(f)(o+)", tgt="d2", repl="${1}x"),
      R(src=["a"], re="(f)(o+)", tgt="d3", repl="$2_"), R(src=["a"], re="(f)(o+)", tgt="d4", repl="$$1"),
      R(src=["a"], re="(f)(o+)", tgt="d5", repl="a$"), R(src=["a"], re="(f)(o+)", tgt="d6", repl="${1"),
      R(src=["a"], re="(?P<first>f)(o+)", tgt="d7", repl="$first.$0.$01.$2-$3"),
      R(src=["a"], re="(f)(o+)", tgt="d8", repl="$1-$2")],
     {"a": "foo", "d2": "fx", "d4": "$1", "d5": "a$", "d6": "${1", "d7": "f.foo..oo-", "d8": "f-oo"}),
    ("E3", {"a": "foo", "f": "baz"}, [R(src=["a"], re="(f).*", tgt="${1}", repl="$2")], "same"),
    ("E4", {"a": "some-name-0"}, [R(src=["a"], re=SOME, tgt="${2}", repl="${1}"),
                                  R(src=["a"], re=SOME, tgt="x${1}", repl="${1}")],
     {"a": "some-name-0", "xname": "name"}),
    ("E5", {"a": "baz", "b": "foo\nbar"},
     [R("hashmod", src=["a"], tgt="h1", mod=1000), R("hashmod", src=["b"], tgt="h2", mod=1000),
      R("hashmod", src=["a", "b"], tgt="h3", mod=7), R("hashmod", src=["c"], tgt="h4", mod=2 ** 64 - 1),
      R("hashmod", src=["nonexistent"], tgt="h5", mod=1000)],
     {"a": "baz", "b": "foo\nbar", "h1": "976", "h2": "734", "h3": "4", "h4": "16825458760271544958",
      "h5": "958"}),
    ("E6", {"s": "straße", "i": "İSTANBUL", "g": "ΟΔΟΣ", "k": "K"},
     [R("uppercase", src=["s"], tgt="s_up"), R("lowercase", src=["i"], tgt="i_low"),
      R("lowercase", src=["g"], tgt="g_low"), R("lowercase", src=["k"], tgt="k_low")],
     {"s": "straße", "i": "İSTANBUL", "g": "ΟΔΟΣ", "k": "K", "s_up": "STRAßE", "i_low": "istanbul",
      "g_low": "οδοσ", "k_low": "k"}),
    ("E11", {"foo_z": "Z"}, [R(tgt="foo_b", repl="B"), R("labelmap", re="foo_(.*)", repl="bar")],
     {"foo_z": "Z", "foo_b": "B", "bar": "Z"}),
    ("E12", {"a": "v"},
     [R(src=["a"], re="", tgt="r1", repl="hit"), R(src=["missing"], re="", tgt="r2", repl="hit"),
      R(tgt="r3", repl="static"), R(src=["a", "missing", "a"], tgt="r4"), R(src=["a", "missing"], sep="", tgt="r5"),
      R(src=["missing"], tgt="a")],
     {"r2": "hit", "r3": "static", "r4": "v;;v", "r5": "v"}),
    ("E18", {"a_1b": "v", "a_": "w"}, [R("labelmap", re="a_(.*)", repl="${1}")],
     {"a_1b": "v", "a_": "w", "1b": "v", "": "w"}),
    ("E20", {}, [R("keep", src=["missing"], re=".*"), R("keep", src=["missing"], re=".+")], None),
    ("E21", {"nl": "foo\n"}, [R(src=["nl"], re="foo", tgt="m1", repl="y"), R(src=["nl"], re="foo$", tgt="m2", repl="y")],
     "same"),
    ("E22", {"v": "a{,3}", "w": "Éa", "sp": "\v", "dg": "٣", "q": "a.b", "c": "FOO"},
     [R(src=["v"], re="a{,3}", tgt="m1", repl="y"), R(src=["w"], re=r"\pL+", tgt="m2", repl="y"),
      R(src=["w"], re="[[:alpha:]]+", tgt="m3", repl="y"), R(src=["w"], re=r"\w+", tgt="m4", repl="y"),
      R(src=["sp"], re=r"\s", tgt="m5", repl="y"), R(src=["dg"], re=r"\d", tgt="m6", repl="y"),
      R(src=["q"], re=r"\Qa.b\E", tgt="m7", repl="y"), R(src=["c"], re="(?i)foo", tgt="m8", repl="y")],
     {"v": "a{,3}", "w": "Éa", "sp": "\v", "dg": "٣", "q": "a.b", "c": "FOO", "m1": "y", "m2": "y", "m7": "y",
      "m8": "y"}),
    ("E23", {"t": "abcd", "e": "aa"},
     [R(src=["t"], re="(a|ab)(c|bcd)(d*)", tgt="r1", repl="[$1|$2|$3]"), R(src=["e"], re="(a*)*", tgt="r2", repl="[$1]"),
      R(src=["e"], re="(a|)+", tgt="r3", repl="[$1]")],
     {"t": "abcd", "e": "aa", "r1": "[a|bcd|]", "r2": "[aa]", "r3": "[a]"}),
    ("E24", {"c": "FOO"},
     [R(src=["c"], re="(F)OO", tgt="r1", repl="x$1é"), R(src=["c"], re="(?P<g>F)(?P<g>O)O", tgt="r2", repl="[$g]"),
      R(src=["c"], re="(?P<g>X)?(?P<g>F)OO", tgt="r3", repl="[$g]")],
     {"c": "FOO", "r1": "x", "r2": "[F]", "r3": "[F]"}),
    ("E27", {}, [R("dropequal", src=["missing1"], tgt="missing2")], None),
    ("E28", {"a": "1", "ab": "2", "ba": "3"}, [R("labeldrop", re="a")], {"ab": "2", "ba": "3"}),
    ("E29", {"a": "X"}, [R("lowercase", src=["a"], tgt="${1}"), R("lowercase", src=["a"], tgt="tmp"),
                         R("labelmap", re="tmp", repl="copy_$0")],
     {"a": "X", "${1}": "x", "tmp": "x", "copy_tmp": "x"}),
]
for _tgt, _a in (("xxb", "[b][b]"), ("ayy", "[a][]"), ("zzz", None)):
    CASES_1_10_3.append((f"E31:{_tgt}", {"a": _tgt}, [R(src=["a"], re="a)|(b", tgt="h", repl="[$0][$1]")],
                         {"a": _tgt, "h": _a} if _a else "same"))


@pytest.mark.parametrize("cid,labels,rules,expected", CASES_1_10_3, ids=[c[0] for c in CASES_1_10_3])
def test_relabel_1_10_3_on_2_42(cid, labels, rules, expected):
    want = dict(labels) if expected == "same" else expected
    assert run(labels, rules, V242) == want


# 1.10.3 cases that involve the scrape layer: (id, job, targets [(address, labels)], expected per target)
# expected: public labels dict (instance/job included), or "drop", or an error substring.
JOB_CASES = [
    ("E7", {"job_name": "t"}, [("127.0.0.2", {}), ("[::1]", {}), ("localhost", {}), ("::1", {}), ("127.0.0.3:80", {})],
     [{"instance": "127.0.0.2:80", "job": "t"}, {"instance": "[::1]:80", "job": "t"},
      {"instance": "localhost:80", "job": "t"}, {"instance": "::1", "job": "t"},
      {"instance": "127.0.0.3:80", "job": "t"}]),
    ("E8", {"job_name": "t", "scheme": "https"}, [("127.0.0.4", {})], [{"instance": "127.0.0.4:443", "job": "t"}]),
    ("E9", {"job_name": "t", "relabel_configs": [R(src=["__address__"], re="127.0.0.5", tgt="__scheme__", repl="https"),
                                                  R(src=["__address__"], re="127.0.0.6", tgt="__scheme__", repl="ftp")]},
     [("127.0.0.5", {}), ("127.0.0.6", {})], [{"instance": "127.0.0.5:443", "job": "t"}, 'invalid scheme: "http"']),
    ("E13a", {"job_name": "t", "relabel_configs": [R(tgt="__address__", repl="")]}, [("h:1", {})], ["no address"]),
    ("E13b", {"job_name": "t", "relabel_configs": [R("labeldrop", re="__address__")]}, [("h:1", {})], ["no address"]),
    ("E14", {"job_name": "t", "relabel_configs": [R("drop", src=["__address__"], re=".*:20")]},
     [("127.0.0.1:20", {}), ("127.0.0.1:21", {})], ["drop", {"instance": "127.0.0.1:21", "job": "t"}]),
    ("E15", {"job_name": "t", "relabel_configs": [R("keepequal", src=["__address__"], tgt="p")]},
     [("127.0.0.1:22", {"p": "127.0.0.1:22"}), ("127.0.0.1:23", {"p": "127.0.0.1:22"})],
     [{"instance": "127.0.0.1:22", "job": "t", "p": "127.0.0.1:22"}, "drop"]),
    ("E16", {"job_name": "t", "relabel_configs": [R(src=["__meta_x"], tgt="fromMeta")]},
     [("h:1", {"instance": "custom", "__meta_x": "metaval", "__tmp_y": "tmpval", "__foo": "fooval"})],
     [{"fromMeta": "metaval", "instance": "custom", "job": "t"}]),
    ("E17", {"job_name": "t", "relabel_configs": [R(tgt="__address__", repl="127.0.0.1:25/x")]}, [("h:1", {})],
     ["is not a valid hostname"]),
    ("E19", {"job_name": "t", "relabel_configs": [R(tgt="__scrape_interval__", repl="5s"),
                                                   R(tgt="__scrape_timeout__", repl="6s")]}, [("h:1", {})],
     ['scrape timeout cannot be greater than scrape interval ("6s" > "5s")']),
    ("E25", {"job_name": "t", "relabel_configs": [R("lowercase", src=["missing"], tgt="k"),
                                                   R("hashmod", src=["a"], tgt="h1", mod=1),
                                                   R(tgt="instance", repl=""),
                                                   R("keepequal", src=["missing1"], tgt="missing2")]},
     [("127.0.0.1:35", {"k": "keep", "a": "x"})], [{"a": "x", "h1": "0", "instance": "127.0.0.1:35", "job": "t"}]),
    ("E26", {"job_name": "t", "relabel_configs": [R("labelkeep", re="__.*|a")]}, [("127.0.0.1:36", {"a": "x"})],
     [{"a": "x", "instance": "127.0.0.1:36"}]),
    ("E30", {"job_name": "n_null", "scrape_interval": "90s",
             "relabel_configs": [R(src=["a"], tgt="c", repl=None), R(src=["a", "b"], sep=None, tgt="d"),
                                 R(src=["a"], re=None, tgt="e", repl="hit"), R(src=["a", "b"], sep="::", tgt="f")]},
     [("127.0.0.1:40", {"a": "x", "b": "y", "c": "keep", "job": "fromsd", "__scheme__": "https",
                        "__metrics_path__": "/m", "__param_q": "1"})],
     [{"a": "x", "b": "y", "d": "xy", "f": "x::y", "instance": "127.0.0.1:40", "job": "fromsd"}]),
    # 3.x: no default port, instance = address as written; params never override SD __param_*.
    ("E7@3", {"job_name": "t"}, [("127.0.0.2", {}), ("::1", {})],
     [{"instance": "127.0.0.2", "job": "t"}, {"instance": "::1", "job": "t"}]),
]


@pytest.mark.parametrize("cid,job,targets,expected", JOB_CASES, ids=[c[0] for c in JOB_CASES])
def test_populate_1_10_3(cid, job, targets, expected):
    version = HEAD if cid.endswith("@3") else V242
    for (addr, labels), want in zip(targets, expected, strict=True):
        r = populate_target({"__address__": addr}, job, version=version, group_labels=labels)
        if want == "drop":
            assert r.labels is None and r.dropped_by is not None, r
        elif isinstance(want, str):
            assert r.labels is None and r.error and want in r.error, r
        else:
            assert r.public_labels() == want, r


def test_params_and_scrape_url_e10():
    job = {"job_name": "t", "params": {"foo": ["bar", "baz"], "other": ["o1"]}}
    sd = {"__param_foo": "mine", "__param_x": "fromlabel"}
    labels, reason = populate_labels({"__address__": "127.0.0.1:37"}, job, version=V242, group_labels=sd)
    assert reason is None
    assert labels["__param_foo"] == "bar"  # 2.42: params overwrite SD __param_*
    assert scrape_url(labels, job) == "http://127.0.0.1:37/metrics?foo=bar&foo=baz&other=o1&x=fromlabel"
    labels3, _ = populate_labels({"__address__": "127.0.0.1:37"}, job, version=HEAD, group_labels=sd)
    assert labels3["__param_foo"] == "mine"  # 3.x: only fills in


# ------------------------------------------------------------------------------------------------
# Load-time checks (1.7 and the 1.10.3 lists), 2.42 unless noted: (raw, error substring or None)

VALIDATION_242 = [
    (R(tgt="1abc"), '"1abc" is invalid \'target_label\' for replace action'),
    (R(tgt="foo-bar"), '"foo-bar" is invalid \'target_label\' for replace action'),
    (R(tgt="0${1}"), "is invalid 'target_label'"),
    (R(tgt="a.${1}"), "is invalid 'target_label'"),
    (R("lowercase", src=["a"], tgt="b", repl="x"), "'replacement' can not be set for lowercase action"),
    (R("keepequal", src=["a"], tgt="b", re="(.*)"),
     "keepequal action requires only 'source_labels' and `target_label`, and no other fields"),
    (R("keepequal", src=["a"], tgt="b", sep=","), "keepequal action requires only"),
    (R("keepequal", src=["a"]), "relabel configuration for keepequal action requires 'target_label' value"),
    (R("labeldrop", re="a", src=["x"]), "labeldrop action requires only 'regex', and no other fields"),
    (R("labeldrop", re="a", src=[]), "labeldrop action requires only 'regex'"),
    (R("labeldrop", re="a", tgt="x"), "labeldrop action requires only 'regex'"),
    (R("labeldrop", re="a", repl="x"), "labeldrop action requires only 'regex'"),
    (R("labeldrop", re="a", mod=2), "labeldrop action requires only 'regex'"),
    (R("hashmod", src=["a"], tgt="b"), "relabel configuration for hashmod requires non-zero modulus"),
    (R("hashmod", src=["a"], tgt="${1}", mod=2), '"${1}" is invalid \'target_label\' for hashmod action'),
    (R("labelmap", repl=""), '"" is invalid \'replacement\' for labelmap action'),
    (R("copy"), 'unknown relabel action "copy"'),
    (R(""), 'unknown relabel action ""'),
    ({"action": None, "target_label": "x"}, "relabel action cannot be empty"),
    (R(re="(?<n>.*)", tgt="x"), "error parsing regexp: invalid or unsupported Perl syntax: `(?<`"),
    (R(re=r"(a)\1", tgt="x"), "error parsing regexp: invalid escape sequence: `\\1`"),
    (R(re="(?=a)a", tgt="x"), "error parsing regexp: invalid or unsupported Perl syntax: `(?=`"),
    (R(re="a++", tgt="x"), "error parsing regexp: invalid nested repetition operator: `++`"),
    (R(re="a{1001}", tgt="x"), "error parsing regexp: invalid repeat count: `{1001}`"),
    (R(re="[z-a]", tgt="x"), "error parsing regexp: invalid character class range: `z-a`"),
    (R(re=r"\C", tgt="x"), "invalid escape sequence: `\\C`"),
    (R(re="(?P<é>a)", tgt="x"), "invalid named capture"),
    (R(re=r"\p{Vithkuqi}", tgt="x"), "invalid character class range: `\\p{Vithkuqi}`"),
    (R(re=r"\\p{Vithkuqi}", tgt="x"), None),
    (R(src=["foo-bar"], tgt="x"), '"foo-bar" is not a valid label name'),
    ({}, "relabel configuration for replace action requires 'target_label' value"),
    (R("hashmod", src=["a"], tgt="b", mod=-1), "cannot unmarshal !!int `-1` into uint64"),
    (R(tgt="x", bogus=1), "field bogus not found"),
    # accepted
    (R("labeldrop", re="a", sep=";"), None),
    (R("lowercase", src=["a"], tgt="${1}"), None),
    (R("Replace", tgt="x"), None),
    (R("KEEP", re="a"), None),
    (R(re="(?P<n>a)(?P<n>b)", tgt="x"), None),
    (R(re=r"\Aab\z", tgt="x"), None),
    (R(re=r"\p{Greek}+", tgt="x"), None),
    (R(src=[], tgt="x"), None),
    (R(tgt="__meta_x"), None),
    (R("keep", re="a", tgt="x", repl="y", mod=3), None),
    (R("hashmod", src=["a"], tgt="b", mod=2, re="x", repl="y"), None),
    (R("hashmod", src=["a"], tgt="b", mod=2 ** 64 - 1), None),
    (R("uppercase", src=["a", "b"], tgt="u", sep="-"), None),
    (R("labeldrop", re="a", src=None), None),
    (R("replace", tgt="foo${1}bar", re="(x)"), None),
]


@pytest.mark.parametrize("raw,error", VALIDATION_242, ids=[str(i) for i in range(len(VALIDATION_242))])
def test_validation_2_42(raw, error):
    if error is None:
        parse_rule(raw, version=V242)
    else:
        with pytest.raises(ConfigError) as ei:
            parse_rule(raw, version=V242)
        assert error in str(ei.value)


VALIDATION_BY_VERSION = [
    # (raw, version, scheme, ok)
    (R("lowercase", src=["a"], tgt="${1}"), "2.49.0", None, True),
    (R("lowercase", src=["a"], tgt="${1}"), "2.50.0", None, False),
    (R(tgt="foo-bar"), "3.0.0", None, True),
    (R(tgt="foo-bar"), "3.0.0", "legacy", False),
    (R(re="(x)", tgt="a.${1}"), "3.0.0", None, False),   # template targets: T until 3.2
    (R(re="(x)", tgt="a.${1}"), "3.2.0", None, True),
    (R(re="(x)", tgt="$1"), "3.7.0", "legacy", False),   # the 3.7.0 regression
    (R(re="(x)", tgt="$1"), "3.7.2", "legacy", True),
    (R(src=["foo-bar"], tgt="x"), "3.0.0", None, True),
    (R(re="(?<n>.*)", tgt="x"), "3.0.0", None, True),
    (R(re=r"\p{Vithkuqi}", tgt="x"), "2.47.0", None, True),
    (R("labelmap", re="(x)", repl="a.$1"), "3.14.0", None, True),
    (R("labelmap", re="(x)", repl="a.$1"), "3.14.0", "legacy", False),
]


@pytest.mark.parametrize("raw,version,scheme,ok", VALIDATION_BY_VERSION)
def test_validation_by_version(raw, version, scheme, ok):
    if ok:
        parse_rule(raw, version=version, scheme=scheme)
    else:
        with pytest.raises(ConfigError):
            parse_rule(raw, version=version, scheme=scheme)


def test_parse_rules_null_item_and_field_path():
    with pytest.raises(ConfigError) as ei:
        parse_rules([R(tgt="a"), None], version=V242)
    assert str(ei.value).startswith("[1]: empty or null target relabeling rule in scrape config")
    with pytest.raises(ConfigError) as ei:
        parse_rules([R(tgt="a"), R(tgt="b-c")], version=V242)
    assert ei.value.field == "[1].target_label"


def test_literal_text_is_used_for_string_fields():
    rule = parse_rule({"source_labels": ["a"], "regex": 10, "target_label": "b", "replacement": 8},
                      version=V242, text_of={"regex": "010", "replacement": "010"}.get)
    assert relabel({"a": "010"}, [rule]) == {"a": "010", "b": "010"}


# ------------------------------------------------------------------------------------------------
# Templates, regex dialect, case mapping, hashmod, durations

TEMPLATE_CASES = [
    ("$1x", ""), ("${1}x", "fx"), ("$2_", ""), ("$$1", "$1"), ("a$", "a$"), ("${1", "${1"), ("$1-$2", "f-oo"),
    ("$0", "foo"), ("$01", ""), ("$1.x", "f.x"), ("x$1é", "x"), ("${}", "${}"), ("$", "$"), ("$$", "$"),
    ("$١", ""), ("${2}${1}", "oof"), ("$999999999", ""), ("$ 1", "$ 1"),
]


@pytest.mark.parametrize("template,want", TEMPLATE_CASES)
def test_template_expansion(template, want):
    rx = compile_regex("(f)(o+)")
    spans = rx.search("foo")
    assert Template(template).expand("foo", spans, rx.names) == want


REGEX_CASES = [
    # (pattern, value, matches in 2.x, matches in 3.x)
    ("(.*)", "a\nb", False, True), (".*", "", True, True), ("foo", "foo\n", False, False),
    ("foo$", "foo\n", False, False), ("f|o", "foo", False, False), ("a|abcd", "abcd", True, True),
    (r"\d+", "٣", False, False), (r"\w+", "Éa", False, False), (r"\s", "\v", False, False),
    (r"\pL+", "Éa", True, True), ("[[:alpha:]]+", "Éa", False, False), ("a{,3}", "a{,3}", True, True),
    ("(?i)foo", "FOO", True, True), ("", "", True, True), ("", "x", False, False),
    ("[^:]+", "a\nb", True, True), ("(?m)^b$", "b", True, True), ("a.c", "a\nc", False, True),
]


@pytest.mark.parametrize("pattern,value,m2,m3", REGEX_CASES)
def test_regex_dialect(pattern, value, m2, m3):
    assert compile_regex(pattern).matches(value) is m2
    assert compile_regex(pattern, dotall=True).matches(value) is m3
    assert (compile_regex(pattern).search_re2(value) is not None) is m2


CASE_MAPPING = [("straße", "STRAßE", "straße"), ("İSTANBUL", "İSTANBUL", "istanbul"), ("ΟΔΟΣ", "ΟΔΟΣ", "οδοσ"),
                ("ᾳ", "ᾼ", "ᾳ"), ("ŉ", "ŉ", "ŉ"), ("ﬀ", "ﬀ", "ﬀ"), ("K", "K", "k"), ("ǅ", "Ǆ", "ǆ")]


@pytest.mark.parametrize("s,up,low", CASE_MAPPING)
def test_go_case_mapping(s, up, low):
    assert go_upper(s) == up and go_lower(s) == low


def test_hashmod_values():
    assert hashmod("baz", 1000) == 976
    assert hashmod("foo\nbar", 1000) == 734
    assert hashmod("", 1000) == 958
    assert hashmod("", 2 ** 64 - 1) == 16825458760271544958
    assert hashmod("anything", 1) == 0


DURATIONS = [("15s", 15_000), ("1m30s", 90_000), ("1h", 3_600_000), ("0", 0), ("1d", 86_400_000),
             ("2w", 14 * 86_400_000), ("1y", 365 * 86_400_000), ("90d", 90 * 86_400_000), ("1s500ms", 1500)]


@pytest.mark.parametrize("text,ms", DURATIONS)
def test_durations(text, ms):
    for v in (V242, HEAD):
        assert parse_duration(text, version=v) == ms
    assert parse_duration(format_duration(ms), version=HEAD) == ms


@pytest.mark.parametrize("text", ["", "x", "1m1h", "5", "-1s", "1.5s", "s"])
def test_bad_durations(text):
    for v in (V242, HEAD):
        with pytest.raises(ValueError):
            parse_duration(text, version=v)


def test_format_duration():
    assert [format_duration(x) for x in (90_000, 60_000, 10_000, 90 * 86_400_000, 14 * 86_400_000)] == \
        ["1m30s", "1m", "10s", "90d", "2w"]


def test_job_defaults():
    d = job_defaults({"job_name": "j", "params": {"a": ["1", "2"], "b": []}}, version=V242)
    assert d == {"job": "j", "__scrape_interval__": "1m", "__scrape_timeout__": "10s",
                 "__metrics_path__": "/metrics", "__scheme__": "http", "__param_a": "1"}
    d = job_defaults({"job_name": "j", "scrape_interval": "5s", "scheme": "https", "metrics_path": "/m"},
                     version=V242)
    assert (d["__scrape_interval__"], d["__scrape_timeout__"], d["__scheme__"], d["__metrics_path__"]) == \
        ("5s", "5s", "https", "/m")
    d = job_defaults({"job_name": "j"}, version=V242, global_config={"scrape_interval": "1h"})
    assert d["__scrape_interval__"] == "1h" and d["__scrape_timeout__"] == "10s"
    d = job_defaults({"job_name": "j"}, version="3.13.0")
    assert d["__scrape_native_histograms__"] == "false"
    with pytest.raises(ConfigError):
        job_defaults({"job_name": "j", "scrape_interval": "5s", "scrape_timeout": "6s"}, version=V242)


def test_trace_reports_dropping_rule():
    rules = [parse_rule(R(tgt="x", repl="1")), parse_rule(R("drop", src=["x"], re="1"))]
    res, idx, steps = relabel_trace({"a": "b"}, rules)
    assert res is None and idx == 1 and len(steps) == 2
    assert steps[0].changes == {"x": (None, "1")} and steps[1].dropped
    _, reason = populate_labels({"__address__": "h:1"}, {"job_name": "j"}, version=V242, rules=rules)
    assert reason == "dropped by relabel rule #1 (drop)"


def test_labelmap_replace_all_with_broken_anchor():
    # ^(?:a)|(b)$ on "ab": matches "a" at 0 and "b" at 1; ReplaceAllString expands both.
    assert run({"ab": "v"}, [R("labelmap", re="a)|(b", repl="x$1")], V242) == {"ab": "v", "xxb": "v"}


def test_input_not_modified_and_empty_values_absent():
    labels = {"a": "", "b": "x"}
    out = run(labels, [R(src=["a"], tgt="c", repl="[$1]")])
    assert labels == {"a": "", "b": "x"} and out == {"b": "x", "c": "[]"}


# ------------------------------------------------------------------------------------------------
# The fast path must give RE2's answer, always.

FAST_ATOMS = ["a", "b", ".", "[ab]", "[^a]", r"\d", r"\w", r"\s", r"\S", ":", "-", r"\.", "é", "[a-c0-9]",
              "[^:]", "x", "\n"]


@st.composite
def fast_patterns(draw):
    def seq(depth):
        parts = []
        for _ in range(draw(st.integers(0, 4))):
            if depth < 2 and draw(st.integers(0, 4)) == 0:
                inner = seq(depth + 1)
                if draw(st.booleans()):
                    inner = inner + "|" + seq(depth + 1)
                parts.append(draw(st.sampled_from(["(", "(?:", "(?P<g%d>" % draw(st.integers(0, 99999))])) + inner + ")")
            else:
                parts.append(draw(st.sampled_from(FAST_ATOMS))
                             + draw(st.sampled_from(["", "", "*", "+", "?", "*?", "+?", "??", "{1,2}", "{2}"])))
        return "".join(parts)
    p = seq(0)
    if draw(st.booleans()):
        p = p + "|" + seq(0)
    return draw(st.sampled_from(["", "^"])) + p + draw(st.sampled_from(["", "$"]))


@settings(max_examples=300, deadline=None)
@given(pattern=fast_patterns(), values=st.lists(st.text(alphabet="ab:.-xé\n 1٣é", max_size=6), max_size=8),
       dotall=st.booleans())
def test_fast_path_equals_re2(pattern, values, dotall):
    try:
        rx = compile_regex(pattern, dotall=dotall)
    except RegexError:
        # Refused (Go's message): then the translator must not claim a Python equivalent either,
        # or the fast path would run a pattern Prometheus never loads. Any other exception fails.
        fast = translate_fast(pattern)
        assert fast is None or _py_refuses(fast), pattern
        return
    assert rx.fast is (translate_fast(pattern) is not None), pattern
    assume(rx.fast)  # about a quarter of the generated patterns fall outside the whitelist
    for v in values:
        want = rx.search_re2(v)
        assert rx._search_py(v) == want, (pattern, v)
        assert rx.matches(v) is (want is not None), (pattern, v)
        assert rx.search(v) == want, (pattern, v)


def _py_refuses(text: str) -> bool:
    try:
        re.compile(text)
    except re.error:
        return True
    return False


def test_fast_path_property_can_fail():
    """The property above fails for a crash, and when the fast path disagrees with RE2."""
    rx = compile_regex("(a+)(b*)")
    assert rx.fast
    assert rx._search_py("aab") == rx.search_re2("aab")
    with pytest.raises(RegexError):
        compile_regex("(a")


def test_fast_path_whitelist():
    assert translate_fast("(.*)") is not None
    assert translate_fast(r"([^:]+)(?::\d+)?;(\d+)") is None  # quantified group: RE2
    assert translate_fast("(a|ab)(c|bcd)(d*)") is not None
    for p in ["(?i)a", "a{,3}", "(a*)*", r"\pL", "a)|(b", "[[:alpha:]]", r"\Qa\E", "(?P<g>a)(?P<g>b)", r"\bx"]:
        assert translate_fast(p) is None, p


# ------------------------------------------------------------------------------------------------
# With ../shared: the markdown tables and the 2.42 experiments.

def _semantics_text() -> str:
    if not SEMANTICS.exists():
        pytest.skip(f"../shared is not beside the checkout ({SEMANTICS} missing)")
    return SEMANTICS.read_text(encoding="utf-8")


def _section(text: str, start: str, end: str) -> str:
    i = text.index(start)
    return text[i:text.index(end, i)]


def _table_rows(section: str) -> list[list[str]]:
    rows = []
    for line in section.splitlines():
        if not line.startswith("|") or set(line) <= set("|-: "):
            continue
        cells = re.split(r"(?<!\\)\|", line.strip())[1:-1]
        rows.append([c.strip().replace("\\|", "|") for c in cells])
    return rows[1:]  # without the header


def _backticked_after(cell: str, word: str) -> list[str]:
    return re.findall(word + r"\s*`([^`]*)`", cell)


def _plus_labels(cell: str) -> dict[str, str] | None:
    """'+d=choo-choo +x=y' -> {...}; None when the cell says more than that."""
    m = re.fullmatch(r"((?:\+\S+=\S+\s*)+)", cell)
    if not m:
        return None
    return dict(tok[1:].split("=", 1) for tok in cell.split())


def test_markdown_1_10_1_matches_transcription():
    rows = _table_rows(_section(_semantics_text(), "### 1.10.1", "### 1.10.2"))
    ours = {c[0]: c for c in CASES_1_10_1}
    assert [r[0] for r in rows] == [c for c in ours if "@" not in c]
    for cid, _inp, rules_cell, expected_cell in rows:
        _, _, labels, rules, expected = ours[cid]
        regexes = {r.get("regex") for r in rules}
        repls = {r.get("replacement") for r in rules}
        for rx in _backticked_after(rules_cell, "re"):
            assert rx in regexes, (cid, rx)
        for rp in _backticked_after(rules_cell, "repl"):
            assert rp in repls, (cid, rp)
        plus = _plus_labels(expected_cell)
        if plus is not None:
            assert expected == dict(labels, **plus), cid
        if expected_cell.startswith("DROP"):
            assert expected is None, cid
        if expected_cell.startswith("unchanged"):
            assert expected == "same", cid


def test_markdown_1_10_2_and_1_10_3_ids_covered():
    text = _semantics_text()
    rows2 = _table_rows(_section(text, "### 1.10.2", "### 1.10.3"))
    assert len(rows2) == len(CASES_1_10_2)
    rows3 = _table_rows(_section(text, "### 1.10.3", "Load-time checks verified"))
    ids = [r[0] for r in rows3]
    covered = {c[0].split(":")[0] for c in CASES_1_10_3} | {c[0].split("@")[0].rstrip("ab") for c in JOB_CASES}
    covered |= {"E10"}  # test_params_and_scrape_url_e10
    assert set(ids) <= covered, sorted(set(ids) - covered)
    for cid, _inp, rules_cell, _out in rows3:
        mine = [c for c in CASES_1_10_3 if c[0].split(":")[0] == cid]
        if not mine:
            continue
        regexes = {r.get("regex") for c in mine for r in c[2]}
        for rx in _backticked_after(rules_cell, "re"):
            assert rx in regexes, (cid, rx)


def _exp2_verdicts() -> dict[str, str]:
    path = EXPERIMENTS / "exp2" / "promtool_results.txt"
    if not path.exists():
        pytest.skip(f"../shared is not beside the checkout ({path} missing)")
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"(\S+\.yml)\s+(SUCCESS|FAILED): (.*)", line)
        if m:
            out[m[1]] = m[3] if m[2] == "FAILED" else ""
    return out


def test_exp2_validation_matches_promtool():
    from migrator.sources import parse_documents
    verdicts = _exp2_verdicts()
    checked = 0
    for name, verdict in sorted(verdicts.items()):
        if name.startswith("k_"):
            continue  # kubernetes_sd: not in that build
        doc = parse_documents((EXPERIMENTS / "exp2" / name).read_text(encoding="utf-8"), name)[0]
        job = doc.data["scrape_configs"][0]
        try:
            parse_rules(job.get("relabel_configs"), version=V242,
                        text_of=lambda i, f: doc.text_of(("scrape_configs", 0, "relabel_configs", i, f)))
            got = ""
        except ConfigError as exc:
            got = exc.message
        if verdict == "":
            assert got == "", (name, got)
        else:
            want = verdict.split(": ", 1)[1]  # drop "parsing YAML file X"
            if want.startswith("yaml: unmarshal errors"):
                assert got.startswith("cannot unmarshal") or "not found" in got, (name, got)
            else:
                assert got == want, (name, got, want)
        checked += 1
    assert checked >= 40


def _load_exp(name: str):
    path = EXPERIMENTS / name
    if not path.exists():
        pytest.skip(f"../shared is not beside the checkout ({path} missing)")
    import yaml
    cfg = yaml.safe_load((path / "prom.yml").read_text(encoding="utf-8"))
    api = json.loads((path / "targets.json").read_text(encoding="utf-8"))["data"]
    return cfg, api


@pytest.mark.parametrize("exp", ["exp1", "exp3", "exp4", "exp5"])
def test_experiments_replay_on_2_42(exp):
    cfg, api = _load_exp(exp)
    g = cfg.get("global")
    active = {}
    for t in api["activeTargets"]:
        active.setdefault(t["scrapePool"], []).append((tuple(sorted(t["labels"].items())), t["scrapeUrl"]))
    ours_dropped = 0
    for job in cfg["scrape_configs"]:
        ours = []
        for sc in job.get("static_configs", []):
            for addr in sc["targets"]:
                r = populate_target({"__address__": addr}, job, version=V242, global_config=g,
                                    group_labels=sc.get("labels"))
                if r.labels is not None:
                    ours.append((tuple(sorted(r.public_labels().items())), scrape_url(r.labels, job)))
                elif r.dropped_by is not None:
                    ours_dropped += 1
        assert sorted(ours) == sorted(active.get(job["job_name"], [])), job["job_name"]
    assert ours_dropped == len(api["droppedTargets"])


@pytest.mark.parametrize("text,quoted", [
    ("a", '"a"'), ('a"b', '"a\\"b"'), ("a\\b", '"a\\\\b"'), ("\n\t\r", '"\\n\\t\\r"'), ("\a\b\f\v", '"\\a\\b\\f\\v"'),
    ("\x00\x7f", '"\\x00\\x7f"'), ("é", '"é"'), ("\u200b", '"\\u200b"'), ("\U000e0001", '"\\U000e0001"'),
    ("\ud800", '"\\ufffd"'),
])
def test_go_quote_is_strconv_quote(text, quoted):
    """One %q for every message (validate's own copy left \\x00 and \\u200b unescaped)."""
    from migrator.relabel import go_quote
    from migrator import validate

    assert go_quote(text) == quoted
    assert validate._q is go_quote


def test_check_rules_reports_every_problem_of_every_rule_prometheus_first():
    from migrator.relabel import check_rules

    rules = [{"source_labels": ["a"], "target_label": "b"},
             {"action": "hashmod", "regex": "(", "target_label": [1], "source_labels": ["a-b"], "bogus": 1},
             {"action": "lowercase", "source_labels": ["a"], "target_label": "b"}]
    problems = check_rules(rules, version="2.30.0", path=("relabel_configs",))
    assert [(p.path, p.message) for p in problems] == [
        (("relabel_configs", 1, "regex"), "error parsing regexp: missing closing ): `^(?:()$`"),
        (("relabel_configs", 1, "source_labels", 0), '"a-b" is not a valid label name'),
        (("relabel_configs", 1, "target_label"), "cannot unmarshal !!seq into string"),
        (("relabel_configs", 1, "bogus"), "field bogus not found in type relabel.plain"),
        (("relabel_configs", 1, "modulus"), "relabel configuration for hashmod requires non-zero modulus"),
        (("relabel_configs", 2, "action"), 'unknown relabel action "lowercase"'),
    ]
    assert problems[-1].hint == "lowercase needs Prometheus >= 2.36.0"
    with pytest.raises(ConfigError) as ei:  # parse_rules: Prometheus's first problem, as it reports it
        parse_rules(rules, version="2.30.0")
    assert (ei.value.field, ei.value.message) == ("[1].regex", problems[0].message)
    assert check_rules(rules[:1], version="2.30.0") == []
