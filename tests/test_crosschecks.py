"""Cross-checks: claims against cells (hand-built), previous-year continuity, and real reports."""

from __future__ import annotations

from typing import Any

import pytest

from nlp_pipeline.crosschecks import check_claims, check_previous, claim_readings
from nlp_pipeline.document import Document
from nlp_pipeline.loading import parse_text
from nlp_pipeline.result import CellValue, Claim, Finding, Report, Section

from .conftest import real_gold, real_path


def num(v: float) -> CellValue:
    return CellValue(float(v), str(v), "number")


def doc_of(text: str) -> Document:
    return parse_text(text, source="hand.txt", fmt="txt")


def claim(text: str, figure: str, value: float, *, unit: str = "件", nth: int = 0, **kw: Any) -> Claim:
    """A claim on the ``nth`` occurrence of ``figure`` (the number and unit as written) in ``text``."""
    at = -1
    for _ in range(nth + 1):
        at = text.index(figure, at + 1)
    return Claim(
        value=value,
        unit=unit,
        qualifier=kw.pop("qualifier", "exact"),
        metric=kw.pop("metric", ""),
        start=at,
        end=at + len(figure),
        text=figure,
        **kw,
    )


def run(
    text: str, claims: list[Claim], cells: dict[str, CellValue], **kw: Any
) -> tuple[list[Claim], list[Finding]]:
    return check_claims(
        doc_of(text), claims, cells, sections=kw.pop("sections", ()), year=kw.pop("year", None)
    )


APPS = {
    "apply.new.total": num(30),
    "apply.carried_over.total": num(2),
    "apply.total_processed.total": num(28),
    "apply.granted.total": num(10),
    "apply.partial.total": num(4),
    "apply.denied.state_secret.total": num(1),
    "apply.denied.third_party.total": num(2),
    "apply.unable.not_held.total": num(9),
    "apply.rejected.duplicate.total": num(2),
    "apply.carried_forward.total": num(4),
    "review.total": num(3),
    "review.upheld": num(2),
    "review.corrected": num(1),
    "litigation_direct.total": num(1),
    "litigation_after_review.total": num(2),
    "litigation_direct.upheld": num(1),
    "litigation_after_review.upheld": num(0),
}


# ------------------------------------------------------------------ agree / disagree


def test_agreeing_claims_link_without_findings() -> None:
    text = "本年度我单位收到政府信息公开申请30件，上年结转2件，办结28件，结转下年度继续办理4件。\n"
    claims = [claim(text, "30件", 30), claim(text, "2件", 2), claim(text, "28件", 28), claim(text, "4件", 4)]
    linked, findings = run(text, claims, APPS)
    assert findings == []
    assert [c.cells for c in linked] == [
        ("apply.new.total",),
        ("apply.carried_over.total",),
        ("apply.total_processed.total",),
        ("apply.carried_forward.total",),
    ]


def test_disagreeing_claim_is_flagged_with_readings_and_difference() -> None:
    text = "本年度收到政府信息公开申请30件。\n"
    cells = {"apply.new.total": num(24), "apply.carried_over.total": num(0)}
    linked, findings = run(text, [claim(text, "30件", 30)], cells)
    assert len(findings) == 1
    f = findings[0]
    assert (f.rule, f.severity, f.expected, f.found) == ("claim_mismatch", "warning", 24.0, 30.0)
    assert f.cells == ("apply.new.total",)
    assert f.claim is not None and (f.claim.text, f.claim.value, f.claim.start) == (
        "30件",
        30.0,
        text.index("30件"),
    )
    assert [r["label"] for r in f.detail["readings"]] == ["new", "new+carried_over"]
    assert f.message == (
        "narrative says 本年度收到政府信息公开申请30件 but 表三 apply.new.total = 24 (difference 6); "
        "other readings tried: 表三 apply.new.total + apply.carried_over.total = 24"
    )
    assert linked[0].cells == ("apply.new.total",)


def test_single_reading_mismatch_is_an_error() -> None:
    text = "全年办结政府信息公开申请20件。\n"
    _, findings = run(text, [claim(text, "20件", 20)], APPS)
    assert [(f.rule, f.severity, f.expected, f.found) for f in findings] == [
        ("claim_mismatch", "error", 28.0, 20.0)
    ]


