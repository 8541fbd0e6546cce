"""Cross-check of the relabel engine against the real promtool: 2.42 (Debian, on PATH) and 3.x
(tests/prom3_util.py), each with ``--prometheus-version`` set to the binary's version.

Each example is one scrape config (a random rule chain) and many random label
sets, written as file_sd target groups (one target per group, so promtool
prints one result per target); ONE ``promtool check service-discovery`` call
per config. promtool's final labels (or dropped / error) must equal
``populate_target`` for every target, as multisets. Zero differences allowed.

From 2.43 one thing is not deterministic in Prometheus itself: ``labelmap`` where several
discovered labels map to one name keeps the value of the last one in the labels.Builder's order,
and the discovered labels enter the Builder in Go map order (random per evaluation; the job's
defaults, then names a rule adds, come after them in a fixed order). promtool 3 prints each
target's discovered labels, so there each result is matched to its target and must be the outcome
of SOME order of the discovered labels (the ones a labelmap rule matches, and the job's params:
every order is tried when the one given does not match).
"""

from __future__ import annotations

import re

import pytest
import itertools
import os
from dataclasses import dataclass
from typing import Optional

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from migrator.errors import ConfigError
from migrator.relabel import parse_rules, populate_target, pre_relabel_labels
from migrator.version import Version
from prom3_util import prom3_or_none
from promtool_util import (PROMTOOL, check_config, check_service_discovery, multiset_diff, outcome_key,
                           promtool_available, promtool_version)

pytestmark = [pytest.mark.promtool]


@dataclass(frozen=True)
class Tool:
    """A promtool binary and the version its semantics are simulated with."""

    path: str
    version: Version


def _tool(which: str, slow: bool = False) -> Tool:
    """promtool 2.42 (Debian) or 3.x (prom3_util); skips the test when that binary is absent. The
    long runs against promtool 3 (slow) only with MIGRATOR_PROM3_SLOW=1, to keep CI bounded."""
    if slow and which == "3" and os.environ.get("MIGRATOR_PROM3_SLOW") != "1":
        pytest.skip("the long promtool 3 run: set MIGRATOR_PROM3_SLOW=1")
    if which == "2.42":
        v = promtool_version() if promtool_available() else None
        if v is None or not v.startswith("2.42"):
            pytest.skip(f"these cases expect promtool 2.42 on PATH (found {v})")
        return Tool(PROMTOOL, Version.parse(v))
    b = prom3_or_none()
    if b is None:
        from prom3_util import find_prom3
        pytest.skip(find_prom3()[1])
    return Tool(b.promtool, Version.parse(b.version))


BINARIES = pytest.mark.parametrize("which", ["2.42", "3"], ids=["promtool2.42", "promtool3"])
#: The 2.42 binary's version, for code that does not take a Tool.
V = Version.parse("2.42.0")
#: No shrinking against the slow oracle (each step is a promtool run); messages list every difference.
NO_SHRINK = (Phase.explicit, Phase.generate)

# ----------------------------------------------------------------------------------------------
# Strategies

NAMES = ["a", "b", "c", "d", "f", "__tmp", "__meta_x", "job", "instance", "__address__", "__scheme__",
         "__metrics_path__", "__param_p", "__scrape_interval__", "__scrape_timeout__", "x_1", "a_b"]
SD_NAMES = ["a", "b", "c", "d", "f", "__tmp", "__meta_x", "__meta_y", "job", "instance", "x_1", "a_b",
            "__scheme__", "__param_p", "__scrape_interval__"]
ATOMS = ["a", "b", "f", "o", ".", "[ab]", "[^a]", r"\d", r"\w", ":", "-", r"\.", "_", "x", r"\s",
         "(a|b)", "(.*)", "(.+)", "(a*)", "(?:a|b)", "(?P<n>[a-f]+)", "é", "[a-c0-9]"]
ODD = ["(?i)A", "(a|)+", "(a*)*", "a{,2}", "a)|(b", "^a", "b$", r"\pL+", "[[:alpha:]]+", r"\Qa.b\E",
       "(?s:.)", "a{2}", "(?U)a+", "[^:]+:?", "(?P<n>a)(?P<n>b)?"]
QUANTS = ["", "", "", "*", "+", "?", "*?", "{1,2}"]

