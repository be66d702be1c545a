"""Section 五 cut into problem and measure statements (``segment``).

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

import re
from dataclasses import dataclass
from typing import Literal

from .document import Document
from .result import Section
from .segmentation import SEMICOLONS, SENTENCE_MARKS, top_level_split

__all__ = ["COMPLAINT", "Kind", "segment"]

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
    r"^(?:下一步|下阶段|今后|未来|明年|来年|新的一年|下一年|针对(?:上述|以上|前述|这些|这一|这个|这类|此类|此|该|存在)|为此|对此|为进一步|为规范|"
    r"(?:(?:19|20)\d{2}\s*年[，,]?\s*)?(?:我|本|全)[\u4e00-\u9fff]{0,8}将)"
)
_MEASURE_INTRO = re.compile(
    r"(以下|如下)[\u4e00-\u9fff]{0,6}(措施|方面|工作|举措)|采取.{0,6}措施|改进措施|整改措施"
)
_EMPTY_INTRO = re.compile(
    r"(存在|有|还有|面临)(着)?(一些|一定|部分|少许|不少|某些)?的?"
    r"(不足|问题|差距|短板|薄弱环节)((和|与|及)(不足|问题|薄弱环节|差距))?(之处|的地方)?"
    r"([，,]?(主要)?(表现|体现)(在|为)|[，,]?(具体)?如下|[，,]?主要(有|是))?$"
    r"|(还有|仍有|存在)(一些|部分)?(需要|有待)(进一步)?(加强|改进|提升|完善)((和|与)(加强|改进|提升|完善))?的(地方|方面)$"
)
_LABEL = re.compile(r"^([^，,。；;：:]{2,12})[：:]")  # "存在问题：…" / "改进情况：…"
_NOTHING = re.compile(
    r"^(本年度|本年|今年|报告期内)?(暂|均)?(无|没有)(相关|需要报告的)?(问题|情况|事项)?$"
    # the notice lines "本年度无因…被通报批评的情况", "本年度未发生…被追究责任的情况" (not "今年没有及时
    # 公开的重大决策事项", a problem)
    r"|^(本年度|本年|今年|报告期内)(暂|均)?(无|没有|未发生|未出现)(?!法)[^，,。；;]{0,30}?"
    r"(被[^，,。；;]{0,12}(通报|追究|追责|问责|批评|处理|处罚|整改)|追究责任|责任追究|收取[^，,。；;]{0,8}费)"
    r"[^，,。；;]{0,8}(情况|事项)$"
)
_TRAIL = " \t\r\n\u3000\xa0。；;，,、：:！？!?"
_PUNCT_ANY = re.compile(r"[，。；：！？、,;:!?]")
_PAGE_NO = re.compile(r"^\s*[—\-]*\s*\d+\s*[—\-]*\s*$")


@dataclass(frozen=True, slots=True)
class _Unit:
    kind: Literal["item", "run", "header"]
    start: int
    end: int  # exclusive; raw (trailing punctuation not yet stripped)
    header_kind: Kind | None = None
    family: str = ""  # marker family: 是 / paren / paren_digit / arabic / circled / ordinal / sequence / line
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
    if m[:1] == "第":
        return "ordinal"
    if m[:1] in "首其再最":
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
        # "4.工作力量不足。我局…": a headline naming something (力量) that a sentence of its own
        # explains is an item (S1); "（一）存在问题。2020年，…" stays a group header
        explained = (
            text[title_end - 1] == "。"
            and bool(text[title_end:item_end].strip(_TRAIL))
            and bool(_HEADER_FILLER.sub("", title))
        )
        if is_paren and _is_group_header(title) and not explained:
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
    r"存在|主要|问题|不足|短板|差距|改进|整改|落实|措施|打算|计划|方向|举措|情况|方面|原因|成因|分析|表现|"
    r"的|及|和|与|以及|其|[\s\W\d_]"
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
    return top_level_split(text, s, e, SENTENCE_MARKS, trail=None)


def _semicolon_parts(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """The parts of a semicolon list (A；B；C) in text[s:e]; a tail of punctuation is dropped."""
    return top_level_split(text, s, e, SEMICOLONS, trail=_TRAIL)


#: Intros that lead into problems although they name improvement: "主要问题及改进情况报告如下",
#: "仍有以下几个方面需要改进", "还存在以下问题，并逐项提出改进措施".
_PROBLEM_INTRO = re.compile(
    r"(问题|不足)(及|和|与|以及)(其)?(改进|整改)"
    r"|(仍有|还有|存在)[^，,。]{0,10}(方面|地方|问题|不足|环节)[^，,。]{0,4}(需要|有待|亟待|亟需)(进一步)?(改进|加强|提升|完善)"
    r"|(仍有|还有|存在)[^，,。]{0,8}(问题|不足|短板|差距|薄弱环节)[，,]?(并|及|和|同时)[^。]{0,10}(改进|整改)"
)


_ADMITS = re.compile(r"(?:存在|仍有|还有)[^，,。；;]{0,10}(?:问题|不足|短板|差距|薄弱)")


def _intro_kind(sentence: str) -> Kind | None:
    """The kind of the statements an intro sentence leads into (None: it does not say)."""
    t = re.sub(r"\s+", "", sentence).rstrip("。！？!?；;，,：:")
    if _TURN.match(t):
        return "measure"
    if _EMPTY_INTRO.search(t) or _PROBLEM_INTRO.search(t):
        return "problem"
    # "针对…存在的主要问题，重点采取如下改进措施" answers the problems: measures follow
    gap = None if t.startswith("针对") or re.search("以下|如下", t) else _ADMITS.search(t)
    measure = min(
        (m for m in (_MEASURE_WORDS.search(t), re.search("将", t)) if m is not None),
        key=lambda m: m.start(),
        default=None,
    )
    if gap and (measure is None or gap.start() < measure.start()):
        return "problem"  # "仍存在一些不足，我们…逐项提出了改进措施": the problems come first
    if measure:
        return "measure"
    if re.search(r"问题|不足|差距|短板|薄弱", t):
        return "problem"
    return None


def _is_title(text: str) -> bool:
    """A short one-phrase item text (no sentence inside it): a title over sub-items."""
    t = text.strip().rstrip(_TRAIL)
    return 0 < len(t) <= 20 and not re.search(r"[。！？!?；;]", t)


def _is_general_gap(sentence: str) -> bool:
    """A gap against expectations that ends on 差距/距离 with no concession (no 但/虽/取得): an
    `other` statement, never an intro (guide S8): "整体水平与群众期待相比还有差距", "…离群众的期盼还有
    一定距离"; not "与上级要求相比，我局工作仍存在一些不足", an intro."""
    t = re.sub(r"\s+", "", sentence).rstrip("。！？!?；;，,")
    return (
        re.search(r"(?:相比|相较)[^。；;]{0,12}(?:差距|距离)$|(?<![距脱分])离[^，,。；;]{1,20}(?:差距|距离)$", t)
        is not None
        and re.search(r"但|虽|尽管|取得", t) is None
    )


