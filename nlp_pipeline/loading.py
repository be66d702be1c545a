"""Load a report file (TXT, Markdown, HTML, PDF, DOCX) into the ``Document`` model.

``load(path)`` is the single entry point; the format readers live in private modules
(``_load_html``, ``_load_pdf``, ``_load_docx``) and all build their ``Document`` through
``DocBuilder`` so offsets, pipe-row rendering and character normalisation are the same
for every format.
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .document import Block, Document, GridCell, Table
from .errors import Errors, InputError
from .limits import DEFAULT_LIMITS, Limits
from .result import Finding

_SUFFIXES = {
    ".txt": "txt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".shtml": "html",
    ".pdf": "pdf",
    ".docx": "docx",
}
_CJK = "\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}]) +| +(?=[{_CJK}])")
_WS = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")
_MD_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


def _build_compat_map() -> dict[int, str]:
    """Kangxi radicals and CJK compatibility ideographs → the unified ideograph (1 char → 1 char).

    Browser-printed PDFs and some Word exports carry e.g. U+2F08 "⼈" where 人 is meant. NFKC
    knows the mapping, but applied to whole texts it would also rewrite full-width digits and
    punctuation, so only these ranges are mapped, and only to single characters. (The radicals
    supplement, e.g. "⺠", has no NFKC mapping; its common members are listed by hand below.)
    """
    table: dict[int, str] = {}
    ranges = ((0x2E80, 0x2EFF), (0x2F00, 0x2FDF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F))
    for lo, hi in ranges:
        for cp in range(lo, hi + 1):
            ch = chr(cp)
            norm = unicodedata.normalize("NFKC", ch)
            if len(norm) == 1 and norm != ch:
                table[cp] = norm
    return table


_RADICAL_SUPPLEMENT = dict(
    zip(
        "⺟⺠⺩⺮⺶⻁⻄⻅⻆⻉⻊⻋⻑⻓⻔⻗⻘⻙⻚⻛⻜⻝⻢⻣⻤⻥⻦⻨⻩⻬⻮⻰⻳",
        "母民王竹羊虎西见角贝足车長长门雨青韦页风飞食马骨鬼鱼鸟麦黄齐齿龙龟",
        strict=True,
    )
)
_COMPAT_MAP = (
    _build_compat_map() | {ord(k): v for k, v in _RADICAL_SUPPLEMENT.items()} | {0x2329: "〈", 0x232A: "〉"}
)


def normalize_chars(text: str) -> str:
    """Replace Kangxi radicals / CJK compatibility ideographs (and the technical angle brackets
    U+2329/U+232A that PDF fonts use for 〈〉); length-preserving by construction."""
    return text.translate(_COMPAT_MAP)


def clean_line(s: str) -> str:
    """Collapse whitespace/nbsp to single spaces and drop spaces next to CJK (source line breaks)."""
    return _SPACE_NEAR_CJK.sub("", _WS.sub(" ", s)).strip()


def load(path: str | Path, *, limits: Limits = DEFAULT_LIMITS) -> Document:
    """Read ``path`` into a ``Document``; raises ``InputError`` naming the file on bad input.

    Only regular files are read (a FIFO or a link to ``/dev/zero`` would hang or never end),
    and every limit of ``limits`` holds: file size, text length, table grids, DOCX inflation,
    HTML nesting.
    """
    p = Path(path)
    fmt = _SUFFIXES.get(p.suffix.lower())
    if fmt is None:
        _stat_regular(str(p))
        raise InputError.from_catalogue(Errors.E003, str(p), suffix=p.suffix)
    data = read_regular(p, limits=limits)
    if not data.strip():
        raise InputError.from_catalogue(Errors.E002, str(p))
    if fmt == "html":
        from ._load_html import load_html

        if len(data) > limits.max_html_bytes:
            raise InputError.from_catalogue(
                Errors.E015, str(p), size=len(data), limit=limits.max_html_bytes, setting="max_html_bytes"
            )
        doc = load_html(data, source=str(p), limits=limits)
    elif fmt == "pdf":
        from ._load_pdf import load_pdf

        doc = load_pdf(data, source=str(p))
    elif fmt == "docx":
        from ._load_docx import load_docx

        doc = load_docx(data, source=str(p), limits=limits)
    else:
        text = decode_text(data, source=str(p))
        check_text_length(len(text), source=str(p), limits=limits)
        return parse_text(normalize_chars(text), source=str(p), fmt=fmt)
    check_text_length(len(doc.text), source=str(p), limits=limits)
    return doc


_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def file_kind(mode: int) -> str:
    """Plain words for what a non-regular ``st_mode`` is."""
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def read_regular(path: str | Path, *, limits: Limits = DEFAULT_LIMITS) -> bytes:
    """The bytes of a regular file, refusing anything else before reading a byte.

    ``stat`` first (a FIFO blocks on open), then open without blocking and ``fstat`` the open
    descriptor, so a file swapped for a pipe or a device in between is refused too. Missing
    file E001, not a regular file E013, permission E014, over ``max_file_bytes`` E015.
    """
    p = str(path)
    _stat_regular(p)
    try:
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise _os_error(p, exc) from exc
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise InputError.from_catalogue(Errors.E013, p, kind=file_kind(st.st_mode))
        if st.st_size > limits.max_file_bytes:
            raise InputError.from_catalogue(
                Errors.E015, p, size=st.st_size, limit=limits.max_file_bytes, setting="max_file_bytes"
            )
        try:
            data = fh.read(limits.max_file_bytes + 1)
        except OSError as exc:
            raise _os_error(p, exc) from exc
    if len(data) > limits.max_file_bytes:  # the file grew while being read
        raise InputError.from_catalogue(
            Errors.E015, p, size=len(data), limit=limits.max_file_bytes, setting="max_file_bytes"
        )
    return data


def _stat_regular(p: str) -> os.stat_result:
    try:
        st = os.stat(p)
    except OSError as exc:
        raise _os_error(p, exc) from exc
    if not stat.S_ISREG(st.st_mode):
        raise InputError.from_catalogue(Errors.E013, p, kind=file_kind(st.st_mode))
    return st


def _os_error(p: str, exc: OSError) -> InputError:
    """E014 for permissions, E001 for a missing file or folder, E005 for anything else."""
    if isinstance(exc, PermissionError):
        return InputError.from_catalogue(
            Errors.E014, p, detail="this user may not read the file or search a folder on its path"
        )
    if isinstance(exc, FileNotFoundError | NotADirectoryError):
        return InputError.from_catalogue(Errors.E001, p)
    return InputError.from_catalogue(Errors.E005, p, fmt="input", detail=exc.strerror or str(exc))


def is_dir(path: str | Path) -> bool:
    """``Path.is_dir`` that answers False instead of raising (a path under an unreadable folder
    raises PermissionError there); reading the path later gives the coded error E014."""
    try:
        return stat.S_ISDIR(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def check_text_length(n: int, *, source: str, limits: Limits = DEFAULT_LIMITS) -> None:
    """E016 when the text is longer than ``limits.max_text_chars``."""
    if n > limits.max_text_chars:
        raise InputError.from_catalogue(Errors.E016, source, size=n, limit=limits.max_text_chars)


def decode_text(data: bytes, *, source: str, declared: str | None = None) -> str:
    """Decode bytes: UTF-16 by BOM, UTF-8 (BOM or not), a declared charset, GB18030, then detection.

    Strict UTF-8 validity on CJK text is near-certain evidence, so it is tried before a declared
    charset (pages often declare gb2312 while being UTF-8, and vice versa); UTF-8 with a stray
    bad byte or two (a truncated save) is kept, with U+FFFD for the bad bytes, since GBK text
    read as UTF-8 fails on nearly every character.
    """
    if data[:4] in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"):  # UTF-32 BOMs (before UTF-16's)
        return _strict(data, "utf-32", source=source)
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return _strict(data, "utf-16", source=source)
    if data.count(0) > max(2, len(data) // 1000):  # a stray NUL in a text file is no evidence
        return _decode_with_nuls(data, source=source)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    mostly = data.decode("utf-8-sig", errors="replace")
    if mostly.count("\ufffd") <= max(2, len(mostly) // 2000):
        return mostly
    tried: list[str] = ["utf-8"]
    for enc in (_canonical_encoding(declared), "gb18030"):
        if enc is None or enc in tried:
            continue
        tried.append(enc)
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        if enc == "gb18030" and _looks_like_big5(text):
            try:
                return data.decode("big5")
            except UnicodeDecodeError:
                try:
                    return data.decode("big5hkscs")
                except UnicodeDecodeError:
                    raise InputError.from_catalogue(
                        Errors.E004,
                        source,
                        detail="the bytes read as GB18030 give garbled text (Big5-like), yet they are not valid Big5",
                    ) from None
        return text
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None and best.encoding:
        try:
            return data.decode(best.encoding)
        except (UnicodeDecodeError, LookupError):
            pass
    raise InputError.from_catalogue(
        Errors.E004, source, detail=f"not valid in {', '.join(tried)} or any detected charset"
    )


def _strict(data: bytes, encoding: str, *, source: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError.from_catalogue(Errors.E004, source, detail=f"bad {encoding.upper()}: {exc}") from exc


def _decode_with_nuls(data: bytes, *, source: str) -> str:
    """Text without a BOM holding NUL bytes: UTF-32 or UTF-16 (ASCII and line breaks put NULs at
    fixed positions of each code unit), else binary data, which is E004, not a report."""
    candidates: list[str] = []
    if len(data) % 4 == 0:
        quads = len(data) // 4
        hi_le = data[3::4].count(0) + data[2::4].count(0)  # BMP text: the two high bytes are zero
        hi_be = data[0::4].count(0) + data[1::4].count(0)
        if hi_le >= 1.9 * quads:
            candidates.append("utf-32-le")
        if hi_be >= 1.9 * quads:
            candidates.append("utf-32-be")
    if len(data) % 2 == 0:
        odd, even = data[1::2].count(0), data[0::2].count(0)
        if odd > 2 * even:
            candidates.append("utf-16-le")
        elif even > 2 * odd:
            candidates.append("utf-16-be")
    for enc in candidates:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _is_texty(text):
            return text
    nuls = data.count(0)
    raise InputError.from_catalogue(
        Errors.E004,
        source,
        detail=f"binary data: {nuls} NUL bytes of {len(data)}, and not UTF-16 or UTF-32 text",
    )


def _is_texty(text: str) -> bool:
    """Mostly printable characters and line breaks (a wrong UTF-16/32 guess gives control
    characters, unassigned code points or a jumble of scripts)."""
    good = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
    return good >= 0.95 * len(text)


def _looks_like_big5(text: str) -> bool:
    """Big5 bytes read as GB18030 decode without error into a jumble: many ideographs outside
    GB2312 (real GB text has few: rare names) and kana. Judged on the first 20,000 characters."""
    sample = text[:20000]
    cjk = [ch for ch in sample if "\u4e00" <= ch <= "\u9fff"]
    kana = sum("\u3040" <= ch <= "\u30ff" for ch in sample)
    if len(cjk) + kana < 20:
        return False
    rare = 0
    for ch in cjk:
        try:
            ch.encode("gb2312")
        except UnicodeEncodeError:
            rare += 1
    return (rare + kana) / (len(cjk) + kana) > 0.15


def _canonical_encoding(name: str | None) -> str | None:
    """GB2312/GBK labels → GB18030 (their superset); other labels pass through if Python knows them."""
    if not name:
        return None
    n = name.strip().lower().replace("_", "-")
    if n in {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "gb-2312", "euc-cn", "hz-gb-2312"}:
        return "gb18030"
    import codecs

    try:
        return codecs.lookup(n).name
    except LookupError:
        return None


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
        cells = split_table_row(body)
        if cells is not None or (fmt == "md" and _MD_RULE.match(body) and rows):
            if not rows:
                t_start = start
            t_end = end
            if cells is not None and not _MD_RULE.match(body):
                rows.append(cells)
            continue
        if rows:
            blocks.append(_table_block(text, rows, t_start, t_end))
            rows = []
        if body.strip():
            blocks.append(Block("text", body, start, end))
    if rows:
        blocks.append(_table_block(text, rows, t_start, t_end))
    return Document(source=source, format=fmt, text=text, blocks=tuple(blocks))  # type: ignore[arg-type]


_GAP = re.compile(r"\t| {2,}|\u3000{2,}")
_GAP_NUMBER = re.compile(r"[+-]?[\d０-９][\d０-９,，.．]*")


def split_table_row(line: str) -> list[str] | None:
    """The cells of a flattened table row, or None for a prose line.

    Pipe rows (``a | b | c |``) as the reference TXT reports flatten them; tab-separated rows, as
    a table copied out of a browser or a spreadsheet pastes into a text file (empty cells kept:
    their position matters); and columns set apart by runs of spaces, as PDF-to-text tools write
    them (three pieces with two numbers, or short headings). Two-piece rows must be a short label
    and a number, so prose with a stray tab or double space stays prose.
    """
    if line.count("|") >= 2:
        return _split_pipe_row(line)
    body = line.strip(" \u3000")
    if body.strip("\t") and "\t" in body:
        cells = [c.strip(" \u3000") for c in body.split("\t")]
        filled = [c for c in cells if c]
        return cells if len(filled) >= 3 or _label_and_number(filled) or _short_cells(filled) else None
    parts = [c.strip() for c in _GAP.split(body) if c.strip()]
    numbers = sum(bool(_GAP_NUMBER.fullmatch(c)) for c in parts)
    if (len(parts) >= 3 and (numbers >= 2 or _short_cells(parts))) or _label_and_number(parts):
        return parts
    return None


def _short_cells(cells: list[str]) -> bool:
    """Column headings set apart by gaps: at least two, all short, none with sentence punctuation."""
    return len(cells) >= 2 and all(len(c) <= 24 and not _SENTENCE_PUNCT.search(c) for c in cells)


_SENTENCE_PUNCT = re.compile(r"[。，；：:,;！？!?]")


def _label_and_number(cells: list[str]) -> bool:
    """A two-cell row: a short label (no sentence punctuation) and a number."""
    return (
        len(cells) == 2
        and bool(_GAP_NUMBER.fullmatch(cells[1]))
        and 0 < len(cells[0]) <= 40
        and not _SENTENCE_PUNCT.search(cells[0])
    )


def _split_pipe_row(line: str) -> list[str]:
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|"):
        s = s[:-1]
    return [c.strip() for c in s.split("|")]


def _table_block(text: str, rows: list[list[str]], start: int, end: int) -> Block:
    return Block("table", text[start:end], start, end, Table.from_texts(rows, origin=f"lines@{start}"))


def render_row(row: Sequence[GridCell], r: int) -> str:
    """One grid row as a pipe row; a merged cell's text appears once, at its anchor."""
    texts = [c.text.replace("\n", " ") if c.anchor == (r, i) else "" for i, c in enumerate(row)]
    return " | ".join(texts) + " |"


