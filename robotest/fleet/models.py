"""What the fleet's API takes: a submitted run, a worker's claim, a worker's results.

A case result is the server's own `TestResult` (robotest.server.results), with the case's
node id and the six statuses of the runtime.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from robotest.fleet.dealing import DEFAULT_TASK_SIZE, MAX_TASK_SIZE
from robotest.server.results import TestResult
from robotest.server.schemas import CHANNEL_PATTERN, NO_NUL

CaseStatus = Literal["passed", "failed", "error", "station error", "skipped", "interrupted"]
NodeId = Annotated[str, Field(min_length=1, max_length=2000), NO_NUL]
StationName = Annotated[str, Field(min_length=1, max_length=200), NO_NUL]
MAX_IMAGE = 256 * 1024
MAX_BATCH = 5000


class SubmitRequest(BaseModel):
    """`rtest submit`: which cases of which channel, on which stations."""

    channel: str = Field(pattern=CHANNEL_PATTERN)
    paths: list[Annotated[str, Field(min_length=1, max_length=1000), NO_NUL]] = Field(
        default_factory=list, max_length=1000
    )
    keyword: Annotated[str, Field(max_length=2000), NO_NUL] | None = None
    markers: Annotated[str, Field(max_length=2000), NO_NUL] | None = None
    labels: dict[str, str] = Field(default_factory=dict, max_length=6)
    image: Annotated[str, Field(max_length=MAX_IMAGE), NO_NUL] = ""
    task_size: int = Field(default=DEFAULT_TASK_SIZE, ge=1, le=MAX_TASK_SIZE)


class CaseResult(TestResult):
    """One case's result as a worker sends it."""

    nodeid: NodeId
    status: CaseStatus  # type: ignore[assignment]


class ClaimRequest(BaseModel):
    """A worker about to run a task asks which of its cases still need a result."""

    station: StationName
    cases: list[NodeId] = Field(max_length=MAX_BATCH)


class ResultBatch(BaseModel):
    """Cases a worker finished since its last batch."""

    station: StationName
    attempt: int = Field(ge=1, le=10)
    cases: list[CaseResult] = Field(max_length=MAX_BATCH)
