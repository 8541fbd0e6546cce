"""Writing results: YAML documents in the forms users load, JSON reports, files.

Edges only. Output is deterministic: the same data gives byte-identical text
(block-style YAML, keys in insertion order, which is the operator's order).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import signal
import stat
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Iterable, Iterator

import yaml

from migrator.errors import InputError

#: The document forms of a list of scrape jobs (``--format``).
SCRAPE_FORMATS = ("list", "prometheus-yml", "secret", "helm-values")
DEFAULT_SECRET_NAME = "additional-scrape-configs"
SECRET_KEY = "prometheus-additional.yaml"


class _Dumper(yaml.SafeDumper):
    """Block style, no aliases, multi-line strings as literal blocks."""

    def ignore_aliases(self, data: Any) -> bool:  # never write &anchors
        return True


def _str_representer(dumper: yaml.SafeDumper, value: str):
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str_representer)


def dump_yaml(data: Any) -> str:
    """One YAML document, block style, keys in insertion order."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, default_flow_style=False,
                     allow_unicode=True, width=1 << 16)


def dump_yaml_all(docs: Iterable[Any]) -> str:
    """Several documents separated by ``---``."""
    return "---\n".join(dump_yaml(d) for d in docs)


try:  # orjson writes large reports an order of magnitude faster, byte for byte the same
    import orjson as _orjson
except ImportError:  # pragma: no cover - orjson is a dependency, but stay usable without it
    _orjson = None


def dump_json_bytes(data: Any, *, newline: bool = True) -> bytes:
    """JSON, indented by 2, keys in insertion order, UTF-8, ending in a newline (unless not asked)."""
    if _orjson is not None:
        try:
            return _orjson.dumps(data, option=_orjson.OPT_INDENT_2 | (_orjson.OPT_APPEND_NEWLINE if newline else 0))
        except TypeError:  # a type orjson does not know (e.g. an int beyond 64 bits)
            pass
    return (json.dumps(data, indent=2, sort_keys=False, ensure_ascii=False) + ("\n" if newline else "")).encode()


def dump_json(data: Any) -> str:
    return dump_json_bytes(data).decode("utf-8")


def scrape_document(jobs: list[dict], form: str, *, global_config: dict | None = None,
                    secret_name: str = DEFAULT_SECRET_NAME, namespace: str | None = None) -> Any:
    """The jobs as one of SCRAPE_FORMATS (data, ready for dump_yaml)."""
    if form == "list":
        return list(jobs)
    if form == "prometheus-yml":
        doc: dict[str, Any] = {}
        if global_config:
            doc["global"] = dict(global_config)
        doc["scrape_configs"] = list(jobs)
        return doc
    if form == "secret":
        metadata: dict[str, Any] = {"name": secret_name}
        if namespace:
            metadata["namespace"] = namespace
        return {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": metadata,
            "type": "Opaque",
            "stringData": {SECRET_KEY: dump_yaml(list(jobs)) if jobs else "[]\n"},
        }
    if form == "helm-values":
        return {"prometheus": {"prometheusSpec": {"additionalScrapeConfigs": list(jobs)}}}
    raise InputError(f"unknown --format {form!r} (choose from {', '.join(SCRAPE_FORMATS)})",
                     field="--format")


# ---------------------------------------------------------------------------------------------
# Files: none lost, none clobbered
#
# * Every destination is checked before the first byte is written (OutputSet.add, then commit).
# * A path that exists and is not a regular file (device, FIFO, socket, directory) is never replaced,
#   with or without --force. A symlink is followed to the regular file it names, and that file is
#   replaced (the link stays a link); a dangling link, or one to anything else, is refused.
# * An existing regular file is replaced only with --force, after a backup under the first free name of
#   FILE.bak, FILE.bak.1, FILE.bak.2, ... (created exclusively: a backup is never overwritten).
# * The content goes to a temp file with a unique name, created exclusively (O_EXCL, O_NOFOLLOW) beside
#   the file it replaces, fsynced, then renamed over it; a new file is hard-linked into place so that a
#   file that appeared meanwhile is not clobbered either.
# * SIGINT or SIGTERM while the temp files are written removes them; while the set of files is renamed
#   into place the signal waits until the whole set is there (so the set appears at once).

TEMP_SUFFIX = ".tmp-migrator"
SECRET_FILE_MODE = 0o600


