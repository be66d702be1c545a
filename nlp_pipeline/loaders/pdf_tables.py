"""Ruled tables from a page's edges: pdfplumber's table finder ("lines" strategy), re-done on tuples.

pdfplumber's ``TableFinder`` works on edges alone (snap, join, intersections, cells, tables), but
it builds a dict per edge at every step and importing pdfplumber/pdfminer costs a fifth of a
second: the PDF reader uses this copy instead. The arithmetic is pdfplumber's own, step for
step and in its order (snapped positions are ``x + (mean - x)``, a joined edge's height grows
by the difference), so the cells come out equal to the last bit; tests/test_loaders_pdf.py
compares the two on every ruled page of the real and synthetic PDFs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

SNAP = 3.0  # pdfplumber's defaults: snap, join and intersection tolerances, minimal edge length
JOIN = 3.0
INTERSECT = 3.0
MIN_LENGTH = 3.0
PREFILTER = 1.0

# an edge: [x0, top, x1, bottom, length] (length: width of a horizontal one, height of a vertical one)
_Edge = list[float]
Bbox = tuple[float, float, float, float]


@dataclass(frozen=True)
class Row:
    """One row of a table: a cell box per column of the table (None where no cell starts there)."""

    cells: list[Bbox | None]
    bbox: Bbox


@dataclass(frozen=True)
class Table:
    """Cells of one table, and its rows as pdfplumber's ``Table.rows`` gives them."""

    cells: list[Bbox]
    bbox: Bbox
    rows: list[Row]


def find_tables(
    edges: Sequence[dict[str, Any]], *, page_bbox: Bbox, explicit_horizontal: Sequence[float] = ()
) -> list[Table]:
    """``TableFinder(page, {"explicit_horizontal_lines": explicit_horizontal}).tables`` on ``edges``
    (pdfplumber's edge dicts: x0, x1, top, bottom, width, height, orientation)."""
    v = [
        [e["x0"], e["top"], e["x1"], e["bottom"], e["height"]]
        for e in edges
        if e["orientation"] == "v" and e["height"] >= PREFILTER
    ]
    h = [
        [e["x0"], e["top"], e["x1"], e["bottom"], e["width"]]
        for e in edges
        if e["orientation"] == "h" and e["width"] >= PREFILTER
    ]
    x0, _, x1, _ = page_bbox
    h += [[x0, y, x1, y, x1 - x0] for y in explicit_horizontal]
    if not v and not h:
        return []
    v = [e for e in _merge(_snap(v, 0), 0) if e[4] >= MIN_LENGTH]
    h = [e for e in _merge(_snap(h, 1), 1) if e[4] >= MIN_LENGTH]
    cells = _cells(_intersections(v, h))
    return [_table(group) for group in _group(cells)]


def _snap(edges: list[_Edge], axis: int) -> list[_Edge]:
    """``snap_objects``: positions (x0 of verticals, top of horizontals) chained within the
    tolerance move to their cluster's mean; clusters in order, edges in input order inside."""
    if not edges:
        return []
    values = sorted({e[axis] for e in edges})
    cluster: dict[float, int] = {}
    k, last = 0, values[0]
    for val in values:
        if val > last + SNAP:
            k += 1
        cluster[val] = k
        last = val
    groups: list[list[_Edge]] = [[] for _ in range(k + 1)]
    for e in edges:
        groups[cluster[e[axis]]].append(e)
    out: list[_Edge] = []
    for group in groups:
        total = 0.0
        for e in group:
            total += e[axis]
        avg = total / len(group)
        for e in group:
            d = avg - e[axis]
            if axis == 0:
                out.append([e[0] + d, e[1], e[2] + d, e[3], e[4]])
            else:
                out.append([e[0], e[1] + d, e[2], e[3] + d, e[4]])
    return out


def _merge(edges: list[_Edge], axis: int) -> list[_Edge]:
    """``join_edge_group`` per line: edges on one line that touch or overlap within the tolerance
    become one, the first one extended (its length grows by what its end moved)."""
    lo, hi = (1, 3) if axis == 0 else (0, 2)
    by_line: dict[float, list[_Edge]] = {}
    for e in edges:
        by_line.setdefault(e[axis], []).append(e)
    out: list[_Edge] = []
    for pos in sorted(by_line):
        group = sorted(by_line[pos], key=lambda e: e[lo])
        joined = [group[0]]
        for e in group[1:]:
            last = joined[-1]
            if e[lo] <= last[hi] + JOIN:
                if e[hi] > last[hi]:
                    grown = list(last)
                    grown[hi] = e[hi]
                    grown[4] = e[hi] - last[lo] if axis == 1 else last[4] + (e[hi] - last[hi])
                    joined[-1] = grown
            else:
                joined.append(e)
        out.extend(joined)
    return out


