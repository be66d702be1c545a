"""Run the tool from one checkout over the real and sample corpora, and compare two such runs.

A refactoring must not change any output. ``run`` captures everything a user sees, using the
checkout given by ``--tree`` (its package is put first on ``PYTHONPATH``):

- ``batch`` over each corpus (JSONL, corpus pass included) and the DuckDB tables dumped as CSV
  (its summary line's elapsed seconds and the output folder masked: they differ between any runs);
- ``analyze --format json`` and ``analyze --format text`` over each file, one by one.

The inputs are first copied into a scratch folder with a fixed mtime, so that two runs made from
two checkouts see byte-identical files (the JSON records each file's size, mtime and sha1).
``diff`` then compares two run folders byte for byte (the batch summary's wall time and run folder
masked) and prints the first differing lines.

    python scripts/compare_runs.py run --tree /path/to/old /tmp/run-old
    python scripts/compare_runs.py run --tree . /tmp/run-new
    python scripts/compare_runs.py diff /tmp/run-old /tmp/run-new      # exit 0: identical
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXED_MTIME = 1_700_000_000  # any constant: both runs must see the same file metadata
SCRATCH = Path(os.environ.get("TMPDIR", "/tmp")) / "nlp-pipeline-compare-inputs"
CLI = "from nlp_pipeline.cli import main; raise SystemExit(main())"


def _corpora(tree: Path) -> dict[str, Path]:
    found = {"real": tree.parent / "shared" / "corpora" / "real", "samples": tree / "corpora" / "samples",
             "bad": tree / "corpora" / "bad"}
    return {name: p for name, p in found.items() if p.is_dir()}


def _stage_inputs(corpora: dict[str, Path]) -> dict[str, Path]:
    """Copy each corpus to a fixed place with fixed mtimes; return the copies."""
    if SCRATCH.exists():
        shutil.rmtree(SCRATCH)
    staged = {}
    for name, src in corpora.items():
        dst = SCRATCH / name
        shutil.copytree(src, dst, ignore=shutil.ignore_patterns("gold", "manifest.tsv"))
        for p in [dst, *dst.rglob("*")]:
            p.chmod(0o755 if p.is_dir() else 0o644)
            os.utime(p, (FIXED_MTIME, FIXED_MTIME))
        staged[name] = dst
    return staged


def _cli(tree: Path, args: list[str], out: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(tree), NO_COLOR="1", COLUMNS="120")
    with out.open("wb") as fh:
        proc = subprocess.run([sys.executable, "-c", CLI, *args], cwd=SCRATCH, env=env, stdout=fh,
                              stderr=subprocess.PIPE, check=False)
    out.with_suffix(out.suffix + ".stderr").write_bytes(proc.stderr)
    out.with_suffix(out.suffix + ".status").write_text(f"{proc.returncode}\n", encoding="utf-8")


def _dump_db(db: Path, dest: Path) -> None:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        for (table,) in con.execute("SELECT table_name FROM information_schema.tables ORDER BY 1").fetchall():
            cols = [r[0] for r in con.execute(f'DESCRIBE "{table}"').fetchall()]
            order = ", ".join(f'"{c}"' for c in cols)
            con.execute(f'COPY (SELECT * FROM "{table}" ORDER BY {order}) TO \'{dest / table}.csv\' (HEADER)')
    finally:
        con.close()


def _mask_run_specifics(path: Path, out: Path) -> None:
    """Mask what differs between any two runs: the elapsed seconds and the output folder's path."""
    text = path.read_text(encoding="utf-8", errors="replace")
    text = re.sub(r"\bin \d+(?:\.\d+)? s\b", "in <elapsed> s", text).replace(str(out), "<out>")
    path.write_text(text, encoding="utf-8")


def run(tree: Path, out: Path, *, workers: int) -> None:
    tree = tree.resolve()
    out.mkdir(parents=True, exist_ok=True)
    staged = _stage_inputs(_corpora(tree))
    for name, folder in staged.items():
        rel = folder.relative_to(SCRATCH)
        db = out / f"{name}.duckdb"
        db.unlink(missing_ok=True)
        _cli(tree, ["batch", str(rel), "-o", str(out / f"{name}.batch.jsonl"), "--force", "--progress", "never",
                    "--workers", str(workers), "--db", str(db)], out / f"{name}.batch.stdout")
        _mask_run_specifics(out / f"{name}.batch.stdout", out)
        if db.exists():
            dump = out / f"{name}.db"
            dump.mkdir(exist_ok=True)
            _dump_db(db, dump)
            db.unlink()
        files = sorted(str(p.relative_to(SCRATCH)) for p in folder.rglob("*") if p.is_file())
        for fmt in ("json", "text"):
            _cli(tree, ["analyze", *files, "--format", fmt], out / f"{name}.analyze.{fmt}")
    print(f"wrote {out}")


_SECONDS = re.compile(rb"^(analysed .*\)) in [0-9.]+ s$", re.M)


def _comparable(path: Path, run: Path) -> bytes:
    """A file's bytes; in the batch summary the wall time and the run folder are masked (they
    differ between any two runs and are not output of the tool's analysis)."""
    data = path.read_bytes()
    if path.name.endswith(".batch.stdout"):
        data = _SECONDS.sub(rb"\1 in <seconds> s", data.replace(str(run).encode(), b"<run>"))
    return data


def diff(a: Path, b: Path) -> int:
    names = sorted({p.relative_to(a) for p in a.rglob("*") if p.is_file()}
                   | {p.relative_to(b) for p in b.rglob("*") if p.is_file()})
    differing = 0
    for name in names:
        pa, pb = a / name, b / name
        if not (pa.exists() and pb.exists()):
            print(f"only in {'first' if pa.exists() else 'second'} run: {name}")
            differing += 1
            continue
        ta, tb = _comparable(pa, a), _comparable(pb, b)
        if ta == tb:
            continue
        differing += 1
        la = ta.decode("utf-8", errors="replace").splitlines()
        lb = tb.decode("utf-8", errors="replace").splitlines()
        print(f"DIFFERS: {name}")
        for line in list(difflib.unified_diff(la, lb, lineterm="", n=0))[:12]:
            print("   ", line[:300])
    print(f"{len(names)} files compared, {differing} differ")
    return 1 if differing else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="capture every output of one checkout")
    r.add_argument("out", type=Path)
    r.add_argument("--tree", type=Path, default=ROOT, help="checkout whose package is run (default: this one)")
    r.add_argument("--workers", type=int, default=2)
    d = sub.add_parser("diff", help="compare two run folders byte for byte")
    d.add_argument("a", type=Path)
    d.add_argument("b", type=Path)
    args = ap.parse_args()
    if args.cmd == "run":
        run(args.tree, args.out, workers=args.workers)
        return 0
    return diff(args.a, args.b)


if __name__ == "__main__":
    sys.exit(main())
