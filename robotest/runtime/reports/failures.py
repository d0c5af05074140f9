"""What a failure message names: the expected and the actual value, and where it failed.

robotest's messages and the sub-script library's follow a few shapes: ``X is 'a',
expected 'b'``, ``expected 'b', got 'a'``, ``'Text' not on screen within 10s; screen
reads: ...``, ``icon 'x' not on screen within 10s; best score 0.41 at (...)``. The
spreadsheet shows the two values in columns of their own where a message has one of
these shapes, and leaves them empty otherwise (nothing is guessed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from robotest.results.statuses import PASSED
from robotest.runtime.results import CaseResult, Step

_WHERE = r"(?: \(at (?P<where>[^()]*)\))?$"
_SHAPES = (
    re.compile(r"\bis (?P<actual>.+?), expected (?P<expected>.+?)" + _WHERE),
    re.compile(r"\bexpected (?P<expected>.+?), (?:got|but got|found) (?P<actual>.+?)" + _WHERE),
    re.compile(
        r"(?P<expected>(?:icon )?(?:'[^']*'|\"[^\"]*\"|/[^/]*/)) not on screen within \S+; "
        r"(?:screen reads: )?(?P<actual>.+?)" + _WHERE
    ),
)
_AT = re.compile(r"\(at (?P<where>[^()]*)\)$")


@dataclass(frozen=True)
class Failure:
    """The values a failure names (empty where it names none) and its location."""

    expected: str = ""
    actual: str = ""
    location: str = ""


def failure_of(case: CaseResult) -> Failure:
    """What *case*'s failure names; its location is the failing step's line, else the
    innermost place of the message's ``(at ...)`` chain."""
    if case.status == PASSED or not case.message:
        return Failure()
    message = case.message.strip()
    expected = actual = ""
    for shape in _SHAPES:
        found = shape.search(message)
        if found:
            expected, actual = found.group("expected"), found.group("actual")
            break
    return Failure(expected, actual, _location(case, message))


def _location(case: CaseResult, message: str) -> str:
    failed = failed_step(case)
    if failed is not None and failed.line:
        return f"{failed.file}:{failed.line}"
    at = _AT.search(message)
    return at.group("where").split(" > ")[-1] if at else ""


def failed_step(case: CaseResult) -> Step | None:
    """The last step that did not pass (a step's failure, or a failed ``assert``)."""
    for step in reversed(case.steps):
        if step.status != PASSED:
            return step
    return None
