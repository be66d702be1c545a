"""find_sections / extract_metadata on hand-written reports and on the real corpus."""

from __future__ import annotations

import csv

import pytest

from nlp_pipeline import loaders
from nlp_pipeline.document import Document
from nlp_pipeline.schema import SECTION_IDS
from nlp_pipeline.sections import _MIN_BODY, _has_body, _norm, extract_metadata, find_sections

from .conftest import REAL, real_path

STANDARD = """示例市示例局2024年政府信息公开工作年度报告
(2025年1月20日)
本报告内容包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议、行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。本年度报告中所列数据的统计期限自2024年1月1日起至2024年12月31日止。
一、总体情况
本局全年办理了若干公开事项。
二、主动公开政府信息情况
信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |
规章 | 0 | 0 | 0 |
三、收到和处理政府信息公开申请情况
一、本年新收政府信息公开申请数量 | 3 | 0 | 0 | 0 | 0 | 0 | 3 |
四、结转下年度继续办理 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
四、政府信息公开行政复议、行政诉讼情况
行政复议 | 行政诉讼 |
五、存在的主要问题及改进情况
一是示例问题尚待解决。
六、其他需要报告的事项
本年度未收取信息处理费。
"""


def doc_of(text: str, **meta: str) -> Document:
    d = loaders.parse_text(text, source="hand.txt")
    return Document(source=d.source, format=d.format, text=d.text, blocks=d.blocks, meta=dict(meta))


def test_standard_report_sections_spans_and_no_findings() -> None:
    doc = doc_of(STANDARD)
    res = find_sections(doc)
    assert [s.id for s in res.sections] == list(SECTION_IDS)
    assert [s.number for s in res.sections] == list("一二三四五六")
    assert res.findings == ()
    for a, b in zip(res.sections, res.sections[1:], strict=False):
        assert a.end == b.start
    review = res.sections[3]
    assert (
        doc.text[review.start : review.start + len(review.heading)]
        == "四、政府信息公开行政复议、行政诉讼情况"
    )
    assert res.sections[-1].end == len(doc.text)


def test_table_row_and_preface_sentence_are_not_headings() -> None:
    text = STANDARD.replace(
        "四、结转下年度继续办理 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |", "### 四、结转下年度继续办理"
    )
    res = find_sections(doc_of(text))
    review = next(s for s in res.sections if s.id == "review_litigation")
    assert review.heading == "四、政府信息公开行政复议、行政诉讼情况"
    overview = res.sections[0]
    assert overview.heading == "一、总体情况"


def test_renumbered_sections_and_variant_headings() -> None:
    text = STANDARD.replace(
        "二、主动公开政府信息情况", "二、工作机制建设\n本局健全了制度。\n三、主动公开政府信息情况"
    )
    text = text.replace("三、收到和处理政府信息公开申请情况", "四、收到和处理政府信息公开申请情况")
    text = text.replace("四、政府信息公开行政复议、行政诉讼情况", "五、政府信息公开行政法复议、行政诉讼情况")
    text = text.replace("五、存在的主要问题及改进情况", "六、存在的主要问题和改进情况")
    text = text.replace("六、其他需要报告的事项", "七、其他需要报告的事项")
    res = find_sections(doc_of(text))
    assert [s.id for s in res.sections] == list(SECTION_IDS)
    assert [s.number for s in res.sections] == list("一三四五六七")
    renum = [f for f in res.findings if f.rule == "section_renumbered"]
    assert [(f.detail["section"], f.expected, f.found) for f in renum] == [
        ("active_disclosure", "二", "三"),
        ("applications", "三", "四"),
        ("review_litigation", "四", "五"),
        ("problems", "五", "六"),
        ("other_matters", "六", "七"),
    ]
    assert all(f.severity == "warning" for f in renum)
    variants = {f.detail["section"] for f in res.findings if f.rule == "section_heading_variant"}
    assert variants == {"review_litigation", "problems"}
    assert not any(f.rule == "missing_section" for f in res.findings)


def test_missing_sections_one_error_each() -> None:
    text = STANDARD.replace("六、其他需要报告的事项\n", "").replace("一、总体情况\n", "")
    res = find_sections(doc_of(text))
    missing = [f for f in res.findings if f.rule == "missing_section"]
    assert sorted(f.detail["section"] for f in missing) == ["other_matters", "overview"]
    assert all(f.severity == "error" for f in missing)


def test_inline_heading_after_sentence_end() -> None:
    text = STANDARD.replace("止。\n一、总体情况\n本局", "止。一、总体情况本局")
    res = find_sections(doc_of(text))
    overview = res.sections[0]
    assert overview.id == "overview"
    assert doc_of(text).text[overview.start : overview.start + 6] == "一、总体情况"


