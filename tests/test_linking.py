"""Linking: which cells a claim may refer to, decided by the lexicon and the claim's own clause."""

from __future__ import annotations

import pytest

from nlp_pipeline.linking import claim_readings
from nlp_pipeline.result import CellValue

from .claim_cases import APPS, claim, num, run


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