class DocBuilder:
    """Accumulates text lines and tables into ``Document.text`` with exact block offsets."""

    def __init__(self, source: str, fmt: str, *, limits: Limits = DEFAULT_LIMITS) -> None:
        self.source = source
        self.fmt = fmt
        self.limits = limits
        self._parts: list[str] = []
        self._blocks: list[Block] = []
        self._findings: list[Finding] = []
        self._pos = 0

    def _append(self, s: str) -> tuple[int, int]:
        if self._parts:
            self._parts.append("\n")
            self._pos += 1
        start = self._pos
        self._parts.append(s)
        self._pos += len(s)
        check_text_length(self._pos, source=self.source, limits=self.limits)  # stop early, not at the end
        return start, self._pos

    @property
    def position(self) -> int:
        """Offset in the text where the next block would start (after its line break)."""
        return self._pos + (1 if self._parts else 0)

    def add_finding(self, note: GridNote, *, start: int | None = None, end: int | None = None) -> None:
        """A limit the loader applied, with the text span it concerns (None: no single span; the
        note's ``detail`` then says where in the source)."""
        self._findings.append(
            Finding(
                rule=note.rule,
                severity="warning",
                message=note.message,
                expected=note.limit,
                found=note.found,
                start=start,
                end=None if start is None or end is None else max(start, end),
                detail=dict(note.detail),
            )
        )

    def add_text(self, line: str, *, origin: str = "") -> None:
        line = normalize_chars(line).strip()
        if not line:
            return
        start, end = self._append(line)
        self._blocks.append(Block("text", line, start, end, None, origin))

    def add_table(self, grid: Sequence[Sequence[GridCell]] | GridResult, *, origin: str = "") -> None:
        """A table grid; a ``GridResult`` also carries its notes (spans clamped, grid too large),
        and a grid too large to keep at all comes as text lines, one per source row."""
        notes: tuple[GridNote, ...] = ()
        if isinstance(grid, GridResult):
            notes = tuple(
                GridNote(n.rule, n.message, n.limit, n.found, {**n.detail, "table": origin})
                for n in grid.notes
            )
            if grid.lines is not None:
                start = self.position
                for line in grid.lines:
                    self.add_text(line, origin=f"{origin} as text")
                for note in notes:
                    self.add_finding(note, start=start, end=self._pos)
                return
            grid = grid.grid
        rows = [tuple(GridCell(normalize_chars(c.text), c.anchor) for c in row) for row in grid if row]
        if not rows:
            return
        body = "\n".join(render_row(row, r) for r, row in enumerate(rows))
        start, end = self._append(body)
        table = Table(rows=tuple(rows), origin=origin)
        self._blocks.append(Block("table", body, start, end, table, origin))
        for note in notes:
            self.add_finding(note, start=start, end=end)

    @property
    def blocks(self) -> list[Block]:
        return self._blocks

    def build(self, meta: dict[str, str] | None = None) -> Document:
        return Document(
            source=self.source,
            format=self.fmt,  # type: ignore[arg-type]
            text="".join(self._parts),
            blocks=tuple(self._blocks),
            meta=dict(meta or {}),
            findings=tuple(self._findings),
        )


