"""Read 表二/表三/表四 into the official schema.

Rows are found by their labels (fuzzy-matched to the official wording), columns by their header
labels; position is used only inside a row whose header was understood, because real tables lose
rows, split and merge cells. All tables of the document are read as one stream of rows so a table
split across pages (or several tables flattened into one text block) reads the same as a whole one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from .document import Document, GridCell
from .result import CellValue, Finding, Section
from .rules import Rule
from .schema import (
    APPLICANT_COLUMNS,
    T4_BLOCKS,
    T4_COLUMNS,
    _active_rows,
    all_cell_ids,
    application_rows,
)
from .sections import extract_metadata

TemplateName = Literal["2019", "2021", "mixed"]


@dataclass(frozen=True, slots=True)
class TableResult:
    template: TemplateName | None
    cells: dict[str, CellValue] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()


# ---------------------------------------------------------------- cell values

_DASH_RE = re.compile(r"^[-—–－/\\~～_]+$")
_NUM_RE = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
_LEAD_NUM_RE = re.compile(r"^([+-]?\d+(?:\.\d+)?)(?![.、．]\s*[\u4e00-\u9fff])\s*(\S.*)$")
_THOUSANDS_RE = re.compile(r"(?<=\d)[,，](?=\d{3}(?:\D|$))")
_TEXT_VALUES = frozenset({"不适用", "无", "暂无", "空", "不涉及", "没有", "未发生", "零"})


def normalize_cell_text(raw: str) -> str:
    """NFKC (full-width digits and brackets, Kangxi radicals) and collapsed whitespace."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", raw)).strip()


def parse_cell(raw: str, *, origin: str = "") -> CellValue:
    """Classify one table cell; keeps the raw text so nothing the report said is lost."""
    text = normalize_cell_text(raw)
    compact = _THOUSANDS_RE.sub("", text.replace(" ", ""))
    if not compact:
        return CellValue(value=None, raw=raw, kind="blank", origin=origin)
    if _DASH_RE.match(compact):
        return CellValue(value=None, raw=raw, kind="dash", origin=origin)
    if _NUM_RE.match(compact):
        return CellValue(value=float(compact), raw=raw, kind="number", origin=origin)
    m = _LEAD_NUM_RE.match(compact)
    if m:
        return CellValue(value=float(m.group(1)), raw=raw, kind="number_with_note", origin=origin)
    return CellValue(value=None, raw=raw, kind="text", origin=origin)


# ---------------------------------------------------------------- labels

_ENUM_RE = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]|\(?[一二三四五六七八九十]+\)|\d+[.、．)]|第[一二三四五六七八九十]+[、.])+"
)
_PUNCT_RE = re.compile(r"[\s\"'“”‘’()（）\[\]【】,，.。:：;；、/《》<>!！?？\-—_]+")
_CJK_RE = re.compile(r"[\u4e00-\u9fff]")
_ITEM_LABEL_RE = re.compile(r"^\s*[\(（]?[0-9０-９一二三四五六七八九十]+[)）.、．]\s*[\u4e00-\u9fff]")


def label_key(text: str) -> str:
    """The comparable core of a label: no enumerator, punctuation or spaces."""
    t = normalize_cell_text(text)
    t = _ENUM_RE.sub("", t.replace(" ", ""))
    return _PUNCT_RE.sub("", t)


def _is_label(text: str) -> bool:
    t = normalize_cell_text(text).replace(" ", "")
    if not t or t in _TEXT_VALUES or not _CJK_RE.search(t):
        return False
    if _ITEM_LABEL_RE.match(t):
        return True
    return parse_cell(t).kind not in ("number", "number_with_note")


