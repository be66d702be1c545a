"""One function from a document to one immutable ``Report``: the whole pipeline in order."""

from __future__ import annotations

from pathlib import Path

from . import arithmetic, claims, crosschecks, loaders, problems, sections, tables
from .document import Document
from .errors import Errors, NlpPipelineError, NotAReportError
from .limits import DEFAULT_LIMITS, Limits
from .result import Report
from .segmentation import Segmentation


def analyze_path(path: str | Path, *, limits: Limits = DEFAULT_LIMITS) -> Report:
    """Load and analyse one file. Raises ``NlpPipelineError`` (naming the file) on bad input."""
    return analyze_document(loaders.load(path, limits=limits))


def analyze_document(doc: Document) -> Report:
    secs = sections.find_sections(doc)
    meta = sections.extract_metadata(doc)
    tbl = tables.read_tables(doc, secs.sections, year=meta.year)
    if not secs.sections and not tbl.cells:
        raise NotAReportError.from_catalogue(
            Errors.E007, doc.source, detail="no statutory section heading and no 表二/表三/表四 table found"
        )
    found_claims = claims.extract_claims(doc, secs.sections)
    # Sentence and clause marks of Document.text, found once for linking and the narrative rules
    # (claims segment their working passages, problems its section 五 body: other texts).
    seg = Segmentation(doc.text)
    linked, claim_findings = crosschecks.check_claims(
        doc, found_claims, tbl.cells, sections=secs.sections, year=meta.year, segmentation=seg
    )
    probs = problems.read_problems(doc, secs.sections, agency=meta.agency)
    findings = (
        *doc.findings,
        *secs.findings,
        *tbl.findings,
        *arithmetic.check_arithmetic(tbl.cells, template=tbl.template),
        *claim_findings,
        *problems.problem_findings(doc, secs.sections, probs),
    )
    return Report(
        source=doc.source,
        format=doc.format,
        template=tbl.template,
        agency=meta.agency,
        year=meta.year,
        published=meta.published,
        sections=secs.sections,
        cells=tbl.cells,
        findings=tuple(findings),
        claims=tuple(linked),
        problems=probs.statements,
        text_length=len(doc.text),
    )


def analyze_or_error(path: str | Path, *, limits: Limits = DEFAULT_LIMITS) -> Report | NlpPipelineError:
    """Like ``analyze_path`` but returns the error instead of raising; never lets a traceback out."""
    return analyze_with_text(path, limits=limits)[0]


def analyze_with_text(
    path: str | Path, *, limits: Limits = DEFAULT_LIMITS
) -> tuple[Report | NlpPipelineError, str | None]:
    """``analyze_or_error`` and the text the report was read from (None for an error): a batch
    that stores texts takes them from here rather than loading every file a second time."""
    try:
        doc = loaders.load(path, limits=limits)
        return analyze_document(doc), doc.text
    except NlpPipelineError as exc:
        return exc, None
    except Exception as exc:  # an unexpected bug must not stop a batch: record it under E010
        error = NlpPipelineError.from_catalogue(Errors.E010, str(path), detail=f"{type(exc).__name__}: {exc}")
        return error, None
