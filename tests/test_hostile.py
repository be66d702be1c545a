"""Hostile inputs, small versions of the cases in scripts/hostile_corpus.py: each gives a result
with a finding that names what was cut, or an exact error code, never a traceback."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from nlp_pipeline.errors import InputError, NlpPipelineError
from nlp_pipeline.limits import Limits
from nlp_pipeline.loaders import load
from nlp_pipeline.loaders.base import expand_spans_limited
from nlp_pipeline.loaders.files import decode_text, read_regular
from nlp_pipeline.pipeline import analyze_or_error

from .conftest import load_script


def _script():
    return load_script("hostile_corpus.py", "hostile_corpus")


HC = _script()


def _code(path: Path, **limits: int) -> str:
    try:
        load(path, limits=Limits(**limits))  # type: ignore[arg-type]
    except NlpPipelineError as exc:
        return exc.code
    return "ok"


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


# --- not regular files, permissions -----------------------------------------------------------


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    p = tmp_path / "pipe.txt"
    os.mkfifo(p)
    with pytest.raises(InputError) as exc:
        load(p)
    assert exc.value.code == "E013"
    assert "FIFO" in str(exc.value)


def test_link_to_dev_zero_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "zero.txt"
    p.symlink_to("/dev/zero")
    assert _code(p) == "E013"
    assert "character device" in str(analyze_or_error(p))


def test_directory_with_report_suffix_is_refused(tmp_path: Path) -> None:
    (tmp_path / "dir.html").mkdir()
    assert _code(tmp_path / "dir.html") == "E013"


def test_missing_file_and_unsupported_suffix(tmp_path: Path) -> None:
    assert _code(tmp_path / "nope.txt") == "E001"
    assert _code(_write(tmp_path, "x.exe", b"MZ")) == "E003"


def test_permission_denied_has_its_own_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """(The test-suite may run as root, which reads mode-000 files: the denial is simulated.)"""
    p = _write(tmp_path, "secret.txt", HC.REPORT_TEXT.encode())
    real_open = os.open

    def deny(path: str, *args: object, **kw: object) -> int:
        if str(path) == str(p):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", deny)
    with pytest.raises(InputError) as exc:
        read_regular(p)
    assert exc.value.code == "E014"
    assert str(p) in str(exc.value)


def test_path_under_unreadable_folder_is_e014(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = tmp_path / "locked" / "report.txt"
    real_stat = os.stat

    def deny(path: object, *args: object, **kw: object) -> os.stat_result:
        if str(path).startswith(str(tmp_path / "locked")):
            raise PermissionError(13, "Permission denied", str(path))
        return real_stat(path, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "stat", deny)
    assert _code(p) == "E014"
    from nlp_pipeline.loaders.files import is_dir

    assert is_dir(p) is False and is_dir(tmp_path) is True


def test_file_over_size_limit(tmp_path: Path) -> None:
    p = _write(tmp_path, "big.txt", HC.REPORT_TEXT.encode())
    assert _code(p, max_file_bytes=100) == "E015"
    assert _code(_write(tmp_path, "big.html", HC.script_html()), max_html_bytes=100) == "E015"


def test_file_that_grows_while_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``fstat`` sizes the read; bytes beyond it are still read, up to the limit and no further."""
    data = HC.REPORT_TEXT.encode()
    p = _write(tmp_path, "growing.txt", data)
    real_fstat = os.fstat

    def stale(fd: int) -> os.stat_result:  # the size as it was before the writer appended
        st = real_fstat(fd)
        return os.stat_result((st.st_mode, st.st_ino, st.st_dev, st.st_nlink, st.st_uid, st.st_gid, 10, *st[7:10]))

    monkeypatch.setattr(os, "fstat", stale)
    assert read_regular(p) == data
    assert read_regular(p, limits=Limits(max_file_bytes=len(data))) == data  # exactly at the limit
    with pytest.raises(InputError) as exc:
        read_regular(p, limits=Limits(max_file_bytes=len(data) - 1))
    assert exc.value.code == "E015" and f"{len(data)} bytes" in str(exc.value)


# --- sizes: text, grids, packages, nesting ----------------------------------------------------


