"""Time the tables stage alone: ms per report for ``tables.read_tables`` on the real reports.

Each report is loaded once (loading is not timed), then ``read_tables`` is run over every
document, ``--rounds`` times; the median round is reported per format, with an anchor measured in
the same run (``sections.find_sections`` over the same documents, the stage before) and the
ratio to it. "cold" clears the per-label caches before every report, so each is read as if it
were the first (an upper bound: in a batch the official labels repeat). Timings only: nothing is asserted. Works on a checkout whose ``read_tables`` does
not take ``year`` yet (then the metadata it recomputes itself is part of its time).

    python scripts/bench_tables.py [DIR] [--rounds 5] [--formats html,txt]
"""

from __future__ import annotations

import argparse
import inspect
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from nlp_pipeline import loaders, sections, tables  # noqa: E402
from nlp_pipeline.document import Document  # noqa: E402
from nlp_pipeline.errors import NlpPipelineError  # noqa: E402

DEFAULT_DIR = ROOT.parent / "shared" / "corpora" / "real"


def _clear_caches() -> None:
    """Empty every ``functools`` cache of the tables modules (those that exist in this checkout)."""
    for name in ("cell_values", "table_labels", "table_rows", "table_findings", "tables"):
        module = sys.modules.get(f"nlp_pipeline.{name}")
        for obj in vars(module).values() if module else ():
            if callable(getattr(obj, "cache_clear", None)):
                obj.cache_clear()


def _median_ms(
    fn: Callable[[Document], object], docs: list[Document], rounds: int, *, cold: bool = False
) -> float:
    """Median over ``rounds`` of the mean ms per document of ``fn``."""
    times = []
    for _ in range(rounds):
        elapsed = 0.0
        for doc in docs:
            if cold:
                _clear_caches()
            t0 = time.perf_counter()
            fn(doc)
            elapsed += time.perf_counter() - t0
        times.append(elapsed * 1000 / len(docs))
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", nargs="?", type=Path, default=DEFAULT_DIR, help="directory of reports")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--formats", default="html,txt,md,docx,pdf", help="comma-separated formats to time")
    args = ap.parse_args(argv)
    wanted = {f.strip() for f in args.formats.split(",") if f.strip()}
    docs: dict[str, list[Document]] = defaultdict(list)
    for path in sorted(args.dir.iterdir()):
        if not path.is_file() or path.suffix.lstrip(".") not in wanted:
            continue
        try:
            doc = loaders.load(path)
        except NlpPipelineError:
            continue
        docs[doc.format].append(doc)
    takes_year = "year" in inspect.signature(tables.read_tables).parameters
    years = {id(d): sections.extract_metadata(d).year for ds in docs.values() for d in ds}

    def read(doc: Document) -> object:
        if takes_year:
            return tables.read_tables(doc, (), year=years[id(doc)])
        return tables.read_tables(doc, ())

    def read_with_meta(doc: Document) -> object:
        year = sections.extract_metadata(doc).year
        return tables.read_tables(doc, (), year=year) if takes_year else tables.read_tables(doc, ())

    print(f"read_tables ({'year passed in' if takes_year else 'recomputes metadata'}), "
          f"median of {args.rounds} rounds, ms per report")
    print(f"{'format':<6} {'n':>3} {'tables':>9} {'cold':>9} {'+metadata':>10} {'anchor find_sections':>21} {'ratio':>6}")
    for fmt in sorted(docs):
        ds = docs[fmt]
        anchor = _median_ms(sections.find_sections, ds, args.rounds)
        ms = _median_ms(read, ds, args.rounds)
        ms_cold = _median_ms(read, ds, args.rounds, cold=True)
        ms_meta = _median_ms(read_with_meta, ds, args.rounds)
        print(
            f"{fmt:<6} {len(ds):>3} {ms:>9.2f} {ms_cold:>9.2f} {ms_meta:>10.2f} {anchor:>21.2f} {ms / anchor:>6.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
