"""Server-rendered pages (Jinja2): stations, runs, a run's tests with screenshots, spreadsheets.

The pages only read: every route here is a GET, so the sign-in cookie (SameSite=Strict,
HttpOnly) can never be used to change anything. Changes go through `/api`, which takes
bearer tokens only.
"""

from __future__ import annotations

import mimetypes
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from robotest.server.api import RunIdPath, StationPath, bearer, day_range, get_service
from robotest.server.auth import READ
from robotest.server.results import run_key
from robotest.server.schemas import NAME_PATTERN
from robotest.server.security import upload_headers
from robotest.server.xlsx import runs_workbook

templates = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
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
def runs_xlsx(request: Request, _: Reader, start: From = None, end: To = None) -> Response:
    storage = get_service(request).storage
    runs = storage.list_runs(*day_range(start, end))
    body = runs_workbook([(r, storage.run_tests(r["id"])) for r in reversed(runs)])
    name = f"runs_{start or 'all'}_{end or 'all'}.xlsx"
    return Response(
        body, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.get("/runs/{station}/{run_id}.xlsx")
def run_xlsx(station: StationPath, run_id: RunIdPath, request: Request, _: Reader) -> Response:
    storage = get_service(request).storage
    run = _run(request, station, run_id)
    body = runs_workbook([(run, storage.run_tests(run["id"]))])
    return Response(
        body,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{station}_{run_id}.xlsx"'},
    )


@router.get("/runs/{station}/{run_id}", response_class=HTMLResponse)
def run_page(station: StationPath, run_id: RunIdPath, request: Request, _: Reader) -> HTMLResponse:
    storage = get_service(request).storage
    run = _run(request, station, run_id)
    return page(
        request,
        "run.html",
        run=run,
        tests=storage.run_tests(run["id"]),
        files=storage.run_files(run["id"]),
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
