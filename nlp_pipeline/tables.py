"""Read 表二/表三/表四 into the official schema: the row reader.

Rows are found by their labels (fuzzy-matched to the official wording), columns by their header
labels; position is used only inside a row whose header was understood, because real tables lose
rows, split and merge cells. All tables of the document are read as one stream of rows so a table
split across pages (or several tables flattened into one text block) reads the same as a whole one.

The stages of reading, one module each: ``cell_values`` (raw text → value and kind),
``table_labels`` (labels and headers → schema ids), ``table_rows`` (grid row → labels and values,
values → columns), this module (which table a row is in, and what it adds to the cells, row by
row) and ``table_findings`` (template and missing cells).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from .cell_values import normalize_cell_text, parse_cell
from .document import Document
from .result import CellValue, Finding, Section
from .schema import T4_BLOCKS, T4_COLUMNS, _active_rows, all_cell_ids, application_rows
from .table_findings import TemplateName, missing, ordered, template_of
from .table_labels import (
    _ACTIVE_COL_CHOICES,
    _ACTIVE_ROW_CHOICES,
    _APPLICANT_IDS,
    _COL_TEMPLATE,
    _T4_BLOCK_KEYS,
    _T4_COL_IDS,
    _active_col_hit,
    _active_col_typo,
    _applicant_header,
    _closeness,
    _default_active_cols,
    _t4_block_named,
    active_row,
    applicant_columns_in,
    apply_group,
    apply_item,
    label_key,
    t4_columns_in,
)
from .table_rows import _assign, _Cell, _fit, _group_label_in, _has_number, _make_row, _Row, _table_of

# kept importable from here: the names callers used before the reader was split
__all__ = [
    "TableResult",
    "TemplateName",
    "applicant_columns_in",
    "label_key",
    "normalize_cell_text",
    "parse_cell",
    "read_tables",
    "t4_columns_in",
]


@dataclass(frozen=True, slots=True)
class TableResult:
    template: TemplateName | None
    cells: dict[str, CellValue] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()


@dataclass
class _State:
    cells: dict[str, CellValue] = field(default_factory=dict)
    table: str = ""
    active_cols: list[str] = field(default_factory=list)
    active_header: dict[int, str] = field(default_factory=dict)
    active_header_table: str = ""
    apply_header_table: str = ""
    text_grid: bool = False  # rows rebuilt from text: no merged cells, a short row lost cells
    active_style: set[str] = field(default_factory=set)
    apply_header: dict[int, str] = field(default_factory=dict)
    apply_group: str = ""
    apply_last: str = ""
    other_style: set[str] = field(default_factory=set)
    apply_pending: str = ""
    active_pending: str = ""
    active_last: str = ""
    active_deferred: tuple[_Row, str] | None = None
    apply_deferred: tuple[_Row, str] | None = None
    t4_blocks: list[str] = field(default_factory=list)
    t4_cols: list[str] = field(default_factory=list)
    t4_caption: str = ""

    def put(self, cid: str, cell: _Cell, origin: str) -> None:
        if cid not in all_cell_ids():
            return
        old = self.cells.get(cid)
        if old is not None and old.kind != "blank":
            return
        self.cells[cid] = parse_cell(cell.text, origin=f"{origin}c{cell.cols[0]}")


def _split_fits(st: _State, row: _Row) -> bool:
    """Whether values split out of one cell are as many as the row's columns (7 for a 表三 row, 15
    for 表四's one row or 5 for a block's row, the columns of the 表二 row its label names)."""
    n = len(row.values)
    if st.table == "applications":
        return n == len(_APPLICANT_IDS)
    if st.table == "review":
        named = any(_t4_block_named(t) for t in row.labels)
        return n == len(T4_BLOCKS) * len(_T4_COL_IDS) if not row.labels else named and n == len(_T4_COL_IDS)
    if st.table == "active":
        row_id = next((r for t in reversed(row.labels) if (r := active_row(label_key(t)))), None)
        return row_id is not None and n == len(_active_cols_for(st, row_id)[0])
    return False


def _row_kind(row: _Row) -> str:
    """Which table a row announces itself as part of ('' when it does not)."""
    keys = [label_key(c.text) for c in row.cells]
    joined = "".join(keys)
    if any(k.startswith("结果维持") or k in ("行政复议", "复议后起诉", "未经复议直接起诉") for k in keys):
        return "review"
    if not _has_number(row) and sum(1 for c in row.cells if t4_columns_in(c.text, typos=True)) >= 3:
        return "review"  # a header of typo'd outcome names ("结果维特", "尚未审洁")
    if "信息内容" in keys or any(_ACTIVE_COL_CHOICES.get(k) for k in keys) or "第二十条" in joined:
        return "active"
    if not _has_number(row) and sum(1 for k in keys if len(k) >= 4 and _active_col_typo(k)) >= 2:
        return "active"
    if sum(len(n) for n in _applicant_header(row.cells)) >= 2 or "申请人情况" in joined:
        return "applications"
    if any(active_row(label_key(t), cutoff=90.0) for t in row.labels):
        return "active"
    if any(label_key(t).startswith(("本年新收", "上年结转")) for t in row.labels):
        return "applications"
    numbers = [v for v in row.values if parse_cell(v.text).kind == "number"]
    if not row.labels and len(numbers) == len(T4_BLOCKS) * len(T4_COLUMNS):
        return "review"
    return ""



def _read_active(st: _State, row: _Row) -> None:
    header_ids: list[str] = []
    header_pos: dict[int, str] = {}
    hits = [_active_col_hit(label_key(c.text)) for c in row.cells]
    for c, hit in zip(row.cells, hits, strict=True):
        if hit and sum(1 for h in hits if h and h[0] == hit[0]) > 1 and _ACTIVE_COL_CHOICES.get(
            label_key(c.text)
        ) != hit:
            hit = None  # a typo'd header that another header cell also claims: never one column twice
        if hit:
            cid, _ = hit
            if cid not in header_ids:
                header_ids.append(cid)
            for col in c.cols:
                header_pos[col] = cid
            if cid in _COL_TEMPLATE:
                st.active_style.add(_COL_TEMPLATE[cid])
    if header_ids:
        st.active_cols, st.active_header = header_ids, header_pos
        st.active_header_table = _table_of(row)
        return
    has_values = any(v.text.strip() for v in row.values)
    own = "".join(label_key(t) for t in row.labels if "第二十条" not in label_key(t))
    row_id = None
    for t in reversed(row.labels):
        row_id = active_row(label_key(t))
        if row_id:
            break
    pending, st.active_pending = st.active_pending, ""
    if st.active_deferred is not None:
        deferred, label = st.active_deferred
        st.active_deferred = None
        target = active_row(label + own) if not has_values and own else None
        _place_active(st, deferred, target or _next_active(st))
        if target:
            return
    if not has_values:
        if not _blank_active_row(st, row):
            st.active_pending = own
        return
    if pending and own:
        row_id = active_row(pending + own) or row_id
    if row_id is None and own:
        st.active_deferred = (row, own)
        return
    _place_active(st, row, row_id if row.labels else _next_active(st))


def _blank_active_row(st: _State, row: _Row) -> bool:
    """A 表二 row left blank under its own label (all its value cells present and empty): blank
    cells, not lost ones. The label must be the row's whole label (a piece of a label broken over
    lines is kept for the next line instead)."""
    if not row.labels or not row.values:
        return False
    row_id = active_row(label_key(row.labels[-1]), cutoff=_BLANK_ROW_CUTOFF)
    if row_id is None or any(k.startswith(row_id + ".") for k in st.cells):
        return False
    cols, header = _active_cols_for(st, row_id)
    placed = _assign(row.values, cols, header, partial=False)
    if not cols or set(placed) != set(cols):
        return False
    for cid, v in placed.items():
        st.put(f"{row_id}.{cid}", v, row.origin)
    st.active_last = row_id
    return True


# a blank row has no numbers to confirm its label: only a near-whole label places it
_BLANK_ROW_CUTOFF = 90.0


def _place_active(st: _State, row: _Row, row_id: str | None) -> None:
    if row_id is None:
        return
    if row_id in ("active.other_services", "active.procurement"):
        st.active_style.add("2019")
    cols, header = _active_cols_for(st, row_id)
    placed = _assign(row.values, cols, header, partial=_partial_ok(st, row, st.active_header_table))
    for cid, v in placed.items():
        st.put(f"{row_id}.{cid}", v, row.origin)
    if placed:
        st.active_last = row_id


def _active_cols_for(st: _State, row_id: str) -> tuple[list[str], dict[int, str]]:
    """Columns of a 表二 row: the header's, unless no header above names them (lost, or another
    row group's): then the form's."""
    if any(f"{row_id}.{c}" in all_cell_ids() for c in st.active_cols):
        return st.active_cols, st.active_header
    return _default_active_cols(row_id, st.active_style), {}


def _partial_ok(st: _State, row: _Row, header_table: str) -> bool:
    """Whether a row with fewer values than columns may be placed by the header's grid positions:
    only under its own table's header (positions line up inside one table), and not in rows
    rebuilt from text, where a short row lost cells and which ones is unknown."""
    return not st.text_grid and _table_of(row) == header_table


def _next_active(st: _State) -> str | None:
    """A 表二 row that lost its label takes the next official row whose columns the header names."""
    tpl = "2019" if st.active_style == {"2019"} else "2021"
    rows = _active_rows(tpl)  # type: ignore[arg-type]
    order = [rid for rid, _, _ in rows]
    i = order.index(st.active_last) + 1 if st.active_last in order else 0
    for rid, _, cols in rows[i:]:
        if any(c in st.active_cols for c, _ in cols) or not st.active_cols:
            return None if any(k.startswith(rid + ".") for k in st.cells) else rid
    return None


def _flush_active(st: _State) -> None:
    if st.active_deferred is not None:
        deferred, _ = st.active_deferred
        st.active_deferred = None
        _place_active(st, deferred, _next_active(st))


def _read_applications(st: _State, row: _Row) -> None:
    header_cols: dict[int, str] = {}
    n_named = 0
    for c, named in zip(row.cells, _applicant_header(row.cells), strict=True):
        # enumerated row labels ("3.其他", "（六）其他处理") name no column heading
        n_named += len(named)
        if len(named) == 1:
            for col in c.cols:
                header_cols[col] = named[0]
    if n_named >= 2 and not any(parse_cell(v.text).kind == "number" for v in row.values):
        merged = dict(st.apply_header)
        conflict = any(merged.get(k, v) != v for k, v in header_cols.items())
        merged.update(header_cols)
        st.apply_header = {} if conflict else merged
        st.apply_header_table = _table_of(row)
        return
    has_values = any(v.text.strip() for v in row.values)
    row_id, own_label = _apply_row_id(st, row)
    if st.apply_deferred is not None:
        deferred, label = st.apply_deferred
        st.apply_deferred = None
        target = apply_item(label + own_label) if not has_values and own_label else None
        _place_apply(st, deferred, target or _next_unlabelled(st))
        if target:
            st.apply_pending = ""
            return
    if row_id is None and has_values and own_label:
        # numbers under a label we cannot read yet: the next line may finish the label
        st.apply_deferred = (row, own_label)
        return
    if row_id is not None and not has_values:
        placed = _assign(row.values, _APPLICANT_IDS, st.apply_header, partial=False)
        if set(placed) != set(_APPLICANT_IDS):
            return
    _place_apply(st, row, row_id)


def _place_apply(st: _State, row: _Row, row_id: str | None) -> None:
    if row_id is None:
        return
    placed = _assign(
        row.values, _APPLICANT_IDS, st.apply_header, partial=_partial_ok(st, row, st.apply_header_table)
    )
    for cid, v in placed.items():
        st.put(f"{row_id}.{cid}", v, row.origin)
    if placed:
        st.apply_last = row_id


def _flush_apply(st: _State) -> None:
    if st.apply_deferred is not None:
        deferred, _ = st.apply_deferred
        st.apply_deferred = None
        _place_apply(st, deferred, _next_unlabelled(st))


_ORDER_2021 = [r.id for r in application_rows("2021")]
_ORDER_2019 = [r.id for r in application_rows("2019")]


def _apply_row_id(st: _State, row: _Row) -> tuple[str | None, str]:
    """The 表三 row id from the row's labels (group cells set the context for sub-items), and the
    row's own label text (without group headings)."""
    has_values = any(v.text.strip() for v in row.values)
    pending, st.apply_pending = st.apply_pending, ""
    item: str | None = None
    rest: list[str] = []
    for t in row.labels:
        key = label_key(t)
        group = apply_group(key)
        if group and group != "outcomes":
            st.apply_group = group
            continue
        if group == "outcomes":
            continue
        rest.append(key)
        hit = apply_item(key)
        if hit:
            item = hit
    own = "".join(rest)
    if len(rest) > 1 and item is not None:
        joined_item = apply_item(own)
        if joined_item and joined_item != item and _closeness(own, joined_item) > _closeness(rest[-1], item):
            item = joined_item
    if not has_values:
        blank = _blank_apply_item(st, row, rest, item)
        if blank is not None:
            return blank, own
        # a label broken over lines: keep its start for the row that carries the numbers
        st.apply_pending = own
        return None, own
    if pending and (own or not row.labels):
        joined = apply_item(pending + own)
        if joined and f"{joined}.natural" not in st.cells:
            item = joined
    if item == "apply.other.other" and st.apply_group not in ("other", ""):
        item = None
    if (
        item is None
        and not own
        and _has_number(row)
        and not any(apply_group(label_key(t)) == "other" for t in row.labels)
    ):
        return _next_unlabelled(st), own
    if item is None:
        if st.apply_group == "other" and _group_label_in(row, "其他处理"):
            st.other_style.add("2019")
            return "apply.other", own
        return None, own
    if item.startswith("apply.other."):
        st.other_style.add("2021")
    if not item.startswith(("apply.denied.", "apply.unable.", "apply.rejected.", "apply.other.")):
        st.apply_group = ""
    return item, own


