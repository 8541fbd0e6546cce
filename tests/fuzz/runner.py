"""Running one case in-process and checking its properties."""

from __future__ import annotations

import contextlib
import json
import os
import re
import resource
import signal
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from typer.testing import CliRunner

from tests.fuzz.cases import Case
from tests.fuzz.secrets import decodings

#: Seconds a case may take before it counts as a hang.
DEFAULT_TIMEOUT = float(os.environ.get("MIGRATOR_FUZZ_TIMEOUT", "20"))
#: Bytes of address space a case may add before it counts as a memory blow-up.
MEMORY_BUDGET = int(os.environ.get("MIGRATOR_FUZZ_MEMORY", str(3 << 30)))
OK_CODES = {0, 1, 2}
_REPO = str(Path(__file__).resolve().parents[2])


class CaseTimeout(BaseException):
    """Raised in the CLI by the timer: a BaseException, so no `except Exception` swallows it."""


@dataclass
class Problem:
    kind: str        # exception, exit-status, traceback, leak, clobber, tmpfile, timeout
    where: str       # file:function in migrator, the output that leaked, the file clobbered...
    detail: str

    @property
    def signature(self) -> str:
        return f"{self.kind} {self.where}"


@dataclass
class Outcome:
    case: Case
    code: int | None = None
    stdout: str = ""
    stderr: str = ""
    seconds: float = 0.0
    problems: list[Problem] = field(default_factory=list)

    def report(self) -> str:
        lines = [self.case.describe(), f"  exit {self.code} in {self.seconds:.2f}s"]
        for p in self.problems:
            lines.append(f"  {p.signature}: {p.detail}")
        return "\n".join(lines)


@contextlib.contextmanager
def _guards(timeout: float):
    """A timer (main thread only) and an address-space ceiling while the case runs."""
    main = threading.current_thread() is threading.main_thread()
    old_handler = None
    if main and timeout:
        def on_alarm(signum, frame):
            raise CaseTimeout(f"no answer after {timeout}s")
        old_handler = signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, timeout)
    old_limit = resource.getrlimit(resource.RLIMIT_AS)
    try:
        with open("/proc/self/statm") as f:
            size = int(f.read().split()[0]) * resource.getpagesize()
        soft = size + MEMORY_BUDGET
        if old_limit[1] == resource.RLIM_INFINITY or soft < old_limit[1]:
            resource.setrlimit(resource.RLIMIT_AS, (soft, old_limit[1]))
    except (OSError, ValueError):
        pass
    try:
        yield
    finally:
        if main and timeout:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old_handler)
        with contextlib.suppress(OSError, ValueError):
            resource.setrlimit(resource.RLIMIT_AS, old_limit)


def crash_site(tb) -> str:
    """file:function of the innermost frame in migrator (else the innermost frame)."""
    frames = traceback.extract_tb(tb)
    ours = [f for f in frames if "/migrator/" in f.filename and "/site-packages/" not in f.filename]
    f = (ours or frames or [None])[-1]
    if f is None:
        return "?"
    name = f.filename
    if name.startswith(_REPO + "/"):
        name = name[len(_REPO) + 1:]
    return f"{name}:{f.name}"


def _snapshot(root: Path) -> dict[str, bytes | None]:
    out: dict[str, bytes | None] = {}
    for p in sorted(root.rglob("*")):
        rel = str(p.relative_to(root))
        if p.is_symlink() or not p.is_file():
            out[rel] = None
        else:
            try:
                out[rel] = p.read_bytes()
            except OSError:
                out[rel] = None
    return out


def _norm(text: str) -> str:
    return re.sub(r"\d+", "N", text)[:160]


