"""Time ``nlp-pipeline batch`` over a directory: reports/second in total and per worker process.

Runs the real batch layer (``nlp_pipeline.runner.run_batch``) into a temporary directory, once
per worker count asked for, and also times each file alone in this process so the slowest
formats stand out. Timings only: nothing is asserted (no timed assertions anywhere).

    python scripts/benchmark.py [DIR] [--workers 1,2] [--engine processes|dask] [--per-file]

DIR defaults to ../shared/corpora/real beside the project.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from nlp_pipeline.runner import analyze_file, discover, run_batch  # noqa: E402

DEFAULT_DIR = ROOT.parent / "shared" / "corpora" / "real"


def _worker_counts(text: str) -> list[int]:
    try:
        counts = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a comma-separated list of numbers: {text!r}") from None
    if not counts or min(counts) < 1:
        raise argparse.ArgumentTypeError(f"worker counts must be at least 1: {text!r}")
    return counts


def time_batch(directory: Path, workers: int, engine: str) -> tuple[int, int, float]:
    """(files, failed, seconds) for one full batch run, corpus pass and JSONL writing included."""
    with tempfile.TemporaryDirectory(prefix="nlp_pipeline_bench_") as tmp:
        t0 = time.perf_counter()
        s = run_batch(directory, Path(tmp) / "out.jsonl", workers=workers, engine=engine)  # type: ignore[arg-type]
        return s.total, s.failed, time.perf_counter() - t0


def time_files(directory: Path) -> dict[str, list[float]]:
    """Seconds per file (in this process, after a warm-up), grouped by extension."""
    files = discover(directory)
    if files:
        analyze_file(str(files[0]))  # load models once so the first file is not charged for it
    by_ext: dict[str, list[float]] = defaultdict(list)
    for p in files:
        t0 = time.perf_counter()
        analyze_file(str(p))
        by_ext[p.suffix.lower()].append(time.perf_counter() - t0)
    return by_ext


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir", nargs="?", type=Path, default=DEFAULT_DIR, help="directory of reports")
    ap.add_argument(
        "--workers",
        type=_worker_counts,
        default=[os.cpu_count() or 1],
        help="comma-separated worker counts to time (default: the number of CPUs)",
    )
    ap.add_argument("--engine", choices=("processes", "dask"), default="processes")
    ap.add_argument("--per-file", action="store_true", help="also time each file alone, by format")
    args = ap.parse_args(argv)
    if not args.dir.is_dir():
        print(f"benchmark: no such directory: {args.dir}", file=sys.stderr)
        return 2
    print(f"{args.dir}: {len(discover(args.dir))} report files; {os.cpu_count()} CPUs; engine {args.engine}")
    print(f"{'workers':>7} {'files':>6} {'failed':>6} {'seconds':>8} {'reports/s':>10} {'per process':>12}")
    for n in args.workers:
        files, failed, secs = time_batch(args.dir, n, args.engine)
        rate = files / secs if secs else float("inf")
        print(f"{n:>7} {files:>6} {failed:>6} {secs:>8.2f} {rate:>10.2f} {rate / n:>12.2f}")
    if args.per_file:
        print("per file, one process (seconds): format  files  mean  max")
        for ext, secs in sorted(time_files(args.dir).items()):
            print(f"  {ext:<6} {len(secs):>5} {sum(secs) / len(secs):>6.3f} {max(secs):>6.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