def _blank_apply_item(st: _State, row: _Row, rest: Sequence[str], item: str | None) -> str | None:
    """The 表三 row a row left blank under its own label is (all seven value cells present and
    empty), or None: the label must be near-whole (a piece of a broken label is not a row), and
    "（六）其他处理" alone is the 2019 form's one row."""
    if len(row.values) < len(_APPLICANT_IDS) or not row.labels:
        return None
    if item is not None and rest:
        whole = apply_item(rest[-1], cutoff=_BLANK_ROW_CUTOFF)
        if whole != item or f"{item}.natural" in st.cells:
            return None
        if item.startswith("apply.other."):
            st.other_style.add("2021")
        if not item.startswith(("apply.denied.", "apply.unable.", "apply.rejected.", "apply.other.")):
            st.apply_group = ""
        return item
    if not rest and st.apply_group == "other" and _group_label_in(row, "其他处理"):
        st.other_style.add("2019")
        return "apply.other"
    return None


def _next_unlabelled(st: _State) -> str | None:
    """A row that lost its label (PDF lines) takes the next official row, if that one is still empty."""
    single = st.other_style == {"2019"} or (not st.other_style and st.active_style == {"2019"})
    order = _ORDER_2019 if single else _ORDER_2021
    if st.apply_last and st.apply_last not in order:
        return None
    i = order.index(st.apply_last) + 1 if st.apply_last else 0
    if i >= len(order):
        return None
    nxt = order[i]
    if f"{nxt}.natural" in st.cells:
        return None
    return nxt


