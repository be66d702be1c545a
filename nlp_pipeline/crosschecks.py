"""Cross-check the narrative's claims against the tables, and a report against last year's.

A claim is linked to table cells through a small lexicon of metric phrases (fuzzy-matched with
rapidfuzz) plus the claim's own clause and sentence, which decide e.g. whether 予以公开 means the
表三 row (applications in play) or active disclosure. A metric phrase may have several readings
(受理 = new, or new + carried over); a claim agrees when ANY reading agrees, and a finding lists
every reading tried. Links are made only when the phrase is unambiguous enough: a missed link
costs nothing, a false alarm on a clean report costs trust.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from rapidfuzz import fuzz

from .document import Document
from .result import CellValue, Claim, ClaimRef, Finding, Report, Section

__all__ = ["Reading", "check_claims", "check_previous", "claim_readings"]

_NUMERIC_KINDS = ("number", "number_with_note")
_COUNT_UNITS = frozenset({"", "件", "条", "个", "宗", "次", "项", "起", "份", "人次", "件次", "例"})
_CLAUSE_BREAK = "，,；;。：:！？!?\n"
_SENTENCE_BREAK = "。！？!?\n"
_SEGMENT_BREAK = "。；;！？!?\n"
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
_ORG_COLUMNS = ("commercial", "research", "social", "legal", "other_org")
_ACTIVE_LISTING = re.compile(r"主动公开|制发政府信息|制作、获取政府信息|政府信息总数|发布信息|公开信息")


@dataclass(frozen=True, slots=True)
class Reading:
    """One interpretation of a claim: a label, the cells it sums, and their value."""

    label: str
    cells: tuple[str, ...]
    value: float


# ---------------------------------------------------------------- cell helpers


def _num(cells: Mapping[str, CellValue], cid: str) -> float | None:
    """The cell's number; None when missing, blank, dash or text (nothing to compare)."""
    cv = cells.get(cid)
    if cv is None or cv.kind not in _NUMERIC_KINDS or cv.value is None:
        return None
    return float(cv.value)


def _sum(cells: Mapping[str, CellValue], ids: Sequence[str]) -> float | None:
    """Sum of cells, or None unless every cell was read: blanks count as 0, at least one number.

    A dash makes the sum unknown: in tables read from extracted text it is as often a lost
    value or a header placeholder as a zero, and a guessed zero would raise a false alarm.
    """
    if not ids or any(c not in cells or cells[c].kind not in (*_NUMERIC_KINDS, "blank") for c in ids):
        return None
    vals = [_num(cells, c) if _num(cells, c) is not None else _blank_total(cells, c) for c in ids]
    if all(v is None for v in vals):
        return None
    return float(sum(v for v in vals if v is not None))


def _blank_total(cells: Mapping[str, CellValue], cid: str) -> float | None:
    """A blank 总计 over non-blank parts stands for the sum of its parts, not for 0.

    The arithmetic stage reports the blank total itself (rule ``blank_total``); reading it as 0
    here would repeat that as a false narrative mismatch.
    """
    row, _, col = cid.rpartition(".")
    if col != "total":
        return None
    parts = [c for c in cells if c.rpartition(".")[0] == row and c != cid]
    vals = [_num(cells, c) for c in parts]
    if not parts or all(v is None for v in vals):
        return None
    return float(sum(v for v in vals if v is not None))


def _group(cells: Mapping[str, CellValue], prefix: str) -> tuple[str, ...]:
    """The ``.total`` cells of every row under a 表三 group (apply.denied.* etc.)."""
    out = sorted(c for c in cells if c.startswith(prefix + ".") and c.endswith(".total"))
    if not out and f"{prefix}.total" in cells:
        return (f"{prefix}.total",)
    return tuple(out)


def _reading(label: str, cells: Mapping[str, CellValue], ids: Sequence[str]) -> Reading | None:
    v = _sum(cells, ids)
    return None if v is None else Reading(label, tuple(ids), v)


# ---------------------------------------------------------------- quantities

QuantityFn = Callable[[Mapping[str, CellValue]], list[Reading]]


def _q(*options: tuple[str, Sequence[str]]) -> QuantityFn:
    def f(cells: Mapping[str, CellValue]) -> list[Reading]:
        out = [_reading(label, cells, ids) for label, ids in options]
        return [r for r in out if r is not None]

    return f


def _q_group(label: str, prefix: str) -> QuantityFn:
    def f(cells: Mapping[str, CellValue]) -> list[Reading]:
        r = _reading(label, cells, _group(cells, prefix))
        return [r] if r else []

    return f


