"""The ``nlp-pipeline`` command: output formats, exit statuses, no tracebacks on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from nlp_pipeline.cli import build_parser, main
from nlp_pipeline.render import render_plain
from nlp_pipeline.result import CellValue, Claim, ClaimRef, Finding, Report, Section
from nlp_pipeline.schema import SECTIONS, application_rows

from .conftest import real_path

HEADINGS = [h for _, h in SECTIONS]


def report_text(*, agency: str = "示例市测试局", year: int = 2024, new: int = 5, carried: int = 0) -> str:
    """A small made-up 2021-format report: six headings and 表三 as pipe rows."""
    table = ["| 项目 | 自然人 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 总计 |"]
    values = {"apply.new": new, "apply.carried_over": carried, "apply.granted": new}
    values |= {"apply.total_processed": new, "apply.carried_forward": carried}
    for r in application_rows("2021"):
        n = values.get(r.id, 0)
        table.append(f"| {r.group} {r.label} | {n} | 0 | 0 | 0 | 0 | 0 | {n} |")
    body = [
        f"{agency}{year}年政府信息公开工作年度报告",
        HEADINGS[0],
        "我局认真做好政府信息公开工作。",
        HEADINGS[1],
        "按要求主动公开各类信息。",
        HEADINGS[2],
        *table,
        HEADINGS[3],
        "无行政复议和行政诉讼。",
        HEADINGS[4],
        "一是公开的主动性有待提高。二是将加强业务培训。",
        HEADINGS[5],
        "无其他需要报告的事项。",
        "",
    ]
    return "\n".join(body)


@pytest.fixture()
def good(tmp_path: Path) -> Path:
    p = tmp_path / "good-2024.txt"
    p.write_text(report_text(), encoding="utf-8")
    return p


def test_analyze_json_one_line_per_report(good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", str(good)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1
    d = json.loads(out[0])
    assert d["source"] == str(good)
    assert [s["id"] for s in d["sections"]] == [sid for sid, _ in SECTIONS]
    assert d["cells"]["apply.new.total"]["value"] == 5
    assert d.pop("file")["size"] == good.stat().st_size
    assert json.loads(json.dumps(Report.from_dict(d).to_dict(), ensure_ascii=False)) == d


def test_analyze_text_shows_sections_and_tables(good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", "--format", "text", str(good)]) == 0
    out = capsys.readouterr().out
    assert f"== {good}" in out
    assert "Sections (6/6 found):" in out
    assert "[x] 五、存在的主要问题及改进情况" in out
    assert "表三 收到和处理政府信息公开申请情况" in out
    assert "\x1b[" not in out  # plain text when not a terminal


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [("empty.txt", b"", "E002"), ("junk.pdf", b"%PDF-1.7\nnot a pdf at all", None)],
)
def test_bad_input_exit_1_names_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, content: bytes, code: str | None
) -> None:
    bad = tmp_path / name
    bad.write_bytes(content)
    assert main(["analyze", str(bad)]) == 1
    cap = capsys.readouterr()
    assert str(bad) in cap.err and "Traceback" not in cap.err
    err = json.loads(cap.out)
    assert err["source"] == str(bad)
    if code:
        assert err["error"]["code"] == code


def test_good_and_bad_together(good: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "missing.txt"
    assert main(["analyze", str(good), str(missing)]) == 1
    cap = capsys.readouterr()
    lines = [json.loads(x) for x in cap.out.splitlines()]
    assert [("error" in x) for x in lines] == [False, True]
    assert lines[1]["error"]["code"] == "E001"
    assert f"nlp-pipeline: {missing}: file not found [E001]" in cap.err


def test_console_script_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "junk.pdf"
    bad.write_bytes(b"%PDF-1.4 garbage")
    proc = subprocess.run(
        [sys.executable, "-m", "nlp_pipeline.cli", "analyze", "--format", "text", str(bad)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert proc.returncode == 1
    assert str(bad) in proc.stderr and "Traceback" not in proc.stderr
    assert proc.stdout == ""


def test_batch_cli_summary_and_exit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = tmp_path / "in"
    d.mkdir()
    (d / "a.txt").write_text(report_text(year=2023), encoding="utf-8")
    (d / "b.md").write_text(report_text(year=2024), encoding="utf-8")
    (d / "c.txt").write_text("   \n", encoding="utf-8")
    out = tmp_path / "o.jsonl"
    assert main(["batch", str(d), "-o", str(out), "--workers", "1"]) == 1
    stdout = capsys.readouterr().out
    assert "analysed 2, failed 1 (of 3; 0 resumed)" in stdout
    assert f"{d / 'c.txt'}: file is empty" in stdout
    assert len(out.read_text(encoding="utf-8").splitlines()) == 3

    assert main(["batch", str(d), "-o", str(out), "--workers", "1"]) == 2
    assert "--force" in capsys.readouterr().err

    assert main(["batch", str(d), "-o", str(out), "--workers", "1", "--resume"]) == 1
    assert "(of 3; 3 resumed)" in capsys.readouterr().out


def test_batch_all_good_exit_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = tmp_path / "in"
    d.mkdir()
    (d / "a.txt").write_text(report_text(), encoding="utf-8")
    assert main(["batch", str(d), "-o", str(tmp_path / "o.jsonl"), "--workers", "1"]) == 0
    assert "analysed 1, failed 0" in capsys.readouterr().out


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["batch", str(tmp_path)])  # -o missing
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["batch", str(tmp_path), "-o", "x.jsonl", "--workers", "0"])
    assert exc.value.code == 2
    assert main(["batch", str(tmp_path / "absent"), "-o", str(tmp_path / "x.jsonl")]) == 2
    assert "absent" in capsys.readouterr().err


def test_every_command_has_help() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert set(sub.choices) == {"analyze", "batch", "export", "report"}  # type: ignore[union-attr]
    for cmd in sub.choices.values():  # type: ignore[union-attr]
        text = cmd.format_help()
        assert cmd.description and len(text) > 300
        for action in cmd._actions:
            assert action.help, action.dest


def test_render_marks_flagged_cells_and_claims() -> None:
    claim = Claim(
        value=6,
        unit="件",
        qualifier="exact",
        metric="new",
        start=10,
        end=12,
        text="6件",
        cells=("apply.new.total",),
    )
    report = Report(
        source="x.txt",
        format="txt",
        template="2021",
        agency="某局",
        year=2024,
        published=None,
        sections=(Section(id="problems", heading="五、存在问题及改进情况", start=0, end=5, number="五"),),
        cells={
            "apply.new.total": CellValue(5.0, "5", "number"),
            "apply.new.natural": CellValue(5.0, "5", "number"),
        },
        findings=(
            Finding(
                rule="claim_mismatch",
                severity="warning",
                message="m",
                cells=("apply.new.total",),
                expected=5.0,
                found=6.0,
                claim=ClaimRef(text="6件", value=6, start=10, end=12),
            ),
        ),
        claims=(claim,),
    )
    text = render_plain(report)
    assert "Sections (1/6 found):" in text
    assert "[x] 五、存在的主要问题及改进情况  — printed as '五、存在问题及改进情况'" in text
    assert "| 5 [!1] |" in text
    assert "claim apply.new.total = 5  ← '6件' (6件) [!1]" in text
    assert (
        "[!1] warning claim_mismatch: m (cells apply.new.total; expected 5; found 6; claim '6件' at 10-12)"
        in text
    )


def test_analyze_consecutive_years_applies_previous_year_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI pairs a body's consecutive years and hands them to yearly.check_previous."""
    from nlp_pipeline import yearly

    calls: list[tuple[int | None, int | None]] = []

    def spy(cur: Report, prev: Report) -> list[Finding]:
        calls.append((cur.year, prev.year))
        return []

    monkeypatch.setattr(yearly, "check_previous", spy)
    paths = []
    for year in (2022, 2023, 2025):
        p = tmp_path / f"r{year}.txt"
        p.write_text(report_text(year=year), encoding="utf-8")
        paths.append(str(p))
    assert main(["analyze", *paths]) == 0
    assert calls == [(2023, 2022)]
    assert len(capsys.readouterr().out.splitlines()) == 3