def _is_empty_intro(sentence: str) -> bool:
    """A sentence that only says there are shortcomings, or that leads into a list."""
    t = re.sub(r"\s+", "", sentence).rstrip("。！？!?；;，,")
    if t.endswith(("：", ":")):
        return True
    if _is_general_gap(t):
        return False
    # "从以下几个方面加以改进", "采取改进措施", not "确保各项改进措施落到实处" (a measure naming the measures)
    intro = [m for m in _MEASURE_INTRO.finditer(t) if re.search("以下|如下", m.group(0)) or m.end() >= len(t) - 2]
    return _EMPTY_INTRO.search(t) is not None or (bool(intro) and len(t) < 60)


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
            and _opens_line(body, u.start)  # a title is a heading line, not "…。二是X" inside a paragraph
            and _is_title(body[u.start : u.end])
            and not (kind == "problem" and _opens_measure_list(units, ui + 1, body))
        ):
            pieces = [(u.start, u.end, "intro")]  # "（一）加强政策解读" heading its own 1./一是 sub-items
        elif u.kind == "item":
            pieces = _item_pieces(body, u.start, u.end)
        else:
            pieces = _run_pieces(body, u.start, u.end, followed_by_item=followed_by_item)
        paired = u.kind == "item" and pieces[0][2] == "stmt" and any(r == "turn" for *_, r in pieces[1:])
        if u.kind == "item" and u.first and kind == "problem" and _opens_measure_list(units, ui, body):
            kind = "measure"  # 第一…第四 problems, then 首先/其次 items that each start with 完善/落实…
        item_kind = kind
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
        if paired:  # "一是<problem>。针对这一问题，<measure>。" : the next item is a problem again
            kind = item_kind
    return out


_LINE_LABEL = re.compile(r"^[ \t\u3000\xa0]*([^，,。；;：:\n]{2,12})[：:]", re.M)


def _opens_line(text: str, item_start: int) -> bool:
    """Does the item's marker open its line (nothing but the marker before ``item_start``)?"""
    line = text[text.rfind("\n", 0, item_start) + 1 : item_start]
    return len(line.strip()) <= 6


