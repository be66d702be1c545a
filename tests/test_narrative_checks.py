"""Narrative-only rules: "all handled" beside carried-forward applications, reporting period, fees."""

from __future__ import annotations

from nlp_pipeline.result import Section

from .claim_cases import APPS, claim, num, run


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
