"""Check the tables' own arithmetic (表二 counts, 表三 identities and sums, 表四 blocks).

Each failing equation yields one finding with a stable ``rule`` and the cells it is about. Cells
are read through ``quantities.Cells.count``: blank cells count as 0 among the parts (many bodies
leave zeros empty); a dash or text cell is not a number, so an equation that involves one is skipped. A blank total over parts that do not add up
to 0 is reported as ``blank_total`` instead of a wrong sum.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .quantities import Cells
from .result import CellValue, Finding
from .rules import Rule
from .schema import APPLICANT_COLUMNS, T4_BLOCKS, _active_rows, application_rows

_PARTS = tuple(cid for cid, _ in APPLICANT_COLUMNS if cid != "total")
_COLUMNS = tuple(cid for cid, _ in APPLICANT_COLUMNS)
_EPS = 1e-6


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _sum_check(
    cells: Cells,
    *,
    rule: Rule,
    parts: Sequence[str],
    total: str,
    what: str,
    report_cells: Sequence[str] | None = None,
) -> Finding | None:
    """One 'parts add up to total' equation; None when it holds or cannot be checked."""
    if total not in cells or not all(p in cells for p in parts):
        return None
    vals = [cells.count(p) for p in parts]
    tot_cell = cells[total]
    if any(v is None for v in vals) or tot_cell.kind in ("dash", "text"):
        return None
    expected = sum(v for v in vals if v is not None)
    if tot_cell.kind == "blank":
        if abs(expected) < _EPS:
            return None
        return Finding(
            rule=Rule.BLANK_TOTAL,
            severity="error",
            message=f"{what}: the total is blank although its parts add up to {_fmt(expected)}",
            cells=(total,),
            expected=expected,
            found=None,
        )
    found = tot_cell.value
    if found is None or abs(found - expected) < _EPS:
        return None
    detail: dict[str, Any] = {"parts": list(parts)}
    message = f"{what}: the parts add up to {_fmt(expected)} but the total says {_fmt(found)}"
    joined = _join_hint(cells, parts, found)
    if joined is not None:
        detail["joined_cells"] = list(joined[0])
        detail["joined_value"] = joined[1]
        message += (
            f"; reading {cells[joined[0][0]].raw.strip()!s} and {cells[joined[0][1]].raw.strip()!s}"
            f" as one number {_fmt(joined[1])} would make it add up (a number split across two cells?)"
        )
    return Finding(
        rule=rule,
        severity="error",
        message=message,
        cells=tuple(report_cells) if report_cells is not None else (total,),
        expected=expected,
        found=found,
        detail=detail,
    )


def _join_hint(cells: Cells, parts: Sequence[str], total: float) -> tuple[tuple[str, str], float] | None:
    """Adjacent single-digit parts whose concatenation ("2","0" → 20) repairs the sum."""
    vals = [cells.count(p) or 0.0 for p in parts]
    base = sum(vals)
    for i in range(len(parts) - 1):
        a, b = cells[parts[i]], cells[parts[i + 1]]
        if a.kind != "number" or b.kind != "number":
            continue
        ra, rb = a.raw.strip(), b.raw.strip()
        if not (len(ra) == 1 and len(rb) == 1 and ra.isdigit() and rb.isdigit()):
            continue
        joined = float(int(ra + rb))
        if abs(base - vals[i] - vals[i + 1] + joined - total) < _EPS:
            return (parts[i], parts[i + 1]), joined
    return None


def _identity(cells: Cells, col: str) -> Finding | None:
    """new + carried_over = total_processed + carried_forward, for one applicant column."""
    ids = {k: f"apply.{k}.{col}" for k in ("new", "carried_over", "total_processed", "carried_forward")}
    if not all(i in cells for i in ids.values()):
        return None
    vals = {k: cells.count(i) for k, i in ids.items()}
    if any(v is None for v in vals.values()):
        return None
    if all(cells[i].kind == "blank" for i in ids.values()):
        return None
    lhs = (vals["new"] or 0.0) + (vals["carried_over"] or 0.0)
    rhs = (vals["total_processed"] or 0.0) + (vals["carried_forward"] or 0.0)
    if abs(lhs - rhs) < _EPS:
        return None
    # the cells a reader should look at: the two outcomes and this year's intake (carried over is
    # last year's carried forward, checked across years, so it is not named here)
    involved = (ids["total_processed"], ids["carried_forward"], ids["new"])
    return Finding(
        rule=Rule.IDENTITY,
        severity="error",
        message=(
            f"表三 column {col}: new ({_fmt(vals['new'] or 0)}) + carried over ({_fmt(vals['carried_over'] or 0)})"
            f" = {_fmt(lhs)}, but processed ({_fmt(vals['total_processed'] or 0)}) + carried forward"
            f" ({_fmt(vals['carried_forward'] or 0)}) = {_fmt(rhs)}"
        ),
        cells=involved,
        expected=lhs,
        found=rhs,
        detail={"parts": list(ids.values())},
    )


def _outcome_rows(template: str | None, cells: Mapping[str, CellValue]) -> list[str]:
    """The outcome rows (一)…(六) with their sub-rows, for the template the cells follow."""
    single_other = any(k.startswith("apply.other.") and k.count(".") == 2 for k in cells)
    three_other = any(k.startswith("apply.other.") and k.count(".") == 3 for k in cells)
    tpl = "2019" if (template == "2019" or (single_other and not three_other)) else "2021"
    rows = [r.id for r in application_rows(tpl)]  # type: ignore[arg-type]
    start, end = rows.index("apply.granted"), rows.index("apply.total_processed")
    return rows[start:end]


def _active_checks(cells: Mapping[str, CellValue]) -> list[Finding]:
    out: list[Finding] = []
    money = {"active.fees.amount_wan", "active.procurement.amount"}
    for cid, cell in cells.items():
        if not cid.startswith("active.") or cell.value is None:
            continue
        if cid in money:
            if cell.value < 0:
                out.append(
                    Finding(
                        rule=Rule.ACTIVE_FEE,
                        severity="warning",
                        message=f"表二 {cid}: an amount cannot be negative ({cell.raw.strip()})",
                        cells=(cid,),
                        found=cell.value,
                    )
                )
            continue
        signed = cid.endswith(".delta")
        if not float(cell.value).is_integer() or (cell.value < 0 and not signed):
            out.append(
                Finding(
                    rule=Rule.ACTIVE_COUNT,
                    severity="warning",
                    message=f"表二 {cid}: a count must be a whole non-negative number, found {cell.raw.strip()}",
                    cells=(cid,),
                    found=cell.value,
                )
            )
    fee = cells.get("active.fees.amount_wan")
    if fee is not None and fee.kind == "text":
        out.append(
            Finding(
                rule=Rule.ACTIVE_FEE,
                severity="warning",
                message=f"表二 fee amount is not a number: {fee.raw.strip()}",
                cells=("active.fees.amount_wan",),
                found=fee.raw,
            )
        )
    for row, _, _ in _active_rows("2021"):
        ids = (f"{row}.issued", f"{row}.repealed", f"{row}.in_force")
        if not all(i in cells for i in ids):
            continue
        issued, repealed, in_force = (cells[i].value for i in ids)
        if issued is None or repealed is None or in_force is None:
            continue
        if in_force + _EPS < issued - repealed:
            out.append(
                Finding(
                    rule=Rule.IN_FORCE_MIN,
                    severity="warning",
                    message=(
                        f"表二 {row}: {_fmt(in_force)} in force is fewer than issued ({_fmt(issued)})"
                        f" minus repealed ({_fmt(repealed)}) this year"
                    ),
                    cells=ids,
                    expected=issued - repealed,
                    found=in_force,
                )
            )
    return out


def check_arithmetic(cells: Mapping[str, CellValue], *, template: str | None) -> list[Finding]:
    """All arithmetic findings for one report's cells (empty when everything adds up)."""
    view = Cells.of(cells)
    out: list[Finding] = list(_active_checks(view))
    outcomes = _outcome_rows(template, view)
    for col in _COLUMNS:
        f = _sum_check(
            view,
            rule=Rule.OUTCOMES_SUM,
            parts=[f"{r}.{col}" for r in outcomes],
            total=f"apply.total_processed.{col}",
            what=f"表三 column {col}: outcomes (一)–(六)",
        )
        if f:
            out.append(f)
        f = _identity(view, col)
        if f:
            out.append(f)
    rows = {cid.rsplit(".", 1)[0] for cid in view if cid.startswith("apply.")}
    for row in sorted(rows):
        f = _sum_check(
            view,
            rule=Rule.ROW_SUM,
            parts=[f"{row}.{c}" for c in _PARTS],
            total=f"{row}.total",
            what=f"表三 row {row}: applicant columns",
        )
        if f:
            out.append(f)
    for blk, _ in T4_BLOCKS:
        f = _sum_check(
            view,
            rule=Rule.T4_BLOCK,
            parts=[f"{blk}.{c}" for c in ("upheld", "corrected", "other", "pending")],
            total=f"{blk}.total",
            what=f"表四 {blk}",
        )
        if f:
            out.append(f)
    return _one_owner(out)


def _one_owner(findings: list[Finding]) -> list[Finding]:
    """A blank total is reported once, as ``blank_total``; other equations through it are not
    reported again (their failure is the blank, not a wrong number)."""
    blank = {f.cells[0] for f in findings if f.rule == Rule.BLANK_TOTAL}
    out: list[Finding] = []
    seen: set[str] = set()
    for f in findings:
        if f.rule == Rule.BLANK_TOTAL:
            if f.cells[0] in seen:
                continue
            seen.add(f.cells[0])
        elif blank.intersection(f.cells) or blank.intersection(f.detail.get("parts", ())):
            continue
        out.append(f)
    return out
