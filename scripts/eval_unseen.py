"""Score the whole section 五 reading on reports written blind by independent annotators.

Each directory under ``corpora/problems/unseen/`` holds plain-text reports that a helper wrote from
the guide alone (never seeing the segmenter, the classifier or their data) and its ``gold.jsonl``:
one line per statement, quoting its exact text (``file``, ``text``, ``kind``, ``labels`` main first,
``topics`` as quoted sub-spans with a label, ``vague``). The quotes are turned into offsets here, in
document order. The reports are synthetic, so the classifier figures are a stress test of new
wording and layouts, reported apart from the real-statement scores that choose the model.

Prints segmentation (exact boundaries: recall over gold, precision over predicted), kind accuracy,
main label, top label among the gold labels, main-label macro-F1 over present classes, vagueness
precision/recall and topic counts, per directory and together.

Usage: python scripts/eval_unseen.py [DIR ...] [--show]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nlp_pipeline import loaders, problems, sections  # noqa: E402
from nlp_pipeline.problem_classifier import LABELS  # noqa: E402

UNSEEN = ROOT / "corpora" / "problems" / "unseen"


def trained_sets() -> tuple[Path, ...]:
    """The gold files of every blind set but the one holding a ``HELD_OUT`` file: what the
    classifier (scripts/train_classifier.py) and the generic lexicon (scripts/eval_problems.py)
    learn from."""
    return tuple(
        d / "gold.jsonl"
        for d in sorted(UNSEEN.glob("blind-*"))
        if (d / "gold.jsonl").is_file() and not (d / "HELD_OUT").exists()
    )


@dataclass
class Tally:
    """Counts over matched and unmatched statements of one or more directories."""

    gold: int = 0
    predicted: int = 0
    exact: int = 0
    kind_ok: int = 0
    labelled: int = 0  # matched statements the classifier labelled
    vague: list[tuple[bool, bool]] = field(default_factory=list)
    #: (gold kind, gold labels, predicted main label) of each matched, labelled statement
    mains: list[tuple[str, tuple[str, ...], str]] = field(default_factory=list)
    topics_gold: Counter[str] = field(default_factory=Counter)
    topics_pred: Counter[str] = field(default_factory=Counter)
    topics_tp: Counter[str] = field(default_factory=Counter)

    def add(self, other: Tally) -> None:
        """Fold another directory's or file's counts into these."""
        for name in ("gold", "predicted", "exact", "kind_ok", "labelled"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.vague += other.vague
        self.mains += other.mains
        self.topics_gold.update(other.topics_gold)
        self.topics_pred.update(other.topics_pred)
        self.topics_tp.update(other.topics_tp)


def locate(text: str, gold: list[dict[str, Any]], *, start: int = 0) -> list[tuple[int, int, dict[str, Any]]]:
    """Offsets of each quoted statement, searched in document order from ``start`` (section 五)."""
    out = []
    pos = start
    for g in gold:
        at = text.find(g["text"], pos)
        if at < 0:
            at = text.find(g["text"], start)
        if at < 0:
            raise ValueError(f"{g['file']}: quoted statement not in the loaded text: {g['text'][:40]!r}")
        out.append((at, at + len(g["text"]), g))
        pos = at + len(g["text"])
    return out


def macro_f1(pairs: list[tuple[str, str]]) -> float:
    """Macro-F1 over the gold classes present in ``pairs`` of (gold, predicted) labels."""
    present = sorted({g for g, _ in pairs})
    f1s = []
    for lab in present:
        tp = sum(g == lab and p == lab for g, p in pairs)
        fp = sum(g != lab and p == lab for g, p in pairs)
        fn = sum(g == lab and p != lab for g, p in pairs)
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(f1s) / len(f1s) if f1s else 0.0


def score_file(path: Path, gold: list[dict[str, Any]], *, show: bool) -> Tally:
    """Counts for one report: the pipeline's statements against its quoted gold."""
    doc = loaders.load(path)
    secs = sections.find_sections(doc).sections
    pred = problems.analyze_problems(doc, secs, agency=sections.extract_metadata(doc).agency)
    five = next((s.start for s in secs if s.id == "problems"), 0)
    spans = locate(doc.text, gold, start=five)
    by_span = {(p.start, p.end): p for p in pred}
    t = Tally(gold=len(spans), predicted=len(pred))
    for s, e, g in spans:
        p = by_span.get((s, e))
        if p is None:
            if show:
                print(f"   missed  {path.name} {s}-{e} {g['kind']}: {g['text'][:60]!r}")
            continue
        t.exact += 1
        t.kind_ok += p.kind == g["kind"]
        t.vague.append((p.vague, bool(g["vague"])))
        if show and p.vague != bool(g["vague"]):
            print(f"   {'false vague' if p.vague else 'missed vague'} {path.name}: {g['text'][:60]!r}")
        if not p.categories:
            continue
        t.labelled += 1
        main = p.categories[0].label
        t.mains.append((g["kind"], tuple(g["labels"]), main))
        gt = Counter(tp["label"] for tp in g.get("topics") or [{"label": g["labels"][0]}])
        pt = Counter(tp.label for tp in p.topics)
        t.topics_gold.update(gt)
        t.topics_pred.update(pt)
        t.topics_tp.update({k: min(v, pt[k]) for k, v in gt.items()})
        if show and main not in g["labels"]:
            got = ", ".join(f"{c.label} {c.score:.2f}" for c in p.categories)
            print(f"   label   {path.name} gold {g['labels']} got [{got}]: {g['text'][:50]!r}")
    if show:
        gs = {(s, e) for s, e, _ in spans}
        for p in pred:
            if (p.start, p.end) not in gs:
                print(f"   extra   {path.name} {p.start}-{p.end} {p.kind}: {p.text[:60]!r}")
    return t


