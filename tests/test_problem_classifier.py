"""The section 五 classifier: the labelled set, the saved artifact and ``classify``."""

from __future__ import annotations

import hashlib
import json
import pickle
from pathlib import Path
from types import ModuleType

import pytest

from nlp_pipeline.errors import ModelError
from nlp_pipeline.loading import load
from nlp_pipeline.problem_classifier import DEFAULT_MODEL_PATH, LABEL_NAMES, LABELS, classify, normalize
from nlp_pipeline.result import Category

from .conftest import REAL, ROOT, real_path

DATA = ROOT / "corpora" / "problems" / "statements.jsonl"
HELDOUT = ROOT / "corpora" / "problems" / "heldout.jsonl"
META = DEFAULT_MODEL_PATH.with_name("problem_classifier.meta.json")


def _rows() -> list[dict]:
    return [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_labels_constant() -> None:
    assert len(LABELS) == 11
    assert set(LABEL_NAMES) == set(LABELS)
    assert LABELS[-1] == "other"


def test_labelled_set_shape() -> None:
    rows = _rows()
    assert len({r["id"] for r in rows}) == len(rows)
    assert sum(r["kind"] == "problem" for r in rows) >= 300
    for r in rows:
        assert r["labels"] and set(r["labels"]) <= set(LABELS), r["id"]
        assert r["kind"] in ("problem", "measure")
        if r["origin"] == "synthetic":
            assert r["text"].strip() and "file" not in r
        else:
            assert "text" not in r, "real statements are stored by offsets only"
            assert r["end"] > r["start"] and len(r["sha1"]) == 10


def test_heldout_set_is_disjoint_from_training() -> None:
    held = [json.loads(line) for line in HELDOUT.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(held) >= 40
    trained = {normalize(r["text"]) for r in _rows() if "text" in r}
    assert not [h["id"] for h in held if normalize(h["text"]) in trained]
    assert {lab for h in held for lab in h["labels"]} == set(LABELS)


def test_every_category_has_problem_examples() -> None:
    counts = {lab: 0 for lab in LABELS}
    for r in _rows():
        if r["kind"] == "problem":
            for lab in r["labels"]:
                counts[lab] += 1
    assert min(counts.values()) >= 20, counts


def test_real_spans_resolve_through_loader() -> None:
    real_path("hengyang-hrss-2025.txt")
    rows = [r for r in _rows() if r["origin"] == "real" and not r["file"].endswith(".pdf")]
    assert len(rows) >= 60
    texts: dict[str, str] = {}
    for r in rows:
        if r["file"] not in texts:
            texts[r["file"]] = load(REAL / r["file"]).text
        span = texts[r["file"]][r["start"] : r["end"]]
        assert hashlib.sha1(span.encode("utf-8")).hexdigest()[:10] == r["sha1"], r["id"]


def test_normalize_drops_enumerators_and_layout() -> None:
    assert normalize("一是政策解读\n形式单一") == "政策解读形式单一"
    assert normalize("（二）强化培训") == "强化培训"
    assert normalize("3、网站改版") == "网站改版"
    assert normalize("政务公开") == "政务公开"


def test_missing_model_raises_model_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.joblib"
    with pytest.raises(ModelError) as exc:
        classify(["政策解读形式单一"], model_path=missing)
    assert exc.value.code == "E009"
    assert "train_classifier.py" in str(exc.value)
    assert str(missing) in str(exc.value)


def test_unreadable_model_raises_model_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.joblib"
    bad.write_bytes(b"not a pickle")
    with pytest.raises(ModelError):
        classify(["政策解读形式单一"], model_path=bad)


def test_empty_input() -> None:
    assert classify([], model_path=Path("/nonexistent.joblib")) == []


# Statements written for this test (not in the training set), each clearly about one category.
CLEAR = [
    ("解读方式仍以文字稿为主，图解、视频等解读产品较少，群众不易看懂", "policy_interpretation"),
    ("依申请公开答复文书不够规范，个别申请超过法定期限才答复", "application_handling"),
    ("村（居）务公开栏内容陈旧，乡镇政务公开专区作用发挥不明显", "grassroots"),
    ("公示名单中出现了群众身份证号码和家庭住址，个人隐私保护不到位", "security_privacy"),
    ("门户网站栏目设置不合理，站内搜索不好用，移动端浏览体验差", "platform"),
    ("工作人员多为兼职且流动频繁，业务培训次数少，专业能力不足", "staff_training"),
    ("网民留言回复慢，重大决策向社会征求意见的渠道少、参与人数少", "interaction"),
]


def test_classify_clear_statements() -> None:
    got = classify([t for t, _ in CLEAR])
    assert [cats[0].label for cats in got] == [lab for _, lab in CLEAR]
    for cats in got:
        assert all(isinstance(c, Category) for c in cats)
        assert [c.score for c in cats] == sorted((c.score for c in cats), reverse=True)
        assert 0.0 <= cats[-1].score <= cats[0].score <= 1.0


def test_threshold_keeps_top_label() -> None:
    (only_top,) = classify(["政务公开工作还有差距"], threshold=1.01)
    assert len(only_top) == 1
    (many,) = classify(["政务公开工作还有差距"], threshold=0.0)
    assert len(many) == len(LABELS)
    assert many[0] == only_top[0]


def test_metadata_matches_labelled_set() -> None:
    meta = json.loads(META.read_text(encoding="utf-8"))
    for key in (
        "labels",
        "threshold",
        "training_data_sha256",
        "versions",
        "scores",
        "date",
        "timing",
        "seed",
    ):
        assert key in meta, key
    assert meta["labels"] == list(LABELS)
    assert meta["training_data_sha256"] == hashlib.sha256(DATA.read_bytes()).hexdigest(), (
        "labelled set changed since training: rerun scripts/train_classifier.py"
    )
    assert 0.0 < meta["threshold"] < 1.0
    assert {"scikit-learn", "python", "jieba"} <= set(meta["versions"])
    assert 0.0 <= meta["scores"]["grouped_cv_problems"]["macro_f1"] <= 1.0


def test_artifact_holds_no_training_sentences() -> None:
    import joblib

    blob = pickle.dumps(joblib.load(DEFAULT_MODEL_PATH))
    synthetic = [normalize(r["text"]) for r in _rows() if r["origin"] == "synthetic"]
    assert not [t for t in synthetic if t.encode("utf-8") in blob]
    if REAL.is_dir():
        r = next(r for r in _rows() if r["origin"] == "real" and r["file"].endswith(".txt"))
        span = normalize(load(REAL / r["file"]).text[r["start"] : r["end"]])
        assert span.encode("utf-8") not in blob


def _train_script() -> ModuleType:
    """The training script as a module (scripts/ is not a package)."""
    import importlib.util
    import sys

    name = "train_classifier_under_test"
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / "train_classifier.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod  # dataclasses resolve their module through sys.modules
    spec.loader.exec_module(mod)
    return mod


def test_selection_prefers_simplest_within_noise() -> None:
    tc = _train_script()
    near = {((16.0, 0.5), 0.4): 0.900, ((16.0, 0.0), 0.45): 0.897, ((8.0, 0.0), 0.35): 0.896}
    assert tc.choose(near) == ((16.0, 0.0), 0.45)
    clear = {((16.0, 0.5), 0.4): 0.920, ((16.0, 0.0), 0.45): 0.897}
    assert tc.choose(clear) == ((16.0, 0.5), 0.4)
