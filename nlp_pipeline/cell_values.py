"""Raw cell text → ``CellValue``: the one place where blank, "/", "-", notes and numbers are told apart.

A blank cell, a dash and a zero are different answers in a report ("nothing filled in", "not
applicable", "none"), so they stay distinct kinds here and every later stage reads the kind.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .result import CellKind, CellValue

_DASH_RE = re.compile(r"^[-—–－/\\~～_]+$")
_NUM_RE = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
_LEAD_NUM_RE = re.compile(r"^([+-]?\d+(?:\.\d+)?)(?![.、．]\s*[\u4e00-\u9fff])\s*(\S.*)$")
_THOUSANDS_RE = re.compile(r"(?<=\d)[,，](?=\d{3}(?:\D|$))")
_SPACES_RE = re.compile(r"\s+")
TEXT_VALUES = frozenset({"不适用", "无", "暂无", "空", "不涉及", "没有", "未发生", "零"})


@lru_cache(maxsize=65536)
def normalize_cell_text(raw: str) -> str:
    """NFKC (full-width digits and brackets, Kangxi radicals) and collapsed whitespace."""
    return _SPACES_RE.sub(" ", unicodedata.normalize("NFKC", raw)).strip()


def parse_cell(raw: str, *, origin: str = "") -> CellValue:
    """Classify one table cell; keeps the raw text so nothing the report said is lost."""
    value, kind = cell_kind(raw)
    return CellValue(value=value, raw=raw, kind=kind, origin=origin)


@lru_cache(maxsize=65536)
def cell_kind(raw: str) -> tuple[float | None, CellKind]:
    """The value and kind ``parse_cell`` gives ``raw`` (cached: the reader asks for the same cell
    text many times while it decides which table a row belongs to)."""
    compact = _THOUSANDS_RE.sub("", normalize_cell_text(raw).replace(" ", ""))
    if not compact:
        return None, "blank"
    if _DASH_RE.match(compact):
        return None, "dash"
    if _NUM_RE.match(compact):
        return float(compact), "number"
    m = _LEAD_NUM_RE.match(compact)
    if m:
        return float(m.group(1)), "number_with_note"
    return None, "text"


def is_number(raw: str) -> bool:
    """Whether a cell holds a figure (alone or with a note after it)."""
    return cell_kind(raw)[1] in ("number", "number_with_note")
