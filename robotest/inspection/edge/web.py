"""The HTTP side of the edge service: the JSON API for line equipment and the web console.

API (``docs/protocols/inspection.md``): ``POST /api/units/{unit}`` with the image file as
the body answers OK/NG; ``/api/review``, ``/api/updates`` and ``/api/status`` serve tools.
Console (``docs/inspection.md``, *In production*): ``/`` the line's overview, ``/review``
the two-stage review of uncertain units, ``/updates`` the update history.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from robotest.inspection.edge.limits import MAX_IMAGE_BYTES
from robotest.inspection.edge.review import failed_sample_ratio
from robotest.inspection.edge.service import EdgeService
from robotest.inspection.edge.updates import UPDATE_KINDS, Updates
from robotest.inspection.errors import InspectionError
from robotest.inspection.registry import now

templates = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))


def create_app(service: EdgeService, updates: Updates) -> FastAPI:
    """The FastAPI application of one line's edge service."""
    app = FastAPI(title=f"robotest inspection edge: line {service.line_name}")
    line = service.line_name

    @app.exception_handler(InspectionError)
    async def bad_input(request: Request, exc: InspectionError) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=400)

    # -- API for the line's equipment and tools -----------------------------------
    @app.post("/api/units/{unit}")
    async def inspect_unit(unit: str, request: Request) -> JSONResponse:
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > MAX_IMAGE_BYTES:
            return JSONResponse({"error": f"image is {declared} bytes, the limit is "
                                 f"{MAX_IMAGE_BYTES}"}, status_code=413)
        body = await request.body()
        from starlette.concurrency import run_in_threadpool

        record, new = await run_in_threadpool(service.inspect, unit, body)
        return JSONResponse({**record.answer(), "new": new})

    @app.get("/api/units/{unit}")
    def get_unit(unit: str) -> dict[str, Any]:
        record = service.units.get(line, unit)
        if record is None:
            raise HTTPException(404, f"line {line!r} has no unit {unit!r}")
        return {**record.answer(), "received_at": record.received_at,
                "review_verdict": record.review_verdict,
                "review_attention": record.review_attention}

    @app.get("/api/status")
    def status() -> dict[str, Any]:
        config = service.refresh()
        return {"line": config.to_json(), "counts": service.units.verdict_counts(line),
                "queue": len(service.units.queue(line)),
                "attention": service.units.attention_counts(line),
                "failed_sample_ratio": failed_sample_ratio(service.units, config)}

    @app.get("/api/review")
    def review_queue() -> list[dict[str, Any]]:
        return [{**u.answer(), "received_at": u.received_at,
                 "review_verdict": u.review_verdict} for u in service.units.queue(line)]

    @app.post("/api/review/{unit}")
    def review_unit(unit: str, body: dict[str, str]) -> dict[str, Any]:
        record = service.units.review(line, unit, verdict=body.get("verdict"),
                                      attention=body.get("attention"), at=now())
        return {**record.answer(), "review_verdict": record.review_verdict,
                "review_attention": record.review_attention}

    @app.get("/api/updates")
    def update_history() -> list[dict[str, Any]]:
        return [u.__dict__ for u in updates.history(line)]

    @app.post("/api/updates/{kind}")
    def run_update(kind: str) -> dict[str, Any]:
        if kind == "due":
            done = updates.run_due(line)
            return {"update": None if done is None else done.__dict__}
        if kind not in UPDATE_KINDS[:2]:
            raise InspectionError(f"update kind must be finetune, retrain or due, got {kind!r}")
        done = updates.finetune(line) if kind == "finetune" else updates.retrain(line)
        return {"update": done.__dict__}

    # -- console for line managers ------------------------------------------------
    @app.get("/", response_class=HTMLResponse)
    def overview(request: Request) -> HTMLResponse:
        config = service.refresh()
        counts = service.units.verdict_counts(line)
        total = counts["OK"] + counts["NG"]
        return templates.TemplateResponse(request, "overview.html", {
            "line": config, "counts": counts, "total": total,
            "ng_ratio": counts["NG"] / total if total else 0.0,
            "timeline": service.units.timeline(line)[-60:],
            "queue": len(service.units.queue(line)),
            "attention": service.units.attention_counts(line),
            "p99": service.units.answer_time_p99(line),
            "ratio": failed_sample_ratio(service.units, config),
            "recent": service.units.recent(line, 20), "updates": updates.history(line)[:5]})

    @app.get("/review", response_class=HTMLResponse)
    def review_page(request: Request) -> HTMLResponse:
        queue = service.units.queue(line)
        return templates.TemplateResponse(request, "review.html", {
            "line": service.line, "unit": queue[0] if queue else None, "left": len(queue)})

    @app.post("/review/{unit}/{stage}/{choice}")
    def review_click(unit: str, stage: str, choice: str) -> RedirectResponse:
        if stage not in ("verdict", "attention"):
            raise HTTPException(404, f"no review stage {stage!r}")
        service.units.review(line, unit, at=now(), **{stage: choice})
        return RedirectResponse("/review", status_code=303)

    @app.get("/updates", response_class=HTMLResponse)
    def updates_page(request: Request) -> HTMLResponse:
        return templates.TemplateResponse(request, "updates.html", {
            "line": service.line, "updates": updates.history(line)})

    @app.get("/units/{unit}/{picture}.png")
    def unit_picture(unit: str, picture: str) -> Response:
        record = service.units.get(line, unit)
        if record is None or record.folder is None or picture not in ("image", "heatmap"):
            raise HTTPException(404, f"no {picture} kept for unit {unit!r}")
        return FileResponse(Path(record.folder) / f"{picture}.png", media_type="image/png")

    return app
