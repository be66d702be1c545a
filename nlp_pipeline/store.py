"""The DuckDB store: one schema (``DB_SCHEMA``) and a writer that (re)builds the database.

Output lines (``Report.to_dict()`` plus ``file``, or error lines) are flattened into one row per
report, section, cell, finding, claim, statement and error. The database is built in a temporary
file and renamed into place, so readers never see half a database. Hooks (``DbHook``) receive the
open connection once the base tables are loaded, to add derived tables.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from . import study
from .errors import Errors, NlpPipelineError
from .study import related_source

Line = dict[str, Any]
DbHook = Callable[[Any], None]  # receives the open ``duckdb.DuckDBPyConnection``


def _is_error(line: Mapping[str, Any]) -> bool:
    return "error" in line


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
        for table, more in line_rows(line).items():
            rows[table] += more
    return rows


def line_rows(line: Line, *, cells: bool = True) -> dict[str, list[dict[str, Any]]]:
    """The rows one output line contributes to each table (pure); without ``cells`` the cells
    table gets none (the writer loads a line's cells in one piece, see ``_CellLoader``)."""
    rows: dict[str, list[dict[str, Any]]] = {t: [] for t in DB_SCHEMA}
    src = line["source"]
    if _is_error(line):
        rows["errors"].append({"source": src, **{k: line["error"].get(k) for k in ("code", "message")}})
        return rows
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
    if cells:
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
                "related_source": related_source(f),
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


DB_CHUNK_ROWS = 20_000  # rows of one table loaded at a time: bounds the writer's memory
DB_MEMORY_LIMIT = "256MB"  # DuckDB's own buffers while writing: the database does not grow into RAM


def write_duckdb(
    lines: Iterable[Line],
    path: str | Path,
    *,
    aliases: study.bodies.Aliases | str | Path | None = None,
    hooks: Sequence[DbHook] = (),
    texts: Path | None = None,
) -> dict[str, int]:
    """(Re)build the database at ``path`` from output lines; returns the row count per table.

    ``lines`` is consumed once, as a stream: rows go to per-table JSON-lines files that DuckDB
    bulk-loads (``read_json``) every ``DB_CHUNK_ROWS`` rows, so memory does not grow with the
    corpus. The study tables (bodies, body-years, texts, indicator views: ``study.finish_db``, with
    the user's ``aliases`` file) are then built, and any further ``hooks`` run on the open
    connection, before the rename. ``texts`` is a JSON-lines file of ``{"source", "text"}`` (the
    batch's workers wrote it): reports found there are not loaded again for the ``texts`` table.
    """
    import duckdb

    p = Path(path)
    try:
        return _build_db(lines, p, (partial(study.finish_db, aliases=aliases, texts=texts), *hooks))
    except (duckdb.Error, OSError) as exc:
        raise output_error(p, exc) from exc


class OutputError(NlpPipelineError):
    """An output file or the database cannot be written (the inputs were fine)."""

    code = Errors.E012.name


def output_error(path: Path, exc: BaseException) -> NlpPipelineError:
    return OutputError.from_catalogue(
        Errors.E012, str(path), path=path, detail=f"{type(exc).__name__}: {exc}"
    )


_ENCODE = json.JSONEncoder(ensure_ascii=False).encode  # one encoder: json.dumps with options builds one per call


class _Loader:
    """Buffers one table's rows in a JSON-lines file and loads them into DuckDB in chunks."""

    def __init__(self, con: Any, table: str, tmpdir: Path) -> None:
        self.con, self.table, self.cols = con, table, DB_SCHEMA[table]
        self.path = tmpdir / f"{table}.jsonl"
        self.fh = self.path.open("w", encoding="utf-8")
        self.pending = self.count = 0
        col_sql = ", ".join(f'"{c}" {t}' for c, t in self.cols.items())
        con.execute(f"CREATE TABLE {table} ({col_sql})")

    def add(self, rows: Iterable[Mapping[str, Any]]) -> None:
        cols = self.cols
        lines = [_ENCODE({c: r.get(c) for c in cols}) + "\n" for r in rows]
        self.fh.writelines(lines)
        self.pending += len(lines)
        if self.pending >= DB_CHUNK_ROWS:
            self.flush()

    def flush(self) -> None:
        self.fh.close()
        if self.pending:
            self._insert()
        self.count += self.pending
        self.pending = 0
        self.fh = self.path.open("w", encoding="utf-8")

    def _insert(self) -> None:
        """Load the rows buffered in ``self.path`` into the table."""
        spec = ", ".join(f"'{c}': '{t}'" for c, t in self.cols.items())
        self.con.execute(
            f"INSERT INTO {self.table} SELECT * FROM read_json(?, format='newline_delimited', columns={{{spec}}})",
            [str(self.path)],
        )

    def close(self) -> None:
        self.fh.close()


class _CellLoader(_Loader):
    """The cells table, the bulk of the rows (a couple of hundred per report): a line's cells are
    written as one JSON object, encoded in one call, and DuckDB reads it as a MAP and unnests it
    in the line's order (insertion order is kept: the writer runs on one thread), where one
    encoding per cell was most of the writer's time."""

    longest = 0  # characters of the longest object written since the last load

    def add_line(self, source: str, cells: Mapping[str, Any]) -> None:
        if not cells:
            return
        obj = _ENCODE({"source": source, "cells": cells})
        self.longest = max(self.longest, len(obj))
        self.fh.write(obj + "\n")
        self.pending += len(cells)
        if self.pending >= DB_CHUNK_ROWS:
            self.flush()

    def _insert(self) -> None:
        cell = ", ".join(f"{c} {t}" for c, t in self.cols.items() if c not in ("source", "id"))
        self.con.execute(
            f"INSERT INTO {self.table} SELECT source, e.key, e.value.value, e.value.raw, e.value.kind, "
            "e.value.origin FROM (SELECT source, unnest(map_entries(cells)) AS e "
            "FROM read_json(?, format='newline_delimited', maximum_object_size=?, "
            f"columns={{'source': 'VARCHAR', 'cells': 'MAP(VARCHAR, STRUCT({cell}))'}}))",
            # DuckDB's limit is in bytes; UTF-8 takes at most 4 per character
            [str(self.path), max(study.DUCKDB_OBJECT_DEFAULT, 4 * self.longest + 1)],
        )
        self.longest = 0


def _build_db(lines: Iterable[Line], p: Path, hooks: Sequence[DbHook]) -> dict[str, int]:
    import duckdb

    p.parent.mkdir(parents=True, exist_ok=True)
    tmp_db = p.with_name(p.name + ".tmp")
    tmp_db.unlink(missing_ok=True)
    Path(str(tmp_db) + ".wal").unlink(missing_ok=True)
    try:
        with tempfile.TemporaryDirectory(prefix="nlp_pipeline_db_") as tmpdir:
            con = duckdb.connect(str(tmp_db), config={"memory_limit": DB_MEMORY_LIMIT, "threads": 1})
            try:
                cell_loader = _CellLoader(con, "cells", Path(tmpdir))
                loaders = {t: cell_loader if t == "cells" else _Loader(con, t, Path(tmpdir)) for t in DB_SCHEMA}
                try:
                    for line in lines:
                        for table, rows in line_rows(line, cells=False).items():
                            loaders[table].add(rows)
                        if not _is_error(line):
                            cell_loader.add_line(line["source"], line.get("cells") or {})
                    for loader in loaders.values():
                        loader.flush()
                finally:
                    for loader in loaders.values():
                        loader.close()
                for hook in hooks:
                    hook(con)
            finally:
                con.close()
    except BaseException:  # a failed build leaves no half-written database file behind
        tmp_db.unlink(missing_ok=True)
        Path(str(tmp_db) + ".wal").unlink(missing_ok=True)
        raise
    os.replace(tmp_db, p)
    Path(str(tmp_db) + ".wal").unlink(missing_ok=True)
    return {t: loader.count for t, loader in loaders.items()}
