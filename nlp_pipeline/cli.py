"""The ``nlp-pipeline`` command: a thin argparse layer over ``runner``, ``corpus`` and ``render``.

Exit status: 0 when every input was analysed (findings do not change it), 1 when any input
failed, 2 for usage errors. Bad input never shows a traceback: the file and the reason go to
stderr (``analyze``) or into the JSONL (``batch``).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from . import __version__
from .corpus_pass import corpus_pass
from .errors import NlpPipelineError, UsageError
from .loaders.files import is_dir
from .pool import DEFAULT_MAX_MEMORY, parse_size
from .problem_classifier import MODEL_ENV
from .progress import progress_bar
from .render import inert, render_error, render_plain, render_rich, summary_lines
from .result import Report
from .runner import (
    DEFAULT_TIMEOUT,
    SUFFIXES,
    Engine,
    analyze_one,
    discover,
    result_line,
    run_batch,
    updated_line,
)
from .study_cli import STUDY_COMMANDS, add_study_commands, aliases_file

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

_DESCRIPTION = """\
Read Chinese government information-disclosure annual reports (政府信息公开工作年度报告):
find the six statutory sections, read 表二/表三/表四 into the official cell ids, check the
tables' arithmetic, extract the narrative's quantitative claims and check them against the
tables, and classify the problems reported in section 五.

exit status: 0 every input analysed (findings do not matter), 1 some input failed, 2 usage error.
"""

_ANALYZE_HELP = """\
Analyse the given reports (files, or directories searched recursively for {exts}) and print
one result per report. When several of them are the same body's consecutive years, the
year-on-year checks (this year's 上年结转 against last year's 结转下年度, ...) are applied too.

--format json: one JSON object per line (the contract in docs/contract.md); a file that
cannot be analysed gives {{"source": ..., "error": {{"code": ..., "message": ...}}}} on stdout
and a one-line reason on stderr.
--format text: a readable summary per report (coloured when stdout is a terminal).
"""

_BATCH_HELP = """\
Analyse every report under DIR (recursively; {exts}) in parallel and write one JSON line per
report to OUT, sorted by path: the same objects as `analyze --format json`, or an error object
for a file that could not be analysed (the batch goes on). After all files, a corpus-level pass
looks for section 五 text copied between reports and runs the year-on-year checks for each body.

Results are appended to OUT.partial while the run goes; an interrupted run continues with
--resume, which also keeps the lines of a finished OUT whose files are unchanged (same size and
mtime, or same sha1) and analyses only new or changed files.

