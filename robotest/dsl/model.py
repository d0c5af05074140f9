"""The parsing model: robot statements and block headers as the grammar reads them.

Python expressions inside them stay source spans (:class:`PyExpr`): Python's own
parser turns them into ``ast`` nodes, so every node keeps its `.rtest` position.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lark import Token


@dataclass(frozen=True, eq=False)
class PyExpr:
    """A Python expression at source offsets ``[start, end)``.

    Compared and hashed by identity: the code generator maps each of a line's
    expressions to its parsed node, and a dataclass hash is slow.
    """

    start: int
    end: int


@dataclass(frozen=True)
class Literal:
    """A value the compiler knows (a duration in seconds, a count, a button name)."""

    value: object
    token: Token


@dataclass(frozen=True)
class NamedKey:
    """A bare key name such as ``F2`` or ``ctrl``, in its canonical spelling."""

    name: str
    token: Token


@dataclass(frozen=True)
class BareName:
    """A bare name in a key spec that is not a key: a variable holding a key spec."""

    expr: PyExpr
    token: Token


@dataclass(frozen=True)
class IconRef:
    """``icon EXPR`` where text is also allowed."""

    expr: PyExpr


KeyAtom = NamedKey | BareName | PyExpr
Value = PyExpr | Literal | IconRef


@dataclass(frozen=True)
class KeySpec:
    """Keys joined by ``+``: pressed together as one chord."""

    atoms: tuple[KeyAtom, ...]


@dataclass(frozen=True)
class RobotStatement:
    """One robot statement: its runtime function, main argument and clauses."""

    name: str
    head: Token
    subject: Value | tuple[KeySpec, ...] | None
    clauses: dict[str, Value] = field(default_factory=dict)


@dataclass(frozen=True)
class TestHeader:
    """``test "TITLE" [tags ...] [timeout DUR] [for NAMES in EXPR]...:``"""

    head: Token
    title: str
    title_expr: PyExpr
    tags: tuple[str, ...] = ()
    timeout: Value | None = None
    loops: tuple[tuple[tuple[str, ...], PyExpr], ...] = ()


@dataclass(frozen=True)
class SubscriptHeader:
    """``subscript NAME(PARAMS) [retries N] [timeout DUR]:``"""

    head: Token
    name: str
    params: Token
    retries: Value | None = None
    timeout: Value | None = None


@dataclass(frozen=True)
class HookHeader:
    """``setup:`` or ``teardown:``."""

    head: Token
    kind: str


Header = TestHeader | SubscriptHeader | HookHeader
Parsed = RobotStatement | Header


def expressions(node: Parsed) -> list[PyExpr]:
    """Every Python expression of a statement or header, in source order."""
    found: list[PyExpr] = []
    if isinstance(node, RobotStatement):
        _collect_expressions(node.subject, found)
        _collect_expressions(list(node.clauses.values()), found)
    elif isinstance(node, TestHeader):
        _collect_expressions(node.title_expr, found)
        _collect_expressions(node.timeout, found)
        _collect_expressions([expr for _, expr in node.loops], found)
    return sorted(found, key=lambda e: e.start)


def _collect_expressions(value: object, found: list[PyExpr]) -> None:
    # a module-level function, not a closure: a recursive closure is a reference cycle
    # that only the cyclic garbage collector frees
    if isinstance(value, PyExpr):
        found.append(value)
    elif isinstance(value, IconRef | BareName):
        _collect_expressions(value.expr, found)
    elif isinstance(value, KeySpec):
        for atom in value.atoms:
            _collect_expressions(atom, found)
    elif isinstance(value, tuple | list):
        for item in value:
            _collect_expressions(item, found)
