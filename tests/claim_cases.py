"""Hand-built claim cases shared by the cross-check test modules (own wording, no report text)."""

from __future__ import annotations

from typing import Any

from nlp_pipeline.crosschecks import check_claims
from nlp_pipeline.document import Document
from nlp_pipeline.loaders.text import parse_text
from nlp_pipeline.result import CellValue, Claim, Finding


def num(v: float) -> CellValue:
    return CellValue(float(v), str(v), "number")


def doc_of(text: str) -> Document:
    return parse_text(text, source="hand.txt", fmt="txt")


def claim(text: str, figure: str, value: float, *, unit: str = "件", nth: int = 0, **kw: Any) -> Claim:
    """A claim on the ``nth`` occurrence of ``figure`` (the number and unit as written) in ``text``."""
    at = -1
    for _ in range(nth + 1):
        at = text.index(figure, at + 1)
    return Claim(
        value=value,
        unit=unit,
        qualifier=kw.pop("qualifier", "exact"),
        metric=kw.pop("metric", ""),
        start=at,
        end=at + len(figure),
        text=figure,
        **kw,
    )


def run(
    text: str, claims: list[Claim], cells: dict[str, CellValue], **kw: Any
) -> tuple[list[Claim], list[Finding]]:
    return check_claims(
        doc_of(text), claims, cells, sections=kw.pop("sections", ()), year=kw.pop("year", None)
    )


APPS = {
    "apply.new.total": num(30),
    "apply.carried_over.total": num(2),
    "apply.total_processed.total": num(28),
    "apply.granted.total": num(10),
    "apply.partial.total": num(4),
    "apply.denied.state_secret.total": num(1),
    "apply.denied.third_party.total": num(2),
    "apply.unable.not_held.total": num(9),
    "apply.rejected.duplicate.total": num(2),
    "apply.carried_forward.total": num(4),
    "review.total": num(3),
    "review.upheld": num(2),
    "review.corrected": num(1),
    "litigation_direct.total": num(1),
    "litigation_after_review.total": num(2),
    "litigation_direct.upheld": num(1),
    "litigation_after_review.upheld": num(0),
}
