"""Time ``nlp-pipeline batch`` over a directory: reports/second in total and per worker process.

Runs the real batch layer (``nlp_pipeline.runner.run_batch``) into a temporary directory, once
per worker count asked for, and also times each file alone in this process so the slowest
formats stand out. Timings only: nothing is asserted (no timed assertions anywhere).

    python scripts/benchmark.py [DIR] [--workers 1,2] [--engine processes|dask] [--per-file]
    python scripts/benchmark.py --scale 1000,10000 [--workers 2] [--keep DIR] [--no-real]
    python scripts/benchmark.py [DIR] --formats [--rounds 7]

``--formats`` times, per format and in one run, the whole analysis of each report (load +
``analyze_document``) against the parts no analysis can avoid: jieba's segmentation of the same
text, lxml's parse of an HTML page, pypdfium2's characters and boxes of a PDF; then the start-up
of ``nlp-pipeline analyze`` on one small file as a process against ``import jieba, spacy``.

DIR defaults to ../shared/corpora/real beside the project.

``--scale N,...`` is the corpus-scale run: N synthetic reports are written quickly from
templates (the bundled samples of scripts/generate_corpus.py cut once into text and slots,
mostly TXT/MD/HTML and 1% PDF, with varied bodies, years and narrative figures; the first N
reports of a larger corpus are the same files), the real reports of --real are copied into its
``real/`` folder at run time, and ``nlp-pipeline batch`` runs over it in a fresh process (with
--db). Per run it prints wall time, reports/s, the batch parent's peak RSS (getrusage
RUSAGE_SELF) and the largest worker's (RUSAGE_CHILDREN: the maximum over the workers it
reaped); the parent's RSS at each 10% of the files analysed (with the largest worker's then),
and at the start, peak and end of each later phase (corpus pass, JSONL, DuckDB); the JSONL and
DuckDB sizes and the row count of each table; the slope of the parent's peak per 1,000 reports.
With two sizes or more, every real report's results (JSONL line, ``body_years`` row, text) are
compared field by field between the smallest and the largest run, the corpus folder taken off
the paths (the only part that depends on the run): ``real reports: N/N identical`` or each
difference (exit status 1).

    python scripts/benchmark.py --scale 1000,100000 --workers 2 --keep /tmp/nlp-scale
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
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from nlp_pipeline.runner import analyze_file, discover, run_batch  # noqa: E402

DEFAULT_DIR = ROOT.parent / "shared" / "corpora" / "real"
SAMPLES = ROOT / "corpora" / "samples"
PLACES = "东西南北中上下新平安宁和兴华江河山湖海云林泉石桥城川"
DEPTS = ("教育局", "人力资源和社会保障局", "市场监督管理局", "交通运输局", "卫生健康委员会", "生态环境局",
         "农业农村局", "财政局", "住房和城乡建设局", "民政局", "司法局", "文化和旅游局")
REAL_SUBDIR = "real"  # the real reports' folder inside a synthetic corpus
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


@dataclass(frozen=True, slots=True)
class _Template:
    """A sample report cut once into literal text and slots, so a synthetic report is one join."""

    suffix: str
    parts: tuple[str | int, ...]  # text, or a slot: _AGENCY, _YEAR, _PREV_YEAR, or a figure (>= 0, its value)


_AGENCY, _YEAR, _PREV_YEAR = -1, -2, -3


def _cut(text: str, agency: str, year: int, suffix: str) -> _Template:
    """The template of one sample: its agency name, its year and the year before (written ``N年``),
    and the narrative figures (a count before 件/条/次/个/人次/家) become slots."""
    slots = re.compile(
        f"(?P<a>{re.escape(agency)})|(?P<y>{year}年)|(?P<p>{year - 1}年)|{_NARRATIVE_FIGURE.pattern}"
    )
    parts: list[str | int] = []
    pos = 0
    for m in slots.finditer(text):
        parts.append(text[pos : m.start()])
        kind = m.lastgroup
        parts.append(_AGENCY if kind == "a" else _YEAR if kind == "y" else _PREV_YEAR if kind == "p" else int(m.group()))
        pos = m.end()
    parts.append(text[pos:])
    return _Template(suffix, tuple(parts))


def _templates() -> list[_Template]:
    """The text-like samples (UTF-8 TXT/MD/HTML whose agency and year the tool reads) as templates."""
    from nlp_pipeline.runner import analyze_one

    out = []
    for p in sorted(SAMPLES.iterdir()):
        if p.suffix.lower() in (".txt", ".md", ".html") and p.is_file():
            try:
                text = p.read_bytes().decode("utf-8")
            except UnicodeDecodeError:  # a sample in another encoding: not a template
                continue
            r = analyze_one(str(p))
            agency, year = getattr(r, "agency", None), getattr(r, "year", None)
            if agency and year:
                out.append(_cut(text, agency, year, p.suffix))
    return out


def write_synthetic(dest: Path, n: int, *, seed: int = 7) -> dict[str, int]:
    """``n`` reports from templates, 1,000 a folder: a body and year per report (each body has a
    run of six consecutive years), narrative figures raised by 0-2 at random; every 100th report
    is one of the sample PDFs as it is. The first ``n`` reports of a larger corpus are the same
    files (same seed), so a small and a large corpus share them."""
    rng = random.Random(seed)
    templates = _templates()
    pdfs = [(p.suffix, p.read_bytes()) for p in sorted(SAMPLES.glob("*.pdf"))]
    bodies = [f"{a}{b}市{d}" for a in PLACES for b in PLACES[:10] for d in DEPTS]
    choices = (0, 0, 1, 2)
    counts: dict[str, int] = defaultdict(int)
    folder = dest
    for i in range(n):
        if i % 1000 == 0:
            folder = dest / f"{i // 1000:03d}"
            folder.mkdir(parents=True, exist_ok=True)
        if pdfs and i % 100 == 99:
            suffix, data = pdfs[i % len(pdfs)]
            (folder / f"{i:06d}{suffix}").write_bytes(data)
            counts[".pdf"] += 1
            continue
        t = templates[i % len(templates)]
        new_year = 2019 + (i % 6)
        slot = {_AGENCY: bodies[(i // 6) % len(bodies)], _YEAR: f"{new_year}年", _PREV_YEAR: f"{new_year - 1}年"}
        out = "".join(
            p if isinstance(p, str) else slot[p] if p < 0 else str(p + rng.choice(choices)) for p in t.parts
        )
        (folder / f"{i:06d}{t.suffix}").write_text(out, encoding="utf-8")
        counts[t.suffix] += 1
    return dict(counts)


def add_real(dest: Path, real: Path) -> int:
    """Copy the real reports (not their gold or manifest) into ``dest/real`` at run time, with
    their modification times, so runs of every size hold the same files; returns how many."""
    target = dest / REAL_SUBDIR
    if target.is_dir():
        shutil.rmtree(target)
    shutil.copytree(real, target, ignore=shutil.ignore_patterns("gold", "manifest.tsv"))
    return len(discover(target))


def _corpus(n: int, base: Path, real: Path | None) -> Path:
    """The corpus of ``n`` synthetic reports under ``base`` (written unless a complete one is there)
    plus the real reports."""
    corpus = base / f"scale-{n}"
    done = corpus / ".complete"  # dot files are not reports: discover skips them
    if not done.is_file():
        if corpus.exists():
            shutil.rmtree(corpus)
        t0 = time.perf_counter()
        counts = write_synthetic(corpus, n)
        secs = time.perf_counter() - t0
        print(f"  wrote {n} synthetic reports in {secs:.1f} s ({n / secs:.0f}/s): {counts}", flush=True)
        done.write_text(json.dumps(counts) + "\n", encoding="utf-8")
    else:
        print(f"  reusing {corpus} ({n} synthetic reports)", flush=True)
    if real is not None:
        print(f"  added {add_real(corpus, real)} real reports from {real} in {corpus / REAL_SUBDIR}", flush=True)
    elif (corpus / REAL_SUBDIR).exists():
        shutil.rmtree(corpus / REAL_SUBDIR)
    return corpus


# --- the batch process of a scale run -------------------------------------------------------


def _rss_kib(pid: int | str = "self") -> int:
    """Resident set size (VmRSS) of a process in KiB, 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _children_rss_kib() -> int:
    """The largest resident set among this process's child processes now (the batch workers)."""
    pids: list[str] = []
    for task in Path("/proc/self/task").iterdir():
        try:
            pids += (task / "children").read_text(encoding="ascii").split()
        except OSError:
            continue
    return max((_rss_kib(p) for p in pids), default=0)


