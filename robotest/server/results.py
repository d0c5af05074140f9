"""The results a station uploads after a run: `run.json` plus report files and screenshots.

The upload is a tar archive. `run.json` at its root describes the run; every other
member (reports, screenshots) is stored by hash and linked to the run.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, ValidationError

from robotest.server.errors import ArchiveError
from robotest.server.schemas import MAX_RUN_KEY, NO_NUL, RUN_ID_PATTERN

MAX_PATH = 1000
"""Longest path of an uploaded file (the run_files.path column)."""

RUN_FILE = "run.json"
Status = Literal["passed", "failed", "error", "station error"]
STATUSES: tuple[str, ...] = ("passed", "failed", "error", "station error")


class TestResult(BaseModel):
    """One test of the run."""

    title: Annotated[str, Field(min_length=1, max_length=10_000), NO_NUL]
    tags: list[Annotated[str, Field(max_length=200), NO_NUL]] = []
    status: Status
    duration: float = Field(ge=0, allow_inf_nan=False)
    message: Annotated[str, Field(max_length=100_000), NO_NUL] = ""
    screenshots: list[Annotated[str, Field(max_length=MAX_PATH), NO_NUL]] = []


class RunManifest(BaseModel):
    """What `run.json` holds."""

    run_id: str = Field(pattern=RUN_ID_PATTERN)
    station: Annotated[str, Field(min_length=1, max_length=200), NO_NUL]
    image: Annotated[str, Field(max_length=500), NO_NUL]
    suite_version: Annotated[str, Field(max_length=64), NO_NUL]
    started: datetime
    ended: datetime
    tests: list[TestResult]


def parse_run(files: dict[str, bytes]) -> RunManifest:
    """The run manifest of an uploaded archive, checked against the files it names."""
    if RUN_FILE not in files:
        raise ArchiveError(f"results archive has no {RUN_FILE}")
    try:
        run = RunManifest.model_validate_json(files[RUN_FILE])
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ArchiveError(f"{RUN_FILE}: {where}: {first['msg']}") from exc
    if len(run_key(run.station, run.run_id)) > MAX_RUN_KEY:
        raise ArchiveError(
            f"{RUN_FILE}: run_id: station name and run id together are over "
            f"{MAX_RUN_KEY - 1} characters"
        )
    for path in files:
        if len(path) > MAX_PATH:
            raise ArchiveError(f"{path[:60]}...: path is over {MAX_PATH} characters")
    for test in run.tests:
        for shot in test.screenshots:
            if shot not in files:
                raise ArchiveError(
                    f"{RUN_FILE}: screenshot {shot} of test {test.title!r} is not in the archive"
                )
    return run


def run_key(station: str, run_id: str) -> str:
    """How a run is stored and addressed: under its station's name, so that one station
    can never take or overwrite another's run id."""
    return f"{station}/{run_id}"


def counts(run: RunManifest) -> dict[str, int]:
    """How many tests ended in each status."""
    result = {status: 0 for status in STATUSES}
    for test in run.tests:
        result[test.status] += 1
    return result
