"""Trained taxonomy classifier for section 五 statements (problems and measures).

The model is trained by ``scripts/train_classifier.py`` on the real statements of
``corpora/problems/real_gold.jsonl`` (with their per-clause topics) and the synthetic
``corpora/problems/statements.jsonl``, chosen by cross-validation grouped by body and calibrated
(Platt) so its scores are probabilities; this module only loads it (once, offline) and applies it,
from the numpy export beside the joblib (``problem_classifier.npz`` + ``.inference.json``), so
analysing a report never imports sklearn, scipy or pandas (the joblib is the fallback):
``classify`` gives a statement's labels (``other`` only when no category reaches the fit
threshold), ``topics`` one label per problem the statement lists.
Text normalisation and tokenisation live here so training and inference cannot drift apart, and
so the pickled vectorizer can find its tokenizer by import.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from .errors import Errors, ModelError
from .problem_segments import COMPLAINT
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

#: Cue words of each category, written once from the include column of the guide's label table
#: (corpora/problems/guide.md §3), never fitted to the labelled statements. A model may add their
#: per-category counts as features (``CueCounts``): every cue word of a category then shares one
#: weight, so a cue the training statements never used still counts for its category.
CATEGORY_CUES: dict[str, tuple[str, ...]] = {
    "policy_interpretation": ("解读", "图解", "阐释", "解析", "宣讲", "政策文件"),
    "timeliness": ("及时", "时效", "滞后", "更新", "补发", "集中发布", "同步", "延迟", "迟缓"),
    "depth_completeness": (
        "深度", "广度", "完整", "全面", "重点领域", "范围", "过程", "应公开", "未公开", "目录", "清单",
        "公开内容", "主动公开",
    ),
    "platform": (
        "网站", "新媒体", "渠道", "载体", "数字化", "体验", "图片", "视频", "图文", "通俗", "公众号",
        "微信", "微博", "栏目", "平台", "客户端", "检索", "搜索", "形式", "方式",
    ),
    "interaction": (
        "互动", "留言", "回应", "关切", "舆情", "征集", "预公开", "群众", "公众参与", "征求意见", "热点",
    ),
    "application_handling": ("依申请", "申请", "答复", "复议", "诉讼", "申请人"),
    "staff_training": (
        "队伍", "人员", "培训", "业务能力", "业务水平", "能力", "意识", "理念", "重视", "兼职", "专职",
        "流动", "素质", "干部", "力量",
    ),
    "grassroots": ("基层", "乡镇", "村", "社区", "街道", "标准化", "规范化", "专区"),
    "mechanism_review": (
        "制度", "机制", "责任", "监督", "考核", "协调", "审核", "审查", "属性", "错别字", "差错", "断字",
        "流程", "程序",
    ),
    "security_privacy": ("个人信息", "隐私", "脱敏", "保密", "安全", "泄露"),
    "other": ("不平衡", "不均衡", "创新", "亮点", "特色", "宣传"),
}


def cue_counts(text: str, cues: Mapping[str, Sequence[str]]) -> list[float]:
    """log(1 + occurrences of the category's cue words) per category, in ``cues``' order: the one
    function both the training features and the numpy inference call, so they cannot differ."""
    import math

    return [math.log1p(sum(text.count(w) for w in words)) for words in cues.values()]


class CueCounts:
    """A feature block of per-category cue counts (sklearn transformer protocol, nothing fitted).

    Named by its cue lists so a saved model keeps the lexicon it was trained with."""

    def __init__(self, cues: dict[str, tuple[str, ...]] | None = None) -> None:
        self.cues = cues

    def _cues(self) -> dict[str, tuple[str, ...]]:
        return CATEGORY_CUES if self.cues is None else self.cues

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {"cues": self.cues}

    def set_params(self, **params: Any) -> CueCounts:
        for k, v in params.items():
            setattr(self, k, v)
        return self

    def fit(self, texts: Sequence[str], y: Any = None) -> CueCounts:
        self.cues_ = {k: tuple(v) for k, v in self._cues().items()}
        return self

    def fit_transform(self, texts: Sequence[str], y: Any = None) -> Any:
        return self.fit(texts).transform(texts)

    def transform(self, texts: Sequence[str]) -> Any:
        import numpy as np
        from scipy import sparse

        rows = np.array([cue_counts(t, self.cues_) for t in texts], dtype=np.float64)
        return sparse.csr_matrix(rows.reshape(len(texts), len(self.cues_)))


MODEL_FILE = "problem_classifier.joblib"
#: The model's inference parameters beside the joblib (written by ``export_inference`` in
#: ``scripts/train_classifier.py``): numpy arrays and a JSON, so analysing never imports sklearn.
EXPORT_ARRAYS_SUFFIX = ".npz"
EXPORT_JSON_SUFFIX = ".inference.json"
EXPORT_FORMAT = 1
#: The decision settings a model bundle carries beside the model (kept in the export too).
BUNDLE_KEYS = ("labels", "threshold", "fit_threshold", "main", "other_rule", "version")
#: Environment variable naming a user's own model file (``--model PATH`` sets it for the workers too).
MODEL_ENV = "NLP_PIPELINE_MODEL"


def packaged_model_path() -> Path:
    """The model shipped with the package (``nlp_pipeline.models``, from the top-level ``models/``).

    Installed, it is package data found with ``importlib.resources``. In a source checkout (a
    ``pyproject.toml`` beside the package) the checkout's own top-level ``models/`` is used, so a
    second worktree imported through ``PYTHONPATH`` never loads the model of the editable install.
    """
    from importlib import resources

    root = Path(__file__).resolve().parents[1]
    if (root / "pyproject.toml").is_file() and (root / "models" / MODEL_FILE).is_file():
        return root / "models" / MODEL_FILE
    try:
        res = resources.files("nlp_pipeline.models") / MODEL_FILE
    except ModuleNotFoundError:
        return root / "models" / MODEL_FILE
    return Path(str(res))


def default_model_path() -> Path:
    """``$NLP_PIPELINE_MODEL`` when set, else the packaged model."""
    env = os.environ.get(MODEL_ENV, "").strip()
    return Path(env) if env else packaged_model_path()


DEFAULT_MODEL_PATH = packaged_model_path()
DEFAULT_THRESHOLD = 0.35
#: A specific category must reach this calibrated score, or the statement is ``other``.
DEFAULT_FIT_THRESHOLD = 0.3

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
    from .jieba_dict import load_tokenizer

    with _JIEBA_LOCK:
        words = load_tokenizer().lcut(text)
    return tuple(w for w in words if w.strip() and not re.fullmatch(r"[\W\d_]+", w))


def exported_paths(model_path: Path) -> tuple[Path, Path]:
    """The arrays and the JSON exported beside ``model_path`` (``x.joblib`` -> ``x.npz``, ``x.inference.json``)."""
    return model_path.with_suffix(EXPORT_ARRAYS_SUFFIX), model_path.with_suffix(EXPORT_JSON_SUFFIX)


def _sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def _load_exported(p: Path) -> dict[str, Any] | None:
    """The numpy bundle exported from ``p``, or None when absent or exported from another file
    (a retrained joblib without a fresh export is then loaded with joblib: slower, same scores)."""
    import json

    arrays, spec_path = exported_paths(p)
    if not (arrays.is_file() and spec_path.is_file()):
        return None
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    if spec.get("format") != EXPORT_FORMAT or spec.get("source_sha256") != _sha256(p):
        return None
    import numpy as np

    with np.load(arrays, allow_pickle=False) as z:
        data = {k: z[k] for k in z.files}
    blocks: list[TfidfBlock | CueBlock] = [
        CueBlock(cues={k2: tuple(v) for k2, v in b["cues"].items()}, weight=float(b["weight"]))
        if b.get("kind") == "cues"
        else TfidfBlock(
            vocabulary={t: i for i, t in enumerate(b["vocabulary"])},
            idf=data[f"idf_{k}"] if b["use_idf"] else None,
            analyzer=b["analyzer"],
            ngram_range=(int(b["ngram_range"][0]), int(b["ngram_range"][1])),
            lowercase=bool(b["lowercase"]),
            sublinear_tf=bool(b["sublinear_tf"]),
            norm=b["norm"],
            weight=float(b["weight"]),
        )
        for k, b in enumerate(spec["blocks"])
    ]
    model = NumpyPlattOneVsRest(blocks, data["coef"], data["intercept"], data["platt"])
    bundle = {k: spec[k] for k in BUNDLE_KEYS if k in spec}
    bundle["model"] = model
    return bundle


@lru_cache(maxsize=4)
def _load(path: str) -> dict[str, Any]:
    """Load the artifact once per path; raises ``ModelError`` with the way to build it.

    The numpy export beside the joblib is preferred (no sklearn, scipy or pandas import); the
    joblib itself is the fallback."""
    p = Path(path)
    hint = "train it with `python scripts/train_classifier.py` (writes models/problem_classifier.joblib)"
    if not p.is_file():
        raise ModelError.from_catalogue(Errors.E009, str(p), detail=f"{p.name} not found; {hint}")
    try:
        exported = _load_exported(p)
    except Exception as exc:
        raise ModelError.from_catalogue(
            Errors.E009, str(p), detail=f"exported parameters unreadable: {exc!r}; {hint}"
        ) from exc
    if exported is not None:
        return exported
    try:
        import joblib

        bundle = joblib.load(p)
    except Exception as exc:
        raise ModelError.from_catalogue(Errors.E009, str(p), detail=f"{exc!r}; {hint}") from exc
    if not isinstance(bundle, dict) or "model" not in bundle or "labels" not in bundle:
        raise ModelError.from_catalogue(Errors.E009, str(p), detail=f"not a classifier bundle; {hint}")
    return bundle


def load_model(model_path: Path | None = None) -> dict[str, Any]:
    """The cached model bundle: ``{"model", "labels", "threshold", "fit_threshold", "main"}``
    (``main`` is absent from older bundles: the main label is then the most probable one)."""
    return _load(str(model_path or default_model_path()))


class PlattOneVsRest:
    """Features, one linear classifier per label, and a Platt sigmoid per label.

    The sigmoids are fitted on out-of-fold scores (folds grouped by body), so a score of 0.7 means
    about 7 in 10 statements scored so carry the label: a threshold then means something.
    """

    def __init__(self, features: Any, classifiers: list[Any], platt: list[tuple[float, float]]) -> None:
        self.features = features
        self.classifiers = classifiers
        self.platt = platt

    def decision_function(self, texts: Sequence[str]) -> Any:
        import numpy as np

        x = self.features.transform(list(texts))
        return np.column_stack([c.decision_function(x) for c in self.classifiers])

    def predict_proba(self, texts: Sequence[str]) -> Any:
        import numpy as np

        d = self.decision_function(texts)
        a = np.array([p[0] for p in self.platt])
        b = np.array([p[1] for p in self.platt])
        return 1.0 / (1.0 + np.exp(-(d * a + b)))


_WHITE_SPACES = re.compile(r"\s\s+")  # sklearn's char analyzer collapses these to one space


class TfidfBlock:
    """One fitted ``TfidfVectorizer`` of the feature union, applied with numpy only.

    It reproduces ``TfidfVectorizer.transform`` for the settings the training script uses (raw
    term counts, optional lowercasing, char n-grams or jieba word n-grams, sublinear tf, idf, l2):
    ``export_inference`` refuses any other setting, so the two paths cannot silently differ.
    """

    def __init__(
        self,
        *,
        vocabulary: dict[str, int],
        idf: Any,
        analyzer: str,
        ngram_range: tuple[int, int],
        lowercase: bool,
        sublinear_tf: bool,
        norm: str | None,
        weight: float,
    ) -> None:
        self.vocabulary = vocabulary
        self.idf = idf
        self.analyzer = analyzer
        self.ngram_range = ngram_range
        self.lowercase = lowercase
        self.sublinear_tf = sublinear_tf
        self.norm = norm
        self.weight = weight

    @property
    def width(self) -> int:
        return len(self.vocabulary)

    def terms(self, text: str) -> list[str]:
        doc = text.lower() if self.lowercase else text
        lo, hi = self.ngram_range
        if self.analyzer == "char":
            doc = _WHITE_SPACES.sub(" ", doc)
            seq: Sequence[str] = doc
        else:
            seq = jieba_tokens(doc)
        out = list(seq) if lo == 1 else []
        join = "" if self.analyzer == "char" else " "
        for n in range(max(lo, 2), min(hi + 1, len(seq) + 1)):
            out += [join.join(seq[i : i + n]) for i in range(len(seq) - n + 1)]
        return out

    def transform_one(self, text: str) -> tuple[Any, Any]:
        """Sorted column indices and tf-idf values of one text (a sparse row)."""
        import numpy as np

        counts: dict[int, int] = {}
        for t in self.terms(text):
            j = self.vocabulary.get(t)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        idx = np.array(sorted(counts), dtype=np.int64)
        val = np.array([counts[j] for j in idx.tolist()], dtype=np.float64)
        if self.sublinear_tf:
            val = np.log(val) + 1.0
        if self.idf is not None:
            val = val * self.idf[idx]
        if self.norm == "l2" and val.size:
            val = val / np.sqrt(np.dot(val, val))
        elif self.norm == "l1" and val.size:
            val = val / np.abs(val).sum()
        return idx, val * self.weight


class CueBlock:
    """A ``CueCounts`` block applied with numpy only (the same ``cue_counts``)."""

    def __init__(self, *, cues: dict[str, tuple[str, ...]], weight: float) -> None:
        self.cues = cues
        self.weight = weight

    @property
    def width(self) -> int:
        return len(self.cues)

    def transform_one(self, text: str) -> tuple[Any, Any]:
        import numpy as np

        val = np.array(cue_counts(text, self.cues), dtype=np.float64)
        idx = np.flatnonzero(val)
        return idx.astype(np.int64), val[idx] * self.weight


class NumpyPlattOneVsRest:
    """``PlattOneVsRest`` from its exported parameters: the same probabilities, numpy only."""

    _MEMO_SIZE = 4096

    def __init__(self, blocks: Sequence[TfidfBlock | CueBlock], coef: Any, intercept: Any, platt: Any) -> None:
        self.blocks = blocks
        self.coef = coef  # labels x features (the blocks' columns side by side)
        self.intercept = intercept
        self.platt = platt  # labels x (a, b)
        self._memo: dict[str, Any] = {}

    def decision_function(self, texts: Sequence[str]) -> Any:
        """Scores of each text. A text's row is remembered (a bounded memo): a report's clauses
        are scored for the statement's labels and again for its topics, and boilerplate repeats
        from report to report."""
        import numpy as np

        out = np.empty((len(texts), self.coef.shape[0]), dtype=np.float64)
        memo = self._memo
        for r, text in enumerate(texts):
            row = memo.get(text)
            if row is None:
                row = np.array(self.intercept, dtype=np.float64)
                offset = 0
                for block in self.blocks:
                    idx, val = block.transform_one(text)
                    if idx.size:
                        row = row + self.coef[:, idx + offset] @ val
                    offset += block.width
                if len(memo) >= self._MEMO_SIZE:
                    memo.clear()
                memo[text] = row
            out[r] = row
        return out

    def predict_proba(self, texts: Sequence[str]) -> Any:
        import numpy as np

        d = self.decision_function(texts)
        return 1.0 / (1.0 + np.exp(-(d * self.platt[:, 0] + self.platt[:, 1])))


#: How ``decide_row`` lets ``other`` win: "fit", only when no specific label reaches the fit
#: threshold; "compare", also when the best specific label is unsure (below ``threshold``) and
#: ``other`` scores higher. The training script chooses between them by grouped cross-validation.
OTHER_RULES = ("fit", "compare")


def decide_row(
    row: Sequence[float],
    labels: Sequence[str],
    *,
    threshold: float,
    fit_threshold: float,
    other_rule: str = "fit",
) -> list[int]:
    """Label indices, best first: ``other`` only when no specific label fits (``OTHER_RULES``)."""
    order = sorted(range(len(labels)), key=lambda i: -float(row[i]))
    specific = [i for i in order if labels[i] != "other"]
    other = labels.index("other") if "other" in labels else None
    if not specific or float(row[specific[0]]) < fit_threshold:
        return [other] if other is not None else order[:1]
    best = float(row[specific[0]])
    if other_rule == "compare" and other is not None and best < threshold and float(row[other]) > best:
        return [other]
    return [specific[0]] + [i for i in specific[1:] if float(row[i]) >= threshold]


#: Words of a generic effort line (guide §3, ``other``: "进一步加强政务公开工作，不断提升公开质量和
#: 水平", implementing the regulation, a new stage): effort verbs, the work as a whole, its quality.
_NO_AREA_WORDS = frozenset(
    {
        "进一步", "加强", "强化", "继续", "做好", "抓好", "不断", "持续", "提升", "提高", "推动", "推进", "努力", "全力", "持之以恒",
        "切实", "认真", "扎实", "积极", "贯彻", "落实", "贯彻落实", "认真学习", "学习", "配合", "上级", "上级部门", "相关", "各项",
        "工作", "工作力度", "力度", "加大", "政务", "政府", "公开", "信息", "政务公开", "政府信息公开", "信息公开", "中华人民共和国政府",
        "中华人民共和国", "条例", "质量", "水平", "整体", "总体", "全面", "新台阶", "台阶", "再", "上", "提质", "增效", "提质增效",
        "成效", "实效", "更好", "更大", "取得", "和", "与", "及", "的", "将", "还", "要", "也", "我们", "今后", "下一步",
        "同时", "此外", "有待", "还需", "仍需", "需要", "不够", "进一步提升", "进一步提高", "进一步加强", "开展", "做", "好", "群众",
        "满意度", "满意",
    }
)
_SELF = re.compile(r"^(?:我|本|全)[\u4e00-\u9fff]{1,3}$|^年$")


def names_no_area(text: str) -> bool:
    """Is the statement a generic effort line that names no work area (guide §3: then ``other``,
    whatever the classifier's scores: such lines fill training data labelled with many areas)?"""
    toks = jieba_tokens(normalize(text))
    return bool(toks) and all(t in _NO_AREA_WORDS or _SELF.match(t) for t in toks)


def main_first_listed(keep: Sequence[int], topic_labels: Sequence[int]) -> list[int]:
    """Reorder a statement's labels so the main one is the topic of the first listed problem.

    The guide's main label is the first listed problem's topic, not the most confident label: of
    the labels ``decide_row`` kept, the one whose topic comes first leads; ``keep`` is unchanged
    when none of its labels is a topic.
    """
    first = next((i for i in topic_labels if i in keep), None)
    if first is None:
        return list(keep)
    return [first] + [i for i in keep if i != first]


def _probs(texts: Sequence[str], model_path: Path | None) -> tuple[dict[str, Any], Any]:
    bundle = load_model(model_path)
    return bundle, bundle["model"].predict_proba([normalize(t) for t in texts])


def statement_probs(model: Any, texts: Sequence[str]) -> Any:
    """Per-label probability of each statement: the larger of the whole statement's score and its
    best clause's, so a label that one listed problem carries is not diluted by the others. Clauses
    that name no problem (``_GENERIC_CLAUSE``: "同时", "今后", "有待加强") are not scored alone."""
    import numpy as np

    spans = [
        [(a, b) for a, b in clauses(t) if not _GENERIC_CLAUSE.match(normalize(t[a:b]))] or [(0, len(t))]
        for t in texts
    ]
    flat = [normalize(t[a:b]) for t, sp in zip(texts, spans, strict=True) for a, b in sp]
    whole = model.predict_proba([normalize(t) for t in texts])
    parts = model.predict_proba(flat) if flat else whole[:0]
    out = np.array(whole, dtype=float)
    k = 0
    for i, sp in enumerate(spans):
        out[i] = np.maximum(out[i], parts[k : k + len(sp)].max(axis=0))
        k += len(sp)
    return out


def classify(
    texts: Sequence[str], *, model_path: Path | None = None, threshold: float | None = None
) -> list[tuple[Category, ...]]:
    """Categories for each statement, main first: the best specific label (``other`` when none
    reaches the fit threshold) or, for a model trained with ``main="first_listed"``, the kept
    label whose topic is listed first; then every further label scoring ≥ threshold."""
    return [c for c, _ in categorize(texts, model_path=model_path, threshold=threshold)]


def categorize(
    texts: Sequence[str], *, model_path: Path | None = None, threshold: float | None = None
) -> list[tuple[tuple[Category, ...], tuple[tuple[int, int, Category], ...]]]:
    """``classify`` and ``topics`` of each statement in one pass (the clauses are scored once)."""
    if not texts:
        return []
    bundle = load_model(model_path)
    probs = statement_probs(bundle["model"], texts)
    labels: list[str] = list(bundle["labels"])
    base = float(bundle.get("threshold", DEFAULT_THRESHOLD))
    cut = base if threshold is None else float(threshold)
    fit = float(bundle.get("fit_threshold", DEFAULT_FIT_THRESHOLD))
    first_listed = bundle.get("main") == "first_listed"
    other_rule = str(bundle.get("other_rule", "fit"))
    tops = topics_with(bundle["model"], labels, texts, fit=fit)
    out: list[tuple[tuple[Category, ...], tuple[tuple[int, int, Category], ...]]] = []
    for text, row, tp in zip(texts, probs, tops, strict=True):
        keep = decide_row(row, labels, threshold=base, fit_threshold=fit, other_rule=other_rule)
        if "other" in labels and names_no_area(text):
            keep = [labels.index("other")]
        if first_listed:  # the main label does not depend on the caller's threshold for the others
            keep = main_first_listed(keep, [labels.index(c.label) for _, _, c in tp])
        main = keep[0]
        order = sorted(range(len(labels)), key=lambda i: -float(row[i]))
        rest = [i for i in order if i != main and labels[i] != "other" and float(row[i]) >= cut]
        keep = [main] + (rest if labels[main] != "other" else [])
        cats = tuple(Category(label=labels[i], score=round(float(row[i]), 4)) for i in keep)
        out.append((cats, tp))
    return out


_CLAUSE_SEP = "，,；;。："
_LIST_MIN = 6  # a 、 separates two problems only when both sides are this long (not "图解、视频")
#: The end of a lead-in ("…但仍存在一些不足，如：", "…主要表现在："): what precedes it names no problem.
_LEAD_IN = re.compile(
    r"(?:不足|问题|差距|短板|薄弱环节|地方)[^，,；;。]{0,12}?"
    r"(?:[：:]|[，,]\s*(?:如|例如|比如|主要(?:表现|体现)(?:在|为)|主要是|具体(?:表现)?为)[：:]?)"
)
_BUT = re.compile(r"^(?:但|但是|然而|不过)")
#: A clause made only of evaluation/effort wording ("有待进一步加强", "仍需不断提升"), a connective or a
#: framing setting names no problem (guide T2: it joins the topic next to it).
_GENERIC_CLAUSE = re.compile(
    r"^(?:还|仍|尚|也|都|均|亟|需|需要|要|有待|待|仍需|还需|亟需|亟待|进一步|不断|持续|切实|继续|更加|"
    r"加强|提高|提升|改进|完善|增强|巩固|拓展|深化|优化|加以|改善|强化|和|与|等|的|了)+$"
    # connectives, turn words and dates that open a statement ("同时，…", "今后，…", "2024年，…")
    r"|^(?:同时|此外|另外|其次|首先|再次|最后|今后|下一步|下阶段|为此|对此|因此|但|但是|然而|目前|当前|"
    r"特别是|尤其是|总体来看|总的来看|一年来|近年来|今年|明年|(?:19|20)\d{2}年度?|"
    r"针对(?:上述|以上|前述|这一|这些|此类|此|该)?(?:问题|不足|情况)?)$"
    # a setting that frames the problem that follows ("在公开…信息时"); not "在政策解读方面", which
    # names the topic
    r"|^在[^，,；;。]{1,24}(?:时|过程中)$"
)


def clauses(text: str) -> list[tuple[int, int]]:
    """Clause spans of a statement: cut at ，；。： outside “”《》（）, and at 、 between two long
    parts; trailing punctuation dropped."""
    out: list[tuple[int, int]] = []
    start, depth = 0, 0
    for i, ch in enumerate(text + "。"):
        if ch in "“《（(":
            depth += 1
        elif ch in "”》）)":
            depth = max(0, depth - 1)
        elif depth == 0 and ch in _CLAUSE_SEP:
            a, b = start, i
            while a < b and text[a] in " \t\r\n\u3000、：:":
                a += 1
            while b > a and text[b - 1] in " \t\r\n\u3000":
                b -= 1
            if b > a:
                out += _split_list(text, a, b)
            start = i + 1
    return out


def _split_list(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """Split a clause at 、 when every part is at least ``_LIST_MIN`` characters long and states a
    complaint of its own (``COMPLAINT``); a part without one is a noun phrase the next part's
    complaint applies to ("古树名木保护、城市绿线管理等领域的信息公开还不够及时": one problem)."""
    cuts = [i for i in range(a, b) if text[i] == "、"]
    parts = list(zip([a, *(c + 1 for c in cuts)], [*cuts, b], strict=True))
    if len(parts) > 1 and all(y - x >= _LIST_MIN and COMPLAINT.search(text[x:y]) for x, y in parts):
        return parts
    return [(a, b)]


def lead_in_end(text: str) -> int:
    """Offset where the problems start: after a lead-in, or at a clause opening with 但 (0: none)."""
    m = _LEAD_IN.search(text)
    if m:
        return m.end()
    for a, _ in clauses(text):
        if _BUT.match(text[a:]):
            return a
    return 0


def topics(
    texts: Sequence[str], *, model_path: Path | None = None
) -> list[tuple[tuple[int, int, Category], ...]]:
    """Per-clause topics of each statement: (start, end, category) relative to the statement.

    Each clause is scored; a clause whose best specific label reaches the fit threshold opens a
    topic, a clause that does not (a generic tail such as "有待进一步加强") joins the topic before it
    (or the next one when it leads), neighbouring clauses with the same label merge, neighbouring
    topics that both score one label ≥ ``SAME_THING`` are one topic (``_merge_same_thing``), and a
    statement where nothing fits is one ``other`` topic. A statement listing three problems thus
    yields three topics, so counts by category count problems, not statements.
    """
    if not texts:
        return []
    bundle = load_model(model_path)
    return topics_with(
        bundle["model"],
        list(bundle["labels"]),
        texts,
        fit=float(bundle.get("fit_threshold", DEFAULT_FIT_THRESHOLD)),
    )


def topics_with(
    model: Any, labels: list[str], texts: Sequence[str], *, fit: float
) -> list[tuple[tuple[int, int, Category], ...]]:
    """``topics`` with an explicit model (the training script scores its cross-validation folds)."""
    import numpy as np

    spans = [clauses(t) or [(0, len(t))] for t in texts]
    flat = [normalize(t[a:b]) for t, sp in zip(texts, spans, strict=True) for a, b in sp]
    probs = np.array(model.predict_proba(flat), dtype=float)
    k = 0
    for t, sp in zip(texts, spans, strict=True):  # clauses of a lead-in name no problem
        lead = lead_in_end(t)
        for j, (a, b) in enumerate(sp):
            if (b <= lead and j < len(sp) - 1) or _GENERIC_CLAUSE.match(normalize(t[a:b])):
                probs[k + j] = 0.0
        k += len(sp)
    other = labels.index("other") if "other" in labels else -1
    out: list[tuple[tuple[int, int, Category], ...]] = []
    k = 0
    for t, sp in zip(texts, spans, strict=True):
        rows = probs[k : k + len(sp)]
        k += len(sp)
        if other >= 0 and names_no_area(t):
            cur: list[_Topic] = []
        else:
            cur = _open_topics(t, sp, rows, labels, other, fit)
            cur = _merge_same_thing(cur, other, partial(_score_span, model, t))
        if not cur and sp:  # nothing fits anywhere: one ``other`` topic over the statement, scored whole
            whole = _score_span(model, t, sp[0][0], sp[-1][1])
            cur = [_Topic(sp[0][0], sp[-1][1], other if other >= 0 else 0, float(whole[other]), None)]
        out.append(tuple((c.start, c.end, Category(label=labels[c.label], score=round(c.score, 4))) for c in cur))
    return out


@dataclass
class _Topic:
    """A topic being built from a statement's clauses (``topics_with``)."""

    start: int
    end: int
    label: int  # index into the labels
    score: float
    row: Any  # per-label scores: the largest over its clauses
    late: bool = False  # holds a lateness complaint (never joined to a neighbour)


def _open_topics(
    text: str, spans: Sequence[tuple[int, int]], rows: Any, labels: Sequence[str], other: int, fit: float
) -> list[_Topic]:
    """T1/T2: a clause whose best specific label reaches ``fit`` opens a topic (or extends the one
    before when the label is the same); a clause that does not joins the topic before it, or the
    next one when it leads."""
    import numpy as np

    cur: list[_Topic] = []
    pending: int | None = None  # start of leading clauses that fit nothing yet
    for (a, b), row in zip(spans, rows, strict=True):
        model_best = max((i for i in range(len(labels)) if i != other), key=lambda i: float(row[i]))
        best = _complaint_label(text[a:b], row, labels, model_best, sure=max(LATE_SURE, fit))
        late = labels[best] == "timeliness" and _LATE.search(text[a:b]) is not None
        score = float(row[best])
        if score < fit:
            if cur:
                cur[-1].end = b
            elif pending is None:
                pending = a
            continue
        start = a if pending is None else pending
        pending = None
        if cur and cur[-1].label == best:
            last = cur[-1]
            last.end, last.score = b, max(last.score, score)
            last.row = np.maximum(last.row, row)
            last.late = last.late or late
        else:
            cur.append(_Topic(start, b, best, score, row, late))
    return cur


#: A clause complaining that something comes late ("栏目更新慢", "公开不够及时", "发布滞后"): the
#: complaint is timeliness, whatever the late thing is (guide §3: "what would have to change for the
#: complaint to go away?"), unless that thing has its own home (answers, messages, village boards).
_LATE = re.compile(
    r"不够?及时|未(?:能)?及时|及时性|滞后|更新(?:较|偏|过)?慢|(?:长期|长时间|多年)未(?:更新|维护)|"
    r"(?:时间|时机)?(?:偏|较|过)晚|延迟|迟缓|不同步|时效"
)
_LATE_FROM = ("platform", "depth_completeness")
LATE_SURE = 0.3


def _complaint_label(clause: str, row: Any, labels: Sequence[str], best: int, *, sure: float = LATE_SURE) -> int:
    """``best``, or timeliness for a lateness complaint about a channel or a content area ("栏目更新
    慢", "重点领域信息公开不够及时") when the model also gives timeliness at least ``sure`` (the
    caller passes the fit threshold when it is higher, so the clause still opens a topic)."""
    if labels[best] not in _LATE_FROM or "timeliness" not in labels or not _LATE.search(clause):
        return best
    late = labels.index("timeliness")
    return late if float(row[late]) >= sure else best


def _score_span(model: Any, text: str, a: int, b: int) -> Sequence[float]:
    return list(model.predict_proba([normalize(text[a:b])])[0])


#: Two neighbouring topics with different best labels are one topic when both clause groups also
#: score this for one shared label (guide T3: two clauses about the same thing are one topic).
SAME_THING = 0.5


def _merge_same_thing(
    cur: list[_Topic], other: int, score_span: Callable[[int, int], Sequence[float]]
) -> list[_Topic]:
    """Join neighbouring topics that share a confident label; the joined span is scored whole and
    takes the best of the shared and the two former labels.

    "村务公开栏内容不规范，部分村财务收支未公开" may score platform then grassroots clause by clause,
    but both clauses score grassroots: one problem, not two. Scoring the joined span (not keeping
    the first or the second label) decides which thing it is about. A lateness
    complaint is never joined to a neighbour ("栏目设置不够合理，部分栏目长期未更新": two problems,
    though the second clause also scores platform for its 栏目)."""
    merged: list[_Topic] = []
    for t in cur:
        prev = merged[-1] if merged else None
        if prev is not None and not (prev.late or t.late):  # a lateness complaint is its own problem
            shared = {
                i
                for i in range(len(t.row))
                if i != other and min(float(prev.row[i]), float(t.row[i])) >= SAME_THING
            }
            if shared:
                whole = score_span(prev.start, t.end)
                best = max(shared | {prev.label, t.label}, key=lambda i: float(whole[i]))
                row = [max(float(x), float(y)) for x, y in zip(prev.row, t.row, strict=True)]
                merged[-1] = _Topic(prev.start, t.end, best, max(float(prev.row[best]), float(t.row[best])), row)
                continue
        merged.append(t)
    return merged
