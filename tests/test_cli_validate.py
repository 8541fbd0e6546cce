"""`migrator validate`: every error at once, located; exit 0 or 2."""

from __future__ import annotations

import json

import pytest

from cli_util import run_cli
from conftest import SAMPLES


def test_samples_are_valid():
    r = run_cli("validate", str(SAMPLES / "istio" / "monitors.yaml"))
    assert r.code == 0, r.stderr
    assert "3 monitor(s) checked, 0 error(s)" in r.stderr


def test_all_errors_reported_with_lines(tmp_path):
    bad = (SAMPLES / "istio" / "monitors.yaml").read_text() \
        .replace("operator: Exists", "operator: Exist").replace("interval: 15s", "interval: fast")
    f = tmp_path / "bad.yaml"
    f.write_text(bad)
    r = run_cli("validate", str(f))
    assert r.code == 2
    assert r.stderr.count("error: ") >= 4  # one operator + three intervals
    assert "bad.yaml:" in r.stderr and "Exist" in r.stderr


def test_json_output(tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text((SAMPLES / "istio" / "monitors.yaml").read_text().replace("port: http-monitoring", "port: 15014"))
    r = run_cli("validate", str(f), "--output", "json")
    assert r.code == 2
    report = json.loads(r.stdout)
    (err,) = report["errors"]
    assert err["field"] == "spec.endpoints[0].port" and isinstance(err["line"], int)
    assert len(report["checked"]) == 3


# issue 8: secrets, port names, duplicates

MONITOR = """\
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: sm
  namespace: ns
spec:
  selector: {}
  endpoints:
  - port: web
"""


def test_a_credential_value_is_not_in_any_output(tmp_path):
    f = tmp_path / "cred.yaml"
    f.write_text(MONITOR + "    basicAuth:\n      password: S3CRET-pw\n      username: {name: s, key: u}\n"
                 "  - port: web\n    bearerTokenSecret: S3CRET-bt\n"
                 "  - port: web\n    authorization: {credentials: S3CRET-cred}\n"
                 "  - port: web\n    oauth2: {clientId: {secret: {name: a, key: b}}, clientSecret: S3CRET-cs, "
                 "tokenUrl: 'http://t'}\n")
    for extra in ((), ("--output", "json")):
        r = run_cli("validate", str(f), *extra)
        assert r.code == 2
        assert "S3CRET" not in r.stdout + r.stderr, r.stdout + r.stderr
        assert "basicAuth.password" in r.stdout + r.stderr
    r = run_cli("render", str(f))
    assert r.code == 2 and "S3CRET" not in r.stdout + r.stderr


def test_a_port_name_that_is_no_regex_is_refused(tmp_path):
    f = tmp_path / "pm.yaml"
    f.write_text(MONITOR.replace("ServiceMonitor", "PodMonitor").replace("endpoints:", "podMetricsEndpoints:")
                 .replace("port: web", 'port: "http["'))
    r = run_cli("validate", str(f))
    assert r.code == 2
    assert f"{f}:9: spec.podMetricsEndpoints[0].port: " in r.stderr and "error parsing regexp" in r.stderr
    r = run_cli("render", str(f))
    assert r.code == 2 and f"{f}:9: spec.podMetricsEndpoints[0].port" in r.stderr


def test_a_monitor_given_twice_is_refused_with_both_places(tmp_path):
    f = tmp_path / "two.yaml"
    secret = "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: ns}\nstringData: {a: b}\n"
    f.write_text(MONITOR + "---\n" + secret + "---\n" + MONITOR + "---\n" + secret)
    for command in ("validate", "render"):
        r = run_cli(command, str(f))
        assert r.code == 2, (command, r.stderr)
        assert f"{f}:19: metadata.name: ServiceMonitor ns/sm is given twice (also at {f}:1)" in r.stderr
        assert f"{f}:26: Secret ns/s is given twice (also at {f}:11)" in r.stderr  # a warning


def test_lowercase_before_2_36_is_refused(tmp_path):
    f = tmp_path / "lc.yaml"
    f.write_text(MONITOR + "    relabelings:\n    - {action: lowercase, sourceLabels: [a], targetLabel: b}\n")
    r = run_cli("validate", str(f), "--prometheus-version", "2.30.0")
    assert r.code == 2 and "only supported from Prometheus version 2.36.0" in r.stderr
    assert run_cli("validate", str(f), "--prometheus-version", "2.36.0").code == 0


PROXY_MONITOR = MONITOR.replace("ServiceMonitor", "PodMonitor").replace("endpoints:", "podMetricsEndpoints:")


@pytest.mark.parametrize("url", ["htt%://S3CRET44:S3CRET45@proxy.example:3128",  # fuzz finding F5
                                 "http:/'/S3CRET1:S3CRET2@proxy.example:3128"])  # F7
def test_url_userinfo_is_masked_in_messages(tmp_path, url):
    """A malformed URL that may hold userinfo is a secret as a whole: never quoted back (migrator.redact)."""
    f = tmp_path / "m.yaml"
    f.write_text(PROXY_MONITOR + f'    proxyUrl: "{url}"\n')
    for command in ("validate", "render"):
        r = run_cli(command, str(f))
        assert r.code == 2
        assert "S3CRET" not in r.stdout + r.stderr and "proxyUrl" in r.stderr
        assert 'invalid value "<hidden>"' in r.stderr


def test_portable_render_writes_no_url_credentials(tmp_path):
    """Fuzz finding F3: portable render refuses a proxyUrl with userinfo (it writes no credential)."""
    f = tmp_path / "m.yaml"
    f.write_text(PROXY_MONITOR + "    proxyUrl: http://S3CRET1:S3CRET2@proxy.example:3128\n")
    assert run_cli("validate", str(f)).code == 0
    r = run_cli("render", str(f))
    assert r.code == 2 and "S3CRET" not in r.stdout + r.stderr
    assert "proxy_url" in r.stderr and "--inline-secrets" in r.stderr
    r = run_cli("render", str(f), "--operator-compatible")  # the operator inlines it, and says so
    assert r.code == 0 and "http://S3CRET1:S3CRET2@proxy.example:3128" in r.stdout
    f.write_text(PROXY_MONITOR + "    proxyUrl: http://proxy.example:3128/a@b\n")  # an @ in the path
    assert run_cli("render", str(f)).code == 0