def _read_review(st: _State, row: _Row) -> None:
    keys = [label_key(c.text) for c in row.cells]
    blocks_here = [(k.find(bkey), bid) for k in ["|".join(keys)] for bkey, bid in _T4_BLOCK_KEYS if bkey in k]
    cols_here = [cid for c in row.cells for cid in t4_columns_in(c.text)]
    if len(set(cols_here)) < len(_T4_COL_IDS):
        typo_cols = [cid for c in row.cells for cid in t4_columns_in(c.text, typos=True)]
        if len(set(typo_cols)) > len(set(cols_here)) and len(set(typo_cols)) >= 3:
            cols_here = typo_cols
    numeric = [v for v in row.values if parse_cell(v.text).kind in ("number", "number_with_note")]
    if blocks_here and not cols_here and not numeric and len(row.labels) == 1 and row.values:
        # "行政复议" then its blank cells: a block's row left blank, not a header
        block = _t4_block_named(row.labels[0])
        cols = st.t4_cols or list(_T4_COL_IDS)
        if block is not None and _fit(row.values, len(cols)) is not None:
            _blank_review_row(st, row, block, cols)
            return
    if (blocks_here or cols_here) and not numeric:
        st.t4_blocks += [b for _, b in sorted(blocks_here) if b not in st.t4_blocks]
        if len(set(cols_here)) == len(_T4_COL_IDS) and not st.t4_cols:
            first: list[str] = []
            for cid in cols_here:
                if cid not in first:
                    first.append(cid)
            st.t4_cols = first
        return
    cols = st.t4_cols or list(_T4_COL_IDS)
    label_block = next((b for t in row.labels if (b := _t4_block_named(t))), None)
    if not any(v.text.strip() for v in row.values):
        _blank_review_row(st, row, label_block, cols)
        return
    if label_block is None and not row.labels and _fit(row.values, len(cols)) is not None:
        label_block = st.t4_caption or None
    if label_block:
        fitted = _fit(row.values, len(cols))
        if fitted is not None:
            for cid, v in zip(cols, fitted, strict=True):
                st.put(f"{label_block}.{cid}", v, row.origin)
        return
    blocks = st.t4_blocks if len(st.t4_blocks) == len(T4_BLOCKS) else [b for b, _ in T4_BLOCKS]
    fitted = _fit(row.values, len(blocks) * len(cols))
    if fitted is None:
        return
    for bi, bid in enumerate(blocks):
        for ci, cid in enumerate(cols):
            st.put(f"{bid}.{cid}", fitted[bi * len(cols) + ci], row.origin)


