"""PDF page geometry: glyphs and ruling edges, read by pdfium, in pdfplumber's terms.

pdfium (pypdfium2) reads the pages: every glyph with its box and every painted path, turned
into the characters and ruling edges pdfplumber would give (same fields, same rules for what a
path is). The per-glyph and per-segment loops are the reader's hot spots: pdfium is called
through functions retyped to take bare addresses (no ctypes object made per call), output
buffers are allocated once per page, and what belongs to a text object or a font is asked once.
pdfplumber/pdfminer (pure Python, ten times slower) is kept behind ``_plumber_pages`` for the
benchmark and the tests to compare both readers; it is not imported to read a PDF.
"""

from __future__ import annotations

import ctypes
import io
import itertools
import logging
import struct
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, cast

from ..errors import Errors, InputError

_UNSEEN = object()
_DIGITS = 4  # pdfium keeps coordinates as 32-bit floats: round off the noise below what PDFs write


@dataclass
class _PageGeom:
    """What the layout code needs from a page: glyphs and ruling edges in pdfplumber's terms
    (``top`` measured down from the top of the page)."""

    chars: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    width: float
    height: float
    bbox: tuple[float, float, float, float] = field(init=False)

    def __post_init__(self) -> None:
        self.bbox = (0.0, 0.0, self.width, self.height)


@dataclass
class _Info:
    pages: list[_PageGeom]
    title: str


# --- pdfium: glyphs and paths ---------------------------------------------------------------


_PDFIUM = threading.Lock()  # pdfium is not thread-safe: one document at a time per process


def _pdfium_pages(data: bytes, *, source: str) -> _Info:
    """Glyphs and ruling edges of every page, read by pdfium; every handle closed on the way out."""
    with _PDFIUM:
        return _pdfium_read(data, source=source)


def _pdfium_read(data: bytes, *, source: str) -> _Info:
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if raw.FPDF_GetLastError() == raw.FPDF_ERR_PASSWORD:
            detail = "the file is encrypted and needs a password"
        else:
            detail = str(exc)
        raise InputError.from_catalogue(Errors.E005, source, fmt="PDF", detail=detail) from exc
    try:
        pages = []
        for i in range(len(pdf)):
            page = pdf[i]
            try:
                pages.append(_pdfium_page(page, raw))
            finally:
                page.close()
        title = str(pdf.get_metadata_value("Title") or "")
    except InputError:
        raise
    except Exception as exc:  # pdfium reports damage inside a page as assorted errors
        raise InputError.from_catalogue(
            Errors.E005, source, fmt="PDF", detail=f"{type(exc).__name__}: {exc}"
        ) from exc
    finally:
        pdf.close()
    return _Info(pages, title)


class _Api:
    """The pdfium calls of the per-glyph and per-segment loops, retyped to take every handle and
    every output buffer as a bare address (an int): a call then converts no ctypes object (about
    half the cost of pypdfium2's own typed functions), and a handle is a dict key."""

    def __init__(self, raw: Any) -> None:
        v, i, f, d = ctypes.c_void_p, ctypes.c_int, ctypes.c_float, ctypes.c_double

        def typed(fn: Any, res: Any, *args: Any) -> Any:
            return ctypes.CFUNCTYPE(res, *args)(cast(int, ctypes.cast(fn, v).value))

        self.count_chars = typed(raw.FPDFText_CountChars, i, v)
        self.get_text = typed(raw.FPDFText_GetText, i, v, i, i, v)
        self.unicode = typed(raw.FPDFText_GetUnicode, ctypes.c_uint, v, i)
        self.text_object = typed(raw.FPDFText_GetTextObject, v, v, i)
        self.char_matrix = typed(raw.FPDFText_GetMatrix, i, v, i, v)
        self.font_size = typed(raw.FPDFText_GetFontSize, d, v, i)
        self.origin = typed(raw.FPDFText_GetCharOrigin, i, v, i, v, v)
        self.loose_box = typed(raw.FPDFText_GetLooseCharBox, i, v, i, v)
        self.object_font = typed(raw.FPDFTextObj_GetFont, v, v)
        self.descent = typed(raw.FPDFFont_GetDescent, i, v, f, v)
        self.glyph_width = typed(raw.FPDFFont_GetGlyphWidth, i, v, ctypes.c_uint32, f, v)
        self.count_objects = typed(raw.FPDFPage_CountObjects, i, v)
        self.page_object = typed(raw.FPDFPage_GetObject, v, v, i)
        self.object_type = typed(raw.FPDFPageObj_GetType, i, v)
        self.object_matrix = typed(raw.FPDFPageObj_GetMatrix, i, v, v)
        self.form_count = typed(raw.FPDFFormObj_CountObjects, i, v)
        self.form_object = typed(raw.FPDFFormObj_GetObject, v, v, ctypes.c_ulong)
        self.draw_mode = typed(raw.FPDFPath_GetDrawMode, i, v, v, v)
        self.segment_count = typed(raw.FPDFPath_CountSegments, i, v)
        self.segment = typed(raw.FPDFPath_GetPathSegment, v, v, i)
        self.point = typed(raw.FPDFPathSegment_GetPoint, i, v, v, v)
        self.segment_type = typed(raw.FPDFPathSegment_GetType, i, v)
        self.closes = typed(raw.FPDFPathSegment_GetClose, i, v)


