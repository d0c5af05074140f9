"""The spreadsheet of one run or of every run in a date range (openpyxl)."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from robotest.spreadsheet import append_row

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
)
FILLS = {"passed": "C6EFCE", "failed": "FFC7CE", "error": "FFEB9C", "station error": "D9D9D9"}


def runs_workbook(runs: list[tuple[dict[str, Any], list[dict[str, Any]]]]) -> bytes:
    """One row per test of each (run, tests) pair, with a summary sheet per run."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Tests"
    append_row(sheet, HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    summary = book.create_sheet("Runs")
    append_row(
        summary,
        (
            "Run",
            "Station",
            "Image",
            "Suite version",
            "Started",
            "Ended",
            "Passed",
            "Failed",
            "Error",
            "Station error",
        ),
    )
    for cell in summary[1]:
        cell.font = Font(bold=True)
    for run, tests in runs:
        c = run["counts"]
        append_row(
            summary,
            (
                run["run_id"],
                run["station"],
                run["image"],
                run["suite_version"],
                run["started_at"],
                run["ended_at"],
                c.get("passed", 0),
                c.get("failed", 0),
                c.get("error", 0),
                c.get("station error", 0),
            ),
        )
        for test in tests:
            append_row(
                sheet,
                (
                    run["run_id"],
                    run["station"],
                    run["image"],
                    run["suite_version"],
                    run["started_at"],
                    run["ended_at"],
                    test["title"],
                    ", ".join(test["tags"]),
                    test["status"],
                    round(test["duration"], 3),
                    test["message"],
                ),
            )
            status_cell = sheet.cell(row=sheet.max_row, column=9)
            status_cell.fill = PatternFill("solid", fgColor=FILLS[test["status"]])
    for ws in (sheet, summary):
        ws.freeze_panes = "A2"
        for idx in range(1, ws.max_column + 1):
            ws.column_dimensions[get_column_letter(idx)].width = 18
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
