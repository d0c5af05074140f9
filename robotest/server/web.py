"""Server-rendered pages (Jinja2): stations, runs, a run's tests with screenshots, spreadsheets.

The pages only read: every route here is a GET, so the sign-in cookie (SameSite=Strict,
HttpOnly) can never be used to change anything. Changes go through `/api`, which takes
bearer tokens only.
"""

from __future__ import annotations

import mimetypes
import os
import tempfile
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from starlette.background import BackgroundTask

from robotest.results.model import STATUS_FILLS, STATUSES
from robotest.server.api import (
    Filter,
    RunIdPath,
    StationPath,
    bearer,
    day_range,
    get_service,
)
from robotest.server.auth import READ
from robotest.server.results import run_key
from robotest.server.schemas import NAME_PATTERN
from robotest.server.security import upload_headers
from robotest.server.xlsx import RunTests, write_runs_workbook

templates = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
templates.env.globals.update(status_fills=STATUS_FILLS, statuses=STATUSES)
PAGE_SIZE = 100
"""Tests on one page of a run."""
SHOWN_FILES = 200
"""Files listed on a run's page (every file stays reachable by its path)."""
router = APIRouter()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COOKIE = "rtest_token"


class LoginRequired(Exception):
    """The page needs a reader, station or publisher token."""


class SignedIn(Exception):
    """A `?token=` link was followed: set the cookie and reload the page without it."""

    def __init__(self, token: str):
        self.token = token


def reader(request: Request) -> str:
    """The signed-in name; a valid `?token=` link signs in (SignedIn), anything else
    without a valid token shows the sign-in form (LoginRequired)."""
    service = get_service(request)
    link_token = request.query_params.get("token")
    if link_token:
        record = service.token(link_token.strip())
        if record is None:
            raise LoginRequired()
        raise SignedIn(link_token.strip())
    token = bearer(request) or request.cookies.get(COOKIE)
    record = service.token(token) if token else None
    if record is None or record.role not in READ:
        raise LoginRequired()
    return record.name


Reader = Annotated[str, Depends(reader)]
From = Annotated[date | None, Query(alias="from")]
To = Annotated[date | None, Query(alias="to")]


def page(request: Request, name: str, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context)


@router.get("/", response_class=HTMLResponse)
def stations_page(request: Request, _: Reader) -> HTMLResponse:
    service = get_service(request)
    return page(
        request,
        "stations.html",
        stations=service.storage.list_stations(),
        channels=service.storage.list_channels(),
    )


@router.get("/runs", response_class=HTMLResponse)
def runs_page(
    request: Request,
    _: Reader,
    start: From = None,
    end: To = None,
    station: Annotated[str | None, Query(pattern=NAME_PATTERN)] = None,
) -> HTMLResponse:
    runs = get_service(request).storage.list_runs(*day_range(start, end), station)
    return page(
        request, "runs.html", runs=runs, start=start or "", end=end or "", station=station or ""
    )


@router.get("/runs.xlsx")
def runs_xlsx(request: Request, _: Reader, start: From = None, end: To = None) -> FileResponse:
    storage = get_service(request).storage
    runs = storage.list_runs(*day_range(start, end))
    name = f"runs_{start or 'all'}_{end or 'all'}.xlsx"
    return _spreadsheet([(r, storage.iter_tests(r["id"])) for r in reversed(runs)], name)


@router.get("/runs/{station}/{run_id}.xlsx")
def run_xlsx(station: StationPath, run_id: RunIdPath, request: Request, _: Reader) -> FileResponse:
    storage = get_service(request).storage
    run = _run(request, station, run_id)
    return _spreadsheet([(run, storage.iter_tests(run["id"]))], f"{station}_{run_id}.xlsx")


def _spreadsheet(runs: Iterable[RunTests], name: str) -> FileResponse:
    """The workbook of *runs*, written to a temporary file (tests read in batches, rows
    never held in memory) and streamed from it; the file goes when the response is sent.
    (A sync route: FastAPI runs it in a worker thread, so other requests go on.)"""
    handle, path = tempfile.mkstemp(suffix=".xlsx", prefix="rtest-export-")
    os.close(handle)
    try:
        write_runs_workbook(runs, Path(path))
    except BaseException:
        os.unlink(path)
        raise
    return FileResponse(
        path, media_type=XLSX, filename=name, background=BackgroundTask(os.unlink, path)
    )


@router.get("/runs/{station}/{run_id}", response_class=HTMLResponse)
def run_page(
    station: StationPath,
    run_id: RunIdPath,
    request: Request,
    _: Reader,
    where: Filter,
    page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    """One page of the run's tests, filtered by status, tag, station and text."""
    storage = get_service(request).storage
    run = _run(request, station, run_id)
    total, tests = storage.page_tests(run["id"], where, (page_number - 1) * PAGE_SIZE, PAGE_SIZE)
    files = storage.run_files(run["id"])
    query = {"status": where.status, "tag": where.tag, "station": where.station, "q": where.text}
    kept = {k: v for k, v in query.items() if v}
    return page(
        request,
        "run.html",
        run=run,
        tests=tests,
        total=total,
        page=page_number,
        pages=max(1, -(-total // PAGE_SIZE)),
        first=(page_number - 1) * PAGE_SIZE,
        where=query,
        facets=storage.run_facets(run["id"]),
        link=lambda **change: "?" + urlencode({**kept, **change}),
        files=files[:SHOWN_FILES],
        more_files=max(0, len(files) - SHOWN_FILES),
    )


@router.get("/runs/{station}/{run_id}/files/{path:path}")
def run_file(
    station: StationPath, run_id: RunIdPath, path: str, request: Request, _: Reader
) -> Response:
    """A file a station uploaded, served so that no browser runs it in this origin
    (see `security.upload_headers`)."""
    service = get_service(request)
    key = run_key(station, run_id)
    match = [f for f in service.storage.run_files(key) if f["path"] == path]
    if not match:
        raise HTTPException(404, f"run {key} has no file {path[:200]}")
    media = mimetypes.guess_type(path)[0] or "application/octet-stream"
    return Response(
        service.results.read(match[0]["sha256"]),
        media_type=media,
        headers=upload_headers(path, media),
    )


def _run(request: Request, station: str, run_id: str) -> dict[str, Any]:
    run = get_service(request).storage.get_run(run_key(station, run_id))
    if run is None:
        raise HTTPException(404, f"no run {run_key(station, run_id)}")
    return run


def login_page(request: Request, exc: Exception) -> Response:
    """Pages opened without a valid token answer 401 with a form asking for one."""
    return templates.TemplateResponse(
        request, "login.html", {"next": request.url.path}, status_code=401
    )


def sign_in(request: Request, exc: Exception) -> Response:
    """Set the sign-in cookie and send the browser to the same page without the token, so
    that it stays out of the address bar, the history and the logs of what comes next."""
    assert isinstance(exc, SignedIn)
    query = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "token"])
    response = RedirectResponse(request.url.path + (f"?{query}" if query else ""), status_code=303)
    response.set_cookie(
        COOKIE, exc.token, httponly=True, samesite="strict", secure=request.url.scheme == "https"
    )
    response.headers["cache-control"] = "no-store"
    return response
