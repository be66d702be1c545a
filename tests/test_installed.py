"""In CI the suite must test the installed package, not the source tree beside it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import nlp_pipeline

from .conftest import ROOT


@pytest.mark.skipif(
    os.environ.get("NLP_PIPELINE_TEST_INSTALLED") != "1",
    reason="set by .ci/run, which tests the non-editable install",
)
def test_suite_imports_the_installed_package() -> None:
    where = Path(nlp_pipeline.__file__).resolve()
    assert not where.is_relative_to(ROOT.resolve()), f"imported from the source tree: {where}"
    assert "site-packages" in where.parts
    from nlp_pipeline.problem_classifier import packaged_model_path

    assert packaged_model_path().is_relative_to(where.parent)
    assert packaged_model_path().is_file()