VALUE_CHARS = st.sampled_from(list("abfo:/._-x0123 \né") + ["ab", "foo", "bar", ":80", "a:b"])
VALUES = st.lists(VALUE_CHARS, min_size=0, max_size=4).map("".join)
ADDRESSES = st.sampled_from(["h1", "h2:9090", "[::1]", "::1", "localhost", "x/y", "", "a:80", "1.2.3.4",
                             "h:443", "[::1]:9"])


@st.composite
def regexes(draw):
    if draw(st.integers(0, 3)) == 0:  # constructs only RE2 handles (no Python fast path)
        return draw(st.sampled_from(ODD))
    n = draw(st.integers(1, 4))
    parts = []
    for _ in range(n):
        atom = draw(st.sampled_from(ATOMS))
        q = draw(st.sampled_from(QUANTS))
        if atom.startswith("(") and q:
            q = "" if draw(st.booleans()) else q  # quantified groups sometimes
        parts.append(atom + q)
    body = "".join(parts)
    if draw(st.integers(0, 4)) == 0:
        body = body + "|" + draw(st.sampled_from(ATOMS))
    if draw(st.integers(0, 5)) == 0:
        body = "(" + body + ")"
    return body


TEMPLATES = ["$1", "${1}", "${2}", "$1x", "x", "", "$0", "[$1]", "$$", "a$", "${n}", "$n", "h3:80", "https",
             "${1}_${2}", "$2-$1", "5s", "/m", "${1"]
TARGETS = ["a", "b", "d", "f", "${1}", "$1", "x${2}", "$1x", "__tmp", "${n}", "__address__", "__scheme__",
           "instance", "job", "__scrape_timeout__", "__param_p", "__meta_x", "o"]


@st.composite
def rules(draw):
    action = draw(st.sampled_from(["replace"] * 4 + ["keep", "drop", "keepequal", "dropequal", "hashmod",
                                                     "labelmap", "labelmap", "labeldrop", "labelkeep",
                                                     "lowercase", "uppercase"]))
    r: dict = {"action": action}
    if action in ("labeldrop", "labelkeep"):
        r["regex"] = draw(st.one_of(regexes(), st.sampled_from(["__.*|a|job|instance", "a.*", "__meta_.*",
                                                                  "[a-d]", "x_1|a_b"])))
        return r
    if action == "labelmap":
        r["regex"] = draw(st.one_of(regexes(), st.sampled_from(["__meta_(.*)", "(a|b)", "a_(.*)",
                                                                  "(.)_(.*)", "__(tmp)"])))
        r["replacement"] = draw(st.sampled_from(["$1", "${1}", "copy_$0", "x_${2}", "${1}_m", "$1x", "z"]))
        return r
    r["source_labels"] = draw(st.lists(st.sampled_from(NAMES), min_size=0, max_size=3))
    if action in ("keepequal", "dropequal"):
        r["target_label"] = draw(st.sampled_from(NAMES))
        return r
    if draw(st.booleans()):
        r["separator"] = draw(st.sampled_from([";", "", ":", "-"]))
    if action in ("lowercase", "uppercase"):
        r["target_label"] = draw(st.sampled_from(["a", "d", "${1}", "__tmp", "instance"]))
        return r
    if action == "hashmod":
        r["target_label"] = draw(st.sampled_from(["d", "__tmp", "h"]))
        r["modulus"] = draw(st.sampled_from([1, 2, 7, 1000, 2 ** 64 - 1]))
        return r
    if action in ("keep", "drop"):
        r["regex"] = draw(regexes())
        return r
    if draw(st.integers(0, 3)):
        r["regex"] = draw(regexes())
    r["target_label"] = draw(st.sampled_from(TARGETS))
    if draw(st.integers(0, 3)):
        r["replacement"] = draw(st.sampled_from(TEMPLATES))
    return r


@st.composite
def jobs(draw):
    job = {"job_name": "j", "relabel_configs": draw(st.lists(rules(), min_size=1, max_size=6))}
    if draw(st.integers(0, 3)) == 0:
        job["scheme"] = "https"
    if draw(st.integers(0, 3)) == 0:
        job["params"] = {"p": ["v1", "v2"], "q": ["w"]}
    if draw(st.integers(0, 4)) == 0:
        job["scrape_interval"] = draw(st.sampled_from(["5s", "90s", "1h"]))
    if draw(st.integers(0, 4)) == 0:
        job["metrics_path"] = "/m"
    return job