def test_text_over_limit_is_e016(tmp_path: Path) -> None:
    p = _write(tmp_path, "h.txt", HC.repeated_headings(600))
    assert _code(p, max_text_chars=5000) == "E016"
    assert _code(p) == "ok"


def test_html_tables_over_text_limit_stop_early(tmp_path: Path) -> None:
    p = _write(tmp_path, "t.html", HC.many_tables_html(tables=30, size=10))
    assert _code(p, max_text_chars=2000) == "E016"


def test_spans_are_clamped_before_expanding() -> None:
    res = expand_spans_limited(
        [[("a", 65534, 100000), ("b", 1, 1)], [("c", 1, 1)]], limits=Limits(max_span=5)
    )
    assert [len(r) for r in res.grid] == [6, 6]
    assert res.grid[1][0].anchor == (0, 0)
    assert [(n.rule, n.found, n.limit) for n in res.notes] == [
        ("table_span_clamped", 65534, 5),
        ("table_span_clamped", 100000, 5),
    ]


def test_grid_over_cell_limit_is_read_unexpanded() -> None:
    rows = [[("a", 1, 200), ("b", 1, 1)]] + [[("c", 1, 1)]] * 9
    res = expand_spans_limited(rows, limits=Limits(max_table_cells=100))
    assert res.lines is None
    assert [len(r) for r in res.grid] == [2] * 10  # each source cell once, padded
    assert res.notes[-1].rule == "table_too_large"
    assert res.notes[-1].found == 210  # 200 + 1 + 9 positions filled, already over 100


def test_grid_too_large_even_unexpanded_becomes_text_lines() -> None:
    rows = [[(str(i), 1, 1) for i in range(50)]] + [[("x", 1, 1)]] * 9
    res = expand_spans_limited(rows, limits=Limits(max_table_cells=100))
    assert res.lines is not None and len(res.lines) == 10
    assert res.lines[0].startswith("0 1 2")
    assert res.notes[-1].detail == {"read_as": "text"}


def test_html_huge_spans_give_a_report_with_findings(tmp_path: Path) -> None:
    p = _write(tmp_path, "spans.html", HC.big_spans_html(rows=20))
    report = analyze_or_error(p)
    assert not isinstance(report, NlpPipelineError), report
    rules = [f.rule for f in report.findings]
    assert rules.count("table_span_clamped") == 60  # rowspan and colspan of cell 1, colspan of cell 2
    assert "table_too_large" in rules
    clamp = next(f for f in report.findings if f.rule == "table_span_clamped")
    assert (clamp.expected, clamp.found, clamp.detail["attribute"]) == (200, 65534, "rowspan")
    assert clamp.start is not None and clamp.end is not None and clamp.start < clamp.end


def test_docx_gridspan_million_is_clamped(tmp_path: Path) -> None:
    p = _write(tmp_path, "g.docx", HC.gridspan_docx(cells=30))
    doc = load(p)
    assert [f.rule for f in doc.findings] == ["table_span_clamped"] * 31  # gridBefore and 30 gridSpans
    (table,) = [b.table for b in doc.blocks if b.table is not None]
    assert [len(r) for r in table.rows] == [200 + 30 * 200] * 2
    small = load(p, limits=Limits(max_table_cells=1000))
    assert small.findings[-1].rule == "table_too_large"
    assert small.findings[-1].found == 2 * 6200
    (cut,) = [b.table for b in small.blocks if b.table is not None]
    assert [len(r) for r in cut.rows] == [30, 30]  # each source cell once


def test_docx_zip_bomb_is_refused_fast(tmp_path: Path) -> None:
    p = _write(tmp_path, "bomb.docx", HC.zip_bomb_docx(megabytes=3))
    assert p.stat().st_size < 100_000
    assert _code(p) == "E017"  # 3 MB from a few KB: over the default ratio of 100
    assert _code(p, max_compression_ratio=10**9) == "ok"
    assert _code(p, max_compression_ratio=10**9, max_part_bytes=2 * 1024 * 1024) == "E017"
    with pytest.raises(InputError, match=r"part word/document\.xml inflates"):
        load(p)


