"""Syntax errors point at the offending token and do not cascade."""

from __future__ import annotations

import pytest

from robotest.dsl.compiler import check_source


def _errors(source: str) -> list[tuple[int, int, str]]:
    return [(d.line, d.col, d.message) for d in check_source(source, "e.rtest")]


def test_a_stray_word_after_an_argument_is_pointed_at() -> None:
    assert _errors('test "x":\n    click_icon "terminal" dubble\n') == [
        (2, 27, "unexpected 'dubble' after an expression (did you mean double?)")
    ]


def test_a_title_without_quotes_is_one_error_not_a_cascade() -> None:
    assert _errors("test bad title without quotes:\n    wait 1s\n    press F2\n") == [
        (1, 6, 'a test title is a quoted string: test "Title":')
    ]


@pytest.mark.parametrize(
    "line",
    [
        'click_icon "terminal" if True else "b"',
        'type_text "a" "b"',
        'read_text right_of "a" + "b"',
        'type_text x if x is not None else "y"',
        'await_text "a" in (0, 0, 10, 10) within 2s',
    ],
)
def test_python_expressions_with_words_stay_valid(line: str) -> None:
    assert _errors(f'x = None\ntest "x":\n    {line}\n') == []


def test_test_as_a_python_name_is_still_python() -> None:
    assert _errors("test = 1\nx = test if test else 2\ny = test and 3\n") == []