def _q_docs(kind: str, field: str) -> QuantityFn:
    """表二 document rows: 2021 ids (issued/repealed/in_force) or the 2019 ones (made/published)."""
    alternatives = {
        "issued": ("issued", "made", "published"),
        "repealed": ("repealed",),
        "in_force": ("in_force",),
        "public": ("issued", "published", "made", "in_force"),
    }[field]

    def f(cells: Mapping[str, CellValue]) -> list[Reading]:
        out = [_reading(f"{kind}.{a}", cells, [f"active.{kind}.{a}"]) for a in alternatives]
        return [r for r in out if r is not None]

    return f


def _q_row_or_group(row: str, prefix: str) -> QuantityFn:
    """A phrase naming one 表三 row ("本机关不掌握") may mean that row or, loosely, its whole group."""

    def f(cells: Mapping[str, CellValue]) -> list[Reading]:
        own = _reading(row.rsplit(".", 1)[-1], cells, [f"{row}.total"])
        whole = _q_group(prefix.rsplit(".", 1)[-1], prefix)(cells)
        return ([own] if own else []) + [r for r in whole if own is None or r.cells != own.cells]

    return f


_T4_IDS: dict[str, tuple[str, ...]] = {
    "review": ("review",),
    "litigation": ("litigation_direct", "litigation_after_review"),
    "litigation_direct": ("litigation_direct",),
    "litigation_after_review": ("litigation_after_review",),
}


def _q_t4(col: str, blocks: Sequence[str]) -> QuantityFn:
    """表四 column over the named blocks, each alone and (when several are named) all together."""

    def f(cells: Mapping[str, CellValue]) -> list[Reading]:
        out = [_reading(f"{b}.{col}", cells, [f"{i}.{col}" for i in _T4_IDS[b]]) for b in blocks]
        if len(blocks) > 1:
            ids = [f"{i}.{col}" for b in blocks for i in _T4_IDS[b]]
            out.append(_reading(f"{'+'.join(blocks)}.{col}", cells, ids))
        return [r for r in out if r is not None]

    return f


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


_NEW = ("new", ["apply.new.total"])
_NEW_AND_OVER = ("new+carried_over", ["apply.new.total", "apply.carried_over.total"])
_PROCESSED = ("total_processed", ["apply.total_processed.total"])

QUANTITIES: dict[str, QuantityFn] = {
    "apply.new": _q(_NEW, _NEW_AND_OVER),
    "apply.accepted": _q(_NEW, _NEW_AND_OVER),
    "apply.carried_over": _q(("carried_over", ["apply.carried_over.total"])),
    "apply.processed": _q(_PROCESSED),
    "apply.granted": _q(("granted", ["apply.granted.total"])),
    "apply.partial": _q(("partial", ["apply.partial.total"])),
    "apply.granted_partial": _q(("granted+partial", ["apply.granted.total", "apply.partial.total"])),
    "apply.denied": _q_group("denied", "apply.denied"),
    "apply.unable": _q_group("unable", "apply.unable"),
    "apply.unable.not_held": _q_row_or_group("apply.unable.not_held", "apply.unable"),
    "apply.unable.need_create": _q_row_or_group("apply.unable.need_create", "apply.unable"),
    "apply.unable.unclear": _q_row_or_group("apply.unable.unclear", "apply.unable"),
    "apply.other.no_correction": _q_row_or_group("apply.other.no_correction", "apply.other"),
    "apply.rejected": _q_group("rejected", "apply.rejected"),
    "apply.other": _q_group("other", "apply.other"),
    "apply.carried_forward": _q(("carried_forward", ["apply.carried_forward.total"])),
    "active.rules.issued": _q_docs("rules", "issued"),
    "active.rules.repealed": _q_docs("rules", "repealed"),
    "active.rules.in_force": _q_docs("rules", "in_force"),
    "active.rules.public": _q_docs("rules", "public"),
    "active.normative_docs.issued": _q_docs("normative_docs", "issued"),
    "active.normative_docs.repealed": _q_docs("normative_docs", "repealed"),
    "active.normative_docs.in_force": _q_docs("normative_docs", "in_force"),
    "active.normative_docs.public": _q_docs("normative_docs", "public"),
    "active.licensing": _q(("licensing.decisions", ["active.licensing.decisions"])),
    "active.penalty": _q(("penalty.decisions", ["active.penalty.decisions"])),
    "active.coercion": _q(("coercion.decisions", ["active.coercion.decisions"])),
    "active.fees": _q(("fees.amount_wan", ["active.fees.amount_wan"])),
}


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
_UNABLE_PHRASE = re.compile(r"不掌握[^，。；\d]{0,4}信息|信息不存在")
_BARE_APPLICATIONS = re.compile(
    r"(信息公开|公开信息)申请(总数|总量|数量|数)?(共计|总计|合计|共有|共|计|为|达|有)?\s*$"
)
_NOT_A_TABLE_COUNT = re.compile(
    r"同比|较上年|较去年|比上年|比去年|增加|减少|增长|下降|上升|累计|历年|以来|平均|时限|用时|天数|工作日"
    r"|延期|延长"
)
_NOT_APPLICATIONS = re.compile(r"建议|提案|信访|咨询|留言|来信|来电|热线|投诉|举报|诉求|工单|依申请公开信息")
_NOT_FEES = re.compile(r"减免|免征|减征|返还|退还|降低|减少|涉企|清理")
_ELLIPTIC_DOC_VERB = re.compile(r"废止|宣布失效|现行有效")
_DECISION_CONTEXT = re.compile(r"决定|作出|办理|实施|办结|查处|案件|办件|审批")
_NOT_DECISIONS = re.compile(r"信息|公示|公开|事项|清单|目录|备案")
_CLEANUP = re.compile(r"清理|梳理|清查|评估|库")
_READ_OUT = re.compile(r"解读|图解|新闻|稿件|政策问答")


