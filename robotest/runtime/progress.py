"""Live progress of a run, read from the results database while the run writes it.

Reading the database (WAL: readers never block the writers) gives one display for a
single in-process station and for several station worker processes alike.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import IO, Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from robotest.results.statuses import STATUSES
from robotest.runtime.store import ResultStore

STYLE = {
    "passed": "green",
    "failed": "red",
    "error": "magenta",
    "station error": "yellow",
    "interrupted": "dark_orange",
    "skipped": "dim",
}


class LiveProgress:
    """A progress bar, the running test and step, and a line per finished test."""

    def __init__(self, db: Path, run_id: int, console: Console, interval: float = 0.2):
        self.db, self.run_id, self.console, self.interval = db, run_id, console, interval
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
            redirect_stdout=False,
            redirect_stderr=False,
            transient=True,
        )
        self.task = self.progress.add_task("collecting", total=None)
        self.shown: set[int] = set()
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> LiveProgress:
        self.progress.start()
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop_event.set()
        self.thread.join()
        self.progress.stop()

    def _loop(self) -> None:
        store = ResultStore(self.db)
        try:
            while True:
                stopping = self.stop_event.is_set()
                self.update(store.progress(self.run_id))
                if stopping:
                    return
                self.stop_event.wait(self.interval)
        finally:
            store.close()

    def update(self, state: dict[str, Any]) -> None:
        finished = state["finished"]
        counts = {o: 0 for o in STATUSES}
        for case in finished:
            counts[case["status"]] = counts.get(case["status"], 0) + 1
            if case["id"] not in self.shown:
                self.shown.add(case["id"])
                style = STYLE.get(case["status"], "")
                self.progress.console.print(
                    f"[{style}]{case['status'].upper():>13}[/] {case['duration']:7.2f} s  "
                    f"{case['title']}  [dim]({case['station']})[/]",
                    highlight=False,
                )
        summary = ", ".join(f"{n} {o}" for o, n in counts.items() if n) or "starting"
        running = "; ".join(
            f"{r['station']}: {r['title']}" + (f" > {r['step']}"[:70] if r["step"] else "")
            for r in state["running"]
        )
        description = summary + (f" | {running}" if running else "")
        self.progress.update(
            self.task,
            total=state["planned"] or None,
            completed=len(finished),
            description=description,
        )


def terminal_console() -> tuple[Console, IO[str]]:
    """A console on a duplicate of stdout, so pytest's output capture cannot swallow it."""
    import os
    import sys

    sys.stdout.flush()
    try:
        stream: IO[str] = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
    except (AttributeError, OSError, ValueError):  # no real stdout (embedded, tests)
        stream = sys.stdout
    return Console(file=stream, highlight=False), stream
