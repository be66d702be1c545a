"""Time ``nlp-pipeline batch`` over a directory: reports/second in total and per worker process.

Runs the real batch layer (``nlp_pipeline.runner.run_batch``) into a temporary directory, once
per worker count asked for, and also times each file alone in this process so the slowest
formats stand out. Timings only: nothing is asserted (no timed assertions anywhere).

    python scripts/benchmark.py [DIR] [--workers 1,2] [--engine processes|dask] [--per-file]
    python scripts/benchmark.py --scale 1000,10000 [--workers 2] [--keep DIR]
    python scripts/benchmark.py [DIR] --formats [--rounds 7]

``--formats`` times, per format and in one run, the whole analysis of each report (load +
``analyze_document``) against the parts no analysis can avoid: jieba's segmentation of the same
text, lxml's parse of an HTML page, pypdfium2's characters and boxes of a PDF; then the start-up
of ``nlp-pipeline analyze`` on one small file as a process against ``import jieba, spacy``.

DIR defaults to ../shared/corpora/real beside the project.

``--scale N,...`` is the corpus-scale run: N synthetic reports are written quickly from
templates (the bundled samples of scripts/generate_corpus.py, mostly TXT/MD/HTML and about 1% PDF,
with varied bodies, years and narrative figures), then ``nlp-pipeline batch`` runs over them in
a fresh process (with --db) and the script prints wall time, reports/s, the batch parent's
peak RSS (getrusage RUSAGE_SELF) and the largest worker's peak RSS (RUSAGE_CHILDREN: the
maximum over the worker processes it reaped).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
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
SAMPLES = ROOT / "corpora" / "samples"
PLACES = "东西南北中上下新平安宁和兴华江河山湖海云林泉石桥城川"
DEPTS = ("教育局", "人力资源和社会保障局", "市场监督管理局", "交通运输局", "卫生健康委员会", "生态环境局",
         "农业农村局", "财政局", "住房和城乡建设局", "民政局", "司法局", "文化和旅游局")
_NARRATIVE_FIGURE = re.compile(r"(?<=[^\d|<>])(\d{1,4})(?=(件|条|次|个|人次|家))")


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


def _templates() -> list[tuple[Path, str, int]]:
    """(sample file, its body name, its year) for the text-like samples; PDFs are copied as they are."""
    from nlp_pipeline.runner import analyze_one

    out = []
    for p in sorted(SAMPLES.iterdir()):
        if p.suffix.lower() in (".txt", ".md", ".html") and p.is_file():
            try:
                p.read_bytes().decode("utf-8")
            except UnicodeDecodeError:  # a sample in another encoding: not a template
                continue
            r = analyze_one(str(p))
            agency, year = getattr(r, "agency", None), getattr(r, "year", None)
            if agency and year:
                out.append((p, agency, year))
    return out


def write_synthetic(dest: Path, n: int, *, seed: int = 7) -> dict[str, int]:
    """``n`` reports from templates: a body and year per report, some narrative figures changed."""
    rng = random.Random(seed)
    templates = [(p, p.read_text(encoding="utf-8"), agency, year) for p, agency, year in _templates()]
    pdfs = sorted(SAMPLES.glob("*.pdf"))
    bodies = [f"{a}{b}市{d}" for a in PLACES for b in PLACES[:10] for d in DEPTS]
    counts: dict[str, int] = defaultdict(int)
    for i in range(n):
        folder = dest / f"{i // 1000:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        if pdfs and i % 100 == 99:
            src = pdfs[i % len(pdfs)]
            shutil.copyfile(src, folder / f"{i:06d}{src.suffix}")
            counts[".pdf"] += 1
            continue
        path, text, agency, year = templates[i % len(templates)]
        body = bodies[(i // 6) % len(bodies)]  # each body has a run of consecutive years
        new_year = 2019 + (i % 6)
        out = text.replace(agency, body).replace(f"{year}年", f"{new_year}年").replace(
            f"{year - 1}年", f"{new_year - 1}年"
        )
        out = _NARRATIVE_FIGURE.sub(lambda m: str(int(m.group(1)) + rng.choice((0, 0, 1, 2))), out)
        (folder / f"{i:06d}{path.suffix}").write_text(out, encoding="utf-8")
        counts[path.suffix] += 1
    return dict(counts)


_SCALE_CHILD = """
import json, resource, sys, time
from nlp_pipeline.runner import run_batch
t0 = time.perf_counter()
s = run_batch(sys.argv[1], sys.argv[2], workers=int(sys.argv[3]), db=sys.argv[4], force=True)
self_, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"seconds": time.perf_counter() - t0, "total": s.total, "failed": s.failed,
                  "parent_kib": self_.ru_maxrss, "worker_kib": kids.ru_maxrss}))
