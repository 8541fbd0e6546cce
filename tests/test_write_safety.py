"""No file is lost or clobbered (issue 8, section 4), credentials never go to stdout (section 3).

One test per point: stdin read once, unique exclusive temp files (concurrent runs, planted symlinks,
SIGTERM), only regular files replaced, backups never overwritten, --in-place through a symlink, every
destination checked before the first byte, an interrupted -o DIR run all-or-nothing.
"""

from __future__ import annotations

import base64
import os
import signal
import stat
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
import yaml

from cli_util import SECRET, SERVICE_MONITOR_WITH_AUTH, run_cli
from migrator import writers
from migrator.errors import InputError

REPO = Path(__file__).resolve().parents[1]

SOURCE = textwrap.dedent("""\
    # the team's scrape config
    global:
      scrape_interval: 30s
    scrape_configs:
    - job_name: pods          # migrates
      kubernetes_sd_configs: [{role: pod}]
    - job_name: nodes-static  # stays raw (--keep-raw)
      static_configs: [{targets: ["a:9100"]}]
    """)

WITH_CREDENTIALS = textwrap.dedent("""\
    scrape_configs:
    - job_name: app
      basic_auth:
        username: scraper
        password: s3cr3t-value
      kubernetes_sd_configs:
      - role: pod
    """)

POD_MONITOR = textwrap.dedent("""\
    apiVersion: monitoring.coreos.com/v1
    kind: PodMonitor
    metadata:
      name: envoy
      namespace: monitoring
    spec:
      selector: {}
      podMetricsEndpoints:
      - port: http-envoy-prom
    """)

def write(path: Path, text: str) -> str:
    path.write_text(text)
    return str(path)


def temp_files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if "tmp-migrator" in p.name)


def no_traceback(r) -> None:
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr, r.stderr


# ------------------------------------------------------------------------------------ every input read once

def test_rewrite_source_from_stdin_keeps_what_was_not_migrated(tmp_path):
    """`kubectl get secret ... | migrator migrate - --rewrite-source rest.yml` once wrote an EMPTY rest.yml."""
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "additional-scrape-configs"},
              "data": {"prometheus-additional.yaml": base64.b64encode(SOURCE.encode()).decode()}}
    rest = tmp_path / "rest.yml"
    r = run_cli("migrate", "-", "--keep-raw", "--rewrite-source", str(rest), stdin=yaml.safe_dump(secret))
    assert r.code == 0, r.stderr
    kept = yaml.safe_load(rest.read_text())
    inner = yaml.safe_load(base64.b64decode(kept["data"]["prometheus-additional.yaml"]).decode())
    assert [j["job_name"] for j in inner["scrape_configs"]] == ["nodes-static"]
    assert inner["global"] == {"scrape_interval": "30s"}
    assert "1 migrated job(s) removed" in r.stderr


def test_rewrite_source_from_stdin_plain_prometheus_yml(tmp_path):
    rest = tmp_path / "rest.yml"
    r = run_cli("migrate", "-", "--keep-raw", "--rewrite-source", str(rest), stdin=SOURCE)
    assert r.code == 0, r.stderr
    text = rest.read_text()
    assert "nodes-static" in text and "scrape_interval: 30s" in text and "# the team's scrape config" in text
    assert "job_name: pods" not in text


# ------------------------------------------------------------------------------- unique, exclusive temp files

def test_two_writers_of_the_same_file_never_mix(tmp_path):
    """Two runs writing the same output: the result is one whole output, never a mix of both."""
    target = tmp_path / "out.yaml"
    a_open, b_open, a_done = threading.Event(), threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def a():
        try:
            with writers.open_output(str(target), force=True) as fh:
                fh.write(b"A" * 1000)
                fh.flush()
                a_open.set()
                b_open.wait(5)
                fh.write(b"a" * 1000)
                fh.flush()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            a_done.set()

    def b():
        try:
            a_open.wait(5)
            with writers.open_output(str(target), force=True) as fh:
                fh.write(b"B" * 1000)
                fh.flush()
                b_open.set()
                a_done.wait(5)
                fh.write(b"b" * 1000)
                fh.flush()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert not errors, errors
    assert target.read_bytes() in (b"A" * 1000 + b"a" * 1000, b"B" * 1000 + b"b" * 1000)
    assert temp_files(tmp_path) == []


