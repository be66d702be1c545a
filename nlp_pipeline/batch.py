"""Corpus runs: analyse every report under a directory in parallel, resumably, into JSONL and DuckDB.

The batch layer only maps ``analyze_file`` over files (processes or dask.distributed) and then
runs the corpus-level checks (copies across reports, a body's consecutive years) that need
every report at once. Output lines are ``Report.to_dict()`` or ``{"source", "error"}``, each
with a ``file`` fingerprint so an interrupted or extended run can be resumed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import signal
import stat
import sys
import tempfile
import threading
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import IO, Any, Literal

from . import crosschecks, problems, study
from .errors import Errors, NlpPipelineError, UsageError
from .loaders import SUFFIXES
from .pipeline import analyze_or_error
from .result import Finding, Report

try:
    import fcntl
except ImportError:  # not POSIX: runs on one OUT are not guarded against each other
    fcntl = None  # type: ignore[assignment]

Engine = Literal["processes", "dask"]
Line = dict[str, Any]
DEFAULT_TIMEOUT = 300.0  # seconds one file may take before it is recorded as failed
DASK_CONNECT_TIMEOUT = "20s"
CORPUS_PASS = "corpus"  # value of ``detail["pass"]`` on findings added by the corpus-level pass


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
    if with_sha1 and stat.S_ISREG(st.st_mode):  # a FIFO or /dev/zero would be read forever
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


def analyze_file(path: str, *, timeout: float | None = None) -> Line:
    """Worker: one file to one JSON-ready line. Never raises (errors become error lines).

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
    line = result.to_dict()
    line["source"] = path
    line["file"] = fingerprint(path)
    return line


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


def strip_corpus_pass(line: Line) -> Line:
    """A final-output line back to its per-file form, so the corpus pass can be re-run on it."""
    if is_error(line):
        return line
    d = dict(line)
    d["findings"] = [f for f in d.get("findings") or () if (f.get("detail") or {}).get("pass") != CORPUS_PASS]
    d["problems"] = [{**p, "copied_from": None} for p in d.get("problems") or ()]
    return d


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


def corpus_pass(lines: Sequence[Line], *, copies: bool = True) -> tuple[list[Line], list[str]]:
    """Checks that need several reports: copies (``problems.find_copies``) and each body's
    consecutive years (``crosschecks.check_previous``). Additions carry ``detail["pass"]``.

    Returns the updated lines (same order) and warnings for checks that could not run.
    """
    warnings: list[str] = []
    index = {i: Report.from_dict(line) for i, line in enumerate(lines) if not is_error(line)}
    updated = dict(index)
    find_copies = getattr(problems, "find_copies", None)
    if copies and callable(find_copies) and len(index) > 1:
        try:
            after = list(find_copies(list(index.values())))
        except Exception as exc:  # a corpus check's bug must not lose the per-file results
            warnings.append(f"find_copies failed: {type(exc).__name__}: {exc}")
        else:
            by_source = {r.source: r for r in after}
            for i, r in index.items():
                new = by_source.get(r.source)
                if new is not None:
                    updated[i] = _tag_new_findings(r, new)
    check_previous = getattr(crosschecks, "check_previous", None)
    if callable(check_previous):
        for cur_i, prev_i in consecutive_pairs(updated):
            cur, prev = updated[cur_i], updated[prev_i]
            try:
                extra = list(check_previous(cur, prev))
            except Exception as exc:
                warnings.append(f"check_previous failed on {cur.source}: {type(exc).__name__}: {exc}")
                continue
            if extra:
                tagged = tuple(_tag(f) for f in extra)
                updated[cur_i] = dataclasses.replace(cur, findings=(*cur.findings, *tagged))
    out: list[Line] = []
    for i, line in enumerate(lines):
        if i in updated and updated[i] is not index[i]:
            out.append({**updated[i].to_dict(), "file": line.get("file", {})})
        else:
            out.append(line)
    return out, warnings


def consecutive_pairs(reports: Mapping[int, Report]) -> list[tuple[int, int]]:
    """(current, previous) keys for reports of the same body one year apart.

    When a year has several files (the same report as HTML and PDF), each is paired with the
    previous year's file that has the most cells.
    """
    groups: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for k, r in reports.items():
        if r.agency and r.year is not None:
            groups[_body(r.agency)][r.year].append(k)
    pairs: list[tuple[int, int]] = []
    for years in groups.values():
        for year, keys in sorted(years.items()):
            prev = years.get(year - 1)
            if not prev:
                continue
            best = max(prev, key=lambda k: (len(reports[k].cells), -k))
            pairs += [(k, best) for k in keys]
    return pairs


def _body(agency: str) -> str:
    """Grouping key for a body: the same name whatever its spacing or full/half-width forms."""
    return "".join(unicodedata.normalize("NFKC", agency).split())


def _tag(f: Finding) -> Finding:
    return dataclasses.replace(f, detail={**f.detail, "pass": CORPUS_PASS})