_API: list[_Api] = []


def _api(raw: Any) -> _Api:
    if not _API:
        _API.append(_Api(raw))
    return _API[0]


def _address(handle: Any) -> int:
    return int(ctypes.cast(handle, ctypes.c_void_p).value or 0)


def _pdfium_page(page: Any, raw: Any) -> _PageGeom:
    api = _api(raw)
    width, height = round(float(page.get_width()), _DIGITS), round(float(page.get_height()), _DIGITS)
    textpage = page.get_textpage()
    try:
        chars, texts = _pdfium_chars(_address(textpage.raw), api, height)
    finally:
        textpage.close()
    edges: list[dict[str, Any]] = []
    lines: list[dict[str, Any]] = []
    rects: list[dict[str, Any]] = []
    curves: list[dict[str, Any]] = []
    page_h = _address(page.raw)
    # the text objects the glyphs came from need no type check (browser PDFs: one per glyph)
    objs = [
        (obj, None)
        for j in range(api.count_objects(page_h))
        if (obj := api.page_object(page_h, j)) not in texts
    ]
    _collect_paths(objs, raw, api, height, lines, rects, curves)
    edges.extend(_line_edge(ln) for ln in lines)
    for r in rects:
        edges.extend(_rect_edges(r))
    for c in curves:
        edges.extend(_curve_edges(c))
    return _PageGeom(_dedupe(chars), edges, width, height)


