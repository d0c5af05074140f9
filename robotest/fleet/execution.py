"""A task's cases run on the worker's station, as `rtest run` runs a station's share:
pytest with the robotest plugin in a child process, writing to the station's results
database. The worker reads the cases from that database as they finish and hands them
on (to be sent to the server), so results leave the station while the task goes on.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from robotest.runtime.cli import QUIET_PLUGINS, _die_with_parent, _plugin_args, _worker_env
from robotest.runtime.results import INTERRUPTED, RUNNING, STATION_ERROR
from robotest.runtime.results import CaseResult as RuntimeCase
from robotest.runtime.store import ResultStore

POLL_SECONDS = 0.3
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


def run_cases(station: StationSetup, tree: Path, nodeids: list[str], image: Path | None,
              suite_version: str, sink: Sink) -> list[RuntimeCase]:
    """Run `nodeids` (relative to `tree`) on the station; every finished case goes to
    `sink` in batches. Cases that got no result (the station's run broke off) come back
    as station errors, unless the run was cancelled."""
    store = ResultStore(station.results_db)
    try:
        run_id = store.create_run(station=station.name, suite_version=suite_version)
        command = [sys.executable, "-m", "pytest", *[f"{tree}/{n}" for n in nodeids],
                   "--rootdir", str(tree), *_plugin_args(), "-p", "no:terminal", *QUIET_PLUGINS,
                   "--continue-on-collection-errors", "--results-db", str(station.results_db),
                   "--rtest-run-id", str(run_id), *station.pytest_options(),
                   *(["--image", str(image)] if image else [])]
        log = (station.dest / "worker.log").open("ab")
        with log:
            proc = subprocess.Popen(command, cwd=tree, stdout=log, stderr=subprocess.STDOUT,
                                    env=_worker_env(), preexec_fn=_die_with_parent)
        cancelled = _follow(store, run_id, proc, sink)
        finished = [c for c in store.cases(run_id, steps=False) if c.outcome != RUNNING]
        store.finish_run(run_id, INTERRUPTED if cancelled else None)
    finally:
        store.close()
    done = {c.nodeid for c in finished}
    missing = [n for n in nodeids if n not in done]
    if missing and not cancelled:
        broken = [RuntimeCase(nodeid=n, title=n, file=n.split("::")[0], station=station.name,
                              outcome=STATION_ERROR,
                              message=f"the station's run ended before this case "
                                      f"(pytest exit {proc.returncode}, see "
                                      f"{station.dest / 'worker.log'})")
                  for n in missing]
        sink(broken)
        finished += broken
    return finished


def _follow(store: ResultStore, run_id: int, proc: subprocess.Popen[bytes], sink: Sink) -> bool:
    """Hand on finished cases until the child exits; True when the run was cancelled."""
    sent = 0
    cancelled = False
    while True:
        running = proc.poll() is None
        finished = [c for c in store.cases(run_id, steps=False) if c.outcome != RUNNING]
        if len(finished) > sent and not cancelled:
            cancelled = sink(finished[sent:])
            sent = len(finished)
            if cancelled and running:
                proc.terminate()  # SIGTERM: the case in progress ends interrupted
        if not running:
            return cancelled
        time.sleep(POLL_SECONDS)