def _match_spans(text: str, phrase: str) -> tuple[int, int] | None:
    """Where ``phrase`` occurs in ``text``: exact for short phrases, one slip allowed for long ones."""
    if len(phrase) <= 4:  # exact; a fuzzy aligner would also match a text that is part of the phrase
        at = text.find(phrase)
        return None if at < 0 else (at, at + len(phrase))
    if len(text) < len(phrase) - 1:
        return None
    m = fuzz.partial_ratio_alignment(phrase, text, processor=None, score_cutoff=88.0)
    if m is None:
        return None
    return (m.dest_start, m.dest_end)


def _find_terms(text: str) -> list[tuple[int, int, str, str]]:
    """Lexicon hits in ``text`` as (start, end, phrase, concept), longest first, no nested hits."""
    hits: list[tuple[int, int, str, str]] = []
    for phrase, concept in sorted(LEXICON, key=lambda p: -len(p[0])):
        span = _match_spans(text, phrase)
        if span is None:
            continue
        s, e = span
        if any(s < he and hs < e for hs, he, _, _ in hits):
            continue
        hits.append((s, e, phrase, concept))
    return sorted(hits)


# ---------------------------------------------------------------- context


@dataclass(frozen=True, slots=True)
class _Context:
    clause: str  # from the previous clause break up to the end of the claim
    head: str  # part of the clause after the last number before the claim
    segment: str  # from the previous sentence or semicolon break up to the end of the claim
    sentence: str
    prev_sentence: str
    lead: str  # the sentence up to the claim's figure
    tail: str  # the rest of the clause after the claim ("2件结转下年度")


_CONTEXT_WINDOW = 1000


def _context(text: str, claim: Claim) -> _Context:
    """The claim's clause, sentence and the sentence before, read from ``Document.text``."""
    start, end = claim.start, claim.end
    if not (0 <= start < end <= len(text)) or (claim.text and claim.text not in text[start : end + 2]):
        base = claim.sentence or claim.text
        pos = base.find(claim.text) if claim.text else -1
        text, start, end = base, max(pos, 0), max(pos, 0) + len(claim.text)
    num = re.search(r"\d", text[start:end])
    first_digit = start + num.start() if num else start
    # Searches reach at most _CONTEXT_WINDOW characters: a text without sentence ends made each
    # claim scan the whole text (quadratic); real sentences are far shorter than the window.
    lo, hi = max(0, first_digit - _CONTEXT_WINDOW), min(len(text), end + _CONTEXT_WINDOW)
    c0 = max(max(text.rfind(ch, lo, first_digit) for ch in _CLAUSE_BREAK) + 1, lo)
    s0 = max(max(text.rfind(ch, lo, first_digit) for ch in _SENTENCE_BREAK) + 1, lo)
    g0 = max(max(text.rfind(ch, lo, first_digit) for ch in _SEGMENT_BREAK) + 1, lo)
    ends = [i for i in (text.find(ch, end, hi) for ch in _SENTENCE_BREAK) if i >= 0]
    s1 = min(ends) if ends else hi
    p_lo = max(0, s0 - 1 - _CONTEXT_WINDOW)
    p0 = max(max(text.rfind(ch, p_lo, max(s0 - 1, 0)) for ch in _SENTENCE_BREAK) + 1, p_lo) if s0 > 0 else 0
    clause = text[c0:end]
    before = text[c0:first_digit]
    figures = list(_FIGURE_BEFORE.finditer(before))
    head = before[figures[-1].end() :] if figures else before
    stops = [i for i in (text.find(ch, end, hi) for ch in _CLAUSE_BREAK) if i >= 0]
    tail = text[end : min(stops) if stops else hi]
    return _Context(clause, head, text[g0:end], text[s0:s1], text[p0:s0], text[s0:first_digit], tail)


