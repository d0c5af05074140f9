"""What the API accepts: every value that reaches the database is checked here first, with
the limits of its column, so SQLite and PostgreSQL refuse the same inputs the same way
(a one-line 4xx, never a database error).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

MAX_SYNC_REPORT = 64 * 1024
"""Largest sync report body, in bytes."""
MAX_SYNC_ERROR = 16_000
"""Longest error text a station may report, in characters."""
MAX_RUN_KEY = 200
"""Longest stored run key `station/run_id` (the runs.id column)."""


def _no_nul(text: str) -> str:
    if "\x00" in text:
        raise ValueError("must not contain NUL characters")
    return text


NO_NUL = AfterValidator(_no_nul)
"""PostgreSQL text cannot hold NUL: refuse it in every string that is stored."""


NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$"
"""Token names (a station's token name is the station's name: it appears in URLs)."""
from robotest.server.names import CHANNEL_PATTERN  # noqa: E402  (one rule, server and station)

VERSION_PATTERN = r"^[0-9a-f]{1,64}$"
RUN_ID_PATTERN = r"^[A-Za-z0-9._:-]{1,200}$"

ChannelName = Annotated[str, StringConstraints(pattern=CHANNEL_PATTERN)]
VersionId = Annotated[str, StringConstraints(pattern=VERSION_PATTERN)]
RunId = Annotated[str, StringConstraints(pattern=RUN_ID_PATTERN)]
StationName = Annotated[str, StringConstraints(pattern=NAME_PATTERN)]


class SyncReport(BaseModel):
    """What a station says after a sync: the version it runs now, or why it failed."""

    model_config = ConfigDict(extra="forbid")

    channel: ChannelName
    version: VersionId | None = None
    status: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z _-]{0,19}$")] = "ok"
    error: Annotated[str, Field(max_length=MAX_SYNC_ERROR), NO_NUL] = ""


class RollbackRequest(BaseModel):
    """Where to move a channel back to: a version id or prefix, by default the one before."""

    model_config = ConfigDict(extra="forbid")

    version: VersionId | None = Field(None, description="version id or id prefix")
