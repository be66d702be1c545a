"""The corpus-study layer on a real batch database: bodies, indicators, export, the HTML site."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from nlp_pipeline import corpus as corpus_mod
from nlp_pipeline import indicators
from nlp_pipeline.cli import main
from nlp_pipeline.export import EXPORTED, export
from nlp_pipeline.runner import run_batch
from nlp_pipeline.site import build_site, page_id
from nlp_pipeline.store import write_duckdb

from .conftest import REAL, ROOT
from .test_batch import report_text

REAL_FILES = (
    "czj-2022.html",
    "czj-2023.html",
    "czj-2024.html",
    "czj-2024.docx",
    "hengyang-hrss-2025.txt",
    "kewei-2024.md",
)
SCRIPT = '<script>window.__pwned = 1</script><b>粗体</b>'


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A batch over a few real reports (one body with a duplicate year, one without agency) and a
    made-up report whose text holds HTML, into a temporary DuckDB."""
    if not REAL.is_dir():
        pytest.skip(f"real corpus not available: {REAL}")
    d = tmp_path_factory.mktemp("study")
    src = d / "in"
    src.mkdir()
    for name in REAL_FILES:
        (src / name).symlink_to(REAL / name)
    text = report_text(agency="示例市测试局", year=2024).replace("一是公开内容", f"{SCRIPT}一是公开内容")
    text = text.replace("共收到政府信息公开申请5件", "共收到政府信息公开申请7件")  # contradicts 表三 (5)
    (src / "evil-2024.txt").write_text(text, encoding="utf-8")
    db = d / "run.duckdb"
    summary = run_batch(src, d / "run.jsonl", workers=1, db=db)
    assert summary.failed == 0
    lines = [json.loads(x) for x in (d / "run.jsonl").read_text(encoding="utf-8").splitlines()]
    return {"db": db, "lines": {Path(x["source"]).name: x for x in lines}, "dir": d}


def _v(cells: dict, cid: str) -> float | None:
    c = cells.get(cid)
    return None if c is None else c["value"]


def _ratio(num: float | None, den: float | None) -> float | None:
    return None if num is None or den is None or den == 0 else num / den


def _same(a: object, b: float | None) -> bool:
    if b is None:
        return a is None or (isinstance(a, float) and math.isnan(a))
    return isinstance(a, float) and math.isclose(a, b, rel_tol=1e-12)


def test_bodies_and_primary_copies(run: dict) -> None:
    con = duckdb.connect(str(run["db"]), read_only=True)
    by = {Path(s).name: (b, y, p, how) for s, b, y, p, how in con.execute("SELECT * FROM body_years").fetchall()}
    assert by["czj-2022.html"] == ("平潭财政金融局", 2022, True, "agency")
    assert by["czj-2023.html"] == ("平潭财政金融局", 2023, True, "agency")
    assert {by["czj-2024.html"][2], by["czj-2024.docx"][2]} == {True, False}  # one primary copy
    assert by["kewei-2024.md"] == ("上海科委", 2024, True, "agency")
    assert by["hengyang-hrss-2025.txt"] == (None, 2025, False, "unassigned")
    assert by["evil-2024.txt"] == ("示例测试局", 2024, True, "agency")
    lines = run["lines"]
    dup = [lines["czj-2024.html"], lines["czj-2024.docx"]]
    best = min(dup, key=lambda x: (-len(x["cells"]), len(x["findings"]), x["source"]))
    assert by[Path(best["source"]).name][2] is True
    bodies = con.execute("SELECT body_id, name, n_reports, first_year, last_year FROM bodies ORDER BY 1").fetchall()
    assert bodies == [
        ("上海科委", "上海市科委", 1, 2024, 2024),
        ("平潭财政金融局", "平潭综合实验区财政金融局", 4, 2022, 2024),
        ("示例测试局", "示例市测试局", 1, 2024, 2024),
    ]


