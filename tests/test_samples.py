"""The bundled synthetic samples: reproducible, complete gold, arithmetic and claims that hold.

These run without ../shared: they are what CI checks the pipeline against. The arithmetic here
is written independently of the generator's, so a generator bug shows as a mismatch.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from nlp_pipeline import NlpPipelineError, Report, analyze_or_error, analyze_path, yearly
from nlp_pipeline.loaders import load
from nlp_pipeline.schema import cell_ids

from .conftest import ROOT, SAMPLES, load_script

BAD = ROOT / "corpora" / "bad"
SCRIPT = ROOT / "scripts" / "generate_corpus.py"
COLS = ("natural", "commercial", "research", "social", "legal", "other_org", "total")
T4 = ("review", "litigation_direct", "litigation_after_review")


def _generator() -> ModuleType:
    return load_script(SCRIPT.name, "generate_corpus")


def sample_files() -> list[Path]:
    return sorted(p for p in SAMPLES.iterdir() if p.is_file())


def gold_of(path: Path) -> dict[str, Any]:
    return json.loads((SAMPLES / "gold" / f"{path.name}.json").read_text(encoding="utf-8"))


def expected_ids(template: str) -> set[str]:
    if template != "mixed":
        return set(cell_ids(template))  # type: ignore[arg-type]
    ids = {i for i in cell_ids("2021") if not i.startswith("apply.other.")}
    return ids | {f"apply.other.{c}" for c in COLS}


def arithmetic(cells: dict[str, float | None]) -> list[tuple[str, tuple[str, ...]]]:
    """The five rules, straight from the form's definitions (blank counts as 0 in sums)."""

    def v(cid: str) -> float:
        return cells.get(cid) or 0.0

    rows = sorted({k.rsplit(".", 1)[0] for k in cells if k.startswith("apply.")})
    fixed = {"apply.new", "apply.carried_over", "apply.total_processed", "apply.carried_forward"}
    outcomes = [r for r in rows if r not in fixed]
    found = []
    for r in rows:
        parts = sum(v(f"{r}.{c}") for c in COLS[:-1])
        if cells[f"{r}.total"] is None and parts:
            found.append(("blank_total", (f"{r}.total",)))
        elif cells[f"{r}.total"] is not None and cells[f"{r}.total"] != parts:
            found.append(("row_sum", (f"{r}.total",)))
    for c in COLS:
        tp = f"apply.total_processed.{c}"
        if cells[tp] is not None and cells[tp] != sum(v(f"{r}.{c}") for r in outcomes):
            found.append(("outcomes_sum", (tp,)))
        if v(f"apply.new.{c}") + v(f"apply.carried_over.{c}") != v(tp) + v(f"apply.carried_forward.{c}"):
            found.append(("identity", (tp, f"apply.carried_forward.{c}", f"apply.new.{c}")))
    for b in T4:
        parts = sum(v(f"{b}.{c}") for c in ("upheld", "corrected", "other", "pending"))
        if cells[f"{b}.total"] is None and parts:
            found.append(("blank_total", (f"{b}.total",)))
        elif cells[f"{b}.total"] is not None and cells[f"{b}.total"] != parts:
            found.append(("t4_block", (f"{b}.total",)))
    return sorted(found)


def test_samples_cover_every_format_and_template() -> None:
    golds = [gold_of(p) for p in sample_files()]
    assert len(golds) == 12
    assert {g["format"] for g in golds} == {"txt", "md", "html", "docx", "pdf"}
    assert {g["template"] for g in golds} == {"2019", "2021", "mixed"}
    assert all(2020 <= g["year"] <= 2025 for g in golds)
    assert all(g["year"] <= 2020 for g in golds if g["template"] == "2019")
    assert sum(p.stat().st_size for p in SAMPLES.rglob("*") if p.is_file()) < 2_000_000


def test_every_sample_has_complete_gold() -> None:
    names = {p.name for p in sample_files()}
    assert {p.name[: -len(".json")] for p in (SAMPLES / "gold").glob("*.json")} == names
    for p in sample_files():
        g = gold_of(p)
        assert g["file"] == p.name
        assert p.suffix == "." + g["format"]
        assert set(g["cells"]) == expected_ids(g["template"]), p.name
        assert all(v is None or isinstance(v, float) for v in g["cells"].values())
        assert str(g["year"]) in g["agency"] + p.name


