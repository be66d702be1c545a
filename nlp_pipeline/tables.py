"""Read 表二/表三/表四 into the official schema. (Interface; implementation pending.)"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from .document import Document
from .result import CellValue, Finding, Section


@dataclass(frozen=True, slots=True)
class TableResult:
    template: Literal["2019", "2021", "mixed"] | None
    cells: dict[str, CellValue] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()


def read_tables(doc: Document, sections: Sequence[Section]) -> TableResult:
    return TableResult(template=None)
