"""Link a narrative claim to the table cells it speaks of: the lexicon and the claim's context.

A claim is linked through a small lexicon of metric phrases (fuzzy-matched with rapidfuzz) plus
the claim's own clause and sentence, which decide e.g. whether 予以公开 means the 表三 row
(applications in play) or active disclosure. A phrase resolves to a quantity key, and the key to
every ``Reading`` it may mean (``quantities``). Links are made only when the phrase is
unambiguous enough: a missed link costs nothing, a false alarm on a clean report costs trust.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from rapidfuzz import fuzz

from .fuzzy_bounds import shared_chars
from .quantities import QUANTITIES, Cells, Reading, column_readings, reading, t4_readings
from .result import CellValue, Claim
from .segmentation import CLAUSE_MARKS, Segmentation

__all__ = ["LEXICON", "NOT_FEES", "Context", "claim_readings", "context"]

Hit = tuple[int, int, str, str]  # (start, end, phrase, concept) of a lexicon phrase in a text

_COUNT_UNITS = frozenset({"", "件", "条", "个", "宗", "次", "项", "起", "份", "人次", "件次", "例"})
_CLAUSE_BREAK = CLAUSE_MARKS + "\n"  # the ``clause`` level of ``Document.text`` (see ``segmentation``)
_SUBGROUP = re.compile(
    r"自然人|法人|企业|科研机构|公益组织|法律服务机构|其他组织|当面|信函|网络|传真|电子邮件"
)
_CHANNEL_PART = re.compile(r"(当面|信函|邮寄|传真|电子邮件|网上|网络|在线|线上|线下)[^，；。、]{0,4}申请")
_WHOLE = re.compile(r"各类|共计|总计|合计|全部")
_TOTAL_KEYS = ("apply.new", "apply.accepted", "apply.processed")
_APP_CONTEXT = re.compile(
    r"(收到|受理|接收|新收|办结|办理|答复|处理|登记)[^。；\n]{0,14}申请|申请[^。；\n]{0,8}(办结|答复|办理|处理)"
)
_FIGURE_BEFORE = re.compile(r"\d+(?:\.\d+)?(?![\d.年月日号])")
_COLUMN_WORDS: tuple[tuple[str, str], ...] = (
    ("自然人", "natural"),
    ("商业企业", "commercial"),
    ("科研机构", "research"),
    ("社会公益组织", "social"),
    ("法律服务机构", "legal"),
    ("法人", "orgs"),
)
# An applicant list naming natural persons and organisations ("公民、法人或者其他组织", the statute's
# phrase) names every applicant: it selects the total column, not a subgroup.
_APPLICANT_WORD = r"(?:公民|自然人|个人|群众|法人|其他组织|社会组织|企业|单位)"
_APPLICANT_LIST = re.compile(
    rf"{_APPLICANT_WORD}(?:(?:、|，|,|和|及|与|以及|或者|或|和/或)+{_APPLICANT_WORD})+"
)
_RESPECTIVELY = re.compile(r"分别|各(?![类项级地部])")
_PERSONS = re.compile(r"公民|自然人|个人|群众")
_ORGANISATIONS = re.compile(r"法人|组织|企业|单位")
# Outcome rows of 表三: when one is named, a verb such as 答复/办理 says how it was handled
# ("因无法提供相关信息答复7件"), it does not name the total processed.
_OUTCOME_PREFIXES = (
    "apply.granted",
    "apply.partial",
    "apply.denied",
    "apply.unable",
    "apply.rejected",
    "apply.other",
    "apply.carried_forward",
    "apply.carried_over",
)
# The 信访举报投诉类 row of 不予处理 names complaints as a kind of application, not as letters.
_COMPLAINT_ROW = re.compile(r"[信访举报投诉、和及]{2,}类(?:的)?(?:政府信息公开)?申请")
_ACTIVE_LISTING = re.compile(r"主动公开|制发政府信息|制作、获取政府信息|政府信息总数|发布信息|公开信息")

# ---------------------------------------------------------------- lexicon

# (phrase, concept). Concepts ending in "?" are resolved against context (see _resolve).
LEXICON: tuple[tuple[str, str], ...] = (
    ("予以公开及部分公开", "apply.granted_partial"),
    ("予以公开和部分公开", "apply.granted_partial"),
    ("予以公开或部分公开", "apply.granted_partial"),
    ("公开及部分公开", "apply.granted_partial"),
    ("公开和部分公开", "apply.granted_partial"),
    ("全部或部分公开", "apply.granted_partial"),
    ("全部公开和部分公开", "apply.granted_partial"),
    ("新收", "apply.new"),
    ("收到", "apply.new"),
    ("接收", "apply.new"),
    ("接到", "apply.new"),
    ("受理", "apply.accepted"),
    ("提出", "apply.new"),
    ("提交", "apply.new"),
    ("申请总数", "apply.new"),
    ("申请总量", "apply.new"),
    ("申请数量", "apply.new"),
    ("申请量", "apply.new"),
    ("上年结转", "apply.carried_over"),
    ("上年度结转", "apply.carried_over"),
    ("结转上年", "apply.carried_over"),
    ("上年转入", "apply.carried_over"),
    ("上年度转入", "apply.carried_over"),
    ("往年结转", "apply.carried_over"),
    ("以前年度结转", "apply.carried_over"),
    ("结转下年", "apply.carried_forward"),
    ("结转至下年", "apply.carried_forward"),
    ("结转到下年", "apply.carried_forward"),
    ("转入下年", "apply.carried_forward"),
    ("转入下一年", "apply.carried_forward"),
    ("顺延到下年", "apply.carried_forward"),
    ("顺延至下年", "apply.carried_forward"),
    ("顺延", "apply.carried_forward"),
    ("结转至", "apply.carried_forward"),
    ("结转下一年", "apply.carried_forward"),
    ("结转到", "apply.carried_forward"),
    ("尚在办理", "apply.carried_forward"),
    ("正在办理", "apply.carried_forward"),
    ("仍在办理", "apply.carried_forward"),
    ("未办结", "apply.carried_forward"),
    ("办结", "apply.processed"),
    ("答复", "apply.processed"),
    ("办理", "apply.processed"),
    ("予以公开", "apply.granted"),
    ("同意公开", "apply.granted"),
    ("全部公开", "apply.granted"),
    ("部分公开", "apply.partial"),
    ("不予公开", "apply.denied"),
    ("无法提供", "apply.unable"),
    ("信息不存在", "apply.unable"),
    ("不掌握", "apply.unable.not_held"),
    ("另行制作", "apply.unable.need_create"),
    ("仍不明确", "apply.unable.unclear"),
    ("不予处理", "apply.rejected"),
    ("不予受理", "apply.rejected"),
    ("投诉类", "apply.rejected.complaint"),
    ("重复申请", "apply.rejected.duplicate"),
    ("公开出版物", "apply.rejected.publication"),
    ("大量反复", "apply.rejected.massive_repeat"),
    ("重新出具", "apply.rejected.confirm_info"),
    ("国家秘密", "apply.denied.state_secret"),
    ("禁止公开", "apply.denied.law_prohibited"),
    ("三安全一稳定", "apply.denied.three_security"),
    ("第三方合法权益", "apply.denied.third_party"),
    ("内部事务", "apply.denied.internal_affairs"),
    ("过程性信息", "apply.denied.process_info"),
    ("行政执法案卷", "apply.denied.enforcement_file"),
    ("行政查询事项", "apply.denied.query_matter"),
    ("没有现成信息", "apply.unable.need_create"),
    ("未缴纳", "apply.other.no_fee"),
    ("未缴费", "apply.other.no_fee"),
    ("不缴纳", "apply.other.no_fee"),
    ("未按收费通知", "apply.other.no_fee"),
    ("其他处理", "apply.other"),
    ("逾期不补正", "apply.other.no_correction"),
    ("逾期未补正", "apply.other.no_correction"),
    ("行政复议", "t4.total.review"),
    ("复议", "t4.total.review"),
    ("行政诉讼", "t4.total.litigation"),
    ("诉讼", "t4.total.litigation"),
    ("复议后起诉", "t4.total.litigation"),
    ("未经复议直接起诉", "t4.total.litigation"),
    ("公开答复", "apply.granted_partial"),
    ("维持", "t4.upheld?"),
    ("纠正", "t4.corrected?"),
    ("纠错", "t4.corrected?"),
    ("其他结果", "t4.other?"),
    ("尚未审结", "t4.pending?"),
    ("未审结", "t4.pending?"),
    ("正在审理", "t4.pending?"),
    ("规章", "rules?"),
    ("规范性文件", "normative_docs?"),
    ("行政许可", "active.licensing"),
    ("行政处罚", "active.penalty"),
    ("行政强制", "active.coercion"),
    ("行政事业性收费", "active.fees"),
)

_DOC_VERBS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"废止|失效|宣布失效"), "repealed"),
    (re.compile(r"现行有效|有效的"), "in_force"),
    (re.compile(r"制发|印发|出台|制定|新制作|新公开|新增|新发布"), "issued"),
    (re.compile(r"公开|公布|发布"), "public"),
)
_DOC_LISTING = re.compile(r"类|信息|解读")
# Outcome phrases that contain 信息 yet name a 表三 row, not a disclosure listing.
_UNABLE_PHRASE = re.compile(
    r"(?:不掌握|无法提供|不能提供)[^，。；\d]{0,6}信息|信息不存在|过程性信息|内部事务信息|没有现成信息"
)
# Negated 公开 is 不予公开, and 上一年 is 上年, before the lexicon is looked up: a fuzzy match
# of "不同意公开" would also accept "同意公开".
_NORMALISE: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?:不同意|未同意|不予以|未予以|未予)公开"), "不予公开"),
    (re.compile(r"上一年"), "上年"),
)
_BARE_APPLICATIONS = re.compile(
    r"(信息公开|公开信息)申请(总数|总量|数量|数)?(共计|总计|合计|共有|共|计|为|达|有)?\s*$"
)
_NOT_A_TABLE_COUNT = re.compile(
    r"同比|较上年|较去年|比上年|比去年|增加|减少|增长|下降|上升|累计|历年|以来|平均|时限|用时|天数|工作日"
    r"|延期|延长"
)
_NOT_APPLICATIONS = re.compile(r"建议|提案|信访|咨询|留言|来信|来电|热线|投诉|举报|诉求|工单|依申请公开信息")
NOT_FEES = re.compile(r"减免|免征|减征|返还|退还|降低|减少|涉企|清理")
_ELLIPTIC_DOC_VERB = re.compile(r"废止|宣布失效|现行有效")
_DECISION_CONTEXT = re.compile(r"决定|作出|办理|实施|办结|查处|案件|办件|审批")
_NOT_DECISIONS = re.compile(r"信息|公示|公开|事项|清单|目录|备案")
_CLEANUP = re.compile(r"清理|梳理|清查|评估|库")
_READ_OUT = re.compile(r"解读|图解|新闻|稿件|政策问答")
_LEXICON_LONGEST_FIRST = tuple(sorted(LEXICON, key=lambda p: -len(p[0])))


_FUZZY_CUTOFF = 88.0
#: An alignment scores 200·m/(a+b) for m matched characters between strings of lengths a and b,
#: with m ≤ b and a ≥ len(phrase)-1 (a text may be one shorter), so reaching the cut-off needs
#: m ≥ cutoff/(200-cutoff)·(len(phrase)-1) matched characters (0.786 of it at 88).
_FUZZY_MIN_SHARE = _FUZZY_CUTOFF / (200.0 - _FUZZY_CUTOFF)


def _match_spans(text: str, phrase: str, chars: frozenset[str] | None = None) -> tuple[int, int] | None:
    """Where ``phrase`` occurs in ``text``: exact for short phrases, one slip allowed for long ones.

    ``chars`` (the text's set of characters) lets a phrase too few of whose characters occur in
    the text at all be ruled out before aligning it: no alignment could reach the cut-off."""
    if len(phrase) <= 4:  # exact; a fuzzy aligner would also match a text that is part of the phrase
        at = text.find(phrase)
        return None if at < 0 else (at, at + len(phrase))
    if len(text) < len(phrase) - 1:
        return None
    if chars is not None and shared_chars(phrase, chars) < _FUZZY_MIN_SHARE * (len(phrase) - 1):
        return None
    m = fuzz.partial_ratio_alignment(phrase, text, processor=None, score_cutoff=_FUZZY_CUTOFF)
    if m is None:
        return None
    return (m.dest_start, m.dest_end)


def _find_terms(text: str) -> list[Hit]:
    """Lexicon hits in ``text`` as (start, end, phrase, concept), longest first, no nested hits."""
    return list(_terms_in(text))


@lru_cache(maxsize=8192)
def _terms_in(text: str) -> tuple[Hit, ...]:
    """``_find_terms``, remembered: the same clause heads recur claim after claim and year after year."""
    for pattern, plain in _NORMALISE:
        text = pattern.sub(plain, text)
    hits: list[Hit] = []
    chars = frozenset(text)
    for phrase, concept in _LEXICON_LONGEST_FIRST:
        span = _match_spans(text, phrase, chars)
        if span is None:
            continue
        s, e = span
        if any(s < he and hs < e for hs, he, _, _ in hits):
            continue
        hits.append((s, e, phrase, concept))
    return tuple(sorted(hits))


# ---------------------------------------------------------------- context


@dataclass(frozen=True, slots=True)
class Context:
    """The text around a claim that decides what it is about."""

    clause: str  # from the previous clause break up to the end of the claim
    head: str  # part of the clause after the last number before the claim
    segment: str  # from the previous sentence or semicolon break up to the end of the claim
    sentence: str
    prev_sentence: str
    lead: str  # the sentence up to the claim's figure
    tail: str  # the rest of the clause after the claim ("2件结转下年度")


_CONTEXT_WINDOW = 1000


def context(text: str, claim: Claim, *, segmentation: Segmentation | None = None) -> Context:
    """The claim's clause, sentence and the sentence before, read from ``Document.text``.

    ``segmentation`` is ``Document.text``'s (built once per document by the pipeline); a claim
    whose offsets do not fit the text is read from its own sentence, segmented here."""
    start, end = claim.start, claim.end
    if not (0 <= start < end <= len(text)) or (claim.text and claim.text not in text[start : end + 2]):
        base = claim.sentence or claim.text
        pos = base.find(claim.text) if claim.text else -1
        text, start, end = base, max(pos, 0), max(pos, 0) + len(claim.text)
    seg = Segmentation.of(text, segmentation)
    num = re.search(r"\d", text[start:end])
    first_digit = start + num.start() if num else start
    # Searches reach at most _CONTEXT_WINDOW characters: a text without sentence ends made each
    # claim scan the whole text (quadratic); real sentences are far shorter than the window.
    lo, hi = max(0, first_digit - _CONTEXT_WINDOW), min(len(text), end + _CONTEXT_WINDOW)
    c0 = seg.start("clause", first_digit, lo)
    s0 = seg.start("sentence", first_digit, lo)
    g0 = seg.start("segment", first_digit, lo)
    s1 = seg.next_mark("sentence", end, hi)
    p_lo = max(0, s0 - 1 - _CONTEXT_WINDOW)
    p0 = seg.start("sentence", s0 - 1, p_lo) if s0 > 0 else 0
    clause = text[c0:end]
    before = text[c0:first_digit]
    figures = list(_FIGURE_BEFORE.finditer(before))
    head = before[figures[-1].end() :] if figures else before
    tail = text[end : seg.next_mark("clause", end, hi)]
    return Context(clause, head, text[g0:end], text[s0:s1], text[p0:s0], text[s0:first_digit], tail)


def _before_clause(ctx: Context) -> str:
    """The segment up to the claim's clause (the earlier clauses of the same sentence part)."""
    return ctx.segment[: len(ctx.segment) - len(ctx.clause)]


def _applications_in_play(ctx: Context, head: str) -> bool:
    """表三 readings need applications in the clause, or in the sentence and not a disclosure listing."""
    if "申请" in head:
        return True
    if _ACTIVE_LISTING.search(ctx.sentence):
        return False
    if "信息" in _UNABLE_PHRASE.sub("", head):
        return False
    return bool(_APP_CONTEXT.search(ctx.sentence) or _APP_CONTEXT.search(ctx.prev_sentence))


# ---------------------------------------------------------------- concept -> quantity key


def _t4_blocks(text: str) -> list[str]:
    """Which 表四 blocks ``text`` speaks of: 复议, 诉讼 (direct / after review when it says so)."""
    blocks = []
    if "复议" in re.sub(r"未经复议|复议后", "", text):
        blocks.append("review")
    if re.search(r"诉讼|起诉", text):
        if "复议后" in text:
            blocks.append("litigation_after_review")
        elif re.search(r"未经复议|直接起诉", text):
            blocks.append("litigation_direct")
        else:
            blocks.append("litigation")
    return blocks


def _resolve_application(concept: str, ctx: Context, head: str) -> str | None:
    """A 表三 concept links only when the claim is about information-disclosure applications."""
    if re.search(r"复议|诉讼|起诉", head) or _NOT_APPLICATIONS.search(_COMPLAINT_ROW.sub("", head)):
        return None
    if "申请" not in head and re.search(r"复议|诉讼|案件", ctx.lead):
        return None
    return concept if _applications_in_play(ctx, head) else None


def _resolve_t4_total(concept: str, ctx: Context, head: str) -> str | None:
    """复议/诉讼 counts: the block the clause names (direct or after review when it says so)."""
    if re.search(r"申请人|建议|提案", head) or _READ_OUT.search(head):
        return None
    wanted = concept.rsplit(".", 1)[1]
    blocks = [b for b in _t4_blocks(head) if b.startswith(wanted)]
    return f"t4.total.{blocks[0]}" if blocks else None


def _resolve_t4_column(concept: str, ctx: Context, head: str) -> str | None:
    """An outcome column (维持, 纠正…) of the blocks named in the clause, else in the segment."""
    col = concept[3:-1]
    where = head if re.search(r"复议|诉讼|起诉", head) else ctx.segment
    blocks = _t4_blocks(where)
    return f"t4.{col}.{'+'.join(blocks)}" if blocks else None


def _resolve_documents(concept: str, ctx: Context, head: str) -> str | None:
    """规章/规范性文件: the verb says which 表二 column (issued, repealed, in force, public)."""
    if _READ_OUT.search(head) or "解读" in ctx.clause or _DOC_LISTING.search(head):
        return None
    kind = concept[:-1]
    for where in (head, ctx.clause):  # "公开规章2件、规范性文件5件": the verb serves the whole list
        for pattern, field in _DOC_VERBS:
            if pattern.search(where):
                if field in ("in_force", "public") and _CLEANUP.search(ctx.clause):
                    return None
                return f"active.{kind}.{field}"
    return None


def _resolve_decisions(concept: str, ctx: Context, head: str) -> str | None:
    """许可/处罚/强制 count decisions, not published items about them."""
    decided = _DECISION_CONTEXT.search(head) or _DECISION_CONTEXT.search(ctx.clause)
    return concept if decided and not _NOT_DECISIONS.search(head) else None


def _resolve_fees(concept: str, ctx: Context, head: str) -> str | None:
    return None if NOT_FEES.search(head) else concept


_Resolver = Callable[[str, Context, str], str | None]


def _resolver(concept: str) -> _Resolver | None:
    """The rule that turns ``concept`` into a quantity key (None: the concept never links)."""
    if concept.startswith("apply."):
        return _resolve_application
    if concept.startswith("t4.total."):
        return _resolve_t4_total
    if concept.startswith("t4."):
        return _resolve_t4_column
    if concept in ("rules?", "normative_docs?"):
        return _resolve_documents
    if concept in ("active.licensing", "active.penalty", "active.coercion"):
        return _resolve_decisions
    if concept == "active.fees":
        return _resolve_fees
    return None


def _resolve(concept: str, ctx: Context, head: str) -> str | None:
    """Turn a lexicon concept into a quantity key given the claim's context; None = do not link."""
    if _NOT_A_TABLE_COUNT.search(head):
        return None
    rule = _resolver(concept)
    return rule(concept, ctx, head) if rule else None


# ---------------------------------------------------------------- claim -> quantity keys


def _names_a_part(head: str) -> bool:
    """The clause names an applicant column or a channel, so a 表三 total does not apply."""
    if any(w in head for w, _ in _COLUMN_WORDS):
        return True
    return bool(_CHANNEL_PART.search(head) and not _WHOLE.search(head))


def _previous_clause_words(ctx: Context) -> str:
    """The words before the first figure of the previous clause ("公开率" clauses name the rest)."""
    prev_clause = _before_clause(ctx).rstrip(_CLAUSE_BREAK)
    c0 = max(prev_clause.rfind(ch) for ch in _CLAUSE_BREAK) + 1
    head = prev_clause[c0:]
    digits = list(re.finditer(r"\d", head))
    return head[: digits[0].start()] if digits else head


def _fallback_terms(claim: Claim, ctx: Context) -> tuple[list[Hit], str]:
    """Terms when the clause after the last figure names none, and the text they were found in.

    Tried in order: the previous clause (percentages); the document noun before an elliptic verb
    ("规范性文件…，废止3件"); a bare 申请; the words after the figure; the claim's metric.
    """
    head = ctx.head
    hits: list[Hit] = []
    if claim.unit == "%":
        head = _previous_clause_words(ctx)
        hits = _find_terms(head)
    if not hits and claim.unit != "%" and _ELLIPTIC_DOC_VERB.search(head):
        nouns = [h for h in _find_terms(_before_clause(ctx)) if h[3] in ("rules?", "normative_docs?")]
        hits = nouns[-1:]
    if not hits and _BARE_APPLICATIONS.search(head):
        hits = [(0, len(head), "申请", "apply.new")]
    subgroup = _SUBGROUP.search(ctx.head)
    if not hits and not subgroup and not re.search(r"\d", ctx.tail):
        head = ctx.tail
        hits = _find_terms(head)
    if not hits and not subgroup and claim.metric:
        head = claim.metric
        hits = _find_terms(head)
    return hits, head


def _tidy_keys(keys: list[str]) -> list[str]:
    """Drop keys a more specific one makes redundant, and join several 表四 totals into one."""
    if any(k.startswith(_OUTCOME_PREFIXES) for k in keys):
        keys = [k for k in keys if k not in ("apply.processed", *_TOTAL_KEYS)]
    # A named row ("国家秘密…不予公开") reads as that row or its group: the bare group key adds nothing.
    keys = [k for k in keys if not any(o.startswith(k + ".") and o in QUANTITIES for o in keys)]
    totals = [k.rsplit(".", 1)[1] for k in keys if k.startswith("t4.total.")]
    if len(totals) > 1:
        keys = [k for k in keys if not k.startswith("t4.total.")] + [f"t4.total.{'+'.join(totals)}"]
    return keys


def _quantity_keys(claim: Claim, ctx: Context) -> list[str]:
    """Quantity keys the claim may refer to: clause terms after the last figure, else the fallbacks."""
    hits = _find_terms(ctx.head)
    if claim.unit != "%" and _SUBGROUP.search(ctx.head):
        column = _column_key(ctx, hits)
        if column:
            return [column]
    if _names_a_part(ctx.head):
        hits = [h for h in hits if h[3] not in _TOTAL_KEYS]
        if not hits:
            return []
    head = ctx.head
    if not hits:
        hits, head = _fallback_terms(claim, ctx)
    return _tidy_keys(_resolve_hits(hits, ctx, head))


def _resolve_hits(hits: Sequence[Hit], ctx: Context, head: str) -> list[str]:
    """The distinct quantity keys the hits resolve to, in text order."""
    keys: list[str] = []
    for _s, _e, _p, concept in hits:
        key = _resolve(concept, ctx, head)
        if key and key not in keys:
            keys.append(key)
    return keys


def _without_all_applicants(head: str) -> str:
    """``head`` without applicant lists that name persons and organisations (they mean everyone)."""

    def drop(m: re.Match[str]) -> str:
        both = _PERSONS.search(m.group()) and _ORGANISATIONS.search(m.group())
        return "" if both else m.group()

    return _APPLICANT_LIST.sub(drop, head)


def _column_key(ctx: Context, hits: Sequence[Hit]) -> str | None:
    """One applicant column of the quantity named before ("收到申请75件，涉及自然人72件")."""
    col = next((c for w, c in _COLUMN_WORDS if w in ctx.head), None)
    if col is None:
        return None
    before = _before_clause(ctx)
    governing = [c for _s, _e, _p, c in hits if c in _TOTAL_KEYS]
    if not governing:
        governing = [c for _s, _e, _p, c in _find_terms(before) if c in _TOTAL_KEYS]
    if not governing or not _applications_in_play(ctx, ctx.head + before):
        return None
    return f"col.{governing[-1]}.{col}"


# ---------------------------------------------------------------- claim -> readings


def _key_readings(key: str, cells: Cells) -> list[Reading]:
    """Readings of one quantity key: ``col.<quantity>.<column>``, ``t4.<column>.<blocks>`` or a QUANTITIES key."""
    if key.startswith("col."):
        concept, col = key[4 : key.rfind(".")], key[key.rfind(".") + 1 :]
        return column_readings(concept, col, cells)
    if key.startswith("t4."):
        _, col, blocks = key.split(".")
        return t4_readings(col, blocks.split("+"), cells)
    return QUANTITIES[key](cells)


def claim_readings(
    claim: Claim, doc_text: str, cells: Mapping[str, CellValue], *, segmentation: Segmentation | None = None
) -> list[Reading]:
    """Every table reading the claim may refer to (empty: the claim does not link)."""
    if claim.is_change or claim.section == "problems":
        return []
    view = Cells.of(cells)
    ctx = context(doc_text, claim, segmentation=segmentation)
    everyone = _without_all_applicants(ctx.head)
    if everyone != ctx.head and _RESPECTIVELY.search(everyone):
        return []  # "公民、法人分别提出13件和7件": each figure is one group's, which one is not said
    ctx = replace(ctx, head=everyone)
    if "|" in ctx.clause:  # a figure inside a pipe-rendered table row is not narrative
        return []
    keys = _quantity_keys(claim, ctx)
    if claim.section == "active_disclosure":  # section 二 speaks of 表二 only
        keys = [k for k in keys if k.startswith("active.")]
    if claim.unit == "%":
        return _percent_readings(claim, ctx, keys, view)
    if "元" in claim.unit:
        keys = [k for k in keys if k == "active.fees"]
    else:
        if claim.unit not in _COUNT_UNITS:
            return []
        keys = [k for k in keys if k != "active.fees"]
    out: list[Reading] = []
    for key in keys:
        out += [r for r in _key_readings(key, view) if r not in out]
    return out


def _rate_numerators(rate: str, cells: Cells) -> list[Reading]:
    """What a 公开率 (granted, with or without partial) or 办结率 (closed) counts."""
    if rate == "公开":
        return QUANTITIES["apply.granted_partial"](cells) + QUANTITIES["apply.granted"](cells)
    nums = QUANTITIES["apply.processed"](cells)
    over = reading("closed", cells, ["apply.new.total", "apply.carried_over.total"])
    fwd = cells.value("apply.carried_forward.total")
    if over is not None and fwd is not None:
        nums.append(
            Reading(
                "new+carried_over-carried_forward",
                (*over.cells, "apply.carried_forward.total"),
                over.value - fwd,
            )
        )
    return nums


def _percent_readings(claim: Claim, ctx: Context, keys: list[str], cells: Cells) -> list[Reading]:
    """Percentages computed from the cells: outcome shares, 公开率, 办结率."""
    if not _applications_in_play(ctx, ctx.head):
        return []
    rate = re.search(r"(公开|办结|答复|办理)率", ctx.head + claim.metric)
    if rate and re.search(r"按期|按时|及时|满意|准确", ctx.head + claim.metric):
        return []
    nums: list[Reading] = []
    if rate:
        nums = _rate_numerators(rate.group(1), cells)
    else:
        for key in keys:
            if key.startswith("apply.") and key not in ("apply.new", "apply.accepted", "apply.carried_over"):
                nums += QUANTITIES[key](cells)
    dens = QUANTITIES["apply.new"](cells)
    if not rate or rate.group(1) == "公开":
        dens = QUANTITIES["apply.processed"](cells) + dens
    dens = [d for d in dens if d.value > 0]
    out: list[Reading] = []
    for n in nums:
        for d in dens:
            if set(n.cells) == set(d.cells):
                continue
            out.append(
                Reading(
                    f"{n.label}/{d.label}", tuple(dict.fromkeys(n.cells + d.cells)), 100.0 * n.value / d.value
                )
            )
    return out
