"""`migrator render` end to end: outputs, modes, and bad input (message + exit status 2, no traceback)."""

from __future__ import annotations

import json
import textwrap

import pytest
import yaml

from cli_util import SECRET, SERVICE_MONITOR_WITH_AUTH, run_cli

POD_MONITOR = textwrap.dedent("""\
    apiVersion: monitoring.coreos.com/v1
    kind: PodMonitor
    metadata:
      name: envoy
      namespace: monitoring
      labels:
        release: kube-prometheus-stack
    spec:
      namespaceSelector:
        any: true
      selector:
        matchExpressions:
        - key: service.istio.io/canonical-revision
          operator: Exists
      podMetricsEndpoints:
      - port: http-envoy-prom
        path: /stats/prometheus
        interval: 15s
    """)

def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def test_render_portable_list_by_default(tmp_path):
    r = run_cli("render", write(tmp_path, "pm.yaml", POD_MONITOR))
    assert r.code == 0, r.stderr
    jobs = yaml.safe_load(r.stdout)
    assert [j["job_name"] for j in jobs] == ["podMonitor/monitoring/envoy/0"]
    assert "$(SHARD)" not in r.stdout  # portable: no operator placeholders
    assert jobs[0]["metrics_path"] == "/stats/prometheus"


def test_render_operator_compatible_keeps_sharding(tmp_path):
    r = run_cli("render", write(tmp_path, "pm.yaml", POD_MONITOR), "--operator-compatible")
    assert r.code == 0, r.stderr
    assert "$(SHARD)" in r.stdout


def test_render_reads_stdin_and_is_deterministic():
    a = run_cli("render", "-", stdin=POD_MONITOR)
    b = run_cli("render", "-", stdin=POD_MONITOR)
    assert a.code == 0 and a.stdout == b.stdout


@pytest.mark.parametrize("form,check", [
    ("prometheus-yml", lambda d: d["scrape_configs"][0]["job_name"] == "podMonitor/monitoring/envoy/0"),
    ("secret", lambda d: d["kind"] == "Secret"
        and "prometheus-additional.yaml" in d["stringData"]),
    ("helm-values", lambda d: len(d["prometheus"]["prometheusSpec"]["additionalScrapeConfigs"]) == 1),
])
def test_render_formats(tmp_path, form, check):
    r = run_cli("render", write(tmp_path, "pm.yaml", POD_MONITOR), "--format", form)
    assert r.code == 0, r.stderr
    assert check(yaml.safe_load(r.stdout))


def test_secrets_are_files_by_default_and_listed_to_mount(tmp_path):
    r = run_cli("render", write(tmp_path, "sm.yaml", SERVICE_MONITOR_WITH_AUTH), write(tmp_path, "s.yaml", SECRET))
    assert r.code == 0, r.stderr
    assert "s3cr3t-value" not in r.stdout + r.stderr
    job = yaml.safe_load(r.stdout)[0]
    assert job["basic_auth"]["password_file"] == "/etc/prometheus/secrets/app-auth/pass"
    assert "app-auth" in r.stderr  # the Secrets to mount


def test_json_report_lists_mounts_and_never_secrets(tmp_path):
    r = run_cli("render", write(tmp_path, "sm.yaml", SERVICE_MONITOR_WITH_AUTH), write(tmp_path, "s.yaml", SECRET),
                "--output", "json")
    assert r.code == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["jobs"] == ["serviceMonitor/shop/app/0"]
    assert {"namespace": "shop", "secret": "app-auth", "key": "pass",
            "path": "/etc/prometheus/secrets/app-auth/pass"} in report["secrets_to_mount"]
    assert "s3cr3t-value" not in r.stdout


def test_inline_secrets_only_into_a_file(tmp_path):
    sm, s = write(tmp_path, "sm.yaml", SERVICE_MONITOR_WITH_AUTH), write(tmp_path, "s.yaml", SECRET)
    r = run_cli("render", sm, s, "--inline-secrets")
    assert r.code == 2 and "-o FILE" in r.stderr and "s3cr3t-value" not in r.stdout
    out = tmp_path / "out.yaml"
    r = run_cli("render", sm, s, "--inline-secrets", "-o", str(out))
    assert r.code == 0, r.stderr
    assert yaml.safe_load(out.read_text())[0]["basic_auth"]["password"] == "s3cr3t-value"
    assert oct(out.stat().st_mode & 0o777) == "0o600"


def test_out_file_is_not_overwritten_without_force(tmp_path):
    pm = write(tmp_path, "pm.yaml", POD_MONITOR)
    out = tmp_path / "out.yaml"
    out.write_text("mine\n")
    r = run_cli("render", pm, "-o", str(out))
    assert r.code == 2 and "--force" in r.stderr and out.read_text() == "mine\n"
    r = run_cli("render", pm, "-o", str(out), "--force")
    assert r.code == 0 and (tmp_path / "out.yaml.bak").read_text() == "mine\n"


def test_other_kinds_are_skipped_with_a_warning(tmp_path):
    r = run_cli("render", write(tmp_path, "x.yaml", POD_MONITOR + "---\napiVersion: v1\nkind: Service\n"
                                "metadata: {name: s}\n"))
    assert r.code == 0 and "skipping Service" in r.stderr