def refuse_secrets_on_stdout(out: str | None, option: str, *, needs: str) -> None:
    """Credentials go to a file (mode 0600), never to stdout: the one rule for ``render --inline-secrets``
    and ``migrate --secrets-out``."""
    if out is None or out == "-":
        raise InputError(f"refusing to write credentials to stdout: {option} needs {needs} "
                         f"(written with mode {SECRET_FILE_MODE:04o})", field=option)


class Terminated(SystemExit):
    """SIGTERM, raised like SIGINT's KeyboardInterrupt so that temp files are removed (exit status 143)."""

    def __init__(self) -> None:
        super().__init__(128 + signal.SIGTERM)


def _raise_terminated(signum: int, frame: Any) -> None:
    raise Terminated()


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def _cleanup_on_sigterm() -> Iterator[None]:
    """While temp files exist, SIGTERM raises (as SIGINT does) so that the cleanup code runs."""
    installed, previous = False, None
    if _main_thread():
        with contextlib.suppress(ValueError, OSError):
            previous = signal.getsignal(signal.SIGTERM)
            if previous != signal.SIG_IGN:  # a caller that ignores SIGTERM keeps it ignored
                signal.signal(signal.SIGTERM, _raise_terminated)
                installed = True
    try:
        yield
    finally:
        if installed:
            signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """SIGINT and SIGTERM wait until the block is done, then take effect."""
    if not _main_thread():
        yield
        return
    pending: list[int] = []
    saved: dict[int, Any] = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(ValueError, OSError):
            saved[sig] = signal.signal(sig, lambda signum, frame: pending.append(signum))
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)
    for sig in dict.fromkeys(pending):
        handler = saved.get(sig)
        if callable(handler):
            handler(sig, None)
        elif handler == signal.SIG_DFL:
            raise Terminated() if sig == signal.SIGTERM else KeyboardInterrupt()


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@dataclass
class _Target:
    shown: str  # as the user gave it
    path: Path  # where the bytes go (symlinks resolved)
    field: str
    exists: bool
    mode: int  # permission bits of the file written
    force: bool = False


def _refuse_kind(st: os.stat_result, shown: str, field: str, *, via_link: bool) -> None:
    what = ("a directory" if stat.S_ISDIR(st.st_mode) else "a character device" if stat.S_ISCHR(st.st_mode)
            else "a block device" if stat.S_ISBLK(st.st_mode) else "a FIFO" if stat.S_ISFIFO(st.st_mode)
            else "a socket" if stat.S_ISSOCK(st.st_mode) else "not a regular file")
    hint = "; give a file path" if stat.S_ISDIR(st.st_mode) else ""
    raise InputError(f"{'is a symlink to' if via_link else 'is'} {what}: only a regular file is ever replaced, "
                     f"with or without --force{hint}", file=shown, field=field)


def _check_parent(parent: Path, shown: str, field: str) -> None:
    try:
        st = os.stat(parent)
    except FileNotFoundError:
        raise InputError("directory does not exist", file=str(parent), field=field) from None
    except NotADirectoryError:
        raise InputError("a parent of this path is a file, not a directory", file=shown, field=field) from None
    except OSError as exc:
        raise InputError(f"cannot use this directory: {exc.strerror}", file=str(parent), field=field) from None
    if not stat.S_ISDIR(st.st_mode):
        raise InputError("is not a directory", file=str(parent), field=field)


def check_output(out: str, *, force: bool, field: str = "--out", mode: int | None = None,
                 parent_pending: bool = False) -> _Target:
    """Where ``out`` would be written, after refusing what must not be replaced (see above).

    ``parent_pending``: the parent directory does not exist yet and will be created.
    """
    shown = out
    path = Path(out)
    try:
        st: os.stat_result | None = os.lstat(path)
    except FileNotFoundError:
        st = None
    except NotADirectoryError:
        raise InputError("a parent of this path is a file, not a directory", file=shown, field=field) from None
    except OSError as exc:
        raise InputError(f"cannot use as output: {exc.strerror}", file=shown, field=field) from None
    if st is not None and stat.S_ISLNK(st.st_mode):
        path = Path(os.path.realpath(path))
        try:
            st = os.stat(path)
        except OSError:
            raise InputError("is a symlink to a missing file: give the path of a regular file",
                             file=shown, field=field) from None
        if not stat.S_ISREG(st.st_mode):
            _refuse_kind(st, shown, field, via_link=True)
    if st is not None:
        if not stat.S_ISREG(st.st_mode):
            _refuse_kind(st, shown, field, via_link=False)
        if not force:
            raise InputError("file exists; pass --force to replace it (the previous content is kept in "
                             "FILE.bak, or FILE.bak.N when that exists)", file=shown, field=field)
    elif not parent_pending:
        _check_parent(path.parent, shown, field)
    final_mode = mode if mode is not None else \
        stat.S_IMODE(st.st_mode) if st is not None else 0o644 & ~_umask()
    return _Target(shown, path, field, st is not None, final_mode, force)


