"""Finds robot lines in `.rtest` source and stands Python placeholders in for them.

Robot statements and block headers are recognised at the start of a logical line,
like Python's soft keywords: ``press F2`` is a robot statement, while ``press = 3``,
``press(x)`` and ``press.x`` stay Python. Each robot line is replaced by Python text
of the same shape (``_R_(...)`` for a statement, ``with ...:``, ``def ...:`` or
``if 1:`` for a header) that keeps every embedded Python expression at its original
line and column, so one run of Python's parser yields nodes with `.rtest` positions.

A statement that gives a value may also stand inside a Python expression, where an
operand may: ``print(read_text right_of "EC Version")``. Such an *embedded* statement
ends before its own depth's closing bracket, ``,``, ``:``, comparison, ``and``/``or``,
``if``/``else`` or ``for``; its text becomes an atom ``(_R_   )`` of the same length
in UTF-8 bytes, so everything after it on its line keeps its column, and its Python
expressions are parsed apart (see the compiler), at their own positions.
"""

from __future__ import annotations

import dataclasses
import keyword
import re
from dataclasses import dataclass, field

from robotest import language
from robotest.dsl.durations import parse_duration
from robotest.dsl.lexer import (
    CLAUSE_WORDS,
    HEAD_WORDS,
    LexError,
    LineIndex,
    lex_robot_line,
    token_span,
)
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

# Longest first, so that a word is never taken for a shorter one it starts with.
_STATEMENTS = "|".join(sorted(language.STATEMENT_NAMES, key=len, reverse=True))
# The statements that give a value, and so may stand inside an expression.
EMBEDDABLE = tuple(statement.name for statement in language.STATEMENTS if statement.embeddable)
_EMBEDDED = re.compile(rf"(?<![\w.])(?P<stmt>{'|'.join(EMBEDDABLE)})[ \t]+(?P<next>\S)")
# What may stand just before an operand: an open bracket, a separator, an operator...
_OPERAND_AFTER = frozenset("([{,=:;+-*/%&|^<>@~")
# ... or one of these words.
_OPERAND_WORDS = frozenset(
    (
        "return",
        "if",
        "elif",
        "while",
        "assert",
        "else",
        "in",
        "not",
        "and",
        "or",
        "yield",
        "await",
        "is",
    )
)
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
    embedded: bool = False  # inside a Python expression, replaced by an atom
    expr_texts: list[str] = field(default_factory=list)  # an embedded one's expressions


# The parse of a one-line robot line depends only on its text; a statement's parse
# does not even depend on what its string literals hold (they are Python expressions
# whose text the placeholder copies), so statements are looked up with the insides of
# their strings masked: `click_text "Next"` and `click_text "Back"` share one parse.
# parse, error, length, expressions, placeholder gaps, the text of the line parsed
_Entry = tuple[Parsed | None, tuple[str, int] | None, int, list[PyExpr], tuple[str, ...], str]
_PARSES: dict[str, _Entry] = {}
_PARSES_LIMIT = 100_000
_PARSED_LINE_LIMIT = 1_000  # characters: longer lines are rare, and each entry stays small
_ONE_LINE_STRING = re.compile(r"\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'")
_TRIPLE_QUOTES = re.compile(r"'{3}|\"{3}")
# A bracket at a statement's own level opens one Python expression (a GROUP token),
# which the parse keeps as a span: digits inside brackets (`click (1191, 249)`) do not
# change the parse, so they are masked too. Only innermost brackets are matched; each
# lies inside a group, and every digit masked to 0 leaves a valid number or name.
_INNERMOST_GROUP = re.compile(r"[(\[{][^()\[\]{}\n]*[)\]}]")
_DIGIT = re.compile(r"\d")
# A number or duration standing alone (`times 3`, `within 2min`): a count or a duration
# whose value each line takes from its own text on a hit (see _own_values).
_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d*)?")
# A test header's title, when it is a plain one-line string (no prefix, no escapes):
# its value is its text between the quotes, taken from each line on a cache hit.
_PLAIN_TITLE = re.compile(r"test[ \t]+(\"[^\"\\\n]*\"|'[^'\\\n]*')")
# A sub-script's name: any other name takes the same parse, but a word of the language
# or of Python (`subscript timeout(x):`), which lexes or reads differently.
_SUBSCRIPT_NAME = re.compile(r"subscript[ \t]+([^\W\d]\w*)")


def _maskable_name(name: str) -> bool:
    return name not in CLAUSE_WORDS and name not in HEAD_WORDS and not keyword.iskeyword(name)