def _tag_new_findings(before: Report, after: Report) -> Report:
    old = list(before.findings)
    findings: list[Finding] = []
    for f in after.findings:
        if f in old:
            old.remove(f)
            findings.append(f)
        else:
            findings.append(_tag(f))
    return dataclasses.replace(after, findings=tuple(findings))


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
    aliases: str | Path | None = None,
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
        raise _output_error(part, exc) from exc
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
    final, warnings = corpus_pass(ordered, copies=copies)
    try:
        _write_jsonl(out_p, final)
    except OSError as exc:
        raise _output_error(out_p, exc) from exc
    if db_p is not None:
        write_duckdb(final, db_p, aliases=aliases)
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


# --- DuckDB ---------------------------------------------------------------------------------

DB_SCHEMA: dict[str, dict[str, str]] = {
    "reports": {
        "source": "VARCHAR",
        "format": "VARCHAR",
        "agency": "VARCHAR",
        "year": "INTEGER",
        "published": "VARCHAR",
        "template": "VARCHAR",
        "text_length": "BIGINT",
        "n_sections": "INTEGER",
        "n_cells": "INTEGER",
        "n_findings": "INTEGER",
        "n_errors": "INTEGER",
        "n_claims": "INTEGER",
        "n_problems": "INTEGER",
        "file_size": "BIGINT",
        "file_sha1": "VARCHAR",
    },
    "sections": {
        "source": "VARCHAR",
        "id": "VARCHAR",
        "number": "VARCHAR",
        "heading": "VARCHAR",
        "start": "BIGINT",
        "end": "BIGINT",
    },
    "cells": {
        "source": "VARCHAR",
        "id": "VARCHAR",
        "value": "DOUBLE",
        "raw": "VARCHAR",
        "kind": "VARCHAR",
        "origin": "VARCHAR",
    },
    "findings": {
        "source": "VARCHAR",
        "idx": "INTEGER",
        "rule": "VARCHAR",
        "severity": "VARCHAR",
        "cells": "VARCHAR[]",
        "expected": "DOUBLE",
        "found": "DOUBLE",
        "expected_text": "VARCHAR",
        "found_text": "VARCHAR",
        "message": "VARCHAR",
        "claim_text": "VARCHAR",
        "start": "BIGINT",
        "end": "BIGINT",
        "pass": "VARCHAR",
        "related_source": "VARCHAR",
    },
    "claims": {
        "source": "VARCHAR",
        "idx": "INTEGER",
        "value": "DOUBLE",
        "unit": "VARCHAR",
        "qualifier": "VARCHAR",
        "metric": "VARCHAR",
        "is_change": "BOOLEAN",
        "section": "VARCHAR",
        "cells": "VARCHAR[]",
        "text": "VARCHAR",
        "start": "BIGINT",
        "end": "BIGINT",
        "flagged": "BOOLEAN",
    },
    "problems": {
        "source": "VARCHAR",
        "idx": "INTEGER",
        "kind": "VARCHAR",
        "text": "VARCHAR",
        "start": "BIGINT",
        "end": "BIGINT",
        "category": "VARCHAR",
        "categories": "VARCHAR[]",
        "vague": "BOOLEAN",
        "vague_reason": "VARCHAR",
        "copied_from": "VARCHAR",
        "copied_similarity": "DOUBLE",
        "copied_scope": "VARCHAR",
        "copied_text": "VARCHAR",
    },
    "errors": {
        "source": "VARCHAR",
        "code": "VARCHAR",
        "message": "VARCHAR",
    },
}


def _num(v: Any) -> float | None:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def _txt(v: Any) -> str | None:
    return None if v is None else str(v)


