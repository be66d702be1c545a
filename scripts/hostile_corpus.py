"""Build a corpus of hostile inputs and run each through the library in its own process.

Each case is analysed by ``nlp_pipeline.pipeline.analyze_or_error`` in a fresh subprocess,
timed (wall clock) and measured (peak resident memory of that process, from ``os.wait4``),
with a hard time limit and an address-space ceiling so a failure cannot take the machine. The
table printed at the end lists, per case: the result (``ok`` with the loader's findings, or
the error code), the expected result, seconds and peak MiB. A case fails when it times out,
goes over the memory budget, prints a traceback, ends in E010 (an internal error) or gives a
result other than the expected one.

    python scripts/hostile_corpus.py [--keep DIR] [--only NAME ...] [--timeout 60] [--scaling]

``--scaling`` also times the analysis stages on texts of 10k/40k/160k lines (repeated section
headings, and prose with figures) and prints each time as a ratio to the 10k-line anchor: a
near-linear stage shows ratios near 4 and 16. Nothing here is asserted by the test-suite; the
small versions of these cases are in tests/test_hostile.py.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

HEADINGS = (
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
)
PROSE = "本机关2025年通过政府网站主动公开政府信息120条，收到政府信息公开申请30件，同比增长5%，全部按期办结。"
REPORT_TEXT = "示例局2025年政府信息公开工作年度报告\n" + "\n".join(f"{h}\n{PROSE}" for h in HEADINGS) + "\n"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MEMORY_BUDGET_MIB = 2048


# --- building blocks ------------------------------------------------------------------------


def html_page(body: str) -> str:
    return f'<html><head><meta charset="utf-8"><title>年度报告</title></head><body>{body}</body></html>'


def report_paragraphs() -> str:
    return "".join(f"<p>{h}</p><p>{PROSE}</p>" for h in HEADINGS)


def docx_bytes(body_xml: str, *, extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal valid Word package whose body is ``body_xml`` (w:p / w:tbl elements)."""
    ct = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
        "</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="word/document.xml"/></Relationships>'
    )
    doc = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W}"><w:body>{body_xml}</w:body></w:document>'
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", ct)
        zf.writestr("_rels/.rels", rels)
        zf.writestr("word/document.xml", doc)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return buf.getvalue()


def docx_paragraphs(lines: list[str]) -> str:
    return "".join(f"<w:p><w:r><w:t>{line}</w:t></w:r></w:p>" for line in lines)


def report_lines() -> list[str]:
    return [line for h in HEADINGS for line in (h, PROSE)]


# --- the cases ------------------------------------------------------------------------------


def big_spans_html(rows: int = 400) -> bytes:
    """~19 KB table whose cells declare huge rowspan/colspan (billions of grid positions)."""
    trs = "".join(
        f'<tr><td rowspan="65534" colspan="1000">{i}</td><td colspan="100000">x</td><td>1</td></tr>'
        for i in range(rows)
    )
    return html_page(report_paragraphs() + f"<table>{trs}</table>").encode()


def gridspan_docx(cells: int = 400) -> bytes:
    """DOCX whose cells say w:gridSpan="1000000" (and a row gridBefore of a billion)."""
    tcs = "".join(
        f'<w:tc><w:tcPr><w:gridSpan w:val="1000000"/></w:tcPr><w:p><w:r><w:t>{i}</w:t></w:r></w:p></w:tc>'
        for i in range(cells)
    )
    tbl = (
        f'<w:tbl><w:tr><w:trPr><w:gridBefore w:val="1000000000"/></w:trPr>{tcs}</w:tr>'
        + "<w:tr>"
        + ("<w:tc><w:p><w:r><w:t>2</w:t></w:r></w:p></w:tc>" * 3)
        + "</w:tr></w:tbl>"
    )
    return docx_bytes(docx_paragraphs(report_lines()) + tbl)


