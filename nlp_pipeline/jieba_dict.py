"""jieba's own dictionary, loaded in a form Python reads fast, and only as far as a text needs it.

jieba (0.42.1) loads its prefix dictionary (``Tokenizer.FREQ``: ~350k words and their prefixes,
~500k entries) from a ``marshal`` cache with ``marshal.load`` on a file object, which reads every
string through a Python-level ``readinto``: ~0.6 s, more than half of a one-file ``analyze``.
``jieba.posseg`` re-reads ``dict.txt`` line by line for its word-tag table (~0.4 s) when imported.

Here both tables are kept in one cache file in the user's cache directory, built once from what
jieba itself loaded (so the words, frequencies, total and tags are jieba's own, never ours): the
words as one string, frequencies and tag codes as arrays, in groups: each character's own entry,
and the longer entries by their first two characters. Every lookup jieba makes while segmenting
a text is of a substring of that text (``get_DAG`` probes ``text[k:i]``; ``calc``, the HMM
fallback test and posseg's tag lookups read pieces of the route built from that DAG), so an
entry is needed only once its first character (a one-character entry) or its first two
characters (a longer one) occur together in a text being cut: a small report needs ~9k of the
~500k entries. ``Tokenizer.get_DAG`` is the one gate every cut passes first (plain, HMM,
cut_all, for_search, posseg), so it is wrapped on ``jieba.dt`` to add the groups of the text's
new characters and pairs before jieba probes; segmentation is identical to the stock tokenizer's
(``tests/test_jieba_dict.py`` checks every real report). ``load_all`` fills everything and
removes the wrapper (the batch parent calls it before forking its workers; a process that has
segmented ``_LOAD_ALL_AFTER`` characters does it by itself, the wrapper's check then costing
more than the rest of the load).

The cache is keyed by jieba's version, its ``dict.txt`` (path, size, mtime), the format and the
interpreter's marshal version: a new jieba or dictionary builds a new file. No network is
involved; a first run on a fresh machine pays jieba's own build once. If the cache cannot be
written or read, jieba loads its dictionary its own way (slower, same result). A jieba other
than the version this wrapping was written against, or a tokenizer already initialised (someone
called ``jieba.initialize``), is left alone and only the fast cache form is skipped.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
import tempfile
import threading
from array import array
from collections.abc import Iterable
from contextlib import suppress
from itertools import chain
from operator import add
from pathlib import Path
from types import ModuleType
from typing import Any

import jieba

__all__ = ["CACHE_ENV", "cache_dir", "load_all", "load_tokenizer", "posseg"]

#: Environment variable naming the directory for the cache (default: the user's cache dir).
CACHE_ENV = "NLP_PIPELINE_CACHE_DIR"

_FORMAT = 2
_LAZY_JIEBA = "0.42.1"  # the jieba whose internals (get_DAG as the gate, posseg.dt) were checked
_NO_TAG = 255
_LOAD_ALL_AFTER = 500_000  # characters segmented lazily before the whole dictionary is loaded
_LOCK = threading.RLock()
_state: _Lazy | None = None

jieba.setLogLevel(60)  # no "Building prefix dict" chatter on stderr


def cache_dir() -> Path:
    """``$NLP_PIPELINE_CACHE_DIR``, else the platform's user cache directory + ``nlp_pipeline``."""
    given = os.environ.get(CACHE_ENV)
    if given:
        return Path(given)
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = str(Path.home() / "Library" / "Caches")
    else:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "nlp_pipeline"


def _dict_path() -> Path:
    return Path(jieba.__file__).with_name(jieba.DEFAULT_DICT_NAME)


def _cache_file() -> Path:
    dict_file = _dict_path()
    st = dict_file.stat()
    key = "|".join(
        map(str, (_FORMAT, jieba.__version__, dict_file, st.st_size, st.st_mtime_ns, marshal.version, sys.byteorder))
    )
    return cache_dir() / f"jieba-dict-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:20]}.bin"


