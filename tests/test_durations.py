"""The one duration parser (migrator.relabel.duration) and every command's use of it.

Tables: what Prometheus 2.42 (regex parser) and 2.43+ (hand-written parser) accept and how each
words a refusal; the 2.42 column is cross-checked against promtool 2.42 when it is on PATH.
"""

from __future__ import annotations

import json
import subprocess

import pytest

from conftest import needs_promtool
from migrator.errors import InputError
from migrator.relabel.duration import (DURATION_PATTERN, duration_or_none, format_duration,
                                       operator_duration_problem, parse_duration)
from migrator.version import Version

V242, V243, HEAD = Version(2, 42, 0), Version(2, 43, 0), None

MS_Y, MS_D = 365 * 86_400_000, 86_400_000

#: (text, milliseconds): accepted by every release.
ACCEPTED = [
    ("0", 0), ("0s", 0), ("0ms", 0), ("15s", 15_000), ("1m30s", 90_000), ("1h", 3_600_000),
    ("500ms", 500), ("1s500ms", 1500), ("1d2h", 93_600_000), ("1y1w", MS_Y + 7 * MS_D),
    ("1d2h3m4s5ms", 93_784_005), ("292y", 292 * MS_Y), ("9223372036854ms", 9_223_372_036_854),
    ("2562047h47m16s854ms", 9_223_372_036_854), ("007s", 7000), ("292y20w", 292 * MS_Y + 140 * MS_D),
]

#: (text, 2.42's message, 2.43+'s message).
REFUSED = [
    ("", "empty duration string", "empty duration string"),
    ("5x", 'not a valid duration string: "5x"', 'unknown unit "x" in duration "5x"'),
    ("1.5s", 'not a valid duration string: "1.5s"', 'unknown unit "." in duration "1.5s"'),
    ("10 s", 'not a valid duration string: "10 s"', 'unknown unit " s" in duration "10 s"'),
    ("1µs", 'not a valid duration string: "1µs"', 'unknown unit "µs" in duration "1µs"'),
    ("99999999999999999999s", "duration out of range", 'not a valid duration string: "99999999999999999999s"'),
    ("1s1m", 'not a valid duration string: "1s1m"', 'not a valid duration string: "1s1m"'),
    ("1h1h", 'not a valid duration string: "1h1h"', 'not a valid duration string: "1h1h"'),
    ("00", 'not a valid duration string: "00"', 'not a valid duration string: "00"'),
    ("5", 'not a valid duration string: "5"', 'not a valid duration string: "5"'),
    ("s", 'not a valid duration string: "s"', 'not a valid duration string: "s"'),
    ("-1s", 'not a valid duration string: "-1s"', 'not a valid duration string: "-1s"'),
    ("1m ", 'not a valid duration string: "1m "', 'unknown unit "m " in duration "1m "'),
    ("300y", "duration out of range", "duration out of range"),
    ("293y", "duration out of range", "duration out of range"),
    ("9223372036855ms", "duration out of range", "duration out of range"),
    ("2562047h47m16s855ms", "duration out of range", "duration out of range"),
    ("292y30w", "duration out of range", "duration out of range"),
]


@pytest.mark.parametrize("text,ms", ACCEPTED)
def test_accepted_by_every_release(text, ms):
    for v in (V242, V243, HEAD):
        assert parse_duration(text, version=v) == ms
        assert duration_or_none(text, version=v) == ms
    assert parse_duration(format_duration(ms)) == ms


@pytest.mark.parametrize("text,old,new", REFUSED)
def test_refused_with_each_release_wording(text, old, new):
    for v, message in ((V242, old), (V243, new), (HEAD, new)):
        with pytest.raises(ValueError) as info:
            parse_duration(text, version=v)
        assert str(info.value) == message
        assert duration_or_none(text, version=v) is None


@pytest.mark.parametrize("value", [None, 30, 1.5, True, ["1m"], {"a": 1}])
def test_not_a_string(value):
    assert duration_or_none(value) is None
    with pytest.raises(ValueError):
        parse_duration(value)


