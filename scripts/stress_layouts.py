"""Stress the loaders and the table reader with layouts real sites use but the corpus lacks.

Each real report with gold (HTML/TXT, read 100% right as published) is loaded, and its blocks are
re-published IN MEMORY in other layouts: HTML markup variants (th/thead/colgroup, <p>/<span>/&nbsp;
and <br> inside cells, thousands separators, full-width digits, an outer layout table, a div
article among site chrome), restructured headers (表三 with 1 or 2 header rows, 表四 as block rows),
DOCX written with python-docx (merged cells), and PDF drawn with reportlab (STSong-Light, GRID
tables split across pages, wrapped row labels). Cells are compared to gold; accuracy is printed per
variant family. Nothing is written to disk. Exit 0 unless ``--min`` is given and missed.
"""

from __future__ import annotations

import argparse
import html
import io
import json
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from nlp_pipeline import loaders, table_labels, tables  # noqa: E402
from nlp_pipeline.document import Block, Document, GridCell, Table  # noqa: E402
from nlp_pipeline.loaders.docx import load_docx  # noqa: E402
from nlp_pipeline.loaders.html import load_html  # noqa: E402
from nlp_pipeline.schema import T4_BLOCKS, T4_COLUMNS  # noqa: E402

sys.path.insert(0, str(ROOT / "scripts"))
from evaluate import cell_matches  # noqa: E402

REAL = ROOT.parent / "shared" / "corpora" / "real"
_NUM = re.compile(r"^\d+(?:\.\d+)?$")
_FULL = str.maketrans("0123456789.", "０１２３４５６７８９．")

Grid = list[list[GridCell]]
Item = tuple[str, Any]  # ("text", str) or ("table", Grid)


# ---------------------------------------------------------------- source documents


def sources(directory: Path) -> list[tuple[str, list[Item], dict[str, Any]]]:
    """(name, blocks as items, gold cells) for every HTML/TXT report the reader gets 100% right."""
    out = []
    for g in sorted((directory / "gold").glob("*.json")):
        gold = json.loads(g.read_text(encoding="utf-8"))
        path = directory / str(gold.get("file") or g.name[: -len(".json")])
        if path.suffix not in (".html", ".txt") or not path.is_file():
            continue
        doc = loaders.load(path)
        cells = gold.get("cells") or {}
        if score(doc, cells)[0] != len(cells):
            continue
        items: list[Item] = [
            ("table", [list(r) for r in b.table.rows]) if b.table is not None else ("text", b.text)
            for b in doc.blocks
        ]
        out.append((path.name, items, cells))
    return out


def score(doc: Document, gold: dict[str, Any]) -> tuple[int, int]:
    res = tables.read_tables(doc, ())
    return sum(cell_matches(v, res.cells.get(k)) for k, v in gold.items()), len(gold)


# ---------------------------------------------------------------- grid helpers


def spans(grid: Grid) -> list[list[tuple[int, str, int, int]]]:
    """Per row: (col, text, rowspan, colspan) of the cells anchored there (merged cells once)."""
    out = []
    for r, row in enumerate(grid):
        cells = []
        for c, gc in enumerate(row):
            if not _first_seen(grid, r, c):
                continue
            rs = 1
            while r + rs < len(grid) and c < len(grid[r + rs]) and grid[r + rs][c].anchor == gc.anchor:
                rs += 1
            cs = 1
            while c + cs < len(row) and row[c + cs].anchor == gc.anchor:
                cs += 1
            cells.append((c, gc.text, rs, cs))
        out.append(cells)
    return out


def _first_seen(grid: Grid, r: int, c: int) -> bool:
    """True for the top-left grid position of a cell (anchors may not equal that position)."""
    a = grid[r][c].anchor
    up = r > 0 and c < len(grid[r - 1]) and grid[r - 1][c].anchor == a
    left = c > 0 and grid[r][c - 1].anchor == a
    return not up and not left


def is_number(t: str) -> bool:
    return bool(_NUM.match(t.strip()))


def header_rows(grid: Grid) -> int:
    for r, row in enumerate(grid):
        if any(is_number(c.text) for c in row):
            return r
    return 0


def from_texts(rows: Sequence[Sequence[tuple[str, int, int]]]) -> Grid:
    return loaders.base.expand_spans(rows)


