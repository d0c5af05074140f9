"""The result model: six statuses, their colours (from `statuses`), and what `run.json`
holds.

Like Robot Framework's ``robot.model`` (shared by its ``running`` and ``result``
packages), this is the one vocabulary of results: the runtime records cases with these
statuses, the reports colour them from :data:`STATUS_FILLS`, `rtest run` writes a
:class:`RunRecord` as `run.json`, and the script server validates uploads with the same
classes. Every string is bounded and free of NUL (PostgreSQL text cannot hold it), so a
bad upload is a one-line refusal, never a database error.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

from robotest.results.statuses import (
    ERROR,
    FAILED,
    INTERRUPTED,
    PASSED,
    RUNNING,
    SKIPPED,
    STATION_ERROR,
    STATUS_FILLS,
    STATUSES,
    RunStatus,
    Status,
)

__all__ = [
    "ERROR",
    "FAILED",
    "INTERRUPTED",
    "PASSED",
    "RUNNING",
    "SKIPPED",
    "STATION_ERROR",
    "STATUSES",
    "STATUS_FILLS",
    "CaseRecord",
    "RunRecord",
    "RunStatus",
    "Status",
    "StepRecord",
]

MAX_TESTS = 1_000_000
MAX_STEPS = 10_000
MAX_PATH = 1000
"""Longest path of an uploaded file (the run_files.path column)."""


def _no_nul(text: str) -> str:
    if "\x00" in text:
        raise ValueError("must not contain NUL characters")
    return text


NO_NUL = AfterValidator(_no_nul)
"""PostgreSQL text cannot hold NUL: refuse it in every string that is stored."""

RUN_ID_PATTERN = r"^[A-Za-z0-9._:-]{1,200}$"


Title = Annotated[str, Field(min_length=1, max_length=10_000), NO_NUL]
Tag = Annotated[str, Field(max_length=200), NO_NUL]
Message = Annotated[str, Field(max_length=100_000), NO_NUL]
Location = Annotated[str, Field(max_length=MAX_PATH + 20), NO_NUL]
"""Where in the suite: ``file:line``."""
FilePath = Annotated[str, Field(max_length=MAX_PATH), NO_NUL]
Name = Annotated[str, Field(max_length=200), NO_NUL]
Seconds = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class StepRecord(BaseModel):
    """One executed robot statement."""

    name: Name
    args: Annotated[str, Field(max_length=10_000), NO_NUL] = ""
    location: Location = ""
    duration: Seconds = 0.0
    status: Status
    message: Message = ""
    group: Annotated[str, Field(max_length=1000), NO_NUL] = ""
    """The sub-script the statement ran in."""
    attempt: Annotated[int, Field(ge=0, le=1000)] = 0
    screenshot: FilePath | None = None
    """The step's screen image: a path in the run's folder (and upload)."""


class CaseRecord(BaseModel):
    """One test case as it ran on one station."""

    title: Title
    id: Annotated[str, Field(max_length=MAX_PATH + 10_000), NO_NUL] = ""
    """pytest's node id (``file.rtest::test_name[title]``)."""
    location: Location = ""
    station: Name = ""
    serial: Name = ""
    tags: Annotated[list[Tag], Field(max_length=200)] = []
    status: Status
    duration: Seconds
    message: Message = ""
    screenshots: Annotated[list[FilePath], Field(max_length=MAX_STEPS)] = []
    steps: Annotated[list[StepRecord], Field(max_length=MAX_STEPS)] = []


class RunRecord(BaseModel):
    """What `run.json` holds: one run of a suite and every case it ran."""

    run_id: str = Field(pattern=RUN_ID_PATTERN)
    station: Annotated[str, Field(min_length=1, max_length=200), NO_NUL]
    image: Annotated[str, Field(max_length=500), NO_NUL]
    image_version: Name = ""
    serial: Name = ""
    suite_version: Annotated[str, Field(max_length=64), NO_NUL]
    started: datetime
    ended: datetime
    status: RunStatus | None = None
    tests: Annotated[list[CaseRecord], Field(max_length=MAX_TESTS)]

    def counts(self) -> dict[str, int]:
        """How many cases ended in each status (every status present)."""
        result = dict.fromkeys(STATUSES, 0)
        for test in self.tests:
            result[test.status] += 1
        return result
