"""Target diff: targets matched by scrape key, only-in-OLD/NEW, label changes summarised with examples."""

from __future__ import annotations

from migrator.diff.configdiff import JobPair
from migrator.diff.targetdiff import diff_all, diff_targets, kept_addresses, only_side
from migrator.identity import scrape_url
from migrator.targets import JobResult, Target


def T(address: str, path: str = "/metrics", dropped: bool = False, **labels) -> Target:
    full = {"__address__": address, "__metrics_path__": path, "__scheme__": "http", "instance": address, **labels}
    return Target({"__address__": address}, None if dropped else full, 0 if dropped else None)


def J(name: str, *targets: Target, error: str | None = None, params: dict | None = None) -> JobResult:
    return JobResult(name, "test", list(targets), error=error, config={"params": params} if params else {})


def test_same_targets_same_labels_is_no_difference():
    a = J("a", T("10.0.0.1:80", job="x"), T("10.0.0.2:80", job="x"))
    b = J("b", T("10.0.0.2:80", job="x"), T("10.0.0.1:80", job="x"))
    d = diff_targets([a], [b])
    assert not d.changed and d.common == 2 and d.relabelled == 0
    assert d.summary() == "job: a -> b: 2 target(s) in both, same labels"


def test_label_changes_are_counted_per_label_with_examples():
    old = J("envoy-stats", *[T(f"10.0.0.{i}:15090", "/stats/prometheus", job="envoy-stats") for i in range(5)])
    new = J("pm", *[T(f"10.0.0.{i}:15090", "/stats/prometheus", job="monitoring/pm", namespace=f"ns{i % 2}",
                      pod=f"p{i}") for i in range(5)])
    d = diff_targets([old], [new], "map")
    assert d.labels_changed and not d.targets_changed
    assert [(c.label, c.change, c.targets) for c in d.labels] == [("job", "changed", 5), ("namespace", "added", 5),
                                                                  ("pod", "added", 5)]
    job = d.labels[0]
    assert job.examples == [{"target": "http://10.0.0.0:15090/stats/prometheus", "old": "envoy-stats",
                             "new": "monitoring/pm"}]                # one example per distinct change
    assert len(d.labels[2].examples) == 3                           # at most three
    assert d.summary() == "job: envoy-stats -> pm: 5 target(s) in both, labels differ on 5"


def test_targets_only_on_one_side_and_dropped_ones_ignored():
    old = J("a", T("h1:80"), T("h2:80"), T("h3:80", dropped=True))
    new = J("b", T("h2:80"), T("h2:80", "/other"), T("h4:80", __param_module="tcp"))
    d = diff_targets([old], [new])
    assert d.only_old == ["http://h1:80/metrics"]
    assert d.only_new == ["http://h2:80/other", "http://h4:80/metrics?module=tcp"]
    assert d.common == 1 and d.targets_changed and not d.labels_changed
    assert (d.old_targets, d.new_targets) == (2, 3)


def test_scrape_interval_is_a_compared_label_but_meta_labels_are_not():
    old = J("a", T("h:1", __scrape_interval__="30s", __meta_kubernetes_pod_name="x"))
    new = J("a", T("h:1", __scrape_interval__="15s", __meta_kubernetes_pod_name="y"))
    d = diff_targets([old], [new])
    assert [(c.label, c.change) for c in d.labels] == [("__scrape_interval__", "changed")]


def test_duplicate_keys_pair_in_order_and_extras_are_reported():
    old = J("a", T("h:1", team="x"), T("h:1", team="y"))
    new = J("a", T("h:1", team="x"))
    d = diff_targets([old], [new])
    assert d.common == 1 and d.only_old == ["http://h:1/metrics"]


def test_several_new_jobs_are_one_side_and_errors_are_kept():
    old = J("a", T("h:1"), T("h:2"))
    d = diff_targets([old], [J("m/0", T("h:1")), J("m/1", T("h:2")), J("m/2", error="boom")], "mapping")
    assert d.common == 2 and not d.changed
    assert d.errors == ["NEW job m/2 could not be evaluated: boom"]
    res = diff_all([old], [J("m/0", T("h:1")), J("m/1", T("h:2"))], [JobPair("a", ["m/0", "m/1"], "mapping")])
    assert len(res) == 1 and res[0].new == ["m/0", "m/1"] and not res[0].changed


