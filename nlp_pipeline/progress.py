"""The batch progress bar (rich, on stderr) behind the runner's ``ProgressHooks``."""

from __future__ import annotations

import sys
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

from .runner import ProgressHooks


def progress_bar(*, enabled: bool | None = None) -> tuple[ProgressHooks, AbstractContextManager[Any]]:
    """A rich progress bar on stderr when it is a terminal; silent callbacks otherwise."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        return ProgressHooks(), nullcontext()
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(
        TextColumn("[bold]analysing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.description}"),
        console=Console(stderr=True),
        transient=False,
    )
    task = bar.add_task("", total=None)
    return (
        ProgressHooks(
            start=lambda total: bar.update(task, total=total),
            advance=lambda source: bar.update(task, advance=1, description=Path(source).name),
        ),
        bar,
    )
