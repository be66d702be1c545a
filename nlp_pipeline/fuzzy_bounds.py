"""How many characters two strings can share: an exact upper bound on a rapidfuzz alignment.

An Indel-based score (``fuzz.ratio``, ``fuzz.partial_ratio``) is 200·m/(a+b) for m characters
aligned between strings of lengths a and b, and m never exceeds the characters of one string
that occur in the other at all. Callers turn that count into their cut-off's bound and skip
alignments that cannot reach it (lexicon phrases in ``linking``, statutory titles in
``sections``); the scores of the alignments they do run are unchanged.
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["shared_chars"]


def shared_chars(phrase: str, chars: frozenset[str]) -> int:
    """How many of ``phrase``'s characters, counted with repeats, occur in ``chars``."""
    distinct = _distinct(phrase)
    if len(distinct) == len(phrase):
        return len(distinct & chars)
    return sum(ch in chars for ch in phrase)


@lru_cache(maxsize=4096)  # the phrases come from fixed vocabularies (the lexicon, the titles)
def _distinct(phrase: str) -> frozenset[str]:
    return frozenset(phrase)
