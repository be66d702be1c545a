"""jieba's own dictionary, loaded in a form Python reads fast, and only as far as a text needs it.

jieba (0.42.1) loads its prefix dictionary (``Tokenizer.FREQ``: ~350k words and their prefixes,
~500k entries) from a ``marshal`` cache with ``marshal.load`` on a file object, which reads every
string through a Python-level ``readinto``: ~0.6 s, more than half of a one-file ``analyze``.
``jieba.posseg`` re-reads ``dict.txt`` line by line for its word-tag table (~0.4 s) when imported.

Here both tables are kept in one cache file in the user's cache directory, built once from what
jieba itself loaded (so the words, frequencies, total and tags are jieba's own, never ours): the
words as one string, frequencies and tag codes as arrays, grouped by first character. Every
lookup jieba makes while segmenting a text is of a substring of that text (``get_DAG`` probes
``text[k:i]``; ``calc``, the HMM fallback test and posseg's tag lookup read words of the route
built from that DAG), so an entry is needed only once its first character occurs in a text being
cut. ``Tokenizer.get_DAG`` is the one gate every cut passes first (plain, HMM, cut_all,
for_search, posseg), so it is wrapped on ``jieba.dt`` to add the groups of the text's new
characters before jieba probes; segmentation is identical to the stock tokenizer's
(``tests/test_jieba_dict.py`` checks every real report). ``load_all`` fills everything and removes
the wrapper (the batch parent calls it before forking its workers).

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
from pathlib import Path
from types import ModuleType
from typing import Any

import jieba

__all__ = ["CACHE_ENV", "cache_dir", "load_all", "load_tokenizer", "posseg"]

#: Environment variable naming the directory for the cache (default: the user's cache dir).
CACHE_ENV = "NLP_PIPELINE_CACHE_DIR"

_FORMAT = 1
_LAZY_JIEBA = "0.42.1"  # the jieba whose internals (get_DAG as the gate, posseg.dt) were checked
_NO_TAG = 255
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
    """The cache bytes for jieba's tables, grouped by first character (tagged words first in each
    group); None when the tables do not fit the form (a word with a line break, a tagged word
    missing from ``freq``, over 255 tags): jieba then keeps loading its own way."""
    if any("\n" in k for k in freq) or not all(w in freq for w in word_tags):
        return None
    names = sorted(set(word_tags.values()))
    if len(names) >= _NO_TAG:
        return None
    code = {t: i for i, t in enumerate(names)}
    groups: dict[str, list[str]] = {}
    for k in freq:
        groups.setdefault(k[0], []).append(k)
    chars = "".join(sorted(groups))
    keys: list[str] = []
    key_start, text_start, tagged = array("I", [0]), array("I", [0]), array("I")
    offset = 0
    for ch in chars:
        group = sorted(groups[ch], key=lambda k: k not in word_tags)  # stable: tagged first
        keys += group
        tagged.append(sum(1 for k in group if k in word_tags))
        key_start.append(len(keys))
        offset += sum(len(k) + 1 for k in group)
        text_start.append(offset)
    payload = (
        _FORMAT,
        total,
        chars,
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
    if not (isinstance(payload, tuple) and len(payload) == 10 and payload[0] == _FORMAT):
        return None
    return payload


class _Lazy:
    """The cache's tables, moved into jieba's dicts group by group as texts need them."""

    def __init__(self, payload: tuple[Any, ...]) -> None:
        _, self.total, chars, self.keys, ks, ts, tg, fr, self.codes, self.names = payload
        self.group = {ch: i for i, ch in enumerate(chars)}
        self.key_start, self.text_start, self.tagged, self.freqs = array("I"), array("I"), array("I"), array("q")
        for arr, raw in ((self.key_start, ks), (self.text_start, ts), (self.tagged, tg), (self.freqs, fr)):
            arr.frombytes(raw)
        if not (
            len(self.key_start) == len(self.text_start) == len(chars) + 1
            and len(self.tagged) == len(chars)
            and len(self.freqs) == len(self.codes) == self.key_start[-1]
            and len(self.keys) == self.text_start[-1]
        ):
            raise ValueError("inconsistent jieba dictionary cache")
        self.freq: dict[str, int] = {}
        self.tags: dict[str, str] | None = None  # posseg's word_tag_tab, once posseg is imported
        self.seen: set[str] = set()  # characters whose group is in ``freq`` (and ``tags``)

    def _words(self, i: int) -> list[str]:
        return self.keys[self.text_start[i] : self.text_start[i + 1] - 1].split("\n")

    def add(self, chars: Iterable[str]) -> None:
        """Move the groups of ``chars`` not yet seen into ``freq`` (and ``tags``)."""
        with _LOCK:
            for ch in set(chars) - self.seen:
                i = self.group.get(ch)
                if i is not None:
                    words = self._words(i)
                    a, b = self.key_start[i], self.key_start[i + 1]
                    self.freq.update(zip(words, self.freqs[a:b].tolist()))
                    if self.tags is not None:
                        self._add_tags(i, words)
                self.seen.add(ch)

    def _add_tags(self, i: int, words: list[str]) -> None:
        assert self.tags is not None
        a, n = self.key_start[i], self.tagged[i]
        self.tags.update(zip(words[:n], map(self.names.__getitem__, self.codes[a : a + n])))

    def attach_tags(self, tags: dict[str, str]) -> None:
        """posseg's table joins: fill it for the groups already seen."""
        with _LOCK:
            self.tags = tags
            for ch in self.seen:
                i = self.group.get(ch)
                if i is not None:
                    self._add_tags(i, self._words(i))

    def get_dag(self, sentence: str) -> dict[int, list[int]]:
        if not self.seen.issuperset(sentence):
            self.add(sentence)
        return jieba.Tokenizer.get_DAG(jieba.dt, sentence)  # type: ignore[no-any-return]


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
        try:
            _write(path, data)
        except OSError:
            pass


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
    """Every group in jieba's tables now, and jieba's own ``get_DAG`` back: for a process that
    will fork workers (they share the tables) or segment much text."""
    global _state
    load_tokenizer()
    posseg()
    with _LOCK:
        if _state is not None:
            _state.add(_state.group)
            del jieba.dt.get_DAG
            _state = None
