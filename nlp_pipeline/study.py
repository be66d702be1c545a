"""The corpus-study layer added to a batch database: report texts, bodies, indicator views.

``finish_db`` is the one hook the batch store calls after its tables are built, so that the
study tables do not depend on how the batch is organised.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from . import bodies, indicators, loaders
from .errors import NlpPipelineError


def related_source(finding: Mapping[str, Any]) -> str | None:
    """The other report a cross-year finding compares with: ``detail.previous`` (check_previous)
    or ``detail.source`` (find_copies)."""
    detail = finding.get("detail") or {}
    other = detail.get("previous") or detail.get("source")
    return str(other) if other else None


TEXTS_CHUNK = 256  # texts inserted at a time: the batch parent never holds the corpus's texts


def write_texts(con: Any, *, texts: Path | None = None) -> None:
    """``texts(source, text, complete)``: each analysed report's text as the loader read it, so the
    HTML report can show claims at their offsets without the original file.

    A report whose text the batch's worker handed over (``texts``, JSON lines of source and text)
    takes it from there, complete by construction. Any other report's file is read again;
    ``complete`` is then false when the file changed since the analysis (its text length
    differs), and a file that cannot be read has no row. Rows go in ``TEXTS_CHUNK`` at a time
    and DuckDB streams the handed-over file (one line per source: no grouping or sorting of the
    texts), so memory does not grow with the corpus."""
    con.execute("DROP TABLE IF EXISTS texts")
    con.execute("CREATE TABLE texts (source VARCHAR, text VARCHAR, complete BOOLEAN)")
    if texts is not None and texts.is_file() and texts.stat().st_size:
        con.execute(
            "INSERT INTO texts SELECT source, text, true FROM read_json(?, format='newline_delimited', "
            f"columns={{'source': 'VARCHAR', 'text': 'VARCHAR'}}, maximum_object_size={TEXT_LINE_MAX}) "
            "WHERE source IN (SELECT source FROM reports)",
            [str(texts)],
        )
    rows: list[tuple[str, str, bool]] = []
    todo = con.execute(
        "SELECT source, text_length FROM reports WHERE source NOT IN (SELECT source FROM texts) ORDER BY source"
    ).fetchall()
    for source, length in todo:
        try:
            text = loaders.load(source).text
        except (NlpPipelineError, OSError):
            continue
        rows.append((source, text, len(text) == length))
        if len(rows) >= TEXTS_CHUNK:
            _insert_texts(con, rows)
            rows = []
    _insert_texts(con, rows)


DUCKDB_OBJECT_DEFAULT = 16 << 20  # bytes: DuckDB read_json's maximum_object_size when not set
TEXT_LINE_MAX = DUCKDB_OBJECT_DEFAULT  # bytes of one handed-over line (DuckDB buffers twice that)


def _insert_texts(con: Any, rows: list[tuple[str, str, bool]]) -> None:
    if rows:
        import pandas as pd

        df = pd.DataFrame(rows, columns=["source", "text", "complete"])  # noqa: F841 (read by DuckDB)
        con.execute("INSERT INTO texts SELECT * FROM df")


def finish_db(
    con: Any, *, aliases: bodies.Aliases | str | Path | None = None, texts: Path | None = None
) -> None:
    """Add ``texts``, ``bodies``, ``body_years`` and the indicator views to a batch database."""
    write_texts(con, texts=texts)
    bodies.write_bodies(con, aliases=bodies.load_aliases(aliases))
    indicators.create_views(con)
