"""HTML reader: decode, find the article body among the site chrome, linearise text and tables."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

import lxml.etree
import lxml.html

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


def load_html(data: bytes, *, source: str, limits: Limits = DEFAULT_LIMITS) -> Document:
    """Whole saved page or bare article → ``Document`` of the article's text and tables."""
    m = _META_CHARSET.search(data[:8192])
    text = decode_text(data, source=source, declared=m.group(1).decode("ascii") if m else None)
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    if not text.strip():
        raise InputError.from_catalogue(Errors.E008, source, detail="the page is empty")
    builder = DocBuilder(source, "html", limits=limits)
    root = _parse(text, source=source, builder=builder)
    # lxml.html makes an element's Python proxy, through a Python class lookup, whenever the
    # element is reached with no live proxy; holding them all while the page is read lets the
    # later walks (invisible, depth, article, text, tables) reuse them: a third of the load.
    proxies = list(root.iter())
    meta = _page_meta(root)
    body = root.find("body")
    if body is None:
        body = root
    _drop_invisible(body)
    _flatten_deep(body, builder=builder)
    article = find_article(body)
    _emit(article, builder, counter=[0], limits=limits)
    del proxies
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


def _parse(text: str, *, source: str, builder: DocBuilder) -> lxml.html.HtmlElement:
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


def _parse_once(text: str, *, source: str) -> tuple[lxml.html.HtmlElement, str | None]:
    """The parsed page and, when the parser hit its depth limit, where (``line L, column C``)."""
    try:
        parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, huge_tree=True)
        root = lxml.html.document_fromstring(text, parser=parser)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise InputError.from_catalogue(Errors.E008, source, detail=f"cannot parse HTML ({exc})") from exc
    for e in parser.error_log:
        if "Excessive depth" in e.message:
            return root, f"line {e.line}, column {e.column}"
    return root, None


def _flatten_deep(body: lxml.html.HtmlElement, *, builder: DocBuilder) -> None:
    """Elements nested deeper than ``Limits.max_html_depth`` are replaced by their text lines
    (block boundaries kept as line breaks), so no later recursive walk meets unbounded depth."""
    limit = builder.limits.max_html_depth
    if not _deeper_than(body, limit):
        return
    stack: list[tuple[lxml.html.HtmlElement, int]] = [(body, 0)]
    at_limit: list[lxml.html.HtmlElement] = []
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
            br = lxml.html.Element("br")
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


def _deeper_than(body: lxml.html.HtmlElement, limit: int) -> bool:
    """Whether an element sits more than ``limit`` levels below ``body``: one XPath query (in
    libxml2) for the usual limits; for a limit too long to write as a path, "maybe"."""
    return limit > _PATH_QUERY_MAX or bool(_depth_query(limit + 1)(body))


_PATH_QUERY_MAX = 1024


@cache
def _depth_query(depth: int) -> lxml.etree.XPath:
    """Some element ``depth`` levels down ("*/*/…/*[1]")."""
    return lxml.etree.XPath("/".join(["*"] * depth) + "[1]")


def _depth_below(el: lxml.html.HtmlElement) -> int:
    deepest, d = 0, 0
    for event, _ in lxml.etree.iterwalk(el, events=("start", "end")):
        d += 1 if event == "start" else -1
        deepest = max(deepest, d)
    return deepest - 1


def _flat_lines(el: lxml.html.HtmlElement) -> list[str]:
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
    headings = {m.group(1) for line in text.splitlines() if (m := _HEADING.match(line))}
    return len(headings) >= 2 or ("信息公开" in text and len(text) >= 200)


def _drop_invisible(root: lxml.html.HtmlElement) -> None:
    """Remove scripts, styles, form widgets and elements hidden with inline CSS (keep their tails)."""
    doomed = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            doomed.append(el)
            continue
        tag = el.tag.lower()
        style = (el.get("style") or "").replace(" ", "").lower()
        if tag in _SKIP_TAGS or "display:none" in style or "visibility:hidden" in style:
            doomed.append(el)
    for el in doomed:
        if el.getparent() is not None:
            el.drop_tree()


