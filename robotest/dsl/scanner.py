"""Finds robot lines in `.rtest` source and stands Python placeholders in for them.

Robot statements and block headers are recognised at the start of a logical line,
like Python's soft keywords: ``press F2`` is a robot statement, while ``press = 3``,
``press(x)`` and ``press.x`` stay Python. Each robot line is replaced by Python text
of the same shape (``_R_(...)`` for a statement, ``with ...:``, ``def ...:`` or
``if 1:`` for a header) that keeps every embedded Python expression at its original
line and column, so one run of Python's parser yields nodes with `.rtest` positions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from robotest.dsl.lexer import LexError, LineIndex, lex_robot_line
from robotest.dsl.model import (
    HookHeader, Literal, Parsed, PyExpr, RobotStatement, SubscriptHeader, TestHeader,
    expressions,
)
from robotest.dsl.parser import RobotSyntaxError, parse_tokens
from robotest.keys import canonical_key, is_key_name

PLACEHOLDER = "_R_"

_STATEMENTS = ("press|type_text|click_icon|click_text|await_text|await_icon|await_gone"
               "|read_text|click|move_to|wait|screenshot")
_CANDIDATE = re.compile(
    r"^[ \t]*(?:(?P<target>[A-Za-z_][\w.]*(?:[ \t]*,[ \t]*[A-Za-z_][\w.]*)*)[ \t]*=(?!=)[ \t]*)?"
    rf"(?:(?P<stmt>{_STATEMENTS})(?:[ \t]+(?P<next>\S)|[ \t]*(?P<alone>$|\#))"
    r"|(?P<header>test[ \t]+[rRbBuUfF]{0,2}['\"]|subscript[ \t]+[^\W\d]"
    r"|(?:setup|teardown)[ \t]*:))",
    re.MULTILINE,
)
# Python operators that keep `press` a Python name: `press = 1`, `press + 1`, `press.x`
_PYTHON_AFTER = set("=.,)]}:;+-*/%&|^<>@!")
_PYTHON_WORDS = re.compile(r"(?:if|else|and|or|is|not|in|for)\b")
_ALONE_OK = ("screenshot", "read_text")


@dataclass
class RobotLine:
    """A robot line found in the source: where it is and what it parsed to."""

    start: int  # offset of its first word
    line_start: int  # offset of its physical line
    end: int  # offset just past its code
    is_header: bool
    parsed: Parsed | None = None
    error: tuple[str, int] | None = None  # message, offset
    literals: dict[int, object] = field(default_factory=dict)  # param defaults by offset


def find_robot_lines(source: str, index: LineIndex) -> list[RobotLine]:
    """Every line that looks like a robot statement or header, parsed."""
    found = []
    for match in _CANDIDATE.finditer(source):
        if not _is_robot(match, source):
            continue
        head = match.start("stmt") if match.group("stmt") else match.start("header")
        found.append(_parse_line(source, head, match.start(), index,
                                 is_header=match.group("header") is not None))
    return found


def _is_robot(match: re.Match[str], source: str) -> bool:
    if match.group("header"):
        return True
    if match.group("alone") is not None:
        return match.group("stmt") in _ALONE_OK
    nxt = match.group("next")
    if nxt in _PYTHON_AFTER:
        return False
    word = _PYTHON_WORDS.match(source, match.start("next"))
    if word is None:
        return True
    return match.group("stmt") == "read_text" and word.group() == "in"


def _parse_line(source: str, head: int, line_start: int, index: LineIndex,
                is_header: bool) -> RobotLine:
    line_end = source.find("\n", head)
    line_end = len(source) if line_end < 0 else line_end
    robot = RobotLine(head, line_start, line_end, is_header)
    try:
        tokens, robot.end = lex_robot_line(source, head, index)
        robot.parsed = parse_tokens(tokens, robot.end)
    except (LexError, RobotSyntaxError) as error:
        robot.error = (str(error), error.pos)
    return robot


def placeholder(source: str, robot: RobotLine) -> str:
    """Python text to stand in for *robot*'s source ``[start, end)``."""
    parsed = robot.parsed
    if parsed is None:
        return _blank_error(source, robot)
    if isinstance(parsed, RobotStatement):
        return _with_exprs(source, robot, PLACEHOLDER + "(", ")", expressions(parsed))
    if isinstance(parsed, TestHeader):
        return _with_exprs(source, robot, "with ", "", expressions(parsed))
    if isinstance(parsed, SubscriptHeader):
        return _subscript(source, robot, parsed)
    return "if 1" + _blank(source[robot.start + 4: robot.end - 1]) + ":"


