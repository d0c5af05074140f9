"""The spreadsheet the verification team reads: one row per test case."""

from __future__ import annotations

from pathlib import Path

from robotest.runtime.results import FAILED, PASSED, STATION_ERROR, RunInfo
from robotest.spreadsheet import append_row

HEADER = (
    "Station",
    "Image",
    "Serial",
    "Test",
    "Tags",
    "Status",
    "Duration (s)",
    "Failure message",
    "File",
)
_FILL = {PASSED: "C6EFCE", FAILED: "FFC7CE", STATION_ERROR: "FFEB9C"}


def render_xlsx(run: RunInfo, path: str | Path) -> None:
    """Write *run*'s cases as a sheet named ``Run N`` (and a ``Run`` info sheet)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"Run {run.id}"
    append_row(sheet, HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    image = f"{run.image} {run.image_version}".strip()
    for case in run.cases:
        append_row(
            sheet,
            (
                case.station,
                image,
                case.serial or run.serial,
                case.title,
                ", ".join(case.tags),
                case.outcome,
                round(case.duration, 3),
                case.message,
                case.file,
            ),
        )
        fill = _FILL.get(case.outcome, "F2DCDB" if case.outcome != "skipped" else "EDEDED")
        sheet.cell(row=sheet.max_row, column=6).fill = PatternFill("solid", fgColor=fill)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for column, width in zip("ABCDEFGHI", (14, 24, 16, 40, 20, 14, 12, 60, 40), strict=True):
        sheet.column_dimensions[column].width = width
    info = book.create_sheet("Run")
    for row in (
        ("Run", run.id),
        ("Station", run.station),
        ("Image", image),
        ("Serial", run.serial),
        ("Suite version", run.suite_version),
        ("Status", run.status),
        ("Started", _time(run.started)),
        ("Ended", _time(run.ended)),
    ):
        append_row(info, row)
    book.save(path)


def _time(stamp: float | None) -> str:
    import datetime

    if stamp is None:
        return ""
    return datetime.datetime.fromtimestamp(stamp).isoformat(sep=" ", timespec="seconds")
