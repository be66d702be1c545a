"""Tables stage: real reports of every format against gold, hand-built layouts, the year check."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path

import pytest

from nlp_pipeline import loaders
from nlp_pipeline.cell_values import parse_cell
from nlp_pipeline.document import Block, Document, GridCell, Table
from nlp_pipeline.schema import APPLICANT_COLUMNS, cell_ids
from nlp_pipeline.table_labels import label_key
from nlp_pipeline.tables import TableResult, read_tables

from .conftest import real_gold, real_path

# ---------------------------------------------------------------- helpers


def _doc(*parts: str | list[list[str]] | Table, source: str = "hand.txt") -> Document:
    """A document from text lines and tables (lists of rows, or ready-made grids)."""
    blocks: list[Block] = []
    pos = 0
    for part in parts:
        if isinstance(part, str):
            blocks.append(Block("text", part, pos, pos + len(part)))
            pos += len(part) + 1
        else:
            table = part if isinstance(part, Table) else Table.from_texts(part, origin=f"t@{pos}")
            blocks.append(Block("table", "", pos, pos + 1, table=table))
            pos += 2
    return Document(source=source, format="txt", text="", blocks=tuple(blocks))


def _matches(gold: object, value: float | None) -> bool:
    if gold is None:
        return value is None
    if isinstance(gold, str):
        return value == parse_cell(gold).value
    return value == gold


def _wrong(res: TableResult, gold: dict) -> list[str]:
    return [
        cid
        for cid, gv in gold["cells"].items()
        if cid not in res.cells or not _matches(gv, res.cells[cid].value)
    ]


_APPLY_HEADER = [
    ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况"],
    ["自然人", "法人或其他组织", "总计"],
    ["商业 企业", "科研 机构", "社会公益组织", "法律服务机构", "其他"],
]
_T4_HEADER = [
    ["行政复议", "行政诉讼"],
    ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉", "复议后起诉"],
    ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2,
]


def _apply_rows(*, single_other: bool) -> list[list[str]]:
    z = ["0"] * 7
    rows = [
        ["一、本年新收政府信息公开申请数量", "5", "1", "0", "0", "0", "0", "6"],
        ["二、上年结转政府信息公开申请数量", *z],
        ["三、本年度办理结果", "（一）予以公开", "3", "1", "0", "0", "0", "0", "4"],
        ["（二）部分公开（区分处理的，只计这一情形，不计其他情形）", *z],
        ["（三）不予公开"],
        ["1.属于国家秘密", *z],
        ["2.其他法律行政法规禁止公开", *z],
        ["3.危及“三安全一稳定”", *z],
        ["4.保护第三方合法权益", *z],
        ["5.属于三类内部事务信息", *z],
        ["6.属于四类过程性信息", *z],
        ["7.属于行政执法案卷", *z],
        ["8.属于行政查询事项", *z],
        ["（四）无法提供", "1.本机关不掌握相关政府信息", "2", "0", "0", "0", "0", "0", "2"],
        ["2.没有现成信息需要另行制作", *z],
        ["3.补正后申请内容仍不明确", *z],
        ["（五）不予处理", "1.信访举报投诉类申请", *z],
        ["2.重复申请", *z],
        ["3.要求提供公开出版物", *z],
        ["4.无正当理由大量反复申请", *z],
        ["5.要求行政机关确认或重新出具已获取信息", *z],
    ]
    if single_other:
        rows.append(["（六）其他处理", *z])
    else:
        rows += [
            ["（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", *z],
            ["2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", *z],
            ["3.其他", *z],
        ]
    rows += [
        ["（七）总计", "5", "1", "0", "0", "0", "0", "6"],
        ["四、结转下年度继续办理", *z],
    ]
    return rows


_ACTIVE_2021 = [
    ["第二十条第（一）项"],
    ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
    ["规章", "0", "0", "2"],
    ["行政规范性文件", "4", "1", "20"],
    ["信息内容", "本年处理决定数量"],
    ["行政许可", "12"],
    ["行政处罚", "3"],
    ["行政强制", "0"],
    ["信息内容", "本年收费金额（单位：万元）"],
    ["行政事业性收费", "1.5"],
]
_ACTIVE_2019 = [
    ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"],
    ["规章", "0", "0", "2"],
    ["规范性文件", "4", "4", "20"],
    ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
    ["行政许可", "10", "-2", "7"],
    ["其他对外管理服务事项", "0", "0", "0"],
    ["行政处罚", "5", "1", "3"],
    ["行政强制", "0", "0", "0"],
    ["信息内容", "上一年项目数量", "本年增/减"],
    ["行政事业性收费", "2", "0"],
    ["信息内容", "采购项目数量", "采购总金额"],
    ["政府集中采购", "3", "1200元"],
]
_T4_ROW = [["2", "1", "0", "0", "3", "0", "0", "0", "1", "1", "1", "0", "0", "0", "1"]]


# ---------------------------------------------------------------- real reports


@pytest.mark.parametrize(
    "name",
    [
        "hengyang-hrss-2025.txt",
        "czj-2019.html",
        "zonghe-2019.html",
        "jjf-2021.html",
        "shuyang-fgj-2023.html",
        "jjf-2025.html",
        "czj-2024.docx",
        "szfgs-2024.pdf",
        "zonghe-2023.print.pdf",
    ],
)
def test_real_report_cells_match_gold(name: str) -> None:
    gold = real_gold(name)
    res = read_tables(loaders.load(real_path(name)), ())
    assert res.template == gold["template"]
    assert _wrong(res, gold) == []
    assert not [f for f in res.findings if f.rule in ("missing_table", "missing_cells")]


def test_hengyang_exact_cells_and_flattened_t4() -> None:
    res = read_tables(loaders.load(real_path("hengyang-hrss-2025.txt")), ())
    got = {cid: res.cells[cid].value for cid in res.cells}
    assert got["apply.new.natural"] == 24
    assert got["apply.unable.not_held.total"] == 22
    assert got["active.fees.amount_wan"] == 410
    assert got["active.normative_docs.in_force"] == 11
    # 表四 arrives as one row of 15 numbers under a header that does not line up with it
    assert [got[f"review.{c}"] for c in ("upheld", "corrected", "other", "pending", "total")] == [
        3,
        1,
        0,
        7,
        11,
    ]
    assert got["litigation_after_review.upheld"] == 1
    assert got["litigation_after_review.total"] == 1
    assert got["litigation_direct.total"] == 0
    assert set(res.cells) == set(cell_ids("2021"))


def test_word_merged_cell_is_one_value_czj_2019() -> None:
    res = read_tables(loaders.load(real_path("czj-2019.html")), ())
    # the value 3 spans two grid columns but is one cell: it is 上一年项目数量, not also 本年增/减
    assert res.cells["active.licensing.prev_items"].value == 3
    assert res.cells["active.licensing.delta"].value == 0
    proc = res.cells["active.procurement.amount"]
    assert (proc.kind, proc.value, proc.raw) == ("number_with_note", 832995.0, "832995元")


def test_blank_totals_are_kept_blank_jjf_2021() -> None:
    res = read_tables(loaders.load(real_path("jjf-2021.html")), ())
    assert res.cells["apply.granted.total"].kind == "blank"
    assert res.cells["apply.partial.total"].kind == "blank"
    assert res.cells["apply.denied.state_secret.total"].kind == "number"


def test_broken_markdown_reads_t4_from_flat_row() -> None:
    res = read_tables(loaders.load(real_path("kewei-2024.md")), ())
    assert res.cells["review.upheld"].value == 1
    assert res.cells["review.total"].value == 1
    assert res.cells["litigation_after_review.total"].value == 0


def test_t4_blocks_under_captions_shuyang_county() -> None:
    res = read_tables(loaders.load(real_path("shuyang-county-2025.txt")), ())
    assert res.cells["review.total"].value == 61
    assert res.cells["litigation_direct.upheld"].value == 3
    assert res.cells["litigation_after_review.total"].value == 10


# ---------------------------------------------------------------- hand-built layouts


def test_hand_built_2021_report() -> None:
    doc = _doc(
        "2023年度政府信息公开工作年度报告",
        _ACTIVE_2021,
        _APPLY_HEADER + _apply_rows(single_other=False),
        _T4_HEADER + _T4_ROW,
    )
    res = read_tables(doc, ())
    assert res.template == "2021"
    assert res.findings == ()
    assert set(res.cells) == set(cell_ids("2021"))
    assert res.cells["active.normative_docs.repealed"].value == 1
    assert res.cells["active.fees.amount_wan"].value == 1.5
    assert res.cells["apply.granted.commercial"].value == 1
    assert res.cells["apply.unable.not_held.total"].value == 2
    assert res.cells["litigation_direct.pending"].value == 1
    assert res.cells["litigation_after_review.upheld"].value == 1


def test_hand_built_2019_report() -> None:
    doc = _doc(
        "2020年政府信息公开工作年度报告",
        _ACTIVE_2019,
        _APPLY_HEADER + _apply_rows(single_other=True),
        _T4_HEADER + _T4_ROW,
    )
    res = read_tables(doc, ())
    assert res.template == "2019"
    assert set(res.cells) == set(cell_ids("2019"))
    assert res.cells["active.licensing.delta"].value == -2
    assert res.cells["active.fees.delta"].value == 0
    assert res.cells["active.procurement.amount"].kind == "number_with_note"
    assert res.cells["apply.other.total"].value == 0


def test_mixed_template_2019_active_table_in_2021_report() -> None:
    doc = _doc(
        "2022年度政府信息公开工作年度报告",
        _ACTIVE_2019,
        _APPLY_HEADER + _apply_rows(single_other=False),
        _T4_HEADER + _T4_ROW,
    )
    res = read_tables(doc, ())
    assert res.template == "mixed"
    assert res.cells["active.rules.total_public"].value == 2
    assert res.cells["active.procurement.items"].value == 3
    assert res.cells["apply.other.no_fee.natural"].value == 0
    (dev,) = [f for f in res.findings if f.rule == "template_deviation"]
    assert dev.severity == "warning"
    assert "2019" in dev.message


def test_mixed_template_single_other_row_in_2021_report() -> None:
    doc = _doc(
        "2022年度政府信息公开工作年度报告",
        _ACTIVE_2021,
        _APPLY_HEADER + _apply_rows(single_other=True),
        _T4_HEADER + _T4_ROW,
    )
    res = read_tables(doc, ())
    assert res.template == "mixed"
    assert res.cells["apply.other.natural"].value == 0
    assert not any(cid.startswith("apply.other.no_") for cid in res.cells)
    assert [f.rule for f in res.findings if f.rule == "template_deviation"] == ["template_deviation"]


def test_missing_tables_are_reported() -> None:
    res = read_tables(_doc("2023年度政府信息公开工作年度报告", _ACTIVE_2021), ())
    missing = sorted(f.detail["table"] for f in res.findings if f.rule == "missing_table")
    assert missing == ["apply", "t4"]
    assert all(f.severity == "error" for f in res.findings if f.rule == "missing_table")


def test_rows_found_by_label_not_by_order() -> None:
    rows = _apply_rows(single_other=False)
    shuffled = [rows[1], rows[0], *rows[2:]]
    del shuffled[5]  # 1.属于国家秘密 goes missing
    res = read_tables(_doc(_APPLY_HEADER + shuffled), ())
    assert res.cells["apply.new.total"].value == 6
    assert res.cells["apply.carried_over.total"].value == 0
    assert "apply.denied.state_secret.natural" not in res.cells
    assert res.cells["apply.denied.law_prohibited.natural"].value == 0


def test_merged_value_spanning_two_columns_under_aligned_header() -> None:
    """A Word table: 本年增/减 spans columns 2-3 in the header, the value 3 spans 1-2."""

    def g(text: str, r: int, c: int) -> GridCell:
        return GridCell(text, (r, c))

    hdr = (
        g("信息内容", 0, 0),
        g("上一年项目数量", 0, 1),
        g("本年增/减", 0, 2),
        g("本年增/减", 0, 2),
        g("处理决定数量", 0, 4),
    )
    row = (g("行政许可", 1, 0), g("3", 1, 1), g("3", 1, 1), g("0", 1, 3), g("7", 1, 4))
    res = read_tables(_doc(Table(rows=(hdr, row), origin="word")), ())
    assert res.cells["active.licensing.prev_items"].value == 3
    assert res.cells["active.licensing.delta"].value == 0
    assert res.cells["active.licensing.decisions"].value == 7


def test_table_split_across_pages_keeps_header_context() -> None:
    rows = _apply_rows(single_other=False)
    doc = _doc(_APPLY_HEADER + rows[:10], "— 3 —", rows[10:])
    res = read_tables(doc, ())
    assert res.cells["apply.denied.process_info.natural"].value == 0
    assert res.cells["apply.total_processed.total"].value == 6
    assert res.cells["apply.carried_forward.natural"].value == 0


def test_label_broken_over_two_lines_before_the_numbers() -> None:
    rows = _apply_rows(single_other=False)
    i = next(k for k, r in enumerate(rows) if r[0].startswith("2.申请人逾期未按"))
    label = rows[i][0]
    broken = [*rows[:i], [label[:9]], [label[9:], *rows[i][1:]], *rows[i + 1 :]]
    broken[i + 1][1] = "4"
    res = read_tables(_doc(_APPLY_HEADER + broken), ())
    assert res.cells["apply.other.no_fee.natural"].value == 4
    assert res.cells["apply.other.no_correction.natural"].value == 0


def test_label_broken_with_numbers_on_the_first_line() -> None:
    rows = _apply_rows(single_other=False)
    i = next(k for k, r in enumerate(rows) if r[0] == "1.属于国家秘密")
    broken = [*rows[:i], ["1.属于", "7", "0", "0", "0", "0", "0", "7"], ["国家秘密"], *rows[i + 1 :]]
    res = read_tables(_doc(_APPLY_HEADER + broken), ())
    assert res.cells["apply.denied.state_secret.natural"].value == 7
    assert res.cells["apply.denied.law_prohibited.natural"].value == 0


def test_row_without_label_takes_the_next_official_row() -> None:
    rows = _apply_rows(single_other=False)
    i = next(k for k, r in enumerate(rows) if r[0] == "2.没有现成信息需要另行制作")
    rows[i] = ["3", "0", "0", "0", "0", "0", "3"]
    res = read_tables(_doc(_APPLY_HEADER + rows), ())
    assert res.cells["apply.unable.need_create.natural"].value == 3
    assert res.cells["apply.unable.unclear.natural"].value == 0
    assert not [f for f in res.findings if f.rule == "missing_cells"]


def test_active_row_without_label_follows_the_header() -> None:
    active = [list(r) for r in _ACTIVE_2021]
    active[6] = ["3"]  # 行政处罚 lost its label
    res = read_tables(_doc(active), ())
    assert res.cells["active.licensing.decisions"].value == 12
    assert res.cells["active.penalty.decisions"].value == 3
    assert res.cells["active.coercion.decisions"].value == 0


def test_t4_one_row_per_block() -> None:
    t4 = [
        ["", "结果维持", "结果纠正", "其他结果", "尚未审结", "总计"],
        ["行政复议", "1", "0", "0", "0", "1"],
        ["行政诉讼（未经复议直接起诉）", "0", "1", "0", "0", "1"],
        ["行政诉讼（复议后起诉）", "0", "0", "0", "2", "2"],
    ]
    res = read_tables(_doc(t4), ())
    assert res.cells["review.upheld"].value == 1
    assert res.cells["litigation_direct.corrected"].value == 1
    assert res.cells["litigation_after_review.pending"].value == 2
    assert len([c for c in res.cells if c.startswith(("review.", "litigation_"))]) == 15


def test_active_row_under_a_foreign_header_uses_its_own_columns() -> None:
    active = [r for r in _ACTIVE_2021 if r[0] != "信息内容" or r[1] == "本年制发件数"]
    res = read_tables(_doc(active), ())
    assert res.cells["active.licensing.decisions"].value == 12
    assert res.cells["active.fees.amount_wan"].value == 1.5
    assert "active.licensing.issued" not in res.cells


def test_blank_column_from_misaligned_merge_is_skipped() -> None:
    active = [
        ["第二十条第（五）项"],
        ["信息内容", "上一年项目数量", "本年增/减", "", "处理决定数量"],
        ["行政许可", "3", "", "1", "4"],
    ]
    res = read_tables(_doc(active), ())
    assert res.cells["active.licensing.prev_items"].value == 3
    assert res.cells["active.licensing.delta"].value == 1
    assert res.cells["active.licensing.decisions"].value == 4


def _flatten(doc: Document, *, browser: bool) -> str:
    """The document as text with tab-separated table rows: every grid position (spreadsheet
    copy), or each source cell once in its first row (browser copy)."""
    lines = []
    for b in doc.blocks:
        if b.table is None:
            lines.append(b.text)
            continue
        for r, row in enumerate(b.table.rows):
            seen: set[tuple[int, int]] = set()
            texts = []
            for gc in row:
                first = gc.anchor not in seen
                seen.add(gc.anchor)
                if browser and (not first or gc.anchor[0] != r):
                    continue
                texts.append(gc.text if first and gc.anchor[0] == r else "")
            lines.append("\t".join(texts))
    return "\n".join(lines)


@pytest.mark.parametrize(
    ("name", "browser"), [("czj-2019.html", False), ("jjf-2021.html", True), ("czj-2024.html", True)]
)
def test_real_report_as_tab_separated_text_matches_gold(name: str, browser: bool) -> None:
    gold = real_gold(name)
    text = _flatten(loaders.load(real_path(name)), browser=browser)
    res = read_tables(loaders.parse_text(text, source=f"{name}.txt"), ())
    assert _wrong(res, gold) == []
    assert len(gold["cells"]) in (198, 200)


# ---------------------------------------------------------------- tables broken by PDF-to-text tools

_T2_HEAD = [["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]]


def test_short_row_in_another_table_is_not_placed_by_a_foreign_header() -> None:
    # the header is its own table; a row below it lost a value: which column is gone is unknown
    res = read_tables(_doc(_T2_HEAD, [["规章", "7", "41"]], [["行政规范性文件", "3", "1", "12"]]), ())
    assert "active.rules.issued" not in res.cells
    assert "active.rules.repealed" not in res.cells
    assert "active.rules.in_force" not in res.cells
    assert [res.cells[f"active.normative_docs.{c}"].value for c in ("issued", "repealed", "in_force")] == [
        3,
        1,
        12,
    ]
    missing = next(f for f in res.findings if f.rule == "missing_cells")
    assert "active.rules.repealed" in missing.cells


def test_one_value_active_rows_left_as_text_lines() -> None:
    doc = _doc(
        "行政许可 58",
        "行政处罚 4",
        "全年共办理行政强制 3 件",
        "行政事业性收费 0.5",
        [*_T2_HEAD, ["规章", "0", "0", "0"]],
    )
    res = read_tables(doc, ())
    assert res.cells["active.licensing.decisions"].value == 58
    assert res.cells["active.penalty.decisions"].value == 4
    assert res.cells["active.fees.amount_wan"].value == 0.5
    assert "active.coercion.decisions" not in res.cells  # prose, not a row


def test_text_line_does_not_override_the_table_cell() -> None:
    doc = _doc("行政许可 9", [["信息内容", "本年处理决定数量"], ["行政许可", "12"]])
    assert read_tables(doc, ()).cells["active.licensing.decisions"].value == 12


def test_one_number_line_is_not_read_into_a_2019_three_column_row() -> None:
    head = [["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"]]
    doc = _doc("行政处罚 4", [*head, ["行政许可", "3", "1", "20"]])
    res = read_tables(doc, ())
    assert res.cells["active.licensing.decisions"].value == 20
    assert not any(c.startswith("active.penalty.") for c in res.cells)


def test_dash_placeholder_row_does_not_take_the_next_rows_place() -> None:
    rows = [
        ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"],
        ["-", "-", "-", "-", "-"],
        ["一、本年新收政府信息公开申请数量", "5", "2", "0", "0", "1", "0", "8"],
    ]
    res = read_tables(_doc(rows), ())
    assert [res.cells[f"apply.new.{c}"].value for c in ("natural", "commercial", "legal", "total")] == [
        5,
        2,
        1,
        8,
    ]


def test_label_split_over_two_cells_is_read_whole() -> None:
    # the second piece alone is closer to the row above it; together they name the fee row
    rows = [
        ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"],
        ["1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", *"3000003"],
        ["缴纳费用、", "行政机关不再处理其政", *"1000001"],
    ]
    res = read_tables(_doc(rows), ())
    assert res.cells["apply.other.no_correction.natural"].value == 3
    assert res.cells["apply.other.no_fee.natural"].value == 1
    assert res.cells["apply.other.no_fee.total"].value == 1


def _broken_check() -> list[dict]:
    p = Path(__file__).resolve().parents[1] / "corpora" / "broken_tables_check.jsonl"
    return [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("name", ["kewei-2024.md", "shanghai-office-2025.md", "shuyang-county-2025.txt"])
def test_broken_tables_match_hand_reading(name: str) -> None:
    items = [g for g in _broken_check() if g["file"] == name]
    assert len(items) >= 40
    doc = loaders.load(real_path(name))
    cells = read_tables(doc, ()).cells
    wrong, missing = [], []
    for g in items:
        span = doc.text[g["evidence_start"] : g["evidence_end"]]
        assert hashlib.sha1(span.encode("utf-8")).hexdigest()[:10] == g["sha1"], g["cell"]
        got = cells.get(g["cell"])
        if g["undetermined"]:
            if got is not None and got.value is not None:
                wrong.append(g["cell"])
        elif got is None:
            missing.append(g["cell"])
        elif got.value != g["value"]:
            wrong.append(g["cell"])
    assert wrong == []
    assert missing == []


def test_short_pipe_row_in_text_is_not_placed_by_position() -> None:
    text = "\n".join(
        [
            "| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |",
            "| 规章 | 5 | 17 |",
            "| 行政规范性文件 | 2 |  | 30 |",
        ]
    )
    res = read_tables(loaders.parse_text(text, source="short.txt"), ())
    assert not any(c.startswith("active.rules.") for c in res.cells)
    assert res.cells["active.normative_docs.issued"].value == 2
    assert res.cells["active.normative_docs.repealed"].kind == "blank"
    assert res.cells["active.normative_docs.in_force"].value == 30


# ---------------------------------------------------------------- issue 7: blank rows, typo'd headers, merged cells


def _retable(doc: Document, edit: object) -> Document:
    """``doc`` with every table grid passed through ``edit`` (rows of GridCell → rows), in memory."""
    blocks = []
    for b in doc.blocks:
        if b.table is not None:
            rows = edit([list(r) for r in b.table.rows])  # type: ignore[operator]
            b = Block(b.kind, b.text, b.start, b.end, Table(tuple(tuple(r) for r in rows), b.table.origin), b.origin)
        blocks.append(b)
    return Document(source=doc.source, format=doc.format, text=doc.text, blocks=tuple(blocks), meta=doc.meta)


def _row_index(grid: list[list[GridCell]], label: str) -> int:
    return next(r for r, row in enumerate(grid) if any(label_key(c.text) == label_key(label) for c in row))


def _blank_row(label: str) -> object:
    """Empties the value cells of the row labelled ``label`` (in whichever table has it)."""

    def edit(grid: list[list[GridCell]]) -> list[list[GridCell]]:
        if not any(label_key(c.text) == label_key(label) for row in grid for c in row):
            return grid
        r = _row_index(grid, label)
        own = {c.anchor for c in grid[r] if c.anchor[0] == r and parse_cell(c.text).kind in ("number", "dash")}
        return [[GridCell("", c.anchor) if c.anchor in own else c for c in row] for row in grid]

    return edit


def _missing_cells(res: TableResult) -> set[str]:
    return {c for f in res.findings if f.rule == "missing_cells" for c in f.cells}


@pytest.mark.parametrize(
    ("name", "labels", "blanked"),
    [
        ("czj-2022.html", ["2.重复申请", "行政规范性文件"], ["apply.rejected.duplicate", "active.normative_docs"]),
        ("jjf-2024.html", ["（二）部分公开（区分处理的，只计这一情形，不计其他情形）"], ["apply.partial"]),
        ("czj-2019.html", ["（六）其他处理", "行政强制"], ["apply.other", "active.coercion"]),
    ],
)
def test_real_report_with_rows_left_blank(name: str, labels: list[str], blanked: list[str]) -> None:
    gold = real_gold(name)
    doc = loaders.load(real_path(name))
    for label in labels:
        doc = _retable(doc, _blank_row(label))
    res = read_tables(doc, ())
    expect = {cid: (None if cid.startswith(tuple(b + "." for b in blanked)) else v) for cid, v in gold["cells"].items()}
    n_blank = sum(1 for cid in expect if expect[cid] is None and gold["cells"][cid] is not None)
    assert n_blank >= 3  # the edit really blanked numbers
    assert _wrong(res, {"cells": expect}) == []
    for cid in expect:
        if cid.startswith(tuple(b + "." for b in blanked)):
            assert (res.cells[cid].kind, res.cells[cid].value) == ("blank", None), cid
    assert res.template == gold["template"]
    assert not [f for f in res.findings if f.rule in ("missing_table", "missing_cells")]


def test_hand_built_blank_rows_are_blank_cells_and_absent_rows_are_missing() -> None:
    active = [row if row[0] != "行政处罚" else ["行政处罚", ""] for row in _ACTIVE_2021]
    apply = [
        (["2.重复申请"] + [""] * 7) if row[0] == "2.重复申请" else row
        for row in _apply_rows(single_other=False)
        if row[0] != "3.要求提供公开出版物"  # label absent: its cells are missing, not blank
    ]
    res = read_tables(_doc("2023年度报告", active, _APPLY_HEADER + apply, _T4_HEADER + _T4_ROW), ())
    assert (res.cells["active.penalty.decisions"].kind, res.cells["active.penalty.decisions"].value) == ("blank", None)
    for col in ("natural", "commercial", "research", "social", "legal", "other_org", "total"):
        assert res.cells[f"apply.rejected.duplicate.{col}"].kind == "blank"
        assert f"apply.rejected.publication.{col}" not in res.cells
    assert res.cells["apply.rejected.massive_repeat.natural"].value == 0
    assert res.cells["active.coercion.decisions"].value == 0
    assert _missing_cells(res) == {f"apply.rejected.publication.{c}" for c, _ in APPLICANT_COLUMNS}


def test_blank_first_line_of_a_broken_label_is_not_a_blank_row() -> None:
    apply = []
    for row in _apply_rows(single_other=False):
        if row[0] == "4.保护第三方合法权益":
            apply += [["4.保护第三方", *[""] * 7], ["合法权益", "1", "0", "0", "0", "0", "0", "1"]]
        else:
            apply.append(row)
    res = read_tables(_doc(_APPLY_HEADER + apply), ())
    assert res.cells["apply.denied.third_party.natural"].value == 1
    assert res.cells["apply.denied.third_party.total"].value == 1
    assert res.cells["apply.denied.internal_affairs.natural"].value == 0


# one-character typos (near-form or homophone character, a missing character), our own list
_HEADER_TYPOS = {
    "自然人": "自然入",
    "商业企业": "商业企事",
    "科研机构": "科研机购",
    "社会公益组织": "社会公益组识",
    "法律服务机构": "法律服务机",
    "其他": "其它",
    "总计": "总记",
    "本年制发件数": "本年制法件数",
    "本年废止件数": "本年费止件数",
    "现行有效件数": "现行有效件",
    "结果维持": "结果维特",
    "结果纠正": "结果纠止",
    "其他结果": "其它结果",
    "尚未审结": "尚未审洁",
}


def _typo_and_swap(grid: list[list[GridCell]]) -> list[list[GridCell]]:
    """Header cells typo'd, and in 表三 the columns 商业企业/法律服务机构 and in 表二 本年制发件数/
    现行有效件数 swapped in every row, so only the headers tell where each value belongs."""
    keys = {label_key(k): v for k, v in _HEADER_TYPOS.items()}
    pairs = (("商业企业", "法律服务机构"), ("本年制发件数", "现行有效件数"))
    for a, b in pairs:
        hits = [(r, c) for r, row in enumerate(grid) for c, g in enumerate(row) if label_key(g.text) in (a, b)]
        if len(hits) >= 2:
            ca = next(c for r, c in hits if label_key(grid[r][c].text) == a)
            cb = next(c for r, c in hits if label_key(grid[r][c].text) == b)
            grid = [
                [row[cb] if i == ca else row[ca] if i == cb else x for i, x in enumerate(row)]
                if max(ca, cb) < len(row) and row[ca].anchor != row[cb].anchor
                else row
                for row in grid
            ]
    return [
        [
            GridCell(keys.get(label_key(c.text), c.text), c.anchor)
            if not any(parse_cell(x.text).kind == "number" for x in row) and not c.text.strip().startswith("（")
            else c
            for c in row
        ]
        for row in grid
    ]


@pytest.mark.parametrize("name", ["czj-2022.html", "jjf-2025.html", "zonghe-2024.html"])
def test_real_report_with_typod_headers_and_swapped_columns(name: str) -> None:
    gold = real_gold(name)
    doc = _retable(loaders.load(real_path(name)), _typo_and_swap)
    heads = {c.text for b in doc.tables for row in b.table.rows for c in row}  # type: ignore[union-attr]
    assert {"商业企事", "法律服务机", "其它", "总记", "自然入"} <= heads
    res = read_tables(doc, ())
    assert _wrong(res, gold) == []
    assert res.template == gold["template"]


def test_hand_built_typod_header_in_another_column_order() -> None:
    note = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    texts = [
        [note, "申请人情况", "", "", "", "", "", ""],
        ["", "总记", "法人或其它组织", "", "", "", "", "自然入"],
        ["", "", "其它", "法律服务机", "社会公益组识", "科研机购", "商业企事", ""],
        ["一、本年新收政府信息公开申请数量", "16", "1", "2", "3", "4", "5", "1"],
    ]
    anchors = {(0, c): (0, 1) for c in range(1, 8)} | {(1, c): (1, 2) for c in range(2, 7)}
    anchors |= {(0, 0): (0, 0), (1, 0): (0, 0), (2, 0): (0, 0), (2, 1): (1, 1), (2, 7): (1, 7)}
    cells = [
        [GridCell(texts[anchors.get((r, c), (r, c))[0]][anchors.get((r, c), (r, c))[1]], anchors.get((r, c), (r, c))) for c in range(8)]
        for r in range(4)
    ]
    res = read_tables(_doc(Table(tuple(tuple(r) for r in cells), origin="t")), ())
    got = {c: res.cells[f"apply.new.{c}"].value for c, _ in APPLICANT_COLUMNS}
    assert got == {"total": 16, "other_org": 1, "legal": 2, "social": 3, "research": 4, "commercial": 5, "natural": 1}


def test_ambiguous_or_doubled_typo_header_is_not_guessed() -> None:
    # 本年废发件数 is one character from both 本年制发件数 and 本年废止件数: neither column
    doc = _doc([["信息内容", "本年废发件数", "现行有效件数", "本年废止件数"], ["规章", "9", "8", "7"]])
    res = read_tables(dataclasses.replace(doc, format="html"), ())
    assert res.cells["active.rules.in_force"].value == 8
    assert res.cells["active.rules.repealed"].value == 7
    assert "active.rules.issued" not in res.cells


def _merge_value_rows(grid: list[list[GridCell]]) -> list[list[GridCell]]:
    """Every row with numbers as one cell "label0 0 0 ..." and blanks (a PDF text layer's rows);
    merged cells lose their spans (their text kept in their first position only)."""
    out = []
    for r, row in enumerate(grid):
        first = [c.text if c.anchor == (r, i) or ((i == 0 or row[i - 1].anchor != c.anchor) and c.anchor[0] == r) else "" for i, c in enumerate(row)]
        if any(parse_cell(t).kind == "number" for t in first):
            labels = "".join(t.strip() for t in first if t.strip() and parse_cell(t).kind not in ("number", "dash"))
            values = " ".join(t.strip() for t in first if parse_cell(t).kind in ("number", "dash"))
            first = [labels + values] + [""] * (len(row) - 1)
        out.append([GridCell(t, (r, i)) for i, t in enumerate(first)])
    return out


@pytest.mark.parametrize("name", ["czj-2022.html", "zonghe-2024.html", "czj-2020.html"])
def test_real_report_with_label_and_values_in_one_cell(name: str) -> None:
    gold = real_gold(name)
    doc = _retable(loaders.load(real_path(name)), _merge_value_rows)
    rows = [c.text for b in doc.tables for row in b.table.rows for c in row[:1]]  # type: ignore[union-attr]
    assert any(label_key(t).startswith("不予处理1信访举报投诉类申请") for t in rows)
    res = read_tables(doc, ())
    assert _wrong(res, gold) == []
    assert res.template == gold["template"]


def test_hand_built_merged_cells_split_only_when_the_count_fits() -> None:
    width = 8
    rows = [r + [""] * (width - len(r)) for r in [
        ["一、本年新收政府信息公开申请数量5 1 0 0 0 0 6"],
        ["（五）不予处理1.信访举报投诉类申请0 0 0 0 0 0 0"],
        ["2.重复申请1 0 0 0 0 1"],  # six values for seven columns: which one is missing is unknown
        ["3.要求提供公开出版物", "2 0 0 0 0 0 2"],
    ]]
    active = [["信息内容", "本年处理决定数量"], ["行政许可12", ""], ["行政处罚12 3", ""]]
    res = read_tables(_doc(_APPLY_HEADER + rows, active), ())
    assert [res.cells[f"apply.new.{c}"].value for c, _ in APPLICANT_COLUMNS] == [5, 1, 0, 0, 0, 0, 6]
    assert res.cells["apply.rejected.complaint.total"].value == 0
    assert res.cells["apply.rejected.publication.natural"].value == 2
    assert res.cells["apply.rejected.publication.total"].value == 2
    assert not any(c.startswith("apply.rejected.duplicate.") for c in res.cells)
    assert res.cells["active.licensing.decisions"].value == 12
    assert "active.penalty.decisions" not in res.cells  # two numbers for a one-column row


def test_t4_left_blank_is_blank_cells_not_a_missing_table() -> None:
    res = read_tables(_doc([*_T4_HEADER, [""] * 15]), ())
    assert {c for c in res.cells if c.startswith(("review.", "litigation_"))} == {
        f"{b}.{c}" for b in ("review", "litigation_direct", "litigation_after_review")
        for c in ("upheld", "corrected", "other", "pending", "total")
    }
    assert all(res.cells[c].kind == "blank" for c in res.cells)
    assert "t4" not in {f.detail.get("table") for f in res.findings if f.rule == "missing_table"}
    # a blank spacer row under the header gives way to the numbers below it
    res = read_tables(_doc([*_T4_HEADER, [""] * 15, *_T4_ROW]), ())
    assert res.cells["review.upheld"].value == 2
    assert res.cells["litigation_after_review.total"].value == 1
    # a block's row left blank under its label
    rows = [["", "结果维持", "结果纠正", "其他结果", "尚未审结", "总计"], ["行政复议", "", "", "", "", ""]]
    rows += [["未经复议直接起诉", "1", "0", "0", "0", "1"], ["复议后起诉", "0", "0", "0", "1", "1"]]
    res = read_tables(_doc(rows), ())
    assert (res.cells["review.total"].kind, res.cells["review.total"].value) == ("blank", None)
    assert res.cells["litigation_direct.upheld"].value == 1


def test_year_from_the_metadata_stage_checks_the_template() -> None:
    # the year is the metadata stage's answer, passed in; unknown (None) skips the check
    tables_2021 = (_ACTIVE_2021, _APPLY_HEADER + _apply_rows(single_other=False), _T4_HEADER + _T4_ROW)
    title = "2020年度政府信息公开工作年度报告"
    doc = dataclasses.replace(_doc(title, *tables_2021), text=title)
    assert read_tables(doc, ()).template == "2021"
    assert read_tables(doc, (), year=2021).template == "2021"
    res = read_tables(doc, (), year=2020)
    assert res.template == "mixed"
    (dev,) = [f for f in res.findings if f.rule == "template_deviation"]
    assert (dev.expected, dev.found) == ("2019", "2021")
    # the pipeline hands the year the metadata stage read from the title to the tables stage
    from nlp_pipeline.pipeline import analyze_document

    report = analyze_document(doc)
    assert (report.year, report.template) == (2020, "mixed")
    assert report.cells == res.cells
