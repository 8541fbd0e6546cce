"""migrator why: one scenario per cause under tests/fixtures/why/<cause>/ (monitors or a raw prometheus.yml, a
Prometheus CR, a small inventory, expect.yaml: the first finding's id, the object its fix targets and the fix
itself). Each asserts its first finding and its fix, and that applying the fix (the JSON merge patch, on the
object it names) makes `why` exit 0."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from cli_util import run_cli
from migrator.render.util import selector_matches
from migrator.why import apply_patch
from migrator.why.labels import close, requirements
from migrator.why.model import Diagnosis, Stage

ROOT = Path(__file__).parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "why"
SCENARIOS = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())
FILES = ("monitors.yaml", "prometheus.yml", "prometheus.yaml", "inventory.yaml")


def why_args(d: Path) -> list[str]:
    args = ["why"] + [str(d / f) for f in ("monitors.yaml", "prometheus.yml") if (d / f).exists()]
    args += ["--inventory", str(d / "inventory.yaml")]
    if (d / "prometheus.yaml").exists():
        args += ["--prometheus", str(d / "prometheus.yaml")]
    return args


def run_json(d: Path):
    r = run_cli(*why_args(d), "--output", "json")
    assert r.code in (0, 1), r.stderr
    return r.code, json.loads(r.stdout)


def _matches(obj: dict, target: dict) -> bool:
    md = obj.get("metadata") or {}
    if target["kind"] == "job":
        return obj.get("job_name") == target["name"]
    return (obj.get("kind") == target["kind"] and md.get("name") == target["name"]
            and (target.get("namespace") is None or (md.get("namespace") or "default") == target["namespace"]))


def apply_fix(d: Path, fix: dict) -> None:
    """Patch the one object the fix names, in whichever scenario file holds it."""
    hits = 0
    for name in FILES:
        path = d / name
        if not path.exists():
            continue
        docs = list(yaml.safe_load_all(path.read_text()))
        for j, doc in enumerate(docs):
            key = "items" if doc.get("kind") == "List" else "scrape_configs" if "scrape_configs" in doc else None
            for i, obj in enumerate(doc[key] if key else [doc]):
                if _matches(obj, fix["target"]):
                    if key:
                        doc[key][i] = apply_patch(obj, fix["patch"])
                    else:
                        docs[j] = apply_patch(obj, fix["patch"])
                    hits += 1
        path.write_text(yaml.safe_dump_all(docs, sort_keys=False))
    assert hits == 1, f"the fix's target {fix['target']} is not exactly one object of the scenario"


def refresh_endpoints(d: Path) -> None:
    """What the endpoints controller does once a Service changes: its Endpoints from the pods it selects."""
    path = d / "inventory.yaml"
    inv = yaml.safe_load(path.read_text())
    pods = [o for o in inv["items"] if o["kind"] == "Pod"]
    items = [o for o in inv["items"] if o["kind"] != "Endpoints"]
    for svc in [o for o in items if o["kind"] == "Service"]:
        ns, sel = svc["metadata"]["namespace"], svc["spec"].get("selector") or {}
        chosen = [p for p in pods if p["metadata"]["namespace"] == ns
                  and selector_matches({"matchLabels": sel}, p["metadata"].get("labels") or {})]
        eps = {"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": svc["metadata"]["name"], "namespace": ns}}
        if chosen:
            ports = []
            for sp in svc["spec"]["ports"]:
                tp = sp.get("targetPort", sp["port"])
                if isinstance(tp, str):
                    tp = next(cp["containerPort"] for c in chosen[0]["spec"]["containers"] for cp in c.get("ports", [])
                              if cp.get("name") == tp)
                ports.append({k: v for k, v in (("name", sp.get("name")), ("port", tp), ("protocol", "TCP")) if v})
            eps["subsets"] = [{"addresses": [{"ip": p["status"]["podIP"], "targetRef": {
                "kind": "Pod", "name": p["metadata"]["name"], "namespace": ns}} for p in chosen], "ports": ports}]
        items.append(eps)
    inv["items"] = items
    path.write_text(yaml.safe_dump(inv, sort_keys=False))


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_scenario_first_finding_and_its_fix(scenario, tmp_path):
    d = tmp_path / scenario
    shutil.copytree(FIXTURES / scenario, d)
    expect = yaml.safe_load((d / "expect.yaml").read_text())
    code, report = run_json(d)
    assert code == 1
    (subject,) = report["subjects"]
    assert subject["verdict"] == "not-scraped" and subject["scraped"] == 0
    first = subject["findings"][0]
    assert first["id"] == expect["first"], first
    assert first["severity"] == "error"
    assert first["fix"]["patch"], first
    assert first["fix"]["yaml"].strip()
    assert first["fix"]["target"] == expect["target"]
    assert first["fix"]["patch"] == expect["fix"]
    apply_fix(d, first["fix"])
    if expect.get("refresh_endpoints"):
        refresh_endpoints(d)
    code, report = run_json(d)
    assert code == 0, [f["message"] for s in report["subjects"] for f in s["findings"]]
    assert report["subjects"][0]["scraped"] >= 1


def test_every_cause_has_a_scenario():
    ids = {yaml.safe_load((FIXTURES / s / "expect.yaml").read_text())["first"] for s in SCENARIOS}
    assert {"pickup.release-label", "pickup.namespace", "pickup.no-selector", "namespace.out-of-range",
            "selector.near-miss", "port.number-not-name", "port.target-port-name", "port.unnamed",
            "port.undeclared", "port.name-mismatch", "endpoints.service-selects-no-pod", "endpoints.role",
            "phase.not-running", "relabel.drops-all"} <= ids


# -- expected fixes, spelled out for the commonest causes ------------------------------------------------------

def test_release_label_fix_is_the_release_label():
    _, report = run_json(FIXTURES / "pickup-release-label")
    f = report["subjects"][0]["findings"][0]
    assert f["fix"]["target"] == {"kind": "ServiceMonitor", "namespace": "monitoring", "name": "cart"}
    assert f["fix"]["patch"] == {"metadata": {"labels": {"release": "kube-prometheus-stack"}}}
    assert "release=prometheus" in f["message"]
    assert report["subjects"][0]["first_empty_stage"] == "selected"


def test_istio_undeclared_port_names_the_declared_ones():
    _, report = run_json(FIXTURES / "port-undeclared")
    f = report["subjects"][0]["findings"][0]
    assert "istio #27328" in f["message"] and "http-envoy-prom (15090, container istio-proxy)" in f["message"]
    ep = f["fix"]["patch"]["spec"]["podMetricsEndpoints"][0]
    assert ep == {"path": "/stats/prometheus", "port": "http-envoy-prom"}


def test_funnel_counts_and_first_empty_stage():
    _, report = run_json(FIXTURES / "port-number-not-name")
    s = report["subjects"][0]
    assert [(x["stage"], x["count"]) for x in s["funnel"]] == [
        ("exists", 1), ("selected", 1), ("namespaces", 1), ("objects", 1), ("selector", 1), ("endpoints", 1),
        ("port", 0), ("phase", 0), ("relabelings", 0), ("scraped", 0)]
    assert s["first_empty_stage"] == "port"


def test_raw_job_funnel_is_role_namespaces_rules():
    _, report = run_json(FIXTURES / "raw-keep-rule")
    s = report["subjects"][0]
    assert [x["stage"] for x in s["funnel"]] == ["exists", "role", "namespaces", "rule #0", "rule #1", "scraped"]
    assert s["findings"][0]["fix"]["target"] == {"kind": "job", "namespace": None, "name": "cart"}
    assert s["findings"][0]["fix"]["patch"]["relabel_configs"][0]["regex"] == "cart"


# -- the Istio samples ------------------------------------------------------------------------------------------

ISTIO = [str(ROOT / "samples/istio/monitors.yaml"), "--inventory", str(ROOT / "samples/inventory/cluster.yaml"),
         "--prometheus", str(ROOT / "samples/istio/prometheus.yaml")]


def test_istio_samples_scrape_with_the_duplicate_finding():
    r = run_cli("why", *ISTIO, "--output", "json")
    assert r.code == 0, r.stderr
    report = json.loads(r.stdout)
    by = {s["name"]: s for s in report["subjects"]}
    assert {n: s["scraped"] for n, s in by.items()} == {
        "istio-envoy-pod-monitor": 6, "istiod-service-monitor": 1, "istio-gateways-pod-monitor": 2}
    dup = [f for f in by["istio-envoy-pod-monitor"]["findings"] if f["id"] == "duplicate.address"]
    assert dup and dup[0]["severity"] == "warning" and "10.0.1.203:15090" in dup[0]["message"]
    sel = dup[0]["fix"]["patch"]["spec"]["selector"]
    assert {"key": "istio", "operator": "NotIn", "values": ["ingressgateway", "egressgateway"]} in sel["matchExpressions"]
    assert any(f["id"] == "duplicate.address" for f in by["istio-gateways-pod-monitor"]["findings"])


def test_istio_duplicate_fix_removes_the_duplicates(tmp_path):
    r = run_cli("why", *ISTIO, "--output", "json")
    env = next(s for s in json.loads(r.stdout)["subjects"] if s["name"] == "istio-envoy-pod-monitor")
    fix = next(f for f in env["findings"] if f["id"] == "duplicate.address")["fix"]
    shutil.copy(ROOT / "samples/istio/monitors.yaml", tmp_path / "monitors.yaml")
    apply_fix(tmp_path, fix)
    r = run_cli("why", str(tmp_path / "monitors.yaml"), *ISTIO[1:], "--output", "json")
    assert r.code == 0
    subjects = json.loads(r.stdout)["subjects"]
    assert not any(f["id"] == "duplicate.address" for s in subjects for f in s["findings"])
    assert {s["name"]: s["scraped"] for s in subjects}["istio-envoy-pod-monitor"] == 4


def test_names_select_subjects_and_text_output():
    r = run_cli("why", "istiod-service-monitor", *ISTIO)
    assert r.code == 0
    assert r.stdout.startswith("ServiceMonitor monitoring/istiod-service-monitor: scrapes 1 target(s)")
    assert "funnel: exists 1 -> selected 1 -> namespaces 1 -> objects 3 -> selector 1 -> endpoints 5 -> port 1" in r.stdout
    assert "1 checked" in r.stdout


def test_unknown_name_is_bad_input():
    r = run_cli("why", "no-such-monitor", *ISTIO)
    assert r.code == 2 and "no monitor or job named no-such-monitor" in r.stderr


def test_monitors_without_inventory_are_bad_input():
    r = run_cli("why", str(ROOT / "samples/istio/monitors.yaml"))
    assert r.code == 2 and "--inventory" in r.stderr


def test_markdown_and_out_file(tmp_path):
    d = FIXTURES / "selector-near-miss"
    out = tmp_path / "why.md"
    r = run_cli(*why_args(d), "--output", "markdown", "-o", str(out))
    assert r.code == 1 and r.stdout == ""
    text = out.read_text()
    assert "| selector **(empties)** | 0 Services |" in text and "`selector.near-miss`" in text and "```yaml" in text
    assert run_cli(*why_args(d), "-o", str(out)).code == 2  # never clobbered without --force


def test_stdin_input():
    d = FIXTURES / "namespace-out-of-range"
    r = run_cli("why", "-", "--inventory", str(d / "inventory.yaml"), "--prometheus", str(d / "prometheus.yaml"),
                stdin=(d / "monitors.yaml").read_text())
    assert r.code == 1 and "namespace.out-of-range" in r.stdout


def test_without_a_cr_the_kube_prometheus_stack_default_is_explained():
    d = FIXTURES / "pickup-release-label"
    r = run_cli("why", str(d / "monitors.yaml"), "--inventory", str(d / "inventory.yaml"), "--output", "json")
    s = json.loads(r.stdout)["subjects"][0]
    assert r.code == 0 and "default kube-prometheus-stack" in s["funnel"][1]["note"]
    assert "release=prometheus" in s["funnel"][1]["note"]


def test_several_crs_say_which_selects(tmp_path):
    d = FIXTURES / "pickup-release-label"
    other = yaml.safe_load((d / "prometheus.yaml").read_text())
    other["metadata"]["name"] = "other"
    other["spec"]["serviceMonitorSelector"] = {"matchLabels": {"release": "prometheus"}}
    (tmp_path / "other.yaml").write_text(yaml.safe_dump(other))
    r = run_cli("why", str(d / "monitors.yaml"), "--inventory", str(d / "inventory.yaml"), "--prometheus",
                str(d / "prometheus.yaml"), "--prometheus", str(tmp_path / "other.yaml"), "--output", "json")
    assert r.code == 0
    assert json.loads(r.stdout)["subjects"][0]["funnel"][1]["note"] == "selected by Prometheus monitoring/other"


# -- small units ------------------------------------------------------------------------------------------------

def test_near_miss_helpers():
    assert close("istiod", "istio-d") and close("App", "app") and not close("cart", "catalog")
    reqs = requirements({"matchLabels": {"b": "1", "a": "2"}, "matchExpressions": [{"key": "c", "operator": "NotIn",
                                                                                  "values": ["x"]}]})
    assert [r.text() for r in reqs] == ["a=2", "b=1", "c NotIn (x)"]
    assert reqs[2].matches({}) and not reqs[2].matches({"c": "x"})  # NotIn holds when the key is absent


def test_apply_patch_is_a_json_merge_patch():
    assert apply_patch({"a": {"b": 1, "c": 2}, "l": [1]}, {"a": {"b": None, "d": 3}, "l": [2]}) == \
        {"a": {"c": 2, "d": 3}, "l": [2]}


def test_first_empty_stage():
    d = Diagnosis("x", "job", None, "x", "x", "f:1", stages=[Stage("a", 1, "t"), Stage("b", 0, "t"), Stage("c", 0, "t")])
    assert d.first_empty == "b" and not d.ok


def test_broken_sample_shows_every_cause_and_its_fixes_repair_it(tmp_path):
    """samples/why: istiod has three causes (release label, namespace, port number), the sidecars one (15020);
    all are reported in one run, and applying every suggested fix makes both scrape."""
    shutil.copy(ROOT / "samples/why/broken-monitors.yaml", tmp_path / "monitors.yaml")
    args = [str(tmp_path / "monitors.yaml"), *ISTIO[1:], "--output", "json"]
    r = run_cli("why", *args)
    assert r.code == 1
    by = {s["name"]: s for s in json.loads(r.stdout)["subjects"]}
    ids = [f["id"] for f in by["istiod-service-monitor"]["findings"]]
    assert ids == ["pickup.release-label", "namespace.out-of-range", "port.number-not-name"]
    assert [f["id"] for f in by["istio-envoy-pod-monitor"]["findings"]] == ["port.undeclared"]
    for s in by.values():
        for f in s["findings"]:
            apply_fix(tmp_path, f["fix"])
    r = run_cli("why", *args)
    assert r.code == 0
    assert {s["name"]: s["scraped"] for s in json.loads(r.stdout)["subjects"]} == \
        {"istiod-service-monitor": 1, "istio-envoy-pod-monitor": 6}


def test_readme_shows_a_real_run():
    readme = (ROOT / "README.md").read_text()
    start = readme.index("$ migrator why istiod-service-monitor")
    block = readme[start:readme.index("```", start)]
    command, expected = block.split("\n", 1)
    args = command[len("$ migrator "):].split()
    import os
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        r = run_cli(*args)
    finally:
        os.chdir(cwd)
    assert r.code == 1
    assert r.stdout == expected


# -- findings that do not empty the funnel, other kinds (tests/fixtures/why-misc) ------------------------------

MISC = Path(__file__).parent / "fixtures" / "why-misc"


def misc_report(*extra: str):
    r = run_cli("why", str(MISC / "monitors.yaml"), str(MISC / "prometheus.yml"), "--inventory",
                str(MISC / "inventory.yaml"), "--output", "json", *extra)
    return r.code, json.loads(r.stdout)


def test_misc_subjects_and_verdicts():
    code, report = misc_report()
    assert code == 1
    got = [(s["subject"], s["endpoint"], s["scraped"], s["first_empty_stage"]) for s in report["subjects"]]
    assert got == [("PodMonitor shop/pend", None, 0, "targets"), ("PodMonitor shop/web-init", 0, 1, None),
                   ("PodMonitor shop/web-init", 1, 1, None), ("ServiceMonitor shop/web", None, 1, None),
                   ("ScrapeConfig shop/static", None, 1, None), ("PodMonitor shop/web-part", None, 1, None),
                   ("job node", None, 0, "rule #0")]
    assert report["summary"] == {"checked": 7, "scraping": 5, "not_scraping": 2}


def test_relabeling_that_drops_some_says_how_many():
    _, report = misc_report()
    s = report["subjects"][5]
    assert [(x["stage"], x["count"]) for x in s["funnel"]][-4:] == [
        ("port", 3), ("phase", 3), ("relabelings", 1), ("scraped", 1)]
    f = s["findings"][0]
    assert f["id"] == "relabel.drops" and f["severity"] == "info" and "drops 2 of 3 target(s)" in f["message"]


def test_pending_pod_has_no_target():
    _, report = misc_report()
    f = report["subjects"][0]["findings"][0]
    assert f["id"] == "targets.no-pod-ip" and "Pending" in f["message"] and f["fix"]["patch"] is None


def test_init_container_port_is_a_warning_but_a_native_sidecar_is_not():
    _, report = misc_report()
    ep0, ep1 = report["subjects"][1], report["subjects"][2]
    assert [f["id"] for f in ep0["findings"]] == ["port.init-container"]
    assert "init container migrate" in ep0["findings"][0]["message"]
    assert ep1["findings"] == []  # agent: restartPolicy Always, a sidecar


def test_not_ready_addresses_are_scraped_and_said_so():
    _, report = misc_report()
    web = report["subjects"][3]
    assert [f["id"] for f in web["findings"]] == ["duplicate.address", "endpoints.not-ready"]
    assert "10.0.0.5:80" in web["findings"][0]["message"]  # the same pod port as PodMonitor shop/web-part


def test_static_raw_job_rule_that_drops_all():
    _, report = misc_report()
    job = report["subjects"][6]
    assert [x["stage"] for x in job["funnel"]] == ["exists", "discovered", "rule #0", "scraped"]
    assert job["findings"][0]["fix"]["patch"] == {"relabel_configs": []}


def test_named_job_only():
    code, report = misc_report("node")
    assert code == 1 and [s["subject"] for s in report["subjects"]] == ["job node"]
    code, report = misc_report("shop/web")
    assert code == 0 and [s["subject"] for s in report["subjects"]] == ["ServiceMonitor shop/web"]


def test_live_cluster_gives_what_the_inventory_gives(tmp_path):
    from fake_kube import FakeKube

    d = FIXTURES / "endpoints-no-pod"
    objects = yaml.safe_load((d / "inventory.yaml").read_text())["items"]
    with FakeKube(objects) as kube:
        r = run_cli("why", str(d / "monitors.yaml"), "--cluster", "--kubeconfig", kube.kubeconfig(tmp_path),
                    "--prometheus", str(d / "prometheus.yaml"), "--output", "json")
    assert r.code == 1, r.stderr
    _, offline = run_json(d)
    assert json.loads(r.stdout)["subjects"][0]["findings"] == offline["subjects"][0]["findings"]


# -- odd inventories: never an internal error ------------------------------------------------------------------

_PATHS = [("spec",), ("status",), ("metadata", "labels"), ("spec", "ports"), ("spec", "selector"), ("subsets",),
          ("spec", "containers"), ("spec", "initContainers"), ("status", "phase"), ("endpoints",)]


@pytest.mark.parametrize("scenario", ["endpoints-no-pod", "port-unnamed", "port-undeclared", "phase-completed"])
def test_mutated_inventory_is_diagnosed_or_refused_never_a_crash(scenario, tmp_path):
    src = FIXTURES / scenario
    inv = yaml.safe_load((src / "inventory.yaml").read_text())
    runs = 0
    for i, obj in enumerate(inv["items"]):
        for path in _PATHS:
            parent = obj
            for key in path[:-1]:
                parent = parent.get(key) if isinstance(parent, dict) else None
            if not isinstance(parent, dict) or path[-1] not in parent:
                continue
            for value in ("x", [1], {"a": [1]}):
                mutated = yaml.safe_load(yaml.safe_dump(inv))
                target = mutated["items"][i]
                for key in path[:-1]:
                    target = target[key]
                target[path[-1]] = value
                (tmp_path / "inventory.yaml").write_text(yaml.safe_dump(mutated))
                args = why_args(src)
                args[args.index("--inventory") + 1] = str(tmp_path / "inventory.yaml")
                r = run_cli(*args)
                runs += 1
                assert r.code in (0, 1, 2), (path, value, r.stderr)
                assert "internal error" not in r.stderr and "Traceback" not in r.stderr, (path, value, r.stderr)
    assert runs > 10


def test_help_examples_name_files_that_exist():
    r = run_cli("why", "--help")
    assert r.code == 0
    from migrator.cli import WHY_EPILOG
    for word in WHY_EPILOG.split():
        if word.startswith("samples/"):
            assert (ROOT / word).exists(), word


def test_raw_job_in_a_namespace_that_does_not_exist(tmp_path):
    job = {"scrape_configs": [{"job_name": "cart", "kubernetes_sd_configs": [
        {"role": "endpoints", "namespaces": {"names": ["shopp"]}}]}]}
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(job))
    r = run_cli("why", str(tmp_path / "prometheus.yml"), "--inventory",
                str(FIXTURES / "selector-near-miss" / "inventory.yaml"), "--output", "json")
    assert r.code == 1
    s = json.loads(r.stdout)["subjects"][0]
    assert [(x["stage"], x["count"]) for x in s["funnel"]] == [("exists", 1), ("role", 1), ("namespaces", 0),
                                                              ("scraped", 0)]
    f = s["findings"][0]
    assert f["id"] == "namespace.missing" and "shopp (did you mean shop?)" in f["message"]
    assert f["fix"]["patch"]["kubernetes_sd_configs"][0]["namespaces"]["names"] == ["shop"]


def test_no_cr_and_no_release_label_warns_with_the_label_to_add(tmp_path):
    d = FIXTURES / "selector-near-miss"
    mon = yaml.safe_load((d / "monitors.yaml").read_text())
    del mon["metadata"]["labels"]
    mon["spec"]["selector"] = {"matchLabels": {"app": "cart"}}
    (tmp_path / "m.yaml").write_text(yaml.safe_dump(mon))
    r = run_cli("why", str(tmp_path / "m.yaml"), "--inventory", str(d / "inventory.yaml"), "--output", "json")
    assert r.code == 0  # assumed picked up: there is no CR to tell
    (f,) = json.loads(r.stdout)["subjects"][0]["findings"]
    assert f["id"] == "pickup.no-release-label" and f["severity"] == "warning"
    assert f["fix"]["patch"] == {"metadata": {"labels": {"release": "kube-prometheus-stack"}}}
