"""What the runtime records while a run goes on: runs, test cases and steps, in the
result model's vocabulary (:mod:`robotest.results.model`).

These are light dataclasses (recording a step must cost next to nothing, and
``rtest --help`` must not import pydantic), with the model's field names and meaning:
``status`` (one of :data:`robotest.results.statuses.STATUSES`, or ``running``), ``id``
(pytest's node id), ``location`` (``file:line``). What they hold besides is what only
the recording station has: the database rows' numbers (``db_id``), the screenshots'
bytes, the case's parameters. :func:`robotest.results.export.run_record` copies them
into the model's classes.

Statuses keep the product and the station apart: ``failed`` means the laptop did not
do what the script expects (the image is at fault), ``error`` means the script itself
is wrong, ``station error`` means the robot is at fault and is never counted against
the image. :func:`status_of` is the one place that maps an exception to a status.
"""

from __future__ import annotations

import os
import traceback
from dataclasses import dataclass, field
from typing import Any

from robotest.errors import DryRunStop, ScriptError, StationError
from robotest.results.statuses import (
    ERROR,
    FAILED,
    INTERRUPTED,
    PASSED,
    RUNNING,
    SKIPPED,
    STATION_ERROR,
    STATUSES,
)

__all__ = [
    "CaseResult",
    "RunInfo",
    "Step",
    "describe",
    "shown_path",
    "status_of",
]


def status_of(exc: BaseException | None) -> str:
    """The status an exception means (None: passed).

    ``StationError`` (driver, camera, emergency stop) -> station error; ``AssertionError``
    (which includes ``StepFailed``: text or icon not found, timeouts) -> failed;
    ``ScriptError`` and any other exception -> error (the script is wrong);
    ``KeyboardInterrupt``/``SystemExit`` -> interrupted (someone stopped the run);
    ``DryRunStop`` -> skipped (the ``record`` station cannot go on).
    """
    if exc is None:
        return PASSED
    if isinstance(exc, KeyboardInterrupt | SystemExit):
        return INTERRUPTED
    if isinstance(exc, DryRunStop):
        return SKIPPED
    if isinstance(exc, StationError):
        return STATION_ERROR
    if isinstance(exc, ScriptError):
        return ERROR
    if isinstance(exc, AssertionError):
        return FAILED
    return ERROR


def rtest_chain(exc: BaseException) -> list[tuple[str, int]]:
    """The `.rtest` files and lines in *exc*'s traceback, outermost (the test) first."""
    chain: list[tuple[str, int]] = []
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith(".rtest"):
            place = (shown_path(frame.filename), frame.lineno or 0)
            if not chain or chain[-1] != place:
                chain.append(place)
    return chain


def rtest_location(exc: BaseException) -> tuple[str, int] | None:
    """The innermost `.rtest` file and line in *exc*'s traceback, if any."""
    chain = rtest_chain(exc)
    return chain[-1] if chain else None


_PACKAGE_PARENT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def shown_path(path: str) -> str:
    """*path* as a user reads it: relative to the current folder when below it, the
    sub-script library as ``robotest/stdlib_subscripts/...``, else as it is."""
    for base in (os.getcwd(), _PACKAGE_PARENT):
        try:
            relative = os.path.relpath(path, base)
        except ValueError:
            continue
        if not relative.startswith(".."):
            return relative
    return path


def describe(exc: BaseException) -> str:
    """A one-paragraph message: the error type, its text and where: the test's line and
    the chain of sub-script lines down to the failing one (``a.rtest:12 > lib.rtest:40``)."""
    text = str(exc).strip()
    head = type(exc).__name__ + (f": {text}" if text else "")
    chain = rtest_chain(exc)
    where = " > ".join(f"{file}:{line}" for file, line in chain)
    return f"{head} (at {where})" if chain else head


@dataclass
class Step:
    """One executed robot statement (the model's :class:`StepRecord`, as recorded)."""

    name: str
    args: str
    file: str
    line: int
    started: float
    duration: float = 0.0
    status: str = PASSED
    message: str = ""
    group: str = ""
    attempt: int = 0
    screenshot: bytes | None = None
    screenshot_name: str = ""
    db_id: int | None = None
    """The step's row in the results database (``rtest icon capture --step``)."""
    source: bytes | None = None
    """The bare screen an annotated screenshot was drawn on (a failed icon search's
    overlay): what ``rtest icon capture --step`` cuts from. Kept in the database only."""

    @property
    def location(self) -> str:
        """Where in the suite: ``file:line`` (the file as a user reads it)."""
        return f"{shown_path(self.file)}:{self.line}"


@dataclass
class CaseResult:
    """One test case as it ran on one station (the model's :class:`CaseRecord`, as
    recorded)."""

    id: str
    """pytest's node id (``file.rtest::test_name[title]``)."""
    title: str
    file: str
    station: str
    tags: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)
    started: float = 0.0
    duration: float = 0.0
    status: str = RUNNING
    message: str = ""
    serial: str = ""
    steps: list[Step] = field(default_factory=list)
    line: int = 0
    """The line of the test in its file."""
    db_id: int | None = None
    """The case's row in the results database."""

    @property
    def location(self) -> str:
        """Where in the suite: ``file:line`` (the file as a user reads it)."""
        return f"{shown_path(self.file)}:{self.line}"


@dataclass
class RunInfo:
    """One run of a suite: where, what image, which suite version, when, how it ended."""

    id: int
    station: str
    image: str
    image_version: str
    serial: str
    suite_version: str
    started: float
    ended: float | None
    status: str
    pid: int
    host: str
    planned: int = 0
    cases: list[CaseResult] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        for case in self.cases:
            counts[case.status] = counts.get(case.status, 0) + 1
        return counts

    @property
    def duration(self) -> float | None:
        return None if self.ended is None else self.ended - self.started
