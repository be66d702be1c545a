"""Labels → schema ids: the fuzzy matching of row labels and column headers to the official form.

A label is reduced to its ``label_key`` (no enumerator, punctuation or spaces) and matched against
the schema's wording: exactly, then by similarity, then as a one-character typo. Every function
here is pure and works on one label string, so its answers are cached per string: a report repeats
the same labels and the reader asks about each of them several times.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Protocol

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from .cell_values import TEXT_VALUES, is_number, normalize_cell_text
from .schema import APPLICANT_COLUMNS, T4_COLUMNS, _active_rows, application_rows


class _HasText(Protocol):
    @property
    def text(self) -> str: ...


_ENUM_RE = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]|\(?[一二三四五六七八九十]+\)|\d+[.、．)]|第[一二三四五六七八九十]+[、.])+"
)
_PUNCT_RE = re.compile(r"[\s\"'“”‘’()（）\[\]【】,，.。:：;；、/《》<>!！?？\-—_]+")
_CJK_RE = re.compile(r"[\u4e00-\u9fff]")
_ITEM_LABEL_RE = re.compile(r"^\s*[\(（]?[0-9０-９一二三四五六七八九十]+[)）.、．]\s*[\u4e00-\u9fff]")


@lru_cache(maxsize=65536)
def label_key(text: str) -> str:
    """The comparable core of a label: no enumerator, punctuation or spaces."""
    t = normalize_cell_text(text)
    t = _ENUM_RE.sub("", t.replace(" ", ""))
    return _PUNCT_RE.sub("", t)


@lru_cache(maxsize=65536)
def _is_label(text: str) -> bool:
    t = normalize_cell_text(text).replace(" ", "")
    if not t or t in TEXT_VALUES or not _CJK_RE.search(t):
        return False
    if _ITEM_LABEL_RE.match(t):
        return True
    return not is_number(t)


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


@lru_cache(maxsize=16384)
def active_row(key: str, *, cutoff: float = 82.0) -> str | None:
    """The 表二 row id a label key names (``_best`` over the official row labels)."""
    return _best(key, _ACTIVE_ROW_CHOICES, cutoff=cutoff)


@lru_cache(maxsize=16384)
def apply_item(key: str, *, cutoff: float = 82.0) -> str | None:
    """The 表三 row id a label key names (``_best`` over the official row labels)."""
    return _best(key, _APPLY_ITEMS, cutoff=cutoff)


@lru_cache(maxsize=16384)
def apply_group(key: str) -> str | None:
    """The 表三 group heading ("不予公开", …, or "outcomes") a label key names, near-exactly."""
    return _best(key, _APPLY_GROUP_CHOICES, cutoff=90.0)


_ACTIVE_ROW_CHOICES: dict[str, str] = {}
_ACTIVE_COL_CHOICES: dict[str, tuple[str, str]] = {}
for _tpl in ("2021", "2019"):
    for _rid, _rlabel, _cols in _active_rows(_tpl):
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
_APPLICANT_KEYS = tuple(_APPLICANT_KEY_IDS)


def _applicant_header(cells: Sequence[_HasText]) -> list[list[str]]:
    """Applicant column ids each cell of a header row names. Exact names first; a cell naming none
    is then matched as a one-character typo of a column not yet named, one-to-one (a column two
    cells could be is given to neither); a two-character name ("其它", "总记") only beside another
    named cell, since alone it could be anything."""
    return [list(named) for named in _applicant_header_of(tuple(c.text for c in cells))]


@lru_cache(maxsize=4096)
def _applicant_header_of(texts: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    out: list[list[str]] = []
    loose: list[tuple[int, str]] = []
    for i, raw in enumerate(texts):
        text = normalize_cell_text(raw).replace(" ", "")
        key = label_key(text)
        if not key or _ENUM_RE.match(text) or is_number(text):
            out.append([])
            continue
        if _one_typo(key, _APPLICANT_GROUP_KEYS) and key not in _APPLICANT_GROUP_KEYS:
            out.append([])  # "法人或其他组识": a typo'd group heading, not the column 其他
            continue
        named = applicant_columns_in(raw)
        out.append(named)
        if not named and len(key) <= 8:
            hit = _one_typo(key, _APPLICANT_KEYS)
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
    return tuple(tuple(named) for named in out)


def _key_of(cid: str) -> str:
    return next(k for k, v in _APPLICANT_KEY_IDS.items() if v == cid)


def applicant_columns_in(text: str) -> list[str]:
    """Applicant column ids named in one header cell, in text order ("商业 企业" counts)."""
    return list(_applicant_columns(text))


@lru_cache(maxsize=16384)
def _applicant_columns(text: str) -> tuple[str, ...]:
    key = label_key(text).replace("法人或其他组织", "").replace("申请人情况", "")
    found: list[tuple[int, str]] = []
    for lkey, cid in _APPLICANT_LABELS:
        i = key.find(lkey)
        if i >= 0:
            found.append((i, cid))
    return tuple(cid for _, cid in sorted(found))


def t4_columns_in(text: str, *, typos: bool = False) -> list[str]:
    """表四 column ids named in one header cell, in text order; ``typos``: a cell naming none may
    be a one-character typo of one column name (the caller keeps that to header rows)."""
    return list(_t4_columns(text, typos))


@lru_cache(maxsize=16384)
def _t4_columns(text: str, typos: bool) -> tuple[str, ...]:
    key = label_key(text)
    out: list[tuple[int, str]] = []
    for lkey, cid in _T4_COL_KEYS:
        out += [(m.start(), cid) for m in re.finditer(re.escape(lkey), key)]
    if not out and typos and len(key) <= 6:
        hit = _one_typo(key, [k for k, _ in _T4_COL_KEYS])
        if hit is not None:
            out.append((0, dict(_T4_COL_KEYS)[hit]))
    return tuple(cid for _, cid in sorted(out))


@lru_cache(maxsize=16384)
def _t4_block_named(text: str) -> str | None:
    """The 表四 block a caption or label names (the litigation ones first: they contain 复议)."""
    key = label_key(text)
    for bkey, bid in (_T4_BLOCK_KEYS[1], _T4_BLOCK_KEYS[2], _T4_BLOCK_KEYS[0]):
        if bkey in key:
            return bid
    return None


@lru_cache(maxsize=16384)
def _active_col_hit(key: str) -> tuple[str, str] | None:
    """表二 column of a header cell: exact, then close (ratio), then a one-character typo."""
    if not key:
        return None
    return _ACTIVE_COL_CHOICES.get(key) or _best_col(key) or _active_col_typo(key)


@lru_cache(maxsize=16384)
def _active_col_typo(key: str) -> tuple[str, str] | None:
    if len(key) < 4 or _has_digit(key):
        return None
    hit = _one_typo(key, tuple(_ACTIVE_COL_CHOICES))
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


_APPLY_ITEM_KEYS: dict[str, str] = {v: k for k, v in _APPLY_ITEMS.items()}


def _closeness(key: str, item: str) -> float:
    """How much of the official label a label piece covers (a fragment scores low)."""
    return fuzz.ratio(key, _APPLY_ITEM_KEYS.get(item, ""), processor=None, score_cutoff=0.0)


