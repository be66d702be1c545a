"""Copied section 五 text: a statement repeated from the same body's previous year, or taken
from another body's report (near-identical once whitespace, punctuation and digits are folded)."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain

from rapidfuzz import fuzz

from .bodies import body_key
from .result import CopiedFrom, Finding, ProblemStatement, Report
from .rules import Rule

__all__ = ["CopyIndex", "StatementRef", "find_copies", "mark_copies", "normalize_for_copy", "sketch"]

_SHINGLE = 4
_SKETCH = 8  # bottom-k sketch size: the k smallest shingle hashes are a statement's bucket keys
_BUCKET_CAP = 200  # a bucket that grows past this (boilerplate) stops taking members
_MIN_SHARED = 2  # candidates must share this many sketch keys (near-identical texts share most)
_MIN_LEN = 12  # shorter statements are not compared (too generic to call a copy)


def normalize_for_copy(text: str) -> str:
    """Comparison form: NFKC, no whitespace/punctuation, digits folded (a copied text changes its years)."""
    t = unicodedata.normalize("NFKC", text)
    t = re.sub(r"[\s\W_]+", "", t)
    return re.sub(r"\d", "0", t)


def sketch(norm: str, *, k: int = _SKETCH) -> tuple[int, ...]:
    """Bottom-k of the CRC32 hashes of the character 4-grams: similar texts share keys with high probability."""
    if len(norm) < _SHINGLE:
        return ()
    hashes = {zlib.crc32(norm[i : i + _SHINGLE].encode("utf-8")) for i in range(len(norm) - _SHINGLE + 1)}
    return tuple(sorted(hashes)[:k])


@dataclass(frozen=True, slots=True)
class StatementRef:
    source: str
    agency: str
    year: int | None
    index: int  # position in the report's problems
    text: str
    norm: str


class CopyIndex:
    """Blocking index for near-duplicate statements: bottom-k sketch buckets, capped, then rapidfuzz.

    The batch layer can ``add`` reports as they are analysed and ``query`` each new statement; no
    all-pairs comparison is made, and memory is O(statements × k).
    """

    def __init__(self, *, bucket_cap: int = _BUCKET_CAP) -> None:
        self.refs: list[StatementRef] = []
        self.buckets: dict[int, list[int]] = defaultdict(list)
        self.by_body_year: dict[tuple[str, int], list[int]] = defaultdict(list)
        self.bucket_cap = bucket_cap
        self._strings: dict[str, str] = {}  # one copy of each text: bodies repeat statements year after year

    def _one(self, s: str) -> str:
        return self._strings.setdefault(s, s)

    def add(self, report: Report, *, body: str | None = None) -> None:
        """Index a report's statements under ``body`` (default: ``bodies.body_key`` of its agency)."""
        agency = body if body is not None else body_key(report.agency, report.source)
        for i, p in enumerate(report.problems):
            norm = self._one(normalize_for_copy(p.text))
            ref_id = len(self.refs)
            self.refs.append(StatementRef(report.source, agency, report.year, i, self._one(p.text), norm))
            if report.year is not None:
                self.by_body_year[(agency, report.year)].append(ref_id)
            if len(norm) < _MIN_LEN:
                continue
            for h in sketch(norm):
                bucket = self.buckets[h]
                if len(bucket) < self.bucket_cap:
                    bucket.append(ref_id)

    def previous_year_best(
        self, norm: str, agency: str, year: int | None, *, min_score: float
    ) -> tuple[StatementRef, float] | None:
        """Most similar statement of the same body's report for year-1 (a small direct comparison)."""
        if year is None or len(norm) < _MIN_LEN:
            return None
        return self._best(norm, self.by_body_year.get((agency, year - 1), []), min_score)

    def other_body_best(
        self, norm: str, agency: str, *, min_score: float, cap: int = 50
    ) -> tuple[StatementRef, float] | None:
        """Most similar statement of another body, among candidates sharing sketch keys (at most ``cap``)."""
        if len(norm) < _MIN_LEN:
            return None
        keys = sketch(norm)
        counts = Counter(chain.from_iterable(self.buckets.get(h, ()) for h in keys))
        need = min(_MIN_SHARED, len(keys))
        cands: list[int] = []
        refs = self.refs
        for r, c in counts.most_common():  # by count, descending: the first ``cap`` that qualify
            if c < need:
                break
            if refs[r].agency != agency:
                cands.append(r)
                if len(cands) == cap:
                    break
        return self._best(norm, cands, min_score)

    def _best(self, norm: str, ids: Iterable[int], min_score: float) -> tuple[StatementRef, float] | None:
        best: tuple[StatementRef, float] | None = None
        cutoff = min_score * 100
        for rid in ids:
            ref = self.refs[rid]
            s = fuzz.ratio(norm, ref.norm, processor=None, score_cutoff=cutoff)
            if s and (best is None or s / 100 > best[1]):
                best = (ref, s / 100)
                cutoff = s
        return best