@st.composite
def groups(draw, n):
    out = []
    for _ in range(n):
        labels = draw(st.dictionaries(st.sampled_from(SD_NAMES), VALUES, max_size=6))
        if "__scrape_interval__" in labels:
            labels["__scrape_interval__"] = draw(st.sampled_from(["", "5s", "1m", "0", "x", "10s"]))
        out.append({"targets": [draw(ADDRESSES)], "labels": labels})
    return out


# ----------------------------------------------------------------------------------------------


def _compare(job: dict, tgroups: list[dict], tool: Optional[Tool] = None) -> None:
    tool = tool or Tool(PROMTOOL, V)
    v = tool.version
    try:
        rules_ = parse_rules(job["relabel_configs"], version=v)
    except ConfigError as exc:
        # Our validation refuses the chain: promtool must refuse it too.
        ok, out = check_config({"scrape_configs": [dict(job, file_sd_configs=[{"files": ["/nonexistent.json"]}])]},
                               promtool=tool.path)
        assert not ok, f"we refuse ({exc}) but promtool {v} accepts:\n{job}"
        return
    results, sd_path = check_service_discovery(job, tgroups, expected=len(tgroups), promtool=tool.path)
    if v.at_least("2.43.0"):
        _compare_by_target(job, tgroups, v, rules_, results, sd_path)
        return
    expected = []
    for g in tgroups:
        group_labels = dict(g["labels"], __meta_filepath=sd_path)
        r = populate_target({"__address__": g["targets"][0]}, job, version=v, rules=rules_,
                            group_labels=group_labels)
        expected.append(outcome_key(r.labels, r.error))
    actual = [r.key() for r in results]
    only_ours, only_theirs = multiset_diff(expected, actual)
    assert not only_ours and not only_theirs, (
        f"differences for job {job}\nonly in simulation: {dict(only_ours)}\n"
        f"only in promtool: {dict(only_theirs)}\ngroups: {tgroups}")


#: Most orders of the discovered labels tried for one target.
MAX_ORDERS = 5040


def _orders(job: dict, rules_: list, address: str, group_labels: dict):
    """(discovered labels in Prometheus's order, job) for every order Prometheus 2.43+ may use:
    __address__ (the target's own label) first, then the group's labels in any order, then the
    job's defaults, then its params in any order. Only the relative order of names some labelmap
    rule matches can change an outcome, so only those are permuted. The order given comes first."""
    regexes = [r.regex for r in rules_ if r.action == "labelmap"]
    moving = [n for n in group_labels if any(rx.matches(n) for rx in regexes)]
    fixed = [n for n in group_labels if n not in moving]
    params = list((job.get("params") or {}).items()) if regexes else []
    param_orders = list(itertools.permutations(params)) if len(params) > 1 else [tuple(params)]
    n = 0
    for perm in itertools.permutations(moving):
        for p in param_orders:
            disc = {"__address__": address}
            disc.update((k, group_labels[k]) for k in perm)
            disc.update((k, group_labels[k]) for k in fixed)
            j = dict(job, params=dict(p)) if params else job
            yield disc, j
            n += 1
            if n >= MAX_ORDERS:
                return


def _compare_by_target(job: dict, tgroups: list[dict], v: Version, rules_: list, results: list,
                       sd_path: str) -> None:
    """promtool 2.43+: every result, found by its discovered labels, is the outcome of some order."""
    by_disc: dict[tuple, list] = {}
    for r in results:
        by_disc.setdefault(r.discovered, []).append(r.key())
    diffs = []
    for g in tgroups:
        address = g["targets"][0]
        group_labels = dict(g["labels"], __meta_filepath=sd_path)
        disc = tuple(sorted(pre_relabel_labels({"__address__": address}, job, version=v,
                                               group_labels=group_labels).items()))
        theirs = by_disc.get(disc)
        if not theirs:
            diffs.append(f"promtool printed no target with discovered labels {dict(disc)}")
            continue
        for key in set(theirs):
            ours = []
            for d, j in _orders(job, rules_, address, group_labels):
                r = populate_target(d, j, version=v, rules=rules_)
                ours.append(outcome_key(r.labels, r.error))
                if ours[-1] == key:
                    break
            else:
                diffs.append(f"target {dict(disc)}\n  promtool: {key}\n  ours (order given): {ours[0]}"
                             f"\n  ({len(ours)} orders tried)")
    assert not diffs, f"differences for job {job}:\n" + "\n".join(diffs[:10])


