"""``nlp-pipeline export``: every table and the indicator views as Parquet or CSV files."""

from __future__ import annotations

from pathlib import Path

from .corpus import Corpus

# base tables, then the study views; texts are left out (large; the site shows them)
EXPORTED = (
    "reports", "sections", "cells", "findings", "claims", "problems", "errors",
    "bodies", "body_years", "report_indicators", "indicators", "problem_categories",
)


def export(db: str | Path, out: str | Path, *, fmt: str = "parquet") -> list[Path]:
    """Write one file per table into ``out``; CSV is UTF-8 with a BOM so Excel reads Chinese.

    List columns (cells, categories, variants) are joined with ``;`` in CSV and kept as lists
    in Parquet.
    """
    if fmt not in ("parquet", "csv"):
        raise ValueError(f"format must be parquet or csv, not {fmt!r}")
    out_dir = Path(out)
    written: list[Path] = []
    with Corpus(db) as corpus:  # opened first: a bad database must not leave an output folder
        out_dir.mkdir(parents=True, exist_ok=True)
        for table in EXPORTED:
            df = corpus.sql(f"SELECT * FROM {table}")
            path = out_dir / f"{table}.{fmt}"
            if fmt == "parquet":
                df.to_parquet(path, index=False)
            else:
                for col in df.columns:
                    if df[col].map(lambda v: hasattr(v, "__len__") and not isinstance(v, str)).any():
                        df[col] = df[col].map(
                            lambda v: None if v is None else ";".join(str(x) for x in v)
                        )
                df.to_csv(path, index=False, encoding="utf-8-sig")
            written.append(path)
    return written
