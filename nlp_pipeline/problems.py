"""Split section 五 into problem/measure statements. (Interface; implementation pending.)"""

from __future__ import annotations

from collections.abc import Sequence

from .document import Document
from .result import Finding, ProblemStatement, Section


def analyze_problems(doc: Document, sections: Sequence[Section]) -> list[ProblemStatement]:
    return []


def problem_findings(
    doc: Document, sections: Sequence[Section], statements: Sequence[ProblemStatement]
) -> list[Finding]:
    return []
