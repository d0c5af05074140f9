"""The fleet's HTTP API, under /api/v1/fleet (bearer tokens, as the rest of the API).

- POST /runs (publisher): submit a run; answers its id at once, the cases are listed and
  dealt in the background (status `dealing`, then `running`).
- GET /runs/{id} (any token): progress; `?cases=true` adds every case (title, status,
  station), `&offset=&limit=&status=` pages them.
- POST /runs/{id}/cancel (publisher): cancel.
- POST /runs/{id}/claim and /runs/{id}/results (station): a worker's side.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Path, Query, Request
from fastapi.concurrency import run_in_threadpool

from robotest.fleet.labels import check_labels
from robotest.fleet.models import ClaimRequest, ResultBatch, SubmitRequest
from robotest.fleet.service import FleetService, NoChannel, UnknownRun
from robotest.server.api import Publisher, Reader, Station

RUN_PATTERN = r"^[0-9]{8}-[0-9]{6}-[0-9a-f]{6}$"
RunPath = Annotated[str, Path(pattern=RUN_PATTERN)]
router = APIRouter(prefix="/api/v1/fleet")


def get_fleet(request: Request) -> FleetService:
    fleet: FleetService = request.app.state.fleet
    return fleet


Fleet = Annotated[FleetService, Depends(get_fleet)]


def _known(run_id: str) -> HTTPException:
    return HTTPException(404, f"no fleet run {run_id}")


@router.post("/runs", status_code=201)
def submit(body: SubmitRequest, fleet: Fleet, who: Publisher) -> dict[str, Any]:
    try:
        check_labels(body.labels)
        run_id = fleet.submit(body, who.name)
    except ValueError as exc:
        raise HTTPException(422, f"labels: {exc}") from exc
    except NoChannel as exc:
        raise HTTPException(404, str(exc)) from exc
    return {"run": run_id}


@router.get("/runs/{run_id}")
def get_run(
    run_id: RunPath,
    fleet: Fleet,
    _: Reader,
    cases: bool = False,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
) -> dict[str, Any]:
    try:
        progress = fleet.progress(run_id)
    except UnknownRun as exc:
        raise _known(run_id) from exc
    if cases:
        progress["cases"] = fleet.store.cases(run_id, offset, limit, status)
    return progress


@router.post("/runs/{run_id}/cancel")
def cancel(run_id: RunPath, fleet: Fleet, _: Publisher) -> dict[str, Any]:
    try:
        return fleet.cancel(run_id)
    except UnknownRun as exc:
        raise _known(run_id) from exc


def _own_station(station: str, who: Any) -> None:
    if station != who.name:
        raise HTTPException(403, f"station {station!r} sent with the token of {who.name!r}")


@router.post("/runs/{run_id}/claim")
async def claim(run_id: RunPath, body: ClaimRequest, fleet: Fleet, who: Station) -> dict[str, Any]:
    _own_station(body.station, who)
    try:
        return await run_in_threadpool(fleet.claim, run_id, body.cases)
    except UnknownRun as exc:
        raise _known(run_id) from exc


@router.post("/runs/{run_id}/results")
async def results(run_id: RunPath, body: ResultBatch, fleet: Fleet, who: Station) -> dict[str, Any]:
    _own_station(body.station, who)
    try:
        done = await run_in_threadpool(fleet.record, run_id, body.station, body.cases)
    except UnknownRun as exc:
        raise _known(run_id) from exc
    return {
        "recorded": done.recorded,
        "duplicates": done.duplicates,
        "rerun": done.rerun,
        "cancelled": done.cancelled,
    }


def attach(app: FastAPI, broker: str) -> None:
    """Give the server's app the fleet: its API, its pages and a broker to deal onto."""
    from robotest.fleet import web
    from robotest.fleet.engine import make_engine
    from robotest.fleet.store import FleetStore
    from robotest.server.storage import SqlStorage

    service = app.state.service
    assert isinstance(service.storage, SqlStorage)
    app.state.fleet = FleetService(service, make_engine(broker), FleetStore(service.storage.engine))
    app.include_router(router)
    app.include_router(web.router)
