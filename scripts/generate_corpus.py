"""Write the bundled synthetic reports (``corpora/samples``) and their gold, deterministically.

The project ships no third-party text, so its demo and CI corpus is written here from the
schema: fictional bodies, tables that obey the official arithmetic, narrative figures that
agree with the tables, and a few errors injected on purpose and recorded in the gold (same
shape as the real gold: cells, arithmetic_errors with rule + cells, narrative_errors).

Beyond the real gold's keys each gold file has ``claims`` (every figure the narrative wrote:
value, unit, metric, the cells it should equal; ``start``/``end``/``sha1`` into the file text
for TXT/MD), ``injected`` (what was broken on purpose), and for the two one-body series
``previous`` (last year's sample), ``cross_year_errors`` (carry-over / 现行有效 continuity) and
``copied_statements`` (section 五 repeated from last year). ``ambiguous`` lists cells printed
in a misleading way (a number written as single digits) with the value meant.

    python scripts/generate_corpus.py [--out corpora/samples] [--bad-out corpora/bad] [--seed N] [--count N]

TXT/MD/HTML are reproduced byte-for-byte from the same seed; DOCX and PDF too (fixed zip
timestamps, fixed core properties, reportlab ``invariant``).
"""

from __future__ import annotations

import argparse
import hashlib
import html
import io
import json
import random
import sys
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from nlp_pipeline.schema import (  # noqa: E402
    APPLICANT_COLUMNS,
    SECTIONS,
    T4_BLOCKS,
    T4_COLUMNS,
    Template,
    application_rows,
    cell_specs,
)

Fmt = Literal["txt", "md", "html", "docx", "pdf"]
Layout = Literal["2019", "2021", "mixed"]
Injection = Literal[
    "row_sum", "outcomes_off", "t4_block", "blank_total", "narrative", "split_digits", "carryover"
]
Value = float | None

COLS: tuple[str, ...] = tuple(c for c, _ in APPLICANT_COLUMNS)
PART_COLS: tuple[str, ...] = COLS[:-1]
T4_PARTS: tuple[str, ...] = tuple(c for c, _ in T4_COLUMNS if c != "total")
GROUPED_TOP = "三、本年度办理结果"


# --------------------------------------------------------------------------- plan


@dataclass(frozen=True, slots=True)
class Plan:
    """What one sample is: format, template layout, year and the quirks/errors it carries."""

    fmt: Fmt
    layout: Layout
    year: int
    injections: tuple[Injection, ...] = ()
    blank_style: str = ""  # "", "/", "-": how zero cells outside totals are sometimes left
    t4_all_blank: bool = False
    gbk: bool = False
    split_spans: bool = False
    heading_variant: bool = False
    ascii_punct: bool = False  # half-width （）： as some CMS exports print them
    meta_table: bool = False  # the site's 索引号/发布机构 table above the article
    word_cells: bool = False  # Word-pasted cells: <p><span> inside every <td>
    previous: int | None = None  # index of the same body's report for the year before
    copy_problems: bool = False  # section 五 repeats last year's (the statute forbids it)
    body_of: int | None = None  # take the body (agency) of that sample: the two form a series


BASE_PLANS: tuple[Plan, ...] = (
    Plan("txt", "2021", 2025, ascii_punct=True, previous=8, copy_problems=True),
    Plan("txt", "2019", 2020, ("row_sum",), blank_style="/"),
    Plan("txt", "mixed", 2021, ("split_digits",)),
    Plan("md", "2021", 2023, ("outcomes_off", "carryover"), heading_variant=True, previous=6),
    Plan("md", "2019", 2020, ("narrative",), blank_style="/"),
    Plan("html", "2021", 2024, ("t4_block",), meta_table=True),
    Plan("html", "2021", 2022, gbk=True, blank_style="-", meta_table=True, word_cells=True, body_of=3),
    Plan("html", "2021", 2023, ("blank_total",), split_spans=True),
    Plan("docx", "2021", 2024, heading_variant=True, body_of=0),
    Plan("docx", "2019", 2020, ("narrative",)),
    Plan("pdf", "2021", 2025, blank_style="-"),
    Plan("pdf", "2021", 2022, t4_all_blank=True),
)

PLACES: tuple[tuple[str, str], ...] = (
    ("示例市", "shili"),
    ("样板县", "yangban"),
    ("虚拟区", "xuni"),
    ("演示市", "yanshi"),
    ("模拟县", "moni"),
    ("范例市", "fanli"),
)
BODIES: tuple[tuple[str, str], ...] = (
    ("人力资源和社会保障局", "rsj"),
    ("自然资源局", "zrj"),
    ("财政局", "czj"),
    ("交通运输局", "jtj"),
    ("生态环境局", "sthj"),
    ("市场监督管理局", "scjg"),
    ("卫生健康委员会", "wjw"),
    ("教育局", "jyj"),
    ("住房和城乡建设局", "zjj"),
    ("农业农村局", "nyj"),
    ("人民政府办公室", "zfb"),
    ("文化和旅游局", "wlj"),
)


def plans(count: int) -> list[Plan]:
    """The first ``count`` plans; beyond the base set the formats repeat with later years."""
    out = []
    for i in range(count):
        p = BASE_PLANS[i % len(BASE_PLANS)]
        if i >= len(BASE_PLANS):
            p = replace(p, previous=None, body_of=None, copy_problems=False)
            if p.layout != "2019":
                p = replace(p, year=2021 + (p.year + i) % 5)
        if p.previous is not None and p.previous >= count:
            p = replace(p, previous=None, copy_problems=False)
        out.append(p)
    return out


def template_of(layout: Layout) -> Template:
    return "2019" if layout == "2019" else "2021"


def row_ids(layout: Layout) -> list[str]:
    """表三 row ids; the mixed layout is 2021 with the 2019 single （六）其他处理 row."""
    rows = [r.id for r in application_rows(template_of(layout))]
    if layout != "mixed":
        return rows
    rows = [r for r in rows if not r.startswith("apply.other.")]
    rows.insert(rows.index("apply.total_processed"), "apply.other")
    return rows


def outcome_rows(layout: Layout) -> list[str]:
    skip = {"apply.new", "apply.carried_over", "apply.total_processed", "apply.carried_forward"}
    return [r for r in row_ids(layout) if r not in skip]


def all_cell_ids(layout: Layout) -> list[str]:
    tmpl = template_of(layout)
    active = [s.id for s in cell_specs(tmpl) if s.table == "active"]
    apply = [f"{r}.{c}" for r in row_ids(layout) for c in COLS]
    t4 = [f"{b}.{c}" for b, _ in T4_BLOCKS for c, _ in T4_COLUMNS]
    return active + apply + t4


# --------------------------------------------------------------------------- figures


