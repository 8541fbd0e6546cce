"""Loading cluster inventories: kubectl List output as YAML and JSON, multi-document YAML, stdin, errors."""

from __future__ import annotations

import io
import json

import pytest
import yaml

from migrator.errors import InputError
from migrator.inventory import Inventory, load_inventory

from fake_kube import FakeKube

POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p1", "namespace": "ns1"},
       "status": {"podIP": "10.0.0.1"}}
SVC = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s1", "namespace": "ns1"}}
NODE = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1"}}
CM = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "ns1"}}
LIST = {"apiVersion": "v1", "kind": "List", "items": [POD, SVC, NODE, CM], "metadata": {"resourceVersion": ""}}


def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return str(p)


@pytest.mark.parametrize("name,text", [
    ("list.yaml", yaml.safe_dump(LIST)),
    ("list.json", json.dumps(LIST, indent=2)),
    ("list-no-suffix", json.dumps(LIST)),
    ("multi.yaml", "---\n".join(yaml.safe_dump(o) for o in (POD, SVC, NODE, CM))),
    ("seq.yaml", yaml.safe_dump([POD, SVC, NODE, CM])),
    ("stream.json", "\n".join(json.dumps(o) for o in (POD, SVC, NODE, CM))),  # kubectl get -w -o json
])
def test_formats(tmp_path, name, text):
    inv = load_inventory([_write(tmp_path, name, text)])
    assert inv.summary() == {"Pod": 1, "Service": 1, "Node": 1}
    assert inv.get("Pod", "ns1", "p1")["status"]["podIP"] == "10.0.0.1"
    assert inv.get("Node", "", "n1") is not None
    assert inv.skipped == {"ConfigMap": 1}
    assert any("ConfigMap" in n for n in inv.notes)


def test_typed_list_items_without_kind_and_several_files(tmp_path):
    pods = {"kind": "PodList", "items": [{"metadata": {"name": "a", "namespace": "x"}},
                                         {"metadata": {"name": "b", "namespace": "y"}}]}
    f1 = _write(tmp_path, "pods.json", json.dumps(pods))
    f2 = _write(tmp_path, "more.yaml", yaml.safe_dump(LIST))
    progress = []
    inv = load_inventory([f1, f2], progress=lambda done, total: progress.append((done, total)))
    assert [(ns, n) for ns, n in inv.objects["Pod"]] == [("x", "a"), ("y", "b"), ("ns1", "p1")]
    assert inv.list("Pod", "y")[0]["metadata"]["name"] == "b"
    assert len(inv.list("Pod")) == 3
    assert progress[0][0] == 0 and progress[-1][0] == progress[-1][1] > 0


def test_progress_while_parsing_a_big_yaml_file(tmp_path):
    pods = [dict(POD, metadata={"name": f"p{i}", "namespace": "ns1", "labels": {"app": "x" * 40}}) for i in range(300)]
    path = _write(tmp_path, "big.yaml", yaml.safe_dump({"kind": "List", "items": pods}))
    calls = []
    inv = load_inventory([path], progress=lambda done, total: calls.append((done, total)))
    assert inv.count("Pod") == 300
    done = [d for d, _ in calls]
    assert len(calls) > 3 and done == sorted(done)      # reported while parsing, never backwards
    assert calls[-1][0] == calls[-1][1] == (tmp_path / "big.yaml").stat().st_size


def test_directory_and_stdin(tmp_path):
    d = tmp_path / "dir"
    d.mkdir()
    (d / "a.yaml").write_text(yaml.safe_dump(POD))
    (d / "ignored.txt").write_text("not: read")
    inv = load_inventory([str(d), "-"], stdin=io.StringIO(json.dumps(SVC)))
    assert inv.summary() == {"Pod": 1, "Service": 1}


