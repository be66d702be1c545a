"""Trained taxonomy classifier for section 五 statements (problems and measures).

The model is a scikit-learn pipeline trained by ``scripts/train_classifier.py`` on
``corpora/problems/statements.jsonl``; this module only loads it (once, offline) and applies it.
Text normalisation and tokenisation live here so training and inference cannot drift apart, and
so the pickled vectorizer can find its tokenizer by import.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import Errors, ModelError
from .result import Category

#: Category ids, in the order the model's outputs are indexed.
LABELS: tuple[str, ...] = (
    "policy_interpretation",
    "timeliness",
    "depth_completeness",
    "platform",
    "interaction",
    "application_handling",
    "staff_training",
    "grassroots",
    "mechanism_review",
    "security_privacy",
    "other",
)

#: Chinese names of the categories (the guide in corpora/problems/guide.md defines them).
LABEL_NAMES: dict[str, str] = {
    "policy_interpretation": "政策解读",
    "timeliness": "公开时效",
    "depth_completeness": "公开内容的深度与完整性",
    "platform": "平台建设（网站、新媒体、数字化）",
    "interaction": "互动回应与公众参与",
    "application_handling": "依申请公开办理与答复规范",
    "staff_training": "队伍建设与培训",
    "grassroots": "基层政务公开",
    "mechanism_review": "制度机制与发布审核",
    "security_privacy": "信息安全与个人隐私",
    "other": "其他",
}

MODEL_FILE = "problem_classifier.joblib"
#: Environment variable naming a user's own model file (``--model PATH`` sets it for the workers too).
MODEL_ENV = "NLP_PIPELINE_MODEL"


def packaged_model_path() -> Path:
    """The model shipped with the package (``nlp_pipeline.models``, from the top-level ``models/``).

    Installed, it is package data found with ``importlib.resources``; in a source checkout that
    was not installed the subpackage does not exist and the top-level ``models/`` is used.
    """
    from importlib import resources

    try:
        res = resources.files("nlp_pipeline.models") / MODEL_FILE
    except ModuleNotFoundError:
        return Path(__file__).resolve().parents[1] / "models" / MODEL_FILE
    return Path(str(res))


def default_model_path() -> Path:
    """``$NLP_PIPELINE_MODEL`` when set, else the packaged model."""
    env = os.environ.get(MODEL_ENV, "").strip()
    return Path(env) if env else packaged_model_path()


DEFAULT_MODEL_PATH = packaged_model_path()
DEFAULT_THRESHOLD = 0.35

_ENUMERATOR = re.compile(
    r"^\s*(?:[（(]?[一二三四五六七八九十\d]{1,3}[）)]|[一二三四五六七八九十]{1,3}[是、．.]|\d{1,2}[、．.])\s*"
)
_SPACE = re.compile(r"\s+")
_JIEBA_LOCK = threading.Lock()


def normalize(text: str) -> str:
    """Drop the list enumerator ("一是", "（二）") and layout whitespace: they carry no category."""
    t = _SPACE.sub("", text)
    return _ENUMERATOR.sub("", t, count=1)


def jieba_tokens(text: str) -> list[str]:
    """Word tokens for the word-level vectorizer (punctuation and numbers dropped)."""
    return list(_tokens(text))


@lru_cache(maxsize=8192)
def _tokens(text: str) -> tuple[str, ...]:
    """Cached: cross-validation re-tokenises the same statements many times."""
    import jieba

    with _JIEBA_LOCK:
        jieba.setLogLevel(60)
        words = jieba.lcut(text)
    return tuple(w for w in words if w.strip() and not re.fullmatch(r"[\W\d_]+", w))


@lru_cache(maxsize=4)
def _load(path: str) -> dict[str, Any]:
    """Load the artifact once per path; raises ``ModelError`` with the way to build it."""
    p = Path(path)
    hint = "train it with `python scripts/train_classifier.py` (writes models/problem_classifier.joblib)"
    if not p.is_file():
        raise ModelError.from_catalogue(Errors.E009, str(p), detail=f"{p.name} not found; {hint}")
    try:
        import joblib

        bundle = joblib.load(p)
    except Exception as exc:
        raise ModelError.from_catalogue(Errors.E009, str(p), detail=f"{exc!r}; {hint}") from exc
    if not isinstance(bundle, dict) or "model" not in bundle or "labels" not in bundle:
        raise ModelError.from_catalogue(Errors.E009, str(p), detail=f"not a classifier bundle; {hint}")
    return bundle


def load_model(model_path: Path | None = None) -> dict[str, Any]:
    """The cached model bundle: ``{"model", "labels", "threshold"}``."""
    return _load(str(model_path or default_model_path()))


def classify(
    texts: Sequence[str], *, model_path: Path | None = None, threshold: float | None = None
) -> list[tuple[Category, ...]]:
    """Categories for each statement, best first: every label scoring ≥ threshold, and always the top one."""
    if not texts:
        return []
    bundle = load_model(model_path)
    labels: list[str] = list(bundle["labels"])
    cut = float(bundle.get("threshold", DEFAULT_THRESHOLD) if threshold is None else threshold)
    probs = bundle["model"].predict_proba([normalize(t) for t in texts])
    out: list[tuple[Category, ...]] = []
    for row in probs:
        order = sorted(range(len(labels)), key=lambda i: -float(row[i]))
        keep = [i for i in order if float(row[i]) >= cut] or order[:1]
        out.append(tuple(Category(label=labels[i], score=round(float(row[i]), 4)) for i in keep))
    return out
