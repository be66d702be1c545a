"""Find the six statutory sections and the report's metadata.

Headings in real reports drift from the official wording (typos, "和" for "及", "整改措施" for
"改进情况"), get renumbered (sub-topics of 总体情况 promoted to top-level numbers), run inline
after the preceding sentence, or go missing altogether. So headings are found in three steps:

1. candidates: heading-like places (a line starting with a Chinese numeral + 、/．/. , the same
   pattern right after a sentence end inside a paragraph, or a short unnumbered line), scored by
   fuzzy similarity of their title to the statutory title and its known variants;
2. assignment: a dynamic programme picks at most one candidate per section with positions in
   statutory order, maximising the total score (so a strong later match beats a weak earlier one).
   Lines that match a 表三 row label ("四、结转下年度继续办理") never qualify; a candidate followed by
   a table scores more for sections 二–四, and one followed by text more than a contents line;
3. fallback: a section 五 without a heading is recognised by its first "（一）…问题…" sub-heading.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import pairwise

from rapidfuzz import fuzz

from .document import Document
from .fuzzy_bounds import shared_chars
from .result import Finding, Section
from .rules import Rule
from .schema import SECTIONS, application_rows


@dataclass(frozen=True, slots=True)
class SectionResult:
    sections: tuple[Section, ...]
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True, slots=True)
class Metadata:
    agency: str | None
    year: int | None
    published: str | None


_NUMERALS = "一二三四五六七八九十"
_STATUTORY_NUMBER = {sid: _NUMERALS[i] for i, (sid, _) in enumerate(SECTIONS)}

# Official title (without its numeral) first, then wordings seen in published reports.
_VARIANTS: dict[str, tuple[str, ...]] = {
    "overview": ("总体情况", "基本情况", "概述"),
    "active_disclosure": ("主动公开政府信息情况", "行政机关主动公开政府信息情况", "主动公开情况"),
    "applications": (
        "收到和处理政府信息公开申请情况",
        "行政机关收到和处理政府信息公开申请情况",
        "依申请公开政府信息情况",
        "依申请公开情况",
    ),
    "review_litigation": (
        "政府信息公开行政复议、行政诉讼情况",
        "因政府信息公开工作被申请行政复议、提起行政诉讼情况",
        "政府信息公开行政复议与行政诉讼情况",
        "行政复议、行政诉讼情况",
    ),
    "problems": (
        "存在的主要问题及改进情况",
        "政府信息公开工作存在的主要问题及改进情况",
        "存在的主要问题及整改措施",
        "存在的问题及改进措施",
        "存在的主要问题和改进措施",
    ),
    "other_matters": ("其他需要报告的事项", "其他需要报告事项", "其他事项"),
}
_KEYWORDS: dict[str, tuple[str, ...]] = {
    "overview": ("总体情况", "基本情况"),
    "active_disclosure": ("主动公开",),
    "applications": ("依申请", "收到和处理", "公开申请"),
    "review_litigation": ("复议", "诉讼"),
    "problems": ("问题", "不足", "改进", "整改"),
    "other_matters": ("其他需要报告", "其他事项"),
}

_LINE_NUMBERED = re.compile(
    r"^[#\s*]*(?:第\s*(?P<n1>[一二三四五六七八九十]{1,2})\s*部分|(?P<n2>[一二三四五六七八九十]{1,2})(?:\s*[、．.，,]|[ \t\u3000]+)"
    r"|(?P<n3>[1-9])\s*[、．.](?!\d))\s*"
)
_INLINE_NUMBERED = re.compile(r"(?<=[。！？；;）)\]】”])\s*(?P<n>[一二三四五六七八九十]{1,2})\s*[、．.]\s*")
_SUB_HEADING = re.compile(
    r"^[#\s*]*(?:[（(][一二三四五六七八九十]{1,2}[）)]|[一二三四五六七八九十]{1,2}\s*[、．.])"
)
_LEAD = " #*\t\u3000\xa0"  # markdown marks and layout spaces around a heading line
_PUNCT = re.compile(r"[\s\u3000#*:：、，,。.．;；（）()“”\"'《》【】\[\]·\-—_|]+")
_CHROME = re.compile(
    r"^\s*(?:附件下载|扫一扫|关闭(?:窗口|本页)?|打印(?:本页)?|【打印】|分享到|上一篇|下一篇|责任编辑|网站地图|友情链接|相关链接)"
)

_NONE_BODY = re.compile(
    r"^(本年度|本年|今年|报告期内)?(暂|均)?(无|没有)?(相关|需要报告的)?(问题|情况|事项)?$"
)
_MIN_NUMBERED = 80.0  # a numbered line whose title is this close to a statutory title is a candidate
_MIN_INLINE = 88.0  # inline (mid-paragraph) candidates must match more closely
_MIN_BARE = 92.0  # unnumbered lines must match very closely
_KEYWORD_SCORE = 72.0  # short numbered line containing a section keyword
_TABLE_LABEL_CUTOFF = 85.0  # a line this close to a 表三 row label is a table row, not a heading


def _same_number(printed: str, sid: str) -> bool:
    """Is the printed numeral ("五" or "5") the statutory number of section ``sid``?"""
    statutory = _STATUTORY_NUMBER[sid]
    return printed == statutory or printed == str(_NUMERALS.index(statutory) + 1)


def _norm(s: str) -> str:
    """Comparison form: NFKC (folds Kangxi radicals and full-width forms), no spaces or punctuation."""
    return _PUNCT.sub("", unicodedata.normalize("NFKC", s))


@cache
def _table_labels() -> tuple[str, ...]:
    rows = application_rows("2021") + application_rows("2019")
    return tuple({_norm(r.label) for r in rows} | {_norm(r.group) for r in rows if r.group})


def _is_table_label(title: str) -> bool:
    t = _norm(title)
    return any(
        fuzz.ratio(t, lab, processor=None, score_cutoff=_TABLE_LABEL_CUTOFF) for lab in _table_labels()
    )


@dataclass(frozen=True, slots=True)
class _Candidate:
    section: str
    score: float
    start: int  # offset of the heading (its numeral) in doc.text
    end: int  # end of the heading text
    number: str
    heading: str


def _prefix_score(title: str, target: str) -> tuple[float, int]:
    """Best ratio of a prefix of ``title`` (normalised) against ``target``; returns (score, prefix length)."""
    return _prefix_score_norm(_norm(title), target)


def _prefix_score_norm(t: str, target: str, cutoff: float = 0.0) -> tuple[float, int]:
    """``_prefix_score`` of an already normalised title; scores under ``cutoff`` may come back as 0."""
    best, best_len = 0.0, 0
    for n in range(max(1, len(target) - 3), min(len(t), len(target) + 4) + 1):
        s = fuzz.ratio(t[:n], target, processor=None, score_cutoff=max(best, cutoff))
        if s > best:
            best, best_len = s, n
    return best, best_len


def _raw_prefix(raw: str, norm_len: int) -> str:
    """The shortest prefix of ``raw`` whose normalised form has ``norm_len`` characters.

    The normalised length only grows as the prefix grows, so a binary search finds it (a scan
    would be quadratic on a long line of spaces or punctuation)."""
    window = 64  # doubled until it holds the prefix: cost grows with the prefix, not the line
    while window < len(raw) and len(_norm(raw[:window])) < norm_len:
        window *= 2
    if len(_norm(raw[:window])) < norm_len:
        return raw
    lo, hi = 1, min(window, len(raw))
    while lo < hi:
        mid = (lo + hi) // 2
        if len(_norm(raw[:mid])) >= norm_len:
            hi = mid
        else:
            lo = mid + 1
    return raw[:lo]


@cache
def _targets() -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple((sid, tuple(_norm(v) for v in variants)) for sid, variants in _VARIANTS.items())


@lru_cache(maxsize=4096)
def _score_title(title: str, *, whole_line: bool, cutoff: float = 0.0) -> tuple[tuple[str, float, int], ...]:
    """(section, score, normalised length of the matched heading) for every section that fits.

    Scores below ``cutoff`` may be reported as 0 (rapidfuzz then stops early). Cached: a long
    text repeating its headings scores each distinct line once.
    """
    out: list[tuple[str, float, int]] = []
    nt = _norm(title)
    chars = frozenset(nt)
    for sid, variants in _targets():
        best, blen = 0.0, 0
        for target in variants:
            if cutoff and not _may_reach(target, chars, cutoff):
                continue
            if whole_line:
                s = fuzz.ratio(nt, target, processor=None, score_cutoff=cutoff)
                if s > best:
                    best, blen = s, len(nt)
            s, n = _prefix_score_norm(nt, target, cutoff)
            if s > best:
                best, blen = s, n
        out.append((sid, best, blen))
    return tuple(out)


def _may_reach(target: str, chars: frozenset[str], cutoff: float) -> bool:
    """Can any prefix of a title with these characters score ``cutoff`` against ``target``?

    A prefix of length n scores 200·m/(n+len(target)) with m ≤ min(n, k), k the target's
    characters (with repeats) found in the title at all; that is largest at n = k. Lines that
    share too few characters with a heading are ruled out without aligning them."""
    k = shared_chars(target, chars)
    return 200.0 * k / (k + len(target)) >= cutoff if k else False


def _text_lines(doc: Document) -> Iterator[tuple[int, str]]:
    """(offset, line) for every line of doc.text outside table blocks and pipe rows."""
    spans = sorted((b.start, b.end) for b in doc.blocks if b.kind == "table")
    span_starts = [s for s, _ in spans]
    pos = 0
    for line in doc.text.split("\n"):
        start = pos
        pos += len(line) + 1
        if "|" in line or _in_spans(spans, span_starts, start):
            cells = line.split("|")
            if len(cells) > 1 and cells[0].strip() and not any(c.strip() for c in cells[1:]):
                yield start, cells[0].rstrip()  # a heading the extraction left in a one-cell table row
            continue
        if line.strip():
            yield start, line


def _in_spans(spans: list[tuple[int, int]], starts: list[int], pos: int) -> bool:
    """Is ``pos`` inside one of the sorted, non-overlapping ``spans``? (bisect: no scan per line)"""
    i = bisect_right(starts, pos) - 1
    return i >= 0 and spans[i][0] <= pos < spans[i][1]


def _candidates(doc: Document) -> list[_Candidate]:
    out: list[_Candidate] = []
    lines = list(_text_lines(doc))
    for li, (start, line) in enumerate(lines):
        m = _LINE_NUMBERED.match(line)
        if m and not line[m.end() :].strip(_LEAD) and li + 1 < len(lines):
            nstart, nline = lines[li + 1]  # "五、" alone on its line, the title on the next
            if nstart - start <= len(line) + 3:
                line = doc.text[start:nstart] + nline
        if m:
            number = m.group("n1") or m.group("n2") or m.group("n3")
            rest = line[m.end() :].rstrip()
            short = len(_norm(rest)) <= 30
            if _is_table_label(rest) or rest.lstrip().startswith("表"):
                continue
            for sid, score, nlen in _score_title(rest, whole_line=short, cutoff=_MIN_NUMBERED):
                if score < _MIN_NUMBERED and short and any(k in rest for k in _KEYWORDS[sid]):
                    score, nlen = _KEYWORD_SCORE, len(_norm(rest))
                if score >= _MIN_NUMBERED or score == _KEYWORD_SCORE:
                    head = rest if short else _raw_prefix(rest, nlen)
                    bonus = 3.0 if _same_number(number, sid) else 0.0
                    hs = start + len(line) - len(line.lstrip(_LEAD))
                    end = start + m.end() + len(head.rstrip(_LEAD))
                    out.append(_Candidate(sid, score + bonus, hs, end, number, doc.text[hs:end]))
        else:
            rest = line.strip(_LEAD)
            if len(_norm(rest)) <= 30 and not rest.startswith("表"):
                for sid, score, _ in _score_title(rest, whole_line=True, cutoff=_MIN_BARE):
                    if score >= _MIN_BARE:
                        off = start + line.index(rest)
                        out.append(_Candidate(sid, score - 10.0, off, off + len(rest), "", rest))
        for im in _INLINE_NUMBERED.finditer(line):
            if im.start() == 0:
                continue
            rest = line[im.end() :]
            for sid, score, nlen in _score_title(rest[:40], whole_line=False, cutoff=_MIN_INLINE):
                if score >= _MIN_INLINE:
                    head = _raw_prefix(rest, nlen)
                    number = im.group("n")
                    bonus = 3.0 if _same_number(number, sid) else 0.0
                    hs = start + im.start("n")
                    end = start + im.end() + len(head)
                    out.append(_Candidate(sid, score + bonus, hs, end, number, doc.text[hs:end]))
    return out


def _assign(cands: list[_Candidate]) -> dict[str, _Candidate]:
    """At most one candidate per section, positions strictly increasing in statutory order, max total score."""
    ids = [sid for sid, _ in SECTIONS]
    order = sorted(cands, key=lambda c: c.start)
    n, k = len(order), len(ids)
    # best[i][j]: best score using candidates[:i] for sections[:j]
    best = [[0.0] * (k + 1) for _ in range(n + 1)]
    take: dict[tuple[int, int], str] = {}
    for i in range(1, n + 1):
        c = order[i - 1]
        for j in range(1, k + 1):
            opts = [(best[i - 1][j], "skip_c"), (best[i][j - 1], "skip_s")]
            if c.section == ids[j - 1]:
                prev = i - 1
                while prev > 0 and order[prev - 1].start == c.start:
                    prev -= 1
                opts.append((best[prev][j - 1] + c.score, "take"))
            val, how = max(opts, key=lambda o: o[0])
            best[i][j] = val
            take[(i, j)] = how
    chosen: dict[str, _Candidate] = {}
    i, j = n, k
    while i > 0 and j > 0:
        how = take[(i, j)]
        if how == "take":
            c = order[i - 1]
            chosen[ids[j - 1]] = c
            i -= 1
            while i > 0 and order[i - 1].start == c.start:
                i -= 1
            j -= 1
        elif how == "skip_c":
            i -= 1
        else:
            j -= 1
    return chosen


def _problems_fallback(doc: Document, lo: int, hi: int) -> _Candidate | None:
    """Section 五 printed without its own heading: its first sub-heading that names problems/measures,
    else the first paragraph after the 表四 table that speaks of problems."""
    for start, line in _text_lines(doc):
        if start < lo or start >= hi:
            continue
        s = line.strip(_LEAD)
        if _SUB_HEADING.match(line) and len(s) <= 40 and any(k in s for k in _KEYWORDS["problems"]):
            off = start + line.index(s)
            return _Candidate("problems", 0.0, off, off + len(s), "", s)
    tables = [b.end for b in doc.blocks if b.kind == "table" and lo <= b.start < hi]
    after = max(tables, default=lo)
    for start, line in _text_lines(doc):
        if after <= start < hi and re.search(r"问题|不足|差距|短板", line) and re.search(r"[，。；]", line):
            off = start + len(line) - len(line.lstrip(_LEAD))
            return _Candidate("problems", 0.0, off, off, "", "")  # no heading at all: the paragraph itself
    return None


def _doc_end(doc: Document, start: int) -> int:
    """End of the report body: the first page-chrome line after ``start`` (or the end of the text)."""
    for off, line in _text_lines(doc):
        if off > start and _CHROME.match(line):
            return off
    return len(doc.text)


_TABLE_SECTIONS = ("active_disclosure", "applications", "review_litigation")
_TABLE_BONUS = 8.0
_BODY_BONUS = 2.0
_MIN_BODY = 8  # characters of text under a heading before the next one
_BODY_PEEK = 64  # characters read first when testing for a body


def _has_body(text: str, start: int, end: int) -> bool:
    """``len(_norm(text[start:end])) >= _MIN_BODY``, normalising a short prefix first (a section
    can run to the end of the document). NFKC and the punctuation strip act character by
    character except where a character composes with the next one, so the whole is shorter than
    its prefix by at most one: a prefix holding two more than needed decides."""
    if end - start > _BODY_PEEK and len(_norm(text[start : start + _BODY_PEEK])) >= _MIN_BODY + 2:
        return True
    return len(_norm(text[start:end])) >= _MIN_BODY


def _with_bonuses(doc: Document, cands: list[_Candidate]) -> list[_Candidate]:
    """Context bonuses. Sections 二–四 carry the statutory tables, so a candidate followed by a
    table (before the next candidate) outranks a same-titled narrative sub-heading of 总体情况;
    and a heading followed by some text outranks a bare line of a table of contents."""
    starts = sorted({c.start for c in cands})
    tables = sorted(
        [b.start for b in doc.blocks if b.kind == "table"]
        + [m.start() for m in re.finditer(r"(?m)^[^\n]*\|[^\n]*\|", doc.text)]
    )
    out: list[_Candidate] = []
    for c in cands:
        k = bisect_right(starts, c.start)
        nxt = starts[k] if k < len(starts) else len(doc.text)
        bonus = 0.0
        t = bisect_left(tables, c.end)
        if c.section in _TABLE_SECTIONS and t < len(tables) and tables[t] < nxt:
            bonus += _TABLE_BONUS
        if _has_body(doc.text, c.end, nxt):
            bonus += _BODY_BONUS
        out.append(
            _Candidate(c.section, c.score + bonus, c.start, c.end, c.number, c.heading) if bonus else c
        )
    return out


def find_sections(doc: Document) -> SectionResult:
    """The six statutory sections with spans and printed numbers, plus findings for anomalies."""
    chosen = _assign(_with_bonuses(doc, _candidates(doc)))
    findings: list[Finding] = []
    ids = [sid for sid, _ in SECTIONS]
    if "problems" not in chosen:
        idx = ids.index("problems")
        before = [chosen[s] for s in ids[:idx] if s in chosen]
        after = [chosen[s] for s in ids[idx + 1 :] if s in chosen]
        lo = before[-1].end if before else 0
        hi = after[0].start if after else len(doc.text)
        fb = _problems_fallback(doc, lo, hi)
        if fb is not None:
            chosen["problems"] = fb
            findings.append(
                Finding(
                    rule=Rule.SECTION_HEADING_MISSING,
                    severity="warning",
                    message="section 五 (存在的主要问题及改进情况) has no heading of its own; it was located by "
                    + ("its sub-heading" if fb.heading else "its first paragraph on problems"),
                    start=fb.start,
                    end=fb.end,
                    found=fb.heading,
                )
            )
    found = sorted(chosen.values(), key=lambda c: c.start)
    sections: list[Section] = []
    for i, c in enumerate(found):
        end = found[i + 1].start if i + 1 < len(found) else _doc_end(doc, c.end)
        sections.append(Section(id=c.section, heading=c.heading, start=c.start, end=end, number=c.number))
    official = dict(SECTIONS)
    for s in sections:
        if s.number and not _same_number(s.number, s.id):
            findings.append(
                Finding(
                    rule=Rule.SECTION_RENUMBERED,
                    severity="warning",
                    message=f"section {official[s.id]} is printed as number {s.number}",
                    expected=_STATUTORY_NUMBER[s.id],
                    found=s.number,
                    start=s.start,
                    end=s.start + len(s.heading),
                    detail={"section": s.id},
                )
            )
        title = _LINE_NUMBERED.sub("", s.heading)
        if s.number and _norm(title) != _norm(official[s.id][2:]):
            findings.append(
                Finding(
                    rule=Rule.SECTION_HEADING_VARIANT,
                    severity="info",
                    message=f"heading differs from the statutory wording {official[s.id]}",
                    expected=official[s.id],
                    found=s.heading,
                    start=s.start,
                    end=s.start + len(s.heading),
                    detail={"section": s.id},
                )
            )
    for sid, label in SECTIONS:
        if sid not in chosen:
            findings.append(
                Finding(
                    rule=Rule.MISSING_SECTION,
                    severity="error",
                    message=f"statutory section {label} not found",
                    expected=label,
                    detail={"section": sid},
                )
            )
    prob = next((s for s in sections if s.id == "problems"), None)
    if prob is not None:
        body = _norm(doc.text[prob.start + len(prob.heading) : prob.end])
        if _NONE_BODY.match(body):
            findings.append(
                Finding(
                    rule=Rule.SECTION_PROBLEMS_EMPTY,
                    severity="warning",
                    message="section 五 states no problems and no measures (the format requires them)",
                    start=prob.start,
                    end=prob.end,
                    found=body or "",
                )
            )
    return SectionResult(sections=tuple(sections), findings=tuple(findings))


_TITLE = re.compile(
    r"(?P<pre>[^\s0-9|，。]{0,40}?)\s*(?P<year>(?:19|20)\d{2})\s*年\s*度?\s*(?P<post>[^\s0-9|，。]{0,40}?)"
    r"\s*(?:政府信息公开|政务公开|信息公开)(?:工作)?\s*(?:年度)?\s*(?:报告|年报)"
)
_PERIOD = re.compile(
    r"(?:统计期限|统计周期|统计时限|统计区间|统计时间)[^。]{0,12}?((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日"
)
_TITLE_YEAR_AFTER = re.compile(
    r"(?:政府信息公开|政务公开)[^。\n]{0,8}?年度?报告\s*[（(]\s*((?:19|20)\d{2})\s*年?度?\s*[）)]"
)
_DATE_CN = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_DATE_ISO = re.compile(r"((?:19|20)\d{2})[-/.](\d{1,2})[-/.](\d{1,2})")
_PUB_LABEL = re.compile(r"(?:发布|公开|成文)?(?:时间|日期)\s*[:：]\s*")
_COMPILED_BY = re.compile(r"本(?:年度)?报告由([^，。、\s]{2,30}?)(?:根据|依据|按照|编制)")
_AGENCY_TAIL = re.compile(r"[_|｜\-—].*$")


def _iso(y: str, m: str, d: str) -> str | None:
    mi, di = int(m), int(d)
    if 1 <= mi <= 12 and 1 <= di <= 31:
        return f"{int(y):04d}-{mi:02d}-{di:02d}"
    return None


def _title_match(text: str) -> tuple[str | None, int | None]:
    m = _TITLE.search(text)
    if not m:
        return None, None

    def clean(part: str | None) -> str:
        return re.sub(r"^(?:关于|正文)", "", (part or "").strip("#*：: 　（()）"))

    agency = clean(m.group("pre")) or clean(m.group("post"))
    return agency or None, int(m.group("year"))


def extract_metadata(doc: Document) -> Metadata:
    """Agency, the year the data covers (not the publication year) and the stated publication date."""
    head_lines = [ln for _, ln in _text_lines(doc)][:15]
    head = "".join(s.strip() for s in head_lines)
    agency, year = None, None
    title = _AGENCY_TAIL.sub("", doc.meta.get("title", "")) if doc.meta.get("title") else ""
    for src in (title, head):
        if src:
            a, y = _title_match(src)
            agency = agency or a
            year = year or y
    if agency is None:
        bm = _COMPILED_BY.search(head)
        if bm:
            agency = re.sub(r"(人民政府)办公室$", r"\1", bm.group(1))
    if agency is None:
        agency = _signature_agency(doc)
    for rx in (_PERIOD, _TITLE_YEAR_AFTER):
        pm = rx.search(doc.text)
        if year is None and pm:
            year = int(pm.group(1))
    return Metadata(agency=agency, year=year, published=_published(doc))


_BODY_SUFFIX = re.compile(r"(?:局|委|委员会|办|办公室|办公厅|厅|政府|院|署|中心|管委会|街道办事处|镇|乡)$")


def _signature_agency(doc: Document) -> str | None:
    """The signing body: a short line naming an office just above the closing date."""
    end = _doc_end(doc, len(doc.text) // 2)
    tail = [ln.strip(_LEAD) for off, ln in _text_lines(doc) if off < end][-6:]
    for prev, line in pairwise(tail):
        if (
            _DATE_CN.fullmatch(line.strip("()（）"))
            and len(prev) <= 30
            and _BODY_SUFFIX.search(prev)
            and not _PUNCT_ANY_RX.search(prev)
        ):
            return prev
    return None


_PUNCT_ANY_RX = re.compile(r"[，。；：！？、,;:!?]")


def _published(doc: Document) -> str | None:
    meta = doc.meta.get("published", "")
    for rx in (_DATE_ISO, _DATE_CN):
        m = rx.search(meta)
        if m:
            return _iso(*m.groups())
    lines = [ln.strip() for _, ln in _text_lines(doc)]
    for ln in lines[:12]:
        bare = ln.strip("()（）# ")
        m = _DATE_CN.fullmatch(bare)
        if m:
            return _iso(*m.groups())
        lm = _PUB_LABEL.search(ln)
        if lm:
            rest = ln[lm.end() :]
            m2 = _DATE_ISO.match(rest) or _DATE_CN.match(rest)
            if m2:
                return _iso(*m2.groups())
    end = _doc_end(doc, len(doc.text) // 2)
    tail = [ln.strip() for off, ln in _text_lines(doc) if off < end][-6:]
    for ln in reversed(tail):
        m = _DATE_CN.fullmatch(ln.strip("()（）# "))
        if m:
            return _iso(*m.groups())
    return None