def run_case(case: Case, workdir: str | None = None, *, timeout: float = DEFAULT_TIMEOUT,
             groups: list[int] | None = None, files: dict[str, bytes] | None = None,
             stdin: bytes | None = None) -> Outcome:
    """Run `case` (optionally with other option groups, files or stdin, for the minimizer) and check it."""
    files = case.files if files is None else files
    stdin = case.stdin if stdin is None else stdin
    with tempfile.TemporaryDirectory(prefix="migrator-fuzz-", dir=workdir) as tmp, \
            contextlib.ExitStack() as stack:
        root = Path(tmp)
        for name, data in {**files, **case.existing}.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        api = None
        if case.cluster is not None:
            from tests.fake_kube import FakeKube
            api = FakeKube(case.cluster, page_size=50)
            # (shutdown waits for serve_forever's 0.5 s poll: let a thread of its own wait)
            stack.callback(lambda api=api: threading.Thread(target=api.close, daemon=True).start())
            api.kubeconfig(root)
        for name, target in case.symlinks.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            os.symlink(target, root / name)
        before = _snapshot(root)
        argv = case.argv(tmp, groups)
        out = Outcome(case)
        start = time.monotonic()
        result = None
        try:
            with _guards(timeout):
                result = CliRunner().invoke(_app(), argv, input=stdin, catch_exceptions=True)
        except CaseTimeout as exc:
            out.problems.append(Problem("timeout", case.command, str(exc)))
        except MemoryError:
            out.problems.append(Problem("exception", "MemoryError", "memory ceiling hit outside the CLI"))

        out.seconds = time.monotonic() - start
        if result is not None:
            out.code, out.stdout, out.stderr = result.exit_code, result.stdout, result.stderr
            exc = result.exception
            if exc is not None and not isinstance(exc, SystemExit):
                site = crash_site(result.exc_info[2]) if result.exc_info else "?"
                out.problems.append(Problem("exception", site, f"{type(exc).__name__}: {str(exc)[:200]}"))
            elif out.code not in OK_CODES:
                last = (out.stderr.strip().splitlines() or [""])[-1]
                site = _debug_site(argv, stdin) if out.code == 3 else ""
                out.problems.append(Problem(f"exit-{out.code}", site or _norm(last), last[:300]))
            if "input is too large to process (out of memory)" in out.stderr:
                out.problems.append(Problem("memory", case.command,
                                            f"more than {MEMORY_BUDGET >> 20} MiB for {_size(files, stdin)} bytes "
                                            f"of input"))
            for stream, text in (("stdout", out.stdout), ("stderr", out.stderr)):
                if "Traceback" in text:
                    out.problems.append(Problem("traceback", stream, text[text.index("Traceback"):][:300]))
        stack.close()
        _check_document(case, root, argv, out)
        _check_files(case, root, before, out, tmp)
        _check_leaks(case, out, root, before, tmp)
        return out


def _size(files: dict[str, bytes], stdin: bytes | None) -> int:
    return sum(len(v) for v in files.values()) + len(stdin or b"")


_FRAME = re.compile(r'File "([^"]*/migrator/[^"]*)", line \d+, in (\S+)')


def _debug_site(argv: list[str], stdin: bytes | None) -> str:
    """file:function of an internal error (exit 3), from the traceback --debug prints."""
    try:
        with _guards(DEFAULT_TIMEOUT):
            result = CliRunner().invoke(_app(), ["--debug", *argv], input=stdin, catch_exceptions=True)
    except CaseTimeout:
        return ""
    frames = [m for m in _FRAME.finditer(result.stderr) if "/site-packages/" not in m.group(1)]
    if not frames:
        return ""
    name = frames[-1].group(1)
    if name.startswith(_REPO + "/"):
        name = name[len(_REPO) + 1:]
    last = (result.stderr.strip().splitlines() or [""])[-1]
    exc = last.split(": ")[1] if last.startswith("internal error: ") and ": " in last[16:] else ""
    return f"{name}:{frames[-1].group(2)} {exc}".strip()


def _app():
    from migrator.cli import app
    return app