def _blank_error(source: str, robot: RobotLine) -> str:
    """A line that did not parse: a neutral stand-in so Python can parse the rest."""
    return "if 1:" if robot.is_header else PLACEHOLDER + "()"


def _blank(text: str) -> str:
    """Spaces for *text*, keeping its line breaks (and backslash continuations)."""
    return re.sub(r"[^\n\\]", " ", text)


def _with_exprs(source: str, robot: RobotLine, opener: str, closer: str,
                exprs: list[PyExpr]) -> str:
    parts = [opener]
    pos = robot.start + len(opener)  # source offset consumed so far
    for number, expr in enumerate(exprs):
        gap = _blank(source[pos:expr.start]) if expr.start > pos else ""
        if number:
            gap = "," + gap[1:] if gap.startswith(" ") else "," + gap
        parts += [gap, source[expr.start:expr.end]]
        pos = expr.end
    tail = source[pos:robot.end]
    if closer:
        parts += [_blank(tail), closer]
    else:  # a header: keep its closing ':'
        parts += [_blank(tail[:-1]), ":"]
    return "".join(parts)


def _subscript(source: str, robot: RobotLine, header: SubscriptHeader) -> str:
    name_at = source.index(header.name, robot.start + len("subscript"))
    params = header.params
    inner = _literal_params(source, params.start_pos + 1, params.end_pos - 1, robot)
    rest = source[params.end_pos:robot.end]
    return ("def" + _blank(source[robot.start + 3:name_at]) + header.name
            + _blank(source[name_at + len(header.name):params.start_pos])
            + "(" + inner + ")" + _blank(rest[:-1]) + ":")


_PARAM_TOKEN = re.compile(
    r"(?P<dur>(?<![\w.])(?:\d+(?:\.\d*)?|\.\d+)(?:ms|min|s|h)(?!\w))"
    r"|(?P<keys>(?<==)[ \t]*[A-Za-z]\w*(?:[ \t]*\+[ \t]*[A-Za-z]\w*)*(?=[ \t]*[,)\n]|[ \t]*$))"
    r"|(?P<skip>'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"|#[^\n]*)"
)


def _literal_params(source: str, start: int, end: int, robot: RobotLine) -> str:
    """Parameter text with duration and key-spec defaults replaced by ``0``.

    Their values go to ``robot.literals`` by offset, for the code generator.
    """
    from robotest.dsl.durations import parse_duration

    text = source[start:end]

    def replace(match: re.Match[str]) -> str:
        kind = match.lastgroup
        value: object
        if kind == "skip":
            return match.group()
        if kind == "dur":
            value = parse_duration(match.group())
        else:
            names = [n.strip() for n in match.group().split("+")]
            if not all(is_key_name(n) for n in names):
                return match.group()
            value = "+".join(canonical_key(n) or n for n in names)
        offset = start + match.start() + (len(match.group()) - len(match.group().lstrip()))
        robot.literals[offset] = Literal(value, None)  # type: ignore[arg-type]
        body = match.group()
        lead = len(body) - len(body.lstrip())
        return body[:lead] + "0" + " " * (len(body) - lead - 1)

    return _PARAM_TOKEN.sub(replace, text)


def substitute(source: str, robots: list[RobotLine]) -> str:
    """The source with every robot line replaced by its placeholder."""
    parts = []
    pos = 0
    for robot in robots:
        end = robot.end if robot.parsed is not None else _line_end(source, robot.start)
        parts += [source[pos:robot.start], placeholder(source, robot)]
        pos = end
    parts.append(source[pos:])
    return "".join(parts)


def _line_end(source: str, pos: int) -> int:
    end = source.find("\n", pos)
    return len(source) if end < 0 else end


__all__ = ["HookHeader", "PLACEHOLDER", "RobotLine", "find_robot_lines", "placeholder",
           "substitute"]