def _lookup_key(text: str, is_header: bool) -> str:
    """A robot line's key in :data:`_PARSES`: a statement's text with its strings masked.

    Every one-line string literal keeps its quotes and length and its inside becomes
    ``_``s, and digits inside brackets become ``0``s; two lines with the same key lex
    into the same tokens at the same offsets, differing only inside strings and
    groups. Headers keep their text (their names and tags are values), but for a test
    header's plain title, whose value each line takes from its own text on a hit; so do
    lines with triple quotes.
    """
    if _TRIPLE_QUOTES.search(text):
        return text
    if is_header:
        return _header_key(text)
    if "'" in text or '"' in text:
        text = _ONE_LINE_STRING.sub(_masked, text)
    if "(" in text or "[" in text or "{" in text:
        text = _INNERMOST_GROUP.sub(_digits_masked, text)
    return _NUMBER.sub(_digits_masked, text)


def _header_key(text: str) -> str:
    title = _PLAIN_TITLE.match(text)
    if title is not None:
        start, end = title.span(1)
        rest = text[end:]
        if "'" not in rest and '"' not in rest:  # a tag string is a value: keep its digits
            rest = _NUMBER.sub(_digits_masked, rest)
        return text[: start + 1] + "_" * (end - start - 2) + text[end - 1] + rest
    name = _SUBSCRIPT_NAME.match(text)
    if name is not None and _maskable_name(name.group(1)):
        start, end = name.span(1)
        return text[:start] + "_" * (end - start) + _NUMBER.sub(_digits_masked, text[end:])
    return text


def _digits_masked(match: re.Match[str]) -> str:
    return _DIGIT.sub("0", match.group())


def _masked(match: re.Match[str]) -> str:
    string = match.group()
    return string[0] + "_" * (len(string) - 2) + string[0]


def find_robot_lines(source: str) -> list[RobotLine]:
    """Every line that looks like a robot statement or header, parsed, and every
    statement that looks embedded in an expression; in source order."""
    found: list[RobotLine] = []
    line, counted = 1, 0  # the line number at offset `counted`
    for match in _CANDIDATE.finditer(source):
        if not _is_robot(match, source):
            continue
        head = match.start("stmt") if match.group("stmt") else match.start("header")
        if found and head < _replaced_end(source, found[-1]):
            continue  # inside the brackets of the line before: part of its expression
        robot = _parse_line(source, head, is_header=match.group("header") is not None)
        if _inside_brackets(robot, match.group("stmt")):
            robot = _parse_embedded(source, head, match.group("stmt"))
        line += source.count("\n", counted, head)
        counted = head
        _place(source, robot, line)
        found.append(robot)
    embedded = _find_embedded(source, {robot.start for robot in found})
    return sorted(found + embedded, key=lambda robot: robot.start) if embedded else found


def _place(source: str, robot: RobotLine, line: int) -> None:
    robot.line, robot.col = line, robot.start - source.rfind("\n", 0, robot.start) - 1
    robot.one_line = source.find("\n", robot.start, robot.end) < 0


def _inside_brackets(robot: RobotLine, word: str | None) -> bool:
    """Whether a statement starting its line stands inside brackets opened before it
    (``print(\n    read_text right_of "X")``): its line closes a bracket it never opened."""
    return word in EMBEDDABLE and robot.error is not None and robot.error[0].startswith("unmatched")


def _find_embedded(source: str, line_level: set[int]) -> list[RobotLine]:
    """Statements that give a value, standing where an operand of an expression may."""
    found: list[RobotLine] = []
    if _EMBEDDED.search(source) is None:
        return found
    index: LineIndex | None = None  # made at the first one: most matches start a line
    for match in _EMBEDDED.finditer(source):
        head = match.start()
        if (
            head in line_level
            or match.group("next") in _PYTHON_AFTER
            or not _follows_operand_place(source, head)
        ):
            continue
        word = _PYTHON_WORDS.match(source, match.start("next"))
        if word is not None and not _opens_with_clause(match.group("stmt"), word.group()):
            continue
        robot = _parse_embedded(source, head, match.group("stmt"))
        index = index or LineIndex(source)
        _place(source, robot, index.position(head)[0])
        found.append(robot)
    return found


def _follows_operand_place(source: str, head: int) -> bool:
    """Whether the code before *head* on its line ends where an operand may start."""
    before = source[source.rfind("\n", 0, head) + 1 : head].rstrip(" \t")
    if not before or "#" in _ONE_LINE_STRING.sub("", before):  # a line's start; a comment
        return False
    if before[-1] in _OPERAND_AFTER:
        return True
    word = re.search(r"(?<![\w.])\w+$", before)
    return word is not None and word.group() in _OPERAND_WORDS