@dataclass(frozen=True, slots=True)
class GridNote:
    """What a limit did to one table: a finding's rule, message, limit and the value found."""

    rule: str
    message: str
    limit: int
    found: int
    detail: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class GridResult:
    """A table read under the limits: its grid, or (too large even unexpanded) its rows as text
    ``lines``; ``notes`` say what was clamped or cut and why."""

    grid: list[list[GridCell]]
    notes: tuple[GridNote, ...] = ()
    lines: tuple[str, ...] | None = None


def span_note(attr: str, declared: int, used: int, *, row: int, col: int) -> GridNote:
    return GridNote(
        "table_span_clamped",
        f"a cell at row {row + 1} declares {attr}={declared}; only {used} is honoured "
        "(Limits.max_span): the cell covers fewer positions than the file says",
        used,
        declared,
        {"attribute": attr, "row": row, "col": col},
    )


def too_large_note(cells: int, limit: int, *, as_text: bool) -> GridNote:
    how = (
        "its rows were read as text lines, not as a table"
        if as_text
        else "it was read with each merged cell once, not expanded (columns may not line up)"
    )
    return GridNote(
        "table_too_large",
        f"the table would expand to {cells} cells, over the limit of {limit} (Limits.max_table_cells); {how}",
        limit,
        cells,
        {"read_as": "text" if as_text else "unexpanded"},
    )