def test_helpers():
    assert scrape_url({"__scheme__": "https", "__address__": "h:1", "__metrics_path__": "/m", "__param_b": "2",
                       "__param_a": "1"}) == "https://h:1/m?a=1&b=2"
    assert kept_addresses([J("a", T("h:1"), T("h:2", dropped=True)), J("b", error="x")]) == {"a": {"h:1"}}
    side = only_side(J("a", T("h:1"), T("h:1"), T("h:2")))
    assert side == {"job": "a", "targets": 3, "distinct_targets": 2,
                    "examples": ["http://h:1/metrics", "http://h:2/metrics"]}
    to_json = diff_targets([J("a", T("h:1"))], [J("b")]).to_json()
    assert list(to_json) == ["old", "new", "paired_by", "old_targets", "new_targets", "old_distinct_targets",
                             "new_distinct_targets", "common", "relabelled", "only_old", "only_new", "labels",
                             "errors", "objects", "changed"]


def test_one_sided_targets_name_their_object():
    gone = Target({"__address__": "10.0.0.9:1", "__meta_kubernetes_namespace": "shop",
                   "__meta_kubernetes_pod_name": "job-x"}, T("10.0.0.9:1").labels)
    d = diff_targets([J("a", gone, T("h:1"))], [J("b", T("h:1"))])
    assert d.objects == {"http://10.0.0.9:1/metrics": "pod shop/job-x"}
    assert d.to_json()["objects"] == {"http://10.0.0.9:1/metrics": "pod shop/job-x"}
    assert d.brief() == "on 1 target(s) in both: same labels; 1 target(s) only in OLD"


def test_target_urls_are_encoded_as_prometheus_sends_them():
    # the old scrape_url glued k=v unencoded: "...?target=http://a/b?x=1 2&module=m&x" (two extra params)
    old = J("a", T("bb:9115", "/probe", __param_target="http://a/b?x=1 2&y", __param_module="http_2xx"))
    d = diff_targets([old], [J("b")])
    assert d.only_old == ["http://bb:9115/probe?module=http_2xx&target=http%3A%2F%2Fa%2Fb%3Fx%3D1+2%26y"]
    # the job's params are part of the URL: the label replaces only their first value
    assert only_side(J("a", T("h:1", __param_m="x"), params={"m": ["p", "q"], "z": ["1"]}))["examples"] == \
        ["http://h:1/metrics?m=x&m=q&z=1"]


def test_job_params_beyond_the_first_value_make_another_target():
    a = J("a", T("h:1", __param_m="x"), params={"m": ["x", "y"]})
    b = J("b", T("h:1", __param_m="x"), params={"m": ["x", "z"]})
    d = diff_targets([a], [b])
    assert d.only_old == ["http://h:1/metrics?m=x&m=y"] and d.only_new == ["http://h:1/metrics?m=x&m=z"]


def test_identical_targets_pair_before_label_changes():
    # same scrape URL twice on each side; one target identical on both: it must not count as relabelled
    old = J("a", T("h:1", team="a"), T("h:1", team="b"))
    new = J("a", T("h:1", team="b"), T("h:1", team="c"))
    d = diff_targets([old], [new])
    assert d.common == 2 and d.relabelled == 1
    assert [(c.label, c.examples[0]["old"], c.examples[0]["new"]) for c in d.labels] == [("team", "a", "c")]


def test_credentials_in_target_urls_and_labels_are_redacted():
    secret = "S3CRETPASS"
    old = J("a", T("bb:9115", "/probe", __param_target=f"http://user:{secret}@site/", probe=f"http://u:{secret}@x"),
            T(f"user:{secret}@h:1"))
    new = J("a", T("bb:9115", "/probe", __param_target=f"http://user:{secret}@site/", probe="http://x"))
    d = diff_targets([old], [new])
    assert d.common == 1 and d.relabelled == 1 and len(d.only_old) == 1
    text = repr(d.to_json()) + d.summary() + repr(only_side(old))
    assert secret not in text and "S3CRETPASS".lower() not in text.lower()
    assert d.labels[0].examples[0]["old"] == "http://<redacted>@x"