def _pdfium_chars(tp: int, api: _Api, height: float) -> tuple[list[dict[str, Any]], set[int | None]]:
    """Glyphs as pdfminer boxes them: from the origin over the advance width the font's
    widths give (``FPDFFont_GetGlyphWidth``: the font's /W or /Widths, not the glyph's ink),
    bottom at the font's descent below the baseline, top one font size above that.

    The page's text comes in one call; per glyph only its text object and its origin are asked,
    the rest (matrix, size, font, descent) once per text object and widths once per font, glyph
    and size (browser-printed PDFs make a text object of nearly every glyph)."""
    n = api.count_chars(tp)
    if n <= 0:
        return [], set()
    buf = ctypes.create_string_buffer((n + 1) * 2)
    got = api.get_text(tp, 0, n, ctypes.addressof(buf))
    text = buf.raw[: max(0, got - 1) * 2].decode("utf-16-le", errors="replace")
    if len(text) != n:  # characters outside the BMP: ask one by one
        text = "".join(chr(api.unicode(tp, k)) for k in range(n))
    dbl = (ctypes.c_double * 2)()  # a glyph's origin
    flt = (ctypes.c_float * 6)()  # a matrix, a glyph's loose box, a width or a descent
    dbl_x, dbl_y, flt_p = ctypes.addressof(dbl), ctypes.addressof(dbl) + 8, ctypes.addressof(flt)
    objects: dict[int | None, tuple[float, float, float, int | None, bool]] = {}
    descents: dict[tuple[int, float], float] = {}
    widths: dict[tuple[int | None, str, float], Any] = {}
    baselines: dict[float, float] = {}
    out: list[dict[str, Any]] = []
    text_object, origin, char_matrix, font_size_at = (
        api.text_object,
        api.origin,
        api.char_matrix,
        api.font_size,
    )
    get_props, get_width, get_base, append, rnd = objects.get, widths.get, baselines.get, out.append, round
    for k, ch in enumerate(text):
        if ch.isspace():
            continue
        key = text_object(tp, k)
        props = get_props(key)
        if props is None:
            char_matrix(tp, k, flt_p)
            ma, mb, mc, md = flt[0], flt[1], flt[2], flt[3]
            font_size = font_size_at(tp, k)
            size = rnd(font_size * md, _DIGITS)
            font = api.object_font(key) if key else None
            descent = 0.0
            if font:
                if (font, size) not in descents:
                    ok = api.descent(font, size, flt_p)
                    descents[font, size] = rnd(flt[0], _DIGITS) if ok else 0.0
                descent = descents[font, size]
            upright = mb == 0 and mc == 0 and ma > 0 and md > 0
            props = objects[key] = (size, font_size * ma, descent, font, upright)
        size, size_x, descent, font, upright = props
        origin(tp, k, dbl_x, dbl_y)
        wkey = (font, ch, size_x)
        width = get_width(wkey, _UNSEEN)
        if width is _UNSEEN:
            ok = font is not None and api.glyph_width(font, ord(ch), size_x, flt_p)
            width = widths[wkey] = rnd(flt[0], _DIGITS) if ok else None
        x0 = rnd(dbl[0], _DIGITS)
        if width is None:  # no width from the font: the loose box pdfium draws around the glyph
            api.loose_box(tp, k, flt_p)  # FS_RECTF: left, top, right, bottom
            width = max(0.0, rnd(flt[2], _DIGITS) - x0)
        oy = dbl[1]
        base = get_base(oy)
        if base is None:
            base = baselines[oy] = rnd(oy, _DIGITS)
        bottom = height - (base + descent)
        top = bottom - size
        append(
            {
                "text": ch,
                "x0": x0,
                "x1": x0 + width,
                "top": top,
                "bottom": bottom,
                "doctop": top,
                "size": size,
                "fontname": font,
                "upright": upright,
            }
        )
    return out, set(objects)


def _dedupe(chars: list[dict[str, Any]], tolerance: float = 1.0) -> list[dict[str, Any]]:
    """pdfplumber's ``dedupe_chars``: a glyph drawn twice at (nearly) the same place (fake bold)
    counts once. Same text, font and size; clusters chained within ``tolerance`` in y, then in
    x within each; the first (top, then left) of a cluster stays."""
    groups: dict[tuple[Any, ...], list[int]] = {}
    for i, c in enumerate(chars):
        groups.setdefault((c["upright"], c["text"], c["fontname"], c["size"]), []).append(i)
    drop: set[int] = set()
    for idx in groups.values():
        if len(idx) < 2:
            continue
        xs = sorted(chars[i]["x0"] for i in idx)
        if all(b - a > tolerance for a, b in itertools.pairwise(xs)):
            continue  # no two of them within the tolerance in x: nothing to merge
        idx.sort(key=lambda i: chars[i]["doctop"])
        for ys in _chains(idx, "doctop", chars, tolerance):
            if len(ys) < 2:
                continue
            ys.sort(key=lambda i: chars[i]["x0"])
            for xs in _chains(ys, "x0", chars, tolerance):
                if len(xs) > 1:
                    keep = min(xs, key=lambda i: (chars[i]["doctop"], chars[i]["x0"], i))
                    drop.update(i for i in xs if i != keep)
    return [c for i, c in enumerate(chars) if i not in drop] if drop else chars


def _chains(idx: list[int], key: str, chars: list[dict[str, Any]], tol: float) -> list[list[int]]:
    """``idx`` sorted by ``key``, cut where the next value is more than ``tol`` beyond the last."""
    out: list[list[int]] = [[idx[0]]]
    last = chars[idx[0]][key]
    for i in idx[1:]:
        v = chars[i][key]
        if v > last + tol:
            out.append([])
        out[-1].append(i)
        last = v
    return out