def unexpanded(
    texts: Sequence[Sequence[str]], notes: list[GridNote], total: int, *, limits: Limits
) -> GridResult:
    """Fallback for a table whose expanded grid is over the limit: each source cell once, or,
    if even that grid is over it, the rows as text lines."""
    width = max((len(r) for r in texts), default=0)
    if len(texts) * width <= limits.max_table_cells:
        grid = [
            [GridCell(t, (r, c)) for c, t in enumerate(row)]
            + [GridCell("", (r, c)) for c in range(len(row), width)]
            for r, row in enumerate(texts)
        ]
        return GridResult(grid, (*notes, too_large_note(total, limits.max_table_cells, as_text=False)))
    lines = tuple(" ".join(t for t in row if t) for row in texts)
    return GridResult([], (*notes, too_large_note(total, limits.max_table_cells, as_text=True)), lines)


def expand_spans(rows: Sequence[Sequence[tuple[str, int, int]]]) -> list[list[GridCell]]:
    """Expand (text, rowspan, colspan) source rows into a full rectangular grid with anchors.

    Each covered position gets a ``GridCell`` carrying the anchor of the spanning cell; ragged
    rows are padded with empty cells anchored to themselves. (Default limits; the grid part of
    ``expand_spans_limited``.)
    """
    return expand_spans_limited(rows).grid