def _build(freq: dict[str, int], total: int, word_tags: dict[str, str]) -> bytes | None:
    """The cache bytes for jieba's tables in groups: each character alone, then the entries of
    two or more characters by their first two (tagged words first in each group). None when the
    tables do not fit the form (a word with a line break, a prefix missing, a tagged word missing
    from ``freq``, 255 tags or more): jieba then keeps loading its own way."""
    if any("\n" in k for k in freq) or not all(w in freq for w in word_tags):
        return None
    names = sorted(set(word_tags.values()))
    if len(names) >= _NO_TAG:
        return None
    code = {t: i for i, t in enumerate(names)}
    groups: dict[str, list[str]] = {}
    for k in freq:
        groups.setdefault(k[:2], []).append(k)
    if not all(k[0] in groups for k in groups):  # jieba puts every prefix in FREQ: each first char has a group
        return None
    order = sorted(groups)  # a character's own group comes just before its two-character groups
    chars = "".join(g for g in order if len(g) == 1)
    char_start = array("I")
    seconds: list[str] = []
    keys: list[str] = []
    key_start, text_start, tagged = array("I", [0]), array("I", [0]), array("I")
    offset = 0
    for g in order:
        if len(g) == 1:
            char_start.append(len(seconds))
        seconds.append(g[1:] or "\0")
        group = sorted(groups[g], key=lambda k: k not in word_tags)  # stable: tagged words first
        keys += group
        tagged.append(sum(1 for k in group if k in word_tags))
        key_start.append(len(keys))
        offset += sum(len(k) + 1 for k in group)
        text_start.append(offset)
    char_start.append(len(seconds))
    payload = (
        _FORMAT,
        total,
        chars,
        char_start.tobytes(),
        "".join(seconds),
        "".join(k + "\n" for k in keys),
        key_start.tobytes(),
        text_start.tobytes(),
        tagged.tobytes(),
        array("q", (freq[k] for k in keys)).tobytes(),
        bytes(code[word_tags[k]] if k in word_tags else _NO_TAG for k in keys),
        tuple(names),
    )
    return marshal.dumps(payload)


def _write(path: Path, data: bytes) -> None:
    """Atomic write (another process may be reading or writing the same cache)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _read(path: Path) -> tuple[Any, ...] | None:
    try:
        payload = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if not (isinstance(payload, tuple) and len(payload) == 12 and payload[0] == _FORMAT):
        return None
    return payload


class _Lazy:
    """The cache's tables, moved into jieba's dicts group by group as texts need them."""

    def __init__(self, payload: tuple[Any, ...]) -> None:
        _, self.total, chars, cs, self.seconds, self.keys, ks, ts, tg, fr, self.codes, self.names = payload
        self.char = {ch: i for i, ch in enumerate(chars)}
        self.char_start, self.key_start, self.text_start = array("I"), array("I"), array("I")
        self.tagged, self.freqs = array("I"), array("q")
        for arr, raw in ((self.char_start, cs), (self.key_start, ks), (self.text_start, ts), (self.tagged, tg),
                         (self.freqs, fr)):
            arr.frombytes(raw)
        n = len(self.seconds)
        if not (
            len(self.char_start) == len(chars) + 1
            and self.char_start[-1] == n
            and len(self.key_start) == len(self.text_start) == n + 1
            and len(self.tagged) == n
            and len(self.freqs) == len(self.codes) == self.key_start[-1]
            and len(self.keys) == self.text_start[-1]
        ):
            raise ValueError("inconsistent jieba dictionary cache")
        self.freq: dict[str, int] = {}
        self.tags: dict[str, str] | None = None  # posseg's word_tag_tab, once posseg is imported
        self.seen: set[str] = set()  # characters and character pairs whose group was added
        self.loaded: list[int] = []  # the groups added, for posseg's table if it comes later
        self.cut_chars = 0  # characters segmented so far: past _LOAD_ALL_AFTER, everything is loaded
        self.complete = False  # every group is in

    def _group(self, part: str) -> int:
        """The group of a character (its own entry) or of a pair (the entries it starts), or -1."""
        i = self.char.get(part[0], -1)
        if i < 0:
            return -1
        first = self.char_start[i]
        if len(part) == 1:
            return first
        return self.seconds.find(part[1], first + 1, self.char_start[i + 1])

    def _words(self, g: int) -> list[str]:
        return self.keys[self.text_start[g] : self.text_start[g + 1] - 1].split("\n")

    def add(self, parts: Iterable[str]) -> None:
        """Move the groups of ``parts`` (characters and character pairs) into ``freq`` (and ``tags``)."""
        with _LOCK:
            for part in set(parts) - self.seen:
                g = self._group(part)
                if g >= 0:
                    self._add_group(g)
                self.seen.add(part)

    def _add_group(self, g: int) -> None:
        words = self._words(g)
        a, b = self.key_start[g], self.key_start[g + 1]
        self.freq.update(zip(words, self.freqs[a:b].tolist(), strict=True))
        if self.tags is not None:
            self._add_tags(g, words)
        self.loaded.append(g)

    def _add_tags(self, g: int, words: list[str]) -> None:
        assert self.tags is not None
        a, n = self.key_start[g], self.tagged[g]
        self.tags.update(zip(words[:n], map(self.names.__getitem__, self.codes[a : a + n]), strict=True))

    def add_everything(self) -> None:
        """Every group, and jieba's own ``get_DAG`` back."""
        with _LOCK:
            done = set(self.loaded)
            for g in range(len(self.seconds)):
                if g not in done:
                    self._add_group(g)
            self.complete = True
            vars(jieba.dt).pop("get_DAG", None)

    def attach_tags(self, tags: dict[str, str]) -> None:
        """posseg's table joins: fill it for the groups already added."""
        with _LOCK:
            self.tags = tags
            for g in self.loaded:
                self._add_tags(g, self._words(g))

    def get_dag(self, sentence: str) -> dict[int, list[int]]:
        """jieba's ``get_DAG``, after adding the groups of the sentence's characters and pairs:
        jieba looks up only substrings of the sentence, each starting with one of them."""
        if not self.complete:
            pairs = map(add, sentence, sentence[1:])
            if not (self.seen.issuperset(sentence) and self.seen.issuperset(pairs)):
                self.add(chain(sentence, map(add, sentence, sentence[1:])))
            self.cut_chars += len(sentence)
            if self.cut_chars > _LOAD_ALL_AFTER:
                self.add_everything()
        return jieba.Tokenizer.get_DAG(jieba.dt, sentence)


