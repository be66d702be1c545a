"""Table quantities: one view over a report's cells, and the readings a narrative figure may mean.

``Cells`` holds the single rule for what a cell contributes, so that the arithmetic stage and
the cross-checks cannot drift apart:

- a number (``number``, ``number_with_note``) is its value;
- a blank cell is "nothing written": ``value`` gives None (there is no figure to compare with),
  ``count`` gives 0 (many bodies leave zeros empty, so as a part of a sum it adds nothing);
- a dash ("-", "/", "—") or a text cell is not a number: both give None, and a sum through it
  is unknown, never a guessed 0;
- a missing cell (not in the table) gives None.

A ``Reading`` is one interpretation of a claim: the cells it sums and their value. The functions
in ``QUANTITIES`` turn a quantity key (what ``linking`` resolved a phrase to) into readings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from .result import CellValue
from .schema import DENIED_ROWS

__all__ = ["QUANTITIES", "Cells", "QuantityFn", "Reading", "column_readings", "fmt", "t4_readings"]

_NUMERIC_KINDS = ("number", "number_with_note")
_ORG_COLUMNS = ("commercial", "research", "social", "legal", "other_org")


class Cells(Mapping[str, CellValue]):
    """A read-only view over a report's cells by schema id, with the blank/dash/missing rule above."""

    __slots__ = ("_cells",)

    def __init__(self, cells: Mapping[str, CellValue]) -> None:
        self._cells = cells

    @classmethod
    def of(cls, cells: Mapping[str, CellValue]) -> Cells:
        """``cells`` as a view (itself when it already is one)."""
        return cells if isinstance(cells, Cells) else cls(cells)

    def __getitem__(self, cid: str) -> CellValue:
        return self._cells[cid]

    def __iter__(self) -> Iterator[str]:
        return iter(self._cells)

    def __len__(self) -> int:
        return len(self._cells)

    def value(self, cid: str) -> float | None:
        """The cell's number, to compare a figure with: None when blank, dash, text or missing."""
        cv = self._cells.get(cid)
        if cv is None or cv.kind not in _NUMERIC_KINDS or cv.value is None:
            return None
        return float(cv.value)

    def count(self, cid: str) -> float | None:
        """The cell as a part of a sum: blank counts 0; None when dash, text or missing."""
        cv = self._cells.get(cid)
        if cv is None or cv.kind in ("dash", "text"):
            return None
        if cv.kind == "blank":
            return 0.0
        return cv.value

    def is_read(self, cid: str) -> bool:
        """The cell is present and a number or blank (not a dash or text)."""
        cv = self._cells.get(cid)
        return cv is not None and cv.kind in (*_NUMERIC_KINDS, "blank")

    def blank_total(self, cid: str) -> float | None:
        """A blank 总计 over non-blank parts stands for the sum of its parts, not for 0.

        The arithmetic stage reports the blank total itself (rule ``blank_total``); reading it as 0
        in a reading would repeat that as a false narrative mismatch. None for any other cell.
        """
        row, _, col = cid.rpartition(".")
        if col != "total":
            return None
        parts = [c for c in self._cells if c.rpartition(".")[0] == row and c != cid]
        vals = [self.value(c) for c in parts]
        if not parts or all(v is None for v in vals):
            return None
        return float(sum(v for v in vals if v is not None))

    def reading_sum(self, ids: Sequence[str]) -> float | None:
        """Sum of cells for a reading, or None unless every cell was read and one is a number.

        Blanks count as 0 (a blank total as the sum of its parts). A dash makes the sum unknown:
        in tables read from extracted text it is as often a lost value or a header placeholder as
        a zero, and a guessed zero would raise a false alarm.
        """
        if not ids or not all(self.is_read(c) for c in ids):
            return None
        vals = [self.value(c) if self.value(c) is not None else self.blank_total(c) for c in ids]
        if all(v is None for v in vals):
            return None
        return float(sum(v for v in vals if v is not None))

    def group(self, prefix: str) -> tuple[str, ...]:
        """The ``.total`` cells of every row under a 表三 group (apply.denied.* etc.)."""
        out = sorted(c for c in self._cells if c.startswith(prefix + ".") and c.endswith(".total"))
        if not out and f"{prefix}.total" in self._cells:
            return (f"{prefix}.total",)
        return tuple(out)


def fmt(v: float) -> str:
    """A figure as a message shows it: whole numbers without decimals, else at most two."""
    return f"{v:.2f}".rstrip("0").rstrip(".") if v != int(v) else str(int(v))


@dataclass(frozen=True, slots=True)
class Reading:
    """One interpretation of a claim: a label, the cells it sums, and their value."""

    label: str
    cells: tuple[str, ...]
    value: float


def reading(label: str, cells: Cells, ids: Sequence[str]) -> Reading | None:
    """The reading summing ``ids``, or None when their sum is unknown."""
    v = cells.reading_sum(ids)
    return None if v is None else Reading(label, tuple(ids), v)


QuantityFn = Callable[[Cells], list[Reading]]


def _q(*options: tuple[str, Sequence[str]]) -> QuantityFn:
    def f(cells: Cells) -> list[Reading]:
        out = [reading(label, cells, ids) for label, ids in options]
        return [r for r in out if r is not None]

    return f


def _q_group(label: str, prefix: str) -> QuantityFn:
    def f(cells: Cells) -> list[Reading]:
        r = reading(label, cells, cells.group(prefix))
        return [r] if r else []

    return f