def make_cells(rng: random.Random, layout: Layout, prev: dict[str, Value] | None = None) -> dict[str, Value]:
    """Consistent figures: row sums, outcome sums, the identity and 表四 blocks all hold.

    With ``prev`` (last year's cells of the same body) the carry-over and 现行有效 continue it.
    """
    cells: dict[str, Value] = {}
    for cid in all_cell_ids(layout):
        if cid.startswith("active."):
            cells[cid] = _active_value(rng, cid)
    for row in ("active.rules", "active.normative_docs"):
        if f"{row}.in_force" in cells:  # what is in force includes this year's net additions
            floor = (cells[f"{row}.issued"] or 0) - (cells[f"{row}.repealed"] or 0)
            cells[f"{row}.in_force"] = float(
                max(floor, 0) + rng.randint(0, 60 if row.endswith("docs") else 6)
            )
        else:
            cells[f"{row}.total_public"] = float((cells[f"{row}.published"] or 0) + rng.randint(0, 80))
        if prev is not None and prev.get(f"{row}.in_force") is not None and f"{row}.in_force" in cells:
            last, issued = prev[f"{row}.in_force"] or 0, cells[f"{row}.issued"] or 0
            repealed = min(cells[f"{row}.repealed"] or 0, last + issued)
            cells[f"{row}.repealed"] = repealed
            cells[f"{row}.in_force"] = last + issued - repealed
    outs = outcome_rows(layout)
    weights = {r: 1.0 for r in outs}
    for r, w in (
        ("apply.granted", 8),
        ("apply.partial", 3),
        ("apply.unable.not_held", 5),
        ("apply.rejected.duplicate", 1.5),
    ):
        if r in weights:
            weights[r] = w
    for col in PART_COLS:
        scale = {"natural": 60, "commercial": 12, "legal": 5}.get(col, 2)
        new = rng.randint(11, scale) if col == "natural" else rng.choice([0, 0, 0, rng.randint(0, scale)])
        carried_over = rng.choice([0, 0, rng.randint(0, max(1, new // 6))])
        if prev is not None:
            carried_over = int(prev[f"apply.carried_forward.{col}"] or 0)
        forward = rng.choice([0, 0, rng.randint(0, max(0, (new + carried_over) // 5))])
        done = new + carried_over - forward
        split = dict.fromkeys(outs, 0)
        for _ in range(done):
            split[rng.choices(outs, weights=[weights[r] for r in outs])[0]] += 1
        cells[f"apply.new.{col}"] = float(new)
        cells[f"apply.carried_over.{col}"] = float(carried_over)
        for r in outs:
            cells[f"{r}.{col}"] = float(split[r])
        cells[f"apply.total_processed.{col}"] = float(done)
        cells[f"apply.carried_forward.{col}"] = float(forward)
    for r in row_ids(layout):
        cells[f"{r}.total"] = float(sum(cells[f"{r}.{c}"] or 0 for c in PART_COLS))
    for blk, _ in T4_BLOCKS:
        parts = [rng.choice([0, 0, 0, 1, rng.randint(0, 4)]) for _ in T4_PARTS]
        for c, v in zip(T4_PARTS, parts, strict=True):
            cells[f"{blk}.{c}"] = float(v)
        cells[f"{blk}.total"] = float(sum(parts))
    return cells


def _active_value(rng: random.Random, cid: str) -> float:
    row, col = cid.rsplit(".", 1)
    if row == "active.rules":
        return float(rng.choice([0, 0, 0, 1, 2]) if col != "total_public" else rng.randint(0, 9))
    if col in ("issued", "made", "published"):
        return float(rng.randint(0, 14))
    if col == "repealed":
        return float(rng.randint(0, 4))
    if col in ("in_force", "total_public"):
        return float(rng.randint(15, 90))
    if col == "amount_wan":
        return round(rng.randint(0, 9000) / 10, 1)
    if col == "delta":
        return float(rng.randint(-12, 20))
    if col == "prev_items":
        return float(rng.randint(0, 300))
    if col == "items":
        return float(rng.randint(1, 40))
    if col == "amount":
        return round(rng.randint(10000, 9999999) / 100, 2)
    return float(rng.choice([0, rng.randint(0, 40), rng.randint(10, 900)]))


def blank_some(rng: random.Random, cells: dict[str, Value], layout: Layout) -> set[str]:
    """Zero cells (never totals, never 自然人) the report leaves blank/'/'/'-'; gold says null."""
    zeros = [
        f"{r}.{c}"
        for r in row_ids(layout)
        for c in PART_COLS[1:]
        if cells[f"{r}.{c}"] == 0 and r not in ("apply.total_processed", "apply.carried_forward")
    ]
    chosen = set(rng.sample(zeros, k=min(len(zeros), rng.randint(4, 9))))
    for cid in chosen:
        cells[cid] = None
    return chosen


# --------------------------------------------------------------------------- arithmetic


def check_arithmetic(cells: dict[str, Value], layout: Layout) -> list[dict[str, Any]]:
    """The reference rules, with the real gold's cell conventions (see shared/corpora/real/gold)."""
    out: list[dict[str, Any]] = []

    def v(cid: str) -> float:
        return cells.get(cid) or 0.0

    for r in row_ids(layout):
        total = cells.get(f"{r}.total")
        parts = sum(v(f"{r}.{c}") for c in PART_COLS)
        if total is None:
            if parts > 0:
                out.append({"rule": "blank_total", "cells": [f"{r}.total"]})
        elif abs(total - parts) > 1e-9:
            out.append({"rule": "row_sum", "cells": [f"{r}.total"]})
    for c in COLS:
        tp = cells.get(f"apply.total_processed.{c}")
        if tp is not None and abs(tp - sum(v(f"{r}.{c}") for r in outcome_rows(layout))) > 1e-9:
            out.append({"rule": "outcomes_sum", "cells": [f"apply.total_processed.{c}"]})
        lhs = v(f"apply.new.{c}") + v(f"apply.carried_over.{c}")
        if abs(lhs - v(f"apply.total_processed.{c}") - v(f"apply.carried_forward.{c}")) > 1e-9:
            out.append(
                {
                    "rule": "identity",
                    "cells": [f"apply.total_processed.{c}", f"apply.carried_forward.{c}", f"apply.new.{c}"],
                }
            )
    for blk, _ in T4_BLOCKS:
        total = cells.get(f"{blk}.total")
        parts = sum(v(f"{blk}.{c}") for c in T4_PARTS)
        if total is None:
            if parts > 0:
                out.append({"rule": "blank_total", "cells": [f"{blk}.total"]})
        elif abs(total - parts) > 1e-9:
            out.append({"rule": "t4_block", "cells": [f"{blk}.total"]})
    return out


def check_cross_year(cells: dict[str, Value], prev: dict[str, Value]) -> list[dict[str, Any]]:
    """Continuity with last year's report: 上年结转 = last 结转下年度; 现行有效 carries on."""
    out: list[dict[str, Any]] = []
    bad = [
        f"apply.carried_over.{c}"
        for c in COLS
        if prev.get(f"apply.carried_forward.{c}") is not None
        and cells.get(f"apply.carried_over.{c}") is not None
        and prev[f"apply.carried_forward.{c}"] != cells[f"apply.carried_over.{c}"]
    ]
    if bad:
        out.append({"rule": "carryover_mismatch", "cells": bad})
    for row in ("active.rules", "active.normative_docs"):
        ids = [f"{row}.in_force", f"{row}.issued", f"{row}.repealed"]
        vals = [cells.get(i) for i in ids]
        last = prev.get(f"{row}.in_force")
        if last is None or any(v is None for v in vals):
            continue
        now, issued, repealed = (v or 0.0 for v in vals)
        if last + issued - repealed != now:
            out.append({"rule": "in_force_continuity", "cells": ids})
    return out


def inject(rng: random.Random, cells: dict[str, Value], layout: Layout, kind: Injection) -> str:
    """Break the figures the way real reports do; returns a note for the gold."""
    k = rng.randint(1, 3)
    if kind == "row_sum":
        # only rows whose parts are all figures: over a '/' part the rule's verdict is a policy choice
        def full(r: str) -> bool:
            return all(cells[f"{r}.{c}"] is not None for c in PART_COLS)

        preferred = [r for r in ("apply.granted", "apply.new", "apply.unable.not_held") if full(r)]
        row = rng.choice(preferred or [r for r in outcome_rows(layout) if full(r)])
        cells[f"{row}.total"] = (cells[f"{row}.total"] or 0) + k
        return f"row_sum: {row}.total written {k} too high"
    if kind == "outcomes_off":
        for c in ("natural", "total"):
            cells[f"apply.total_processed.{c}"] = (cells[f"apply.total_processed.{c}"] or 0) + k
        return f"outcomes_sum+identity: （七）总计 of 自然人 and 总计 columns {k} too high"
    if kind == "carryover":  # this year's 上年结转 disagrees with last year's 结转下年度
        for row in ("apply.carried_over", "apply.granted", "apply.total_processed"):
            for c in ("natural", "total"):
                cells[f"{row}.{c}"] = (cells[f"{row}.{c}"] or 0) + k
        return f"carryover: 上年结转 (自然人) {k} more than last year's 结转下年度; this year's table stays consistent"
    if kind == "t4_block":
        cells["review.total"] = (cells["review.total"] or 0) + k
        return f"t4_block: 行政复议 总计 {k} too high"
    if kind == "blank_total":
        blk = "litigation_direct"
        if sum(cells[f"{blk}.{c}"] or 0 for c in T4_PARTS) == 0:
            cells[f"{blk}.upheld"] = 1.0
        cells[f"{blk}.total"] = None
        return f"blank_total: {blk}.total left blank over non-blank parts"
    return ""


# --------------------------------------------------------------------------- narrative


@dataclass(frozen=True, slots=True)
class Fig:
    """A figure written in the narrative: what it says and which cells it should agree with."""

    value: float
    unit: str
    metric: str
    cells: tuple[str, ...] = ()
    table_value: float | None = None

    @property
    def text(self) -> str:
        return f"{fmt_num(self.value)}{self.unit}"


Seg = str | Fig


@dataclass(frozen=True, slots=True)
class Para:
    kind: Literal["title", "meta", "heading", "subheading", "text", "table"]
    segs: tuple[Seg, ...] = ()
    table: str = ""  # "t2", "t3", "t4"

    @property
    def text(self) -> str:
        return "".join(s if isinstance(s, str) else s.text for s in self.segs)


@dataclass(slots=True)
class Sample:
    plan: Plan
    stem: str
    agency: str
    cells: dict[str, Value]
    raw: dict[str, str]
    paras: list[Para]
    notes: list[str] = field(default_factory=list)
    ambiguous: list[dict[str, Any]] = field(default_factory=list)
    narrative_errors: list[Fig] = field(default_factory=list)
    previous: Sample | None = None
    problem_items: list[int] = field(default_factory=list)
    copied_statements: list[str] = field(default_factory=list)


def fmt_num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:.2f}".rstrip("0")


CHANNELS = ("政府门户网站", "部门网站", "政务新媒体", "政务公开栏")
OPENINGS = (
    "{year}年，我{short}以《中华人民共和国政府信息公开条例》为遵循，把政务公开融入业务工作全过程，围绕群众关心的事项做好公开，各项工作有序开展。",
    "{year}年，我{short}在上级政务公开部门指导下，对照年度工作要点逐项落实，公开内容更加充实，办理程序更加规范。",
    "{year}年，我{short}坚持“以公开为常态、不公开为例外”，统筹推进主动公开、依申请公开和平台建设，政府信息公开质量稳步提高。",
)
ACTIVE_LEADS = (
    "全年通过{ch}主动公开政府信息",
    "本年度依托{ch}发布各类政府信息",
    "一年来，通过{ch}公开政务信息",
)
APPLY_LEADS = (
    "全年新收政府信息公开申请",
    "本年度共收到政府信息公开申请",
    "全年受理群众和企业提出的政府信息公开申请",
)
MGMT = (
    "落实公开前保密审查和合法性审查，对拟公开信息逐条把关，全年未发生泄密或不当公开问题。",
    "建立政府信息动态更新台账，对已公开的政策文件逐件标注效力状态，便于公众查阅。",
    "组织对本单位规范性文件开展集中清理，及时公布清理结果。",
)
PLATFORM = (
    "优化门户网站信息公开专栏，调整栏目设置，修复失效链接，提升检索功能的准确性。",
    "加强政务新媒体日常监管，落实内容审核和值班值守制度，保障账号安全规范运行。",
    "推进线上线下公开渠道融合，在办事大厅设置查阅点，方便群众就近获取信息。",
)
SUPERVISION = (
    (
        "将政务公开纳入年度目标考核，开展业务培训",
        "次",
        "，本年度未发生因政府信息公开工作引发的责任追究情况。",
    ),
    ("定期对公开工作进行自查，组织专题培训", "场", "，推动工作人员熟悉公开规范。"),
)
AREAS = (
    "政策文件栏目",
    "重点领域信息公开",
    "政务新媒体",
    "依申请公开办理",
    "政策解读",
    "政府信息公开指南",
    "基层政务公开",
    "统计数据发布",
    "意见征集",
    "网站检索服务",
)
ISSUES = (  # (what is wrong, what will be done): combined with an area into one statement each
    ("更新不够及时，个别信息发布滞后于工作进度", "建立发布时限提醒和定期巡查机制，确保信息及时更新"),
    ("内容不够完整，部分事项只公布结果、缺少过程信息", "细化公开清单，把过程信息和结果信息一并公开"),
    ("形式较为单一，图表、音视频运用偏少", "丰富呈现形式，增加图解、短视频等易懂的产品"),
    ("规范化程度有待提高，格式和要素不够统一", "制定统一的格式规范和要素清单，实行发布前审核"),
    ("与群众的互动回应不够充分，意见反馈不及时", "建立意见办理和反馈时限制度，定期公开回应情况"),
)
PAIRS: tuple[tuple[int, int], ...] = tuple((a, i) for a in range(len(AREAS)) for i in range(len(ISSUES)))


def problem_text(pair: int) -> str:
    a, i = PAIRS[pair]
    return AREAS[a] + ISSUES[i][0]


def measure_text(pair: int) -> str:
    a, i = PAIRS[pair]
    return f"针对{AREAS[a]}，{ISSUES[i][1]}"


TABLE_INTROS = (
    (
        "本机关主动公开政府信息的有关数据见下表。",
        "根据条例第二十条规定，本年度主动公开政府信息情况统计如下。",
    ),
    ("本年度收到和处理政府信息公开申请的情况如下表所示。", "依申请公开办理情况统计如下。"),
)
FEE_SENTENCES = (
    "本年度未收取政府信息公开信息处理费。",
    "{year}年，本机关未向申请人收取信息处理费。",
)
FEE_CHARGED = "本年度依据《政府信息公开信息处理费管理办法》，共收取信息处理费"


def heading_text(sid: str, label: str, variant: bool) -> str:
    if not variant:
        return label
    return {
        "active_disclosure": "二、主动公开政府信息情况",
        "problems": "五、政府信息公开工作存在的主要问题及改进情况",
        "other_matters": "六、其他需要报告的事项",
    }.get(sid, label)


def narrative_view(cells: dict[str, Value]) -> dict[str, float]:
    """The figures the writer knew: a total the table left blank is still the sum of its parts."""
    out = {k: v or 0.0 for k, v in cells.items()}
    for k, v in cells.items():
        if v is None and k.endswith(".total"):
            row = k[: -len(".total")]
            out[k] = sum(x or 0.0 for kk, x in cells.items() if kk.rsplit(".", 1)[0] == row and kk != k)
    return out


def narrative(
    rng: random.Random,
    plan: Plan,
    agency: str,
    cells: dict[str, Value],
    *,
    previous_items: Sequence[int] = (),
    fresh_items: Sequence[int] = (),
) -> tuple[list[Para], list[int]]:
    """Paragraphs of the six sections, tables placed where the format puts them."""
    year = plan.year
    short = "局" if agency.endswith("局") else ("委" if agency.endswith("委员会") else "办")
    c = narrative_view(cells)
    paras: list[Para] = [
        Para("title", (f"{agency}{year}年政府信息公开工作年度报告",)),
        Para("meta", (f"（{year + 1}年1月{rng.randint(8, 28)}日）",)),
        Para(
            "text",
            (
                f"本报告依据《中华人民共和国政府信息公开条例》编制，由总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、"
                f"政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项六部分组成。报告中数据统计期限为{year}年1月1日至{year}年12月31日。",
            ),
        ),
    ]
    heads = {sid: heading_text(sid, label, plan.heading_variant) for sid, label in SECTIONS}
    paras.append(Para("heading", (heads["overview"],)))
    paras.append(Para("text", (rng.choice(OPENINGS).format(year=year, short=short),)))
    published = rng.randint(120, 2600)
    interp = rng.randint(3, 40)
    ch = rng.choice(CHANNELS)
    paras.append(Para("subheading", ("（一）主动公开",)))
    active_docs = (
        Fig(
            c["active.normative_docs.issued"],
            "件",
            "normative_docs_issued",
            ("active.normative_docs.issued",),
        )
        if plan.layout != "2019"
        else Fig(
            c["active.normative_docs.made"], "件", "normative_docs_made", ("active.normative_docs.made",)
        )
    )
    paras.append(
        Para(
            "text",
            (
                rng.choice(ACTIVE_LEADS).format(ch=ch),
                Fig(published, "条", "active_published"),
                "，其中发布政策解读",
                Fig(interp, "篇", "policy_interpretations"),
                "；本年" + ("制发" if plan.layout != "2019" else "新制作") + "规范性文件",
                active_docs,
                "，均按规定向社会公开。",
            ),
        )
    )
    paras.append(Para("subheading", ("（二）依申请公开",)))
    new_fig = Fig(c["apply.new.total"], "件", "applications_new", ("apply.new.total",))
    done_fig = Fig(
        c["apply.total_processed.total"], "件", "applications_processed", ("apply.total_processed.total",)
    )
    granted_fig = Fig(c["apply.granted.total"], "件", "applications_granted", ("apply.granted.total",))
    if "narrative" in plan.injections:
        # a wrong figure no other reading explains (e.g. new + carried over, or processed)
        readings = {
            c["apply.new.total"] + c["apply.carried_over.total"],
            c["apply.total_processed.total"],
            c["apply.total_processed.total"] + c["apply.carried_forward.total"],
            c["apply.granted.total"],
        }
        offsets = [
            d for d in (-3, -2, 2, 3, 5, 7) if new_fig.value + d not in readings and new_fig.value + d > 0
        ]
        wrong = new_fig.value + rng.choice(offsets)
        new_fig = replace(new_fig, value=wrong, table_value=new_fig.value)
    segs: list[Seg] = [rng.choice(APPLY_LEADS), new_fig]
    if c["apply.carried_over.total"]:
        segs += [
            "，上年结转",
            Fig(
                c["apply.carried_over.total"],
                "件",
                "applications_carried_over",
                ("apply.carried_over.total",),
            ),
        ]
    segs += ["，已办结", done_fig, "，其中予以公开", granted_fig]
    if c["apply.carried_forward.total"]:
        segs += [
            "，结转下年度继续办理",
            Fig(
                c["apply.carried_forward.total"],
                "件",
                "applications_carried_forward",
                ("apply.carried_forward.total",),
            ),
        ]
    segs.append("。" if c["apply.carried_forward.total"] else "。所有申请均在法定期限内答复。")
    paras.append(Para("text", tuple(segs)))
    paras.append(Para("subheading", ("（三）政府信息管理",)))
    paras.append(Para("text", (rng.choice(MGMT),)))
    paras.append(Para("subheading", ("（四）平台建设",)))
    paras.append(Para("text", (rng.choice(PLATFORM),)))
    paras.append(Para("subheading", ("（五）监督保障",)))
    train = rng.randint(1, 6)
    pre, unit, post = rng.choice(SUPERVISION)
    paras.append(Para("text", (pre, Fig(train, unit, "trainings"), post)))
    paras.append(Para("heading", (heads["active_disclosure"],)))
    if rng.random() < 0.5:
        paras.append(Para("text", (rng.choice(TABLE_INTROS[0]),)))
    paras.append(Para("table", table="t2"))
    paras.append(Para("heading", (heads["applications"],)))
    if rng.random() < 0.5:
        paras.append(Para("text", (rng.choice(TABLE_INTROS[1]),)))
    paras.append(Para("table", table="t3"))
    paras.append(Para("heading", (heads["review_litigation"],)))
    review = Fig(c["review.total"], "件", "review_cases", ("review.total",))
    lit = Fig(
        c["litigation_direct.total"] + c["litigation_after_review.total"],
        "件",
        "litigation_cases",
        ("litigation_direct.total", "litigation_after_review.total"),
    )
    if not plan.t4_all_blank:
        paras.append(
            Para("text", ("本年度因政府信息公开工作被申请行政复议", review, "，被提起行政诉讼", lit, "。"))
        )
    paras.append(Para("table", table="t4"))
    paras.append(Para("heading", (heads["problems"],)))
    n_prob = rng.choice([2, 3])
    idx = list(previous_items) if plan.copy_problems else list(fresh_items[:n_prob])
    ords = ("一是", "二是", "三是")
    probs = "；".join(f"{ords[i]}{problem_text(j)}" for i, j in enumerate(idx))
    meas = "；".join(f"{ords[i]}{measure_text(j)}" for i, j in enumerate(idx))
    paras.append(
        Para("text", (f"{year}年本{short}政府信息公开工作取得一定成效，但仍存在一些不足：{probs}。",))
    )
    paras.append(Para("text", (f"下一步，我{short}将重点做好以下工作：{meas}。",)))
    paras.append(Para("heading", (heads["other_matters"],)))
    if rng.random() < 0.3:
        fee = Fig(rng.choice([20, 40, 100]), "元", "processing_fee")
        paras.append(Para("text", (FEE_CHARGED, fee, "。")))
    else:
        paras.append(Para("text", (rng.choice(FEE_SENTENCES).format(year=year),)))
    paras.append(
        Para("text", (f"本年度无其他需要报告的事项。{agency}政务公开工作领导小组办公室负责本报告的解释。",))
    )
    return paras, idx


# --------------------------------------------------------------------------- table grids


@dataclass(frozen=True, slots=True)
class GCell:
    text: str
    rowspan: int = 1
    colspan: int = 1
    cid: str = ""  # the schema cell this value belongs to, "" for labels


Grid = list[list[GCell]]


def grid_t2(layout: Layout, raw: dict[str, str]) -> tuple[Grid, int]:
    def val(cid: str, span: int = 1) -> GCell:
        return GCell(raw[cid], 1, span, cid)

    def head(text: str) -> list[GCell]:
        return [GCell(text, 1, 4)]

    if layout == "2019":
        docs = ("本年新制作数量", "本年新公开数量", "对外公开总数量")
        items = ("上一年项目数量", "本年增/减", "处理决定数量")
        g: Grid = [head("第二十条第（一）项"), [GCell("信息内容"), *(GCell(t) for t in docs)]]
        for rid, label in (("rules", "规章"), ("normative_docs", "规范性文件")):
            g.append(
                [GCell(label), *(val(f"active.{rid}.{c}") for c in ("made", "published", "total_public"))]
            )
        g += [head("第二十条第（五）项"), [GCell("信息内容"), *(GCell(t) for t in items)]]
        for rid, label in (("licensing", "行政许可"), ("other_services", "其他对外管理服务事项")):
            g.append(
                [GCell(label), *(val(f"active.{rid}.{c}") for c in ("prev_items", "delta", "decisions"))]
            )
        g += [head("第二十条第（六）项"), [GCell("信息内容"), *(GCell(t) for t in items)]]
        for rid, label in (("penalty", "行政处罚"), ("coercion", "行政强制")):
            g.append(
                [GCell(label), *(val(f"active.{rid}.{c}") for c in ("prev_items", "delta", "decisions"))]
            )
        g += [head("第二十条第（八）项"), [GCell("信息内容"), GCell(items[0]), GCell(items[1], 1, 2)]]
        g.append([GCell("行政事业性收费"), val("active.fees.prev_items"), val("active.fees.delta", 2)])
        g += [
            head("第二十条第（九）项"),
            [GCell("信息内容"), GCell("采购项目数量"), GCell("采购总金额", 1, 2)],
        ]
        g.append(
            [GCell("政府集中采购"), val("active.procurement.items"), val("active.procurement.amount", 2)]
        )
        return g, 4
    docs = ("本年制发件数", "本年废止件数", "现行有效件数")
    g = [head("第二十条第（一）项"), [GCell("信息内容"), *(GCell(t) for t in docs)]]
    for rid, label in (("rules", "规章"), ("normative_docs", "行政规范性文件")):
        g.append([GCell(label), *(val(f"active.{rid}.{c}") for c in ("issued", "repealed", "in_force"))])
    g += [head("第二十条第（五）项"), [GCell("信息内容"), GCell("本年处理决定数量", 1, 3)]]
    g.append([GCell("行政许可"), val("active.licensing.decisions", 3)])
    g += [head("第二十条第（六）项"), [GCell("信息内容"), GCell("本年处理决定数量", 1, 3)]]
    g.append([GCell("行政处罚"), val("active.penalty.decisions", 3)])
    g.append([GCell("行政强制"), val("active.coercion.decisions", 3)])
    g += [head("第二十条第（八）项"), [GCell("信息内容"), GCell("本年收费金额（单位：万元）", 1, 3)]]
    g.append([GCell("行政事业性收费"), val("active.fees.amount_wan", 3)])
    return g, 4


def grid_t3(layout: Layout, raw: dict[str, str]) -> tuple[Grid, int]:
    g: Grid = [
        [
            GCell("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3),
            GCell("申请人情况", 1, 7),
        ],
        [GCell("自然人", 2), GCell("法人或其他组织", 1, 5), GCell("总计", 2)],
        [
            GCell("商业\n企业"),
            GCell("科研\n机构"),
            GCell("社会公益组织"),
            GCell("法律服务机构"),
            GCell("其他"),
        ],
    ]
    labels = {r.id: r for r in application_rows(template_of(layout))}
    labels["apply.other"] = application_rows("2019")[-3]
    rows = row_ids(layout)
    outs = [*outcome_rows(layout), "apply.total_processed"]
    seen_groups: set[str] = set()
    for rid in rows:
        vals = [GCell(raw[f"{rid}.{c}"], cid=f"{rid}.{c}") for c in COLS]
        spec = labels[rid]
        lead: list[GCell] = []
        if rid == outs[0]:
            lead.append(GCell(GROUPED_TOP, len(outs)))
        if rid not in outs:
            lead.append(GCell(spec.label, 1, 3))
        elif spec.group.startswith("（"):
            if spec.group not in seen_groups:
                seen_groups.add(spec.group)
                n = sum(1 for r in rows if labels[r].group == spec.group)
                lead.append(GCell(spec.group, n))
            lead.append(GCell(spec.label))
        else:
            lead.append(GCell(spec.label, 1, 2))
        g.append(lead + vals)
    return g, 10


def grid_t4(raw: dict[str, str]) -> tuple[Grid, int]:
    heads = [GCell("结果维持"), GCell("结果\n纠正"), GCell("其他\n结果"), GCell("尚未\n审结"), GCell("总计")]
    g: Grid = [
        [GCell("行政复议", 1, 5), GCell("行政诉讼", 1, 10)],
        [*(replace(h, rowspan=2) for h in heads), GCell("未经复议直接起诉", 1, 5), GCell("复议后起诉", 1, 5)],
        [*heads, *heads],
        [GCell(raw[f"{b}.{c}"], cid=f"{b}.{c}") for b, _ in T4_BLOCKS for c, _ in T4_COLUMNS],
    ]
    return g, 15


def positions(grid: Grid, width: int) -> Iterator[tuple[int, int, GCell]]:
    """(row, col, cell) of every anchor, resolving row/col spans like a browser does."""
    taken: set[tuple[int, int]] = set()
    for r, row in enumerate(grid):
        col = 0
        for cell in row:
            while (r, col) in taken:
                col += 1
            yield r, col, cell
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, col + dc))
            col += cell.colspan
        if col > width:
            raise ValueError(f"row {r} wider than {width}")


def grids(sample: Sample) -> dict[str, tuple[Grid, int]]:
    return {
        "t2": grid_t2(sample.plan.layout, sample.raw),
        "t3": grid_t3(sample.plan.layout, sample.raw),
        "t4": grid_t4(sample.raw),
    }


# --------------------------------------------------------------------------- renderers


def flat_rows(grid: Grid, width: int) -> list[list[str]]:
    """Rows as a browser copy flattens them: each row's own cells, padded to the grid width."""
    return [[c.text.replace("\n", " ") for c in row] + [""] * (width - len(row)) for row in grid]


def pipe_line(cells: Sequence[str]) -> str:
    """One flattened row in the TXT style: ``a | b | c | ||`` (trailing empties collapse)."""
    out = ""
    prev_full = False
    for c in cells:
        if c:
            out += (" " if out else "") + f"{c} |"
        else:
            out += " |" if prev_full else "|"
        prev_full = bool(c)
    return out


class TextOut:
    """Accumulates text and records where each narrative figure lands (offsets for the gold)."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.spans: list[tuple[Fig, int, int]] = []

    def add(self, s: str) -> None:
        self.parts.append(s)
        self.pos += len(s)

    def para(self, p: Para, prefix: str = "") -> None:
        self.add(prefix)
        for s in p.segs:
            if isinstance(s, Fig):
                self.spans.append((s, self.pos, self.pos + len(s.text)))
                self.add(s.text)
            else:
                self.add(s)
        self.add("\n")

    @property
    def text(self) -> str:
        return "".join(self.parts)


def render_txt(sample: Sample) -> TextOut:
    out = TextOut()
    gs = grids(sample)
    for p in sample.paras:
        if p.kind == "table":
            for row in flat_rows(*gs[p.table]):
                out.add(pipe_line(row) + "\n")
        else:
            out.para(p)
    if sample.plan.ascii_punct:  # one char for one char: offsets stay valid
        out.parts = [x.translate(HALF_WIDTH) for x in out.parts]
    return out


HALF_WIDTH = str.maketrans({"（": "(", "）": ")", "：": ":"})


def render_md(sample: Sample) -> TextOut:
    out = TextOut()
    gs = grids(sample)
    prefixes = {"title": "# ", "heading": "## ", "subheading": "### "}
    for p in sample.paras:
        if p.kind == "table":
            rows = flat_rows(*gs[p.table])
            width = len(rows[0])
            out.add("| " + " | ".join(rows[0]) + " |\n")
            out.add("|" + "---|" * width + "\n")
            for row in rows[1:]:
                out.add("| " + " | ".join(row) + " |\n")
            out.add("\n")
        else:
            out.para(p, prefixes.get(p.kind, ""))
            out.add("\n")
    return out


NAV = ("首页", "政务公开", "政务服务", "互动交流", "走进本地")


def _html_text(s: str, split: bool) -> str:
    """Escape; with ``split`` each digit of a multi-digit number goes in its own span (as some CMSs do)."""
    if split and s.isdigit() and len(s) > 1:
        return "".join(f"<span>{d}</span>" for d in s)
    return html.escape(s).replace("\n", "<br/>")


def render_html(sample: Sample) -> bytes:
    plan = sample.plan
    charset = "gbk" if plan.gbk else "utf-8"
    title = sample.paras[0].text
    gs = grids(sample)
    body: list[str] = []
    for p in sample.paras[1:]:
        if p.kind == "table":
            grid, _ = gs[p.table]
            body.append(
                '<table border="1" cellspacing="0" cellpadding="0" style="border-collapse:collapse;width:100%">'
            )
            body.append("<tbody>")
            for row in grid:
                tds = []
                for c in row:
                    attrs = (f' rowspan="{c.rowspan}"' if c.rowspan > 1 else "") + (
                        f' colspan="{c.colspan}"' if c.colspan > 1 else ""
                    )
                    inner = _html_text(c.text, plan.split_spans)
                    if plan.word_cells:
                        inner = (
                            '<p class="MsoNormal" align="center" style="text-align:center">'
                            f'<span style="font-family:仿宋_GB2312;font-size:10.5pt">{inner}</span></p>'
                        )
                    tds.append(f'<td{attrs} style="text-align:center" valign="middle">{inner}</td>')
                body.append("<tr>" + "".join(tds) + "</tr>")
            body.append("</tbody></table>")
            continue
        inner = "".join(
            html.escape(s)
            if isinstance(s, str)
            else _html_text(fmt_num(s.value), plan.split_spans) + html.escape(s.unit)
            for s in p.segs
        )
        if p.kind in ("heading", "subheading"):
            body.append(f'<p style="text-indent:2em"><strong>{inner}</strong></p>')
        elif p.kind == "meta":
            body.append(f'<p style="text-align:center">{inner}</p>')
        else:
            body.append(f'<p style="text-indent:2em">{inner}</p>')
    nav = "".join(f'<li><a href="/{i}/">{html.escape(n)}</a></li>' for i, n in enumerate(NAV))
    page = f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="{charset}">
<title>{html.escape(title)}_{html.escape(sample.agency)}</title>
<link rel="stylesheet" href="/css/site.css">
<script>var siteId = "demo";</script>
</head>
<body>
<div class="top-bar">欢迎访问{html.escape(sample.agency)}网站 | 无障碍浏览 | 长者模式</div>
<div class="header"><ul class="nav-menu">{nav}</ul></div>
<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; <a href="/zwgk/ndbg/">政府信息公开年报</a></div>
<div class="article">
{_meta_table(sample) if plan.meta_table else ""}
<h1 class="article-title">{html.escape(title)}</h1>
<div class="article-info">来源：{html.escape(sample.agency)}　发布时间：{sample.plan.year + 1}-01-20　字号：[大 中 小]</div>
<div class="article-content" id="zoom">
{chr(10).join(body)}
</div>
<div class="article-tools"><a href="javascript:window.print()">打印本页</a> <a href="javascript:window.close()">关闭窗口</a></div>
</div>
<div class="related"><h3>相关链接</h3><ul><li><a href="/zwgk/ndbg/">历年政府信息公开工作年度报告</a></li></ul></div>
<div class="footer"><p>主办：{html.escape(sample.agency)}　网站标识码：0000000000</p><p>示ICP备00000000号　版权所有 本站内容仅为示例</p></div>
</body>
</html>
"""
    return page.encode(charset)


def _meta_table(sample: Sample) -> str:
    """The catalogue box government sites put above an article (a table that is not 表二/三/四)."""
    year = sample.plan.year
    rows = (
        ("索引号", f"000000000/{year + 1}-00001", "分类", "政府信息公开年报"),
        ("发布机构", sample.agency, "公开日期", f"{year + 1}-01-20"),
        ("文号", "", "关键词", "年度报告"),
    )
    trs = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="xxgk-meta"><tbody>{trs}</tbody></table>'


FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)


def _fixed_zip(data: bytes) -> bytes:
    """Re-pack a zip with fixed member timestamps so the DOCX is byte-for-byte reproducible."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, src.read(info.filename))
    return buf.getvalue()


def render_docx(sample: Sample) -> bytes:
    import datetime as dt

    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn

    d = docx.Document()
    style = d.styles["Normal"]
    style.font.name = "SimSun"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    cp = d.core_properties
    fixed = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    cp.author = sample.agency
    cp.title = sample.paras[0].text
    cp.created = cp.modified = cp.last_printed = fixed
    cp.last_modified_by = sample.agency
    cp.revision = 1
    gs = grids(sample)
    for p in sample.paras:
        if p.kind == "table":
            grid, width = gs[p.table]
            t = d.add_table(rows=len(grid), cols=width)
            t.style = "Table Grid"
            for r, c, cell in positions(grid, width):
                target = t.cell(r, c)
                if cell.rowspan > 1 or cell.colspan > 1:
                    target = target.merge(t.cell(r + cell.rowspan - 1, c + cell.colspan - 1))
                target.text = cell.text
            continue
        para = d.add_paragraph()
        run = para.add_run(p.text)
        if p.kind in ("title", "heading", "subheading"):
            run.bold = True
        if p.kind in ("title", "meta"):
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    buf = io.BytesIO()
    d.save(buf)
    return _fixed_zip(buf.getvalue())


def render_pdf(sample: Sample) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    font = "STSong-Light"
    body = ParagraphStyle(
        "body", fontName=font, fontSize=10.5, leading=16, firstLineIndent=21, wordWrap="CJK"
    )
    head = ParagraphStyle("head", parent=body, fontSize=11.5, leading=18, firstLineIndent=0)
    title = ParagraphStyle("title", parent=body, fontSize=15, leading=22, alignment=1, firstLineIndent=0)
    cell = ParagraphStyle("cell", fontName=font, fontSize=7.5, leading=9.5, alignment=1, wordWrap="CJK")
    gs = grids(sample)
    story: list[Any] = []
    for p in sample.paras:
        if p.kind == "table":
            grid, width = gs[p.table]
            data = [[""] * width for _ in grid]
            cmds: list[tuple[Any, ...]] = [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("FONTSIZE", (0, 0), (-1, -1), 7.5),
            ]
            for r, c, gc in positions(grid, width):
                data[r][c] = Paragraph(html.escape(gc.text).replace("\n", "<br/>"), cell) if gc.text else ""
                if gc.rowspan > 1 or gc.colspan > 1:
                    cmds.append(("SPAN", (c, r), (c + gc.colspan - 1, r + gc.rowspan - 1)))
            avail = 170 * mm
            if p.table == "t3":
                widths = [14 * mm, 16 * mm, 40 * mm] + [(avail - 70 * mm) / 7] * 7
            else:
                widths = [avail / width] * width
            story.append(Table(data, colWidths=widths, style=TableStyle(cmds), repeatRows=0))
            story.append(Spacer(1, 4 * mm))
            continue
        style = {"title": title, "heading": head, "subheading": head}.get(p.kind, body)
        story.append(Paragraph(html.escape(p.text), style))

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(font, 9)
        canvas.drawCentredString(A4[0] / 2, 12 * mm, f"- {doc.page} -")
        canvas.restoreState()

    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=22 * mm,
        title=sample.paras[0].text,
        author=sample.agency,
        invariant=1,
    )
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()


# --------------------------------------------------------------------------- assembly


def raw_texts(rng: random.Random, plan: Plan, cells: dict[str, Value], blanks: set[str]) -> dict[str, str]:
    """The string each cell is printed as: figures, or the report's way of leaving it empty."""
    raw: dict[str, str] = {}
    for cid, v in cells.items():
        if v is None:
            raw[cid] = plan.blank_style if cid in blanks else ""
        else:
            raw[cid] = fmt_num(v)
    if plan.t4_all_blank:
        for blk, _ in T4_BLOCKS:
            for c, _ in T4_COLUMNS:
                raw[f"{blk}.{c}"] = "/"
    return raw


def fresh_pairs(seed: int, index: int) -> list[int]:
    """Three (area, issue) pairs no other sample of the first 16 uses: bodies do not share 五."""
    order = random.Random(f"{seed}:problems").sample(range(len(PAIRS)), len(PAIRS))
    start = (3 * index) % (len(PAIRS) - 2)
    return order[start : start + 3]


def build_sample(seed: int, index: int, plan: Plan, prev: Sample | None = None) -> Sample:
    rng = random.Random(f"{seed}:{index}")
    who = index if plan.body_of is None else plan.body_of
    place, pslug = PLACES[who % len(PLACES)]
    body, bslug = BODIES[(who * 5 + who // len(BODIES) + seed) % len(BODIES)]
    agency = place + body
    cells = make_cells(rng, plan.layout, prev.cells if prev is not None else None)
    notes: list[str] = []
    ambiguous: list[dict[str, Any]] = []
    blanks = blank_some(rng, cells, plan.layout) if plan.blank_style else set()
    if plan.blank_style:
        notes.append(f"{len(blanks)} zero cells printed as {plan.blank_style!r} (gold null)")
    if plan.t4_all_blank:
        for blk, _ in T4_BLOCKS:
            for c, _ in T4_COLUMNS:
                cells[f"{blk}.{c}"] = None
        notes.append("表四 printed entirely as '/' (gold null, no error)")
    for kind in plan.injections:
        note = inject(rng, cells, plan.layout, kind)
        if note:
            notes.append(note)
    cells = {k: None if v is None else float(v) for k, v in cells.items()}
    raw = raw_texts(rng, plan, cells, blanks)
    if "split_digits" in plan.injections:
        cid = "apply.new.natural"
        written = fmt_num(cells[cid] or 0)
        raw[cid] = " ".join(written)
        ambiguous.append(
            {"cell": cid, "raw": raw[cid], "value": cells[cid], "why": "one number printed as single digits"}
        )
        notes.append(f"{cid} printed as {raw[cid]!r}: one number, the gold is {written}")
    if plan.split_spans:
        notes.append("multi-digit figures split across <span> tags")
    if plan.gbk:
        notes.append("page encoded GBK")
    paras, items = narrative(
        rng,
        plan,
        agency,
        cells,
        previous_items=prev.problem_items if prev is not None else (),
        fresh_items=fresh_pairs(seed, index),
    )
    copied = [problem_text(i) for i in items] + [measure_text(i) for i in items] if plan.copy_problems else []
    if copied:
        notes.append(f"section 五 repeats last year's {len(items)} problems and measures")
    errors = [s for p in paras for s in p.segs if isinstance(s, Fig) and s.table_value is not None]
    if errors:
        notes.append("narrative figure disagrees with the table: " + ", ".join(f.metric for f in errors))
    ext = plan.fmt
    stem = f"{index + 1:02d}-{pslug}-{bslug}-{plan.year}.{ext}"
    return Sample(plan, stem, agency, cells, raw, paras, notes, ambiguous, errors, prev, items, copied)


def sha10(s: str) -> str:
    return hashlib.sha1(s.encode("utf-8")).hexdigest()[:10]


def render(sample: Sample) -> tuple[bytes, list[tuple[Fig, int, int]] | None]:
    """File bytes, and figure offsets into the file text for TXT/MD (None for other formats)."""
    fmt = sample.plan.fmt
    if fmt in ("txt", "md"):
        out = render_txt(sample) if fmt == "txt" else render_md(sample)
        return out.text.encode("utf-8"), out.spans
    renderers: dict[str, Callable[[Sample], bytes]] = {
        "html": render_html,
        "docx": render_docx,
        "pdf": render_pdf,
    }
    return renderers[fmt](sample), None


def gold(sample: Sample, spans: list[tuple[Fig, int, int]] | None) -> dict[str, Any]:
    plan = sample.plan
    figs = (
        [(f, s, e) for f, s, e in spans]
        if spans is not None
        else [(s, None, None) for p in sample.paras for s in p.segs if isinstance(s, Fig)]
    )
    claims = []
    for f, s, e in figs:
        item: dict[str, Any] = {
            "value": float(f.value),
            "unit": f.unit,
            "qualifier": "exact",
            "metric": f.metric,
            "cells": list(f.cells),
            "text": f.text,
        }
        if s is not None:
            item.update(start=s, end=e, sha1=sha10(f.text))
        claims.append(item)
    narrative_errors = []
    for f, s, e in figs:
        if f.table_value is None:
            continue
        item = {
            "metric": f.metric,
            "cells": list(f.cells),
            "claim_value": float(f.value),
            "table_value": f.table_value,
            "text": f.text,
        }
        if s is not None:
            item.update(start=s, end=e, sha1=sha10(f.text))
        narrative_errors.append(item)
    return {
        "file": sample.stem,
        "agency": sample.agency,
        "year": plan.year,
        "format": plan.fmt,
        "template": plan.layout,
        "cells": dict(sample.cells),
        "ambiguous": sample.ambiguous,
        "arithmetic_errors": check_arithmetic(sample.cells, plan.layout),
        "narrative_errors": narrative_errors,
        "note": "; ".join(sample.notes),
        "claims": claims,
        "injected": list(plan.injections),
        "previous": sample.previous.stem if sample.previous is not None else None,
        "copied_statements": sample.copied_statements,
        "cross_year_errors": check_cross_year(sample.cells, sample.previous.cells)
        if sample.previous is not None
        else [],
        "synthetic": True,
    }


def bad_inputs() -> dict[str, bytes]:
    """Inputs the CLI must reject with a catalogue error, not a traceback."""
    page = '<!DOCTYPE html><html><head><meta charset="utf-8"><title>示例</title></head><body><div class="article-content"><p>一、总体情况</p><table><tr><td rowspan="2">本年新'
    return {
        "empty.txt": b"",
        "junk.pdf": bytes(random.Random("junk").randrange(256) for _ in range(2048)),
        "truncated.html": page.encode("utf-8"),
    }


def build_all(seed: int, count: int) -> list[Sample]:
    """Every sample in plan order; a series' earlier year is built first."""
    todo = plans(count)
    built: dict[int, Sample] = {}

    def sample_at(i: int) -> Sample:
        if i not in built:
            prev = todo[i].previous
            built[i] = build_sample(seed, i, todo[i], sample_at(prev) if prev is not None else None)
        return built[i]

    return [sample_at(i) for i in range(len(todo))]


def generate(out: Path, *, seed: int = 7, count: int = 12, bad_out: Path | None = None) -> list[Path]:
    """Write ``count`` samples and their gold under ``out``; returns the sample paths."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "gold").mkdir(exist_ok=True)
    written = []
    for sample in build_all(seed, count):
        data, spans = render(sample)
        path = out / sample.stem
        path.write_bytes(data)
        g = gold(sample, spans)
        (out / "gold" / f"{sample.stem}.json").write_text(
            json.dumps(g, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        written.append(path)
    if bad_out is not None:
        bad_out.mkdir(parents=True, exist_ok=True)
        for name, data in bad_inputs().items():
            (bad_out / name).write_bytes(data)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "corpora" / "samples")
    ap.add_argument("--bad-out", type=Path, default=ROOT / "corpora" / "bad")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--count", type=int, default=12)
    args = ap.parse_args(argv)
    paths = generate(args.out, seed=args.seed, count=args.count, bad_out=args.bad_out)
    total = sum(p.stat().st_size for p in paths)
    print(f"wrote {len(paths)} samples ({total} bytes) to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
