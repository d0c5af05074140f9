"""A test's ``for`` clauses: the cross product of their values and the title of each case.

Shared by the runtime (which expands the clauses into cases) and `rtest check` (which
expands clauses made of literals ahead of a run, to find duplicate titles early).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

Matrix = Sequence[tuple[tuple[str, ...], Iterable[Any]]]


class MatrixError(ValueError):
    """A clause's value cannot be bound to its names, or a title cannot be formatted."""


def combinations(matrix: Matrix) -> Iterator[dict[str, Any]]:
    """The parameters of every case, in order: the cross product of the clauses."""
    for combo in itertools.product(*(values for _, values in matrix)):
        params: dict[str, Any] = {}
        for (names, _), value in zip(matrix, combo, strict=True):
            params.update(bind(names, value))
        yield params


def bind(names: tuple[str, ...], value: Any) -> dict[str, Any]:
    if len(names) == 1:
        return {names[0]: value}
    values = tuple(value)
    if len(values) != len(names):
        raise MatrixError(f"cannot unpack {value!r} into {', '.join(names)}")
    return dict(zip(names, values, strict=True))


def case_title(template: str, params: dict[str, Any]) -> str:
    """A case's title: the template with its ``{name}`` placeholders filled in."""
    if not params:
        return template
    try:
        return template.format_map(params)
    except (KeyError, IndexError, ValueError) as error:
        raise MatrixError(f"test title {template!r}: {error}") from None
