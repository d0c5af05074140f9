"""The six statuses of a case or a step, and their colours: the result model's
vocabulary, without pydantic (the runtime imports it, `rtest --help` stays fast)."""

from __future__ import annotations

from typing import Final, Literal, get_args

Status = Literal["passed", "failed", "error", "station error", "skipped", "interrupted"]
"""How a case or a step ended (see docs/running.md, *What a result means*)."""

PASSED: Final = "passed"
FAILED: Final = "failed"
ERROR: Final = "error"
STATION_ERROR: Final = "station error"
SKIPPED: Final = "skipped"
INTERRUPTED: Final = "interrupted"
RUNNING: Final = "running"

STATUSES: tuple[str, ...] = get_args(Status)
"""Every status, in the order reports list them."""

RunStatus = Literal[
    "passed", "failed", "error", "station error", "skipped", "interrupted", "running"
]
"""A run's status: its verdict (see :func:`worst`), or running."""

VERDICT_ORDER: tuple[str, ...] = (PASSED, SKIPPED, STATION_ERROR, ERROR, FAILED, INTERRUPTED)
"""A run's verdict is its most telling case status: a failing image first, then a
broken script, then a station fault (which says nothing about the image)."""


def worst(statuses: list[str]) -> str:
    """The verdict of several statuses (see :data:`VERDICT_ORDER`; passed if none)."""
    return max(statuses, key=VERDICT_ORDER.index, default=PASSED)


STATUS_FILLS: dict[str, str] = {
    PASSED: "C6EFCE",  # green
    FAILED: "FFC7CE",  # red: the image is at fault
    ERROR: "FFEB9C",  # yellow: the script is at fault
    STATION_ERROR: "D9D9D9",  # grey: the robot is at fault
    SKIPPED: "EDEDED",  # light grey: not run
    INTERRUPTED: "F8CBAD",  # orange: the run was stopped
}
"""The background colour (RGB hex) of each status, in every spreadsheet and web page."""
