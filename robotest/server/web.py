"""Server-rendered pages (Jinja2): stations, runs, a run's tests with screenshots, spreadsheets."""

from __future__ import annotations

import mimetypes
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from robotest.server.api import bearer, get_service
from robotest.server.auth import READ
from robotest.server.xlsx import runs_workbook

templates = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
router = APIRouter()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class LoginRequired(Exception):
    """The page needs a reader, station or publisher token."""


def reader(request: Request) -> str:
    token = bearer(request) or request.query_params.get("token")
    record = get_service(request).token(token) if token else None
    if record is None or record.role not in READ:
        raise LoginRequired()
    return record.name


def page(request: Request, name: str, **context: Any) -> HTMLResponse:
    response = templates.TemplateResponse(request, name, context)
    token = request.query_params.get("token")
    if token:
        response.set_cookie("rtest_token", token, httponly=True, samesite="strict")
    return response


@router.get("/", response_class=HTMLResponse)
def stations_page(request: Request) -> HTMLResponse:
    reader(request)
    service = get_service(request)
    return page(request, "stations.html", stations=service.storage.list_stations(),
                channels=service.storage.list_channels())


@router.get("/runs", response_class=HTMLResponse)
def runs_page(request: Request, start: str | None = Query(None, alias="from"),
              end: str | None = Query(None, alias="to"),
              station: str | None = None) -> HTMLResponse:
    reader(request)
    runs = get_service(request).storage.list_runs(_day(start), _day_after(end), station)
    return page(request, "runs.html", runs=runs, start=start or "", end=end or "",
                station=station or "")


@router.get("/runs.xlsx")
def runs_xlsx(request: Request, start: str | None = Query(None, alias="from"),
              end: str | None = Query(None, alias="to")) -> Response:
    reader(request)
    storage = get_service(request).storage
    runs = storage.list_runs(_day(start), _day_after(end))
    body = runs_workbook([(r, storage.run_tests(r["id"])) for r in reversed(runs)])
    name = f"runs_{start or 'all'}_{end or 'all'}.xlsx"
    return Response(body, media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/runs/{run_id}.xlsx")
def run_xlsx(run_id: str, request: Request) -> Response:
    reader(request)
    storage = get_service(request).storage
    run = storage.get_run(run_id)
    if run is None:
        raise HTTPException(404, f"no run {run_id}")
    body = runs_workbook([(run, storage.run_tests(run_id))])
    return Response(body, media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{run_id}.xlsx"'})


@router.get("/runs/{run_id}", response_class=HTMLResponse)
def run_page(run_id: str, request: Request) -> HTMLResponse:
    reader(request)
    storage = get_service(request).storage
    run = storage.get_run(run_id)
    if run is None:
        raise HTTPException(404, f"no run {run_id}")
    return page(request, "run.html", run=run, tests=storage.run_tests(run_id),
                files=storage.run_files(run_id))


@router.get("/runs/{run_id}/files/{path:path}")
def run_file(run_id: str, path: str, request: Request) -> Response:
    reader(request)
    service = get_service(request)
    match = [f for f in service.storage.run_files(run_id) if f["path"] == path]
    if not match:
        raise HTTPException(404, f"run {run_id} has no file {path}")
    media = mimetypes.guess_type(path)[0] or "application/octet-stream"
    return Response(service.results.read(match[0]["sha256"]), media_type=media)


def _day(text: str | None) -> str | None:
    return date.fromisoformat(text).isoformat() if text else None


def _day_after(text: str | None) -> str | None:
    return (date.fromisoformat(text) + timedelta(days=1)).isoformat() if text else None


def login_page(request: Request, exc: Exception) -> Response:
    """Pages opened without a valid token answer 401 with a form asking for one."""
    return templates.TemplateResponse(request, "login.html", {"next": request.url.path},
                                      status_code=401)
