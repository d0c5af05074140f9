"""The fleet's pages: runs submitted to the fleet, and a run's live progress (cases done
per station, rate, ETA) with every case's status and station. Read-only, like the
server's other pages; a page of a run still going reloads itself every few seconds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from robotest.fleet.api import RunPath, get_fleet
from robotest.fleet.service import UnknownRun
from robotest.server import web

PAGE_SIZE = 500
templates = Jinja2Templates(
    directory=[
        str(Path(__file__).with_name("templates")),
        str(Path(web.__file__).with_name("templates")),
    ]
)
templates.env.globals.update(web.templates.env.globals)  # the server's base page needs them
router = APIRouter()


@router.get("/fleet", response_class=HTMLResponse)
def fleet_runs_page(request: Request, _: web.Reader) -> HTMLResponse:
    runs = get_fleet(request).store.runs()
    return templates.TemplateResponse(request, "fleet_runs.html", {"runs": runs})


@router.get("/fleet/runs/{run_id}", response_class=HTMLResponse)
def fleet_run_page(
    run_id: RunPath,
    request: Request,
    _: web.Reader,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    status: Annotated[str | None, Query(max_length=20)] = None,
) -> HTMLResponse:
    fleet = get_fleet(request)
    try:
        progress = fleet.progress(run_id)
    except UnknownRun as exc:
        raise HTTPException(404, str(exc)) from exc
    cases = fleet.store.cases(run_id, (page - 1) * PAGE_SIZE, PAGE_SIZE, status or None)
    shown = progress["counts"].get(status, 0) if status else progress["total"]
    return templates.TemplateResponse(
        request,
        "fleet_run.html",
        {
            "run": progress,
            "cases": cases,
            "page": page,
            "status": status or "",
            "pages": max(1, -(-shown // PAGE_SIZE)),
            "live": progress["exit_code"] is None,
        },
    )