def test_indicators_match_hand_computation(run: dict) -> None:
    with corpus_mod.open(run["db"]) as c:
        ind = c.indicators()
        rind = c.report_indicators()
    assert list(ind.columns[:3]) == ["body_id", "agency", "year"]
    assert len(ind) == 5  # body-years: czj 2022-2024, kewei 2024, evil 2024 (no double count)
    assert len(rind) == 7
    denied = ["state_secret", "law_prohibited", "three_security", "third_party", "internal_affairs",
              "process_info", "enforcement_file", "query_matter"]
    checked = 0
    for row in ind.itertuples():
        cells = run["lines"][Path(row.source).name]["cells"]
        processed = _v(cells, "apply.total_processed.total")
        g, p = _v(cells, "apply.granted.total"), _v(cells, "apply.partial.total")
        assert _same(row.granted_share, _ratio(None if g is None or p is None else g + p, processed))
        parts = [_v(cells, f"apply.denied.{k}.total") for k in denied]
        assert _same(row.refusal_share, _ratio(None if None in parts else sum(parts), processed))
        new, over = _v(cells, "apply.new.total"), _v(cells, "apply.carried_over.total")
        fwd = _v(cells, "apply.carried_forward.total")
        assert _same(row.carried_forward_share, _ratio(fwd, None if new is None or over is None else new + over))
        assert _same(row.review_correction_rate, _ratio(_v(cells, "review.corrected"), _v(cells, "review.total")))
        assert row.new_applications == new
        checked += 1
    assert checked == 5
    # a value the test knows by hand: the made-up report granted 3 of 5
    evil = ind[ind.body_id == "示例测试局"].iloc[0]
    assert evil.granted_share == pytest.approx(3 / 5)
    assert evil.unable_share == pytest.approx(2 / 5)


def test_missing_cells_stay_missing(tmp_path: Path) -> None:
    """Blank and "/" are missing, a ratio over 0 is missing — never 0."""
    def cell(v: float | None, kind: str = "number") -> dict:
        return {"value": v, "raw": "" if v is None else str(v), "kind": kind if v is not None else "blank", "origin": ""}

    base = {"format": "txt", "template": "2021", "year": 2024, "published": None, "sections": [],
            "findings": [], "claims": [], "problems": [], "text_length": 0, "file": {}}
    lines = [
        {**base, "source": "x/a.txt", "agency": "甲局", "cells": {
            "apply.total_processed.total": cell(0), "apply.granted.total": cell(0), "apply.partial.total": cell(0),
            "review.total": cell(4), "review.corrected": cell(None, "dash"), "apply.new.total": cell(None)}},
        {**base, "source": "x/b.txt", "agency": "乙局", "cells": {
            "apply.total_processed.total": cell(10), "apply.granted.total": cell(4), "apply.partial.total": cell(None),
            "review.total": cell(4), "review.corrected": cell(1), "apply.new.total": cell(0)}},
    ]
    db = tmp_path / "m.duckdb"
    write_duckdb(lines, db)
    with corpus_mod.open(db) as c:
        ind = c.indicators().set_index("body_id")
    assert math.isnan(ind.loc["甲局", "granted_share"])  # 0 / 0
    assert math.isnan(ind.loc["甲局", "review_correction_rate"])  # "-" is missing
    assert math.isnan(ind.loc["甲局", "new_applications"])  # blank
    assert math.isnan(ind.loc["乙局", "granted_share"])  # a missing term
    assert ind.loc["乙局", "review_correction_rate"] == 0.25
    assert ind.loc["乙局", "new_applications"] == 0.0
    assert math.isnan(ind.loc["乙局", "fees_wan"])  # absent cell


