"""Human-readable summaries of a ``Report``: plain text for pipes and files, rich for terminals.

Both renderers draw on the same pure view (``report_view``) so they always show the same facts:
sections found, template, each table with flagged cells marked by the number of the finding
about them, flagged claims beside their cells, every finding, then the section 五 statements.

Report text is untrusted (crawled from thousands of sites): every string taken from a report or
a file name passes through ``inert`` (control characters and escape sequences shown as ``\\x1b``
-style escapes), and the rich renderer only ever builds ``Text`` objects, never markup.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len

from .result import Claim, Finding, ProblemStatement, Report
from .schema import SECTIONS, CellSpec, application_rows, cell_specs

TABLE_TITLES: dict[str, str] = {
    "active": "表二 主动公开政府信息情况",
    "applications": "表三 收到和处理政府信息公开申请情况",
    "review_litigation": "表四 政府信息公开行政复议、行政诉讼情况",
}
_MAX_CELLS_SHOWN = 8  # a summary line stays readable; the JSON lists every cell
_LABEL_WIDTH = 26  # display cells for a row label before it is shortened


# C0/C1 controls and DEL (ESC starts terminal escape sequences), line/paragraph separators, and
# bidirectional overrides that reorder what the reader sees.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape_char(m: re.Match[str]) -> str:
    o = ord(m.group())
    return f"\\x{o:02x}" if o < 0x100 else f"\\u{o:04x}"


def inert(text: str) -> str:
    """``text`` safe to print on a terminal: control characters become visible escapes (one line)."""
    return _UNSAFE.sub(_escape_char, text)


@dataclass(frozen=True, slots=True)
class GridView:
    """One table as rows × columns of display strings; ``flagged`` holds (row, col) indexes."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, tuple[str, ...]], ...]
    flagged: frozenset[tuple[int, int]]
    notes: tuple[str, ...] = ()  # flagged claims about this table's cells


@dataclass(frozen=True, slots=True)
class ReportView:
    header: str
    sections: tuple[tuple[str, str, bool], ...]  # (statutory heading, what the report printed, found)
    grids: tuple[GridView, ...]
    other_cells: tuple[str, ...]
    findings: tuple[tuple[int, Finding], ...]
    claims: tuple[tuple[Claim, tuple[int, ...]], ...]  # each claim with the findings about it
    problems: tuple[tuple[ProblemStatement, tuple[int, ...]], ...] = ()  # section 五 statements


def fmt_value(v: Any) -> str:
    """Numbers as the report would print them (no trailing .0)."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return "" if v is None else str(v)


def _shorten(label: str, width: int = _LABEL_WIDTH) -> str:
    if cell_len(label) <= width:
        return label
    out = ""
    for ch in label:
        if cell_len(out + ch) > width - 1:
            break
        out += ch
    return out + "…"


def _specs(template: str | None) -> list[CellSpec]:
    """The cell layout to draw: the report's template, or both (2021 first) when unknown/mixed."""
    if template in ("2019", "2021"):
        return list(cell_specs(template))
    seen: set[str] = set()
    out: list[CellSpec] = []
    for t in ("2021", "2019"):
        for s in cell_specs(t):
            if s.id not in seen:
                seen.add(s.id)
                out.append(s)
    return out


def _row_labels(template: str | None) -> dict[str, str]:
    """Row id → short label keeping its 表三 group numeral, e.g. （三）1.属于国家秘密."""
    labels: dict[str, str] = {}
    for t in ("2019", "2021") if template not in ("2019", "2021") else (template,):
        for r in application_rows(t):
            group = r.group[: r.group.index("）") + 1] if r.group.startswith("（") else ""
            labels.setdefault(r.id, f"{group}{r.label}")
    return labels


def finding_numbers(findings: Sequence[Finding]) -> dict[str, list[int]]:
    """Cell id → 1-based numbers of the findings that name it."""
    marks: dict[str, list[int]] = defaultdict(list)
    for n, f in enumerate(findings, 1):
        for c in f.cells:
            marks[c].append(n)
    return marks


