"""`rtest upload --pending`, and the upload at the end of `rtest run --upload URL`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from robotest.results.upload import UploadResult, keep, pending, pending_folder, send
from robotest.runtime.results_location import find_results_db
from robotest.runtime.store import ResultsDatabaseError


def upload_run(
    database: Path, station: str, run_id: str, url: str, token: str | None, files: dict[str, Path]
) -> list[UploadResult]:
    """Keep the run in the pending folder, then send it with every run still waiting."""
    folder = pending_folder(database)
    try:
        keep(folder, station, run_id, url, files)
    except OSError as exc:  # the disk is full, the folder not writable: say so, go on
        typer.echo(
            f"warning: run {station}/{run_id} cannot be kept for upload in {folder}: "
            f"{exc}; it stays in its report folder (rtest publish --results)",
            err=True,
        )
    results = send(pending(folder), token)
    report(results, folder)
    return results


def report(results: list[UploadResult], folder: Path) -> None:
    """One line per run: where it went, or why it is still waiting."""
    for result in results:
        if result.done:
            typer.echo(f"uploaded run {result.upload.name} to {result.upload.url}")
        else:
            typer.echo(
                f"warning: run {result.upload.name} not uploaded, kept in {folder} "
                f"(retry: rtest upload --pending): {result.error}",
                err=True,
            )


def register(app: typer.Typer) -> None:
    """Add `upload` to the `rtest` app."""

    @app.command("upload")
    def upload(
        pending_runs: Annotated[
            bool, typer.Option("--pending", help="Send every run kept because an upload failed.")
        ] = False,
        server: Annotated[
            str | None,
            typer.Option(
                "--server", help="Send them here instead of the server each was meant for."
            ),
        ] = None,
        token: Annotated[
            str | None,
            typer.Option(
                "--token", envvar="RTEST_TOKEN", help="Station token (or env RTEST_TOKEN)."
            ),
        ] = None,
        db: Annotated[
            Path | None,
            typer.Option(
                "--db",
                help="Results database whose pending runs to send (default "
                "$RTEST_RESULTS_DB, else results/results.db in the suite's root).",
            ),
        ] = None,
    ) -> None:
        """Send the runs kept in the pending folder to the script server."""
        if not pending_runs:
            typer.echo(
                "error: say what to upload: --pending (a run's folder: rtest publish --results)",
                err=True,
            )
            raise typer.Exit(2)
        try:
            database = find_results_db(db)
        except ResultsDatabaseError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
        folder = pending_folder(database)
        waiting = pending(folder)
        if not waiting:
            typer.echo(f"nothing to upload: {folder} holds no pending run")
            return
        results = send(waiting, token, server)
        report(results, folder)
        raise typer.Exit(0 if all(r.done for r in results) else 1)