def test_docx_package_total_is_limited(tmp_path: Path) -> None:
    extra = {f"word/media/p{i}.bin": os.urandom(64 * 1024) for i in range(4)}
    p = _write(tmp_path, "many.docx", HC.docx_bytes(HC.docx_paragraphs(HC.report_lines()), extra=extra))
    assert _code(p, max_package_bytes=200 * 1024) == "E017"


def test_docx_truncated_and_junk_are_e005(tmp_path: Path) -> None:
    good = HC.docx_bytes(HC.docx_paragraphs(HC.report_lines()))
    assert _code(_write(tmp_path, "ok.docx", good)) == "ok"
    assert _code(_write(tmp_path, "cut.docx", good[: len(good) // 2])) == "E005"
    assert _code(_write(tmp_path, "junk.docx", os.urandom(5000))) == "E005"


@pytest.mark.parametrize("depth", [300, 2500])
def test_deep_html_keeps_every_section(tmp_path: Path, depth: int) -> None:
    """lxml stops at depth 256 (2048 with huge_tree) and drops the rest without an error."""
    p = _write(tmp_path, "deep.html", HC.deep_html(depth))
    report = analyze_or_error(p)
    assert not isinstance(report, NlpPipelineError), report
    assert [s.id for s in report.sections] == [
        "overview",
        "active_disclosure",
        "applications",
        "review_litigation",
        "problems",
        "other_matters",
    ]
    flat = [f for f in report.findings if f.rule == "html_nesting_flattened"]
    assert len(flat) == 1
    assert "missing_section" not in {f.rule for f in report.findings}


def test_nested_tables_are_judged_once(tmp_path: Path) -> None:
    """Each table's layout-or-data verdict is memoised (it was exponential in the nesting)."""
    doc = load(_write(tmp_path, "n.html", HC.nested_tables_html(40)))
    tables = [b.table for b in doc.blocks if b.table is not None]
    assert len(tables) == 1  # only the innermost table is a data table: "a | 1"
    assert tables[0].texts == [["a", "1"]]


def test_deep_html_under_limit_has_no_finding(tmp_path: Path) -> None:
    doc = load(_write(tmp_path, "d.html", HC.deep_html(100)))
    assert doc.findings == ()


# --- encodings, junk ------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-32", "utf-32-le", "utf-32-be", "utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_and_utf32_decode(encoding: str) -> None:
    assert decode_text(HC.REPORT_TEXT.encode(encoding), source="x") == HC.REPORT_TEXT


def test_utf32_report_is_analysed(tmp_path: Path) -> None:
    report = analyze_or_error(_write(tmp_path, "u.txt", HC.REPORT_TEXT.encode("utf-32")))
    assert not isinstance(report, NlpPipelineError), report
    assert len(report.sections) == 6


def test_big5_is_not_read_as_gb18030() -> None:
    trad = HC.big5_text()
    assert decode_text(trad, source="x") == trad.decode("big5")
    gb = HC.REPORT_TEXT.encode("gb18030")
    assert decode_text(gb, source="x") == HC.REPORT_TEXT


def test_nul_filled_and_binary_text_are_e004(tmp_path: Path) -> None:
    assert _code(_write(tmp_path, "nul.txt", b"\x00" * 4096)) == "E004"
    assert _code(_write(tmp_path, "junk.txt", bytes(range(256)) * 64)) == "E004"
    assert _code(_write(tmp_path, "empty.txt", b"")) == "E002"


def test_stray_nul_in_utf8_text_is_kept() -> None:
    text = HC.REPORT_TEXT + "\x00"
    assert decode_text(text.encode(), source="x") == text


def test_control_characters_and_script_do_not_break_analysis(tmp_path: Path) -> None:
    report = analyze_or_error(_write(tmp_path, "ansi.txt", HC.control_chars_text()))
    assert not isinstance(report, NlpPipelineError), report
    html = analyze_or_error(_write(tmp_path, "s.html", HC.script_html()))
    assert not isinstance(html, NlpPipelineError), html
    assert "alert" not in str(html.to_dict())


def test_zip_without_document_is_e005() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.txt", "x")
    from nlp_pipeline.loaders.docx import load_docx

    with pytest.raises(InputError) as exc:
        load_docx(buf.getvalue(), source="a.docx")
    assert exc.value.code == "E005"
