"""Property-based: whatever text comes in, the compiler returns a module or raises
RtestSyntaxError with locations inside the file; it never crashes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from robotest.dsl import CompiledModule, RtestSyntaxError, compile_source

EXAMPLES = int(os.environ.get("RTEST_HYPOTHESIS_EXAMPLES", 300))
GOLDEN = [p.read_text() for p in sorted((Path(__file__).parent / "golden").glob("*.rtest"))]

FRAGMENTS = [
    "press",
    "type_text",
    "click_icon",
    "click_text",
    "await_text",
    "await_icon",
    "await_gone",
    "read_text",
    "click",
    "move_to",
    "wait",
    "screenshot",
    "test",
    "subscript",
    "setup",
    "teardown",
    "times",
    "every",
    "hold",
    "within",
    "in",
    "button",
    "double",
    "right_of",
    "icon",
    "tags",
    "timeout",
    "retries",
    "for",
    "F2",
    "ctrl",
    "Enter",
    "left",
    "x",
    "def",
    "if",
    "else",
    "return",
    "pass",
    "2s",
    "500ms",
    "1.5min",
    "3",
    "5sec",
    '"text"',
    "f'{x}'",
    "'''",
    '"""',
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    "+",
    ":",
    "=",
    ".",
    "#",
    "\\",
    " ",
    "  ",
    "    ",
    "\n",
    "\t",
    "é",
    "\r\n",
]


def _assert_valid_outcome(source: str) -> None:
    lines = source.count("\n") + 2
    try:
        result = compile_source(source, "prop.rtest")
    except RtestSyntaxError as error:
        assert error.diagnostics
        for diagnostic in error.diagnostics:
            assert diagnostic.file == "prop.rtest"
            assert 1 <= diagnostic.line <= lines, diagnostic
            assert diagnostic.col >= 1, diagnostic
            assert diagnostic.message
    else:
        assert isinstance(result, CompiledModule)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=40).map("".join))
def test_random_token_soup(source: str) -> None:
    _assert_valid_outcome(source)


@st.composite
def mutated_golden(draw: st.DrawFn) -> str:
    source = draw(st.sampled_from(GOLDEN))
    for _ in range(draw(st.integers(1, 4))):
        pos = draw(st.integers(0, len(source)))
        action = draw(st.sampled_from(["delete", "insert", "replace"]))
        size = draw(st.integers(1, 8))
        insert = draw(st.sampled_from(FRAGMENTS) | st.text(max_size=4))
        if action == "delete":
            source = source[:pos] + source[pos + size :]
        elif action == "insert":
            source = source[:pos] + insert + source[pos:]
        else:
            source = source[:pos] + insert + source[pos + size :]
    return source


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_golden())
def test_mutated_scripts(source: str) -> None:
    _assert_valid_outcome(source)


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(["press", "wait", "click", "screenshot", "test", "setup"]),
    st.sampled_from([" = 1", "(1)", ".x = 1", " += 1", "[0] = 1", ": int = 1"]),
)
def test_robot_words_as_python_names_compile(word: str, suffix: str) -> None:
    source = f"{word} = [0]\n{word}{suffix}\n" if "[" in suffix else f"{word}{suffix}\n"
    if suffix in ("(1)", ".x = 1"):
        source = f"def f({word}):\n    {word}{suffix}\n"
    compile_source(source, "names.rtest")


def _compile_text(source: str) -> str:
    try:
        return compile_source(source, "same.rtest").python_source
    except RtestSyntaxError as error:
        return str(error)


def _warm_and_fresh(sources: list[str]) -> tuple[list[str], list[str]]:
    """Each source compiled in turn with the parse caches kept (warm), then each with
    them emptied first (fresh)."""
    from robotest.dsl import parser, scanner

    warm = [_compile_text(source) for source in sources]
    fresh = []
    for source in sources:
        parser._SHAPES.clear()
        scanner._PARSES.clear()
        fresh.append(_compile_text(source))
    return warm, fresh


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(mutated_golden(), min_size=2, max_size=4))
def test_reused_parses_give_what_a_fresh_parse_gives(sources: list[str]) -> None:
    """Lines parsed before (same text, or same token shape) compile as if parsed fresh."""
    warm, fresh = _warm_and_fresh(sources)
    assert warm == fresh


