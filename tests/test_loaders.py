"""Loading stage: every format into the same Document model, on real reports and small built cases."""

from __future__ import annotations

import functools
import io
import zipfile
from pathlib import Path

import pytest

from nlp_pipeline.document import Document, Table
from nlp_pipeline.errors import InputError, NlpPipelineError, NotAReportError
from nlp_pipeline.loaders import load
from nlp_pipeline.loaders.base import expand_spans, normalize_chars

from .conftest import real_gold, real_path

SECTION_5 = "五、存在的主要问题及改进情况"
NEW_APPS = "一、本年新收政府信息公开申请数量"


@functools.cache
def _load_cached(name: str) -> Document:
    return load(real_path(name))


def _row(table: Table, label: str) -> list[str]:
    """The first grid row whose first cell is ``label``."""
    for row in table.texts:
        if row and row[0] == label:
            return row
    raise AssertionError(f"no row labelled {label!r}")


def _table_with(doc: Document, label: str) -> Table:
    for b in doc.tables:
        assert b.table is not None
        if any(r and r[0] == label for r in b.table.texts):
            return b.table
    raise AssertionError(f"no table has a row labelled {label!r}")


def _assert_offsets(doc: Document) -> None:
    for b in doc.blocks:
        assert doc.text[b.start : b.end] == b.text
    starts = [b.start for b in doc.blocks]
    assert starts == sorted(starts)


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


# --- HTML, real pages ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["czj-2024.html", "zonghe-2023.html", "jjf-2019.html", "czj-2020.html", "shuyang-fgj-2023.html"],
)
def test_html_real_pages_have_body_sections_and_three_tables(name: str) -> None:
    doc = _load_cached(name)
    assert doc.format == "html"
    assert any(line.startswith("五、存在的主要问题及") for line in doc.text.splitlines())
    assert "首页" not in doc.text
    assert "document.write" not in doc.text
    assert len(doc.tables) == 3
    _assert_offsets(doc)


def test_html_table_values_match_gold() -> None:
    gold = real_gold("czj-2024.html")["cells"]
    doc = _load_cached("czj-2024.html")
    row = _row(_table_with(doc, NEW_APPS), NEW_APPS)
    assert row[3] == "2"
    assert float(row[3]) == gold["apply.new.natural"]
    assert float(row[-1]) == gold["apply.new.total"]


def test_html_meta_title_and_published() -> None:
    doc = _load_cached("czj-2024.html")
    assert doc.meta["published"] == "2025-01-23"
    assert doc.meta["title"].endswith("2024年度政府信息公开工作年度报告")


def test_html_numbers_split_over_inline_tags_are_joined() -> None:
    doc = _load_cached("shuyang-fgj-2023.html")
    gold = real_gold("shuyang-fgj-2023.html")["cells"]
    row = _row(_table_with(doc, NEW_APPS), NEW_APPS)
    assert row[3] == "26" == str(int(gold["apply.new.natural"]))
    assert "统计时限为2023年1月1日" in doc.text


def test_html_merged_cells_share_one_anchor() -> None:
    doc = _load_cached("czj-2024.html")
    t3 = _table_with(doc, NEW_APPS)
    top_left = t3.rows[0][0]
    assert top_left.text.startswith("（本列数据的勾稽关系为")
    assert t3.rows[1][0].anchor == top_left.anchor == (0, 0)
    assert t3.rows[0][2].anchor == (0, 0)
    assert len({len(r) for r in t3.rows}) == 1


def test_word_html_keeps_true_spans_of_misaligned_cells() -> None:
    doc = _load_cached("czj-2019.html")
    t = doc.tables[0].table
    assert t is not None
    row = _row(t, "行政许可")
    assert row[1:] == ["3", "3", "0", "0"]
    cells = t.rows[[r[0] for r in t.texts].index("行政许可")]
    assert cells[1].anchor == cells[2].anchor


# --- HTML, built cases ----------------------------------------------------------------------