def check_output_dir(out_dir: str, *, field: str = "--out") -> tuple[Path, bool]:
    """(path, exists) of an output directory: an existing directory (or a link to one), or a path whose
    nearest existing ancestor is a directory (it is created when the files are written)."""
    path = Path(out_dir)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if os.path.lexists(path):
            raise InputError("is a symlink to a missing directory", file=out_dir, field=field) from None
        parent = path.absolute().parent
        while True:
            try:
                pst = os.stat(parent)
            except FileNotFoundError:
                parent = parent.parent
                continue
            except OSError:
                raise InputError("a parent of this path is a file, not a directory", file=out_dir,
                                 field=field) from None
            if not stat.S_ISDIR(pst.st_mode):
                raise InputError("a parent of this path is a file, not a directory", file=out_dir, field=field)
            return path, False
    except NotADirectoryError:
        raise InputError("a parent of this path is a file, not a directory", file=out_dir, field=field) from None
    except OSError as exc:
        raise InputError(f"cannot use as output directory: {exc.strerror}", file=out_dir, field=field) from None
    if not stat.S_ISDIR(st.st_mode):
        raise InputError("exists and is not a directory", file=out_dir, field=field)
    return path, True


def _stage(target: _Target) -> tuple[int, str]:
    """A new temp file beside the target: unique name, created exclusively, not through a link."""
    try:
        return tempfile.mkstemp(prefix=f".{target.path.name}.", suffix=TEMP_SUFFIX, dir=target.path.parent)
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror}", file=target.shown, field=target.field) from None


def _finish(fh: BinaryIO, target: _Target) -> None:
    fh.flush()
    os.fchmod(fh.fileno(), target.mode)
    os.fsync(fh.fileno())