def claim_findings(report: Report) -> list[tuple[Claim, tuple[int, ...]]]:
    """Each claim with the numbers of the findings about it (matched by its text span)."""
    by_span: dict[tuple[int, int], list[int]] = defaultdict(list)
    for n, f in enumerate(report.findings, 1):
        if f.claim is not None:
            by_span[(f.claim.start, f.claim.end)].append(n)
    return [(c, tuple(by_span.get((c.start, c.end), ()))) for c in report.claims]


def problem_findings(report: Report) -> list[tuple[ProblemStatement, tuple[int, ...]]]:
    """Each section 五 statement with the numbers of the findings whose text span lies in it."""
    out: list[tuple[ProblemStatement, tuple[int, ...]]] = []
    for p in report.problems:
        nums = tuple(
            n
            for n, f in enumerate(report.findings, 1)
            if f.claim is None and f.start is not None and p.start <= f.start < p.end
        )
        out.append((p, nums))
    return out


def problem_line(p: ProblemStatement, nums: Sequence[int]) -> str:
    """One statement: kind, categories, vague flag, copy source, then the text."""
    bits: list[str] = [p.kind]
    if p.categories:
        bits.append("categories " + ", ".join(f"{c.label} {c.score:.2f}" for c in p.categories))
    if p.vague:
        bits.append("vague" + (f" ({p.vague_reason})" if p.vague_reason else ""))
    if p.copied_from is not None:
        cf = p.copied_from
        bits.append(f"copied from {cf.source} ({cf.scope}, similarity {cf.similarity:.2f})")
    refs = _refs(nums)
    return inert(f"{refs + ' ' if refs else ''}{'; '.join(bits)}: {p.text!r} at {p.start}-{p.end}")


def report_view(report: Report) -> ReportView:
    """Everything the text output shows, as plain data (pure; used by both renderers)."""
    marks = finding_numbers(report.findings)
    claims = claim_findings(report)
    claim_notes: dict[str, list[str]] = defaultdict(list)
    for c, nums in claims:
        if nums:
            for cid in c.cells:
                claim_notes[cid].append(
                    f"{cid} = {fmt_value(report.cells[cid].value) if cid in report.cells else '?'}"
                    f"  ← {c.text!r} ({fmt_value(c.value)}{c.unit}) {_refs(nums)}"
                )
    specs = [s for s in _specs(report.template) if s.id in report.cells]
    labels = _row_labels(report.template)
    grids: list[GridView] = []
    for table, title in TABLE_TITLES.items():
        tspecs = [s for s in specs if s.table == table]
        if not tspecs:
            continue
        cols: list[tuple[str, str]] = []
        row_ids: list[tuple[str, str]] = []
        for s in tspecs:
            if s.col not in (c for c, _ in cols):
                cols.append((s.col, s.col_label))
            if s.row not in (r for r, _ in row_ids):
                row_ids.append((s.row, labels.get(s.row, s.row_label)))
        col_index = {c: i for i, (c, _) in enumerate(cols)}
        row_index = {r: i for i, (r, _) in enumerate(row_ids)}
        grid = [["" for _ in cols] for _ in row_ids]
        flagged: set[tuple[int, int]] = set()
        notes: list[str] = []
        for s in tspecs:
            cell = report.cells[s.id]
            text = inert(cell.raw) if cell.kind != "number" else fmt_value(cell.value)
            ri, ci = row_index[s.row], col_index[s.col]
            if s.id in marks:
                text = f"{text} {_refs(marks[s.id])}".strip()
                flagged.add((ri, ci))
            grid[ri][ci] = text
            notes += claim_notes.get(s.id, [])
        grids.append(
            GridView(
                title=title,
                columns=tuple(label for _, label in cols),
                rows=tuple((_shorten(label), tuple(g)) for (_, label), g in zip(row_ids, grid, strict=True)),
                flagged=frozenset(flagged),
                notes=tuple(inert(n) for n in notes),
            )
        )
    known = {s.id for s in specs}
    other = tuple(
        inert(
            f"{cid} = {fmt_value(c.value) if c.kind == 'number' else c.raw}"
            + (f" {_refs(marks[cid])}" if cid in marks else "")
        )
        for cid, c in report.cells.items()
        if cid not in known
    )
    found = {s.id: s for s in report.sections}
    sections = tuple(
        (heading, inert(found[sid].heading) if sid in found else "", sid in found)
        for sid, heading in SECTIONS
    )
    meta = [
        f"format {report.format}",
        f"template {report.template or '?'}",
        f"agency {report.agency or '?'}",
        f"year {report.year if report.year is not None else '?'}",
    ]
    if report.published:
        meta.append(f"published {report.published}")
    return ReportView(
        header=inert(f"{report.source}  ({', '.join(meta)})"),
        sections=sections,
        grids=tuple(grids),
        other_cells=other,
        findings=tuple(enumerate(report.findings, 1)),
        claims=tuple(claims),
        problems=tuple(problem_findings(report)),
    )


