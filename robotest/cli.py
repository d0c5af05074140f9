"""The `rtest` command line: one Typer app, each area registers its own sub-commands.

Sub-command modules import their heavy dependencies inside the command functions, so
that `rtest --help` and `rtest check` start fast.
"""

from __future__ import annotations

import typer

from robotest.dsl.cli import register as register_dsl
from robotest.inspection.cli import app as inspect_app

app = typer.Typer(
    name="rtest",
    help="Qualify laptop software images with a test robot.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)



@app.callback()
def _root() -> None:
    """Qualify laptop software images with a test robot."""


register_dsl(app)
app.add_typer(inspect_app, name="inspect")


def main() -> None:
    """Console-script entry point."""
    app()