def load_tokenizer() -> ModuleType:
    """``jieba`` with its default tokenizer ready: from the fast cache when possible (groups
    added as texts need them), else jieba's own load. Cheap after the first call."""
    global _state
    dt = jieba.dt
    if dt.initialized:
        return jieba
    with _LOCK, dt.lock:
        if dt.initialized:
            return jieba
        if dt.dictionary != jieba.DEFAULT_DICT or jieba.__version__ != _LAZY_JIEBA:
            dt.initialize()
            return jieba
        try:
            path = _cache_file()
        except OSError:
            dt.initialize()
            return jieba
        payload = _read(path)
        if payload is None:
            _fill_cache(path)
            return jieba
        try:
            state = _Lazy(payload)
        except ValueError:
            path.unlink(missing_ok=True)
            dt.initialize()
            return jieba
        dt.FREQ, dt.total = state.freq, state.total
        dt.get_DAG = state.get_dag
        dt.initialized = True
        _state = state
    return jieba


def _fill_cache(path: Path) -> None:
    """First run: jieba loads its dictionary (and posseg its tags) its own way; the cache is
    written from what they loaded. A cache that cannot be written is skipped (next run tries again)."""
    jieba.dt.initialize()
    import jieba.posseg as pseg

    data = _build(jieba.dt.FREQ, jieba.dt.total, pseg.dt.word_tag_tab)
    if data is not None:
        with suppress(OSError):
            _write(path, data)


def posseg() -> ModuleType:
    """``jieba.posseg`` on the same dictionary, its word-tag table from the cache when the
    tokenizer came from it (importing posseg would otherwise re-read ``dict.txt``)."""
    load_tokenizer()
    with _LOCK:
        if "jieba.posseg" in sys.modules or _state is None:
            import jieba.posseg as pseg

            return pseg
        dt = jieba.dt
        dt.get_dict_file = _empty_dict  # posseg.dt reads it at import: nothing to read, tags come below
        try:
            import jieba.posseg as pseg
        finally:
            del dt.get_dict_file
        pseg.dt.word_tag_tab = {}
        _state.attach_tags(pseg.dt.word_tag_tab)
        return pseg


def _empty_dict() -> Any:
    import io

    return io.BytesIO(b"")


def load_all() -> None:
    """jieba's whole tables (tokenizer and posseg) now, and jieba's own ``get_DAG`` back: for a
    process that will fork workers (they share the tables) or segment much text."""
    load_tokenizer()
    posseg()
    if _state is not None:
        _state.add_everything()
