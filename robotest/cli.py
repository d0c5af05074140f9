"""The `rtest` command line: one Typer app, each area registers its own sub-commands.

Sub-command modules import their heavy dependencies inside the command functions, so
that `rtest --help` and `rtest check` start fast.
"""

from __future__ import annotations

import typer

from robotest.drivers.cli import app as station_app
from robotest.dsl.cli import register as register_dsl
from robotest.forecast.cli import app as forecast_app
from robotest.inspection.cli import app as inspect_app
from robotest.runtime.cli import register as register_runtime
from robotest.runtime.shell_cli import register as register_shell
from robotest.server.cli import register as register_server
from robotest.sim.cli import app as sim_app
from robotest.vision.cli import app as vision_app

app = typer.Typer(
    name="rtest",
    help="Qualify laptop software images with a test robot.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"rtest {version('robotest')}")
        raise typer.Exit()


@app.callback()
def _root(
    _version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                  help="Print robotest's version and exit."),
) -> None:
    """Qualify laptop software images with a test robot."""


register_dsl(app)
register_runtime(app)
register_shell(app)
app.add_typer(station_app, name="station")
app.add_typer(sim_app, name="sim")
app.add_typer(vision_app, name="vision")
register_server(app)
app.add_typer(inspect_app, name="inspect")
app.add_typer(forecast_app, name="forecast")


def main() -> None:
    """Console-script entry point."""
    app()
