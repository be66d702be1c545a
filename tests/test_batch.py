"""Batch layer: discovery, per-file lines, resume, refusing to overwrite, corpus pass, DuckDB."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import time
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest

from nlp_pipeline import bodies, copies, loaders, result, runner, store, study
from nlp_pipeline import corpus_pass as corpus_mod
from nlp_pipeline.corpus_pass import CORPUS_PASS, consecutive_pairs, corpus_pass, strip_corpus_pass
from nlp_pipeline.errors import NlpPipelineError, UsageError
from nlp_pipeline.pipeline import analyze_path
from nlp_pipeline.result import CellValue, Finding, ProblemStatement, Report
from nlp_pipeline.runner import discover, partial_path, run_batch, unchanged
from nlp_pipeline.schema import SECTIONS, application_rows
from nlp_pipeline.store import db_rows

from .conftest import REAL, ROOT, require_shared


def report_text(*, agency: str = "示例市测试局", year: int = 2024, new: int = 5, granted: int = 3) -> str:
    """A small made-up 2021-format report: six headings, 表三 as pipe rows, a little narrative."""
    heads = [h for _, h in SECTIONS]
    unable = new - granted
    table = ["| 项目 | 自然人 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 总计 |"]
    for r in application_rows("2021"):
        n = {"apply.new": new, "apply.granted": granted, "apply.unable.not_held": unable}.get(r.id, 0)
        n = new if r.id == "apply.total_processed" else n
        table.append(f"| {r.group} {r.label} | {n} | 0 | 0 | 0 | 0 | 0 | {n} |")
    return "\n".join(
        [
            f"{agency}{year}年政府信息公开工作年度报告",
            heads[0],
            f"本年度我局共收到政府信息公开申请{new}件，均按时答复。",
            heads[1],
            "本年度主动公开各类信息若干条。",
            heads[2],
            *table,
            heads[3],
            "本年度未发生政府信息公开行政复议和行政诉讼。",
            heads[4],
            "一是公开内容还不够全面。二是将加强培训。",
            heads[5],
            "本年度未收取信息处理费。",
            "",
        ]
    )


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    d = tmp_path / "in"
    (d / "sub").mkdir(parents=True)
    (d / "a-2023.txt").write_text(report_text(year=2023, new=4, granted=2), encoding="utf-8")
    (d / "sub" / "a-2024.txt").write_text(report_text(year=2024), encoding="utf-8")
    (d / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    (d / "notes.csv").write_text("ignored,by,extension\n", encoding="utf-8")
    (d / "~$lock.docx").write_bytes(b"\x00")  # Word lock file
    (d / ".hidden").mkdir()
    (d / ".hidden" / "x.txt").write_text("skipped", encoding="utf-8")
    return d


def read_jsonl(p: Path) -> list[dict]:
    return [json.loads(x) for x in p.read_text(encoding="utf-8").splitlines()]


def test_discover_by_extension_recursively(corpus: Path) -> None:
    assert [p.relative_to(corpus).as_posix() for p in discover(corpus)] == [
        "a-2023.txt",
        "broken.pdf",
        "sub/a-2024.txt",
    ]


def test_discover_missing_dir_is_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        discover(tmp_path / "nope")


def test_batch_two_good_one_bad_processes(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "r.jsonl"
    s = run_batch(corpus, out, workers=2)
    lines = read_jsonl(out)
    assert [Path(x["source"]).name for x in lines] == ["a-2023.txt", "broken.pdf", "a-2024.txt"]
    assert (s.total, s.analysed, s.failed, s.resumed) == (3, 2, 1, 0)
    bad = lines[1]
    assert set(bad) == {"source", "error", "file"}
    assert bad["error"]["code"].startswith("E") and "broken.pdf" in bad["error"]["message"]
    assert lines[0]["file"]["size"] == (corpus / "a-2023.txt").stat().st_size
    assert len(lines[0]["sections"]) == 6
    assert not partial_path(out).exists()
    assert sum(s.findings_by_rule.values()) == sum(len(x.get("findings", [])) for x in lines)


def test_refuses_to_overwrite_without_force(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    out.write_text("keep me\n", encoding="utf-8")
    with pytest.raises(UsageError) as exc:
        run_batch(corpus, out, workers=1)
    assert exc.value.code == "E011" and "--force" in exc.value.reason
    assert out.read_text(encoding="utf-8") == "keep me\n"
    run_batch(corpus, out, workers=1, force=True)
    assert len(read_jsonl(out)) == 3


def test_interrupted_run_needs_resume_or_force(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    partial_path(out).write_text("", encoding="utf-8")
    with pytest.raises(UsageError) as exc:
        run_batch(corpus, out, workers=1)
    assert "--resume" in exc.value.reason


@pytest.fixture()
def study_loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files ``study`` loads again (for the texts table), as they happen."""
    loaded: list[str] = []
    real_load = loaders.load

    def spy(path: str | Path, **kw: object) -> object:
        loaded.append(Path(path).name)
        return real_load(path, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(study, "loaders", SimpleNamespace(load=spy))  # study's reads only
    return loaded


@pytest.mark.parametrize("workers", [1, 2])
def test_database_texts_come_from_the_workers(
    corpus: Path, tmp_path: Path, study_loads: list[str], workers: int
) -> None:
    """With --db the workers hand each report's text over: no file is loaded a second time for
    the texts table, and the handed-over file is gone after the run."""
    db = tmp_path / "r.duckdb"
    run_batch(corpus, tmp_path / "r.jsonl", workers=workers, db=db)
    assert study_loads == []
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("SELECT source, length(text), complete FROM texts ORDER BY source").fetchall()
    lengths = con.execute("SELECT source, text_length FROM reports ORDER BY source").fetchall()
    con.close()
    assert [(s, n) for s, n, _ in rows] == lengths and len(rows) == 2
    assert all(ok for _, _, ok in rows)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "r.duckdb", "r.jsonl"]


