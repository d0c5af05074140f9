"""The spreadsheet of one run or of every run in a date range (openpyxl, write-only).

Rows are written as they are read from the database, into a write-only workbook that
keeps no row in memory, and the finished file is streamed from disk: a 100,000-test run
costs the server time, never memory (see docs/benchmarks.md, *Result pages*).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from robotest.results.model import STATUS_FILLS, STATUSES
from robotest.spreadsheet import row_cells

HEADERS = (
    "Run",
    "Station",
    "Image",
    "Suite version",
    "Started",
    "Ended",
    "Test",
    "Tags",
    "Status",
    "Duration (s)",
    "Message",
    "Location",
)
STATUS_COLUMN = HEADERS.index("Status")
SUMMARY = (
    "Run",
    "Station",
    "Image",
    "Suite version",
    "Started",
    "Ended",
    *(status.capitalize() for status in STATUSES),
)

RunTests = tuple[dict[str, Any], Iterable[dict[str, Any]]]


def write_runs_workbook(runs: Iterable[RunTests], path: Path) -> None:
    """Sheet *Tests*: one row per test of each (run, tests) pair; sheet *Runs*: one row
    per run with its count of each status."""
    book = Workbook(write_only=True)
    tests_sheet, summary = book.create_sheet("Tests"), book.create_sheet("Runs")
    for sheet, columns in ((tests_sheet, len(HEADERS)), (summary, len(SUMMARY))):
        sheet.freeze_panes = "A2"
        for index in range(1, columns + 1):
            sheet.column_dimensions[get_column_letter(index)].width = 18
    tests_sheet.append(row_cells(tests_sheet, HEADERS, bold=True))
    summary.append(row_cells(summary, SUMMARY, bold=True))
    for run, tests in runs:
        about = (
            run["run_id"],
            run["station"],
            run["image"],
            run["suite_version"],
            run["started_at"],
            run["ended_at"],
        )
        counts = run["counts"]
        summary.append(row_cells(summary, (*about, *(counts.get(s, 0) for s in STATUSES))))
        for test in tests:
            row = (
                run["run_id"],
                test.get("station") or run["station"],
                *about[2:],
                test["title"],
                ", ".join(test["tags"]),
                test["status"],
                round(test["duration"], 3),
                test["message"],
                test.get("location", ""),
            )
            tests_sheet.append(
                row_cells(tests_sheet, row, {STATUS_COLUMN: STATUS_FILLS[test["status"]]})
            )
    book.save(path)