def test_ambiguous_accepted_agrees_through_new_plus_carried_over() -> None:
    text = "共受理政府信息公开申请32件。\n"
    linked, findings = run(text, [claim(text, "32件", 32)], APPS)
    assert findings == []
    assert linked[0].cells == ("apply.new.total", "apply.carried_over.total")


def test_granted_and_partial_sum_and_groups() -> None:
    text = "办结申请28件，其中予以公开及部分公开14件，不予公开3件、无法提供9件，不予处理2件。\n"
    claims = [claim(text, "14件", 14), claim(text, "3件", 3), claim(text, "9件", 9), claim(text, "2件", 2)]
    linked, findings = run(text, claims, APPS)
    assert findings == []
    assert linked[0].cells == ("apply.granted.total", "apply.partial.total")
    assert linked[1].cells == ("apply.denied.state_secret.total", "apply.denied.third_party.total")
    assert linked[2].cells == ("apply.unable.not_held.total",)
    assert linked[3].cells == ("apply.rejected.duplicate.total",)


def test_review_and_litigation_are_kept_apart() -> None:
    text = "发生政府信息公开行政复议3件、行政诉讼3件。\n"
    linked, findings = run(text, [claim(text, "3件", 3), claim(text, "3件", 3, nth=1)], APPS)
    assert findings == []
    assert linked[0].cells == ("review.total",)
    assert linked[1].cells == ("litigation_direct.total", "litigation_after_review.total")
    text2 = "发生行政复议4件、行政诉讼3件。\n"
    _, findings = run(text2, [claim(text2, "4件", 4), claim(text2, "3件", 3)], APPS)
    assert [(f.cells, f.expected) for f in findings] == [(("review.total",), 3.0)]


def test_other_outcome_column_of_review_and_litigation() -> None:
    text = "行政复议5件，其中结果维持2件，其他结果3件；行政诉讼4件，其中结果纠正1件，其他结果3件。\n"
    cells = {
        "review.total": num(5),
        "review.upheld": num(2),
        "review.other": num(3),
        "litigation_direct.other": num(1),
        "litigation_after_review.other": num(2),
        "litigation_direct.corrected": num(1),
        "litigation_after_review.corrected": num(0),
    }
    claims = [claim(text, "3件", 3), claim(text, "3件", 3, nth=1)]
    linked, findings = run(text, claims, cells)
    assert findings == []
    assert [c.cells for c in linked] == [
        ("review.other",),
        ("litigation_direct.other", "litigation_after_review.other"),
    ]
    _, findings = run(text, claims, {**cells, "review.other": num(4)})
    assert [(f.cells, f.expected, f.found) for f in findings] == [(("review.other",), 4.0, 3.0)]


def test_not_held_row_or_its_group() -> None:
    text = "办结申请28件，其中本机关不掌握相关政府信息6件。\n"
    cells = {
        "apply.unable.not_held.total": num(6),
        "apply.unable.need_create.total": num(2),
        "apply.unable.unclear.total": num(1),
    }
    linked, findings = run(text, [claim(text, "6件", 6)], cells)
    assert (linked[0].cells, findings) == (("apply.unable.not_held.total",), [])
    _, findings = run(text, [claim(text, "6件", 9)], cells)
    assert findings == []  # 9 is the whole 无法提供 group: a loose but admissible reading
    _, findings = run(text, [claim(text, "6件", 7)], cells)
    assert [(f.rule, f.expected) for f in findings] == [("claim_mismatch", 6.0)]
    assert [r["label"] for r in findings[0].detail["readings"]] == ["not_held", "unable"]


def test_documents_verb_serves_the_whole_list() -> None:
    text = "全年公开部门规章2件、行政规范性文件5件。\n"
    cells = {
        "active.rules.issued": num(2),
        "active.rules.in_force": num(10),
        "active.normative_docs.issued": num(4),
        "active.normative_docs.in_force": num(5),
    }
    claims = [claim(text, "2件", 2), claim(text, "5件", 5)]
    linked, findings = run(text, claims, cells)
    assert findings == []
    assert [c.cells for c in linked] == [("active.rules.issued",), ("active.normative_docs.in_force",)]
    _, findings = run(text, claims, {**cells, "active.normative_docs.in_force": num(6)})
    assert [(f.cells, f.expected, f.found, f.severity) for f in findings] == [
        (("active.normative_docs.issued",), 4.0, 5.0, "warning")
    ]


