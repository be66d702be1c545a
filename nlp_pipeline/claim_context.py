"""What each figure of a passage counts: its metric, its channel, whether it is a change, its
sentence. Pure functions over the working text (see ``claims.working_passages``), its figures
(``_numerals``), its jieba token offsets and the lexicon spans (``claim_lexicon``); the spaCy
component ``gov_claims`` in ``claims`` wraps ``build_claims``.

Each figure finds its clause, sentence and channel by bisection in a ``_TextIndex`` (the
passage's ``segmentation.Segmentation`` plus the 其中/含, 通过 and channel positions), and the
words right after it by bisection in the token offsets: no scan of the text or of the tokens per
figure. Which break level each lookup uses is said in ``segmentation``.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence

from ._numerals import Figure
from .claim_lexicon import CHANNELS, ChannelMention
from .jieba_dict import load_tokenizer
from .result import Claim
from .segmentation import BREAK, CLAUSE_MARKS, Segmentation

_SPLIT_WORDS = ("其中", "含", "包括", "包含")

_CHANNEL_LEAD = re.compile(
    "(?:"
    + "|".join(p for p, _ in CHANNELS)
    + r")(?:账号|号|平台)?(?=发布|推送|转载|刊发|编发|发送|播发|更新|公开)"
)
_OTHER_PLATFORM = re.compile("平台|渠道|途径")
_VIA_WORD = re.compile("通过|依托|利用|借助|在")
_LEAD_NOISE = re.compile(
    r"^(?:截至[^，,]*?(?:月底|日|年底|年末)|[0-9０-９]{4}年度?|[一二〇零0-9]{4}年|全年|今年|当年|本年度|本年|年内|"
    r"同时|此外|另外|目前|全区|全市|全县|全省|我[局委办厅院部署]|本(?:局|委|办|厅|院|部|署|机关|单位)|"
    r"共|累计|共计|总计|合计|累积|先后|已|还|并|均|分别|依法|及时|有效|认真|积极|有)+"
)
_VIA = re.compile(
    r"(?:通过|依托|利用|借助|在)[^，,。；]{0,24}?(?:网站|公众号|微博|视频号|抖音|客户端|平台|渠道|方式|栏目|专栏|公开栏|宣传栏|新媒体|账号|页面)"
    r"(?:账号|上|中|等)?|^[^，,。；]{0,20}?等?(?:渠道|途径)"
)
_UP_TO = re.compile(
    r"^.*?(?:(?<!公)共计|(?<!公)共(?![享同建治])|累计|总计|合计|全年|当年|今年|年内|本年度|本年|[0-9０-９]{4}年度?)"
)
_TAIL_NOISE = re.compile(
    r"(?:共|累计|共计|总计|合计|累积|计|为|达到|达|约|近|超过|超|逾|不到|不足|突破|将近|接近|大约|有|了|的|各类|各项|高达|占比|占"
    r"|不少于|不低于|不超过|少于|多于|各)+$"
)
_PASSIVE = re.compile(r"^.*?(?:被申请|被提起|被)(?=行政复议|行政诉讼)")  # "…工作被申请行政复议" → "行政复议"
_FILLER = re.compile(r"各类|各项|相关")
_CHANGE_VERB = re.compile(
    r"(?:增长|增加|提高|提升|上升|下降|减少|降低|增幅|降幅|增长了|下降了|减少了|增加了)(?:了|约|近|达|为)?$"
)
# Comparison markers (同比, 较上年, 比2024年…) as jieba token patterns for the Matcher. jieba
# glues 较/比 onto the word before ("率较|上年") or onto 上 ("比上|年度") and cuts full-width
# digits one by one, hence the suffix patterns and the digit run.
_RIGHT_STOP = re.compile(
    "[" + re.escape(CLAUSE_MARKS + "、（）()" + BREAK) + "]"  # not at a title or quote: see _title_after
    r"|的|全部|均|已|被|予以|实现|上线|开展|进行|涉及|来自|和|与|及|等"
    r"|累积|累计|共|共计|达|达到|超|超过|为|突破|近"
)
# A left context that is only (or ends in) a light verb or a preposition says nothing about
# what is counted; the words after the figure do ("组织4次季度检查", "对29项政策文件进行解读").
_LIGHT_VERB = re.compile(r"(?:进行|开展|组织|举办|推出|推进|完成|实现|提出|出台)$")
_PREPOSITIONS = {"对", "向", "为", "将", "把", "给", "与"}
_PREFER_RIGHT_UNITS = {"个", "家", "项", "所", "名", "位", "户", "套", "批"}

class _TextIndex:
    """The passage's break marks (``Segmentation``, breaking at ``BREAK``) and the sorted
    positions of the other marks ``build_claims`` looks for around each figure (其中/含,
    通过/依托…, the channel mentions and comparison markers), so a figure finds its clause,
    sentence and channel by bisection."""

    def __init__(self, text: str, mentions: Sequence[ChannelMention], comparisons: Sequence[tuple[int, int]]):
        self.text = text
        self.seg = Segmentation(text, line_break=BREAK)
        self.split = {w: [m.start() for m in re.finditer(re.escape(w), text)] for w in _SPLIT_WORDS}
        self.via = [(m.start(), m.end()) for m in _VIA_WORD.finditer(text)]
        self.via_starts = [a for a, _ in self.via]
        self.mentions = sorted(mentions, key=lambda m: (m.start, m.end))
        self.mention_starts = [m.start for m in self.mentions]
        self.comparisons = sorted(comparisons)
        self.comparison_starts = [a for a, _ in self.comparisons]

    def clause_start(self, pos: int) -> int:
        """Start of the clause ending at ``pos``: after the last ``fine_clause`` mark or 其中/含."""
        i = best = self.seg.start("fine_clause", pos)
        for w, occ in self.split.items():
            j = bisect_right(occ, pos - len(w)) - 1
            if j >= 0 and occ[j] >= i:
                best = max(best, occ[j] + len(w))
        return best

    def mentions_in(self, start: int, end: int) -> list[ChannelMention]:
        """Mentions wholly inside ``[start, end)``, in text order."""
        out = []
        for m in self.mentions[bisect_left(self.mention_starts, start) :]:
            if m.start >= end:
                break
            if m.end <= end:
                out.append(m)
        return out

    def comparisons_in(self, start: int, end: int) -> list[str]:
        out = []
        for a, b in self.comparisons[bisect_left(self.comparison_starts, start) :]:
            if a >= end:
                break
            if b <= end:
                out.append(self.text[a:b])
        return out

    def first_via(self, pos: int) -> int | None:
        """End of the first 通过/依托/利用/借助/在 starting at or after ``pos``."""
        k = bisect_left(self.via_starts, pos)
        return self.via[k][1] if k < len(self.via) else None


def clause_channel(
    text: str,
    mentions: Sequence[ChannelMention],
    span: tuple[int, int],
    *,
    since: int = 0,
    until: int | None = None,
    parent: str = "",
    index: _TextIndex | None = None,
) -> str:
    """The channel of the figure at ``span``: the platform named in its own clause.

    The clause runs from the last comma-type mark, or the previous figure if nearer, to the
    figure: the platform named last in it wins ("通过网站、微信公众号发布…" → 微信公众号). A platform
    brought in by 通过/依托/利用/借助/在 covers its whole comma clause, 、 list included
    ("通过网站开展征集53期、调查51期"). When the clause names none, a platform named after the
    figure, before the next figure (``until``) or comma-type mark, counts ("注销2个…的政务新媒体").
    Nothing is inherited from earlier clauses ("收到网站申请2件，办结2件": the second figure
    names no platform), except by a 其中/含 breakdown or a bracketed share right after a
    figure, which count part of that figure and take its channel (``parent``) unless they
    name some other platform or 渠道.
    """
    pos, end = span
    if index is None:
        index = _TextIndex(text, mentions, ())
    comma = index.seg.start("clause", pos)
    c0 = since if comma <= since <= pos else comma
    clause = text[c0:pos]
    inside = index.mentions_in(c0, pos)
    own = inside[-1].name if inside else ""
    if own or _OTHER_PLATFORM.search(clause):
        return own
    via_end = index.first_via(comma)
    if via_end is not None:
        via = [m for m in index.mentions_in(comma, c0) if m.start >= via_end]
        if via:
            return via[-1].name
    limit = len(text) if until is None else until
    j = index.seg.next_mark("clause", end, limit) if end < limit else end
    after = index.mentions_in(end, j)
    if after:
        return after[0].name
    head = clause.lstrip("、（(")
    return parent if not head or head.startswith(_SPLIT_WORDS) else ""


def clean_metric(left: str) -> str:
    """Reduce the words before a figure to the verb+object it counts ("发布各类信息" → "发布信息")."""
    s = _VIA.sub("", left)
    if left and not _TAIL_NOISE.sub("", _LEAD_NOISE.sub("", s)):
        s = left  # the channel phrase was all there was: keep it
    s = _LEAD_NOISE.sub("", s)
    s = _TAIL_NOISE.sub("", s)
    s = _FILLER.sub("", s)
    s = _LEAD_NOISE.sub("", s)
    s = _PASSIVE.sub("", s)
    cut = _UP_TO.sub("", s)
    if len(cut) >= 2:
        s = _LEAD_NOISE.sub("", cut)
    s = s.lstrip("及和与并")
    lead = _CHANNEL_LEAD.match(s)
    if lead:
        s = s[lead.end() :]
    s = s.strip('，,。；;：:、的等“”"')
    if len(s) >= 6 and "的" in s and len(s.rsplit("的", 1)[1]) >= 2:
        s = s.rsplit("的", 1)[1]
    return _tail_words(s, 14)


def _tail_words(s: str, limit: int) -> str:
    """The last words of ``s`` within ``limit`` characters, cut at a jieba word boundary
    (only the last ``_TAIL_WINDOW`` characters are segmented: a clause of a text without
    punctuation can be the whole text)."""
    if len(s) <= limit:
        return s
    s = s[-_TAIL_WINDOW:]
    out = ""
    for word in reversed(load_tokenizer().lcut(s)):
        if len(out) + len(word) > limit:
            break
        out = word + out
    return out or s[-limit:]


_TAIL_WINDOW = 300


def right_noun(tokens: Sequence[str]) -> str:
    """The noun phrase right after a unit ("7个重点事项" → "重点事项"), up to a stop word."""
    out = ""
    for tok in tokens:
        if _RIGHT_STOP.match(tok) or tok[:1].isdigit() or len(out) + len(tok) > 10:
            break
        out += tok
    return out


def build_claims(
    text: str,
    figures: Sequence[Figure],
    token_starts: Sequence[int],
    token_ends: Sequence[int],
    channels: Sequence[ChannelMention] = (),
    comparisons: Sequence[tuple[int, int]] = (),
) -> list[Claim]:
    """Claims with offsets into ``text`` (the working string): metric, channel and change per figure.

    ``token_starts``/``token_ends`` are the character ranges of jieba's tokens, ``channels`` are the platform names found in ``text`` (the ``gov_channels`` component),
    ``comparisons`` the character ranges of comparison markers such as 同比/较上年
    (``gov_comparisons``): a percentage after one in its clause is a change.
    """
    out: list[Claim] = []
    prev_end = 0
    ix = _TextIndex(text, channels, comparisons)
    sentences: dict[tuple[int, int], str] = {}
    for i, fig in enumerate(figures):
        until = figures[i + 1].start if i + 1 < len(figures) else None
        c0 = max(ix.clause_start(fig.start), prev_end if prev_end <= fig.start else 0)
        raw_left = text[c0 : fig.start]
        s0, s1 = ix.seg.bounds("segment", fig.start)
        sentence = sentences.get((s0, s1))
        if sentence is None:
            sentence = sentences[(s0, s1)] = _sentence_text(text, s0, s1, fig.start)
        markers = ix.comparisons_in(c0, fig.start)
        is_change = bool(_CHANGE_VERB.search(_strip_qual(raw_left))) or (
            fig.unit in ("%", "个百分点", "百分点") and bool(markers)
        )
        metric = clean_metric(raw_left)
        if not raw_left and text[c0 - 1 : c0] == "》":
            metric = _title_before(text, c0 - 1, ix)
        if is_change:
            metric = _without(_CHANGE_VERB.sub("", _strip_qual(metric)), markers).strip("显著大幅")
        k = bisect_right(token_ends, fig.end)  # tokens reaching past the figure; right_noun reads a few
        after = [
            text[max(token_starts[j], fig.end) : token_ends[j]]
            for j in range(k, min(k + _RIGHT_TOKENS, len(token_ends)))
        ]
        noun = _title_after(text, fig.end) or right_noun(after)
        if fig.unit in _PREFER_RIGHT_UNITS and noun and text.startswith(noun + "的", fig.end):
            noun = _right_clause_noun(text, fig.end, ix)
        light = _LIGHT_VERB.search(metric)
        if _strip_qual(raw_left).endswith("有") or raw_left.endswith("有"):
            metric = _right_clause_noun(text, fig.end, ix) or metric
        elif noun and raw_left.endswith("的"):
            metric = _tail_words(metric + noun, 14)
        elif noun and (light or fig.unit in _PREFER_RIGHT_UNITS or metric in _PREPOSITIONS):
            metric = noun
        elif noun and len(metric) <= 2:
            metric = metric + noun
        if not metric and out and out[-1].sentence == sentence:
            metric = out[-1].metric
        if not metric and c0 > s0 + 1:
            metric = clean_metric(text[max(ix.clause_start(c0 - 1), c0 - 1 - _LEFT_WINDOW) : c0 - 1])
        parent = out[-1].channel if out and out[-1].sentence == sentence else ""
        since = prev_end if out and out[-1].sentence == sentence else 0
        out.append(
            Claim(
                value=fig.value,
                unit=fig.unit,
                qualifier=fig.qualifier,
                metric=metric,
                start=fig.start,
                end=fig.end,
                text=text[fig.start : fig.end],
                sentence=sentence,
                channel=clause_channel(
                    text, channels, (fig.start, fig.end), since=since, until=until, parent=parent, index=ix
                ),
                scale=fig.scale,
                written_value=fig.written_value,
                is_change=is_change,
                upper=fig.upper,
            )
        )
        prev_end = fig.end
    return out


_LEFT_WINDOW = 1000  # the previous clause is read this far back at most (it can be the whole text)
_RIGHT_TOKENS = 16  # right_noun stops within 10 characters, so within 11 (non-empty) tokens
_SENTENCE_MAX = 2000  # a "sentence" longer than this (a text without sentence ends) is shown cut


def _sentence_text(text: str, s0: int, s1: int, pos: int) -> str:
    """The sentence as claims show it; a run-on "sentence" of a text without sentence ends is cut
    to ``_SENTENCE_MAX`` characters around the figure, the cuts marked "…" (else every claim of
    such a text would carry the whole text)."""
    if s1 - s0 > _SENTENCE_MAX:
        lo = max(s0, pos - _SENTENCE_MAX // 2)
        hi = min(s1, lo + _SENTENCE_MAX)
        return ("…" if lo > s0 else "") + text[lo:hi].replace(BREAK, "") + ("…" if hi < s1 else "")
    return text[s0:s1].replace(BREAK, "")


def _title_before(text: str, close: int, ix: _TextIndex) -> str:
    """For "编印《…简报》36期": the verb before the title and the title itself."""
    open_ = text.rfind("《", max(0, close - 30), close)
    if open_ == -1:
        return ""
    verb = clean_metric(text[ix.clause_start(open_) : open_])
    return _tail_words(verb + text[open_ + 1 : close], 14)


def _title_after(text: str, pos: int) -> str:
    """A 《title》 right after the figure names what it counts ("推出20期《…》")."""
    if not text.startswith("《", pos):
        return ""
    close = text.find("》", pos)
    return _tail_words(text[pos + 1 : close], 14) if 0 < close - pos <= 30 else ""


def _right_clause_noun(text: str, pos: int, ix: _TextIndex) -> str:
    """For "有N件…的行政复议": the head noun closing the clause after the figure."""
    j = ix.seg.next_mark("fine_clause", pos)
    right = text[pos:j]
    if "的" in right:
        right = right.rsplit("的", 1)[1]
    return _tail_words(right, 14)


def _without(s: str, words: Sequence[str]) -> str:
    """``s`` with every occurrence of ``words`` removed (comparison markers out of a metric)."""
    for w in words:
        s = s.replace(w, "")
    return s


def _strip_qual(s: str) -> str:
    return _TAIL_NOISE.sub("", s)
