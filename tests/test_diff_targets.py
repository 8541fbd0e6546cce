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
    assert side == {"job": "a", "targets": 3, "examples": ["http://h:1/metrics", "http://h:2/metrics"]}
    to_json = diff_targets([J("a", T("h:1"))], [J("b")]).to_json()
    assert list(to_json) == ["old", "new", "paired_by", "old_targets", "new_targets", "common", "relabelled",
                             "only_old", "only_new", "labels", "errors", "objects", "changed"]


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
