"""PDF reader: ruled tables as grids, the rest as reflowed paragraphs.

pdfium (pypdfium2) reads the pages (``pdf_geometry``: glyphs and ruling edges in pdfplumber's
terms); ``pdf_tables``, a copy of pdfplumber's table finder on those edges, finds the grids.
pdfplumber/pdfminer is not imported to read a PDF: it stays behind ``_plumber_pages`` so the
benchmark and the tests can compare both readers.

Browser-printed PDFs set Latin digits on a lower baseline than the CJK text around them, so
lines are built from characters by vertical overlap rather than by equal ``top``; tables cut
by a page break are joined when the next page opens with a table of the same width.
"""

from __future__ import annotations

import bisect
import operator
import re
from dataclasses import dataclass

from ..document import Document, GridCell
from ..errors import Errors, InputError
from .base import DocBuilder, clean_line, normalize_chars
from .pdf_geometry import _Info, _PageGeom, _pdfium_pages, _plumber_pages
from .pdf_lines import NUMBER, Line, join_wrapped_labels, label_fragment, near_row, text_table
from .pdf_tables import Table, find_tables

_PAGE_NO = re.compile(
    r"^[-—–－\s]*\d{1,4}[-—–－\s]*$|^第\s*\d+\s*页(\s*[,，/]?\s*共\s*\d+\s*页)?$|^\d+\s*/\s*\d+$"
)
_HEADING = re.compile(
    r"^[（(]?[一二三四五六七八九十]{1,3}[）)、.．]|^\d{1,2}[.．、]\D|^第[一二三四五六七八九十]+[条章]"
)
_COL_TOL = 4.0  # pt: borders of one column drift this much between pages of a printed table
_LABEL_START = re.compile(r"^[（(]?[一二三四五六七八九十\d]")
_DATE_LINE = re.compile(r"^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$")
_AGENCY_END = re.compile(
    r"(政府|局|委|委员会|办公室|办|厅|院|署|部|中心|管委会|区|市|县|镇|乡|街道|所|站|队|会)$"
)
_MARGIN = 0.08  # fraction of the page height where running headers and footers sit
_WIDE_GAP = 1.0  # em: a gap this wide between glyphs of one line separates table columns
_SECTION = re.compile(r"^[一二三四五六七八九十]{1,2}、")
_TITLE = re.compile(r"\d{4}\s*年.*报告$")
_EPS = 0.01  # pt: layout ties (a Times space is exactly 0.25 em) must not hang on float noise
_PUB_LINE = re.compile(r"(?:日期|时间)\s*[:：]\s*(\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2})")


@dataclass
class _PdfTable:
    """One table fragment on one page: cell boxes with their text, and the row tops."""

    cells: list[tuple[int, tuple[float, float, float, float], str]]
    row_tops: list[float]
    bbox: tuple[float, float, float, float]
    page: int
    open_bottom: list[bool]

    @property
    def top(self) -> float:
        return self.bbox[1]



def load_pdf(data: bytes, *, source: str) -> Document:
    """PDF → ``Document``; junk or a password is E005, a PDF without a text layer is E006."""
    if b"%PDF" not in data[:1024]:
        raise InputError.from_catalogue(Errors.E005, source, fmt="PDF", detail="no %PDF header")
    info = _pdfium_pages(data, source=source)
    return _build(info, source=source)


def _build(info: _Info, *, source: str) -> Document:
    pages = [_read_page(geom, i + 1) for i, geom in enumerate(info.pages)]
    if not any(items for items in pages):
        raise InputError.from_catalogue(Errors.E006, source)
    items = _strip_chrome(_drop_running_lines(pages))
    builder = DocBuilder(source, "pdf")
    _emit(items, builder)
    meta: dict[str, str] = {}
    title = clean_line(info.title)
    first_lines = [b.text for b in builder.blocks[:8] if b.kind == "text"]
    if not _TITLE.search(title):
        for n, t in enumerate(first_lines):
            if _TITLE.search(t) and len(t) <= 60:
                title = first_lines[0] + t if n == 1 and _AGENCY_END.search(first_lines[0]) else t
                break
    if title:
        meta["title"] = title
    from .html import iso_date

    for t in first_lines:
        m = _PUB_LINE.search(t)
        if m and (iso := iso_date(m.group(1))):
            meta["published"] = iso
            break
    return builder.build(meta)


def _load_pdf_plumber(data: bytes, *, source: str) -> Document:
    """``load_pdf`` on pdfplumber's geometry (for comparison only)."""
    return _build(_plumber_pages(data), source=source)


