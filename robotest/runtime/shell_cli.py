"""`rtest shell`: open a station, then read `.rtest` entries from a prompt or a pipe."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Annotated, Any

import typer

# exit codes: the worst outcome of the session's entries
EXIT_CODES = {"passed": 0, "failed": 1, "error": 2, "station error": 3, "interrupted": 130}
HISTORY = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "robotest" / "shell"


def register(app: typer.Typer) -> None:
    """Add `rtest shell` to the `rtest` app."""

    @app.command("shell")
    def shell(
        station: Annotated[
            str, typer.Option("--station", help="sim, record, or a station .toml file.")
        ] = "sim",
        image: Annotated[
            Path | None,
            typer.Option("--image", help="Product description TOML of the image under test."),
        ] = None,
        keep_going: Annotated[
            bool,
            typer.Option(
                "--keep-going", help="From a pipe: run every entry even after one failed."
            ),
        ] = False,
        view: Annotated[
            bool,
            typer.Option(
                "--view",
                help="Serve the station's screen live on a local web page: click for "
                "coordinates, drag a box to capture an icon.",
            ),
        ] = False,
        view_port: Annotated[
            int, typer.Option("--view-port", min=0, max=65535, help="Port of the live view.")
        ] = 8765,
        icons: Annotated[
            Path, typer.Option("--icons", help="Icon folder the live view captures into.")
        ] = Path("icons"),
    ) -> None:
        """Type robot statements and Python at a prompt; each runs on the station at once.

        From a pipe or a file, entries are read until the end and the exit code is the
        worst outcome: 0 passed, 1 failed, 2 error, 3 station error.
        """
        from robotest.errors import ScriptError, StationError
        from robotest.runtime.session import check_station_spec, make_runtime, read_image
        from robotest.runtime.session import station_name as name_of

        try:
            check_station_spec(station)
            info = read_image(image)
        except ScriptError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
        options = shell_options(info.data, image, name_of(station))
        try:
            runtime = make_runtime(station, options)
        except (StationError, ScriptError) as exc:
            typer.echo(f"error: station {station}: {exc}", err=True)
            raise typer.Exit(3 if isinstance(exc, StationError) else 2) from None
        try:
            live = (view_port, icons) if view else None
            worst = _session(
                runtime, interactive=sys.stdin.isatty(), keep_going=keep_going, live=live
            )
        finally:
            runtime.close()  # leave the station safe
        raise typer.Exit(EXIT_CODES.get(worst, 2))


def shell_options(
    product: Mapping[str, Any] | None, image: Path | None, station: str
) -> dict[str, Any]:
    """The runtime options of a session typed at a prompt in the current folder: what
    scripts see as ``config``, the image file, and the folder as the suite's (its
    ``icons/`` and its sub-scripts, which import as in a run)."""
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    return {
        "config": {"product": dict(product or {}), "station": station},
        "image_file": str(image) if image else None,
        "suite_dirs": [os.getcwd()],
    }


def _session(
    runtime: object, *, interactive: bool, keep_going: bool, live: tuple[int, Path] | None
) -> str:
    from robotest.results.statuses import PASSED, worst
    from robotest.runtime.backend import Runtime
    from robotest.runtime.shell import Shell, entries

    assert isinstance(runtime, Runtime)
    shell = Shell(runtime, write=lambda text: typer.echo(text))
    outcomes = [PASSED]
    with _live_view(shell, live):
        source = _prompted(shell) if interactive else entries(sys.stdin)
        for entry in source:
            result = shell.run(entry)
            if not interactive:
                outcomes.append(result.status)
                if not result.ok and not keep_going:
                    break
    return worst(outcomes)


@contextlib.contextmanager
def _live_view(shell: object, live: tuple[int, Path] | None) -> Iterator[None]:
    """The live view's web server while the session lasts (when asked for)."""
    if live is None:
        yield
        return
    from robotest.runtime.live_view import LiveView
    from robotest.runtime.shell import Shell, live_screen

    assert isinstance(shell, Shell)
    port, icons = live
    try:
        server = LiveView(live_screen(shell), icons, port=port)
    except OSError as exc:
        typer.echo(f"error: live view on port {port}: {exc.strerror or exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"live view: {server.url}", err=True)
    try:
        yield
    finally:
        server.close()


def _prompted(shell: object) -> Iterator[str]:
    """Entries typed at the prompt, with history and completion (readline)."""
    import readline

    from robotest.runtime.shell import Shell, completer, completion_words, opens_block

    assert isinstance(shell, Shell)
    readline.set_completer(completer(completion_words(), shell.namespace))
    readline.parse_and_bind("tab: complete")
    with contextlib.suppress(OSError):
        readline.read_history_file(HISTORY)
    typer.echo(
        "robotest shell: robot statements and Python; a block ends with an empty "
        "line; Ctrl-D quits."
    )
    try:
        while True:
            try:
                line = input("rtest> ")
            except EOFError:
                typer.echo()
                return
            except KeyboardInterrupt:
                typer.echo()
                continue
            if not line.strip():
                continue
            lines = [line]
            while opens_block(line) or (len(lines) > 1 and line.strip()):
                line = input("...    ")
                if not line.strip():
                    break
                lines.append(line)
            yield "\n".join(lines) + "\n"
    finally:
        HISTORY.parent.mkdir(parents=True, exist_ok=True)
        readline.write_history_file(HISTORY)
