"""The batch runner: find the reports under a directory, analyse them in parallel and resumably.

``run_batch`` maps ``encoded_line`` (``analyze_file``, encoded in the worker) over the files (a process pool or dask.distributed),
appends each result to OUT.partial as it arrives, then runs the corpus pass (``corpus``) and
writes OUT (JSONL) and optionally the DuckDB store (``store``). Output lines are
``Report.to_dict()`` or ``{"source", "error"}``, each with a ``file`` fingerprint so an
interrupted or extended run can be resumed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import signal
import stat
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Literal

from . import bodies, pool, study
from .corpus_pass import CorpusPass, assign_bodies, group_by_body, strip_corpus_pass
from .errors import Errors, NlpPipelineError, UsageError
from .loaders import SUFFIXES  # the loaders' list: what can be read is what is found
from .pipeline import analyze_with_text
from .result import Report
from .store import output_error, write_duckdb

Engine = Literal["processes", "dask"]
Line = dict[str, Any]
DEFAULT_TIMEOUT = 300.0  # seconds one file may take before it is recorded as failed


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
    """Every report file under ``root`` (recursively), by extension, in a stable order.

    Nothing is skipped silently: an entry with a report suffix that is not a regular file (a
    FIFO, a dangling link) and a folder that cannot be listed are returned too, so that the run
    records each with its error code (E013, E001, E014) instead of leaving it out.
    """
    base = Path(root)
    if base.is_file():
        return [base]
    if not base.is_dir():
        raise UsageError(str(base), "input directory not found", code=Errors.E001.name)
    found: list[Path] = []

    def unlisted(exc: OSError) -> None:
        if exc.filename is not None:
            found.append(Path(exc.filename))

    for folder, subfolders, names in os.walk(base, onerror=unlisted):
        subfolders[:] = [n for n in subfolders if not _hidden(Path(n))]
        found += [
            Path(folder) / n for n in names if Path(n).suffix.lower() in SUFFIXES and not _hidden(Path(n))
        ]
    return sorted(found)


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


_OOM = Errors.E010.value.format(detail="MemoryError")


class _Timeout(BaseException):
    """Raised by the alarm inside a worker; a BaseException so no stage's ``except Exception`` eats it."""


def analyze_one(path: str, *, timeout: float | None = None) -> Report | NlpPipelineError:
    """One file to a ``Report`` or the coded error; never raises. The library call behind both
    ``analyze`` and ``batch``.

    ``timeout`` (seconds) stops a file that hangs the parser; it needs the main thread of a
    POSIX process (pool workers, the in-process path) and is ignored elsewhere (dask threads).
    """
    return _analyze(path, timeout)[0]


def _analyze(path: str, timeout: float | None) -> tuple[Report | NlpPipelineError, str | None]:
    """``analyze_one`` and the report's text (None with an error)."""
    result: Report | NlpPipelineError
    text: str | None = None
    pool.crash_for_tests(path)
    try:
        with _deadline(timeout):
            result, text = analyze_with_text(path)
    except _Timeout:
        result = NlpPipelineError.from_catalogue(
            Errors.E010, path, detail=f"gave up after {timeout or 0:g} s (see --timeout)"
        )
    except MemoryError:
        result = pool.memory_error(path, pool.worker_memory_limit())
    if isinstance(result, NlpPipelineError) and result.reason.startswith(_OOM):  # caught by the pipeline
        result = pool.memory_error(path, pool.worker_memory_limit())
    return result, text if isinstance(result, Report) else None


def result_line(result: Report | NlpPipelineError, path: str) -> Line:
    """The JSON-ready output line of one file: the result, its ``source`` as given, its fingerprint."""
    line = result.to_dict()
    line["source"] = path
    line["file"] = fingerprint(path)
    return line


_BULKY: dict[str, Any] = {"cells": {}, "sections": (), "claims": ()}  # fields no corpus check rewrites today


def updated_line(report: Report, line: Mapping[str, Any], *, before: Report | None = None) -> Line:
    """The output line of a report the corpus pass changed (keeps the file's fingerprint).

    With ``before`` (the report ``line`` was read into), a bulky field that is still the same
    object is copied from ``line`` instead of being serialised again (hundreds of cells).
    """
    if before is None:
        return {**report.to_dict(), "file": line.get("file", {})}
    same = {k: v for k, v in _BULKY.items() if getattr(report, k) is getattr(before, k)}
    d = dataclasses.replace(report, **same).to_dict()
    for k in same:
        d[k] = line[k]
    return {**d, "file": line.get("file", {})}


