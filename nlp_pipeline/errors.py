"""One error hierarchy with a catalogue of codes, in the manner of spaCy's ``Errors``.

Every failure a user can meet is an ``NlpPipelineError`` carrying a stable ``code``, the
``source`` it concerns and a plain-words ``reason``; the CLI and batch layer turn it into
``{"source": ..., "error": {"code": ..., "message": ...}}`` and carry on.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self


class Errors(StrEnum):
    """Catalogue of error codes and their message templates."""

    E001 = "file not found"
    E002 = "file is empty"
    E003 = "unsupported file type {suffix!r} (expected .txt, .md, .markdown, .html, .htm, .shtml, .pdf or .docx)"
    E004 = "cannot decode text: {detail}"
    E005 = "corrupt or unreadable {fmt} file: {detail}"
    E006 = "PDF has no text layer (scanned image?); OCR is not supported"
    E007 = "not a government information-disclosure annual report: {detail}"
    E008 = "HTML page has no article text: {detail}"
    E009 = "model file missing or unreadable: {detail}"
    E010 = "internal error while analysing: {detail}"
    E011 = "output file {path} exists (use --force to overwrite)"
    E012 = "cannot write output {path}: {detail}"
    E013 = "not a regular file ({kind}); only regular files are read"
    E014 = "permission denied: {detail}"
    E015 = "file is {size} bytes, over the limit of {limit} bytes (Limits.{setting})"
    E016 = "text is {size} characters, over the limit of {limit} (Limits.max_text_chars)"
    E017 = "DOCX package refused as a possible zip bomb: {detail}"
    E018 = "HTML nesting too deep: {detail}"


class NlpPipelineError(Exception):
    """Base of every error the package raises on purpose."""

    code: str = "E010"

    def __init__(self, source: str, reason: str, *, code: str | None = None) -> None:
        self.source = str(source)
        self.reason = reason
        if code is not None:
            self.code = code
        super().__init__(f"{self.source}: {reason} [{self.code}]")

    @classmethod
    def from_catalogue(cls, code: Errors, source: str, **fmt: object) -> Self:
        return cls(source, code.value.format(**fmt), code=code.name)

    def to_dict(self) -> dict[str, object]:
        return {"source": self.source, "error": {"code": self.code, "message": str(self)}}


class InputError(NlpPipelineError):
    """The file cannot be read at all (missing, empty, wrong type, corrupt, undecodable)."""

    code = "E005"


class NotAReportError(NlpPipelineError):
    """The file reads fine but is not an annual report."""

    code = "E007"


class ModelError(NlpPipelineError):
    """A trained artifact is missing or unreadable."""

    code = "E009"


class UsageError(NlpPipelineError):
    """Wrong use of the CLI or library (e.g. refusing to overwrite output)."""

    code = "E011"