def test_no_correction_row_and_corrected_by_another_word() -> None:
    text = "办结申请28件，其中申请人逾期未补正2件。行政复议3件，其中被纠错1件。\n"
    cells = {
        **APPS,
        "apply.other.no_correction.total": num(2),
        "apply.other.no_fee.total": num(1),
    }
    linked, findings = run(text, [claim(text, "2件", 2), claim(text, "1件", 1)], cells)
    assert findings == []
    assert [c.cells for c in linked] == [("apply.other.no_correction.total",), ("review.corrected",)]
    _, findings = run(
        text, [claim(text, "2件", 2), claim(text, "1件", 1)], {**cells, "review.corrected": num(0)}
    )
    assert [(f.cells, f.expected, f.found) for f in findings] == [(("review.corrected",), 0.0, 1.0)]


def test_review_outcome_column() -> None:
    text = "行政复议3件，其中结果维持2件，结果纠正1件。\n"
    linked, findings = run(text, [claim(text, "2件", 2), claim(text, "1件", 1)], APPS)
    assert findings == []
    assert [c.cells for c in linked] == [("review.upheld",), ("review.corrected",)]


def test_active_disclosure_listing_is_not_read_as_table_three() -> None:
    text = "本年主动公开政府信息120条，依申请公开信息数40条，不予公开信息数7条，不予公开5条。\n"
    claims = [claim(text, "7条", 7, unit="条"), claim(text, "5条", 5, unit="条")]
    linked, findings = run(text, claims, APPS)
    assert findings == []
    assert [c.cells for c in linked] == [(), ()]


def test_blank_cells_and_change_claims_do_not_link() -> None:
    text = "收到申请30件，同比增加6件。\n"
    cells = {"apply.new.total": CellValue(None, "", "blank")}
    linked, findings = run(text, [claim(text, "30件", 30)], cells)
    assert (linked[0].cells, findings) == ((), [])
    linked, findings = run(text, [claim(text, "6件", 6, is_change=True)], APPS)
    assert (linked[0].cells, findings) == ((), [])


def test_section_limits_what_a_claim_may_mean() -> None:
    text = "收到政府信息公开申请30件，制发行政规范性文件8件。\n"
    cells = {**APPS, "active.normative_docs.issued": num(8)}
    in_two = [
        claim(text, "30件", 30, section="active_disclosure"),
        claim(text, "8件", 8, section="active_disclosure"),
    ]
    assert [c.cells for c in run(text, in_two, cells)[0]] == [(), ("active.normative_docs.issued",)]
    in_five = [claim(text, "30件", 30, section="problems")]
    assert run(text, in_five, cells)[0][0].cells == ()


def test_metric_used_when_the_clause_names_nothing() -> None:
    text = "全年受理的申请中，另有3件顺延到下一年度答复。\n"
    c = claim(text, "3件", 3, metric="顺延到下一年度答复")
    readings = claim_readings(c, text, APPS)
    assert [r.label for r in readings] == ["carried_forward"]
    _, findings = run(text, [c], APPS)
    assert [(f.rule, f.expected) for f in findings] == [("claim_mismatch", 4.0)]


# ------------------------------------------------------------------ qualifiers


@pytest.mark.parametrize(
    ("figure", "value", "qualifier", "written", "cell", "ok"),
    [
        ("1.2万余件", 12000, "at_least", 1.2, 12500, True),
        ("1.2万余件", 12000, "at_least", 1.2, 11000, False),
        ("1.2万余件", 12000, "at_least", 1.2, 20000, False),
        ("30余件", 30, "at_least", None, 36, True),
        ("约300件", 300, "about", None, 290, True),
        ("约300件", 300, "about", None, 180, False),
        ("不到50件", 50, "at_most", None, 49, True),
        ("不到50件", 50, "at_most", None, 60, False),
        ("30件", 30, "exact", None, 31, False),
    ],
)
def test_qualifiers(
    figure: str, value: float, qualifier: str, written: float | None, cell: float, ok: bool
) -> None:
    text = f"全年收到政府信息公开申请{figure}。\n"
    number = figure.lstrip("约不到")
    c = claim(
        text,
        number,
        value,
        qualifier=qualifier,
        written_value=written,
        scale="万" if written else "",
    )
    cells = {"apply.new.total": num(cell), "apply.carried_over.total": num(0)}
    _, findings = run(text, [c], cells)
    assert (findings == []) is ok