def report(name: str, t: Tally) -> None:
    """Print one line of segmentation and vagueness figures and one per kind of label figures;
    vagueness, labels and topics count only statements whose boundaries match exactly."""
    vt = t.vague
    tp = sum(p and g for p, g in vt)
    vp = tp / max(1, sum(p for p, _ in vt))
    vr = tp / max(1, sum(g for _, g in vt))
    print(
        f"{name}: segmentation exact {t.exact}/{t.gold} = {t.exact / max(1, t.gold):.3f} "
        f"(precision {t.exact}/{t.predicted} = {t.exact / max(1, t.predicted):.3f}); "
        f"kind {t.kind_ok}/{t.exact}; vagueness P {vp:.3f} R {vr:.3f} "
        f"(gold vague {sum(g for _, g in vt)} of the {len(vt)} matched)"
    )
    for kind in ("problem", "measure"):
        rows = [(labs, p) for k, labs, p in t.mains if k == kind]
        if not rows:
            continue
        pairs = [(labs[0], p) for labs, p in rows]
        per = [
            f"{lab} {sum(g == lab == p for g, p in pairs)}/{sum(g == lab for g, _ in pairs)}"
            for lab in LABELS
            if any(g == lab for g, _ in pairs)
        ]
        print(
            f"   {kind}s labelled {len(rows)}: main {sum(g == p for g, p in pairs) / len(rows):.3f}, "
            f"top among gold {sum(p in labs for labs, p in rows) / len(rows):.3f}, "
            f"main macro-F1 {macro_f1(pairs):.3f}; recall per class: {', '.join(per)}"
        )
    if t.topics_gold:
        print(
            f"   topics P {sum(t.topics_tp.values()) / max(1, sum(t.topics_pred.values())):.3f} "
            f"R {sum(t.topics_tp.values()) / max(1, sum(t.topics_gold.values())):.3f}"
        )


def score_dir(d: Path, *, show: bool = False) -> Tally:
    """Counts over every report of one directory with a ``gold.jsonl``."""
    gold: dict[str, list[dict[str, Any]]] = {}
    for line in (d / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            g = json.loads(line)
            gold.setdefault(g["file"], []).append(g)
    t = Tally()
    for name, items in sorted(gold.items()):
        t.add(score_file(d / name, items, show=show))
    return t


def main(argv: list[str] | None = None) -> int:
    """Score the given directories (default: every set under ``UNSEEN``)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dirs", nargs="*", type=Path, help=f"default: every directory under {UNSEEN}")
    ap.add_argument("--show", action="store_true", help="print misses, extras and wrong labels")
    args = ap.parse_args(argv)
    dirs = args.dirs or sorted(p for p in UNSEEN.iterdir() if (p / "gold.jsonl").is_file())
    total = Tally()
    for d in dirs:
        t = score_dir(d, show=args.show)
        report(d.name, t)
        total.add(t)
    if len(dirs) > 1:
        report("all", total)
    return 0


if __name__ == "__main__":
    sys.exit(main())
