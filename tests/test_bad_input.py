"""No input makes migrator crash (issue 8 §2): every unusable input is `file:line: field: message`
and exit status 2; anything else unexpected is a bug, `internal error: ...` and exit status 3.

Table-driven: each case writes its files into tmp_path, runs one command in-process, and checks the
exit status, the places the message must name, and that no traceback is shown.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cli_util import run_cli

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples"
RAW = str(SAMPLES / "raw" / "istio-prometheus.yml")
MONITORS = str(SAMPLES / "istio" / "monitors.yaml")
INVENTORY = str(SAMPLES / "inventory" / "cluster.yaml")

JOBS_K8S = """\
scrape_configs:
- job_name: pods
  kubernetes_sd_configs:
  - role: pod
- job_name: services
  kubernetes_sd_configs:
  - role: service
"""


def _pod_list(port: str) -> str:
    return ('{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "Pod", '
            '"metadata": {"name": "p1", "namespace": "default"}, "spec": {"containers": [{"name": "c", '
            '"ports": [{"name": "http", "containerPort": %s}]}]}, '
            '"status": {"podIP": "10.0.0.1", "phase": "Running"}}]}' % port)


def _alias_bomb(levels: int = 7) -> str:
    """An inventory whose aliases expand 9**levels times (loads fast when aliases are shared)."""
    lines = ['apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: bomb, namespace: default}',
             'x0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels + 1):
        lines.append(f"x{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


@dataclass
class Case:
    id: str
    files: dict[str, str]
    args: list[str]  # "{tmp}" is the case's directory
    wants: list[str]  # substrings of stderr: the file:line, the field
    code: int = 2
    extra: dict[str, str] = field(default_factory=dict)


CASES = [
    # -- YAML tags with impossible values ------------------------------------------------------
    Case("tag-int", {"c.yml": "scrape_configs:\n- job_name: a\n  sample_limit: !!int abc\n"
                              "  static_configs: [{targets: ['x:1']}]\n"},
         ["targets", "{tmp}/c.yml"], ["c.yml:3: scrape_configs[0].sample_limit: ", "!!int"]),
    Case("tag-bool", {"c.yml": "scrape_configs:\n- job_name: a\n  honor_labels: !!bool maybe\n"
                               "  static_configs: [{targets: ['x:1']}]\n"},
         ["targets", "{tmp}/c.yml"], ["c.yml:3: scrape_configs[0].honor_labels: ", "!!bool"]),
    Case("tag-float", {"c.yml": "scrape_configs:\n- job_name: a\n  native_histogram_min_bucket_factor: !!float x\n"
                                "  static_configs: [{targets: ['x:1']}]\n"},
         ["migrate", "{tmp}/c.yml"], ["c.yml:3: scrape_configs[0].native_histogram_min_bucket_factor: ", "!!float"]),
    Case("tag-int-monitor", {"m.yml": "apiVersion: monitoring.coreos.com/v1\nkind: PodMonitor\n"
                                      "metadata: {name: m, namespace: d}\nspec:\n  sampleLimit: !!int x\n"
                                      "  podMetricsEndpoints: [{port: http}]\n"},
         ["render", "{tmp}/m.yml"], ["m.yml:5: spec.sampleLimit: "]),
    Case("tag-int-empty", {"p.yml": "apiVersion: monitoring.coreos.com/v1\nkind: Prometheus\nmetadata: {name: p}\n"
                                    "spec:\n  scrapeInterval: !!int"},
         ["render", MONITORS, "--prometheus", "{tmp}/p.yml"], ["p.yml:5: spec.scrapeInterval: ", "!!int"]),
    Case("tag-bool-inventory", {"inv.yml": "apiVersion: v1\nkind: Pod\nmetadata: {name: !!bool maybe}\n"},
         ["targets", RAW, "-i", "{tmp}/inv.yml"], ["inv.yml:3: metadata.name: ", "!!bool"]),
    # -- wrong types anywhere ------------------------------------------------------------------
    Case("relabel-configs-number", {"c.yml": "scrape_configs:\n- job_name: a\n  relabel_configs: 5\n"
                                             "  kubernetes_sd_configs:\n  - role: pod\n"},
         ["targets", "{tmp}/c.yml", "-i", INVENTORY], ["c.yml:3: scrape_configs[0].relabel_configs: "]),
    Case("relabel-configs-number-migrate", {"c.yml": "scrape_configs:\n- job_name: a\n  relabel_configs: 5\n"
                                                     "  static_configs: [{targets: ['x:1']}]\n"},
         ["migrate", "{tmp}/c.yml"], ["c.yml:3: scrape_configs[0].relabel_configs: "]),
    Case("kubernetes-sd-configs-number", {"c.yml": "scrape_configs:\n- job_name: a\n  kubernetes_sd_configs: 5\n"},
         ["targets", "{tmp}/c.yml", "-i", INVENTORY], ["c.yml:3: scrape_configs[0].kubernetes_sd_configs: "]),
    Case("role-mapping", {"c.yml": "scrape_configs:\n- job_name: a\n  kubernetes_sd_configs:\n"
                                   "  - role: {pod: 1}\n"},
         ["targets", "{tmp}/c.yml", "-i", INVENTORY], ["c.yml:4: scrape_configs[0].kubernetes_sd_configs[0].role: "]),
    Case("role-mapping-diff", {"c.yml": "scrape_configs:\n- job_name: a\n  kubernetes_sd_configs:\n"
                                        "  - role: {pod: 1}\n"},
         ["diff", "{tmp}/c.yml", RAW], ["c.yml:4: scrape_configs[0].kubernetes_sd_configs[0].role: "]),
    Case("global-interval-list", {"c.yml": "global:\n  scrape_interval: [1]\n  external_labels: {a: [x]}\n"
                                           "scrape_configs:\n- job_name: a\n  static_configs: [{targets: ['x:1']}]\n"},
         ["migrate", "{tmp}/c.yml"], ["c.yml:2: global.scrape_interval: ", "c.yml:3: global.external_labels.a: "]),
    Case("helm-additional-number", {"v.yml": "prometheus:\n  prometheusSpec:\n    additionalScrapeConfigs: 5\n"},
         ["targets", "{tmp}/v.yml"], ["v.yml:3: prometheus.prometheusSpec.additionalScrapeConfigs: "]),
    Case("server-files-no-scrape-configs", {"v.yml": "serverFiles:\n  prometheus.yml:\n    global: {}\n"},
         ["migrate", "{tmp}/v.yml"], ["v.yml:2: serverFiles.prometheus.yml: ", "scrape_configs"]),
    Case("server-files-global-list", {"v.yml": "serverFiles:\n  prometheus.yml:\n    global: [1]\n"
                                               "    scrape_configs:\n    - job_name: a\n"
                                               "      static_configs: [{targets: ['x:1']}]\n"},
         ["targets", "{tmp}/v.yml"], ["v.yml:3: serverFiles.prometheus.yml.global: "]),
    Case("secret-data-string", {"s.yml": "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: monitoring}\n"
                                         "data: c2VjcmV0\n"},
         ["render", MONITORS, "{tmp}/s.yml"], ["s.yml:4: data: "]),
    Case("secret-value-list", {"s.yml": "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: monitoring}\n"
                                        "stringData:\n  password: [S3CRET]\n"},
         ["targets", MONITORS, "{tmp}/s.yml", "-i", INVENTORY], ["s.yml:5: stringData.password: "]),
    Case("configmap-global-number", {"cm.yml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: p}\ndata:\n"
                                               "  prometheus.yml: |\n    global: 5\n    scrape_configs:\n"
                                               "    - job_name: a\n      static_configs: [{targets: ['a:1']}]\n"},
         ["targets", "{tmp}/cm.yml"], ["cm.yml:6: global: "]),
    Case("secret-without-scrape-config", {"s.yml": "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n"
                                                   "stringData:\n  password: S3CRET\n"},
         ["targets", "{tmp}/s.yml"], ["s.yml:", "Secret 's' has no key holding scrape configs"]),
    Case("cr-spec-number", {"p.yml": "apiVersion: monitoring.coreos.com/v1\nkind: Prometheus\n"
                                     "metadata: {name: p, namespace: monitoring}\nspec: 5\n"},
         ["render", MONITORS, "--prometheus", "{tmp}/p.yml"], ["p.yml:4: spec: "]),
    Case("cr-metadata-number", {"p.yml": "apiVersion: monitoring.coreos.com/v1\nkind: Prometheus\n"
                                         "metadata: 5\nspec: {}\n"},
         ["render", MONITORS, "--prometheus", "{tmp}/p.yml"], ["p.yml:3: metadata: "]),
    Case("cr-selector-number", {"p.yml": "apiVersion: monitoring.coreos.com/v1\nkind: Prometheus\n"
                                         "metadata: {name: p, namespace: monitoring}\n"
                                         "spec:\n  podMonitorSelector: 5\n"},
         ["targets", MONITORS, "--prometheus", "{tmp}/p.yml", "-i", INVENTORY],
         ["p.yml:5: spec.podMonitorSelector: "]),
    Case("cr-match-labels-list", {"p.yml": "apiVersion: monitoring.coreos.com/v1\nkind: Prometheus\n"
                                           "metadata: {name: p, namespace: monitoring}\n"
                                           "spec:\n  serviceMonitorSelector:\n    matchLabels: [a]\n"},
         ["render", MONITORS, "--prometheus", "{tmp}/p.yml"], ["p.yml:6: spec.serviceMonitorSelector.matchLabels: "]),
    Case("cr-spec-number-migrate", {"p.yml": "apiVersion: monitoring.coreos.com/v1\nkind: Prometheus\n"
                                             "metadata: {name: p, namespace: monitoring}\nspec: [1]\n"},
         ["migrate", RAW, "--prometheus", "{tmp}/p.yml"], ["p.yml:4: spec: "]),
    Case("kubeconfig-several-documents", {"kc.yml": "apiVersion: v1\nkind: Config\n---\napiVersion: v1\n"
                                                    "kind: Config\n"},
         ["targets", RAW, "--cluster", "--kubeconfig", "{tmp}/kc.yml"], ["kc.yml:4: ", "one YAML document"]),
    Case("kubeconfig-clusters-number", {"kc.yml": "apiVersion: v1\nkind: Config\nclusters: 5\n"},
         ["targets", RAW, "--cluster", "--kubeconfig", "{tmp}/kc.yml"], ["kc.yml:3: clusters: "]),
    # a file_sd file is read as Prometheus reads it: a bad one fails its job (exit 1), with file and line
    Case("file-sd-number", {"c.yml": "scrape_configs:\n- job_name: a\n  file_sd_configs:\n  - files: [t.json]\n",
                            "t.json": "5\n"},
         ["targets", "{tmp}/c.yml"], ["t.json:1: ", "list of target groups"], code=1),
    Case("file-sd-labels-list", {"c.yml": "scrape_configs:\n- job_name: a\n  file_sd_configs:\n  - files: [t.yml]\n",
                                 "t.yml": "- targets: ['a:1']\n- targets: ['b:1']\n  labels: [x]\n"},
         ["targets", "{tmp}/c.yml"], ["t.yml:3: [1].labels: "], code=1),
    # -- nesting and alias bombs ----------------------------------------------------------------
    Case("inventory-json-100000-deep", {"deep.json": "[" * 100_000 + "]" * 100_000},
         ["targets", RAW, "-i", "{tmp}/deep.json"], ["deep.json:1: ", "nesting"]),
    Case("mapping-json-100000-deep", {"deep.json": "[" * 100_000 + "]" * 100_000},
         ["diff", RAW, MONITORS, "--mapping", "{tmp}/deep.json"], ["deep.json: --mapping: ", "nesting"]),
    Case("inventory-alias-bomb", {"bomb.yml": _alias_bomb()},
         ["targets", RAW, "-i", "{tmp}/bomb.yml"], ["bomb.yml:", "alias"]),
    Case("inventory-recursive-alias", {"rec.yml": "apiVersion: v1\nkind: List\nitems: &x [*x]\n"},
         ["targets", RAW, "-i", "{tmp}/rec.yml"], ["rec.yml:3: ", "recursive"]),
    # -- numbers that overflow, ports that are no port ------------------------------------------
    Case("inventory-port-1e400", {"inv.json": _pod_list("1e400")},
         ["targets", "{tmp}/c.yml", "-i", "{tmp}/inv.json"],
         ["inv.json: Pod default/p1: spec.containers[0].ports[0].containerPort: "], extra={"c.yml": JOBS_K8S}),
    Case("inventory-port-inf", {"inv.yml": "apiVersion: v1\nkind: Pod\nmetadata: {name: p1, namespace: default}\n"
                                           "spec:\n  containers:\n  - name: c\n    ports:\n"
                                           "    - containerPort: .inf\nstatus: {podIP: 10.0.0.1}\n"},
         ["targets", "{tmp}/c.yml", "-i", "{tmp}/inv.yml"],
         ["inv.yml: Pod default/p1: spec.containers[0].ports[0].containerPort: "], extra={"c.yml": JOBS_K8S}),
    Case("inventory-port-abc", {"inv.json": _pod_list('"abc"')},
         ["targets", "{tmp}/c.yml", "-i", "{tmp}/inv.json"],
         ["inv.json: Pod default/p1: spec.containers[0].ports[0].containerPort: ", "'abc'"],
         extra={"c.yml": JOBS_K8S}),
    Case("inventory-service-port-abc", {"inv.yml": "apiVersion: v1\nkind: Service\n"
                                                   "metadata: {name: s1, namespace: default}\n"
                                                   "spec:\n  ports:\n  - {name: http, port: abc}\n"},
         ["migrate", "{tmp}/c.yml", "-i", "{tmp}/inv.yml"],
         ["inv.yml: Service default/s1: spec.ports[0].port: "], extra={"c.yml": JOBS_K8S}),
    Case("inventory-integer-5000-digits", {"inv.json": _pod_list("9" * 5000)},
         ["targets", "{tmp}/c.yml", "-i", "{tmp}/inv.json"], ["inv.json:1: "], extra={"c.yml": JOBS_K8S}),
    # -- outputs the system refuses --------------------------------------------------------------
    Case("out-under-a-file", {"afile": "x"},
         ["render", MONITORS, "-o", "{tmp}/afile/x"], ["afile"]),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_unusable_input_is_reported_not_crashed(tmp_path, case):
    for name, text in {**case.files, **case.extra}.items():
        (tmp_path / name).write_text(text)
    args = [a.replace("{tmp}", str(tmp_path)) for a in case.args]
    r = run_cli(*args)
    assert r.code == case.code, (r.code, r.stderr[-2000:])
    assert "Traceback" not in r.stderr + r.stdout
    assert "internal error" not in r.stderr
    for want in case.wants:
        assert want in r.stderr, (want, r.stderr[-2000:])
    assert "S3CRET" not in r.stderr + r.stdout


def test_fifo_as_output_is_refused(tmp_path):
    """In a child process with a timeout: opening a FIFO for writing would block forever."""
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for extra in ([], ["--force"]):
        r = subprocess.run([sys.executable, "-m", "migrator", "render", MONITORS, "-o", str(fifo), *extra],
                           capture_output=True, text=True, timeout=120, cwd=REPO)
        assert r.returncode == 2, (extra, r.stderr)
        assert "Traceback" not in r.stderr and "fifo" in r.stderr
        assert fifo.is_fifo()


def test_alias_guard_keeps_plain_inventories_whole(tmp_path):
    """The guard refuses bombs only: an inventory with ordinary anchors and aliases still loads."""
    inv = tmp_path / "inv.yml"
    inv.write_text("apiVersion: v1\nkind: List\nitems:\n"
                   "- apiVersion: v1\n  kind: Pod\n  metadata: {name: a, namespace: d, labels: &l {app: x}}\n"
                   "  spec: {containers: [{name: c, ports: [{containerPort: 8080}]}]}\n"
                   "  status: {podIP: 10.0.0.1, phase: Running}\n"
                   "- apiVersion: v1\n  kind: Pod\n  metadata: {name: b, namespace: d, labels: *l}\n"
                   "  spec: {containers: [{name: c, ports: [{containerPort: 8080}]}]}\n"
                   "  status: {podIP: 10.0.0.2, phase: Running}\n")
    cfg = tmp_path / "c.yml"
    cfg.write_text(JOBS_K8S)
    r = run_cli("targets", str(cfg), "-i", str(inv), "--output", "json")
    assert r.code == 0, r.stderr
    pods = next(j for j in json.loads(r.stdout)["jobs"] if j["job"] == "pods")
    assert sorted(t["labels"]["__address__"] for t in pods["targets"]) == ["10.0.0.1:8080", "10.0.0.2:8080"]


# -- a bug is not bad input ------------------------------------------------------------------------

def _inject_bug(monkeypatch):
    import migrator.commands

    def boom(**_kwargs):
        raise ValueError("injected bug")

    monkeypatch.setattr(migrator.commands, "validate", boom)


def test_a_bug_is_an_internal_error_exit_3_without_traceback(monkeypatch):
    _inject_bug(monkeypatch)
    r = run_cli("validate", MONITORS)
    assert r.code == 3
    assert r.stderr.strip() == "internal error: ValueError: injected bug"
    assert "Traceback" not in r.stderr + r.stdout


def test_a_bugs_message_shows_no_url_userinfo(monkeypatch):
    """A bug's message may quote input: the one line it prints hides URL credentials."""
    import migrator.commands

    def boom(**_kwargs):
        raise ValueError("cannot use http://user:S3CRETPW@proxy:3128 here")

    monkeypatch.setattr(migrator.commands, "validate", boom)
    r = run_cli("validate", MONITORS)
    assert r.code == 3 and r.stderr.startswith("internal error: ValueError: cannot use http://")
    assert "S3CRETPW" not in r.stderr