def _q_docs(kind: str, field: str) -> QuantityFn:
    """表二 document rows: 2021 ids (issued/repealed/in_force) or the 2019 ones (made/published)."""
    alternatives = {
        "issued": ("issued", "made", "published"),
        "repealed": ("repealed",),
        "in_force": ("in_force",),
        "public": ("issued", "published", "made", "in_force"),
    }[field]

    def f(cells: Cells) -> list[Reading]:
        out = [reading(f"{kind}.{a}", cells, [f"active.{kind}.{a}"]) for a in alternatives]
        return [r for r in out if r is not None]

    return f


def _q_row_or_group(row: str, prefix: str) -> QuantityFn:
    """A phrase naming one 表三 row ("本机关不掌握") may mean that row or, loosely, its whole group."""

    def f(cells: Cells) -> list[Reading]:
        own = reading(row.rsplit(".", 1)[-1], cells, [f"{row}.total"])
        whole = _q_group(prefix.rsplit(".", 1)[-1], prefix)(cells)
        return ([own] if own else []) + [r for r in whole if own is None or r.cells != own.cells]

    return f


_T4_IDS: dict[str, tuple[str, ...]] = {
    "review": ("review",),
    "litigation": ("litigation_direct", "litigation_after_review"),
    "litigation_direct": ("litigation_direct",),
    "litigation_after_review": ("litigation_after_review",),
}


def t4_readings(col: str, blocks: Sequence[str], cells: Cells) -> list[Reading]:
    """表四 column over the named blocks, each alone and (when several are named) all together."""
    out = [reading(f"{b}.{col}", cells, [f"{i}.{col}" for i in _T4_IDS[b]]) for b in blocks]
    if len(blocks) > 1:
        ids = [f"{i}.{col}" for b in blocks for i in _T4_IDS[b]]
        out.append(reading(f"{'+'.join(blocks)}.{col}", cells, ids))
    return [r for r in out if r is not None]


def column_readings(concept: str, col: str, cells: Cells) -> list[Reading]:
    """One applicant column (or ``orgs``, all organisations) of received or processed applications."""
    cols = _ORG_COLUMNS if col == "orgs" else (col,)
    if concept == "apply.processed":
        options = [(f"total_processed.{col}", [f"apply.total_processed.{c}" for c in cols])]
    else:
        new = [f"apply.new.{c}" for c in cols]
        options = [
            (f"new.{col}", new),
            (f"new+carried_over.{col}", new + [f"apply.carried_over.{c}" for c in cols]),
        ]
    return _q(*options)(cells)


_NEW = ("new", ["apply.new.total"])
_NEW_AND_OVER = ("new+carried_over", ["apply.new.total", "apply.carried_over.total"])
_PROCESSED = ("total_processed", ["apply.total_processed.total"])

QUANTITIES: dict[str, QuantityFn] = {
    "apply.new": _q(_NEW, _NEW_AND_OVER),
    "apply.accepted": _q(_NEW, _NEW_AND_OVER),
    "apply.carried_over": _q(("carried_over", ["apply.carried_over.total"])),
    "apply.processed": _q(_PROCESSED),
    "apply.granted": _q(("granted", ["apply.granted.total"])),
    "apply.partial": _q(("partial", ["apply.partial.total"])),
    "apply.granted_partial": _q(("granted+partial", ["apply.granted.total", "apply.partial.total"])),
    "apply.denied": _q_group("denied", "apply.denied"),
    "apply.unable": _q_group("unable", "apply.unable"),
    "apply.unable.not_held": _q_row_or_group("apply.unable.not_held", "apply.unable"),
    "apply.unable.need_create": _q_row_or_group("apply.unable.need_create", "apply.unable"),
    "apply.unable.unclear": _q_row_or_group("apply.unable.unclear", "apply.unable"),
    "apply.other.no_correction": _q_row_or_group("apply.other.no_correction", "apply.other"),
    "apply.other.no_fee": _q_row_or_group("apply.other.no_fee", "apply.other"),
    **{
        f"apply.denied.{row}": _q_row_or_group(f"apply.denied.{row}", "apply.denied")
        for row in DENIED_ROWS
    },
    **{
        f"apply.rejected.{row}": _q_row_or_group(f"apply.rejected.{row}", "apply.rejected")
        for row in ("complaint", "duplicate", "publication", "massive_repeat", "confirm_info")
    },
    "apply.rejected": _q_group("rejected", "apply.rejected"),
    "apply.other": _q_group("other", "apply.other"),
    "apply.carried_forward": _q(("carried_forward", ["apply.carried_forward.total"])),
    "active.rules.issued": _q_docs("rules", "issued"),
    "active.rules.repealed": _q_docs("rules", "repealed"),
    "active.rules.in_force": _q_docs("rules", "in_force"),
    "active.rules.public": _q_docs("rules", "public"),
    "active.normative_docs.issued": _q_docs("normative_docs", "issued"),
    "active.normative_docs.repealed": _q_docs("normative_docs", "repealed"),
    "active.normative_docs.in_force": _q_docs("normative_docs", "in_force"),
    "active.normative_docs.public": _q_docs("normative_docs", "public"),
    "active.licensing": _q(("licensing.decisions", ["active.licensing.decisions"])),
    "active.penalty": _q(("penalty.decisions", ["active.penalty.decisions"])),
    "active.coercion": _q(("coercion.decisions", ["active.coercion.decisions"])),
    "active.fees": _q(("fees.amount_wan", ["active.fees.amount_wan"])),
}