def _opens_measure_list(units: list[_Unit], ui: int, text: str) -> bool:
    """A new list of another marker family, after problem items, whose first item and most others
    start with an action verb (完善, 健全, 落实 …): a list of measures with no heading of its own."""
    prev = next((u for u in reversed(units[:ui]) if u.kind != "run"), None)
    if prev is None or prev.kind != "item" or prev.family == units[ui].family:
        return False
    fam = units[ui].family
    items: list[_Unit] = []
    for u in units[ui:]:
        if u.kind != "item" or u.family != fam or (items and u.first):
            break
        items.append(u)
    acts = [_is_action(text[u.start : u.end]) for u in items]
    return len(items) >= 2 and acts[0] and 2 * sum(acts) > len(items)


#: Verbs that open a measure ("完善…", "落实…"); 规范 only as a verb (not 规范性文件).
_ACTION_VERB = re.compile(
    r"^(?:加强|强化|提高|提升|完善|推进|深化|持续|健全|做好|抓好|优化|规范(?!性)|建立|丰富|拓宽|加大|创新(?!不足)|"
    r"夯实|落实|加快|严格|明确|开展|组织|实行|推动|制定|编制|增加|扩大|修订|探索|引入|配齐)"
)
#: Complaint wording: what says something is wrong ("偏少", "不准", "未公开", "滞后"). An item that
#: has it states a problem, whatever verb opens it ("落实…不到位"); the classifier splits a 、 list
#: only where each part has it. Words, not single characters: 低保, 不动产, 少数民族 and 无障碍
#: complain of nothing.
COMPLAINT = re.compile(
    r"不够|不足|不到位|不及时|不规范|不统一|不一致|不完善|不完整|不全|不高|不强|不准|不便|不畅|不多|不深|不广|"
    r"未能|尚未|未(?=[\u4e00-\u9fff]{0,3}(?:公开|发布|更新|答复|公示|及时|按))|没有|缺乏|缺少|欠缺|"
    r"偏少|偏低|较少|较低|较差|较慢|过长|过少|滞后|单一|薄弱|难以|有待|亟待|仍需|还需"
)


def _is_action(item_text: str) -> bool:
    """Does an item read as a measure: an action verb first and no complaint anywhere?"""
    t = item_text.strip()
    return _ACTION_VERB.match(t) is not None and COMPLAINT.search(t) is None


def _item_pieces(text: str, s: int, e: int) -> list[tuple[int, int, str]]:
    """An enumerated item is one statement, except for lines opened by a kind label ("问题：",
    "措施："): each is a statement of that kind, and a bare title line before them is dropped."""
    labels = [m for m in _LINE_LABEL.finditer(text, s, e) if _is_group_header(m.group(1))]
    if not labels:
        return _sentence_pieces(text, s, e)
    out: list[tuple[int, int, str]] = []
    head = text[s : labels[0].start()]
    if head.strip(_TRAIL):
        out += [(s, labels[0].start(), "intro")] if _is_title(head) else _sentence_pieces(text, s, labels[0].start())
    for i, m in enumerate(labels):
        out.append((m.start(), m.end(), "intro"))
        out += _sentence_pieces(text, m.end(), labels[i + 1].start() if i + 1 < len(labels) else e)
    return out


def _sentence_pieces(text: str, s: int, e: int) -> list[tuple[int, int, str]]:
    """An item's text is one statement; a trailing lead-in or a turn to measures is split off."""
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
        label = _LABEL.match(st)
        # "措施：A；B": the line after a bare kind label is one statement (S3), not a lead-in's list
        lead = -1 if label and _BARE_KIND.match(label.group(1)) else _list_lead_end(st)
        if lead >= 0 and ("；" in st[lead:] or ";" in st[lead:]):
            cut = a + sent.index(st) + lead
            out.append((a, cut, "intro"))
            out += [(x, y, "stmt") for x, y in _semicolon_parts(text, cut, b)]
            continue
        if label and _is_group_header(label.group(1)):
            cut = a + sent.index(st) + label.end()
            out.append((a, cut, "intro"))
            out.append((cut, b, "stmt"))
            continue
        if _NOTHING.match(_CONNECTIVE.sub("", re.sub(r"\s+", "", st)).rstrip(_TRAIL)):
            continue
        if (last and followed_by_item and not _is_general_gap(st)) or _is_empty_intro(st):
            out.append((a, b, "intro"))
        elif _TURN.match(st):
            out.append((a, b, "turn"))
        elif (
            i == 0 and "；" in st and len(_semicolon_parts(text, a, b)) > 1 and _after_header(text, a)
        ):
            out += [(x, y, "stmt") for x, y in _semicolon_parts(text, a, b)]
        else:
            out.append((a, b, "stmt"))
    return out


#: The bare kind labels of the 问题：/措施： layout (not "存在的主要问题：A；B；C", a lead-in).
_BARE_KIND = re.compile(r"^(?:问题|措施|改进措施|整改措施|具体措施|整改情况|改进情况)$")
_CONNECTIVE = re.compile(r"^(?:此外|另外|同时|另)[，,]?")

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
