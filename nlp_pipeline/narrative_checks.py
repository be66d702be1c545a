"""Rules on the narrative's own statements: the reporting period, "all handled", "no fees".

These read sentences rather than claims linked to cells, though each compares what the text
says with a table figure or the report's year. The two readings of "all handled" beside
carried-forward applications are shared with ``crosschecks`` (a 100% 办结率 claim).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace

from .linking import NOT_FEES, context
from .quantities import Cells, fmt
from .result import CellValue, Claim, ClaimRef, Finding, Section
from .rules import Rule
from .segmentation import Segmentation

__all__ = ["claim_ref", "closure_rate_finding", "narrative_findings"]

_PERIOD = re.compile(
    r"(\d{4})\s*年\s*0?1\s*月\s*0?1\s*日[^。\n]{0,8}?(?:至|到|—|－|-|~|～)[^。\n\d]{0,3}"
    r"(?:(\d{4})\s*年\s*)?12\s*月\s*31\s*日"
)
_ALL_CLOSED = re.compile(
    r"(均|全部|都|全都|悉数)(已|已经)?(在法定期限内|在规定期限内|在规定时限内|按时|按期|依法|如期|及时)?"
    r"(办结|答复|办理完毕|完成答复|予以答复|作出答复)"
)
_NOT_APPLICATION_CLOSURE = re.compile(r"复议|诉讼|建议|提案|信访|上年结转|咨询|留言|信箱|热线")
_PENDING_ACKNOWLEDGED = re.compile(r"下一?年|顺延|结转下|结转至|结转到|尚在办理|正在办理|未办结|转入")
_NO_FEE = re.compile(
    r"(未|没有|无|不|均未|从未)(收取|收|产生|发生|涉及)[^。；\n]{0,12}(处理费|收费)"
    r"|无[^。；\n]{0,8}(处理费|收费)"
    r"|(处理费|收费)[^。；\n]{0,8}(为0|为零|0元|零元|为“0”)"
)


def _section_span(sections: Sequence[Section], sid: str, text_len: int) -> tuple[int, int]:
    for sec in sections:
        if sec.id == sid:
            return sec.start, sec.end
    return 0, text_len


def _period_findings(text: str, year: int | None) -> list[Finding]:
    if year is None:
        return []
    out: list[Finding] = []
    for m in _PERIOD.finditer(text):
        s = max(text.rfind(ch, 0, m.start()) for ch in "。\n") + 1
        if not re.search(r"统计|数据|期限|时限|报告", text[s : m.start()]):
            continue
        y1 = int(m.group(1))
        y2 = int(m.group(2)) if m.group(2) else y1
        if y1 == year and y2 == year:
            continue
        out.append(
            Finding(
                rule=Rule.REPORT_PERIOD_YEAR,
                severity="warning",
                message=f"the reporting period is stated as {y1}–{y2} but this is the {year} report",
                expected=float(year),
                found=float(y1 if y1 != year else y2),
                start=m.start(),
                end=m.end(),
                detail={"period": [y1, y2]},
            )
        )
    return out


def _closure_figures(cells: Cells, fwd: float) -> tuple[float | None, float | None]:
    """(applications in play = new + carried over, closed within the year), None when unread."""
    in_play = cells.reading_sum(["apply.new.total", "apply.carried_over.total"])
    closed = cells.value("apply.total_processed.total")
    if closed is None and in_play is not None:
        closed = in_play - fwd
    return in_play, closed


def _two_readings(cells: Cells, fwd: float) -> str:
    """Why "all handled" / 办结率100% is doubtful yet may be true, with the figures of both readings.

    Closed within the year it is not: some applications go on into next year. Answered within
    the legal period it may be: an application received late in the year is not yet due.
    """
    in_play, closed = _closure_figures(cells, fwd)
    share = ""
    if in_play and closed is not None:
        share = f" ({fmt(closed)} of {fmt(in_play)} closed, {fmt(100.0 * closed / in_play)}%)"
    return (
        f"but 表三 apply.carried_forward.total = {fmt(fwd)}: read as closed within the year it does "
        f"not hold{share}; read as answered within the legal period it may hold, if the {fmt(fwd)} "
        "carried into next year are still within their time limit"
    )


def _closure_detail(cells: Cells, fwd: float) -> dict[str, object]:
    in_play, closed = _closure_figures(cells, fwd)
    return {
        "closure": {
            "closed_within_year": {"closed": closed, "in_play": in_play, "verdict": "does not hold"},
            "answered_within_legal_period": {"carried_forward": fwd, "verdict": "may hold"},
        }
    }


def closure_rate_finding(claim: Claim, cells: Cells, said: str, base: Finding) -> Finding:
    """A 100% 办结率 beside carried-forward applications: a warning giving both readings."""
    fwd = cells.value("apply.carried_forward.total") or 0.0
    detail = {**(base.detail or {}), **_closure_detail(cells, fwd)}
    return replace(
        base,
        severity="warning",
        message=f"narrative says {said}, " + _two_readings(cells, fwd),
        detail=detail,
    )


def _all_closed_findings(text: str, cells: Cells, sections: Sequence[Section], seg: Segmentation) -> list[Finding]:
    fwd = cells.value("apply.carried_forward.total")
    if fwd is None or fwd <= 0:
        return []
    out: list[Finding] = []
    for sid in ("overview", "applications"):
        lo, hi = _section_span(sections, sid, len(text)) if sections else (0, len(text))
        for s, e in seg.spans("sentence", lo, hi):
            sent = text[s:e]
            m = _ALL_CLOSED.search(sent)
            if not m or "|" in sent or "申请" not in sent or _PENDING_ACKNOWLEDGED.search(sent):
                continue
            brk = seg.last_mark("clause", s + m.start(), s)  # the clause of 均已办结 and the one before
            lead = text[max(brk + 1, s) : s + m.start()]
            prior = text[seg.start("clause", max(brk, s), s) : s + m.start()]
            if _NOT_APPLICATION_CLOSURE.search(lead if re.search(r"申请|[\d]", lead) else prior):
                continue
            f = Finding(
                rule=Rule.CLAIM_ALL_CLOSED,
                severity="warning",
                message=f"narrative says the applications were all handled ({m.group(0)}), "
                + _two_readings(cells, fwd),
                cells=("apply.carried_forward.total",),
                expected=0.0,
                found=fwd,
                start=s + m.start(),
                end=s + m.end(),
                detail=_closure_detail(cells, fwd),
            )
            if f not in out:
                out.append(f)
        if not sections:
            break
    return out


def _fee_findings(
    text: str, claims: Sequence[Claim], sections: Sequence[Section], seg: Segmentation
) -> list[Finding]:
    lo, hi = _section_span(sections, "other_matters", len(text))
    none_stated = [(s, e) for s, e in seg.spans("sentence", lo, hi) if _NO_FEE.search(text[s:e])]
    if not none_stated:
        return []
    out: list[Finding] = []
    for c in claims:
        if "元" not in c.unit or c.value <= 0 or c.is_change:
            continue
        ctx = context(text, c, segmentation=seg)
        if ("处理费" not in c.metric and "处理费" not in ctx.clause) or NOT_FEES.search(ctx.clause):
            continue
        if any(s <= c.start < e for s, e in none_stated):
            continue
        s, e = none_stated[0]
        out.append(
            Finding(
                rule=Rule.FEE_CONTRADICTION,
                severity="error",
                message=f"section 六 says no 信息处理费 was collected but the narrative states {c.text}",
                expected=0.0,
                found=c.value,
                claim=claim_ref(c),
                start=s,
                end=e,
            )
        )
    return out


def claim_ref(claim: Claim) -> ClaimRef:
    """The claim as a finding names it."""
    return ClaimRef(text=claim.text, value=claim.value, start=claim.start, end=claim.end)


def narrative_findings(
    text: str,
    claims: Sequence[Claim],
    cells: Mapping[str, CellValue],
    *,
    sections: Sequence[Section],
    year: int | None,
    segmentation: Segmentation | None = None,
) -> list[Finding]:
    """All narrative-only findings, in a fixed order: all handled, reporting period, fees.

    ``segmentation`` is ``text``'s (the pipeline builds it once per document)."""
    seg = Segmentation.of(text, segmentation)
    return [
        *_all_closed_findings(text, Cells.of(cells), sections, seg),
        *_period_findings(text, year),
        *_fee_findings(text, claims, sections, seg),
    ]
