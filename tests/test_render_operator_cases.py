"""Operator mode against the prometheus-operator golden oracle (../shared/oracle/operator-cases).

Every case: build the Prometheus CR and the asset store from context.yaml, render monitor.yaml in operator
mode, compare with expected.yaml as data, order-sensitive, including the key order inside every mapping.
PARTIAL cases (the Go test called generateK8SSDConfig directly) compare kubernetes_sd_config() only.
"""

from __future__ import annotations

import pytest

from migrator.render import RenderContext, kubernetes_sd_config, render_monitors

from oracle_cases import CASES_DIR, case_dirs, case_store, case_to_cr, is_partial, load_all_yaml, load_yaml

# only the tests that read the cases need ../shared (test_ordered_detects_key_order does not)
needs_cases = pytest.mark.skipif(not CASES_DIR.is_dir(),
                                 reason=f"../shared/oracle/operator-cases not beside the checkout ({CASES_DIR})")

CASES = case_dirs()


def ordered(value):
    """A structure whose equality also checks mapping key order."""
    if isinstance(value, dict):
        return ("map", [(k, ordered(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("seq", [ordered(v) for v in value])
    return ("scalar", type(value).__name__ if isinstance(value, bool) else "", value)


@needs_cases
def test_all_28_cases_present():
    assert len(CASES) == 28


@needs_cases
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_operator_case(case):
    context = load_yaml(case / "context.yaml")
    monitors = load_all_yaml(case / "monitor.yaml")
    expected = load_yaml(case / "expected.yaml")
    cr = case_to_cr(context)
    ctx = RenderContext.from_cr(cr)
    assert str(ctx.version) == "v" + str(context["prometheusVersion"]).lstrip("v")
    if is_partial(case):
        assert len(monitors) == 1 and len(expected) == 1
        got = kubernetes_sd_config(monitors[0], ctx)
        assert ordered(got) == ordered(expected[0]["kubernetes_sd_configs"][0]), got
        return
    result = render_monitors(monitors, ctx, case_store(context), mode="operator")
    assert [j["job_name"] for j in result.jobs] == [j["job_name"] for j in expected]
    for got, want in zip(result.jobs, expected):
        assert ordered(got) == ordered(want), (got, want)
    assert result.mounts == []


def test_ordered_detects_key_order():
    # guard: the comparison must fail on a key-order difference
    assert ordered({"a": 1, "b": 2}) != ordered({"b": 2, "a": 1})
    assert ordered([True]) != ordered([1])
