"""Command-line cases a user runs into: option values, subcommand usage, batch inputs, file modes."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from nlp_pipeline import problem_classifier as pc
from nlp_pipeline.cli import main

from .test_cli import report_text


@pytest.mark.parametrize("value", ["inf", "-inf", "-1", "nan", "abc", "1e999"])
def test_timeout_must_be_finite_and_not_negative(
    value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["batch", str(tmp_path), "-o", str(tmp_path / "o.jsonl"), f"--timeout={value}"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "usage: nlp-pipeline batch" in err
    assert "--timeout" in err
    assert "Traceback" not in err


def test_timeout_zero_means_no_limit_and_positive_is_kept() -> None:
    from nlp_pipeline.cli import build_parser

    p = build_parser()
    assert p.parse_args(["batch", "d", "-o", "o", "--timeout", "0"]).timeout == 0.0
    assert p.parse_args(["batch", "d", "-o", "o", "--timeout", "2.5"]).timeout == 2.5


@pytest.mark.parametrize("value", ["0", "-3", "1.5", "many"])
def test_workers_must_be_a_positive_int(value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["batch", str(tmp_path), "-o", str(tmp_path / "o.jsonl"), f"--workers={value}"])
    assert exc.value.code == 2
    assert "--workers" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["analyze", "batch", "export", "report"])
def test_unknown_option_prints_the_subcommands_usage(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [command, str(tmp_path), "--no-such-option"]
    if command != "analyze":
        args += ["-o", str(tmp_path / "o.out")]
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"usage: nlp-pipeline {command} ")
    assert f"nlp-pipeline {command}: error: unrecognized arguments: --no-such-option" in err


def test_batch_on_empty_directory_says_so_and_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = tmp_path / "empty"
    d.mkdir()
    (d / "notes.csv").write_text("a,b\n", encoding="utf-8")  # not a report type
    out = tmp_path / "o.jsonl"
    assert main(["batch", str(d), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"{d}: no report files" in err
    assert not out.exists()


def test_batch_on_a_file_says_batch_takes_a_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "one.txt"
    f.write_text(report_text(), encoding="utf-8")
    assert main(["batch", str(f), "-o", str(tmp_path / "o.jsonl")]) == 2
    err = capsys.readouterr().err
    assert "batch takes a directory" in err
    assert "not found" not in err


def test_batch_outputs_follow_the_umask(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = tmp_path / "in"
    d.mkdir()
    (d / "a.txt").write_text(report_text(), encoding="utf-8")
    out, db = tmp_path / "o.jsonl", tmp_path / "o.duckdb"
    old = os.umask(0o022)
    try:
        assert main(["batch", str(d), "-o", str(out), "--db", str(db), "--workers", "1", "--no-copies"]) == 0
        assert stat.S_IMODE(out.stat().st_mode) == 0o644
        assert stat.S_IMODE(db.stat().st_mode) == 0o644
        os.umask(0o027)
        assert main(["batch", str(d), "-o", str(out), "--workers", "1", "--force", "--no-copies"]) == 0
        assert stat.S_IMODE(out.stat().st_mode) == 0o640
    finally:
        os.umask(old)
    capsys.readouterr()


def test_model_option_must_name_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["analyze", str(tmp_path), "--model", str(tmp_path / "absent.joblib")])
    assert exc.value.code == 2
    assert "--model" in capsys.readouterr().err


def test_model_from_environment_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mine = tmp_path / "mine.joblib"
    monkeypatch.setenv(pc.MODEL_ENV, str(mine))
    assert pc.default_model_path() == mine
    monkeypatch.delenv(pc.MODEL_ENV)
    assert pc.default_model_path() == pc.packaged_model_path()
    assert pc.packaged_model_path().name == "problem_classifier.joblib"
    assert pc.packaged_model_path().is_file()


@pytest.mark.parametrize("command", ["analyze", "batch"])
@pytest.mark.parametrize("via", ["option", "environment"])
def test_unloadable_model_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, command: str, via: str
) -> None:
    """A model the user chose that is not a classifier stops the run with exit 2 and says why,
    instead of a model_missing finding on every report of a run that exits 0."""
    monkeypatch.delenv(pc.MODEL_ENV, raising=False)
    bad = tmp_path / "bad.joblib"
    bad.write_bytes(b"not a model")
    good = tmp_path / "in" / "good-2024.txt"
    good.parent.mkdir()
    good.write_text(report_text(), encoding="utf-8")
    args = [command, str(good.parent if command == "batch" else good)]
    if command == "batch":
        args += ["-o", str(tmp_path / "o.jsonl"), "--workers", "1"]
    if via == "option":
        args += ["--model", str(bad)]
    else:
        monkeypatch.setenv(pc.MODEL_ENV, str(bad))
    try:
        with pytest.raises(SystemExit) as exc:
            main(args)
    finally:
        os.environ.pop(pc.MODEL_ENV, None)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    how = "--model" if via == "option" else "$NLP_PIPELINE_MODEL"
    assert f"{how}: cannot load the classifier model {bad.resolve() if via == 'option' else bad}" in err
    assert "train it" not in err
    assert not (tmp_path / "o.jsonl").exists()


def test_packaged_model_is_used_without_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(pc.MODEL_ENV, raising=False)
    good = tmp_path / "good-2024.txt"
    good.write_text(report_text(), encoding="utf-8")
    assert main(["analyze", str(good)]) == 0
    out = capsys.readouterr().out
    assert '"model_missing"' not in out and '"categories"' in out
