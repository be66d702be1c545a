"""The pdfium PDF reader: the same glyphs, rules and Document as the pdfplumber reader it replaced."""

from __future__ import annotations

import io
import random
from typing import Any

import pytest

from nlp_pipeline import _load_pdf as pdf_reader
from nlp_pipeline._pdf_geometry import _dedupe
from nlp_pipeline.errors import InputError

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
    rows += [[f"第{i}类申请事项", str(i * 3), str(i % 4), "予以公开" if i % 2 else "不予公开"] for i in range(1, 70)]
    table = Table(rows, colWidths=[140, 80, 80, 100], splitByRow=1)
    table.setStyle(
        TableStyle([("FONT", (0, 0), (-1, -1), "STSong-Light", 9), ("GRID", (0, 0), (-1, -1), 0.5, colors.black)])
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
        (str(e["orientation"]), round(e["x0"], 2), round(e["x1"], 2), round(e["top"], 2), round(e["bottom"], 2))
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
