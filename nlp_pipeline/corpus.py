"""Python access to a batch database as pandas DataFrames: ``corpus.open("run.duckdb")``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .errors import UsageError


class Corpus:
    """A read-only view of one batch database (tables from ``batch --db`` and the study views)."""

    def __init__(self, path: str | Path) -> None:
        import duckdb

        self.path = Path(path)
        if not self.path.is_file():
            raise UsageError(str(self.path), f"database not found: {self.path}")
        with self.path.open("rb") as fh:
            magic = fh.read(12)[8:12]
        if magic != b"DUCK":  # DuckDB's file signature; anything else would fail with a confusing message
            raise UsageError(
                str(self.path),
                f"not a DuckDB database: {self.path} (give the file written by `nlp-pipeline batch ... --db`)",
            )
        try:
            self.con = duckdb.connect(str(self.path), read_only=True)
        except duckdb.Error as exc:
            raise UsageError(str(self.path), f"not a readable DuckDB database: {self.path} ({exc})") from exc
        tables = {r[0] for r in self.con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        missing = {"reports", "cells", "findings", "bodies", "body_years", "indicators"} - tables
        if missing:
            self.con.close()
            raise UsageError(
                str(self.path),
                f"{self.path} lacks {', '.join(sorted(missing))}: rebuild it with this version's "
                "`nlp-pipeline batch ... --db`",
            )

    def sql(self, query: str, params: list[Any] | None = None) -> Any:
        """Run a query and return a pandas DataFrame."""
        return self.con.execute(query, params or []).df()

    def indicators(self) -> Any:
        """One row per body-year (its primary copy): body_id, agency, year, source, indicators."""
        return self.sql("SELECT * FROM indicators ORDER BY body_id, year")

    def report_indicators(self) -> Any:
        """One row per analysed report, duplicates included (``is_primary`` says which counts)."""
        return self.sql("SELECT * FROM report_indicators ORDER BY source")

    def reports(self) -> Any:
        return self.sql(
            "SELECT r.*, y.body_id, y.is_primary, y.assigned_by FROM reports r "
            "LEFT JOIN body_years y USING (source) ORDER BY source"
        )

    def cells(self) -> Any:
        return self.sql("SELECT * FROM cells ORDER BY source, id")

    def findings(self) -> Any:
        return self.sql("SELECT * FROM findings ORDER BY source, idx")

    def problems(self) -> Any:
        return self.sql("SELECT * FROM problems ORDER BY source, idx")

    def bodies(self) -> Any:
        return self.sql("SELECT * FROM bodies ORDER BY body_id")

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Corpus:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open(path: str | Path) -> Corpus:
    """Open a batch database written by ``nlp-pipeline batch ... --db``."""
    return Corpus(path)