class _Sampler:
    """The batch parent's RSS over the run: every ``interval`` seconds (a thread), at each 10% of
    the files analysed, and at the start and end of each phase after the analysis."""

    def __init__(self, interval: float) -> None:
        self.t0 = time.perf_counter()
        self.interval = interval
        self.total = self.done = 0
        self.deciles: list[dict[str, float]] = []
        self.phases: list[dict[str, Any]] = []
        self.open: list[dict[str, Any]] = []
        self.peak_analysis = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self.stop.wait(self.interval):
            self.sample()

    def sample(self) -> int:
        rss = _rss_kib()
        for ph in list(self.open):
            ph["peak_kib"] = max(ph["peak_kib"], rss)
        if not self.open:
            self.peak_analysis = max(self.peak_analysis, rss)
        return rss

    def start(self, total: int) -> None:
        self.total = total
        self.deciles.append({"pct": 0, "t": time.perf_counter() - self.t0, "rss_kib": self.sample(),
                             "worker_kib": 0})
        self.thread.start()

    def advance(self, source: str) -> None:
        self.done += 1
        if self.done * 10 // max(self.total, 1) > (self.done - 1) * 10 // max(self.total, 1):
            self.deciles.append({"pct": 100 * self.done // max(self.total, 1), "t": time.perf_counter() - self.t0,
                                 "rss_kib": self.sample(), "worker_kib": _children_rss_kib()})

    def phase(self, name: str, func: Callable[..., Any]) -> Callable[..., Any]:
        """``func`` wrapped so its calls are a phase of the run (timed, RSS at start, peak, end)."""

        def wrapped(*args: Any, **kw: Any) -> Any:
            rss = _rss_kib()
            ph = {"name": name, "start_kib": rss, "peak_kib": rss, "t0": time.perf_counter()}
            self.open.append(ph)
            try:
                return func(*args, **kw)
            finally:
                ph["end_kib"] = self.sample()
                self.open.remove(ph)
                ph["seconds"] = time.perf_counter() - ph.pop("t0")
                self.phases.append(ph)

        return wrapped


