"""Checks across one body's consecutive reports: carry-over and 现行有效 continuity.

``check_previous`` takes two analysed ``Report`` objects (this year's and last year's of the same
body) and returns the findings about both; pairing the reports is the corpus layer's job.
"""

from __future__ import annotations

from .quantities import Cells, fmt
from .result import Finding, Report
from .rules import Rule

__all__ = ["check_previous"]

_APPLICANT_COLS = ("natural", "commercial", "research", "social", "legal", "other_org", "total")
_DOC_KINDS = ("rules", "normative_docs")
_SAME_AS_ISSUED = "in force equals this year's issued: the table may count only this year's documents"


def check_previous(current: Report, previous: Report) -> list[Finding]:
    """Continuity between one body's consecutive reports: carry-over and 现行有效 counts."""
    if current.year is not None and previous.year is not None and current.year != previous.year + 1:
        return []
    cur, prev = Cells.of(current.cells), Cells.of(previous.cells)
    out: list[Finding] = []
    bad = []
    for col in _APPLICANT_COLS:
        a = prev.value(f"apply.carried_forward.{col}")
        b = cur.value(f"apply.carried_over.{col}")
        if a is not None and b is not None and a != b:
            bad.append((col, a, b))
    if bad:
        col, a, b = next((x for x in bad if x[0] == "total"), bad[0])
        out.append(
            Finding(
                rule=Rule.CARRYOVER_MISMATCH,
                severity="error",
                message=(
                    f"表三 apply.carried_over.{col} = {fmt(b)} this year but last year's report carried "
                    f"forward {fmt(a)} (apply.carried_forward.{col}; difference {fmt(abs(a - b))})"
                ),
                cells=tuple(f"apply.carried_over.{c}" for c, _, _ in bad),
                expected=a,
                found=b,
                detail={
                    "previous": previous.source,
                    "columns": {c: {"previous_carried_forward": x, "carried_over": y} for c, x, y in bad},
                },
            )
        )
    if _template(current) == "2021" and _template(previous) == "2021":
        for kind in _DOC_KINDS:
            last = prev.value(f"active.{kind}.in_force")
            issued = cur.value(f"active.{kind}.issued")
            repealed = cur.value(f"active.{kind}.repealed")
            now = cur.value(f"active.{kind}.in_force")
            if last is None or issued is None or repealed is None or now is None:
                continue
            expected = last + issued - repealed
            if expected == now:
                continue
            out.append(
                Finding(
                    rule=Rule.IN_FORCE_CONTINUITY,
                    severity="warning",
                    message=(
                        f"表二 {kind}: last year {fmt(last)} in force + {fmt(issued)} issued − "
                        f"{fmt(repealed)} repealed = {fmt(expected)}, but the table says {fmt(now)} in force"
                    ),
                    cells=(f"active.{kind}.in_force", f"active.{kind}.issued", f"active.{kind}.repealed"),
                    expected=expected,
                    found=now,
                    detail={
                        "previous": previous.source,
                        "previous_in_force": last,
                        **({"note": _SAME_AS_ISSUED} if now == issued and last > 0 else {}),
                    },
                )
            )
    return out


def _template(report: Report) -> str | None:
    """The report's template, inferred from its cell ids when the reader did not say."""
    if report.template in ("2019", "2021"):
        return report.template
    if report.template == "mixed":
        return None
    if any(c.endswith(".in_force") for c in report.cells):
        return "2021"
    if any(c.endswith(".made") for c in report.cells):
        return "2019"
    return None