def find_article(body: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """The element holding the report: lowest common ancestor of the section headings
    (headings that are links, as in a table of contents or a menu, do not count).

    Falls back to CMS hints (TRS_Editor, article/content ids) and then to the element with the
    most non-link paragraph text, so menus, breadcrumbs and footers stay out.
    """
    heads: dict[str, lxml.html.HtmlElement] = {}
    for el in body.iter():
        if not isinstance(el.tag, str) or el.tag in {"a"}:
            continue
        t = el.text_content()
        if len(t) > 80:
            continue
        m = _HEADING.match(t)
        if m and m.group(1) not in heads and _link_len(el) <= 0.5 * len(_WS.sub("", t)):
            heads[m.group(1)] = el
    if len(heads) >= 2:
        return _widen(_common_ancestor(list(heads.values())))
    best = _best_by_hint(body)  # an element without children is falsy in lxml: test for None
    if best is None:
        best = _best_by_density(body)
    return best if best is not None else body


def _widen(el: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """Climb to a wrapper that adds only prose (a preamble before "一、总体情况"), never chrome.

    Wrappers adding nothing are climbed through; one adding link-heavy or sentence-less text
    (menus, share buttons, "来源/时间" bars) stops the climb at the last good level.
    """
    best = cur = el
    inner_len, inner_links = _text_len(el), _link_len(el)
    while (parent := cur.getparent()) is not None and parent.tag not in {"body", "html"}:
        extra = _text_len(parent) - inner_len
        extra_links = _link_len(parent) - inner_links
        if extra > 0:
            own = _WS.sub("", parent.text_content()).replace(_WS.sub("", cur.text_content()), "", 1)
            prose = own.count("。") >= 1 and extra >= 20 and extra_links <= 0.1 * extra
            if not prose or extra > 0.5 * inner_len:
                break
            best = parent
        cur = parent
        inner_len, inner_links = _text_len(cur), _link_len(cur)
    return best


def _ancestors(el: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    out = [el]
    while (p := out[-1].getparent()) is not None:
        out.append(p)
    return out[::-1]


def _common_ancestor(els: list[lxml.html.HtmlElement]) -> lxml.html.HtmlElement:
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


def _text_len(el: lxml.html.HtmlElement) -> int:
    return len(_WS.sub("", el.text_content()))


def _link_len(el: lxml.html.HtmlElement) -> int:
    return sum(len(_WS.sub("", a.text_content())) for a in el.iter("a"))


def _best_by_hint(body: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    best, best_len = None, 0
    for el in body.iter():
        if not isinstance(el.tag, str):
            continue
        marker = f"{el.get('id', '')} {el.get('class', '')}"
        if not _HINT.search(marker):
            continue
        n = _text_len(el)
        if n < 100 or _link_len(el) > 0.3 * n:
            continue
        if n > best_len:
            best, best_len = el, n
    return best


def _best_by_density(body: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    scores: dict[lxml.html.HtmlElement, float] = {}
    for el in body.iter("p", "div", "td", "span", "font", "li"):
        own = len(_WS.sub("", (el.text or "") + "".join(c.tail or "" for c in el if isinstance(c.tag, str))))
        if el.tag == "p":
            own = _text_len(el) - _link_len(el)
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
    el: lxml.html.HtmlElement,
    builder: DocBuilder,
    *,
    counter: list[int],
    limits: Limits = DEFAULT_LIMITS,
) -> None:
    """Walk ``el`` in document order, sending lines and data tables to ``builder``."""
    buf: list[str] = []
    memo: dict[lxml.html.HtmlElement, bool] = {}

    def flush() -> None:
        line = clean_line("".join(buf))
        buf.clear()
        if line:
            builder.add_text(line, origin="html")

    def walk(node: lxml.html.HtmlElement) -> None:
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if tag == "br":
            flush()
        elif tag == "table" and _is_data_table(node, memo):
            flush()
            for caption in node.findall("caption"):
                builder.add_text(clean_line(" ".join(_iter_lines(caption))), origin="html caption")
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


def _rows(table: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """The rows holding a cell: ``./tr|./thead/tr|./tbody/tr|./tfoot/tr``, in document order
    (walked in Python: an XPath call per table and per row cost more than the walk)."""
    rows: list[lxml.html.HtmlElement] = []
    for child in table:
        if child.tag == "tr":
            rows.append(child)
        elif child.tag in _ROW_GROUPS:
            rows.extend(r for r in child if r.tag == "tr")
    return [r for r in rows if _cells(r)]


_ROW_GROUPS = frozenset({"thead", "tbody", "tfoot"})


def _cells(row: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """``./td|./th``: the row's cells in document order."""
    return [c for c in row if c.tag == "td" or c.tag == "th"]


def _is_data_table(
    table: lxml.html.HtmlElement, memo: dict[lxml.html.HtmlElement, bool] | None = None
) -> bool:
    """Layout tables (holding data tables, or a single column) are read as text, not as grids.

    ``memo`` remembers each table's answer: without it nested tables were judged again for
    every enclosing table, exponential in the nesting (30 nested tables never finished)."""
    memo = {} if memo is None else memo
    if table in memo:
        return memo[table]
    memo[table] = answer = _judge_table(table, memo)
    return answer


def _judge_table(table: lxml.html.HtmlElement, memo: dict[lxml.html.HtmlElement, bool]) -> bool:
    if any(_is_data_table(inner, memo) for inner in reversed(table.xpath(".//table"))):
        return False
    rows = _rows(table)
    widths = [sum(_span(c, "colspan") for c in _cells(r)) for r in rows]
    return bool(rows) and max(widths) >= 2


def _span(cell: lxml.html.HtmlElement, attr: str) -> int:
    value = cell.get(attr)
    m = _SPAN_VALUE.match(value) if value else None
    return max(1, int(m.group(1))) if m else 1


def cell_text(cell: lxml.html.HtmlElement) -> str:
    """A cell's text on one line: its paragraphs joined (CJK label pieces glued, others spaced).

    A cell holding only digits split by source line breaks between inline tags (``<span>1</span>
    <span>2</span>``) is one number: a table cell never holds two bare numbers.
    """
    if any(isinstance(e.tag, str) and e.tag.lower() in _LINE_BREAKING for e in cell.iterdescendants()):
        text = clean_line(" ".join(_iter_lines(cell)))
    else:  # one line, all of its text: what _iter_lines yields, read in one call
        text = clean_line(str(cell.text_content()))
    if _SPLIT_NUMBER.fullmatch(text):
        text = text.replace(" ", "")
    return text


def _iter_lines(node: lxml.html.HtmlElement) -> Iterator[str]:
    buf: list[str] = []

    def walk(n: lxml.html.HtmlElement) -> Iterator[str]:
        tag = n.tag.lower() if isinstance(n.tag, str) else ""
        block = tag in _BLOCK_TAGS or tag == "br"
        if block and buf:
            yield "".join(buf)
            buf.clear()
        if n.text:
            buf.append(n.text)
        for child in n:
            yield from walk(child)
            if child.tail:
                buf.append(child.tail)
        if block and buf:
            yield "".join(buf)
            buf.clear()

    yield from walk(node)
    if buf:
        yield "".join(buf)


def table_grid(table: lxml.html.HtmlElement) -> list[list[GridCell]]:
    """Expand a table's rowspan/colspan into a full grid with anchors of the spanning cells."""
    return table_grid_limited(table).grid


def table_grid_limited(table: lxml.html.HtmlElement, *, limits: Limits = DEFAULT_LIMITS) -> GridResult:
    """``table_grid`` under ``limits``: spans clamped before expanding, the grid's size bounded."""
    src = [
        [(cell_text(c), _span(c, "rowspan"), _span(c, "colspan")) for c in _cells(r)]
        for r in _rows(table)
    ]
    return expand_spans_limited(src, limits=limits)


def _page_meta(root: lxml.html.HtmlElement) -> dict[str, str]:
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
        heads = [h.text_content() for h in root.iterfind(".//body//h1")] + [
            h.text_content() for h in root.iterfind(".//body//h2")
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
            m2 = _PUB_TEXT.search(_WS.sub(" ", body.text_content()))
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
