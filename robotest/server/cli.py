"""`rtest server`, `rtest publish` and `rtest sync`.

Heavy libraries (FastAPI, SQLAlchemy, httpx, cryptography) are imported inside the
commands so that `rtest --help` stays fast.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from robotest.settings import variable

server_app = typer.Typer(
    help="Run the script server, or administer it.",
    no_args_is_help=False,
    invoke_without_command=True,
)

ServerUrl = Annotated[
    str,
    typer.Option(
        "--server", envvar=variable("server"), help="Script server URL, e.g. http://host:8750."
    ),
]
Token = Annotated[
    str | None,
    typer.Option("--token", envvar=variable("token"), help="Access token (or env RTEST_TOKEN)."),
]
Channel = Annotated[str, typer.Option("--channel", help="Channel name.")]
DataDir = Annotated[Path, typer.Option("--data", help="Server data directory.")]
Database = Annotated[
    str | None,
    typer.Option(
        "--database", help="PostgreSQL URL (postgresql://user@host/db); default SQLite in --data."
    ),
]


def fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


@server_app.callback()
def server(
    ctx: typer.Context,
    data: DataDir = Path("rtest-server-data"),
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8750,
    database: Database = None,
    max_file_size: Annotated[
        int, typer.Option(help="Largest file accepted in a suite, in bytes.")
    ] = 16 * 1024 * 1024,
    max_result_file_size: Annotated[
        int, typer.Option(help="Largest file accepted in a run's results, in bytes.")
    ] = 64 * 1024 * 1024,
    max_results_size: Annotated[
        int, typer.Option(help="Most bytes one results upload may expand to.")
    ] = 256 * 1024 * 1024,
    forwarded_allow_ips: Annotated[
        str,
        typer.Option(
            help="Proxies trusted to say the client used HTTPS (X-Forwarded-Proto), "
            "comma-separated."
        ),
    ] = "127.0.0.1",
    access_log: Annotated[bool, typer.Option(help="Log every request.")] = False,
    broker: Annotated[
        str | None,
        typer.Option(
            help="Fleet broker URL (redis://HOST:6379/0): accept submitted runs and deal "
            "their cases to workers."
        ),
    ] = None,
) -> None:
    """Serve suites and collect results (HTTP, until Ctrl-C)."""
    if ctx.invoked_subcommand is not None:
        return
    from dataclasses import replace

    from robotest.server.app import serve
    from robotest.server.archive import Limits
    from robotest.server.errors import ServerError
    from robotest.server.service import RESULT_LIMITS, ServerConfig

    if min(max_file_size, max_result_file_size, max_results_size) <= 0:
        fail("size limits must be positive numbers of bytes")
    if broker is not None:
        from robotest.fleet.engine import check_broker

        try:
            check_broker(broker)
        except ValueError as exc:
            fail(f"--broker: {exc}")
    results = replace(
        RESULT_LIMITS, max_file_size=max_result_file_size, max_total_size=max_results_size
    )
    config = ServerConfig(data, database, Limits(max_file_size=max_file_size), results, broker)
    try:
        serve(config, host, port, access_log, forwarded_allow_ips)
    except (ServerError, OSError) as exc:
        fail(str(exc))
    except Exception as exc:  # the database driver's own errors (bad URL, refused login)
        fail(f"cannot open the database: {exc}".splitlines()[0])


@server_app.command("token")
def token_cmd(
    name: Annotated[
        str | None,
        typer.Argument(help="Who gets it (a station's token name is the station's name)."),
    ] = None,
    role: Annotated[str | None, typer.Option(help="publisher, station or reader.")] = None,
    revoke: Annotated[
        str | None,
        typer.Option(
            "--revoke",
            metavar="NAME",
            help="Delete every token of NAME (refused from the next request).",
        ),
    ] = None,
    list_all: Annotated[bool, typer.Option("--list", help="List token names and roles.")] = False,
    data: DataDir = Path("rtest-server-data"),
    database: Database = None,
) -> None:
    """Create an access token (printed once, stored only hashed), revoke or list tokens."""
    from robotest.server.errors import ServerError
    from robotest.server.service import ServerConfig, create_token, list_tokens, revoke_tokens

    config = ServerConfig(data, database)
    if (
        (revoke is not None or list_all)
        and database is None
        and not (data / "robotest-server.db").is_file()
    ):
        fail(f"no server database in {data} (give --data or --database)")
    try:
        if revoke is not None:
            count = revoke_tokens(config, revoke)
            if not count:
                fail(f"no token named {revoke!r}", 1)
            typer.echo(f"revoked {count} token(s) of {revoke}")
        elif list_all:
            for who, what, created in list_tokens(config):
                typer.echo(f"{who}  {what}  {created}")
        elif name is None or role is None:
            fail("give NAME and --role to create a token (or --revoke NAME, or --list)")
        else:
            typer.echo(create_token(config, name, role))
    except ServerError as exc:
        fail(str(exc))


@server_app.command("public-key")
def public_key_cmd(data: DataDir = Path("rtest-server-data")) -> None:
    """Print the server's public key, to pin on stations (--public-key)."""
    from robotest.server.signing import load_or_create_signer

    data.mkdir(parents=True, exist_ok=True)
    typer.echo(load_or_create_signer(data).public_key_text)


