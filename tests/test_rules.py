"""The finding-rule catalogue, the code that emits findings and docs/contract.md agree."""

from __future__ import annotations

import re
from pathlib import Path

from nlp_pipeline.rules import STAGE_TITLES, Rule

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "nlp_pipeline"


def contract_rules() -> dict[str, set[str]]:
    """The 'Rules in use' table of docs/contract.md: stage title → rule ids."""
    text = (ROOT / "docs" / "contract.md").read_text(encoding="utf-8")
    table = text[text.index("| stage | rules |") :].split("\n\n", 1)[0]
    out: dict[str, set[str]] = {}
    for line in table.splitlines()[2:]:
        stage, rules = (c.strip() for c in line.strip("|").split("|"))
        out[stage] = set(re.findall(r"`([a-z0-9_]+)`", rules))
    return out


def test_contract_lists_exactly_the_catalogue_by_stage() -> None:
    expected: dict[str, set[str]] = {}
    for r in Rule:
        expected.setdefault(STAGE_TITLES[r.stage], set()).add(r.value)
    assert contract_rules() == expected


def test_every_finding_is_created_through_the_catalogue() -> None:
    """No rule id as a bare string at a creation site, and no catalogue entry the code never emits."""
    used: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        if path.name == "rules.py":
            continue
        src = path.read_text(encoding="utf-8")
        assert re.search(r"\brule\s*=\s*['\"]", src) is None, f"{path.name}: a rule id outside the catalogue"
        assert re.search(r"GridNote\(\s*['\"]", src) is None, f"{path.name}: a loader rule outside the catalogue"
        used |= set(re.findall(r"\bRule\.([A-Z0-9_]+)\b", src))
    assert used == {r.name for r in Rule}


def test_rule_is_its_id_string() -> None:
    import json

    assert Rule.ROW_SUM == "row_sum"
    assert json.dumps({"rule": Rule.CLAIM_MISMATCH}) == '{"rule": "claim_mismatch"}'
    assert Rule("model_missing") is Rule.MODEL_MISSING
    assert all(r.severity in ("error", "warning", "info") and r.meaning for r in Rule)
