"""Screenshots of the three page kinds of the HTML report, for the README (docs/site-*.png).

Runs the batch over the bundled synthetic samples (never the real reports: their text must not
enter the project, not even as pictures), builds the site and photographs the overview, the body
page of the body with the most reports, and that body's latest report page, in headless Chromium
(Debian's /usr/bin/chromium driven by Playwright). A CJK font must be installed for the shots to
show Chinese (Debian: fonts-wqy-microhei or fonts-noto-cjk).

    python scripts/site_screenshots.py [--out docs] [--chromium /usr/bin/chromium]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from nlp_pipeline.runner import run_batch  # noqa: E402
from nlp_pipeline.site import build_site, page_id  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=ROOT / "docs")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    args = ap.parse_args(argv)
    import duckdb
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        os.chdir(ROOT)  # relative source paths on the pages
        run_batch("corpora/samples", t / "run.jsonl", workers=1, db=t / "run.duckdb")
        build_site(t / "run.duckdb", t / "site")
        con = duckdb.connect(str(t / "run.duckdb"), read_only=True)
        body = con.execute("SELECT body_id FROM bodies ORDER BY n_reports DESC, body_id LIMIT 1").fetchone()[0]
        report = con.execute(
            "SELECT source FROM body_years WHERE body_id = ? AND is_primary ORDER BY year DESC LIMIT 1", [body]
        ).fetchone()[0]
        con.close()
        pages = {
            "site-overview.png": t / "site" / "index.html",
            "site-body.png": t / "site" / "bodies" / f"{page_id(body)}.html",
            "site-report.png": t / "site" / "reports" / f"{page_id(report)}.html",
        }
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=args.chromium)
            page = browser.new_page(viewport={"width": 1280, "height": 1400})
            for name, path in pages.items():
                page.goto(path.as_uri())
                page.wait_for_function(
                    "() => [...document.querySelectorAll('.chart')].every(c => c.dataset.drawn !== undefined)"
                )
                if name == "site-report.png" and page.locator("#narrative mark.contradicts").count():
                    page.locator("#narrative mark.contradicts").first.scroll_into_view_if_needed()
                page.screenshot(path=str(args.out / name))
                print(f"wrote {args.out / name}")
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
