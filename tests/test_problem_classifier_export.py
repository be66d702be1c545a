"""The classifier's numpy export: same probabilities as the joblib model, and no sklearn at run time."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nlp_pipeline import problem_classifier as pc
from nlp_pipeline.loaders import load

from .conftest import REAL, ROOT, require_shared
from .test_problem_classifier import _train_script

GOLD_FILE = ROOT / "corpora" / "problems" / "real_gold.jsonl"
SYNTH = ROOT / "corpora" / "problems" / "statements.jsonl"


def _sklearn_model() -> pc.PlattOneVsRest:
    import joblib

    return joblib.load(pc.DEFAULT_MODEL_PATH)["model"]


def _numpy_model() -> pc.NumpyPlattOneVsRest:
    bundle = pc._load_exported(pc.DEFAULT_MODEL_PATH)
    assert bundle is not None, "the export is missing or stale: run scripts/train_classifier.py --export-only"
    return bundle["model"]


def _with_clauses(texts: list[str]) -> list[str]:
    """The statements and every clause of them, normalised: what ``classify``/``topics`` score."""
    out = [pc.normalize(t) for t in texts]
    for t in texts:
        out += [pc.normalize(t[a:b]) for a, b in pc.clauses(t)]
    return out


def test_export_is_fresh_and_loaded_by_default() -> None:
    _, spec_path = pc.exported_paths(pc.DEFAULT_MODEL_PATH)
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    assert spec["source_sha256"] == pc._sha256(pc.DEFAULT_MODEL_PATH)
    assert spec["labels"] == list(pc.LABELS)
    assert isinstance(pc.load_model()["model"], pc.NumpyPlattOneVsRest)
    import joblib

    old = joblib.load(pc.DEFAULT_MODEL_PATH)
    new = pc.load_model()
    for key in ("labels", "threshold", "fit_threshold", "main", "version"):
        assert new[key] == old[key], key


def test_numpy_equals_sklearn_on_synthetic_statements() -> None:
    rows = [json.loads(line) for line in SYNTH.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = _with_clauses([r["text"] for r in rows if r["origin"] == "synthetic"])
    assert len(texts) > 300
    want = np.asarray(_sklearn_model().predict_proba(texts))
    got = _numpy_model().predict_proba(texts)
    assert got.shape == want.shape
    assert np.abs(got - want).max() <= 1e-9


def test_numpy_equals_sklearn_on_real_statements() -> None:
    require_shared()
    rows = [json.loads(line) for line in GOLD_FILE.read_text(encoding="utf-8").splitlines() if line.strip()]
    docs: dict[str, str] = {}
    spans = []
    for r in rows:
        if r["file"] not in docs:
            docs[r["file"]] = load(REAL / r["file"]).text
        spans.append(docs[r["file"]][r["start"] : r["end"]])
    texts = _with_clauses(spans)
    want = np.asarray(_sklearn_model().predict_proba(texts))
    got = _numpy_model().predict_proba(texts)
    assert np.abs(got - want).max() <= 1e-9


def test_edge_texts_match() -> None:
    texts = ["", "  ", "ABC abc\u3000\n\n  x", "一", "政务公开" * 50]
    assert np.abs(_numpy_model().predict_proba(texts) - _sklearn_model().predict_proba(texts)).max() <= 1e-9


def test_word_block_and_reexport_match(tmp_path: Path) -> None:
    """A model with the jieba word block (a configuration training may choose) exports exactly too."""
    tc = _train_script()
    rows = [json.loads(line) for line in SYNTH.read_text(encoding="utf-8").splitlines() if line.strip()]
    items = [
        tc.Item(
            text=r["text"],
            labels=tuple(r["labels"]),
            kind=r["kind"],
            group="synthetic",
            real=False,
            unit="statement",
        )
        for r in rows[:120]
    ]
    feats, clfs = tc.fit_raw(items, (2.0, 0.5, False))
    model = pc.PlattOneVsRest(feats, clfs, [(1.5, -0.5)] * len(clfs))
    src = tmp_path / "m.joblib"
    import joblib

    bundle = {
        "model": model,
        "labels": list(pc.LABELS),
        "threshold": 0.5,
        "fit_threshold": 0.3,
        "main": "argmax",
    }
    joblib.dump(bundle, src)
    tc.export_inference(bundle, tmp_path, source=src)
    loaded = pc.load_model(src)
    assert isinstance(loaded["model"], pc.NumpyPlattOneVsRest)
    assert [b.analyzer for b in loaded["model"].blocks] == ["char", "word"]
    texts = _with_clauses([r["text"] for r in rows[100:200]])
    assert np.abs(loaded["model"].predict_proba(texts) - model.predict_proba(texts)).max() <= 1e-9


def test_stale_export_falls_back_to_joblib(tmp_path: Path) -> None:
    src = tmp_path / "copy.joblib"
    shutil.copyfile(pc.DEFAULT_MODEL_PATH, src)
    npz, js = pc.exported_paths(pc.DEFAULT_MODEL_PATH)
    shutil.copyfile(npz, pc.exported_paths(src)[0])
    spec = json.loads(js.read_text(encoding="utf-8"))
    spec["source_sha256"] = "0" * 64
    pc.exported_paths(src)[1].write_text(json.dumps(spec), encoding="utf-8")
    assert isinstance(pc.load_model(src)["model"], pc.PlattOneVsRest)


def test_export_refuses_settings_it_cannot_reproduce(tmp_path: Path) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    tc = _train_script()
    vec = TfidfVectorizer(analyzer="char_wb").fit(["政务公开", "政策解读"])
    model = pc.PlattOneVsRest(FeatureUnion([("chars", vec)]), [], [])
    src = tmp_path / "m.joblib"
    src.write_bytes(b"x")
    with pytest.raises(ValueError, match="analyzer"):
        tc.export_inference({"model": model, "labels": []}, tmp_path, source=src)


#: Libraries a TXT ``analyze`` must not import (batch, database, other formats, training): each
#: costs start-up time. rich, jinja2 and requests are not listed: ``import spacy`` brings them.
_NOT_FOR_TXT = (
    "sklearn", "scipy", "pandas", "joblib", "duckdb", "pyarrow", "dask", "distributed", "docx",
    "pypdfium2", "pdfplumber", "pdfminer", "lxml", "plotly",
)


def test_analyze_imports_no_sklearn_scipy_pandas() -> None:
    sample = ROOT / "corpora" / "samples" / "01-shili-jyj-2025.txt"
    code = (
        "import contextlib, io, json, sys\n"
        "from nlp_pipeline.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        f"    rc = main(['analyze', {str(sample)!r}, '--format', 'json'])\n"
        "assert rc == 0, rc\n"
        "problems = json.loads(out.getvalue())['problems']\n"
        "assert problems and all(p['categories'] for p in problems), problems\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({_NOT_FOR_TXT!r})))\n"
    )
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    run = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=ROOT,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip().splitlines()[-1] == "[]"


def test_cue_block_exports_exactly(tmp_path: Path) -> None:
    """A model with the per-category cue counts (CATEGORY_CUES) scores the same through numpy."""
    tc = _train_script()
    rows = [json.loads(line) for line in SYNTH.read_text(encoding="utf-8").splitlines() if line.strip()]
    items = [
        tc.Item(r["text"], tuple(r["labels"]), r["kind"], "synthetic", False, "statement") for r in rows[:150]
    ]
    feats, clfs = tc.fit_raw(items, tc.Config(C=2.0, words=0.5, cues=0.7, clauses=False))
    model = pc.PlattOneVsRest(feats, clfs, [(1.2, -0.3)] * len(clfs))
    src = tmp_path / "cues.joblib"
    import joblib

    bundle = {"model": model, "labels": list(pc.LABELS), "threshold": 0.5, "fit_threshold": 0.3}
    joblib.dump(bundle, src)
    tc.export_inference(bundle, tmp_path, source=src)
    loaded = pc.load_model(src)["model"]
    assert isinstance(loaded, pc.NumpyPlattOneVsRest)
    assert [type(b).__name__ for b in loaded.blocks] == ["TfidfBlock", "TfidfBlock", "CueBlock"]
    assert loaded.blocks[2].cues == {k: tuple(v) for k, v in pc.CATEGORY_CUES.items()}
    texts = [*_with_clauses([r["text"] for r in rows[150:260]]), "", "网站栏目更新不及时"]
    assert np.abs(loaded.predict_proba(texts) - model.predict_proba(texts)).max() <= 1e-9
    cue_col = len(loaded.blocks[0].vocabulary) + len(loaded.blocks[1].vocabulary)
    x = feats.transform(["网站栏目更新不及时"]).toarray()[0, cue_col:]
    # platform: 网站 + 栏目; timeliness: 更新 + 及时; weighted 0.7
    assert x[pc.LABELS.index("platform")] == pytest.approx(0.7 * np.log(3))
    assert x[pc.LABELS.index("timeliness")] == pytest.approx(0.7 * np.log(3))
    assert x[pc.LABELS.index("staff_training")] == 0.0