def test_a_symlink_planted_at_the_temp_name_receives_no_credentials(tmp_path):
    """A link at the old fixed name `sec.yaml.tmp-migrator` made --inline-secrets write into its target."""
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched\n")
    out = tmp_path / "sec.yaml"
    os.symlink(victim, tmp_path / "sec.yaml.tmp-migrator")
    sm, s = write(tmp_path / "sm.yaml", SERVICE_MONITOR_WITH_AUTH), write(tmp_path / "s.yaml", SECRET)
    r = run_cli("render", sm, s, "--inline-secrets", "-o", str(out))
    assert r.code == 0, r.stderr
    assert victim.read_text() == "untouched\n"
    assert not out.is_symlink() and "s3cr3t-value" in out.read_text()
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    # the same for migrate's Secrets file
    src = write(tmp_path / "prometheus.yml", WITH_CREDENTIALS)
    creds = tmp_path / "creds.yaml"
    os.symlink(victim, tmp_path / "creds.yaml.tmp-migrator")
    r = run_cli("migrate", src, "--secrets-out", str(creds))
    assert r.code == 0, r.stderr
    assert victim.read_text() == "untouched\n" and not creds.is_symlink()


SLOW_WRITER = """
import sys, time
from migrator.writers import open_output
with open_output(sys.argv[1]) as fh:
    for i in range(100000):
        fh.write(b"x" * 65536)
        if i == 2:
            fh.flush()
            print("writing", flush=True)
        time.sleep(0.01)
"""