def db_rows(lines: Iterable[Line]) -> dict[str, list[dict[str, Any]]]:
    """Flatten output lines into the rows of each DuckDB table (pure; the schema is ``DB_SCHEMA``)."""
    rows: dict[str, list[dict[str, Any]]] = {t: [] for t in DB_SCHEMA}
    for line in lines:
        src = line["source"]
        if is_error(line):
            rows["errors"].append({"source": src, **{k: line["error"].get(k) for k in ("code", "message")}})
            continue
        findings = line.get("findings") or []
        claims = line.get("claims") or []
        flagged = {
            (f["claim"]["start"], f["claim"]["end"]) for f in findings if isinstance(f.get("claim"), dict)
        }
        fp = line.get("file") or {}
        rows["reports"].append(
            {
                "source": src,
                **{
                    k: line.get(k)
                    for k in ("format", "agency", "year", "published", "template", "text_length")
                },
                "n_sections": len(line.get("sections") or ()),
                "n_cells": len(line.get("cells") or {}),
                "n_findings": len(findings),
                "n_errors": sum(1 for f in findings if f.get("severity") == "error"),
                "n_claims": len(claims),
                "n_problems": len(line.get("problems") or ()),
                "file_size": fp.get("size"),
                "file_sha1": fp.get("sha1"),
            }
        )
        rows["sections"] += [
            {"source": src, **{k: s.get(k) for k in ("id", "number", "heading", "start", "end")}}
            for s in line.get("sections") or ()
        ]
        rows["cells"] += [
            {"source": src, "id": cid, **{k: c.get(k) for k in ("value", "raw", "kind", "origin")}}
            for cid, c in (line.get("cells") or {}).items()
        ]
        for i, f in enumerate(findings):
            claim = f.get("claim") or {}
            rows["findings"].append(
                {
                    "source": src,
                    "idx": i,
                    "rule": f.get("rule"),
                    "severity": f.get("severity"),
                    "cells": list(f.get("cells") or ()),
                    "expected": _num(f.get("expected")),
                    "found": _num(f.get("found")),
                    "expected_text": _txt(f.get("expected")),
                    "found_text": _txt(f.get("found")),
                    "message": f.get("message"),
                    "claim_text": claim.get("text"),
                    "start": claim.get("start", f.get("start")),
                    "end": claim.get("end", f.get("end")),
                    "pass": (f.get("detail") or {}).get("pass"),
                    "related_source": study.related_source(f),
                }
            )
        for i, c in enumerate(claims):
            rows["claims"].append(
                {
                    "source": src,
                    "idx": i,
                    **{k: c.get(k) for k in ("value", "unit", "qualifier", "metric", "is_change", "section")},
                    "cells": list(c.get("cells") or ()),
                    **{k: c.get(k) for k in ("text", "start", "end")},
                    "flagged": (c.get("start"), c.get("end")) in flagged,
                }
            )
        for i, p in enumerate(line.get("problems") or ()):
            cats = [c.get("label") for c in p.get("categories") or ()]
            cf = p.get("copied_from") or {}
            rows["problems"].append(
                {
                    "source": src,
                    "idx": i,
                    **{k: p.get(k) for k in ("kind", "text", "start", "end")},
                    "category": cats[0] if cats else None,
                    "categories": cats,
                    "vague": bool(p.get("vague")),
                    "vague_reason": p.get("vague_reason") or None,
                    "copied_from": cf.get("source"),
                    "copied_similarity": cf.get("similarity"),
                    "copied_scope": cf.get("scope"),
                    "copied_text": cf.get("text"),
                }
            )
    return rows


def write_duckdb(lines: Iterable[Line], path: str | Path, *, aliases: str | Path | None = None) -> dict[str, int]:
    """(Re)build the database at ``path`` from output lines; returns the row count per table.

    Rows go through a temporary JSON-lines file and ``read_json`` (bulk load, no pandas needed).
    """
    import duckdb

    p = Path(path)
    try:
        return _build_db(db_rows(lines), p, aliases=aliases)
    except (duckdb.Error, OSError) as exc:
        raise _output_error(p, exc) from exc


class OutputError(NlpPipelineError):
    """An output file or the database cannot be written (the inputs were fine)."""

    code = Errors.E012.name


def _output_error(path: Path, exc: BaseException) -> NlpPipelineError:
    return OutputError.from_catalogue(
        Errors.E012, str(path), path=path, detail=f"{type(exc).__name__}: {exc}"
    )


def _build_db(rows: Mapping[str, list[dict[str, Any]]], p: Path, *, aliases: str | Path | None = None) -> dict[str, int]:
    import duckdb

    p.parent.mkdir(parents=True, exist_ok=True)
    tmp_db = p.with_name(p.name + ".tmp")
    tmp_db.unlink(missing_ok=True)
    counts: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="nlp_pipeline_db_") as tmpdir:
        con = duckdb.connect(str(tmp_db))
        try:
            for table, cols in DB_SCHEMA.items():
                col_sql = ", ".join(f'"{c}" {t}' for c, t in cols.items())
                con.execute(f"CREATE TABLE {table} ({col_sql})")
                counts[table] = len(rows[table])
                if not rows[table]:
                    continue
                src = Path(tmpdir) / f"{table}.jsonl"
                with src.open("w", encoding="utf-8") as fh:
                    for r in rows[table]:
                        fh.write(json.dumps({c: r.get(c) for c in cols}, ensure_ascii=False) + "\n")
                spec = ", ".join(f"'{c}': '{t}'" for c, t in cols.items())
                con.execute(
                    f"INSERT INTO {table} SELECT * FROM read_json(?, format='newline_delimited', "
                    f"columns={{{spec}}})",
                    [str(src)],
                )
            study.finish_db(con, aliases=aliases)
        finally:
            con.close()
    os.replace(tmp_db, p)
    Path(str(tmp_db) + ".wal").unlink(missing_ok=True)
    return counts


def progress_bar(*, enabled: bool | None = None) -> tuple[ProgressHooks, AbstractContextManager[Any]]:
    """A rich progress bar on stderr when it is a terminal; silent callbacks otherwise."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        return ProgressHooks(), nullcontext()
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(
        TextColumn("[bold]analysing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.description}"),
        console=Console(stderr=True),
        transient=False,
    )
    task = bar.add_task("", total=None)
    return (
        ProgressHooks(
            start=lambda total: bar.update(task, total=total),
            advance=lambda source: bar.update(task, advance=1, description=Path(source).name),
        ),
        bar,
    )
