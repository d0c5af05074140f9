"""The results a station uploads after a run: `run.json` plus report files and screenshots.

The upload is a tar archive. `run.json` at its root describes the run; every other
member (reports, screenshots) is stored by hash and linked to the run.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, ValidationError

from robotest.server.errors import ArchiveError

RUN_FILE = "run.json"
Status = Literal["passed", "failed", "error", "station error"]
STATUSES: tuple[str, ...] = ("passed", "failed", "error", "station error")


class TestResult(BaseModel):
    """One test of the run."""

    title: str = Field(min_length=1)
    tags: list[str] = []
    status: Status
    duration: float = Field(ge=0)
    message: str = ""
    screenshots: list[str] = []


class RunManifest(BaseModel):
    """What `run.json` holds."""

    run_id: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9._:-]+$")
    station: str = Field(min_length=1, max_length=200)
    image: str
    suite_version: str
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
    for test in run.tests:
        for shot in test.screenshots:
            if shot not in files:
                raise ArchiveError(f"{RUN_FILE}: screenshot {shot} of test "
                                   f"{test.title!r} is not in the archive")
    return run


def counts(run: RunManifest) -> dict[str, int]:
    """How many tests ended in each status."""
    result = {status: 0 for status in STATUSES}
    for test in run.tests:
        result[test.status] += 1
    return result