def test_fee_amount_in_wan_with_rounding() -> None:
    text = "全年行政事业性收费410万元。\n"
    c = claim(text, "410万元", 4_100_000, unit="元", scale="万", written_value=410)
    _, findings = run(text, [c], {"active.fees.amount_wan": CellValue(410.35, "410.35", "number")})
    assert findings == []
    _, findings = run(text, [c], {"active.fees.amount_wan": num(380)})
    assert [(f.rule, f.expected, f.found) for f in findings] == [("claim_mismatch", 380.0, 410.0)]
    c_wan = claim(text, "410万元", 4_100_000, unit="万元", scale="万", written_value=410)
    _, findings = run(text, [c_wan], {"active.fees.amount_wan": num(410)})
    assert findings == []


def test_fee_amount_in_yi_converts_to_wan() -> None:
    text = "全年行政事业性收费0.5亿元。\n"
    c = claim(text, "0.5亿元", 50_000_000, unit="亿元", scale="亿", written_value=0.5)
    _, findings = run(text, [c], {"active.fees.amount_wan": num(5000)})
    assert findings == []
    _, findings = run(text, [c], {"active.fees.amount_wan": num(7000)})
    assert [(f.rule, f.expected, f.found) for f in findings] == [("claim_mismatch", 7000.0, 5000.0)]


def test_documents_issued_repealed_in_force() -> None:
    text = "全年印发行政规范性文件8件，废止2件，现行有效行政规范性文件40件。\n"
    claims = [claim(text, "8件", 8), claim(text, "2件", 2), claim(text, "40件", 40)]
    cells = {
        "active.normative_docs.issued": num(8),
        "active.normative_docs.repealed": num(3),
        "active.normative_docs.in_force": num(40),
    }
    linked, findings = run(text, claims, cells)
    assert [c.cells for c in linked] == [
        ("active.normative_docs.issued",),
        ("active.normative_docs.repealed",),
        ("active.normative_docs.in_force",),
    ]
    assert [(f.expected, f.found) for f in findings] == [(3.0, 2.0)]
    cells_2019 = {"active.normative_docs.made": num(8), "active.normative_docs.published": num(7)}
    linked, findings = run(text, claims[:1], cells_2019)
    assert (linked[0].cells, findings) == (("active.normative_docs.made",), [])


# ------------------------------------------------------------------ percentages


def test_percentage_agrees_and_disagrees() -> None:
    text = "办结申请28件，其中予以公开及部分公开14件，占50%；无法提供9件，占32.14%。\n"
    claims = [claim(text, "50%", 50, unit="%"), claim(text, "32.14%", 32.14, unit="%")]
    linked, findings = run(text, claims, APPS)
    assert findings == []
    assert linked[0].cells == ("apply.granted.total", "apply.partial.total", "apply.total_processed.total")
    cells = {**APPS, "apply.unable.not_held.total": num(12)}
    _, findings = run(text, claims, cells)
    assert [f.rule for f in findings] == ["claim_percentage"]
    assert findings[0].found == 32.14
    assert findings[0].message.startswith(
        "narrative says 无法提供9件，占32.14% but the tables give 表三 unable/total_processed = 42.86%, "
    )


def test_rates() -> None:
    text = "全年收到政府信息公开申请30件，办结率100%，公开率50%。\n"
    claims = [
        claim(text, "100%", 100, unit="%", metric="办结率"),
        claim(text, "50%", 50, unit="%", metric="公开率"),
    ]
    cells = {**APPS, "apply.carried_over.total": num(0), "apply.carried_forward.total": num(0)}
    cells["apply.total_processed.total"] = num(30)
    cells["apply.granted.total"] = num(15)
    cells["apply.partial.total"] = num(0)
    _, findings = run(text, claims, cells)
    assert findings == []
    cells["apply.total_processed.total"] = num(27)
    cells["apply.carried_forward.total"] = num(3)
    _, findings = run(text, claims[:1], cells)
    assert [f.rule for f in findings] == ["claim_percentage"]


