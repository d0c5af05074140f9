"""Parses one robot line with the ``robot.lark`` grammar into the parsing model.

The grammar reads terminals from :mod:`robotest.dsl.lexer`; a lark ``Transformer``
(kept apart from the grammar, as lark recommends) builds model objects, and lark's
errors become :class:`RobotSyntaxError` with a message a QA engineer can act on.
"""

from __future__ import annotations

import difflib
import functools
import keyword
from collections.abc import Callable, Sequence
from importlib import resources
from typing import Any

from lark import Lark, Token, Transformer, Tree
from lark.exceptions import UnexpectedToken
from lark.lexer import Lexer

from robotest import language
from robotest.dsl.durations import parse_duration
from robotest.dsl.lexer import CLAUSE_WORDS, HEAD_WORDS, RobotToken, token_span
from robotest.dsl.model import (
    BareName,
    HookHeader,
    IconRef,
    KeySpec,
    Literal,
    NamedKey,
    Parsed,
    PyExpr,
    RobotStatement,
    SubscriptHeader,
    TestHeader,
    Value,
)
from robotest.keys import MAX_CHORD_KEYS, canonical_key, is_key_name

_WORD_OF = {terminal: word for word, terminal in {**HEAD_WORDS, **CLAUSE_WORDS}.items()}
# The statements and headers, whose grammar rules build a model object.
_RULES = frozenset((*language.STATEMENT_NAMES, *language.HEADERS))


class RobotSyntaxError(Exception):
    """A robot line the grammar rejects; *pos* is the offending source offset."""

    def __init__(self, message: str, pos: int):
        super().__init__(message)
        self.pos = pos


class _NoLexer(Lexer):
    """Tokens are fed one by one from robotest's own lexer."""

    def __init__(self, conf: Any):
        pass

    def lex(self, *args: Any) -> Any:  # pragma: no cover - never called
        raise AssertionError("robot lines are lexed by robotest.dsl.lexer")


def _expr(tokens: Sequence[Any]) -> PyExpr:
    return PyExpr(token_span(tokens[0])[0], token_span(tokens[-1])[1])


_OPERANDS = frozenset({"NAME", "STRING", "NUMBER", "GROUP"})


