"""The JSON/HTTP API: publish, channels, versions, objects, sync reports and results."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, StreamingResponse
from pydantic import ValidationError

from robotest.server.archive import Limits, read_archive
from robotest.server.auth import PUBLISH, READ, STATION
from robotest.server.clock import now_iso
from robotest.server.errors import ArchiveError, CompileRefused
from robotest.server.expansion import check_expansion
from robotest.server.manifest import Manifest, diff
from robotest.server.publishing import publish_archive
from robotest.server.results import counts, parse_run, run_key
from robotest.server.schemas import (
    CHANNEL_PATTERN,
    MAX_SYNC_REPORT,
    NAME_PATTERN,
    RUN_ID_PATTERN,
    VERSION_PATTERN,
    RollbackRequest,
    SyncReport,
    VersionId,
)
from robotest.server.service import Service
from robotest.server.storage import ChannelRecord, Conflict, TokenRecord

MAX_FETCH = 5000
FRAME_CHUNK = 256 * 1024


def get_service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


def bearer(request: Request) -> str | None:
    """The `Authorization: Bearer` token: the API's only credential. (The web pages'
    cookie is never accepted here: a browser would send it with any request a page
    makes, so a page could act with the signed-in user's rights.)"""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return None


def require(roles: frozenset[str]) -> Callable[..., TokenRecord]:
    """A dependency that admits a token whose role is in `roles`."""

    def check(request: Request) -> TokenRecord:
        token = bearer(request)
        if not token:
            raise HTTPException(
                401,
                "missing token (send 'Authorization: Bearer TOKEN')",
                headers={"WWW-Authenticate": "Bearer"},
            )
        record = get_service(request).token(token)
        if record is None:
            raise HTTPException(401, "unknown token", headers={"WWW-Authenticate": "Bearer"})
        if record.role not in roles:
            raise HTTPException(
                403, f"a {record.role} token may not do this (needs {' or '.join(sorted(roles))})"
            )
        return record

    return check


Reader = Annotated[TokenRecord, Depends(require(READ))]
Publisher = Annotated[TokenRecord, Depends(require(PUBLISH))]
Station = Annotated[TokenRecord, Depends(require(STATION))]
Svc = Annotated[Service, Depends(get_service)]
router = APIRouter(prefix="/api/v1")


ChannelPath = Annotated[str, Path(pattern=CHANNEL_PATTERN)]
VersionPath = Annotated[str, Path(pattern=VERSION_PATTERN)]
StationPath = Annotated[str, Path(pattern=NAME_PATTERN)]
RunIdPath = Annotated[str, Path(pattern=RUN_ID_PATTERN)]


async def read_body(request: Request, limit: int, what: str = "upload") -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, f"{what} of {declared} bytes is over the limit of {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, f"{what} is over the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def channel_json(record: ChannelRecord) -> dict[str, Any]:
    return {
        "channel": record.name,
        "version": record.version_id,
        "seq": record.seq,
        "updated_at": record.updated_at,
        "updated_by": record.updated_by,
        "signature": record.signature,
    }


@router.get("/public-key")
def public_key(service: Svc) -> dict[str, str]:
    """The server's public key (pin it on stations from a trusted copy, not from here)."""
    return {"public_key": service.signer.public_key_text}


@router.post("/publish", status_code=201)
async def publish(
    request: Request,
    service: Svc,
    who: Publisher,
    channel: Annotated[str, Query(pattern=CHANNEL_PATTERN)] = "stable",
) -> dict[str, Any]:
    data = await read_body(request, service.config.max_body)
    try:
        done = await run_in_threadpool(publish_archive, service, data, channel, who.name)
    except ArchiveError as exc:
        raise HTTPException(400, f"archive refused, nothing stored: {exc}") from exc
    except CompileRefused as exc:
        raise HTTPException(
            422,
            {
                "error": f"suite does not compile, nothing stored: {exc}",
                "diagnostics": exc.diagnostics,
            },
        ) from exc
    return {
        "version": done.manifest.version,
        "files": len(done.manifest.files),
        "channel": channel_json(done.channel),
        "changes": done.changes,
    }


