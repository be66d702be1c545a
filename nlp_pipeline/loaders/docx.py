"""DOCX reader: body paragraphs and tables in order, gridSpan/vMerge expanded with anchors."""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator

from lxml import etree

from ..document import Document, GridCell
from ..errors import Errors, InputError
from ..limits import DEFAULT_LIMITS, Limits
from .base import DocBuilder, GridNote, GridResult, clean_line, span_note, unexpanded
from .html import iso_date

_PUB_LINE = re.compile(r"(?:日期|时间)\s*[:：]\s*(\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2})")
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def load_docx(data: bytes, *, source: str, limits: Limits = DEFAULT_LIMITS) -> Document:
    """Word document → ``Document``; a damaged package is ``InputError`` E005, a zip bomb E017."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        check_package(data, source=source, limits=limits)
        d = docx.Document(io.BytesIO(data))
    except (
        PackageNotFoundError,
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        KeyError,
        ValueError,
        EOFError,
        NotImplementedError,
        RuntimeError,
        zlib.error,
        etree.XMLSyntaxError,
    ) as exc:
        raise InputError.from_catalogue(
            Errors.E005, source, fmt="DOCX", detail=str(exc) or type(exc).__name__
        ) from exc
    builder = DocBuilder(source, "docx", limits=limits)
    n_tables = 0
    for el in _body_items(d.element.body):
        if el.tag == f"{_W}p":
            for line in paragraph_lines(el):
                builder.add_text(line, origin="docx paragraph")
        else:
            n_tables += 1
            builder.add_table(table_grid_limited(el, limits=limits), origin=f"docx table {n_tables}")
    meta: dict[str, str] = {}
    core = clean_line(d.core_properties.title or "")
    title = core if "报告" in core else (_title_from_text(builder) or core)
    if title:
        meta["title"] = title
    if published := _published_from_text(builder):
        meta["published"] = published
    doc = builder.build(meta)
    if not doc.text.strip():
        raise InputError.from_catalogue(Errors.E005, source, fmt="DOCX", detail="the document has no text")
    return doc


def check_package(data: bytes, *, source: str, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse a zip bomb before python-docx inflates anything (E017).

    Declared sizes are checked first (per part, in total, and the compression ratio of parts
    over ``ratio_floor_bytes``); then every part is inflated in 1 MiB steps, counting, so a
    package whose headers understate its sizes is stopped at the limit, not after it.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        infos = zf.infolist()
        declared = 0
        for info in infos:
            declared += info.file_size
            _check_part(info.filename, info.file_size, info.compress_size, source=source, limits=limits)
        if declared > limits.max_package_bytes:
            raise _bomb(
                source,
                f"its parts declare {declared} bytes inflated, over {limits.max_package_bytes} "
                "(Limits.max_package_bytes)",
            )
        total = 0
        for info in infos:
            size = 0
            with zf.open(info) as fh:
                while chunk := fh.read(1 << 20):
                    size += len(chunk)
                    total += len(chunk)
                    _check_part(info.filename, size, info.compress_size, source=source, limits=limits)
                    if total > limits.max_package_bytes:
                        raise _bomb(
                            source,
                            f"its parts inflate to over {limits.max_package_bytes} bytes "
                            "(Limits.max_package_bytes)",
                        )


def _check_part(name: str, size: int, compressed: int, *, source: str, limits: Limits) -> None:
    if size > limits.max_part_bytes:
        raise _bomb(
            source, f"part {name} inflates to over {limits.max_part_bytes} bytes (Limits.max_part_bytes)"
        )
    ratio = size / max(1, compressed)
    if size > limits.ratio_floor_bytes and ratio > limits.max_compression_ratio:
        raise _bomb(
            source,
            f"part {name} inflates {ratio:.0f}-fold ({compressed} → {size}+ bytes), over the ratio of "
            f"{limits.max_compression_ratio:g} (Limits.max_compression_ratio)",
        )


def _bomb(source: str, detail: str) -> InputError:
    return InputError.from_catalogue(Errors.E017, source, detail=detail)


def _title_from_text(builder: DocBuilder) -> str:
    """The first short line naming a report, among the first few lines (core titles are often a
    template's or "Microsoft Word - 文档1")."""
    for b in builder.blocks[:5]:
        if b.kind == "text" and len(b.text) <= 60 and re.search(r"报告$", b.text):
            return b.text
    return ""


def _published_from_text(builder: DocBuilder) -> str:
    """A "发布时间：2025-01-23"-style line near the top (pages saved as Word keep it)."""
    for b in builder.blocks[:6]:
        m = _PUB_LINE.search(b.text)
        if b.kind == "text" and m and (iso := iso_date(m.group(1))):
            return iso
    return ""


def _body_items(body: etree._Element) -> Iterator[etree._Element]:
    """Top-level paragraphs and tables, looking through content controls (w:sdt) and through
    layout tables (a table whose cells hold tables, as Word makes of a saved web page)."""
    for el in body:
        if el.tag == f"{_W}tbl" and el.find(f"{_W}tr/{_W}tc/{_W}tbl") is not None:
            for tc in el.iterfind(f"{_W}tr/{_W}tc"):
                yield from _body_items(tc)
        elif el.tag in (f"{_W}p", f"{_W}tbl"):
            yield el
        elif el.tag == f"{_W}sdt":
            content = el.find(f"{_W}sdtContent")
            if content is not None:
                yield from _body_items(content)


def paragraph_lines(p: etree._Element) -> list[str]:
    """A paragraph's text; explicit line breaks (w:br, w:cr) split it into lines."""
    lines: list[str] = []
    buf: list[str] = []
    for node in p.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr"):
        if node.tag == f"{_W}t":
            buf.append(node.text or "")
        elif node.tag == f"{_W}tab":
            buf.append(" ")
        elif node.get(f"{_W}type") in (None, "textWrapping"):
            lines.append(clean_line("".join(buf)))
            buf.clear()
    lines.append(clean_line("".join(buf)))
    return [s for s in lines if s]


def _cell_text(tc: etree._Element) -> str:
    parts = [" ".join(paragraph_lines(p)) for p in tc.iter(f"{_W}p")]
    return clean_line(" ".join(s for s in parts if s))


def _int_attr(el: etree._Element | None, default: int) -> int:
    if el is None:
        return default
    raw = str(el.get(f"{_W}val", default)).strip()
    if not raw.isdigit() or len(raw) > 12:  # "1e9", "-3", absurdly long digit strings
        return default if not raw.isdigit() else 10**12
    return int(raw)


def table_grid(tbl: etree._Element) -> list[list[GridCell]]:
    """Expand gridSpan (columns) and vMerge (rows) into a rectangular grid with anchors."""
    return table_grid_limited(tbl).grid


def table_grid_limited(tbl: etree._Element, *, limits: Limits = DEFAULT_LIMITS) -> GridResult:
    """``table_grid`` under ``limits``: gridSpan/gridBefore clamped to ``max_span`` before
    expanding, and the grid's size (rows × widest row) known before it is padded."""
    notes: list[GridNote] = []
    trs = tbl.findall(f"{_W}tr")
    widths: list[int] = []
    for r, tr in enumerate(trs):
        w = _clamped(tr.find(f"{_W}trPr/{_W}gridBefore"), 0, "gridBefore", notes, row=r, col=0, limits=limits)
        for i, tc in enumerate(tr.findall(f"{_W}tc")):
            w += max(
                1,
                _clamped(
                    tc.find(f"{_W}tcPr/{_W}gridSpan"), 1, "gridSpan", notes, row=r, col=i, limits=limits
                ),
            )
        widths.append(w)
    cells = len(trs) * max(widths, default=0)
    if cells > limits.max_table_cells:
        texts = [[_cell_text(tc) for tc in tr.findall(f"{_W}tc")] for tr in trs]
        return unexpanded(texts, notes, cells, limits=limits)
    return GridResult(_expand(trs, limits=limits), tuple(notes))


def _clamped(
    el: etree._Element | None,
    default: int,
    attr: str,
    notes: list[GridNote],
    *,
    row: int,
    col: int,
    limits: Limits,
) -> int:
    value = _int_attr(el, default)
    if value > limits.max_span:
        notes.append(span_note(attr, value, limits.max_span, row=row, col=col))
        return limits.max_span
    return value


def _expand(trs: list[etree._Element], *, limits: Limits) -> list[list[GridCell]]:
    grid: list[list[GridCell]] = []
    for r, tr in enumerate(trs):
        row: list[GridCell] = []
        before = min(limits.max_span, _int_attr(tr.find(f"{_W}trPr/{_W}gridBefore"), 0))
        for _ in range(before):
            row.append(GridCell("", (r, len(row))))
        for tc in tr.findall(f"{_W}tc"):
            span = max(1, min(limits.max_span, _int_attr(tc.find(f"{_W}tcPr/{_W}gridSpan"), 1)))
            vmerge = tc.find(f"{_W}tcPr/{_W}vMerge")
            c = len(row)
            above = grid[r - 1][c] if r and c < len(grid[r - 1]) else None
            if vmerge is not None and vmerge.get(f"{_W}val", "continue") == "continue" and above is not None:
                cell = above
            else:
                cell = GridCell(_cell_text(tc), (r, c))
            row.extend([cell] * span)
        grid.append(row)
    width = max((len(row) for row in grid), default=0)
    for r, row in enumerate(grid):
        row.extend(GridCell("", (r, c)) for c in range(len(row), width))
    return grid
