"""Extract the narrative's quantitative claims. (Interface; implementation pending.)"""

from __future__ import annotations

from collections.abc import Sequence

from .document import Document
from .result import Claim, Section


def extract_claims(doc: Document, sections: Sequence[Section]) -> list[Claim]:
    return []
