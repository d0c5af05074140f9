"""Undefined names, found at check time by pyflakes over the compiled module's AST.

The compiled AST keeps every `.rtest` location, so pyflakes' line and column are the
script's own. The runtime's names come in through ``from robotest.runtime.api import *``,
which would make pyflakes give up ("may be undefined"); that import is left out of the
analysed copy and its names are declared as builtins instead.

Only `rtest check` runs this pass: imports and runs compile without it, so that the
cold compile stays close to ``ast.parse`` + ``compile``.
"""

from __future__ import annotations

import ast
import builtins
import difflib
from collections.abc import Iterable

from pyflakes import checker as pyflakes_checker
from pyflakes import messages as pyflakes_messages

from robotest.dsl.diagnostics import Diagnostic
from robotest.keys import NAMED_KEYS

_KEYS_BY_FOLDED = {key.lower(): key for key in NAMED_KEYS}


def undefined_names(
    tree: ast.Module, filename: str, runtime_names: Iterable[str]
) -> list[Diagnostic]:
    """One diagnostic per use of a name that nothing defines, with a hint where one helps."""
    known = set(runtime_names)
    module = ast.Module(body=[s for s in tree.body if not _is_star_import(s)], type_ignores=[])
    found = pyflakes_checker.Checker(module, filename=filename, builtins=known)
    defined = known | _module_names(found) | set(dir(builtins))
    diagnostics = []
    for message in found.messages:
        if isinstance(message, pyflakes_messages.UndefinedName):
            name = message.message_args[0]
            diagnostics.append(
                Diagnostic(filename, message.lineno, message.col + 1, _describe(name, defined))
            )
    return sorted(diagnostics, key=lambda d: (d.line, d.col))


def _describe(name: str, defined: set[str]) -> str:
    key = _KEYS_BY_FOLDED.get(name.lower())
    if key is not None:
        return f'name {name!r} is not defined; {key} is a key name: in a call write "{key}"'
    close = difflib.get_close_matches(name, sorted(defined), n=1, cutoff=0.75)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return f"name {name!r} is not defined{hint}"


def _module_names(found: pyflakes_checker.Checker) -> set[str]:
    """Names bound anywhere in the module (for "did you mean" hints)."""
    return {name for scope in found.deadScopes for name in scope}


def _is_star_import(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.ImportFrom) and any(alias.name == "*" for alias in stmt.names)