def _scale_child(corpus: str, out: str, workers: int, db: str, interval: float) -> dict[str, Any]:
    """Inside the batch process: ``run_batch`` with --db, sampled; its figures as a dict."""
    import resource

    import duckdb

    from nlp_pipeline import bodies, runner, study

    sampler = _Sampler(interval)
    base = _rss_kib()
    runner._stream_corpus_pass = sampler.phase("corpus pass", runner._stream_corpus_pass)
    runner._write_raw = sampler.phase("write JSONL", runner._write_raw)
    runner.write_duckdb = sampler.phase("DuckDB (all)", runner.write_duckdb)
    study.write_texts = sampler.phase("DuckDB texts", study.write_texts)
    bodies.write_bodies = sampler.phase("DuckDB bodies", bodies.write_bodies)
    t0 = time.perf_counter()
    s = runner.run_batch(corpus, out, workers=workers, db=db, force=True,
                         progress=runner.ProgressHooks(start=sampler.start, advance=sampler.advance))
    seconds = time.perf_counter() - t0
    sampler.stop.set()
    self_, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    con = duckdb.connect(db, read_only=True)
    try:
        tables = [t for (t,) in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' ORDER BY 1").fetchall()]
        rows = {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        con.close()
    return {"seconds": seconds, "total": s.total, "failed": s.failed, "parent_kib": self_.ru_maxrss,
            "worker_kib": kids.ru_maxrss, "base_kib": base, "analysis_peak_kib": sampler.peak_analysis,
            "deciles": sampler.deciles, "phases": sampler.phases, "db_bytes": os.path.getsize(db),
            "jsonl_bytes": os.path.getsize(out), "db_rows": rows}


# --- comparing the real reports between runs ------------------------------------------------


def normalise(value: Any, root: str) -> Any:
    """``value`` with the corpus folder ``root`` taken off every path in it: the only part of a
    result that depends on where the run's corpus is (sources, copied_from, detail.previous)."""
    if isinstance(value, str):
        return value.replace(root, "")
    if isinstance(value, dict):
        return {k: normalise(v, root) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise(v, root) for v in value]
    return value


def real_results(out: Path, db: Path, corpus: Path) -> dict[str, dict[str, Any]]:
    """Every real report's results in one run, by its path under the corpus: its JSONL line, its
    ``body_years`` row and its ``texts`` row (text hash, complete), paths made relative."""
    root = str(corpus) + os.sep
    prefix = (root + REAL_SUBDIR + os.sep).encode()
    found: dict[str, dict[str, Any]] = {}
    with out.open("rb") as fh:
        for raw in fh:
            if prefix not in raw:  # cheap filter: most lines are synthetic and never parsed
                continue
            line = json.loads(raw)
            if line["source"].startswith(prefix.decode()):
                found[line["source"][len(root):]] = {"line": normalise(line, root)}
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        like = prefix.decode() + "%"
        for row in con.execute("SELECT source, body_id, year, is_primary, assigned_by FROM body_years "
                               "WHERE starts_with(source, ?)", [prefix.decode()]).fetchall():
            found.setdefault(row[0][len(root):], {})["body_year"] = normalise(
                dict(zip(("body_id", "year", "is_primary", "assigned_by"), row[1:], strict=True)), root)
        for src, digest, complete in con.execute(
            "SELECT source, sha256(text), complete FROM texts WHERE source LIKE ?", [like]).fetchall():
            found.setdefault(src[len(root):], {})["text"] = {"sha256": digest, "complete": complete}
    finally:
        con.close()
    return found


def _short(v: Any) -> str:
    s = json.dumps(v, ensure_ascii=False)
    return s if len(s) <= 100 else s[:97] + "..."


def diff_values(a: Any, b: Any, path: str = "") -> list[str]:
    """Field-by-field differences between two JSON values, as ``path: a != b`` lines."""
    if isinstance(a, dict) and isinstance(b, dict):
        out: list[str] = []
        for k in sorted(set(a) | set(b), key=str):
            sub = f"{path}.{k}" if path else str(k)
            if k not in a or k not in b:
                out.append(f"{sub}: only in the {'first' if k in a else 'second'} run: {_short(a.get(k, b.get(k)))}")
            else:
                out += diff_values(a[k], b[k], sub)
        return out
    if isinstance(a, list) and isinstance(b, list):
        out = [d for i, (x, y) in enumerate(zip(a, b, strict=False)) for d in diff_values(x, y, f"{path}[{i}]")]
        if len(a) != len(b):
            extra = a[len(b):] if len(a) > len(b) else b[len(a):]
            out.append(f"{path}: {len(a)} != {len(b)} items; extra: {_short(extra)}")
        return out
    return [] if a == b and type(a) is type(b) else [f"{path}: {_short(a)} != {_short(b)}"]


def compare_real(
    first: Mapping[str, Mapping[str, Any]], second: Mapping[str, Mapping[str, Any]]
) -> tuple[int, int, dict[str, list[str]]]:
    """(identical, total, differences by report) between two runs' ``real_results``: a report is
    identical when every field of its line, body-year row and text is equal (paths relative)."""
    diffs: dict[str, list[str]] = {}
    names = sorted(set(first) | set(second))
    for name in names:
        if name not in first or name not in second:
            diffs[name] = [f"only in the {'first' if name in first else 'second'} run"]
        elif d := diff_values(dict(first[name]), dict(second[name])):
            diffs[name] = d
    return len(names) - len(diffs), len(names), diffs


def _is_synthetic(d: str) -> bool:
    """A difference that names a synthetic report (a path like ``012/012345.txt``)."""
    return re.search(r'"\d{3}/\d{6}\.\w+"', d) is not None


def print_real_comparison(small: int, large: int, first: Mapping[str, Any], second: Mapping[str, Any]) -> bool:
    same, total, diffs = compare_real(first, second)
    print(f"real reports: {same}/{total} identical between the {small}-report and the {large}-report run "
          "(every field of the JSONL line, the body_years row and the text; corpus folder taken off paths)")
    for name, ds in diffs.items():
        print(f"  {name}: {len(ds)} differences")
        for d in ds[:8]:
            note = "  [names a synthetic report]" if _is_synthetic(d) else ""
            print(f"    {d}{note}")
    return not diffs


def scale_run(n: int, workers: int, keep: Path | None, *, real: Path | None, interval: float
              ) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Write (or reuse) the corpus of ``n`` synthetic reports plus the real ones, batch it in a
    fresh process; the figures of that run and the real reports' results."""
    base = Path(tempfile.mkdtemp(prefix="nlp_pipeline_scale_"))
    try:
        corpus = _corpus(n, (keep or base).resolve(), real)
        out, db = base / "out.jsonl", base / "out.duckdb"
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        proc = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--scale-child",
             json.dumps([str(corpus), str(out), workers, str(db), interval])],
            env=env, stdout=subprocess.PIPE, text=True, check=True,
        )
        figures = json.loads(proc.stdout.strip().splitlines()[-1])
        found = real_results(out, db, corpus) if real is not None else {}
        return figures, found
    finally:
        shutil.rmtree(base, ignore_errors=True)


