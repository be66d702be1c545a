"""Extract the narrative's quantitative claims ("通过网站发布信息120条") with their spans.

The narrative is every text block (tables are skipped). Consecutive text blocks are joined
into one working text without whitespace, so a figure wrapped across lines ("2\\n件") or
spaced ("393 件") is still one figure; an offset map leads back to ``Document.text``.
A blank spaCy ``zh`` pipeline (jieba segmenter) runs four components over each working text
that holds a figure: ``gov_figures`` (the figure grammar of ``_numerals``), ``gov_channels``
(platform names, as ``doc.spans["channels"]``), ``gov_comparisons`` (同比/较上年 markers,
``doc.spans["comparisons"]``) and ``gov_claims`` (what each figure counts: metric, channel of
its own clause, 同比 change; ``claim_context``). They are thin wrappers of pure functions over
the text and its token offsets, read once per Doc as arrays (``doc.text`` and Token objects
are rebuilt on every access); the lexicons are looked up on those offsets (``claim_lexicon``).
The span convention is documented in ``corpora/claims_guide.md``: a claim's span runs from the
first character of its number to the last character of its unit, so prefix qualifiers (约, 超)
and trailing 以上/左右 lie outside it while an infix 余/多 and a scale 万 lie inside. A claim's
``sentence`` is its sentence from the working text (whitespace removed, so wrapped lines read
as one sentence).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache

import spacy
from spacy.attrs import IDX, LENGTH
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans, get_words_and_spaces

from ._numerals import Figure, find_figures
from .claim_context import build_claims
from .claim_lexicon import (
    CHANNELS,
    ChannelEntry,
    ChannelMention,
    channel_candidates,
    comparison_matches,
    is_comparison,
    resolve_mentions,
)
from .document import Document
from .jieba_dict import load_tokenizer
from .result import Claim, Section
from .segmentation import BREAK, CLAUSE_MARKS

__all__ = ["ChannelMention", "Passage", "extract_claims", "get_nlp", "resolve_mentions", "working_passages"]

_HEADING = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十0-9]+[）)]|[0-9]+[、.．])"
)
_PAGE_MARK = re.compile(r"^[\s—–\-－]*[0-9]+[\s—–\-－]*$")
_NON_SPACE = re.compile(r"\S+")
_GLUED_VS = re.compile("(?:较|比)上?$")
_SPACE = re.compile(r"\s")
_CLAUSE = re.compile("([^{0}]*)([{0}]?)".format(re.escape(CLAUSE_MARKS + BREAK)))


@dataclass(frozen=True, slots=True)
class Passage:
    """A run of text blocks as one working string; ``offsets[i]`` is the Document offset of ``text[i]``."""

    text: str
    offsets: tuple[int, ...]


def working_passages(doc: Document) -> list[Passage]:
    """Consecutive text blocks joined without whitespace (a whitespace run between two digits
    is kept as one space, at the run's first character)."""
    out: list[Passage] = []
    runs: list[str] = []
    offs: list[int] = []

    def flush() -> None:
        if runs:
            out.append(Passage("".join(runs), tuple(offs)))
        runs.clear()
        offs.clear()

    for block in doc.blocks:
        if block.kind != "text":
            flush()
            continue
        if _PAGE_MARK.match(block.text):
            continue
        src = doc.text[block.start : block.end]
        gap = 0  # where the whitespace before the next run begins
        for m in _NON_SPACE.finditer(src):
            a, b = m.span()
            if a > gap and runs and runs[-1][-1].isdigit() and src[a].isdigit():
                runs.append(" ")
                offs.append(block.start + gap)
            runs.append(m.group())
            offs.extend(range(block.start + a, block.start + b))
            gap = b
        body = block.text.strip()
        heading = _HEADING.match(body) and len(body) <= 30 and "。" not in body
        if heading or (len(body) < 15 and body[-1:].isdigit()):
            runs.append(BREAK)
            offs.append(block.end)
    flush()
    return out


def passage_text(doc: Doc) -> str:
    """The Doc's text, read once (``doc.text`` joins every token's text on each access)."""
    if doc._.passage is None:
        doc._.passage = doc.text
    return doc._.passage


def token_offsets(doc: Doc) -> tuple[list[int], list[int]]:
    """Start and end character of every token, read once per Doc as an array (no Token objects)."""
    if doc._.token_offsets is None:
        if len(doc):
            idx, length = doc.to_array([IDX, LENGTH]).T.tolist()
            doc._.token_offsets = (idx, [i + n for i, n in zip(idx, length, strict=True)])
        else:
            doc._.token_offsets = ([], [])
    return doc._.token_offsets


class FigureFinder:
    """spaCy component: cuts the figures out of the Doc's text (``doc._.figures``), unless
    ``extract_claims`` already did (it skips passages without any)."""

    def __call__(self, doc: Doc) -> Doc:
        if doc._.figures is None:
            doc._.figures = find_figures(passage_text(doc))
        return doc


class ChannelFinder:
    """spaCy component: the platforms named in the text, as ``doc.spans["channels"]`` labelled
    with the channel's name.

    Each name is segmented alone by the same jieba tokenizer (``nlp.make_doc``); a name counts
    where the Doc's tokens are cut as it is, allowing jieba to glue a neighbour onto its first
    or last word ("县政府|门户网站", "局微信|公众|号", "热线电话"): see
    ``claim_lexicon.channel_candidates``. Each Span carries ``span._.surface``, the exact
    character range of the name, since a glued token widens the Span.
    """

    def __init__(self, nlp: Language) -> None:
        self.lexicon = tuple(
            ChannelEntry(surface, name, tuple(t.text for t in nlp.make_doc(surface))) for surface, name in CHANNELS
        )

    def __call__(self, doc: Doc) -> Doc:
        starts, ends = token_offsets(doc)
        candidates = channel_candidates(passage_text(doc), starts, ends, self.lexicon)
        spans: list[Span] = []
        for m in resolve_mentions(candidates):
            span = doc.char_span(m.start, m.end, label=m.name, alignment_mode="expand")
            if span is not None:
                span._.surface = (m.start, m.end)
                spans.append(span)
        doc.spans["channels"] = filter_spans(spans)
        return doc


def channel_mentions(doc: Doc) -> list[ChannelMention]:
    """The ``channels`` span group as plain mentions (exact surface ranges)."""
    group = doc.spans.get("channels", [])
    return [ChannelMention(span._.surface[0], span._.surface[1], span.label_) for span in group]


class ClaimBuilder:
    """spaCy component: turns ``doc._.figures`` into ``doc._.claims`` using the jieba token
    offsets and the ``channels`` and ``comparisons`` span groups."""

    def __call__(self, doc: Doc) -> Doc:
        starts, ends = token_offsets(doc) if doc._.figures else ([], [])
        comparisons = [sp._.surface for sp in doc.spans.get("comparisons", [])]
        doc._.claims = build_claims(passage_text(doc), doc._.figures, starts, ends, channel_mentions(doc), comparisons)
        return doc


class ComparisonFinder:
    """spaCy component: comparison markers (同比, 环比, 较上年, 比2024年…) as
    ``doc.spans["comparisons"]``, each with ``span._.surface`` its exact character range (a
    Span widened by a glued token "率较" starts at 较). Where markers overlap, spaCy's
    ``filter_spans`` keeps the longest."""

    def __init__(self, nlp: Language) -> None:
        self.label = nlp.vocab.strings.add("COMPARE")

    def __call__(self, doc: Doc) -> Doc:
        text = passage_text(doc)
        starts, ends = token_offsets(doc)
        spans: list[Span] = []
        for s, e in comparison_matches(text, starts, ends):
            if not is_comparison(text[starts[s] : ends[e - 1]]):
                continue
            sp = Span(doc, s, e, label=self.label)
            glued = _GLUED_VS.search(text[starts[s] : ends[s]]) if e - s > 1 else None
            sp._.surface = (starts[s] + (glued.start() if glued else 0), ends[e - 1])
            spans.append(sp)
        doc.spans["comparisons"] = filter_spans(spans)
        return doc


@Language.factory("gov_figures")
def make_figure_finder(nlp: Language, name: str) -> FigureFinder:
    return FigureFinder()


@Language.factory("gov_channels")
def make_channel_finder(nlp: Language, name: str) -> ChannelFinder:
    return ChannelFinder(nlp)


@Language.factory("gov_comparisons")
def make_comparison_finder(nlp: Language, name: str) -> ComparisonFinder:
    return ComparisonFinder(nlp)


@Language.factory("gov_claims")
def make_claim_builder(nlp: Language, name: str) -> ClaimBuilder:
    return ClaimBuilder()


@cache
def get_nlp() -> Language:
    """The claim pipeline, built once per process: blank zh with jieba, then our four components."""
    for ext in ("figures", "claims", "passage", "token_offsets"):
        if not Doc.has_extension(ext):
            Doc.set_extension(ext, default=None)
    if not Span.has_extension("surface"):
        Span.set_extension("surface", default=None)
    load_tokenizer()  # jieba's dictionary from the fast cache before spaCy's segmenter touches it
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    nlp.max_length = 20_000_000  # one passage can be a whole long report; no model memory at stake
    nlp.add_pipe("gov_figures")
    nlp.add_pipe("gov_channels")
    nlp.add_pipe("gov_comparisons")
    nlp.add_pipe("gov_claims")
    return nlp


def extract_claims(doc: Document, sections: Sequence[Section]) -> list[Claim]:
    """Every quantitative claim of the narrative, spans in ``doc.text``, in text order.

    A passage with no figure gives no claim, so spaCy never segments it (a long text of
    headings and prose without numbers costs one regex pass, not a jieba segmentation); the
    figures found for that test are handed to the Doc, not searched for again, and within a
    passage only the comma clauses holding a figure are cut by jieba (``figure_doc``).
    """
    nlp = get_nlp()
    out: list[Claim] = []
    for passage in working_passages(doc):
        figures = find_figures(passage.text)
        if not figures:
            continue
        sdoc = figure_doc(nlp, passage.text, figures)
        sdoc._.passage = passage.text
        sdoc._.figures = figures
        out.extend(_to_document(doc, passage, c, sections) for c in nlp(sdoc)._.claims)
    return out


def figure_doc(nlp: Language, text: str, figures: Sequence[Figure]) -> Doc:
    """``nlp.make_doc(text)`` where it matters: the comma clauses (cut at ``CLAUSE_MARKS`` and
    ``BREAK``) holding a figure are cut by the pipeline's jieba segmenter, every other clause
    into single characters (a clause holding whitespace is cut by jieba too, so that spaCy
    aligns its words with the text as it always does).

    Each token lookup of the components stays inside the figure's clause: its channel mentions
    and comparison markers are looked for between the clause's marks, and the words after its
    unit stop at the next mark (``claim_context``: the wider context is read from the text, not
    the tokens). jieba cuts a text into blocks at every character outside its word pattern, such
    as these marks, so a clause cut alone gets exactly the tokens it gets inside the whole
    passage. Most of a passage names no figure; it is not segmented, and as single characters it
    adds no new word to the vocabulary, which a long-running worker keeps (tests/test_claims.py
    checks that the claims are the same as with the whole passage segmented, on every real and
    sample report).
    """
    cut = nlp.tokenizer.jieba_seg.cut  # type: ignore[union-attr]  # what spaCy's zh tokenizer calls
    words: list[str] = []
    spaces: list[bool] = []
    k, n = 0, len(figures)
    for m in _CLAUSE.finditer(text):
        start, end = m.span()
        if start == end:
            continue
        while k < n and figures[k].end <= start:
            k += 1
        clause = m.group()
        spaced = _SPACE.search(m.group(1)) is not None
        if spaced or (k < n and figures[k].start < end):
            cut_words = [w for w in cut(clause, cut_all=False) if w]
            if spaced:  # spaCy turns a space after a word into that word's trailing space
                cut_words, cut_spaces = get_words_and_spaces(cut_words, clause)
            else:  # no whitespace but the mark: the words are the tokens as they are
                cut_spaces = [False] * len(cut_words)
            words += cut_words
            spaces += cut_spaces
        else:
            words += clause
            spaces += [False] * len(clause)
    return Doc(nlp.vocab, words=words, spaces=spaces)


def _to_document(doc: Document, passage: Passage, claim: Claim, sections: Sequence[Section]) -> Claim:
    start = passage.offsets[claim.start]
    end = passage.offsets[claim.end - 1] + 1
    return replace(
        claim, start=start, end=end, text=doc.text[start:end], section=_section_at(sections, start)
    )


def _section_at(sections: Sequence[Section], pos: int) -> str:
    return next((s.id for s in sections if s.start <= pos < s.end), "")
