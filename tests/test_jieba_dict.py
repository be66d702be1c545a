"""jieba's dictionary from the fast cache segments and tags exactly as stock jieba does.

Each check runs in a fresh interpreter with its own cache directory: the first run builds the
cache from what jieba loads itself, the second reads it group by group (the way ``analyze``
does) and compares with a stock ``jieba.Tokenizer`` / ``POSTokenizer`` on the same texts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "corpora" / "real"
SAMPLES = ROOT / "corpora" / "samples"

_COMPARE = r"""
import json, sys
from pathlib import Path
from nlp_pipeline import jieba_dict
from nlp_pipeline.loaders import load

jieba = jieba_dict.load_tokenizer()
lazy_pseg = jieba_dict.posseg()
state = jieba_dict._state
assert state is not None and state.tags is not None, "cache not used"
stock = jieba.Tokenizer()
stock.initialize()
stock_pseg = lazy_pseg.POSTokenizer(stock)
texts = [load(p).text for p in sys.argv[1:]]
texts.append("作为\n共收到申请ABC123件，办结率100%。X光机、e政务；" + "，".join(chr(c) * 2 for c in range(0x4E00, 0x4E00 + 300)))
out = {"texts": len(texts), "groups_before": len(state.seen), "diff": []}
for i, text in enumerate(texts):
    for hmm in (True, False):
        if jieba.lcut(text, HMM=hmm) != stock.lcut(text, HMM=hmm):
            out["diff"].append(("cut", i, hmm))
    # posseg's HMM (a Viterbi over every unknown run) is slow: the whole text without it, a part with it
    for part, hmm in ((text, False), (text[:1500], True)):
        if [tuple(p) for p in lazy_pseg.cut(part, HMM=hmm)] != [tuple(p) for p in stock_pseg.cut(part, HMM=hmm)]:
            out["diff"].append(("posseg", i, hmm))
    if jieba.lcut_for_search(text[:1500]) != stock.lcut_for_search(text[:1500]):
        out["diff"].append(("search", i))
    if jieba.lcut(text[:1500], cut_all=True) != stock.lcut(text[:1500], cut_all=True):
        out["diff"].append(("cut_all", i))
out["groups_after"] = len(state.seen)
jieba_dict.load_all()
out["wrapper_left"] = "get_DAG" in vars(jieba.dt)
out["freq_equal"] = jieba.dt.FREQ == stock.FREQ and jieba.dt.total == stock.total
out["tags_equal"] = lazy_pseg.dt.word_tag_tab == stock_pseg.word_tag_tab
print(json.dumps(out))
"""


def _run(code: str, cache: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), NLP_PIPELINE_CACHE_DIR=str(cache))
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, encoding="utf-8", env=env, check=False
    )


@pytest.fixture(scope="module")
def built_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache directory after a first run (jieba loaded itself, the cache was written from it)."""
    cache = tmp_path_factory.mktemp("jieba-cache")
    first = _run("from nlp_pipeline import jieba_dict; jieba_dict.posseg(); print(jieba_dict._state)", cache)
    assert first.returncode == 0, first.stderr[-2000:]
    assert first.stdout.strip() == "None"
    assert len(list(cache.glob("jieba-dict-*.bin"))) == 1
    return cache


def test_cached_dictionary_segments_like_stock_jieba(built_cache: Path) -> None:
    if not REAL.is_dir():
        pytest.skip("../shared is absent")
    files = sorted(str(p) for p in REAL.iterdir() if p.suffix in (".txt", ".md", ".html", ".docx", ".pdf"))
    files += sorted(str(p) for p in SAMPLES.iterdir() if p.suffix in (".txt", ".md", ".html", ".docx"))
    run = _run(_COMPARE, built_cache, *files)
    assert run.returncode == 0, run.stderr[-2000:]
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert out["texts"] == len(files) + 1
    assert out["diff"] == []
    assert out["groups_before"] == 0 < out["groups_after"]  # groups were added as texts came
    assert out["wrapper_left"] is False
    assert out["freq_equal"] is True
    assert out["tags_equal"] is True


def test_corrupt_cache_falls_back_to_jieba(built_cache: Path, tmp_path: Path) -> None:
    (built,) = built_cache.glob("jieba-dict-*.bin")
    (tmp_path / built.name).write_bytes(built.read_bytes()[:1000])
    code = (
        "from nlp_pipeline import jieba_dict\n"
        "jieba = jieba_dict.load_tokenizer()\n"
        "print(jieba_dict._state is None, len(jieba.dt.FREQ) > 300000, jieba.lcut('本机关共收到政府信息公开申请'))\n"
    )
    run = _run(code, tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip() == "True True ['本', '机关', '共', '收到', '政府', '信息', '公开', '申请']"
    assert (tmp_path / built.name).read_bytes() == built.read_bytes()  # rewritten whole


def test_much_text_loads_everything_and_unwraps(built_cache: Path) -> None:
    code = (
        "from nlp_pipeline import jieba_dict\n"
        "jieba_dict._LOAD_ALL_AFTER = 20\n"
        "jieba = jieba_dict.load_tokenizer()\n"
        "a = jieba.lcut('本机关共收到政府信息公开申请')\n"
        "partial = len(jieba.dt.FREQ)\n"
        "b = jieba.lcut('本年度依申请公开办结率为百分之百')\n"
        "print(partial < 20000, len(jieba.dt.FREQ) > 400000, 'get_DAG' in vars(jieba.dt), a[:3], b[:3])\n"
    )
    run = _run(code, built_cache)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip() == "True True False ['本', '机关', '共'] ['本年度', '依', '申请']"
