"""The batch runner: find the reports under a directory, analyse them in parallel and resumably.

``run_batch`` maps ``analyze_file`` over the files (a process pool or dask.distributed),
appends each result to OUT.partial as it arrives, then runs the corpus pass (``corpus``) and
writes OUT (JSONL) and optionally the DuckDB store (``store``). Output lines are
``Report.to_dict()`` or ``{"source", "error"}``, each with a ``file`` fingerprint so an
interrupted or extended run can be resumed.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import IO, Any, Literal

from .corpus import corpus_pass, strip_corpus_pass
from .errors import Errors, NlpPipelineError, UsageError
from .loading import _SUFFIXES as _LOADER_SUFFIXES
from .pipeline import analyze_or_error
from .result import Report
from .store import output_error, write_duckdb

try:
    import fcntl
except ImportError:  # not POSIX: runs on one OUT are not guarded against each other
    fcntl = None  # type: ignore[assignment]

SUFFIXES: tuple[str, ...] = tuple(_LOADER_SUFFIXES)  # the loaders' list: what can be read is what is found
Engine = Literal["processes", "dask"]
Line = dict[str, Any]
DEFAULT_TIMEOUT = 300.0  # seconds one file may take before it is recorded as failed
DASK_CONNECT_TIMEOUT = "20s"


@dataclass(frozen=True, slots=True)
class BatchSummary:
    """What a run did; the CLI prints it and picks the exit status from ``failed``."""

    out: str
    total: int
    analysed: int
    failed: int
    resumed: int
    findings_by_rule: dict[str, int]
    failures: tuple[tuple[str, str], ...] = ()  # (source, message)
    warnings: tuple[str, ...] = ()
    seconds: float = 0.0
    workers: int = 1
    engine: str = "processes"
    db: str | None = None


@dataclass(frozen=True, slots=True)
class ProgressHooks:
    """Optional callbacks: ``start(total)`` then ``advance(source)`` once per file analysed."""

    start: Callable[[int], None] = field(default=lambda total: None)
    advance: Callable[[str], None] = field(default=lambda source: None)


def discover(root: str | Path) -> list[Path]:
    """Every report file under ``root`` (recursively), by extension, in a stable order."""
    base = Path(root)
    if base.is_file():
        return [base]
    if not base.is_dir():
        raise UsageError(str(base), "input directory not found", code=Errors.E001.name)
    return sorted(
        p
        for p in base.rglob("*")
        if p.suffix.lower() in SUFFIXES and not _hidden(p.relative_to(base)) and p.is_file()
    )


def _hidden(rel: Path) -> bool:
    """Dot files and folders (``._x.pdf`` from macOS, ``.git``) and Word lock files (``~$x.docx``)."""
    return any(part.startswith((".", "~$")) for part in rel.parts)


def fingerprint(path: str | Path, *, with_sha1: bool = True) -> dict[str, Any]:
    """Size, mtime and content hash: what ``--resume`` compares to decide a file is unchanged."""
    p = Path(path)
    try:
        st = p.stat()
    except OSError:
        return {}
    fp: dict[str, Any] = {"size": st.st_size, "mtime_ns": st.st_mtime_ns}
    if with_sha1:
        fp["sha1"] = _sha1(p)
    return fp


def _sha1(p: Path) -> str | None:
    h = hashlib.sha1()
    try:
        with p.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    except OSError:
        return None
    return h.hexdigest()


def _largest_first(files: Sequence[Path]) -> list[Path]:
    """Submission order: big files (slow PDFs) first so no worker is left with one at the end."""
    return sorted(files, key=lambda p: -(fingerprint(p, with_sha1=False).get("size") or 0))


class _Timeout(BaseException):
    """Raised by the alarm inside a worker; a BaseException so no stage's ``except Exception`` eats it."""


def analyze_one(path: str, *, timeout: float | None = None) -> Report | NlpPipelineError:
    """One file to a ``Report`` or the coded error; never raises. The library call behind both
    ``analyze`` and ``batch``.

    ``timeout`` (seconds) stops a file that hangs the parser; it needs the main thread of a
    POSIX process (pool workers, the in-process path) and is ignored elsewhere (dask threads).
    """
    result: Report | NlpPipelineError
    try:
        with _deadline(timeout):
            result = analyze_or_error(path)
    except _Timeout:
        result = NlpPipelineError.from_catalogue(
            Errors.E010, path, detail=f"gave up after {timeout or 0:g} s (see --timeout)"
        )
    return result


def result_line(result: Report | NlpPipelineError, path: str) -> Line:
    """The JSON-ready output line of one file: the result, its ``source`` as given, its fingerprint."""
    line = result.to_dict()
    line["source"] = path
    line["file"] = fingerprint(path)
    return line


def updated_line(report: Report, line: Mapping[str, Any]) -> Line:
    """The output line of a report the corpus pass changed (keeps the file's fingerprint)."""
    return {**report.to_dict(), "file": line.get("file", {})}


def analyze_file(path: str, *, timeout: float | None = None) -> Line:
    """Worker: one file to one JSON-ready line. Never raises (errors become error lines)."""
    return result_line(analyze_one(path, timeout=timeout), path)


