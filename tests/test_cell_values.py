"""Cell values: blank, dash, text, numbers and numbers with a note stay distinct kinds."""

from __future__ import annotations

import pytest

from nlp_pipeline.cell_values import normalize_cell_text, parse_cell


@pytest.mark.parametrize(
    ("raw", "kind", "value"),
    [
        ("22", "number", 22.0),
        (" 0 ", "number", 0.0),
        ("２２", "number", 22.0),
        ("1,234", "number", 1234.0),
        ("-18", "number", -18.0),
        ("5949.088667", "number", 5949.088667),
        ("", "blank", None),
        ("  ", "blank", None),
        ("/", "dash", None),
        ("-", "dash", None),
        ("—", "dash", None),
        ("－", "dash", None),
        ("不适用", "text", None),
        ("无", "text", None),
        ("22（其中修订16件）", "number_with_note", 22.0),
        ("832995元", "number_with_note", 832995.0),
        ("2笔", "number_with_note", 2.0),
        ("75394432.52元", "number_with_note", 75394432.52),
    ],
)
def test_parse_cell_kinds(raw: str, kind: str, value: float | None) -> None:
    cell = parse_cell(raw)
    assert (cell.kind, cell.value, cell.raw) == (kind, value, raw)


def test_parse_cell_keeps_raw_and_origin_per_call() -> None:
    # the classification is cached per text; the raw text and origin are the caller's own
    a = parse_cell("１２", origin="t#r1c2")
    b = parse_cell("１２", origin="t#r3c4")
    assert (a.value, a.kind, a.raw, a.origin) == (12.0, "number", "１２", "t#r1c2")
    assert (b.value, b.kind, b.raw, b.origin) == (12.0, "number", "１２", "t#r3c4")


def test_normalize_cell_text_folds_width_and_whitespace() -> None:
    assert normalize_cell_text(" （一）\n 行政许可　 ") == "(一) 行政许可"
