"""Time ``nlp-pipeline report`` (the static site) on a synthetic corpus of N reports.

Writes N made-up reports (bodies × years 2019-2025, a small narrative each) as TXT files and their
analysed form as batch output lines — without running the analysis, so that 10,000 reports take
seconds to prepare — builds the database with ``batch.write_duckdb`` (the same code path as
``batch --db``), then times the site build. With ``--db`` it times an existing database instead.

    python scripts/bench_site.py [--reports 10000] [--out /tmp/bench_site] [--db RUN.duckdb]

Prints: reports, bodies, seconds to build the database, seconds to build the site, ms per report,
index.html size, and the time to load the real-corpus-sized anchor (the first 30 reports) in the
same run, so figures from different machines can be compared as ratios.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from nlp_pipeline.schema import SECTIONS, cell_ids  # noqa: E402
from nlp_pipeline.site import build_site  # noqa: E402
from nlp_pipeline.store import write_duckdb  # noqa: E402

YEARS = tuple(range(2019, 2026))
RULES = ("identity", "outcomes_sum", "claim_mismatch", "problem_statement_vague", "section_heading_variant")
CATEGORIES = ("platform", "mechanism_review", "application_handling", "policy_interpretation", "staff_training")
PROBLEMS = (
    "信息公开平台栏目设置不够清晰，检索功能有待完善。",
    "政策解读形式较为单一，图解和视频解读偏少。",
    "依申请公开答复文书的规范性仍需加强。",
    "工作人员业务培训的频次和深度不足。",
)


def _cells(rng: random.Random, template: str) -> dict[str, dict[str, Any]]:
    cells: dict[str, dict[str, Any]] = {}
    for cid in cell_ids(template):  # type: ignore[arg-type]
        if rng.random() < 0.03:
            cells[cid] = {"value": None, "raw": "/", "kind": "dash", "origin": "synthetic"}
        else:
            v = float(rng.randint(0, 40) if not cid.endswith(".total") else rng.randint(0, 400))
            cells[cid] = {"value": v, "raw": str(int(v)), "kind": "number", "origin": "synthetic"}
    return cells


def _report(rng: random.Random, body: int, year: int, path: Path) -> dict[str, Any]:
    template = "2019" if year < 2021 else "2021"
    cells = _cells(rng, template)
    agency = f"合成{body:05d}市测试局"
    new = cells["apply.new.total"]["value"]
    heads = [h for _, h in SECTIONS]
    parts = [f"{agency}{year}年政府信息公开工作年度报告\n", heads[0] + "\n"]
    claim_text = f"共收到政府信息公开申请{int(new or 0)}件"
    pre = "".join(parts)
    claims = [{"value": new or 0, "unit": "件", "qualifier": "exact", "metric": "apply.new.total", "is_change": False,
               "section": "overview", "cells": ["apply.new.total"], "text": claim_text,
               "start": len(pre), "end": len(pre) + len(claim_text)}]
    parts += [claim_text + "，均按时答复。\n", heads[1] + "\n本年度主动公开信息若干条。\n", heads[2] + "\n",
              heads[3] + "\n", heads[4] + "\n"]
    problems = []
    for i, txt in enumerate(rng.sample(PROBLEMS, 3)):
        start = len("".join(parts))
        parts.append(txt + "\n")
        copied = rng.random() < 0.3 and year > YEARS[0]
        problems.append({
            "text": txt, "kind": "problem" if i < 2 else "measure", "start": start, "end": start + len(txt),
            "categories": [{"label": rng.choice(CATEGORIES), "score": 0.8}], "vague": rng.random() < 0.3,
            "vague_reason": "generic wording", "copied_from": {
                "source": str(path.with_name(f"b{body:05d}-{year - 1}.txt")), "text": txt, "similarity": 0.97,
                "scope": "previous_year"} if copied else None,
        })
    parts.append(heads[5] + "\n本年度未收取信息处理费。\n")
    text = "".join(parts)
    path.write_text(text, encoding="utf-8")
    findings = [
        {"rule": rule, "severity": "error" if rule in ("identity", "claim_mismatch") else "info",
         "message": f"synthetic {rule}", "cells": ["apply.new.total"] if rule != "problem_statement_vague" else [],
         "expected": 1.0, "found": 2.0, "detail": {}}
        for rule in rng.sample(RULES, rng.randint(0, 3))
    ]
    return {
        "source": str(path), "format": "txt", "template": template, "agency": agency, "year": year,
        "published": None, "sections": [{"id": sid, "number": i + 1, "heading": h, "start": 0, "end": 0}
                                         for i, (sid, h) in enumerate(SECTIONS)],
        "cells": cells, "findings": findings, "claims": claims, "problems": problems,
        "text_length": len(text), "file": {"size": len(text.encode("utf-8")), "sha1": None},
    }


def make_db(n: int, out: Path, *, seed: int = 7) -> Path:
    rng = random.Random(seed)
    texts = out / "reports"
    texts.mkdir(parents=True, exist_ok=True)
    lines = []
    for i in range(n):
        body, year = divmod(i, len(YEARS))
        lines.append(_report(rng, body, YEARS[year], texts / f"b{body:05d}-{YEARS[year]}.txt"))
    db = out / "synthetic.duckdb"
    write_duckdb(lines, db)
    return db


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reports", type=int, default=10_000)
    ap.add_argument("--out", type=Path, default=Path("/tmp/bench_site"))
    ap.add_argument("--db", type=Path, default=None, help="time this database instead of a synthetic one")
    args = ap.parse_args(argv)
    if args.out.exists():
        shutil.rmtree(args.out)
    args.out.mkdir(parents=True)
    t0 = time.perf_counter()
    db = args.db or make_db(args.reports, args.out)
    t_db = time.perf_counter() - t0
    t1 = time.perf_counter()
    pages = build_site(db, args.out / "site")
    t_site = time.perf_counter() - t1
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    n_reports, n_bodies = con.execute("SELECT (SELECT count(*) FROM reports), (SELECT count(*) FROM bodies)").fetchone()
    con.close()
    index = (args.out / "site" / "index.html").stat().st_size
    print(f"reports {n_reports}, bodies {n_bodies}, pages {pages}")
    if args.db is None:
        print(f"database (synthetic rows + texts + bodies + views): {t_db:.1f} s")
    print(f"site: {t_site:.1f} s ({1000 * t_site / max(n_reports, 1):.1f} ms per report)")
    print(f"index.html: {index / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