def test_rate_outside_applications_is_not_linked() -> None:
    text = "预算信息在统一平台集中公开，公开率100%。\n"
    linked, findings = run(text, [claim(text, "100%", 100, unit="%", metric="公开率")], APPS)
    assert (linked[0].cells, findings) == ((), [])


# ------------------------------------------------------------------ narrative-only rules


def test_all_closed_against_carried_forward() -> None:
    text = "本年度收到政府信息公开申请30件，均已按期答复。\n"
    _, findings = run(text, [], APPS)
    assert [(f.rule, f.found, f.cells) for f in findings] == [
        ("claim_all_closed", 4.0, ("apply.carried_forward.total",))
    ]
    assert findings[0].start == text.index("均已按期答复")
    _, findings = run(text, [], {**APPS, "apply.carried_forward.total": num(0)})
    assert findings == []
    text2 = "收到政府信息公开申请30件，另有4件结转下年度办理，其余均已按期答复。\n"
    assert run(text2, [], APPS)[1] == []
    text3 = "行政复议案件均已办结，政府信息公开申请工作平稳。\n"
    assert run(text3, [], APPS)[1] == []


def test_report_period_year() -> None:
    text = "本年报数据统计期限为2024年1月1日至2024年12月31日。\n"
    _, findings = run(text, [], {}, year=2025)
    assert [(f.rule, f.expected, f.found, f.start) for f in findings] == [
        ("report_period_year", 2025.0, 2024.0, text.index("2024年1月1日"))
    ]
    assert run(text, [], {}, year=2024)[1] == []
    assert run(text, [], {}, year=None)[1] == []
    short = "本报告中使用的数据统计期限为2023年1月1日至12月31日。\n"
    assert [(f.found, f.detail["period"]) for f in run(short, [], {}, year=2024)[1]] == [
        (2023.0, [2023, 2023])
    ]
    unrelated = "自2024年1月1日至2024年12月31日开展专项行动。\n"
    assert run(unrelated, [], {}, year=2025)[1] == []


def test_fee_contradiction() -> None:
    text = "一、总体情况\n收取信息处理费200元。\n六、其他需要报告的事项\n本年度未收取信息处理费。\n"
    six = text.index("六、")
    sections = (
        Section("overview", "一、总体情况", 0, six),
        Section("other_matters", "六、其他需要报告的事项", six, len(text)),
    )
    c = claim(text, "200元", 200, unit="元", metric="信息处理费")
    _, findings = run(text, [c], {}, sections=sections)
    assert [(f.rule, f.found) for f in findings] == [("fee_contradiction", 200.0)]
    assert findings[0].claim is not None and findings[0].claim.start == text.index("200元")
    clean = text.replace("本年度未收取信息处理费", "本年度依规收取信息处理费")
    assert (
        run(clean, [claim(clean, "200元", 200, unit="元", metric="信息处理费")], {}, sections=sections)[1]
        == []
    )


# ------------------------------------------------------------------ check_previous


def report(year: int, cells: dict[str, float | None] | dict[str, float], template: str = "2021") -> Report:
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


# ------------------------------------------------------------------ real reports


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


CLAIM_RULES = {
    "claim_mismatch",
    "claim_percentage",
    "claim_all_closed",
    "report_period_year",
    "fee_contradiction",
}


def test_real_clean_report_end_to_end() -> None:
    from nlp_pipeline.pipeline import analyze_path

    name = "zonghe-2023.html"
    path = real_path(name)
    assert real_gold(name)["arithmetic_errors"] == []
    rep = analyze_path(path)
    assert rep.claims, "claim extraction found no claim in this report"
    assert [f for f in rep.findings if f.rule in CLAIM_RULES] == []
    linked = {c.text: c.cells for c in rep.claims if c.cells}
    assert linked.get("42件") == ("apply.granted.total", "apply.partial.total")
    assert len(linked) >= 8