def _refs(nums: Iterable[int]) -> str:
    nums = list(nums)
    return f"[!{','.join(map(str, nums))}]" if nums else ""


def finding_line(n: int, f: Finding) -> str:
    parts = [f"[!{n}] {f.severity} {f.rule}: {f.message}"]
    extra = []
    if f.cells:
        shown = ", ".join(f.cells[:_MAX_CELLS_SHOWN])
        more = len(f.cells) - _MAX_CELLS_SHOWN
        extra.append("cells " + shown + (f" and {more} more (all in the JSON output)" if more > 0 else ""))
    extra += [
        f"{name} {fmt_value(v)}"
        for name, v in (("expected", f.expected), ("found", f.found))
        if v not in (None, "")
    ]
    if f.claim is not None:
        extra.append(f"claim {f.claim.text!r} at {f.claim.start}-{f.claim.end}")
    elif f.start is not None:
        extra.append(f"at {f.start}-{f.end}")
    if extra:
        parts.append(f"({'; '.join(extra)})")
    return inert(" ".join(parts))


def _pad(s: str, width: int) -> str:
    return s + " " * max(0, width - cell_len(s))


def grid_lines(g: GridView) -> list[str]:
    """A table as aligned pipe rows (widths counted in display cells, so CJK lines up)."""
    label_w = max([cell_len(""), *(cell_len(r) for r, _ in g.rows)])
    widths = [
        max(cell_len(col), *(cell_len(vals[i]) for _, vals in g.rows)) for i, col in enumerate(g.columns)
    ]
    lines = [
        "| "
        + " | ".join([_pad("", label_w), *(_pad(c, w) for c, w in zip(g.columns, widths, strict=True))])
        + " |"
    ]
    for label, vals in g.rows:
        lines.append(
            "| "
            + " | ".join([_pad(label, label_w), *(_pad(v, w) for v, w in zip(vals, widths, strict=True))])
            + " |"
        )
    return lines


def render_plain(report: Report) -> str:
    """The text summary of one report, no colour or box drawing (for pipes and files)."""
    v = report_view(report)
    out = [f"== {v.header}"]
    n_found = sum(1 for *_, ok in v.sections if ok)
    out.append(f"Sections ({n_found}/{len(v.sections)} found):")
    for heading, printed, ok in v.sections:
        out.append(
            f"  [{'x' if ok else ' '}] {heading}"
            + (f"  — printed as {printed!r}" if ok and printed != heading else "")
        )
    if not v.grids and not v.other_cells:
        out.append("Tables: none read")
    for g in v.grids:
        out.append(
            f"{g.title} ({sum(1 for _, vals in g.rows for x in vals if x)} cells, {len(g.flagged)} flagged):"
        )
        out += ["  " + line for line in grid_lines(g)]
        out += ["  claim " + note for note in g.notes]
    if v.other_cells:
        out.append("Other cells: " + "; ".join(v.other_cells))
    flagged_claims = [(c, nums) for c, nums in v.claims if nums]
    out.append(f"Claims: {len(v.claims)} ({len(flagged_claims)} flagged)")
    for c, nums in flagged_claims:
        out.append(inert(claim_line(c, nums)))
    out.append(f"Findings: {len(v.findings)}")
    out += ["  " + finding_line(n, f) for n, f in v.findings]
    if v.problems:
        out.append(problems_heading(report))
        out += ["  " + problem_line(p, nums) for p, nums in v.problems]
    return "\n".join(inert(line) for line in out) + "\n"


