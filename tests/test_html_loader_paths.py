"""The HTML loader's shortcuts give what the plain reading gives: hidden elements found from
their style values, headings found top-down (also when split over inline tags), cell text with
block breaks, non-space lengths, text normalisation skipped when there is nothing to change.

Each expected value was read with the loader before these shortcuts existed."""

from __future__ import annotations

import lxml.etree
import pytest

from nlp_pipeline.loaders.base import _WS, clean_line, expand_spans_limited, normalize_chars
from nlp_pipeline.loaders.html import _joined_lines, _nonspace_len, _one_paragraph, load_html

_SECTIONS = "".join(
    f"<p>{h}</p><p>本机关依法做好政府信息公开工作，共{n}件。</p>"
    for n, h in enumerate(
        ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况"], start=1
    )
)


def _page(body: str) -> bytes:
    return f'<html><head><meta charset="utf-8"><title>t</title></head><body>{body}</body></html>'.encode()


def test_hidden_styles_in_any_case_and_spacing_are_dropped() -> None:
    hidden = (
        '<p style="DISPLAY : None">隐藏一</p><p style="color:red;visibility: HIDDEN">隐藏二</p>'
        '<p style="display:\tnone">保留一</p><p style="display:nones">隐藏三</p>'
    )
    doc = load_html(_page(f"<div>{_SECTIONS}{hidden}<p>尾</p></div>"), source="h.html")
    assert "隐藏" not in doc.text
    assert doc.text.splitlines()[-2:] == ["保留一", "尾"]


def test_heading_split_over_inline_tags_still_finds_the_article() -> None:
    chrome = '<div class="nav"><a href="/">首页</a><a href="/x">政府信息公开</a></div>'
    article = (
        "<div><p><b>一、总体</b>情况</p><p>本机关依法做好政府信息公开工作。</p>"
        "<p><span>二、</span><span>主动公开</span>政府信息情况</p><p>主动公开信息12条。</p></div>"
    )
    doc = load_html(_page(chrome + article + '<div class="foot">版权所有</div>'), source="s.html")
    assert doc.text == "一、总体情况\n本机关依法做好政府信息公开工作。\n二、主动公开政府信息情况\n主动公开信息12条。"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("<td>a<p>b</p>c</td>", "a b c"),
        ("<td><span>1</span><span>2</span></td>", "12"),
        ("<td><p>1</p><p>2</p></td>", "12"),
        ("<td><p>ab</p><p>cd</p></td>", "ab cd"),
        ("<td>中<p>文</p>字</td>", "中文字"),
        ("<td><p><span>x</span><br>y</p></td>", "x y"),
        ("<td>\n <p>\n<span>7</span>\n</p>\n</td>", "7"),
        ("<td><div><p>合</p></div><div>计 <b>3</b></div></td>", "合计3"),
    ],
)
def test_cell_text_breaks_lines_at_blocks(cell: str, expected: str) -> None:
    table = f"<table><tr><td>项目</td>{cell}</tr></table>"
    doc = load_html(_page(_SECTIONS + table), source="c.html")
    (grid,) = [b.table for b in doc.blocks if b.table is not None]
    assert grid.rows[0][1].text == expected


def test_nonspace_len_is_the_length_without_whitespace() -> None:
    for s in ["", " a\u3000b\u00a0c\u200bd\ufeffe\n\t", "中 文", "\u2028x\x1c\x85", "   "]:
        assert _nonspace_len(s) == len(_WS.sub("", s))


def test_clean_line_and_normalize_chars_leave_plain_text_alone() -> None:
    assert clean_line("行政许可") == "行政许可"
    assert clean_line(" 1 2 \u3000三") == "1 2三"
    assert normalize_chars("⼈民") == "人民"
    plain = "人民 123"
    assert normalize_chars(plain) is plain


def test_expanded_grid_pads_and_anchors_as_before() -> None:
    grid = expand_spans_limited([[("a", 2, 2), ("b", 1, 1)], [("c", 1, 1)], [("d", 1, 3)]]).grid
    assert [[(c.text, c.anchor) for c in row] for row in grid] == [
        [("a", (0, 0)), ("a", (0, 0)), ("b", (0, 2))],
        [("a", (0, 0)), ("a", (0, 0)), ("c", (1, 2))],
        [("d", (2, 0)), ("d", (2, 0)), ("d", (2, 0))],
    ]


@pytest.mark.parametrize(
    ("cell", "fast"),
    [
        ("<td><p><span>申请</span><span>人</span></p></td>", True),
        ("<td>\n  <p><span>12</span> <b>件</b></p>\n</td>", True),
        ("<td>\u3000<div>一、<font>总体情况</font></div>\u200b</td>", True),
        ("<td><p></p></td>", True),
        ("<td>注：<p>其他</p></td>", False),  # text beside the block
        ("<td><p>a</p><p>b</p></td>", False),  # two blocks: a line break between them
        ("<td><p>a<br>b</p></td>", False),  # a break inside
        ("<td><p>a<span><div>b</div></span></p></td>", False),
        ("<td><span>a</span></td>", False),  # inline only: the walk serves
    ],
)
def test_one_paragraph_cell_reads_as_the_walk_does(cell: str, fast: bool) -> None:
    """The fast path for ``<td><p>inline…</p></td>`` gives the walk's text once cleaned."""
    td = lxml.etree.fromstring(f"<table><tr>{cell}</tr></table>", lxml.etree.HTMLParser()).find(".//td")
    got = _one_paragraph(td)
    assert (got is not None) is fast
    if got is not None:
        assert clean_line(got) == clean_line(_joined_lines(td))
