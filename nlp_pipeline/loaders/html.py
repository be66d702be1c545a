"""HTML reader: decode, find the article body among the site chrome, linearise text and tables."""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import TypeAlias

import lxml.etree

from ..document import Document, GridCell
from ..errors import Errors, InputError, NotAReportError
from ..limits import DEFAULT_LIMITS, Limits
from ..rules import Rule
from .base import _WS, DocBuilder, GridNote, GridResult, clean_line, expand_spans_limited
from .files import decode_text

_SKIP_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "object",
        "embed",
        "select",
        "option",
        "button",
        "input",
        "textarea",
        "svg",
        "canvas",
        "head",
        "title",
        "meta",
        "link",
        "map",
        "img",
    }
)
_BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "tr",
        "section",
        "article",
        "header",
        "footer",
        "blockquote",
        "pre",
        "dl",
        "dt",
        "dd",
        "center",
        "form",
        "address",
        "main",
        "aside",
        "nav",
        "figure",
        "figcaption",
        "hr",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "caption",
        "fieldset",
        "legend",
        "body",
        "html",
        "td",
        "th",
    }
)
_HEADING_WORDS = ("总体情况", "概述", "主动公开", "收到和处理", "政府信息公开行政复议", "因政府信息公开", "存在的主要问题", "其他需要报告")
_HEADING = re.compile(
    r"^[\s\u3000]*第?[（(]?(?:[一二三四五六七八九十]{1,2}|\d{1,2})[）)]?(?:部分)?[\s\u3000]*[、.．，,：:]?[\s\u3000]*"
    "(" + "|".join(_HEADING_WORDS) + ")"
)
_HEADING_WORD = re.compile("|".join(_HEADING_WORDS))
_SPLIT_NUMBER = re.compile(r"\d[\d,.]*(?: [\d,.]+)+")
_HINT = re.compile(r"trs_editor|article|content|zoom|detail|main_?text|con_?text|text_?con|wenzhang|zw", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_PUB_TEXT = re.compile(
    r"(?:发布|公开|成文|印发)(?:日期|时间)\s*[:：]?\s*(\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2})"
)
_PUB_META = (
    "pubdate",
    "publishdate",
    "firstpublishedtime",
    "article:published_time",
    "pubtime",
    "publishtime",
    "date",
    "dc.date",
)
_LINE_BREAKING = _BLOCK_TAGS | {"br"}
_SPAN_VALUE = re.compile(r"\s*(\d{1,12})")

Element: TypeAlias = lxml.etree._Element
_STRING = lxml.etree.XPath("string()", smart_strings=False)  # what lxml.html's text_content() runs


def load_html(data: bytes, *, source: str, limits: Limits = DEFAULT_LIMITS) -> Document:
    """Whole saved page or bare article → ``Document`` of the article's text and tables."""
    m = _META_CHARSET.search(data[:8192])
    text = decode_text(data, source=source, declared=m.group(1).decode("ascii") if m else None)
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    if not text.strip():
        raise InputError.from_catalogue(Errors.E008, source, detail="the page is empty")
    builder = DocBuilder(source, "html", limits=limits)
    root = _parse(text, source=source, builder=builder)
    meta = _page_meta(root)
    body = root.find("body")
    if body is None:
        body = root
    _drop_invisible(body)
    _flatten_deep(body, builder=builder)
    article = find_article(body)
    _emit(article, builder, counter=[0], limits=limits)
    doc = builder.build(meta)
    if not doc.text.strip():
        raise InputError.from_catalogue(Errors.E008, source, detail="no text found in the page body")
    if not _looks_like_report(doc.text):
        raise NotAReportError.from_catalogue(
            Errors.E007,
            source,
            detail="the page text has no information-disclosure report sections or wording",
        )
    return doc


_WRAPPER_TAG = re.compile(
    r"</?(?:div|span|font|section|article|main|aside|center|blockquote|b|i|u|em|strong|small|big|sup|sub"
    r"|p|li|ul|ol|dl|dd|dt|a|label|form|header|footer|nav)\b[^>]*>",
    re.I,
)


def _parse(text: str, *, source: str, builder: DocBuilder) -> Element:
    """Parse the page; libxml2 stops at the nesting limit of its parser (256 levels, 2048 with
    ``huge_tree``) and silently drops the rest, so a stop is detected in its error log. Such a
    page is read again with its wrapper tags (div, span, font, p …) taken out, which keeps all
    its text, and a finding says so; if even that cannot be read to its end, E018."""
    root, cut = _parse_once(text, source=source)
    if cut is None:
        return root
    flat = _WRAPPER_TAG.sub("<br>", text)
    root, cut2 = _parse_once(flat, source=source)
    if cut2 is not None:
        raise InputError.from_catalogue(
            Errors.E018,
            source,
            detail=f"the parser stops at {cut2} even with wrapper tags removed; the rest of the page cannot be read",
        )
    builder.add_finding(
        GridNote(
            Rule.HTML_NESTING_FLATTENED,
            f"the page nests elements deeper than the HTML parser can follow ({cut}); it was read with its "
            "wrapper tags (div, span, font, p …) removed: all text kept, paragraph breaks approximated",
            builder.limits.max_html_depth,
            2048,
            {"parser_stop": cut},
        ),
    )
    return root


def _parse_once(text: str, *, source: str) -> tuple[Element, str | None]:
    """The parsed page and, when the parser hit its depth limit, where (``line L, column C``).

    lxml's plain HTML parser, as ``lxml.html.document_fromstring`` runs it, but without the
    lxml.html element classes: their lookup is a Python call for every element reached, which
    cost more than the parse itself."""
    try:
        parser = lxml.etree.HTMLParser(remove_comments=True, remove_pis=True, huge_tree=True)
        root = lxml.etree.fromstring(text, parser)
        if root is None:
            raise lxml.etree.ParserError("Document is empty")
    except (lxml.etree.ParserError, ValueError) as exc:
        raise InputError.from_catalogue(Errors.E008, source, detail=f"cannot parse HTML ({exc})") from exc
    for e in parser.error_log:
        if "Excessive depth" in e.message:
            return root, f"line {e.line}, column {e.column}"
    return root, None


def _flatten_deep(body: Element, *, builder: DocBuilder) -> None:
    """Elements nested deeper than ``Limits.max_html_depth`` are replaced by their text lines
    (block boundaries kept as line breaks), so no later recursive walk meets unbounded depth."""
    limit = builder.limits.max_html_depth
    if not _deeper_than(body, limit):
        return
    stack: list[tuple[Element, int]] = [(body, 0)]
    at_limit: list[Element] = []
    deepest = 0
    while stack:
        el, d = stack.pop()
        deepest = max(deepest, d)
        if d >= limit:
            if len(el):
                at_limit.append(el)
                deepest = max(deepest, d + _depth_below(el))
            continue
        stack.extend((child, d + 1) for child in el)
    for el in at_limit:
        lines = _flat_lines(el)
        tail = el.tail
        for child in list(el):
            el.remove(child)
        el.text = lines[0] if lines else ""
        for line in lines[1:]:
            br = lxml.etree.Element("br")
            br.tail = line
            el.append(br)
        el.tail = tail
    if at_limit:
        builder.add_finding(
            GridNote(
                Rule.HTML_NESTING_FLATTENED,
                f"the page nests elements {deepest} levels deep, over the limit of {limit} "
                f"(Limits.max_html_depth); {len(at_limit)} element(s) below that level were read as plain "
                "text lines (any table there is read as text)",
                limit,
                deepest,
                {"elements": len(at_limit), "first_source_line": at_limit[0].sourceline},
            ),
        )


def _deeper_than(body: Element, limit: int) -> bool:
    """Whether an element sits more than ``limit`` levels below ``body``: one XPath query (in
    libxml2) for the usual limits; for a limit too long to write as a path, "maybe"."""
    return limit > _PATH_QUERY_MAX or bool(_depth_query(limit + 1)(body))


_PATH_QUERY_MAX = 1024


@cache
def _depth_query(depth: int) -> lxml.etree.XPath:
    """Some element ``depth`` levels down ("*/*/…/*[1]")."""
    return lxml.etree.XPath("/".join(["*"] * depth) + "[1]")


def _depth_below(el: Element) -> int:
    deepest, d = 0, 0
    for event, _ in lxml.etree.iterwalk(el, events=("start", "end")):
        d += 1 if event == "start" else -1
        deepest = max(deepest, d)
    return deepest - 1


def _flat_lines(el: Element) -> list[str]:
    """The text of ``el`` as lines, without recursion: block elements and <br> break lines."""
    lines: list[str] = []
    buf: list[str] = []

    def flush() -> None:
        line = clean_line("".join(buf))
        buf.clear()
        if line:
            lines.append(line)

    for event, node in lxml.etree.iterwalk(el, events=("start", "end")):
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if event == "start":
            if tag in _BLOCK_TAGS or tag == "br":
                flush()
            if node.text and isinstance(node.tag, str):
                buf.append(node.text)
        else:
            if tag in _BLOCK_TAGS:
                flush()
            if node is not el and node.tail:
                buf.append(node.tail)
    flush()
    return lines


def _looks_like_report(text: str) -> bool:
    if "信息公开" in text and len(text) >= 200:
        return True
    headings = {m.group(1) for line in text.splitlines() if (m := _HEADING.match(line))}
    return len(headings) >= 2


_STYLES = lxml.etree.XPath("descendant-or-self::*/@style", smart_strings=False)
_STYLED = lxml.etree.XPath("descendant-or-self::*[@style]")


def _drop_invisible(root: Element) -> None:
    """Remove scripts, styles, form widgets and elements hidden with inline CSS (keep their tails).

    The skipped tags and the style values are found by libxml2; only the (few distinct) style
    values are tested in Python, and elements are looked at only if one of them hides."""
    doomed: list[Element] = list(root.iter(lxml.etree.Comment, lxml.etree.ProcessingInstruction, *_SKIP_TAGS))
    hiding = {style for style in set(_STYLES(root)) if _hides(style)}
    if hiding:
        doomed += [el for el in _STYLED(root) if el.get("style") in hiding]
    for el in doomed:  # the order of removal does not change the result
        if el.getparent() is not None:
            _drop_tree(el)


def _hides(style: str) -> bool:
    style = style.replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


def _drop_tree(el: Element) -> None:
    """``lxml.html``'s ``drop_tree``: remove ``el`` and its content, keeping its tail text."""
    parent = el.getparent()
    assert parent is not None
    if el.tail:
        previous = el.getprevious()
        if previous is None:
            parent.text = (parent.text or "") + el.tail
        else:
            previous.tail = (previous.tail or "") + el.tail
    parent.remove(el)


_HEADING_MAX = 80  # a heading's whole text is at most this long


def find_article(body: Element) -> Element:
    """The element holding the report: lowest common ancestor of the section headings
    (headings that are links, as in a table of contents or a menu, do not count).

    Falls back to CMS hints (TRS_Editor, article/content ids) and then to the element with the
    most non-link paragraph text, so menus, breadcrumbs and footers stay out.
    """
    sizes = _Sizes()
    heads: dict[str, Element] = {}
    for el, t, m in _heading_candidates(body):
        if m.group(1) not in heads and sizes.link_len(el) <= 0.5 * len(_WS.sub("", t)):
            heads[m.group(1)] = el
    if len(heads) >= 2:
        return _widen(_common_ancestor(list(heads.values())), sizes)
    best = _best_by_hint(body, sizes)  # an element without children is falsy in lxml: test for None
    if best is None:
        best = _best_by_density(body, sizes)
    return best if best is not None else body


def _heading_candidates(body: Element) -> list[tuple[Element, str, re.Match[str]]]:
    """Elements (not links) whose whole text is short and starts like a section heading, in
    document order, with that text.

    Walked from the top, and only into elements whose text holds a heading word (an element's
    text holds every descendant's): the rest of the page, most of it, is never visited, where
    asking every element for its text re-read each subtree once per ancestor.
    """
    found: list[tuple[Element, str, re.Match[str]]] = []
    stack = [body]
    while stack:
        el = stack.pop()
        if not isinstance(el.tag, str):
            continue
        text = _STRING(el)
        if not _HEADING_WORD.search(text):
            continue
        if len(text) <= _HEADING_MAX and el.tag != "a" and (m := _HEADING.match(text)):
            found.append((el, text, m))
        stack.extend(reversed(el))  # children popped in document order
    return found


def _nonspace_len(s: str) -> int:
    """``len(_WS.sub("", s))`` without building the string: ``str.split`` drops the characters
    ``\\s`` matches (both are ``str.isspace``); zero-width space and BOM are the rest of ``_WS``."""
    return sum(map(len, s.split())) - s.count("\u200b") - s.count("\ufeff")


class _Sizes:
    """Non-space text length and link text length of elements, each computed once: the article
    search asks for the same elements' sizes again while it climbs."""

    def __init__(self) -> None:
        self._text: dict[Element, int] = {}
        self._links: dict[Element, int] = {}

    def text_len(self, el: Element) -> int:
        n = self._text.get(el)
        if n is None:
            n = self._text[el] = _nonspace_len(_STRING(el))
        return n

    def link_len(self, el: Element) -> int:
        n = self._links.get(el)
        if n is None:
            n = self._links[el] = sum(self.text_len(a) for a in el.iter("a"))
        return n

    def climb(self, parent: Element) -> None:
        """Measure ``parent`` from its children (one of them measured already, usually the big
        one) rather than reading its whole text again: both sizes add up over the children."""
        if parent in self._text:
            return
        text, links = _nonspace_len(parent.text or ""), 0
        for child in parent:
            if isinstance(child.tag, str):
                text += self.text_len(child)
                links += self.link_len(child)
            if child.tail:
                text += _nonspace_len(child.tail)
        self._text[parent] = text
        self._links[parent] = links + (text if parent.tag == "a" else 0)


def _widen(el: Element, sizes: _Sizes) -> Element:
    """Climb to a wrapper that adds only prose (a preamble before "一、总体情况"), never chrome.

    Wrappers adding nothing are climbed through; one adding link-heavy or sentence-less text
    (menus, share buttons, "来源/时间" bars) stops the climb at the last good level.
    """
    best = cur = el
    inner_len, inner_links = sizes.text_len(el), sizes.link_len(el)
    while (parent := cur.getparent()) is not None and parent.tag not in {"body", "html"}:
        sizes.climb(parent)
        extra = sizes.text_len(parent) - inner_len
        extra_links = sizes.link_len(parent) - inner_links
        if extra > 0:
            own = _WS.sub("", _STRING(parent)).replace(_WS.sub("", _STRING(cur)), "", 1)
            prose = own.count("。") >= 1 and extra >= 20 and extra_links <= 0.1 * extra
            if not prose or extra > 0.5 * inner_len:
                break
            best = parent
        cur = parent
        inner_len, inner_links = sizes.text_len(cur), sizes.link_len(cur)
    return best


def _ancestors(el: Element) -> list[Element]:
    out = [el]
    while (p := out[-1].getparent()) is not None:
        out.append(p)
    return out[::-1]


def _common_ancestor(els: list[Element]) -> Element:
    chains = [_ancestors(e) for e in els]
    lca = chains[0][0]
    for level in zip(*chains, strict=False):
        if all(x is level[0] for x in level):
            lca = level[0]
        else:
            break
    if lca.tag in {"tr", "tbody", "thead", "tfoot"}:
        while lca.getparent() is not None and lca.tag != "table":
            lca = lca.getparent()
    return lca


def _best_by_hint(body: Element, sizes: _Sizes) -> Element | None:
    best, best_len = None, 0
    for el in body.iter():
        if not isinstance(el.tag, str):
            continue
        marker = f"{el.get('id', '')} {el.get('class', '')}"
        if not _HINT.search(marker):
            continue
        n = sizes.text_len(el)
        if n < 100 or sizes.link_len(el) > 0.3 * n:
            continue
        if n > best_len:
            best, best_len = el, n
    return best


def _best_by_density(body: Element, sizes: _Sizes) -> Element | None:
    scores: dict[Element, float] = {}
    for el in body.iter("p", "div", "td", "span", "font", "li"):
        own = len(_WS.sub("", (el.text or "") + "".join(c.tail or "" for c in el if isinstance(c.tag, str))))
        if el.tag == "p":
            own = sizes.text_len(el) - sizes.link_len(el)
        if own < 20:
            continue
        parent = el.getparent()
        if parent is None:
            continue
        scores[parent] = scores.get(parent, 0.0) + own
        grand = parent.getparent()
        if grand is not None:
            scores[grand] = scores.get(grand, 0.0) + own / 2
    if not scores:
        return None
    return max(scores, key=lambda e: scores[e])


def _emit(
    el: Element,
    builder: DocBuilder,
    *,
    counter: list[int],
    limits: Limits = DEFAULT_LIMITS,
) -> None:
    """Walk ``el`` in document order, sending lines and data tables to ``builder``."""
    buf: list[str] = []
    memo: dict[Element, bool] = {}

    def flush() -> None:
        line = clean_line("".join(buf))
        buf.clear()
        if line:
            builder.add_text(line, origin="html")

    def walk(node: Element) -> None:
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if tag == "br":
            flush()
        elif tag == "table" and _is_data_table(node, memo):
            flush()
            for caption in node.findall("caption"):
                builder.add_text(clean_line(_joined_lines(caption)), origin="html caption")
            counter[0] += 1
            builder.add_table(table_grid_limited(node, limits=limits), origin=f"html table {counter[0]}")
        else:
            block = tag in _BLOCK_TAGS
            if block:
                flush()
            if node.text:
                buf.append(node.text)
            for child in node:
                walk(child)
                if child.tail:
                    buf.append(child.tail)
            if block:
                flush()

    walk(el)
    flush()


def _row_cells(table: Element) -> list[list[Element]]:
    """The cells of each row holding one: rows ``./tr|./thead/tr|./tbody/tr|./tfoot/tr``, in
    document order (walked in Python: an XPath call per table and per row cost more than the walk)."""
    rows: list[Element] = []
    for child in table:
        if child.tag == "tr":
            rows.append(child)
        elif child.tag in _ROW_GROUPS:
            rows.extend(r for r in child if r.tag == "tr")
    return [cells for r in rows if (cells := _cells(r))]


_ROW_GROUPS = frozenset({"thead", "tbody", "tfoot"})


def _cells(row: Element) -> list[Element]:
    """``./td|./th``: the row's cells in document order."""
    return [c for c in row if c.tag == "td" or c.tag == "th"]


def _is_data_table(table: Element, memo: dict[Element, bool] | None = None) -> bool:
    """Layout tables (holding data tables, or a single column) are read as text, not as grids.

    ``memo`` remembers each table's answer: without it nested tables were judged again for
    every enclosing table, exponential in the nesting (30 nested tables never finished)."""
    memo = {} if memo is None else memo
    if table in memo:
        return memo[table]
    memo[table] = answer = _judge_table(table, memo)
    return answer


def _judge_table(table: Element, memo: dict[Element, bool]) -> bool:
    if any(_is_data_table(inner, memo) for inner in reversed(list(table.iterdescendants("table")))):
        return False
    rows = _row_cells(table)
    return bool(rows) and max(sum(_span(c, "colspan") for c in cells) for cells in rows) >= 2


def _span(cell: Element, attr: str) -> int:
    value = cell.get(attr)
    return _span_number(value) if value else 1


@lru_cache(maxsize=256)
def _span_number(value: str) -> int:
    """A span attribute's number (cached: a table repeats the same few values in every cell)."""
    m = _SPAN_VALUE.match(value)
    return max(1, int(m.group(1))) if m else 1


def cell_text(cell: Element) -> str:
    """A cell's text on one line: its paragraphs joined (CJK label pieces glued, others spaced).

    A cell holding only digits split by source line breaks between inline tags (``<span>1</span>
    <span>2</span>``) is one number: a table cell never holds two bare numbers.
    """
    if len(cell):
        raw = _one_paragraph(cell)
        text = clean_line(_joined_lines(cell) if raw is None else raw)
    else:
        text = clean_line(cell.text or "")
    if _SPLIT_NUMBER.fullmatch(text):
        text = text.replace(" ", "")
    return text


def _one_paragraph(cell: Element) -> str | None:
    """The raw text of a cell that holds one block of inline tags and, around it, nothing but
    whitespace (``<td> <p><span>…</span></p> </td>``: most cells of exported tables); else None.

    It is lxml's ``itertext``: ``_joined_lines`` would put a space only where the block meets
    the whitespace around it, and ``clean_line`` folds those runs the same either way."""
    if len(cell) != 1:
        return None
    block = cell[0]
    tag = block.tag
    if not isinstance(tag, str) or tag.lower() not in _BLOCK_TAGS:
        return None
    before, after = cell.text, block.tail
    if (before and not _WS.fullmatch(before)) or (after and not _WS.fullmatch(after)):
        return None
    for el in block.iterdescendants():
        tag = el.tag
        if not isinstance(tag, str) or tag.lower() in _LINE_BREAKING:
            return None
    return (before or "") + "".join(block.itertext()) + (after or "")


def _joined_lines(node: Element) -> str:
    """The text of ``node`` with one space wherever a block element or ``<br>`` breaks it: its
    lines joined by spaces, in one walk (no list of lines, no generator per element)."""
    parts: list[str] = []

    def walk(n: Element, pending: bool) -> bool:
        """Add ``n``'s text; ``pending``: a line ended and no text followed yet (returned updated)."""
        tag = n.tag
        block = isinstance(tag, str) and tag.lower() in _LINE_BREAKING
        t = n.text if isinstance(tag, str) else None
        if t:
            if (pending or block) and parts:
                parts.append(" ")
            pending = False
            parts.append(t)
        else:
            pending = pending or block
        for child in n:
            pending = walk(child, pending)
            t = child.tail
            if t:
                if pending and parts:
                    parts.append(" ")
                pending = False
                parts.append(t)
        return pending or block

    walk(node, False)
    return "".join(parts)


def table_grid(table: Element) -> list[list[GridCell]]:
    """Expand a table's rowspan/colspan into a full grid with anchors of the spanning cells."""
    return table_grid_limited(table).grid


def table_grid_limited(table: Element, *, limits: Limits = DEFAULT_LIMITS) -> GridResult:
    """``table_grid`` under ``limits``: spans clamped before expanding, the grid's size bounded."""
    src = [[(cell_text(c), _span(c, "rowspan"), _span(c, "colspan")) for c in cells] for cells in _row_cells(table)]
    return expand_spans_limited(src, limits=limits)


def _page_meta(root: Element) -> dict[str, str]:
    """Title and publication date as the page states them.

    Title: ArticleTitle/og:title meta, else an h1/h2 naming a report (a bare h1 is often the
    site logo), else <title>. Date: PubDate-like meta, else a "发布日期：" line in the page.
    """
    meta: dict[str, str] = {}
    named: dict[str, str] = {}
    for m in root.iter("meta"):
        key = (m.get("name") or m.get("property") or "").strip().lower()
        if key and m.get("content"):
            named.setdefault(key, m.get("content", "").strip())
    title = named.get("articletitle") or named.get("og:title") or ""
    if not title:
        heads = [_STRING(h) for h in root.iterfind(".//body//h1")] + [
            _STRING(h) for h in root.iterfind(".//body//h2")
        ]
        title = next((h for h in heads if "报告" in h), "")
    if not title:
        t = root.find(".//title")
        if t is not None and t.text:
            title = t.text
    title = clean_line(title)
    if title:
        meta["title"] = title
    for key in _PUB_META:
        if key in named and (iso := iso_date(named[key])):
            meta["published"] = iso
            break
    else:
        body = root.find("body")
        if body is not None:
            m2 = _PUB_TEXT.search(_WS.sub(" ", _STRING(body)))
            if m2 and (iso := iso_date(m2.group(1))):
                meta["published"] = iso
    return meta


def iso_date(s: str) -> str | None:
    """yyyy-mm-dd from the first plausible date in ``s``."""
    m = _DATE.search(s)
    if not m:
        return None
    y, mo, d = (int(g) for g in m.groups())
    if not (1990 <= y <= 2100 and 1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"
