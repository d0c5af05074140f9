"""Run one line's edge service: HTTP (API and console), TCP, and updates at idle time.

All three share one asyncio loop; images are judged and models trained in worker
threads. Updates run when no unit has arrived for the line's ``idle_s`` seconds and one
is due (a retrain past β, else a fine-tune when corrected units wait).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from pathlib import Path

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

    service = EdgeService(home, line)
    updates = Updates(service.registry, service.units, options.update)
    app = create_app(service, updates)
    config = uvicorn.Config(app, host=options.host, port=options.port, log_level="warning",
                            lifespan="off")
    server = uvicorn.Server(config)
    tcp = await start_tcp(service, options.host, options.tcp_port)
    background = asyncio.create_task(
        idle_updates(service, updates, options.check_every_s)) if options.idle_updates else None
    try:
        await server.serve()
    finally:
        if background is not None:
            background.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await background
        tcp.close()
        await tcp.wait_closed()