def _check_document(case: Case, root: Path, argv: list[str], out: Outcome) -> None:
    """What a run (exit 0/1) writes parses: JSON for --output json and migrate's --report X.json, YAML for the
    documents of render, generate and migrate. (Markdown and text are not checked.)"""
    if out.code not in (0, 1) or out.problems:
        return

    def opt(*flags: str) -> str | None:
        for flag in flags:
            if flag in argv[:-1]:
                return argv[argv.index(flag) + 1]
        return None

    dest = opt("-o", "--out")
    dest = None if dest == "-" else dest
    json_report = opt("--output") == "json"
    checks: list[tuple[str, str]] = []  # (kind, "stdout" or a path)
    if case.command == "render":
        if json_report:
            checks.append(("json", "stdout"))
        checks.append(("yaml", dest or ("" if json_report else "stdout")))
    elif case.command == "generate":
        checks.append(("yaml", dest or "stdout"))
    elif case.command == "migrate":
        if dest is None:
            checks.append(("yaml", "stdout"))
        report = opt("--report")
        if report and report.endswith(".json"):
            checks.append(("json", report))
    elif json_report or (case.command == "lint" and opt("--output") == "sarif"):
        checks.append(("json", dest or "stdout"))
    for kind, where in checks:
        if not where:
            continue
        if where == "stdout":
            text = out.stdout
        elif not os.path.isfile(where):
            continue
        else:
            try:
                text = Path(where).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                out.problems.append(Problem("document", f"{case.command} unreadable", str(exc)))
                continue
        if not text.strip():
            continue
        try:
            if kind == "json":
                json.loads(text)
            else:
                list(yaml.load_all(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
        except (ValueError, yaml.YAMLError) as exc:
            name = "stdout" if where == "stdout" else Path(where).name
            out.problems.append(Problem("document", f"{case.command} {kind}",
                                        f"the {kind} in {name} does not parse: {str(exc)[:200]}"))


def _check_files(case: Case, root: Path, before: dict, out: Outcome, tmp: str) -> None:
    after = _snapshot(root)
    for name, data in case.existing.items():
        if after.get(name) != data:
            out.problems.append(Problem("clobber", f"{case.command} {name}",
                                        f"{name} existed and was {'removed' if name not in after else 'modified'} "
                                        f"without --force"))
    for name in after:
        m = re.fullmatch(r"(.*)\.bak(\.\d+)?", name)
        if m and name not in before and after[name] is not None:
            if m.group(1) not in before:
                out.problems.append(Problem("backup", f"{case.command}", f"{name}: a backup of a file that did not exist"))
            elif before[m.group(1)] != after[name]:
                out.problems.append(Problem("backup", f"{case.command}",
                                            f"{name} does not hold the previous content of {m.group(1)}"))
    for name in after:
        if ".tmp" in Path(name).name and name not in before:
            out.problems.append(Problem("tmpfile", f"{case.command}", f"left behind: {name}"))


def _check_leaks(case: Case, out: Outcome, root: Path, before: dict, tmp: str) -> None:
    planted = case.planted
    if planted is None or not planted.markers:
        return
    places = [("stderr", out.stderr)]
    if not case.secret_stdout:
        places.append(("stdout", out.stdout))
    for p in sorted(root.rglob("*")):
        rel = str(p.relative_to(root))
        if not p.is_file() or p.is_symlink() or rel in case.files or rel in case.secret_files:
            continue
        if any(rel.startswith(s + "/") for s in case.secret_files):
            continue
        m = re.fullmatch(r"(.*)\.bak(\.\d+)?", rel)
        if m and (m.group(1) in case.files or m.group(1) in case.secret_files):
            continue  # the backup of the user's own file (or of a secrets output), checked to be its old text
        if before.get(rel) is not None and before.get(rel) == _read(p):
            continue  # an input or an untouched file
        places.append((f"file {_generic(rel)}", _read(p)))
    cut: set[str] | None = None  # computed only when a userinfo marker shows
    for where, data in places:
        stream = "stderr" if where == "stderr" else "output"
        for marker, field_name in planted.find(data or b""):
            if "userinfo" in field_name:
                cut = _cut_userinfo(case) if cut is None else cut
                if marker in cut:
                    continue
            out.problems.append(Problem("leak", f"{case.command} {stream} {field_name}",
                                        f"{marker} ({field_name}) in {where}: {_context(data, marker)}"))


def _cut_userinfo(case: Case) -> set[str]:
    """URL userinfo markers that a mutation cut from their '@' in every input: a host name now, not a secret."""
    blobs = list(case.files.values()) + [case.stdin or b""]
    if case.cluster is not None:
        blobs.append(repr(case.cluster).encode())
    blobs = [d for b in blobs for d in decodings(b)]
    out = set()
    for marker, field_name in case.planted.markers.items():
        if "userinfo" in field_name:
            intact = re.compile(re.escape(marker.encode()) + rb"[^\s\"'/@]*@")
            if not any(intact.search(b) for b in blobs):
                out.add(marker)
    return out


def _generic(rel: str) -> str:
    return re.sub(r"^outdir/.*", "outdir/*", re.sub(r"\.bak$", ".bak", rel))


def _read(p: Path) -> bytes:
    try:
        return p.read_bytes()
    except OSError:
        return b""


def _context(data: str | bytes, marker: str) -> str:
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    i = text.find(marker)
    if i < 0:
        return "(base64-encoded)"
    return repr(text[max(0, i - 80):i + len(marker) + 20])