@router.get("/channels")
def list_channels(service: Svc, _: Reader) -> list[dict[str, Any]]:
    return [channel_json(c) for c in service.storage.list_channels()]


@router.get("/channels/{name}")
def get_channel(name: ChannelPath, service: Svc, _: Reader) -> dict[str, Any]:
    record = service.storage.get_channel(name)
    if record is None:
        raise HTTPException(404, f"no channel {name!r}")
    return channel_json(record)


@router.get("/channels/{name}/history")
def channel_history(name: ChannelPath, service: Svc, _: Reader) -> list[dict[str, Any]]:
    return service.storage.channel_history(name)


@router.post("/channels/{name}/rollback")
def rollback(
    name: ChannelPath,
    service: Svc,
    who: Publisher,
    body: Annotated[RollbackRequest | None, Body()] = None,
) -> dict[str, Any]:
    """Move the channel to `version`, or by default to the version before the current one."""
    current = service.storage.get_channel(name)
    if current is None:
        raise HTTPException(404, f"no channel {name!r}")
    target = body.version if body else None
    if target:
        matches = [v.id for v in service.storage.list_versions() if v.id.startswith(target)]
        if len(matches) != 1:
            raise HTTPException(404, f"no single version matches {target!r}")
        target = matches[0]
    else:
        published = [
            h["version_id"]
            for h in service.storage.channel_history(name)
            if h["action"] == "publish"
        ]
        where = max((i for i, v in enumerate(published) if v == current.version_id), default=0)
        earlier = [v for v in published[:where] if v != current.version_id]
        if not earlier:
            raise HTTPException(409, f"channel {name!r} has no earlier version")
        target = earlier[-1]
    record = service.storage.move_channel(name, target, who.name, "rollback", service.sign_channel)
    return channel_json(record)


@router.get("/versions")
def list_versions(service: Svc, _: Reader) -> list[dict[str, Any]]:
    return [
        {
            "version": v.id,
            "created_at": v.created_at,
            "publisher": v.publisher,
            "files": v.file_count,
            "size": v.total_size,
        }
        for v in service.storage.list_versions()
    ]


@router.get("/versions/{version_id}/manifest")
def get_manifest(version_id: VersionPath, request: Request, service: Svc, _: Reader) -> Response:
    cached = service.manifest(version_id)
    if cached is None:
        raise HTTPException(404, f"no version {version_id}")
    headers = {"X-Signature": cached.signature, "Cache-Control": "max-age=31536000, immutable"}
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return Response(cached.gzipped, media_type="application/json", headers=headers)
    return Response(cached.raw, media_type="application/json", headers=headers)


def load_manifest(service: Service, version_id: str) -> Manifest:
    cached = service.manifest(version_id)
    if cached is None:
        raise HTTPException(404, f"no version {version_id}")
    return Manifest.from_document(json.loads(cached.raw))


@router.get("/versions/{old}/diff/{new}")
def diff_versions(
    old: VersionPath, new: VersionPath, service: Svc, _: Reader
) -> dict[str, list[str]]:
    return diff(load_manifest(service, old), load_manifest(service, new)).as_dict()


@router.get("/objects/{sha256}")
def get_object(sha256: VersionPath, service: Svc, _: Reader) -> FileResponse:
    if len(sha256) != 64 or not service.objects.has(sha256):
        raise HTTPException(404, f"no object {sha256}")
    return FileResponse(service.objects.path(sha256), media_type="application/octet-stream")