@contextmanager
def _deadline(seconds: float | None) -> Iterator[None]:
    usable = (
        seconds is not None
        and seconds > 0
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return

    def _alarm(signum: int, frame: object) -> None:
        raise _Timeout

    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def is_error(line: Mapping[str, Any]) -> bool:
    return "error" in line


def unchanged(line: Mapping[str, Any], path: Path) -> bool:
    """True when ``path`` is the same file ``line`` was made from (size+mtime, else sha1)."""
    old = line.get("file") or {}
    now = fingerprint(path, with_sha1=False)
    if not old or not now or old.get("size") != now["size"]:
        return False
    if old.get("mtime_ns") == now["mtime_ns"]:
        return True
    return old.get("sha1") is not None and old.get("sha1") == _sha1(path)


def partial_path(out: str | Path) -> Path:
    """The progress file an unfinished run appends to (removed when the run completes)."""
    p = Path(out)
    return p.with_name(p.name + ".partial")


def read_lines(path: Path) -> list[Line]:
    """JSON lines of a previous run; a torn last line (interrupted write) is ignored."""
    if not path.is_file():
        return []
    out: list[Line] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError:
            continue
        if isinstance(obj, dict) and isinstance(obj.get("source"), str):
            out.append(obj)
    return out


def _key(source: str) -> str:
    return os.path.normcase(os.path.abspath(source))


def _previous_results(out: Path, files: Sequence[Path]) -> dict[str, Line]:
    """Lines from OUT and its progress file whose source is still under DIR and unchanged."""
    wanted = {_key(str(p)): p for p in files}
    kept: dict[str, Line] = {}
    for line in [*read_lines(out), *read_lines(partial_path(out))]:  # progress file is newer
        k = _key(line["source"])
        if k in wanted and unchanged(line, wanted[k]) and _readable(line):
            kept[k] = strip_corpus_pass(line)
    return kept


def _readable(line: Line) -> bool:
    """A line this version can rebuild a ``Report`` from (older output may not be)."""
    if is_error(line):
        return isinstance(line.get("error"), dict)
    try:
        Report.from_dict(line)
    except (TypeError, KeyError, ValueError, AttributeError):
        return False
    return True


def _map_processes(paths: Sequence[str], workers: int, timeout: float | None) -> Iterator[Line]:
    """Analyse in worker processes; a file that kills its worker is retried alone, then recorded."""
    workers = min(workers, len(paths))
    if workers <= 1:
        yield from (analyze_file(p, timeout=timeout) for p in paths)
        return
    suspects: list[str] = []
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_worker_init)
    try:
        futures = {pool.submit(analyze_file, p, timeout=timeout): p for p in paths}
        for fut in as_completed(futures):
            try:
                yield fut.result()
            except BrokenProcessPool:
                suspects.append(futures[fut])
    except BaseException:  # Ctrl-C or an early stop: results still running would be thrown away
        _stop_workers(pool)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    for p in suspects:
        with ProcessPoolExecutor(max_workers=1, initializer=_worker_init) as one:
            try:
                yield one.submit(analyze_file, p, timeout=timeout).result()
            except BrokenProcessPool as exc:
                yield _crash_line(p, exc)


def _lock(fh: IO[str], part: Path) -> None:
    """One run per output: a second run on the same OUT would interleave its lines."""
    if fcntl is None:
        return
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        raise UsageError(
            str(part), f"another batch run is writing {part} (wait for it or use another -o)", code="E011"
        ) from exc


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """End the pool's processes now (the executor has no public way to abandon running calls)."""
    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        proc.terminate()


