"""The package list in pyproject.toml is explicit (models/ is mapped in as nlp_pipeline.models):
a subpackage left out of it would be missing from every user's install, so check it here."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_subpackage_is_installed() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    declared = set(config["packages"])
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "nlp_pipeline").rglob("__init__.py")
    }
    assert found <= declared, f"subpackages missing from pyproject packages: {sorted(found - declared)}"
    assert config["package-dir"] == {"nlp_pipeline.models": "models"}
    assert (ROOT / "models" / "__init__.py").is_file()