_REPORT_HTML = """<html><head><meta charset="{cs}"><title>某局2024年政府信息公开工作年度报告</title>
<meta name="PubDate" content="2025/1/9 10:00"></head><body>
<div class="nav"><a href="/">首页</a> <a href="/x">机构概况</a></div>
<div id="content"><p>一、总体情况</p><p>本年度   共办理&nbsp;申请 <span>1</span><span>2</span> 件。</p>
<p>二、主动公开政府信息情况</p>
<table><tr><td rowspan="2">甲</td><td colspan="2">乙</td></tr><tr><td>3</td><td>4</td></tr>
<tr><td>丙</td><td><span>1</span>
<span>5</span></td><td><p><span>2</span><span>0</span></p></td></tr></table>
<p>五、存在的主要问题及改进情况</p><p>人员不足。</p></div>
<div class="footer">版权所有 网站标识码</div><script>var a = "首页";</script></body></html>"""


def test_html_built_page_spans_text_and_chrome(tmp_path: Path) -> None:
    doc = load(_write(tmp_path, "r.html", _REPORT_HTML.format(cs="utf-8").encode("utf-8")))
    assert doc.text.splitlines()[:2] == ["一、总体情况", "本年度共办理申请12件。"]
    assert "首页" not in doc.text and "版权所有" not in doc.text
    t = doc.tables[0].table
    assert t is not None
    assert t.texts == [["甲", "乙", "乙"], ["甲", "3", "4"], ["丙", "15", "20"]]
    assert [[c.anchor for c in r] for r in t.rows][:2] == [[(0, 0), (0, 1), (0, 1)], [(0, 0), (1, 1), (1, 2)]]
    assert doc.tables[0].text == "甲 | 乙 |  |\n | 3 | 4 |\n丙 | 15 | 20 |"
    assert doc.meta == {"title": "某局2024年政府信息公开工作年度报告", "published": "2025-01-09"}
    _assert_offsets(doc)


def test_html_preamble_outside_the_sections_wrapper_is_kept(tmp_path: Path) -> None:
    page = (
        "<html><body><ul><li><a>首页</a></li><li><a>政务公开</a></li></ul>"
        '<div class="share"><a>微信</a><a>微博</a></div>'
        "<div><p>本报告依据条例编制，统计期限为全年。如有疑问请联系办公室。</p>"
        "<div><p>一、总体情况</p><p>{body}</p><p>六、其他需要报告的事项</p><p>无。</p></div>"
        "</div><div><a>网站地图</a><a>联系我们</a></div></body></html>"
    )
    body = "全年主动公开政府信息若干条，依申请公开办理及时。" * 3
    doc = load(_write(tmp_path, "p.html", page.replace("{body}", body).encode("utf-8")))
    assert doc.text.splitlines() == [
        "本报告依据条例编制，统计期限为全年。如有疑问请联系办公室。",
        "一、总体情况",
        body,
        "六、其他需要报告的事项",
        "无。",
    ]


def test_html_two_column_layout_and_linked_toc_stay_out(tmp_path: Path) -> None:
    body = "本年度主动公开政府信息若干条，办理申请若干件。" * 4
    page = (
        "<html><body><table><tr>"
        '<td><ul><li><a href="#a">一、总体情况</a></li><li><a href="#b">二、主动公开政府信息情况</a></li>'
        "<li><a>机构职能</a></li><li><a>首页</a></li></ul></td>"
        f"<td><p>一、总体情况</p><p>{body}</p><p>二、主动公开政府信息情况</p><p>{body}</p></td>"
        "</tr></table></body></html>"
    )
    doc = load(_write(tmp_path, "two.html", page.encode("utf-8")))
    assert doc.text.splitlines() == ["一、总体情况", body, "二、主动公开政府信息情况", body]


def test_html_part_style_headings_find_the_article(tmp_path: Path) -> None:
    body = "本机关全年主动公开政府信息若干条。" * 3
    page = (
        "<html><body><div class='top'><a>首页</a><a>政务公开</a><a>互动交流</a></div>"
        f"<div class='x'><p>第一部分 总体情况</p><p>{body}</p><p>第二部分 主动公开政府信息情况</p></div>"
        "<div class='foot'><p>主办单位：某市人民政府办公室</p></div></body></html>"
    )
    doc = load(_write(tmp_path, "part.html", page.encode("utf-8")))
    assert doc.text.splitlines() == ["第一部分总体情况", body, "第二部分主动公开政府信息情况"]