def _applications_in_play(ctx: _Context, head: str) -> bool:
    """表三 readings need applications in the clause, or in the sentence and not a disclosure listing."""
    if "申请" in head:
        return True
    if _ACTIVE_LISTING.search(ctx.sentence):
        return False
    if "信息" in _UNABLE_PHRASE.sub("", head):
        return False
    return bool(_APP_CONTEXT.search(ctx.sentence) or _APP_CONTEXT.search(ctx.prev_sentence))


def _resolve(concept: str, ctx: _Context, head: str) -> str | None:
    """Turn a lexicon concept into a quantity key given the claim's context; None = do not link."""
    if _NOT_A_TABLE_COUNT.search(head):
        return None
    if concept.startswith("apply."):
        if re.search(r"复议|诉讼|起诉", head) or _NOT_APPLICATIONS.search(head):
            return None
        if "申请" not in head and re.search(r"复议|诉讼|案件", ctx.lead):
            return None
        return concept if _applications_in_play(ctx, head) else None
    if concept.startswith("t4.total."):
        if re.search(r"申请人|建议|提案", head) or _READ_OUT.search(head):
            return None
        wanted = concept.rsplit(".", 1)[1]
        blocks = [b for b in _t4_blocks(head) if b.startswith(wanted)]
        return f"t4.total.{blocks[0]}" if blocks else None
    if concept.startswith("t4."):
        col = concept[3:-1]
        where = head if re.search(r"复议|诉讼|起诉", head) else ctx.segment
        blocks = _t4_blocks(where)
        return f"t4.{col}.{'+'.join(blocks)}" if blocks else None
    if concept in ("rules?", "normative_docs?"):
        if _READ_OUT.search(head) or "解读" in ctx.clause:
            return None
        if _DOC_LISTING.search(head):
            return None
        kind = concept[:-1]
        for where in (head, ctx.clause):  # "公开规章2件、规范性文件5件": the verb serves the whole list
            for pattern, field in _DOC_VERBS:
                if pattern.search(where):
                    if field in ("in_force", "public") and _CLEANUP.search(ctx.clause):
                        return None
                    return f"active.{kind}.{field}"
        return None
    if concept in ("active.licensing", "active.penalty", "active.coercion"):
        decided = _DECISION_CONTEXT.search(head) or _DECISION_CONTEXT.search(ctx.clause)
        if decided and not _NOT_DECISIONS.search(head):
            return concept
        return None
    if concept == "active.fees":
        return None if _NOT_FEES.search(head) else concept
    return None


def _quantity_keys(claim: Claim, ctx: _Context) -> list[str]:
    """Quantity keys the claim may refer to: clause terms after the last figure, else the metric."""
    hits = _find_terms(ctx.head)
    head = ctx.head
    if claim.unit != "%" and _SUBGROUP.search(head):
        column = _column_key(ctx, hits)
        if column:
            return [column]
    if any(w in head for w, _ in _COLUMN_WORDS) or (_CHANNEL_PART.search(head) and not _WHOLE.search(head)):
        hits = [h for h in hits if h[3] not in _TOTAL_KEYS]
        if not hits:
            return []
    if not hits and claim.unit == "%":
        prev = ctx.segment[: len(ctx.segment) - len(ctx.clause)]
        prev_clause = prev.rstrip(_CLAUSE_BREAK)
        c0 = max(prev_clause.rfind(ch) for ch in _CLAUSE_BREAK) + 1
        head = prev_clause[c0:]
        digits = list(re.finditer(r"\d", head))
        head = head[: digits[0].start()] if digits else head
        hits = _find_terms(head)
    if not hits and claim.unit != "%" and _ELLIPTIC_DOC_VERB.search(head):
        before = ctx.segment[: len(ctx.segment) - len(ctx.clause)]
        nouns = [h for h in _find_terms(before) if h[3] in ("rules?", "normative_docs?")]
        hits = nouns[-1:]
    if not hits and _BARE_APPLICATIONS.search(head):
        hits = [(0, len(head), "申请", "apply.new")]
    if not hits and not _SUBGROUP.search(ctx.head) and not re.search(r"\d", ctx.tail):
        head = ctx.tail
        hits = _find_terms(head)
    if not hits and not _SUBGROUP.search(ctx.head) and claim.metric:
        head = claim.metric
        hits = _find_terms(head)
    keys: list[str] = []
    for _s, _e, _p, concept in hits:
        key = _resolve(concept, ctx, head)
        if key and key not in keys:
            keys.append(key)
    if "apply.carried_forward" in keys:
        keys = [k for k in keys if k != "apply.processed"]
    totals = [k.rsplit(".", 1)[1] for k in keys if k.startswith("t4.total.")]
    if len(totals) > 1:
        keys = [k for k in keys if not k.startswith("t4.total.")] + [f"t4.total.{'+'.join(totals)}"]
    return keys