def test_problems_section_saying_only_none() -> None:
    text = STANDARD.replace("一是示例问题尚待解决。", "无。")
    res = find_sections(doc_of(text))
    empty = [f for f in res.findings if f.rule == "section_problems_empty"]
    assert len(empty) == 1 and empty[0].severity == "warning"
    assert not any(f.rule == "section_problems_empty" for f in find_sections(doc_of(STANDARD)).findings)


def test_problems_without_heading_found_by_subheading() -> None:
    text = STANDARD.replace("五、存在的主要问题及改进情况\n", "（一）主要问题\n")
    res = find_sections(doc_of(text))
    prob = next(s for s in res.sections if s.id == "problems")
    assert prob.heading == "（一）主要问题" and prob.number == ""
    assert [f.rule for f in res.findings] == ["section_heading_missing"]


def test_metadata_from_title_period_and_dated_line() -> None:
    meta = extract_metadata(doc_of(STANDARD))
    assert meta.agency == "示例市示例局"
    assert meta.year == 2024
    assert meta.published == "2025-01-20"


def test_metadata_prefers_page_meta_and_period_year() -> None:
    body = STANDARD.split("\n", 2)[2]
    meta = extract_metadata(
        doc_of(body, title="某县某局2023年度政府信息公开工作年度报告_栏目_站点", published="2024-01-05 09:30")
    )
    assert (meta.agency, meta.year, meta.published) == ("某县某局", 2023, "2024-01-05")
    meta2 = extract_metadata(doc_of(body))
    assert (meta2.agency, meta2.year, meta2.published) == (None, 2024, None)


def _manifest() -> list[dict[str, str]]:
    p = REAL / "manifest.tsv"
    if not p.is_file():
        return []
    with p.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


# czj-2021 really has no section 六 (the page ends after section 五 and the signature).
KNOWN_ABSENT = {"czj-2021.html": {"other_matters"}}


@pytest.mark.parametrize("row", _manifest(), ids=lambda r: r["file"])
def test_real_reports_all_sections_and_year(row: dict[str, str]) -> None:
    doc = loaders.load(real_path(row["file"]))
    res = find_sections(doc)
    expected = set(SECTION_IDS) - KNOWN_ABSENT.get(row["file"], set())
    assert {s.id for s in res.sections} == expected
    assert [s.id for s in res.sections] == [i for i in SECTION_IDS if i in expected]
    meta = extract_metadata(doc)
    assert meta.year == int(row["report_year"])


def test_real_kewei_renumbered_and_problems_subheading() -> None:
    doc = loaders.load(real_path("kewei-2024.md"))
    res = find_sections(doc)
    by = {s.id: s for s in res.sections}
    assert by["active_disclosure"].number == "一"
    assert by["other_matters"].number == "五"
    assert by["problems"].heading == "（一）主要问题"
    assert doc.text[by["overview"].start : by["overview"].start + 6] == "一、总体情况"
    rules = sorted(f.rule for f in res.findings)
    assert rules == ["section_heading_missing"] + ["section_renumbered"] * 4


def test_real_hengyang_metadata_and_headings() -> None:
    doc = loaders.load(real_path("hengyang-hrss-2025.txt"))
    res = find_sections(doc)
    assert [s.heading for s in res.sections][4] == "五、存在的主要问题及改进情况"
    assert res.findings == ()
    assert extract_metadata(doc).published == "2026-01-13"


def test_real_html_series_agency() -> None:
    doc = loaders.load(real_path("czj-2019.html"))
    meta = extract_metadata(doc)
    assert (meta.agency, meta.year) == ("平潭综合实验区财政金融局", 2019)


def test_narrative_subtopic_with_statutory_title_loses_to_the_table_section() -> None:
    text = (
        "一、总体情况\n本局概况。\n二、主动公开情况\n本局主动公开了若干信息。\n三、依申请公开情况\n办理了申请。\n"
        "一、主动公开政府信息情况\n信息内容 | 本年制发件数 |\n规章 | 0 |\n"
        "二、收到和处理政府信息公开申请情况\n一、本年新收政府信息公开申请数量 | 3 |\n"
        "三、政府信息公开行政复议、行政诉讼情况\n行政复议 | 0 |\n"
        "四、存在的主要问题及改进情况\n一是示例问题。\n五、其他需要报告的事项\n无。\n"
    )
    doc = doc_of(text)
    res = find_sections(doc)
    by = {s.id: s for s in res.sections}
    assert [s.id for s in res.sections] == list(SECTION_IDS)
    assert (by["active_disclosure"].heading, by["active_disclosure"].number) == (
        "一、主动公开政府信息情况",
        "一",
    )
    assert by["applications"].heading == "二、收到和处理政府信息公开申请情况"
    assert by["overview"].end == by["active_disclosure"].start
    assert doc.text[by["overview"].start : by["active_disclosure"].start].count("办理了申请") == 1