_Point = tuple[float, float]
_Meets = dict[_Point, tuple[set[Bbox], set[Bbox]]]


def _intersections(v: list[_Edge], h: list[_Edge]) -> _Meets:
    """``edges_to_intersections``: where a vertical edge meets a horizontal one (within the
    tolerance), with the boxes of the edges meeting there."""
    out: _Meets = {}
    hs = sorted(h, key=lambda e: (e[1], e[0]))
    for ve in sorted(v, key=lambda e: (e[0], e[1])):
        vx, vtop, vbottom = ve[0], ve[1], ve[3]
        vbox = (ve[0], ve[1], ve[2], ve[3])
        for he in hs:
            y = he[1]
            if (
                vtop <= y + INTERSECT
                and vbottom >= y - INTERSECT
                and he[0] - INTERSECT <= vx <= he[2] + INTERSECT
            ):
                got = out.get((vx, y))
                if got is None:
                    got = out[vx, y] = (set(), set())
                got[0].add(vbox)
                got[1].add((he[0], he[1], he[2], he[3]))
    return out


def _cells(meets: _Meets) -> list[Bbox]:
    """``intersections_to_cells``: from each point, the smallest box whose four corners are
    points joined by shared edges (the first point below, then right, that closes one)."""
    cols: dict[float, list[float]] = {}
    rows: dict[float, list[float]] = {}
    for x, y in sorted(meets):
        cols.setdefault(x, []).append(y)
        rows.setdefault(y, []).append(x)
    out: list[Bbox] = []
    for x, y in sorted(meets):
        v_here, h_here = meets[x, y]
        below = [b for b in cols[x] if b > y and not v_here.isdisjoint(meets[x, b][0])]
        if not below:
            continue
        right = [r for r in rows[y] if r > x and not h_here.isdisjoint(meets[r, y][1])]
        found = next(
            (
                (x, y, r, b)
                for b in below
                for r in right
                if (corner := meets.get((r, b))) is not None
                and not corner[0].isdisjoint(meets[r, y][0])
                and not corner[1].isdisjoint(meets[x, b][1])
            ),
            None,
        )
        if found is not None:
            out.append(found)
    return out


def _group(cells: list[Bbox]) -> list[list[Bbox]]:
    """``cells_to_tables``: cells sharing a corner, transitively, make a table; tables of one
    cell are dropped; top to bottom, then left to right by their top-left cell."""
    parent = list(range(len(cells)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[_Point, int] = {}
    for i, (x0, top, x1, bottom) in enumerate(cells):
        for corner in ((x0, top), (x0, bottom), (x1, top), (x1, bottom)):
            j = owner.setdefault(corner, i)
            if j != i:
                a, b = root(i), root(j)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    groups: dict[int, list[Bbox]] = {}
    for i, cell in enumerate(cells):
        groups.setdefault(root(i), []).append(cell)
    tables = [g for g in groups.values() if len(g) > 1]
    tables.sort(key=lambda t: min((c[1], c[0]) for c in t))
    return tables


def _bbox(cells: Sequence[Bbox]) -> Bbox:
    return (
        min(c[0] for c in cells),
        min(c[1] for c in cells),
        max(c[2] for c in cells),
        max(c[3] for c in cells),
    )


def _table(cells: list[Bbox]) -> Table:
    """``Table.rows``: cells by top, one slot per distinct left edge of the table."""
    xs = sorted({c[0] for c in cells})
    by_top: dict[float, dict[float, Bbox]] = {}
    for c in sorted(cells, key=lambda c: (c[1], c[0])):
        by_top.setdefault(c[1], {})[c[0]] = c
    rows = []
    for row in by_top.values():
        slots = [row.get(x) for x in xs]
        rows.append(Row(slots, _bbox([c for c in slots if c is not None])))
    return Table(cells, _bbox(cells), rows)