def _blank_review_row(st: _State, row: _Row, label_block: str | None, cols: list[str]) -> None:
    """表四 left blank: a block's row under its label, or the one row of fifteen cells under a
    header that named every column (no cases). Blank cells give way to numbers a later row has."""
    if label_block is not None:
        fitted = _fit(row.values, len(cols))
        for cid, v in zip(cols, fitted or (), strict=False):
            st.put(f"{label_block}.{cid}", v, row.origin)
        return
    if row.labels or not st.t4_cols:
        return
    blocks = st.t4_blocks if len(st.t4_blocks) == len(T4_BLOCKS) else [b for b, _ in T4_BLOCKS]
    fitted = _fit(row.values, len(blocks) * len(cols))
    for i, v in enumerate(fitted or ()):
        st.put(f"{blocks[i // len(cols)]}.{cols[i % len(cols)]}", v, row.origin)


_LOOSE_RE = re.compile(r"^([^\d|]+?)\s*([+-]?\d+(?:\.\d+)?)$")


def _loose_active_value(text: str, origin: str) -> list[tuple[str, _Cell, str]]:
    """A 表二 row that a PDF extractor left as a line of text ("行政许可 97"): only the official
    label exactly, then one number, so prose never reads as a cell (row id, value, origin)."""
    m = _LOOSE_RE.match(normalize_cell_text(text))
    if m is None:
        return []
    row_id = _ACTIVE_ROW_CHOICES.get(label_key(m.group(1)))
    if row_id is None:
        return []
    return [(row_id, _Cell(m.group(2), (0,)), origin)]


