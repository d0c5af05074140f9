"""Rows written into openpyxl sheets as data, never as formulas.

Test titles, messages and image names come from scripts and stations. openpyxl stores
any text that starts with `=` as a live formula, and a spreadsheet program may take text
starting with `+`, `-` or `@` for one when the cell is edited: such text is written as a
plain string cell, marked with Excel's quote prefix so it stays text.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@")


def append_row(sheet: Any, values: Iterable[Any]) -> None:
    """Append `values` to `sheet` (an openpyxl worksheet), every string as text."""
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
            cell.data_type = "s"
            cell.quotePrefix = True


def row_cells(
    sheet: Any, values: Iterable[Any], fills: dict[int, str] | None = None, bold: bool = False
) -> list[Any]:
    """A row for a write-only sheet (`sheet.append(row_cells(...))`): every string as
    text, the cell at each index of *fills* with that background colour (RGB hex)."""
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for index, value in enumerate(values):
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str) and value.startswith(FORMULA_STARTS):
            cell.data_type = "s"
            cell.quotePrefix = True
        if fills and index in fills:
            cell.fill = _fill(fills[index])
        if bold:
            cell.font = _bold()
        cells.append(cell)
    return cells


@cache
def _fill(colour: str) -> Any:
    from openpyxl.styles import PatternFill

    return PatternFill("solid", fgColor=colour)


@cache
def _bold() -> Any:
    from openpyxl.styles import Font

    return Font(bold=True)