def test_resumed_reports_get_their_text_from_the_file(corpus: Path, tmp_path: Path, study_loads: list[str]) -> None:
    """A report analysed by an earlier run has no handed-over text: its file is read again."""
    out, db = tmp_path / "r.jsonl", tmp_path / "r.duckdb"
    run_batch(corpus, out, workers=1)
    (corpus / "a-2025.txt").write_text(report_text(year=2025), encoding="utf-8")
    run_batch(corpus, out, workers=1, db=db, resume=True)
    assert sorted(study_loads) == ["a-2023.txt", "a-2024.txt"]
    con = duckdb.connect(str(db), read_only=True)
    got = con.execute("SELECT count(*), bool_and(complete) FROM texts").fetchone()
    con.close()
    assert got == (3, True)


def test_resume_skips_done_files(corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "r.jsonl"
    run_batch(corpus, out, workers=1)
    (corpus / "a-2025.txt").write_text(report_text(year=2025), encoding="utf-8")
    seen: list[str] = []
    real = runner.encoded_line

    def spy(path: str, **kw: float | None) -> dict:
        seen.append(Path(path).name)
        return real(path, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(runner, "encoded_line", spy)
    s = run_batch(corpus, out, workers=1, resume=True)
    assert seen == ["a-2025.txt"]
    assert (s.total, s.resumed, s.failed) == (4, 3, 1)
    assert [Path(x["source"]).name for x in read_jsonl(out)] == [
        "a-2023.txt",
        "a-2025.txt",
        "broken.pdf",
        "a-2024.txt",
    ]


def test_resume_from_partial_file_of_interrupted_run(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    done = runner.analyze_file(str(corpus / "a-2023.txt"))
    partial_path(out).write_text(json.dumps(done, ensure_ascii=False) + '\n{"torn', encoding="utf-8")
    s = run_batch(corpus, out, workers=1, resume=True)
    assert (s.total, s.resumed) == (3, 1)


def test_changed_file_is_reanalysed(corpus: Path) -> None:
    p = corpus / "a-2023.txt"
    line = runner.analyze_file(str(p))
    assert unchanged(line, p)
    os.utime(p, ns=(line["file"]["mtime_ns"] + 10**9,) * 2)
    assert unchanged(line, p)  # same size and sha1: a touched file is still the same
    p.write_text(report_text(year=2023, new=7, granted=2), encoding="utf-8")
    assert not unchanged(line, p)


def test_duckdb_tables_have_rows(corpus: Path, tmp_path: Path) -> None:
    out, db = tmp_path / "r.jsonl", tmp_path / "r.duckdb"
    run_batch(corpus, out, workers=1, db=db)
    con = duckdb.connect(str(db), read_only=True)
    try:
        counts = {
            t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # type: ignore[index]
            for t in store.DB_SCHEMA
        }
        years = con.execute("SELECT year FROM reports ORDER BY source").fetchall()
        err = con.execute("SELECT source, code FROM errors").fetchall()
    finally:
        con.close()
    assert counts["reports"] == 2 and counts["errors"] == 1 and counts["sections"] == 12
    assert counts["cells"] > 0
    assert years == [(2023,), (2024,)]
    assert err[0][0].endswith("broken.pdf")
    with pytest.raises(UsageError):
        run_batch(corpus, tmp_path / "other.jsonl", workers=1, db=db)


def _report(source: str, agency: str | None, year: int | None, n_cells: int = 1) -> Report:
    cells = {f"c{i}": CellValue(value=float(i), raw=str(i), kind="number") for i in range(n_cells)}
    return Report(
        source=source,
        format="txt",
        template="2021",
        agency=agency,
        year=year,
        published=None,
        sections=(),
        cells=cells,
        findings=(Finding(rule="row_sum", severity="error", message="m", cells=("c0",)),),
    )


def test_consecutive_pairs_per_body() -> None:
    reports = {
        0: _report("x19", "甲局", 2019),
        1: _report("x20", "甲 局", 2020),  # spacing differs: still the same body
        2: _report("x22", "甲局", 2022),
        3: _report("y21a", "乙局", 2021, n_cells=1),
        4: _report("y21b", "乙局", 2021, n_cells=5),
        5: _report("y22", "乙局", 2022),
        6: _report("z", None, 2022),
        7: _report("w20", "丙局（东区）", 2020),
        8: _report("w21", "丙局(东区)", 2021),  # half-width brackets: still the same body
    }
    assert sorted(consecutive_pairs(reports)) == [(1, 0), (5, 4), (8, 7)]


def test_corpus_pass_tags_and_strips(monkeypatch: pytest.MonkeyPatch) -> None:
    """Corpus-level findings are tagged so a resumed run can drop them and recompute."""

    def fake_previous(cur: Report, prev: Report) -> list[Finding]:
        return [Finding(rule="prev_year", severity="warning", message=f"{cur.year} vs {prev.year}")]

    monkeypatch.setattr(corpus_mod.yearly, "check_previous", fake_previous)
    monkeypatch.setattr(corpus_mod.copy_detection, "mark_copies", lambda report, index, **kw: report)
    reports = [_report("a", "甲局", 2020), _report("b", "甲局", 2021), _report("c", "乙局", 2021)]
    out, warnings = corpus_pass(reports)
    assert warnings == []
    assert out[0] == reports[0] and out[2] == reports[2]
    assert [f.rule for f in out[1].findings] == ["row_sum", "prev_year"]
    assert out[1].findings[1].detail == {"pass": CORPUS_PASS}
    line = {**out[1].to_dict(), "file": {"size": 2}}
    assert strip_corpus_pass(line)["findings"] == reports[1].to_dict()["findings"]


def test_corpus_pass_survives_failing_check(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(report: Report, index: copies.CopyIndex, **kw: object) -> Report:
        raise ValueError("bad")

    monkeypatch.setattr(corpus_mod.copy_detection, "mark_copies", boom)
    reports = [_report("a", "甲局", 2020), _report("b", "乙局", 2020)]
    out, warnings = corpus_pass(reports)
    assert out == reports
    assert warnings == ["find_copies failed: ValueError: bad"]


def test_body_key_is_the_copy_index_rule() -> None:
    """One same-body rule: the pairing key is the bodies module's, which the copy index uses too."""
    assert corpus_mod.body_key is bodies.body_key is copies.body_key
    assert corpus_mod.body_key("丙局（东区）") == corpus_mod.body_key("丙局(东区)")
    assert corpus_mod.body_key("  ", "s") == corpus_mod.body_key(None, "s") == "source:s"


def test_corpus_pass_pairs_the_bodies_of_the_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Name variants joined by ``bodies`` (平潭综合实验区XX局 = 平潭XX局) and renamed bodies joined by an
    alias file are one series for the year-on-year checks, as they are in ``body_years``."""
    pairs: list[tuple[str, str]] = []

    def spy(cur: Report, prev: Report) -> list[Finding]:
        pairs.append((prev.source, cur.source))
        return []

    monkeypatch.setattr(corpus_mod.yearly, "check_previous", spy)
    reports = [
        _report("a22", "平潭综合实验区示例局", 2022),
        _report("a23", "平潭示例局", 2023),
        _report("b23", "某县旧名局", 2023),
        _report("b24", "某县新名局", 2024),
    ]
    corpus_pass(reports, copies=False)
    assert pairs == [("a22", "a23")]
    aliases = tmp_path / "aliases.csv"
    aliases.write_text("某县旧名局,某县新名局\n", encoding="utf-8")
    pairs.clear()
    corpus_pass(reports, copies=False, aliases=aliases)
    assert sorted(pairs) == [("a22", "a23"), ("b23", "b24")]


def test_db_rows_flatten_findings_and_claims() -> None:
    line = _report("a", "甲局", 2020, n_cells=2).to_dict()
    line["claims"] = [
        {"value": 5.0, "unit": "件", "qualifier": "exact", "metric": "m", "start": 3, "end": 5, "text": "5件"}
    ]
    line["findings"].append(
        {
            "rule": "claim_mismatch",
            "severity": "warning",
            "message": "x",
            "cells": [],
            "expected": 4.0,
            "found": 5.0,
            "claim": {"text": "5件", "value": 5.0, "start": 3, "end": 5},
        }
    )
    rows = db_rows([line])
    assert [r["id"] for r in rows["cells"]] == ["c0", "c1"]
    assert [(r["rule"], r["cells"], r["start"]) for r in rows["findings"]] == [
        ("row_sum", ["c0"], None),
        ("claim_mismatch", [], 3),
    ]
    assert rows["claims"][0]["flagged"] is True
    assert rows["reports"][0]["n_findings"] == 2 and rows["reports"][0]["n_errors"] == 1


def test_dask_engine_same_lines_as_processes(corpus: Path, tmp_path: Path) -> None:
    """--engine dask maps the same per-file function on a dask.distributed scheduler.

    The scheduler here is an in-process cluster (threads) so the test stays quick; the CLI's
    default local cluster uses processes.
    """
    distributed = pytest.importorskip("dask.distributed")
    a, b = tmp_path / "p.jsonl", tmp_path / "d.jsonl"
    run_batch(corpus, a, workers=1)
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        s = run_batch(
            corpus, b, workers=1, engine="dask", scheduler=cluster.scheduler_address, db=tmp_path / "d.duckdb"
        )
    assert (s.engine, s.total, s.failed) == ("dask", 3, 1)
    assert read_jsonl(a) == read_jsonl(b)
    con = duckdb.connect(str(tmp_path / "d.duckdb"), read_only=True)
    assert con.execute("SELECT count(*), bool_and(complete) FROM texts").fetchone() == (2, True)
    con.close()


def test_progress_hooks_called_per_file(corpus: Path, tmp_path: Path) -> None:
    started: list[int] = []
    advanced: list[str] = []
    hooks = runner.ProgressHooks(start=started.append, advance=advanced.append)
    run_batch(corpus, tmp_path / "r.jsonl", workers=1, progress=hooks)
    assert started == [3]
    assert sorted(Path(s).name for s in advanced) == ["a-2023.txt", "a-2024.txt", "broken.pdf"]


def test_resume_reanalyses_unreadable_old_lines(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    line = runner.analyze_file(str(corpus / "a-2023.txt"))
    line["sections"] = [{"no_such_field": 1}]  # e.g. written by an older, incompatible version
    partial_path(out).write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    s = run_batch(corpus, out, workers=1, resume=True)
    assert (s.total, s.resumed) == (3, 0)
    assert len(read_jsonl(out)[0]["sections"]) == 6


def test_timeout_records_hanging_file(corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def hang(path: str) -> tuple[Report | NlpPipelineError, str | None]:
        if path.endswith("a-2024.txt"):
            time.sleep(20)  # without the timeout the file would succeed after this
        return real(path)

    real = runner.analyze_with_text
    real(str(corpus / "a-2023.txt"))  # load the models first: the limit would count that too
    monkeypatch.setattr(runner, "analyze_with_text", hang)
    s = run_batch(corpus, tmp_path / "r.jsonl", workers=1, timeout=2)
    assert (s.analysed, s.failed) == (1, 2)
    bad = {src: msg for src, msg in s.failures}
    assert "gave up after 2 s" in bad[str(corpus / "sub" / "a-2024.txt")]


def test_nothing_under_the_input_is_skipped_silently(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A FIFO and a dangling link with report suffixes, and a folder that cannot be listed, each
    get an error line with its code instead of being left out of the run."""
    src = tmp_path / "in"
    (src / "locked").mkdir(parents=True)
    (src / "locked" / "inside-2024.txt").write_text(report_text(), encoding="utf-8")
    (src / "good-2024.txt").write_text(report_text(), encoding="utf-8")
    os.mkfifo(src / "pipe.txt")
    (src / "gone.html").symlink_to(src / "nowhere.html")
    (src / "loop.pdf").symlink_to(src / "loop.pdf")
    real_scandir = os.scandir

    def scandir(path: object = ".") -> object:
        if Path(str(path)).name == "locked":  # root reads every folder: simulate a denied one
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)
    out = tmp_path / "o.jsonl"
    summary = runner.run_batch(src, out, workers=1, copies=False)
    lines = {Path(x["source"]).name: x for x in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    codes = {name: (x.get("error") or {}).get("code") for name, x in lines.items()}
    assert codes == {"gone.html": "E001", "good-2024.txt": None, "locked": "E014", "loop.pdf": "E005", "pipe.txt": "E013"}
    assert summary.failed == 4


def test_alias_file_is_read_once_per_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The corpus pass and the database get the same alias table, read from the file once."""
    src = tmp_path / "in"
    src.mkdir()
    (src / "a-2023.txt").write_text(report_text(agency="示例市旧名局", year=2023), encoding="utf-8")
    (src / "a-2024.txt").write_text(report_text(agency="示例市新名局", year=2024), encoding="utf-8")
    aliases = tmp_path / "aliases.csv"
    aliases.write_text("示例市旧名局,示例市新名局\n", encoding="utf-8")
    reads: list[str] = []
    real_read = bodies.read_aliases

    def counted(path: str | Path) -> bodies.Aliases:
        reads.append(str(path))
        return real_read(path)

    monkeypatch.setattr(bodies, "read_aliases", counted)
    db = tmp_path / "r.duckdb"
    runner.run_batch(src, tmp_path / "r.jsonl", workers=1, db=db, aliases=aliases)
    assert reads == [str(aliases)]
    con = duckdb.connect(str(db), read_only=True)
    ids = {r[0] for r in con.execute("SELECT body_id FROM body_years").fetchall()}
    con.close()
    assert len(ids) == 1


def test_failed_database_build_leaves_no_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(con: object, *, aliases: object = None, texts: object = None) -> None:
        raise duckdb.Error("simulated failure while building the study tables")

    monkeypatch.setattr(store.study, "finish_db", broken)
    db = tmp_path / "r.duckdb"
    with pytest.raises(Exception, match="simulated failure"):
        store.write_duckdb([], db)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_statements_only_reads_the_top_level_problems() -> None:
    """The copy index's partial parse finds the line's own statements even when a text quotes the key."""
    quoted = '见附件, "problems": [1]'
    report = Report(
        source="x.txt", format="txt", template="2021", agency="某局", year=2024, published=None,
        sections=(), cells={}, claims=(),
        findings=(Finding(rule="r", severity="info", message=quoted),),
        problems=(ProblemStatement(text=quoted, kind="problem", start=0, end=len(quoted)),),
    )
    line = {**report.to_dict(), "file": {"size": 1, "detail": quoted}}
    raw = (json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8")
    entry = runner._Entry(0, len(raw), "x.txt", "某局", 2024, None)
    assert runner._statements_only(raw, entry).problems == report.problems
    no_key = (json.dumps({"source": "x.txt"}) + "\n").encode("utf-8")
    assert runner._statements_only(no_key, entry).problems == ()


def test_plain_is_asdict() -> None:
    """``result.plain`` (the fast serialiser) gives what ``dataclasses.asdict`` gives, sharing no
    mutable container with the report."""
    require_shared()
    detail = {"previous": "a.txt", "cells": ["apply.new.total"], "pair": (1, 2), "nested": {"k": [1.5, None]}}
    made = Report(
        source="x.txt", format="txt", template=None, agency=None, year=None, published=None,
        sections=(), cells={"apply.new.total": CellValue(3.0, "3", "number")},
        findings=(Finding(rule="r", severity="info", message="m", detail=detail),),
    )
    reports = [made, *(analyze_path(p) for p in sorted(REAL.glob("*.txt")))]
    for r in reports:
        got = result.plain(r)
        assert got == dataclasses.asdict(r)
    got_detail = result.plain(made)["findings"][0]["detail"]
    assert got_detail["nested"]["k"] is not detail["nested"]["k"]


def test_cells_table_equals_the_rows_of_each_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The writer loads a line's cells as one object (DuckDB unnests it): the table holds exactly
    ``db_rows``' cells, in line and cell order, also across chunks and for awkward raw texts."""
    monkeypatch.setattr(store, "DB_CHUNK_ROWS", 3)
    a = _report("a", "甲局", 2020, n_cells=2).to_dict()
    a["cells"]["c1"] = {"value": 7, "raw": '七"件"\n\\ / —', "kind": "number", "origin": "表三 r2"}
    a["cells"]["c2"] = {"value": None, "raw": "/", "kind": "slash"}  # no origin: NULL, as in db_rows
    b = _report("b", "乙局", 2021, n_cells=0).to_dict()
    c = _report("c", "丙局", 2022, n_cells=4).to_dict()
    error = {"source": "bad.txt", "error": {"code": "E002", "message": "empty"}}
    lines = [a, b, error, c]
    db = tmp_path / "c.duckdb"
    counts = store.write_duckdb(lines, db)
    con = duckdb.connect(str(db), read_only=True)
    try:
        got = con.execute("SELECT source, id, value, raw, kind, origin FROM cells").fetchall()
    finally:
        con.close()
    want = [(r["source"], r["id"], r["value"], r["raw"], r["kind"], r["origin"]) for r in db_rows(lines)["cells"]]
    assert got == want
    assert counts["cells"] == len(want) == 7
    assert got[1] == ("a", "c1", 7.0, '七"件"\n\\ / —', "number", "表三 r2")
    assert got[2][5] is None


def test_parse_line_and_encode_line_give_json_back() -> None:
    """The corpus pass parses a stored line value by value and writes unchanged values back as
    their stored text: the result is byte for byte ``json.dumps`` of the updated line."""
    line = _report("a", "甲局", 2020, n_cells=3).to_dict()
    line["claims"] = [{"text": '引号"与\\反斜杠\n', "value": 1e-05, "start": 0, "end": 2}]
    line["file"] = {"size": 12, "sha1": None}
    text = json.dumps(line, ensure_ascii=False) + "\n"
    parsed, spans = runner.parse_line(text)
    assert parsed == json.loads(text) and list(parsed) == list(line)
    assert all(json.loads(text[a:b]) == parsed[k] for k, (a, b) in spans.items())
    updated = {**parsed, "findings": [], "year": 2021}
    out = runner.encode_line(updated, like=parsed, text=text, spans=spans)
    assert out == json.dumps(updated, ensure_ascii=False)
    equal_not_same = {**parsed, "cells": json.loads(json.dumps(parsed["cells"]))}
    assert runner.encode_line(equal_not_same, like=parsed, text=text, spans=spans) == json.dumps(
        equal_not_same, ensure_ascii=False
    )
    for odd in ("{}", '{"a": 1,}', "[1, 2]", '{"a": 1} x'):
        try:
            want: object = json.loads(odd)
        except ValueError as exc:
            want = type(exc)
        try:
            got: object = runner.parse_line(odd)[0]
        except ValueError as exc:
            got = type(exc)
        assert got == want, odd


def test_corpus_pass_rerun_on_stored_lines_gives_the_same_bytes(tmp_path: Path) -> None:
    """A resumed run redoes the corpus pass from the stored lines (parsed value by value, unchanged
    values written back as stored): the output is byte for byte the first run's."""
    samples = ROOT / "corpora" / "samples"
    base = tmp_path / "base.jsonl"
    first = run_batch(samples, base, workers=1)
    corpus_findings = [
        f for line in read_jsonl(base) for f in line.get("findings") or () if (f.get("detail") or {}).get("pass") == "corpus"
    ]
    assert corpus_findings  # the pass changed lines: the rerun rewrites them from their stored values
    out = tmp_path / "again.jsonl"
    shutil.copy(base, out)
    again = run_batch(samples, out, workers=1, resume=True)
    assert again.resumed == first.total
    assert out.read_bytes() == base.read_bytes()
    assert again.findings_by_rule == first.findings_by_rule


def test_encoded_line_is_stored_as_the_plain_line(corpus: Path, tmp_path: Path) -> None:
    """A worker hands its line over already encoded (with the few fields the parent reads): the
    spool stores the same bytes and entries as for the plain line, and the report's text as its
    line of the texts file."""
    stored = {}
    for name in ("plain", "encoded"):
        spool = runner._Spool(tmp_path / f"{name}.partial", texts=tmp_path / f"{name}.texts")
        for f in ("a-2023.txt", "broken.pdf"):
            path = str(corpus / f)
            spool.append(runner.encoded_line(path, keep_text=True) if name == "encoded" else runner.analyze_file(path))
        spool.publish()
        spool.close()
        stored[name] = (
            (tmp_path / f"{name}.partial").read_bytes(),
            [(e.source, e.agency, e.year, e.error) for e in spool.entries.values()],
        )
    assert stored["plain"] == stored["encoded"]
    assert stored["plain"][1][1][3]  # the broken PDF: an error
    assert (tmp_path / "plain.texts").read_bytes() == b""
    text_lines = (tmp_path / "encoded.texts").read_text(encoding="utf-8").splitlines()
    source = str(corpus / "a-2023.txt")
    assert [json.loads(x) for x in text_lines] == [{"source": source, "text": loaders.load(source).text}]
    compact = runner.encoded_line(source)
    assert set(compact) == {"source", "agency", "year", runner.ENCODED_KEY}
