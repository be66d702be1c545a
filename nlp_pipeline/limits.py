"""Resource limits every input is held to, so one hostile file cannot take the machine.

A crawled corpus holds broken and occasionally malicious files: markup whose merged cells
multiply into billions of grid positions, zip bombs posing as Word files, texts of many
megabytes, pages nested thousands of levels deep. Each limit below is a named setting with a
default far above any real report (the largest real reports are under 10,000 characters with
tables of a few hundred cells); exceeding one is a coded error, or, where the rest of the
report is still worth reading, a finding that names what was cut and why.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    """Named limits; override by keyword, e.g. ``Limits(max_text_chars=200_000)``."""

    max_file_bytes: int = 256 * 1024 * 1024
    """Size of the file on disk; larger files are refused before they are read (E015). (PDFs
    with scanned images can be large; HTML has its own, smaller, ``max_html_bytes``.)"""
    max_text_chars: int = 120_000
    """Characters of extracted text (tables rendered as pipe rows included); more is E016. The
    analysis runs at roughly 5,000-10,000 characters a second on dense prose on a busy machine,
    so this bounds a file's time well under a minute; real reports run to about 10,000."""
    max_html_bytes: int = 16 * 1024 * 1024
    """Size of an HTML page's markup (a parsed element costs hundreds of bytes); more is E015."""
    max_table_cells: int = 50_000
    """Positions of one table's expanded grid; a table that would be larger is read without
    expanding its merged cells (or as text lines), with a ``table_too_large`` finding."""
    max_span: int = 200
    """Largest rowspan/colspan/gridSpan honoured; larger spans are clamped (``table_span_clamped``)."""
    max_part_bytes: int = 64 * 1024 * 1024
    """Inflated size of one part of a DOCX package; more is E017."""
    max_package_bytes: int = 256 * 1024 * 1024
    """Inflated size of all parts of a DOCX package together; more is E017."""
    max_compression_ratio: float = 100.0
    """Inflated/compressed size of a DOCX part bigger than ``ratio_floor_bytes``; more is E017."""
    ratio_floor_bytes: int = 1024 * 1024
    """Parts smaller than this are not held to the ratio (tiny XML parts compress very well)."""
    max_html_depth: int = 256
    """Element nesting of an HTML page read as is; deeper markup is flattened to text lines
    (``html_nesting_flattened``), and a page the parser cannot read past is E018."""


DEFAULT_LIMITS = Limits()
