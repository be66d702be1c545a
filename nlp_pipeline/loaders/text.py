"""TXT and Markdown: text lines and flattened table rows (pipes, tabs, space-separated columns)."""

from __future__ import annotations

import re

from ..document import Block, Document, Table

_MD_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")



def parse_text(text: str, *, source: str, fmt: str = "txt") -> Document:
    """Split text into line blocks and pipe-row table blocks; offsets are into ``text`` itself."""
    blocks: list[Block] = []
    rows: list[list[str]] = []
    t_start = t_end = 0
    pos = 0
    for line in text.splitlines(keepends=True):
        start, pos = pos, pos + len(line)
        body = line.rstrip("\r\n")
        end = start + len(body)
        cells = split_table_row(body)
        if cells is not None or (fmt == "md" and _MD_RULE.match(body) and rows):
            if not rows:
                t_start = start
            t_end = end
            if cells is not None and not _MD_RULE.match(body):
                rows.append(cells)
            continue
        if rows:
            blocks.append(_table_block(text, rows, t_start, t_end))
            rows = []
        if body.strip():
            blocks.append(Block("text", body, start, end))
    if rows:
        blocks.append(_table_block(text, rows, t_start, t_end))
    return Document(source=source, format=fmt, text=text, blocks=tuple(blocks))  # type: ignore[arg-type]


_GAP = re.compile(r"\t| {2,}|\u3000{2,}")
_GAP_NUMBER = re.compile(r"[+-]?[\d０-９][\d０-９,，.．]*")


def split_table_row(line: str) -> list[str] | None:
    """The cells of a flattened table row, or None for a prose line.

    Pipe rows (``a | b | c |``) as the reference TXT reports flatten them; tab-separated rows, as
    a table copied out of a browser or a spreadsheet pastes into a text file (empty cells kept:
    their position matters); and columns set apart by runs of spaces, as PDF-to-text tools write
    them (three pieces with two numbers, or short headings). Two-piece rows must be a short label
    and a number, so prose with a stray tab or double space stays prose.
    """
    if line.count("|") >= 2:
        return _split_pipe_row(line)
    body = line.strip(" \u3000")
    if body.strip("\t") and "\t" in body:
        cells = [c.strip(" \u3000") for c in body.split("\t")]
        filled = [c for c in cells if c]
        return cells if len(filled) >= 3 or _label_and_number(filled) or _short_cells(filled) else None
    parts = [c.strip() for c in _GAP.split(body) if c.strip()]
    numbers = sum(bool(_GAP_NUMBER.fullmatch(c)) for c in parts)
    if (len(parts) >= 3 and (numbers >= 2 or _short_cells(parts))) or _label_and_number(parts):
        return parts
    return None


def _short_cells(cells: list[str]) -> bool:
    """Column headings set apart by gaps: at least two, all short, none with sentence punctuation."""
    return len(cells) >= 2 and all(len(c) <= 24 and not _SENTENCE_PUNCT.search(c) for c in cells)


_SENTENCE_PUNCT = re.compile(r"[。，；：:,;！？!?]")


def _label_and_number(cells: list[str]) -> bool:
    """A two-cell row: a short label (no sentence punctuation) and a number."""
    return (
        len(cells) == 2
        and bool(_GAP_NUMBER.fullmatch(cells[1]))
        and 0 < len(cells[0]) <= 40
        and not _SENTENCE_PUNCT.search(cells[0])
    )


def _split_pipe_row(line: str) -> list[str]:
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|"):
        s = s[:-1]
    return [c.strip() for c in s.split("|")]


def _table_block(text: str, rows: list[list[str]], start: int, end: int) -> Block:
    return Block("table", text[start:end], start, end, Table.from_texts(rows, origin=f"lines@{start}"))
