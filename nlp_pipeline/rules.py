"""The catalogue of finding rules: every ``Finding`` the pipeline emits names one of these.

One place for each rule's id (the stable snake_case string in the JSON output), its usual
severity, the stage that emits it and what it means, so the documentation (docs/contract.md,
checked by a test) and the code cannot drift apart. ``Rule`` is a ``StrEnum``: a member is the
id string itself, so outputs and comparisons with plain strings are unchanged.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

Stage = Literal["loading", "sections", "tables", "arithmetic", "claims", "corpus", "problems"]
Severity = Literal["error", "warning", "info"]

#: Stage ids with the headings docs/contract.md files the rules under, in the document's order.
STAGE_TITLES: dict[str, str] = {
    "loading": "loading (limits)",
    "sections": "sections",
    "tables": "tables",
    "arithmetic": "arithmetic",
    "claims": "claims vs tables",
    "corpus": "year vs previous year (corpus pass)",
    "problems": "section 五",
}


class Rule(StrEnum):
    """A finding rule: ``value`` (the id), ``severity`` (usual), ``stage``, ``meaning``."""

    severity: Severity
    stage: Stage
    meaning: str

    def __new__(cls, rule_id: str, severity: Severity, stage: Stage, meaning: str) -> Rule:
        obj = str.__new__(cls, rule_id)
        obj._value_ = rule_id
        obj.severity = severity
        obj.stage = stage
        obj.meaning = meaning
        return obj

    # sections
    TABLE_SPAN_CLAMPED = (
        "table_span_clamped",
        "warning",
        "loading",
        "a rowspan/colspan/gridSpan over Limits.max_span was clamped: the cell covers fewer positions",
    )
    TABLE_TOO_LARGE = (
        "table_too_large",
        "warning",
        "loading",
        "a table would expand past Limits.max_table_cells: read unexpanded, or as text lines",
    )
    HTML_NESTING_FLATTENED = (
        "html_nesting_flattened",
        "warning",
        "loading",
        "markup nested deeper than the parser or Limits.max_html_depth follows was read as text lines",
    )
    MISSING_SECTION = ("missing_section", "error", "sections", "a statutory section is absent")
    SECTION_HEADING_MISSING = (
        "section_heading_missing",
        "warning",
        "sections",
        "a section was located by its content, not by a heading of its own",
    )
    SECTION_HEADING_VARIANT = (
        "section_heading_variant",
        "info",
        "sections",
        "a section heading is worded differently from the statutory one",
    )
    SECTION_RENUMBERED = (
        "section_renumbered",
        "warning",
        "sections",
        "a section carries another numeral than the statutory one",
    )
    SECTION_PROBLEMS_EMPTY = (
        "section_problems_empty",
        "warning",
        "sections",
        "section 五 (problems and improvements) has a heading but no text",
    )
    # tables
    MISSING_TABLE = ("missing_table", "error", "tables", "a statutory table (表二/表三/表四) was not found")
    MISSING_CELLS = (
        "missing_cells",
        "warning",
        "tables",
        "rows or columns of a found table could not be read (their label is absent)",
    )
    TEMPLATE_DEVIATION = (
        "template_deviation",
        "warning",
        "tables",
        "the tables mix the 2019 and 2021 formats, or use the format the year does not call for",
    )
    # arithmetic
    ROW_SUM = ("row_sum", "error", "arithmetic", "表三: a row's applicant columns do not add up to its total")
    OUTCOMES_SUM = (
        "outcomes_sum",
        "error",
        "arithmetic",
        "表三: the outcomes (一)–(六) do not add up to the applications processed",
    )
    IDENTITY = (
        "identity",
        "error",
        "arithmetic",
        "表三: new + carried over ≠ processed + carried forward",
    )
    T4_BLOCK = ("t4_block", "error", "arithmetic", "表四: a block's outcomes do not add up to its total")
    BLANK_TOTAL = ("blank_total", "error", "arithmetic", "a total is blank while its parts hold numbers")
    ACTIVE_COUNT = ("active_count", "warning", "arithmetic", "表二: a count that is not a whole non-negative number")
    ACTIVE_FEE = ("active_fee", "warning", "arithmetic", "表二: the fee amount is negative or not a number")
    IN_FORCE_MIN = (
        "in_force_min",
        "warning",
        "arithmetic",
        "表二: fewer documents in force than issued this year",
    )
    # claims vs tables
    CLAIM_MISMATCH = (
        "claim_mismatch",
        "error",
        "claims",
        "a narrative figure differs from the table cells it names (warning when it has several readings)",
    )
    CLAIM_PERCENTAGE = (
        "claim_percentage",
        "warning",
        "claims",
        "a narrative percentage differs from the ratio of the table cells it names",
    )
    CLAIM_ALL_CLOSED = (
        "claim_all_closed",
        "warning",
        "claims",
        "the narrative says every application was handled while 表三 carries some forward",
    )
    FEE_CONTRADICTION = (
        "fee_contradiction",
        "error",
        "claims",
        "section 六 says no 信息处理费 was collected but the narrative states a fee",
    )
    REPORT_PERIOD_YEAR = (
        "report_period_year",
        "warning",
        "claims",
        "the stated reporting period is not the report's year",
    )
    # year vs previous year (corpus pass)
    CARRYOVER_MISMATCH = (
        "carryover_mismatch",
        "error",
        "corpus",
        "this year's 上年结转 differs from last year's 结转下年度",
    )
    IN_FORCE_CONTINUITY = (
        "in_force_continuity",
        "warning",
        "corpus",
        "表二: last year in force + issued − abolished ≠ this year in force",
    )
    COPIED_PREVIOUS_YEAR = (
        "copied_previous_year",
        "warning",
        "corpus",
        "a section 五 statement repeats the previous year's report almost verbatim",
    )
    # section 五
    PROBLEMS_NOT_STATED = (
        "problems_not_stated",
        "warning",
        "problems",
        "section 五 lists measures but states no concrete problem",
    )
    PROBLEM_STATEMENT_VAGUE = (
        "problem_statement_vague",
        "info",
        "problems",
        "a problem statement too general to act on",
    )
    MODEL_MISSING = (
        "model_missing",
        "info",
        "problems",
        "the section 五 classifier could not be loaded: statements carry no categories",
    )
