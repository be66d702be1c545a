"""Batch runs that are killed, crash, run out of memory or meet another run (issue 8)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nlp_pipeline import pool, runner
from nlp_pipeline.cli import main
from nlp_pipeline.errors import NlpPipelineError, UsageError
from nlp_pipeline.result import Report
from nlp_pipeline.runner import partial_path, run_batch

from .test_batch import report_text

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "corpora" / "samples"
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs /proc and prctl")


def _corpus(d: Path, n: int = 6) -> Path:
    d.mkdir(parents=True)
    for i in range(n):
        (d / f"r{i}-{2018 + i}.txt").write_text(report_text(year=2018 + i, new=4 + i, granted=2), encoding="utf-8")
    return d


def _processes_with(marker: str) -> list[int]:
    """Pids of live (non-zombie) processes whose command line contains ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            state = (entry / "stat").read_text(encoding="ascii", errors="replace").rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if marker in cmd and state != "Z":
            found.append(int(entry.name))
    return found


def _wait_gone(marker: str, seconds: float = 10.0) -> list[int]:
    """Processes still running after ``seconds``; they are killed (a failing test leaves none)."""
    deadline = time.monotonic() + seconds
    while (left := _processes_with(marker)) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    return left


def _start_batch(inp: Path, out: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-m", "nlp_pipeline.cli", "batch", str(inp), "-o", str(out), "--workers", "2",
           "--progress", "never"]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _wait_for_lines(proc: subprocess.Popen[bytes], part: Path, seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if part.is_file() and part.read_bytes().count(b"\n") >= 1:
            return
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    pytest.fail("no result reached the progress file")


@linux_only
def test_sigkill_leaves_no_worker_and_resume_equals_fresh_run(tmp_path: Path) -> None:
    inp = tmp_path / "in"
    shutil.copytree(SAMPLES, inp)
    out = tmp_path / "killed-run" / "out.jsonl"
    proc = _start_batch(inp, out)
    _wait_for_lines(proc, partial_path(out))
    assert proc.poll() is None, "the run ended before it could be killed"
    proc.kill()
    try:
        proc.communicate(timeout=20)  # EOF on stdout/stderr: no orphan keeps the pipes open (`| tail`)
    finally:
        orphans = _wait_gone(str(out), seconds=1.0)
    assert orphans == []
    s = run_batch(inp, out, workers=2, resume=True)
    assert s.resumed >= 1 and s.failed == 0
    fresh = tmp_path / "fresh.jsonl"
    run_batch(inp, fresh, workers=1)
    assert out.read_bytes() == fresh.read_bytes()
    assert not pool.lock_path(out).exists() and not partial_path(out).exists()


@linux_only
def test_sigterm_stops_workers_and_keeps_progress(tmp_path: Path) -> None:
    inp = tmp_path / "in"
    shutil.copytree(SAMPLES, inp)
    out = tmp_path / "term-run" / "out.jsonl"
    proc = _start_batch(inp, out)
    _wait_for_lines(proc, partial_path(out))
    proc.send_signal(signal.SIGTERM)
    try:
        _, err = proc.communicate(timeout=30)
    finally:
        orphans = _wait_gone(str(out))
    assert orphans == []
    assert proc.returncode == 130 and b"--resume" in err and b"Traceback" not in err
    assert partial_path(out).is_file() and not out.exists()


def _hold_lock(path: Path, pid_in_file: int) -> subprocess.Popen[bytes]:
    """Another process holding an flock on ``path`` whose file names ``pid_in_file``."""
    code = (
        "import fcntl, os, sys, time\n"
        f"fd = os.open({str(path)!r}, os.O_RDWR | os.O_CREAT)\n"
        "fcntl.flock(fd, fcntl.LOCK_EX)\n"
        f"os.write(fd, b'{pid_in_file}\\n')\n"
        "print('locked', flush=True)\n"
        "time.sleep(60)\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)
    assert holder.stdout is not None and holder.stdout.readline() == b"locked\n"
    return holder


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def test_stale_lock_of_a_dead_run_is_taken_over(tmp_path: Path) -> None:
    inp = _corpus(tmp_path / "in", n=2)
    out = tmp_path / "out.jsonl"
    holder = _hold_lock(pool.lock_path(out), _dead_pid())  # e.g. an orphan worker of a killed run
    try:
        s = run_batch(inp, out, workers=1)
    finally:
        holder.kill()
        holder.wait()
    assert s.analysed == 2 and out.is_file()


def test_live_lock_refuses_second_run_on_same_out(tmp_path: Path) -> None:
    inp = _corpus(tmp_path / "in", n=2)
    out = tmp_path / "out.jsonl"
    holder = _hold_lock(pool.lock_path(out), os.getpid())
    try:
        with pytest.raises(UsageError) as exc:
            run_batch(inp, out, workers=1, force=True)
    finally:
        holder.kill()
        holder.wait()
    assert exc.value.code == "E011" and "another batch run" in exc.value.reason
    assert not out.exists()


def test_two_runs_on_the_same_db_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inp = _corpus(tmp_path / "in", n=2)
    db = tmp_path / "shared.duckdb"
    with pool.RunLock(pool.lock_path(db), what=str(db)):  # a first run writing this database
        rc = main(["batch", str(inp), "-o", str(tmp_path / "second.jsonl"), "--db", str(db), "--workers", "1"])
    err = capsys.readouterr().err
    assert rc == 2 and f"another batch run (pid {os.getpid()}) is writing {db}" in err
    assert not db.exists() and not (tmp_path / "second.jsonl").exists()


@linux_only
def test_crashed_worker_replaces_the_pool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inp = _corpus(tmp_path / "in", n=8)
    monkeypatch.setenv(pool.CRASH_ENV, "r3-2021.txt")
    sizes: list[int] = []
    real_new_pool = pool._new_pool

    def counting(workers: int, max_memory: int | None) -> object:
        sizes.append(workers)
        return real_new_pool(workers, max_memory)

    monkeypatch.setattr(pool, "_new_pool", counting)
    s = run_batch(inp, tmp_path / "out.jsonl", workers=2)
    assert (s.analysed, s.failed) == (7, 1)
    [(src, msg)] = s.failures
    assert src.endswith("r3-2021.txt") and "worker analysing it died" in msg and "[E010]" in msg
    # one full pool, the in-flight files each alone, then a full pool again for the rest
    assert sizes[0] == 2 and sizes[-1] == 2 and set(sizes[1:-1]) == {1} and len(sizes) <= 2 + 4


@linux_only
def test_memory_ceiling_records_the_file_and_goes_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inp = _corpus(tmp_path / "in", n=4)
    real = runner.analyze_with_text

    def greedy(path: str) -> tuple[Report | NlpPipelineError, str | None]:
        if path.endswith("r1-2019.txt"):
            block = bytearray(1 << 30)  # 1 GiB: over the 256 MiB ceiling below
            block[-1] = 1
        return real(path)

    monkeypatch.setattr(runner, "analyze_with_text", greedy)  # inherited by the forked workers
    s = run_batch(inp, tmp_path / "out.jsonl", workers=2, max_memory=256 << 20)
    assert (s.analysed, s.failed) == (3, 1)
    [(src, msg)] = s.failures
    assert src.endswith("r1-2019.txt") and "out of memory" in msg and "256 MiB" in msg and "[E010]" in msg


@linux_only
def test_small_memory_ceiling_is_enough_for_ordinary_files(tmp_path: Path) -> None:
    """A file is read into what it needs, not into the 256 MiB size limit: a worker held to 128 MiB
    beyond the models it inherited analyses ordinary reports."""
    inp = _corpus(tmp_path / "in", n=4)
    s = run_batch(inp, tmp_path / "out.jsonl", workers=2, max_memory=128 << 20)
    assert (s.analysed, s.failed) == (4, 0)


def test_analyze_timeout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "slow-2024.txt"
    f.write_text(report_text(), encoding="utf-8")

    def hang(path: str) -> tuple[Report, str]:
        time.sleep(20)
        raise AssertionError("not stopped")

    monkeypatch.setattr(runner, "analyze_with_text", hang)
    assert main(["analyze", str(f), "--timeout", "1"]) == 1
    out, err = capsys.readouterr()
    line = json.loads(out)
    assert line["error"]["code"] == "E010" and "gave up after 1 s" in line["error"]["message"]
    assert "gave up after 1 s" in err


def test_max_memory_option_values() -> None:
    assert pool.parse_size("2GiB") == 2 << 30 and pool.parse_size("512M") == 512 << 20
    assert pool.parse_size("300") == 300 << 20 and pool.parse_size("0") == 0
    with pytest.raises(SystemExit):
        main(["batch", "d", "-o", "o.jsonl", "--max-memory", "lots"])
