"""`rtest worker` (a station's worker on the fleet) and `rtest submit` (a run for the fleet).

Celery and the server client are imported inside the commands, so that `rtest --help`
stays fast.
"""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from robotest.runtime.cli import RecordDelayOption, RecordFailOption, RecordFaultOption
from robotest.server.cli import Channel, ServerUrl, Token

MAX_IMAGE_BYTES = 256 * 1024
Labels = Annotated[
    str | None,
    typer.Option(
        "--labels", help="k=v,k=v: worker: what this station has; submit: what the run needs."
    ),
]


def fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _labels(text: str | None) -> dict[str, str]:
    from robotest.fleet.labels import parse_labels

    try:
        return parse_labels(text)
    except ValueError as exc:
        fail(f"--labels: {exc}")


def worker(
    station: Annotated[str, typer.Argument(help="sim, record[:NAME] or a station .toml file.")],
    server_url: ServerUrl,
    broker: Annotated[
        str,
        typer.Option(
            "--broker", envvar="RTEST_BROKER", help="Broker URL, e.g. redis://host:6379/0."
        ),
    ],
    dest: Annotated[Path, typer.Option(help="The station's working copy and results.")],
    token: Token = None,
    public_key: Annotated[
        str | None,
        typer.Option(
            "--public-key",
            envvar="RTEST_SERVER_KEY",
            help="Server public key (base64, or a file holding it); pinned on first sync.",
        ),
    ] = None,
    labels: Labels = None,
    name: Annotated[
        str | None,
        typer.Option(
            help="Station name (default: from STATION); the token must be this station's."
        ),
    ] = None,
    visibility_timeout: Annotated[
        float,
        typer.Option(
            help="Seconds before the broker gives a task whose worker went silent to another; "
            "longer than the longest task."
        ),
    ] = 3600.0,
    health_interval: Annotated[
        float,
        typer.Option(help="Seconds between health checks of a station that had a station error."),
    ] = 30.0,
    record_fail: RecordFailOption = None,
    record_fault: RecordFaultOption = None,
    record_delay: RecordDelayOption = 0.0,
) -> None:
    """Run a station's share of fleet runs: take tasks from the broker, sync the run's
    suite version, run the cases, send the results (until Ctrl-C)."""
    from robotest.errors import ScriptError
    from robotest.fleet.engine import check_broker, make_engine
    from robotest.fleet.execution import StationSetup
    from robotest.fleet.labels import worker_queues
    from robotest.fleet.tasks import WorkerSetup, register_task
    from robotest.runtime.session import check_station_spec, station_name

    if not token:
        fail("give the station's token (--token or RTEST_TOKEN)")
    try:
        check_station_spec(station)
    except ScriptError as exc:
        fail(str(exc))
    try:
        check_broker(broker)
    except ValueError as exc:
        fail(f"--broker: {exc}")
    if visibility_timeout <= 0 or health_interval <= 0:
        fail("--visibility-timeout and --health-interval must be positive")
    queues = worker_queues(_labels(labels))
    key = public_key
    if key and os.path.isfile(key):
        key = Path(key).read_text().strip()
    dest.mkdir(parents=True, exist_ok=True)
    setup = StationSetup(
        station,
        name or station_name(station),
        dest.resolve(),
        record_fail or [],
        record_fault or [],
        record_delay,
    )
    import logging

    from robotest.fleet.preload import preload_pytest

    preload_pytest()  # each task's pytest is forked with its plugins imported

    logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per result sent

    engine = make_engine(broker, visibility_timeout)
    register_task(engine, WorkerSetup(server_url, token, setup, key, health_interval))
    typer.echo(f"worker {setup.name}: queues {', '.join(queues)}", err=True)
    engine.Worker(
        hostname=f"{setup.name}@{socket.gethostname()}",
        queues=queues,
        pool_cls="solo",
        concurrency=1,
        without_gossip=True,
        without_mingle=True,
        without_heartbeat=True,
        loglevel="INFO",
        quiet=True,
    ).start()


