"""Grid rows → ``_Row``: a row's distinct source cells, split into its labels and its values.

Also the placing of a row's values into column ids (by the header's grid positions or by count),
which knows nothing of which table the row is in.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .cell_values import is_number, normalize_cell_text
from .document import GridCell
from .table_labels import _is_label, label_key


@dataclass(frozen=True, slots=True)
class _Cell:
    text: str
    cols: tuple[int, ...]  # grid columns this source cell covers in the row


@dataclass(frozen=True, slots=True)
class _Row:
    cells: tuple[_Cell, ...]
    origin: str
    labels: tuple[str, ...]
    values: tuple[_Cell, ...]
    whole: _Row | None = None  # the row as published when its values were split out of one cell


def _distinct_cells(row: Sequence[GridCell]) -> list[_Cell]:
    """One entry per source cell (merged cells appear once), in grid order."""
    order: list[tuple[int, int]] = []
    cols: dict[tuple[int, int], list[int]] = {}
    text: dict[tuple[int, int], str] = {}
    for c, gc in enumerate(row):
        if gc.anchor not in cols:
            order.append(gc.anchor)
            cols[gc.anchor] = []
            text[gc.anchor] = gc.text
        cols[gc.anchor].append(c)
    return [_Cell(text[a], tuple(cols[a])) for a in order]


_TOKEN = r"(?:[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?|[+-]?\d+(?:\.\d+)?|[-—–/])"
_TRAILING_VALUES_RE = re.compile(rf"^(.*?)\s*({_TOKEN}(?:\s+{_TOKEN})*)$")
_INNER_ENUM_RE = re.compile(
    r"(?<=[\u4e00-\u9fff])(?=(?:\d+[.、．]|\([一二三四五六七八九十]+\))\s*[\u4e00-\u9fff])"
)


def _make_row(row: Sequence[GridCell], origin: str) -> _Row:
    cells = _distinct_cells(row)
    last_label = -1
    for i, c in enumerate(cells):
        if _is_label(c.text):
            last_label = i
    labels = tuple(c.text for c in cells[: last_label + 1] if c.text.strip())
    plain = _Row(tuple(cells), origin, labels, tuple(cells[last_label + 1 :]))
    return _split_merged(plain) or plain


def _split_merged(row: _Row) -> _Row | None:
    """A row whose label and values a PDF text layer put into one cell ("（五）不予处理1.信访举报投诉类
    申请0 0 0 0 0 0 0", "行政许可0", the rest blank), or whose values all sit in one cell: the label (cut at its
    inner enumerators into group and item) and one value per whitespace-separated token. Only a
    candidate: the reader keeps it where the count of values fits the row's columns."""
    filled = [i for i, c in enumerate(row.cells) if c.text.strip()]
    if not filled:
        return None
    last = row.cells[filled[-1]]
    m = _TRAILING_VALUES_RE.match(normalize_cell_text(last.text))
    if m is None or any(not _is_label(row.cells[i].text) for i in filled[:-1]):
        return None
    head = m.group(1).strip()
    if (head and not _is_label(head)) or (not head and " " not in m.group(2)):
        return None  # one number alone is an ordinary value cell
    labels = [row.cells[i].text for i in filled[:-1]]
    labels += [p for p in _INNER_ENUM_RE.split(head) if p.strip()] if head else []
    values = tuple(_Cell(tok, last.cols) for tok in m.group(2).split())
    return _Row(row.cells, row.origin, tuple(labels), values, whole=row)


def _fit(values: Sequence[_Cell], n: int) -> list[_Cell] | None:
    """Exactly ``n`` values by position, dropping blank padding at the end; None if impossible."""
    vals = list(values)
    while len(vals) > n and not vals[-1].text.strip():
        vals.pop()
    while len(vals) > n and not vals[0].text.strip():
        vals.pop(0)
    if len(vals) > n:
        # a blank column left by merged cells that do not line up with the header (flattened text)
        filled = [v for v in vals if v.text.strip()]
        if len(filled) == n:
            return filled
    return vals if len(vals) == n else None


def _by_header(values: Sequence[_Cell], header: dict[int, str]) -> dict[str, _Cell]:
    """Map values to columns by the grid position of the header labels (first free column covered)."""
    out: dict[str, _Cell] = {}
    for v in values:
        for c in v.cols:
            cid = header.get(c)
            if cid is not None and cid not in out:
                out[cid] = v
                break
    return out


def _assign(
    values: Sequence[_Cell], ids: Sequence[str], header: dict[int, str], *, partial: bool = True
) -> dict[str, _Cell]:
    """Values of one row by column id: by the header's grid positions when they account for every
    value and column, else by position when the count is exact, else (``partial``: the header sits
    in the row's own table, so its grid positions mean something) what the header can place."""
    if header and set(ids) <= set(header.values()):
        placed = {cid: v for cid, v in _by_header(values, header).items() if cid in ids}
        used = {id(v) for v in placed.values()}
        if set(placed) == set(ids) and all(id(v) in used for v in values if v.text.strip()):
            return placed
    fitted = _fit(values, len(ids))
    if fitted is not None:
        return dict(zip(ids, fitted, strict=True))
    if header and partial:
        return {cid: v for cid, v in _by_header(values, header).items() if cid in ids}
    return {}



def _has_number(row: _Row) -> bool:
    return any(is_number(v.text) for v in row.values)


def _group_label_in(row: _Row, group: str) -> bool:
    return any(label_key(t) == label_key(group) for t in row.labels)


def _table_of(row: _Row) -> str:
    return row.origin.rpartition("#")[0]