@router.post("/objects/fetch")
def fetch_objects(
    service: Svc, _: Reader, hashes: Annotated[list[VersionId], Body(embed=True)]
) -> StreamingResponse:
    """Many objects in one response: for each, a line `<sha256> <size>` then its bytes."""
    if len(hashes) > MAX_FETCH:
        raise HTTPException(400, f"at most {MAX_FETCH} objects per request")
    missing = [h for h in hashes if len(h) != 64 or not service.objects.has(h)]
    if missing:
        raise HTTPException(404, f"no object {missing[0]}")

    def frames() -> Iterator[bytes]:
        chunk: list[bytes] = []
        size = 0
        for digest in hashes:
            data = service.objects.read(digest)
            chunk += (f"{digest} {len(data)}\n".encode(), data)
            size += len(data) + 80
            if size >= FRAME_CHUNK:
                yield b"".join(chunk)
                chunk, size = [], 0
        if chunk:
            yield b"".join(chunk)

    return StreamingResponse(frames(), media_type="application/octet-stream")


@router.post("/stations/sync", status_code=204)
async def report_sync(request: Request, service: Svc, who: Station) -> None:
    """A station says which version it now runs, or why its sync failed."""
    body = await read_body(request, MAX_SYNC_REPORT, "sync report")
    try:
        report = SyncReport.model_validate_json(body)
    except ValidationError as exc:
        raise HTTPException(422, one_line(exc)) from exc
    await run_in_threadpool(
        service.storage.record_sync,
        who.name,
        report.channel,
        report.version,
        report.status,
        report.error,
    )


def one_line(exc: ValidationError) -> str:
    """The first problem pydantic found, as `where: what`."""
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "body"
    return f"{where}: {first['msg']}"


@router.post("/runs", status_code=201)
async def upload_run(request: Request, service: Svc, who: Station) -> dict[str, Any]:
    data = await read_body(request, service.config.max_results_body, "results upload")
    try:
        return await run_in_threadpool(
            store_run, service, data, service.config.result_limits, who.name
        )
    except ArchiveError as exc:
        raise HTTPException(400, f"results refused, nothing stored: {exc}") from exc
    except Conflict as exc:
        raise HTTPException(409, str(exc)) from exc


def store_run(service: Service, data: bytes, limits: Limits, station: str) -> dict[str, Any]:
    check_expansion(data, limits, "--max-results-size", "--max-result-file-size")
    files = read_archive(data, limits)
    run = parse_run(files)
    if run.station != station:
        raise ArchiveError(
            f"run.json names station {run.station!r} but the token belongs to {station!r}"
        )
    stored = [
        {"path": p, "sha256": service.results.put(b), "size": len(b)} for p, b in files.items()
    ]
    record = {
        "id": run_key(station, run.run_id),
        "station": run.station,
        "image": run.image,
        "suite_version": run.suite_version,
        "started_at": run.started.isoformat(),
        "ended_at": run.ended.isoformat(),
        "uploaded_at": now_iso(),
        "counts": json.dumps(counts(run)),
    }
    tests = [t.model_dump() for t in run.tests]
    service.storage.add_run(record, tests, stored)
    return {"run": run.run_id, "id": record["id"], "tests": len(tests), "files": len(stored)}


def day_range(start: date | None, end: date | None) -> tuple[str | None, str | None]:
    """The stored timestamps of runs started from day `start` to day `end`, inclusive."""
    return (
        start.isoformat() if start else None,
        (end + timedelta(days=1)).isoformat() if end else None,
    )


@router.get("/runs")
def list_runs(
    service: Svc,
    _: Reader,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
    station: Annotated[str | None, Query(pattern=NAME_PATTERN)] = None,
) -> list[dict[str, Any]]:
    """Runs started from day `from` to day `to` (inclusive), newest first."""
    return service.storage.list_runs(*day_range(start, end), station)


@router.get("/runs/{station}/{run_id}")
def get_run(station: StationPath, run_id: RunIdPath, service: Svc, _: Reader) -> dict[str, Any]:
    key = run_key(station, run_id)
    run = service.storage.get_run(key)
    if run is None:
        raise HTTPException(404, f"no run {key}")
    return {**run, "tests": service.storage.run_tests(key), "files": service.storage.run_files(key)}
