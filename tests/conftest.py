"""Shared test fixtures: paths to the real reports in ../shared.

A test that needs ../shared is skipped only when ../shared itself is absent (a clean clone without
the real corpus), with that reason. When ../shared is there, a missing report or gold file is a
failure: it means a renamed or lost file, not an optional input.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
REAL = SHARED / "corpora" / "real"
GOLD = REAL / "gold"
SAMPLES = ROOT / "corpora" / "samples"


def load_script(file_name: str, module_name: str) -> ModuleType:
    """``scripts/<file_name>`` imported as the module ``module_name``, registered in
    ``sys.modules`` (dataclasses look their module up there while the class is built)."""
    spec = importlib.util.spec_from_file_location(module_name, ROOT / "scripts" / file_name)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = mod
    spec.loader.exec_module(mod)
    return mod


def require_shared() -> None:
    """Skip the calling test when ../shared (the real reports and their gold) is absent."""
    if not REAL.is_dir():
        pytest.skip(f"needs the real corpus in ../shared, which is absent here ({REAL} not found)")


def real_path(name: str) -> Path:
    """Path of a real report; skips when ../shared is absent, fails when the report is missing."""
    require_shared()
    p = REAL / name
    if not p.is_file():
        pytest.fail(f"real report {name} not found in {REAL} (renamed or removed?)")
    return p


def real_gold(name: str) -> dict:
    require_shared()
    p = GOLD / f"{name}.json"
    if not p.is_file():
        pytest.fail(f"gold for {name} not found: {p}")
    return json.loads(p.read_text(encoding="utf-8"))


def gold_files() -> list[str]:
    """Names of the real reports that have gold (empty when ../shared is absent)."""
    if not GOLD.is_dir():
        return []
    return sorted(p.name[: -len(".json")] for p in GOLD.glob("*.json"))
