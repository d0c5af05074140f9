"""The worker's task: claim a task's cases, sync the run's suite version, run the cases on
this station, send results as they finish; after a station error, take no more work until
the station's health check passes.

The worker runs one task at a time (Celery's solo pool: a station is one laptop), so the
health wait below holds the station off the queue, as it should.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from celery import Celery
from celery import Task as CeleryTask

from robotest.fleet.dealing import Task
from robotest.fleet.engine import TASK_NAME
from robotest.fleet.execution import StationSetup, run_cases
from robotest.fleet.models import CaseResult
from robotest.fleet.reporting import case_result, claim, send_results
from robotest.results.statuses import STATION_ERROR
from robotest.runtime.results import CaseResult as RuntimeCase
from robotest.server.client import ServerClient
from robotest.server.errors import ServerError, SyncError

MAX_BOUNCES = 60  # an excluded station hands a task back (a second apart) at most this
# often, then runs it: a fleet with one station left still finishes
RETRY_SECONDS = 10.0  # when the server is away
log = logging.getLogger("robotest.fleet.worker")


@dataclass
class WorkerSetup:
    """How `rtest worker` was started."""

    server: str
    token: str
    station: StationSetup
    public_key: str | None = None
    health_interval: float = 30.0


def register_task(engine: Celery, setup: WorkerSetup) -> None:
    """Bind the fleet task, run by this worker's station, to `engine`."""

    @engine.task(name=TASK_NAME, bind=True, max_retries=None)
    def run_task(self: CeleryTask, **kwargs: Any) -> None:
        task = Task(**kwargs)
        if setup.station.name in task.exclude and task.bounces < MAX_BOUNCES:
            queue = (self.request.delivery_info or {}).get("routing_key")
            again = {**kwargs, "bounces": task.bounces + 1}
            engine.send_task(TASK_NAME, kwargs=again, queue=queue, countdown=1)
            return
        try:
            failed = run_task_cases(setup, task)
        except ServerError as exc:  # the server is away: the broker keeps the task
            log.warning("task of run %s: %s; again in %g s", task.run, exc, RETRY_SECONDS)
            raise self.retry(countdown=RETRY_SECONDS) from exc
        if failed:
            wait_until_healthy(setup)


def run_task_cases(setup: WorkerSetup, task: Task) -> bool:
    """Run what is left of `task`; True when the station failed (a station error)."""
    from robotest.fleet.suite import sync_version

    station = setup.station
    with ServerClient(setup.server, setup.token) as client:
        cancelled, pending = claim(client, task.run, station.name, task.cases)
        if cancelled or not pending:
            return False

        def sink(cases: list[RuntimeCase]) -> bool:
            return send_results(
                client, task.run, station.name, task.attempt, [case_result(c) for c in cases]
            )

        try:
            tree = sync_version(client, task.channel, station.dest, task.version, setup.public_key)
        except SyncError as exc:  # not the image's fault: dealt to another station
            message = f"cannot sync suite version {task.version[:12]}: {exc}"
            send_results(
                client,
                task.run,
                station.name,
                task.attempt,
                [
                    CaseResult(id=n, title=n, status=STATION_ERROR, duration=0, message=message)
                    for n in pending
                ],
            )
            return True
        image = _image_file(station.dest, task)
        finished = run_cases(station, tree, pending, image, task.version[:12], sink)
    return any(c.status == STATION_ERROR for c in finished)


def _image_file(dest: Path, task: Task) -> Path | None:
    if not task.image:
        return None
    path = dest / f"image-{task.run}.toml"
    path.write_text(task.image)
    return path


def station_healthy(spec: str) -> bool:
    """`rtest station health SPEC` passes (the record station has nothing to check)."""
    kind = spec.partition(":")[0]
    if kind == "record":
        return True
    target = kind if kind == "sim" else spec
    done = subprocess.run(
        [sys.executable, "-m", "robotest", "station", "health", target],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        log.warning("station health: %s", (done.stdout + done.stderr).strip()[-300:])
    return done.returncode == 0


def wait_until_healthy(setup: WorkerSetup) -> None:
    """Hold the station off the queue until its health check passes."""
    while not station_healthy(setup.station.spec):
        log.warning(
            "station %s is not healthy: no work until it is; checking again in %g s",
            setup.station.name,
            setup.health_interval,
        )
        time.sleep(setup.health_interval)
