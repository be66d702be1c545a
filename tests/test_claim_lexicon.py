"""The lexicon lookups on token offsets find exactly what spaCy Matchers with REGEX token
predicates found before them (kept here as the reference), on hand-built texts, on random
texts made of the lexicon's pieces, and on every passage of the real and sample reports."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from pathlib import Path

import pytest
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc
from spacy.util import filter_spans

from nlp_pipeline import loaders
from nlp_pipeline.claim_lexicon import (
    CHANNELS,
    ChannelEntry,
    ChannelMention,
    channel_candidates,
    comparison_matches,
    is_comparison,
    resolve_mentions,
)
from nlp_pipeline.claims import get_nlp, token_offsets, working_passages
from nlp_pipeline.errors import NlpPipelineError

ROOT = Path(__file__).resolve().parents[1]
CORPORA = [ROOT.parent / "shared" / "corpora" / "real", ROOT / "corpora" / "samples"]

# --- the reference: the Matcher patterns the lookups replaced ----------------------------------

_PRIOR = ["上年", "去年", "上年度", "去年同期", "上一年", "上一年度", "前一年"]
_VS = {"TEXT": {"REGEX": "(?:较|比)$"}}
_YEAR = {"ORTH": {"IN": ["年", "年度"]}}
_COMPARE_PATTERNS: list[list[dict]] = [
    [{"ORTH": {"IN": ["同比", "环比"]}}],
    [_VS, {"ORTH": {"IN": _PRIOR}}, {"ORTH": "同期", "OP": "?"}],
    [{"TEXT": {"REGEX": "(?:较|比)上$"}}, {"ORTH": "一", "OP": "?"}, _YEAR, {"ORTH": "同期", "OP": "?"}],
    [{"ORTH": {"IN": ["上年", "去年"]}}, {"ORTH": "同期"}],
    [_VS, {"IS_DIGIT": True, "OP": "+"}, _YEAR],
]


def _glued_pattern(words: Sequence[str]) -> list[dict]:
    if len(words) == 1:
        return [{"TEXT": {"REGEX": re.escape(words[0])}}]
    return [
        {"TEXT": {"REGEX": re.escape(words[0]) + "$"}},
        *({"ORTH": w} for w in words[1:-1]),
        {"TEXT": {"REGEX": "^" + re.escape(words[-1])}},
    ]


class _Reference:
    def __init__(self) -> None:
        nlp = get_nlp()
        self.nlp = nlp
        self.phrases = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.glued = Matcher(nlp.vocab)
        self.names: dict[int, str] = {}
        for surface, name in CHANNELS:
            words = [t.text for t in nlp.make_doc(surface)]
            self.names[nlp.vocab.strings.add(surface)] = name
            self.phrases.add(surface, [nlp.make_doc(surface)])
            self.glued.add(surface, [_glued_pattern(words)])
        self.compare = Matcher(nlp.vocab)
        self.compare.add("COMPARE", _COMPARE_PATTERNS)

    def channels(self, doc: Doc) -> set[ChannelMention]:
        out = set()
        for key, s, e in [*self.phrases(doc), *self.glued(doc)]:
            surface = doc.vocab.strings[key]
            k = doc[s:e].text.find(surface)
            if k != -1:
                out.add(ChannelMention(doc[s].idx + k, doc[s].idx + k + len(surface), self.names[key]))
        return out

    def comparisons(self, doc: Doc) -> list[tuple[int, int]]:
        spans = [sp for sp in self.compare(doc, as_spans=True) if is_comparison(sp.text)]
        return [(sp.start, sp.end) for sp in filter_spans(spans)]


@pytest.fixture(scope="module")
def ref() -> _Reference:
    return _Reference()


def _check(ref: _Reference, text: str) -> None:
    nlp = ref.nlp
    doc = nlp.make_doc(text)
    starts, ends = token_offsets(doc)
    lexicon = [ChannelEntry(s, n, tuple(t.text for t in nlp.make_doc(s))) for s, n in CHANNELS]
    got = channel_candidates(text, starts, ends, lexicon)
    assert set(got) == ref.channels(doc), text
    assert resolve_mentions(got) == resolve_mentions(list(ref.channels(doc))), text
    spans = [doc[s:e] for s, e in comparison_matches(text, starts, ends) if is_comparison(doc[s:e].text)]
    assert [(sp.start, sp.end) for sp in filter_spans(spans)] == ref.comparisons(doc), text


@pytest.mark.parametrize(
    "text",
    [
        "通过县政府门户网站公开信息20条，局微信公众号推送8条，热线电话受理6件，市政府网站转载3条。",
        "办结率较上年提升幅度为5个百分点，网站访问量比上年度提升12%。",
        "较２０２３年提升6%，比3年度提升6%，比上一年度同期下降2件，上年同期为9件。",
        "同比增长37%，环比下降2%，较去年同期增加4件，比2024年减少3件。",
        "率较上年同期增长5%，较上年度同期下降1%，较前一年同期持平，比上年同期下降2件。",
        "网站网站网站，政务微博微博，公报政府公报，抖音号、视频号、今日头条客户端。",
        "",
        "较",
        "比上",
    ],
)
def test_lookups_equal_the_matchers_on_hand_built_texts(ref: _Reference, text: str) -> None:
    _check(ref, text)


@pytest.mark.parametrize(
    "pieces",
    [
        [
            "较", "比", "上", "一", "年", "年度", "同期", "上年", "去年", "前", "同比", "环比",
            "2023", "２０２３", "3", "率", "增长", "，",
        ],
        [*(s for s, _ in CHANNELS), "县", "局", "市", "电话", "号", "平台", "账号", "新", "发布", "，", "。", "12条"],
    ],
    ids=["comparisons", "channels"],
)  # fmt: skip
def test_lookups_equal_the_matchers_on_random_texts(ref: _Reference, pieces: list[str]) -> None:
    rng = random.Random(11)
    for _ in range(600):
        _check(ref, "".join(rng.choice(pieces) for _ in range(rng.randint(1, 10))))


def test_lookups_equal_the_matchers_on_every_report_passage(ref: _Reference) -> None:
    files = [p for d in CORPORA if d.is_dir() for p in sorted(d.iterdir()) if p.suffix in (".txt", ".md", ".html")]
    if not files:
        pytest.skip("no corpora")
    checked = 0
    for p in files:
        try:
            doc = loaders.load(p)
        except NlpPipelineError:  # bad samples are other tests' business
            continue
        for passage in working_passages(doc):
            _check(ref, passage.text)
            checked += 1
    assert checked > 20