BAD = [
    # (name, file content, fragments expected in stderr, line)
    ("malformed-yaml", "apiVersion: v1\nkind: [PodMonitor\n", ["malformed YAML"], None),
    ("not-an-object", "- just\n- a list\n", ["not a Kubernetes object"], 1),
    ("no-kind", "apiVersion: v1\nmetadata: {}\n", ["no kind"], 1),
    ("unknown-field", POD_MONITOR.replace("  namespaceSelector:", "  colour: blue\n  namespaceSelector:"),
     ["colour"], 9),
    ("re2-invalid-regex", POD_MONITOR + "    relabelings:\n    - action: keep\n      sourceLabels: [a]\n"
     "      regex: (?=lookahead)\n", ["regex"], 22),
    ("bad-selector-operator", POD_MONITOR.replace("operator: Exists", "operator: Has"), ["Has"], 14),
    ("bad-duration", POD_MONITOR.replace("interval: 15s", "interval: 15 seconds"), ["interval"], 18),
]


@pytest.mark.parametrize("name,text,fragments,line", BAD, ids=[b[0] for b in BAD])
def test_bad_input_gives_a_located_error_and_exit_2(tmp_path, name, text, fragments, line):
    path = write(tmp_path, f"{name}.yaml", text)
    r = run_cli("render", path)
    assert r.code == 2, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    assert r.stdout == ""
    assert f"{name}.yaml" in r.stderr
    for fragment in fragments:
        assert fragment in r.stderr
    if line is not None:
        assert f"{name}.yaml:{line}:" in r.stderr


def test_missing_secret_when_inlining(tmp_path):
    sm = write(tmp_path, "sm.yaml", SERVICE_MONITOR_WITH_AUTH)
    r = run_cli("render", sm, "--operator-compatible")
    assert r.code == 2 and "app-auth" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("render", sm, write(tmp_path, "s.yaml", SECRET.replace("  pass: s3cr3t-value\n", "")),
                "--operator-compatible")
    assert r.code == 2 and "pass" in r.stderr


def test_bad_prometheus_version(tmp_path):
    r = run_cli("render", write(tmp_path, "pm.yaml", POD_MONITOR), "--prometheus-version", "latest")
    assert r.code == 2 and "invalid Prometheus version" in r.stderr


def test_no_monitor_given(tmp_path):
    r = run_cli("render", write(tmp_path, "s.yaml", SECRET))
    assert r.code == 2 and "no PodMonitor, ServiceMonitor or ScrapeConfig" in r.stderr


def test_version_gated_field_is_dropped_with_a_warning(tmp_path):
    text = POD_MONITOR.replace("    interval: 15s\n", "    interval: 15s\n    enableHttp2: true\n") \
        .replace("  podMetricsEndpoints:", "  scrapeProtocols: [PrometheusProto]\n  podMetricsEndpoints:")
    pm = write(tmp_path, "pm.yaml", text)
    r = run_cli("render", pm, "--prometheus-version", "2.42.0")
    assert r.code == 0, r.stderr
    assert "scrape_protocols" not in r.stdout and "enable_http2: true" in r.stdout
    assert "2.49.0" in r.stderr and "scrape" in r.stderr.lower()
    r = run_cli("render", pm, "--prometheus-version", "v2.49.0")
    assert "scrape_protocols" in r.stdout and "2.49.0" not in r.stderr


def test_warns_when_the_prometheus_cr_would_not_select_the_monitor(tmp_path):
    cr = write(tmp_path, "prom.yaml", textwrap.dedent("""\
        apiVersion: monitoring.coreos.com/v1
        kind: Prometheus
        metadata: {name: k8s, namespace: monitoring}
        spec:
          version: v2.54.1
          podMonitorSelector:
            matchLabels: {release: other}
          podMonitorNamespaceSelector: {}
        """))
    r = run_cli("render", write(tmp_path, "pm.yaml", POD_MONITOR), "--prometheus", cr)
    assert r.code == 0
    assert "not selected" in r.stderr and "PodMonitor monitoring/envoy" in r.stderr
    r = run_cli("render", write(tmp_path, "pm.yaml", POD_MONITOR), "--prometheus",
                write(tmp_path, "prom2.yaml", open(cr).read().replace("release: other",
                                                                      "release: kube-prometheus-stack")))
    assert "not selected" not in r.stderr


def test_operator_mode_inlines_credentials_on_stdout_as_the_operator_does(tmp_path):
    r = run_cli("render", write(tmp_path, "sm.yaml", SERVICE_MONITOR_WITH_AUTH), write(tmp_path, "s.yaml", SECRET),
                "--operator-compatible")
    assert r.code == 0, r.stderr
    assert yaml.safe_load(r.stdout)[0]["basic_auth"] == {"username": "scraper", "password": "s3cr3t-value"}


def test_tls_material_becomes_mounted_files_in_portable_mode(tmp_path):
    sm = write(tmp_path, "sm.yaml", textwrap.dedent("""\
        apiVersion: monitoring.coreos.com/v1
        kind: ServiceMonitor
        metadata: {name: tls, namespace: shop}
        spec:
          selector: {matchLabels: {app: x}}
          endpoints:
          - port: https
            scheme: https
            tlsConfig:
              ca: {configMap: {name: ca-bundle, key: ca.crt}}
              cert: {secret: {name: client, key: tls.crt}}
              keySecret: {name: client, key: tls.key}
        """))
    r = run_cli("render", sm, "--output", "json")
    assert r.code == 0, r.stderr
    report = json.loads(r.stdout)
    tls = yaml.safe_load(report["document"])[0]["tls_config"]
    assert tls == {"ca_file": "/etc/prometheus/configmaps/ca-bundle/ca.crt",
                   "cert_file": "/etc/prometheus/secrets/client/tls.crt",
                   "key_file": "/etc/prometheus/secrets/client/tls.key"}
    assert [m["key"] for m in report["secrets_to_mount"]] == ["tls.crt", "tls.key"]
    assert report["configmaps_to_mount"] == [{"namespace": "shop", "configmap": "ca-bundle", "key": "ca.crt",
                                              "path": "/etc/prometheus/configmaps/ca-bundle/ca.crt"}]