def test_prove_and_diff_agree_on_what_the_same_target_is():
    from migrator.migrate.prove import compare

    cases = [
        ([T("h:1", team="a"), T("h:1", team="b")], [T("h:1", team="b"), T("h:1", team="c")], None, None),
        ([T("h:1", __param_m="x")], [T("h:1", __param_m="x")], {"m": ["x", "y"]}, {"m": ["x", "z"]}),
        ([T("h:1", __tmp_x="1"), T("h:2")], [T("h:1", __tmp_x="2"), T("h:2", "/other")], None, None),
        ([T("h:1", __scrape_timeout__="5s")], [T("h:1", __scrape_timeout__="9s")], None, None),
        ([T("h:1"), T("h:1")], [T("h:1")], None, None),
    ]
    for old, new, p_old, p_new in cases:
        a, b = J("a", *old, params=p_old), J("b", *new, params=p_new)
        d = diff_targets([a], [b])
        only_before, only_after, changed = compare([a], [b])
        assert (len(only_before), len(only_after), len(changed)) == \
            (len(d.only_old), len(d.only_new), d.relabelled), (old, new)


def test_scrape_url_is_gos_url_string():
    def url(address="h:1", path="/metrics", scheme="http", **params):
        return scrape_url({"__scheme__": scheme, "__address__": address, "__metrics_path__": path,
                           **{f"__param_{k}": v for k, v in params.items()}})

    assert url(path="/a b?c#d") == "http://h:1/a%20b%3Fc%23d"             # EscapedPath: '?' and '#' escaped
    assert url(path="/$&+,:;=@x") == "http://h:1/$&+,:;=@x"                # reserved chars a path keeps
    assert url(path="metrics") == "http://h:1/metrics"                     # a '/' added before a relative path
    assert url(address="[fe80::1%eth0]:9") == "http://[fe80::1%25eth0]:9/metrics"
    assert url(address="héte:1") == "http://h%C3%A9te:1/metrics"
    assert url(q="a b", k="~._-!*'()") == "http://h:1/metrics?k=~._-%21%2A%27%28%29&q=a+b"   # QueryEscape
    assert url(**{"a b": "1"}) == "http://h:1/metrics?a+b=1"
    assert url(path="") == "http://h:1"


# --- what Prometheus scrapes: one target per distinct final label set of a job (issue 10) -------------------

POD_INVENTORY = """\
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata:
    name: web-1
    namespace: shop
    labels: {app: web}
    annotations: {prometheus.io/scrape: "true", prometheus.io/port: "9100"}
  spec:
    nodeName: n1
    containers:
    - name: web
      ports:
      - {name: http, containerPort: 8080}
      - {name: admin, containerPort: 9090}
  status: {phase: Running, podIP: 10.1.0.5}
"""

# the community chart's kubernetes-pods job: every declared port rewritten to the annotation's port
OLD_PODS = """\
scrape_configs:
- job_name: pods
  kubernetes_sd_configs: [{role: pod}]
  relabel_configs:
  - {source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_scrape], action: keep, regex: "true"}
  - {source_labels: [__address__, __meta_kubernetes_pod_annotation_prometheus_io_port], action: replace,
     regex: '([^:]+)(?::\\d+)?;(\\d+)', replacement: '$1:$2', target_label: __address__}
  - {action: labelmap, regex: __meta_kubernetes_pod_label_(.+)}
  - {source_labels: [__meta_kubernetes_namespace], target_label: namespace}
  - {source_labels: [__meta_kubernetes_pod_name], target_label: pod}
"""

# the same scrape made from one discovered target: keep only the first declared port
NEW_PODS = OLD_PODS.replace('action: keep, regex: "true"}',
                            'action: keep, regex: "true"}\n  - {source_labels: [__meta_kubernetes_pod_container_port_name], '
                            'action: keep, regex: http}')


