"""Turns parsed robot lines into Python ``ast`` nodes that call the runtime interface.

Every generated node takes the position of the robot line it comes from; the Python
expressions inside keep their own (they were parsed in place), so a traceback or a
failing ``assert`` points at the `.rtest` source.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from robotest.dsl.lexer import token_span
from robotest.dsl.model import (
    BareName,
    IconRef,
    KeySpec,
    Literal,
    NamedKey,
    PyExpr,
    RobotStatement,
    TestHeader,
    Value,
)

RUNTIME = "__rtest__"
RUNTIME_MODULE = "robotest.runtime.api"
Pos = tuple[int, int, int, int]
Positions = Callable[[int, int], Pos]  # offsets relative to a robot line -> positions
N = TypeVar("N", bound=ast.AST)


def span(node: ast.stmt | ast.expr) -> Pos:
    """The source position of a statement or expression node."""
    return (node.lineno, node.col_offset, node.end_lineno or node.lineno, node.end_col_offset or 0)


_LOAD = ast.Load()  # contexts hold no state: one instance serves every node, as in ast.parse


def at(pos: Pos, node: N) -> N:
    """Give *node* the source position *pos*."""
    node.lineno, node.col_offset, node.end_lineno, node.end_col_offset = pos  # type: ignore[attr-defined]
    return node


def runtime(name: str, pos: Pos) -> ast.Attribute:
    """``__rtest__.<name>``"""
    return at(pos, ast.Attribute(at(pos, ast.Name(RUNTIME, ast.Load())), name, ast.Load()))


def constant(value: Any, pos: Pos) -> ast.Constant:
    return at(pos, ast.Constant(value))


def call(name: str, args: list[ast.expr], keywords: dict[str, ast.expr], pos: Pos) -> ast.Call:
    kws = [at(pos, ast.keyword(key, value)) for key, value in keywords.items()]
    return at(pos, ast.Call(runtime(name, pos), args, kws))


class Generator:
    """Builds the nodes of one robot line from its model and its parsed expressions."""

    def __init__(self, nodes: Mapping[PyExpr, ast.expr], pos: Pos, positions: Positions):
        self.nodes = nodes
        self.pos = pos
        self.positions = positions

    def value(self, value: Value | None) -> ast.expr:
        if isinstance(value, PyExpr):
            return self.nodes[value]
        if isinstance(value, IconRef):
            return call("icon", [self.nodes[value.expr]], {}, self.pos)
        if isinstance(value, Literal):
            token = value.token
            if token is None:
                return constant(value.value, self.pos)
            return constant(value.value, self.positions(token.start_pos or 0, token.end_pos or 0))
        raise TypeError(f"no code for {value!r}")  # pragma: no cover

    def keyspec(self, spec: KeySpec) -> ast.expr:
        parts: list[ast.expr] = []
        for atom in spec.atoms:
            if isinstance(atom, NamedKey):
                t = atom.token
                parts.append(constant(atom.name, self.positions(*token_span(t))))
            else:
                parts.append(self.nodes[atom.expr if isinstance(atom, BareName) else atom])
        if all(isinstance(p, ast.Constant) and isinstance(p.value, str) for p in parts):
            first, last = span(parts[0]), span(parts[-1])
            joined = "+".join(p.value for p in parts)  # type: ignore[attr-defined]
            return constant(joined, (first[0], first[1], last[2], last[3]))
        if len(parts) == 1:
            return parts[0]
        join = at(self.pos, ast.Attribute(constant("+", self.pos), "join", ast.Load()))
        return at(self.pos, ast.Call(join, [at(self.pos, ast.Tuple(parts, ast.Load()))], []))

    def statement(self, stmt: RobotStatement, placeholder: ast.Call) -> ast.Call:
        """The runtime call of *stmt*, made from its *placeholder* (which spans the line)."""
        pos = self.pos
        subject = stmt.subject
        if subject is None:
            placeholder.args = []
        elif isinstance(subject, tuple):
            specs = [self.keyspec(spec) for spec in subject]
            placeholder.args = [specs[0] if len(specs) == 1 else at(pos, ast.List(specs, _LOAD))]
        else:
            placeholder.args = [self.value(subject)]
        name = at(pos, placeholder.func)  # the placeholder's Name, now `__rtest__`
        name.id = RUNTIME  # type: ignore[attr-defined]
        placeholder.func = at(pos, ast.Attribute(name, stmt.name, _LOAD))
        value = self.value
        placeholder.keywords = [
            at(pos, ast.keyword(key, value(clause))) for key, clause in stmt.clauses.items()
        ]
        return placeholder

    def test_decorator(self, header: TestHeader) -> ast.Call:
        keywords: dict[str, ast.expr] = {}
        if header.tags:
            keywords["tags"] = at(
                self.pos, ast.Tuple([constant(tag, self.pos) for tag in header.tags], ast.Load())
            )
        if header.timeout is not None:
            keywords["timeout"] = self.value(header.timeout)
        if header.loops:
            keywords["matrix"] = at(
                self.pos,
                ast.Tuple(
                    [
                        at(
                            self.pos,
                            ast.Tuple(
                                [
                                    at(
                                        self.pos,
                                        ast.Tuple(
                                            [constant(n, self.pos) for n in names], ast.Load()
                                        ),
                                    ),
                                    self.nodes[expr],
                                ],
                                ast.Load(),
                            ),
                        )
                        for names, expr in header.loops
                    ],
                    ast.Load(),
                ),
            )
        return call("test", [self.nodes[header.title_expr]], keywords, self.pos)


def arguments(names: list[str], pos: Pos) -> ast.arguments:
    return ast.arguments(
        posonlyargs=[],
        args=[at(pos, ast.arg(n)) for n in names],
        vararg=None,
        kwonlyargs=[],
        kw_defaults=[],
        kwarg=None,
        defaults=[],
    )


def function(
    name: str, args: ast.arguments, body: list[ast.stmt], decorator: ast.expr, pos: Pos
) -> ast.FunctionDef:
    return at(
        pos,
        ast.FunctionDef(
            name=name,
            args=args,
            body=body,
            decorator_list=[decorator],
            returns=None,
            type_comment=None,
        ),
    )


def test_function_name(title: str, taken: set[str], line: int) -> str:
    """A readable, unique Python name for a test block (it shows in tracebacks)."""
    slug = re.sub(r"\W+", "_", re.sub(r"\{[^}]*\}", "", title).lower()).strip("_")[:48]
    name = f"test_{slug}" if slug else f"test_line_{line}"
    if name in taken:
        name = f"{name}_line_{line}"
    taken.add(name)
    return name


def prelude(pos: Pos) -> list[ast.stmt]:
    """``import robotest.runtime.api as __rtest__`` and ``from ... import *``."""
    return [
        at(pos, ast.Import([at(pos, ast.alias(RUNTIME_MODULE, RUNTIME))])),
        at(pos, ast.ImportFrom(RUNTIME_MODULE, [at(pos, ast.alias("*", None))], 0)),
    ]