# ---------------------------------------------------------------- structural variants (as grids)


def _find_row(grid: Grid, word: str) -> int | None:
    return next((r for r, row in enumerate(grid) if any(word in c.text for c in row)), None)


def t3_header(items: list[Item], *, rows: int) -> list[Item]:
    """表三's applicant header as ``rows`` (1 or 2) header rows instead of the published ones."""
    out: list[Item] = []
    for kind, val in items:
        if kind == "table" and (h1 := _find_row(val, "商业企业")) is not None:
            first_num = next((r for r in range(h1, len(val)) if any(is_number(c.text) for c in val[r])), None)
            h0 = next((r for r in range(h1, -1, -1) if any("申请人" in c.text for c in val[r])), h1)
            if first_num is not None:
                width = len(val[0])
                lead = width - 7
                labels = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
                new: list[list[tuple[str, int, int]]] = []
                if rows == 2:
                    new.append([("", 2, lead), ("申请人情况", 1, 7)])
                    new.append([(t, 1, 1) for t in labels])
                else:
                    new.append([("", 1, lead)] + [(t, 1, 1) for t in labels])
                keep = [[(c.text, 1, 1) for c in row] for row in val[:h0]]
                body = _rows_as_spans(val, first_num)
                val = from_texts(keep + new + body)
        out.append((kind, val))
    return out


def _rows_as_spans(grid: Grid, start: int) -> list[list[tuple[str, int, int]]]:
    sub = [list(row) for row in grid[start:]]
    sub = [[GridCell(c.text, (c.anchor[0] - start, c.anchor[1])) for c in row] for row in sub]
    out = []
    for row in spans(sub):
        out.append([(t, rs, cs) for _, t, rs, cs in row])
    return out


def t4_block_rows(items: list[Item], gold: dict[str, Any]) -> list[Item]:
    """表四 as a header of the five outcomes and one row per block (labels in the first column)."""
    out: list[Item] = []
    for kind, val in items:
        if kind == "table" and _find_row(val, "维持") is not None and _find_row(val, "自然人") is None:
            rows = [[""] + [lbl for _, lbl in T4_COLUMNS]]
            for bid, blbl in T4_BLOCKS:
                vals = [gold.get(f"{bid}.{cid}") for cid, _ in T4_COLUMNS]
                rows.append([blbl] + ["" if v is None else _fmt(v) for v in vals])
            val = from_texts([[(t, 1, 1) for t in r] for r in rows])
        out.append((kind, val))
    return out