def _column_key(ctx: _Context, hits: Sequence[tuple[int, int, str, str]]) -> str | None:
    """One applicant column of the quantity named before ("收到申请75件，涉及自然人72件")."""
    col = next((c for w, c in _COLUMN_WORDS if w in ctx.head), None)
    if col is None:
        return None
    before = ctx.segment[: len(ctx.segment) - len(ctx.clause)]
    governing = [c for _s, _e, _p, c in hits if c in _TOTAL_KEYS]
    if not governing:
        governing = [c for _s, _e, _p, c in _find_terms(before) if c in _TOTAL_KEYS]
    if not governing or not _applications_in_play(ctx, ctx.head + before):
        return None
    return f"col.{governing[-1]}.{col}"


def _column_readings(key: str, cells: Mapping[str, CellValue]) -> list[Reading]:
    """Readings of a ``col.<quantity>.<column>`` key: received (with or without carry-over) or processed."""
    concept, col = key[4 : key.rfind(".")], key[key.rfind(".") + 1 :]
    cols = _ORG_COLUMNS if col == "orgs" else (col,)
    if concept == "apply.processed":
        options = [(f"total_processed.{col}", [f"apply.total_processed.{c}" for c in cols])]
    else:
        new = [f"apply.new.{c}" for c in cols]
        options = [
            (f"new.{col}", new),
            (f"new+carried_over.{col}", new + [f"apply.carried_over.{c}" for c in cols]),
        ]
    return _q(*options)(cells)


def claim_readings(claim: Claim, doc_text: str, cells: Mapping[str, CellValue]) -> list[Reading]:
    """Every table reading the claim may refer to (empty: the claim does not link)."""
    if claim.is_change or claim.section == "problems":
        return []
    ctx = _context(doc_text, claim)
    if "|" in ctx.clause:  # a figure inside a pipe-rendered table row is not narrative
        return []
    keys = _quantity_keys(claim, ctx)
    if claim.section == "active_disclosure":  # section 二 speaks of 表二 only
        keys = [k for k in keys if k.startswith("active.")]
    if claim.unit == "%":
        return _percent_readings(claim, ctx, keys, cells)
    if "元" in claim.unit:
        keys = [k for k in keys if k == "active.fees"]
    else:
        if claim.unit not in _COUNT_UNITS:
            return []
        keys = [k for k in keys if k != "active.fees"]
    out: list[Reading] = []
    for key in keys:
        if key.startswith("col."):
            rs = _column_readings(key, cells)
        elif key.startswith("t4."):
            _, col, blocks = key.split(".")
            rs = _q_t4(col, blocks.split("+"))(cells)
        else:
            rs = QUANTITIES[key](cells)
        out += [r for r in rs if r not in out]
    return out


def _percent_readings(
    claim: Claim, ctx: _Context, keys: list[str], cells: Mapping[str, CellValue]
) -> list[Reading]:
    """Percentages computed from the cells: outcome shares, 公开率, 办结率."""
    if not _applications_in_play(ctx, ctx.head):
        return []
    rate = re.search(r"(公开|办结|答复|办理)率", ctx.head + claim.metric)
    if rate and re.search(r"按期|按时|及时|满意|准确", ctx.head + claim.metric):
        return []
    nums: list[Reading] = []
    if rate and rate.group(1) == "公开":
        nums = QUANTITIES["apply.granted_partial"](cells) + QUANTITIES["apply.granted"](cells)
    elif rate:
        nums = QUANTITIES["apply.processed"](cells)
        over = _reading("closed", cells, ["apply.new.total", "apply.carried_over.total"])
        fwd = _num(cells, "apply.carried_forward.total")
        if over is not None and fwd is not None:
            nums.append(
                Reading(
                    "new+carried_over-carried_forward",
                    (*over.cells, "apply.carried_forward.total"),
                    over.value - fwd,
                )
            )
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


# ---------------------------------------------------------------- comparison


def _decimals(claim: Claim) -> int:
    """Decimal places the figure was written with (precision of the written value)."""
    m = re.search(r"\d[\d,，]*(?:\.(\d+))?", claim.text or "")
    if m:
        return len(m.group(1) or "")
    s = repr(claim.written_value if claim.written_value is not None else claim.value)
    return len(s.split(".")[1].rstrip("0")) if "." in s else 0


def _factor(claim: Claim) -> float:
    """How many value units one written unit is (1.2万 written 1.2 → 10000)."""
    written = claim.written_value if claim.written_value is not None else claim.value
    return claim.value / written if written else 1.0


def _unit_step(claim: Claim) -> float:
    """One unit of the last written digit, in value units ("51.85" → 0.01)."""
    return 10.0 ** -_decimals(claim) * _factor(claim)


