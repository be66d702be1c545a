"""Indicators computed from the cells of each report, as DuckDB views.

Every indicator is defined once here (``INDICATORS``: name, SQL over cell values, formula in cell
ids, meaning); ``docs/indicators.md`` documents the same list and a test checks it stays in step.
Missing data stays missing: a blank, "/" or "-" cell has no value (NULL), a sum with a missing
term is missing, and a ratio whose denominator is missing or 0 is missing — never 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .schema import DENIED_ROWS, REJECTED_ROWS, UNABLE_ROWS

ARITHMETIC_RULES = (
    "active_count",
    "active_fee",
    "blank_total",
    "identity",
    "in_force_min",
    "outcomes_sum",
    "row_sum",
    "t4_block",
)
NARRATIVE_RULES = ("claim_mismatch", "claim_percentage", "claim_all_closed", "fee_contradiction")

_DENIED = DENIED_ROWS
_UNABLE = UNABLE_ROWS
_REJECTED = REJECTED_ROWS


@dataclass(frozen=True, slots=True)
class Indicator:
    name: str
    sql: str  # over the pivoted cell columns ("c"."<cell id>") and quality counts ("q".*)
    formula: str  # in cell ids, for docs/indicators.md
    meaning: str
    kind: str = "table"  # table / quality


def _c(cell_id: str) -> str:
    return f'c."{cell_id}"'


def _sum(ids: list[str]) -> str:
    # SQL "+" propagates NULL: a sum with any missing term is missing
    return "(" + " + ".join(_c(i) for i in ids) + ")"


def _ratio(num: str, den: str) -> str:
    return f"CASE WHEN ({den}) IS NULL OR ({den}) = 0 THEN NULL ELSE ({num}) / ({den}) END"


_DENIED_SUM = _sum([f"apply.denied.{k}.total" for k in _DENIED])
_UNABLE_SUM = _sum([f"apply.unable.{k}.total" for k in _UNABLE])
_REJECTED_SUM = _sum([f"apply.rejected.{k}.total" for k in _REJECTED])
_PROCESSED = _c("apply.total_processed.total")
_GRANTED = _sum(["apply.granted.total", "apply.partial.total"])
_RECEIVED = _sum(["apply.new.total", "apply.carried_over.total"])
_DOCS_ISSUED = f'COALESCE({_c("active.normative_docs.issued")}, {_c("active.normative_docs.made")})'


def _block(name: str, label: str) -> list[Indicator]:
    return [
        Indicator(f"{name}_total", _c(f"{name}.total"), f"{name}.total", f"{label}: total cases (表四 总计)"),
        Indicator(
            f"{name}_correction_rate",
            _ratio(_c(f"{name}.corrected"), _c(f"{name}.total")),
            f"{name}.corrected / {name}.total",
            f"{label}: share of cases where the decision was corrected (纠正 over 总计)",
        ),
    ]


INDICATORS: tuple[Indicator, ...] = (
    Indicator("new_applications", _c("apply.new.total"), "apply.new.total", "applications received this year (本年新收)"),
    Indicator(
        "carried_over", _c("apply.carried_over.total"), "apply.carried_over.total", "applications carried over from last year (上年结转)"
    ),
    Indicator(
        "processed", _PROCESSED, "apply.total_processed.total", "applications answered this year (办理结果 总计)"
    ),
    Indicator(
        "granted_share",
        _ratio(_GRANTED, _PROCESSED),
        "(apply.granted.total + apply.partial.total) / apply.total_processed.total",
        "share of answered applications disclosed in full or in part ((一)+(二) over 总计)",
    ),
    Indicator(
        "full_grant_share",
        _ratio(_c("apply.granted.total"), _PROCESSED),
        "apply.granted.total / apply.total_processed.total",
        "share disclosed in full (予以公开)",
    ),
    Indicator(
        "refusal_share",
        _ratio(_DENIED_SUM, _PROCESSED),
        "(" + " + ".join(f"apply.denied.{k}.total" for k in _DENIED) + ") / apply.total_processed.total",
        "share refused (不予公开, all eight grounds)",
    ),
    Indicator(
        "unable_share",
        _ratio(_UNABLE_SUM, _PROCESSED),
        "(" + " + ".join(f"apply.unable.{k}.total" for k in _UNABLE) + ") / apply.total_processed.total",
        "share the body could not provide (无法提供)",
    ),
    Indicator(
        "not_processed_share",
        _ratio(_REJECTED_SUM, _PROCESSED),
        "(" + " + ".join(f"apply.rejected.{k}.total" for k in _REJECTED) + ") / apply.total_processed.total",
        "share not handled as disclosure requests (不予处理)",
    ),
    Indicator(
        "carried_forward_share",
        _ratio(_c("apply.carried_forward.total"), _RECEIVED),
        "apply.carried_forward.total / (apply.new.total + apply.carried_over.total)",
        "share of the year's caseload still open at year end (结转下年度继续办理)",
    ),
    *_block("review", "administrative review (行政复议)"),
    *_block("litigation_direct", "litigation without prior review (未经复议直接起诉)"),
    *_block("litigation_after_review", "litigation after review (复议后起诉)"),
    Indicator(
        "litigation_total",
        _sum(["litigation_direct.total", "litigation_after_review.total"]),
        "litigation_direct.total + litigation_after_review.total",
        "all administrative litigation cases",
    ),
    Indicator(
        "normative_docs_in_force",
        _c("active.normative_docs.in_force"),
        "active.normative_docs.in_force",
        "normative documents in force at year end (现行有效件数; 2021 format only)",
    ),
    Indicator(
        "normative_docs_issued",
        _DOCS_ISSUED,
        "active.normative_docs.issued (2021) or active.normative_docs.made (2019)",
        "normative documents issued this year (本年制发 / 本年新制作)",
    ),
    Indicator(
        "fees_wan",
        _c("active.fees.amount_wan"),
        "active.fees.amount_wan",
        "administrative fees collected, 万元 (2021 format only)",
    ),
    Indicator("arithmetic_errors", "q.arithmetic_errors", "findings with rule in " + ", ".join(ARITHMETIC_RULES),
              "the report's tables contradict their own arithmetic", "quality"),
    Indicator("narrative_mismatches", "q.narrative_mismatches", "findings with rule in " + ", ".join(NARRATIVE_RULES),
              "narrative figures that contradict the tables", "quality"),
    Indicator("problem_statements", "q.problem_statements", "problems with kind = 'problem'",
              "statements of problems in section 五", "quality"),
    Indicator("vague_statements", "q.vague_statements", "problems with vague = true",
              "section 五 statements too vague to act on", "quality"),
    Indicator("copied_statements", "q.copied_statements", "problems with copied_from set",
              "section 五 statements copied from the previous year or another body", "quality"),
    Indicator("top_problem_category", "q.top_problem_category", "most frequent problems.category (ties: first by name)",
              "the report's dominant problem category", "quality"),
)

CELL_IDS: tuple[str, ...] = tuple(
    sorted(
        {
            "apply.new.total", "apply.carried_over.total", "apply.total_processed.total", "apply.granted.total",
            "apply.partial.total", "apply.carried_forward.total",
            *(f"apply.denied.{k}.total" for k in _DENIED),
            *(f"apply.unable.{k}.total" for k in _UNABLE),
            *(f"apply.rejected.{k}.total" for k in _REJECTED),
            *(f"{b}.{c}" for b in ("review", "litigation_direct", "litigation_after_review") for c in ("total", "corrected")),
            "active.normative_docs.in_force", "active.normative_docs.issued", "active.normative_docs.made",
            "active.fees.amount_wan",
        }
    )
)


def _quote(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(_quote(v) for v in values) + ")"


def report_indicators_sql() -> str:
    """One row per analysed report: source, body_id, is_primary, agency, year, format, template, then
    the indicators (needs the ``body_years`` table)."""
    pivot = ",\n".join(
        f"  max(value) FILTER (WHERE id = {_quote(i)}) AS \"{i}\"" for i in CELL_IDS
    )
    cols = ",\n".join(f"  {ind.sql} AS {ind.name}" for ind in INDICATORS)
    return f"""