def _best(key: str, choices: dict[str, str], *, cutoff: float = 82.0) -> str | None:
    """Fuzzy-match a label key against ``choices`` (key → id); exact, then ratio, then a prefix."""
    if not key:
        return None
    if key in choices:
        return choices[key]
    hit = process.extractOne(key, list(choices), scorer=fuzz.ratio, processor=None, score_cutoff=cutoff)
    if hit is not None:
        return choices[hit[0]]
    if len(key) >= 6:
        hit = process.extractOne(
            key, list(choices), scorer=fuzz.partial_ratio, processor=None, score_cutoff=95.0
        )
        if hit is not None and len(hit[0]) >= len(key) * 0.8 and len(hit[0]) >= 6:
            return choices[hit[0]]
    return None


_ACTIVE_ROW_CHOICES: dict[str, str] = {}
_ACTIVE_COL_CHOICES: dict[str, tuple[str, str]] = {}
for _tpl in ("2021", "2019"):
    for _rid, _rlabel, _cols in _active_rows(_tpl):  # type: ignore[arg-type]
        _ACTIVE_ROW_CHOICES[label_key(_rlabel)] = _rid
        for _cid, _clabel in _cols:
            _ACTIVE_COL_CHOICES.setdefault(label_key(_clabel), (_cid, _tpl))
_ACTIVE_COL_CHOICES[label_key("本年收费金额")] = ("amount_wan", "2021")
_ACTIVE_COL_CHOICES[label_key("本年增减")] = ("delta", "2019")
_COL_TEMPLATE = {cid: tpl for cid, tpl in _ACTIVE_COL_CHOICES.values() if cid != "decisions"}

_GROUPS = {"不予公开": "denied", "无法提供": "unable", "不予处理": "rejected", "其他处理": "other"}
_APPLY_ITEMS: dict[str, str] = {}
for _tpl in ("2021", "2019"):
    for _row in application_rows(_tpl):  # type: ignore[arg-type]
        if _row.id != "apply.other":
            _APPLY_ITEMS.setdefault(label_key(_row.label), _row.id)
_APPLY_ITEMS[label_key("部分公开")] = "apply.partial"
_APPLY_ITEMS[label_key("总计")] = "apply.total_processed"
_APPLY_ITEMS[label_key("结转下年度继续办理")] = "apply.carried_forward"
_APPLY_GROUP_CHOICES = {label_key(k): v for k, v in _GROUPS.items()} | {
    label_key("本年度办理结果"): "outcomes"
}

_APPLICANT_LABELS: tuple[tuple[str, str], ...] = tuple(
    (label_key(lbl), cid) for cid, lbl in APPLICANT_COLUMNS
)
_APPLICANT_IDS: tuple[str, ...] = tuple(cid for cid, _ in APPLICANT_COLUMNS)
_T4_COL_KEYS: tuple[tuple[str, str], ...] = tuple((label_key(lbl), cid) for cid, lbl in T4_COLUMNS)
_T4_COL_IDS: tuple[str, ...] = tuple(cid for cid, _ in T4_COLUMNS)
_T4_BLOCK_KEYS: tuple[tuple[str, str], ...] = (
    ("行政复议", "review"),
    ("未经复议直接起诉", "litigation_direct"),
    ("复议后起诉", "litigation_after_review"),
)


def _one_typo(key: str, labels: Sequence[str]) -> str | None:
    """The one label ``key`` is a one-character typo of (a near-form or homophone character, one
    character missing or added), None when none is or when two are equally near (never guess)."""
    if not key or not _CJK_RE.search(key):
        return None
    near = [
        lbl
        for lbl in labels
        if abs(len(lbl) - len(key)) <= 1
        and Levenshtein.distance(key, lbl, processor=None, score_cutoff=1) <= 1
    ]
    return near[0] if len(near) == 1 else None


_APPLICANT_GROUP_KEYS = (label_key("法人或其他组织"), label_key("申请人情况"))
_APPLICANT_KEY_IDS = dict(_APPLICANT_LABELS)