def print_scale(r: Mapping[str, Any]) -> None:
    mib = 1 / 1024
    print(f"{int(r['total']):>8} {int(r['failed']):>6} {r['seconds']:>8.1f} {r['total'] / r['seconds']:>10.2f} "
          f"{r['parent_kib'] * mib:>16.0f} {r['worker_kib'] * mib:>16.0f}", flush=True)
    print(f"    parent RSS MiB before the run {r['base_kib'] * mib:.0f}; while analysing (share of files done: "
          "parent RSS / largest worker RSS):")
    print("     " + "  ".join(f"{int(d['pct'])}%: {d['rss_kib'] * mib:.0f}/{d['worker_kib'] * mib:.0f}"
                            for d in r["deciles"]))
    print(f"    peak while analysing {r['analysis_peak_kib'] * mib:.0f} MiB; after (seconds, RSS MiB at start → "
          "peak → end):")
    for ph in r["phases"]:
        print(f"      {ph['name']:<14} {ph['seconds']:>7.1f} s  {ph['start_kib'] * mib:>5.0f} → "
              f"{ph['peak_kib'] * mib:>5.0f} → {ph['end_kib'] * mib:>5.0f}")
    rows = ", ".join(f"{t} {n:,}" for t, n in r["db_rows"].items())
    print(f"    JSONL {r['jsonl_bytes'] / 2**20:.1f} MiB; DuckDB {r['db_bytes'] / 2**20:.1f} MiB, rows: {rows}")


