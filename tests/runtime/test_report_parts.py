"""The report's parts on their own: folding polling steps, and what a failure names."""

from __future__ import annotations

import pytest

from robotest.runtime.reports.failures import failure_of
from robotest.runtime.reports.html import fold
from robotest.runtime.results import CaseResult, Step


def _step(name: str, line: int, outcome: str = "passed", args: str = "", **kw: object) -> Step:
    step = Step(name, args, "a.rtest", line, 0.0, duration=0.5, status=outcome)
    for key, value in kw.items():
        setattr(step, key, value)
    return step


def test_consecutive_attempts_of_one_statement_fold_into_one_row() -> None:
    steps = [
        _step("press", 3),
        *[_step("exists_text", 5, args=f"'x{i}'") for i in range(4)],
        _step("exists_text", 5, "failed", "'x4'", screenshot=b"png"),
        _step("exists_text", 5),  # after a failure: a row of its own
        _step("press", 6),
        _step("exists_text", 5, group="enter_setup", attempt=1),  # another group: its own
    ]
    rows = fold(steps)
    assert [(r.step.name, r.attempts, r.step.status) for r in rows] == [
        ("press", 1, "passed"),
        ("exists_text", 5, "failed"),
        ("exists_text", 1, "passed"),
        ("press", 1, "passed"),
        ("exists_text", 1, "passed"),
    ]
    assert rows[1].duration == pytest.approx(2.5) and rows[1].screenshot == b"png"
    assert rows[1].step.args == "'x4'"  # the last attempt's


@pytest.mark.parametrize(
    ("message", "expected", "actual", "location"),
    [
        (
            "AssertionError: bios-version: BIOS Version is '1.06.9', expected '1.07.3' "
            "(at scripts/bios.rtest:20 > robotest/stdlib_subscripts/bios.rtest:123)",
            "'1.07.3'",
            "'1.06.9'",
            "robotest/stdlib_subscripts/bios.rtest:123",
        ),
        (
            "TextNotFound: 'Welcome' not on screen within 2s; screen reads: Login | qa "
            "(at t.rtest:4)",
            "'Welcome'",
            "Login | qa",
            "t.rtest:4",
        ),
        (
            "IconNotFound: icon 'ok' not on screen within 5s; best score 0.42 at "
            "(1, 2, 3, 4) (needs 0.85) (at t.rtest:9)",
            "icon 'ok'",
            "best score 0.42 at (1, 2, 3, 4) (needs 0.85)",
            "t.rtest:9",
        ),
        ("ScriptError: no icon named 'x' (at t.rtest:2)", "", "", "t.rtest:2"),
    ],
)
def test_a_failure_names_its_values_where_its_message_has_them(
    message: str, expected: str, actual: str, location: str
) -> None:
    case = CaseResult("n", "t", "t.rtest", "sim", status="failed", message=message)
    failure = failure_of(case)
    assert (failure.expected, failure.actual, failure.location) == (expected, actual, location)


def test_the_failed_step_gives_the_location() -> None:
    case = CaseResult("n", "t", "t.rtest", "sim", status="failed", message="boom (at x:1)")
    case.steps = [_step("press", 2), _step("assert", 7, "failed")]
    assert failure_of(case).location == "a.rtest:7"
    assert failure_of(CaseResult("n", "t", "t.rtest", "sim", status="passed")).location == ""
