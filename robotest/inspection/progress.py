"""A rich progress bar for training that shows the current loss (on stderr)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn


class TrainingProgress(AbstractContextManager["TrainingProgress"]):
    """``with TrainingProgress("ae", epochs) as bar: bar.advance(loss)``; silent if disabled."""

    def __init__(self, label: str, epochs: int, enabled: bool = True):
        self.enabled = enabled
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("epoch {task.completed:.0f}/{task.total:.0f}"),
            TextColumn("loss {task.fields[loss]}"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            disable=not enabled,
            transient=False,
        )
        self._task = self._progress.add_task(label, total=epochs, loss="-")

    def __enter__(self) -> TrainingProgress:
        self._progress.start()
        return self

    def advance(self, loss: float) -> None:
        self._progress.update(self._task, advance=1, loss=f"{loss:.5f}")

    def __exit__(self, *exc: Any) -> None:
        self._progress.stop()
