"""Dump the ``Document`` the HTML loader makes of every HTML input we can build, to compare two
versions of the loader byte for byte (a speed-up must not change one character of its output).

Inputs: every ``.htm*`` file under ``../shared`` and ``corpora/`` (read with ``loaders.load``, so
the file-size limit applies); the HTML stress variants of ``scripts/stress_layouts.py``; the HTML
cases of ``scripts/hostile_corpus.py`` (huge spans, nesting, 15/49 MB of tables, scripts, junk,
GBK); pages under tight ``Limits`` (depth, spans, cells, text length); seeded random pages mixing
the markup the loader treats specially (hidden elements, layout and nested tables, spans, links,
headings, CMS hints, meta, entities); and, with ``--tests DIR``, every page the test-suite hands
to ``load_html`` (captured once with ``capture-tests DIR``). Each input gives one JSON line: the
whole Document (text, blocks, grids, meta, findings) or the error's class, code and message.

    python scripts/compare_loader.py capture-tests /tmp/html-tests     # optional, once
    python scripts/compare_loader.py dump /tmp/loader-before.jsonl --tests /tmp/html-tests
    python scripts/compare_loader.py dump /tmp/loader-after.jsonl --tests /tmp/html-tests
    python scripts/compare_loader.py diff /tmp/loader-before.jsonl /tmp/loader-after.jsonl
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import pickle
import random
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
for p in (ROOT, ROOT / "scripts"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from nlp_pipeline import loaders  # noqa: E402
from nlp_pipeline.errors import NlpPipelineError  # noqa: E402
from nlp_pipeline.limits import Limits  # noqa: E402
from nlp_pipeline.loaders.html import load_html  # noqa: E402

SHARED = ROOT.parent / "shared"
Case = tuple[str, Callable[[], Any]]


def _jsonable(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    return repr(obj)


def _outcome(fn: Callable[[], Any]) -> Any:
    try:
        return {"doc": _jsonable(fn())}
    except NlpPipelineError as exc:
        return {"error": type(exc).__name__, "code": getattr(exc, "code", None), "message": str(exc)}
    except RecursionError as exc:
        return {"error": "RecursionError", "message": str(exc)[:200]}


def _file_cases() -> Iterator[Case]:
    roots = [SHARED, ROOT / "corpora"]
    for root in roots:
        for p in sorted(root.rglob("*")):
            if p.suffix.lower() in (".html", ".htm", ".shtml") and p.is_file():
                yield f"file:{p.relative_to(root.parent)}", lambda p=p: loaders.load(p)


def _stress_cases() -> Iterator[Case]:
    import stress_layouts as sl

    real = SHARED / "corpora" / "real"
    if not (real / "gold").is_dir():
        return
    for name, items, gold in sl.sources(real):
        for variant, make in sl.HTML_VARIANTS.items():
            if variant.startswith("txt."):
                continue
            data = make(items, gold)
            yield f"stress:{variant}:{name}", lambda d=data, n=name: load_html(d, source=n)
        blanked, _ = sl.blank_rows(items, gold)
        yield f"stress:blank_rows:{name}", lambda b=blanked, n=name: load_html(sl.render_html(b), source=n)


def _hostile_cases(tmp: Path) -> Iterator[Case]:
    import hostile_corpus as hc

    makers: dict[str, Callable[[], bytes]] = {
        "spans.html": hc.big_spans_html,
        "tables49.html": hc.many_tables_html,
        "tables15.html": lambda: hc.many_tables_html(900),
        "tables_small.html": lambda: hc.many_tables_html(20, 12),
        "nested200.html": hc.nested_tables_html,
        "nested30.html": lambda: hc.nested_tables_html(30),
        "deep300.html": lambda: hc.deep_html(300),
        "deep5000.html": lambda: hc.deep_html(5000),
        "deep250.html": lambda: hc.deep_html(250),
        "junk.html": lambda: random.Random(7).randbytes(200_000),  # hc.junk is not seeded
        "script.html": hc.script_html,
        "truncated.html": lambda: hc.truncated(hc.script_html()),
    }
    for name, make in makers.items():
        path = tmp / name
        path.write_bytes(make())
        yield f"hostile:{name}", lambda p=path: loaders.load(p)
    page = hc.html_page(hc.report_paragraphs() + "<table><tr><td>表</td><td>1</td></tr></table>")
    gbk = page.replace('charset="utf-8"', 'charset="gbk"').encode("gbk")
    yield "hostile:gbk", lambda: load_html(gbk, source="gbk.html")
    yield "hostile:gbk_no_charset", lambda: load_html(
        page.replace('<meta charset="utf-8">', "").encode("gb18030"), source="gbk2.html"
    )
    yield "hostile:xml_decl", lambda: load_html(b'<?xml version="1.0"?>' + page.encode(), source="x.html")
    yield "hostile:blank", lambda: load_html(b"   \n ", source="b.html")
    yield "hostile:no_report", lambda: load_html(hc.html_page("<p>hello</p>").encode(), source="n.html")
    tight = {
        "depth": Limits(max_html_depth=12),
        "span": Limits(max_span=3),
        "cells": Limits(max_table_cells=30),
        "cells_tiny": Limits(max_table_cells=4),
        "text": Limits(max_text_chars=300),
    }
    deep = hc.deep_html(40)
    spans = hc.big_spans_html(10)
    tables = hc.many_tables_html(3, 8)
    for lname, lim in tight.items():
        for dname, data in (("deep40", deep), ("spans10", spans), ("tables3", tables)):
            yield f"limits:{lname}:{dname}", lambda d=data, lim=lim: load_html(d, source="l.html", limits=lim)
    for p in sorted((SHARED / "corpora" / "real").glob("*.htm*")):
        for lname, lim in tight.items():
            yield f"limits:{lname}:{p.name}", lambda p=p, lim=lim: loaders.load(p, limits=lim)


_HEADS = ["一、总体情况", "二、主动公开政府信息情况", "（三）收到和处理政府信息公开申请情况",
          "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项",
          "第一部分 概述"]
_WORDS = ["本机关", "主动公开", "政府信息", "120", "3 4", "1,234", "条。", "件", "信息公开", "　", "&nbsp;",
          " ", "\n", "发布日期：2023-04-05", "2024年1月2日", "报告", "&lt;x&gt;", "ABC", "x"]
_INLINE = ["span", "font", "b", "strong", "a", "em", "SPAN", "u", "label"]
_BLOCK = ["p", "div", "li", "h1", "h2", "h3", "section", "center", "blockquote", "DIV", "P"]
_ATTRS = ['', ' class="content"', ' id="zoom"', ' class="TRS_Editor"', ' style="display: none"',
          ' style="VISIBILITY:hidden"', ' class="nav"', ' id="article"', ' style="color:red"']


def _random_page(rng: random.Random) -> str:
    """A random page over the constructs the loader treats specially."""

    def text() -> str:
        if rng.random() < 0.25:
            return rng.choice(_HEADS)
        return "".join(rng.choice(_WORDS) for _ in range(rng.randint(0, 8)))

    def cell(depth: int) -> str:
        tag = rng.choice(["td", "td", "td", "th", "TD"])
        attrs = ""
        if rng.random() < 0.3:
            attrs += f' rowspan="{rng.choice(["2", "3", "0", "abc", " 2px", "999", "1"])}"'
        if rng.random() < 0.3:
            attrs += f' colspan="{rng.choice(["2", "4", "0", "x", "300", "1"])}"'
        return f"<{tag}{attrs}>{node(depth + 1) if rng.random() < 0.5 else text()}</{tag}>"

    def table(depth: int) -> str:
        rows = []
        for _ in range(rng.randint(0, 5)):
            row = "<tr>" + "".join(cell(depth) for _ in range(rng.randint(0, 5))) + "</tr>"
            if rng.random() < 0.2:
                row += "<!-- c -->" + text()
            rows.append(row)
        inner = "".join(rows)
        r = rng.random()
        if r < 0.2:
            inner = f"<thead>{inner}</thead><tbody>{''.join(rows[:2])}</tbody>"
        elif r < 0.4:
            inner = f"<tbody>{inner}</tbody>"
        cap = f"<caption>{text()}<br>{text()}</caption>" if rng.random() < 0.2 else ""
        return f"<table{rng.choice(_ATTRS)}>{cap}{inner}</table>"

    def node(depth: int) -> str:
        if depth > rng.randint(2, 7):
            return text()
        r = rng.random()
        if r < 0.15:
            return table(depth)
        if r < 0.2:
            return "<br>" + text()
        if r < 0.23:
            return f"<script>document.write('{rng.choice(_HEADS)}')</script>"
        if r < 0.25:
            return f'<a href="/x">{rng.choice(_HEADS)}</a>'
        tag = rng.choice(_INLINE if r < 0.55 else _BLOCK)
        kids = "".join(node(depth + 1) + (text() if rng.random() < 0.4 else "") for _ in range(rng.randint(0, 4)))
        return f"<{tag}{rng.choice(_ATTRS)}>{text()}{kids}</{tag}>"

    metas = ""
    if rng.random() < 0.5:
        metas += f'<meta name="{rng.choice(["ArticleTitle", "PubDate", "og:title", "keywords"])}" content="{text()}">'
    if rng.random() < 0.3:
        metas += '<meta name="pubdate" content="2022-13-40"><meta property="og:title" content="某报告">'
    body = "".join(node(0) for _ in range(rng.randint(1, 10)))
    if rng.random() < 0.6:
        body += "".join(f"<p>{h}</p><p>本机关信息公开工作。{text()}</p>" for h in rng.sample(_HEADS, rng.randint(1, 4)))
    if rng.random() < 0.3:
        body = body.replace("<p>", "<P>", 3).replace("</p>", "", 2)  # sloppy markup
    title = f"<title>{text()}</title>" if rng.random() < 0.7 else ""
    return f'<html><head><meta charset="utf-8">{title}{metas}</head><body>{body}</body></html>'


def _random_cases(n: int) -> Iterator[Case]:
    for i in range(n):
        page = _random_page(random.Random(i)).encode()
        yield f"random:{i}", lambda d=page, i=i: load_html(d, source=f"r{i}.html")


def _test_cases(directory: Path) -> Iterator[Case]:
    for p in sorted(directory.glob("*.pkl")):
        data, source, limits = pickle.loads(p.read_bytes())
        yield f"tests:{p.stem}", lambda d=data, s=source, lim=limits: load_html(d, source=s, limits=lim)


_CAPTURE_PLUGIN = '''
import hashlib, os, pickle
from pathlib import Path
import nlp_pipeline.loaders.html as H
_real = H.load_html
_out = Path(os.environ["COMPARE_LOADER_CAPTURE"])
def _capturing(data, *, source, limits=H.DEFAULT_LIMITS):
    blob = pickle.dumps((data, source, limits))
    (_out / (hashlib.sha1(blob).hexdigest()[:16] + ".pkl")).write_bytes(blob)
    return _real(data, source=source, limits=limits)
H.load_html = _capturing
'''


def capture_tests(directory: Path) -> int:
    """Run the test-suite with ``load_html`` wrapped to save each (data, source, limits)."""
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "capture_html_plugin.py").write_text(_CAPTURE_PLUGIN, encoding="utf-8")
        env = {**__import__("os").environ, "COMPARE_LOADER_CAPTURE": str(directory),
               "PYTHONPATH": f"{ROOT}:{tmp}"}
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-x", "-p", "capture_html_plugin", "tests"],
            cwd=ROOT, env=env, check=False,
        )
    print(f"{len(list(directory.glob('*.pkl')))} pages captured", file=sys.stderr)
    return proc.returncode


def dump(out: Path, *, tests: Path | None, random_pages: int) -> None:
    scratch = Path(tempfile.gettempdir()) / "compare-loader-inputs"  # fixed: sources name it
    scratch.mkdir(exist_ok=True)
    with out.open("w", encoding="utf-8") as fh:
        cases = [*_file_cases(), *_stress_cases(), *_hostile_cases(scratch),
                 *_random_cases(random_pages)]
        if tests is not None:
            cases.extend(_test_cases(tests))
        for name, fn in cases:
            line = json.dumps({"case": name, **_outcome(fn)}, ensure_ascii=False, sort_keys=True)
            # the checkouts compared sit in different places: name files relative to them
            for where, name in ((SHARED.resolve(), "<shared>"), (SHARED, "<shared>"), (ROOT, "<checkout>")):
                line = line.replace(str(where), name)
            fh.write(line + "\n")
    print(f"{len(cases)} inputs dumped to {out}", file=sys.stderr)


def diff(a: Path, b: Path) -> int:
    la = a.read_text(encoding="utf-8").splitlines()
    lb = b.read_text(encoding="utf-8").splitlines()
    if len(la) != len(lb):
        print(f"different number of inputs: {len(la)} vs {len(lb)}")
        return 1
    bad = [(x, y) for x, y in zip(la, lb, strict=True) if x != y]
    for x, y in bad[:5]:
        name = json.loads(x)["case"]
        i = next(k for k, (c1, c2) in enumerate(zip(x, y, strict=False)) if c1 != c2)
        print(f"{name}: first difference at char {i}\n  A: …{x[max(0, i - 80):i + 80]}\n  B: …{y[max(0, i - 80):i + 80]}")
    kinds: dict[str, int] = {}
    for x in la:
        rec = json.loads(x)
        kinds["doc" if "doc" in rec else rec.get("code") or rec["error"]] = kinds.get(
            "doc" if "doc" in rec else rec.get("code") or rec["error"], 0) + 1
    print(f"{len(la) - len(bad)}/{len(la)} identical; outcomes: {kinds}")
    return 1 if bad else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("capture-tests")
    c.add_argument("dir", type=Path)
    d = sub.add_parser("dump")
    d.add_argument("out", type=Path)
    d.add_argument("--tests", type=Path, help="pages captured from the test-suite")
    d.add_argument("--random", type=int, default=1500, help="how many seeded random pages")
    f = sub.add_parser("diff")
    f.add_argument("a", type=Path)
    f.add_argument("b", type=Path)
    args = ap.parse_args(argv)
    if args.cmd == "capture-tests":
        return capture_tests(args.dir)
    if args.cmd == "dump":
        dump(args.out, tests=args.tests, random_pages=args.random)
        return 0
    return diff(args.a, args.b)


if __name__ == "__main__":
    raise SystemExit(main())