def _parse_embedded(source: str, head: int, word: str) -> RobotLine:
    """An embedded statement at *head*: its parse, or its error and a bounded extent."""
    robot = RobotLine(head, head, is_header=False, embedded=True)
    try:
        tokens, robot.end = lex_robot_line(source, head, embedded=True)
        robot.parsed = parse_tokens(tokens, robot.end - head)
        robot.exprs = expressions(robot.parsed)
    except LexError as error:
        robot.error = (str(error), error.pos)
        # up to the error, on its own line: the atom must not swallow the next lines
        robot.end = min(max(head + error.pos, head + len(word)), _line_end(source, head))
    except RobotSyntaxError as error:
        robot.error = (str(error), error.pos)
        robot.parsed, robot.exprs = None, []
    return robot


def _replaced_end(source: str, robot: RobotLine) -> int:
    """Where the text that :func:`substitute` replaces for *robot* ends."""
    if robot.parsed is not None or robot.embedded:
        return robot.end
    return _line_end(source, robot.start)


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
    return _opens_with_clause(match.group("stmt"), word.group())


def _opens_with_clause(word: str, python_word: str) -> bool:
    """Whether a statement that takes no subject goes on with a clause that is also a
    Python word (``read_text in (0, 0, 80, 20)``): a robot line, not Python."""
    statement = language.STATEMENT[word]
    return statement.subject is None and python_word in statement.clauses


def _parse_line(source: str, head: int, is_header: bool) -> RobotLine:
    line_end = source.find("\n", head)
    line_end = len(source) if line_end < 0 else line_end
    key = _lookup_key(source[head:line_end], is_header)
    cached = _PARSES.get(key)
    text = source[head:line_end]
    own = cached if cached is None or cached[5] == text else _own_values(cached, source, head)
    if own is not None:
        parsed, error, length, exprs, cached_gaps, _ = own
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
    if (
        robot.error is None
        and robot.end <= line_end
        and len(_PARSES) < _PARSES_LIMIT
        and len(key) <= _PARSED_LINE_LIMIT
    ):
        _PARSES[key] = (robot.parsed, robot.error, robot.end - head, robot.exprs, gaps, text)
    return robot


def _own_values(entry: _Entry, source: str, head: int) -> _Entry | None:
    """A cached parse of a line with the same key, with this line's own values (its test
    title, sub-script name, counts and durations); None when one is not valid here."""
    parsed = entry[0]
    try:
        if isinstance(parsed, RobotStatement):
            subject = parsed.subject
            if isinstance(subject, Literal):
                subject = _own_literal(subject, source, head)
            clauses = {
                name: _own_literal(value, source, head) if isinstance(value, Literal) else value
                for name, value in parsed.clauses.items()
            }
            if subject is not parsed.subject or any(
                clauses[name] is not value for name, value in parsed.clauses.items()
            ):
                parsed = RobotStatement(parsed.name, parsed.head, subject, clauses)
        elif isinstance(parsed, TestHeader):
            parsed = _with_title(parsed, source, head)
            if isinstance(parsed.timeout, Literal):
                parsed = dataclasses.replace(
                    parsed, timeout=_own_literal(parsed.timeout, source, head)
                )
        elif isinstance(parsed, SubscriptHeader):
            parsed = _with_name(parsed, source, head)
            retries, timeout = parsed.retries, parsed.timeout
            if isinstance(retries, Literal):
                retries = _own_literal(retries, source, head)
            if isinstance(timeout, Literal):
                timeout = _own_literal(timeout, source, head)
            parsed = dataclasses.replace(parsed, retries=retries, timeout=timeout)
    except (ValueError, RobotSyntaxError):
        return None  # parsed afresh, which reports it
    return (parsed, *entry[1:])


def _own_literal(literal: Literal, source: str, head: int) -> Literal:
    token = literal.token
    kind = getattr(token, "type", None)
    if kind not in ("DURATION", "NUMBER"):
        return literal
    text = source[head + (token.start_pos or 0) : head + (token.end_pos or 0)]
    value = parse_duration(text) if kind == "DURATION" else int(text.replace("_", ""), 0)
    return literal if value == literal.value else Literal(value, token)


def _with_title(header: TestHeader, source: str, head: int) -> TestHeader:
    """*header*, parsed from a line with another plain title, with this line's title."""
    title = source[head + header.title_expr.start + 1 : head + header.title_expr.end - 1]
    if title == header.title:
        return header
    return TestHeader(
        header.head, title, header.title_expr, header.tags, header.timeout, header.loops
    )