def _about_step(claim: Claim) -> float:
    """Precision a round figure implies ("约300" → 100, "约1.2万" → 1000)."""
    if _decimals(claim):
        return _unit_step(claim)
    written = claim.written_value if claim.written_value is not None else claim.value
    w = abs(round(written))
    zeros = 0
    while w and w % 10 == 0:
        w //= 10
        zeros += 1
    return 10.0**zeros * _factor(claim)


def _agrees(claim: Claim, claimed: float, found: float, tol: float) -> bool:
    """Compare by qualifier: exact within ``tol``; 余/多 from the figure to one written step above;
    以上/超过 at least; 不到 at most; 约 within a written step; ranges inclusive."""
    q = claim.qualifier
    eps = 1e-9 + tol
    scale = claimed / claim.value if claim.value else 1.0  # claim units → compared units
    if q == "at_least":
        if found < claimed - eps:
            return False
        bounded = re.search(r"\d[^\d]{0,2}[余多]", claim.text or "")
        return not bounded or found <= claimed + _about_step(claim) * scale + eps
    if q == "at_most":
        return found <= claimed + eps
    if q == "range":
        upper = claim.upper * scale if claim.upper is not None else claimed
        return claimed - eps <= found <= upper + eps
    if q == "about":
        slack = max(_about_step(claim) * scale, 0.05 * abs(claimed), tol)
        return abs(found - claimed) <= slack + 1e-9
    return abs(found - claimed) <= eps


def _amount_wan(claim: Claim) -> float:
    """The claim's amount in 万元 (the fee cell's unit): claim values are plain yuan (410万元 → 4100000)."""
    return claim.value / 10000.0


def _cell_decimals(cells: Mapping[str, CellValue], cid: str) -> int:
    raw = cells[cid].raw if cid in cells else ""
    m = re.search(r"\.(\d+)", raw)
    return len(m.group(1)) if m else 0


def _compare(claim: Claim, reading: Reading, cells: Mapping[str, CellValue]) -> tuple[bool, float]:
    """(agrees, claimed value in the reading's units)."""
    if claim.unit == "%":
        tol = 10.0 ** -_decimals(claim)
        return _agrees(claim, claim.value, reading.value, tol), claim.value
    if "元" in claim.unit:
        claimed = _amount_wan(claim)
        to_wan = claimed / claim.value if claim.value else 1.0
        cell_tol = 0.5 * 10.0 ** -_cell_decimals(cells, reading.cells[0])
        tol = max(0.5 * _unit_step(claim) * to_wan, cell_tol)
        return _agrees(claim, claimed, reading.value, tol), claimed
    return _agrees(claim, claim.value, reading.value, 0.0), claim.value


def _fmt(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".") if v != int(v) else str(int(v))


def _ref(claim: Claim) -> ClaimRef:
    return ClaimRef(text=claim.text, value=claim.value, start=claim.start, end=claim.end)


_TABLE_OF = (("active.", "表二"), ("apply.", "表三"), ("review", "表四"), ("litigation", "表四"))


def _show(r: Reading, unit: str) -> str:
    """Render a reading ("表三 apply.new.total = 24"): cells by id, a group by pattern, a ratio by label."""
    if unit == "%":
        where = r.label
    elif len(r.cells) <= 3:
        where = " + ".join(r.cells)
    else:
        where = "sum of " + ".".join(r.cells[0].split(".")[:2]) + ".*"
    table = next((t for p, t in _TABLE_OF if r.cells[0].startswith(p)), "")
    return f"{table} {where} = {_fmt(r.value)}{unit}".strip()


def _mismatch(claim: Claim, readings: list[Reading], claimed: float, said: str) -> Finding:
    """A finding naming what the narrative says, the primary reading and every other reading tried."""
    first = readings[0]
    is_pct = claim.unit == "%"
    unit = "%" if is_pct else ("万元" if "元" in claim.unit else "")
    if is_pct:
        msg = f"narrative says {said} but the tables give {', '.join(_show(r, unit) for r in readings)}"
    else:
        msg = f"narrative says {said} but {_show(first, unit)} (difference {_fmt(abs(claimed - first.value))}{unit})"
        if len(readings) > 1:
            msg += "; other readings tried: " + ", ".join(_show(r, unit) for r in readings[1:])
    return Finding(
        rule="claim_percentage" if is_pct else "claim_mismatch",
        severity="warning" if is_pct or len(readings) > 1 else "error",
        message=msg,
        cells=first.cells,
        expected=round(first.value, 4),
        found=claimed,
        claim=_ref(claim),
        detail={
            "readings": [
                {"label": r.label, "cells": list(r.cells), "value": round(r.value, 4)} for r in readings
            ],
            "qualifier": claim.qualifier,
        },
    )


# ---------------------------------------------------------------- narrative-only rules

