"""Shared test fixtures: paths to the real reports in ../shared (skipped cleanly when absent)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
REAL = SHARED / "corpora" / "real"
GOLD = REAL / "gold"
SAMPLES = ROOT / "corpora" / "samples"


def real_path(name: str) -> Path:
    """Path of a real report; skips the calling test when ../shared is not there."""
    p = REAL / name
    if not p.is_file():
        pytest.skip(f"real corpus not available: {p}")
    return p


def real_gold(name: str) -> dict:
    p = GOLD / f"{name}.json"
    if not p.is_file():
        pytest.skip(f"gold not available: {p}")
    return json.loads(p.read_text(encoding="utf-8"))


def gold_files() -> list[str]:
    """Names of the real reports that have gold (empty when ../shared is absent)."""
    if not GOLD.is_dir():
        return []
    return sorted(p.name[: -len(".json")] for p in GOLD.glob("*.json"))
