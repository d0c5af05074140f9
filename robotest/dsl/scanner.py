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

from robotest.dsl.lexer import LexError, lex_robot_line, token_span
from robotest.dsl.model import (
    Literal,
    Parsed,
    PyExpr,
    RobotStatement,
    SubscriptHeader,
    TestHeader,
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
    r"|(?P<header>test[ \t]+(?:[rRbBuUfF]{0,2}['\"]|(?!(?:if|else|and|or|is|not|in)\b)[^\W\d])"
    r"|subscript[ \t]+[^\W\d]"
    r"|(?:setup|teardown)[ \t]*:[ \t]*(?:\#[^\n]*)?$))",
    re.MULTILINE,
)
# Python operators that keep `press` a Python name: `press = 1`, `press + 1`, `press.x`
_PYTHON_AFTER = set("=.,)]}:;+-*/%&|^<>@!")
_PYTHON_WORDS = re.compile(r"(?:if|else|and|or|is|not|in|for)\b")


@dataclass(slots=True)
class RobotLine:
    """A robot line found in the source: where it is and what it parsed to.

    Offsets inside ``parsed`` and ``error`` are relative to ``start``.
    """

    start: int  # offset of its first word
    end: int  # offset just past its code
    is_header: bool
    parsed: Parsed | None = None
    error: tuple[str, int] | None = None  # message, relative offset
    exprs: list[PyExpr] = field(default_factory=list)  # parsed's expressions, in order
    literals: dict[int, object] = field(default_factory=dict)  # param defaults by offset
    text: str | None = None  # a statement's placeholder, the same wherever its line stands
    line: int = 0  # 1-based line of start
    col: int = 0  # 0-based column of start
    one_line: bool = True  # whether it ends on the line where it starts


# The parse of a one-line robot line depends only on its text; a statement's parse
# does not even depend on what its string literals hold (they are Python expressions
# whose text the placeholder copies), so statements are looked up with the insides of
# their strings masked: `click_text "Next"` and `click_text "Back"` share one parse.
_PARSES: dict[str, tuple[Parsed | None, tuple[str, int] | None, int, list[PyExpr],
                         tuple[str, ...]]] = {}
_PARSES_LIMIT = 100_000
_PARSED_LINE_LIMIT = 1_000  # characters: longer lines are rare, and each entry stays small
_ONE_LINE_STRING = re.compile(r"\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'")
_TRIPLE_QUOTES = re.compile(r"'{3}|\"{3}")


def _lookup_key(text: str, is_header: bool) -> str:
    """A robot line's key in :data:`_PARSES`: a statement's text with its strings masked.

    Every one-line string literal keeps its quotes and length and its inside becomes
    ``_``s; two lines with the same key lex into the same tokens at the same offsets,
    differing only inside strings. Headers (whose title and tags are values) and lines
    with triple quotes keep their text.
    """
    if is_header or ("'" not in text and '"' not in text) or _TRIPLE_QUOTES.search(text):
        return text
    return _ONE_LINE_STRING.sub(_masked, text)


def _masked(match: re.Match[str]) -> str:
    string = match.group()
    return string[0] + "_" * (len(string) - 2) + string[0]


def find_robot_lines(source: str) -> list[RobotLine]:
    """Every line that looks like a robot statement or header, parsed."""
    found: list[RobotLine] = []
    line, counted = 1, 0  # the line number at offset `counted`
    for match in _CANDIDATE.finditer(source):
        if not _is_robot(match, source):
            continue
        head = match.start("stmt") if match.group("stmt") else match.start("header")
        if found and head < _replaced_end(source, found[-1]):
            continue  # inside the brackets of the line before: part of its expression
        robot = _parse_line(source, head, is_header=match.group("header") is not None)
        line += source.count("\n", counted, head)
        counted = head
        robot.line, robot.col = line, head - source.rfind("\n", 0, head) - 1
        robot.one_line = source.find("\n", head, robot.end) < 0
        found.append(robot)
    return found


def _replaced_end(source: str, robot: RobotLine) -> int:
    """Where the text that :func:`substitute` replaces for *robot* ends."""
    return robot.end if robot.parsed is not None else _line_end(source, robot.start)


def _is_robot(match: re.Match[str], source: str) -> bool:
    if match.group("header"):
        return True
    if match.group("alone") is not None:  # `screenshot` alone; `press` alone is an error
        return True
    nxt = match.group("next")
    if nxt in _PYTHON_AFTER:
        return False
    word = _PYTHON_WORDS.match(source, match.start("next"))
    if word is None:
        return True
    return match.group("stmt") == "read_text" and word.group() == "in"