A summary (analysed / failed / findings by rule) is printed at the end; a progress bar is shown
when stderr is a terminal.
"""


def build_parser() -> argparse.ArgumentParser:
    exts = "/".join(SUFFIXES)
    parser = argparse.ArgumentParser(
        prog="nlp-pipeline",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    an = sub.add_parser(
        "analyze",
        help="analyse reports and print one result per report",
        description=_ANALYZE_HELP.format(exts=exts),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    an.set_defaults(subparser=an)
    an.add_argument("paths", nargs="+", metavar="PATH", help="report files or directories")
    _add_model_option(an)
    _add_timeout_option(an)
    an.add_argument(
        "--format",
        choices=("json", "text"),
        default="json",
        help="json: one JSON object per line (default); text: a readable summary",
    )

    ba = sub.add_parser(
        "batch",
        help="analyse a directory of reports in parallel into JSONL (and DuckDB)",
        description=_BATCH_HELP.format(exts=exts),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ba.set_defaults(subparser=ba)
    ba.add_argument("dir", metavar="DIR", help="directory searched recursively for reports")
    ba.add_argument("-o", "--out", required=True, metavar="OUT.jsonl", help="JSON-lines output file")
    ba.add_argument(
        "--workers",
        type=_positive_int,
        default=None,
        metavar="N",
        help=f"parallel worker processes (default: number of CPUs, here {os.cpu_count() or 1})",
    )
    ba.add_argument("--force", action="store_true", help="overwrite OUT (and --db) if they exist")
    ba.add_argument(
        "--resume",
        action="store_true",
        help="keep results already in OUT / OUT.partial for unchanged files; analyse the rest",
    )
    ba.add_argument(
        "--db",
        metavar="OUT.duckdb",
        default=None,
        help="also write the results into a DuckDB database (tables: reports, sections, cells, "
        "findings, claims, problems, errors; rebuilt on every run)",
    )
    ba.add_argument(
        "--engine",
        choices=("processes", "dask"),
        default="processes",
        help="processes: a local process pool (default); dask: dask.distributed "
        "(a local cluster of N worker processes, or --scheduler)",
    )
    ba.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        default=None,
        help="dask scheduler address, e.g. tcp://10.0.0.5:8786 (implies --engine dask)",
    )
    _add_timeout_option(ba)
    ba.add_argument(
        "--max-memory",
        type=_size,
        default=DEFAULT_MAX_MEMORY,
        metavar="SIZE",
        help=f"memory one worker process may take beyond the shared models, e.g. 2GiB or 512M; a "
        f"file that needs more is recorded as failed (E010) and the batch goes on; 0 = no limit "
        f"(default {DEFAULT_MAX_MEMORY >> 20} MiB; processes engine only)",
    )
    ba.add_argument(
        "--no-copies",
        action="store_true",
        help="skip the corpus-wide search for section 五 text copied between reports",
    )
    ba.add_argument(
        "--progress",
        choices=("auto", "always", "never"),
        default="auto",
        help="progress bar on stderr: auto (only on a terminal, default), always, never",
    )
    _add_model_option(ba)
    ba.add_argument(
        "--aliases",
        metavar="ALIASES.csv",
        type=aliases_file,
        default=None,
        help="alias,canonical rows: agency names of renamed bodies, or path patterns for reports without one",
    )
    add_study_commands(sub)
    return parser


def _add_model_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--model",
        metavar="PATH",
        default=None,
        help=f"section 五 classifier to use instead of the bundled one (a .joblib written by "
        f"scripts/train_classifier.py); also read from ${MODEL_ENV}",
    )


def _add_timeout_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--timeout",
        type=_timeout,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"give up on a file after this long and record it as failed (E010); 0 = no limit "
        f"(default {DEFAULT_TIMEOUT:g}; not applied with --engine dask)",
    )


def _size(text: str) -> int:
    try:
        return parse_size(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _timeout(text: str) -> float:
    """Seconds: a positive finite number, or 0 for no limit (never inf, nan or negative)."""
    try:
        t = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(t) or t < 0:
        raise argparse.ArgumentTypeError(
            f"must be a positive number of seconds, or 0 for no limit: {text!r}"
        )
    return t


def _positive_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {n}")
    return n


def _check_chosen_model(args: argparse.Namespace) -> None:
    """A model the user chose (``--model`` or ``$NLP_PIPELINE_MODEL``) that cannot be loaded is a
    usage error at once, not a ``model_missing`` finding on every report of a run that exits 0."""
    chosen = os.environ.get(MODEL_ENV, "").strip()
    if not chosen or args.command not in ("analyze", "batch"):
        return
    from .errors import ModelError
    from .problem_classifier import load_model

    how = "--model" if args.model is not None else f"${MODEL_ENV}"
    try:
        load_model(Path(chosen))
    except ModelError as exc:
        args.subparser.error(f"{how}: cannot load the classifier model {chosen}: {exc.reason.split('; train it')[0]}")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``nlp-pipeline`` console script; returns the exit status."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:  # name the subcommand's options, not the top level's
        args.subparser.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.model is not None:
        if not Path(args.model).is_file():
            args.subparser.error(f"--model: not a file: {args.model}")
        os.environ[MODEL_ENV] = str(Path(args.model).resolve())  # inherited by worker processes
    _check_chosen_model(args)
    try:
        if args.command == "analyze":
            return cmd_analyze(args.paths, fmt=args.format, timeout=args.timeout or None)
        if args.command in STUDY_COMMANDS:
            return STUDY_COMMANDS[args.command](args)
        return cmd_batch(args)
    except UsageError as exc:
        print(inert(f"nlp-pipeline: error: {exc.reason}"), file=sys.stderr)
        return EXIT_USAGE
    except NlpPipelineError as exc:  # a library error that escaped a command: still no traceback
        print(inert(f"nlp-pipeline: error: {exc}"), file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:  # output piped into a reader that stopped early (e.g. head)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILED
    except OSError as exc:  # e.g. an unreadable input directory: a message, not a traceback
        print(inert(f"nlp-pipeline: error: {exc}"), file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        hint = (
            " (finished files are kept: run the same command with --resume)"
            if args.command == "batch"
            else ""
        )
        print(f"nlp-pipeline: interrupted{hint}", file=sys.stderr)
        return 130


def expand_paths(paths: Sequence[str]) -> tuple[list[str], list[str]]:
    """Files as given, directories replaced by the reports under them; and the empty directories."""
    out: list[str] = []
    empty: list[str] = []
    for p in paths:
        if is_dir(p):  # not Path.is_dir: it raises under an unreadable folder; load() then gives E014
            found = [str(f) for f in discover(p)]
            out += found
            if not found:
                empty.append(p)
        else:
            out.append(p)
    return out, empty


def cmd_analyze(
    paths: Sequence[str], *, fmt: str, timeout: float | None = DEFAULT_TIMEOUT, stdout: TextIO | None = None
) -> int:
    """Analyse each path, apply the year-on-year checks among them, print one result each."""
    out = stdout or sys.stdout
    files, empty = expand_paths(paths)
    for d in empty:
        print(
            inert(f"nlp-pipeline: {d}: no report files ({'/'.join(SUFFIXES)}) in this directory"),
            file=sys.stderr,
        )
    results = [analyze_one(p, timeout=timeout) for p in files]
    lines = [result_line(r, p) for r, p in zip(results, files, strict=True)]
    reports = [r for r in results if isinstance(r, Report)]
    updated, warnings = corpus_pass(reports, copies=False)
    changed = {id(before): after for before, after in zip(reports, updated, strict=True) if after is not before}
    for w in warnings:
        print(inert(f"nlp-pipeline: warning: {w}"), file=sys.stderr)
    failed = len(empty)
    console = None
    if fmt == "text" and out.isatty():
        from rich.console import Console

        console = Console(file=out)
    for result, line in zip(results, lines, strict=True):
        if not isinstance(result, Report):
            failed += 1
            print(f"nlp-pipeline: {render_error(line)}", file=sys.stderr)
            if fmt == "json":
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
            continue
        report = changed.get(id(result))
        if report is not None:
            line = updated_line(report, line)
        else:
            report = dataclasses.replace(result, source=line["source"])
        if fmt == "json":
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
        elif console is not None:
            for part in render_rich(report):
                console.print(part)
        else:
            out.write(render_plain(report) + "\n")
    out.flush()
    return EXIT_FAILED if failed else EXIT_OK


def cmd_batch(args: argparse.Namespace) -> int:
    engine: Engine = "dask" if args.scheduler else args.engine
    enabled = {"auto": None, "always": True, "never": False}[args.progress]
    progress, bar = progress_bar(enabled=enabled)
    if Path(args.dir).is_file():
        raise UsageError(
            args.dir,
            f"batch takes a directory, {args.dir} is a file (use `nlp-pipeline analyze FILE...` for files)",
        )
    if not Path(args.dir).is_dir():
        raise UsageError(args.dir, f"input directory not found: {args.dir}")
    if not discover(args.dir):
        print(
            inert(f"nlp-pipeline: {args.dir}: no report files ({'/'.join(SUFFIXES)}) in this directory"),
            file=sys.stderr,
        )
        return EXIT_FAILED
    with bar:
        summary = run_batch(
            args.dir,
            args.out,
            workers=args.workers,
            force=args.force,
            resume=args.resume,
            db=args.db,
            engine=engine,
            scheduler=args.scheduler,
            copies=not args.no_copies,
            timeout=args.timeout or None,
            max_memory=args.max_memory or None,
            progress=progress,
            aliases=args.aliases,
        )
    lines = summary_lines(
        total=summary.total,
        analysed=summary.analysed,
        failed=summary.failed,
        resumed=summary.resumed,
        findings_by_rule=summary.findings_by_rule,
        failures=summary.failures,
        warnings=summary.warnings,
        seconds=summary.seconds,
    )
    lines.append(f"wrote {summary.out}" + (f" and {summary.db}" if summary.db else ""))
    print("\n".join(lines))
    return EXIT_FAILED if summary.failed else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