def test_html_layout_tables_are_text_not_grids(tmp_path: Path) -> None:
    page = (
        "<html><body><table><tr><td><p>一、总体情况</p><p>正文。</p>"
        "<table><tr><td>规章</td><td>1</td></tr></table>"
        "<p>二、主动公开政府信息情况</p></td></tr></table>"
        "<table><tr><td>某局办公室 2024年1月2日印发</td></tr></table>"
        "<table><tr><td>行政许可</td><td><table><tr><td>7</td></tr></table></td></tr></table></body></html>"
    )
    doc = load(_write(tmp_path, "l.html", page.encode("utf-8")))
    assert [b.kind for b in doc.blocks] == ["text", "text", "table", "text", "text", "table"]
    assert doc.blocks[2].origin == "html table 1"
    assert doc.blocks[4].text == "某局办公室2024年1月2日印发"
    assert doc.tables[1].table is not None and doc.tables[1].table.texts == [["行政许可", "7"]]


def test_html_gbk_declared_and_undeclared(tmp_path: Path) -> None:
    declared = load(_write(tmp_path, "a.html", _REPORT_HTML.format(cs="gb2312").encode("gbk")))
    undeclared = load(
        _write(tmp_path, "b.htm", _REPORT_HTML.replace('<meta charset="{cs}">', "").encode("gbk"))
    )
    assert "五、存在的主要问题及改进情况" in declared.text
    assert declared.text == undeclared.text


def test_html_utf8_with_one_bad_byte_is_not_misread_as_gbk(tmp_path: Path) -> None:
    data = _REPORT_HTML.format(cs="utf-8").encode("utf-8").replace("人员不足".encode(), b"\xff")
    doc = load(_write(tmp_path, "bad.html", data))
    assert "一、总体情况" in doc.text.splitlines()
    assert "\ufffd" in doc.text


def test_truncated_html_loads_what_it_has(tmp_path: Path) -> None:
    data = _REPORT_HTML.format(cs="utf-8").encode("utf-8")
    cut = data[: data.index("五、存在".encode())]
    doc = load(_write(tmp_path, "t.html", cut))
    assert "二、主动公开政府信息情况" in doc.text
    assert doc.tables[0].table is not None and doc.tables[0].table.texts[1] == ["甲", "3", "4"]


def test_non_report_page_is_rejected(tmp_path: Path) -> None:
    page = "<html><body><div><a>首页</a></div><p>今日天气晴，气温二十度，适宜出行。</p></body></html>"
    with pytest.raises(NotAReportError) as exc:
        load(_write(tmp_path, "n.html", page.encode("utf-8")))
    assert exc.value.code == "E007" and "n.html" in str(exc.value)
    with pytest.raises(InputError) as exc2:
        load(_write(tmp_path, "e.html", b"<html><body><script>x=1</script></body></html>"))
    assert exc2.value.code == "E008"


# --- DOCX -----------------------------------------------------------------------------------


def test_docx_grids_equal_the_same_report_as_html() -> None:
    docx_doc = _load_cached("czj-2024.docx")
    html_doc = _load_cached("czj-2024.html")
    assert docx_doc.format == "docx"
    assert len(docx_doc.tables) == 3
    for a, b in zip(docx_doc.tables, html_doc.tables, strict=True):
        assert a.table is not None and b.table is not None
        assert a.table.texts == b.table.texts
        assert [[c.anchor for c in r] for r in a.table.rows] == [[c.anchor for c in r] for r in b.table.rows]
    assert SECTION_5 in docx_doc.text.splitlines()
    assert docx_doc.meta["published"] == "2025-01-23"
    _assert_offsets(docx_doc)


