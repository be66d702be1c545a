"""The document model every loader produces: ordered text blocks and table grids.

``Document.text`` is the one string all character offsets in the output point into. For TXT
and Markdown it is the decoded file verbatim (so offsets are offsets into the file's text);
for HTML, PDF and DOCX it is the extracted text, with each table rendered as pipe rows
(``a | b | c |``) the way the TXT reports flatten them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .result import Finding


@dataclass(frozen=True, slots=True)
class GridCell:
    """One cell of an expanded table grid.

    ``anchor`` is the (row, col) of the source cell this grid position came from: a cell
    that spans rows or columns appears at every position it covers with the same anchor,
    so a reader can tell one merged value from two equal ones.
    """

    text: str
    anchor: tuple[int, int]


@dataclass(frozen=True, slots=True)
class Table:
    rows: tuple[tuple[GridCell, ...], ...]
    origin: str = ""

    @property
    def texts(self) -> list[list[str]]:
        return [[c.text for c in row] for row in self.rows]

    @classmethod
    def from_texts(cls, rows: list[list[str]], *, origin: str = "") -> Table:
        """A grid with no merged cells (each cell its own anchor)."""
        return cls(
            rows=tuple(
                tuple(GridCell(text=t, anchor=(r, c)) for c, t in enumerate(row)) for r, row in enumerate(rows)
            ),
            origin=origin,
        )


@dataclass(frozen=True, slots=True)
class Block:
    """A paragraph/line of text or a table, with its span in ``Document.text``."""

    kind: Literal["text", "table"]
    text: str
    start: int
    end: int
    table: Table | None = None
    origin: str = ""


@dataclass(frozen=True, slots=True)
class Document:
    source: str
    format: Literal["txt", "md", "html", "pdf", "docx"]
    text: str
    blocks: tuple[Block, ...]
    meta: dict[str, str] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()  # what the loader had to cut or change (limits), with evidence

    @property
    def tables(self) -> list[Block]:
        return [b for b in self.blocks if b.kind == "table"]