@pytest.mark.parametrize("ms,text", [(0, "0s"), (90_000, "1m30s"), (60_000, "1m"), (500, "500ms"),
                                     (90 * MS_D, "90d"), (14 * MS_D, "2w"), (MS_Y, "1y"),
                                     (MS_Y + MS_D, "366d"), (3_600_000, "1h"), (93_784_005, "1d2h3m4s5ms")])
def test_format_duration(ms, text):
    assert format_duration(ms) == text


@pytest.mark.parametrize("text,problem", [
    ("30s", None), ("0", None), ("", None),  # "" passes the CRD pattern: the field is unset
    ("30sec", "expected a Prometheus duration"), ("1.5m", "expected a Prometheus duration"),
    ("10s1m", "expected a Prometheus duration"), (30, "expected a Prometheus duration"),
    ("300y", "duration out of range"),  # the pattern passes it, Prometheus does not
])
def test_operator_duration_pattern(text, problem):
    got = operator_duration_problem(text)
    assert got is None if problem is None else problem in got


def test_one_pattern_for_the_crds():
    from migrator.schemas import load_schema

    patterns = set()

    def walk(node):
        if isinstance(node, dict):
            if "pattern" in node and "([0-9]+)ms" in node["pattern"]:
                patterns.add(node["pattern"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(load_schema("ServiceMonitor"))
    assert patterns == {DURATION_PATTERN}


# -- the old copies disagreed: each entry point now gives Prometheus's verdict -------------------


def test_validate_parse_duration_uses_prometheus_wording():
    from migrator.validate import parse_duration as validate_parse

    # the old validate copy said "duration out of range" here; Prometheus 2.43+ does not
    with pytest.raises(InputError, match='not a valid duration string: "99999999999999999999s"'):
        validate_parse("99999999999999999999s")
    assert validate_parse("1m30s") == 90


def test_presets_interval_uses_prometheus_wording():
    from migrator.presets import parse_duration_ms

    with pytest.raises(InputError, match="duration out of range"):
        parse_duration_ms("999999999y")
    with pytest.raises(InputError, match="invalid duration ''"):
        parse_duration_ms("")
    assert parse_duration_ms("1m") == 60_000


def test_render_helper_agrees():
    from migrator.render.util import parse_duration_ms

    assert [parse_duration_ms(t) for t in ("30s", "", "300y", "1.5s", 0)] == [30_000, None, None, None, 0]


def test_scrape_config_reader_uses_prometheus_wording():
    from migrator.scrapeconfig import read_jobs
    from migrator.sources import parse_documents

    (job,) = read_jobs(parse_documents("- job_name: a\n  scrape_interval: 300y\n  scrape_timeout: 1m1h\n",
                                       "c.yml")).jobs
    messages = {p.field: p.message for p in job.problems}
    # the old reader said "not a valid duration string: '300y'" (Python quoting, wrong reason)
    assert messages == {"[0].scrape_interval": "duration out of range",
                        "[0].scrape_timeout": 'not a valid duration string: "1m1h"'}


# -- promtool 2.42 ----------------------------------------------------------------------------------


def _promtool(tmp_path, text: str) -> tuple[bool, str]:
    path = tmp_path / "prometheus.yml"
    path.write_text("global:\n  scrape_interval: " + json.dumps(text) + "\n  scrape_timeout: 1ms\n"
                    "scrape_configs: []\n", encoding="utf-8")
    proc = subprocess.run(["promtool", "check", "config", "--syntax-only", str(path)],
                          capture_output=True, text=True, timeout=60)
    return proc.returncode == 0, proc.stdout + proc.stderr


@needs_promtool
@pytest.mark.parametrize("text", [t for t, _ in ACCEPTED if t not in ("0ms", "0s", "0")])
def test_promtool_242_accepts(tmp_path, text):
    ok, out = _promtool(tmp_path, text)
    assert ok, out


@needs_promtool
@pytest.mark.parametrize("text,old", [(t, o) for t, o, _ in REFUSED])
def test_promtool_242_refuses_with_the_same_words(tmp_path, text, old):
    ok, out = _promtool(tmp_path, text)
    assert not ok and old in out, out
