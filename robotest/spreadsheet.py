"""Rows written into openpyxl sheets as data, never as formulas.

Test titles, messages and image names come from scripts and stations. openpyxl stores
any text that starts with `=` as a live formula, and a spreadsheet program may take text
starting with `+`, `-` or `@` for one when the cell is edited: such text is written as a
plain string cell, marked with Excel's quote prefix so it stays text.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@")


def append_row(sheet: Any, values: Iterable[Any]) -> None:
    """Append `values` to `sheet` (an openpyxl worksheet), every string as text."""
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
            cell.data_type = "s"
            cell.quotePrefix = True
