"""Labels and headers matched to the schema: label keys, 表三 applicant columns, 表四 columns."""

from __future__ import annotations

from nlp_pipeline.table_labels import (
    _applicant_header,
    active_row,
    applicant_columns_in,
    apply_item,
    label_key,
    t4_columns_in,
)
from nlp_pipeline.table_rows import _Cell


def test_label_key_drops_enumerators_and_punctuation() -> None:
    assert label_key("（二）部分公开（区分处理的，只计这一情形）") == "部分公开区分处理的只计这一情形"
    assert label_key("1.属于国家秘密") == "属于国家秘密"
    assert label_key("商业 企业") == "商业企业"


def test_ambiguous_or_doubled_typo_applicant_header_is_not_guessed() -> None:
    # two cells that are both one typo from 科研机构: neither is given that column
    named = _applicant_header([_Cell(t, (i,)) for i, t in enumerate(["自然人", "科研机购", "科妍机构", "其它"])])
    assert named == [["natural"], [], [], ["other_org"]]
    # a two-character typo alone is not a column name
    assert _applicant_header([_Cell("其它", (0,))]) == [[]]


def test_cached_matches_hand_out_fresh_lists() -> None:
    # answers are cached per label string: a caller changing its list must not change the next answer
    first = applicant_columns_in("商业 企业")
    assert first == ["commercial"]
    first.append("natural")
    assert applicant_columns_in("商业 企业") == ["commercial"]
    header = _applicant_header([_Cell("自然人", (0,)), _Cell("商业企业", (1,))])
    header[0].append("x")
    assert _applicant_header([_Cell("自然人", (0,)), _Cell("商业企业", (1,))]) == [["natural"], ["commercial"]]
    cols = t4_columns_in("结果维持结果纠正")
    cols.clear()
    assert t4_columns_in("结果维持结果纠正") == ["upheld", "corrected"]


def test_row_labels_fuzzy_matched_to_the_schema() -> None:
    assert active_row(label_key("规章")) == "active.rules"
    assert active_row(label_key("行政许可")) == "active.licensing"
    assert active_row(label_key("（二）部分公开")) is None
    assert apply_item(label_key("（二）部分公开（区分处理的，只计这一情形）")) == "apply.partial"
    assert apply_item(label_key("1.属于国家秘密")) == "apply.denied.state_secret"
