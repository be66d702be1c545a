"""The figure grammar of the narrative: where a quantity is written and what it is worth.

Pure functions over a whitespace-free working text (see ``claims.working_passages``). A figure
is a number (Arabic, full-width, Chinese, mixed, ranges, 百分之…) followed by a scale
(万/亿, or 千 after digits), an optional 余/多 and a unit word. A number with no unit is
not a figure (that alone rules out dates, phone numbers, postcodes, 文号 and list markers),
except a 万/亿-scaled amount at the end of a clause (访问量318万). cn2an converts only the
spans cut out here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

Qualifier = Literal["exact", "at_least", "about", "at_most", "range"]

# Longest first so 人次 wins over 人, 万元 over 元.
UNITS: tuple[str, ...] = (
    "个百分点",
    "万人次",
    "人次",
    "件次",
    "条次",
    "篇次",
    "场次",
    "批次",
    "百分点",
    "大类",
    "大项",
    "小项",
    "亿元",
    "万元",
    "千元",
    "元",
    "%",
    "％",
    "条",
    "件",
    "次",
    "人",
    "个",
    "篇",
    "期",
    "场",
    "家",
    "项",
    "份",
    "批",
    "起",
    "页",
    "册",
    "户",
    "名",
    "位",
    "套",
    "所",
    "封",
    "例",
    "处",
    "成",
    "通",
    "类",
    "轮",
    "宗",
)
_UNIT_RE = "|".join(re.escape(u) for u in UNITS)

_AR = r"[0-9０-９]+(?:,[0-9]{3})*(?:[.．][0-9０-９]+)?"
_CN = r"[零〇一二两三四五六七八九十][零〇一二两三四五六七八九十百千万亿]*"
_NUM = rf"(?:{_AR}|{_CN})"

FIGURE_RE = re.compile(
    rf"(?P<pct>百分之)?(?P<num>{_NUM}|(?<=百分之)百)"
    rf"(?:(?P<sep>至|到|~|～|-|—|－)(?P<num2>{_NUM}))?"
    rf"(?P<scale>(?<=[0-9０-９])千万|(?<=[0-9０-９])千|万|亿)?"
    rf"(?P<infix>余|多)?"
    rf"(?P<unit>{_UNIT_RE})?"
)

_PREFIX_QUAL: tuple[tuple[str, Qualifier], ...] = (
    ("不超过", "at_most"),
    ("不少于", "at_least"),
    ("不低于", "at_least"),
    ("超过", "at_least"),
    ("突破", "at_least"),
    ("将近", "about"),
    ("接近", "about"),
    ("大约", "about"),
    ("不到", "at_most"),
    ("不足", "at_most"),
    ("少于", "at_most"),
    ("约", "about"),
    ("近", "about"),
    ("超", "at_least"),
    ("逾", "at_least"),
    ("多于", "at_least"),
)
_SUFFIX_QUAL: tuple[tuple[str, Qualifier], ...] = (
    ("以上", "at_least"),
    ("左右", "about"),
    ("以内", "at_most"),
    ("以下", "at_most"),
    ("上下", "about"),
)
# What may follow a unit and make the whole a name or a duration, not a count (一件事, 一次性,
# 四个意识, 六个部分, 三个月, 三位一体).
_NAME_AFTER: dict[str, tuple[str, ...]] = {
    "件": ("事",),
    "次": ("性", "办"),
    "条": ("龙",),
    "位": ("一体", "数"),
    "个": (
        "意识",
        "自信",
        "维护",
        "确立",
        "全面",
        "务必",
        "代表",
        "中心",
        "部分",
        "方面",
        "月",
        "工作日",
        "小时",
        "星期",
        "季度",
        "环节",
        "一",
    ),
    "项": ("内容", "原则", "要求"),
    "": ("网", "率"),
}
# A numeral right after one of these is part of a word (第一, 逐一, 统一, 唯一, 每一…).
_WORD_BEFORE = set("第逐每统唯同进单之其划专合归初万千百十周星这那某哪几首数跑")
_CN_SINGLE_OK = {"件", "条", "次", "人次", "场", "期", "篇", "家", "份", "起", "名", "位", "万元", "元", "人"}
# 每月1期, 每周一次: a frequency, not a count.
_FREQUENCY = re.compile(r"每(?:[年月周日天]|季度?|半年)?$")
_SCALE = {"": 1.0, "千": 1e3, "万": 1e4, "千万": 1e7, "亿": 1e8}
_CN_DIGIT = "一二三四五六七八九"
# 五六个, 五六十个, 三四百人: two adjacent digits, an approximate range.
_ADJACENT = re.compile(r"([一二三四五六七八九])([一二三四五六七八九])([十百千]?)")
_PLACE = {"十": 10.0, "百": 100.0, "千": 1000.0}


@dataclass(frozen=True, slots=True)
class Figure:
    """A quantity cut out of the working text; ``start``/``end`` cover number … unit."""

    start: int
    end: int
    value: float
    written_value: float
    scale: str
    unit: str
    qualifier: Qualifier
    upper: float | None = None


def to_number(span: str) -> float:
    """Value of one numeral span (Arabic, full-width, Chinese or mixed); raises ValueError."""
    s = unicodedata.normalize("NFKC", span).replace(",", "")
    if re.fullmatch(r"[0-9]+(?:\.[0-9]+)?", s):
        return float(s)
    import cn2an  # only for Chinese numerals: most figures are Arabic, and the import costs start-up

    return float(cn2an.cn2an(s, "smart"))


_QUOTE_PAIRS = {"“": "”", "‘": "’", "「": "」", "『": "』", '"': '"', "《": "》", "<": ">", "〈": "〉"}
_OPENING = re.compile("[" + re.escape("".join(_QUOTE_PAIRS)) + "]")


def quoted_mask(text: str, *, max_len: int = 20) -> list[bool]:
    """True where a character sits inside a short quotation (“五个中心”): names, not counts."""
    mask = [False] * len(text)
    i = 0
    while (m := _OPENING.search(text, i)) is not None:
        i = m.start()
        close = _QUOTE_PAIRS[text[i]]
        j = text.find(close, i + 1)
        limit = max_len * 4 if close in "》>〉" else max_len
        if j != -1 and j - i - 1 <= limit and "。" not in text[i:j]:
            mask[i + 1 : j] = [True] * (j - i - 1)
            i = j + 1
        else:
            i += 1
    return mask


def find_figures(text: str) -> list[Figure]:
    """Every figure in ``text`` (whitespace-free working text), negatives already dropped."""
    mask = quoted_mask(text)
    out: list[Figure] = []
    for m in FIGURE_RE.finditer(text):
        fig = _figure(text, m, mask)
        if fig is not None:
            out.append(fig)
    return out


def _figure(text: str, m: re.Match[str], mask: list[bool]) -> Figure | None:
    num, num2, unit = m["num"], m["num2"], m["unit"] or ""
    scale, infix = m["scale"] or "", m["infix"] or ""
    start, end = m.start(), m.end()
    is_cn = not re.match(r"[0-9０-９]", num)
    if mask[start]:
        return None
    before = text[start - 1] if start else ""
    if (before in _WORD_BEFORE if is_cn else before == "第") or re.match(
        r"[A-Za-z0-9０-９.．/〔\[#＃]", before
    ):
        return None
    if _FREQUENCY.search(text, max(0, start - 3), start):
        return None
    if m["pct"]:
        unit = "%"
    elif not unit:
        scaled = scale in ("万", "亿") or (is_cn and len(num) > 1 and num[-1] in "万亿")
        if not scaled or not _at_clause_end(text, end):
            return None
    if unit == "％":
        unit = "%"
    if unit == "类" and is_cn:
        return None
    after = text[end:]
    if unit and after.startswith(_NAME_AFTER.get(unit, ()) + _NAME_AFTER[""]) and unit != "%":
        return None
    if is_cn and num == "一" and not num2 and not scale and unit not in _CN_SINGLE_OK:
        return None
    if is_cn and num in ("零", "〇"):  # 零件, 零距离: a bare 零 is a word, not a figure
        return None
    if is_cn and num[-1] in "万亿" and len(num) > 1 and not scale:
        num, scale = num[:-1], num[-1]
    if unit == "元" and scale in ("万", "亿", "千"):
        unit = scale + "元"
    pair = _ADJACENT.fullmatch(num) if is_cn and not num2 else None
    try:
        written = 100.0 if num == "百" else to_number(num) if pair is None else 0.0
        upper = to_number(num2) * _SCALE[scale] if num2 else None
    except (ValueError, KeyError):
        return None
    qualifier: Qualifier = "exact"
    if pair is not None:
        lo, hi = _CN_DIGIT.index(pair[1]) + 1, _CN_DIGIT.index(pair[2]) + 1
        if hi != lo + 1:
            return None
        mult = _PLACE.get(pair[3], 1.0)
        written, upper, qualifier = lo * mult, hi * mult * _SCALE[scale], "range"
    elif num2 is not None:
        if m["sep"] in "-—－" and (is_cn or len(num) > 4 or len(num2) > 4):
            return None
        if upper is None or upper <= written * _SCALE[scale]:
            return None
        qualifier = "range"
    if qualifier != "range":
        qualifier = _qualifier(text, start, end, infix)
    value = written * _SCALE[scale]
    written_value = written if scale else value
    return Figure(start, end, value, written_value, scale, unit, qualifier, upper)


def _at_clause_end(text: str, end: int) -> bool:
    return (
        end >= len(text) or text[end] in "，,。；;、）)！？!?\u2029" or text.startswith(("以上", "左右"), end)
    )


def _qualifier(text: str, start: int, end: int, infix: str) -> Qualifier:
    if infix:
        return "at_least"
    head = re.sub(r"(?:为|占|达到|达|是)$", "", text[max(0, start - 5) : start])
    for word, q in _PREFIX_QUAL:
        if head.endswith(word):
            return q
    for word, q in _SUFFIX_QUAL:
        if text.startswith(word, end):
            return q
    return "exact"