def zip_bomb_docx(megabytes: int = 500) -> bytes:
    """DOCX whose document.xml inflates to ``megabytes`` MB (a few hundred KB compressed)."""
    head = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}"><w:body>'.encode()
    base = docx_bytes(docx_paragraphs(report_lines()))
    src = zipfile.ZipFile(io.BytesIO(base))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            if info.filename != "word/document.xml":
                zf.writestr(info, src.read(info))
        with zf.open("word/document.xml", "w", force_zip64=True) as fh:
            fh.write(head + docx_paragraphs(report_lines()).encode())
            chunk = b" " * (1 << 20)
            for _ in range(megabytes):
                fh.write(chunk)
            fh.write(b"</w:body></w:document>")
    return buf.getvalue()


def repeated_headings(lines: int) -> bytes:
    return ("\n".join(HEADINGS[i % 6] for i in range(lines)) + "\n").encode()


def near_limit_text(chars: int = 115_000) -> bytes:
    """A report padded with headings and figure-laden prose up to just under the text limit."""
    unit = "\n".join(f"{h}\n{PROSE}" for h in HEADINGS) + "\n"
    return ("示例局2025年政府信息公开工作年度报告\n" + unit * (chars // len(unit))).encode()


def run_on_text(chars: int = 115_000) -> bytes:
    """One paragraph with no sentence end and many figures (clause/sentence walks were quadratic)."""
    body = "收到申请1件办结2件公开3条" * (chars // 14)
    return (REPORT_TEXT + body + "\n").encode()


def deep_html(depth: int) -> bytes:
    """The report's later sections nested ``depth`` levels deep (libxml2 stops at 256)."""
    first, rest = (
        report_paragraphs()[: len(report_paragraphs()) // 2],
        report_paragraphs()[len(report_paragraphs()) // 2 :],
    )
    return html_page(first + "<div>" * depth + rest + "</div>" * depth).encode()


def nested_tables_html(depth: int = 200) -> bytes:
    """Tables inside tables (judging layout vs data tables was exponential in the nesting)."""
    inner = "<table><tr><td>a</td><td>" * depth + "1" + "</td></tr></table>" * depth
    return html_page(report_paragraphs() + inner).encode()


def many_tables_html(tables: int = 3000, size: int = 40) -> bytes:
    row = "<tr>" + "<td>1</td>" * size + "</tr>"
    table = "<table>" + row * size + "</table>"
    return html_page(report_paragraphs() + table * tables).encode()


def control_chars_text() -> bytes:
    evil = "\x1b]0;pwned\x07\x1b[2J\x1b[31m红色\x1b[0m\r覆盖\x08\x08[/]"
    return (REPORT_TEXT.replace("示例局", "示例局" + evil) + evil + "\n").encode()


def script_html() -> bytes:
    js = "<script>alert('x');document.write('一、总体情况');</script><style>p{display:none}</style>"
    return html_page(js + report_paragraphs() + js).encode()


def big5_text() -> bytes:
    trad = (
        "示例局二零二五年政府信息公開工作年度報告\n一、總體情況\n本機關通過政府網站主動公開政府信息一百二十條。\n"
        * 5
    )
    return trad.encode("big5")


def junk(n: int = 200_000) -> bytes:
    return os.urandom(n)


def truncated(data: bytes, keep: float = 0.5) -> bytes:
    return data[: int(len(data) * keep)]


def small_pdf(page_count: str = "1", extra: str = "") -> bytes:
    """A hand-written one-page PDF; ``page_count`` is what the page tree claims."""
    content = b"BT /F1 12 Tf 72 720 Td (Hello) Tj ET"
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [3 0 R] /Count {page_count} >>".encode(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    if extra:
        objs.append(extra.encode())
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref))
    return out.getvalue()


@dataclass(frozen=True)
class Case:
    name: str
    filename: str
    expect: str  # "ok", "ok+RULE", an error code, or "E0xx|E0yy" alternatives
    build: Callable[[Path], None]
    note: str = ""
    unprivileged: bool = False  # run as a process without root's permission override


def _write(data: bytes | Callable[[], bytes]) -> Callable[[Path], None]:
    def build(p: Path) -> None:
        p.write_bytes(data() if callable(data) else data)

    return build


def _fifo(p: Path) -> None:
    os.mkfifo(p)


def _zero_link(p: Path) -> None:
    p.symlink_to("/dev/zero")


def _directory(p: Path) -> None:
    p.mkdir()


def _unreadable(p: Path) -> None:
    p.write_bytes(REPORT_TEXT.encode())
    p.chmod(0)


def _under_locked_folder(p: Path) -> None:
    p.parent.mkdir(exist_ok=True)
    p.write_bytes(REPORT_TEXT.encode())
    p.parent.chmod(0)


def _nul_filled(p: Path) -> None:
    p.write_bytes(b"\x00" * 1_000_000)


def cases() -> list[Case]:
    return [
        Case(
            "html_huge_spans",
            "spans.html",
            "ok+table_span_clamped",
            _write(big_spans_html),
            "rowspan 65534, colspan 1e5",
        ),
        Case(
            "docx_gridspan_1e6",
            "gridspan.docx",
            "ok+table_span_clamped",
            _write(gridspan_docx),
            "gridSpan=1000000",
        ),
        Case(
            "docx_zip_bomb_500MB",
            "bomb.docx",
            "E017",
            _write(zip_bomb_docx),
            "document.xml inflates to 500 MB",
        ),
        Case(
            "txt_10MB_headings", "headings.txt", "E016", _write(lambda: repeated_headings(400_000)), "10 MB"
        ),
        Case("txt_near_text_limit", "near.txt", "ok", _write(near_limit_text), "115k chars of report"),
        Case("txt_run_on_figures", "runon.txt", "ok", _write(run_on_text), "115k chars, no sentence end"),
        Case("html_49MB_tables", "tables.html", "E015", _write(many_tables_html), "3000 tables of 40x40"),
        Case(
            "html_15MB_tables", "tables15.html", "E016", _write(lambda: many_tables_html(900)), "900 tables"
        ),
        Case("html_nested_tables_200", "nested.html", "ok", _write(nested_tables_html)),
        Case("html_depth_300", "deep300.html", "ok+html_nesting_flattened", _write(lambda: deep_html(300))),
        Case(
            "html_depth_5000", "deep5000.html", "ok+html_nesting_flattened", _write(lambda: deep_html(5000))
        ),
        Case("fifo", "pipe.txt", "E013", _fifo),
        Case("symlink_dev_zero", "zero.txt", "E013", _zero_link),
        Case("directory_named_txt", "dir.txt", "E013", _directory),
        Case("unreadable_file", "secret.txt", "E014", _unreadable, unprivileged=True),
        Case("under_unreadable_folder", "locked/report.txt", "E014", _under_locked_folder, unprivileged=True),
        Case("utf32_bom", "u32.txt", "ok", _write(REPORT_TEXT.encode("utf-32"))),
        Case("utf32_le_no_bom", "u32le.txt", "ok", _write(REPORT_TEXT.encode("utf-32-le"))),
        Case("utf16_bom", "u16.txt", "ok", _write(REPORT_TEXT.encode("utf-16"))),
        Case("utf16_le_no_bom", "u16le.txt", "ok", _write(REPORT_TEXT.encode("utf-16-le"))),
        Case("big5", "big5.txt", "E007", _write(big5_text), "decoded as Big5; traditional headings"),
        Case("junk_txt", "junk.txt", "E004", _write(junk)),
        Case("junk_html", "junk.html", "E004|E008", _write(junk)),
        Case("junk_pdf", "junk.pdf", "E005", _write(junk)),
        Case("junk_docx", "junk.docx", "E005", _write(junk)),
        Case(
            "truncated_docx",
            "cut.docx",
            "E005",
            _write(lambda: truncated(docx_bytes(docx_paragraphs(report_lines())))),
        ),
        Case("truncated_pdf", "cut.pdf", "E005|E006|E007", _write(lambda: truncated(small_pdf()))),
        Case("pdf_page_count_1e9", "pages.pdf", "E005|E006|E007", _write(lambda: small_pdf("1000000000"))),
        Case(
            "pdf_huge_stream_length",
            "stream.pdf",
            "E005|E006|E007",
            _write(lambda: small_pdf(extra="<< /Length 999999999999 >>\nstream\nx\nendstream")),
        ),
        Case("control_chars", "ansi.txt", "ok", _write(control_chars_text), "ESC sequences, [/] markup"),
        Case("html_script", "script.html", "ok", _write(script_html)),
        Case("zero_bytes", "empty.txt", "E002", _write(b"")),
        Case("nul_filled", "nul.txt", "E004", _nul_filled),
    ]


# --- running ----------------------------------------------------------------------------------

_CHILD = r"""
import json, sys, time
from nlp_pipeline.errors import NlpPipelineError
from nlp_pipeline.pipeline import analyze_or_error
t = time.perf_counter()
r = analyze_or_error(sys.argv[1])
lib = time.perf_counter() - t
if isinstance(r, NlpPipelineError):
    print(json.dumps({"code": r.code, "message": str(r)[:300], "lib": lib}, ensure_ascii=False))
else:
    rules = sorted({f.rule for f in r.findings if f.rule.startswith(("table_", "html_"))})
    print(json.dumps({"code": "ok", "rules": rules, "sections": len(r.sections), "lib": lib}))
"""


@dataclass
class Outcome:
    case: Case
    result: str
    seconds: float
    peak_mib: float
    passed: bool
    detail: str = ""
    library_seconds: float = 0.0


def _limit_memory() -> None:
    ceiling = 4 * 1024**3  # address space: well over the 2 GiB budget (Python maps more than it touches)
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))


def run_case(case: Case, path: Path, *, timeout: float) -> Outcome:
    """Analyse ``path`` in a fresh process; its own peak RSS comes from ``os.wait4``."""
    cmd = [sys.executable, "-c", _CHILD, str(path)]
    if case.unprivileged and os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            return Outcome(
                case, "skipped", 0.0, 0.0, True, "root without setpriv: cannot drop permission override"
            )
        drop = "-dac_override,-dac_read_search"
        cmd = [setpriv, f"--inh-caps={drop}", f"--bounding-set={drop}", *cmd]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, preexec_fn=_limit_memory)
        deadline = t0 + timeout
        status, usage = 0, None
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                _, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.02)
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - t0
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    peak = usage.ru_maxrss / 1024 if usage else 0.0  # KiB on Linux
    if seconds > timeout:
        return Outcome(case, "TIMEOUT", seconds, peak, False)
    try:
        res = json.loads(stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        return Outcome(case, f"CRASH rc={proc.returncode}", seconds, peak, False, stderr[-300:])
    result = res["code"] if res["code"] != "ok" else "ok" + "".join(f"+{r}" for r in res["rules"])
    expected = case.expect.split("|")
    passed = (
        "Traceback" not in stderr
        and res["code"] != "E010"
        and peak < MEMORY_BUDGET_MIB
        and any(
            result == e or (e.startswith("ok") and result.startswith("ok") and e[3:] in result)
            for e in expected
        )
    )
    return Outcome(case, result, seconds, peak, passed, res.get("message", ""), res.get("lib", 0.0))


def _restore(p: Path) -> None:
    """Give back permissions taken for a case so the directory can be removed."""
    for q in (p, p.parent):
        if q.exists() and not q.is_symlink():
            q.chmod(q.stat().st_mode | stat.S_IRWXU)


def scaling(sizes: tuple[int, ...] = (10_000, 40_000, 160_000)) -> None:
    """Seconds per analysis stage on growing texts, as ratios to the 10k-line run."""
    from nlp_pipeline import claims, loaders, sections, tables
    from nlp_pipeline.pipeline import analyze_document

    texts = {
        "headings": lambda n: repeated_headings(n).decode(),
        "prose+figures": lambda n: "\n".join(HEADINGS[i % 6] if i % 2 else PROSE for i in range(n)) + "\n",
    }
    analyze_document(loaders.parse_text(REPORT_TEXT, source="warm-up"))
    print(
        f"{'text':<15} {'lines':>7} {'MB':>6} {'sections':>9} {'tables':>8} {'claims':>8} {'whole':>8} {'ratio':>6}"
    )
    for kind, make in texts.items():
        anchor = None
        for n in sizes:
            doc = loaders.parse_text(make(n), source=kind)
            t = time.perf_counter()
            secs = sections.find_sections(doc)
            t_sec = time.perf_counter() - t
            t = time.perf_counter()
            tables.read_tables(doc, secs.sections)
            t_tab = time.perf_counter() - t
            t = time.perf_counter()
            claims.extract_claims(doc, secs.sections)
            t_cl = time.perf_counter() - t
            t = time.perf_counter()
            analyze_document(doc)
            whole = time.perf_counter() - t
            anchor = anchor or whole
            mb = len(doc.text.encode()) / 1e6
            print(
                f"{kind:<15} {n:>7} {mb:>6.1f} {t_sec:>9.2f} {t_tab:>8.2f} {t_cl:>8.2f} {whole:>8.2f} {whole / anchor:>6.1f}"
            )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keep", type=Path, help="build the corpus here and keep it (default: a temp dir)")
    ap.add_argument("--only", nargs="*", help="case names to run")
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--scaling", action="store_true", help="also time the stages on 10k/40k/160k lines")
    ap.add_argument("--sizes", default="10000,40000,160000", help="line counts for --scaling")
    args = ap.parse_args(argv)
    base = args.keep or Path(tempfile.mkdtemp(prefix="nlp_pipeline_hostile_"))
    base.mkdir(parents=True, exist_ok=True)
    base.chmod(0o755)
    outcomes: list[Outcome] = []
    try:
        for case in cases():
            if args.only and case.name not in args.only:
                continue
            path = base / case.name / case.filename
            path.parent.mkdir(parents=True, exist_ok=True)
            case.build(path)
            outcomes.append(run_case(case, path, timeout=args.timeout))
            o = outcomes[-1]
            print(
                f"  {case.name}: {o.result} {o.seconds:.1f}s {o.peak_mib:.0f}MiB", file=sys.stderr, flush=True
            )
            _restore(path)
    finally:
        for p in base.rglob("*"):
            if not p.is_symlink():
                p.chmod(p.stat().st_mode | stat.S_IRWXU)
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)
    print("s: wall time of the whole subprocess (interpreter start and imports included); lib s: the")
    print("analyze_or_error call alone; peak MiB: the subprocess's maximum resident set (os.wait4).")
    print(
        f"| {'case':<26} | {'result / code':<38} | {'expected':<26} | {'s':>5} | {'lib s':>5} | {'peak MiB':>8} | pass |"
    )
    print(f"|{'-' * 28}|{'-' * 40}|{'-' * 28}|{'-' * 7}|{'-' * 7}|{'-' * 10}|------|")
    for o in outcomes:
        print(
            f"| {o.case.name:<26} | {o.result:<38} | {o.case.expect:<26} | {o.seconds:>5.1f} | "
            f"{o.library_seconds:>5.1f} | {o.peak_mib:>8.0f} | {'yes' if o.passed else 'NO'} |"
        )
    failed = [o for o in outcomes if not o.passed]
    for o in failed:
        print(f"FAILED {o.case.name}: {o.result} {o.detail}")
    print(
        f"{len(outcomes) - len(failed)}/{len(outcomes)} cases within {args.timeout:g} s and {MEMORY_BUDGET_MIB} MiB"
    )
    if args.scaling:
        scaling(tuple(int(x) for x in args.sizes.split(",")))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
