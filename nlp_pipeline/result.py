"""Immutable result objects: one ``Report`` per document, serialisable to JSON.

Stages return these; only ``pipeline.analyze_document`` assembles a ``Report``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]
CellKind = Literal["number", "blank", "dash", "text", "number_with_note"]


@dataclass(frozen=True, slots=True)
class Section:
    id: str
    heading: str
    start: int
    end: int
    number: str = ""  # the numeral the report printed ("五"), which may differ from the statutory one


@dataclass(frozen=True, slots=True)
class CellValue:
    value: float | None
    raw: str
    kind: CellKind
    origin: str = ""  # where it was read: table origin and row/col


@dataclass(frozen=True, slots=True)
class ClaimRef:
    """The claim a finding is about, as it appears in findings."""

    text: str
    value: float
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    severity: Severity
    message: str
    cells: tuple[str, ...] = ()
    expected: float | str | None = None
    found: float | str | None = None
    claim: ClaimRef | None = None
    start: int | None = None  # text span the finding points at, when not a claim
    end: int | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Claim:
    value: float
    unit: str
    qualifier: Literal["exact", "at_least", "about", "at_most", "range"]
    metric: str
    start: int
    end: int
    text: str
    sentence: str = ""
    channel: str = ""
    scale: str = ""  # the multiplier the figure was written in ("万" for 410万元 → written_value 410)
    written_value: float | None = None
    is_change: bool = False  # 同比/较上年 changes: a claim about a difference
    section: str = ""
    cells: tuple[str, ...] = ()
    upper: float | None = None  # for ranges


@dataclass(frozen=True, slots=True)
class Category:
    label: str
    score: float


@dataclass(frozen=True, slots=True)
class Topic:
    """One problem listed inside a statement: its label and its clause (offsets into the document)."""

    label: str
    score: float
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class CopiedFrom:
    source: str
    text: str
    similarity: float
    scope: Literal["previous_year", "other_body"] = "previous_year"


@dataclass(frozen=True, slots=True)
class ProblemStatement:
    text: str
    kind: Literal["problem", "measure"]
    start: int
    end: int
    categories: tuple[Category, ...] = ()
    vague: bool = False
    vague_reason: str = ""
    copied_from: CopiedFrom | None = None
    topics: tuple[Topic, ...] = ()


@dataclass(frozen=True, slots=True)
class Report:
    source: str
    format: str
    template: Literal["2019", "2021", "mixed"] | None
    agency: str | None
    year: int | None
    published: str | None
    sections: tuple[Section, ...]
    cells: dict[str, CellValue]
    findings: tuple[Finding, ...]
    claims: tuple[Claim, ...] = ()
    problems: tuple[ProblemStatement, ...] = ()
    text_length: int = 0

    def to_dict(self) -> dict[str, Any]:
        d = plain(self)
        d["findings"] = [_prune(f) for f in d["findings"]]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Report:
        """Rebuild a report from its JSON form (the batch layer re-reads what it wrote)."""

        def finding(f: dict[str, Any]) -> Finding:
            claim = ClaimRef(**f["claim"]) if f.get("claim") else None
            return Finding(
                **{k: v for k, v in f.items() if k not in ("claim", "cells")},
                cells=tuple(f.get("cells") or ()),
                claim=claim,
            )

        def statement(p: dict[str, Any]) -> ProblemStatement:
            cf = p.get("copied_from")
            return ProblemStatement(
                **{k: v for k, v in p.items() if k not in ("categories", "copied_from", "topics")},
                categories=tuple(Category(**c) for c in p.get("categories") or ()),
                topics=tuple(Topic(**t) for t in p.get("topics") or ()),
                copied_from=CopiedFrom(**cf) if cf else None,
            )

        return cls(
            source=d["source"],
            format=d["format"],
            template=d.get("template"),
            agency=d.get("agency"),
            year=d.get("year"),
            published=d.get("published"),
            sections=tuple(Section(**s) for s in d.get("sections") or ()),
            cells={k: CellValue(**v) for k, v in (d.get("cells") or {}).items()},
            findings=tuple(finding(f) for f in d.get("findings") or ()),
            claims=tuple(
                Claim(**{**c, "cells": tuple(c.get("cells") or ())}) for c in d.get("claims") or ()
            ),
            problems=tuple(statement(p) for p in d.get("problems") or ()),
            text_length=d.get("text_length", 0),
        )


_FIELDS: dict[type, tuple[str, ...]] = {}
_ATOMS = frozenset({str, int, float, bool, type(None)})


def plain(obj: Any) -> Any:
    """``dataclasses.asdict`` of a result: the same values, built without its per-value
    ``deepcopy`` and field introspection (the batch's corpus pass serialises every changed
    report; asdict was most of its time). Containers are rebuilt with their own type, immutable
    atoms shared, anything else deep-copied, as asdict does."""
    cls = type(obj)
    if cls in _ATOMS:
        return obj
    names = _FIELDS.get(cls)
    if names is None and is_dataclass(cls):
        names = _FIELDS[cls] = tuple(f.name for f in fields(cls))
    if names is not None:
        return {name: plain(getattr(obj, name)) for name in names}
    if cls is tuple or cls is list:
        return cls(plain(v) for v in obj)
    if cls is dict:
        return {plain(k): plain(v) for k, v in obj.items()}
    return copy.deepcopy(obj)


def _prune(d: dict[str, Any]) -> dict[str, Any]:
    """Drop empty optional keys so findings stay readable."""
    return {k: v for k, v in d.items() if v not in (None, {}) or k in ("expected", "found", "cells")}
