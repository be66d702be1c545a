"""What every format reader shares: ``DocBuilder`` (offsets, pipe-row rendering), table grids
under the limits (spans expanded and clamped) and character normalisation.

Every reader builds its ``Document`` through ``DocBuilder``, so offsets, pipe rows and
normalised characters are the same for every format.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..document import Block, Document, GridCell, Table
from ..limits import DEFAULT_LIMITS, Limits
from ..result import Finding
from ..rules import Rule
from .files import check_text_length

_CJK = "\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}]) +| +(?=[{_CJK}])")
_WS = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")


def _build_compat_map() -> dict[int, str]:
    """Kangxi radicals and CJK compatibility ideographs → the unified ideograph (1 char → 1 char).

    Browser-printed PDFs and some Word exports carry e.g. U+2F08 "⼈" where 人 is meant. NFKC
    knows the mapping, but applied to whole texts it would also rewrite full-width digits and
    punctuation, so only these ranges are mapped, and only to single characters. (The radicals
    supplement, e.g. "⺠", has no NFKC mapping; its common members are listed by hand below.)
    """
    table: dict[int, str] = {}
    ranges = ((0x2E80, 0x2EFF), (0x2F00, 0x2FDF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F))
    for lo, hi in ranges:
        for cp in range(lo, hi + 1):
            ch = chr(cp)
            norm = unicodedata.normalize("NFKC", ch)
            if len(norm) == 1 and norm != ch:
                table[cp] = norm
    return table


_RADICAL_SUPPLEMENT = dict(
    zip(
        "⺟⺠⺩⺮⺶⻁⻄⻅⻆⻉⻊⻋⻑⻓⻔⻗⻘⻙⻚⻛⻜⻝⻢⻣⻤⻥⻦⻨⻩⻬⻮⻰⻳",
        "母民王竹羊虎西见角贝足车長长门雨青韦页风飞食马骨鬼鱼鸟麦黄齐齿龙龟",
        strict=True,
    )
)
_COMPAT_MAP = (
    _build_compat_map() | {ord(k): v for k, v in _RADICAL_SUPPLEMENT.items()} | {0x2329: "〈", 0x232A: "〉"}
)


# every character _COMPAT_MAP replaces is in one of these ranges: a text without any is left as is
_MAYBE_COMPAT = re.compile("[\u2329\u232a\u2e80-\u2fdf\uf900-\ufaff\U0002f800-\U0002fa1f]")
assert all(_MAYBE_COMPAT.match(chr(cp)) for cp in _COMPAT_MAP)


def normalize_chars(text: str) -> str:
    """Replace Kangxi radicals / CJK compatibility ideographs (and the technical angle brackets
    U+2329/U+232A that PDF fonts use for 〈〉); length-preserving by construction. (A mapping
    ``translate`` looks up every character; most texts have none of these, found in one scan.)"""
    return text.translate(_COMPAT_MAP) if _MAYBE_COMPAT.search(text) else text


def clean_line(s: str) -> str:
    """Collapse whitespace/nbsp to single spaces and drop spaces next to CJK (source line breaks).
    A line without any such character (a cell's number, a label) is returned as is."""
    if not _WS.search(s):
        return s
    return _SPACE_NEAR_CJK.sub("", _WS.sub(" ", s)).strip()


def render_row(row: Sequence[GridCell], r: int) -> str:
    """One grid row as a pipe row; a merged cell's text appears once, at its anchor."""
    texts = [c.text.replace("\n", " ") if c.anchor == (r, i) else "" for i, c in enumerate(row)]
    return " | ".join(texts) + " |"


def _normalized_cell(cell: GridCell) -> GridCell:
    """``cell`` with its text normalised; the same cell when nothing changes (a new frozen
    dataclass for every grid position cost more than the rest of the table)."""
    text = normalize_chars(cell.text)
    return cell if text is cell.text else GridCell(text, cell.anchor)


class DocBuilder:
    """Accumulates text lines and tables into ``Document.text`` with exact block offsets."""

    def __init__(self, source: str, fmt: str, *, limits: Limits = DEFAULT_LIMITS) -> None:
        self.source = source
        self.fmt = fmt
        self.limits = limits
        self._parts: list[str] = []
        self._blocks: list[Block] = []
        self._findings: list[Finding] = []
        self._pos = 0

    def _append(self, s: str) -> tuple[int, int]:
        if self._parts:
            self._parts.append("\n")
            self._pos += 1
        start = self._pos
        self._parts.append(s)
        self._pos += len(s)
        check_text_length(self._pos, source=self.source, limits=self.limits)  # stop early, not at the end
        return start, self._pos

    @property
    def position(self) -> int:
        """Offset in the text where the next block would start (after its line break)."""
        return self._pos + (1 if self._parts else 0)

    def add_finding(self, note: GridNote, *, start: int | None = None, end: int | None = None) -> None:
        """A limit the loader applied, with the text span it concerns (None: no single span; the
        note's ``detail`` then says where in the source)."""
        self._findings.append(
            Finding(
                rule=note.rule,
                severity="warning",
                message=note.message,
                expected=note.limit,
                found=note.found,
                start=start,
                end=None if start is None or end is None else max(start, end),
                detail=dict(note.detail),
            )
        )

    def add_text(self, line: str, *, origin: str = "") -> None:
        line = normalize_chars(line).strip()
        if not line:
            return
        start, end = self._append(line)
        self._blocks.append(Block("text", line, start, end, None, origin))

    def add_table(self, grid: Sequence[Sequence[GridCell]] | GridResult, *, origin: str = "") -> None:
        """A table grid; a ``GridResult`` also carries its notes (spans clamped, grid too large),
        and a grid too large to keep at all comes as text lines, one per source row."""
        notes: tuple[GridNote, ...] = ()
        if isinstance(grid, GridResult):
            notes = tuple(
                GridNote(n.rule, n.message, n.limit, n.found, {**n.detail, "table": origin})
                for n in grid.notes
            )
            if grid.lines is not None:
                start = self.position
                for line in grid.lines:
                    self.add_text(line, origin=f"{origin} as text")
                for note in notes:
                    self.add_finding(note, start=start, end=self._pos)
                return
            grid = grid.grid
        rows = [tuple(_normalized_cell(c) for c in row) for row in grid if row]
        if not rows:
            return
        body = "\n".join(render_row(row, r) for r, row in enumerate(rows))
        start, end = self._append(body)
        table = Table(rows=tuple(rows), origin=origin)
        self._blocks.append(Block("table", body, start, end, table, origin))
        for note in notes:
            self.add_finding(note, start=start, end=end)

    @property
    def blocks(self) -> list[Block]:
        return self._blocks

    def build(self, meta: dict[str, str] | None = None) -> Document:
        return Document(
            source=self.source,
            format=self.fmt,  # type: ignore[arg-type]
            text="".join(self._parts),
            blocks=tuple(self._blocks),
            meta=dict(meta or {}),
            findings=tuple(self._findings),
        )


@dataclass(frozen=True, slots=True)
class GridNote:
    """What a limit did to one table: a finding's rule, message, limit and the value found."""

    rule: Rule
    message: str
    limit: int
    found: int
    detail: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class GridResult:
    """A table read under the limits: its grid, or (too large even unexpanded) its rows as text
    ``lines``; ``notes`` say what was clamped or cut and why."""

    grid: list[list[GridCell]]
    notes: tuple[GridNote, ...] = ()
    lines: tuple[str, ...] | None = None


def span_note(attr: str, declared: int, used: int, *, row: int, col: int) -> GridNote:
    return GridNote(
        Rule.TABLE_SPAN_CLAMPED,
        f"a cell at row {row + 1} declares {attr}={declared}; only {used} is honoured "
        "(Limits.max_span): the cell covers fewer positions than the file says",
        used,
        declared,
        {"attribute": attr, "row": row, "col": col},
    )


def too_large_note(cells: int, limit: int, *, as_text: bool) -> GridNote:
    how = (
        "its rows were read as text lines, not as a table"
        if as_text
        else "it was read with each merged cell once, not expanded (columns may not line up)"
    )
    return GridNote(
        Rule.TABLE_TOO_LARGE,
        f"the table would expand to {cells} cells, over the limit of {limit} (Limits.max_table_cells); {how}",
        limit,
        cells,
        {"read_as": "text" if as_text else "unexpanded"},
    )


def unexpanded(
    texts: Sequence[Sequence[str]], notes: list[GridNote], total: int, *, limits: Limits
) -> GridResult:
    """Fallback for a table whose expanded grid is over the limit: each source cell once, or,
    if even that grid is over it, the rows as text lines."""
    width = max((len(r) for r in texts), default=0)
    if len(texts) * width <= limits.max_table_cells:
        grid = [
            [GridCell(t, (r, c)) for c, t in enumerate(row)]
            + [GridCell("", (r, c)) for c in range(len(row), width)]
            for r, row in enumerate(texts)
        ]
        return GridResult(grid, (*notes, too_large_note(total, limits.max_table_cells, as_text=False)))
    lines = tuple(" ".join(t for t in row if t) for row in texts)
    return GridResult([], (*notes, too_large_note(total, limits.max_table_cells, as_text=True)), lines)


def expand_spans(rows: Sequence[Sequence[tuple[str, int, int]]]) -> list[list[GridCell]]:
    """Expand (text, rowspan, colspan) source rows into a full rectangular grid with anchors.

    Each covered position gets a ``GridCell`` carrying the anchor of the spanning cell; ragged
    rows are padded with empty cells anchored to themselves. (Default limits; the grid part of
    ``expand_spans_limited``.)
    """
    return expand_spans_limited(rows).grid


def expand_spans_limited(
    rows: Sequence[Sequence[tuple[str, int, int]]], *, limits: Limits = DEFAULT_LIMITS
) -> GridResult:
    """``expand_spans`` under ``limits``: spans clamped to ``max_span`` (and rowspans to the rows
    left) before anything is expanded, and the grid's size known before it is built."""
    notes: list[GridNote] = []
    n_rows = len(rows)
    clamped: list[list[tuple[str, int, int]]] = []
    total = 0
    for r, cells in enumerate(rows):
        out_row: list[tuple[str, int, int]] = []
        for i, (text, rowspan, colspan) in enumerate(cells):
            for attr, declared in (("rowspan", rowspan), ("colspan", colspan)):
                if declared > limits.max_span:
                    notes.append(span_note(attr, declared, limits.max_span, row=r, col=i))
            rs = max(1, min(rowspan, n_rows - r, limits.max_span))
            cs = max(1, min(colspan, limits.max_span))
            total += rs * cs
            out_row.append((text, rs, cs))
        clamped.append(out_row)
    texts = [[t for t, _, _ in row] for row in clamped]
    if total > limits.max_table_cells:
        return unexpanded(texts, notes, total, limits=limits)
    # each row's positions so far (None: not covered yet); a row's last position is always covered
    grid: list[list[GridCell | None]] = [[] for _ in range(n_rows)]
    for r, cells2 in enumerate(clamped):
        row, c = grid[r], 0
        for text, rs, cs in cells2:
            while c < len(row) and row[c] is not None:
                c += 1
            cell = GridCell(text, (r, c))
            for below in grid[r : r + rs]:
                if len(below) < c + cs:
                    below.extend([None] * (c + cs - len(below)))
                for cc in range(c, c + cs):
                    if below[cc] is None:
                        below[cc] = cell
            c += cs
    width = max(map(len, grid), default=0)
    if n_rows * width > limits.max_table_cells:
        return unexpanded(texts, notes, n_rows * width, limits=limits)
    out: list[list[GridCell]] = []
    for r, row in enumerate(grid):
        out.append([x if x is not None else GridCell("", (r, c)) for c, x in enumerate(row)])
        out[-1].extend(GridCell("", (r, c)) for c in range(len(row), width))
    return GridResult(out, tuple(notes))
