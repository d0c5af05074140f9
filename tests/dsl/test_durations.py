"""Duration literals (`250ms`, `2s`, `1.5min`, `1h`) anywhere a Python expression stands."""

from __future__ import annotations

import ast

import pytest

from robotest.dsl.compiler import check_source, compile_source
from robotest.dsl.durations import mask_durations

SOURCE = """\
subscript enter_setup(key="F2", within=60s):
    press (key)
    await_text "BIOS" within (within)

LIMIT = 1.5min
STEPS = {"boot": 2min, "login": 90s}
test "durations {t}" for t in [250ms, 2s, 1h]:
    enter_setup(within=2min)
    note = "2min in a string"  # 3s in a comment
    assert t <= LIMIT * 40 and .5s == 0.5 and 2 * 3s == 6
    wait (2min)
"""


def _constants(tree: ast.Module) -> list[object]:
    return [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)]


def test_durations_compile_to_seconds_in_calls_assignments_and_comparisons() -> None:
    module = compile_source(SOURCE, "d.rtest")
    python = module.python_source
    assert "LIMIT = 90.0" in python
    assert "{'boot': 120.0, 'login': 90.0}" in python
    assert "[0.25, 2.0, 3600.0]" in python
    assert "enter_setup(within=120.0)" in python
    assert "0.5 == 0.5 and (2 * 3.0 == 6)" in python
    assert "__rtest__.wait(120.0)" in python
    assert "'2min in a string'" in python  # strings are left alone


def test_a_duration_keeps_its_place_in_the_source() -> None:
    module = compile_source(SOURCE, "d.rtest")
    call = next(
        n
        for n in ast.walk(module.tree)
        if isinstance(n, ast.keyword)
        and isinstance(n.value, ast.Constant)
        and n.value.value == 120.0
        and n.value.lineno == 8
    )
    assert (call.value.col_offset, call.value.end_col_offset) == (23, 27)


def test_errors_after_a_duration_on_the_same_line_keep_their_column() -> None:
    errors = check_source('test "x":\n    y = 2min + )\n', "e.rtest")
    assert [(d.line, d.col, d.message) for d in errors] == [(2, 16, "unmatched ')'")]


@pytest.mark.parametrize("text", ["x = 2min", "x = f(1.5min, a=250ms)", "x = [1h, .5s]"])
def test_masking_keeps_the_width_of_every_line(text: str) -> None:
    masked, seconds = mask_durations(text)
    assert len(masked) == len(text) and seconds
    ast.parse(masked)


def test_a_number_followed_by_a_word_is_not_a_duration() -> None:
    errors = check_source('test "x":\n    y = 2 s\n', "e.rtest")
    assert errors and errors[0].line == 2
