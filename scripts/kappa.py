"""Agreement between the project's section 五 labels and a second, blind annotator (Cohen's kappa).

Usage:
    python scripts/kappa.py --make-subset           # (re)write corpora/problems/blind_subset.jsonl
    python scripts/kappa.py SECOND.jsonl [--gold corpora/problems/real_gold.jsonl]

The blind subset is every statement of the bodies listed in ``BLIND_BODIES`` (whole series, so the
second annotator never sees a body's other years labelled): about 35% of the real statements. It
holds spans only (file, offsets, sha1, kind), no labels. The second annotator returns one JSON line
per statement: ``{"id": ..., "labels": [main label first, ...], "vague": true|false}`` and
optionally ``"topics"`` (one per listed problem: a label, or ``{"start", "end", "label"}``). The
script prints Cohen's kappa for the main label, for each category as present/absent, for
vagueness, and the mean Jaccard overlap of the label sets: the ceiling a model can be expected to
reach. The guide cites some statements of the subset as examples, so the figures are printed
again over the statements it does not cite (the blind part proper).

``--segmentation SEG.jsonl`` (lines ``{"file", "start", "end", "kind"}``, the second annotator's
own split of section 五 of some files) adds exact-boundary and kind agreement with the gold on
those files.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from sklearn.metrics import cohen_kappa_score

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "corpora" / "problems" / "real_gold.jsonl"
SUBSET = ROOT / "corpora" / "problems" / "blind_subset.jsonl"
GUIDE = ROOT / "corpora" / "problems" / "guide.md"
#: Whole bodies in the blind subset: every body except the two longest series (czj, zonghe).
BLIND_BODIES = ("hengyang", "jjf", "kewei", "shanghai-office", "shuyang-county", "shuyang-fgj", "szfgs")
SPAN_KEYS = ("id", "file", "body", "start", "end", "sha1", "kind")


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def make_subset(gold: list[dict]) -> list[dict]:
    """The span records (no labels) of the blind bodies, in gold order."""
    return [{k: r[k] for k in SPAN_KEYS} for r in gold if r["body"] in BLIND_BODIES]


def kappa(a: Sequence[object], b: Sequence[object]) -> float:
    """Cohen's kappa; 1.0 when both annotators used one and the same value throughout."""
    if len(set(a) | set(b)) == 1:
        return 1.0
    return float(cohen_kappa_score([str(x) for x in a], [str(x) for x in b]))


def agreement(gold: list[dict], second: list[dict]) -> dict[str, object]:
    """Kappa figures over the statements both files label (matched by id)."""
    mine = {r["id"]: r for r in gold}
    pairs = [(mine[s["id"]], s) for s in second if s["id"] in mine]
    if not pairs:
        raise SystemExit("no statement ids in common with the gold")
    out: dict[str, object] = {"n": len(pairs), "n_problems": sum(g["kind"] == "problem" for g, _ in pairs)}
    out["main_label_kappa"] = round(
        kappa([g["labels"][0] for g, _ in pairs], [s["labels"][0] for _, s in pairs]), 3
    )
    out["main_label_agreement"] = round(
        sum(g["labels"][0] == s["labels"][0] for g, s in pairs) / len(pairs), 3
    )
    out["top_label_in_other_set"] = round(
        sum(s["labels"][0] in g["labels"] and g["labels"][0] in s["labels"] for g, s in pairs) / len(pairs), 3
    )
    labels = sorted({lab for g, s in pairs for lab in (*g["labels"], *s["labels"])})
    per = {
        lab: round(kappa([lab in g["labels"] for g, _ in pairs], [lab in s["labels"] for _, s in pairs]), 3)
        for lab in labels
    }
    out["per_category_kappa"] = per
    out["mean_category_kappa"] = round(sum(per.values()) / len(per), 3)
    out["label_set_jaccard"] = round(
        sum(
            len(set(g["labels"]) & set(s["labels"])) / len(set(g["labels"]) | set(s["labels"]))
            for g, s in pairs
        )
        / len(pairs),
        3,
    )
    if all("vague" in s for _, s in pairs):
        out["vague_kappa"] = round(kappa([g["vague"] for g, _ in pairs], [s["vague"] for _, s in pairs]), 3)
    if all("topics" in s for _, s in pairs):
        mine_t = Counter(t["label"] for g, _ in pairs for t in g["topics"])
        theirs = Counter(t["label"] if isinstance(t, dict) else t for _, s in pairs for t in s["topics"])
        out["topic_counts"] = {lab: [mine_t[lab], theirs[lab]] for lab in sorted(set(mine_t) | set(theirs))}
    return out


def cited_ids() -> set[str]:
    """Statement ids the guide quotes as examples (their labels are visible to any annotator)."""
    return set(re.findall(r"real-\d{4}", GUIDE.read_text(encoding="utf-8")))


def segmentation_agreement(gold: list[dict], seg: list[dict]) -> dict[str, object]:
    """Exact (file, start, end) matches and kind agreement on the files the second split covers."""
    files = {r["file"] for r in seg}
    mine = {(r["file"], r["start"], r["end"]): r["kind"] for r in gold if r["file"] in files}
    theirs = {(r["file"], r["start"], r["end"]): r["kind"] for r in seg}
    both = mine.keys() & theirs.keys()
    return {
        "files": len(files),
        "gold_statements": len(mine),
        "second_statements": len(theirs),
        "exact_boundaries": len(both),
        "exact_precision": round(len(both) / len(theirs), 3) if theirs else None,
        "exact_recall": round(len(both) / len(mine), 3) if mine else None,
        "kind_agreement_on_matches": round(sum(mine[k] == theirs[k] for k in both) / len(both), 3) if both else None,
    }


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("second", nargs="?", type=Path, help="the second annotator's labels (JSON lines)")
    ap.add_argument("--gold", type=Path, default=GOLD)
    ap.add_argument("--make-subset", action="store_true")
    ap.add_argument("--segmentation", type=Path, help="the second annotator's own split of some files")
    args = ap.parse_args(argv)
    gold = read_jsonl(args.gold)
    if args.make_subset:
        rows = make_subset(gold)
        SUBSET.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        print(
            f"wrote {SUBSET.relative_to(ROOT)}: {len(rows)} of {len(gold)} statements ({len(rows) / len(gold):.0%})"
        )
        return 0
    if args.second is None:
        ap.error("give the second annotator's file, or --make-subset")
    second = read_jsonl(args.second)
    cited = cited_ids()
    report = {
        "all": agreement(gold, second),
        "not_cited_by_the_guide": agreement(gold, [r for r in second if r["id"] not in cited]),
    }
    if args.segmentation:
        report["segmentation"] = segmentation_agreement(gold, read_jsonl(args.segmentation))
    print(json.dumps(report, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