def read_tables(doc: Document, sections: Sequence[Section], *, year: int | None = None) -> TableResult:
    """Cells of 表二/表三/表四 by official id, the template they follow, and structure findings.

    ``year`` is the year the report covers, as the metadata stage found it (``sections.
    extract_metadata``): a 2019-format table in a report for 2021 or later (or the reverse) is a
    template deviation. None (unknown) skips that check; the tables are not read differently.
    ``sections`` is part of the stage interface but not needed: the tables announce themselves by
    their own labels, which also works when a report's headings are missing or misnumbered.
    """
    st = _State(text_grid=doc.format in ("txt", "md"))
    loose: list[tuple[str, _Cell, str]] = []
    for bi, block in enumerate(doc.blocks):
        if block.table is None:
            if len(block.text) <= 40:
                st.t4_caption = _t4_block_named(block.text) or st.t4_caption
                loose += _loose_active_value(block.text, f"text@{block.start}")
            continue
        base = block.table.origin or block.origin or f"table{bi}"
        for r, grid_row in enumerate(block.table.rows):
            row = _make_row(grid_row, f"{base}#r{r}")
            if not row.cells:
                continue
            kind = _row_kind(row)
            if kind and kind != st.table:
                _flush_apply(st)
                _flush_active(st)
                if kind == "applications":
                    st.apply_group = ""
                st.table = kind
            if row.whole is not None and not _split_fits(st, row):
                # numbers that do not fit the columns: unread (missing), never a blank row
                row = _Row(row.whole.cells, row.origin, row.whole.labels, ())
            if st.table == "active":
                _read_active(st, row)
            elif st.table == "applications":
                _read_applications(st, row)
            elif st.table == "review":
                _read_review(st, row)
    _flush_apply(st)
    _flush_active(st)
    for row_id, cell, origin in loose:
        cols = _default_active_cols(row_id, st.active_style)
        # one number fills a row only where the form has one column (not the 2019 three)
        if len(cols) == 1 and f"{row_id}.{cols[0]}" not in st.cells:
            st.put(f"{row_id}.{cols[0]}", cell, origin)
    template, findings = template_of(
        st.cells, active_style=st.active_style, other_style=st.other_style, year=year
    )
    findings = [*findings, *missing(st.cells, template)]
    return TableResult(template=template, cells=ordered(st.cells), findings=tuple(findings))