def test_heading_layout_variants_keep_exact_spans() -> None:
    text = (
        STANDARD.replace("一、总体情况", "**第一部分 总体情况**")
        .replace("二、主动公开政府信息情况", "### 二、 主动公开政府信息情况")
        .replace("五、存在的主要问题及改进情况", "五　存在的主要问题及改进情况")
    )
    doc = doc_of(text)
    res = find_sections(doc)
    assert [s.id for s in res.sections] == list(SECTION_IDS)
    assert [s.number for s in res.sections][:2] == ["一", "二"]
    assert res.sections[0].heading == "第一部分 总体情况"
    for s in res.sections:
        assert doc.text[s.start : s.start + len(s.heading)] == s.heading
    assert res.sections[1].heading == "二、 主动公开政府信息情况"
    assert res.sections[4].heading == "五　存在的主要问题及改进情况"
    assert not [f for f in res.findings if f.rule != "section_heading_variant"]


def test_numeral_and_title_on_separate_lines() -> None:
    doc = doc_of(STANDARD.replace("五、存在的主要问题及改进情况", "五、\n存在的主要问题及改进情况"))
    res = find_sections(doc)
    prob = next(s for s in res.sections if s.id == "problems")
    assert prob.heading == "五、\n存在的主要问题及改进情况"
    assert prob.number == "五"


def test_agency_from_signature_when_there_is_no_title() -> None:
    body = STANDARD.split("\n", 2)[2] + "示例县示例局\n2025年1月18日\n"
    meta = extract_metadata(doc_of(body))
    assert (meta.agency, meta.year, meta.published) == ("示例县示例局", 2024, "2025-01-18")


def test_table_of_contents_lines_are_not_taken_as_the_sections() -> None:
    toc = "目录\n一、总体情况\n二、主动公开政府信息情况\n三、收到和处理政府信息公开申请情况\n"
    toc += "四、政府信息公开行政复议、行政诉讼情况\n五、存在的主要问题及改进情况\n六、其他需要报告的事项\n"
    head, body = STANDARD.split("一、总体情况\n", 1)
    doc = doc_of(head + toc + "一、总体情况\n" + body)
    res = find_sections(doc)
    assert [s.id for s in res.sections] == list(SECTION_IDS)
    assert all(s.start >= doc.text.index("目录") + len(toc) for s in res.sections)


def test_arabic_numbered_headings() -> None:
    text = STANDARD
    for i, cn in enumerate("一二三四五六", start=1):
        text = text.replace(f"\n{cn}、", f"\n{i}. ", 1)
    text = text.replace("\n四、政府信息公开行政复议", "\n4. 政府信息公开行政复议")
    res = find_sections(doc_of(text))
    assert [s.id for s in res.sections] == list(SECTION_IDS)
    assert [s.number for s in res.sections] == list("123456")
    assert res.findings == ()


def test_problems_without_any_heading_found_after_the_review_table() -> None:
    text = STANDARD.replace(
        "五、存在的主要问题及改进情况\n一是示例问题尚待解决。", "本年度工作仍存在问题，公开目录更新偏慢。"
    )
    doc = doc_of(text)
    res = find_sections(doc)
    prob = next(s for s in res.sections if s.id == "problems")
    assert (prob.heading, prob.number) == ("", "")
    assert doc.text[prob.start : prob.end] == "本年度工作仍存在问题，公开目录更新偏慢。\n"
    assert [f.rule for f in res.findings] == ["section_heading_missing"]
    from nlp_pipeline.problems import analyze_problems

    assert [p.text for p in analyze_problems(doc, res.sections)] == ["本年度工作仍存在问题，公开目录更新偏慢"]


@pytest.mark.parametrize(
    "body",
    [
        "本年度共发布信息120条。" * 20,  # long: the prefix decides
        "。，、；：" * 40 + "正文八个字符在此",  # long, the text only after the prefix
        "。，、；：" * 40,  # long and only punctuation
        "短的正文",
        "e\u0301" * 40,  # composing characters across the prefix border
    ],
)
def test_has_body_is_the_length_of_the_normalised_text(body: str) -> None:
    text = "标题" + body
    assert _has_body(text, 2, len(text)) == (len(_norm(body)) >= _MIN_BODY)
