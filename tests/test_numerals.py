"""The figure grammar (``_numerals``) on its own: exact spans, values, scales, units and
qualifiers for each kind of written quantity, and what it must not read as a figure."""

from __future__ import annotations

import pytest

from nlp_pipeline._numerals import Figure, find_figures, quoted_mask, to_number


def _one(text: str) -> Figure:
    (fig,) = find_figures(text)
    return fig


def _read(text: str) -> tuple[str, float, float, str, str, str, float | None]:
    f = _one(text)
    return (text[f.start : f.end], f.value, f.written_value, f.scale, f.unit, f.qualifier, f.upper)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Chinese numerals
        ("收到申请二十四件", ("二十四件", 24.0, 24.0, "", "件", "exact", None)),
        ("办结两千件", ("两千件", 2000.0, 2000.0, "", "件", "exact", None)),
        ("百分之三十", ("百分之三十", 30.0, 30.0, "", "%", "exact", None)),
        # scales, infix 余, 万元/亿元/千元
        ("发布信息1.2万余条", ("1.2万余条", 12000.0, 1.2, "万", "条", "at_least", None)),
        ("金额1.5亿元", ("1.5亿元", 150_000_000.0, 1.5, "亿", "亿元", "exact", None)),
        ("金额12万元", ("12万元", 120_000.0, 12.0, "万", "万元", "exact", None)),
        ("资金3千元", ("3千元", 3000.0, 3.0, "千", "千元", "exact", None)),
        ("访问量318万。", ("318万", 3_180_000.0, 318.0, "万", "", "exact", None)),
        # percentages and points
        ("占58.5%", ("58.5%", 58.5, 58.5, "", "%", "exact", None)),
        ("占比12％", ("12％", 12.0, 12.0, "", "%", "exact", None)),
        ("增长3个百分点", ("3个百分点", 3.0, 3.0, "", "个百分点", "exact", None)),
        # ranges
        ("办理3至5件", ("3至5件", 3.0, 3.0, "", "件", "range", 5.0)),
        ("五六个", ("五六个", 5.0, 5.0, "", "个", "range", 6.0)),
        ("三四百人", ("三四百人", 300.0, 300.0, "", "人", "range", 400.0)),
        # qualifiers before and after: outside the span
        ("约300件", ("300件", 300.0, 300.0, "", "件", "about", None)),
        ("不到10件", ("10件", 10.0, 10.0, "", "件", "at_most", None)),
        ("近20条", ("20条", 20.0, 20.0, "", "条", "about", None)),
        ("超过15件", ("15件", 15.0, 15.0, "", "件", "at_least", None)),
        ("共计20件以上", ("20件", 20.0, 20.0, "", "件", "at_least", None)),
        ("受理10件左右", ("10件", 10.0, 10.0, "", "件", "about", None)),
        ("数量达到约8篇", ("8篇", 8.0, 8.0, "", "篇", "about", None)),
        # full-width digits and thousands separators
        ("收到１２件", ("１２件", 12.0, 12.0, "", "件", "exact", None)),
        ("收到1,234件", ("1,234件", 1234.0, 1234.0, "", "件", "exact", None)),
        ("访问12,345,678人次", ("12,345,678人次", 12_345_678.0, 12_345_678.0, "", "人次", "exact", None)),
    ],
)
def test_figure_readings(text: str, expected: tuple) -> None:
    assert _read(text) == expected


def test_spans_offsets_in_the_text() -> None:
    figs = find_figures("收到申请二十四件，办结1.2万余条。")
    assert [(f.start, f.end) for f in figs] == [(4, 8), (11, 17)]


@pytest.mark.parametrize(
    "text",
    [
        "一件事一次办",  # a name, not a count
        "第一件",  # an ordinal
        "2023年",  # a date: no unit
        "每月1期",  # a frequency
        "四个意识",  # a political formula
        "三个月内",  # a duration
        "电话12345",  # a number without unit
        "“五个中心”建设",  # inside a short quotation
        "零件",  # a bare 零 is a word
        "逾百件",  # 百 alone is read only after 百分之 (vague: left out)
    ],
)
def test_not_figures(text: str) -> None:
    assert find_figures(text) == []


def test_dash_range_only_between_short_numbers() -> None:
    assert _read("办理3-5件")[5:] == ("range", 5.0)
    assert find_figures("编号2023-12345件") == []  # a long number joined by a dash: a code


def test_to_number_and_quoted_mask() -> None:
    assert (to_number("１２"), to_number("1,234"), to_number("二十四"), to_number("两千")) == (12.0, 1234.0, 24.0, 2000.0)
    with pytest.raises(ValueError):
        to_number("十十")
    assert quoted_mask("a“五个”b") == [False, False, True, True, False, False]