def submit(
    paths: Annotated[
        list[str] | None,
        typer.Argument(help="Files or folders inside the suite (default: all of it)."),
    ] = None,
    server_url: ServerUrl = "",
    channel: Channel = "stable",
    token: Token = None,
    image: Annotated[
        Path | None,
        typer.Option("--image", help="Product description TOML of the image under test."),
    ] = None,
    labels: Labels = None,
    keyword: Annotated[str | None, typer.Option("-k", help="Only cases matching this.")] = None,
    markers: Annotated[str | None, typer.Option("-m", help="Only cases with these tags.")] = None,
    task_size: Annotated[
        int,
        typer.Option(
            help="Most cases in one task (a file's cases are cut into tasks of this size)."
        ),
    ] = 200,
    wait: Annotated[
        bool, typer.Option("--wait", help="Show progress until the run ends; exit with its status.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Wait, then print the run and every case as JSON.")
    ] = False,
    cancel: Annotated[
        str | None,
        typer.Option("--cancel", metavar="RUN", help="Cancel the fleet run RUN instead."),
    ] = None,
) -> None:
    """Submit a run of the channel's current suite version to the fleet; print its id."""
    from robotest.server.client import ServerClient
    from robotest.server.errors import ServerError

    if not server_url:
        fail("give the server (--server or RTEST_SERVER)")
    body: dict[str, Any] = {}
    if cancel is None:
        body = {
            "channel": channel,
            "paths": paths or [],
            "keyword": keyword,
            "markers": markers,
            "labels": _labels(labels),
            "task_size": task_size,
            "image": _image_text(image),
        }
    try:
        with ServerClient(server_url, token) as client:
            if cancel is not None:
                run = client.request("POST", f"/fleet/runs/{cancel}/cancel").json()
                typer.echo(
                    f"run {cancel}: {run['status']} ({run['done']} of {run['total']} cases done)"
                )
                return
            run_id = client.request("POST", "/fleet/runs", json=body).json()["run"]
            typer.echo(run_id)
            if not (wait or as_json):
                return
            final = _watch(client, run_id, show=not as_json)
            if as_json:
                final = client.request(
                    "GET", f"/fleet/runs/{run_id}", params={"cases": "true"}
                ).json()
                typer.echo(json.dumps(final, indent=1))
    except ServerError as exc:
        fail(str(exc))
    raise typer.Exit(final["exit_code"])


def _image_text(image: Path | None) -> str:
    if image is None:
        return ""
    try:
        if image.stat().st_size > MAX_IMAGE_BYTES:
            fail(f"--image {image}: over {MAX_IMAGE_BYTES} bytes")
        return image.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"--image {image}: cannot read it ({exc})")


def _watch(client: Any, run_id: str, show: bool) -> dict[str, Any]:
    """Poll the run until it ends, with a live line on stderr; the final progress."""
    from rich.console import Console
    from rich.live import Live

    console = Console(stderr=True, highlight=False)
    try:
        with Live(console=console, transient=False, auto_refresh=False) as live:
            while True:
                run = client.request("GET", f"/fleet/runs/{run_id}").json()
                if show:
                    live.update(progress_line(run), refresh=True)
                if run["exit_code"] is not None:
                    return dict(run)
                time.sleep(1.0)
    except KeyboardInterrupt:
        fail(f"stopped watching; run {run_id} goes on (rtest submit --cancel {run_id})")


def progress_line(run: dict[str, Any]) -> str:
    counts = ", ".join(f"{n} {s}" for s, n in sorted(run["counts"].items()) if s != "pending")
    stations = ", ".join(f"{s} {n}" for s, n in sorted(run["stations"].items()))
    eta = f" · ETA {run['eta_seconds']:.0f} s" if run["eta_seconds"] is not None else ""
    message = f": {run['message']}" if run["message"] else ""
    return (
        f"run {run['id']} {run['status']}{message} · {run['done']}/{run['total']} done"
        f"{' (' + counts + ')' if counts else ''} · {run['cases_per_second']:.1f} cases/s"
        f"{eta}{' · stations: ' + stations if stations else ''}"
    )


def register(app: typer.Typer) -> None:
    """Add `worker` and `submit` to the `rtest` app."""
    app.command("worker")(worker)
    app.command("submit")(submit)
