"""The claims' lexicons: platform (channel) names and comparison markers (同比, 较上年…), found
on jieba's tokens by lookups on token offsets instead of a spaCy ``Matcher`` with REGEX
predicates (which tested a regular expression on every token of every passage).

Pure functions over the passage text and its token offsets (``starts[i]``, ``ends[i]``: the
character range of token ``i``). They find exactly the token sequences the earlier Matcher
patterns found, so the spans, and every claim built on them, are unchanged.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

# Channel surface forms and the name each stands for; where surfaces overlap the longest wins.
CHANNELS: tuple[tuple[str, str], ...] = (
    ("政府门户网站", "政府网站"),
    ("门户网站", "门户网站"),
    ("政府网站", "政府网站"),
    ("微信公众号", "微信公众号"),
    ("公众号", "微信公众号"),
    ("政务微博", "政务微博"),
    ("微博", "政务微博"),
    ("视频号", "视频号"),
    ("抖音", "抖音"),
    ("今日头条", "今日头条"),
    ("客户端", "客户端"),
    ("政务新媒体", "政务新媒体"),
    ("网站", "网站"),
    ("新闻发布会", "新闻发布会"),
    ("政府公报", "政府公报"),
    ("公报", "政府公报"),
    ("热线", "热线"),
)

# Comparison markers as jieba cuts them. jieba glues 较/比 onto the word before ("率较|上年") or
# onto 上 ("比上|年度") and cuts full-width digits one by one, hence the suffix tests and the
# digit run. The patterns, as token sequences:
#   同比|环比
#   …较|…比  PRIOR  [同期]
#   …较上|…比上  [一]  年|年度  [同期]
#   上年|去年  同期
#   …较|…比  digit+  年|年度
PRIOR = frozenset({"上年", "去年", "上年度", "去年同期", "上一年", "上一年度", "前一年"})
_SAME_TERM = frozenset({"同比", "环比"})
_YEAR = frozenset({"年", "年度"})
_LAST_YEAR = frozenset({"上年", "去年"})
COMPARE_WORDS = ("同比", "环比", "较", "比", "上年", "去年")  # every pattern needs one of these
_PATTERN_STARTS = re.compile("较|比|上年|去年")  # ... and starts on the token holding one
_FOUR_DIGITS = re.compile(r"(?<![0-9０-９])[0-9０-９]{4}(?![0-9０-９])")


@dataclass(frozen=True, slots=True)
class ChannelMention:
    """A channel named in the working text: ``text[start:end]`` is the surface form."""

    start: int
    end: int
    name: str


@dataclass(frozen=True, slots=True)
class ChannelEntry:
    """One surface form, its channel name and its jieba words (the surface segmented alone)."""

    surface: str
    name: str
    words: tuple[str, ...]


def resolve_mentions(candidates: Sequence[ChannelMention]) -> list[ChannelMention]:
    """Overlapping candidates keep the longest surface ("政府门户网站" over "门户网站"), in text order.

    Equal ranges have equal surfaces and so equal names: no other tie-break is needed.
    """
    kept: list[ChannelMention] = []
    taken = bytearray(max((m.end for m in candidates), default=0))  # characters of kept mentions:
    for m in sorted(set(candidates), key=lambda m: (m.start - m.end, m.start)):  # no pairwise test
        if not any(taken[m.start : m.end]):
            kept.append(m)
            taken[m.start : m.end] = b"\x01" * (m.end - m.start)
    return sorted(kept, key=lambda m: m.start)


def channel_candidates(
    text: str, starts: Sequence[int], ends: Sequence[int], lexicon: Sequence[ChannelEntry]
) -> list[ChannelMention]:
    """Every place a surface stands on token edges the way jieba cuts it alone.

    A name whose jieba words are ``w0 … wn`` counts where a token ends with ``w0``, the next
    tokens are ``w1 … wn-1`` exactly and the following token begins with ``wn`` (jieba glues
    neighbours on: "县政府|门户网站", "局微信|公众|号", "热线电话"); a one-word name counts in
    any token containing it. The mention is the first occurrence of the surface in those
    tokens. Each occurrence of the surface in ``text`` is tested once, by bisection.
    """
    out: list[ChannelMention] = []
    for entry in lexicon:
        p = text.find(entry.surface)
        while p != -1:
            at = _aligned(text, starts, ends, p, entry)
            if at is not None:
                out.append(ChannelMention(at, at + len(entry.surface), entry.name))
            p = text.find(entry.surface, p + 1)
    return out


def _aligned(text: str, starts: Sequence[int], ends: Sequence[int], p: int, entry: ChannelEntry) -> int | None:
    """Where the mention of ``entry`` whose surface occurs at ``p`` starts, if the tokens allow it."""
    s = bisect_right(starts, p) - 1
    if s < 0 or ends[s] <= p:
        return None
    words, surface = entry.words, entry.surface
    if len(words) == 1:
        if p + len(surface) > ends[s]:
            return None
        return text.find(surface, starts[s], ends[s])
    if ends[s] != p + len(words[0]):
        return None
    at = ends[s]
    for i, w in enumerate(words[1:], start=1):
        t = s + i
        if t >= len(starts) or starts[t] != at:
            return None
        last = i == len(words) - 1
        if (ends[t] < at + len(w)) if last else (ends[t] != at + len(w)):
            return None
        at += len(w)
    return text.find(surface, starts[s], ends[s + len(words) - 1])


def comparison_matches(text: str, starts: Sequence[int], ends: Sequence[int]) -> list[tuple[int, int]]:
    """Token ranges ``(start, end)`` of every comparison-marker pattern match, short and long
    variants alike (an optional 同期 gives both), as a spaCy ``Matcher`` returns them."""
    n = len(starts)

    def tok(i: int) -> str:
        return text[starts[i] : ends[i]] if i < n else ""

    firsts: list[int] = []
    for m in _PATTERN_STARTS.finditer(text):
        s = bisect_right(starts, m.start()) - 1
        if s >= 0 and ends[s] > m.start() and (not firsts or firsts[-1] != s):
            firsts.append(s)
    out: list[tuple[int, int]] = []
    for s in firsts:
        out.extend(_matches_at(tok, s))
    return out


def _matches_at(tok: Callable[[int], str], s: int) -> Iterator[tuple[int, int]]:
    first = tok(s)
    if first in _SAME_TERM:
        yield s, s + 1
    if first in _LAST_YEAR and tok(s + 1) == "同期":
        yield s, s + 2
    if first.endswith(("较", "比")):
        if tok(s + 1) in PRIOR:
            yield s, s + 2
            if tok(s + 2) == "同期":
                yield s, s + 3
        k = s + 1
        while tok(k).isdigit():
            k += 1
        if k > s + 1 and tok(k) in _YEAR:
            yield s, k + 1
    if first.endswith(("较上", "比上")):
        for k in (s + 1, s + 2) if tok(s + 1) == "一" else (s + 1,):
            if tok(k) in _YEAR:
                yield s, k + 1
                if tok(k + 1) == "同期":
                    yield s, k + 2


def is_comparison(marker: str) -> bool:
    """A 较/比 + digits + 年 match compares with a year only when the digits are a 4-digit year."""
    return not any(ch.isdigit() for ch in marker) or bool(_FOUR_DIGITS.search(marker))
