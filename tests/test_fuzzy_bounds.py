"""``shared_chars`` counts exactly, and the bounds built on it never rule out a real match."""

from __future__ import annotations

import random

from rapidfuzz import fuzz

from nlp_pipeline.fuzzy_bounds import shared_chars


def test_counts_repeats_and_absent_characters() -> None:
    assert shared_chars("依申请公开", frozenset("申请公开信息")) == 4
    assert shared_chars("公开公开", frozenset("公")) == 2
    assert shared_chars("网站", frozenset("微信")) == 0


def test_no_alignment_scores_above_what_the_shared_characters_allow() -> None:
    rng = random.Random(5)
    alphabet = "政府信息公开申请答复网站解读"
    for _ in range(3000):
        a = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
        b = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 20)))
        k = shared_chars(a, frozenset(b))
        assert fuzz.ratio(a, b, processor=None) <= 200.0 * k / (len(a) + len(b)) + 1e-9
