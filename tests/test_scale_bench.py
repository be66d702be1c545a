"""The scale benchmark's parts that decide its verdict (hand-built inputs, nothing timed), and the
texts table written in bounded chunks."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import duckdb
import pytest

from nlp_pipeline import study

from .conftest import load_script


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return load_script("benchmark.py", "benchmark_under_test")


def _line(root: str, name: str, *, similarity: float = 0.97, year: int = 2021) -> dict:
    return {
        "source": f"{root}/real/{name}",
        "year": year,
        "cells": {"apply.new.total": {"value": 12, "raw": "12"}},
        "findings": [{"rule": "copied_previous_year", "detail": {"source": f"{root}/real/prev.html",
                                                                   "similarity": similarity}}],
        "file": {"size": 10, "sha1": "ab"},
    }


def test_normalise_takes_only_the_corpus_folder_off(bench: ModuleType) -> None:
    line = _line("/tmp/a/scale-1000", "x.html")
    assert bench.normalise(line, "/tmp/a/scale-1000/") == {
        "source": "real/x.html",
        "year": 2021,
        "cells": {"apply.new.total": {"value": 12, "raw": "12"}},
        "findings": [{"rule": "copied_previous_year", "detail": {"source": "real/prev.html", "similarity": 0.97}}],
        "file": {"size": 10, "sha1": "ab"},
    }


def test_compare_real_counts_identical_and_names_each_difference(bench: ModuleType) -> None:
    def results(root: str, **kw: object) -> dict:
        out = {}
        for name in ("x.html", "y.txt"):
            line = _line(root, name, **kw) if name == "y.txt" else _line(root, name)
            out[f"real/{name}"] = {"line": bench.normalise(line, root + "/"), "body_year": {"body_id": "b"}}
        return out

    small = results("/tmp/a/scale-1000")
    assert bench.compare_real(small, results("/tmp/b/scale-100000")) == (2, 2, {})
    same, total, diffs = bench.compare_real(small, results("/tmp/b/scale-100000", similarity=0.91, year=2022))
    assert (same, total) == (1, 2)
    assert diffs == {
        "real/y.txt": [
            "line.findings[0].detail.similarity: 0.97 != 0.91",
            "line.year: 2021 != 2022",
        ]
    }
    del small["real/x.html"]
    assert bench.compare_real(small, results("/tmp/b/scale-100000"))[2] == {
        "real/x.html": ["only in the second run"]
    }


def test_diff_values_lists_and_types(bench: ModuleType) -> None:
    assert bench.diff_values({"a": [1, 2]}, {"a": [1, 2, 3]}) == ["a: 2 != 3 items; extra: [3]"]
    assert bench.diff_values({"v": 1}, {"v": 1.0}) == ["v: 1 != 1.0"]
    assert bench.diff_values({"v": None}, {}) == ["v: only in the first run: null"]


def test_template_cut_gives_back_the_sample(bench: ModuleType) -> None:
    text = "某市教育局2022年报告：2022年收到申请12件，2021年为9件，答复3次。"
    t = bench._cut(text, "某市教育局", 2022, ".txt")
    assert t.parts == ("", -1, "", -2, "报告：", -2, "收到申请", 12, "件，", -3, "为", 9, "件，答复", 3, "次。")
    slots = {-1: "某市教育局", -2: "2022年", -3: "2021年"}
    assert "".join(p if isinstance(p, str) else slots[p] if p < 0 else str(p) for p in t.parts) == text


def test_write_texts_in_chunks_keeps_every_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(study, "TEXTS_CHUNK", 2)
    con = duckdb.connect()
    con.execute("CREATE TABLE reports (source VARCHAR, text_length BIGINT)")
    expected = []
    for i in range(5):
        p = tmp_path / f"r{i}.txt"
        p.write_text(f"报告{i}", encoding="utf-8")
        con.execute("INSERT INTO reports VALUES (?, ?)", [str(p), 3 if i != 4 else 9])
        expected.append((str(p), f"报告{i}", i != 4))
    con.execute("INSERT INTO reports VALUES (?, 1)", [str(tmp_path / "gone.txt")])  # unreadable: no row
    study.write_texts(con)
    assert con.execute("SELECT * FROM texts ORDER BY source").fetchall() == expected