SAME_SHAPE = [
    # one title length, one sub-script name length, digits inside brackets
    'test "Boot A":\n    click (12, 34)\n',
    'test "Boot B":\n    click (56, 78)\n',
    "subscript open_a(key=F2) retries 1:\n    press key\n",
    "subscript open_b(key=F3) retries 1:\n    press key\n",
    'test "X {s}" for s in ("a", "b"):\n    await_icon "x" in (1, 2, 3, 4)\n',
    'test "Y {s}" for s in ("a", "a"):\n    await_icon "x" in (5, 6, 7, 8)\n',
    "subscript timeout(x):\n    pass\n",  # a word of the language: never shares a parse
    "subscript lambda(x):\n    pass\n",
    'test "Z {s}" for s in ("a", "b"):\n    await_icon "y" in (5, 6, 7, 8)\n',
    # counts and durations: each line's own values
    'test "T1" timeout 10min:\n    press F2 times 10 every 200ms\n',
    'test "T2" timeout 20min:\n    press F2 times 35 every 900ms\n',
    "subscript s_1() retries 1 timeout 5s:\n    wait 2s\n",
    "subscript s_2() retries 3 timeout 7s:\n    wait 4s\n",
    'test "T3":\n    press F2 times 08\n',  # not a number: an error, though the shape is cached
    'test "T4" tags "v1", "2024":\n    pass\n',
    'test "T5" tags "v1", "2025":\n    pass\n',
]


def test_lines_that_share_a_parse_keep_their_own_values() -> None:
    """Titles, sub-script names and numbers in brackets are masked in the parse cache's
    key: each line still compiles to its own values, as a fresh parse gives."""
    warm, fresh = _warm_and_fresh(SAME_SHAPE)
    assert warm == fresh
    assert "'Boot A'" in warm[0] and "'Boot B'" in warm[1]
    assert "(56, 78)" in warm[1] and "def open_b(" in warm[3]
    assert "duplicate test title 'Y a'" in warm[5] and "duplicate" not in warm[4]
    assert "(1, 2, 3, 4)" in warm[4] and "(5, 6, 7, 8)" in warm[8] and "'Z {s}'" in warm[8]
    assert "timeout" in warm[6] and "@__rtest__.subscript" not in warm[6]
    assert "timeout=600.0" in warm[9] and "times=10, every=0.2" in warm[9]
    assert "timeout=1200.0" in warm[10] and "times=35, every=0.9" in warm[10]
    assert "retries=1, timeout=5.0" in warm[11] and "wait(2.0)" in warm[11]
    assert "retries=3, timeout=7.0" in warm[12] and "wait(4.0)" in warm[12]
    assert "expected a whole number, got '08'" in warm[13]
    assert "'2024'" in warm[14] and "'2025'" in warm[15]


def test_a_line_that_failed_is_parsed_again_in_its_new_context() -> None:
    """An unclosed bracket's error depends on the lines after it, not on the line alone."""
    broken = "subscript f(a,\n    press F2\n"
    fine = "subscript f(a,\n          b):\n    press F2\n"
    assert "never closed" in _compile_text(broken)
    assert "@__rtest__.subscript('f')" in _compile_text(fine)


def test_robot_words_inside_an_open_bracket_belong_to_it() -> None:
    """`press (` swallows the lines up to its `)`: the words there are not robot lines of
    their own, and every error stays inside the file."""
    source = 'press (\n    await_text "x"\ntest "t":\n    pass\n)\n'
    _assert_valid_outcome(source)
    try:
        compile_source(source, "prop.rtest")
    except RtestSyntaxError as error:
        assert all(d.line <= 5 for d in error.diagnostics)


def test_an_assignment_in_a_robot_expression_is_a_located_error() -> None:
    """`in R=EGION` reads to Python as a keyword argument: an error there, not a crash."""
    source = 'subscript f(t):\n    click_icon "menu" in R=EGION button right\n'
    with pytest.raises(RtestSyntaxError) as caught:
        compile_source(source, "kw.rtest")
    assert (caught.value.first.line, caught.value.first.col) == (2, 26)
