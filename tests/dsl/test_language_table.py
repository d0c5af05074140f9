"""The places that cannot derive from robotest/language.py declare exactly its table.

The lark grammar is declarative, and the runtime's functions and methods are written
out: each test here reads one of them and compares it with the table.
"""

from __future__ import annotations

import inspect
import typing
from pathlib import Path

import pytest
from lark.grammar import NonTerminal, Rule, Terminal

from robotest import language
from robotest.dsl import cache, lexer, scanner
from robotest.dsl.compiler import check_source
from robotest.dsl.parser import _lark
from robotest.runtime import api
from robotest.runtime.backend import Runtime
from robotest.runtime.recording import RecordingRuntime
from robotest.runtime.steps import StepRecorder

DOCS = Path(__file__).resolve().parents[2] / "docs" / "language.md"


def _rules() -> dict[str, list[Rule]]:
    rules: dict[str, list[Rule]] = {}
    for rule in _lark().rules:
        rules.setdefault(rule.origin.name, []).append(rule)
    return rules


def _symbols(rules: dict[str, list[Rule]], name: str) -> set[object]:
    """Every symbol in rule *name*, with those of lark's helper rules (``__x_star_0``)."""
    found: set[object] = set()
    todo = [name]
    while todo:
        for rule in rules[todo.pop()]:
            for symbol in rule.expansion:
                helper = isinstance(symbol, NonTerminal) and symbol.name.startswith("_")
                if helper and symbol not in found:
                    todo.append(symbol.name)
                found.add(symbol)
    return found


def _clause_words(rules: dict[str, list[Rule]], symbols: set[object]) -> set[str]:
    """The words of the ``*_clause`` rules among *symbols*: each clause's first terminal."""
    words = set()
    for symbol in symbols:
        if isinstance(symbol, NonTerminal) and symbol.name.endswith("_clause"):
            for rule in rules[symbol.name]:
                first = rule.expansion[0]
                assert isinstance(first, Terminal), rule
                words.add(first.name.lower())
    return words


def _is_clause(rule_name: str) -> bool:
    """A clause rule, or lark's helper rule for a run of clauses."""
    return rule_name.endswith("_clause") or rule_name.startswith("_")


_SUBJECT_RULES = {
    language.Arg.KEYS: "keys",
    language.Arg.TARGET: "target",
    language.Arg.DURATION: "dur",
}


def test_the_grammar_has_one_rule_per_statement_and_header() -> None:
    rules = _rules()
    statements = {rule.expansion[0].name for rule in rules["robot_stmt"]}
    headers = {rule.expansion[0].name for rule in rules["header"]}
    assert statements == set(language.STATEMENT_NAMES)
    assert headers == {f"{word}_header" for word in language.HEADERS}


@pytest.mark.parametrize("statement", language.STATEMENTS, ids=lambda s: s.name)
def test_each_statement_rule_takes_the_subject_and_clauses_of_the_table(
    statement: language.Statement,
) -> None:
    rules = _rules()
    expansions = [rule.expansion for rule in rules[statement.name]]
    assert {expansion[0] for expansion in expansions} == {Terminal(statement.name.upper())}
    assert _clause_words(rules, _symbols(rules, statement.name)) == set(statement.clauses)
    subjects = {
        e[1].name
        for e in expansions
        if len(e) > 1 and isinstance(e[1], NonTerminal) and not _is_clause(e[1].name)
    }
    if statement.subject is None:
        assert subjects == set()
    else:
        assert subjects == {_SUBJECT_RULES.get(statement.subject, "expr")}
        assert any(len(e) == 1 for e in expansions) == statement.subject_optional


@pytest.mark.parametrize("header", language.HEADERS)
def test_each_header_rule_takes_the_clauses_of_the_table(header: str) -> None:
    rules = _rules()
    clauses = _clause_words(rules, _symbols(rules, f"{header}_header"))
    assert clauses == set(language.HEADERS[header])


def test_the_grammar_declares_a_terminal_for_every_word_and_no_other() -> None:
    grammar = (Path(lexer.__file__).parent / "robot.lark").read_text()
    declared = {
        word
        for line in grammar.splitlines()
        if line.startswith("%declare")
        for word in line.split()[1:]
    }
    words = {*language.STATEMENT_NAMES, *language.HEADERS, *language.CLAUSE_WORDS}
    assert {word.upper() for word in words} == declared - lexer.OTHER_TERMINALS


def test_the_lexer_and_scanner_know_every_statement() -> None:
    assert set(lexer.STATEMENT_WORDS) == set(language.STATEMENT_NAMES)
    assert set(lexer.HEADER_WORDS) == set(language.HEADERS)
    assert set(scanner.EMBEDDABLE) == {s.name for s in language.STATEMENTS if s.gives}


@pytest.mark.parametrize("statement", language.STATEMENTS, ids=lambda s: s.name)
def test_each_runtime_function_takes_the_subject_and_keywords_of_the_table(
    statement: language.Statement,
) -> None:
    parameters = inspect.signature(getattr(api, statement.name)).parameters.values()
    positional = [p for p in parameters if p.kind is p.POSITIONAL_OR_KEYWORD]
    keywords = {p.name for p in parameters if p.kind is p.KEYWORD_ONLY} - {"params"}
    assert len(positional) == (statement.subject is not None)
    assert keywords == set(statement.keywords)


def test_the_runtime_api_exports_every_statement_and_helper() -> None:
    functions = {*language.STATEMENT_NAMES, *language.HELPERS}
    assert functions <= set(api.__all__)
    assert all(callable(getattr(api, name)) for name in functions)
    assert all(hasattr(api, name) for name in api.__all__)


@pytest.mark.parametrize("name", language.STEPS)
def test_every_runtime_carries_out_and_records_each_statement(name: str) -> None:
    assert callable(getattr(Runtime, name))
    assert name in vars(RecordingRuntime)
    assert name in vars(StepRecorder)


def test_buttons_and_sides_are_the_tables_everywhere() -> None:
    from robotest.drivers import usb_protocol
    from robotest.vision import text_search

    assert tuple(usb_protocol.BUTTONS) == language.BUTTONS
    assert typing.get_args(text_search.Side) == language.SIDES
    assert text_search.SIDES is language.SIDES


def _messages(source: str) -> list[str]:
    return [diagnostic.message for diagnostic in check_source(source, "t.rtest")]


def test_a_wrong_button_names_the_tables_buttons() -> None:
    messages = _messages('test "t":\n    click (1, 2) button top\n')
    assert messages == ["button must be left, right or middle, not 'top'"]


def test_a_clause_of_another_statement_names_the_clauses_it_takes() -> None:
    assert _messages('test "t":\n    wait 2s times 3\n') == [
        "'times' does not belong to wait (wait takes no clauses)"
    ]
    assert _messages('test "t":\n    read_text within 2s\n') == [
        "'within' does not belong to read_text "
        "(read_text takes right_of, left_of, below, above, in)"
    ]


def test_the_language_reference_describes_every_statement() -> None:
    text = DOCS.read_text()
    missing = [name for name in language.STATEMENT_NAMES if f"`{name}" not in text]
    assert missing == []


def test_the_compile_cache_key_covers_the_table() -> None:
    names = {name for name, _ in cache.compiler_inputs()}
    assert "language.py" in names
