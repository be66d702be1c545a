"""The package's own schema must name exactly the cells of the official spec, in order."""

from __future__ import annotations

import json

import pytest

from nlp_pipeline import schema

from .conftest import SHARED


def _spec() -> dict:
    if not SHARED.is_dir():
        pytest.skip(f"needs the official spec in ../shared, which is absent here ({SHARED} not found)")
    p = SHARED / "spec" / "template_schema.json"
    assert p.is_file(), f"official spec not found: {p}"
    return json.loads(p.read_text(encoding="utf-8"))


@pytest.mark.parametrize("template", ["2021", "2019"])
def test_cell_ids_and_labels_match_spec(template: str) -> None:
    spec = [c for part in _spec()["templates"][template].values() for c in part]
    ours = schema.cell_specs(template)  # type: ignore[arg-type]
    assert [c["id"] for c in spec] == [c.id for c in ours]
    assert [(c["row_label"], c["col_label"]) for c in spec] == [(c.row_label, c.col_label) for c in ours]


def test_section_ids_match_spec() -> None:
    assert [(s["id"], s["heading"]) for s in _spec()["sections"]] == list(schema.SECTIONS)


def test_template_sizes() -> None:
    assert len(schema.cell_ids("2021")) == 200
    assert len(schema.cell_ids("2019")) == 198
    assert "apply.other.total" in schema.all_cell_ids()
    assert "apply.other.other.total" in schema.all_cell_ids()