def _with_name(header: SubscriptHeader, source: str, head: int) -> SubscriptHeader:
    """*header*, parsed from a line with another sub-script name, with this line's name."""
    name = _SUBSCRIPT_NAME.match(source, head).group(1)  # type: ignore[union-attr]
    if name == header.name:
        return header
    return SubscriptHeader(header.head, name, header.params, header.retries, header.timeout)


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
    return "if 1" + _blank(source[robot.start + 4 : robot.end - 1]) + ":"


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
    tail = source[pos : robot.end]
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
        parts += [source[base + expr.start : base + expr.end], gap]
    return "".join(parts)


def _subscript(source: str, robot: RobotLine, header: SubscriptHeader) -> str:
    name_at = source.index(header.name, robot.start + len("subscript"))
    params_start, params_end = (robot.start + offset for offset in token_span(header.params))
    inner = _literal_params(source, params_start + 1, params_end - 1, robot)
    rest = source[params_end : robot.end]
    return (
        "def"
        + _blank(source[robot.start + 3 : name_at])
        + header.name
        + _blank(source[name_at + len(header.name) : params_start])
        + "("
        + inner
        + ")"
        + _blank(rest[:-1])
        + ":"
    )


_PARAM_TOKEN = re.compile(
    r"(?P<dur>(?<![\w.])(?:\d+(?:\.\d*)?|\.\d+)(?:ms|min|s|h)(?!\w))"
    r"|(?P<keys>(?<==)[ \t]*[A-Za-z]\w*(?:[ \t]*\+[ \t]*[A-Za-z]\w*)*(?=[ \t]*[,)\n]|[ \t]*$))"
    r"|(?P<skip>'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"|#[^\n]*)"
)


def _literal_params(source: str, start: int, end: int, robot: RobotLine) -> str:
    """Parameter text with duration and key-spec defaults replaced by ``0``.

    Their values go to ``robot.literals`` by offset, for the code generator.
    """
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


@dataclass(slots=True)
class _Nested:
    """A robot line and the embedded statements inside its expressions."""

    robot: RobotLine
    inner: list[_Nested] = field(default_factory=list)


def substitute(source: str, robots: list[RobotLine]) -> str:
    """The source with every robot line replaced by its placeholder.

    An embedded statement inside another statement's expression is replaced in the
    copy of that expression (``click (await_icon "ok")``).
    """
    return _replaced(source, 0, len(source), _nest(source, robots))


def _nest(source: str, robots: list[RobotLine]) -> list[_Nested]:
    roots: list[_Nested] = []
    open_: list[_Nested] = []
    for robot in robots:
        while open_ and robot.start >= _replaced_end(source, open_[-1].robot):
            open_.pop()
        node = _Nested(robot)
        (open_[-1].inner if open_ else roots).append(node)
        open_.append(node)
    return roots


def _replaced(source: str, start: int, end: int, nodes: list[_Nested]) -> str:
    """``source[start:end]`` with the robot lines of *nodes* in it replaced."""
    parts = []
    pos = start
    for node in nodes:
        if node.robot.start < pos or node.robot.start >= end:
            continue  # outside this span (in a part of its robot line that is no expression)
        parts += [source[pos : node.robot.start], _replacement(source, node)]
        pos = _replaced_end(source, node.robot)
    parts.append(source[pos:end])
    return "".join(parts)


def _replacement(source: str, node: _Nested) -> str:
    robot = node.robot
    texts = None
    if node.inner:
        base = robot.start
        texts = [_replaced(source, base + e.start, base + e.end, node.inner) for e in robot.exprs]
    if robot.embedded:
        robot.expr_texts = (
            texts
            if texts is not None
            else [source[robot.start + e.start : robot.start + e.end] for e in robot.exprs]
        )
        return atom(source, robot)
    if texts is not None and isinstance(robot.parsed, RobotStatement | TestHeader):
        opener, closer = (
            (PLACEHOLDER + "(", ")") if isinstance(robot.parsed, RobotStatement) else ("with ", "")
        )
        gaps = _gaps(source, robot, opener, closer)
        return gaps[0] + "".join(text + gap for text, gap in zip(texts, gaps[1:], strict=True))
    return placeholder(source, robot)


def atom(source: str, robot: RobotLine) -> str:
    """An embedded statement's stand-in: ``(_R_`` and ``)`` around blanks, as many UTF-8
    bytes on each line as its text (Python's columns count bytes)."""
    text = source[robot.start : robot.end]
    middle = "".join(c if c == "\n" else " " * _utf8_len(c) for c in text[4:-1])
    return "(" + PLACEHOLDER + middle + ")" + " " * (_utf8_len(text[-1]) - 1)


def _utf8_len(char: str) -> int:
    return 1 if char.isascii() else len(char.encode("utf-8", "surrogatepass"))


def _line_end(source: str, pos: int) -> int:
    end = source.find("\n", pos)
    return len(source) if end < 0 else end