def test_gold_arithmetic_holds_except_injected_errors() -> None:
    by_kind = {
        "row_sum": {"row_sum"},
        "outcomes_off": {"outcomes_sum", "identity"},
        "t4_block": {"t4_block"},
        "blank_total": {"blank_total"},
    }
    for p in sample_files():
        g = gold_of(p)
        found = arithmetic(g["cells"])
        recorded = sorted((e["rule"], tuple(e["cells"])) for e in g["arithmetic_errors"])
        assert found == recorded, p.name
        expected_rules = set().union(*(by_kind.get(k, set()) for k in g["injected"]))
        assert {r for r, _ in found} >= expected_rules, p.name
        if not expected_rules:
            assert found == [], p.name


def test_injected_errors_are_all_present() -> None:
    kinds = [k for p in sample_files() for k in gold_of(p)["injected"]]
    assert set(kinds) == {
        "row_sum",
        "outcomes_off",
        "t4_block",
        "blank_total",
        "narrative",
        "split_digits",
        "carryover",
    }
    rules = {e["rule"] for p in sample_files() for e in gold_of(p)["arithmetic_errors"]}
    assert rules == {"row_sum", "outcomes_sum", "identity", "t4_block", "blank_total"}


def test_narrative_claims_agree_with_tables_except_narrative_errors() -> None:
    for p in sample_files():
        g = gold_of(p)
        wrong = {(e["metric"], e["claim_value"]) for e in g["narrative_errors"]}
        assert bool(wrong) == ("narrative" in g["injected"]), p.name
        assert g["claims"], p.name
        for c in g["claims"]:
            if not c["cells"] or any(g["cells"][i] is None for i in c["cells"]):
                continue
            table = sum(g["cells"][i] for i in c["cells"])
            if (c["metric"], c["value"]) in wrong:
                assert c["value"] != table, (p.name, c)
            else:
                assert c["value"] == table, (p.name, c)
        for e in g["narrative_errors"]:
            assert e["table_value"] == sum(g["cells"][i] for i in e["cells"])


def test_series_continue_last_year_except_injected_carryover() -> None:
    series = [p for p in sample_files() if gold_of(p)["previous"]]
    assert len(series) == 2
    for p in series:
        g = gold_of(p)
        prev = gold_of(SAMPLES / g["previous"])
        assert (prev["agency"], prev["year"]) == (g["agency"], g["year"] - 1)
        found = []
        moved = [
            f"apply.carried_over.{c}"
            for c in COLS
            if g["cells"][f"apply.carried_over.{c}"] != prev["cells"][f"apply.carried_forward.{c}"]
        ]
        if moved:
            found.append(("carryover_mismatch", tuple(moved)))
        for kind in ("rules", "normative_docs"):
            ids = tuple(f"active.{kind}.{c}" for c in ("in_force", "issued", "repealed"))
            now, issued, repealed = (g["cells"][i] for i in ids)
            if prev["cells"][ids[0]] + issued - repealed != now:
                found.append(("in_force_continuity", ids))
        assert found == [(e["rule"], tuple(e["cells"])) for e in g["cross_year_errors"]], p.name
        assert bool(found) == ("carryover" in g["injected"]), p.name


def test_section_five_copied_only_where_recorded() -> None:
    """One series repeats last year's problems verbatim (recorded); no other sample shares one."""
    texts = {p.name: load(p).text for p in sample_files()}
    copies = {p.name: gold_of(p)["copied_statements"] for p in sample_files()}
    assert sum(1 for c in copies.values() if c) == 1
    for name, stmts in copies.items():
        prev = gold_of(SAMPLES / name)["previous"]
        for st in stmts:
            assert st in texts[name] and st in texts[prev]
            assert sum(st in t for t in texts.values()) == 2


def test_claim_offsets_point_into_txt_and_md() -> None:
    checked = 0
    for p in sample_files():
        g = gold_of(p)
        if g["format"] not in ("txt", "md"):
            assert all("start" not in c for c in g["claims"])
            continue
        text = p.read_text(encoding="utf-8")
        for c in g["claims"] + g["narrative_errors"]:
            span = text[c["start"] : c["end"]]
            assert span == c["text"], (p.name, c)
            assert hashlib.sha1(span.encode("utf-8")).hexdigest()[:10] == c["sha1"]
            value = c.get("value", c.get("claim_value"))
            assert float(re.match(r"[\d.]+", span).group()) == value  # type: ignore[union-attr]
            checked += 1
    assert checked >= 30


def test_txt_sample_tables_print_gold_values() -> None:
    p = SAMPLES / next(q.name for q in sample_files() if gold_of(q)["injected"] == ["split_digits"])
    g = gold_of(p)
    text = p.read_text(encoding="utf-8")
    [amb] = g["ambiguous"]
    assert amb["raw"] == " ".join(str(int(amb["value"])))
    row = next(line for line in text.splitlines() if line.startswith("一、本年新收政府信息公开申请数量 |"))
    assert row.split(" | ")[1] == amb["raw"]
    assert g["template"] == "mixed"
    assert "（六）其他处理 | " + " | ".join(str(int(g["cells"][f"apply.other.{c}"])) for c in COLS) in text


