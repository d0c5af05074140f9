"""What the fleet's API takes: a submitted run, a worker's claim, a worker's results.

A case result is the shared result model's `CaseRecord` (robotest.results.model, the
classes of run.json and of the server's uploads), whose node id (`id`) is required.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from robotest.fleet.dealing import DEFAULT_TASK_SIZE, MAX_TASK_SIZE
from robotest.results.model import CaseRecord
from robotest.server.schemas import CHANNEL_PATTERN, NO_NUL

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


class CaseResult(CaseRecord):
    """One case's result as a worker sends it: a `CaseRecord` that names its case."""

    id: NodeId


class ClaimRequest(BaseModel):
    """A worker about to run a task asks which of its cases still need a result."""

    station: StationName
    cases: list[NodeId] = Field(max_length=MAX_BATCH)


class ResultBatch(BaseModel):
    """Cases a worker finished since its last batch."""

    station: StationName
    attempt: int = Field(ge=1, le=10)
    cases: list[CaseResult] = Field(max_length=MAX_BATCH)
