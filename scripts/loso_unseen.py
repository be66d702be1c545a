"""Leave one blind set out: how the classifier does on a writer's style it was not trained on.

``eval_unseen.py`` scores the shipped model, which learned from every blind set but the held-out
one, so its figures on those sets are training figures. Here each trained set is scored by a model
fitted (with the shipped configuration) on the real gold, the synthetic statements and the other
trained sets only, and the generic vagueness lexicon is learned without it too, so labels, topics
and vagueness are all scored on a style neither learned from (the rules themselves were revised
while reading the trained sets, so these figures still lean optimistic).

    python scripts/loso_unseen.py [blind-a blind-c ...] [--show]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))

import eval_problems  # noqa: E402
import eval_unseen  # noqa: E402
import train_classifier as tc  # noqa: E402

from nlp_pipeline import problem_classifier, vagueness  # noqa: E402

_BUNDLE_KEYS = problem_classifier.BUNDLE_KEYS


def fit_without(
    left_out: Path,
    real: list[tc.Item],
    clauses: list[tc.Item],
    out: Path,
    *,
    override: dict[str, object],
    extra: Sequence[Path] = (),
) -> Path:
    """The shipped configuration (with ``override``) fitted on everything it learned from but
    ``left_out``'s gold."""
    meta = json.loads((ROOT / "models" / "problem_classifier.meta.json").read_text(encoding="utf-8"))
    conf = {**meta["config"], **{k: v for k, v in override.items() if k not in _BUNDLE_KEYS}}
    cal = conf.pop("calibration")
    cfg = tc.Config(**conf)
    keep = [p for p in tc.UNSEEN_TRAIN if p != left_out / "gold.jsonl"]
    synth = [it for path in (tc.SYNTH, *keep, *extra) for it in tc.load_statements(path)]
    model = tc.fit_model(tc.training_units(synth + real, clauses, cfg), cfg, cal)
    import joblib

    path = out / f"without-{left_out.name}.joblib"
    bundle = {k: override.get(k, meta[k]) for k in _BUNDLE_KEYS}
    joblib.dump({"model": model, **bundle}, path)
    return path


def _use(model: str | None, lexicon: Callable[[], frozenset[str]]) -> None:
    """Point the pipeline at ``model`` (None: the packaged one) and ``lexicon``; clear their caches."""
    if model is None:
        os.environ.pop(problem_classifier.MODEL_ENV, None)
    else:
        os.environ[problem_classifier.MODEL_ENV] = model
    problem_classifier._load.cache_clear()
    vagueness._generic_words = lexicon  # type: ignore[assignment]
    vagueness.vagueness.cache_clear()


def lexicon_without(left_out: Path, real_vague: list[str]) -> frozenset[str]:
    """The generic lexicon as ``eval_problems.py --write-lexicon`` learns it, without ``left_out``."""
    synth = [
        r["text"]
        for path in (eval_problems.VAGUE_SYNTH, *eval_problems.UNSEEN_VAGUE)
        if path != left_out / "gold.jsonl"
        for r in map(json.loads, path.read_text(encoding="utf-8").splitlines())
        if r["vague"]
    ]
    return eval_problems.generic_lexicon(real_vague + synth)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sets", nargs="*", help="names under corpora/problems/unseen (default: every trained set)")
    ap.add_argument("--show", action="store_true", help="print misses, extras and wrong labels")
    ap.add_argument(
        "--extra-synthetic", type=Path, action="append", default=[], help="more training statements (as train_classifier.py)"
    )
    ap.add_argument(
        "--config", default="{}", help='JSON overriding the shipped configuration, e.g. \'{"C": 4, "words": 1}\''
    )
    args = ap.parse_args(argv)
    trained = [p.parent for p in tc.UNSEEN_TRAIN]
    dirs = [eval_unseen.UNSEEN / s for s in args.sets] if args.sets else trained
    real, clauses, _ = tc.load_real(ROOT.parent / "shared" / "corpora" / "real")
    real_vague = [t for _, t, v in eval_problems.vague_items(ROOT.parent / "shared" / "corpora" / "real")[0] if v]
    total = eval_unseen.Tally()
    saved_env, saved_lexicon = os.environ.get(problem_classifier.MODEL_ENV), vagueness._generic_words
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for d in dirs:
                if d not in trained:
                    print(f"{d.name}: not a trained set; score it with eval_unseen.py")
                    continue
                model = fit_without(
                    d, real, clauses, Path(tmp), override=json.loads(args.config), extra=args.extra_synthetic
                )
                lex = lexicon_without(d, real_vague)
                _use(str(model), lambda lex=lex: lex)
                t = eval_unseen.score_dir(d, show=args.show)
                eval_unseen.report(f"{d.name} (left out)", t)
                total.add(t)
    finally:  # the process's model and lexicon as they were (main can be imported)
        _use(saved_env, saved_lexicon)
    if len(dirs) > 1:
        eval_unseen.report("all, each left out", total)
    return 0


if __name__ == "__main__":
    sys.exit(main())