def _check_operands(tokens: Sequence[Any]) -> None:
    """Two operands with nothing between them end the expression where the first ends.

    ``click_icon "terminal" dubble``: the grammar takes `"terminal" dubble` as one
    expression, which Python would reject at its start; the error belongs at `dubble`.
    Python's own words (``x if y else z``, ``a and b``, ``"a" "b"``) are left alone.
    """
    for before, token in zip(tokens, tokens[1:], strict=False):
        if before.type not in _OPERANDS or token.type not in ("NAME", "NUMBER", "STRING"):
            continue
        if keyword.iskeyword(before.value) or keyword.iskeyword(token.value):
            continue
        if before.type == token.type == "STRING":
            continue  # implicit concatenation
        close = difflib.get_close_matches(token.value, CLAUSE_WORDS, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise RobotSyntaxError(
            f"unexpected {token.value!r} after an expression{hint}", int(token_span(token)[0])
        )


def _clause(word: str, value: Value | None, token: Token) -> tuple[str, Value | None, Token]:
    """A statement clause, named by the runtime function's keyword for it."""
    return (language.CLAUSES[word].keyword, value, token)


class ToModel(Transformer):
    """Builds :mod:`robotest.dsl.model` objects from the parse (inline, no tree)."""

    # -- values -----------------------------------------------------------------
    def expr(self, items: list[Token]) -> PyExpr:
        _check_operands(items)
        return _expr(items)

    def dur(self, items: list[Token]) -> Value:
        token = items[0]
        if token.type == "GROUP":
            return PyExpr(*token_span(token))
        return Literal(parse_duration(token.value), token)

    def count(self, items: list[Token]) -> Value:
        token = items[0]
        if token.type == "GROUP":
            return PyExpr(*token_span(token))
        try:
            value = int(token.value.replace("_", ""), 0)
        except ValueError:
            raise RobotSyntaxError(
                f"expected a whole number, got {token.value!r}", token_span(token)[0]
            ) from None
        if value < 0:  # pragma: no cover - the lexer never yields a negative number
            raise RobotSyntaxError("expected a positive number", token_span(token)[0])
        return Literal(value, token)

    def icon_ref(self, items: list[Any]) -> IconRef:
        return IconRef(items[-1])

    def target(self, items: list[Any]) -> Value:
        return items[0]

    # -- keys -------------------------------------------------------------------
    def key_name(self, items: list[Token]) -> Any:
        first = items[0]
        if len(items) > 1:
            return _expr(items)
        if is_key_name(first.value):
            return NamedKey(canonical_key(first.value) or first.value, first)
        return BareName(_expr(items), first)

    def key_string(self, items: list[Token]) -> PyExpr:
        return _expr(items)

    def key_group(self, items: list[Token]) -> PyExpr:
        return _expr(items)

    def trailer(self, items: list[Token]) -> Token:
        return items[-1]

    def keyspec(self, items: list[Any]) -> KeySpec:
        atoms = tuple(item for item in items if not isinstance(item, RobotToken))
        if len(atoms) > MAX_CHORD_KEYS:
            raise RobotSyntaxError(
                f"a chord has at most {MAX_CHORD_KEYS} keys pressed together "
                f"(this one has {len(atoms)})",
                _atom_start(atoms[MAX_CHORD_KEYS]),
            )
        return KeySpec(atoms)

    def keys(self, items: list[Any]) -> tuple[KeySpec, ...]:
        return tuple(item for item in items if isinstance(item, KeySpec))

    # -- clauses ----------------------------------------------------------------
    def clause(self, items: list[Any]) -> tuple[str, Value | None, Token]:
        """A statement clause `WORD value`, under its runtime keyword (`in` -> region)."""
        return _clause(items[0].value, items[-1], items[0])

    times_clause = every_clause = hold_clause = in_clause = within_clause = clause
    side_clause = clause

    def double_clause(self, items: list[Any]) -> tuple[str, Value | None, Token]:
        return _clause(items[0].value, Literal(True, items[0]), items[0])

    def button_clause(self, items: list[Token]) -> tuple[str, Value | None, Token]:
        token = items[1]
        if token.type != "NAME":
            return _clause(items[0].value, PyExpr(*token_span(token)), items[0])
        if token.value not in language.BUTTONS:
            raise RobotSyntaxError(
                f"button must be {_one_of(language.BUTTONS)}, not {token.value!r}",
                token_span(token)[0],
            )
        return _clause(items[0].value, Literal(token.value, token), items[0])

    def retries_clause(self, items: list[Any]) -> tuple[str, Value | None, Token]:
        return ("retries", items[1], items[0])

    def timeout_clause(self, items: list[Any]) -> tuple[str, Value | None, Token]:
        return ("timeout", items[1], items[0])

    def tags_clause(self, items: list[Token]) -> tuple[str, Any, Token]:
        tags = tuple(
            _string_value(t) if t.type == "STRING" else str(t.value)
            for t in items[1:]
            if t.type != "COMMA"
        )
        return ("tags", tags, items[0])

    def for_clause(self, items: list[Any]) -> tuple[str, Any, Token]:
        names = tuple(t.value for t in items[1:-2] if t.type == "NAME")
        return ("for", (names, items[-1]), items[0])

    # -- statements -------------------------------------------------------------
    def __default__(self, data: Any, children: list[Any], meta: Any) -> Any:
        name = str(data)
        if name.startswith("_"):  # lark's helper rules for `x*`: inlined into the parent
            return Tree(data, children, meta)
        if name not in _RULES:
            raise AssertionError(f"grammar rule {name} has no transformer")  # pragma: no cover
        head = children[0]
        rest = children[1:]
        subject = None
        if rest and not (
            isinstance(rest[0], tuple) and len(rest[0]) == 3 and isinstance(rest[0][2], RobotToken)
        ):
            subject = rest[0]
            rest = rest[1:]
        return RobotStatement(name, head, subject, _collect(name, rest))

    def start(self, items: list[Any]) -> Parsed:
        return items[0]

    def test_header(self, items: list[Any]) -> TestHeader:
        head, title, *rest = items
        rest = [c for c in rest if isinstance(c, tuple)]
        if title.value[:1] not in "'\"":
            raise RobotSyntaxError(
                "a test title is a plain string (no f-string or prefix)", token_span(title)[0]
            )
        loops = tuple(value for name, value, _ in rest if name == "for")
        clauses = _collect("test", [c for c in rest if c[0] != "for"])
        return TestHeader(
            head,
            _string_value(title),
            PyExpr(*token_span(title)),
            tags=clauses.get("tags", ()),
            timeout=clauses.get("timeout"),
            loops=loops,
        )

    def subscript_header(self, items: list[Any]) -> SubscriptHeader:
        head, name, params, *rest = items
        clauses = _collect("subscript", [c for c in rest if isinstance(c, tuple)])
        return SubscriptHeader(
            head, name.value, params, clauses.get("retries"), clauses.get("timeout")
        )

    def setup_header(self, items: list[Token]) -> HookHeader:
        return HookHeader(items[0], "setup")

    def teardown_header(self, items: list[Token]) -> HookHeader:
        return HookHeader(items[0], "teardown")


def _atom_start(atom: NamedKey | BareName | PyExpr) -> int:
    """Where a key of a chord starts, relative to its robot line."""
    if isinstance(atom, PyExpr):
        return atom.start
    return token_span(atom.token)[0]


def _string_value(token: Token) -> str:
    import ast

    text = token.value
    if text[0] in "'\"" and text[:3] != text[0] * 3 and "\\" not in text:
        return text[1:-1]  # a plain string says what it holds (and literal_eval is slow)
    try:
        value = ast.literal_eval(token.value)
    except (SyntaxError, ValueError) as error:
        raise RobotSyntaxError(f"bad string: {error}", token_span(token)[0]) from None
    if not isinstance(value, str):
        raise RobotSyntaxError("expected a text string", token_span(token)[0])
    return value


_SIDES = frozenset(language.SIDES)


def _one_of(words: tuple[str, ...]) -> str:
    """``left, right or middle``"""
    return ", ".join(words[:-1]) + " or " + words[-1]


def _collect(statement: str, clauses: list[Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, value, token in clauses:
        if name in found or (name in _SIDES and _SIDES & found.keys()):
            raise RobotSyntaxError(
                f"'{token.value}' is given twice in one {statement}", token_span(token)[0]
            )
        found[name] = value
    return found


@functools.lru_cache(maxsize=1)
def _lark() -> Lark:
    grammar = resources.files("robotest.dsl").joinpath("robot.lark").read_text()
    parser = Lark(
        grammar, parser="lalr", lexer=_NoLexer, transformer=ToModel(), maybe_placeholders=False
    )
    callbacks = parser.parser.parser.parser.callbacks  # rule -> reduction callback
    for rule, callback in list(callbacks.items()):
        if not _is_helper(rule.origin.name):
            callbacks[rule] = _recording_innermost(callback)
    return parser


def _is_helper(rule_name: str) -> bool:
    """Whether *rule_name* is one of lark's helper rules for ``x*``, inlined into its parent.

    A helper's reduction is not recorded: lark hands the helper's children on to the
    parent rule (growing one list in place), so the parent's recorded children already
    hold them. Recording each helper reduction would copy that growing list every time:
    quadratic time and memory in the length of a key list or a run of clauses.
    """
    return rule_name.startswith("_")


def _recording_innermost(callback: Callable[[list[Any]], Any]) -> Callable[[list[Any]], Any]:
    """*callback*, recording the call it makes to its innermost function.

    lark wraps a rule's function (a ToModel method, or its tree builder) in helpers
    chained by ``node_builder`` that filter the children or inline a single child; a
    replay of the innermost calls does without them.
    """
    wrapper, inner = None, callback
    while hasattr(inner, "node_builder"):
        wrapper, inner = inner, inner.node_builder
    if wrapper is None:
        return _recorded(callback)
    wrapper.node_builder = _recorded(inner)
    return callback


# Replaying reductions. An LALR parse makes the same reductions for the same sequence
# of token types, whatever the tokens' values; so the reductions of the first line of
# each shape are recorded and later lines of that shape replay them with their own
# tokens, calling the same ToModel methods with the same children without running the
# parser again. A single-threaded compiler is assumed.
Step = tuple[Callable[[list[Any]], Any], tuple[int, ...]]
_SHAPES: dict[tuple[str, ...], list[Step]] = {}
_SHAPES_LIMIT = 20_000
# Only short shapes are kept: real robot lines repeat with a few dozen tokens, and a
# bound on each entry keeps the cache's memory bounded across many compiles.
_SHAPE_TOKENS_LIMIT = 64
_recording: list[tuple[Callable[[list[Any]], Any], list[int], Any]] | None = None


def _recorded(callback: Callable[[list[Any]], Any]) -> Callable[[list[Any]], Any]:
    def reduce(children: list[Any]) -> Any:
        ids = [id(child) for child in children] if _recording is not None else []
        result = callback(children)
        if _recording is not None:
            _recording.append((callback, ids, result))
        return result

    return reduce


def parse_tokens(tokens: Sequence[RobotToken], end: int) -> Parsed:
    """Parse the tokens of one robot line; *end* is where the line ends (for errors)."""
    global _recording
    shape = tuple(token.type for token in tokens)
    steps = _SHAPES.get(shape)
    if steps is not None:
        return _replay(steps, tokens)
    _recording = []
    try:
        parsed = _parse(tokens, end)
        log = _recording
    finally:
        _recording = None
    if len(_SHAPES) < _SHAPES_LIMIT and len(shape) <= _SHAPE_TOKENS_LIMIT:
        _SHAPES[shape] = _steps(log, tokens)
    return parsed


def _steps(
    log: list[tuple[Callable[[list[Any]], Any], list[int], Any]], tokens: Sequence[RobotToken]
) -> list[Step]:
    """Each reduction with its children as token indices (>= 0) or earlier steps (< 0)."""
    where = {id(token): index for index, token in enumerate(tokens)}
    steps: list[Step] = []
    for number, (callback, ids, result) in enumerate(log):
        steps.append((callback, tuple(where[i] for i in ids)))
        where[id(result)] = -(number + 1)
    return steps


def _replay(steps: list[Step], tokens: Sequence[RobotToken]) -> Any:
    results: list[Any] = []
    for callback, refs in steps:
        results.append(callback([tokens[r] if r >= 0 else results[-r - 1] for r in refs]))
    return results[-1]


def _parse(tokens: Sequence[RobotToken], end: int) -> Parsed:
    interactive = _lark().parse_interactive("")
    try:
        for token in tokens:
            interactive.feed_token(token)  # type: ignore[arg-type]  # lark reads .type only
        return interactive.feed_eof(None)
    except UnexpectedToken as error:
        raise RobotSyntaxError(_explain(error, tokens), _error_pos(error, end)) from None


def _error_pos(error: UnexpectedToken, end: int) -> int:
    token = error.token
    if token.type == "$END":
        return end
    return int(token_span(token)[0])


def _explain(error: UnexpectedToken, tokens: Sequence[RobotToken]) -> str:
    token = error.token
    statement = tokens[0].value if tokens else "statement"
    expected = set(error.expected)
    if token.type == "$END":
        return _explain_end(statement, expected)
    if token.type in _WORD_OF and token.type not in HEAD_WORDS.values():
        word = _WORD_OF[token.type]
        takes = language.clauses_of(statement)
        if word not in takes:
            listed = ", ".join(takes) if takes else "no clauses"
            return f"'{word}' does not belong to {statement} ({statement} takes {listed})"
        return f"'{word}' is misplaced in {statement}"
    if expected & {"DURATION"} and token.type in ("NUMBER", "NAME"):
        return (
            f"{token.value!r} is not a duration: write 500ms, 2s, 1.5min or 1h, "
            "or a Python expression in seconds in parentheses"
        )
    if statement == "test" and "STRING" in expected and token.type == "NAME":
        return 'a test title is a quoted string: test "Title":'
    if token.type == "COLON":
        return f"unexpected ':' after {statement}"
    return f"unexpected {token.value!r} in {statement}"


def _explain_end(statement: str, expected: set[str]) -> str:
    if expected & {"DURATION"}:
        return f"{statement} needs a duration here (e.g. 2s)"
    if expected == {"COLON"} or "COLON" in expected and statement in _RULES:
        return f"a {statement} header ends with ':'"
    if expected & {"NAME", "STRING", "GROUP"}:
        known = language.STATEMENT.get(statement)
        what = "keys" if known is not None and known.subject is language.Arg.KEYS else "a value"
        return f"{statement} needs {what} here"
    return f"{statement} is incomplete"
