"""Run one line's edge service: HTTP (API and console), TCP, and updates at idle time.

All three share one asyncio loop; images are judged and models trained in worker
threads. Updates run when no unit has arrived for the line's ``idle_s`` seconds and one
is due (a retrain past β, else a fine-tune when corrected units wait); the picture
archive's retention rule is applied at start and then hourly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from dataclasses import dataclass
from pathlib import Path

from robotest.inspection.edge.archive import prune
from robotest.inspection.edge.service import EdgeService
from robotest.inspection.edge.tcp import start_tcp
from robotest.inspection.edge.updates import UpdateOptions, Updates
from robotest.inspection.edge.web import create_app
from robotest.inspection.errors import InspectionError

log = logging.getLogger("robotest.inspection.edge")


@dataclass(frozen=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8470
    tcp_port: int = 8471
    idle_updates: bool = True
    check_every_s: float = 5.0
    update: UpdateOptions = UpdateOptions()
    open_units: bool = False  # unit posts without a line token (a closed line network)
    prune_every_s: float = 3600.0


async def retention(service: EdgeService, every: float) -> None:
    """Apply the archive's retention rule now and every *every* seconds."""
    while True:
        await asyncio.to_thread(prune, service.units, service.refresh())
        await asyncio.sleep(every)


def check_port(host: str, port: int, what: str, option: str) -> None:
    """Fail with one line naming the port when another program holds it."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise InspectionError(
                f"cannot listen on {host}:{port} ({what}): "
                f"{exc.strerror or exc}; is another service using port "
                f"{port}? Choose another with {option}"
            ) from None


async def idle_updates(service: EdgeService, updates: Updates, every: float) -> None:
    """Run due updates while the line is idle (forever; cancelled on shutdown)."""
    while True:
        await asyncio.sleep(every)
        if service.idle_seconds() < service.line.idle_s:
            continue
        try:
            done = await asyncio.to_thread(updates.run_due, service.line_name)
        except InspectionError as exc:
            log.warning("update of line %s not run: %s", service.line_name, exc)
            continue
        if done is not None:
            log.info("update of line %s: %s", service.line_name, done.reason)


async def serve(home: Path, line: str, options: ServeOptions) -> None:
    """Serve until cancelled (Ctrl-C or SIGTERM)."""
    import uvicorn

    check_port(options.host, options.port, "HTTP", "--port")
    check_port(options.host, options.tcp_port, "TCP", "--tcp-port")
    service = EdgeService(home, line)
    updates = Updates(service.registry, service.units, options.update)
    app = create_app(service, updates, open_units=options.open_units)
    config = uvicorn.Config(
        app,
        host=options.host,
        port=options.port,
        log_level="warning",
        lifespan="off",
        access_log=False,
    )
    server = uvicorn.Server(config)
    try:
        tcp = await start_tcp(
            service, options.host, options.tcp_port, open_units=options.open_units
        )
    except OSError as exc:
        raise InspectionError(
            f"cannot listen on {options.host}:{options.tcp_port} (TCP): {exc.strerror or exc}"
        ) from None
    tasks = [asyncio.create_task(retention(service, options.prune_every_s))]
    if options.idle_updates:
        tasks.append(asyncio.create_task(idle_updates(service, updates, options.check_every_s)))
    try:
        await server.serve()
    finally:
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        tcp.close()
        await tcp.wait_closed()