ENCODED_KEY = "_json"  # an encoded line: the whole line as JSON, beside the few fields the parent reads
TEXT_ENTRY_KEY = "_text_json"  # an encoded line's text, as its line of the texts file


def analyze_file(path: str, *, timeout: float | None = None) -> Line:
    """One file to one JSON-ready line. Never raises (errors become error lines)."""
    return result_line(analyze_one(path, timeout=timeout), path)


def encoded_line(path: str, *, timeout: float | None = None, keep_text: bool = False) -> Line:
    """Worker: ``analyze_file`` with the encoding done here. The line comes back as its JSON text
    (``ENCODED_KEY``) with only what the parent reads beside it, so the parent, which shares the
    cores with the workers, neither unpickles a report's cells nor encodes them. With
    ``keep_text`` a report's text comes too, as its line of the texts file (``TEXT_ENTRY_KEY``),
    which the parent writes there (``_Spool``) for the database."""
    result, text = _analyze(path, timeout)
    line = result_line(result, path)
    out: Line = {k: line[k] for k in ("source", "agency", "year", "error") if k in line}
    out[ENCODED_KEY] = json.dumps(line, ensure_ascii=False)
    if keep_text and text is not None:
        out[TEXT_ENTRY_KEY] = json.dumps({"source": path, "text": text}, ensure_ascii=False)
    return out


