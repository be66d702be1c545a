"""Find the six statutory sections and the report's metadata. (Interface; implementation pending.)"""

from __future__ import annotations

from dataclasses import dataclass

from .document import Document
from .result import Finding, Section


@dataclass(frozen=True, slots=True)
class SectionResult:
    sections: tuple[Section, ...]
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True, slots=True)
class Metadata:
    agency: str | None
    year: int | None
    published: str | None


def find_sections(doc: Document) -> SectionResult:
    return SectionResult(sections=())


def extract_metadata(doc: Document) -> Metadata:
    return Metadata(agency=None, year=None, published=None)