def _applicant_header(cells: Sequence[_Cell]) -> list[list[str]]:
    """Applicant column ids each cell of a header row names. Exact names first; a cell naming none
    is then matched as a one-character typo of a column not yet named, one-to-one (a column two
    cells could be is given to neither); a two-character name ("其它", "总记") only beside another
    named cell, since alone it could be anything."""
    out: list[list[str]] = []
    loose: list[tuple[int, str]] = []
    for i, c in enumerate(cells):
        text = normalize_cell_text(c.text).replace(" ", "")
        key = label_key(text)
        if not key or _ENUM_RE.match(text) or parse_cell(text).kind in ("number", "number_with_note"):
            out.append([])
            continue
        if _one_typo(key, _APPLICANT_GROUP_KEYS) and key not in _APPLICANT_GROUP_KEYS:
            out.append([])  # "法人或其他组识": a typo'd group heading, not the column 其他
            continue
        named = applicant_columns_in(c.text)
        out.append(named)
        if not named and len(key) <= 8:
            hit = _one_typo(key, list(_APPLICANT_KEY_IDS))
            if hit is not None:
                loose.append((i, _APPLICANT_KEY_IDS[hit]))
    taken = {cid for named in out for cid in named}
    counts: dict[str, int] = {}
    for _, cid in loose:
        counts[cid] = counts.get(cid, 0) + 1
    loose = [(i, cid) for i, cid in loose if cid not in taken and counts[cid] == 1]
    long_named = len(taken) + sum(1 for _, cid in loose if len(_key_of(cid)) > 2)
    for i, cid in loose:
        if len(_key_of(cid)) > 2 or long_named >= 1:
            out[i] = [cid]
    return out


def _key_of(cid: str) -> str:
    return next(k for k, v in _APPLICANT_KEY_IDS.items() if v == cid)


def applicant_columns_in(text: str) -> list[str]:
    """Applicant column ids named in one header cell, in text order ("商业 企业" counts)."""
    key = label_key(text).replace("法人或其他组织", "").replace("申请人情况", "")
    found: list[tuple[int, str]] = []
    for lkey, cid in _APPLICANT_LABELS:
        i = key.find(lkey)
        if i >= 0:
            found.append((i, cid))
    return [cid for _, cid in sorted(found)]


def t4_columns_in(text: str, *, typos: bool = False) -> list[str]:
    """表四 column ids named in one header cell, in text order; ``typos``: a cell naming none may
    be a one-character typo of one column name (the caller keeps that to header rows)."""
    key = label_key(text)
    out: list[tuple[int, str]] = []
    for lkey, cid in _T4_COL_KEYS:
        out += [(m.start(), cid) for m in re.finditer(re.escape(lkey), key)]
    if not out and typos and len(key) <= 6:
        hit = _one_typo(key, [k for k, _ in _T4_COL_KEYS])
        if hit is not None:
            out.append((0, dict(_T4_COL_KEYS)[hit]))
    return [cid for _, cid in sorted(out)]


# ---------------------------------------------------------------- rows


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


# ---------------------------------------------------------------- reader state


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
        row_id = next((r for t in reversed(row.labels) if (r := _best(label_key(t), _ACTIVE_ROW_CHOICES))), None)
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
    if any(_best(label_key(t), _ACTIVE_ROW_CHOICES, cutoff=90.0) for t in row.labels):
        return "active"
    if any(label_key(t).startswith(("本年新收", "上年结转")) for t in row.labels):
        return "applications"
    numbers = [v for v in row.values if parse_cell(v.text).kind == "number"]
    if not row.labels and len(numbers) == len(T4_BLOCKS) * len(T4_COLUMNS):
        return "review"
    return ""