_PERIOD = re.compile(
    r"(\d{4})\s*年\s*0?1\s*月\s*0?1\s*日[^。\n]{0,8}?(?:至|到|—|－|-|~|～)[^。\n\d]{0,3}"
    r"(?:(\d{4})\s*年\s*)?12\s*月\s*31\s*日"
)
_ALL_CLOSED = re.compile(
    r"(均|全部|都|全都|悉数)(已|已经)?(在法定期限内|在规定期限内|在规定时限内|按时|按期|依法|如期|及时)?"
    r"(办结|答复|办理完毕|完成答复|予以答复|作出答复)"
)
_NOT_APPLICATION_CLOSURE = re.compile(r"复议|诉讼|建议|提案|信访|上年结转|咨询|留言|信箱|热线")
_PENDING_ACKNOWLEDGED = re.compile(r"下一?年|顺延|结转下|结转至|结转到|尚在办理|正在办理|未办结|转入")
_NO_FEE = re.compile(
    r"(未|没有|无|不|均未|从未)(收取|收|产生|发生|涉及)[^。；\n]{0,12}(处理费|收费)"
    r"|无[^。；\n]{0,8}(处理费|收费)"
    r"|(处理费|收费)[^。；\n]{0,8}(为0|为零|0元|零元|为“0”)"
)


def _sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    stop = len(text) if end is None else end
    s = start
    for m in re.finditer(r"[。！？!?\n]", text[start:stop]):
        e = start + m.end()
        if text[s:e].strip():
            out.append((s, e))
        s = e
    if text[s:stop].strip():
        out.append((s, stop))
    return out


def _section_span(sections: Sequence[Section], sid: str, text_len: int) -> tuple[int, int]:
    for sec in sections:
        if sec.id == sid:
            return sec.start, sec.end
    return 0, text_len


def _period_findings(text: str, year: int | None) -> list[Finding]:
    if year is None:
        return []
    out: list[Finding] = []
    for m in _PERIOD.finditer(text):
        s = max(text.rfind(ch, 0, m.start()) for ch in "。\n") + 1
        if not re.search(r"统计|数据|期限|时限|报告", text[s : m.start()]):
            continue
        y1 = int(m.group(1))
        y2 = int(m.group(2)) if m.group(2) else y1
        if y1 == year and y2 == year:
            continue
        out.append(
            Finding(
                rule="report_period_year",
                severity="warning",
                message=f"the reporting period is stated as {y1}–{y2} but this is the {year} report",
                expected=float(year),
                found=float(y1 if y1 != year else y2),
                start=m.start(),
                end=m.end(),
                detail={"period": [y1, y2]},
            )
        )
    return out


def _all_closed_findings(
    text: str, cells: Mapping[str, CellValue], sections: Sequence[Section]
) -> list[Finding]:
    fwd = _num(cells, "apply.carried_forward.total")
    if fwd is None or fwd <= 0:
        return []
    out: list[Finding] = []
    for sid in ("overview", "applications"):
        lo, hi = _section_span(sections, sid, len(text)) if sections else (0, len(text))
        for s, e in _sentences(text, lo, hi):
            sent = text[s:e]
            m = _ALL_CLOSED.search(sent)
            if not m or "|" in sent or "申请" not in sent or _PENDING_ACKNOWLEDGED.search(sent):
                continue
            breaks = [sent.rfind(ch, 0, m.start()) for ch in _CLAUSE_BREAK]
            lead = sent[max(breaks) + 1 : m.start()]
            prior = sent[max(sent.rfind(ch, 0, max(max(breaks), 0)) for ch in _CLAUSE_BREAK) + 1 : m.start()]
            if _NOT_APPLICATION_CLOSURE.search(lead if re.search(r"申请|[\d]", lead) else prior):
                continue
            f = Finding(
                rule="claim_all_closed",
                severity="warning",
                message=(
                    f"narrative says the applications were all handled ({m.group(0)}) but 表三 "
                    f"apply.carried_forward.total = {_fmt(fwd)} are carried into next year"
                ),
                cells=("apply.carried_forward.total",),
                expected=0.0,
                found=fwd,
                start=s + m.start(),
                end=s + m.end(),
            )
            if f not in out:
                out.append(f)
        if not sections:
            break
    return out


def _fee_findings(text: str, claims: Sequence[Claim], sections: Sequence[Section]) -> list[Finding]:
    lo, hi = _section_span(sections, "other_matters", len(text))
    none_stated = [(s, e) for s, e in _sentences(text, lo, hi) if _NO_FEE.search(text[s:e])]
    if not none_stated:
        return []
    out: list[Finding] = []
    for c in claims:
        if "元" not in c.unit or c.value <= 0 or c.is_change:
            continue
        ctx = _context(text, c)
        if ("处理费" not in c.metric and "处理费" not in ctx.clause) or _NOT_FEES.search(ctx.clause):
            continue
        if any(s <= c.start < e for s, e in none_stated):
            continue
        s, e = none_stated[0]
        out.append(
            Finding(
                rule="fee_contradiction",
                severity="error",
                message=f"section 六 says no 信息处理费 was collected but the narrative states {c.text}",
                expected=0.0,
                found=c.value,
                claim=_ref(c),
                start=s,
                end=e,
            )
        )
    return out


