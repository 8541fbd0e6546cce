"""Fuzz findings of issue 8 in commands added after the first pass (why, lint): each fails on the code before."""

from __future__ import annotations

import json
from pathlib import Path

from cli_util import run_cli

REPO = Path(__file__).resolve().parent.parent
INV = str(REPO / "samples/inventory/cluster.yaml")
MONITORS = str(REPO / "samples/istio/monitors.yaml")


def test_why_fix_snippet_hides_proxy_url_userinfo(tmp_path):
    """F10: the suggested fix repeated the endpoint, proxyUrl password included."""
    m = tmp_path / "m.yaml"
    m.write_text("apiVersion: monitoring.coreos.com/v1\nkind: PodMonitor\nmetadata: {name: p, namespace: default}\n"
                 "spec:\n  selector: {}\n  podMetricsEndpoints:\n  - port: web\n"
                 "    proxyUrl: http://USER:S3CRETPASS@proxy.example:3128\n"
                 "    basicAuth:\n      password: {name: s, key: S3CRETKEYNAME}\n")
    for output in ("text", "json", "markdown"):
        r = run_cli("why", str(m), "-i", INV, "--output", output)
        assert r.code in (0, 1), r.stderr
        assert "S3CRETPASS" not in r.stdout + r.stderr, output
        assert "S3CRETKEYNAME" not in r.stdout + r.stderr, output
        if output == "json":
            json.loads(r.stdout)


def test_lint_rule_docs_refuse_findings_only_outputs():
    """F11: --explain/--list-rules with --output sarif printed text and exited 0."""
    for args in (("--explain", "job/honor-labels"), ("--list-rules",)):
        for output in ("sarif", "github"):
            r = run_cli("lint", *args, "--output", output)
            assert r.code == 2, (args, output, r.stdout)
            assert "--output" in r.stderr
        r = run_cli("lint", *args, "--output", "json")
        assert r.code == 0
        json.loads(r.stdout)


def test_prometheus_cr_with_null_spec_in_why_and_lint(tmp_path):
    """F12: a CR with `spec: null` was an internal error (TypeError) in why and lint."""
    p = tmp_path / "p.yaml"
    p.write_text("apiVersion: monitoring.coreos.com/v1\nkind: Prometheus\n"
                 "metadata: {name: p, namespace: monitoring}\nspec: null\n")
    for args in (("why", MONITORS, "-i", INV, "--prometheus", str(p)),
                 ("lint", MONITORS, "--no-config", "--prometheus", str(p))):
        r = run_cli(*args)
        assert r.code in (0, 1, 2), (args, r.stderr)
        assert "internal error" not in r.stderr, r.stderr
