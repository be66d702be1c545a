"""Section 五: split it into problem/measure statements, flag vague ones, find copied text.

Segmentation conventions (the gold in ``corpora/problems/real_gold.jsonl`` follows them; see
``corpora/problems/guide.md``, section 2):

* The finest enumeration level is the statement: each 一是/（一）/1./①/首先 item is one statement,
  however many sentences it has. A marker's title line that only heads sub-items is not one.
* Outside enumerations each sentence is a statement; a semicolon list (A；B；C) after a lead-in
  (a colon, "，如", "，主要表现在") or a group heading gives one statement per part.
* Intro sentences are not statements: the sentence that leads into a list (ends with a colon or is
  directly followed by an enumeration), "仍存在一些不足"-style sentences with no content, and
  group headings such as "（一）存在问题" / "（二）改进措施" (these set the kind).
* A span excludes its enumeration marker (and the 、/. after it) and its trailing punctuation
  (。；，、：！？) and whitespace.
* kind: problem until a measure heading or a turn (下一步, 针对上述问题, 为此, 今后, "20xx年，我局将…");
  a turn sentence inside an item is split off and starts the measures.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Literal

from rapidfuzz import fuzz

from .bodies import body_key
from .document import Document
from .errors import ModelError
from .result import Category, CopiedFrom, Finding, ProblemStatement, Report, Section, Topic
from .rules import Rule

Kind = Literal["problem", "measure"]

_CN = "一二三四五六七八九十"
# A marker counts only at a boundary: text start, line start, or after punctuation.
_MARKER = re.compile(
    r"(?:^|(?<=[。；;：:，,！？!?）)\s]))[ \t\u3000\xa0]*"
    rf"(?P<m>[{_CN}]{{1,3}}是"
    rf"|[（(][{_CN}]{{1,3}}[）)]"
    r"|[（(]\d{1,2}[）)]"
    r"|\d{1,2}\s*[.．、](?!\d)"
    r"|[①②③④⑤⑥⑦⑧⑨⑩]"
    rf"|第[{_CN}]{{1,2}}(?=[，,、])"
    r"|(?:首先|其次|再次|最后)(?=[，,、])"
    rf"|(?<![^\n])[{_CN}]{{1,2}}[、．.])"
    r"[、，,.．:：]?[ \t\u3000\xa0]*",
    re.M,
)
_HEADER_TITLE = re.compile(r"(问题|不足|短板|改进|整改|措施|打算|计划|方向|举措)")
_HEADER_VERB = re.compile(
    r"^(加强|强化|提高|提升|完善|推进|深化|持续|健全|做好|抓好|优化|规范|建立|丰富|拓宽|加大|创新|夯实)"
)
_MEASURE_WORDS = re.compile(r"(改进|整改|措施|打算|计划|方向|举措|下一步|努力)")
_TURN = re.compile(
    r"^(?:下一步|下阶段|今后|未来|明年|来年|新的一年|下一年|针对(?:上述|以上|这些|存在|此类)|为此|对此|为进一步|为规范|"
    r"(?:(?:19|20)\d{2}\s*年[，,]?\s*)?(?:我|本|全)[\u4e00-\u9fff]{0,8}将)"
)
_MEASURE_INTRO = re.compile(
    r"(以下|如下)[\u4e00-\u9fff]{0,6}(措施|方面|工作|举措)|采取.{0,6}措施|改进措施|整改措施"
)
_EMPTY_INTRO = re.compile(
    r"(存在|有|还有|面临)(着)?(一些|一定|部分|少许|不少|某些)?的?"
    r"(不足|问题|差距|短板|薄弱环节|困难)((和|与|及)(不足|问题|薄弱环节|差距))?(之处|的地方)?"
    r"([，,]?(主要)?(表现|体现)(在|为)|[，,]?(具体)?如下|[，,]?主要(有|是))?$"
    r"|(还有|仍有|存在)(一些|部分)?(需要|有待)(进一步)?(加强|改进|提升|完善)((和|与)(加强|改进|提升|完善))?的(地方|方面)$"
)
_LABEL = re.compile(r"^([^，,。；;：:]{2,12})[：:]")  # "存在问题：…" / "改进情况：…"
_NOTHING = re.compile(r"^(本年度|本年|今年|报告期内)?(暂|均)?(无|没有)(相关|需要报告的)?(问题|情况|事项)?$")
_SENT_END = "。！？!?"
_TRAIL = " \t\r\n\u3000\xa0。；;，,、：:！？!?"
_PUNCT_ANY = re.compile(r"[，。；：！？、,;:!?]")
_PAGE_NO = re.compile(r"^\s*[—\-]*\s*\d+\s*[—\-]*\s*$")


@dataclass(frozen=True, slots=True)
class _Unit:
    kind: Literal["item", "run", "header"]
    start: int
    end: int  # exclusive; raw (trailing punctuation not yet stripped)
    header_kind: Kind | None = None
    family: str = ""  # marker family of an item: 是 / paren / arabic / circled / sequence / line
    first: bool = False  # the marker is the first of its list (一是, （一）, （1）, 1., ①, 第一, 首先)


def _family(marker: str) -> str:
    m = marker.strip()
    if m.endswith("是"):
        return "是"
    if m[:1] in "（(":
        return "paren_digit" if m[1:2].isdigit() else "paren"
    if m[:1].isdigit():
        return "arabic"
    if m[:1] in "①②③④⑤⑥⑦⑧⑨⑩":
        return "circled"
    if m[:1] in "首其再最第":
        return "sequence"
    return "line"


def _is_first(marker: str) -> bool:
    """Does the marker open a list (its number is one)?"""
    core = re.sub(r"[\s（()）、，,.．:：是第]", "", marker)
    return core in ("一", "1", "①", "首先")


def _body_text(doc: Document, sec: Section, heading_is_subheading: bool) -> tuple[int, str]:
    """Section 五 text after its heading, with table and page-number lines blanked (offsets kept)."""
    start = sec.start if heading_is_subheading else sec.start + len(sec.heading)
    text = doc.text[start : sec.end]
    spans = [(b.start - start, b.end - start) for b in doc.blocks if b.kind == "table"]
    out: list[str] = []
    pos = 0
    for line in text.split("\n"):
        ls = pos
        pos += len(line) + 1
        blank = line.count("|") >= 2 or _PAGE_NO.match(line) is not None or any(s <= ls < e for s, e in spans)
        out.append(" " * len(line) if blank else line)
    return start, "\n".join(out)


def _strip_span(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s] in " \t\r\n\u3000\xa0":
        s += 1
    while e > s and text[e - 1] in _TRAIL:
        e -= 1
    return s, e


def _units(text: str) -> list[_Unit]:
    """Cut the body into items (at markers), runs (text outside items) and group headers."""
    marks = list(_MARKER.finditer(text))
    units: list[_Unit] = []
    first = marks[0].start() if marks else len(text)
    if text[:first].strip():
        units += _split_runs(text, 0, first)
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        item_end = _paragraph_end(text, m.end(), end)
        title_end = _title_end(text, m.end(), item_end)
        title = text[m.end() : title_end].strip()
        is_paren = not m.group("m").endswith("是")
        if is_paren and _is_group_header(title):
            hk: Kind = "measure" if _MEASURE_WORDS.search(title) else "problem"
            units.append(_Unit("header", m.start(), title_end, hk))
            if text[title_end:item_end].strip(_TRAIL):
                units += _split_runs(text, title_end, item_end)
        else:
            units.append(
                _Unit("item", m.end(), item_end, family=_family(m.group("m")), first=_is_first(m.group("m")))
            )
        if item_end < end and text[item_end:end].strip():
            units += _split_runs(text, item_end, end)
    return units


_HEADER_FILLER = re.compile(
    r"(?:19|20)\d{2}\s*年度?|上一?年度?|本年度?|今年|下一步|以往|针对|政府信息公开|政务公开|信息公开|工作中?|"
    r"存在|主要|问题|不足|短板|差距|改进|整改|落实|措施|打算|计划|方向|举措|情况|方面|的|及|和|与|以及|[\s\W\d_]"
)


def _is_group_header(title: str) -> bool:
    """A short title made only of heading words ("存在的主要问题", "2024年工作中存在问题的改进情况")."""
    return (
        len(title) <= 30
        and _HEADER_TITLE.search(title) is not None
        and not _HEADER_VERB.match(title)
        and len(_HEADER_FILLER.sub("", title)) <= 2
    )


def _title_end(text: str, s: int, e: int) -> int:
    """End of a marker's title: first 。/：/newline after it."""
    for i in range(s, e):
        if text[i] in "。：:\n":
            return i + 1
    return e