def _content(path: Path) -> Any:
    """What a DOCX/PDF says (library versions may change their bytes); other files' bytes."""
    if path.suffix == ".pdf":
        import pdfplumber

        with pdfplumber.open(path) as pdf:
            return [pg.extract_text() or "" for pg in pdf.pages]
    if path.suffix == ".docx":
        import docx

        d = docx.Document(str(path))
        return [p.text for p in d.paragraphs], [[c.text for c in r.cells] for t in d.tables for r in t.rows]
    return path.read_bytes()


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("regenerated")
    _generator().generate(out / "s", seed=7, count=12, bad_out=out / "bad")
    return out


def test_regenerating_reproduces_the_samples(regenerated: Path) -> None:
    for p in sample_files():
        assert _content(regenerated / "s" / p.name) == _content(p), p.name
        gold = (regenerated / "s" / "gold" / f"{p.name}.json").read_bytes()
        assert gold == (SAMPLES / "gold" / f"{p.name}.json").read_bytes(), p.name
    assert sorted(q.name for q in (regenerated / "s").iterdir() if q.is_file()) == [
        p.name for p in sample_files()
    ]
    for p in BAD.iterdir():
        assert (regenerated / "bad" / p.name).read_bytes() == p.read_bytes()


def test_docx_and_pdf_are_byte_reproducible(regenerated: Path) -> None:
    """Fixed zip times, core properties and reportlab invariant: a later render gives the same bytes."""
    gen = _generator()
    samples = gen.build_all(7, 12)
    binary = [next(s for s in samples if s.plan.fmt == fmt) for fmt in ("docx", "pdf")]
    for s in binary:
        assert gen.render(s)[0] == (regenerated / "s" / s.stem).read_bytes(), s.stem


def test_other_seed_changes_figures_and_text(tmp_path: Path) -> None:
    gen = _generator()
    [a] = gen.generate(tmp_path / "a", seed=7, count=1)
    [b] = gen.generate(tmp_path / "b", seed=8, count=1)
    assert a.read_text(encoding="utf-8") != b.read_text(encoding="utf-8")


def test_bad_inputs_give_catalogue_errors() -> None:
    results = {p.name: analyze_or_error(p) for p in sorted(BAD.iterdir())}
    assert set(results) == {"empty.txt", "junk.pdf", "truncated.html"}
    assert all(isinstance(r, NlpPipelineError) for r in results.values())
    codes = {name: r.code for name, r in results.items() if isinstance(r, NlpPipelineError)}
    assert codes["empty.txt"] == "E002"
    assert codes["junk.pdf"] == "E005"
    assert codes["truncated.html"] in ("E007", "E008")


@functools.cache
def _analyzed(name: str) -> Report:
    return analyze_path(SAMPLES / name)


ARITHMETIC_RULES = {"row_sum", "outcomes_sum", "identity", "t4_block", "blank_total"}


@pytest.mark.parametrize("name", [p.name for p in sample_files()])
def test_pipeline_matches_gold(name: str) -> None:
    """Cells, template, arithmetic findings and narrative mismatches of the whole pipeline."""
    g = gold_of(SAMPLES / name)
    report = _analyzed(name)
    got = {k: v.value for k, v in report.cells.items()}
    wrong = {k: (got.get(k, "missing"), v) for k, v in g["cells"].items() if got.get(k, "missing") != v}
    assert not wrong, f"{name}: {len(wrong)} cells differ (got, gold): {dict(list(wrong.items())[:8])}"
    assert (report.template, report.agency, report.year) == (g["template"], g["agency"], g["year"])
    arith = sorted((f.rule, tuple(f.cells)) for f in report.findings if f.rule in ARITHMETIC_RULES)
    assert arith == sorted((e["rule"], tuple(e["cells"])) for e in g["arithmetic_errors"])
    mismatched = {f.cells for f in report.findings if f.rule == "claim_mismatch"}
    assert mismatched == {tuple(e["cells"]) for e in g["narrative_errors"]}


@pytest.mark.parametrize("name", [p.name for p in sample_files() if gold_of(p)["previous"]])
def test_pipeline_cross_year_matches_gold(name: str) -> None:
    g = gold_of(SAMPLES / name)
    found = yearly.check_previous(_analyzed(name), _analyzed(g["previous"]))
    assert [(f.rule, list(f.cells)) for f in found] == [
        (e["rule"], e["cells"]) for e in g["cross_year_errors"]
    ]
