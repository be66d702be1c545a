"""Stable ids for the six statutory sections and every cell of 表二/表三/表四.

Written from the official formats (国办公开办函〔2021〕30号 and the 2019 trial format); the
ids match ``shared/spec/template_schema.json`` (a test checks it). Labels are the official
wording, the targets the table reader fuzzy-matches real labels against.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

Template = Literal["2019", "2021"]

SECTIONS: tuple[tuple[str, str], ...] = (
    ("overview", "一、总体情况"),
    ("active_disclosure", "二、主动公开政府信息情况"),
    ("applications", "三、收到和处理政府信息公开申请情况"),
    ("review_litigation", "四、政府信息公开行政复议、行政诉讼情况"),
    ("problems", "五、存在的主要问题及改进情况"),
    ("other_matters", "六、其他需要报告的事项"),
)
SECTION_IDS: tuple[str, ...] = tuple(s for s, _ in SECTIONS)

APPLICANT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("natural", "自然人"),
    ("commercial", "商业企业"),
    ("research", "科研机构"),
    ("social", "社会公益组织"),
    ("legal", "法律服务机构"),
    ("other_org", "其他"),
    ("total", "总计"),
)

_DENIED = (
    ("state_secret", "1.属于国家秘密"),
    ("law_prohibited", "2.其他法律行政法规禁止公开"),
    ("three_security", "3.危及“三安全一稳定”"),
    ("third_party", "4.保护第三方合法权益"),
    ("internal_affairs", "5.属于三类内部事务信息"),
    ("process_info", "6.属于四类过程性信息"),
    ("enforcement_file", "7.属于行政执法案卷"),
    ("query_matter", "8.属于行政查询事项"),
)
_UNABLE = (
    ("not_held", "1.本机关不掌握相关政府信息"),
    ("need_create", "2.没有现成信息需要另行制作"),
    ("unclear", "3.补正后申请内容仍不明确"),
)
_REJECTED = (
    ("complaint", "1.信访举报投诉类申请"),
    ("duplicate", "2.重复申请"),
    ("publication", "3.要求提供公开出版物"),
    ("massive_repeat", "4.无正当理由大量反复申请"),
    ("confirm_info", "5.要求行政机关确认或重新出具已获取信息"),
)
#: The sub-row keys of （三）不予公开, （四）无法提供 and （五）不予处理 (``apply.denied.<key>`` ...):
#: the one list the indicators and the claim readings use too.
DENIED_ROWS = tuple(k for k, _ in _DENIED)
UNABLE_ROWS = tuple(k for k, _ in _UNABLE)
REJECTED_ROWS = tuple(k for k, _ in _REJECTED)
_OTHER_2021 = (
    ("no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    ("no_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    ("other", "3.其他"),
)

T4_BLOCKS: tuple[tuple[str, str], ...] = (
    ("review", "行政复议"),
    ("litigation_direct", "行政诉讼 未经复议直接起诉"),
    ("litigation_after_review", "行政诉讼 复议后起诉"),
)
T4_COLUMNS: tuple[tuple[str, str], ...] = (
    ("upheld", "结果维持"),
    ("corrected", "结果纠正"),
    ("other", "其他结果"),
    ("pending", "尚未审结"),
    ("total", "总计"),
)


@dataclass(frozen=True, slots=True)
class CellSpec:
    id: str
    table: Literal["active", "applications", "review_litigation"]
    row: str  # row id, e.g. "apply.denied.state_secret"
    col: str  # column id, e.g. "natural"
    row_label: str
    col_label: str


@dataclass(frozen=True, slots=True)
class RowSpec:
    """A table row: id, official label, and (for 表三) the group heading above it."""

    id: str
    label: str
    group: str = ""


def _active_rows(template: Template) -> list[tuple[str, str, list[tuple[str, str]]]]:
    if template == "2021":
        docs = [("issued", "本年制发件数"), ("repealed", "本年废止件数"), ("in_force", "现行有效件数")]
        dec = [("decisions", "本年处理决定数量")]
        return [
            ("active.rules", "规章", docs),
            ("active.normative_docs", "行政规范性文件", docs),
            ("active.licensing", "行政许可", dec),
            ("active.penalty", "行政处罚", dec),
            ("active.coercion", "行政强制", dec),
            ("active.fees", "行政事业性收费", [("amount_wan", "本年收费金额（单位：万元）")]),
        ]
    docs = [("made", "本年新制作数量"), ("published", "本年新公开数量"), ("total_public", "对外公开总数量")]
    items = [("prev_items", "上一年项目数量"), ("delta", "本年增/减"), ("decisions", "处理决定数量")]
    return [
        ("active.rules", "规章", docs),
        ("active.normative_docs", "规范性文件", docs),
        ("active.licensing", "行政许可", items),
        ("active.other_services", "其他对外管理服务事项", items),
        ("active.penalty", "行政处罚", items),
        ("active.coercion", "行政强制", items),
        ("active.fees", "行政事业性收费", items[:2]),
        ("active.procurement", "政府集中采购", [("items", "采购项目数量"), ("amount", "采购总金额")]),
    ]


def application_rows(template: Template) -> list[RowSpec]:
    """表三 rows in form order; ``group`` is the （三）/（四）/（五）/（六） heading if any."""
    rows = [
        RowSpec("apply.new", "一、本年新收政府信息公开申请数量"),
        RowSpec("apply.carried_over", "二、上年结转政府信息公开申请数量"),
        RowSpec("apply.granted", "（一）予以公开", "三、本年度办理结果"),
        RowSpec("apply.partial", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "三、本年度办理结果"),
    ]
    rows += [RowSpec(f"apply.denied.{k}", v, "（三）不予公开") for k, v in _DENIED]
    rows += [RowSpec(f"apply.unable.{k}", v, "（四）无法提供") for k, v in _UNABLE]
    rows += [RowSpec(f"apply.rejected.{k}", v, "（五）不予处理") for k, v in _REJECTED]
    if template == "2021":
        rows += [RowSpec(f"apply.other.{k}", v, "（六）其他处理") for k, v in _OTHER_2021]
    else:
        rows.append(RowSpec("apply.other", "（六）其他处理", "三、本年度办理结果"))
    rows.append(RowSpec("apply.total_processed", "（七）总计", "三、本年度办理结果"))
    rows.append(RowSpec("apply.carried_forward", "四、结转下年度继续办理"))
    return rows


@cache
def cell_specs(template: Template) -> tuple[CellSpec, ...]:
    """Every cell of the template, in the official order (表二, 表三, 表四)."""
    out: list[CellSpec] = []
    for row_id, label, cols in _active_rows(template):
        out += [CellSpec(f"{row_id}.{c}", "active", row_id, c, label, cl) for c, cl in cols]
    for row in application_rows(template):
        label = f"{row.group} {row.label}".strip() if row.group.startswith("（") else row.label
        out += [
            CellSpec(f"{row.id}.{c}", "applications", row.id, c, label, cl) for c, cl in APPLICANT_COLUMNS
        ]
    for blk, label in T4_BLOCKS:
        out += [CellSpec(f"{blk}.{c}", "review_litigation", blk, c, label, cl) for c, cl in T4_COLUMNS]
    return tuple(out)


@cache
def cell_ids(template: Template) -> tuple[str, ...]:
    return tuple(s.id for s in cell_specs(template))


@cache
def all_cell_ids() -> frozenset[str]:
    """Ids of either template (a 'mixed' report may use both)."""
    return frozenset(cell_ids("2021")) | frozenset(cell_ids("2019"))
