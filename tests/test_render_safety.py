"""Text output of untrusted reports is inert: no control characters reach the terminal, no markup."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from nlp_pipeline.cli import cmd_analyze
from nlp_pipeline.render import inert, render_error, render_plain, render_rich, summary_lines
from nlp_pipeline.result import Category, CellValue, CopiedFrom, Finding, ProblemStatement, Report, Section

ESC_TITLE = "\x1b]0;pwned\x07"  # would retitle the terminal
ESC_CLEAR = "\x1b[2J\x1b[H"  # would clear the screen
_RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202e]")  # anything but the line feed


def hostile_report() -> Report:
    return Report(
        source="evil\n2024" + ESC_CLEAR + ".txt",
        format="txt",
        template="2021",
        agency="某局" + ESC_TITLE,
        year=2024,
        published="2025-01-01\x9b31m",
        sections=(
            Section(id="overview", heading="一、总体情况[/][bold red]" + ESC_CLEAR, start=0, end=5, number="一"),
            Section(id="problems", heading="五、存在的主要问题及改进情况", start=100, end=200, number="五"),
        ),
        cells={
            "apply.new.total": CellValue(None, "见\x1b[5m附表", "text"),
            "apply.new.natural": CellValue(5.0, "5", "number"),
            "x.unknown": CellValue(None, "\u202egnp.exe", "text"),
        },
        findings=(
            Finding(rule="problem_statement_vague", severity="info", message="vague [/]\x1b[1m", start=120, end=130),
        ),
        problems=(
            ProblemStatement(
                text="公开[/]不够\x1b[31m及时",
                kind="problem",
                start=110,
                end=140,
                categories=(Category(label="timeliness", score=0.9),),
                vague=True,
                vague_reason="no object",
                copied_from=CopiedFrom(source="last\x1byear.txt", text="t", similarity=0.97),
            ),
            ProblemStatement(text="加强培训", kind="measure", start=150, end=160),
        ),
    )


def test_inert_escapes_controls_and_is_idempotent() -> None:
    assert inert("a\x1b[31mb") == "a\\x1b[31mb"
    assert inert("x\ny\tz\x07\x9b\u202e") == "x\\x0ay\\x09z\\x07\\x9b\\u202e"
    assert inert("表三 [/] ok") == "表三 [/] ok"
    assert inert(inert("\x1b\x00")) == inert("\x1b\x00")


def test_plain_text_output_is_inert_and_lists_problem_statements() -> None:
    text = render_plain(hostile_report())
    assert _RAW_CONTROL.search(text) is None
    assert "\\x1b]0;pwned\\x07" in text
    assert "evil\\x0a2024\\x1b[2J" in text.splitlines()[0]
    assert "一、总体情况[/][bold red]" in text
    assert "\\u202egnp.exe" in text
    lines = text.splitlines()
    problems = lines[lines.index("Problems (section 五): 2 statements, 1 vague, 1 copied") + 1 :]
    assert problems[0] == (
        "  [!1] problem; categories timeliness 0.90; vague (no object); copied from last\\x1byear.txt "
        "(previous_year, similarity 0.97): '公开[/]不够\\x1b[31m及时' at 110-140"
    )
    assert problems[1] == "  measure: '加强培训' at 150-160"


def test_rich_output_never_parses_report_text_as_markup() -> None:
    from rich.console import Console

    buf = io.StringIO()
    console = Console(file=buf, force_terminal=True, width=200, color_system="standard")
    for part in render_rich(hostile_report()):  # a MarkupError here would be a traceback for the user
        console.print(part)
    out = buf.getvalue()
    assert "[/][bold red]" in out
    assert "vague [/]" in out
    assert ESC_TITLE not in out and ESC_CLEAR not in out and "\x1b[5m" not in out and "\x9b" not in out
    assert "\u202e" not in out
    assert "\\x1b]0;pwned\\x07" in out
    assert "公开[/]不够\\x1b[31m及时" in out


def test_error_and_summary_lines_stay_one_line_per_failure() -> None:
    err = {"source": "a\nb.txt", "error": {"code": "E002", "message": "a\nb.txt: file is empty"}}
    assert render_error(err) == "a\\x0ab.txt: file is empty [E002]"
    lines = summary_lines(
        total=2,
        analysed=0,
        failed=2,
        resumed=0,
        findings_by_rule={},
        failures=[("a\nb.txt", "a\nb.txt: file is empty"), ("c\x1b[2J.txt", "broken\rline")],
        warnings=["w\nx"],
    )
    assert all("\n" not in line and "\r" not in line and "\x1b" not in line for line in lines)
    assert lines[-3:] == ["  a\\x0ab.txt: file is empty", "  c\\x1b[2J.txt: broken\\x0dline", "warning: w\\x0ax"]


def test_analyze_failure_with_newline_in_file_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "two\nlines\x1b[2J.txt"
    bad.write_text("", encoding="utf-8")
    out = io.StringIO()
    assert cmd_analyze([str(bad)], fmt="text", stdout=out) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "two\\x0alines\\x1b[2J.txt" in err
    assert "\x1b" not in err