def _t4_block_named(text: str) -> str | None:
    """The 表四 block a caption or label names (the litigation ones first: they contain 复议)."""
    key = label_key(text)
    for bkey, bid in (_T4_BLOCK_KEYS[1], _T4_BLOCK_KEYS[2], _T4_BLOCK_KEYS[0]):
        if bkey in key:
            return bid
    return None


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
        row_id = _best(label_key(t), _ACTIVE_ROW_CHOICES)
        if row_id:
            break
    pending, st.active_pending = st.active_pending, ""
    if st.active_deferred is not None:
        deferred, label = st.active_deferred
        st.active_deferred = None
        target = _best(label + own, _ACTIVE_ROW_CHOICES) if not has_values and own else None
        _place_active(st, deferred, target or _next_active(st))
        if target:
            return
    if not has_values:
        if not _blank_active_row(st, row):
            st.active_pending = own
        return
    if pending and own:
        row_id = _best(pending + own, _ACTIVE_ROW_CHOICES) or row_id
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
    row_id = _best(label_key(row.labels[-1]), _ACTIVE_ROW_CHOICES, cutoff=_BLANK_ROW_CUTOFF)
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


def _table_of(row: _Row) -> str:
    return row.origin.rpartition("#")[0]


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


def _active_col_hit(key: str) -> tuple[str, str] | None:
    """表二 column of a header cell: exact, then close (ratio), then a one-character typo."""
    if not key:
        return None
    return _ACTIVE_COL_CHOICES.get(key) or _best_col(key) or _active_col_typo(key)


def _active_col_typo(key: str) -> tuple[str, str] | None:
    if len(key) < 4 or _has_digit(key):
        return None
    hit = _one_typo(key, list(_ACTIVE_COL_CHOICES))
    return _ACTIVE_COL_CHOICES[hit] if hit is not None else None


