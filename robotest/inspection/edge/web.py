"""The HTTP side of the edge service: the JSON API for line equipment and the web console.

API (``docs/protocols/inspection.md``): ``POST /api/units/{unit}`` with the image file as
the body answers OK/NG; ``/api/review``, ``/api/updates`` and ``/api/status`` serve tools.
Console (``docs/inspection.md``, *In production*): ``/login``, ``/`` the line's
overview, ``/review`` the two-stage review, ``/updates`` the update history.

Every endpoint needs a token of the right role (``auth``): ``line`` posts units (unless
the service runs with ``open_units``), ``reviewer`` reviews, ``engineer`` also runs
updates. A console page without a login sends the browser to ``/login``; the API
answers 401 (no valid token) or 403 (a role that may not).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from robotest.inspection.edge.auth import ENGINEER, POST_UNITS, READ, REVIEW, Holder, Tokens
from robotest.inspection.edge.limits import MAX_IMAGE_BYTES
from robotest.inspection.edge.review import failed_sample_ratio
from robotest.inspection.edge.security import (
    COOKIE,
    request_token,
    security_headers,
    set_login_cookie,
)
from robotest.inspection.edge.service import EdgeService
from robotest.inspection.edge.units import UnitConflict
from robotest.inspection.edge.updates import UPDATE_KINDS, Updates
from robotest.inspection.errors import InspectionError
from robotest.inspection.registry import now

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
MAX_FORM_BYTES = 64 * 1024
VERSION_NAME = re.compile(
    r"(?P<kind>[a-z0-9]+)-(?P<data>[0-9a-f]{1,8})-"
    r"(?P<d>\d{8})T(?P<t>\d{6})Z(?:\.(?P<n>\d+))?"
)


class LoginRequired(Exception):
    """A console page was asked for without a valid login."""


def version_label(name: str | None) -> str:
    """``ae-7feca15c-20261122T015358Z`` -> ``ae of 2026-11-22 01:53 UTC (data 7feca15c)``."""
    if not name:
        return "none"
    match = VERSION_NAME.fullmatch(name)
    if match is None:
        return name
    d, t = match["d"], match["t"]
    copy = f" #{match['n']}" if match["n"] else ""
    return (
        f"{match['kind']} of {d[:4]}-{d[4:6]}-{d[6:]} {t[:2]}:{t[2:4]} UTC{copy} "
        f"(data {match['data']})"
    )


templates.env.filters["version_label"] = version_label


def create_app(service: EdgeService, updates: Updates, *, open_units: bool = False) -> FastAPI:
    """The FastAPI application of one line's edge service."""
    app = FastAPI(
        title=f"robotest inspection edge: line {service.line_name}",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.middleware("http")(security_headers)
    line = service.line_name
    tokens = Tokens(service.registry)

    def allowed(request: Request, roles: frozenset[str]) -> Holder:
        holder = tokens.holder(request_token(request), line)
        if holder is None:
            if request.url.path.startswith("/api/"):
                raise HTTPException(401, "a token is needed (Authorization: Bearer TOKEN)")
            raise LoginRequired()
        if holder.role not in roles:
            raise HTTPException(
                403, f"role {holder.role} may not do this (needs {' or '.join(sorted(roles))})"
            )
        return holder

    def page(request: Request, name: str, **context: Any) -> HTMLResponse:
        return templates.TemplateResponse(
            request, name, {"line": service.refresh(), "open_units": open_units, **context}
        )

    @app.exception_handler(UnitConflict)
    async def conflict(request: Request, exc: UnitConflict) -> JSONResponse:
        return JSONResponse({"error": str(exc), "unit": exc.unit}, status_code=409)

    @app.exception_handler(InspectionError)
    async def bad_input(request: Request, exc: InspectionError) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=400)

    @app.exception_handler(LoginRequired)
    async def login_first(request: Request, exc: LoginRequired) -> RedirectResponse:
        return RedirectResponse("/login", status_code=303)

    # -- API for the line's equipment and tools -----------------------------------
    @app.post("/api/units/{unit}")
    async def inspect_unit(unit: str, request: Request) -> JSONResponse:
        if not open_units:
            allowed(request, POST_UNITS)
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > MAX_IMAGE_BYTES:
            return JSONResponse(
                {"error": f"image is {declared} bytes, the limit is {MAX_IMAGE_BYTES}"},
                status_code=413,
            )
        body = await request.body()
        record, new = await run_in_threadpool(service.inspect, unit, body)
        return JSONResponse({**record.answer(), "new": new})

    @app.get("/api/units/{unit}")
    def get_unit(unit: str, request: Request) -> dict[str, Any]:
        allowed(request, READ)
        record = service.units.get(line, unit)
        if record is None:
            raise HTTPException(404, f"line {line!r} has no unit {unit!r}")
        return {
            **record.answer(),
            "received_at": record.received_at,
            "review_verdict": record.review_verdict,
            "review_attention": record.review_attention,
            "picture_kept": record.folder is not None,
        }

    @app.get("/api/status")
    def status(request: Request) -> dict[str, Any]:
        allowed(request, READ)
        config = service.refresh()
        low, high = service.band()
        return {
            "line": config.to_json(),
            "counts": service.units.verdict_counts(line),
            "queue": len(service.units.queue(line, config.version)),
            "band": [low, high],
            "calibration_units": service.calibration.units,
            "open_units": open_units,
            "attention": service.units.attention_counts(line),
            "failed_sample_ratio": failed_sample_ratio(service.units, config),
        }

    @app.get("/api/review")
    def review_queue(request: Request) -> list[dict[str, Any]]:
        allowed(request, REVIEW)
        return [
            {**u.answer(), "received_at": u.received_at, "review_verdict": u.review_verdict}
            for u in service.units.queue(line, service.refresh().version)
        ]

    @app.post("/api/review")
    def review_many(request: Request, body: dict[str, Any]) -> dict[str, Any]:
        """Bulk action: ``{"units": [...], "verdict": ..., "attention": ...}``."""
        allowed(request, REVIEW)
        names = body.get("units")
        if (
            not isinstance(names, list)
            or not all(isinstance(u, str) for u in names)
            or not 0 < len(names) <= 1000
        ):
            raise InspectionError("units must be a list of 1 to 1000 unit ids")
        done = service.units.review_many(
            line, names, verdict=body.get("verdict"), attention=body.get("attention"), at=now()
        )
        return {"reviewed": [u.unit for u in done]}

    @app.post("/api/review/{unit}")
    def review_unit(unit: str, request: Request, body: dict[str, str]) -> dict[str, Any]:
        allowed(request, REVIEW)
        record = service.units.review(
            line, unit, verdict=body.get("verdict"), attention=body.get("attention"), at=now()
        )
        return {
            **record.answer(),
            "review_verdict": record.review_verdict,
            "review_attention": record.review_attention,
        }

    @app.get("/api/updates")
    def update_history(request: Request) -> list[dict[str, Any]]:
        allowed(request, REVIEW)
        return [u.__dict__ for u in updates.history(line)]

    @app.post("/api/updates/{kind}")
    def run_update(kind: str, request: Request) -> dict[str, Any]:
        allowed(request, ENGINEER)
        if kind == "due":
            done = updates.run_due(line)
            return {"update": None if done is None else done.__dict__}
        if kind not in UPDATE_KINDS[:2]:
            raise InspectionError(f"update kind must be finetune, retrain or due, got {kind!r}")
        done = updates.finetune(line) if kind == "finetune" else updates.retrain(line)
        return {"update": done.__dict__}

    # -- console for line managers ------------------------------------------------
    @app.get("/login", response_class=HTMLResponse)
    def login_page(request: Request) -> HTMLResponse:
        return templates.TemplateResponse(
            request, "login.html", {"line": service.line, "error": None}
        )

    @app.post("/login", response_model=None)
    async def login(request: Request) -> Response:
        token = (await _form(request)).get("token", "")
        holder = tokens.holder(token, line)
        if holder is None or holder.role not in REVIEW:
            return templates.TemplateResponse(
                request,
                "login.html",
                {
                    "line": service.line,
                    "error": "This token is not a reviewer's or an "
                    "engineer's token of this line (or it was revoked).",
                },
                status_code=403,
            )
        response = RedirectResponse("/", status_code=303)
        set_login_cookie(response, request, token)
        return response

    @app.post("/logout")
    def logout() -> RedirectResponse:
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response

    @app.get("/", response_class=HTMLResponse)
    def overview(request: Request) -> HTMLResponse:
        holder = allowed(request, REVIEW)
        config = service.refresh()
        counts = service.units.verdict_counts(line)
        total = counts["OK"] + counts["NG"]
        return page(
            request,
            "overview.html",
            holder=holder,
            counts=counts,
            total=total,
            ng_ratio=counts["NG"] / total if total else 0.0,
            timeline=service.units.timeline(line)[-60:],
            queue=len(service.units.queue(line, config.version)),
            retired=service.units.retired_waiting(line, config.version),
            band=service.band(),
            calibration=service.calibration,
            attention=service.units.attention_counts(line),
            p99=service.units.answer_time_p99(line),
            ratio=failed_sample_ratio(service.units, config),
            recent=service.units.recent(line, 20),
            updates=updates.history(line)[:5],
        )

    @app.get("/review", response_class=HTMLResponse)
    def review_page(request: Request) -> HTMLResponse:
        holder = allowed(request, REVIEW)
        queue = service.units.queue(line, service.refresh().version)
        return page(
            request,
            "review.html",
            holder=holder,
            unit=queue[0] if queue else None,
            left=len(queue),
            waiting=queue[:200],
        )

    @app.post("/review/bulk")
    async def review_bulk(request: Request) -> RedirectResponse:
        """Ticked units alike: from the queue (correct) or the NG archive (wrong)."""
        allowed(request, REVIEW)
        form = await _form_lists(request)
        names = form.get("unit", [])
        if not names:
            raise InspectionError("tick at least one unit to review")
        verdict = form.get("verdict", ["correct"])[0]
        service.units.review_many(line, names, verdict=verdict, attention="well", at=now())
        back = "/archive" if form.get("back") == ["archive"] else "/review"
        return RedirectResponse(back, status_code=303)

    @app.get("/archive", response_class=HTMLResponse)
    def archive_page(request: Request) -> HTMLResponse:
        holder = allowed(request, REVIEW)
        waiting = [u for u in service.units.archived(line) if u.verdict == "NG"]
        unreviewed = [u for u in reversed(waiting) if u.review_verdict is None]
        return page(
            request, "archive.html", holder=holder, units=unreviewed[:200], total=len(unreviewed)
        )

    @app.post("/review/{unit}/{stage}/{choice}")
    def review_click(unit: str, stage: str, choice: str, request: Request) -> RedirectResponse:
        allowed(request, REVIEW)
        if stage not in ("verdict", "attention"):
            raise HTTPException(404, f"no review stage {stage!r}")
        service.units.review(line, unit, at=now(), **{stage: choice})
        return RedirectResponse("/review", status_code=303)

    @app.get("/updates", response_class=HTMLResponse)
    def updates_page(request: Request) -> HTMLResponse:
        holder = allowed(request, REVIEW)
        return page(request, "updates.html", holder=holder, updates=updates.history(line))

    @app.get("/units/{unit}/{picture}.png")
    def unit_picture(unit: str, picture: str, request: Request) -> Response:
        allowed(request, REVIEW)
        record = service.units.get(line, unit)
        if record is None or record.folder is None or picture not in ("image", "heatmap"):
            raise HTTPException(404, f"no {picture} kept for unit {unit!r}")
        return FileResponse(Path(record.folder) / f"{picture}.png", media_type="image/png")

    @app.get("/console.js")
    def console_script() -> FileResponse:
        return FileResponse(HERE / "templates" / "console.js", media_type="text/javascript")

    return app


async def _form_lists(request: Request) -> dict[str, list[str]]:
    """An ``application/x-www-form-urlencoded`` body, bounded (python-multipart, which
    FastAPI's ``Form`` needs, is not a dependency for two small forms)."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise InspectionError(f"form is {len(body)} bytes, the limit is {MAX_FORM_BYTES}")
    return parse_qs(body.decode("utf-8", "replace"), max_num_fields=1000)


async def _form(request: Request) -> dict[str, str]:
    return {k: v[0] for k, v in (await _form_lists(request)).items()}