# ---------------------------------------------------------------- entry points


def check_claims(
    doc: Document,
    claims: Sequence[Claim],
    cells: Mapping[str, CellValue],
    *,
    sections: Sequence[Section],
    year: int | None,
) -> tuple[list[Claim], list[Finding]]:
    """Link each claim to the cells it is about and flag those no reading supports."""
    linked: list[Claim] = []
    findings: list[Finding] = []
    for claim in claims:
        readings = claim_readings(claim, doc.text, cells)
        if not readings:
            linked.append(replace(claim, cells=()))
            continue
        results = [(r, *_compare(claim, r, cells)) for r in readings]
        agreeing = [r for r, ok, _ in results if ok]
        if agreeing:
            linked.append(replace(claim, cells=agreeing[0].cells))
            continue
        linked.append(replace(claim, cells=readings[0].cells))
        ctx = _context(doc.text, claim)
        said = (ctx.segment if claim.unit == "%" else ctx.clause).strip()[-40:] or claim.text
        findings.append(_mismatch(claim, readings, results[0][2], said))
    findings += _all_closed_findings(doc.text, cells, sections)
    findings += _period_findings(doc.text, year)
    findings += _fee_findings(doc.text, claims, sections)
    return linked, findings


_APPLICANT_COLS = ("natural", "commercial", "research", "social", "legal", "other_org", "total")
_DOC_KINDS = ("rules", "normative_docs")
_SAME_AS_ISSUED = "in force equals this year's issued: the table may count only this year's documents"


def check_previous(current: Report, previous: Report) -> list[Finding]:
    """Continuity between one body's consecutive reports: carry-over and 现行有效 counts."""
    if current.year is not None and previous.year is not None and current.year != previous.year + 1:
        return []
    cur, prev = current.cells, previous.cells
    out: list[Finding] = []
    bad = []
    for col in _APPLICANT_COLS:
        a = _num(prev, f"apply.carried_forward.{col}")
        b = _num(cur, f"apply.carried_over.{col}")
        if a is not None and b is not None and a != b:
            bad.append((col, a, b))
    if bad:
        col, a, b = next((x for x in bad if x[0] == "total"), bad[0])
        out.append(
            Finding(
                rule="carryover_mismatch",
                severity="error",
                message=(
                    f"表三 apply.carried_over.{col} = {_fmt(b)} this year but last year's report carried "
                    f"forward {_fmt(a)} (apply.carried_forward.{col}; difference {_fmt(abs(a - b))})"
                ),
                cells=tuple(f"apply.carried_over.{c}" for c, _, _ in bad),
                expected=a,
                found=b,
                detail={
                    "previous": previous.source,
                    "columns": {c: {"previous_carried_forward": x, "carried_over": y} for c, x, y in bad},
                },
            )
        )
    if _template(current) == "2021" and _template(previous) == "2021":
        for kind in _DOC_KINDS:
            last = _num(prev, f"active.{kind}.in_force")
            issued = _num(cur, f"active.{kind}.issued")
            repealed = _num(cur, f"active.{kind}.repealed")
            now = _num(cur, f"active.{kind}.in_force")
            if last is None or issued is None or repealed is None or now is None:
                continue
            expected = last + issued - repealed
            if expected == now:
                continue
            out.append(
                Finding(
                    rule="in_force_continuity",
                    severity="warning",
                    message=(
                        f"表二 {kind}: last year {_fmt(last)} in force + {_fmt(issued)} issued − "
                        f"{_fmt(repealed)} repealed = {_fmt(expected)}, but the table says {_fmt(now)} in force"
                    ),
                    cells=(f"active.{kind}.in_force", f"active.{kind}.issued", f"active.{kind}.repealed"),
                    expected=expected,
                    found=now,
                    detail={
                        "previous": previous.source,
                        "previous_in_force": last,
                        **({"note": _SAME_AS_ISSUED} if now == issued and last > 0 else {}),
                    },
                )
            )
    return out


def _template(report: Report) -> str | None:
    """The report's template, inferred from its cell ids when the reader did not say."""
    if report.template in ("2019", "2021"):
        return report.template
    if report.template == "mixed":
        return None
    if any(c.endswith(".in_force") for c in report.cells):
        return "2021"
    if any(c.endswith(".made") for c in report.cells):
        return "2019"
    return None