"""


def scale_run(n: int, workers: int, keep: Path | None) -> dict[str, float]:
    """Write ``n`` synthetic reports, batch them in a fresh process; figures of that run."""
    base = Path(tempfile.mkdtemp(prefix="nlp_pipeline_scale_"))
    try:
        corpus = (keep or base) / f"scale-{n}"
        if not corpus.is_dir():
            t0 = time.perf_counter()
            counts = write_synthetic(corpus, n)
            print(f"  wrote {n} reports in {time.perf_counter() - t0:.1f} s: {counts}")
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        proc = subprocess.run(
            [sys.executable, "-c", _SCALE_CHILD, str(corpus), str(base / "out.jsonl"), str(workers),
             str(base / "out.duckdb")],
            env=env, capture_output=True, text=True, check=True,
        )
        return json.loads(proc.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _scale_sizes(text: str) -> list[int]:
    try:
        return [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected numbers of reports, e.g. 1000,10000: {text!r}") from None


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
    ap.add_argument("--scale", type=_scale_sizes, default=None, metavar="N,...",
                    help="corpus-scale run over N synthetic reports (e.g. 1000,10000,100000)")
    ap.add_argument("--keep", type=Path, default=None, help="keep the synthetic corpora in this folder")
    ap.add_argument("--formats", action="store_true", help="per-format table against anchors, and start-up")
    ap.add_argument("--rounds", type=int, default=7, help="rounds for --formats (median)")
    args = ap.parse_args(argv)
    if args.scale:
        n_workers = args.workers[0]
        print(f"scale run: {n_workers} workers, {os.cpu_count()} CPUs (batch with --db, in a fresh process)")
        print(f"{'reports':>8} {'failed':>6} {'seconds':>8} {'reports/s':>10} {'parent peak MiB':>16} "
              f"{'worker peak MiB':>16}")
        for n in args.scale:
            r = scale_run(n, n_workers, args.keep)
            print(f"{int(r['total']):>8} {int(r['failed']):>6} {r['seconds']:>8.1f} {r['total'] / r['seconds']:>10.2f} "
                  f"{r['parent_kib'] / 1024:>16.0f} {r['worker_kib'] / 1024:>16.0f}", flush=True)
        return 0
    if not args.dir.is_dir():
        print(f"benchmark: no such directory: {args.dir}", file=sys.stderr)
        return 2
    if args.formats:
        print_formats(args.dir, rounds=args.rounds)
        print_startup(args.dir, rounds=5)
        return 0
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


def _anchor_pdf(data: bytes) -> None:
    """pypdfium2: every page's characters with their boxes and its path objects."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(data)
    try:
        for page in pdf:
            tp = page.get_textpage()
            tp.get_text_range()
            for i in range(tp.count_chars()):
                tp.get_charbox(i)
            for _ in page.get_objects(filter=(pypdfium2.raw.FPDF_PAGEOBJ_PATH,)):
                pass
    finally:
        pdf.close()


def clear_memos() -> None:
    """Forget every per-text memo of the package (bounded ``lru_cache``s and the classifier's row
    memo), keeping loaded resources (models, schema, spaCy pipeline: unbounded or tiny caches).

    Repeated rounds over the same files would otherwise time memo lookups, not analysis: ``cold``
    is a report's analysis as if its every text were new (a body's first report, label strings
    never seen), ``warm`` the same report analysed again (a body repeating last year's text)."""
    for name, module in list(sys.modules.items()):
        if not name.startswith("nlp_pipeline"):
            continue
        for obj in list(vars(module).values()):
            params = getattr(obj, "cache_parameters", None)
            if callable(params) and (params().get("maxsize") or 0) > 16:
                obj.cache_clear()
    from nlp_pipeline.errors import NlpPipelineError
    from nlp_pipeline.problem_classifier import load_model

    try:
        model = load_model(None)["model"]
    except NlpPipelineError:
        return
    memo = getattr(model, "_memo", None)
    if isinstance(memo, dict):
        memo.clear()