def _has_digit(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


def _best_col(key: str) -> tuple[str, str] | None:
    hit = process.extractOne(
        key, list(_ACTIVE_COL_CHOICES), scorer=fuzz.ratio, processor=None, score_cutoff=85.0
    )
    return _ACTIVE_COL_CHOICES[hit[0]] if hit else None


def _default_active_cols(row_id: str, style: set[str]) -> list[str]:
    tpl = "2019" if style == {"2019"} else "2021"
    for rid, _, cols in _active_rows(tpl):  # type: ignore[arg-type]
        if rid == row_id:
            return [c for c, _ in cols]
    for rid, _, cols in _active_rows("2019"):
        if rid == row_id:
            return [c for c, _ in cols]
    return []


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
        target = _best(label + own_label, _APPLY_ITEMS) if not has_values and own_label else None
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


_APPLY_ITEM_KEYS: dict[str, str] = {v: k for k, v in _APPLY_ITEMS.items()}


def _closeness(key: str, item: str) -> float:
    """How much of the official label a label piece covers (a fragment scores low)."""
    return fuzz.ratio(key, _APPLY_ITEM_KEYS.get(item, ""), processor=None, score_cutoff=0.0)


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
        group = _best(key, _APPLY_GROUP_CHOICES, cutoff=90.0)
        if group and group != "outcomes":
            st.apply_group = group
            continue
        if group == "outcomes":
            continue
        rest.append(key)
        hit = _best(key, _APPLY_ITEMS)
        if hit:
            item = hit
    own = "".join(rest)
    if len(rest) > 1 and item is not None:
        joined_item = _best(own, _APPLY_ITEMS)
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
        joined = _best(pending + own, _APPLY_ITEMS)
        if joined and f"{joined}.natural" not in st.cells:
            item = joined
    if item == "apply.other.other" and st.apply_group not in ("other", ""):
        item = None
    if (
        item is None
        and not own
        and _has_number(row)
        and not any(_best(label_key(t), _APPLY_GROUP_CHOICES, cutoff=90.0) == "other" for t in row.labels)
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
        whole = _best(rest[-1], _APPLY_ITEMS, cutoff=_BLANK_ROW_CUTOFF)
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


def _has_number(row: _Row) -> bool:
    return any(parse_cell(v.text).kind in ("number", "number_with_note") for v in row.values)


def _group_label_in(row: _Row, group: str) -> bool:
    return any(label_key(t) == label_key(group) for t in row.labels)


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


def report_year(doc: Document) -> int | None:
    """The year the report covers, as the metadata stage reads it from the title."""
    return extract_metadata(doc).year


def read_tables(doc: Document, sections: Sequence[Section]) -> TableResult:
    """Cells of 表二/表三/表四 by official id, the template they follow, and structure findings.

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
    template, findings = _template(st, report_year(doc))
    findings = [*findings, *_missing(st.cells, template)]
    return TableResult(template=template, cells=_ordered(st.cells), findings=tuple(findings))


def _ordered(cells: dict[str, CellValue]) -> dict[str, CellValue]:
    from .schema import cell_ids

    order = {cid: i for i, cid in enumerate((*cell_ids("2021"), *cell_ids("2019")))}
    return dict(sorted(cells.items(), key=lambda kv: order.get(kv[0], len(order))))


def _template(st: _State, year: int | None) -> tuple[TemplateName | None, list[Finding]]:
    styles = st.active_style | st.other_style
    if not st.cells:
        return None, []
    findings: list[Finding] = []
    if len(styles) > 1:
        parts = []
        if st.active_style:
            parts.append(f"表二 follows the {'/'.join(sorted(st.active_style))} format")
        if st.other_style:
            form = "one row" if st.other_style == {"2019"} else "three sub-rows"
            parts.append(f"表三 '（六）其他处理' is {form}")
        findings.append(
            Finding(
                rule=Rule.TEMPLATE_DEVIATION,
                severity="warning",
                message="the tables mix the 2019 and 2021 formats: " + "; ".join(parts),
                detail={"active": sorted(st.active_style), "other_processing": sorted(st.other_style)},
            )
        )
        return "mixed", findings
    tpl: Literal["2019", "2021"] = "2019" if styles == {"2019"} else "2021"
    if year is not None and (year >= 2021) != (tpl == "2021"):
        expected = "2021" if year >= 2021 else "2019"
        findings.append(
            Finding(
                rule=Rule.TEMPLATE_DEVIATION,
                severity="warning",
                message=f"a {year} report uses the {tpl} table format; the {expected} format applies",
                expected=expected,
                found=tpl,
            )
        )
        return "mixed", findings
    return tpl, findings


_TABLE_NAMES = {"active": "表二 主动公开", "apply": "表三 依申请公开", "t4": "表四 行政复议行政诉讼"}


def _missing(cells: dict[str, CellValue], template: TemplateName | None) -> list[Finding]:
    out: list[Finding] = []
    prefixes = {"active": ("active.",), "apply": ("apply.",), "t4": ("review.", "litigation_")}
    for key, pre in prefixes.items():
        if not any(cid.startswith(pre) for cid in cells):
            out.append(
                Finding(
                    rule=Rule.MISSING_TABLE,
                    severity="error",
                    message=f"{_TABLE_NAMES[key]} was not found or could not be read",
                    detail={"table": key},
                )
            )
    if template in ("2019", "2021"):
        from .schema import cell_ids

        present = [
            cid for cid in cell_ids(template) if any(cid.startswith(p) for p in _present_prefixes(cells))
        ]
        lost = [cid for cid in present if cid not in cells]
        if lost:
            out.append(
                Finding(
                    rule=Rule.MISSING_CELLS,
                    severity="warning",
                    message=f"{len(lost)} cell(s) of the tables could not be read",
                    cells=tuple(lost),
                )
            )
    return out


def _present_prefixes(cells: dict[str, CellValue]) -> tuple[str, ...]:
    pre: list[str] = []
    if any(c.startswith("active.") for c in cells):
        pre.append("active.")
    if any(c.startswith("apply.") for c in cells):
        pre.append("apply.")
    if any(c.startswith(("review.", "litigation_")) for c in cells):
        pre += ["review.", "litigation_"]
    return tuple(pre)