@contextmanager
def _deadline(seconds: float | None) -> Iterator[None]:
    usable = (
        seconds is not None
        and seconds > 0
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable or seconds is None:
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


def iter_lines(path: Path) -> Iterator[Line]:
    """The JSON lines of an output file, one at a time; a torn last line (interrupted write) is skipped."""
    return (line for _, _, line in _scan(path) if line is not None)


def _scan(path: Path) -> Iterator[tuple[int, bytes, Line | None]]:
    """(offset, raw line, the line parsed) of each output line of ``path``; the parsed line is
    None for a line that is not a result (torn or foreign)."""
    if not path.is_file():
        return
    with path.open("rb") as fh:
        off = 0
        for raw in fh:
            line = None
            if raw.endswith(b"\n"):
                try:
                    obj = json.loads(raw)
                except (json.JSONDecodeError, UnicodeDecodeError):
                    pass
                else:
                    if isinstance(obj, dict) and isinstance(obj.get("source"), str):
                        line = obj
            yield off, raw, line
            off += len(raw)


def _key(source: str) -> str:
    return os.path.normcase(os.path.abspath(source))


def _previous_results(out: Path, files: Sequence[Path]) -> dict[str, tuple[Path, int, int]]:
    """Where (file, offset, length) the lines of OUT and its progress file are whose source is
    still under DIR and unchanged; a line of the progress file wins (it is newer)."""
    wanted = {_key(str(p)): p for p in files}
    kept: dict[str, tuple[Path, int, int]] = {}
    for path in (out, partial_path(out)):
        for off, raw, line in _scan(path):
            if line is None:
                continue
            k = _key(line["source"])
            if k in wanted and unchanged(line, wanted[k]) and _readable(line):
                kept[k] = (path, off, len(raw))
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


def _read_at(path: Path, off: int, n: int) -> bytes:
    with path.open("rb") as fh:
        fh.seek(off)
        return fh.read(n)


@dataclass(frozen=True, slots=True)
class _Entry:
    """What the parent keeps of one stored result: where it is and how to group it."""

    offset: int
    length: int
    source: str
    agency: str | None
    year: int | None
    error: str | None  # the message of an error line


class _Spool:
    """OUT.partial: every result so far, one JSON line each, appended and flushed as it arrives.

    Only ``_Entry`` records stay in memory; lines are read back by offset when needed.
    """

    def __init__(self, path: Path, *, texts: Path | None = None) -> None:
        self.path = path
        self.entries: dict[str, _Entry] = {}
        fresh = path.with_name(path.name + ".new")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.fh = fresh.open("wb")
        except OSError as exc:
            raise output_error(path, exc) from exc
        self.fresh: Path | None = fresh
        self.offset = 0
        pool.keep_from_workers(self.fh.fileno())
        self.texts = None
        if texts is not None:
            try:
                self.texts = texts.open("wb")
            except OSError as exc:
                self.close()
                raise output_error(texts, exc) from exc
            pool.keep_from_workers(self.texts.fileno())

    def append(self, line: Line) -> None:
        """Store a line: a plain one, or one a worker encoded (``encoded_line``)."""
        text_entry = line.pop(TEXT_ENTRY_KEY, None)
        if text_entry is not None and self.texts is not None:
            entry = (text_entry + "\n").encode("utf-8")
            if len(entry) < study.TEXT_LINE_MAX:  # a longer one is read from its file again
                self.texts.write(entry)
        encoded = line.pop(ENCODED_KEY, None)
        raw = ((encoded if encoded is not None else json.dumps(line, ensure_ascii=False)) + "\n").encode("utf-8")
        self.fh.write(raw)
        self.fh.flush()
        err = line.get("error")
        self.entries[_key(line["source"])] = _Entry(
            self.offset,
            len(raw),
            line["source"],
            line.get("agency"),
            line.get("year"),
            str(err.get("message", "")) if isinstance(err, dict) else None,
        )
        self.offset += len(raw)

    def publish(self) -> None:
        """Put the rewritten progress file (the resumed lines) in place of the old one."""
        if self.fresh is not None:
            os.replace(self.fresh, self.path)
            self.fresh = None

    def close_texts(self) -> None:
        if self.texts is not None and not self.texts.closed:
            pool.release_from_workers(self.texts.fileno())
            self.texts.close()

    def close(self) -> None:
        pool.release_from_workers(self.fh.fileno())
        self.fh.close()
        self.close_texts()
        if self.fresh is not None:
            self.fresh.unlink(missing_ok=True)


def _stream_corpus_pass(
    spool: _Spool, order: Sequence[_Entry], *, copies: bool, scratch: Path, aliases: bodies.Aliases | None = None
) -> tuple[dict[int, tuple[int, int]], list[str], Counter[str]]:
    """The corpus pass from the stored results, one body at a time, in this process.

    First every report's section 五 statements go into the copy index (only their texts and
    sketches are kept), then each body's reports are loaded together, marked and paired year
    with year; changed lines go to ``scratch``. Returns where each changed line is (by position
    in ``order``), the warnings, and the findings by rule over the final reports.

    Not shared out among worker processes: each would need the whole copy index, which grows
    with the corpus (forked late, a worker counts the parent's memory as its own; forked early
    and handed the index, a worker of a 100,000-report run reached 451 MiB), for 6-11% of the
    run's time.
    """
    run = CorpusPass(copies=copies, n_reports=sum(e.error is None for e in order))
    body_of = assign_bodies(((i, e.agency, e.source) for i, e in enumerate(order) if e.error is None), aliases=aliases)
    moved: dict[int, tuple[int, int]] = {}
    rules: Counter[str] = Counter()
    with spool.path.open("rb") as src:
        if run.index is not None:
            for i, e in enumerate(order):
                if e.error is None:
                    src.seek(e.offset)
                    run.add(_statements_only(src.read(e.length), e), body=body_of[i])
        with scratch.open("wb") as dst:
            for body, keys in group_by_body(body_of).items():
                changed, body_rules = _pass_body(run, src, order, body, keys)
                rules.update(body_rules)
                for k, raw in changed:
                    moved[k] = (dst.tell(), len(raw))
                    dst.write(raw)
    return moved, run.warnings, rules


def _pass_body(
    run: CorpusPass, src: Any, order: Sequence[_Entry], body: str, keys: Sequence[int]
) -> tuple[list[tuple[int, bytes]], Counter[str]]:
    """One body's part of the corpus pass: its stored lines in, its changed lines (encoded) and
    the rules of its final findings out."""
    loaded = {}
    for k in keys:
        e = order[k]
        src.seek(e.offset)
        text = src.read(e.length).decode("utf-8")
        loaded[k] = (text, *parse_line(text))
    # sections and claims are not rebuilt: no corpus check reads them (``_BULKY``)
    reports = {k: Report.from_dict({**ln, "sections": (), "claims": ()}) for k, (_, ln, _) in loaded.items()}
    changed = run.run_body(reports, body=body)
    out: list[tuple[int, bytes]] = []
    rules: Counter[str] = Counter()
    for k, r in reports.items():
        final = changed.get(k, r)
        rules.update(str(f.rule) for f in final.findings)
        if k in changed:
            text, line, spans = loaded[k]
            new = updated_line(final, line, before=r)
            out.append((k, (encode_line(new, like=line, text=text, spans=spans) + "\n").encode()))
    return out, rules


_WS = re.compile(r"[ \t\n\r]*")


def _skip_ws(text: str, i: int) -> int:
    return _WS.match(text, i).end()  # type: ignore[union-attr]  # the pattern matches the empty string


def parse_line(text: str) -> tuple[Line, dict[str, tuple[int, int]]]:
    """``json.loads`` of a stored line (a JSON object), value by value, with where each
    top-level value stands in ``text``: a field the corpus pass copies unchanged is written back
    as the stored text (``encode_line``) instead of being encoded again."""
    obj: Line = {}
    spans: dict[str, tuple[int, int]] = {}
    i = _skip_ws(text, 0)
    if text[i : i + 1] != "{":
        return json.loads(text), {}  # not an object: json's own error or value, no spans
    i = _skip_ws(text, i + 1)
    while text[i : i + 1] == '"':
        key, i = _DECODER.raw_decode(text, i)
        i = _skip_ws(text, i)
        if text[i : i + 1] != ":":
            break
        i = _skip_ws(text, i + 1)
        obj[key], end = _DECODER.raw_decode(text, i)
        spans[key] = (i, end)
        i = _skip_ws(text, end)
        if text[i : i + 1] == ",":
            i = _skip_ws(text, i + 1)
        elif text[i : i + 1] == "}" and _skip_ws(text, i + 1) == len(text):
            return obj, spans
        else:
            break
    return json.loads(text), {}  # anything unusual: parsed as before, encoded whole


_ENCODE = json.JSONEncoder(ensure_ascii=False).encode


def encode_line(line: Line, *, like: Line, text: str, spans: Mapping[str, tuple[int, int]]) -> str:
    """``json.dumps(line, ensure_ascii=False)``, with each value that is the very object parsed
    from ``like`` (``parse_line`` of ``text``) copied from ``text``: the stored lines were written
    by the same encoder, so its text is what encoding the value again would give."""
    parts = []
    for key, value in line.items():
        span = spans.get(key)
        if span is not None and value is like.get(key):
            parts.append(f"{_ENCODE(key)}: {text[span[0] : span[1]]}")
        else:
            parts.append(f"{_ENCODE(key)}: {_ENCODE(value)}")
    return "{" + ", ".join(parts) + "}"


_PROBLEMS_KEY = ', "problems": '
_DECODER = json.JSONDecoder()


def _statements_only(raw: bytes, entry: _Entry) -> Report:
    """A stored line as the copy index reads it: source, agency, year (from its ``_Entry``) and
    the statements. Only the top-level ``problems`` value is parsed, where its key stands: the
    last such key of the line (only ``text_length`` and ``file`` follow it) and never text, since
    a quote inside a JSON string is escaped. A line without it is parsed whole. Each body's
    reports are rebuilt afterwards (``_pass_body``: all but sections and claims), one body at a time."""
    text = raw.decode("utf-8")
    at = text.rfind(_PROBLEMS_KEY)
    if at < 0:
        problems = json.loads(text).get("problems") or []
    else:
        problems = _DECODER.raw_decode(text, at + len(_PROBLEMS_KEY))[0]
    return Report.from_dict(
        {"source": entry.source, "format": "", "agency": entry.agency, "year": entry.year, "problems": problems}
    )


def _umask() -> int:
    """The process umask (read by setting it and putting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _write_raw(path: Path, lines: Iterable[bytes]) -> None:
    """Write atomically (temp file + rename) so OUT is never half-written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; OUT is an ordinary user file
        with os.fdopen(fd, "wb") as fh:
            for raw in lines:
                fh.write(raw)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _crash_line(path: str, exc: BaseException) -> Line:
    return pool.crash_line(path, exc, fingerprint(path))


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
    max_memory: int | None = pool.DEFAULT_MAX_MEMORY,
    progress: ProgressHooks | None = None,
    aliases: bodies.Aliases | str | Path | None = None,
) -> BatchSummary:
    """Analyse every report under ``root`` into ``out`` (JSONL) and optionally ``db`` (DuckDB).

    Raises ``UsageError`` before doing anything when outputs exist and neither ``force`` nor
    ``resume`` is set, when ``root`` is missing, or when another run holds OUT or the database.
    Per-file failures never raise: they are error lines, counted in ``BatchSummary.failed``.
    The parent's memory does not grow with the corpus: results live in OUT.partial and only a
    few fields per file are kept (see ``_Spool``, ``_stream_corpus_pass``, ``store``).
    """
    t0 = time.perf_counter()
    out_p = Path(out)
    db_p = Path(db) if db is not None else None
    alias_table = bodies.load_aliases(aliases)  # read once, before any work: a bad file stops here
    n_workers = max(1, workers if workers is not None else (os.cpu_count() or 1))
    part = partial_path(out_p)
    with ExitStack() as stack:
        stack.enter_context(pool.RunLock(pool.lock_path(out_p), what=str(out_p)))
        if db_p is not None:
            stack.enter_context(pool.RunLock(pool.lock_path(db_p), what=str(db_p)))
        check_outputs(out_p, db_p, force=force, resume=resume)
        stack.enter_context(pool.stop_on_signals())
        files = discover(root)
        done = _previous_results(out_p, files) if resume else {}
        todo = [str(p) for p in _largest_first(files) if _key(str(p)) not in done]
        prog = progress or ProgressHooks()
        prog.start(len(todo))
        texts = None
        if db_p is not None:  # the workers hand each report's text over for the database
            texts = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="nlp_pipeline_texts_"))) / "t.jsonl"
        spool = _Spool(part, texts=texts)
        stack.callback(spool.close)
        for path, off, n in done.values():  # the progress file always holds every result so far
            spool.append(strip_corpus_pass(json.loads(_read_at(path, off, n))))
        spool.publish()
        if todo:
            for line in _map(todo, n_workers, engine, scheduler, timeout, max_memory, keep_text=texts is not None):
                spool.append(line)
                prog.advance(line["source"])
        order = [spool.entries[k] for k in (_key(str(p)) for p in files) if k in spool.entries]
        scratch = stack.enter_context(tempfile.TemporaryDirectory(prefix="nlp_pipeline_corpus_"))
        moved, warnings, rules = _stream_corpus_pass(
            spool,
            order,
            copies=copies,
            scratch=Path(scratch) / "c",
            aliases=alias_table,
        )

        def final_lines() -> Iterator[bytes]:
            with spool.path.open("rb") as src, (Path(scratch) / "c").open("rb") as upd:
                for i, e in enumerate(order):
                    f, (off, n) = (upd, moved[i]) if i in moved else (src, (e.offset, e.length))
                    f.seek(off)
                    yield f.read(n)

        try:
            _write_raw(out_p, final_lines())
        except OSError as exc:
            raise output_error(out_p, exc) from exc
        if db_p is not None:
            spool.close_texts()
            write_duckdb(iter_lines(out_p), db_p, aliases=alias_table, texts=texts)
        part.unlink(missing_ok=True)
    failures = tuple((e.source, e.error) for e in order if e.error is not None)
    return BatchSummary(
        out=str(out_p),
        total=len(order),
        analysed=len(order) - len(failures),
        failed=len(failures),
        resumed=len(done),
        findings_by_rule=dict(sorted(rules.items(), key=lambda kv: (-kv[1], kv[0]))),
        failures=failures,
        warnings=tuple(warnings),
        seconds=time.perf_counter() - t0,
        workers=n_workers,
        engine=engine,
        db=str(db_p) if db_p is not None else None,
    )


def _map(
    todo: Sequence[str],
    workers: int,
    engine: Engine,
    scheduler: str | None,
    timeout: float | None,
    max_memory: int | None,
    *,
    keep_text: bool = False,
) -> Iterator[Line]:
    task = partial(encoded_line, timeout=timeout, keep_text=keep_text)
    if engine == "dask":
        return pool.map_dask(task, todo, workers, scheduler, on_crash=_crash_line)
    if min(workers, len(todo)) <= 1:
        return (task(p) for p in todo)
    return pool.map_processes(task, todo, min(workers, len(todo)), max_memory=max_memory, on_crash=_crash_line)
