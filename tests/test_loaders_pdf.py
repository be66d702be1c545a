"""The pdfium PDF reader: the same glyphs, rules and Document as the pdfplumber reader it replaced."""

from __future__ import annotations

import io
import itertools
import random
from typing import Any

import pytest

from nlp_pipeline.errors import InputError
from nlp_pipeline.loaders import pdf as pdf_reader
from nlp_pipeline.loaders.pdf_geometry import _dedupe
from nlp_pipeline.loaders.pdf_tables import find_tables

from .conftest import real_path


def _cjk_canvas(buf: io.BytesIO, **kw: Any) -> Any:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return canvas.Canvas(buf, **kw)


def _ruled_report() -> bytes:
    """A ruled table long enough to run onto a second page, a rounded box, a diagonal line and a
    heading drawn twice on the same spot (fake bold)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("b", fontName="STSong-Light", fontSize=10.5, leading=15, wordWrap="CJK")
    rows = [["事项", "本年新收", "上年结转", "办理结果"]]
    rows += [
        [f"第{i}类申请事项", str(i * 3), str(i % 4), "予以公开" if i % 2 else "不予公开"]
        for i in range(1, 70)
    ]
    table = Table(rows, colWidths=[140, 80, 80, 100], splitByRow=1)
    table.setStyle(
        TableStyle(
            [("FONT", (0, 0), (-1, -1), "STSong-Light", 9), ("GRID", (0, 0), (-1, -1), 0.5, colors.black)]
        )
    )

    def decorate(canvas: Any, doc: Any) -> None:
        canvas.setFont("STSong-Light", 14)
        for dx in (0.0, 0.3):  # fake bold: the same heading twice, a third of a point apart
            canvas.drawString(72 + dx, 810, "某某局政府信息公开工作年度报告")
        canvas.roundRect(400, 790, 120, 30, 6)
        canvas.line(60, 60, 200, 90)

    flow = [Paragraph("一、总体情况", style), Paragraph("本年度依法做好政府信息公开工作。" * 4, style)]
    flow += [Spacer(1, 12), table, Paragraph("二、存在的主要问题及改进情况", style)]
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4, topMargin=60, bottomMargin=40).build(
        flow, onFirstPage=decorate, onLaterPages=decorate
    )
    return buf.getvalue()


def _edge_keys(edges: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return sorted(
        (
            str(e["orientation"]),
            round(e["x0"], 2),
            round(e["x1"], 2),
            round(e["top"], 2),
            round(e["bottom"], 2),
        )
        for e in edges
    )


def test_pdfium_glyphs_and_rules_equal_pdfplumbers() -> None:
    data = _ruled_report()
    new, old = pdf_reader._pdfium_pages(data, source="r.pdf"), pdf_reader._plumber_pages(data)
    assert len(new.pages) == len(old.pages) == 2
    for a, b in zip(new.pages, old.pages, strict=True):
        plumber_chars = [c for c in b.chars if c["text"].strip()]
        assert [c["text"] for c in a.chars] == [c["text"] for c in plumber_chars]
        for ca, cb in zip(a.chars, plumber_chars, strict=True):
            for key in ("x0", "x1", "top", "bottom", "size"):
                assert ca[key] == pytest.approx(cb[key], abs=1e-3), (ca["text"], key)
        assert _edge_keys(a.edges) == _edge_keys(b.edges)
        assert (a.width, a.height) == pytest.approx((float(b.width), float(b.height)))
    first = [c["text"] for c in new.pages[0].chars]
    assert "".join(first).count("某某局政府信息公开工作年度报告") == 1  # the fake-bold copy is gone


def test_pdfium_document_equals_pdfplumber_document_on_a_split_table() -> None:
    data = _ruled_report()
    a = pdf_reader.load_pdf(data, source="r.pdf")
    b = pdf_reader._load_pdf_plumber(data, source="r.pdf")
    assert a.text == b.text and a.blocks == b.blocks
    grids = [blk.table for blk in a.blocks if blk.table is not None]
    assert len(grids) == 1 and grids[0].texts[0] == ["事项", "本年新收", "上年结转", "办理结果"]
    assert len(grids[0].texts) == 70  # one grid across the page break, no row lost or doubled
    assert grids[0].texts[69] == ["第69类申请事项", "207", "1", "予以公开"]


@pytest.mark.parametrize("name", ["szfgs-2024.pdf", "zonghe-2023.print.pdf", "jjf-2022.print.pdf"])
def test_real_pdfs_read_the_same_by_both_readers(name: str) -> None:
    data = real_path(name).read_bytes()
    a = pdf_reader.load_pdf(data, source=name)
    b = pdf_reader._load_pdf_plumber(data, source=name)
    assert a.text == b.text
    assert a.blocks == b.blocks
    assert a.meta == b.meta


def test_dedupe_is_pdfplumbers() -> None:
    from pdfplumber.utils import dedupe_chars

    rng = random.Random(7)
    for _ in range(200):
        chars = [
            {
                "text": rng.choice("甲乙0"),
                "x0": rng.choice([10.0, 10.6, 11.4, 30.0, 30.9]) + rng.random() * 0.3,
                "doctop": rng.choice([100.0, 100.8, 101.7, 200.0]) + rng.random() * 0.3,
                "upright": True,
                "fontname": rng.choice(["F1", "F2"]),
                "size": 10.0,
            }
            for _ in range(40)
        ]
        assert [id(c) for c in _dedupe(chars)] == [id(c) for c in dedupe_chars(chars)]


def _glyph(text: str, x0: float, width: float = 6.0, size: float = 12.0) -> dict[str, Any]:
    return {"text": text, "x0": x0, "x1": x0 + width, "top": 100.0, "bottom": 100.0 + size, "size": size}


def test_a_gap_of_exactly_a_quarter_em_is_a_space() -> None:
    """A Times space is 0.25 em wide: the gap it leaves must read as a space whatever the float
    noise of the reader (pdfminer and pdfium land a hair either side of it)."""
    exact = [_glyph("8", 10.0), _glyph("1", 19.0)]  # gap 3.0 = 0.25 x 12
    hair_below = [_glyph("8", 10.0), _glyph("1", 18.9999999)]
    narrow = [_glyph("8", 10.0), _glyph("1", 18.5)]
    assert [ln.text for ln in pdf_reader.chars_to_lines(exact)] == ["8 1"]
    assert [ln.text for ln in pdf_reader.chars_to_lines(hair_below)] == ["8 1"]
    assert [ln.text for ln in pdf_reader.chars_to_lines(narrow)] == ["81"]


def test_password_protected_pdf_is_a_clear_error() -> None:
    buf = io.BytesIO()
    c = _cjk_canvas(buf, encrypt="secret")
    c.setFont("STSong-Light", 12)
    c.drawString(72, 700, "某某局2024年政府信息公开工作年度报告")
    c.save()
    with pytest.raises(InputError) as exc:
        pdf_reader.load_pdf(buf.getvalue(), source="locked.pdf")
    assert exc.value.code == "E005"
    assert "locked.pdf" in str(exc.value) and "password" in str(exc.value)


def test_owner_password_only_pdf_is_read() -> None:
    from reportlab.lib import pdfencrypt

    buf = io.BytesIO()
    c = _cjk_canvas(buf, encrypt=pdfencrypt.StandardEncryption("", ownerPassword="owner"))
    c.setFont("STSong-Light", 12)
    c.drawString(72, 700, "某某局2024年政府信息公开工作年度报告")
    c.save()
    doc = pdf_reader.load_pdf(buf.getvalue(), source="owner.pdf")
    assert doc.text == "某某局2024年政府信息公开工作年度报告"


def test_every_pdfium_handle_is_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    import pypdfium2 as pdfium

    closed: list[str] = []
    for cls in (pdfium.PdfDocument, pdfium.PdfPage, pdfium.PdfTextPage):
        original = cls.close

        def close(self: Any, *args: Any, _orig: Any = original, _name: str = cls.__name__, **kw: Any) -> Any:
            closed.append(_name)
            return _orig(self, *args, **kw)

        monkeypatch.setattr(cls, "close", close)
    pdf_reader.load_pdf(_ruled_report(), source="r.pdf")
    assert sorted(closed) == ["PdfDocument", "PdfPage", "PdfPage", "PdfTextPage", "PdfTextPage"]


# --- our table finder against pdfplumber's -------------------------------------------------


def _plumber_tables(page: Any) -> list[tuple[Any, ...]]:
    from pdfplumber.table import TableFinder, TableSettings

    explicit = pdf_reader._closing_rules(page)
    settings = TableSettings.resolve({"explicit_horizontal_lines": explicit} if explicit else {})
    return _table_keys(TableFinder(page, settings).tables)


def _our_tables(page: Any) -> list[tuple[Any, ...]]:
    explicit = pdf_reader._closing_rules(page)
    return _table_keys(find_tables(page.edges, page_bbox=page.bbox, explicit_horizontal=explicit))


def _table_keys(tables: list[Any]) -> list[tuple[Any, ...]]:
    """Everything the reader takes from a table: its box, its rows (cell slots, row boxes), its cells."""
    return [(t.bbox, [(list(r.cells), r.bbox) for r in t.rows], sorted(t.cells)) for t in tables]


def _assert_same_tables(data: bytes, name: str) -> int:
    """Both finders on every ruled page of ``data``; returns how many tables were compared."""
    found = 0
    for n, page in enumerate(pdf_reader._pdfium_pages(data, source=name).pages, 1):
        if not page.edges:
            continue
        ours = _our_tables(page)
        assert ours == _plumber_tables(page), f"{name} page {n}"
        found += len(ours)
    return found


def _stress_pdfs(limit: int) -> list[tuple[str, bytes]]:
    """The stress families' PDFs (ruled with wrapped labels, wide labels, no rules) made from the
    first ``limit`` real reports with gold (scripts/stress_layouts.py, reportlab in memory)."""

    from .conftest import REAL, load_script, require_shared

    require_shared()
    stress = load_script("stress_layouts.py", "stress_layouts")
    out = []
    for name, items, _gold in stress.sources(REAL)[:limit]:
        out.append((f"{name}.grid.pdf", stress.render_pdf(items)))
        out.append((f"{name}.wide.pdf", stress.render_pdf(items, label_width=160.0)))
        out.append((f"{name}.norules.pdf", stress.render_pdf(items, rules=False)))
    return out


@pytest.mark.parametrize("name", ["szfgs-2024.pdf", "zonghe-2023.print.pdf", "jjf-2022.print.pdf"])
def test_table_finder_equals_pdfplumbers_on_real_pdfs(name: str) -> None:
    assert _assert_same_tables(real_path(name).read_bytes(), name) > 0


def test_table_finder_equals_pdfplumbers_on_built_pdfs() -> None:
    from .conftest import SAMPLES

    found = _assert_same_tables(_ruled_report(), "r.pdf")
    for path in sorted(SAMPLES.glob("*.pdf")):
        found += _assert_same_tables(path.read_bytes(), path.name)
    assert found >= 3


def test_table_finder_equals_pdfplumbers_on_stress_pdfs() -> None:
    found = sum(_assert_same_tables(data, name) for name, data in _stress_pdfs(3))
    assert found >= 6


def test_table_finder_equals_pdfplumbers_on_random_edges() -> None:
    """Jittered grids (snap and join at work), stray short, diagonal and page-wide edges, rects."""
    rng = random.Random(11)
    compared = 0
    for _ in range(150):
        edges: list[dict[str, Any]] = []
        xs = sorted(rng.sample(range(40, 560, 7), rng.randint(2, 7)))
        ys = sorted(rng.sample(range(40, 800, 9), rng.randint(2, 9)))

        def jitter(v: float) -> float:
            return round(v + rng.choice([0.0, 0.0, 0.4, -1.2, 2.9, 3.1]) * rng.random(), 3)

        for x in xs:
            for y0, y1 in itertools.pairwise(ys):
                if rng.random() < 0.85:
                    edges.append(_edge("v", jitter(x), jitter(y0), jitter(x), jitter(y1)))
        for y in ys:
            for x0, x1 in itertools.pairwise(xs):
                if rng.random() < 0.85:
                    edges.append(_edge("h", jitter(x0), jitter(y), jitter(x1), jitter(y)))
        for _ in range(rng.randint(0, 4)):
            x, y = rng.uniform(0, 600), rng.uniform(0, 840)
            kind = rng.choice(["h", "v", None])
            w, h = (rng.uniform(0, 6), 0.0) if kind == "h" else (0.0, rng.uniform(0, 6))
            edges.append(_edge(kind, x, y, x + (w if kind != "v" else 0), y + (h if kind != "h" else 2.0)))
        rng.shuffle(edges)
        page = pdf_reader._PageGeom(chars=[], edges=edges, width=612.0, height=842.0)
        ours = _our_tables(page)
        assert ours == _plumber_tables(page)
        compared += len(ours)
    assert compared > 100


def _edge(orientation: str | None, x0: float, top: float, x1: float, bottom: float) -> dict[str, Any]:
    x0, x1 = min(x0, x1), max(x0, x1)
    top, bottom = min(top, bottom), max(top, bottom)
    if orientation == "v":
        x1 = x0
    elif orientation == "h":
        bottom = top
    return {
        "x0": x0,
        "x1": x1,
        "top": top,
        "bottom": bottom,
        "doctop": top,
        "width": x1 - x0,
        "height": bottom - top,
        "orientation": orientation,
        "object_type": "line",
    }


def test_reading_a_pdf_does_not_import_pdfplumber() -> None:
    """pdfplumber/pdfminer cost a fifth of a second to import: only the comparison reader needs them."""
    import subprocess
    import sys

    from .conftest import ROOT

    code = (
        "import sys\n"
        "from nlp_pipeline.loaders.pdf import load_pdf\n"
        f"doc = load_pdf(open({str(ROOT / 'corpora' / 'samples' / '11-moni-nyj-2025.pdf')!r}, 'rb').read(), source='s')\n"
        "assert any(b.table is not None for b in doc.blocks)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pdfplumber', 'pdfminer')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == "[]"


def test_table_finder_ties_at_the_tolerances() -> None:
    """Rules exactly 3 pt apart snap together, a gap of exactly 3 pt is joined, an edge of exactly
    3 pt stays: the same cells as pdfplumber, and the snapped rule sits at the mean of the two."""
    edges = [
        _edge("v", 100.0, 100.0, 100.0, 200.0),
        _edge("v", 103.0, 200.0, 103.0, 300.0),  # 3 pt right of the one above: snapped to 101.5
        _edge("v", 200.0, 100.0, 200.0, 150.0),
        _edge("v", 200.0, 153.0, 200.0, 300.0),  # a gap of exactly 3 pt: joined
        _edge("h", 100.0, 100.0, 200.0, 100.0),
        _edge("h", 100.0, 200.0, 200.0, 200.0),
        _edge("h", 100.0, 300.0, 200.0, 300.0),
        _edge("h", 300.0, 400.0, 303.0, 400.0),  # exactly the minimal length
    ]
    page = pdf_reader._PageGeom(chars=[], edges=edges, width=612.0, height=842.0)
    ours = _our_tables(page)
    assert ours == _plumber_tables(page)
    assert [t.cells for t in find_tables(edges, page_bbox=page.bbox)] == [
        [(101.5, 100.0, 200.0, 200.0), (101.5, 200.0, 200.0, 300.0)]
    ]


@pytest.mark.parametrize("name", ["zonghe-2023.print.pdf", "szfgs-2024.pdf"])
def test_path_segments_read_in_one_piece_equal_pdfiums_calls(name: str) -> None:
    """Segments read as pdfium's point array equal the four calls a segment (on every path)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    from nlp_pipeline.loaders import pdf_geometry as geom

    api = geom._api(raw)
    pdf = pdfium.PdfDocument(real_path(name).read_bytes())
    paths = segments = 0
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            handle = geom._address(page.raw)
            for j in range(api.count_objects(handle)):
                obj = api.page_object(handle, j)
                if api.object_type(obj) != raw.FPDF_PAGEOBJ_PATH:
                    continue
                n = api.segment_count(obj)
                fast = geom._segments(obj, api)
                assert fast == geom._segments_one_by_one(obj, api, n)
                paths += 1
                segments += len(fast)
            page.close()
    finally:
        pdf.close()
    assert paths > 50 and segments >= 2 * paths