def _collect_paths(
    objs: Sequence[tuple[Any, tuple[float, ...] | None]],
    raw: Any,
    api: _Api,
    height: float,
    lines: list[dict[str, Any]],
    rects: list[dict[str, Any]],
    curves: list[dict[str, Any]],
) -> None:
    """Painted paths (inside form XObjects too) sorted the way pdfminer sorts them."""
    flt = (ctypes.c_float * 6)()  # the object's matrix
    ints = (ctypes.c_int * 2)()  # fill mode, stroke flag
    flt_p, int_p = ctypes.addressof(flt), ctypes.addressof(ints)
    path_kind, form_kind = raw.FPDF_PAGEOBJ_PATH, raw.FPDF_PAGEOBJ_FORM
    move, bezier_to = raw.FPDF_SEGMENT_MOVETO, raw.FPDF_SEGMENT_BEZIERTO
    object_type = api.object_type
    for obj, outer in objs:
        kind = object_type(obj)
        if kind != path_kind and kind != form_kind:
            continue
        api.object_matrix(obj, flt_p)
        mat: tuple[float, ...] = (flt[0], flt[1], flt[2], flt[3], flt[4], flt[5])
        if outer is not None:
            mat = _compose(mat, outer)
        if kind == form_kind:
            inner = [(api.form_object(obj, j), mat) for j in range(api.form_count(obj))]
            _collect_paths(inner, raw, api, height, lines, rects, curves)
            continue
        if not api.draw_mode(obj, int_p, int_p + 4) or not (ints[0] or ints[1]):
            continue
        a, b, c, d, e, f = mat
        subpaths: list[list[tuple[str, tuple[float, float]]]] = []
        bezier = 0
        for px, py, kind_seg, closes in _segments(obj, api):
            pt = (round(a * px + c * py + e, _DIGITS), height - round(b * px + d * py + f, _DIGITS))
            if kind_seg == move or not subpaths:
                subpaths.append([("m", pt)])
                bezier = 0
            elif kind_seg == bezier_to:
                bezier += 1
                if bezier % 3 == 0:  # two control points, then the point the curve ends on
                    subpaths[-1].append(("c", pt))
            else:
                subpaths[-1].append(("l", pt))
            if closes:
                subpaths[-1].append(("h", subpaths[-1][0][1]))
        for sub in subpaths:
            _classify(sub, lines, rects, curves)


_SEGMENT = struct.Struct("<ffBB2x")  # pdfium's CFX_Path::Point: x, y (float), type, closes figure


def _segments(obj: int, api: _Api) -> list[tuple[float, float, int, int]]:
    """A path's segments as (x, y, type, closes).

    Asked one by one that is four pdfium calls a segment, and browser-printed pages have
    thousands (every ruling is a filled four-sided path). A segment handle is the address of
    pdfium's point record, and a path's records lie in one array: when the handles of the
    first and last segment are that array's ends and the last record, read from memory, equals
    what pdfium's calls say of it, the records are read in one piece; otherwise one by one.
    """
    n = api.segment_count(obj)
    if n <= 0:
        return []
    first, last = api.segment(obj, 0) or 0, api.segment(obj, n - 1) or 0
    buf = _SEG_BUF
    size = _SEGMENT.size
    if first and last - first == size * (n - 1):
        api.point(last, _SEG_X, _SEG_Y)
        expect = (buf[0], buf[1], api.segment_type(last), api.closes(last))
        got = list(_SEGMENT.iter_unpack(ctypes.string_at(first, size * n)))
        if got[-1] == expect:
            return got
    return _segments_one_by_one(obj, api, n)


def _segments_one_by_one(obj: int, api: _Api, n: int) -> list[tuple[float, float, int, int]]:
    buf = _SEG_BUF
    out = []
    for j in range(n):
        seg = api.segment(obj, j)
        api.point(seg, _SEG_X, _SEG_Y)
        out.append((buf[0], buf[1], api.segment_type(seg), api.closes(seg)))
    return out


