"""Section 五: its problem and measure statements, with vagueness and categories, and the findings
about them. The work is done by ``problem_segments`` (cutting the section into statements),
``vagueness`` (泛泛而谈) and ``problem_classifier`` (categories, optional); copied text across
reports is ``copies``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from .document import Document
from .errors import ModelError
from .problem_segments import segment
from .result import Category, Finding, ProblemStatement, Section, Topic
from .rules import Rule
from .vagueness import vagueness

__all__ = ["ProblemAnalysis", "analyze_problems", "problem_findings", "read_problems"]


@dataclass(frozen=True, slots=True)
class ProblemAnalysis:
    """Section 五's statements, and why they carry no categories when the classifier is missing."""

    statements: tuple[ProblemStatement, ...]
    unclassified: str | None = None  # why the classifier could not run (None: it ran, or had nothing to do)


def read_problems(doc: Document, sections: Sequence[Section], *, agency: str | None = None) -> ProblemAnalysis:
    """Statements of section 五 (problems and measures), with vagueness and categories; the
    classifier runs once, and its absence is recorded for ``problem_findings``. ``agency`` (the
    report's body) lets vagueness tell the body's own field named as a whole from a matter of it."""
    sec = next((s for s in sections if s.id == "problems"), None)
    if sec is None:
        return ProblemAnalysis(())
    spans = segment(doc, sec)
    stmts = [
        ProblemStatement(text=doc.text[s:e], kind=k, start=s, end=e, vague=v[0], vague_reason=v[1])
        for s, e, k in spans
        for v in [vagueness(doc.text[s:e], agency=agency)]
    ]
    found, why = _categorize([p.text for p in stmts])
    if found is None:
        return ProblemAnalysis(tuple(stmts), why)
    stmts = [
        dataclasses.replace(
            p,
            categories=c,
            topics=tuple(Topic(label=k.label, score=k.score, start=p.start + a, end=p.start + b) for a, b, k in t),
        )
        for p, (c, t) in zip(stmts, found, strict=True)
    ]
    return ProblemAnalysis(tuple(stmts))


def analyze_problems(
    doc: Document, sections: Sequence[Section], *, agency: str | None = None
) -> list[ProblemStatement]:
    """Statements of section 五 (problems and measures), with vagueness and categories."""
    return list(read_problems(doc, sections, agency=agency).statements)


# --- categories (trained classifier, optional) ------------------------------------------------


def _categorize(
    texts: list[str],
) -> tuple[list[tuple[tuple[Category, ...], tuple[tuple[int, int, Category], ...]]] | None, str | None]:
    """((categories, topics) per statement, None) from the trained classifier, or (None, why)
    when it is not available."""
    if not texts:
        return [], None
    try:
        from .problem_classifier import categorize

        return list(categorize(texts)), None
    except ModelError as exc:
        return None, exc.reason
    except ImportError as exc:
        return None, str(exc)


def problem_findings(
    doc: Document,
    sections: Sequence[Section],
    found: ProblemAnalysis | Sequence[ProblemStatement],
) -> list[Finding]:
    """Findings about section 五's content: vague statements, no problems stated, classifier missing.

    Given ``read_problems``' result, the classifier's absence is read from it; given bare
    statements (made elsewhere), the classifier is asked whether it can run."""
    analysis: ProblemAnalysis | None = None
    statements: Sequence[ProblemStatement]
    if isinstance(found, ProblemAnalysis):
        analysis, statements = found, found.statements
    else:
        statements = found
    out: list[Finding] = []
    sec = next((s for s in sections if s.id == "problems"), None)
    if sec is None:
        return out
    for p in statements:
        if p.vague:
            out.append(
                Finding(
                    rule=Rule.PROBLEM_STATEMENT_VAGUE,
                    severity="info",
                    message=f"vague {p.kind} statement (泛泛而谈): {p.vague_reason}",
                    start=p.start,
                    end=p.end,
                    found=p.text[:60],
                )
            )
    if statements and not any(p.kind == "problem" for p in statements):
        out.append(
            Finding(
                rule=Rule.PROBLEMS_NOT_STATED,
                severity="warning",
                message="section 五 lists measures but states no concrete problem",
                start=sec.start,
                end=sec.end,
            )
        )
    if statements and not any(p.categories for p in statements):
        why = analysis.unclassified if analysis is not None else _categorize([statements[0].text])[1]
        if why is not None:
            out.append(
                Finding(
                    rule=Rule.MODEL_MISSING,
                    severity="info",
                    message=f"problem categories not assigned ({why}); train the classifier with "
                    "`python scripts/train_classifier.py` (writes models/problem_classifier.joblib)",
                )
            )
    return out