@pytest.mark.parametrize(
    "name",
    [
        "hengyang-hrss-2025.txt",
        "szfgs-2024.pdf",
        "czj-2024.docx",
        "zonghe-2022.html",
        "shuyang-fgj-2023.html",
    ],
)
def test_clean_reports_of_every_format_raise_no_claim_finding(name: str) -> None:
    from nlp_pipeline.pipeline import analyze_path

    path = real_path(name)
    assert real_gold(name)["arithmetic_errors"] == []
    rep = analyze_path(path)
    assert [f.message for f in rep.findings if f.rule in CLAIM_RULES] == []
    assert all(c.cells == () or set(c.cells) <= set(rep.cells) for c in rep.claims)


def test_real_report_outcome_columns_and_rules_link_and_agree() -> None:
    """表四 其他结果 and a 新增 rules count in the PDF's narrative link to the gold cells they state."""
    from nlp_pipeline.pipeline import analyze_path

    name = "szfgs-2024.pdf"
    path = real_path(name)
    gold = real_gold(name)["cells"]
    rep = analyze_path(path)
    assert rep.claims, "claim extraction found no claim in this report"
    by_cells = {c.cells: c.value for c in rep.claims if c.cells}
    assert by_cells[("review.other",)] == gold["review.other"]
    other = ("litigation_direct.other", "litigation_after_review.other")
    assert by_cells[other] == gold[other[0]] + gold[other[1]]
    assert by_cells[("active.rules.issued",)] == gold["active.rules.issued"]
    assert [f.message for f in rep.findings if f.rule in CLAIM_RULES] == []


def test_real_report_with_narrative_table_disagreement() -> None:
    """jjf-2023 says it received 0 applications; its 表三 (gold) has 3 new ones."""
    from nlp_pipeline.pipeline import analyze_path

    name = "jjf-2023.html"
    path = real_path(name)
    assert real_gold(name)["cells"]["apply.new.total"] == 3.0
    rep = analyze_path(path)
    assert rep.claims, "claim extraction found no claim in this report"
    mism = [f for f in rep.findings if f.rule == "claim_mismatch"]
    assert [(f.expected, f.found) for f in mism] == [(3.0, 0.0)]


# ------------------------------------------------------------------ phrasing robustness (own wording)

ALL_SEVEN = {
    k: num(7)
    for k in (
        "apply.new.total",
        "apply.new.natural",
        "apply.carried_over.total",
        "apply.carried_over.natural",
        "apply.total_processed.total",
        "apply.granted.total",
        "apply.partial.total",
        "apply.unable.not_held.total",
        "apply.carried_forward.total",
        "review.total",
        "review.upheld",
        "litigation_direct.total",
        "litigation_after_review.total",
        "active.licensing.decisions",
        "active.penalty.decisions",
        "active.fees.amount_wan",
        "active.normative_docs.issued",
        "active.normative_docs.in_force",
        "active.normative_docs.repealed",
    )
}


def labels(sentence: str, figure: str, *, unit: str = "件", value: float = 0.0) -> list[str]:
    text = sentence + "\n"
    c = claim(text, figure, value, unit=unit)
    return [r.label for r in claim_readings(c, text, ALL_SEVEN)]


@pytest.mark.parametrize(
    ("sentence", "figure", "unit"),
    [
        ("全年办理人大代表建议12件、政协提案9件。", "12件", "件"),
        ("全年答复网民咨询留言366件，办结政府信息公开申请30件。", "366件", "件"),
        ("依申请公开的平均答复时间为5个工作日。", "5个", "个"),
        ("收到政府信息公开申请较上年增加6件。", "6件", "件"),
        ("自条例施行以来累计收到申请300件。", "300件", "件"),
        ("解读规范性文件12件。", "12件", "件"),
        ("公开行政许可信息69条、行政处罚信息20条。", "69条", "条"),
        ("为企业减免行政事业性收费120万元。", "120万元", "元"),
        ("收到政府信息公开申请30件，其中网上申请20件。", "20件", "件"),
        ("收到群众来信20件，均已办结。", "20件", "件"),
        ("清理现行有效规范性文件393件。", "393件", "件"),
        ("依法做好行政复议、行政诉讼的应诉工作，共办理相关案件74件。", "74件", "件"),
        ("主动公开政府信息300条，其中规范性文件类7条。", "7条", "条"),
        ("在网站公开规范性文件解读材料7件。", "7件", "件"),
        ("对规范性文件开展清理后公布保留7件。", "7件", "件"),
        ("本年度依申请公开信息数7条。", "7条", "条"),
        ("公开行政许可信息40条、行政处罚结果7条。", "7条", "条"),
        ("全年提出政务公开工作建议7件。", "7件", "件"),
        ("收到政府信息公开申请30件，其中延期答复7件。", "7件", "件"),
    ],
)
def test_phrases_that_must_not_link(sentence: str, figure: str, unit: str) -> None:
    assert labels(sentence, figure, unit=unit) == []