def _interrupt_a_slow_writer(directory: Path, sig: int) -> int:
    target = directory / "big.json"
    proc = subprocess.Popen([sys.executable, "-c", SLOW_WRITER, str(target)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        assert proc.stdout.readline().strip() == b"writing"
        assert temp_files(directory)  # it is writing into a temp file
        proc.send_signal(sig)
        proc.wait(20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert temp_files(directory) == [] and not target.exists(), signal.Signals(sig).name
    return proc.returncode


def test_sigterm_while_writing_leaves_no_temp_file_as_sigint_does(tmp_path):
    (tmp_path / "term").mkdir()
    (tmp_path / "int").mkdir()
    assert _interrupt_a_slow_writer(tmp_path / "term", signal.SIGTERM) == 128 + signal.SIGTERM
    assert _interrupt_a_slow_writer(tmp_path / "int", signal.SIGINT) != 0


# ----------------------------------------------------------------------------- only regular files replaced

def _char_device(tmp_path: Path) -> str:
    """A character device to aim at: a null device made in tmp_path when root (never /dev/null itself,
    which an unfixed build run as root would replace), else /dev/null (not writable in /dev)."""
    if os.geteuid() == 0:
        dev = tmp_path / "null"
        os.mknod(dev, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        return str(dev)
    return "/dev/null"


def test_a_character_device_is_never_replaced(tmp_path):
    pm = write(tmp_path / "pm.yaml", POD_MONITOR)
    dev = _char_device(tmp_path)
    for force in ([], ["--force"]):
        r = run_cli("render", pm, "-o", dev, *force)
        assert r.code == 2, r.stderr
        assert "character device" in r.stderr and "regular file" in r.stderr
        no_traceback(r)
        assert stat.S_ISCHR(os.stat(dev).st_mode)
    assert not os.path.exists(dev + ".bak")
    # /dev/null itself: checked only (an unfixed build run as root would replace it)
    with pytest.raises(InputError, match="character device"):
        writers.check_output("/dev/null", force=True)


@pytest.fixture
def fifo(tmp_path):
    """A FIFO; a helper thread unblocks anyone who opens it for reading (an unfixed build copies it to
    .bak), so that a regression fails instead of hanging."""
    path = tmp_path / "pipe"
    os.mkfifo(path)
    stop = threading.Event()

    def unblock():
        while not stop.is_set():
            try:
                fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:
                time.sleep(0.05)
                continue
            os.close(fd)

    t = threading.Thread(target=unblock, daemon=True)
    t.start()
    yield path
    stop.set()
    t.join(5)


def test_a_fifo_is_never_replaced(tmp_path, fifo):
    src = write(tmp_path / "prometheus.yml", SOURCE)
    for args in (["render", write(tmp_path / "pm.yaml", POD_MONITOR),
                  "-o", str(fifo), "--force"],
                 ["migrate", src, "--report", str(fifo) + ".json"],
                 ["migrate", src, "--rewrite-source", str(fifo), "--force"]):
        if args[-1].endswith(".json"):
            os.mkfifo(args[-1])
        r = run_cli(*args)
        assert r.code == 2, (args, r.stderr)
        assert "FIFO" in r.stderr
        no_traceback(r)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe", "pipe.json", "pm.yaml", "prometheus.yml"]


def test_an_output_under_a_regular_file_is_exit_2(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("mine\n")
    src = write(tmp_path / "prometheus.yml", SOURCE)
    for args in (["render", write(tmp_path / "pm.yaml", POD_MONITOR),
                  "-o", str(afile / "x")],
                 ["migrate", src, "-o", str(afile / "dir")],
                 ["migrate", src, "--report", str(afile / "r.json")]):
        r = run_cli(*args)
        assert r.code == 2, (args, r.stderr)
        assert "not a directory" in r.stderr and str(afile) in r.stderr
        no_traceback(r)
    assert afile.read_text() == "mine\n"


def test_a_symlink_output_writes_through_to_its_regular_file(tmp_path):
    """Choice: a link to a regular file is followed, the file replaced (backup beside it), the link kept."""
    real_dir = tmp_path / "real"
    real_dir.mkdir()
    real = real_dir / "out.yaml"
    real.write_text("before\n")
    link = tmp_path / "out.yaml"
    os.symlink(real, link)
    pm = write(tmp_path / "pm.yaml", POD_MONITOR)
    r = run_cli("render", pm, "-o", str(link))
    assert r.code == 2 and "--force" in r.stderr and real.read_text() == "before\n"
    r = run_cli("render", pm, "-o", str(link), "--force")
    assert r.code == 0, r.stderr
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert "job_name" in real.read_text()
    assert (real_dir / "out.yaml.bak").read_text() == "before\n"
    # a dangling link, or a link to a directory, is refused
    os.symlink(tmp_path / "missing", tmp_path / "dangling.yaml")
    os.symlink(real_dir, tmp_path / "dirlink.yaml")
    for name in ("dangling.yaml", "dirlink.yaml"):
        r = run_cli("render", pm, "-o", str(tmp_path / name), "--force")
        assert r.code == 2 and "symlink" in r.stderr, r.stderr
        no_traceback(r)
    assert not (tmp_path / "missing").exists()


# ---------------------------------------------------------------------------------- backups never overwritten

def test_in_place_twice_never_overwrites_the_backup(tmp_path):
    src = tmp_path / "prometheus.yml"
    original = SOURCE
    src.write_text(original)
    r = run_cli("migrate", str(src), "--keep-raw", "--in-place")
    assert r.code == 0, r.stderr
    assert (tmp_path / "prometheus.yml.bak").read_text() == original
    second = src.read_text() + "- job_name: more\n  kubernetes_sd_configs: [{role: pod}]\n"
    src.write_text(second)
    r = run_cli("migrate", str(src), "--keep-raw", "--in-place")
    assert r.code == 0, r.stderr
    assert (tmp_path / "prometheus.yml.bak").read_text() == original
    assert (tmp_path / "prometheus.yml.bak.1").read_text() == second
    assert "prometheus.yml.bak.1" in r.stderr
    # a third run with nothing left to migrate does not touch the file nor make a backup
    r = run_cli("migrate", str(src), "--keep-raw", "--in-place")
    assert r.code == 0 and not (tmp_path / "prometheus.yml.bak.2").exists()


def test_a_symlink_planted_at_the_backup_name_is_not_written_through(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched\n")
    out = tmp_path / "out.yaml"
    out.write_text("previous\n")
    os.symlink(victim, tmp_path / "out.yaml.bak")
    backup = writers.write_output("new\n", str(out), force=True)
    assert victim.read_text() == "untouched\n"
    assert backup == str(tmp_path / "out.yaml.bak.1") and Path(backup).read_text() == "previous\n"
    assert out.read_text() == "new\n"


def test_in_place_on_a_symlink_rewrites_the_file_it_points_to(tmp_path):
    real_dir = tmp_path / "config"
    real_dir.mkdir()
    real = real_dir / "prometheus.yml"
    real.write_text(SOURCE)
    link = tmp_path / "prometheus.yml"
    os.symlink(real, link)
    r = run_cli("migrate", str(link), "--keep-raw", "--in-place")
    assert r.code == 0, r.stderr
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert "job_name: pods" not in real.read_text() and "nodes-static" in real.read_text()
    assert (real_dir / "prometheus.yml.bak").read_text() == SOURCE
    # --rewrite-source naming the source through a link is the source itself
    r = run_cli("migrate", str(real), "--keep-raw", "--rewrite-source", str(link))
    assert r.code == 2 and "--in-place" in r.stderr


# ------------------------------------------------------------------ every destination checked before writing

def test_every_destination_is_checked_before_the_first_byte(tmp_path):
    """`migrate -o DIR --secrets-out EXISTING` wrote the monitors, then refused the Secrets they reference."""
    src = write(tmp_path / "prometheus.yml", WITH_CREDENTIALS)
    out = tmp_path / "monitors"
    existing = tmp_path / "creds.yaml"
    existing.write_text("mine\n")
    r = run_cli("migrate", src, "-o", str(out), "--secrets-out", str(existing))
    assert r.code == 2 and "--force" in r.stderr
    assert not out.exists() and existing.read_text() == "mine\n"
    report = tmp_path / "r.json"
    report.write_text("{}")
    for args in (["--report", str(report)], ["--rewrite-source", str(report)]):
        r = run_cli("migrate", src, "-o", str(out), "--secrets-out", str(tmp_path / "new-creds.yaml"), *args)
        assert r.code == 2 and "--force" in r.stderr, r.stderr
        assert not out.exists() and not (tmp_path / "new-creds.yaml").exists()
    # two outputs to one file
    r = run_cli("migrate", src, "--report", str(tmp_path / "same.json"), "--secrets-out", str(tmp_path / "same.json"))
    assert r.code == 2 and "same file" in r.stderr and not (tmp_path / "same.json").exists()
    # a report inside the output directory that does not exist yet is fine
    new = tmp_path / "new" / "monitors"
    r = run_cli("migrate", src, "-o", str(new), "--report", str(new / "migration.md"),
                "--secrets-out", str(tmp_path / "new-creds.yaml"))
    assert r.code == 0, r.stderr
    assert sorted(os.listdir(new)) == ["migration.md", "podmonitor-monitoring-app.yaml"]


def test_an_interrupted_directory_run_writes_all_files_or_none(tmp_path, monkeypatch):
    """SIGINT in the middle of replacing the files of -o DIR: the set is complete (no mix of old and new)."""
    if threading.current_thread() is not threading.main_thread() or \
            signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        pytest.skip("needs Python's own SIGINT handler in the main thread")
    src = write(tmp_path / "prometheus.yml", SOURCE.replace("static_configs: [{targets: [\"a:9100\"]}]",
                                                            "kubernetes_sd_configs: [{role: endpoints}]")
                + "- job_name: third\n  kubernetes_sd_configs: [{role: pod}]\n")
    out = tmp_path / "monitors"
    assert run_cli("migrate", src, "-o", str(out)).code == 0
    names = sorted(os.listdir(out))
    assert len(names) == 3
    for n in names:
        (out / n).write_text("old\n")
    real_replace, calls = os.replace, []

    def replace(a, b, **kw):
        calls.append(b)
        if len(calls) == 2:
            signal.raise_signal(signal.SIGINT)
        return real_replace(a, b, **kw)

    monkeypatch.setattr(os, "replace", replace)
    r = run_cli("migrate", src, "-o", str(out), "--force")
    monkeypatch.setattr(os, "replace", real_replace)
    assert r.code == 130
    contents = [(out / n).read_text() for n in names]
    assert all(c != "old\n" for c in contents) or all(c == "old\n" for c in contents), contents
    assert temp_files(out) == []
    assert sorted(p for p in os.listdir(out) if p.endswith(".bak")) == [n + ".bak" for n in names]


# ----------------------------------------------------------------------- credentials never written to stdout

def test_secrets_out_stdout_is_refused_like_render_inline_secrets(tmp_path):
    src = write(tmp_path / "prometheus.yml", WITH_CREDENTIALS)
    r = run_cli("migrate", src, "--secrets-out", "-")
    assert r.code == 2 and "s3cr3t-value" not in r.stdout + r.stderr
    assert r.stdout == ""
    assert "refusing to write credentials to stdout: --secrets-out" in r.stderr
    sm, s = write(tmp_path / "sm.yaml", SERVICE_MONITOR_WITH_AUTH), write(tmp_path / "s.yaml", SECRET)
    for out in (["-o", "-"], []):
        r = run_cli("render", sm, s, "--inline-secrets", *out)
        assert r.code == 2 and "s3cr3t-value" not in r.stdout + r.stderr
        assert "refusing to write credentials to stdout: --inline-secrets" in r.stderr


def test_stdin_is_given_to_one_input_only(tmp_path):
    inv = str(REPO / "samples" / "inventory" / "cluster.yaml")
    for args in (["-", "--inventory", "-"], ["-", "--prometheus", "-"]):
        r = run_cli("migrate", *args, "--rewrite-source", str(tmp_path / "rest.yml"), stdin=SOURCE)
        assert r.code == 2 and "stdin can be read only once" in r.stderr, r.stderr
        assert not (tmp_path / "rest.yml").exists()
    r = run_cli("migrate", "-", "--inventory", inv, stdin=SOURCE)
    assert r.code == 0, r.stderr


def test_rewrite_source_never_claims_a_removal_it_did_not_make(tmp_path, monkeypatch):
    import migrator.rewrite

    monkeypatch.setattr(migrator.rewrite, "_edit_doc", lambda *a, **kw: 0)  # a shape it cannot edit
    monkeypatch.setattr(migrator.rewrite, "_node_edits", lambda *a, **kw: ([], 0))  # the line-based pass too
    src = write(tmp_path / "prometheus.yml", SOURCE)
    rest, out = tmp_path / "rest.yml", tmp_path / "monitors"
    r = run_cli("migrate", src, "--keep-raw", "-o", str(out), "--rewrite-source", str(rest))
    assert r.code == 2 and "found 0 of the 1 migrated job(s)" in r.stderr, r.stderr
    assert not rest.exists() and not out.exists()
