"""Cross-check claims against the tables. (Interface; implementation pending.)"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .document import Document
from .result import CellValue, Claim, Finding, Section


def check_claims(
    doc: Document,
    claims: Sequence[Claim],
    cells: Mapping[str, CellValue],
    *,
    sections: Sequence[Section],
    year: int | None,
) -> tuple[list[Claim], list[Finding]]:
    return list(claims), []
