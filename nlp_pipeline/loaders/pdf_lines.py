"""PDF text lines (glyphs joined into pieces separated by wide gaps) and the tables without
rules they form: wrapped row labels glued back to their row, columns from the pieces' x-extents."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..document import GridCell
from .base import clean_line

NUMBER = re.compile(r"^-?\d[\d,]*(\.\d+)?$")


@dataclass
class Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    segments: tuple[tuple[float, float, str], ...] = ()
    page: int = 0
    margin: bool = False

    @property
    def clean(self) -> str:
        """Line text; pieces separated by a wide gap (table columns) keep one space between them."""
        if len(self.segments) > 1:
            return " ".join(clean_line(t) for _, _, t in self.segments)
        return clean_line(self.text)

    @property
    def tabular(self) -> bool:
        """Laid out in columns: three or more pieces, or a label and a trailing number."""
        n = len(self.segments)
        return n >= 3 or (n == 2 and bool(NUMBER.match(clean_line(self.segments[-1][2]))))


def label_fragment(line: Line, prev: Line) -> bool:
    """A short piece of a row label wrapped onto its own line inside a table without rules."""
    text = line.clean
    return (
        len(text.replace(" ", "")) <= 14
        and not NUMBER.match(text.split(" ")[-1])
        and not re.search(r"[。；;]", text)
        and line.page == prev.page
        and line.top - prev.bottom < 2.5 * max(line.size, 1.0)
    )


def near_row(line: Line, row: Line) -> bool:
    """Close enough to ``row``'s middle to be a piece of its wrapped label."""
    mid = (line.top + line.bottom) / 2
    return line.page == row.page and abs((row.top + row.bottom) / 2 - mid) <= 2.8 * max(line.size, 1.0)


def join_wrapped_labels(lines: list[Line], fragments: set[int]) -> list[Line]:
    """Glue label fragments (``fragments``: ids of short lines without a number) to the nearest
    line with numbers, by column.

    In a table without rules a row label that wraps is set around the row's numbers line, above
    and below it; left alone, every fragment would read as a row of its own.
    """
    numeric = [ln for ln in lines if NUMBER.match(clean_line(ln.segments[-1][2]) if ln.segments else "")]
    if not numeric or not fragments:
        return lines
    extra: dict[int, list[Line]] = {id(ln): [] for ln in numeric}
    out: list[Line] = []
    for ln in lines:
        if id(ln) in extra or id(ln) not in fragments:
            out.append(ln)
            continue
        mid = (ln.top + ln.bottom) / 2
        near = min(numeric, key=lambda n: (n.page != ln.page, abs((n.top + n.bottom) / 2 - mid)))
        if near_row(ln, near) and ln.x1 <= _first_number_x(near) + 1.0:
            extra[id(near)].append(ln)
        else:
            out.append(ln)
    return [_with_fragments(ln, extra[id(ln)]) if id(ln) in extra else ln for ln in out]


def _first_number_x(line: Line) -> float:
    """Left edge of the first number piece: row labels wrap to the left of it."""
    return next((x0 for x0, _, t in line.segments if NUMBER.match(clean_line(t))), line.x1)


def _with_fragments(line: Line, frags: list[Line]) -> Line:
    """``line`` with each fragment's pieces glued into the piece of the same column (top to bottom),
    or added as a piece of their own where the numbers line has none in that column."""
    if not frags:
        return line
    pieces: list[list[Any]] = [[x0, x1, [(line.top, t)]] for x0, x1, t in line.segments]
    for f in frags:
        for x0, x1, t in f.segments:
            hit = next((p for p in pieces if x0 < p[1] and x1 > p[0]), None)
            if hit is None:
                pieces.append([x0, x1, [(f.top, t)]])
            else:
                hit[0], hit[1] = min(hit[0], x0), max(hit[1], x1)
                hit[2].append((f.top, t))
    pieces.sort(key=lambda p: p[0])
    segments = tuple(
        (p[0], p[1], "".join(clean_line(t) for _, t in sorted(p[2], key=lambda e: e[0]))) for p in pieces
    )
    top = min([line.top, *(f.top for f in frags)])
    bottom = max([line.bottom, *(f.bottom for f in frags)])
    return Line(
        " ".join(t for _, _, t in segments),
        segments[0][0],
        segments[-1][1],
        top,
        bottom,
        line.size,
        segments,
        line.page,
    )


def text_table(lines: list[Line]) -> list[list[GridCell]]:
    """Fallback for tables without rules: columns are the x-intervals the lines' pieces share.

    Right of the row labels only the numbers set the columns: a header word wrapped in a narrow
    column runs into its neighbours' words and would fuse the columns below it.
    """
    segs = [seg for ln in lines for seg in ln.segments]
    nums = [seg for seg in segs if NUMBER.match(clean_line(seg[2]))]
    first = min((x0 for x0, _, _ in nums), default=float("inf"))
    spans = _union([seg for seg in segs if seg[1] <= first + 1.0 or not nums] + nums)
    grid: list[list[GridCell]] = []
    for r, ln in enumerate(lines):
        texts = [""] * len(spans)
        for x0, x1, t in ln.segments:
            c = _column(spans, x0, x1)
            texts[c] = (texts[c] + " " + clean_line(t)).strip()
        grid.append([GridCell(t, (r, c)) for c, t in enumerate(texts)])
    return grid


def _union(segs: list[tuple[float, float, str]]) -> list[list[float]]:
    spans: list[list[float]] = []
    for x0, x1, _ in sorted(segs, key=lambda seg: seg[0]):
        if spans and x0 <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], x1)
        else:
            spans.append([x0, x1])
    return spans


def _column(spans: list[list[float]], x0: float, x1: float) -> int:
    """The column a piece overlaps most; a piece in a gap goes to the nearest column."""
    overlaps = [min(x1, s1) - max(x0, s0) for s0, s1 in spans]
    best = max(range(len(spans)), key=lambda i: overlaps[i])
    if overlaps[best] > 0:
        return best
    mid = (x0 + x1) / 2
    return min(range(len(spans)), key=lambda i: abs((spans[i][0] + spans[i][1]) / 2 - mid))