@pytest.mark.parametrize(
    ("sentence", "figure", "expected"),
    [
        ("本机关新收政府信息公开申请25件，上年度结转申请3件。", "3件", ["carried_over"]),
        ("全年共接到各类信息公开申请25件。", "25件", ["new", "new+carried_over"]),
        ("本年度共办结申请26件，另有2件转入下一年度办理。", "2件", ["carried_forward"]),
        ("在已办结的申请中，予以公开10件，部分公开5件。", "5件", ["partial"]),
        ("发生行政复议案件3件，其中维持2件；行政诉讼案件1件。", "2件", ["review.upheld"]),
        ("发生行政复议案件3件，其中维持2件；行政诉讼案件1件。", "1件", ["litigation.total"]),
        ("本年度作出行政处罚决定35件。", "35件", ["penalty.decisions"]),
        ("收到的申请中，自然人提出20件。", "20件", ["new.natural", "new+carried_over.natural"]),
        ("本年度共有政府信息公开申请7件。", "7件", ["new", "new+carried_over"]),
        ("全年政府信息公开申请总数为7件。", "7件", ["new", "new+carried_over"]),
        ("今年群众向我局提交政府信息公开申请7件。", "7件", ["new", "new+carried_over"]),
        ("本年度政府信息公开申请量为7件。", "7件", ["new", "new+carried_over"]),
        ("办结申请20件，其中全部公开7件。", "7件", ["granted"]),
        ("办结申请20件，其中因本机关不掌握相关政府信息告知申请人7件。", "7件", ["not_held"]),
        ("办结申请20件，其中所申请的信息不存在7件。", "7件", ["unable"]),
        ("本年度新增行政规范性文件7件。", "7件", ["normative_docs.issued"]),
        ("全年主动公开行政规范性文件7件。", "7件", ["normative_docs.issued", "normative_docs.in_force"]),
        (
            "全年在网站公布部门规章3件、行政规范性文件7件。",
            "7件",
            ["normative_docs.issued", "normative_docs.in_force"],
        ),
        ("本年度作出行政许可决定40件、行政处罚7件。", "7件", ["penalty.decisions"]),
        ("收到政府信息公开申请30件，办结23件，尚未办结7件。", "7件", ["carried_forward"]),
        ("收到政府信息公开申请30件，截至年底仍在办理7件。", "7件", ["carried_forward"]),
        ("本年度行政许可办件量7件。", "7件", ["licensing.decisions"]),
        ("全年审批行政许可7件。", "7件", ["licensing.decisions"]),
        ("收到政府信息公开申请30件，办结7件。", "7件", ["total_processed"]),  # not the longer 未办结
    ],
)
def test_phrases_that_link(sentence: str, figure: str, expected: list[str]) -> None:
    assert labels(sentence, figure) == expected


def test_blank_total_reads_as_the_sum_of_its_parts() -> None:
    text = "全年发生政府信息公开行政诉讼4件。\n"
    blank = CellValue(None, "", "blank")
    cells = {
        "litigation_direct.upheld": num(1),
        "litigation_direct.corrected": num(1),
        "litigation_direct.other": num(0),
        "litigation_direct.pending": num(0),
        "litigation_direct.total": blank,
        "litigation_after_review.upheld": num(2),
        "litigation_after_review.corrected": num(0),
        "litigation_after_review.other": num(0),
        "litigation_after_review.pending": num(0),
        "litigation_after_review.total": num(2),
    }
    linked, findings = run(text, [claim(text, "4件", 4)], cells)
    assert findings == []
    assert linked[0].cells
    _, findings = run(text, [claim(text, "4件", 5)], cells)
    assert [(f.rule, f.expected, f.found) for f in findings] == [("claim_mismatch", 4.0, 5.0)]
