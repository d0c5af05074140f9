"""The robot statements of the `.rtest` language, declared once.

Each statement has one name: the word a script writes (``click_icon "terminal"``), the
function of :mod:`robotest.runtime.api` it compiles to and the method of
:class:`robotest.runtime.backend.Runtime` that carries it out. This table says what
each one takes; everything that knows the statements derives from it: the lexer's
keywords and the scanner's patterns (:mod:`robotest.dsl`), the parser's clause checks
and messages, the runtime API's ``__all__``, the step recorder and the record station.

The lark grammar (``dsl/robot.lark``) stays declarative, and the Python signatures of the
runtime functions and methods are written out; ``tests/dsl/test_language_table.py``
checks that each declares exactly what this table says.

This module imports nothing from robotest: every layer may read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

#: The mouse buttons a click may use (``button right``).
BUTTONS: tuple[str, ...] = ("left", "right", "middle")
#: Where ``read_text`` reads beside its anchor (``read_text right_of "EC Version"``).
SIDES: tuple[str, ...] = ("right_of", "left_of", "below", "above")
#: The word before an icon name where text is also allowed (``await_gone icon "spinner"``).
ICON_WORD = "icon"


class Arg(StrEnum):
    """What kind of value a statement's subject or clause takes."""

    KEYS = "keys"  # key specs: F2, ctrl+alt+Delete, "a", (expr); comma-separated
    TEXT = "text"  # a string or a compiled re pattern
    ICON = "icon"  # an icon's name
    TARGET = "target"  # text, or an icon: icon "spinner"
    POINT = "point"  # (x, y) in screen pixels, or a match
    NAME = "name"  # a screenshot's name
    DURATION = "duration"  # 500ms, 2s, 1.5min, 1h, or (expr) in seconds
    COUNT = "count"  # a whole number, or (expr)
    REGION = "region"  # (x, y, w, h) in screen pixels
    BUTTON = "button"  # one of BUTTONS
    FLAG = "flag"  # no value: the word alone turns it on


@dataclass(frozen=True)
class Clause:
    """A clause of a statement: its word and the runtime function's keyword for it."""

    word: str
    keyword: str
    kind: Arg


#: Every statement clause, by word.
CLAUSES: dict[str, Clause] = {
    clause.word: clause
    for clause in (
        Clause("times", "times", Arg.COUNT),
        Clause("every", "every", Arg.DURATION),
        Clause("hold", "hold", Arg.DURATION),
        Clause("in", "region", Arg.REGION),
        Clause("within", "within", Arg.DURATION),
        Clause("button", "button", Arg.BUTTON),
        Clause("double", "double", Arg.FLAG),
        *(Clause(side, side, Arg.TARGET) for side in SIDES),
    )
}

#: What a statement gives back: a match, a match or None, the text read; None: nothing.
Gives = Literal["match", "match or none", "text"] | None
#: What a statement's failure means: an icon or text not found, something still there.
Fails = Literal["icon not found", "text not found", "still on screen"] | None


@dataclass(frozen=True)
class Statement:
    """One robot statement: its name, subject, clauses and what it gives back."""

    name: str
    subject: Arg | None  # the value after the word; None: clauses only
    clauses: tuple[str, ...]  # the words of CLAUSES it takes
    gives: Gives = None  # a statement that gives a value may stand inside an expression
    fails: Fails = None
    subject_optional: bool = False

    @property
    def embeddable(self) -> bool:
        """Whether it may stand inside a Python expression (it gives a value)."""
        return self.gives is not None

    @property
    def keywords(self) -> tuple[str, ...]:
        """The runtime function's keyword arguments for its clauses."""
        return tuple(CLAUSES[word].keyword for word in self.clauses)


_FIND = ("in", "within")
_CLICK = ("button", "double")

STATEMENTS: tuple[Statement, ...] = (
    Statement("press", Arg.KEYS, ("times", "every", "hold")),
    Statement("type_text", Arg.TEXT, ("every",)),
    Statement("click_icon", Arg.ICON, _FIND + _CLICK, "match", "icon not found"),
    Statement("click_text", Arg.TEXT, _FIND + _CLICK, "match", "text not found"),
    Statement("await_text", Arg.TEXT, _FIND, "match", "text not found"),
    Statement("await_icon", Arg.ICON, _FIND, "match", "icon not found"),
    Statement("await_gone", Arg.TARGET, _FIND, fails="still on screen"),
    Statement("exists_text", Arg.TEXT, _FIND, "match or none"),
    Statement("exists_icon", Arg.ICON, _FIND, "match or none"),
    Statement("read_text", None, (*SIDES, "in"), "text"),
    Statement("click", Arg.POINT, _CLICK),
    Statement("move_to", Arg.POINT, ()),
    Statement("wait", Arg.DURATION, ()),
    Statement("screenshot", Arg.NAME, (), subject_optional=True),
)
STATEMENT: dict[str, Statement] = {statement.name: statement for statement in STATEMENTS}
STATEMENT_NAMES: tuple[str, ...] = tuple(STATEMENT)

#: Block headers and the clauses each takes (``test "Title" tags smoke timeout 5min:``).
HEADERS: dict[str, tuple[str, ...]] = {
    "test": ("tags", "timeout", "for"),
    "subscript": ("retries", "timeout"),
    "setup": (),
    "teardown": (),
}

#: Every word that is a keyword after a robot line's first word.
CLAUSE_WORDS: tuple[str, ...] = tuple(
    dict.fromkeys(
        [*CLAUSES, ICON_WORD, *(word for clauses in HEADERS.values() for word in clauses)]
    )
)

#: Runtime functions that are not statements (``log`` is recorded as a step too).
HELPERS: tuple[str, ...] = ("log", "station_time", "icon")
#: What the step recorder makes a step of: every statement, and ``log``.
STEPS: tuple[str, ...] = (*STATEMENT_NAMES, "log")


def clauses_of(word: str) -> tuple[str, ...]:
    """The clause words a statement or a block header takes (none for anything else)."""
    statement = STATEMENT.get(word)
    return statement.clauses if statement is not None else HEADERS.get(word, ())
