"""Precision/recall of ``extract_claims`` against the hand-labelled ``corpora/claims_gold.jsonl``.

A predicted claim matches a gold claim when span (start, end) and value are equal. On matched
claims the unit and qualifier accuracy is reported too (metric agreement as a rough figure).
Each gold line carries the sha1 of the ``Document.text`` it was labelled on: when the loader's
text has changed since, the file is reported as drifted and left out of the totals.

Usage: python scripts/eval_claims.py [--gold PATH] [--verbose] [--realign] [--samples]

``--realign`` first moves the spans of drifted files onto the loader's current text (by span
sha1, in order) and rewrites the gold file; a file whose spans cannot all be found is left as
it was and must be re-labelled.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from nlp_pipeline import claims, loaders
from nlp_pipeline.errors import NlpPipelineError

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "corpora" / "real"
GOLD = ROOT / "corpora" / "claims_gold.jsonl"
SAMPLES = ROOT / "corpora" / "samples"


def sha10(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


@dataclass(frozen=True, slots=True)
class FileScore:
    file: str
    gold: int
    predicted: int
    matched: int
    unit_ok: int
    qualifier_ok: int
    metric_ok: int
    seconds: float
    drift: str = ""


_FIGURE_START = set("0123456789０１２３４５６７８９零〇一二两三四五六七八九十百")


def realign(entry: dict, text: str) -> dict | None:
    """Move a drifted file's gold spans onto the loader's new text.

    Each span, in text order, goes to the next place from the previous one whose text has the
    span's sha1 (its length may differ by one or two characters of whitespace the loader now
    keeps or drops). ``None`` when a span cannot be found: that file needs re-labelling.
    """
    pos = 0
    moved = []
    for g in sorted(entry["claims"], key=lambda c: c["start"]):
        hit = _find_span(text, g["sha1"], pos, g["end"] - g["start"])
        if hit is None:
            return None
        moved.append({**g, "start": hit[0], "end": hit[1]})
        pos = hit[1]
    return {**entry, "text_sha1": sha10(text), "claims": moved}


def _find_span(text: str, sha1: str, pos: int, length: int) -> tuple[int, int] | None:
    for p in range(pos, len(text)):
        if text[p] not in _FIGURE_START:
            continue
        for n in (length, length - 1, length + 1, length - 2, length + 2):
            if n > 0 and sha10(text[p : p + n]) == sha1:
                return p, p + n
    return None


def realign_gold(path: Path) -> None:
    """Rewrite ``path`` with drifted files realigned; files that cannot be are left as they were."""
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    out = []
    for entry in lines:
        text = loaders.load(REAL / entry["file"]).text
        if sha10(text) == entry["text_sha1"]:
            out.append(entry)
            continue
        new = realign(entry, text)
        print(f"{entry['file']}: {'realigned' if new else 'CANNOT realign: re-label'}")
        out.append(new or entry)
    path.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in out), encoding="utf-8")


def score_file(entry: dict, *, verbose: bool = False) -> FileScore:
    """Score one gold line; a changed text or changed span is reported as drift, not scored."""
    doc = loaders.load(REAL / entry["file"])
    if sha10(doc.text) != entry["text_sha1"]:
        return FileScore(entry["file"], len(entry["claims"]), 0, 0, 0, 0, 0, 0.0, drift="text_sha1")
    bad = [g for g in entry["claims"] if sha10(doc.text[g["start"] : g["end"]]) != g["sha1"]]
    if bad:
        return FileScore(
            entry["file"], len(entry["claims"]), 0, 0, 0, 0, 0, 0.0, drift=f"{len(bad)} span sha1"
        )
    t0 = time.perf_counter()
    pred = claims.extract_claims(doc, ())
    seconds = time.perf_counter() - t0
    by_span = {(p.start, p.end, p.value): p for p in pred}
    matched = unit_ok = qual_ok = metric_ok = 0
    hit: set[tuple[int, int, float]] = set()
    for g in entry["claims"]:
        key = (g["start"], g["end"], float(g["value"]))
        p = by_span.get(key)
        if p is None:
            if verbose:
                print(
                    f"  MISS {entry['file']} {g['start']}-{g['end']} {doc.text[g['start'] : g['end']]!r} {g['value']:g}"
                )
            continue
        hit.add(key)
        matched += 1
        unit_ok += p.unit == g["unit"]
        qual_ok += p.qualifier == g["qualifier"]
        metric_ok += bool(p.metric) and (p.metric in g["metric"] or g["metric"] in p.metric)
        if verbose and (p.unit != g["unit"] or p.qualifier != g["qualifier"]):
            print(
                f"  ATTR {entry['file']} {p.text!r} unit {p.unit}/{g['unit']} qual {p.qualifier}/{g['qualifier']}"
            )
    if verbose:
        for p in pred:
            if (p.start, p.end, p.value) not in hit:
                print(
                    f"  FP   {entry['file']} {p.start}-{p.end} {p.text!r} {p.value:g} {p.unit} [{p.metric}]"
                )
    return FileScore(
        entry["file"], len(entry["claims"]), len(pred), matched, unit_ok, qual_ok, metric_ok, seconds
    )


def score_samples(samples: Path = SAMPLES) -> tuple[int, int, int]:
    """The project's synthetic reports (``corpora/samples``, another generator's gold): claims
    compared as (text without whitespace, value, unit, qualifier) multisets, since the gold of
    the HTML/DOCX/PDF samples carries no offsets. Returns (gold, predicted, matched)."""
    gold_n = pred_n = matched = 0
    for path in sorted((samples / "gold").glob("*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        src = samples / gold["file"]
        if not src.is_file() or "claims" not in gold:
            continue
        doc = loaders.load(src)
        pred = Counter(
            ("".join(c.text.split()), c.value, c.unit, c.qualifier) for c in claims.extract_claims(doc, ())
        )
        want = Counter((c["text"], float(c["value"]), c["unit"], c["qualifier"]) for c in gold["claims"])
        gold_n += sum(want.values())
        pred_n += sum(pred.values())
        matched += sum((pred & want).values())
    return gold_n, pred_n, matched


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gold", type=Path, default=GOLD)
    ap.add_argument("--verbose", "-v", action="store_true")
    ap.add_argument("--samples", action="store_true", help="also score the synthetic corpora/samples")
    ap.add_argument(
        "--realign", action="store_true", help="move drifted files' spans onto the new text first"
    )
    args = ap.parse_args(argv)
    if not REAL.is_dir():
        print(f"real corpus not available: {REAL}")
        return 0
    if args.realign:
        realign_gold(args.gold)
    entries = [
        json.loads(line) for line in args.gold.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    t0 = time.perf_counter()
    claims.get_nlp()("收到申请30件")  # build the pipeline and load jieba once, outside per-report timings
    print(f"pipeline start-up: {1000 * (time.perf_counter() - t0):.0f} ms")
    scores: list[FileScore] = []
    for entry in entries:
        try:
            scores.append(score_file(entry, verbose=args.verbose))
        except NlpPipelineError as exc:
            print(f"{entry['file']}: cannot load: {exc}")
    print(
        f"{'file':28} {'gold':>5} {'pred':>5} {'match':>5} {'P':>6} {'R':>6} {'unit':>6} {'qual':>6} {'ms':>6}"
    )
    for s in scores:
        if s.drift:
            print(f"{s.file:28} DRIFT ({s.drift}): run with --realign or re-label; not scored")
            continue
        p = s.matched / s.predicted if s.predicted else 1.0
        r = s.matched / s.gold if s.gold else 1.0
        u = s.unit_ok / s.matched if s.matched else 1.0
        q = s.qualifier_ok / s.matched if s.matched else 1.0
        print(
            f"{s.file:28} {s.gold:5} {s.predicted:5} {s.matched:5} {p:6.3f} {r:6.3f} {u:6.3f} {q:6.3f} {s.seconds * 1000:6.0f}"
        )
    if args.samples:
        g, pr, m = score_samples()
        print(
            f"SAMPLES (synthetic) gold={g} pred={pr} matched={m} P={m / pr if pr else 1:.3f} R={m / g if g else 1:.3f}"
        )
    ok = [s for s in scores if not s.drift]
    g, pr, m = sum(s.gold for s in ok), sum(s.predicted for s in ok), sum(s.matched for s in ok)
    if not ok:
        return 1
    print(
        f"OVERALL files={len(ok)} drifted={len(scores) - len(ok)} gold={g} pred={pr} matched={m} "
        f"P={m / pr if pr else 1:.3f} R={m / g if g else 1:.3f} "
        f"unit={sum(s.unit_ok for s in ok) / max(m, 1):.3f} qualifier={sum(s.qualifier_ok for s in ok) / max(m, 1):.3f} "
        f"metric~={sum(s.metric_ok for s in ok) / max(m, 1):.3f} "
        f"mean_ms={1000 * sum(s.seconds for s in ok) / len(ok):.0f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
