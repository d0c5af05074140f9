"""A task's cases run on the worker's station, as `rtest run` runs a station's share:
pytest with the robotest plugin in a child process, writing to the station's results
database. The worker reads the cases from that database as they finish and hands them
on (to be sent to the server), so results leave the station while the task goes on.

The child is forked from the worker, which has pytest and the runtime imported already:
a task starts in milliseconds rather than the second a new interpreter takes, and each
task still gets a fresh process (the suite's modules never outlive it).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from robotest.dealing import was_not_run
from robotest.results.statuses import INTERRUPTED, RUNNING, STATION_ERROR
from robotest.runtime.results import CaseResult as RuntimeCase
from robotest.runtime.runner import die_with_parent, pytest_arguments
from robotest.runtime.store import ResultStore

POLL_SECONDS = 0.3
SEND_SECONDS = 1.0  # finished cases leave at most this often: a busy station posts once a
# second, not at every poll (50 stations: at most 50 result posts a second instead of 166)
STOP_SECONDS = 30.0
Sink = Callable[[list[RuntimeCase]], bool]  # True: the run was cancelled, stop


@dataclass
class StationSetup:
    """The worker's station and where it keeps its files."""

    spec: str  # sim, record[:name] or a station file
    name: str
    dest: Path
    record_fail: list[str] = field(default_factory=list)
    record_fault: list[str] = field(default_factory=list)
    record_delay: float = 0.0

    @property
    def results_db(self) -> Path:
        return self.dest / "results.db"

    def pytest_options(self) -> list[str]:
        options = ["--station", self.spec, "--record-delay", str(self.record_delay)]
        options += [a for spec in self.record_fail for a in ("--record-fail", spec)]
        options += [a for spec in self.record_fault for a in ("--record-fault", spec)]
        return options


def run_cases(
    station: StationSetup,
    tree: Path,
    nodeids: list[str],
    image: Path | None,
    suite_version: str,
    sink: Sink,
) -> list[RuntimeCase]:
    """Run `nodeids` (relative to `tree`) on the station; every finished case goes to
    `sink` in batches. Cases that got no result (the station's run broke off) come back
    as station errors, unless the run was cancelled."""
    store = ResultStore(station.results_db)
    try:
        run_id = store.create_run(station=station.name, suite_version=suite_version)
        options = [*station.pytest_options(), *(["--image", str(image)] if image else [])]
        args = [
            *[f"{tree}/{n}" for n in nodeids],
            "--rootdir",
            str(tree),
            *pytest_arguments(station.results_db, run_id, options),
        ]
        proc = ForkedPytest(args, tree, station.dest / "worker.log")
        cancelled = _follow(store, run_id, proc, sink)
        finished = _finished(store, run_id)
        store.finish_run(run_id, INTERRUPTED if cancelled else None)
    finally:
        store.close()
    done = {c.id for c in finished}
    missing = [n for n in nodeids if n not in done]
    if missing and not cancelled:
        broken = [
            RuntimeCase(
                id=n,
                title=n,
                file=n.split("::")[0],
                station=station.name,
                status=STATION_ERROR,
                message=f"not run on {station.name}: its run ended before "
                f"this case (a station error, or pytest exit "
                f"{proc.poll()}: see {station.dest / 'worker.log'})",
            )
            for n in missing
        ]
        sink(broken)
        finished += broken
    return finished


class ForkedPytest:
    """`pytest.main(args)` in a forked child, its output appended to `log`."""

    def __init__(self, args: list[str], cwd: Path, log: Path):
        context = multiprocessing.get_context("fork")
        self.process = context.Process(target=_pytest_child, args=(args, cwd, log), daemon=False)
        self.process.start()

    def poll(self) -> int | None:
        return self.process.exitcode

    def terminate(self) -> None:
        """SIGTERM: the case in progress ends interrupted, the station is left safe."""
        self.process.terminate()
        self.process.join(STOP_SECONDS)
        if self.process.exitcode is None:
            self.process.kill()
            self.process.join()


def _pytest_child(args: list[str], cwd: Path, log: Path) -> None:  # pragma: no cover - child
    import pytest

    die_with_parent()
    signal.signal(signal.SIGINT, signal.default_int_handler)
    with contextlib.suppress(OSError):
        os.chdir(cwd)
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    code = int(pytest.main(args))
    os._exit(code)


def _finished(store: ResultStore, run_id: int) -> list[RuntimeCase]:
    """Cases with a result; those the runtime skipped because the station had stopped
    were not run, so they do not count (they come back as station errors)."""
    return [
        c
        for c in store.cases(run_id, steps=False)
        if c.status != RUNNING and not was_not_run(c.status, c.message)
    ]


def _follow(store: ResultStore, run_id: int, proc: ForkedPytest, sink: Sink) -> bool:
    """Hand on finished cases, in batches at most every SEND_SECONDS, until the child
    exits; True when the run was cancelled."""
    sent = 0
    cancelled = False
    last_send = time.monotonic()
    while True:
        running = proc.poll() is None
        if not running or time.monotonic() - last_send >= SEND_SECONDS:
            last_send = time.monotonic()
            finished = _finished(store, run_id)
            if len(finished) > sent and not cancelled:
                cancelled = sink(finished[sent:])
                sent = len(finished)
                if cancelled and running:
                    proc.terminate()
        if not running:
            return cancelled
        time.sleep(POLL_SECONDS)
