"""TOML tables of station files checked by pydantic, with errors that name file and entry.

Each table of a station file is a :class:`Table` model: unknown entries are refused,
types are strict (``baud = "fast"`` is not coerced; an integer is a valid float), and
ranges are declared on the fields. :func:`read_table` turns pydantic's first complaint
into one :class:`StationConfigError` line, ``stations/bay1.toml.keyboard.baud: expected
int, got 'fast'``. The few rules that span entries (a pneumatic keyboard needs a port)
are checked by the parsers after, with :func:`entry_error`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from robotest.drivers.errors import StationConfigError

PositiveInt = Annotated[int, Field(gt=0)]
PositiveFloat = Annotated[float, Field(gt=0)]

T = TypeVar("T", bound="Table")

_TYPE_NAMES = {
    "int_type": "int",
    "float_type": "float",
    "string_type": "str",
    "bool_type": "bool",
    "dict_type": "table",
    "list_type": "list",
    "model_type": "table",
}


class Table(BaseModel):
    """One table of a station file."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


def read_table(model: type[T], data: Any, where: str) -> T:
    """*data* (one TOML table) checked against *model*; *where* names it in errors."""
    if not isinstance(data, Mapping):
        raise StationConfigError(f"{where}: expected a table, got {data!r}")
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        raise _first_error(exc, model, where) from None


def entry_error(where: str, key: str, problem: str) -> StationConfigError:
    """The error of one entry, in the same words as :func:`read_table`'s."""
    return StationConfigError(f"{where}.{key}: {problem}")


def _first_error(exc: ValidationError, model: type[Table], where: str) -> StationConfigError:
    errors = exc.errors()
    first = errors[0]
    key = str(first["loc"][0]) if first["loc"] else ""
    kind = first["type"]
    got = first.get("input")
    if kind == "extra_forbidden":
        known = ", ".join(sorted(model.model_fields))
        return entry_error(where, key, f"unknown entry (known: {known})")
    if kind == "literal_error":
        options = ", ".join(re.findall(r"'([^']*)'", str(first.get("ctx", {}).get("expected"))))
        return entry_error(where, key, f"{got!r} is not one of {options}")
    if kind in ("greater_than", "greater_than_equal"):
        return entry_error(where, key, f"must be positive, got {got!r}")
    wanted = [
        _TYPE_NAMES[e["type"]]
        for e in errors
        if e["loc"][:1] == first["loc"][:1] and e["type"] in _TYPE_NAMES
    ]
    if wanted:
        names = " or ".join(dict.fromkeys(wanted))
        return entry_error(where, key, f"expected {names}, got {got!r}")
    message = str(first["msg"]).removeprefix("Value error, ")
    return entry_error(where, key, message)