def expand_spans_limited(
    rows: Sequence[Sequence[tuple[str, int, int]]], *, limits: Limits = DEFAULT_LIMITS
) -> GridResult:
    """``expand_spans`` under ``limits``: spans clamped to ``max_span`` (and rowspans to the rows
    left) before anything is expanded, and the grid's size known before it is built."""
    notes: list[GridNote] = []
    n_rows = len(rows)
    clamped: list[list[tuple[str, int, int]]] = []
    total = 0
    for r, cells in enumerate(rows):
        out_row: list[tuple[str, int, int]] = []
        for i, (text, rowspan, colspan) in enumerate(cells):
            for attr, declared in (("rowspan", rowspan), ("colspan", colspan)):
                if declared > limits.max_span:
                    notes.append(span_note(attr, declared, limits.max_span, row=r, col=i))
            rs = max(1, min(rowspan, n_rows - r, limits.max_span))
            cs = max(1, min(colspan, limits.max_span))
            total += rs * cs
            out_row.append((text, rs, cs))
        clamped.append(out_row)
    texts = [[t for t, _, _ in row] for row in clamped]
    if total > limits.max_table_cells:
        return unexpanded(texts, notes, total, limits=limits)
    grid: dict[tuple[int, int], GridCell] = {}
    for r, cells2 in enumerate(clamped):
        c = 0
        for text, rs, cs in cells2:
            while (r, c) in grid:
                c += 1
            cell = GridCell(text, (r, c))
            for dr in range(rs):
                for dc in range(cs):
                    grid.setdefault((r + dr, c + dc), cell)
            c += cs
    width = max((c for _, c in grid), default=-1) + 1
    if n_rows * width > limits.max_table_cells:
        return unexpanded(texts, notes, n_rows * width, limits=limits)
    out: list[list[GridCell]] = []
    for r in range(n_rows):
        out.append([grid.get((r, c), GridCell("", (r, c))) for c in range(width)])
    return GridResult(out, tuple(notes))
