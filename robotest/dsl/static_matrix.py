"""Titles of a test's cases known at check time, when its ``for`` clauses are literals.

``test "Boot {sku}" for sku in ["A", "A"]`` gives two cases with one title; the runtime
finds that only when it collects the cases. When every clause is a literal, a module
constant bound once to a literal, or ``.items()``/``.keys()``/``.values()`` of one,
`rtest check` expands the clauses with the runtime's own rules (:mod:`robotest.matrix`)
and reports the duplicate at the title. Anything else (a call, an import) is left to
the run.
"""

from __future__ import annotations

import ast
import math
from collections import Counter
from typing import Any

from robotest.matrix import MatrixError, case_title, combinations

MAX_STATIC_CASES = 10_000  # larger literal matrices are left to the run
_VIEWS = {"items": dict.items, "keys": dict.keys, "values": dict.values}


def module_constants(module: ast.Module, has_global: bool) -> dict[str, ast.expr]:
    """Module-level names bound exactly once, by a plain assignment, to their expressions.

    Only the module's own statements are looked at: a function can rebind a module name
    only through ``global``, so a module whose text says *has_global* is walked whole.
    """
    bound: Counter[str] = Counter()
    values: dict[str, ast.expr] = {}
    nodes = ast.walk(module) if has_global else _top_level_targets(module)
    for node in nodes:
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            bound[node.id] += 1
        elif isinstance(node, ast.alias):
            bound[(node.asname or node.name).split(".")[0]] += 1
    for stmt in module.body:
        if (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
        ):
            values[stmt.targets[0].id] = stmt.value
    return {name: value for name, value in values.items() if bound[name] == 1}


def _top_level_targets(module: ast.Module) -> list[ast.AST]:
    found: list[ast.AST] = []
    for stmt in module.body:
        if isinstance(stmt, ast.Assign | ast.AugAssign | ast.AnnAssign | ast.For | ast.With):
            found.extend(node for target in _targets(stmt) for node in ast.walk(target))
        elif isinstance(stmt, ast.Import | ast.ImportFrom):
            found.extend(stmt.names)
    return found


def _targets(stmt: ast.stmt) -> list[ast.expr]:
    if isinstance(stmt, ast.Assign):
        return stmt.targets
    if isinstance(stmt, ast.With):
        return [item.optional_vars for item in stmt.items if item.optional_vars is not None]
    return [stmt.target]  # type: ignore[attr-defined]  # AugAssign, AnnAssign, For


def static_titles(
    template: str, loops: list[tuple[tuple[str, ...], ast.expr]], constants: dict[str, ast.expr]
) -> list[str] | None:
    """Every case's title, or None when a clause is not known before the run."""
    matrix = []
    for names, node in loops:
        values = _static_values(node, constants)
        if values is None:
            return None
        matrix.append((names, values))
    if math.prod(len(values) for _, values in matrix) > MAX_STATIC_CASES:
        return None
    try:
        return [case_title(template, params) for params in combinations(matrix)]
    except MatrixError:
        return None  # the run reports it, with the case


def _static_values(node: ast.expr, constants: dict[str, ast.expr]) -> tuple[Any, ...] | None:
    view = None
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in _VIEWS
        and not node.args
        and not node.keywords
    ):
        view, node = _VIEWS[node.func.attr], node.func.value
    if isinstance(node, ast.Name):
        if node.id not in constants:
            return None
        node = constants[node.id]
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None
    if view is not None:
        return tuple(view(value)) if isinstance(value, dict) else None
    try:
        return tuple(value)
    except TypeError:
        return None