def _parse_line(source: str, head: int, is_header: bool) -> RobotLine:
    line_end = source.find("\n", head)
    line_end = len(source) if line_end < 0 else line_end
    key = _lookup_key(source[head:line_end], is_header)
    cached = _PARSES.get(key)
    if cached is not None:
        parsed, error, length, exprs, cached_gaps = cached
        robot = RobotLine(head, head + length, is_header, parsed, error, exprs)
        if cached_gaps:
            robot.text = _fill(cached_gaps, source, robot)
        return robot
    robot = RobotLine(head, line_end, is_header)
    try:
        tokens, robot.end = lex_robot_line(source, head)
        robot.parsed = parse_tokens(tokens, robot.end - head)
        robot.exprs = expressions(robot.parsed)
    except (LexError, RobotSyntaxError) as error:
        robot.error = (str(error), error.pos)
    gaps: tuple[str, ...] = ()
    if isinstance(robot.parsed, RobotStatement):
        gaps = _gaps(source, robot, PLACEHOLDER + "(", ")")
        robot.text = _fill(gaps, source, robot)
    # only a parse that looked at this line alone; an error may have looked further
    if (robot.error is None and robot.end <= line_end and len(_PARSES) < _PARSES_LIMIT
            and len(key) <= _PARSED_LINE_LIMIT):
        _PARSES[key] = (robot.parsed, robot.error, robot.end - head, robot.exprs, gaps)
    return robot


def placeholder(source: str, robot: RobotLine) -> str:
    """Python text to stand in for *robot*'s source ``[start, end)``."""
    parsed = robot.parsed
    if robot.text is not None:
        return robot.text
    if parsed is None:
        return _blank_error(source, robot)
    if isinstance(parsed, TestHeader):
        return _with_exprs(source, robot, "with ", "")
    if isinstance(parsed, SubscriptHeader):
        return _subscript(source, robot, parsed)
    return "if 1" + _blank(source[robot.start + 4: robot.end - 1]) + ":"


def _blank_error(source: str, robot: RobotLine) -> str:
    """A line that did not parse: a neutral stand-in so Python can parse the rest."""
    return "if 1:" if robot.is_header else PLACEHOLDER + "()"


def _blank(text: str) -> str:
    """Spaces for *text*, keeping its line breaks (and backslash continuations)."""
    return re.sub(r"[^\n\\]", " ", text)


def _with_exprs(source: str, robot: RobotLine, opener: str, closer: str) -> str:
    return _fill(_gaps(source, robot, opener, closer), source, robot)


def _gaps(source: str, robot: RobotLine, opener: str, closer: str) -> tuple[str, ...]:
    """The placeholder's text around *robot*'s expressions (one more than there are)."""
    parts = [opener]
    base = robot.start
    pos = base + len(opener)  # source offset consumed so far
    for number, expr in enumerate(robot.exprs):
        start, end = base + expr.start, base + expr.end
        gap = _blank(source[pos:start]) if start > pos else ""
        if number:
            gap = "," + gap[1:] if gap.startswith(" ") else "," + gap
        parts[-1] += gap
        parts.append("")
        pos = end
    tail = source[pos:robot.end]
    if closer:
        parts[-1] += _blank(tail) + closer
    else:  # a header: keep its closing ':'
        parts[-1] += _blank(tail[:-1]) + ":"
    return tuple(parts)


def _fill(gaps: tuple[str, ...], source: str, robot: RobotLine) -> str:
    """The placeholder: *gaps* with *robot*'s expressions, copied from the source, between."""
    base = robot.start
    parts = [gaps[0]]
    for expr, gap in zip(robot.exprs, gaps[1:], strict=True):
        parts += [source[base + expr.start:base + expr.end], gap]
    return "".join(parts)


def _subscript(source: str, robot: RobotLine, header: SubscriptHeader) -> str:
    name_at = source.index(header.name, robot.start + len("subscript"))
    params_start, params_end = (robot.start + offset for offset in token_span(header.params))
    inner = _literal_params(source, params_start + 1, params_end - 1, robot)
    rest = source[params_end:robot.end]
    return ("def" + _blank(source[robot.start + 3:name_at]) + header.name
            + _blank(source[name_at + len(header.name):params_start])
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
        parts += [source[pos:robot.start], placeholder(source, robot)]
        pos = _replaced_end(source, robot)
    parts.append(source[pos:])
    return "".join(parts)


def _line_end(source: str, pos: int) -> int:
    end = source.find("\n", pos)
    return len(source) if end < 0 else end
