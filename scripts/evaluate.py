"""Evaluate the tables stage and arithmetic checks against gold.

Runs loading → tables → arithmetic over every real report with gold (``../shared/corpora/real``,
override with ``--shared``) and the bundled samples (``corpora/samples``, skipped when absent), and
prints cell accuracy per format and per file, template accuracy, arithmetic precision/recall
(matched on rule + cell set) and reports/second. ``--floors`` exits 1 when a pinned floor is missed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from nlp_pipeline import arithmetic, loaders, sections, tables  # noqa: E402
from nlp_pipeline.errors import NlpPipelineError  # noqa: E402
from nlp_pipeline.result import CellValue  # noqa: E402

# Pinned floors for the evaluation gate: cell accuracy per format on the real gold, and
# arithmetic recall/precision. Raise them as the reader improves; never lower them silently.
FLOORS: dict[str, float] = {
    "cells.html": 0.995,
    "cells.txt": 0.995,
    "cells.docx": 0.995,
    "cells.pdf": 0.98,
    "template": 1.0,
    "arith.recall": 1.0,
    "arith.precision": 1.0,
}
ARITH_RULES = frozenset({"identity", "outcomes_sum", "row_sum", "t4_block", "blank_total"})


@dataclass
class FileResult:
    name: str
    fmt: str
    cells_total: int = 0
    cells_right: int = 0
    wrong: list[tuple[str, Any, str | None]] = field(default_factory=list)
    template_gold: str | None = None
    template_found: str | None = None
    arith_gold: set[tuple[str, frozenset[str]]] = field(default_factory=set)
    arith_found: set[tuple[str, frozenset[str]]] = field(default_factory=set)
    error: str = ""
    seconds: float = 0.0


def cell_matches(gold: Any, cell: CellValue | None) -> bool:
    """Gold number → same value; gold null → a cell with no number; gold text ("832995元") →
    same normalized raw text, or the same leading number (a unit or note kept in ``raw``)."""
    if cell is None:
        return False
    if gold is None:
        return cell.value is None
    if isinstance(gold, str):
        if tables.normalize_cell_text(cell.raw).replace(" ", "") == tables.normalize_cell_text(gold).replace(
            " ", ""
        ):
            return True
        g = tables.parse_cell(gold).value
        return g is not None and cell.value is not None and abs(g - cell.value) < 1e-6
    return cell.value is not None and abs(float(gold) - cell.value) < 1e-6


def evaluate_file(path: Path, gold: Mapping[str, Any]) -> FileResult:
    fmt = str(gold.get("format") or path.suffix.lstrip(".").lower())
    res = FileResult(name=path.name, fmt=fmt, template_gold=gold.get("template"))
    gcells: Mapping[str, Any] = gold.get("cells") or {}
    res.cells_total = len(gcells)
    res.arith_gold = {(e["rule"], frozenset(e["cells"])) for e in gold.get("arithmetic_errors") or ()}
    t0 = time.perf_counter()
    try:
        doc = loaders.load(path)
        tr = tables.read_tables(doc, (), year=sections.extract_metadata(doc).year)
        found = arithmetic.check_arithmetic(tr.cells, template=tr.template)
    except NlpPipelineError as exc:
        res.error = f"{exc.code}: {exc.reason}"[:80]
        res.seconds = time.perf_counter() - t0
        return res
    except Exception as exc:  # a crash in one report must not stop the evaluation; it scores 0
        res.error = f"{type(exc).__name__}: {exc}"[:80]
        res.seconds = time.perf_counter() - t0
        return res
    res.seconds = time.perf_counter() - t0
    res.template_found = tr.template
    res.arith_found = {(f.rule, frozenset(f.cells)) for f in found if f.rule in ARITH_RULES}
    for cid, gv in gcells.items():
        cell = tr.cells.get(cid)
        if cell_matches(gv, cell):
            res.cells_right += 1
        else:
            res.wrong.append((cid, gv, cell.raw if cell else None))
    return res


def gold_items(directory: Path) -> list[tuple[Path, dict[str, Any]]]:
    """(report path, gold) for every ``gold/<file>.json`` whose report exists next to it."""
    gdir = directory / "gold"
    if not gdir.is_dir():
        return []
    out = []
    for g in sorted(gdir.glob("*.json")):
        data = json.loads(g.read_text(encoding="utf-8"))
        report = directory / str(data.get("file") or g.name[: -len(".json")])
        if report.is_file():
            out.append((report, data))
    return out


def summarize(results: list[FileResult]) -> dict[str, float]:
    by_fmt: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in results:
        by_fmt[r.fmt][0] += r.cells_right
        by_fmt[r.fmt][1] += r.cells_total
    summary = {f"cells.{k}": (v[0] / v[1] if v[1] else 1.0) for k, v in sorted(by_fmt.items())}
    with_tpl = [r for r in results if r.template_gold]
    summary["template"] = (
        sum(r.template_found == r.template_gold for r in with_tpl) / len(with_tpl) if with_tpl else 1.0
    )
    tp = sum(len(r.arith_gold & r.arith_found) for r in results)
    n_found = sum(len(r.arith_found) for r in results)
    n_gold = sum(len(r.arith_gold) for r in results)
    summary["arith.precision"] = tp / n_found if n_found else 1.0
    summary["arith.recall"] = tp / n_gold if n_gold else 1.0
    secs = sum(r.seconds for r in results)
    summary["reports_per_second"] = len(results) / secs if secs else 0.0
    return summary


def print_report(title: str, results: list[FileResult], summary: dict[str, float], *, verbose: bool) -> None:
    print(f"\n== {title} ({len(results)} reports)")
    print(f"{'file':34} {'fmt':5} {'cells':>9} {'acc':>7} {'tpl':>12} {'arith tp/gold/found':>20} {'s':>6}")
    for r in results:
        acc = r.cells_right / r.cells_total if r.cells_total else 1.0
        tpl = f"{r.template_found}/{r.template_gold}"
        ar = f"{len(r.arith_gold & r.arith_found)}/{len(r.arith_gold)}/{len(r.arith_found)}"
        line = f"{r.name:34} {r.fmt:5} {r.cells_right:>4}/{r.cells_total:<4} {acc:7.3f} {tpl:>12} {ar:>20} {r.seconds:6.2f}"
        print(line + (f"  ERROR {r.error}" if r.error else ""))
        if verbose:
            for cid, gv, raw in r.wrong[:10]:
                print(f"    wrong {cid}: gold={gv!r} read={raw!r}")
            for rule, cells in sorted(r.arith_gold - r.arith_found):
                print(f"    missed {rule} {sorted(cells)}")
            for rule, cells in sorted(r.arith_found - r.arith_gold):
                print(f"    extra  {rule} {sorted(cells)}")
    print("-- summary")
    for k, v in summary.items():
        print(f"   {k:20} {v:8.4f}")


def check_floors(summary: dict[str, float], floors: Mapping[str, float]) -> list[str]:
    """Names of the floors the summary falls below (formats absent from the run are not judged)."""
    return [
        f"{k}: {summary[k]:.4f} < {v}" for k, v in floors.items() if k in summary and summary[k] + 1e-9 < v
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared", help="the shared/ directory")
    ap.add_argument("--samples", type=Path, default=ROOT / "corpora" / "samples")
    ap.add_argument("--floors", action="store_true", help="exit 1 when the real gold falls below the floors")
    ap.add_argument("-v", "--verbose", action="store_true", help="list wrong cells and arithmetic mismatches")
    args = ap.parse_args(argv)

    real = [evaluate_file(p, g) for p, g in gold_items(args.shared / "corpora" / "real")]
    real_summary = summarize(real)
    if real:
        print_report("real reports", real, real_summary, verbose=args.verbose)
    else:
        print(f"no real gold under {args.shared / 'corpora' / 'real'}")
    samples = [evaluate_file(p, g) for p, g in gold_items(args.samples)]
    if samples:
        print_report("bundled samples", samples, summarize(samples), verbose=args.verbose)
    else:
        print(f"no bundled samples with gold under {args.samples}")
    if args.floors and real:
        failed = check_floors(real_summary, FLOORS)
        for f in failed:
            print(f"FLOOR MISSED {f}")
        return 1 if failed else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