def _fit(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    var = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var if var else None


def _slope(results: Sequence[Mapping[str, Any]]) -> None:
    """Least-squares slope of the parent's RSS against the number of reports: the whole run's peak,
    and each stage's (analysis, corpus pass, DuckDB), since DuckDB's part is capped by its
    ``memory_limit`` and a straight line over small runs overstates it."""
    if len(results) < 2:
        return
    xs = [r["total"] / 1000 for r in results]

    def peak(r: Mapping[str, Any], name: str) -> float:
        return max((ph["peak_kib"] for ph in r["phases"] if ph["name"] == name), default=0) / 1024

    from nlp_pipeline.store import DB_MEMORY_LIMIT

    series = {
        "whole run": [r["parent_kib"] / 1024 for r in results],
        "analysis": [r["analysis_peak_kib"] / 1024 for r in results],
        "corpus pass": [peak(r, "corpus pass") for r in results],
        f"DuckDB (buffers capped at {DB_MEMORY_LIMIT})": [peak(r, "DuckDB (all)") for r in results],
    }
    print(f"parent peak RSS slope, MiB per 1,000 reports (least squares over {len(xs)} runs, "
          f"{min(xs):g}k-{max(xs):g}k reports), and the straight line at 100,000:")
    for name, ys in series.items():
        slope = _fit(xs, ys)
        if slope is not None:
            at = ys[-1] + slope * (100 - xs[-1])
            print(f"  {name:<34} {slope:>6.1f}   ~{at:.0f} MiB")


def _scale_sizes(text: str) -> list[int]:
    try:
        sizes = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected numbers of reports, e.g. 1000,10000: {text!r}") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"numbers of reports must be at least 1: {text!r}")
    return sizes


def main_scale(sizes: Sequence[int], workers: int, keep: Path | None, *, real: Path | None,
               interval: float) -> int:
    """The scale runs, smallest first; then the real reports compared between the smallest and the
    largest run (exit status 1 when they differ)."""
    print(f"scale run: {workers} workers, {os.cpu_count()} CPUs (batch with --db, in a fresh process; "
          f"RSS sampled every {interval:g} s and at each 10% of the files)")
    results, real_of = [], {}
    for n in sorted(sizes):
        print(f"{'reports':>8} {'failed':>6} {'seconds':>8} {'reports/s':>10} {'parent peak MiB':>16} "
              f"{'worker peak MiB':>16}")
        r, found = scale_run(n, workers, keep, real=real, interval=interval)
        print_scale(r)
        results.append(r)
        real_of[n] = found
    _slope(results)
    if real is not None and len(real_of) > 1:
        small, large = min(real_of), max(real_of)
        return 0 if print_real_comparison(small, large, real_of[small], real_of[large]) else 1
    return 0


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
    ap.add_argument("--keep", type=Path, default=None,
                    help="write the synthetic corpora in this folder and reuse them in later runs")
    ap.add_argument("--real", type=Path, default=DEFAULT_DIR,
                    help="real reports copied into each scale corpus (default: ../shared/corpora/real)")
    ap.add_argument("--no-real", action="store_true", help="scale corpora without the real reports")
    ap.add_argument("--interval", type=float, default=1.0, help="seconds between RSS samples in a scale run")
    ap.add_argument("--scale-child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--formats", action="store_true", help="per-format table against anchors, and start-up")
    ap.add_argument("--rounds", type=int, default=7, help="rounds for --formats (median)")
    args = ap.parse_args(argv)
    if args.scale_child is not None:
        print(json.dumps(_scale_child(*json.loads(args.scale_child))), flush=True)
        return 0
    if args.scale:
        return main_scale(args.scale, args.workers[0], args.keep,
                          real=None if args.no_real or not args.real.is_dir() else args.real.resolve(),
                          interval=args.interval)
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
    never seen). ``warm`` is timed before the memos of its round are cleared, so they hold what
    the previous file's cold analysis left: a batch in path order, where the previous report is
    often the same body's previous year (its boilerplate repeated, its statements new)."""
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
    print("  warm: memos as the previous file left them (a batch in path order); cold: every per-text memo cleared first")
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
