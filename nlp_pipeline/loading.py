"""Load a report file into the ``Document`` model (TXT and Markdown here; more formats to come)."""

from __future__ import annotations

import re
from pathlib import Path

from .document import Block, Document, Table
from .errors import Errors, InputError

_SUFFIXES = {".txt": "txt", ".md": "md", ".markdown": "md"}
_MD_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


def load(path: str | Path) -> Document:
    """Read ``path`` into a ``Document``; raises ``InputError`` naming the file on bad input."""
    p = Path(path)
    if not p.is_file():
        raise InputError.from_catalogue(Errors.E001, str(p))
    fmt = _SUFFIXES.get(p.suffix.lower())
    if fmt is None:
        raise InputError.from_catalogue(Errors.E003, str(p), suffix=p.suffix)
    data = p.read_bytes()
    if not data.strip():
        raise InputError.from_catalogue(Errors.E002, str(p))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError.from_catalogue(Errors.E004, str(p), detail=str(exc)) from exc
    return parse_text(text, source=str(p), fmt=fmt)


def parse_text(text: str, *, source: str, fmt: str = "txt") -> Document:
    """Split text into line blocks and pipe-row table blocks; offsets are into ``text`` itself."""
    blocks: list[Block] = []
    rows: list[list[str]] = []
    t_start = t_end = 0
    pos = 0
    for line in text.splitlines(keepends=True):
        start, pos = pos, pos + len(line)
        body = line.rstrip("\r\n")
        end = start + len(body)
        if "|" in body and body.count("|") >= 2 or (fmt == "md" and _MD_RULE.match(body) and rows):
            if not rows:
                t_start = start
            t_end = end
            if not _MD_RULE.match(body):
                rows.append(_split_pipe_row(body))
            continue
        if rows:
            blocks.append(_table_block(text, rows, t_start, t_end))
            rows = []
        if body.strip():
            blocks.append(Block("text", body, start, end))
    if rows:
        blocks.append(_table_block(text, rows, t_start, t_end))
    return Document(source=source, format=fmt, text=text, blocks=tuple(blocks))  # type: ignore[arg-type]


def _split_pipe_row(line: str) -> list[str]:
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|"):
        s = s[:-1]
    return [c.strip() for c in s.split("|")]


def _table_block(text: str, rows: list[list[str]], start: int, end: int) -> Block:
    return Block("table", text[start:end], start, end, Table.from_texts(rows, origin=f"lines@{start}"))