@server_app.command("versions")
def versions_cmd(server_url: ServerUrl, token: Token = None) -> None:
    """List published versions and where each channel points."""

    def run(client: Any) -> None:
        channels = {c["version"]: c["channel"] for c in client.request("GET", "/channels").json()}
        for v in client.versions():
            mark = f"  <- {channels[v['version']]}" if v["version"] in channels else ""
            typer.echo(
                f"{v['version'][:12]}  {v['created_at']}  {v['publisher']}  "
                f"{v['files']} files{mark}"
            )

    _with_client(server_url, token, run)


@server_app.command("diff")
def diff_cmd(old: str, new: str, server_url: ServerUrl, token: Token = None) -> None:
    """Files added, removed and changed between two versions (full ids)."""

    def run(client: Any) -> None:
        changes = client.diff(old, new)
        for kind, sign in (("added", "+"), ("removed", "-"), ("changed", "~")):
            for path in changes[kind]:
                typer.echo(f"{sign} {path}")

    _with_client(server_url, token, run)


@server_app.command("rollback")
def rollback_cmd(
    server_url: ServerUrl,
    channel: Channel = "stable",
    token: Token = None,
    to: Annotated[
        str | None, typer.Option(help="Version (id or prefix); default: the one published before.")
    ] = None,
) -> None:
    """Move a channel back to an earlier version."""

    def run(client: Any) -> None:
        moved = client.rollback(channel, to)
        typer.echo(f"{channel} -> {moved['version'][:12]}")

    _with_client(server_url, token, run)


def publish(
    suite: Annotated[Path, typer.Argument(help="Suite folder, or a run folder with --results.")],
    server_url: ServerUrl,
    channel: Channel = "stable",
    token: Token = None,
    results: Annotated[
        bool, typer.Option("--results", help="Upload a run's results (run.json + reports) instead.")
    ] = False,
) -> None:
    """Publish a suite (compiled on the server) to a channel, or upload a run's results."""
    if not suite.is_dir():
        fail(f"{suite} is not a folder")
    _check_channel(channel)

    def run(client: Any) -> None:
        from robotest.server.errors import CompileRefused

        if results:
            done = client.upload_run(suite)
            typer.echo(f"uploaded run {done['run']}: {done['tests']} tests, {done['files']} files")
            return
        try:
            done = client.publish(suite, channel)
        except CompileRefused as exc:
            for d in exc.diagnostics:
                typer.echo(f"{d['file']}:{d['line']}:{d['col']}: {d['message']}", err=True)
            fail(f"suite refused: {len(exc.diagnostics)} compile error(s), nothing published", 1)
        ch = done["changes"]
        typer.echo(
            f"published {done['version'][:12]} ({done['files']} files) to {channel}: "
            f"{len(ch['added'])} added, {len(ch['changed'])} changed, "
            f"{len(ch['removed'])} removed"
        )

    _with_client(server_url, token, run)


def sync(
    server_url: ServerUrl,
    dest: Annotated[Path, typer.Option(help="Working copy folder.")],
    channel: Channel = "stable",
    token: Token = None,
    public_key: Annotated[
        str | None,
        typer.Option(
            "--public-key",
            envvar=variable("server_key"),
            help="Server public key (base64, or a file holding it); pinned on first sync.",
        ),
    ] = None,
    verify: Annotated[bool, typer.Option(help="Also re-hash every local file.")] = False,
) -> None:
    """Bring DEST/current to the channel's version, verified and switched atomically."""
    from robotest.server.errors import SyncError
    from robotest.station_sync import StationSync

    _check_channel(channel)
    key = public_key
    if key and os.path.isfile(key):
        key = Path(key).read_text().strip()
    if dest.exists() and not dest.is_dir():
        fail(f"--dest {dest} is not a folder")

    def run(client: Any) -> None:
        try:
            station = StationSync(client, channel, dest, key)
            result = station.sync(verify_files=verify)
        except SyncError as exc:
            fail(f"sync failed: {exc}", 1)
        if result.repaired:
            typer.echo(f"repaired {len(result.repaired)} local file(s): {result.repaired[0]}")
        if result.changed:
            typer.echo(
                f"synced {channel} to {result.version[:12]}: downloaded "
                f"{result.downloaded} file(s), {result.downloaded_bytes} bytes"
            )
        else:
            typer.echo(f"up to date: {channel} is {result.version[:12]}")
        station.cleanup()

    _with_client(server_url, token, run)


def _with_client(url: str, token: str | None, action: Any) -> None:
    from robotest.server.client import ServerClient
    from robotest.server.errors import ServerError

    try:
        with ServerClient(url, token) as client:
            action(client)
    except ServerError as exc:
        fail(str(exc))


def _check_channel(channel: str) -> None:
    from robotest.server.names import check_channel

    try:
        check_channel(channel)
    except ValueError as exc:
        fail(f"--channel: {exc}")


def register(app: typer.Typer) -> None:
    """Add `server`, `publish` and `sync` to the `rtest` app."""
    app.add_typer(server_app, name="server")
    app.command("publish")(publish)
    app.command("sync")(sync)


__all__ = ["register"]