def _fmt(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


# ---------------------------------------------------------------- content variants (issue 7)

# one-character typos of every column header the forms use (near-form or homophone character,
# a character missing), as hand-filled and retyped reports carry them
HEADER_TYPOS: dict[str, str] = {
    "自然人": "自然入",
    "商业企业": "商业企事",
    "科研机构": "科研机购",
    "社会公益组织": "社会公益组识",
    "法律服务机构": "法律服务机",
    "其他": "其它",
    "总计": "总记",
    "结果维持": "结果维特",
    "结果纠正": "结果纠止",
    "其他结果": "其它结果",
    "尚未审结": "尚未审洁",
    "本年制发件数": "本年制法件数",
    "本年废止件数": "本年费止件数",
    "现行有效件数": "现行有效件",
    "本年处理决定数量": "本年处理决定数",
    "处理决定数量": "处里决定数量",
    "本年新制作数量": "本年新制做数量",
    "本年新公开数量": "本年新公开数",
    "对外公开总数量": "对外公开总数目",
}


def _key(text: str) -> str:
    return tables.label_key(text)


_TYPO_BY_KEY = {_key(k): v for k, v in HEADER_TYPOS.items()}


def typo_headers(items: list[Item]) -> list[Item]:
    """Every header cell that is exactly one column name (in a row without numbers) replaced by a
    one-character typo of it; row labels and group headings keep their wording."""
    out: list[Item] = []
    for kind, val in items:
        if kind == "table":
            grid: Grid = val
            val = [
                [
                    GridCell(_TYPO_BY_KEY.get(_key(c.text), c.text), c.anchor)
                    if not any(is_number(x.text) for x in row) and not table_labels._ENUM_RE.match(c.text.strip())
                    else c
                    for c in row
                ]
                for row in grid
            ]
        out.append((kind, val))
    return out


def items_document(items: list[Item], name: str) -> Document:
    """The items as a Document whose table ``i`` has origin ``item{i}`` (to map cells to rows)."""
    blocks = [
        Block("table", "", i, i + 1, table=Table(tuple(tuple(r) for r in val), origin=f"item{i}"))
        if kind == "table"
        else Block("text", val, i, i + 1)
        for i, (kind, val) in enumerate(items)
    ]
    return Document(source=name, format="html", text="", blocks=tuple(blocks))


def blank_rows(
    items: list[Item], gold: dict[str, Any], *, every: int = 3
) -> tuple[list[Item], dict[str, Any]]:
    """Every ``every``-th labelled 表二/表三 row (by where the reader found its cells) left blank:
    its label kept, its value cells emptied; the gold of its cells becomes null (blank)."""
    res = tables.read_tables(items_document(items, "blank"), ())
    base_index = {f"item{i}": i for i in range(len(items))}
    rows: dict[tuple[int, int], list[str]] = {}
    for cid in gold:
        cell = res.cells.get(cid)
        if cell is None or not cid.startswith(("active.", "apply.")):
            continue
        m = re.match(r"^(.*)#r(\d+)c\d+$", cell.origin)
        if m is None or m.group(1) not in base_index:
            continue
        rows.setdefault((base_index[m.group(1)], int(m.group(2))), []).append(cid)
    chosen = sorted(rows)[::every]
    new_items = list(items)
    new_gold = dict(gold)
    for bi, r in chosen:
        kind, grid = new_items[bi]
        if kind != "table":
            continue
        anchors = {
            c.anchor for c in grid[r] if c.anchor[0] == r and c.text.strip() and not table_labels._is_label(c.text)
        }
        new_items[bi] = (
            "table",
            [[GridCell("", c.anchor) if c.anchor in anchors else c for c in row] for row in grid],
        )
        for cid in rows[(bi, r)]:
            new_gold[cid] = None
    return new_items, new_gold


def merge_rows(items: list[Item]) -> list[Item]:
    """Every row with numbers put into its first cell as a PDF text layer does ("（五）不予处理1.信访
    举报投诉类申请0 0 0 0 0 0 0"), the rest of the row empty; tables lose their merged cells (a text
    spanning rows or columns appears once, in its first position)."""
    out: list[Item] = []
    for kind, val in items:
        if kind == "table":
            grid: Grid = val
            width = max(len(r) for r in grid)
            rows: list[list[tuple[str, int, int]]] = []
            for r, row in enumerate(grid):
                texts = [c.text if _first_seen(grid, r, i) else "" for i, c in enumerate(row)]
                texts += [""] * (width - len(texts))
                if any(is_number(t) for t in texts):
                    labels = "".join(t.strip() for t in texts if t.strip() and not _is_value(t))
                    values = " ".join(t.strip() for t in texts if t.strip() and _is_value(t))
                    texts = [labels + values] + [""] * (width - 1)
                rows.append([(t, 1, 1) for t in texts])
            val = from_texts(rows)
        out.append((kind, val))
    return out


def _is_value(text: str) -> bool:
    return bool(re.match(r"^(?:[+-]?\d+(?:\.\d+)?|[-—–/])$", text.strip()))


# ---------------------------------------------------------------- HTML rendering


def render_html(
    items: list[Item],
    *,
    cell: Callable[[str, bool], str] = lambda t, head: html.escape(t),
    th: bool = False,
    colgroup: bool = False,
    wrap: Callable[[str], str] = lambda body: f'<div class="article">{body}</div>',
) -> bytes:
    parts = []
    for kind, val in items:
        if kind == "text":
            parts.append(f"<p>{html.escape(val)}</p>")
            continue
        grid: Grid = val
        nh = header_rows(grid) if th else 0
        rows_html = []
        for r, row in enumerate(spans(grid)):
            tag = "th" if r < nh else "td"
            tds = []
            for _, text, rs, cs in row:
                attrs = (f' rowspan="{rs}"' if rs > 1 else "") + (f' colspan="{cs}"' if cs > 1 else "")
                tds.append(f"<{tag}{attrs}>{cell(text, r < nh)}</{tag}>")
            rows_html.append("<tr>" + "".join(tds) + "</tr>")
        cg = ""
        if colgroup and grid:
            cg = "<colgroup>" + "".join('<col width="60">' for _ in grid[0]) + "</colgroup>"
        if nh:
            body = f"<thead>{''.join(rows_html[:nh])}</thead><tbody>{''.join(rows_html[nh:])}</tbody>"
        else:
            body = f"<tbody>{''.join(rows_html)}</tbody>"
        parts.append(f'<table border="1" cellspacing="0" style="width:100%">{cg}{body}</table>')
    page = wrap("\n".join(parts))
    return f'<html><head><meta charset="utf-8"><title>t</title></head><body>{page}</body></html>'.encode()


def _p_span(text: str, head: bool) -> str:
    """Word-pasted cells: each piece in <p><span style>, numbers padded with &nbsp;, labels in 2 <p>."""
    style = ' style="font-family:仿宋_GB2312;font-size:12pt"'
    if is_number(text):
        return f"<p{style}><span{style}>&nbsp;{html.escape(text)}&nbsp;</span></p>"
    if len(text) >= 8 and not head:
        mid = len(text) // 2
        return "".join(f"<p><span{style}>{html.escape(x)}</span></p>" for x in (text[:mid], text[mid:]))
    return f"<p><span{style}>{html.escape(text)}</span></p>"


def _br(text: str, head: bool) -> str:
    if len(text) >= 6 and not is_number(text):
        mid = len(text) // 2
        return f"{html.escape(text[:mid])}<br/>{html.escape(text[mid:])}"
    return html.escape(text)


def _thousands(text: str, head: bool) -> str:
    if is_number(text) and "." not in text and int(text) >= 1000:
        return f"{int(text):,}"
    return html.escape(text)


def _fullwidth(text: str, head: bool) -> str:
    return html.escape(text.translate(_FULL)) if is_number(text) else html.escape(text)


def _split_digits(text: str, head: bool) -> str:
    if is_number(text) and len(text) >= 2:
        return "\n".join(f'<span lang="EN-US">{d}</span>' for d in text)
    return html.escape(text)


_CHROME_TOP = (
    '<div class="top"><ul class="nav">'
    + "".join(f'<li><a href="/{i}">栏目{i}</a></li>' for i in range(12))
    + '</ul><div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/x">政府信息公开</a></div></div>'
)
_CHROME_SIDE = (
    '<ul class="side">' + "".join(f'<li><a href="/s{i}">相关链接{i}</a></li>' for i in range(15)) + "</ul>"
)
_CHROME_FOOT = '<div class="foot"><p>主办单位：某某 网站标识码 000 备案号 000</p></div>'


def _outer_table(body: str) -> str:
    return (
        f'{_CHROME_TOP}<table width="100%" border="0"><tr><td width="200" valign="top">{_CHROME_SIDE}</td>'
        f'<td valign="top"><div class="bt">年度报告</div>{body}</td></tr></table>{_CHROME_FOOT}'
    )


def _plain_div(body: str) -> str:
    return f'{_CHROME_TOP}<div class="wrap"><div class="left">{_CHROME_SIDE}</div><div class="xl-box-9">{body}</div></div>{_CHROME_FOOT}'


def _vertical_head(text: str, head: bool) -> str:
    """Word's vertical header text: one character per line."""
    if head and 2 <= len(text) <= 12 and not is_number(text):
        return "<br>".join(html.escape(ch) for ch in text)
    return html.escape(text)


def split_tables(items: list[Item], *, repeat_header: bool) -> list[Item]:
    """Every table cut in two after the middle of its body rows (a page break in the source)."""
    out: list[Item] = []
    for kind, val in items:
        nh = header_rows(val) if kind == "table" else 0
        if kind != "table" or len(val) - nh < 4:
            out.append((kind, val))
            continue
        cut = _safe_cut(val, nh + (len(val) - nh) // 2)
        head = _rows_as_spans(val[:nh], 0) if repeat_header and nh else []
        out.append(("table", from_texts(_rows_as_spans(val[:cut], 0))))
        out.append(("table", from_texts(head + _rows_as_spans(val, cut))))
    return out


def _safe_cut(grid: Grid, r: int) -> int:
    """The first row at or after ``r`` that no rowspan crosses (cut there keeps spans whole)."""
    while r < len(grid) - 1 and any(c.anchor[0] < r for c in grid[r]):
        r += 1
    return r


def title_rows(items: list[Item]) -> list[Item]:
    """The heading before each table repeated as a full-width first row of the table, and an
    empty spacer row after the header (as some CMS editors produce)."""
    out: list[Item] = []
    prev = ""
    for kind, val in items:
        if kind == "table" and prev:
            width = len(val[0])
            nh = header_rows(val)
            body = _rows_as_spans(val, 0)
            rows = [[(prev, 1, width)], *body[:nh], [("", 1, 1)] * width, *body[nh:]]
            val = from_texts(rows)
        prev = val if kind == "text" else ""
        out.append((kind, val))
    return out


def render_txt(items: list[Item], *, sep: str, browser: bool = False) -> bytes:
    """Plain text as exported by other tools: table rows with ``sep`` between cells (merged cells
    once, their other positions empty; ``browser``: a cell spanning rows only in its first row,
    as a table copied out of a browser pastes)."""
    lines = []
    for kind, val in items:
        if kind == "text":
            lines.append(val)
            continue
        for r, row in enumerate(val):
            if browser:
                texts = [c.text for i, c in enumerate(row) if c.anchor[0] == r and _first_seen(val, r, i)]
            else:
                texts = [c.text if _first_seen(val, r, i) else "" for i, c in enumerate(row)]
            if sep != "\t":
                texts = [t for t in texts if t]
            lines.append(sep.join(texts))
    return "\n".join(lines).encode()


HTML_VARIANTS: dict[str, Callable[[list[Item], dict[str, Any]], bytes]] = {
    "html.control": lambda it, g: render_html(it),
    "html.th_thead_colgroup": lambda it, g: render_html(it, th=True, colgroup=True),
    "html.p_span_nbsp": lambda it, g: render_html(it, cell=_p_span),
    "html.br_in_cells": lambda it, g: render_html(it, cell=_br),
    "html.thousands_sep": lambda it, g: render_html(it, cell=_thousands),
    "html.fullwidth_digits": lambda it, g: render_html(it, cell=_fullwidth),
    "html.split_digit_spans": lambda it, g: render_html(it, cell=_split_digits),
    "html.outer_layout_table": lambda it, g: render_html(it, wrap=_outer_table),
    "html.div_other_class": lambda it, g: render_html(it, wrap=_plain_div),
    "html.t3_header_1row": lambda it, g: render_html(t3_header(it, rows=1)),
    "html.t3_header_2rows": lambda it, g: render_html(t3_header(it, rows=2)),
    "html.t4_block_rows": lambda it, g: render_html(t4_block_rows(it, g)),
    "html.vertical_header_text": lambda it, g: render_html(it, cell=_vertical_head, th=True),
    "html.split_tables": lambda it, g: render_html(split_tables(it, repeat_header=False)),
    "html.split_tables_repeat_header": lambda it, g: render_html(split_tables(it, repeat_header=True)),
    "html.title_and_spacer_rows": lambda it, g: render_html(title_rows(it)),
    "content.typo_headers": lambda it, g: render_html(typo_headers(it)),
    "html.gbk_encoded": lambda it, g: (
        render_html(it).decode().replace('charset="utf-8"', 'charset="gb2312"').encode("gb18030")
    ),
    "html.gbk_no_charset": lambda it, g: (
        render_html(it).decode().replace('<meta charset="utf-8">', "").encode("gb18030")
    ),
    "txt.gbk_tab_grid": lambda it, g: render_txt(it, sep="\t").decode().encode("gb18030"),
    "txt.tab_grid": lambda it, g: render_txt(it, sep="\t"),
    "txt.tab_browser_copy": lambda it, g: render_txt(it, sep="\t", browser=True),
    "txt.space_separated": lambda it, g: render_txt(it, sep="   "),
}


# ---------------------------------------------------------------- DOCX


def render_docx(items: list[Item], *, layout_table: bool = False) -> bytes:
    """python-docx, merged cells via ``merge``; ``layout_table``: everything inside the single cell
    of an outer table (Word documents saved from web pages)."""
    import docx

    d = docx.Document()
    box: Any = d.add_table(rows=1, cols=1).cell(0, 0) if layout_table else d
    for kind, val in items:
        if kind == "text":
            box.add_paragraph(val)
            continue
        grid: Grid = val
        width = max(len(r) for r in grid)
        t = box.add_table(rows=len(grid), cols=width)
        if not layout_table:
            t.style = "Table Grid"
        for r, row in enumerate(spans(grid)):
            for c, text, rs, cs in row:
                cell = t.cell(r, c)
                if rs > 1 or cs > 1:
                    cell = cell.merge(t.cell(r + rs - 1, c + cs - 1))
                cell.text = text
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------- PDF


def render_pdf(items: list[Item], *, label_width: float = 60.0, rules: bool = True) -> bytes:
    """reportlab with the STSong-Light CID font; GRID tables that may split across pages; narrow
    label columns so long row labels wrap onto two or more lines."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    body = ParagraphStyle("b", fontName="STSong-Light", fontSize=10.5, leading=15, wordWrap="CJK")
    small = ParagraphStyle("s", fontName="STSong-Light", fontSize=8, leading=10, wordWrap="CJK")
    flow: list[Any] = []
    for kind, val in items:
        if kind == "text":
            flow.append(Paragraph(html.escape(val), body))
            continue
        grid: Grid = val
        width = max(len(r) for r in grid)
        data = [["" for _ in range(width)] for _ in grid]
        cmds: list[tuple[Any, ...]] = [
            ("FONT", (0, 0), (-1, -1), "STSong-Light", 8),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ]
        if rules:
            cmds.append(("GRID", (0, 0), (-1, -1), 0.5, colors.black))
        for r, row in enumerate(spans(grid)):
            for c, text, rs, cs in row:
                data[r][c] = text if is_number(text) or not text else Paragraph(html.escape(text), small)
                # reportlab cannot break a page inside a row span: a long one becomes its text in
                # the first row and blank ruled cells below (as the reference PDF's tables show)
                bottom = r + rs - 1 if rs <= 3 else r
                for top in range(r, r + rs) if bottom == r else (r,):
                    if bottom > top or cs > 1:
                        cmds.append(("SPAN", (c, top), (c + cs - 1, max(bottom, top))))
        n_num = max(sum(is_number(c.text) for c in row) for row in grid) or 1
        lead = max(1, width - n_num)
        avail = 430.0
        lw = min(label_width, avail / (width + 1))
        nw = (avail - lw * lead) / max(1, width - lead)
        widths = [lw] * lead + [nw] * (width - lead)
        tbl = Table(data, colWidths=widths, splitByRow=1)
        tbl.setStyle(TableStyle(cmds))
        flow.append(tbl)
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4, topMargin=40, bottomMargin=40).build(flow)
    return buf.getvalue()


# ---------------------------------------------------------------- run


def _load_txt(data: bytes, name: str) -> Document:
    """The TXT path of ``loaders.load`` on bytes (decode, normalise, pipe/tab/gap rows)."""
    text = loaders.files.decode_text(data, source=name)
    return loaders.parse_text(loaders.base.normalize_chars(text), source=name, fmt="txt")


Loader = Callable[[list[Item], dict[str, Any], str], "Document | tuple[Document, dict[str, Any]]"]


def _blank_rows_variant(
    items: list[Item], gold: dict[str, Any], name: str, *, typos: bool = False
) -> tuple[Document, dict[str, Any]]:
    """Rows left blank (gold null for their cells), optionally under typo'd headers, as HTML."""
    blanked, new_gold = blank_rows(items, gold)
    if typos:
        blanked = typo_headers(blanked)
    return load_html(render_html(blanked), source=name), new_gold


def _variants() -> dict[str, Loader]:
    """Every variant as (items, gold, name) → the Document the product reads from its bytes."""
    from nlp_pipeline.loaders.pdf import load_pdf

    out: dict[str, Loader] = {}
    for variant, make in HTML_VARIANTS.items():
        if variant.startswith("txt."):
            out[variant] = lambda it, g, n, m=make: _load_txt(m(it, g), n)
        else:
            out[variant] = lambda it, g, n, m=make: load_html(m(it, g), source=n)
    # the merged cells a PDF text layer gives, read as the grid the loader hands over (HTML would
    # rejoin "0 0 0" into one number before the table reader sees it)
    out["content.merged_label_values"] = lambda it, g, n: items_document(merge_rows(it), n)
    out["content.blank_rows"] = _blank_rows_variant
    out["content.blank_rows_typo_headers"] = lambda it, g, n: _blank_rows_variant(it, g, n, typos=True)
    out["docx.merged"] = lambda it, g, n: load_docx(render_docx(it), source=n)
    out["docx.outer_layout_table"] = lambda it, g, n: load_docx(render_docx(it, layout_table=True), source=n)
    out["docx.t3_header_2rows"] = lambda it, g, n: load_docx(render_docx(t3_header(it, rows=2)), source=n)
    out["pdf.grid_wrapped_labels"] = lambda it, g, n: load_pdf(render_pdf(it), source=n)
    out["pdf.grid_wide_labels"] = lambda it, g, n: load_pdf(render_pdf(it, label_width=160.0), source=n)
    out["pdf.no_rules"] = lambda it, g, n: load_pdf(render_pdf(it, rules=False), source=n)
    return out


def run(directory: Path, *, families: set[str] | None, pdf_limit: int, verbose: bool) -> dict[str, list[int]]:
    srcs = sources(directory)
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    fails: dict[str, list[str]] = defaultdict(list)
    timings: dict[str, float] = defaultdict(float)
    variants = {
        v: f for v, f in _variants().items() if not families or any(v.startswith(x) for x in families)
    }
    for i, (name, items, gold) in enumerate(srcs):
        for variant, make in variants.items():
            if variant.startswith("pdf.") and i >= pdf_limit:
                continue
            t0 = time.perf_counter()
            try:
                made = make(items, gold, name)
                doc, vgold = made if isinstance(made, tuple) else (made, gold)
                right, total = score(doc, vgold)
            except Exception as exc:  # a crash scores 0 for this variant; report it
                right, total = 0, len(gold)
                fails[variant].append(f"{name}: {type(exc).__name__}: {str(exc)[:80]}")
            timings[variant] += time.perf_counter() - t0
            totals[variant][0] += right
            totals[variant][1] += total
            if right < total:
                fails[variant].append(f"{name}: {right}/{total}")
    n_pdf = min(pdf_limit, len(srcs))
    print(f"{len(srcs)} source reports (HTML/TXT with gold, read 100% as published); PDF variants on {n_pdf}")
    print(f"{'variant':32} {'cells':>13} {'accuracy':>9} {'sec':>6}")
    for variant, (right, total) in totals.items():
        acc = right / total if total else 1.0
        print(f"{variant:32} {right:>6}/{total:<6} {acc:9.4f} {timings[variant]:6.1f}")
        if verbose:
            for f in fails[variant]:
                print(f"    {f}")
    families_acc: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for variant, (right, total) in totals.items():
        fam = variant.split(".", 1)[0]
        families_acc[fam][0] += right
        families_acc[fam][1] += total
    print("-- per family")
    for fam, (right, total) in families_acc.items():
        print(f"{fam:32} {right:>6}/{total:<6} {right / total if total else 1.0:9.4f}")
    return totals


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=REAL, help="directory of real reports with gold/")
    ap.add_argument("--family", action="append", help="only variants starting with this (repeatable)")
    ap.add_argument("--pdf-limit", type=int, default=4, help="PDF variants on the first N sources")
    ap.add_argument("-v", "--verbose", action="store_true", help="list the files that lose cells")
    ap.add_argument("--min", type=float, default=0.0, help="exit 1 if any variant is below this")
    args = ap.parse_args(argv)
    if not (args.shared / "gold").is_dir():
        print(f"no gold under {args.shared}; nothing to do")
        return 0
    totals = run(
        args.shared, families=set(args.family or ()) or None, pdf_limit=args.pdf_limit, verbose=args.verbose
    )
    worst = min((r / t for r, t in totals.values() if t), default=1.0)
    return 1 if worst < args.min else 0


if __name__ == "__main__":
    raise SystemExit(main())