_SEG_BUF = (ctypes.c_float * 2)()
_SEG_X = ctypes.addressof(_SEG_BUF)
_SEG_Y = _SEG_X + 4


def _compose(inner: tuple[float, ...], outer: tuple[float, ...]) -> tuple[float, ...]:
    a, b, c, d, e, f = inner
    a2, b2, c2, d2, e2, f2 = outer
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


def _classify(
    sub: list[tuple[str, tuple[float, float]]],
    lines: list[dict[str, Any]],
    rects: list[dict[str, Any]],
    curves: list[dict[str, Any]],
) -> None:
    """pdfminer's rule: a two-point path is a line, a closed axis-aligned four-point one a
    rectangle, anything else a curve through its points (pdfium closes a path with a segment
    back to its start, pdfminer with ``h``: the same once the redundant segment is dropped)."""
    shape = "".join(op for op, _ in sub)
    pts = [p for _, p in sub]
    if len(shape) > 3 and shape[-2:] == "lh" and pts[-2] == pts[0]:
        shape = shape[:-2] + "h"
        pts.pop()
    if shape in ("mlh", "ml"):
        lines.append(_bounds(pts[:2]))
        return
    if shape in ("mlllh", "mllll"):
        (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = pts
        square = (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (
            y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0
        )
        if pts[0] == pts[4] and square:
            rects.append(_bounds([pts[0], pts[2]]))
            return
    curve = _bounds(pts)
    curve["pts"] = pts
    curves.append(curve)


def _bounds(pts: list[tuple[float, float]]) -> dict[str, Any]:
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    x0, x1, top, bottom = min(xs), max(xs), min(ys), max(ys)
    return {
        "x0": x0,
        "x1": x1,
        "top": top,
        "bottom": bottom,
        "doctop": top,
        "width": x1 - x0,
        "height": bottom - top,
    }


def _line_edge(line: dict[str, Any]) -> dict[str, Any]:
    return {**line, "object_type": "line", "orientation": "h" if line["top"] == line["bottom"] else "v"}


def _rect_edges(r: dict[str, Any]) -> list[dict[str, Any]]:
    """pdfplumber's ``rect_to_edges``: top, bottom, left, right."""
    base = {**r, "object_type": "rect_edge"}
    return [
        {**base, "height": 0, "bottom": r["top"], "orientation": "h"},
        {**base, "height": 0, "top": r["bottom"], "doctop": r["bottom"], "orientation": "h"},
        {**base, "width": 0, "x1": r["x0"], "orientation": "v"},
        {**base, "width": 0, "x0": r["x1"], "orientation": "v"},
    ]


def _curve_edges(curve: dict[str, Any]) -> list[dict[str, Any]]:
    """pdfplumber's ``curve_to_edges``: one edge per pair of consecutive points."""
    out = []
    for (ax, ay), (bx, by) in itertools.pairwise(curve["pts"]):
        orientation = "v" if ax == bx else ("h" if ay == by else None)
        top = min(ay, by)
        out.append(
            {
                "object_type": "curve_edge",
                "x0": min(ax, bx),
                "x1": max(ax, bx),
                "top": top,
                "doctop": top,
                "bottom": max(ay, by),
                "width": abs(ax - bx),
                "height": abs(ay - by),
                "orientation": orientation,
            }
        )
    return out


# --- pdfplumber: the former reader, kept for comparison -------------------------------------


@contextmanager
def _quiet_pdfminer() -> Iterator[None]:
    """pdfminer logs a warning per glyph for some embedded fonts; keep the user's stderr clean."""
    logger = logging.getLogger("pdfminer")
    old = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(old)


def _plumber_pages(data: bytes) -> _Info:
    """The same page geometry read by pdfplumber/pdfminer (the reader before pdfium; ten times
    slower). Used by scripts/bench_pdf.py and the tests to check the two agree."""
    import pdfplumber

    with _quiet_pdfminer(), pdfplumber.open(io.BytesIO(data)) as pdf:
        pages = [
            _PageGeom(p.dedupe_chars().chars, p.edges, float(p.width), float(p.height)) for p in pdf.pages
        ]
        title = str((pdf.metadata or {}).get("Title", "") or "")
    return _Info(pages, title)