TARGETS_PER_CONFIG = 40


@BINARIES
@settings(max_examples=25, deadline=None, database=None, phases=NO_SHRINK,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(job=jobs(), tgroups=groups(TARGETS_PER_CONFIG))
def test_random_chains_match_promtool(which, job, tgroups):
    _compare(job, tgroups, _tool(which))


@pytest.mark.slow
@BINARIES
@settings(max_examples=300, deadline=None, database=None, phases=NO_SHRINK,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(job=jobs(), tgroups=groups(TARGETS_PER_CONFIG))
def test_random_chains_match_promtool_slow(which, job, tgroups):
    _compare(job, tgroups, _tool(which, slow=True))


# A fixed chain: the kubernetes-pods idiom, over hand-picked label sets (one promtool call).
K8S_PODS = {
    "job_name": "kubernetes-pods",
    "relabel_configs": [
        {"source_labels": ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"], "action": "keep",
         "regex": "true"},
        {"source_labels": ["__meta_kubernetes_pod_annotation_prometheus_io_scheme"], "action": "replace",
         "regex": "(https?)", "target_label": "__scheme__"},
        {"source_labels": ["__meta_kubernetes_pod_annotation_prometheus_io_path"], "action": "replace",
         "target_label": "__metrics_path__", "regex": "(.+)"},
        {"source_labels": ["__address__", "__meta_kubernetes_pod_annotation_prometheus_io_port"],
         "action": "replace", "regex": r"([^:]+)(?::\d+)?;(\d+)", "replacement": "$1:$2",
         "target_label": "__address__"},
        {"action": "labelmap", "regex": "__meta_kubernetes_pod_label_(.+)"},
        {"source_labels": ["__meta_kubernetes_namespace"], "action": "replace", "target_label": "namespace"},
        {"source_labels": ["__meta_kubernetes_pod_name"], "action": "replace", "target_label": "pod"},
        {"source_labels": ["__meta_kubernetes_pod_phase"], "regex": "Pending|Succeeded|Failed|Completed",
         "action": "drop"},
    ],
}


@BINARIES
def test_kubernetes_pods_chain_matches_promtool(which):
    tool = _tool(which)
    tgroups = []
    for i in range(30):
        labels = {
            "__meta_kubernetes_namespace": f"ns{i % 3}",
            "__meta_kubernetes_pod_name": f"pod-{i}",
            "__meta_kubernetes_pod_phase": ["Running", "Pending", "Succeeded"][i % 3],
            "__meta_kubernetes_pod_label_app": f"app{i % 4}",
            "__meta_kubernetes_pod_label_team_name": "x" if i % 2 else "",
        }
        if i % 5:
            labels["__meta_kubernetes_pod_annotation_prometheus_io_scrape"] = "true" if i % 7 else "false"
        if i % 4 == 0:
            labels["__meta_kubernetes_pod_annotation_prometheus_io_port"] = str(9000 + i)
        if i % 6 == 0:
            labels["__meta_kubernetes_pod_annotation_prometheus_io_scheme"] = "https"
        if i % 8 == 0:
            labels["__meta_kubernetes_pod_annotation_prometheus_io_path"] = "/custom"
        addr = f"10.0.0.{i}" + (":8080" if i % 3 else "")
        tgroups.append({"targets": [addr], "labels": labels})
    _compare(K8S_PODS, tgroups, tool)


# labelmap where several names map to one (tests/test_labelmap_order.py): the orders 2.42 and 3.x
# differ on, where Prometheus 3 is deterministic (a name a rule adds comes after the discovered ones).
LABELMAP_ORDER = [
    [{"source_labels": ["x"], "target_label": "a1"},
     {"action": "labelmap", "regex": "(a1|b)", "replacement": "z"}],
    [{"action": "labeldrop", "regex": "b"}, {"source_labels": ["x"], "target_label": "b"},
     {"action": "labelmap", "regex": "(b|c)", "replacement": "z"}],
    [{"source_labels": ["x"], "target_label": "a9"},
     {"action": "labelmap", "regex": "(?:a9|b)", "replacement": "$1"}],
    [{"action": "labelmap", "regex": "__(param_p|scrape_timeout__|scheme__)", "replacement": "d"}],
]


@BINARIES
@pytest.mark.parametrize("chain", range(len(LABELMAP_ORDER)))
def test_labelmap_order_matches_promtool(which, chain):
    tool = _tool(which)
    job = {"job_name": "j", "params": {"p": ["v1"]}, "relabel_configs": LABELMAP_ORDER[chain]}
    tgroups = [{"targets": [f"h{i}:80"], "labels": {"b": f"b{i}", "c": "c", "x": f"x{i}"}} for i in range(3)]
    _compare(job, tgroups, tool)


# ----------------------------------------------------------------------------------------------
# Load-time validation: random (often invalid) rules, our verdict and message vs promtool check config.

_UNSET = object()


@st.composite
def raw_rules(draw):
    r: dict = {}
    fields = {
        "action": ["replace", "keep", "drop", "keepequal", "dropequal", "hashmod", "labelmap", "labeldrop",
                   "labelkeep", "lowercase", "uppercase", "Replace", "KEEP", "copy", "", None],
        "source_labels": [["a"], ["a", "b"], [], ["foo-bar"], ["__meta_x"], None, "a", [["a"]]],
        "separator": [";", ",", "", None],
        "regex": ["(.*)", "a", "(a)", "", None, "(?<n>a)", "a++", "(", "[z-a]", r"(a)\1", "(?P<n>a)(?P<n>b)",
                  "a{1001}", "(?i)x", r"\C", "(?P<é>a)"],
        "modulus": [0, 1, 5, 2 ** 64 - 1, -1, "x"],
        "target_label": ["a", "${1}", "$1", "1abc", "foo-bar", "$1x", "a.${1}", "", "__meta_x", "_${1}_", "${",
                         "foo${bar}foo", "0${1}"],
        "replacement": ["$1", "x", "", "${1}", "a-b", "$1x", None, "copy_$0"],
    }
    for name, choices in fields.items():
        if draw(st.integers(0, 2)) == 0:
            continue
        r[name] = draw(st.sampled_from(choices))
    if draw(st.integers(0, 15)) == 0:
        r["bogus"] = 1
    if draw(st.integers(0, 15)) == 0:
        r[draw(st.sampled_from(["regex", "replacement", "action"]))] = ["x"]
    return r


def _promtool_verdict(raw: dict, tool: Optional[Tool] = None) -> tuple[bool, str]:
    # file_sd (not static targets, which promtool would relabel and check for an address)
    ok, out = check_config({"scrape_configs": [{"job_name": "j", "file_sd_configs": [{"files": ["/nonexistent.json"]}],
                                                "relabel_configs": [raw]}]},
                           promtool=tool.path if tool else None)
    msg = ""
    if not ok:
        lines = out.splitlines()
        for i, line in enumerate(lines):
            if "prometheus.yml: " in line:
                msg = line.split("prometheus.yml: ", 1)[1].strip()
                if msg == "yaml: unmarshal errors:" and i + 1 < len(lines):  # first type error, sans line
                    msg = re.sub(r"^\s*line \d+: ", "", lines[i + 1])
                break
    return ok, msg


def _compare_validation(raws: list[dict], tool: Optional[Tool] = None) -> None:
    from migrator.relabel import parse_rule
    tool = tool or Tool(PROMTOOL, V)
    diffs = []
    for raw in raws:
        try:
            parse_rule(raw, version=tool.version)
            ours_ok, ours_msg = True, ""
        except ConfigError as exc:
            ours_ok, ours_msg = False, exc.message
        ok, msg = _promtool_verdict(raw, tool)
        if ok != ours_ok:
            diffs.append((raw, ours_msg, msg))
        elif not ok and msg != ours_msg:
            diffs.append((raw, ours_msg, msg))
    assert not diffs, f"promtool {tool.version}:\n" + "\n".join(
        f"{r}: ours={a!r} promtool={b!r}" for r, a, b in diffs)


@BINARIES
@settings(max_examples=2, deadline=None, database=None, phases=NO_SHRINK, suppress_health_check=list(HealthCheck))
@given(raws=st.lists(raw_rules(), min_size=20, max_size=20))
def test_validation_matches_promtool(which, raws):
    _compare_validation(raws, _tool(which))


@pytest.mark.slow
@BINARIES
@settings(max_examples=30, deadline=None, database=None, phases=NO_SHRINK, suppress_health_check=list(HealthCheck))
@given(raws=st.lists(raw_rules(), min_size=20, max_size=20))
def test_validation_matches_promtool_slow(which, raws):
    _compare_validation(raws, _tool(which, slow=True))
