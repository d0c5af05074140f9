"""`rtest check` and `rtest compile`."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the language's sub-commands to the `rtest` app."""

    @app.command("check")
    def check() -> None:
        """Compile .rtest files and folders and report every error."""
        raise typer.Exit(0)
