"""Splits one robot line of `.rtest` source into the terminals of ``robot.lark``.

A robot line runs from its first word to the end of its logical line: brackets may
span physical lines, as in Python. Each bracketed group becomes one GROUP token
(its inside is a Python expression, parsed by Python), strings follow Python 3.11's
rules, and ``2s`` / ``500ms`` / ``1.5min`` / ``1h`` are DURATION tokens.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from lark import Token

from robotest import language

# From robotest/language.py; a word's terminal is its upper-case spelling:
# `click_icon` -> CLICK_ICON.
STATEMENT_WORDS = {name: name.upper() for name in language.STATEMENT_NAMES}
HEADER_WORDS = {word: word.upper() for word in language.HEADERS}
CLAUSE_WORDS = {word: word.upper() for word in language.CLAUSE_WORDS}
HEAD_WORDS = {**STATEMENT_WORDS, **HEADER_WORDS}
# The grammar's terminals that are no word of the language.
OTHER_TERMINALS = frozenset(
    ("NAME", "STRING", "NUMBER", "DURATION", "GROUP", "DOT", "PLUS", "COMMA", "COLON", "OP")
)
# A statement inside a Python expression (`print(read_text right_of "EC Version")`)
# ends, at its own bracket depth, before a closing bracket, one of these operators or
# one of these words: like an operand, it stops where Python would go on with a
# comparison, a boolean, a conditional or a comprehension.
EMBEDDED_STOP_OPS = frozenset((",", ":", ";", "=", ":=", "==", "!=", "<", ">", "<=", ">=", "->"))
EMBEDDED_STOP_WORDS = frozenset(("and", "or", "not", "is", "if", "else", "for", "async", "lambda"))

_STRING = (
    r"(?:[rRbBuUfF]{1,2})?(?:'''(?:[^\\]|\\.)*?'''|\"\"\"(?:[^\\]|\\.)*?\"\"\""
    r"|'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\")"
)
_NUMBER = (
    r"(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+"
    r"|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?[jJ]?)"
)
_TOKEN = re.compile(
    rf"""(?P<ws>[ \t\f]+|\\\r?\n)
      |(?P<comment>\#[^\n]*)
      |(?P<newline>\r?\n)
      |(?P<string>{_STRING})
      |(?P<duration>(?:\d+(?:\.\d*)?|\.\d+)(?:ms|min|s|h)(?![\w]))
      |(?P<number>{_NUMBER})(?!\w)
      |(?P<badnumber>\.?\d[\w.]*)
      |(?P<name>[^\W\d]\w*)
      |(?P<open>[(\[{{])
      |(?P<close>[)\]}}])
      |(?P<op>\*\*|//|<<|>>|<=|>=|==|!=|->|:=|[-+*/%@&|^~<>=.,:;!])
      |(?P<bad>.)""",
    re.VERBOSE | re.DOTALL,
)
# The next token after any blanks: a robot line's lexer takes one step per token.
_NEXT_TOKEN = re.compile(r"(?:[ \t\f]+|\\\r?\n)*(?:" + _TOKEN.pattern + ")", re.VERBOSE | re.DOTALL)
_PAIRS = {"(": ")", "[": "]", "{": "}"}
_SIMPLE_OPS = {".": "DOT", "+": "PLUS", ",": "COMMA", ":": "COLON"}


class LexError(Exception):
    """A robot line that cannot be split into tokens; *pos* is a source offset."""

    def __init__(self, message: str, pos: int):
        super().__init__(message)
        self.pos = pos


class LineIndex:
    """Maps source offsets to 1-based lines and 0-based columns."""

    def __init__(self, source: str):
        self.starts = [0] + [m.end() for m in re.finditer("\n", source)]

    def position(self, pos: int) -> tuple[int, int]:
        import bisect

        line = bisect.bisect_right(self.starts, pos)
        return line, pos - self.starts[line - 1]


class RobotToken(str):
    """A terminal for the robot grammar: the text, its terminal type and its offsets.

    Offsets are relative to the start of the robot line. It offers what lark reads of
    a token (``type``, ``value``, ``start_pos``, ``end_pos``) and is much cheaper to make
    than ``lark.Token``, which matters: a suite has hundreds of thousands of them.
    """

    __slots__ = ("type", "start_pos", "end_pos")
    type: str
    start_pos: int
    end_pos: int

    @property
    def value(self) -> str:
        return str(self)

    def __repr__(self) -> str:
        return f"RobotToken({self.type!r}, {str(self)!r})"


def token_span(token: Token | RobotToken) -> tuple[int, int]:
    """A token's ``(start, end)`` offsets, relative to its robot line."""
    return int(token.start_pos or 0), int(token.end_pos or 0)


def _token(kind: str, value: str, start: int, end: int) -> RobotToken:
    """A token at offsets relative to the start of its robot line."""
    token = RobotToken(value)
    token.type, token.start_pos, token.end_pos = kind, start, end
    return token


def _skip_group(source: str, pos: int, opener: str) -> int:
    """Offset just past the bracket closing the one at *pos* (strings and comments skipped)."""
    stack = [_PAIRS[opener]]
    pos += 1
    while stack:
        match = _TOKEN.match(source, pos)
        if match is None:
            raise LexError(f"'{opener}' is never closed", pos)
        kind = match.lastgroup
        text = match.group()
        if kind == "open":
            stack.append(_PAIRS[text])
        elif kind == "close":
            if text != stack[-1]:
                raise LexError(f"'{text}' does not match the open bracket", match.start())
            stack.pop()
        elif kind == "bad":
            raise _bad_character(source, match.start())
        pos = match.end()
    return pos


def _bad_character(source: str, pos: int) -> LexError:
    char = source[pos]
    if char in "'\"":
        return LexError("unterminated string", pos)
    return LexError(f"unexpected character {char!r}", pos)


def lex_robot_line(source: str, start: int, embedded: bool = False) -> tuple[list[RobotToken], int]:
    """Tokens of the robot line starting at *start*, and the offset where it ends.

    Token offsets are relative to *start*, so that a line's parse does not depend on
    where it stands (and can be reused for the same text elsewhere); LexError offsets
    are relative too. An *embedded* statement (inside a Python expression) also ends
    before an unmatched closing bracket, an :data:`EMBEDDED_STOP_OPS` operator or an
    :data:`EMBEDDED_STOP_WORDS` word.
    """
    try:
        return _lex(source, start, embedded)
    except LexError as error:
        raise LexError(str(error), error.pos - start) from None


_SKIPPED = frozenset(("ws", "comment"))
_SPECIAL = frozenset(("newline", "open", "close", "bad", "badnumber"))
_TYPE_OF = {"string": "STRING", "duration": "DURATION", "number": "NUMBER"}


def _lex(source: str, start: int, embedded: bool = False) -> tuple[list[RobotToken], int]:
    tokens: list[RobotToken] = []
    pos = code_end = start
    end = len(source)
    match_at = _NEXT_TOKEN.match
    while pos < end:
        match = match_at(source, pos)
        if match is None:  # only blanks are left
            pos = end
            break
        kind = str(match.lastgroup)
        stop = match.end()
        if kind in _SKIPPED:
            pos = stop
            continue
        pos, text = match.start(kind), match.group(kind)
        if embedded and tokens and _ends_embedded(kind, text):
            break
        if kind in _SPECIAL:
            if kind == "newline":
                break
            stop = _special(source, pos, kind, text)
            tokens.append(_token("GROUP", source[pos:stop], pos - start, stop - start))
        else:
            tokens.append(
                _token(_classify(kind, text, not tokens), text, pos - start, stop - start)
            )
        pos = code_end = stop
    if source.find("\\", code_end, pos) >= 0:  # a continuation after the last token
        return tokens, _strip_end(source, start, pos)
    return tokens, code_end


def _ends_embedded(kind: str, text: str) -> bool:
    """Whether a token at an embedded statement's own depth ends the statement."""
    if kind == "close":
        return True
    if kind == "op":
        return text in EMBEDDED_STOP_OPS
    return kind == "name" and text in EMBEDDED_STOP_WORDS


def _special(source: str, pos: int, kind: str, text: str) -> int:
    """The end of the group opening at *pos*, or the error at an unexpected character."""
    if kind == "open":
        return _skip_group(source, pos, text)
    if kind == "close":
        raise LexError(f"unmatched '{text}'", pos)
    if kind == "bad":
        raise _bad_character(source, pos)
    raise LexError(
        f"bad duration {text!r}: write a number with ms, s, min or h (e.g. 500ms, 2s, 1.5min, 1h)",
        pos,
    )


def _strip_end(source: str, start: int, pos: int) -> int:
    """The end of the line's code: trailing blanks and comments are not part of it."""
    text = source[start:pos]
    code = (
        _TOKEN.sub(lambda m: " " * len(m.group()) if m.lastgroup == "comment" else m.group(), text)
        if "#" in text
        else text
    )
    return start + len(code.rstrip(" \t\f\r\\"))


def _classify(kind: str, text: str, first: bool) -> str:
    if kind == "name":
        return (HEAD_WORDS if first else CLAUSE_WORDS).get(text, "NAME")
    if kind == "op":
        return _SIMPLE_OPS.get(text, "OP")
    return _TYPE_OF[kind]


def token_types(tokens: Sequence[Token]) -> tuple[str, ...]:
    return tuple(t.type for t in tokens)