def test_debug_shows_the_traceback_of_a_bug(monkeypatch):
    _inject_bug(monkeypatch)
    r = run_cli("--debug", "validate", MONITORS)
    assert r.code == 3
    assert "Traceback (most recent call last)" in r.stderr
    assert r.stderr.strip().endswith("internal error: ValueError: injected bug")


def test_debug_changes_nothing_for_bad_input(tmp_path):
    cfg = tmp_path / "c.yml"
    cfg.write_text("scrape_configs:\n- job_name: a\n  sample_limit: !!int abc\n")
    r = run_cli("--debug", "targets", str(cfg))
    assert r.code == 2 and "Traceback" not in r.stderr and "c.yml:3: scrape_configs[0].sample_limit" in r.stderr


# -- jobs pass between commands as typed records ---------------------------------------------------

def test_jobs_pass_between_commands_as_records():
    from migrator.commands import LoadedJob, ScrapeInputs, load_scrape_inputs
    from migrator.scrapeconfig import JobList, Located, locate_jobs
    from migrator.sources import load_documents

    loaded = load_scrape_inputs([RAW, MONITORS], prometheus=None, prometheus_version=None)
    assert isinstance(loaded, ScrapeInputs)
    assert all(isinstance(j, LoadedJob) for j in loaded.jobs)
    raw = next(j for j in loaded.jobs if j.name == "istiod")
    assert raw.origin.startswith(RAW + ":") and raw.base_dir == os.path.dirname(RAW) and raw.errors == []
    mon = next(j for j in loaded.jobs if j.name.startswith("podMonitor/"))
    assert "PodMonitor monitoring/" in mon.origin and mon.problems == []
    assert loaded.global_config["scrape_interval"] == "30s" and len(loaded.monitors) == 3

    located = locate_jobs(load_documents([RAW])[0])
    assert isinstance(located, Located) and located.shape == "prometheus.yml"
    assert [type(x) for x in located.lists] == [JobList] and located.lists[0].path == ("scrape_configs",)
    assert [j["job_name"] for j in located.lists[0].items()][:2] == ["istiod", "envoy-stats"]


def test_explain_with_json_output_is_refused_not_ignored(tmp_path):
    """fuzz F8: --explain --output json printed text (not JSON) and exited 0."""

    r = run_cli("targets", str(REPO / "samples/raw/istio-prometheus.yml"), "-i",
                str(REPO / "samples/inventory/cluster.yaml"), "--explain", "x", "--output", "json")
    assert r.code == 2
    assert "--explain" in r.stderr and "Traceback" not in r.stderr


def test_monitor_without_spec_is_input_error_in_targets_and_diff(tmp_path):
    """fuzz F9: a monitor without spec made the placeholder scan raise KeyError (exit 3)."""

    m = tmp_path / "m.yaml"
    m.write_text("apiVersion: monitoring.coreos.com/v1\nkind: PodMonitor\n")
    old = tmp_path / "old.yaml"
    old.write_text("- job_name: istiod\n")
    for args in (("targets", str(m), "-i", str(REPO / "samples/inventory/cluster.yaml")),
                 ("diff", str(old), str(m))):
        r = run_cli(*args)
        assert r.code == 2, (args, r.stderr)
        assert "internal error" not in r.stderr and "spec" in r.stderr
