"""Where sentences and clauses end: the break characters, defined once, and the lookups on them.

The boundary levels form a hierarchy; each adds marks to the one above it:

* ``sentence``: 。！？!? — a full stop. ``linking`` reads a claim's sentence and the sentence
  before it at this level; ``narrative_checks`` reads its statements ("均已办结", "未收取…处理费")
  sentence by sentence; ``problems`` splits section 五 runs into statements at it (bracket-aware,
  see ``top_level_split``).
* ``segment``: sentence + ；; — a part of a sentence that can be read alone. ``claims`` shows
  this part as a claim's ``sentence`` (a 表三 listing "申请5件；办结4件" is one part per item)
  and ``linking`` reads the segment up to the claim to find the earlier clauses.
* ``clause``: segment + ，,：: — a comma clause. ``linking`` and ``narrative_checks`` read the
  words that name what a figure counts in it; ``claims`` looks for a channel in it (a 、 list of
  platforms and a bracket stay inside one clause: "通过网站、微信公众号发布…").
* ``fine_clause``: clause + 、（）()【】《》“”" — a list item, bracket or title also ends it.
  ``claims`` reads the metric of a figure from the words just before it at this level
  ("网站发布12条、微博发布8条": each figure has its own metric).

A text also breaks at its line break, at every level: ``"\\n"`` in ``Document.text`` (a line
ends a heading or a table row), ``BREAK`` (U+2029) in the working passages of ``claims``, where
whitespace is squeezed out and a heading-like block is closed by ``BREAK`` instead. The
section 五 statement splitter (``problems``) is the exception: a wrapped line does not end its
sentence, so it uses ``SENTENCE_MARKS`` alone, and it cuts a semicolon list into its parts at
``SEMICOLONS``, both outside quotes, titles and brackets (``top_level_split``).

``Segmentation`` holds the sorted positions of each level's marks in one text, computed once
per text and level when first asked, and answers by bisection (a scan from each figure was
quadratic on a long text without punctuation). The pipeline builds one for ``Document.text`` and
hands it to ``crosschecks`` (→ ``linking``, ``narrative_checks``). A working passage of ``claims``
cannot borrow it by offset: whitespace is squeezed out of the passage and ``BREAK`` put in, so
its marks are not the document's; each passage gets its own ``Segmentation``. ``problems`` reads
a copy of section 五 with table lines blanked and needs bracket depth, so it uses
``top_level_split`` rather than an index.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from typing import Literal

__all__ = [
    "BREAK",
    "CLAUSE_MARKS",
    "FINE_CLAUSE_MARKS",
    "LEVELS",
    "SEGMENT_MARKS",
    "SEMICOLONS",
    "SENTENCE_MARKS",
    "Level",
    "Segmentation",
    "top_level_split",
]

BREAK = "\u2029"  # the break ``claims.working_passages`` puts after a heading-like block

SENTENCE_MARKS = "。！？!?"
SEMICOLONS = "；;"
SEGMENT_MARKS = SENTENCE_MARKS + SEMICOLONS
CLAUSE_MARKS = SEGMENT_MARKS + "，,：:"
FINE_CLAUSE_MARKS = CLAUSE_MARKS + '、（）()【】《》“”"'

Level = Literal["sentence", "segment", "clause", "fine_clause"]
LEVELS: dict[Level, str] = {
    "sentence": SENTENCE_MARKS,
    "segment": SEGMENT_MARKS,
    "clause": CLAUSE_MARKS,
    "fine_clause": FINE_CLAUSE_MARKS,
}

_OPEN = "“《（("
_CLOSE = "”》）)"


class Segmentation:
    """The marks of every level in ``text`` (each level plus ``line_break``), found once.

    Build one per text: ``Segmentation(doc.text)`` for the document, ``Segmentation(passage,
    line_break=BREAK)`` for a working passage of ``claims``.
    """

    def __init__(self, text: str, *, line_break: str = "\n") -> None:
        self.text = text
        self.line_break = line_break
        self._marks: dict[Level, list[int]] = {}

    @classmethod
    def of(cls, text: str, given: Segmentation | None = None, *, line_break: str = "\n") -> Segmentation:
        """``given`` when it was built on this very ``text``, else a new one (a fallback text)."""
        if given is not None and given.text is text and given.line_break == line_break:
            return given
        return cls(text, line_break=line_break)

    def marks(self, level: Level) -> list[int]:
        """Sorted positions of the level's marks (computed on first use)."""
        found = self._marks.get(level)
        if found is None:
            chars = "".join(sorted(set(LEVELS[level] + self.line_break)))
            rx = re.compile("[" + re.escape(chars) + "]")
            found = self._marks[level] = [m.start() for m in rx.finditer(self.text)]
        return found

    def last_mark(self, level: Level, pos: int, lo: int = 0) -> int:
        """The last mark in ``[lo, pos)``, or -1 (``max(text.rfind(ch, lo, pos) for ch in marks)``)."""
        marks = self.marks(level)
        k = bisect_left(marks, pos)
        return marks[k - 1] if k and marks[k - 1] >= lo else -1

    def start(self, level: Level, pos: int, lo: int = 0) -> int:
        """Start of the span holding ``pos``: just after the last mark before it, at least ``lo``."""
        return max(self.last_mark(level, pos, lo) + 1, lo)

    def next_mark(self, level: Level, pos: int, limit: int | None = None) -> int:
        """The first mark at or after ``pos``, or ``limit`` (default: the text's end) if none comes
        before it."""
        marks = self.marks(level)
        stop = len(self.text) if limit is None else limit
        k = bisect_left(marks, pos)
        return min(marks[k], stop) if k < len(marks) else stop

    def bounds(self, level: Level, pos: int) -> tuple[int, int]:
        """The span holding ``pos``, its closing mark included."""
        return self.start(level, pos), min(len(self.text), self.next_mark(level, pos) + 1)

    def spans(self, level: Level, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
        """The non-blank spans of ``text[start:end]``, each closed by its mark (the last one by ``end``)."""
        stop = len(self.text) if end is None else end
        marks = self.marks(level)
        out: list[tuple[int, int]] = []
        s = start
        for k in range(bisect_left(marks, start), bisect_left(marks, stop)):
            e = marks[k] + 1
            if self.text[s:e].strip():
                out.append((s, e))
            s = e
        if self.text[s:stop].strip():
            out.append((s, stop))
        return out


def top_level_split(text: str, s: int, e: int, seps: str, *, trail: str | None) -> list[tuple[int, int]]:
    """Spans of ``text[s:e]`` ending at each separator outside “”《》（）; a tail made only of
    ``trail`` characters (whitespace when None) is dropped. Used where a quoted title or a
    bracket may hold a full stop that does not end the statement."""
    out: list[tuple[int, int]] = []
    start, depth = s, 0
    for i in range(s, e):
        ch = text[i]
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif depth == 0 and ch in seps:
            out.append((start, i + 1))
            start = i + 1
    if text[start:e].strip(trail):
        out.append((start, e))
    return out