def test_docx_built_merges_expand_with_anchors(tmp_path: Path) -> None:
    import docx

    d = docx.Document()
    d.core_properties.title = "某局2024年政府信息公开工作年度报告"
    d.add_paragraph("一、总体情况")
    t = d.add_table(rows=3, cols=3)
    t.cell(0, 0).merge(t.cell(1, 0)).text = "三、本年度办理结果"
    t.cell(0, 1).merge(t.cell(0, 2)).text = "申请人情况"
    t.cell(1, 1).text = "5"
    t.cell(2, 0).text = "合计"
    d.add_paragraph("第一行")
    d.paragraphs[-1].add_run().add_break()
    d.paragraphs[-1].add_run("第二行")
    p = tmp_path / "m.docx"
    d.save(str(p))
    doc = load(p)
    grid = doc.tables[0].table
    assert grid is not None
    assert grid.texts == [
        ["三、本年度办理结果", "申请人情况", "申请人情况"],
        ["三、本年度办理结果", "5", ""],
        ["合计", "", ""],
    ]
    assert [[c.anchor for c in r] for r in grid.rows] == [
        [(0, 0), (0, 1), (0, 1)],
        [(0, 0), (1, 1), (1, 2)],
        [(2, 0), (2, 1), (2, 2)],
    ]
    assert doc.text.splitlines()[-2:] == ["第一行", "第二行"]
    assert doc.meta["title"] == "某局2024年政府信息公开工作年度报告"
    assert doc.blocks[1].origin == "docx table 1"


def test_corrupt_docx_is_input_error(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "not a word file")
    for name, data in [("c.docx", b"PK\x03\x04 garbage"), ("z.docx", buf.getvalue())]:
        with pytest.raises(InputError) as exc:
            load(_write(tmp_path, name, data))
        assert exc.value.code == "E005" and name in str(exc.value)


# --- PDF ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "shape3"),
    [("szfgs-2024.pdf", (28, 10)), ("jjf-2022.print.pdf", (28, 10)), ("zonghe-2023.print.pdf", (28, 10))],
)
def test_pdf_tables_joined_across_pages(name: str, shape3: tuple[int, int]) -> None:
    doc = _load_cached(name)
    gold = real_gold(name)["cells"]
    assert len(doc.tables) == 3
    t3 = _table_with(doc, NEW_APPS)
    assert (len(t3.rows), len(t3.rows[0])) == shape3
    row = _row(t3, NEW_APPS)
    nums = [x for x in row if x.replace(".", "").isdigit()]
    assert float(nums[0]) == gold["apply.new.natural"]
    assert float(nums[-1]) == gold["apply.new.total"]
    assert SECTION_5 in doc.text.splitlines()
    _assert_offsets(doc)


@pytest.mark.parametrize(
    ("pdf", "html"), [("zonghe-2023.print.pdf", "zonghe-2023.html"), ("jjf-2022.print.pdf", "jjf-2022.html")]
)
def test_printed_pdf_grids_equal_the_page_they_were_printed_from(pdf: str, html: str) -> None:
    """Tables split over pages (rows, row-spanning labels and header cells cut by the break) rejoined."""
    for a, b in zip(_load_cached(pdf).tables, _load_cached(html).tables, strict=True):
        assert a.table is not None and b.table is not None
        assert a.table.texts == b.table.texts
        assert [[c.anchor for c in r] for r in a.table.rows] == [[c.anchor for c in r] for r in b.table.rows]


def test_word_pdf_label_cut_by_page_break_is_one_cell() -> None:
    t3 = _table_with(_load_cached("szfgs-2024.pdf"), NEW_APPS)
    labels = [r[1] for r in t3.texts]
    assert labels.count("（四）无法提供") == 3
    assert labels.count("三、本年度办理结果") == 0
    assert [r[0] for r in t3.texts].count("三、本年度办理结果") == 22


def test_print_pdf_radicals_normalised_and_leading_chrome_gone() -> None:
    doc = _load_cached("zonghe-2023.print.pdf")
    assert not any(0x2E80 <= ord(ch) <= 0x2FDF for ch in doc.text)
    assert "中华人民共和国政府信息公开条例" in doc.text
    assert doc.text.startswith("平潭综合实验区2023年度政府信息公开工作年度报告")
    assert "登录" not in doc.text
    assert doc.meta["published"] == "2024-03-08"


