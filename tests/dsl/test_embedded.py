"""Robot statements inside Python expressions: `print(read_text right_of "EC Version")`."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from types import ModuleType

import pytest

from robotest.dsl import compile_source
from robotest.dsl.compiler import check_source
from robotest.errors import TextNotFound
from robotest.runtime import RecordingRuntime, collect, run_case
from robotest.runtime.backend import Match

Loader = Callable[..., ModuleType]


def _run_all(module: ModuleType) -> None:
    for case in collect(module):
        run_case(module, case)


def _errors(source: str) -> list[tuple[int, int, str]]:
    return [(d.line, d.col, d.message) for d in check_source(source, "e.rtest")]


def _reads(runtime: RecordingRuntime, values: dict[str, str]) -> None:
    runtime.responses["read_text"] = lambda call: values[call.args["anchor"]]


def test_statements_give_values_inside_calls_and_operators(
    load_rtest: Loader, runtime: RecordingRuntime
) -> None:
    module = load_rtest("""
        seen = []

        test "values":
            seen.append(read_text right_of "EC Version")
            assert read_text right_of "BIOS Version" == "1.07", "compared as a whole"
            seen.append(("v" + read_text right_of "EC Version").upper())
            seen.append([read_text in r for r in [(0, 0, 5, 5), (5, 5, 5, 5)]])
            if not exists_text "Updates" within 5s and True:
                seen.append(await_icon "ok" within 2min)
            click (await_icon "ok")
    """)
    runtime.responses["read_text"] = lambda call: {
        "EC Version": "2.14",
        "BIOS Version": "1.07",
    }.get(call.args["anchor"], "r")
    _run_all(module)
    assert module.seen[:3] == ["2.14", "V2.14", ["r", "r"]]
    assert module.seen[3] == Match((0, 0, 10, 10))
    calls = [(c.name, c.line) for c in runtime.calls]
    assert calls == [
        ("read_text", 5),
        ("read_text", 6),
        ("read_text", 7),
        ("read_text", 8),
        ("read_text", 8),
        ("exists_text", 9),
        ("await_icon", 10),
        ("await_icon", 11),
        ("click", 11),
    ]
    assert runtime.calls[5].args == {"text": "Updates", "region": None, "within": 5.0}
    assert runtime.calls[6].args["within"] == 120.0
    assert runtime.calls[8].args["point"] == (5, 5)  # the awaited match's centre


def test_return_and_keyword_arguments_take_statements(
    load_rtest: Loader, runtime: RecordingRuntime
) -> None:
    _reads(runtime, {"Serial": "SN1"})
    module = load_rtest("""
        def serial():
            return read_text right_of "Serial"

        test "t":
            log(message=read_text right_of "Serial")
            log(serial())
    """)
    _run_all(module)
    assert [c.args.get("message") for c in runtime.calls if c.name == "log"] == ["SN1", "SN1"]


def test_a_statement_that_starts_a_continuation_line_inside_brackets(
    load_rtest: Loader, runtime: RecordingRuntime
) -> None:
    _reads(runtime, {"A": "1"})
    module = load_rtest("""
        test "t":
            log(
                read_text right_of "A")
    """)
    _run_all(module)
    assert [c.name for c in runtime.calls] == ["read_text", "log"]


@pytest.mark.parametrize(
    "line",
    [
        "s = \"print(read_text right_of 'x')\"",
        "# print(read_text right_of 'x')",
        'd = {"k": 1}',
        "read_text = print",
        "x = [read_text for read_text in range(3)]",
        "y = (read_text) if False else 0",
    ],
)
def test_text_in_strings_comments_and_python_names_stays_python(line: str) -> None:
    assert _errors(f"{line}\n") == []
    compiled = compile_source(f"{line}\n", "p.rtest").python_source
    assert "__rtest__.read_text" not in compiled


def test_errors_point_inside_the_statement() -> None:
    source = 'test "t":\n    print("é", read_text right_of, 1)\n'
    assert _errors(source) == [(2, 34, "read_text needs a value here")]
    # an error in the statement's own expression, at its column in the file
    assert _errors('test "t":\n    print(read_text right_of "é" +* 2)\n') == [
        (2, 35, "invalid syntax")
    ]
    # Python's error after a statement with non-ASCII text keeps its column
    assert _errors('test "t":\n    print(read_text right_of "Vérsion", 1 +)\n') == [
        (2, 44, "invalid syntax")
    ]


def test_a_statement_at_the_top_level_is_refused_but_at_a_prompt() -> None:
    assert _errors('print(read_text right_of "X")\n') == [
        (
            1,
            7,
            "'read_text' runs on the robot: put it inside a test, sub-script, setup, "
            "teardown or function",
        )
    ]
    # a function's default runs where the function is defined: the top level
    assert _errors('def f(v=await_text "X"):\n    pass\n')[0][:2] == (1, 9)
    assert (
        "read_text(right_of='X')"
        in compile_source(
            'print(read_text right_of "X")\n', "<entry>", interactive=True
        ).python_source
    )


def test_a_failure_inside_an_expression_is_located_at_the_statement(
    load_rtest: Loader, runtime: RecordingRuntime
) -> None:
    def not_found(call: object) -> None:
        raise TextNotFound("'Vérsion' is not on screen")

    runtime.responses["await_text"] = not_found
    module = load_rtest("""
        test "t":
            x = ("é", 1 + len(await_text "Vérsion" within 2s))
    """)
    (case,) = collect(module)
    with pytest.raises(TextNotFound) as raised:
        run_case(module, case)
    (frame,) = [
        f for f in traceback.extract_tb(raised.value.__traceback__) if f.filename.endswith(".rtest")
    ]
    line = '    x = ("é", 1 + len(await_text "Vérsion" within 2s))'
    start, end = line.index("await_text"), line.index("))")
    assert frame.lineno == 3
    # Python's positions count UTF-8 bytes
    assert (frame.colno, frame.end_colno) == (len(line[:start].encode()), len(line[:end].encode()))
    formatted = "".join(traceback.format_tb(raised.value.__traceback__))
    assert "\n" + " " * start + "^" * (end - start) + "\n" in formatted
