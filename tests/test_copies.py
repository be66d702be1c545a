"""Copied section 五 text across reports: hand-built reports."""

from __future__ import annotations

import random

import pytest

from nlp_pipeline import copies
from nlp_pipeline.copies import find_copies
from nlp_pipeline.result import ProblemStatement, Report


def report(source: str, agency: str, year: int, texts: list[str]) -> Report:
    stmts = tuple(ProblemStatement(text=t, kind="problem", start=0, end=len(t)) for t in texts)
    return Report(
        source=source,
        format="txt",
        template=None,
        agency=agency,
        year=year,
        published=None,
        sections=(),
        cells={},
        findings=(),
        problems=stmts,
    )


def test_find_copies_previous_year_and_other_body() -> None:
    same = "2023年政府网站部分栏目更新不及时，政策解读材料数量偏少，互动回应时效有待提高"
    reports = [
        report("a-2023", "甲局", 2023, [same, "档案室扫描进度落后于计划安排的三分之一"]),
        report(
            "a-2024", "甲局", 2024, [same.replace("2023", "2024"), "新设的意见征集栏目全年只收到五条留言"]
        ),
        report("b-2024", "乙局", 2024, ["档案室扫描进度落后于计划安排的三分之一"]),
    ]
    out = find_copies(reports)
    assert [r.source for r in out] == ["a-2023", "a-2024", "b-2024"]
    a24 = out[1]
    cf = a24.problems[0].copied_from
    assert cf is not None and cf.scope == "previous_year" and cf.source == "a-2023" and cf.similarity == 1.0
    assert a24.problems[1].copied_from is None
    assert [f.rule for f in a24.findings] == ["copied_previous_year"]
    assert out[0].findings == ()  # nothing before 2023
    b = out[2].problems[0].copied_from
    assert b is not None and b.scope == "other_body" and b.source == "a-2023"
    assert out[2].findings == ()


def test_find_copies_blocks_candidates_at_scale(monkeypatch: pytest.MonkeyPatch) -> None:
    """15,000 statements of 3,000 bodies: the sketch blocking keeps the rapidfuzz comparisons
    near-linear (all pairs would be ~10^8), and the one planted copy is still found."""
    calls = 0
    ratio = copies.fuzz.ratio

    def counted(*args: object, **kwargs: object) -> float:
        nonlocal calls
        calls += 1
        return ratio(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(copies.fuzz, "ratio", counted)
    rng = random.Random(7)
    alphabet = "政务公开网站栏目解读申请答复平台培训队伍目录指南考核巡检留言回应基层档案数据"
    reports = [
        report(
            f"r{i}", f"机关{i}", 2024, ["".join(rng.choice(alphabet) for _ in range(40)) for _ in range(5)]
        )
        for i in range(3000)
    ]
    planted = reports[10].problems[2].text[:-1] + "改"
    reports[2500] = report("r2500", "机关2500", 2024, [planted])
    out = find_copies(reports)
    assert calls < 2 * sum(len(r.problems) for r in reports)
    hits = [(r.source, p.copied_from.source) for r in out for p in r.problems if p.copied_from]
    assert hits == [("r10", "r2500"), ("r2500", "r10")]


def test_reports_of_unknown_body_are_not_one_body() -> None:
    text = "政府网站部分栏目更新不及时，政策解读材料数量偏少，互动回应时效有待提高"
    reports = [
        Report(
            source=s,
            format="txt",
            template=None,
            agency=None,
            year=y,
            published=None,
            sections=(),
            cells={},
            findings=(),
            problems=(ProblemStatement(text=text, kind="problem", start=0, end=len(text)),),
        )
        for s, y in (("x", 2023), ("y", 2024))
    ]
    out = find_copies(reports)
    cf = out[1].problems[0].copied_from
    assert cf is not None and cf.scope == "other_body" and cf.source == "x"
    assert out[1].findings == ()
