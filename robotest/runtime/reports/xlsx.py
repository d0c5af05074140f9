"""The spreadsheet the verification team reads: one row per test case.

Beside the status and the message: the expected and the actual value where the failure
names them, the `.rtest` location where it failed, and a link to the case's failure
screenshot (a file beside the report, or the case in the self-contained report).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from robotest.results.statuses import STATUS_FILLS
from robotest.runtime.reports.failures import failed_step, failure_of
from robotest.runtime.results import CaseResult, RunInfo
from robotest.spreadsheet import append_row

#: Where a case's screenshot is, relative to the spreadsheet (None: it has none).
ShotLink = Callable[[int, CaseResult], str | None]

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
    "Expected",
    "Actual",
    "Location",
    "Screenshot",
)


def render_xlsx(run: RunInfo, path: str | Path, shot_link: ShotLink | None = None) -> None:
    """Write *run*'s cases as a sheet named ``Run N`` (and a ``Run`` info sheet);
    *shot_link* says where each case's screenshot is."""
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
    for index, case in enumerate(run.cases):
        failure = failure_of(case)
        link = shot_link(index, case) if shot_link is not None else None
        append_row(
            sheet,
            (
                case.station,
                image,
                case.serial or run.serial,
                case.title,
                ", ".join(case.tags),
                case.status,
                round(case.duration, 3),
                case.message,
                case.file,
                failure.expected,
                failure.actual,
                failure.location,
                "screenshot" if link else "",
            ),
        )
        fill = STATUS_FILLS.get(case.status)
        if fill:
            sheet.cell(row=sheet.max_row, column=6).fill = PatternFill("solid", fgColor=fill)
        if link:
            cell = sheet.cell(row=sheet.max_row, column=len(HEADER))
            cell.hyperlink = link
            cell.font = Font(color="0563C1", underline="single")
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    widths = (14, 24, 16, 40, 20, 14, 12, 60, 40, 24, 40, 28, 12)
    for column, width in zip("ABCDEFGHIJKLM", widths, strict=True):
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


def case_shot(case: CaseResult) -> bytes | None:
    """The screenshot that shows how *case* failed (its failed step's), if any."""
    step = failed_step(case)
    return step.screenshot if step is not None else None
