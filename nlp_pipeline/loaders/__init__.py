"""Load a report file (TXT, Markdown, HTML, PDF, DOCX) into the ``Document`` model.

``load(path)`` is the single entry point, dispatching by suffix (``FORMATS``; ``SUFFIXES`` is the
one list of suffixes a report file may have, used by the batch discovery too). One module per
format (``text``, ``html``, ``pdf``, ``docx``); they import only ``base`` (``DocBuilder``, grids,
normalisation) and ``files`` (reading and decoding), never this package, so there is no cycle.
"""

from __future__ import annotations

from pathlib import Path

from ..document import Document
from ..errors import Errors, InputError
from ..limits import DEFAULT_LIMITS, Limits
from .base import normalize_chars
from .files import check_text_length, decode_text, read_regular, stat_regular
from .text import parse_text

FORMATS: dict[str, str] = {
    ".txt": "txt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".shtml": "html",
    ".pdf": "pdf",
    ".docx": "docx",
}

SUFFIXES: tuple[str, ...] = tuple(FORMATS)


def load(path: str | Path, *, limits: Limits = DEFAULT_LIMITS) -> Document:
    """Read ``path`` into a ``Document``; raises ``InputError`` naming the file on bad input.

    Only regular files are read (a FIFO or a link to ``/dev/zero`` would hang or never end),
    and every limit of ``limits`` holds: file size, text length, table grids, DOCX inflation,
    HTML nesting.
    """
    p = Path(path)
    fmt = FORMATS.get(p.suffix.lower())
    if fmt is None:
        stat_regular(str(p))
        raise InputError.from_catalogue(Errors.E003, str(p), suffix=p.suffix)
    data = read_regular(p, limits=limits)
    if not data.strip():
        raise InputError.from_catalogue(Errors.E002, str(p))
    if fmt == "html":
        from .html import load_html

        if len(data) > limits.max_html_bytes:
            raise InputError.from_catalogue(
                Errors.E015, str(p), size=len(data), limit=limits.max_html_bytes, setting="max_html_bytes"
            )
        doc = load_html(data, source=str(p), limits=limits)
    elif fmt == "pdf":
        from .pdf import load_pdf

        doc = load_pdf(data, source=str(p))
    elif fmt == "docx":
        from .docx import load_docx

        doc = load_docx(data, source=str(p), limits=limits)
    else:
        text = decode_text(data, source=str(p))
        check_text_length(len(text), source=str(p), limits=limits)
        return parse_text(normalize_chars(text), source=str(p), fmt=fmt)
    check_text_length(len(doc.text), source=str(p), limits=limits)
    return doc
