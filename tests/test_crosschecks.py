"""Cross-checks: claims compared with the cells they link to (hand-built), and real reports end to end."""

from __future__ import annotations

import pytest

from nlp_pipeline.result import CellValue

from .claim_cases import APPS, claim, num, run
from .conftest import real_gold, real_path

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


# ------------------------------------------------------------------ real reports


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
