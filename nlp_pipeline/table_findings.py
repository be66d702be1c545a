"""What the read cells say about the tables as a whole: the template they follow, what is missing.

Runs after the reader has placed every cell; works on the cells and the format each table's
structure showed (表二's columns, 表三's "其他处理" rows), never on the document again.
"""

from __future__ import annotations

from functools import cache
from typing import Literal

from .result import CellValue, Finding
from .rules import Rule
from .schema import cell_ids

TemplateName = Literal["2019", "2021", "mixed"]


def ordered(cells: dict[str, CellValue]) -> dict[str, CellValue]:
    """The cells in the form's order (2021 ids, then the 2019-only ones), unknown ids last."""
    order = _schema_order()
    return dict(sorted(cells.items(), key=lambda kv: order.get(kv[0], len(order))))


@cache
def _schema_order() -> dict[str, int]:
    return {cid: i for i, cid in enumerate((*cell_ids("2021"), *cell_ids("2019")))}


def template_of(
    cells: dict[str, CellValue], *, active_style: set[str], other_style: set[str], year: int | None
) -> tuple[TemplateName | None, list[Finding]]:
    """The template the tables follow, from the formats 表二 (``active_style``) and 表三's "其他处理"
    (``other_style``) showed, checked against the report's ``year``; a deviation is a finding."""
    styles = active_style | other_style
    if not cells:
        return None, []
    findings: list[Finding] = []
    if len(styles) > 1:
        parts = []
        if active_style:
            parts.append(f"表二 follows the {'/'.join(sorted(active_style))} format")
        if other_style:
            form = "one row" if other_style == {"2019"} else "three sub-rows"
            parts.append(f"表三 '（六）其他处理' is {form}")
        findings.append(
            Finding(
                rule=Rule.TEMPLATE_DEVIATION,
                severity="warning",
                message="the tables mix the 2019 and 2021 formats: " + "; ".join(parts),
                detail={"active": sorted(active_style), "other_processing": sorted(other_style)},
            )
        )
        return "mixed", findings
    tpl: Literal["2019", "2021"] = "2019" if styles == {"2019"} else "2021"
    if year is not None and (year >= 2021) != (tpl == "2021"):
        expected = "2021" if year >= 2021 else "2019"
        findings.append(
            Finding(
                rule=Rule.TEMPLATE_DEVIATION,
                severity="warning",
                message=f"a {year} report uses the {tpl} table format; the {expected} format applies",
                expected=expected,
                found=tpl,
            )
        )
        return "mixed", findings
    return tpl, findings


_TABLE_NAMES = {"active": "表二 主动公开", "apply": "表三 依申请公开", "t4": "表四 行政复议行政诉讼"}


def missing(cells: dict[str, CellValue], template: TemplateName | None) -> list[Finding]:
    """A table not found at all (error), and the cells of the tables that were found but not read."""
    out: list[Finding] = []
    prefixes = {"active": ("active.",), "apply": ("apply.",), "t4": ("review.", "litigation_")}
    for key, pre in prefixes.items():
        if not any(cid.startswith(pre) for cid in cells):
            out.append(
                Finding(
                    rule=Rule.MISSING_TABLE,
                    severity="error",
                    message=f"{_TABLE_NAMES[key]} was not found or could not be read",
                    detail={"table": key},
                )
            )
    if template in ("2019", "2021"):
        read = _present_prefixes(cells)  # once: it does not depend on the cell id
        present = [cid for cid in cell_ids(template) if cid.startswith(read)]
        lost = [cid for cid in present if cid not in cells]
        if lost:
            out.append(
                Finding(
                    rule=Rule.MISSING_CELLS,
                    severity="warning",
                    message=f"{len(lost)} cell(s) of the tables could not be read",
                    cells=tuple(lost),
                )
            )
    return out


def _present_prefixes(cells: dict[str, CellValue]) -> tuple[str, ...]:
    pre: list[str] = []
    if any(c.startswith("active.") for c in cells):
        pre.append("active.")
    if any(c.startswith("apply.") for c in cells):
        pre.append("apply.")
    if any(c.startswith(("review.", "litigation_")) for c in cells):
        pre += ["review.", "litigation_"]
    return tuple(pre)
