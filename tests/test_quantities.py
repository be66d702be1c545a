"""Quantities: the one rule for blank, dash and missing cells, and the readings built on it."""

from __future__ import annotations

from nlp_pipeline.quantities import QUANTITIES, Cells, Reading, fmt, t4_readings
from nlp_pipeline.result import CellValue

from .claim_cases import claim, num, run


def test_blank_total_reads_as_the_sum_of_its_parts() -> None:
    text = "全年发生政府信息公开行政诉讼4件。\n"
    blank = CellValue(None, "", "blank")
    cells = {
        "litigation_direct.upheld": num(1),
        "litigation_direct.corrected": num(1),
        "litigation_direct.other": num(0),
        "litigation_direct.pending": num(0),
        "litigation_direct.total": blank,
        "litigation_after_review.upheld": num(2),
        "litigation_after_review.corrected": num(0),
        "litigation_after_review.other": num(0),
        "litigation_after_review.pending": num(0),
        "litigation_after_review.total": num(2),
    }
    linked, findings = run(text, [claim(text, "4件", 4)], cells)
    assert findings == []
    assert linked[0].cells
    _, findings = run(text, [claim(text, "4件", 5)], cells)
    assert [(f.rule, f.expected, f.found) for f in findings] == [("claim_mismatch", 4.0, 5.0)]


DASH = CellValue(None, "-", "dash")
SLASH = CellValue(None, "/", "dash")
BLANK = CellValue(None, "", "blank")
TEXT = CellValue(None, "无", "text")
NOTED = CellValue(3.0, "3（注）", "number_with_note")


def test_cells_value_and_count_differ_only_on_blank() -> None:
    """One rule, two questions: a figure to compare (blank: None) or a part of a sum (blank: 0)."""
    cells = Cells({"a": num(2), "b": BLANK, "c": DASH, "d": SLASH, "e": TEXT, "f": NOTED})
    assert [cells.value(k) for k in "abcdefg"] == [2.0, None, None, None, None, 3.0, None]
    assert [cells.count(k) for k in "abcdefg"] == [2.0, 0.0, None, None, None, 3.0, None]
    assert [cells.is_read(k) for k in "abcdefg"] == [True, True, False, False, False, True, False]


def test_cells_is_a_read_only_mapping_and_wraps_once() -> None:
    raw = {"apply.new.total": num(5)}
    cells = Cells(raw)
    assert dict(cells) == raw and len(cells) == 1 and "apply.new.total" in cells
    assert Cells.of(cells) is cells
    assert Cells.of(raw) == cells


def test_reading_sum_needs_every_cell_read_and_one_number() -> None:
    cells = Cells({"x.a": num(2), "x.b": BLANK, "x.c": DASH, "y.total": BLANK, "y.a": BLANK})
    assert cells.reading_sum(["x.a", "x.b"]) == 2.0
    assert cells.reading_sum(["x.a", "x.c"]) is None  # a dash makes the sum unknown
    assert cells.reading_sum(["x.a", "x.missing"]) is None
    assert cells.reading_sum(["x.b"]) is None  # blanks only: nothing was written
    assert cells.reading_sum([]) is None
    assert cells.reading_sum(["y.total"]) is None  # a blank total over blank parts stays unknown


def test_blank_total_is_the_sum_of_its_numeric_parts() -> None:
    cells = Cells({"r.total": BLANK, "r.a": num(1), "r.b": num(2.5), "r.c": DASH, "s.x": num(9)})
    assert cells.blank_total("r.total") == 3.5
    assert cells.blank_total("r.a") is None  # only a .total stands for its parts
    assert cells.reading_sum(["r.total", "s.x"]) == 12.5


def test_group_lists_row_totals_or_the_group_total() -> None:
    cells = Cells(
        {"apply.denied.b.total": num(1), "apply.denied.a.total": num(2), "apply.denied.a.natural": num(2)}
    )
    assert cells.group("apply.denied") == ("apply.denied.a.total", "apply.denied.b.total")
    assert Cells({"apply.other.total": num(4)}).group("apply.other") == ("apply.other.total",)
    assert cells.group("apply.unable") == ()


def test_quantities_read_2019_document_rows_and_t4_blocks() -> None:
    cells = Cells({"active.rules.made": num(3), "review.upheld": num(2), "litigation_direct.upheld": num(1)})
    assert QUANTITIES["active.rules.issued"](cells) == [Reading("rules.made", ("active.rules.made",), 3.0)]
    assert [(r.label, r.value) for r in t4_readings("upheld", ["review", "litigation_direct"], cells)] == [
        ("review.upheld", 2.0),
        ("litigation_direct.upheld", 1.0),
        ("review+litigation_direct.upheld", 3.0),
    ]


def test_fmt_shows_whole_numbers_without_decimals() -> None:
    assert [fmt(v) for v in (3.0, 2.5, 1.234, 0.0)] == ["3", "2.5", "1.23", "0"]
