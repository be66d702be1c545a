"""Compatibility module: the batch layer now lives in ``runner`` (files, processes, resume),
``corpus_pass`` (checks across reports) and ``store`` (DuckDB). New code imports from those."""

from __future__ import annotations

from .runner import BatchSummary, analyze_file, discover, run_batch
from .store import DB_SCHEMA, write_duckdb

__all__ = ["DB_SCHEMA", "BatchSummary", "analyze_file", "discover", "run_batch", "write_duckdb"]