def claim_line(c: Claim, nums: Sequence[int]) -> str:
    return f"  {_refs(nums)} {c.text!r} = {fmt_value(c.value)}{c.unit} → {', '.join(c.cells) or 'no cell'}"


def problems_heading(report: Report) -> str:
    vague = sum(1 for p in report.problems if p.vague)
    copied = sum(1 for p in report.problems if p.copied_from is not None)
    return f"Problems (section 五): {len(report.problems)} statements, {vague} vague, {copied} copied"


def render_error(error: Mapping[str, Any]) -> str:
    """One line for a failed input: the file, the reason and the code."""
    src, err = str(error["source"]), error["error"]
    msg = str(err.get("message", ""))
    code = str(err.get("code", ""))
    line = msg if msg.startswith(f"{src}: ") else f"{src}: {msg}"
    return inert(line if line.endswith(f"[{code}]") else f"{line} [{code}]")


def render_rich(report: Report) -> list[Any]:
    """The same summary as rich renderables (coloured, boxed tables) for a terminal."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    v = report_view(report)
    parts: list[Any] = [Text(v.header, style="bold")]
    sec = Table(title=Text("Sections"), box=box.SIMPLE, show_header=False)
    for heading, printed, ok in v.sections:
        sec.add_row(
            Text("✓" if ok else "✗", style="green" if ok else "red"),
            Text(heading),
            Text(printed if printed != heading else ""),
        )
    parts.append(sec)
    for g in v.grids:
        t = Table(title=Text(g.title), box=box.SIMPLE_HEAD)
        t.add_column(Text(""))
        for c in g.columns:
            t.add_column(Text(c), justify="right")
        for ri, (label, vals) in enumerate(g.rows):
            t.add_row(
                Text(label),
                *(Text(x, style="bold red" if (ri, ci) in g.flagged else "") for ci, x in enumerate(vals)),
            )
        parts.append(t)
        parts += [Text("  claim " + note, style="yellow") for note in g.notes]
    if v.other_cells:
        parts.append(Text("Other cells: " + "; ".join(v.other_cells)))
    flagged_claims = [(c, nums) for c, nums in v.claims if nums]
    parts.append(Text(f"Claims: {len(v.claims)} ({len(flagged_claims)} flagged)", style="bold"))
    parts += [Text(inert(claim_line(c, nums)), style="yellow") for c, nums in flagged_claims]
    parts.append(Text(f"Findings: {len(v.findings)}", style="bold"))
    styles = {"error": "red", "warning": "yellow", "info": "cyan"}
    parts += [Text("  " + finding_line(n, f), style=styles.get(f.severity, "")) for n, f in v.findings]
    if v.problems:
        parts.append(Text(problems_heading(report), style="bold"))
        parts += [Text("  " + problem_line(p, nums)) for p, nums in v.problems]
    return parts


def summary_lines(
    *,
    total: int,
    analysed: int,
    failed: int,
    resumed: int,
    findings_by_rule: Mapping[str, int],
    failures: Sequence[tuple[str, str]],
    warnings: Sequence[str] = (),
    seconds: float | None = None,
) -> list[str]:
    """The end-of-batch summary: counts, findings by rule, what failed and why."""
    head = f"analysed {analysed}, failed {failed} (of {total}; {resumed} resumed)"
    if seconds is not None:
        head += f" in {seconds:.1f} s"
    out = [head]
    n = sum(findings_by_rule.values())
    out.append(f"findings: {n}" + (" by rule:" if n else ""))
    out += [f"  {rule:<28} {count}" for rule, count in findings_by_rule.items()]
    if failures:
        out.append("failed:")
        out += [inert(f"  {msg}" if msg.startswith(src) else f"  {src}: {msg}") for src, msg in failures]
    out += [inert(f"warning: {w}") for w in warnings]
    return out
