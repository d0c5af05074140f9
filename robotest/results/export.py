"""A stored run as `run.json` and its screenshot files, in the shared result model.

`rtest run` writes them beside its reports, so that the run's folder is what
`rtest publish --results` and `rtest run --upload` send to the script server as is.
"""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

from robotest.results.model import (
    INTERRUPTED,
    MAX_STEPS,
    RUNNING,
    CaseRecord,
    RunRecord,
    RunStatus,
    Status,
    StepRecord,
)
from robotest.runtime.results import CaseResult, RunInfo, Step

RUN_FILE = "run.json"
SCREENSHOTS = "screenshots"
MAX_SUITE_VERSION = 64
MAX_MESSAGE = 100_000


def run_id(run: RunInfo) -> str:
    """The run's id on the server: its start (UTC) and its number in the local database,
    so that a station's runs stay apart even when its database is started afresh."""
    return f"{_utc(run.started):%Y%m%dT%H%M%SZ}-run{run.id}"


def uploader(run: RunInfo) -> str:
    """Who the run is uploaded as: its station, or this host for a run on several
    stations (each case still names its own station)."""
    stations = {case.station for case in run.cases} or {run.station}
    if len(stations) == 1 and ", " not in run.station:
        return run.station
    return socket.gethostname().split(".")[0]


def run_record(run: RunInfo) -> tuple[RunRecord, dict[str, bytes]]:
    """*run* (read with its steps) as a :class:`RunRecord`, and its screenshots by path."""
    shots: dict[str, bytes] = {}
    cases = [_case(run, case, shots) for case in run.cases]
    record = RunRecord(
        run_id=run_id(run),
        station=uploader(run),
        image=_clip(run.image, 500),
        image_version=_clip(run.image_version, 200),
        serial=_clip(run.serial, 200),
        suite_version=_clip(run.suite_version, MAX_SUITE_VERSION),
        started=_utc(run.started),
        ended=_utc(run.ended if run.ended is not None else run.started),
        status=cast(RunStatus, run.status),
        tests=cases,
    )
    return record, shots


def write_run(run: RunInfo, folder: Path) -> list[Path]:
    """Write `run.json` and the screenshots it refers to into *folder*; the files."""
    record, shots = run_record(run)
    written = []
    for name, data in shots.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    path = folder / RUN_FILE
    path.write_text(record.model_dump_json(indent=1), encoding="utf-8")
    return [path, *written]


def _case(run: RunInfo, case: CaseResult, shots: dict[str, bytes]) -> CaseRecord:
    steps = [_step(case, index, step, shots) for index, step in enumerate(case.steps[:MAX_STEPS])]
    return CaseRecord(
        title=_clip(case.title, 10_000) or "(untitled)",
        id=_clip(case.id, 10_000),
        location=case.location,
        station=_clip(case.station, 200),
        serial=_clip(case.serial or run.serial, 200),
        tags=[_clip(tag, 200) for tag in case.tags[:200]],
        status=_status(case.status),
        duration=max(case.duration, 0.0),
        message=_clip(case.message, MAX_MESSAGE),
        screenshots=[s.screenshot for s in steps if s.screenshot],
        steps=steps,
    )


def _step(case: CaseResult, index: int, step: Step, shots: dict[str, bytes]) -> StepRecord:
    screenshot = None
    if step.screenshot:
        label = "".join(c if c.isalnum() or c in "-_" else "_" for c in step.screenshot_name)
        screenshot = f"{SCREENSHOTS}/case{case.db_id}-step{index + 1}-{label[:40] or 'screen'}.png"
        shots[screenshot] = step.screenshot
    return StepRecord(
        name=_clip(step.name, 200),
        args=_clip(step.args, 10_000),
        location=step.location,
        duration=max(step.duration, 0.0),
        status=_status(step.status),
        message=_clip(step.message, MAX_MESSAGE),
        group=_clip(step.group, 1000),
        attempt=step.attempt,
        screenshot=screenshot,
    )


def _status(status: str) -> Status:
    """A recorded status as a final one (a case left running was interrupted)."""
    return INTERRUPTED if status == RUNNING else cast(Status, status)


def _clip(text: str, limit: int) -> str:
    """*text* within a limit of the model (marked as cut), without NUL characters."""
    text = text.replace("\x00", "")
    return text if len(text) <= limit else text[: limit - 6] + " [cut]"


def _utc(stamp: float) -> datetime:
    return datetime.fromtimestamp(stamp, tz=UTC)
