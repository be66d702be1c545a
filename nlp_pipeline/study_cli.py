"""The ``export`` and ``report`` subcommands (kept apart from cli.py's analyse/batch commands)."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import UsageError

if TYPE_CHECKING:
    from .bodies import Aliases


def aliases_file(text: str) -> Aliases:
    """argparse type of ``batch --aliases``: the file is read once, up front, so a bad alias file
    stops the run before hours of analysis, and the run uses this table (not a second read)."""
    from .bodies import read_aliases

    try:
        return read_aliases(text)
    except UsageError as exc:
        raise argparse.ArgumentTypeError(exc.reason) from None


def add_study_commands(sub: Any) -> None:
    ex = sub.add_parser(
        "export",
        help="write every table and the indicators of a batch database as Parquet or CSV",
        description="Write every table of RUN.duckdb and the indicator tables into DIR, one file each "
        "(CSV in UTF-8 with BOM so Excel opens Chinese correctly).",
    )
    ex.add_argument("db", metavar="RUN.duckdb", help="database written by `nlp-pipeline batch ... --db`")
    ex.add_argument("-o", "--out", required=True, metavar="DIR", help="output directory (created; files overwritten)")
    ex.add_argument(
        "--format", choices=("parquet", "csv"), default="parquet", help="parquet (default) or csv (UTF-8 with BOM)"
    )
    ex.set_defaults(subparser=ex, model=None)
    rp = sub.add_parser(
        "report",
        help="write a static HTML site (overview, body pages, report pages) from a batch database",
        description="Write a static site into SITE that opens from file:// with no network: "
        "index.html (corpus overview), bodies/*.html, reports/*.html.",
    )
    rp.add_argument("db", metavar="RUN.duckdb", help="database written by `nlp-pipeline batch ... --db`")
    rp.add_argument("-o", "--out", required=True, metavar="SITE", help="output directory of the site")
    rp.add_argument("--force", action="store_true", help="write into SITE even if it is not empty")
    rp.set_defaults(subparser=rp, model=None)


def cmd_export(args: argparse.Namespace) -> int:
    from .export import export

    written = export(args.db, args.out, fmt=args.format)
    print(f"wrote {len(written)} files to {args.out}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from .site import build_site

    out = Path(args.out)
    if out.is_file():
        raise UsageError(str(out), f"{out} is a file, not a directory")
    if out.is_dir() and any(out.iterdir()) and not args.force:
        raise UsageError(str(out), f"{out} is not empty (use --force to write into it)")
    t0 = time.perf_counter()
    n = build_site(args.db, out)
    print(f"wrote {n} pages to {out} in {time.perf_counter() - t0:.1f} s (open {out / 'index.html'})")
    return 0


STUDY_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {"export": cmd_export, "report": cmd_report}