def chars_to_lines(chars: list[dict]) -> list[Line]:
    """Group glyphs into lines by vertical overlap (≥ half the smaller height), then order by x."""
    groups: list[list[dict]] = []
    spans: list[list[float]] = []
    for ch in sorted(chars, key=_BY_TOP_X0):
        if not ch["text"].strip():
            continue
        top, bottom = ch["top"], ch["bottom"]
        height = bottom - top
        for i in range(len(groups) - 1, len(groups) - 4 if len(groups) > 3 else -1, -1):
            span = spans[i]
            g_top, g_bot = span
            overlap = (bottom if bottom < g_bot else g_bot) - (top if top > g_top else g_top)
            g_height = g_bot - g_top
            if overlap >= 0.5 * (height if height < g_height else g_height) - _EPS:
                groups[i].append(ch)
                if top < g_top:
                    span[0] = top
                if bottom > g_bot:
                    span[1] = bottom
                break
        else:
            groups.append([ch])
            spans.append([top, bottom])
    lines: list[Line] = []
    for g, (top, bottom) in zip(groups, spans, strict=True):
        g.sort(key=_X0)
        pieces: list[list[dict]] = [[g[0]]]
        prev = g[0]
        for ch in g[1:]:
            size = ch["size"]
            if ch["x0"] - prev["x1"] > _WIDE_GAP * (size if size > 1.0 else 1.0) - _EPS:
                pieces.append([])
            pieces[-1].append(ch)
            prev = ch
        segments = tuple((p[0]["x0"], p[-1]["x1"], _join_glyphs(p)) for p in pieces)
        text = " ".join(t for _, _, t in segments)
        size = max(c["size"] for c in g)
        lines.append(Line(text, g[0]["x0"], max(c["x1"] for c in g), top, bottom, size, segments))
    return lines


_BY_TOP_X0 = operator.itemgetter("top", "x0")
_X0 = operator.itemgetter("x0")


def _join_glyphs(glyphs: list[dict]) -> str:
    """Glyphs of one piece of a line, with a space where the gap is wider than a quarter em."""
    if len(glyphs) == 1:
        return normalize_chars(glyphs[0]["text"])
    parts: list[str] = []
    prev_x1 = None
    for ch in glyphs:
        if prev_x1 is not None:
            size = ch["size"]
            if ch["x0"] - prev_x1 > 0.25 * (size if size > 1.0 else 1.0) - _EPS:
                parts.append(" ")
        parts.append(ch["text"])
        prev_x1 = ch["x1"]
    return normalize_chars("".join(parts))


class _CharIndex:
    """The page's glyphs by vertical centre, so a cell finds its own without scanning them all."""

    def __init__(self, chars: list[dict]) -> None:
        self.chars = chars
        centres = sorted(((c["top"] + c["bottom"]) / 2, i) for i, c in enumerate(chars))
        self.cy = [cy for cy, _ in centres]
        self.order = [i for _, i in centres]
        self.cx = [(c["x0"] + c["x1"]) / 2 for c in chars]

    def inside(self, bbox: tuple[float, float, float, float]) -> list[dict]:
        """The glyphs whose centre lies in ``bbox`` (edges included), in the page's order."""
        lo, hi = bisect.bisect_left(self.cy, bbox[1]), bisect.bisect_right(self.cy, bbox[3])
        x0, x1, cx = bbox[0], bbox[2], self.cx
        hits = sorted(i for i in self.order[lo:hi] if x0 <= cx[i] <= x1)
        chars = self.chars
        return [chars[i] for i in hits]


def _read_page(page: _PageGeom, page_no: int) -> list[Line | _PdfTable]:
    chars = page.chars
    tables: list[tuple[tuple[float, float, float, float], _PdfTable]] = []
    spilled: list[Line] = []
    h_edges = [e for e in page.edges if e["orientation"] == "h"]
    found = (
        find_tables(page.edges, page_bbox=page.bbox, explicit_horizontal=_closing_rules(page))
        if page.edges
        else []
    )
    index = _CharIndex(chars)
    for t in found:
        frag, spill = _fragment(t, index, page_no, h_edges)
        if frag is not None:
            spilled.extend(spill)
            tables.append((t.bbox, frag))
    boxed = {id(c) for bbox, _ in tables for c in index.inside(bbox)}
    free = [c for c in chars if id(c) not in boxed]
    height = page.height
    lines = [
        ln
        for ln in chars_to_lines(free)
        if not (_PAGE_NO.match(ln.text.strip()) and (ln.top > 0.8 * height or ln.bottom < 0.2 * height))
    ]
    for ln in [*lines, *spilled]:
        ln.page = page_no
        ln.margin = ln.top > (1 - _MARGIN) * height or ln.bottom < _MARGIN * height
    items: list[Line | _PdfTable] = [*lines, *spilled, *(t for _, t in tables)]
    items.sort(key=lambda it: it.top)
    return items


