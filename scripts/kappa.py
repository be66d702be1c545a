"""Agreement between the project's section 五 labels and a second, blind annotator (Cohen's kappa).

Usage:
    python scripts/kappa.py --make-subset           # (re)write corpora/problems/blind_subset.jsonl
    python scripts/kappa.py SECOND.jsonl [--gold corpora/problems/real_gold.jsonl]

The blind subset is every statement of the bodies listed in ``BLIND_BODIES`` (whole series, so the
second annotator never sees a body's other years labelled): about 35% of the real statements. It
holds spans only (file, offsets, sha1, kind), no labels. The second annotator returns one JSON line
per statement: ``{"id": ..., "labels": [main label first, ...], "vague": true|false}`` and
optionally ``"topics": [label, ...]`` (one label per listed problem). The script prints Cohen's
kappa for the main label, for each category as present/absent, for vagueness, and the mean
Jaccard overlap of the label sets: the ceiling a model can be expected to reach.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from sklearn.metrics import cohen_kappa_score

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "corpora" / "problems" / "real_gold.jsonl"
SUBSET = ROOT / "corpora" / "problems" / "blind_subset.jsonl"
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
        theirs = Counter(lab for _, s in pairs for lab in s["topics"])
        out["topic_counts"] = {lab: [mine_t[lab], theirs[lab]] for lab in sorted(set(mine_t) | set(theirs))}
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("second", nargs="?", type=Path, help="the second annotator's labels (JSON lines)")
    ap.add_argument("--gold", type=Path, default=GOLD)
    ap.add_argument("--make-subset", action="store_true")
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
    print(json.dumps(agreement(gold, read_jsonl(args.second)), ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
