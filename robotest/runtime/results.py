"""The result model: runs, test cases and steps, and what each outcome means.

Outcomes keep the product and the station apart: ``failed`` means the laptop did not
do what the script expects (the image is at fault), ``error`` means the script itself
is wrong, ``station error`` means the robot is at fault and is never counted against
the image. :func:`outcome_of` is the one place that maps an exception to an outcome.
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

#: Every case/step outcome, in the order reports list them (the shared result model's).
OUTCOMES = STATUSES

#: A run's verdict is its most telling case outcome: a failing image first, then a
#: broken script, then a station fault (which says nothing about the image).
VERDICT_ORDER = (PASSED, SKIPPED, STATION_ERROR, ERROR, FAILED, INTERRUPTED)

#: Run statuses: still running, finished (with a verdict) or interrupted (killed).
RUN_STATUSES = (RUNNING, PASSED, FAILED, ERROR, STATION_ERROR, INTERRUPTED)


def outcome_of(exc: BaseException | None) -> str:
    """The outcome an exception means (None: passed).

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


def worst(outcomes: list[str]) -> str:
    """The verdict of several outcomes (see :data:`VERDICT_ORDER`; passed if none)."""
    return max(outcomes, key=VERDICT_ORDER.index, default=PASSED)


@dataclass
class Step:
    """One executed robot statement."""

    name: str
    args: str
    file: str
    line: int
    started: float
    duration: float = 0.0
    outcome: str = PASSED
    message: str = ""
    group: str = ""
    attempt: int = 0
    screenshot: bytes | None = None
    screenshot_name: str = ""
    id: int | None = None
    source: bytes | None = None
    """The bare screen an annotated screenshot was drawn on (a failed icon search's
    overlay): what ``rtest icon capture --step`` cuts from. Kept in the database only."""


@dataclass
class CaseResult:
    """One test case as it ran on one station."""

    nodeid: str
    title: str
    file: str
    station: str
    tags: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)
    started: float = 0.0
    duration: float = 0.0
    outcome: str = RUNNING
    message: str = ""
    serial: str = ""
    steps: list[Step] = field(default_factory=list)
    line: int = 0
    """The line of the test in its file."""
    id: int | None = None


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
        counts = {outcome: 0 for outcome in OUTCOMES}
        for case in self.cases:
            counts[case.outcome] = counts.get(case.outcome, 0) + 1
        return counts

    @property
    def duration(self) -> float | None:
        return None if self.ended is None else self.ended - self.started
