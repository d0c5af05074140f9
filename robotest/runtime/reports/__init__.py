"""Reports rendered from the stored results: JUnit XML, HTML and a spreadsheet.

Results are data: a report is a pure function of a run read back from the results
database, so ``rtest report RUN`` regenerates exactly what ``rtest run`` wrote.
"""

from __future__ import annotations

from pathlib import Path

from robotest.runtime.reports.html import render_html
from robotest.runtime.reports.junit import render_junit
from robotest.runtime.reports.shots import FolderShots, InlineShots, Shots
from robotest.runtime.reports.xlsx import case_shot, render_xlsx
from robotest.runtime.results import CaseResult, RunInfo

REPORT_FILES = {"junit": "junit.xml", "html": "report.html", "xlsx": "results.xlsx"}


def write_reports(
    run: RunInfo, folder: str | Path, *, self_contained: bool = False
) -> dict[str, Path]:
    """Write the three reports of *run* (read with its steps) into *folder*: the HTML
    with its screenshots in ``shots/`` beside it, or all inside it (*self_contained*)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {kind: folder / name for kind, name in REPORT_FILES.items()}
    paths["junit"].write_bytes(render_junit(run))
    shots: Shots = InlineShots() if self_contained else FolderShots(folder)
    paths["html"].write_text(render_html(run, shots), encoding="utf-8")

    def shot_link(index: int, case: CaseResult) -> str | None:
        png = case_shot(case)
        if png is None:
            return None
        shot = shots.add(png)
        if shot is None or not shot.full:
            return f"{REPORT_FILES['html']}#case-{index}"
        return shot.full

    render_xlsx(run, paths["xlsx"], shot_link)
    return paths


__all__ = ["REPORT_FILES", "render_html", "render_junit", "render_xlsx", "write_reports"]