def _worker_init() -> None:
    """Workers leave Ctrl-C to the parent, which stops the run and keeps the progress file."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _map_dask(
    paths: Sequence[str], workers: int, scheduler: str | None, timeout: float | None
) -> Iterator[Line]:
    """The same map on dask.distributed: an existing scheduler, or a local cluster of processes."""
    from dask.distributed import Client, LocalCluster
    from dask.distributed import as_completed as dask_completed

    if scheduler:
        ctx: AbstractContextManager[Any] = nullcontext(None)
        try:
            client = Client(scheduler, timeout=DASK_CONNECT_TIMEOUT)
        except (OSError, TimeoutError, ValueError) as exc:
            raise UsageError(
                scheduler, f"cannot reach the dask scheduler at {scheduler}: {exc}", code=Errors.E012.name
            ) from exc
    else:
        ctx = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(ctx)
    with ctx, client:
        futures = client.map(partial(analyze_file, timeout=timeout), list(paths), pure=False)
        sources = {f.key: p for f, p in zip(futures, paths, strict=True)}
        for fut in dask_completed(futures):
            try:
                yield fut.result()
            except Exception as exc:  # a lost worker must not end the batch
                yield _crash_line(sources[fut.key], exc)


def _crash_line(path: str, exc: BaseException) -> Line:
    err = NlpPipelineError.from_catalogue(
        Errors.E010, path, detail=f"worker failed ({type(exc).__name__}: {exc})"
    )
    return {**err.to_dict(), "file": fingerprint(path)}


def _corpus_lines(lines: Sequence[Line], *, copies: bool) -> tuple[list[Line], list[str]]:
    """The corpus pass over output lines: a line whose report changed is re-serialised."""
    where = [i for i, line in enumerate(lines) if not is_error(line)]
    reports = [Report.from_dict(lines[i]) for i in where]
    updated, warnings = corpus_pass(reports, copies=copies)
    out = list(lines)
    for i, before, after in zip(where, reports, updated, strict=True):
        if after is not before:
            out[i] = updated_line(after, lines[i])
    return out, warnings


def summarize(lines: Iterable[Line]) -> tuple[int, int, dict[str, int], tuple[tuple[str, str], ...]]:
    """(analysed, failed, findings by rule, failures) over output lines."""
    analysed = failed = 0
    rules: Counter[str] = Counter()
    failures: list[tuple[str, str]] = []
    for line in lines:
        if is_error(line):
            failed += 1
            failures.append((line["source"], str(line["error"].get("message", ""))))
        else:
            analysed += 1
            rules.update(str(f.get("rule")) for f in line.get("findings") or ())
    return analysed, failed, dict(sorted(rules.items(), key=lambda kv: (-kv[1], kv[0]))), tuple(failures)


def _umask() -> int:
    """The process umask (read by setting it and putting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _write_jsonl(path: Path, lines: Iterable[Line]) -> None:
    """Write atomically (temp file + rename) so OUT is never half-written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; OUT is an ordinary user file
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            for line in lines:
                fh.write(json.dumps(line, ensure_ascii=False) + "\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def check_outputs(out: Path, db: Path | None, *, force: bool, resume: bool) -> None:
    """Refuse to overwrite earlier results unless asked to (``UsageError``, exit status 2)."""
    for p in (out, db):
        if p is not None and p.is_dir():
            raise UsageError.from_catalogue(Errors.E012, str(p), path=p, detail="it is a directory")
    if force or resume:
        return
    for p in (out, db):
        if p is not None and p.exists():
            raise UsageError.from_catalogue(Errors.E011, str(p), path=p)
    part = partial_path(out)
    if part.exists():
        raise UsageError(
            str(part),
            f"an interrupted run left {part} (use --resume to continue it or --force to start over)",
            code=Errors.E011.name,
        )


def run_batch(
    root: str | Path,
    out: str | Path,
    *,
    workers: int | None = None,
    force: bool = False,
    resume: bool = False,
    db: str | Path | None = None,
    engine: Engine = "processes",
    scheduler: str | None = None,
    copies: bool = True,
    timeout: float | None = DEFAULT_TIMEOUT,
    progress: ProgressHooks | None = None,
) -> BatchSummary:
    """Analyse every report under ``root`` into ``out`` (JSONL) and optionally ``db`` (DuckDB).

    Raises ``UsageError`` before doing anything when outputs exist and neither ``force`` nor
    ``resume`` is set, or when ``root`` is missing. Per-file failures never raise: they are
    error lines, counted in ``BatchSummary.failed``.
    """
    t0 = time.perf_counter()
    out_p = Path(out)
    db_p = Path(db) if db is not None else None
    n_workers = max(1, workers if workers is not None else (os.cpu_count() or 1))
    check_outputs(out_p, db_p, force=force, resume=resume)
    files = discover(root)
    done = _previous_results(out_p, files) if resume else {}
    todo = [str(p) for p in _largest_first(files) if _key(str(p)) not in done]
    part = partial_path(out_p)
    results: dict[str, Line] = dict(done)
    prog = progress or ProgressHooks()
    prog.start(len(todo))
    try:
        part.parent.mkdir(parents=True, exist_ok=True)
        fh = part.open("a", encoding="utf-8")
    except OSError as exc:
        raise output_error(part, exc) from exc
    with fh:
        _lock(fh, part)
        fh.seek(0)
        fh.truncate()
        for line in done.values():  # the progress file always holds every result so far
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")
        fh.flush()
        if todo:
            mapped = (
                _map_dask(todo, n_workers, scheduler, timeout)
                if engine == "dask"
                else _map_processes(todo, n_workers, timeout)
            )
            for line in mapped:
                results[_key(line["source"])] = line
                fh.write(json.dumps(line, ensure_ascii=False) + "\n")
                fh.flush()
                prog.advance(line["source"])
    ordered = [results[_key(str(p))] for p in files if _key(str(p)) in results]
    final, warnings = _corpus_lines(ordered, copies=copies)
    try:
        _write_jsonl(out_p, final)
    except OSError as exc:
        raise output_error(out_p, exc) from exc
    if db_p is not None:
        write_duckdb(final, db_p)
    part.unlink(missing_ok=True)
    analysed, failed, rules, failures = summarize(final)
    return BatchSummary(
        out=str(out_p),
        total=len(final),
        analysed=analysed,
        failed=failed,
        resumed=len(done),
        findings_by_rule=rules,
        failures=failures,
        warnings=tuple(warnings),
        seconds=time.perf_counter() - t0,
        workers=n_workers,
        engine=engine,
        db=str(db_p) if db_p is not None else None,
    )