def test_pdf_page_numbers_dropped_and_lines_reflowed() -> None:
    doc = _load_cached("szfgs-2024.pdf")
    lines = doc.text.splitlines()
    assert "- 1 -" not in lines and "-1-" not in lines
    assert "一、总体情况" in lines
    assert [b.origin for b in doc.blocks if b.text == SECTION_5] == ["pdf page 5"]
    assert any(line.startswith("本报告由") and line.endswith("）。") for line in lines)
    t2 = _table_with(doc, "行政规范性文件")
    assert _row(t2, "行政规范性文件") == ["行政规范性文件", "8", "26", "66"]


def test_pdf_table_without_rules_falls_back_to_text_columns(tmp_path: Path) -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "unruled.pdf"
    c = canvas.Canvas(str(path))
    c.setFont("STSong-Light", 12)
    y = 780.0
    for line in ["某局2024年政府信息公开工作年度报告", "一、总体情况", "本年度工作情况良好。"]:
        c.drawString(72, y, line)
        y -= 20
    for row in [
        ["信息内容", "本年制发件数", "现行有效件数"],
        ["规章", "1", "11"],
        ["行政规范性文件", "8", "66"],
    ]:
        for i, cell in enumerate(row):
            c.drawString(72 + 120 * i, y, cell)
        y -= 20
    c.drawString(72, y, "二、主动公开政府信息情况")
    c.drawString(72, 60, "- 1 -")
    c.showPage()
    c.save()
    doc = load(path)
    assert [b.kind for b in doc.blocks] == ["text", "text", "text", "table", "text"]
    t = doc.tables[0]
    assert t.table is not None and t.origin == "pdf page 1 text"
    assert t.table.texts == [
        ["信息内容", "本年制发件数", "现行有效件数"],
        ["规章", "1", "11"],
        ["行政规范性文件", "8", "66"],
    ]
    assert doc.meta["title"] == "某局2024年政府信息公开工作年度报告"
    assert "- 1 -" not in doc.text
    _assert_offsets(doc)


def test_pdf_running_headers_and_footers_dropped(tmp_path: Path) -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "printed.pdf"
    c = canvas.Canvas(str(path))
    bodies = [
        ["某局2024年政府信息公开工作年度报告", "一、总体情况"],
        ["二、主动公开政府信息情况", "全年公开若干条。"],
    ]
    for n, lines in enumerate(bodies, start=1):
        c.setFont("STSong-Light", 9)
        c.drawString(40, 820, "2025/1/23 16:43 某局年度报告")
        c.drawString(40, 15, f"https://www.example.gov.cn/art/{n}.html {n}/2")
        c.setFont("STSong-Light", 12)
        for i, line in enumerate(lines):
            c.drawString(72, 700 - 20 * i, line)
        c.showPage()
    c.save()
    doc = load(path)
    assert doc.text.splitlines() == [
        "某局2024年政府信息公开工作年度报告",
        "一、总体情况",
        "二、主动公开政府信息情况",
        "全年公开若干条。",
    ]


def test_junk_pdf_and_textless_pdf(tmp_path: Path) -> None:
    with pytest.raises(InputError) as exc:
        load(_write(tmp_path, "junk.pdf", b"\x00\x01 this is not a pdf at all \xff" * 20))
    assert exc.value.code == "E005" and "junk.pdf" in str(exc.value)
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.rect(100, 100, 200, 200)
    c.showPage()
    c.save()
    with pytest.raises(InputError) as exc2:
        load(_write(tmp_path, "scan.pdf", buf.getvalue()))
    assert exc2.value.code == "E006"


# --- TXT / Markdown / generic ---------------------------------------------------------------


def test_txt_is_verbatim_and_radicals_normalised_in_place(tmp_path: Path) -> None:
    raw = "一、总体情况\r\n本机关⼈员 2 名。\n规章 | 0 | 1 |\n"
    doc = load(_write(tmp_path, "k.txt", raw.encode("utf-8-sig")))
    assert doc.text == raw.replace("⼈", "人")
    assert len(doc.text) == len(raw)
    assert normalize_chars("⼀⼆⾏") == "一二行"
    assert doc.tables[0].table is not None and doc.tables[0].table.texts == [["规章", "0", "1"]]


def test_txt_gb18030_and_real_reference_report(tmp_path: Path) -> None:
    doc = load(_write(tmp_path, "g.txt", "二、主动公开政府信息情况\n".encode("gb18030")))
    assert doc.text == "二、主动公开政府信息情况\n"
    real = load(real_path("hengyang-hrss-2025.txt"))
    assert real.text == real_path("hengyang-hrss-2025.txt").read_text(encoding="utf-8-sig")