def _closing_rules(page: _PageGeom) -> list[float]:
    """A table cut by a page break has no rule where the page cuts it: close it where its columns end."""
    verticals = [e for e in page.edges if e["orientation"] == "v" and e["bottom"] - e["top"] > 3]
    if not verticals:
        return []
    return [min(e["top"] for e in verticals), max(e["bottom"] for e in verticals)]


def _fragment(
    table: Table, chars: _CharIndex, page_no: int, h_edges: list[dict]
) -> tuple[_PdfTable | None, list[Line]]:
    """Cell boxes and their text (lines rebuilt from glyphs, so offset digits stay in order).

    Trailing full-width rows holding a section heading or a sentence are page text that the
    table finder boxed in with the table; they are handed back as lines.
    """
    rows = table.rows
    cells = []
    for r, row in enumerate(rows):
        for bbox in row.cells:
            if bbox is not None:
                inner = chars.inside(bbox)
                cells.append((r, bbox, clean_line(" ".join(ln.text for ln in chars_to_lines(inner)))))
    spill: list[Line] = []
    n_rows = len(rows)
    while n_rows > 1:
        last = [c for c in cells if c[0] == n_rows - 1]
        if len(last) != 1 or not (_SECTION.match(last[0][2]) or last[0][2].endswith("。")):
            break
        spill[:0] = chars_to_lines(chars.inside(last[0][1]))
        cells = [c for c in cells if c[0] != n_rows - 1]
        n_rows -= 1
    xs = _snap(sorted(b[0] for _, b, _ in cells))
    if len(xs) < 2 or not n_rows:
        return None, spill
    bbox = (
        min(b[0] for _, b, _ in cells),
        min(b[1] for _, b, _ in cells),
        max(b[2] for _, b, _ in cells),
        max(b[3] for _, b, _ in cells),
    )
    open_bottom = [abs(b[3] - bbox[3]) <= 1.5 and not _ruled(h_edges, b[3], b[0], b[2]) for _, b, _ in cells]
    return _PdfTable(cells, [r.bbox[1] for r in rows[:n_rows]], bbox, page_no, open_bottom), spill


def _ruled(h_edges: list[dict], y: float, x0: float, x1: float) -> bool:
    """Is there a horizontal rule at ``y`` over most of [x0, x1]? (A page break through a cell leaves none.)"""
    covered = sum(max(0.0, min(e["x1"], x1) - max(e["x0"], x0)) for e in h_edges if abs(e["top"] - y) <= 1.5)
    return covered >= 0.6 * (x1 - x0)


def _snap(values: list[float], tol: float = 2.0) -> list[float]:
    out: list[float] = []
    for v in values:
        if not out or v - out[-1] > tol:
            out.append(v)
    return out


def merge_fragments(frags: list[_PdfTable]) -> list[list[GridCell]]:
    """One grid from table fragments stacked page after page, columns aligned on x positions."""
    col_x = _snap(sorted(b[0] for f in frags for _, b, _ in f.cells), tol=_COL_TOL)
    grid: dict[tuple[int, int], GridCell] = {}
    offset = 0
    open_cols: dict[int, bool] = {}
    for f in frags:
        split = bool(open_cols) and all(open_cols.values())
        base = offset - 1 if split else offset
        next_open: dict[int, bool] = {}
        data_row0 = any(r == 0 and NUMBER.match(t) for r, _, t in f.cells)
        for k, (r, (x0, top, x1, bottom), text) in enumerate(f.cells):
            c = max(j for j, x in enumerate(col_x) if x <= x0 + _COL_TOL)
            rs = max(1, sum(1 for y in f.row_tops if top - 1 <= y < bottom - 1))
            cs = max(1, sum(1 for x in col_x if x0 - _COL_TOL <= x < x1 - _COL_TOL))
            above = grid.get((offset - 1, c)) if r == 0 else None
            if above is not None and not (
                all(open_cols.get(c + dc, False) for dc in range(cs))
                or (data_row0 and _continues_label(above, text, rs))
            ):
                above = None
            if above is not None:
                cell = GridCell(_glue_cell(above.text, text), above.anchor)
                for pos, g in grid.items():
                    if g.anchor == above.anchor:
                        grid[pos] = cell
            else:
                cell = GridCell(text, (r + base, c))
            for dr in range(rs):
                for dc in range(cs):
                    grid.setdefault((r + base + dr, c + dc), cell)
            if r + rs == len(f.row_tops):
                next_open.update({c + dc: f.open_bottom[k] for dc in range(cs)})
        offset = base + len(f.row_tops)
        open_cols = next_open
    rows = [[grid.get((r, c), GridCell("", (r, c))) for c in range(len(col_x))] for r in range(offset)]
    return _drop_empty_columns(rows)


