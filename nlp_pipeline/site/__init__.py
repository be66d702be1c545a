"""``nlp-pipeline report``: a static HTML site from a batch database.

Pages: ``index.html`` (corpus overview, aggregated so it stays small for 10,000 reports),
``bodies/<id>.html`` (one per body), ``reports/<id>.html`` (one per report) and
``unassigned.html``. Templates are Jinja2 with autoescape on, so report text is always shown as
text; chart data goes into ``<script type="application/json">`` through ``tojson`` (which escapes
``<``). Charts are drawn by plotly.js, copied from the plotly package into ``assets/`` — nothing
is fetched from the network.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import shutil
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from ..corpus import Corpus
from ..indicators import INDICATORS
from ..schema import cell_specs

TREND_INDICATORS = (
    ("new_applications", "新收申请 new applications", "count"),
    ("granted_share", "公开率 granted share ((一)+(二) / 总计)", "share"),
    ("refusal_share", "不予公开 refusal share", "share"),
    ("unable_share", "无法提供 share", "share"),
    ("not_processed_share", "不予处理 share", "share"),
    ("review_total", "行政复议 review cases", "count"),
    ("review_correction_rate", "复议纠正率 review correction rate", "share"),
    ("litigation_total", "行政诉讼 litigation cases", "count"),
)
QUALITY_SHARES = (
    ("arithmetic_errors", "表格算术错误 arithmetic errors"),
    ("narrative_mismatches", "正文与表格不符 narrative mismatches"),
    ("copied_statements", "照抄的问题表述 copied statements"),
    ("vague_statements", "笼统的问题表述 vague statements"),
)
BODY_SERIES = (
    ("new_applications", "新收申请 new applications"),
    ("processed", "办理总计 processed"),
    ("granted_share", "公开率 granted share"),
    ("refusal_share", "不予公开 refusal share"),
    ("review_total", "行政复议 review cases"),
    ("litigation_total", "行政诉讼 litigation cases"),
)
BREAK_RULES = ("carryover_mismatch", "in_force_continuity")
TABLE_TITLES = {"active": "表二 主动公开", "applications": "表三 依申请公开", "review_litigation": "表四 复议诉讼"}


def page_id(key: str) -> str:
    """A short, stable file name for a body id or report source (any characters)."""
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


_PAGE_NAME = re.compile(r"[0-9a-f]{12}\.html")  # a body or report page: ``page_id`` + .html


def _env() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("nlp_pipeline.site", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = fmt_num
    env.filters["pct"] = fmt_pct
    env.globals["page_id"] = page_id
    return env


def fmt_num(v: Any) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return "—"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def fmt_pct(v: Any) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return "—"
    return f"{100 * float(v):.1f}%"


def _records(corpus: Corpus, query: str) -> list[dict[str, Any]]:
    """Rows of a query as dicts of plain Python values (no pandas: NA/NaN-free and faster)."""
    cur = corpus.con.execute(query)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]


def _group(rows: Iterable[Mapping[str, Any]], key: str) -> dict[Any, list[Mapping[str, Any]]]:
    out: dict[Any, list[Mapping[str, Any]]] = defaultdict(list)
    for r in rows:
        out[r[key]].append(r)
    return out


def _quantiles(values: Sequence[float]) -> tuple[float, float, float]:
    import statistics

    if len(values) == 1:
        return values[0], values[0], values[0]
    q1, med, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, med, q3


@dataclass(frozen=True, slots=True)
class Chart:
    """A plotly figure (data + layout) with the table of its numbers and a one-line summary."""

    id: str
    title: str
    sentence: str
    figure: dict[str, Any]
    points: int  # data points drawn (markers + bars), checked by the browser test
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def _layout(title: str, *, percent: bool = False, barmode: str | None = None) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "title": {"text": title, "font": {"size": 14}},
        "margin": {"l": 50, "r": 10, "t": 40, "b": 70},
        "height": 320,
        "font": {"family": "'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',sans-serif"},
        "xaxis": {"type": "category", "title": {"text": "year", "standoff": 4}},
        # a share lives in [0, 100%]: a single point must not stretch the axis to -100%..200%
        "yaxis": {"tickformat": ".1%", "range": [0, 1.05]} if percent else {"rangemode": "tozero"},
        "legend": {"orientation": "h", "y": -0.35},
    }
    if barmode:
        layout["barmode"] = barmode
    return layout


def trend_chart(ind: Sequence[Mapping[str, Any]], name: str, title: str, kind: str, n: int) -> Chart | None:
    by_year: dict[int, list[float]] = defaultdict(list)
    for r in ind:
        if r["year"] is not None and r[name] is not None:
            by_year[int(r["year"])].append(float(r[name]))
    if not by_year:
        return None
    years = sorted(by_year)
    qs = [_quantiles(sorted(by_year[y])) for y in years]
    xs = [str(y) for y in years]
    traces = [
        {"type": "scatter", "mode": "lines+markers", "name": "Q1", "x": xs, "y": [q[0] for q in qs], "line": {"dash": "dot"}},
        {"type": "scatter", "mode": "lines+markers", "name": "median", "x": xs, "y": [q[1] for q in qs]},
        {"type": "scatter", "mode": "lines+markers", "name": "Q3", "x": xs, "y": [q[2] for q in qs], "line": {"dash": "dot"}},
    ]
    header: tuple[str, ...] = ("year", "bodies", "Q1", "median", "Q3")
    fmt = fmt_pct if kind == "share" else fmt_num
    rows: list[tuple[str, ...]] = [(str(y), str(len(by_year[y])), fmt(q[0]), fmt(q[1]), fmt(q[2])) for y, q in zip(years, qs, strict=True)]
    if kind == "count":
        totals = [sum(by_year[y]) for y in years]
        traces.append({"type": "bar", "name": "total", "x": xs, "y": totals, "yaxis": "y2", "opacity": 0.3})
        header = (*header, "total")
        rows = [(*r, fmt_num(t)) for r, t in zip(rows, totals, strict=True)]
    layout = _layout(title, percent=kind == "share")
    if kind == "count":
        layout["yaxis2"] = {"overlaying": "y", "side": "right", "showgrid": False, "rangemode": "tozero"}
        layout["margin"] = {**layout["margin"], "r": 50}
    counted = sum(len(v) for v in by_year.values())
    sentence = (
        f"{title}: median and quartiles across bodies per year"
        + (" (bars: the sum over bodies)" if kind == "count" else "")
        + f"; {counted} body-years with a value out of {n} primary reports with a year."
    )
    return Chart(f"trend-{name}", title, sentence, {"data": traces, "layout": layout},
                 len(xs) * (4 if kind == "count" else 3), header, tuple(rows))


def quality_chart(ind: Sequence[Mapping[str, Any]]) -> Chart | None:
    by_year = _group([r for r in ind if r["year"] is not None], "year")
    if not by_year:
        return None
    years = sorted(by_year)
    xs = [str(y) for y in years]
    traces, rows = [], []
    for name, label in QUALITY_SHARES:
        shares = [sum(1 for r in by_year[y] if (r[name] or 0) > 0) / len(by_year[y]) for y in years]
        traces.append({"type": "scatter", "mode": "lines+markers", "name": label, "x": xs, "y": shares})
    for y in years:
        rs = by_year[y]
        rows.append((str(y), str(len(rs)), *(fmt_pct(sum(1 for r in rs if (r[n] or 0) > 0) / len(rs)) for n, _ in QUALITY_SHARES)))
    total = sum(len(v) for v in by_year.values())
    return Chart(
        "quality", "报告质量 report quality",
        f"Share of reports per year with at least one arithmetic error, narrative-vs-table mismatch, copied or "
        f"vague section 五 statement; {total} primary reports.",
        {"data": traces, "layout": _layout("报告质量 share of reports with …", percent=True)},
        len(xs) * len(QUALITY_SHARES), ("year", "reports", *(label for _, label in QUALITY_SHARES)), tuple(rows),
    )


def category_chart(cats: Sequence[Mapping[str, Any]], chart_id: str = "categories") -> Chart | None:
    if not cats:
        return None
    years = sorted({int(c["year"]) for c in cats if c["year"] is not None})
    labels = sorted({c["category"] for c in cats})
    if not years:
        return None
    counts = {(int(c["year"]), c["category"]): int(c["n"]) for c in cats if c["year"] is not None}
    xs = [str(y) for y in years]
    traces = [
        {"type": "bar", "name": lab, "x": xs, "y": [counts.get((y, lab), 0) for y in years]} for lab in labels
    ]
    rows = tuple((str(y), *(str(counts.get((y, lab), 0)) for lab in labels)) for y in years)
    total = sum(counts.values())
    return Chart(
        chart_id, "问题类别 problem categories",
        f"Section 五 statements by best category label and year; {total} statements in {len(years)} years.",
        {"data": traces, "layout": _layout("问题类别 problem categories by year", barmode="stack")},
        len(xs) * len(labels), ("year", *labels), rows,
    )


def body_chart(series: Sequence[Mapping[str, Any]], name: str, title: str) -> Chart | None:
    pts = [(str(r["year"]), r[name]) for r in series if r["year"] is not None and r[name] is not None]
    if not pts:
        return None
    share = name.endswith(("_share", "_rate"))
    fmt = fmt_pct if share else fmt_num
    return Chart(
        f"series-{name}", title, f"{title} by year, {len(pts)} of {len(series)} years with a value.",
        {"data": [{"type": "scatter", "mode": "lines+markers", "name": title, "x": [p[0] for p in pts], "y": [p[1] for p in pts]}],
         "layout": _layout(title, percent=share)},
        len(pts), ("year", title), tuple((y, fmt(v)) for y, v in pts),
    )


# ---------------------------------------------------------------- report pages


def text_segments(text: str, claims: Sequence[Mapping[str, Any]]) -> list[tuple[str, Mapping[str, Any] | None]]:
    """Split ``text`` into plain runs and claim spans (claims sorted; overlapping ones skipped)."""
    out: list[tuple[str, Mapping[str, Any] | None]] = []
    pos = 0
    for c in sorted(claims, key=lambda c: (c["start"] or 0, c["end"] or 0)):
        s, e = c["start"], c["end"]
        if s is None or e is None or s < pos or e > len(text) or e <= s:
            continue
        if s > pos:
            out.append((text[pos:s], None))
        out.append((text[s:e], c))
        pos = e
    if pos < len(text):
        out.append((text[pos:], None))
    return out


def claim_status(claim: Mapping[str, Any]) -> str:
    if claim["flagged"]:
        return "contradicts"
    return "agrees" if claim["cells"] else "unlinked"


def table_grids(template: str | None, cells: Mapping[str, Mapping[str, Any]], flags: Mapping[str, list[int]]) -> list[dict[str, Any]]:
    """The three tables as grids in the official layout; each cell: id, raw, value, finding numbers."""
    tpl = template if template in ("2019", "2021") else ("2021" if any(c.endswith(".in_force") for c in cells) else "2019")
    grids: list[dict[str, Any]] = []
    specs = cell_specs(tpl)
    seen = set()
    for table in ("active", "applications", "review_litigation"):
        tspecs = [s for s in specs if s.table == table]
        cols: list[tuple[str, str]] = []
        for s in tspecs:
            if (s.col, s.col_label) not in cols and table != "active":
                cols.append((s.col, s.col_label))
        rows: list[dict[str, Any]] = []
        by_row: dict[str, list[Any]] = defaultdict(list)
        order: list[str] = []
        for s in tspecs:
            if s.row not in by_row:
                order.append(s.row)
            by_row[s.row].append(s)
        for row in order:
            rs = by_row[row]
            row_cells = []
            for s in rs:
                seen.add(s.id)
                c = cells.get(s.id)
                row_cells.append({
                    "id": s.id, "col_label": s.col_label,
                    "raw": None if c is None else c["raw"], "kind": None if c is None else c["kind"],
                    "flags": flags.get(s.id, []),
                })
            rows.append({"label": rs[0].row_label, "cells": row_cells})
        grids.append({"title": TABLE_TITLES[table], "table": table, "cols": cols, "rows": rows})
    extra = [{"id": k, "raw": v["raw"], "kind": v["kind"], "flags": flags.get(k, [])} for k, v in sorted(cells.items()) if k not in seen]
    if extra:
        grids.append({"title": "other cells", "table": "other", "cols": [], "rows": [{"label": "", "cells": extra}]})
    return grids


def _write(path: Path, html: str, written: set[Path]) -> None:
    path.write_text(html, encoding="utf-8")
    written.add(path)


def build_site(db: str | Path, out: str | Path) -> int:
    """Write the site into ``out``; returns the number of HTML pages written. Body and report
    pages left in ``out`` by an earlier site (``report --force`` over another corpus) are
    removed, so no page of a report that is not in this database stays behind (only files named
    as this site names its pages, ``page_id``: the user's own files stay)."""
    out_dir = Path(out)
    with Corpus(db) as corpus:  # opened first: a bad database must not leave a half-written site
        _write_assets(out_dir)
        written: set[Path] = set()
        pages = _build(corpus, _env(), out_dir, written)
    for sub in ("bodies", "reports"):
        for page in (out_dir / sub).glob("*.html"):
            if page not in written and _PAGE_NAME.fullmatch(page.name) and page.is_file():
                page.unlink()
    return pages


def _write_assets(out_dir: Path) -> None:
    for sub in ("assets", "bodies", "reports"):
        (out_dir / sub).mkdir(parents=True, exist_ok=True)
    static = resources.files("nlp_pipeline.site") / "static"
    for name in ("site.css", "site.js"):
        (out_dir / "assets" / name).write_text(static.joinpath(name).read_text(encoding="utf-8"), encoding="utf-8")
    import plotly

    shutil.copyfile(Path(plotly.__file__).parent / "package_data" / "plotly.min.js", out_dir / "assets" / "plotly.min.js")


def _build(corpus: Corpus, env: Any, out_dir: Path, written: set[Path]) -> int:
    reports = _records(corpus, "SELECT r.*, y.body_id, y.is_primary, y.assigned_by FROM reports r LEFT JOIN body_years y USING (source) ORDER BY source")
    ind = _records(corpus, "SELECT * FROM indicators ORDER BY body_id, year")
    rind = {r["source"]: r for r in _records(corpus, "SELECT * FROM report_indicators")}
    bodies = _records(corpus, "SELECT * FROM bodies ORDER BY body_id")
    errors = _records(corpus, "SELECT * FROM errors ORDER BY source")
    cats = _records(corpus, "SELECT * FROM problem_categories")
    findings = _group(_records(corpus, "SELECT * FROM findings ORDER BY source, idx"), "source")
    problems = _group(_records(corpus, "SELECT * FROM problems ORDER BY source, idx"), "source")
    by_source = {r["source"]: r for r in reports}
    names = {b["body_id"]: b["name"] for b in bodies}
    pages = 0

    # overview
    primary_years = [r for r in ind if r["year"] is not None]
    charts = [c for c in (trend_chart(ind, n, t, k, len(primary_years)) for n, t, k in TREND_INDICATORS) if c]
    charts += [c for c in (quality_chart(ind), category_chart(cats)) if c]
    findings_per_body: dict[str, int] = defaultdict(int)
    for r in reports:
        if r["body_id"]:
            findings_per_body[r["body_id"]] += r["n_findings"] or 0
    counts = {
        "year": _count(r["year"] for r in reports),
        "format": _count(r["format"] for r in reports),
        "template": _count(r["template"] for r in reports),
    }
    unassigned = [r for r in reports if not r["body_id"]]
    _write(out_dir / "index.html", env.get_template("index.html").render(
        root="", title="语料总览 corpus overview", n_reports=len(reports), n_errors=len(errors),
        n_bodies=len(bodies), counts=counts, errors=errors, charts=charts, bodies=bodies,
        findings_per_body=findings_per_body, unassigned=len(unassigned),
        duplicates=sum(1 for r in reports if r["body_id"] and r["year"] is not None and not r["is_primary"]),
    ), written)
    _write(out_dir / "unassigned.html", env.get_template("unassigned.html").render(
        root="", title="未归属的报告 unassigned reports", reports=unassigned), written)
    pages += 2

    # body pages
    ind_by_body = _group(ind, "body_id")
    reports_by_body = _group([r for r in reports if r["body_id"]], "body_id")
    cats_by_body = _group(cats, "body_id")
    for b in bodies:
        bid = b["body_id"]
        series = sorted(ind_by_body.get(bid, []), key=lambda r: r["year"])
        rs = sorted(reports_by_body.get(bid, []), key=lambda r: (r["year"] or 0, r["source"]))
        bcharts = [c for c in (body_chart(series, n, t) for n, t in BODY_SERIES) if c]
        cc = category_chart(cats_by_body.get(bid, []), "body-categories")
        if cc:
            bcharts.append(cc)
        bfindings = [{**f, "year": r["year"], "report": r} for r in rs for f in findings.get(r["source"], [])]
        statements = [{**p, "year": r["year"], "report": r} for r in rs if r["is_primary"] for p in problems.get(r["source"], [])]
        continuity = [f for f in bfindings if f["rule"] in BREAK_RULES and f["report"]["is_primary"]]
        breaks = _breaks(series, continuity, by_source)
        _write(out_dir / "bodies" / f"{page_id(bid)}.html", env.get_template("body.html").render(
            root="../", title=b["name"], body=b, series=series, charts=bcharts, reports=rs,
            findings=bfindings, statements=statements, breaks=breaks, indicators=INDICATORS, by_source=by_source,
        ), written)
        pages += 1

    # report pages
    texts = {s: (t, ok) for s, t, ok in corpus.con.execute("SELECT source, text, complete FROM texts").fetchall()}
    claims = _group(_records(corpus, "SELECT * FROM claims ORDER BY source, idx"), "source")
    cells = _group(_records(corpus, "SELECT source, id, value, raw, kind, origin FROM cells"), "source")
    tpl = env.get_template("report.html")
    for r in reports:
        src = r["source"]
        fs = findings.get(src, [])
        flags: dict[str, list[int]] = defaultdict(list)
        for f in fs:
            for cid in f["cells"] or ():
                flags[cid].append(f["idx"] + 1)
        claim_finding = {(f["start"], f["end"]): f["idx"] + 1 for f in fs if f["claim_text"]}
        cs = [{**c, "status": claim_status(c), "finding": claim_finding.get((c["start"], c["end"]))} for c in claims.get(src, [])]
        spans = [
            {"start": f["start"], "end": f["end"], "status": "finding", "finding": f["idx"] + 1, "cells": [],
             "metric": f["rule"], "value": None, "unit": ""}
            for f in fs if not f["claim_text"] and f["start"] is not None and f["end"] is not None
        ]
        text, complete = texts.get(src, (None, False))
        _write(out_dir / "reports" / f"{page_id(src)}.html", tpl.render(
            root="../", title=f"{r['agency'] or src} {r['year'] or ''}", report=r, findings=fs,
            segments=text_segments(text, [*cs, *spans]) if text is not None else None, claims=cs,
            text_changed=text is not None and not complete,
            grids=table_grids(r["template"], {c["id"]: c for c in cells.get(src, [])}, flags),
            problems=problems.get(src, []), indicators=rind.get(src), indicator_defs=INDICATORS,
            body_name=names.get(r["body_id"]), by_source=by_source,
        ), written)
        pages += 1
    return pages


def _count(values: Iterable[Any]) -> list[tuple[str, int]]:
    c: dict[str, int] = defaultdict(int)
    for v in values:
        c["—" if v is None else str(v)] += 1
    return sorted(c.items())


def _breaks(
    series: Sequence[Mapping[str, Any]],
    continuity: Sequence[Mapping[str, Any]],
    reports: Mapping[str, Mapping[str, Any]],
) -> list[dict[str, Any]]:
    """Year-on-year breaks: a gap in the years, a change of template, a doubling or halving of new
    applications, and the continuity findings (carry-over, documents in force) between years."""
    out: list[dict[str, Any]] = []
    for prev, cur in itertools.pairwise(series):
        y0, y1 = prev["year"], cur["year"]
        if y1 - y0 > 1:
            out.append({"year": y1, "what": f"no report for {', '.join(str(y) for y in range(y0 + 1, y1))}"})
        t0, t1 = reports[prev["source"]]["template"], reports[cur["source"]]["template"]
        if t0 != t1:
            out.append({"year": y1, "what": f"table format {t0 or '—'} → {t1 or '—'}: 表二 indicators change meaning"})
        a, b = prev["new_applications"], cur["new_applications"]
        if a and b is not None and (b >= 2 * a or b <= a / 2) and max(a, b) >= 10:
            out.append({"year": y1, "what": f"new applications {fmt_num(a)} → {fmt_num(b)}"})
    for f in continuity:
        out.append({"year": f["year"], "what": f"{f['rule']}: {f['message']}"})
    return sorted(out, key=lambda x: (x["year"] or 0))