def test_markdown_separator_rows_are_not_data(tmp_path: Path) -> None:
    md = "# 标题\n\n| 信息内容 | 本年制发件数 |\n|---|---|\n| 规章 | 3 |\n"
    doc = load(_write(tmp_path, "m.md", md.encode("utf-8")))
    assert doc.tables[0].table is not None
    assert doc.tables[0].table.texts == [["信息内容", "本年制发件数"], ["规章", "3"]]
    assert doc.blocks[0].text == "# 标题"


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [("empty.txt", b"", "E002"), ("blank.html", b"  \n", "E002"), ("x.rtf", b"{\\rtf1}", "E003")],
)
def test_bad_inputs_name_file_and_reason(tmp_path: Path, name: str, data: bytes, code: str) -> None:
    with pytest.raises(NlpPipelineError) as exc:
        load(_write(tmp_path, name, data))
    assert exc.value.code == code and name in str(exc.value)


def test_missing_file_and_undecodable_text(tmp_path: Path) -> None:
    with pytest.raises(InputError) as exc:
        load(tmp_path / "nope.txt")
    assert exc.value.code == "E001"
    with pytest.raises(InputError) as exc2:
        load(_write(tmp_path, "bin.txt", bytes(range(256)) * 4))
    assert exc2.value.code == "E004"


def test_expand_spans_clamps_and_pads() -> None:
    grid = expand_spans([[("a", 5, 1), ("b", 1, 2)], [("c", 1, 1)]])
    assert [[c.text for c in r] for r in grid] == [["a", "b", "b"], ["a", "c", ""]]
    assert grid[1][2].anchor == (1, 2)


# ---------------------------------------------------------------- flattened tables in TXT, layout tables in DOCX


@pytest.mark.parametrize(
    ("line", "cells"),
    [
        ("规章 | 0 | 1 | 2 |", ["规章", "0", "1", "2"]),
        ("规章\t0\t1\t2", ["规章", "0", "1", "2"]),
        ("\t（一）予以公开\t3\t\t", ["", "（一）予以公开", "3", "", ""]),
        ("行政许可\t12", ["行政许可", "12"]),
        ("信息内容\t本年处理决定数量", ["信息内容", "本年处理决定数量"]),
        ("行政处罚    7    0    7", ["行政处罚", "7", "0", "7"]),
        ("信息内容　　本年制发件数　　本年废止件数", ["信息内容", "本年制发件数", "本年废止件数"]),
        ("行政事业性收费   1,500", ["行政事业性收费", "1,500"]),
        ("本年度共收到申请12件，  办结10件，  结转2件。", None),
        ("发布日期：2025-01-20  来源：本局", None),
        ("三、收到和处理政府信息公开申请情况", None),
        ("说明：\t见下表", None),
    ],
)
def test_split_table_row(line: str, cells: list[str] | None) -> None:
    from nlp_pipeline.loaders.text import split_table_row

    assert split_table_row(line) == cells


def test_tab_separated_text_reads_as_a_table_with_exact_offsets() -> None:
    from nlp_pipeline.loaders.text import parse_text

    text = "二、主动公开政府信息情况\n信息内容\t本年制发件数\t本年废止件数\t现行有效件数\n规章\t1\t0\t5\n\n结语。\n"
    doc = parse_text(text, source="hand.txt")
    assert [b.kind for b in doc.blocks] == ["text", "table", "text"]
    table = doc.blocks[1]
    assert table.table is not None
    assert table.table.texts == [
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        ["规章", "1", "0", "5"],
    ]
    assert text[table.start : table.end] == table.text
    assert table.text.endswith("规章\t1\t0\t5")