def _diff_json(tmp_path, old: str, new: str) -> tuple[int, dict]:
    import json

    from cli_util import run_cli

    (tmp_path / "inv.yaml").write_text(POD_INVENTORY, encoding="utf-8")
    (tmp_path / "old.yml").write_text(old, encoding="utf-8")
    (tmp_path / "new.yml").write_text(new, encoding="utf-8")
    r = run_cli("diff", str(tmp_path / "old.yml"), str(tmp_path / "new.yml"), "--inventory",
                str(tmp_path / "inv.yaml"), "--output", "json", "--targets-only")  # the rules differ, by design
    assert r.code in (0, 1), r.stderr
    return r.code, json.loads(r.stdout)


def test_targets_prometheus_merges_are_one_scrape_no_difference(tmp_path):
    code, rep = _diff_json(tmp_path, OLD_PODS, NEW_PODS)
    t = rep["targets"][0]
    # OLD keeps two discovered targets (two declared ports) with one final label set: Prometheus scrapes it once
    assert (t["old_targets"], t["old_distinct_targets"], t["new_targets"], t["new_distinct_targets"]) == (2, 1, 1, 1)
    assert t["only_old"] == [] and t["only_new"] == [] and t["common"] == 1 and not t["changed"]
    assert code == 0 and not rep["verdict"]["differences"], rep


def test_a_real_difference_in_distinct_scrapes_is_reported(tmp_path):
    # NEW scrapes the declared admin port too: two distinct scrapes, one of them new
    new = OLD_PODS.replace("- {source_labels: [__address__, __meta_kubernetes_pod_annotation_prometheus_io_port]",
                           "- {source_labels: [__meta_kubernetes_pod_container_port_name], regex: admin, "
                           "action: drop}\n  - {source_labels: [__address__, "
                           "__meta_kubernetes_pod_annotation_prometheus_io_port]") + \
        "- job_name: admin\n  kubernetes_sd_configs: [{role: pod}]\n" \
        "  relabel_configs:\n  - {source_labels: [__meta_kubernetes_pod_container_port_name], action: keep, " \
        "regex: admin}\n"
    code, rep = _diff_json(tmp_path, OLD_PODS, OLD_PODS.replace("target_label: pod}", "target_label: pod_name}"))
    t = rep["targets"][0]
    assert code == 1 and t["changed"] and t["common"] == 1 and t["relabelled"] == 1   # counted once, not twice
    assert [(c["label"], c["change"], c["targets"]) for c in t["labels"]] == [("pod_name", "added", 1),
                                                                             ("pod", "removed", 1)]
    code, rep = _diff_json(tmp_path, OLD_PODS, new)
    assert code == 1 and rep["only_new"][0]["job"] == "admin" and rep["only_new"][0]["targets"] == 1
    t = rep["targets"][0]
    assert (t["old_targets"], t["old_distinct_targets"], t["new_targets"], t["new_distinct_targets"]) == (2, 1, 1, 1)
    assert not t["changed"]


def test_merged_targets_counted_once_on_each_side_with_counts_shown():
    old = J("a", T("h:1", team="x"), T("h:1", team="x"), T("h:2"))
    new = J("b", T("h:1", team="x"), T("h:2"), T("h:2"), T("h:3"))
    d = diff_targets([old], [new])
    assert d.common == 2 and d.only_old == [] and d.only_new == ["http://h:3/metrics"]
    assert (d.old_targets, d.old_distinct, d.new_targets, d.new_distinct) == (3, 2, 4, 3)
    assert "(OLD 3 kept, 2 distinct scrape(s); NEW 4 kept, 3 distinct scrape(s))" in d.summary()
    assert d.to_json()["old_distinct_targets"] == 2
    # merging is per job (per scrape pool): the same label set in two NEW jobs is two scrapes
    d = diff_targets([J("a", T("h:1"), T("h:1"))], [J("m/0", T("h:1")), J("m/1", T("h:1"))], "mapping")
    assert d.common == 1 and d.only_new == ["http://h:1/metrics"]
    assert only_side(J("a", T("h:1"), T("h:1")))["distinct_targets"] == 1
