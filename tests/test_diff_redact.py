"""diff never prints a credential held in a URL: userinfo in proxy_url, oauth2.token_url/proxy_url, kubernetes_sd
api_server/proxy_url, params, static targets and relabel replacements is redacted in text, JSON and Markdown,
a changed one still shows as a change, and a URL that does not parse but may hold userinfo is secret whole."""

from __future__ import annotations

import json

import pytest
import yaml

from cli_util import run_cli
from conftest import SAMPLES
from migrator.diff.normalize import normalize_job, normalize_plain, redact_text
from migrator.redact import REDACTED, redact_data, redact_url, redact_value

SECRET = "S3CRETPASS"
INVENTORY = str(SAMPLES / "inventory" / "cluster.yaml")


def job(password: str, name: str = "planted") -> dict:
    url = f"http://user:{password}@proxy:3128"
    return {
        "job_name": name,
        "proxy_url": url,
        "oauth2": {"client_id": "c", "client_secret": "x", "token_url": f"https://user:{password}@auth/token",
                   "proxy_url": url},
        "params": {"target": [f"http://probe:{password}@site/"]},
        "kubernetes_sd_configs": [{"role": "pod", "api_server": f"https://admin:{password}@k8s:6443",
                                   "proxy_url": url}],
        "relabel_configs": [{"target_label": "__param_target", "replacement": f"http://r:{password}@x/"}],
        "static_configs": [{"targets": [f"user:{password}@10.0.0.1:9100"]}],
    }


def write(tmp_path, name: str, *jobs: dict) -> str:
    path = tmp_path / name
    path.write_text(yaml.safe_dump({"scrape_configs": list(jobs)}), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("output", ["text", "json", "markdown"])
def test_planted_url_passwords_never_reach_the_output(tmp_path, output):
    old = write(tmp_path, "old.yml", job(SECRET), job(SECRET, "gone"))
    new = write(tmp_path, "new.yml", job(SECRET + "2"), job(SECRET, "added"))
    r = run_cli("diff", old, new, "--inventory", INVENTORY, "--output", output)
    assert r.code == 1, r.stderr
    assert SECRET not in r.stdout + r.stderr
    assert "probe%3A" not in r.stdout                  # nor its URL-encoded form in a target URL
    assert REDACTED in r.stdout
    if output == "json":
        rep = json.loads(r.stdout)
        paths = {f["path"] for j in rep["jobs"] for f in j["fields"]}
        # a changed password is still a change, on every URL that holds it
        assert {"proxy_url", "oauth2.token_url", "oauth2.proxy_url"} <= paths, paths
        assert any(p.startswith("kubernetes_sd_configs") for p in paths), paths
    if output == "text":
        assert '~ proxy_url: "http://<redacted>@proxy:3128" -> "http://<redacted>@proxy:3128"' in r.stdout


def test_same_password_is_no_difference_and_another_one_is(tmp_path):
    a = write(tmp_path, "a.yml", job(SECRET))
    b = write(tmp_path, "b.yml", job(SECRET))
    assert run_cli("diff", a, b).code == 0
    c = write(tmp_path, "c.yml", {**job(SECRET), "proxy_url": "http://user:other@proxy:3128"})
    r = run_cli("diff", a, c)
    assert r.code == 1 and "~ proxy_url" in r.stdout and SECRET not in r.stdout


def test_unparseable_url_that_may_hold_userinfo_is_secret_whole(tmp_path):
    a = write(tmp_path, "a.yml", {"job_name": "j", "proxy_url": f"http://user:{SECRET}/x@proxy:3128"})
    b = write(tmp_path, "b.yml", {"job_name": "j", "proxy_url": f"user:{SECRET}@proxy:3128"})
    r = run_cli("diff", a, b, "--output", "json")
    assert SECRET not in r.stdout and "x@proxy" not in r.stdout
    [field] = json.loads(r.stdout)["jobs"][0]["fields"]
    assert (field["path"], field["old"], field["new"]) == ("proxy_url", REDACTED, REDACTED)


def test_normalize_tokens_keep_a_change_visible():
    one, two = normalize_job(job(SECRET)), normalize_job(job(SECRET + "2"))
    assert SECRET not in repr(one) and SECRET not in repr(two)
    assert one["proxy_url"] != two["proxy_url"]                  # HMAC tokens differ
    assert redact_text(one["proxy_url"]) == "http://<redacted>@proxy:3128"
    assert one == normalize_job(job(SECRET))
    assert SECRET not in repr(normalize_plain(job(SECRET)))
    assert normalize_job({"job_name": "j", "relabel_configs": [{"regex": "http://(.*)@(.*)"}]}
                         )["relabel_configs"][0]["regex"] == "http://(.*)@(.*)"   # a regex is left alone


@pytest.mark.parametrize("value, field, text", [
    ("http://user:pw@proxy:3128", "http://<redacted>@proxy:3128", "http://<redacted>@proxy:3128"),
    ("https://token@h/x?y=a@b", "https://<redacted>@h/x?y=a@b", "https://<redacted>@h/x?y=a@b"),
    ("http://u:p@[::1]:80/", "http://<redacted>@[::1]:80/", "http://<redacted>@[::1]:80/"),
    ("http://u:pa/ss@h", REDACTED, REDACTED),                     # '/' in the password: no valid URL
    ("http://u:p@h:port/", REDACTED, REDACTED),
    ("user:pw@proxy:3128", REDACTED, "<redacted>@proxy:3128"),
    ("http://h/p@x", "http://h/p@x", "http://h/p@x"),             # '@' in the path: no userinfo
    ("http://proxy:3128", "http://proxy:3128", "http://proxy:3128"),
    ("team@example.com", REDACTED, "team@example.com"),          # not an address, not a URL: kept as text
])
def test_redact_url_and_value(value, field, text):
    assert redact_url(value) == field
    assert redact_value(value) == text


def test_redact_urls_inside_messages_and_data():
    msg = "proxy http://a:pw@p:1 refused, then https://b:pw2@q/x"
    assert redact_value(msg) == "proxy http://<redacted>@p:1 refused, then https://<redacted>@q/x"
    assert redact_data({"k": [msg, ("u:pw@h:1",)], "n": 1}) == \
        {"k": [redact_value(msg), ("<redacted>@h:1",)], "n": 1}


def test_shown_scrape_url_redacts_before_encoding():
    from migrator.redact import shown_scrape_url

    labels = {"__address__": f"u:{SECRET}@h:1", "__metrics_path__": "/probe", "__scheme__": "http",
              "__param_target": f"http://u:{SECRET}@site/"}
    url = shown_scrape_url(labels, {"module": ["m"]})
    assert SECRET not in url and SECRET not in __import__("urllib.parse").parse.unquote(url)
    assert url == "http://<redacted>%40h:1/probe?module=m&target=http%3A%2F%2F%3Credacted%3E%40site%2F"