def test_related_source_and_texts(run: dict) -> None:
    con = duckdb.connect(str(run["db"]), read_only=True)
    rows = con.execute(
        "SELECT source, rule, related_source FROM findings WHERE pass = 'corpus' ORDER BY source, idx"
    ).fetchall()
    assert rows, "the corpus pass should flag something across czj 2022-2024"
    for source, rule, related in rows:
        assert related is not None, (source, rule)
        assert Path(related).name.startswith("czj-"), (source, related)
        year = int(Path(source).name[4:8])
        assert int(Path(related).name[4:8]) == year - 1, (source, related)
    texts = dict(con.execute("SELECT source, text FROM texts").fetchall())
    lines = {x["source"]: x for x in run["lines"].values()}
    assert set(texts) == set(lines)
    for src, text in texts.items():
        assert len(text) == lines[src]["text_length"]
        for cl in lines[src]["claims"]:
            assert text[cl["start"]:cl["end"]] == cl["text"]


def test_indicator_docs_in_step() -> None:
    doc = (ROOT / "docs" / "indicators.md").read_text(encoding="utf-8")
    assert indicators.markdown() in doc


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_export_round_trip(run: dict, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / fmt
    assert main(["export", str(run["db"]), "-o", str(out), "--format", fmt]) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{t}.{fmt}" for t in EXPORTED)
    with corpus_mod.open(run["db"]) as c:
        for table in EXPORTED:
            want = c.sql(f"SELECT * FROM {table}")
            if fmt == "parquet":
                got = pd.read_parquet(out / f"{table}.parquet")
                assert len(got) == len(want) and list(got.columns) == list(want.columns), table
            else:
                raw = (out / f"{table}.csv").read_bytes()
                assert raw.startswith(b"\xef\xbb\xbf"), table
                got = pd.read_csv(out / f"{table}.csv", encoding="utf-8-sig")
                assert len(got) == len(want) and list(got.columns) == list(want.columns), table
        ind = c.indicators()
    back = pd.read_parquet(out / "indicators.parquet") if fmt == "parquet" else pd.read_csv(
        out / "indicators.csv", encoding="utf-8-sig")
    pd.testing.assert_series_equal(back["granted_share"], ind["granted_share"], check_dtype=False)
    assert list(back["agency"]) == list(ind["agency"])


def test_export_twice_into_same_dir_and_missing_db(run: dict, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert export(run["db"], tmp_path / "x", fmt="csv") == export(run["db"], tmp_path / "x", fmt="csv")
    assert main(["export", str(tmp_path / "nope.duckdb"), "-o", str(tmp_path / "y")]) == 2
    assert "database not found" in capsys.readouterr().err
    assert not (tmp_path / "y").exists()


@pytest.mark.parametrize("command", ["export", "report"])
def test_bad_database_names_the_file_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture, command: str
) -> None:
    jsonl = tmp_path / "run.jsonl"  # the batch's line output given where the database belongs
    jsonl.write_text('{"source": "a.txt"}\n', encoding="utf-8")
    out = tmp_path / "out"
    assert main([command, str(jsonl), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"not a DuckDB database: {jsonl} (give the file written by `nlp-pipeline batch ... --db`)" in err
    assert not out.exists()
    assert main([command, str(tmp_path / "missing.duckdb"), "-o", str(out)]) == 2
    assert not out.exists()


# ---------------------------------------------------------------- the site


@pytest.fixture(scope="module")
def site(run: dict) -> Path:
    out = Path(run["dir"]) / "site"
    assert build_site(run["db"], out) == 2 + 3 + 7  # index + unassigned, bodies, reports
    return out


def test_site_files_and_escaping(run: dict, site: Path) -> None:
    evil = next(x for x in run["lines"].values() if x["source"].endswith("evil-2024.txt"))
    html = (site / "reports" / f"{page_id(evil['source'])}.html").read_text(encoding="utf-8")
    assert SCRIPT not in html
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;&lt;b&gt;粗体&lt;/b&gt;" in html
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "http://" not in index and "https://" not in index
    assert (site / "assets" / "plotly.min.js").stat().st_size > 1_000_000
    assert main(["report", str(run["db"]), "-o", str(site)]) == 2  # not empty, no --force


def test_report_force_removes_pages_of_an_earlier_site(run: dict, tmp_path: Path) -> None:
    """A site rebuilt with --force over another corpus's site keeps no page of a report or body
    that is not in this database; other files in the folder are the user's and stay."""
    out = tmp_path / "site"
    (out / "reports").mkdir(parents=True)
    (out / "bodies").mkdir()
    stale = [out / "reports" / f"{page_id('gone-2019.pdf')}.html", out / "bodies" / f"{page_id('gone')}.html"]
    mine = [out / "notes.html", out / "reports" / "my-notes.html"]
    for page in stale + mine:
        page.write_text("<p>old</p>", encoding="utf-8")
    (out / "reports" / f"{page_id('a folder')}.html").mkdir()  # not a page: left alone
    assert main(["report", str(run["db"]), "-o", str(out), "--force"]) == 0
    assert not any(page.exists() for page in stale)
    assert all(page.read_text(encoding="utf-8") == "<p>old</p>" for page in mine)
    pages = [p for p in (out / "reports").glob("*.html") if p.is_file() and p not in mine]
    assert len(pages) == 7 and len(list((out / "bodies").glob("*.html"))) == 3


CHROMIUM = Path("/usr/bin/chromium")


def test_site_in_headless_chromium(run: dict, site: Path, tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright import sync_api  # a test extra: missing it is a failure, not a skip
    problems: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM))
        page = browser.new_page()

        def route(r: object) -> None:
            url = r.request.url  # type: ignore[attr-defined]
            if url.startswith("file://"):
                r.continue_()  # type: ignore[attr-defined]
            else:
                problems.append(f"network request: {url}")
                r.abort()  # type: ignore[attr-defined]

        page.route("**/*", route)
        page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))

        def charts_drawn() -> int:
            page.wait_for_function(
                "() => [...document.querySelectorAll('.chart')].every(c => c.dataset.drawn !== undefined)"
            )
            charts = page.eval_on_selector_all(".chart", "els => els.map(e => [e.id, e.dataset.points, e.dataset.drawn])")
            for cid, want, drawn in charts:
                assert int(want) > 0 and drawn == want, (page.url, cid, want, drawn)
            return len(charts)

        page.goto((site / "index.html").as_uri())
        assert charts_drawn() >= 8
        # sorting and filtering the bodies table
        page.fill("input[data-filter-for=bodies]", "平潭")
        visible = page.eval_on_selector_all("#bodies tbody tr", "rs => rs.filter(r => !r.hidden).length")
        assert visible == 1
        page.fill("input[data-filter-for=bodies]", "")
        page.click("#bodies thead th:nth-child(3)")
        page.click("#bodies thead th:nth-child(3)")
        counts = page.eval_on_selector_all("#bodies tbody tr td:nth-child(3)", "tds => tds.map(t => +t.textContent)")
        assert counts == sorted(counts, reverse=True) and counts[0] == 4
        # overview → body → report
        page.click("a.body-link:has-text('平潭综合实验区财政金融局')")
        assert page.url.endswith(f"bodies/{page_id('平潭财政金融局')}.html")
        assert page.inner_text("h1") == "平潭综合实验区财政金融局"
        assert charts_drawn() >= 4
        page.click("#reports a.report-link >> nth=0")
        assert "/reports/" in page.url
        assert page.inner_text("h1") == "平潭综合实验区财政金融局 2022"
        assert page.locator("td.flagged").count() + page.locator("mark.claim").count() > 0
        # a report whose text holds HTML shows it as text and runs nothing
        evil = next(x for x in run["lines"].values() if x["source"].endswith("evil-2024.txt"))
        page.goto((site / "reports" / f"{page_id(evil['source'])}.html").as_uri())
        assert SCRIPT in page.inner_text("#narrative")
        assert page.evaluate("() => window.__pwned === undefined")
        assert page.locator("#narrative b").count() == 0
        # its narrative figure that contradicts 表三 links to its finding and to the cell
        mark = page.locator("#narrative mark.contradicts")
        assert mark.count() == 1 and mark.inner_text() == "7件"
        page.click("#narrative mark.contradicts + a.flag + a.flag")
        assert page.url.endswith("#cell-apply.new.total")
        cell = page.locator("td[id='cell-apply.new.total']")
        assert "flagged" in cell.get_attribute("class") and cell.inner_text().startswith("5")
        n = int(page.locator("#narrative mark.contradicts + a.flag").inner_text().strip("[!]"))
        row = page.locator(f"tr#finding-{n}")
        assert "claim_mismatch" in row.inner_text() and "apply.new.total" in row.inner_text()
        browser.close()
    assert problems == []