def find_copies(
    reports: Sequence[Report], *, threshold: float = 0.9, report_threshold: float = 0.75
) -> list[Report]:
    """Reports whose statements carry ``copied_from`` and which gain "copied_previous_year" findings.

    ``copied_from`` is the most similar statement in the same body's previous-year report
    (similarity ≥ ``report_threshold``), else in another body's report (similarity ≥ ``threshold``:
    bodies share templates, so only near-identical text is worth naming). A statement repeated from the
    previous year with similarity ≥ ``threshold`` (near-identical, years and numbers folded) is a
    warning: the format notice requires section 五 not to repeat year after year.
    Similarity is rapidfuzz's ``fuzz.ratio`` of the normalised texts (``normalize_for_copy``), as 0–1.
    """
    index = CopyIndex()
    for r in reports:
        index.add(r)
    return [mark_copies(r, index, threshold=threshold, report_threshold=report_threshold) for r in reports]


def mark_copies(
    report: Report,
    index: CopyIndex,
    *,
    threshold: float = 0.9,
    report_threshold: float = 0.75,
    body: str | None = None,
) -> Report:
    """One report against an index (which may already hold it): the batch layer's incremental entry
    point. ``body`` must be the key the report was indexed under (default: ``bodies.body_key``)."""
    agency = body if body is not None else body_key(report.agency, report.source)
    new_problems: list[ProblemStatement] = []
    findings: list[Finding] = []
    for p in report.problems:
        norm = normalize_for_copy(p.text)
        prev = index.previous_year_best(norm, agency, report.year, min_score=report_threshold)
        other = None if prev is not None else index.other_body_best(norm, agency, min_score=threshold)
        cf: CopiedFrom | None = None
        if prev is not None:
            cf = CopiedFrom(
                source=prev[0].source, text=prev[0].text, similarity=round(prev[1], 4), scope="previous_year"
            )
        elif other is not None:
            cf = CopiedFrom(
                source=other[0].source, text=other[0].text, similarity=round(other[1], 4), scope="other_body"
            )
        new_problems.append(dataclasses.replace(p, copied_from=cf))
        if prev is not None and prev[1] >= threshold:
            findings.append(
                Finding(
                    rule=Rule.COPIED_PREVIOUS_YEAR,
                    severity="warning",
                    message=f"{p.kind} statement repeats the previous year's report almost verbatim "
                    f"(similarity {prev[1]:.2f}); section 五 must not repeat year after year",
                    start=p.start,
                    end=p.end,
                    found=p.text[:60],
                    detail={"source": prev[0].source, "similarity": round(prev[1], 4)},
                )
            )
    kept = tuple(f for f in report.findings if f.rule != Rule.COPIED_PREVIOUS_YEAR)
    return dataclasses.replace(report, problems=tuple(new_problems), findings=(*kept, *findings))
