"""Cross-check the narrative's claims against the tables: compare, and say what disagrees.

``linking`` gives every reading a claim may have (受理 = new, or new + carried over); a claim
agrees when ANY reading agrees within the precision it was written with and its qualifier
(约, 余, 以上…), and a finding lists every reading tried. The text-only rules live in
``narrative_checks``, the year-on-year ones in ``yearly``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace

from .document import Document
from .linking import Context, claim_readings, context
from .narrative_checks import claim_ref, closure_rate_finding, narrative_findings
from .quantities import Cells, Reading, fmt
from .result import CellValue, Claim, Finding, Section
from .rules import Rule
from .segmentation import Segmentation

__all__ = ["check_claims"]

# ---------------------------------------------------------------- comparison


def _decimals(claim: Claim) -> int:
    """Decimal places the figure was written with (precision of the written value)."""
    m = re.search(r"\d[\d,，]*(?:\.(\d+))?", claim.text or "")
    if m:
        return len(m.group(1) or "")
    s = repr(claim.written_value if claim.written_value is not None else claim.value)
    return len(s.split(".")[1].rstrip("0")) if "." in s else 0


def _factor(claim: Claim) -> float:
    """How many value units one written unit is (1.2万 written 1.2 → 10000)."""
    written = claim.written_value if claim.written_value is not None else claim.value
    return claim.value / written if written else 1.0


def _unit_step(claim: Claim) -> float:
    """One unit of the last written digit, in value units ("51.85" → 0.01)."""
    return 10.0 ** -_decimals(claim) * _factor(claim)


def _about_step(claim: Claim) -> float:
    """Precision a round figure implies ("约300" → 100, "约1.2万" → 1000)."""
    if _decimals(claim):
        return _unit_step(claim)
    written = claim.written_value if claim.written_value is not None else claim.value
    w = abs(round(written))
    zeros = 0
    while w and w % 10 == 0:
        w //= 10
        zeros += 1
    return 10.0**zeros * _factor(claim)


def _agrees(claim: Claim, claimed: float, found: float, tol: float) -> bool:
    """Compare by qualifier: exact within ``tol``; 余/多 from the figure to one written step above;
    以上/超过 at least; 不到 at most; 约 within a written step; ranges inclusive."""
    q = claim.qualifier
    eps = 1e-9 + tol
    scale = claimed / claim.value if claim.value else 1.0  # claim units → compared units
    if q == "at_least":
        if found < claimed - eps:
            return False
        bounded = re.search(r"\d[^\d]{0,2}[余多]", claim.text or "")
        return not bounded or found <= claimed + _about_step(claim) * scale + eps
    if q == "at_most":
        return found <= claimed + eps
    if q == "range":
        upper = claim.upper * scale if claim.upper is not None else claimed
        return claimed - eps <= found <= upper + eps
    if q == "about":
        slack = max(_about_step(claim) * scale, 0.05 * abs(claimed), tol)
        return abs(found - claimed) <= slack + 1e-9
    return abs(found - claimed) <= eps


def _amount_wan(claim: Claim) -> float:
    """The claim's amount in 万元 (the fee cell's unit): claim values are plain yuan (410万元 → 4100000)."""
    return claim.value / 10000.0


def _cell_decimals(cells: Mapping[str, CellValue], cid: str) -> int:
    raw = cells[cid].raw if cid in cells else ""
    m = re.search(r"\.(\d+)", raw)
    return len(m.group(1)) if m else 0


def _compare(claim: Claim, reading: Reading, cells: Mapping[str, CellValue]) -> tuple[bool, float]:
    """(agrees, claimed value in the reading's units)."""
    if claim.unit == "%":
        tol = 10.0 ** -_decimals(claim)
        return _agrees(claim, claim.value, reading.value, tol), claim.value
    if "元" in claim.unit:
        claimed = _amount_wan(claim)
        to_wan = claimed / claim.value if claim.value else 1.0
        cell_tol = 0.5 * 10.0 ** -_cell_decimals(cells, reading.cells[0])
        tol = max(0.5 * _unit_step(claim) * to_wan, cell_tol)
        return _agrees(claim, claimed, reading.value, tol), claimed
    return _agrees(claim, claim.value, reading.value, 0.0), claim.value


_TABLE_OF = (("active.", "表二"), ("apply.", "表三"), ("review", "表四"), ("litigation", "表四"))


def _show(r: Reading, unit: str) -> str:
    """Render a reading ("表三 apply.new.total = 24"): cells by id, a group by pattern, a ratio by label."""
    if unit == "%":
        where = r.label
    elif len(r.cells) <= 3:
        where = " + ".join(r.cells)
    else:
        where = "sum of " + ".".join(r.cells[0].split(".")[:2]) + ".*"
    table = next((t for p, t in _TABLE_OF if r.cells[0].startswith(p)), "")
    return f"{table} {where} = {fmt(r.value)}{unit}".strip()


def _mismatch(claim: Claim, readings: list[Reading], claimed: float, said: str) -> Finding:
    """A finding naming what the narrative says, the primary reading and every other reading tried."""
    first = readings[0]
    is_pct = claim.unit == "%"
    unit = "%" if is_pct else ("万元" if "元" in claim.unit else "")
    if is_pct:
        msg = f"narrative says {said} but the tables give {', '.join(_show(r, unit) for r in readings)}"
    else:
        msg = f"narrative says {said} but {_show(first, unit)} (difference {fmt(abs(claimed - first.value))}{unit})"
        if len(readings) > 1:
            msg += "; other readings tried: " + ", ".join(_show(r, unit) for r in readings[1:])
    return Finding(
        rule=Rule.CLAIM_PERCENTAGE if is_pct else Rule.CLAIM_MISMATCH,
        severity="warning" if is_pct or len(readings) > 1 else "error",
        message=msg,
        cells=first.cells,
        expected=round(first.value, 4),
        found=claimed,
        claim=claim_ref(claim),
        detail={
            "readings": [
                {"label": r.label, "cells": list(r.cells), "value": round(r.value, 4)} for r in readings
            ],
            "qualifier": claim.qualifier,
        },
    )


# ---------------------------------------------------------------- entry points


def _is_full_closure_rate(claim: Claim, ctx: Context, cells: Cells) -> bool:
    """办结率/答复率 100% while 表三 carries applications into next year."""
    fwd = cells.value("apply.carried_forward.total")
    if claim.unit != "%" or claim.value < 100 or fwd is None or fwd <= 0:
        return False
    return bool(re.search(r"(办结|答复|办理)率", ctx.head + claim.metric))


def check_claims(
    doc: Document,
    claims: Sequence[Claim],
    cells: Mapping[str, CellValue],
    *,
    sections: Sequence[Section],
    year: int | None,
    segmentation: Segmentation | None = None,
) -> tuple[list[Claim], list[Finding]]:
    """Link each claim to the cells it is about and flag those no reading supports.

    ``segmentation`` is ``doc.text``'s, built once per document by the pipeline (else here)."""
    view = Cells.of(cells)
    seg = Segmentation.of(doc.text, segmentation)
    linked: list[Claim] = []
    findings: list[Finding] = []
    for claim in claims:
        readings = claim_readings(claim, doc.text, view, segmentation=seg)
        if not readings:
            linked.append(replace(claim, cells=()))
            continue
        results = [(r, *_compare(claim, r, view)) for r in readings]
        agreeing = [r for r, ok, _ in results if ok]
        if agreeing:
            linked.append(replace(claim, cells=agreeing[0].cells))
            continue
        linked.append(replace(claim, cells=readings[0].cells))
        ctx = context(doc.text, claim, segmentation=seg)
        said = (ctx.segment if claim.unit == "%" else ctx.clause).strip()[-40:] or claim.text
        finding = _mismatch(claim, readings, results[0][2], said)
        if _is_full_closure_rate(claim, ctx, view):
            finding = closure_rate_finding(claim, view, said, finding)
        findings.append(finding)
    findings += narrative_findings(doc.text, claims, view, sections=sections, year=year, segmentation=seg)
    return linked, findings