def test_report_command_builds_site(run: dict, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "s"
    assert main(["report", str(run["db"]), "-o", str(out)]) == 0
    assert "wrote 12 pages" in capsys.readouterr().out
    assert (out / "index.html").is_file()
    shutil.rmtree(out)


def test_batch_with_aliases(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a-2023.txt").write_text(report_text(agency="示例市旧名局", year=2023), encoding="utf-8")
    (src / "a-2024.txt").write_text(report_text(agency="示例市新名局", year=2024), encoding="utf-8")
    (src / "b-2024.txt").write_text(report_text(agency="", year=2024), encoding="utf-8")
    aliases = tmp_path / "aliases.csv"
    aliases.write_text("示例市旧名局,示例市新名局\n*/b-*.txt,示例市乙局\n", encoding="utf-8")
    db = tmp_path / "r.duckdb"
    argv = ["batch", str(src), "-o", str(tmp_path / "r.jsonl"), "--db", str(db), "--workers", "1"]
    assert main([*argv, "--aliases", str(aliases)]) == 0
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("SELECT source, body_id, assigned_by FROM body_years ORDER BY source").fetchall()
    con.close()
    assert [(Path(s).name, b, how) for s, b, how in rows] == [
        ("a-2023.txt", "示例新名局", "alias"),
        ("a-2024.txt", "示例新名局", "agency"),
        ("b-2024.txt", "示例乙局", "path_pattern"),
    ]
    bad = tmp_path / "bad.csv"
    bad.write_text("just-one-column\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        main([*argv, "--force", "--aliases", str(bad)])
    assert exc.value.code == 2


def test_text_segments_and_breaks() -> None:
    from nlp_pipeline.site import _breaks, text_segments

    text = "甲乙丙丁戊己庚"
    a = {"start": 1, "end": 3}
    b = {"start": 2, "end": 4}  # overlaps a: skipped, its text stays in the plain runs
    c = {"start": 5, "end": 9}  # runs past the text: skipped
    assert text_segments(text, [b, a, c]) == [("甲", None), ("乙丙", a), ("丁戊己庚", None)]
    series = [
        {"year": 2019, "source": "s19", "new_applications": 10.0},
        {"year": 2020, "source": "s20", "new_applications": 25.0},
        {"year": 2022, "source": "s22", "new_applications": 24.0},
        {"year": 2023, "source": "s23", "new_applications": None},
    ]
    reports = {"s19": {"template": "2019"}, "s20": {"template": "2019"}, "s22": {"template": "2021"},
               "s23": {"template": "2021"}}
    continuity = [{"year": 2023, "rule": "carryover_mismatch", "message": "m"}]
    assert _breaks(series, continuity, reports) == [
        {"year": 2020, "what": "new applications 10 → 25"},
        {"year": 2022, "what": "no report for 2021"},
        {"year": 2022, "what": "table format 2019 → 2021: 表二 indicators change meaning"},
        {"year": 2023, "what": "carryover_mismatch: m"},
    ]