def _backup(path: Path, target: _Target) -> str:
    """The file's current content under the first free FILE.bak, FILE.bak.1, ... (never overwritten)."""
    for n in range(10_000):
        bak = path.with_name(path.name + (".bak" if n == 0 else f".bak.{n}"))
        try:
            os.link(path, bak, follow_symlinks=False)  # the old file itself: atomic, mode and owner kept
            return str(bak)
        except FileExistsError:
            continue
        except OSError:  # no hard links here: an exclusive copy
            pass
        try:
            fd = os.open(bak, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        except FileExistsError:
            continue
        try:
            with os.fdopen(fd, "wb") as dst, open(path, "rb") as src:
                shutil.copyfileobj(src, dst)
                dst.flush()
                os.fchmod(dst.fileno(), stat.S_IMODE(os.stat(path).st_mode))
                os.fsync(dst.fileno())
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(bak)
            raise
        return str(bak)
    raise InputError("too many backups (FILE.bak.N) already; remove some", file=target.shown, field=target.field)


def _put(target: _Target, tmp: str) -> str | None:
    """Move a staged temp file into place; the backup's path, if any."""
    path = target.path
    if not target.exists:
        try:
            os.link(tmp, path, follow_symlinks=False)  # fails if a file appeared meanwhile: never clobbered
        except FileExistsError:
            pass
        except OSError:  # no hard links here
            if not os.path.lexists(path):
                os.replace(tmp, path)
                return None
        else:
            os.unlink(tmp)
            return None
        if not target.force:
            raise InputError("appeared while migrator was writing it; left as it is (--force replaces it)",
                             file=target.shown, field=target.field)
    st = os.lstat(path)
    if not stat.S_ISREG(st.st_mode):
        _refuse_kind(st, target.shown, target.field, via_link=False)
    backup = _backup(path, target)
    os.replace(tmp, path)
    return backup


def _sync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@dataclass
class Written:
    shown: str
    path: str
    backup: str | None


class OutputSet:
    """Files written together. Each destination is checked when added, before any byte is written;
    commit() writes every file to a temp file beside it, then renames them all into place, with
    SIGINT/SIGTERM held until the whole set is there."""

    def __init__(self, *, force: bool = False):
        self.force = force
        self._dirs: list[Path] = []
        self._items: list[tuple[_Target, bytes]] = []

    def add_dir(self, out_dir: str, *, field: str = "--out") -> Path:
        path, exists = check_output_dir(out_dir, field=field)
        if not exists:
            self._dirs.append(path)
        return path

    def check(self, out: str, *, field: str = "--out", mode: int | None = None,
              force: bool | None = None) -> _Target:
        """Where out would be written (check_output), in a directory add_dir may create."""
        pending = Path(os.path.abspath(Path(out).parent)) in {Path(os.path.abspath(d)) for d in self._dirs}
        return check_output(out, force=self.force if force is None else force, field=field, mode=mode,
                            parent_pending=pending)

    def add(self, out: str, data: str | bytes, *, field: str = "--out", mode: int | None = None,
            force: bool | None = None) -> None:
        target = self.check(out, field=field, mode=mode, force=force)
        key = os.path.abspath(target.path)
        for other, _ in self._items:
            if os.path.abspath(other.path) == key:
                raise InputError(f"the same file as {other.field} {other.shown}: give each output its own file",
                                 file=target.shown, field=field)
        self._items.append((target, data.encode("utf-8") if isinstance(data, str) else data))

    def commit(self) -> list[Written]:
        staged: list[tuple[_Target, str]] = []
        done: list[Written] = []
        with _cleanup_on_sigterm():
            try:
                for d in self._dirs:
                    try:
                        os.makedirs(d, exist_ok=True)
                    except OSError as exc:
                        raise InputError(f"cannot create the directory: {exc.strerror}", file=str(d)) from None
                for target, data in self._items:
                    fd, tmp = _stage(target)
                    staged.append((target, tmp))
                    try:
                        with os.fdopen(fd, "wb") as fh:
                            fh.write(data)
                            _finish(fh, target)
                    except OSError as exc:
                        raise InputError(f"cannot write: {exc.strerror}; nothing was written", file=target.shown,
                                         field=target.field) from None
                with _signals_deferred():
                    for target, tmp in staged:
                        try:
                            backup = _put(target, tmp)
                        except (OSError, InputError) as exc:
                            raise self._partial(exc, target, done) from None
                        done.append(Written(target.shown, str(target.path), backup))
                    for parent in dict.fromkeys(t.path.parent for t, _ in staged):
                        _sync_dir(parent)
            except OSError as exc:
                raise InputError(f"cannot write: {exc.strerror}", file=getattr(exc, "filename", None)) from None
            finally:
                moved = {w.path for w in done}
                for target, tmp in staged:
                    if str(target.path) not in moved:
                        with contextlib.suppress(OSError):
                            os.unlink(tmp)
        return done

    def _partial(self, exc: Exception, target: _Target, done: list[Written]) -> InputError:
        message = exc.message if isinstance(exc, InputError) else f"cannot write: {exc.strerror}"
        if not done:
            return InputError(f"{message}; nothing was written", file=target.shown, field=target.field)
        rest = [t.shown for t, _ in self._items[len(done):]]
        return InputError(f"{message}; written: {', '.join(w.shown for w in done)}; NOT written: "
                          f"{', '.join(rest)}", file=target.shown, field=target.field)


@contextlib.contextmanager
def open_output(out: str | None, *, force: bool = False, mode: int | None = None,
                field: str = "--out") -> Iterator[BinaryIO]:
    """A binary stream to write a large result to, piece by piece: ``out`` (a path) or stdout.

    Same safety as write_output: the file appears only once everything was written.
    """
    if out is None or out == "-":
        stream = sys.stdout.buffer if hasattr(sys.stdout, "buffer") else None
        if stream is None:  # a text-only stdout (tests): collect, then write as text
            buf = io.BytesIO()
            yield buf
            sys.stdout.write(buf.getvalue().decode("utf-8"))
        else:
            sys.stdout.flush()
            yield stream
            stream.flush()
        return
    target = check_output(out, force=force, field=field, mode=mode)
    with _cleanup_on_sigterm():
        fd, tmp = _stage(target)
        moved = False
        try:
            with os.fdopen(fd, "wb") as fh:
                yield fh
                _finish(fh, target)
            with _signals_deferred():
                _put(target, tmp)
                moved = True
                _sync_dir(target.path.parent)
        finally:
            if not moved:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)


def write_output(text: str, out: str | None, *, force: bool = False, mode: int | None = None,
                 field: str = "--out") -> str | None:
    """Write text to ``out`` (a path), or to stdout when out is None or '-'.

    An existing regular file is replaced only with ``force``, after a backup (FILE.bak, else
    FILE.bak.N); anything else that exists is never replaced. Returns the backup's path, if any.
    """
    if out is None or out == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return None
    outputs = OutputSet(force=force)
    outputs.add(out, text, field=field, mode=mode)
    (written,) = outputs.commit()
    return written.backup
