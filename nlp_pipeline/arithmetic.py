"""Check the tables' own arithmetic. (Interface; implementation pending.)"""

from __future__ import annotations

from collections.abc import Mapping

from .result import CellValue, Finding


def check_arithmetic(cells: Mapping[str, CellValue], *, template: str | None) -> list[Finding]:
    return []
