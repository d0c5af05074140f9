"""Reports rendered from the stored results: JUnit XML, HTML and a spreadsheet.

Results are data: a report is a pure function of a run read back from the results
database, so ``rtest report RUN`` regenerates exactly what ``rtest run`` wrote.
"""

from __future__ import annotations

from pathlib import Path

from robotest.runtime.reports.html import render_html
from robotest.runtime.reports.junit import render_junit
from robotest.runtime.reports.xlsx import render_xlsx
from robotest.runtime.results import RunInfo

REPORT_FILES = {"junit": "junit.xml", "html": "report.html", "xlsx": "results.xlsx"}


def write_reports(run: RunInfo, folder: str | Path) -> dict[str, Path]:
    """Write the three reports of *run* (read with its steps) into *folder*."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {kind: folder / name for kind, name in REPORT_FILES.items()}
    paths["junit"].write_bytes(render_junit(run))
    paths["html"].write_text(render_html(run), encoding="utf-8")
    render_xlsx(run, paths["xlsx"])
    return paths


__all__ = ["REPORT_FILES", "render_html", "render_junit", "render_xlsx", "write_reports"]