def test_analyze_real_report_text() -> None:
    p = real_path("hengyang-hrss-2025.txt")
    proc = subprocess.run(
        [sys.executable, "-m", "nlp_pipeline.cli", "analyze", "--format", "text", str(p)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Sections (6/6 found):" in proc.stdout
    assert "表四 政府信息公开行政复议、行政诉讼情况" in proc.stdout


def test_render_rich_same_facts_as_plain(good: Path) -> None:
    from rich.console import Console

    from nlp_pipeline import analyze_path
    from nlp_pipeline.render import render_rich

    report = analyze_path(good)
    console = Console(record=True, width=160, force_terminal=True)
    for part in render_rich(report):
        console.print(part)
    text = console.export_text()
    assert str(good) in text
    assert "五、存在的主要问题及改进情况" in text
    assert "表三 收到和处理政府信息公开申请情况" in text
    assert f"Findings: {len(report.findings)}" in text


def test_analyze_directory_expands_and_empty_dir_fails(
    good: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["analyze", str(tmp_path)]) == 0
    assert [json.loads(x)["source"] for x in capsys.readouterr().out.splitlines()] == [str(good)]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["analyze", str(empty)]) == 1
    assert f"{empty}: no report files" in capsys.readouterr().err


def test_unwritable_outputs_no_traceback(
    good: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d = good.parent
    outdir = tmp_path / "outdir"
    outdir.mkdir()
    assert main(["batch", str(d), "-o", str(outdir), "--workers", "1"]) == 2
    assert f"cannot write output {outdir}: it is a directory" in capsys.readouterr().err
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    db = blocker / "r.duckdb"  # parent is a file: cannot be created
    assert main(["batch", str(d), "-o", str(tmp_path / "o.jsonl"), "--workers", "1", "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert f"cannot write output {db}" in err and "Traceback" not in err
