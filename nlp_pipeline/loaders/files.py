"""Reading a report's bytes safely (regular files only, under the size limits) and decoding them
to text (BOMs, UTF-8, declared charsets, GB18030, Big5, detection)."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from ..errors import Errors, InputError
from ..limits import DEFAULT_LIMITS, Limits

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
    stat_regular(p)
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
            data = _read_capped(fh, st.st_size, limits.max_file_bytes)
        except OSError as exc:
            raise _os_error(p, exc) from exc
    if len(data) > limits.max_file_bytes:  # the file grew while being read
        raise InputError.from_catalogue(
            Errors.E015, p, size=len(data), limit=limits.max_file_bytes, setting="max_file_bytes"
        )
    return data


def _read_capped(fh: BinaryIO, size: int, cap: int) -> bytes:
    """The file's bytes, at most ``cap + 1`` of them. Sized by ``fstat``, not by the cap:
    ``read(n)`` allocates ``n`` bytes up front, so reading to the cap took 256 MiB per file
    and a worker under a smaller ``--max-memory`` failed on every file."""
    first = fh.read(size + 1)
    if len(first) <= size:
        return first
    parts, total = [first], len(first)
    while total <= cap:  # the file grew while being read: on in steps, up to one byte over the cap
        more = fh.read(min(1 << 20, cap + 1 - total))
        if not more:
            break
        parts.append(more)
        total += len(more)
    return b"".join(parts)


def stat_regular(p: str) -> os.stat_result:
    try:
        st = os.stat(p)
    except OSError as exc:
        raise _os_error(p, exc) from exc
    if stat.S_ISDIR(st.st_mode):
        try:  # a folder a batch could not list: say so rather than "not a regular file"
            with os.scandir(p):
                pass
        except PermissionError as exc:
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