def _continues_label(above: GridCell, text: str, rowspan: int) -> bool:
    """A row-spanning label cut by a page break that was ruled off anyway (Word-made PDFs).

    Asked only when the new page opens with a data row: the part of a label on the new page
    spans several rows and is empty or a fragment that does not start like a row label
    (numbered "三、", "（四）", "1."); data cells never span rows.
    """
    return rowspan >= 2 and bool(above.text) and (not text or not _LABEL_START.match(text))


def _glue_cell(head: str, tail: str) -> str:
    """Text of a cell cut by a page break: the part above the break, then the part below."""
    if not head or not tail:
        return head or tail
    return head + _glue(head, tail)


def _drop_empty_columns(rows: list[list[GridCell]]) -> list[list[GridCell]]:
    """Slivers between nearly aligned borders make columns with no text at all: remove them."""
    width = len(rows[0]) if rows else 0
    keep = [c for c in range(width) if any(row[c].text for row in rows)]
    if len(keep) == width:
        return rows
    new_col = {c: sum(1 for k in keep if k < c) for c in range(width)}
    return [
        [GridCell(row[c].text, (row[c].anchor[0], new_col[row[c].anchor[1]])) for c in keep] for row in rows
    ]


def _drop_running_lines(pages: list[list[Line | _PdfTable]]) -> list[Line | _PdfTable]:
    """Drop running headers/footers: lines in the page margins repeated (digits aside) on at
    least half the pages, such as a browser's date/title header and URL/page-count footer."""
    seen: dict[str, set[int]] = {}
    for items in pages:
        for it in items:
            if isinstance(it, Line) and it.margin:
                seen.setdefault(re.sub(r"\d+", "#", clean_line(it.text)), set()).add(it.page)
    threshold = max(2, (len(pages) + 1) // 2)
    running = {key for key, on in seen.items() if len(on) >= threshold}
    return [
        it
        for items in pages
        for it in items
        if not (isinstance(it, Line) and it.margin and re.sub(r"\d+", "#", clean_line(it.text)) in running)
    ]


def _is_short(it: Line | _PdfTable) -> bool:
    """A menu/footer-like line: short, without sentence punctuation, not a numbered heading."""
    if not isinstance(it, Line) or it.tabular:
        return False
    t = clean_line(it.text)
    return len(t) <= 16 and not re.search(r"[。；;，,]", t) and not _HEADING.match(t)


def _is_prose(it: Line | _PdfTable) -> bool:
    """Report text proper: a table, a numbered heading or a sentence."""
    if not isinstance(it, Line):
        return True
    t = clean_line(it.text)
    return bool(_HEADING.match(t)) or "。" in t


def _strip_chrome(items: list[Line | _PdfTable]) -> list[Line | _PdfTable]:
    """Browser-printed pages carry the site's menus, share buttons and footer around the report.

    Start at the report title (with a short agency line just above it), drop a run of three or
    more short menu-like lines right after it (before any heading, sentence or table), and
    after the last statutory section heading
    cut at the first such run (keeping a closing signature and date).  A published PDF that
    starts with its title and ends with its text is left as it is.
    """
    start = 0
    for i, it in enumerate(items[:60]):
        if isinstance(it, _PdfTable):
            break
        if _TITLE.search(clean_line(it.text)) and len(clean_line(it.text)) <= 60:
            start = i
            prev = items[i - 1] if i else None
            if (
                isinstance(prev, Line)
                and _is_short(prev)
                and _AGENCY_END.search(clean_line(prev.text))
                and prev.top < it.top <= prev.bottom + 2.5 * it.size
            ):
                start = i - 1
            break
    items = items[start:]
    head = 1 if items and isinstance(items[0], Line) and _TITLE.search(clean_line(items[0].text)) else 2
    j = head
    while j < len(items) and j < head + 4 and not _is_short(items[j]) and not _is_prose(items[j]):
        j += 1
    k = j
    while k < len(items) and _is_short(items[k]):
        k += 1
    if k - j >= 3:
        items = items[:j] + items[k:]
    last = max(
        (i for i, it in enumerate(items) if isinstance(it, Line) and _SECTION.match(clean_line(it.text))),
        default=-1,
    )
    if last < 0:
        return items
    i = last + 1
    while i < len(items):
        run = 0
        while i + run < len(items) and _is_short(items[i + run]):
            run += 1
        if run >= 3:
            keep = i
            for m in range(i, min(i + 3, i + run)):
                if _DATE_LINE.match(clean_line(items[m].text)):  # type: ignore[union-attr]
                    keep = m + 1
            return items[:keep]
        i += max(run, 1)
    return items


def _emit(items: list[Line | _PdfTable], builder: DocBuilder) -> None:
    """Reflow wrapped lines into paragraphs and join tables continued on the next page."""
    body = [it for it in items if isinstance(it, Line) and len(it.text) > 10]
    right = _percentile([it.x1 for it in body], 0.9)
    left = _percentile([it.x0 for it in body], 0.1)
    para: list[str] = []
    para_page = [0]
    prev_line: Line | None = None

    def flush_para() -> None:
        if para:
            builder.add_text("".join(para), origin=f"pdf page {para_page[0]}")
            para.clear()

    pending: list[_PdfTable] = []

    def flush_table() -> None:
        if pending:
            pages = sorted({t.page for t in pending})
            origin = f"pdf page {pages[0]}" + (f"-{pages[-1]}" if len(pages) > 1 else "")
            builder.add_table(merge_fragments(pending), origin=origin)
            pending.clear()

    run: list[Line] = []
    frags: list[Line] = []  # short lines after a run: label fragments if the run goes on
    wrapped: list[Line] = []  # the fragments taken into the run

    def flush_run() -> None:
        last = next((ln for ln in reversed(run) if NUMBER.match(ln.clean.split(" ")[-1])), None)
        while frags and last is not None and near_row(frags[0], last) and not _HEADING.match(frags[0].clean):
            wrapped.append(frags[0])
            run.append(frags.pop(0))
        if any(NUMBER.match(ln.clean.split(" ")[-1]) for ln in run):
            lines = join_wrapped_labels(run, {id(ln) for ln in wrapped})
            builder.add_table(text_table(lines), origin=f"pdf page {run[0].page} text")
        else:
            for ln in run:
                builder.add_text(ln.clean, origin=f"pdf page {ln.page}")
        for ln in frags:
            builder.add_text(ln.clean, origin=f"pdf page {ln.page}")
        run.clear()
        frags.clear()
        wrapped.clear()

    for it in items:
        if isinstance(it, _PdfTable):
            flush_para()
            flush_run()
            if pending and not _continued(pending[-1], it):
                flush_table()
            pending.append(it)
            prev_line = None
            continue
        text = it.clean
        if not text:
            continue
        flush_table()
        if it.tabular:
            flush_para()
            run.extend(frags)
            wrapped.extend(frags)
            frags.clear()
            run.append(it)
            prev_line = None
            continue
        if run and label_fragment(it, frags[-1] if frags else run[-1]):
            frags.append(it)
            continue
        flush_run()
        if para and prev_line is not None and _continues(prev_line, it, left=left, right=right):
            para.append(_glue(para[-1], text))
        else:
            flush_para()
            para.append(text)
            para_page[0] = it.page
        prev_line = it
    flush_para()
    flush_run()
    flush_table()


def _continued(prev: _PdfTable, frag: _PdfTable) -> bool:
    """The next page opens with this table and it spans the same horizontal extent."""
    width = max(prev.bbox[2] - prev.bbox[0], 1.0)
    same_x = (
        abs(prev.bbox[0] - frag.bbox[0]) < 0.05 * width and abs(prev.bbox[2] - frag.bbox[2]) < 0.05 * width
    )
    return frag.page == prev.page + 1 and same_x


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _continues(prev: Line, line: Line, *, left: float, right: float) -> bool:
    """A wrapped line: the previous one reached the right margin, this one is neither indented
    (a new paragraph) nor a heading."""
    text = clean_line(line.text)
    return (
        prev.x1 >= right - 2.0 * prev.size and line.x0 < left + 1.5 * line.size and not _HEADING.match(text)
    )


def _glue(prev: str, text: str) -> str:
    if prev and prev[-1].isascii() and prev[-1].isalnum() and text[:1].isascii() and text[:1].isalnum():
        return " " + text
    return text