def _docx_in_layout_table() -> bytes:
    import docx

    d = docx.Document()
    box = d.add_table(rows=1, cols=2)
    box.cell(0, 0).add_paragraph("目录")
    cell = box.cell(0, 1)
    cell.add_paragraph("二、主动公开政府信息情况")
    inner = cell.add_table(rows=3, cols=3)
    inner.cell(0, 0).merge(inner.cell(0, 2)).text = "第二十条第（一）项"
    for c, t in enumerate(["信息内容", "本年制发件数", "现行有效件数"]):
        inner.cell(1, c).text = t
    for c, t in enumerate(["规章", "2", "9"]):
        inner.cell(2, c).text = t
    cell.add_paragraph("五、存在的主要问题及改进情况")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_docx_layout_table_is_read_through_to_its_data_table() -> None:
    from nlp_pipeline.loaders.docx import load_docx

    doc = load_docx(_docx_in_layout_table(), source="hand.docx")
    assert [b.kind for b in doc.blocks] == ["text", "text", "table", "text"]
    table = doc.tables[0].table
    assert table is not None
    assert table.texts == [
        ["第二十条第（一）项"] * 3,
        ["信息内容", "本年制发件数", "现行有效件数"],
        ["规章", "2", "9"],
    ]
    assert table.rows[0][2].anchor == (0, 0)
    assert doc.blocks[3].text == SECTION_5


def test_pdf_unruled_table_row_label_wrapped_around_its_numbers(tmp_path: Path) -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "wrapped.pdf"
    c = canvas.Canvas(str(path))
    c.setFont("STSong-Light", 10)
    c.drawString(72, 780, "某局2024年政府信息公开工作年度报告")
    c.drawString(72, 760, "二、主动公开政府信息情况")
    y = 730.0
    for label, nums in [
        (["信息内容"], ["本年制发件数", "本年废止件数", "现行有效件数"]),
        (["规章"], ["1", "0", "4"]),
    ]:
        c.drawString(72, y, label[0])
        for i, n in enumerate(nums):
            c.drawString(160 + 90 * i, y, n)
        y -= 14
    # 行政规范性文件 wrapped in a narrow column: first half above the numbers, second half below
    c.drawString(72, y, "行政规范")
    c.drawString(72, y - 24, "性文件")
    for i, n in enumerate(["6", "2", "30"]):
        c.drawString(160 + 90 * i, y - 12, n)
    c.drawString(72, y - 50, "三、收到和处理政府信息公开申请情况")
    c.showPage()
    c.save()
    doc = load(path)
    table = doc.tables[0].table
    assert table is not None
    assert table.texts == [
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        ["规章", "1", "0", "4"],
        ["行政规范性文件", "6", "2", "30"],
    ]
    assert doc.blocks[-1].text == "三、收到和处理政府信息公开申请情况"
    _assert_offsets(doc)


def test_pdf_text_table_columns_come_from_the_numbers() -> None:
    from nlp_pipeline.loaders.pdf_lines import Line, text_table

    def line(top: float, *segs: tuple[float, float, str]) -> Line:
        return Line(" ".join(t for *_, t in segs), segs[0][0], segs[-1][1], top, top + 8, 8.0, segs)

    header = line(0, (100, 150, "结果 结果"), (160, 175, "其他"))  # one piece over two columns
    numbers = line(20, (100, 105, "1"), (130, 135, "2"), (160, 170, "3"))
    grid = text_table([header, numbers])
    assert [[c.text for c in row] for row in grid] == [["结果结果", "", "其他"], ["1", "2", "3"]]


def test_hinted_article_without_child_elements_is_kept(tmp_path: Path) -> None:
    """An article block holding only text (no child elements) is still the article: lxml treats
    a childless element as false, so the choice must test for None (and warns otherwise)."""
    import warnings

    prose = "本机关按照要求做好信息公开工作，" * 14
    page = (
        "<html><head><meta charset='utf-8'><title>示例局2024年政府信息公开工作年度报告</title></head><body>"
        "<div class='nav'><a href='/a'>首页</a> <a href='/b'>机构</a></div>"
        f"<div class='article-content'>一、总体情况 {prose}</div>"
        "<div class='footer'>版权所有 示例局 联系电话 0000-0000000 地址 示例市示例路一号</div>"
        "</body></html>"
    )
    path = tmp_path / "only-text-2024.html"
    path.write_text(page, encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        doc = load(path)
    assert doc.text.startswith("一、总体情况本机关")
    assert "版权所有" not in doc.text and "首页" not in doc.text
