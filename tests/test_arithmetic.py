"""Arithmetic checks: each rule on small hand-built cell dicts, and the real gold's known errors."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest

from nlp_pipeline.arithmetic import check_arithmetic
from nlp_pipeline.result import CellValue
from nlp_pipeline.schema import cell_ids
from nlp_pipeline.tables import parse_cell

from .conftest import GOLD, gold_files, load_script, real_gold, require_shared


def _clean(template: str = "2021") -> dict[str, CellValue]:
    """A consistent report: everything 0 except 5 natural-person applications, all granted."""
    cells = {cid: CellValue(0.0, "0", "number") for cid in cell_ids(template)}  # type: ignore[arg-type]
    for cid in ("apply.new", "apply.granted", "apply.total_processed"):
        cells[f"{cid}.natural"] = CellValue(5.0, "5", "number")
        cells[f"{cid}.total"] = CellValue(5.0, "5", "number")
    return cells


def _set(cells: dict[str, CellValue], **raw: str) -> dict[str, CellValue]:
    out = dict(cells)
    for key, text in raw.items():
        out[key.replace("__", ".")] = parse_cell(text)
    return out


def _rules(findings: list[Any]) -> list[tuple[str, tuple[str, ...]]]:
    return sorted((f.rule, f.cells) for f in findings)


@pytest.mark.parametrize("template", ["2021", "2019"])
def test_clean_tables_have_no_findings(template: str) -> None:
    assert check_arithmetic(_clean(template), template=template) == []


def test_identity_per_column() -> None:
    cells = _set(_clean(), apply__carried_forward__natural="2", apply__carried_forward__total="2")
    f, g = check_arithmetic(cells, template="2021")
    assert (f.rule, g.rule) == ("identity", "identity")
    assert g.cells == ("apply.total_processed.total", "apply.carried_forward.total", "apply.new.total")
    assert f.cells == ("apply.total_processed.natural", "apply.carried_forward.natural", "apply.new.natural")
    assert (f.expected, f.found) == (5.0, 7.0)
    # only the natural column wrong: its identity fails and the carried-forward row no longer adds up
    cells = _set(cells, apply__carried_forward__total="0")
    assert {x.rule for x in check_arithmetic(cells, template="2021")} == {"identity", "row_sum"}


def test_outcomes_sum_and_identity_for_a_wrong_total_processed() -> None:
    cells = _set(_clean(), apply__total_processed__natural="4", apply__total_processed__total="4")
    assert _rules(check_arithmetic(cells, template="2021")) == [
        ("identity", ("apply.total_processed.natural", "apply.carried_forward.natural", "apply.new.natural")),
        ("identity", ("apply.total_processed.total", "apply.carried_forward.total", "apply.new.total")),
        ("outcomes_sum", ("apply.total_processed.natural",)),
        ("outcomes_sum", ("apply.total_processed.total",)),
    ]


def test_outcomes_sum_counts_every_sub_row() -> None:
    cells = _set(_clean(), apply__other__no_fee__natural="1", apply__other__no_fee__total="1")
    f, g = check_arithmetic(cells, template="2021")
    assert (f.rule, f.cells, f.expected, f.found) == (
        "outcomes_sum",
        ("apply.total_processed.natural",),
        6.0,
        5.0,
    )
    assert (g.rule, g.cells) == ("outcomes_sum", ("apply.total_processed.total",))


def test_outcomes_sum_2019_single_other_row() -> None:
    cells = _set(_clean("2019"), apply__other__natural="2", apply__other__total="2")
    assert [(f.rule, f.expected) for f in check_arithmetic(cells, template="2019")] == [
        ("outcomes_sum", 7.0),
        ("outcomes_sum", 7.0),
    ]


def test_row_sum_per_row() -> None:
    cells = _set(_clean(), apply__new__commercial="1")
    found = check_arithmetic(cells, template="2021")
    rows = [f for f in found if f.rule == "row_sum"]
    assert [(f.cells, f.expected, f.found) for f in rows] == [(("apply.new.total",), 6.0, 5.0)]


def test_row_sum_suggests_joining_split_digits() -> None:
    cells = _set(
        _clean(),
        apply__granted__natural="2",
        apply__granted__commercial="0",
        apply__granted__total="20",
    )
    (f,) = [x for x in check_arithmetic(cells, template="2021") if x.rule == "row_sum"]
    assert f.detail["joined_cells"] == ["apply.granted.natural", "apply.granted.commercial"]
    assert f.detail["joined_value"] == 20.0
    assert "20" in f.message and "one number" in f.message


def test_no_join_hint_when_joining_does_not_help() -> None:
    cells = _set(
        _clean(), apply__granted__natural="2", apply__granted__commercial="0", apply__granted__total="9"
    )
    (f,) = [x for x in check_arithmetic(cells, template="2021") if x.rule == "row_sum"]
    assert "joined_cells" not in f.detail


def test_t4_block() -> None:
    cells = _set(_clean(), review__corrected="1")
    (f,) = check_arithmetic(cells, template="2021")
    assert (f.rule, f.cells, f.expected, f.found) == ("t4_block", ("review.total",), 1.0, 0.0)


def test_blank_total_over_non_blank_parts() -> None:
    cells = _set(_clean(), apply__new__total="", apply__granted__total="")
    found = check_arithmetic(cells, template="2021")
    assert [(f.rule, f.cells) for f in found if f.rule == "blank_total"] == [
        ("blank_total", ("apply.granted.total",)),
        ("blank_total", ("apply.new.total",)),
    ]
    assert not [f for f in found if f.rule == "row_sum"]


def test_blank_total_over_zero_parts_is_not_an_error() -> None:
    cells = _set(_clean(), apply__partial__total="", review__total="")
    assert check_arithmetic(cells, template="2021") == []


def test_blank_parts_count_as_zero() -> None:
    cells = _set(_clean(), apply__new__commercial="", apply__granted__research="")
    assert check_arithmetic(cells, template="2021") == []


def test_dash_and_text_cells_skip_their_sums() -> None:
    cells = _set(_clean(), apply__new__commercial="/", review__upheld="不适用", review__total="3")
    assert check_arithmetic(cells, template="2021") == []


def test_active_table_rules() -> None:
    cells = _set(
        _clean(),
        active__penalty__decisions="1.5",
        active__licensing__decisions="-1",
        active__fees__amount_wan="不详",
        active__normative_docs__issued="5",
        active__normative_docs__repealed="1",
        active__normative_docs__in_force="3",
    )
    assert _rules(check_arithmetic(cells, template="2021")) == [
        ("active_count", ("active.licensing.decisions",)),
        ("active_count", ("active.penalty.decisions",)),
        ("active_fee", ("active.fees.amount_wan",)),
        (
            "in_force_min",
            (
                "active.normative_docs.issued",
                "active.normative_docs.repealed",
                "active.normative_docs.in_force",
            ),
        ),
    ]


def test_2019_delta_may_be_negative() -> None:
    cells = _set(_clean("2019"), active__penalty__delta="-18", active__procurement__amount="832995元")
    assert check_arithmetic(cells, template="2019") == []


# ---------------------------------------------------------------- real gold


def _gold_cells(gold: dict[str, Any]) -> dict[str, CellValue]:
    out = {}
    for cid, v in gold["cells"].items():
        if v is None:
            out[cid] = CellValue(None, "", "blank")
        elif isinstance(v, str):
            out[cid] = parse_cell(v)
        else:
            out[cid] = CellValue(float(v), str(v), "number")
    return out


@pytest.mark.parametrize("name", gold_files() or ["(no gold)"])
def test_gold_cells_flag_exactly_the_known_errors(name: str) -> None:
    gold = real_gold(name)
    found = check_arithmetic(_gold_cells(gold), template=gold["template"])
    assert sorted((f.rule, frozenset(f.cells)) for f in found) == sorted(
        (e["rule"], frozenset(e["cells"])) for e in gold["arithmetic_errors"]
    )


# ---------------------------------------------------------------- evaluation gate


def _evaluate_module() -> ModuleType:
    return load_script("evaluate.py", "evaluate_script")


def test_evaluation_gate_on_real_gold() -> None:
    require_shared()
    ev = _evaluate_module()
    results = [ev.evaluate_file(p, g) for p, g in ev.gold_items(GOLD.parent)]
    summary = ev.summarize(results)
    assert ev.check_floors(summary, ev.FLOORS) == []
    assert summary["cells.html"] >= 0.995
    assert summary["cells.txt"] >= 0.995
    assert summary["arith.recall"] == 1.0
    assert summary["arith.precision"] == 1.0


def test_blank_total_is_reported_once_and_owns_its_equations() -> None:
    cells = _set(_clean(), apply__total_processed__total="")
    assert _rules(check_arithmetic(cells, template="2021")) == [
        ("blank_total", ("apply.total_processed.total",))
    ]