def test_duplicates_last_wins_and_missing_namespace_is_default():
    newer = json.loads(json.dumps(POD))
    newer["status"]["podIP"] = "10.0.0.2"
    bare = {"kind": "Pod", "metadata": {"name": "nons"}}
    inv = Inventory.from_objects([POD, newer, bare, "junk", {"metadata": {}}])
    assert inv.get("Pod", "ns1", "p1")["status"]["podIP"] == "10.0.0.2"
    assert inv.get("Pod", "default", "nons") is bare
    assert inv.replaced == 1
    assert inv.skipped == {"(not an object)": 1, "(no kind)": 1}
    assert len(inv) == 2


@pytest.mark.parametrize("name,text,line,message", [
    ("bad.yaml", "kind: List\nitems:\n- kind: Pod\n  metadata: {name: x\n", 5, "malformed YAML"),
    ("bad2.yaml", "a: 1\n b: 2\n", 2, "malformed YAML"),
    ("bad.json", '{\n  "kind": "List",\n  "items": [\n    {"kind": "Pod",}\n  ]\n}\n', 4, "malformed JSON"),
    ("bad-no-suffix", '{"kind": "Pod",\n\n "metadata": {]}', 3, "malformed JSON"),  # not YAML either
])
def test_malformed_input_names_file_and_line(tmp_path, name, text, line, message):
    path = _write(tmp_path, name, text)
    with pytest.raises(InputError) as err:
        load_inventory([path])
    assert err.value.file == path
    assert err.value.line == line
    assert message in str(err.value)


def test_scalar_document_and_missing_file(tmp_path):
    with pytest.raises(InputError, match="expected Kubernetes objects"):
        load_inventory([_write(tmp_path, "s.yaml", "just a string\n")])
    with pytest.raises(InputError, match="no such file"):
        load_inventory([str(tmp_path / "absent.yaml")])


# -- a live cluster (a tiny fake API server) ----------------------------------------------------

PODS = [{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a", "namespace": "ns"}, "status": {"podIP": "10.0.0.1"}},
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "b", "namespace": "ns"}, "status": {"podIP": "10.0.0.2"}}]


def _FakeAPI(refuse: dict[str, int] | None = None) -> FakeKube:
    """Pods in two pages (limit/continue), everything else empty, some paths refused."""
    return FakeKube(PODS, refuse=refuse, page_size=1)


def test_load_cluster_paginates(tmp_path):
    from migrator.inventory import load_cluster
    api = _FakeAPI()
    try:
        steps = []
        inv = load_cluster(api.kubeconfig(tmp_path), progress=lambda d, t, *what: steps.append((d, t, *what)))
    finally:
        api.close()
    assert [n for _, n in inv.objects["Pod"]] == ["a", "b"]
    assert inv.get("Pod", "ns", "a")["kind"] == "Pod"
    assert any("continue=page2" in r for r in api.requests)
    assert all("limit=" in r for r in api.requests)
    assert steps[0] == (0, 11) and steps[-1] == (11, 11)
    # every page is reported as it arrives, with the server's estimate of what is left
    pod = [s[2] for s in steps if len(s) == 3 and s[2].startswith("Pod")]
    assert pod == ["Pod 1 of 2", "Pod 2"]
    assert len([s for s in steps if len(s) == 2]) == 12  # and every kind when it is done


@pytest.mark.parametrize("path,code,message", [
    ("/api/v1/namespaces", 401, "401 Unauthorized"),
    ("/apis/batch/v1/jobs", 403, "not allowed to list Job objects (403 Forbidden)"),
    ("/apis/discovery.k8s.io/v1/endpointslices", 404, "does not serve EndpointSlice objects"),
])
def test_load_cluster_refusals(tmp_path, path, code, message):
    from migrator.inventory import load_cluster
    api = _FakeAPI({path: code})
    try:
        with pytest.raises(InputError) as err:
            load_cluster(api.kubeconfig(tmp_path))
    finally:
        api.close()
    assert message in str(err.value)