def _open_pdf(data: bytes) -> None:
    """pypdfium2 opening every page and its text page, asking nothing of them: the floor under
    any pdfium reader (the content streams are parsed here)."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(data)
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            page.get_textpage().close()
            page.close()
    finally:
        pdf.close()


def time_formats(directory: Path, *, rounds: int = 7) -> dict[str, dict[str, float]]:
    """Per format: median over ``rounds`` of the summed seconds of each part over its files.

    Parts: ``load`` (file to Document), ``analyze`` (``analyze_document``), ``jieba``
    (``jieba.lcut`` of the Document's text), ``lxml`` (parse of an HTML page), ``pdfium``
    (a PDF's characters, boxes and paths). Files that fail to load are left out and counted.
    """
    import jieba
    import lxml.html

    from nlp_pipeline.errors import NlpPipelineError
    from nlp_pipeline.loaders import load
    from nlp_pipeline.pipeline import analyze_document

    jieba.initialize()
    files: dict[str, list[tuple[Path, bytes, str]]] = defaultdict(list)
    for p in discover(directory):
        try:
            text = load(p).text
            analyze_document(load(p))  # warm-up: models loaded, caches filled
        except NlpPipelineError:
            continue
        files[p.suffix.lower().lstrip(".")].append((p, p.read_bytes(), text))
    parts: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for _ in range(rounds):
        for fmt, items in files.items():
            sums: dict[str, float] = defaultdict(float)
            for p, data, text in items:
                t0 = time.perf_counter()
                doc = load(p)
                t1 = time.perf_counter()
                analyze_document(doc)
                t2 = time.perf_counter()
                jieba.lcut(text)
                t3 = time.perf_counter()
                clear_memos()
                t4 = time.perf_counter()
                analyze_document(doc)
                sums["cold"] += time.perf_counter() - t4
                sums["load"] += t1 - t0
                sums["analyze"] += t2 - t1
                sums["jieba"] += t3 - t2
                if fmt in ("html", "htm"):
                    t5 = time.perf_counter()
                    lxml.html.document_fromstring(data)
                    sums["lxml"] += time.perf_counter() - t5
                elif fmt == "pdf":
                    t5 = time.perf_counter()
                    _anchor_pdf(data)
                    t6 = time.perf_counter()
                    _open_pdf(data)
                    sums["pdfium"] += t6 - t5
                    sums["pdf_open"] += time.perf_counter() - t6
            for k, v in sums.items():
                parts[fmt][k].append(v)
    return {
        fmt: {"files": float(len(files[fmt])), **{k: statistics.median(v) for k, v in ks.items()}}
        for fmt, ks in parts.items()
    }


def print_formats(directory: Path, *, rounds: int = 7) -> None:
    """The per-format table: ms per report, reports/s per process, anchors and ratios."""
    res = time_formats(directory, rounds=rounds)
    print(f"per format, one process, median of {rounds} rounds (ms per report):")
    print("  warm: the report analysed again (its texts memoised); cold: every per-text memo cleared first")
    print(
        f"  {'format':<6} {'files':>5} {'load':>7} {'warm':>7} {'cold':>7} {'whole':>7} {'w.cold':>7} "
        f"{'rep/s':>7} {'jieba':>7} {'×jieba':>7} {'×j.cold':>8} {'lxml':>6} {'pdfium':>7} {'×pdfium':>8}"
    )
    for fmt, r in sorted(res.items()):
        n = r["files"]
        ms = {k: 1000 * v / n for k, v in r.items() if k != "files"}
        whole, whole_cold = ms["load"] + ms["analyze"], ms["load"] + ms["cold"]
        lxml_ms = f"{ms['lxml']:>6.1f}" if "lxml" in ms else f"{'':>6}"
        pdf_ms = f"{ms['pdfium']:>7.1f} {whole / ms['pdfium']:>7.1f}×" if "pdfium" in ms else f"{'':>7} {'':>8}"
        print(
            f"  {fmt:<6} {int(n):>5} {ms['load']:>7.1f} {ms['analyze']:>7.1f} {ms['cold']:>7.1f} {whole:>7.1f} "
            f"{whole_cold:>7.1f} {1000 / whole:>7.1f} {ms['jieba']:>7.1f} {whole / ms['jieba']:>6.1f}× "
            f"{whole_cold / ms['jieba']:>7.1f}× {lxml_ms} {pdf_ms}"
        )
        if "pdf_open" in ms:
            print(
                f"  {fmt}: pdfium opening the pages alone {ms['pdf_open']:.1f} ms ({1000 / ms['pdf_open']:.1f} reports/s "
                f"at most for any pdfium reader); the reader {ms['load']:.1f} ms = {ms['load'] / ms['pdf_open']:.2f}× that, "
                f"{ms['load'] / ms['pdfium']:.2f}× the characters+boxes+paths anchor"
            )


def time_startup(directory: Path, *, rounds: int = 5) -> tuple[Path, float, float]:
    """(file, median seconds of ``nlp-pipeline analyze FILE`` as a process, median seconds of
    ``python -c "import jieba, spacy"``), the smallest TXT/MD report of ``directory`` analysed."""
    texts = [p for p in discover(directory) if p.suffix.lower() in (".txt", ".md")] or discover(directory)
    small = min(texts, key=lambda p: p.stat().st_size)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    cli = [sys.executable, "-c", "from nlp_pipeline.cli import main; raise SystemExit(main())", "analyze", str(small)]
    anchor = [sys.executable, "-c", "import jieba, spacy"]

    def run(cmd: list[str]) -> float:
        t0 = time.perf_counter()
        subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        return time.perf_counter() - t0

    run(cli)  # warm the file cache and jieba's dictionary cache
    cli_s, anchor_s = [], []
    for _ in range(rounds):
        anchor_s.append(run(anchor))
        cli_s.append(run(cli))
    return small, statistics.median(cli_s), statistics.median(anchor_s)


def print_startup(directory: Path, *, rounds: int = 5) -> None:
    small, cli_s, anchor_s = time_startup(directory, rounds=rounds)
    print(
        f"start-up, median of {rounds}: analyze {small.name} ({small.stat().st_size} bytes) as a process "
        f"{cli_s:.2f} s; import jieba, spacy {anchor_s:.2f} s; ratio {cli_s / anchor_s:.2f}×"
    )


if __name__ == "__main__":
    sys.exit(main())
