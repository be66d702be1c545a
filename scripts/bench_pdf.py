"""Time the PDF reader against pdfium's own extraction, per PDF, in one run.

For every PDF given (default: the PDFs of ../shared/corpora/real and corpora/samples) prints,
as the median of N rounds (default 7), in milliseconds:

- ``anchor``: pypdfium2 alone pulling out what any reader needs: every character with its box
  (``FPDFText_GetCharBox``) and every path object's segment points, handles closed;
- ``new``: ``load_pdf`` (pdfium geometry, then lines, grids and paragraphs);
- ``old``: the same layout code on pdfplumber/pdfminer's geometry (the reader before pdfium);
- ``analysis``: the whole analysis of the file (``batch.analyze_file``: load, sections, tables,
  claims, checks), with the new reader, and the reports/s it means for one process;
- the ratios new/anchor, analysis/anchor and old/new;
- the same medians in CPU time of this process (``time.process_time``: anchor, new, analysis and
  the reports/s it means), steadier than wall time on a machine shared with other work.

It also checks that both readers give the same Document (text and every block) and says so.
Timings only: nothing is asserted (no timed assertions anywhere).

    python scripts/bench_pdf.py [PDF ...] [--rounds 7] [--no-old]
"""

from __future__ import annotations

import argparse
import ctypes
import logging
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from nlp_pipeline.loaders import pdf as pdf_loader  # noqa: E402
from nlp_pipeline.runner import analyze_file  # noqa: E402

DEFAULT = [
    *sorted((ROOT.parent / "shared" / "corpora" / "real").glob("*.pdf")),
    *sorted((ROOT / "corpora" / "samples").glob("*.pdf")),
]


def anchor(data: bytes) -> int:
    """pypdfium2 raw: characters with their boxes and the points of every path; returns a count."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    pdf = pdfium.PdfDocument(data)
    count = 0
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    box = [ctypes.byref(v) for v in (left, right, bottom, top)]
    x, y = ctypes.c_float(), ctypes.c_float()
    xp, yp = ctypes.byref(x), ctypes.byref(y)
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            textpage = page.get_textpage()
            n = raw.FPDFText_CountChars(textpage.raw)
            buf = ctypes.create_string_buffer((n + 1) * 2)
            raw.FPDFText_GetText(textpage.raw, 0, n, ctypes.cast(buf, ctypes.POINTER(ctypes.c_ushort)))
            for k in range(n):
                raw.FPDFText_GetCharBox(textpage.raw, k, *box)
            count += n
            for j in range(raw.FPDFPage_CountObjects(page.raw)):
                obj = raw.FPDFPage_GetObject(page.raw, j)
                if raw.FPDFPageObj_GetType(obj) != raw.FPDF_PAGEOBJ_PATH:
                    continue
                for s in range(raw.FPDFPath_CountSegments(obj)):
                    raw.FPDFPathSegment_GetPoint(raw.FPDFPath_GetPathSegment(obj, s), xp, yp)
                    count += 1
            textpage.close()
            page.close()
    finally:
        pdf.close()
    return count


def median_ms(fn: Callable[[], object], rounds: int, clock: Callable[[], float] = time.perf_counter) -> float:
    times = []
    for _ in range(rounds):
        t0 = clock()
        fn()
        times.append(clock() - t0)
    return statistics.median(times) * 1000


def cpu_ms(fn: Callable[[], object], rounds: int) -> float:
    """Median CPU time of this process (``time.process_time``): steadier than wall time on a busy machine."""
    return median_ms(fn, rounds, time.process_time)


def same_document(data: bytes, name: str) -> bool:
    a = pdf_loader.load_pdf(data, source=name)
    b = pdf_loader._load_pdf_plumber(data, source=name)
    return a.text == b.text and a.blocks == b.blocks


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("pdfs", nargs="*", type=Path, default=DEFAULT)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--no-old", action="store_true", help="skip the slow pdfplumber reader")
    args = ap.parse_args(argv)
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    if not args.pdfs:
        print("bench_pdf: no PDF given and none found", file=sys.stderr)
        return 2
    analyze_file(str(args.pdfs[0]))  # models loaded once, outside the timings
    print(f"median of {args.rounds} rounds, ms per PDF (one process); cpu = time.process_time")
    head = f"{'file':<28} {'anchor':>7} {'new':>7} {'old':>7} {'analysis':>9} {'rep/s':>6}"
    head += f" {'new/anc':>8} {'anal/anc':>9} {'old/new':>8} {'cpu anc':>8} {'cpu new':>8} {'cpu anal':>9}"
    print(head + f" {'cpu rep/s':>9}  same doc")
    totals = [0.0] * 7
    for path in args.pdfs:
        data = path.read_bytes()
        name = str(path)
        t_anchor = median_ms(lambda d=data: anchor(d), args.rounds)
        t_new = median_ms(lambda d=data, n=name: pdf_loader.load_pdf(d, source=n), args.rounds)
        t_old = (
            float("nan")
            if args.no_old
            else median_ms(lambda d=data, n=name: pdf_loader._load_pdf_plumber(d, source=n), args.rounds)
        )
        t_all = median_ms(lambda n=name: analyze_file(n), args.rounds)
        c_anchor = cpu_ms(lambda d=data: anchor(d), args.rounds)
        c_new = cpu_ms(lambda d=data, n=name: pdf_loader.load_pdf(d, source=n), args.rounds)
        c_all = cpu_ms(lambda n=name: analyze_file(n), args.rounds)
        same = "-" if args.no_old else ("yes" if same_document(data, name) else "NO")
        for i, t in enumerate((t_anchor, t_new, t_old, t_all, c_anchor, c_new, c_all)):
            totals[i] += t
        print(
            f"{path.name[:28]:<28} {t_anchor:>7.1f} {t_new:>7.1f} {t_old:>7.1f} {t_all:>9.1f} "
            f"{1000 / t_all:>6.1f} {t_new / t_anchor:>8.2f} {t_all / t_anchor:>9.2f} {t_old / t_new:>8.1f} "
            f"{c_anchor:>8.1f} {c_new:>8.1f} {c_all:>9.1f} {1000 / c_all:>9.1f}  {same}"
        )
    n = len(args.pdfs)
    a, nw, o, al, ca, cn, cl = (t / n for t in totals)
    print(
        f"{'mean':<28} {a:>7.1f} {nw:>7.1f} {o:>7.1f} {al:>9.1f} {1000 / al:>6.1f} "
        f"{nw / a:>8.2f} {al / a:>9.2f} {o / nw:>8.1f} {ca:>8.1f} {cn:>8.1f} {cl:>9.1f} {1000 / cl:>9.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