WITH c AS (
SELECT source,
{pivot}
FROM cells WHERE id IN {_in(CELL_IDS)} GROUP BY source
), fq AS (
SELECT source,
  count(*) FILTER (WHERE rule IN {_in(ARITHMETIC_RULES)}) AS arithmetic_errors,
  count(*) FILTER (WHERE rule IN {_in(NARRATIVE_RULES)}) AS narrative_mismatches
FROM findings GROUP BY source
), pq AS (
SELECT source,
  count(*) FILTER (WHERE kind = 'problem') AS problem_statements,
  count(*) FILTER (WHERE vague) AS vague_statements,
  count(*) FILTER (WHERE copied_from IS NOT NULL) AS copied_statements,
  arg_max(category, n_cat) AS top_problem_category
FROM (SELECT *, count(*) OVER (PARTITION BY source, category)
        + CASE WHEN category IS NULL THEN -1e9 ELSE 0 END AS n_cat FROM problems) GROUP BY source
), q AS (
SELECT r.source,
  COALESCE(fq.arithmetic_errors, 0) AS arithmetic_errors,
  COALESCE(fq.narrative_mismatches, 0) AS narrative_mismatches,
  COALESCE(pq.problem_statements, 0) AS problem_statements,
  COALESCE(pq.vague_statements, 0) AS vague_statements,
  COALESCE(pq.copied_statements, 0) AS copied_statements,
  pq.top_problem_category
FROM reports r LEFT JOIN fq USING (source) LEFT JOIN pq USING (source)
)
SELECT r.source, y.body_id, y.is_primary, r.agency, r.year, r.format, r.template,
{cols}
FROM reports r LEFT JOIN body_years y USING (source) LEFT JOIN c USING (source) JOIN q USING (source)
"""


def create_views(con: Any) -> None:
    """(Re)create the views ``report_indicators``, ``indicators`` (primary copy per body-year)
    and ``problem_categories`` (statements per body-year and category)."""
    con.execute("CREATE OR REPLACE VIEW report_indicators AS " + report_indicators_sql())
    names = ", ".join(f"ri.{i.name}" for i in INDICATORS)
    con.execute(
        "CREATE OR REPLACE VIEW indicators AS "
        "SELECT y.body_id, b.name AS agency, y.year, ri.source, " + names + " "
        "FROM body_years y JOIN bodies b USING (body_id) JOIN report_indicators ri USING (source) "
        "WHERE y.is_primary ORDER BY y.body_id, y.year"
    )
    con.execute(
        "CREATE OR REPLACE VIEW problem_categories AS "
        "SELECT y.body_id, y.year, p.category, count(*) AS n FROM problems p "
        "JOIN body_years y USING (source) WHERE y.is_primary AND p.category IS NOT NULL "
        "GROUP BY ALL ORDER BY 1, 2, 3"
    )


def markdown() -> str:
    """The indicator table of docs/indicators.md (kept in step with ``INDICATORS`` by a test)."""
    lines = ["| indicator | formula (cell ids) | meaning |", "| --- | --- | --- |"]
    lines += [f"| `{i.name}` | `{i.formula}` | {i.meaning} |" for i in INDICATORS]
    return "\n".join(lines) + "\n"
