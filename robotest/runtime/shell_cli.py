"""`rtest shell`: open a station, then read `.rtest` entries from a prompt or a pipe."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

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
        options = {
            "config": {"product": dict(info.data or {}), "station": name_of(station)},
            "image_file": str(image) if image else None,
            "suite_dirs": [os.getcwd()],
        }
        if os.getcwd() not in sys.path:
            sys.path.insert(0, os.getcwd())  # sub-scripts beside the user import as in a run
        try:
            runtime = make_runtime(station, options)
        except (StationError, ScriptError) as exc:
            typer.echo(f"error: station {station}: {exc}", err=True)
            raise typer.Exit(3 if isinstance(exc, StationError) else 2) from None
        try:
            worst = _session(runtime, interactive=sys.stdin.isatty(), keep_going=keep_going)
        finally:
            close = getattr(runtime, "close", None)
            if callable(close):
                close()  # leave the station safe
        raise typer.Exit(EXIT_CODES.get(worst, 2))


def _session(runtime: object, *, interactive: bool, keep_going: bool) -> str:
    from robotest.runtime.backend import Runtime
    from robotest.runtime.results import PASSED, worst
    from robotest.runtime.shell import Shell, entries

    assert isinstance(runtime, Runtime)
    shell = Shell(runtime, write=lambda text: typer.echo(text))
    outcomes = [PASSED]
    source = _prompted(shell) if interactive else entries(sys.stdin)
    for entry in source:
        result = shell.run(entry)
        if not interactive:
            outcomes.append(result.outcome)
            if not result.ok and not keep_going:
                break
    return worst(outcomes)


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
