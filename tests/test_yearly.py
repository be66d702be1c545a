"""Year-on-year checks between one body's consecutive reports (hand-built and the real series)."""

from __future__ import annotations

from collections.abc import Mapping

from nlp_pipeline.result import CellValue, Report
from nlp_pipeline.yearly import check_previous

from .claim_cases import num
from .conftest import real_gold, real_path


def report(year: int, cells: Mapping[str, float | None], template: str = "2021") -> Report:
    return Report(
        source=f"body-{year}",
        format="txt",
        template=template,  # type: ignore[arg-type]
        agency="某局",
        year=year,
        published=None,
        sections=(),
        cells={k: num(v) if v is not None else CellValue(None, "", "blank") for k, v in cells.items()},
        findings=(),
    )


def test_carryover_mismatch_and_match() -> None:
    prev = report(2023, {"apply.carried_forward.total": 5, "apply.carried_forward.natural": 5})
    cur = report(2024, {"apply.carried_over.total": 3, "apply.carried_over.natural": 3})
    findings = check_previous(cur, prev)
    assert [(f.rule, f.expected, f.found) for f in findings] == [("carryover_mismatch", 5.0, 3.0)]
    assert findings[0].cells == ("apply.carried_over.natural", "apply.carried_over.total")
    ok = report(2024, {"apply.carried_over.total": 5, "apply.carried_over.natural": 5})
    assert check_previous(ok, prev) == []
    blank = report(2024, {"apply.carried_over.total": None})
    assert check_previous(blank, prev) == []
    assert check_previous(report(2025, {"apply.carried_over.total": 3}), prev) == []


def test_in_force_continuity() -> None:
    prev = report(2022, {"active.normative_docs.in_force": 10})
    cur = report(
        2023,
        {
            "active.normative_docs.issued": 4,
            "active.normative_docs.repealed": 1,
            "active.normative_docs.in_force": 13,
        },
    )
    assert check_previous(cur, prev) == []
    bad = report(
        2023,
        {
            "active.normative_docs.issued": 4,
            "active.normative_docs.repealed": 1,
            "active.normative_docs.in_force": 20,
        },
    )
    findings = check_previous(bad, prev)
    assert [(f.rule, f.severity, f.expected, f.found) for f in findings] == [
        ("in_force_continuity", "warning", 13.0, 20.0)
    ]
    old = report(
        2020, {"active.normative_docs.total_public": 10, "apply.carried_forward.total": 2}, template="2019"
    )
    first_2021 = report(2021, {**dict.fromkeys(bad.cells, 1), "apply.carried_over.total": 1})
    assert [(f.rule, f.expected, f.found) for f in check_previous(first_2021, old)] == [
        ("carryover_mismatch", 2.0, 1.0)
    ]


def gold_cell(v: float | str | None) -> CellValue:
    if v is None:
        return CellValue(None, "", "blank")
    if isinstance(v, str):
        return CellValue(None, v, "text")
    return num(v)


def _gold_report(name: str) -> Report:
    gold = real_gold(name)
    cells = {k: gold_cell(v) for k, v in gold["cells"].items()}
    return Report(name, gold["format"], gold["template"], gold["agency"], gold["year"], None, (), cells, ())


def test_previous_year_on_real_series() -> None:
    """Carry-over agrees everywhere in the series; 现行有效 continuity fails where the tables do not add up."""
    real_path("zonghe-2023.html")
    flagged = []
    for body in ("czj", "jjf", "zonghe"):
        for year in range(2020, 2026):
            cur, prev = _gold_report(f"{body}-{year}.html"), _gold_report(f"{body}-{year - 1}.html")
            flagged += [(body, year, f.rule, f.expected, f.found) for f in check_previous(cur, prev)]
    assert not [f for f in flagged if f[2] == "carryover_mismatch"]
    assert ("zonghe", 2023, "in_force_continuity", 643.0, 470.0) in flagged
    assert all(year >= 2022 for _, year, *_ in flagged)


def test_the_corpus_pass_uses_the_yearly_module() -> None:
    """The batch's corpus pass reaches the year-on-year checks here (no silent getattr fallback)."""
    from nlp_pipeline import corpus_pass, yearly

    assert corpus_pass.yearly is yearly