def _paragraph_end(text: str, s: int, e: int) -> int:
    """An item ends at a line break that follows sentence-final punctuation (a wrapped line goes on)."""
    i = s
    while True:
        j = text.find("\n", i, e)
        if j < 0:
            return e
        k = j - 1
        while k >= s and text[k] in " \t\u3000\r":
            k -= 1
        if k >= s and text[k] in "。！？!?；;：:" and text[j + 1 : e].strip():
            return j + 1
        if not text[j + 1 : e].strip():
            return e
        i = j + 1


def _split_runs(text: str, s: int, e: int) -> list[_Unit]:
    """Runs are split at paragraph breaks so a run never spans two paragraphs."""
    out: list[_Unit] = []
    while s < e:
        pe = _paragraph_end(text, s, e)
        if text[s:pe].strip():
            out.append(_Unit("run", s, pe))
        s = pe
    return out


def _sentences(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """Sentence spans (raw) in text[s:e], not split inside quotes, titles or brackets."""
    return _top_level_split(text, s, e, _SENT_END, trail=None)


def _top_level_split(
    text: str, s: int, e: int, seps: str, *, trail: str | None = _TRAIL
) -> list[tuple[int, int]]:
    """Spans ending at each separator outside “”《》（）; a tail that is only ``trail`` chars is dropped."""
    out, start, depth = [], s, 0
    for i in range(s, e):
        ch = text[i]
        if ch in "“《（(":
            depth += 1
        elif ch in "”》）)":
            depth = max(0, depth - 1)
        elif depth == 0 and ch in seps:
            out.append((start, i + 1))
            start = i + 1
    if text[start:e].strip(trail):
        out.append((start, e))
    return out


def _intro_kind(sentence: str) -> Kind | None:
    """The kind of the statements an intro sentence leads into (None: it does not say)."""
    t = re.sub(r"\s+", "", sentence).rstrip("。！？!?；;，,：:")
    if _TURN.match(t):
        return "measure"
    if _EMPTY_INTRO.search(t):
        return "problem"
    if _MEASURE_WORDS.search(t) or "将" in t:
        return "measure"
    if re.search(r"问题|不足|差距|短板|薄弱", t):
        return "problem"
    return None


def _is_title(text: str) -> bool:
    """A short one-phrase item text (no sentence inside it): a title over sub-items."""
    t = text.strip().rstrip(_TRAIL)
    return 0 < len(t) <= 20 and not re.search(r"[。！？!?；;]", t)


def _is_empty_intro(sentence: str) -> bool:
    """A sentence that only says there are shortcomings, or that leads into a list."""
    t = re.sub(r"\s+", "", sentence).rstrip("。！？!?；;，,")
    if t.endswith(("：", ":")):
        return True
    return _EMPTY_INTRO.search(t) is not None or (_MEASURE_INTRO.search(t) is not None and len(t) < 60)


def analyze_problems(doc: Document, sections: Sequence[Section]) -> list[ProblemStatement]:
    """Statements of section 五 (problems and measures), with vagueness and categories."""
    sec = next((s for s in sections if s.id == "problems"), None)
    if sec is None:
        return []
    spans = segment(doc, sec)
    stmts = [
        ProblemStatement(text=doc.text[s:e], kind=k, start=s, end=e, vague=v[0], vague_reason=v[1])
        for s, e, k in spans
        for v in [vagueness(doc.text[s:e])]
    ]
    cats, _ = _categories([p.text for p in stmts])
    if cats is not None:
        tops = _topics([p.text for p in stmts])
        stmts = [
            dataclasses.replace(
                p,
                categories=c,
                topics=tuple(Topic(label=k.label, score=k.score, start=p.start + a, end=p.start + b) for a, b, k in t),
            )
            for p, c, t in zip(stmts, cats, tops, strict=True)
        ]
    return stmts


def segment(doc: Document, sec: Section) -> list[tuple[int, int, Kind]]:
    """(start, end, kind) of every statement in section ``sec`` (offsets into ``doc.text``)."""
    sub = not sec.number and bool(_MARKER.match(sec.heading))
    base, body = _body_text(doc, sec, sub)
    units = _units(body)
    out: list[tuple[int, int, Kind]] = []
    kind: Kind = "problem"
    for ui, u in enumerate(units):
        if u.kind == "header":
            kind = u.header_kind or kind
            continue
        nxt = units[ui + 1] if ui + 1 < len(units) else None
        followed_by_item = nxt is not None and nxt.kind == "item"
        if (
            u.kind == "item"
            and nxt is not None
            and nxt.kind == "item"
            and nxt.family != u.family
            and nxt.first
            and _is_title(body[u.start : u.end])
        ):
            pieces = [(u.start, u.end, "intro")]  # "（一）加强政策解读" heading its own 1./一是 sub-items
        elif u.kind == "item":
            pieces = _item_pieces(body, u.start, u.end)
        else:
            pieces = _run_pieces(body, u.start, u.end, followed_by_item=followed_by_item)
        for s, e, role in pieces:
            sent = body[s:e]
            if role == "intro":
                kind = _intro_kind(sent) or kind
                continue
            if role == "turn":
                kind = "measure"
            ss, ee = _strip_span(body, s, e)
            if ee <= ss:
                continue
            if u.kind == "run" and not _PUNCT_ANY.search(sent) and len(sent.strip()) <= 30:
                continue  # a signature, date or stray label line
            out.append((base + ss, base + ee, kind))
    return out


def _item_pieces(text: str, s: int, e: int) -> list[tuple[int, int, str]]:
    """An enumerated item is one statement; a trailing lead-in or a turn to measures is split off."""
    sents = _sentences(text, s, e)
    for i, (a, b) in enumerate(sents):
        if i == 0:
            continue
        sent = text[a:b].strip()
        if _TURN.match(sent) or _is_empty_intro(sent):
            head = [(s, a, "stmt")]
            return head + _run_pieces(text, a, e, followed_by_item=False)
    return [(s, e, "stmt")]


def _run_pieces(text: str, s: int, e: int, *, followed_by_item: bool) -> list[tuple[int, int, str]]:
    """Sentences of a run, labelled intro / turn / stmt; colon-led semicolon lists are split."""
    out: list[tuple[int, int, str]] = []
    sents = _sentences(text, s, e)
    for i, (a, b) in enumerate(sents):
        sent = text[a:b]
        st = sent.strip()
        last = i == len(sents) - 1
        lead = _list_lead_end(st)
        if lead >= 0 and ("；" in st[lead:] or ";" in st[lead:]):
            cut = a + sent.index(st) + lead
            out.append((a, cut, "intro"))
            out += [(x, y, "stmt") for x, y in _top_level_split(text, cut, b, "；;")]
            continue
        label = _LABEL.match(st)
        if label and _is_group_header(label.group(1)):
            cut = a + sent.index(st) + label.end()
            out.append((a, cut, "intro"))
            out.append((cut, b, "stmt"))
            continue
        if _NOTHING.match(re.sub(r"\s+", "", st).rstrip(_TRAIL)):
            continue
        if (last and followed_by_item) or _is_empty_intro(st):
            out.append((a, b, "intro"))
        elif _TURN.match(st):
            out.append((a, b, "turn"))
        elif (
            i == 0 and "；" in st and len(_top_level_split(text, a, b, "；;")) > 1 and _after_header(text, a)
        ):
            out += [(x, y, "stmt") for x, y in _top_level_split(text, a, b, "；;")]
        else:
            out.append((a, b, "stmt"))
    return out


_LIST_LEAD = re.compile(
    r"[：:]|[，,]\s*(?:如|例如|比如|主要(?:表现|体现)(?:在|为)|主要是|具体(?:表现)?为)(?![：:])"
)


def _list_lead_end(sentence: str) -> int:
    """End of the clause that leads into a list ("…存在一些不足，如" / "…问题：") or -1."""
    m = _LIST_LEAD.search(sentence)
    return m.end() if m else -1


def _after_header(text: str, pos: int) -> bool:
    """True when ``pos`` directly follows a group header's title (e.g. "（一）存在的主要问题。")."""
    m = re.search(r"[）)]([^。；\n）)]{0,30})[。：:]\s*$", text[max(0, pos - 40) : pos])
    return m is not None and _is_group_header(m.group(1))


# --- vagueness ------------------------------------------------------------------------------

#: Generic evaluation/effort wording: fits any report of any body in any year.
_EVALUATIVE = re.compile(
    r"有待|亟待|亟需|[还仍尚]需|[仍尚]待|需要?进一步|还要|进一步|(?:还有|仍有|存在)(?:一定)?差距|差距|"
    r"(?:提升|优化|改进|进步)空间|不够|不到位|不足|欠缺|薄弱|不强|不高|不深|不广|不均衡|参差不齐|单一|有限|松懈|滞后|"
    r"加强|强化|提高|提升|完善|改进|增强|推进|推动|深化|持续|不断|切实|扎实|着力|做好|抓好|落实|贯彻|优化|健全|"
    r"拓宽|拓展|扩大|丰富|创新|规范|确保|坚持|注重|努力|全力|积极|压实|凝聚|打造|提质增效|新台阶|更加|全面|充分发挥"
)
#: Mentions every report makes (the report year, the regulation itself): they name nothing specific.
_BOILERPLATE_NAMES = re.compile(r"(?:19|20)\d{2}\s*年度?|《[^》]{0,30}条例[^》]{0,10}》|《(?:条例|办法)》")
#: Concrete objects: a named channel or medium, document type, procedure, policy domain, place,
#: cause, time limit or frequency, or a number. Work-area nouns every report uses (解读, 平台, 队伍,
#: 培训, 依申请, 互动, 基层, 人员, 机制, 渠道, 形式) are deliberately absent: "政策解读质量有待提高"
#: names an area, not an object a reader could check.
_CONCRETE = re.compile(
    r"\d|[%％]|(?:[二两三四五六七八九十百千]|[一二三四五六七八九][十百千])[一二三四五六七八九十百千]*(?:个|件|次|场|条|项|家|篇|期|名|批)|"
    r"网站|门户|网页|页面|公众号|微信|微博|抖音|新媒体|客户端|APP|小程序|热线|公开栏|公告栏|电子屏|专栏|栏目|专区|专版|"
    r"窗口|大厅|查阅点|查阅室|服务点|服务中心|电视|广播|报纸|公报|发布会|留言|信箱|在线咨询|知识库|搜索|检索|链接|"
    r"图解|图表|图片|视频|音频|动漫|漫画|H5|长图|案例|问答|"
    r"规范性文件|文号|目录|指南|清单|年报|预算|决算|规划|采购|招投标|招标|收费|审批|许可|处罚|执法|资金|统计|档案|草案|"
    r"公开属性|拟文|审查|审核|保密|抽查|巡检|排查|通报|考核|考评|评议|问责|责任追究|复议|诉讼|纠错|意见征集|民意征集|"
    r"征求意见|听证|座谈|问卷|访谈|清理|归集|预公开|编制|岗前|新入职|新上岗|传帮带|舆情|隐私|个人信息|"
    r"重大项目|建设项目|重大行政决策|营商环境|惠企|就业|社保|医疗|教育|住房|养老|征收|征地|拆迁|环保|食品|安全生产|"
    r"村|社区|街道|乡镇|机构改革|人事变动|兼职|借调|流动性|申请量|分散|噪音|老化|失效|设备|"
    r"时限|期限|工作日|日内|天内|每月|每季度?|每周|每半年|每年|按月|按季|季度|年底|年初|月底|"
    r"错误|错别字|错字|差错|断字|调查|征集|重点项目|全流程|一网通办|跟班"
)
#: Proper-noun-like jieba tags: a word tagged so names a specific thing (a system, body, place,
#: product, foreign-script name) unless it is a generic word of the genre.
_NAMED_POS = re.compile(r"^(?:nz|eng|nt|ns|nr|nrt|nrfg|m)$")
#: Heads that turn a specific modifier into a named system ("跟班学习制度", "阅办联动机制").
_SYSTEM_HEADS = frozenset({"制度", "机制", "系统", "平台", "模式", "工程", "行动", "专栏", "清单", "错误"})
#: A quoted name of a document, or of a column, campaign or system ("“阅办联动”机制"); quoted slogans
#: ("公开为常态、不公开为例外", "接地气") are no object, and neither is the regulation's own title.
_QUOTED_NAME = re.compile(
    r"《(?![^》]*条例)(?![^》]*办法》)[^》]{2,30}》"
    r"|“[^”]{2,16}”(?=(?:专栏|栏目|专区|专题|活动|行动|工程|品牌|平台|系统|机制|模式|制度|试点|号|APP|小程序|服务))"
)
#: Generic words jieba tags as proper nouns or numerals: qualities (-化), superiors, quantifiers.
_GENERIC_NAMED = re.compile(
    r"^(?:[\u4e00-\u9fff]{1,3}化|多[\u4e00-\u9fff]*|全[\u4e00-\u9fff]*|各[\u4e00-\u9fff]*|一[\u4e00-\u9fff]?|一些|一定|部分|少数|个别|若干|进一步|"
    r"[一二两三四五六七八九十百千万]|党工委|管委会|[省市区县]委|[省市区县]政府|国务院|上级[\u4e00-\u9fff]*)$"
)


def _generic_words() -> frozenset[str]:
    from ._vague_lexicon import GENERIC_WORDS

    return GENERIC_WORDS


def named_objects(text: str, *, generic: frozenset[str] | None = None) -> list[str]:
    """Specific things a statement names, found by jieba part of speech rather than a word list.

    A word tagged as a proper noun, organisation, place, foreign-script name or numeral (nz, nt,
    ns, nr, eng, m), and a system name made of a specific modifier and a head such as 制度/机制/
    平台 ("跟班学习制度"), count, unless the word is one of the genre's generic words: ``generic``
    (learned by ``scripts/eval_problems.py`` from statements labelled vague) or a quality in -化,
    a quantifier or a superior body.
    """
    import jieba
    import jieba.posseg as pseg

    gen = _generic_words() if generic is None else generic
    jieba.setLogLevel(60)
    toks = [(w.word, w.flag) for w in pseg.cut(re.sub(r"\s+", "", text))]
    out = [
        w
        for w, f in toks
        if _NAMED_POS.match(f) and w not in gen and not _GENERIC_NAMED.match(w) and not re.fullmatch(r"\W+", w)
    ]
    for i, (head, _) in enumerate(toks):
        if head not in _SYSTEM_HEADS:
            continue
        mod, tag = toks[i - 1] if i else ("", "x")
        if len(mod) >= 2 and tag not in ("x", "uj", "c", "p", "d") and mod not in gen:
            out.append(mod + head)
    out += [m.group(0) for m in _QUOTED_NAME.finditer(text)]
    return out


def vagueness(text: str, *, generic: frozenset[str] | None = None) -> tuple[bool, str]:
    """Is the statement 泛泛而谈? Returns (vague, reason).

    The format notice asks section 五 to be 明确具体, not 笼统模糊、泛泛而谈 (definition and borderline
    cases: ``corpora/problems/guide.md``, section 5). Rule: a statement is vague when it uses generic evaluation or
    effort wording (有待进一步加强, 还需提升, 仍有差距, 不够到位, 持续推进 …) and names no concrete
    object: no channel or medium (网站, 公众号, 视频 …), document type (目录, 清单, 预决算 …),
    procedure (审查, 考核, 抽查 …), policy domain or place, cause (机构改革, 兼职 …), time limit or
    frequency, and no number. The report year and the regulation's title do not count: every report
    names them. Beyond that list, jieba's part-of-speech tags find what a list cannot know: proper
    nouns, organisations, numerals and named systems (``named_objects``). What is left is only
    work-area nouns and generic qualities (解读, 队伍, 质量, 水平, 意识 …), so the sentence could
    stand in any report of any year. A statement without evaluative wording (a plain account of
    what was done) is not vague.
    """
    t = _BOILERPLATE_NAMES.sub("", unicodedata.normalize("NFKC", text))
    evaluative = list(dict.fromkeys(m.group(0) for m in _EVALUATIVE.finditer(t)))
    if not evaluative or _CONCRETE.search(t) or named_objects(t, generic=generic):
        return False, ""
    shown = "、".join(evaluative)[:40]
    return (
        True,
        f"only generic wording ({shown}); no channel, document type, number, procedure or domain noun",
    )


# --- categories (trained classifier, optional) ------------------------------------------------


def _categories(texts: list[str]) -> tuple[list[tuple[Category, ...]] | None, str]:
    """Categories from the trained classifier, or (None, why) when it is not available."""
    if not texts:
        return [], ""
    try:
        from .problem_classifier import classify

        return list(classify(texts)), ""
    except ModelError as exc:
        return None, exc.reason
    except ImportError as exc:
        return None, str(exc)


def _topics(texts: list[str]) -> list[tuple[tuple[int, int, Category], ...]]:
    """Per-clause topics (offsets relative to each statement); empty when the model is unavailable."""
    try:
        from .problem_classifier import topics

        return topics(texts)
    except (ModelError, ImportError):
        return [() for _ in texts]


def problem_findings(
    doc: Document, sections: Sequence[Section], statements: Sequence[ProblemStatement]
) -> list[Finding]:
    """Findings about section 五's content: vague statements, no problems stated, classifier missing."""
    out: list[Finding] = []
    sec = next((s for s in sections if s.id == "problems"), None)
    if sec is None:
        return out
    for p in statements:
        if p.vague:
            out.append(
                Finding(
                    rule=Rule.PROBLEM_STATEMENT_VAGUE,
                    severity="info",
                    message=f"vague {p.kind} statement (泛泛而谈): {p.vague_reason}",
                    start=p.start,
                    end=p.end,
                    found=p.text[:60],
                )
            )
    if statements and not any(p.kind == "problem" for p in statements):
        out.append(
            Finding(
                rule=Rule.PROBLEMS_NOT_STATED,
                severity="warning",
                message="section 五 lists measures but states no concrete problem",
                start=sec.start,
                end=sec.end,
            )
        )
    if statements and not any(p.categories for p in statements):
        cats, why = _categories([statements[0].text])
        if cats is None:
            out.append(
                Finding(
                    rule=Rule.MODEL_MISSING,
                    severity="info",
                    message=f"problem categories not assigned ({why}); train the classifier with "
                    "`python scripts/train_classifier.py` (writes models/problem_classifier.joblib)",
                )
            )
    return out


# --- copies across years and bodies ---------------------------------------------------------

_SHINGLE = 4
_SKETCH = 8  # bottom-k sketch size: the k smallest shingle hashes are a statement's bucket keys
_BUCKET_CAP = 200  # a bucket that grows past this (boilerplate) stops taking members
_MIN_SHARED = 2  # candidates must share this many sketch keys (near-identical texts share most)
_MIN_LEN = 12  # shorter statements are not compared (too generic to call a copy)


def normalize_for_copy(text: str) -> str:
    """Comparison form: NFKC, no whitespace/punctuation, digits folded (a copied text changes its years)."""
    t = unicodedata.normalize("NFKC", text)
    t = re.sub(r"[\s\W_]+", "", t)
    return re.sub(r"\d", "0", t)


def sketch(norm: str, *, k: int = _SKETCH) -> tuple[int, ...]:
    """Bottom-k of the CRC32 hashes of the character 4-grams: similar texts share keys with high probability."""
    if len(norm) < _SHINGLE:
        return ()
    hashes = {zlib.crc32(norm[i : i + _SHINGLE].encode("utf-8")) for i in range(len(norm) - _SHINGLE + 1)}
    return tuple(sorted(hashes)[:k])


@dataclass(frozen=True, slots=True)
class StatementRef:
    source: str
    agency: str
    year: int | None
    index: int  # position in the report's problems
    text: str
    norm: str


class CopyIndex:
    """Blocking index for near-duplicate statements: bottom-k sketch buckets, capped, then rapidfuzz.

    The batch layer can ``add`` reports as they are analysed and ``query`` each new statement; no
    all-pairs comparison is made, and memory is O(statements × k).
    """

    def __init__(self, *, bucket_cap: int = _BUCKET_CAP) -> None:
        self.refs: list[StatementRef] = []
        self.buckets: dict[int, list[int]] = defaultdict(list)
        self.by_body_year: dict[tuple[str, int], list[int]] = defaultdict(list)
        self.bucket_cap = bucket_cap

    def add(self, report: Report, *, body: str | None = None) -> None:
        """Index a report's statements under ``body`` (default: ``bodies.body_key`` of its agency)."""
        agency = body if body is not None else body_key(report.agency, report.source)
        for i, p in enumerate(report.problems):
            norm = normalize_for_copy(p.text)
            ref_id = len(self.refs)
            self.refs.append(StatementRef(report.source, agency, report.year, i, p.text, norm))
            if report.year is not None:
                self.by_body_year[(agency, report.year)].append(ref_id)
            if len(norm) < _MIN_LEN:
                continue
            for h in sketch(norm):
                bucket = self.buckets[h]
                if len(bucket) < self.bucket_cap:
                    bucket.append(ref_id)

    def previous_year_best(
        self, norm: str, agency: str, year: int | None, *, min_score: float
    ) -> tuple[StatementRef, float] | None:
        """Most similar statement of the same body's report for year-1 (a small direct comparison)."""
        if year is None or len(norm) < _MIN_LEN:
            return None
        return self._best(norm, self.by_body_year.get((agency, year - 1), []), min_score)

    def other_body_best(
        self, norm: str, agency: str, *, min_score: float, cap: int = 50
    ) -> tuple[StatementRef, float] | None:
        """Most similar statement of another body, among candidates sharing sketch keys (at most ``cap``)."""
        if len(norm) < _MIN_LEN:
            return None
        keys = sketch(norm)
        counts = Counter(chain.from_iterable(self.buckets.get(h, ()) for h in keys))
        need = min(_MIN_SHARED, len(keys))
        cands = [r for r, c in counts.most_common() if c >= need and self.refs[r].agency != agency][:cap]
        return self._best(norm, cands, min_score)

    def _best(self, norm: str, ids: Iterable[int], min_score: float) -> tuple[StatementRef, float] | None:
        best: tuple[StatementRef, float] | None = None
        cutoff = min_score * 100
        for rid in ids:
            ref = self.refs[rid]
            s = fuzz.ratio(norm, ref.norm, processor=None, score_cutoff=cutoff)
            if s and (best is None or s / 100 > best[1]):
                best = (ref, s / 100)
                cutoff = s
        return best


def find_copies(
    reports: Sequence[Report], *, threshold: float = 0.9, report_threshold: float = 0.75
) -> list[Report]:
    """Reports whose statements carry ``copied_from`` and which gain "copied_previous_year" findings.

    ``copied_from`` is the most similar statement in the same body's previous-year report
    (similarity ≥ ``report_threshold``), else in another body's report (similarity ≥ ``threshold``:
    bodies share templates, so only near-identical text is worth naming). A statement repeated from the
    previous year with similarity ≥ ``threshold`` (near-identical, years and numbers folded) is a
    warning: the format notice requires section 五 not to repeat year after year.
    Similarity is rapidfuzz's ``fuzz.ratio`` of the normalised texts (``normalize_for_copy``), as 0–1.
    """
    index = CopyIndex()
    for r in reports:
        index.add(r)
    return [mark_copies(r, index, threshold=threshold, report_threshold=report_threshold) for r in reports]


def mark_copies(
    report: Report,
    index: CopyIndex,
    *,
    threshold: float = 0.9,
    report_threshold: float = 0.75,
    body: str | None = None,
) -> Report:
    """One report against an index (which may already hold it): the batch layer's incremental entry
    point. ``body`` must be the key the report was indexed under (default: ``bodies.body_key``)."""
    agency = body if body is not None else body_key(report.agency, report.source)
    new_problems: list[ProblemStatement] = []
    findings: list[Finding] = []
    for p in report.problems:
        norm = normalize_for_copy(p.text)
        prev = index.previous_year_best(norm, agency, report.year, min_score=report_threshold)
        other = None if prev is not None else index.other_body_best(norm, agency, min_score=threshold)
        cf: CopiedFrom | None = None
        if prev is not None:
            cf = CopiedFrom(
                source=prev[0].source, text=prev[0].text, similarity=round(prev[1], 4), scope="previous_year"
            )
        elif other is not None:
            cf = CopiedFrom(
                source=other[0].source, text=other[0].text, similarity=round(other[1], 4), scope="other_body"
            )
        new_problems.append(dataclasses.replace(p, copied_from=cf))
        if prev is not None and prev[1] >= threshold:
            findings.append(
                Finding(
                    rule=Rule.COPIED_PREVIOUS_YEAR,
                    severity="warning",
                    message=f"{p.kind} statement repeats the previous year's report almost verbatim "
                    f"(similarity {prev[1]:.2f}); section 五 must not repeat year after year",
                    start=p.start,
                    end=p.end,
                    found=p.text[:60],
                    detail={"source": prev[0].source, "similarity": round(prev[1], 4)},
                )
            )
    kept = tuple(f for f in report.findings if f.rule != Rule.COPIED_PREVIOUS_YEAR)
    return dataclasses.replace(report, problems=tuple(new_problems), findings=(*kept, *findings))
