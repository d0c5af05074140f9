"""`rtest run`, `rtest results` and `rtest report`: the suite runner's commands.

`rtest run` turns its options into a :class:`robotest.runtime.runner.RunPlan` and hands
it to :func:`robotest.runtime.runner.run_suite` (sync, cases, stations, reports).
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from robotest.dealing import DEFAULT_TASK_SIZE, MAX_TASK_SIZE
from robotest.errors import ScriptError
from robotest.runtime.results_location import find_results_db
from robotest.runtime.store import ResultsDatabaseError, ResultStore
from robotest.settings import variable

SELF_CONTAINED_HELP = (
    "One HTML file with every screenshot inside (each distinct frame once, "
    "as JPEG), instead of shots/ beside it."
)
RecordFailOption = Annotated[
    list[str] | None,
    typer.Option("--record-fail", help="record station: STATEMENT[:TARGET][*N] fails."),
]
RecordFaultOption = Annotated[
    list[str] | None,
    typer.Option(
        "--record-fault", help="record station: STATEMENT[:TARGET][*N] is a station fault."
    ),
]
RecordDelayOption = Annotated[
    float, typer.Option("--record-delay", help="record station: seconds each statement takes.")
]
DB_HELP = (
    "Results database (default $RTEST_RESULTS_DB, else results/results.db in the suite's "
    "root: see docs/running.md)."
)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


def _db(db: Path | None) -> Path:
    """The results database of `rtest results` and `rtest report` (no suite named: the
    one of the suite the current folder is in; see runtime/results_location.py)."""
    try:
        return find_results_db(db)
    except ResultsDatabaseError as exc:
        raise _fail(str(exc)) from None


def _open_store(database: Path) -> ResultStore:
    """The results database; a folder or a file that is not one is a one-line error."""
    try:
        return ResultStore(database)
    except ResultsDatabaseError as exc:
        raise _fail(str(exc)) from None


def register(app: typer.Typer) -> None:
    """Add `run`, `results` and `report` to the `rtest` app."""

    @app.command("run")
    def run(
        paths: Annotated[
            list[Path] | None,
            typer.Argument(help=".rtest files or folders (with --sync: inside the synced tree)."),
        ] = None,
        station: Annotated[
            list[str] | None,
            typer.Option(
                "--station",
                help="sim, a station .toml, or record; repeat to run stations in "
                "parallel. Default: sim.",
            ),
        ] = None,
        keyword: Annotated[
            str | None,
            typer.Option("-k", help="Only cases matching this expression (titles, names, tags)."),
        ] = None,
        markers: Annotated[
            str | None,
            typer.Option("-m", help="Only cases with these tags, e.g. -m 'bios and not slow'."),
        ] = None,
        report: Annotated[
            Path | None,
            typer.Option(
                "--report", help="Folder for the reports (default run-N beside the database)."
            ),
        ] = None,
        image: Annotated[
            Path | None,
            typer.Option("--image", help="Product description TOML of the image under test."),
        ] = None,
        db: Annotated[Path | None, typer.Option("--db", help=DB_HELP)] = None,
        record_fail: RecordFailOption = None,
        record_fault: RecordFaultOption = None,
        record_delay: RecordDelayOption = 0.0,
        sync: Annotated[
            str | None,
            typer.Option("--sync", help="Script server URL: sync --sync-dest first, run its tree."),
        ] = None,
        sync_dest: Annotated[
            Path, typer.Option("--sync-dest", help="Working copy the station syncs into.")
        ] = Path("suite"),
        channel: Annotated[str, typer.Option("--channel", help="Channel to sync.")] = "stable",
        token: Annotated[
            str | None,
            typer.Option(
                "--token", envvar=variable("token"), help="Station token (or env RTEST_TOKEN)."
            ),
        ] = None,
        public_key: Annotated[
            str | None,
            typer.Option("--public-key", envvar=variable("server_key"), help="Server public key."),
        ] = None,
        shuffle: Annotated[
            int | None,
            typer.Option(
                "--shuffle",
                metavar="SEED",
                help="Run the cases in a random order drawn from SEED (the same SEED, the same "
                "order).",
            ),
        ] = None,
        last_failed: Annotated[
            bool,
            typer.Option(
                "--last-failed",
                help="Run again only the cases of the latest stored run that "
                "did not pass (failed, error, station error).",
            ),
        ] = False,
        self_contained: Annotated[
            bool, typer.Option("--self-contained", help=SELF_CONTAINED_HELP)
        ] = False,
        task_size: Annotated[
            int,
            typer.Option(
                "--task-size",
                min=1,
                max=MAX_TASK_SIZE,
                help="With several stations: a station is given a file's cases at most this "
                "many at a time (as the fleet deals them).",
            ),
        ] = DEFAULT_TASK_SIZE,
        upload: Annotated[
            str | None,
            typer.Option(
                "--upload",
                metavar="URL",
                help="Script server to upload the results to at the end (kept and retried if "
                "it is away).",
            ),
        ] = None,
    ) -> None:
        """Run .rtest suites on stations with live progress; write the reports."""
        from robotest.runtime.runner import (
            NothingToRun,
            RecordOptions,
            RunPlan,
            SyncSource,
            run_suite,
        )

        plan = RunPlan(
            paths=paths or [],
            stations=station or ["sim"],
            image=image,
            keyword=keyword,
            markers=markers,
            shuffle=shuffle,
            last_failed=last_failed,
            db=db,
            report=report,
            self_contained=self_contained,
            record=RecordOptions(record_fail or [], record_fault or [], record_delay),
            sync=SyncSource(sync, sync_dest, channel, public_key) if sync else None,
            upload=upload,
            token=token,
            task_size=task_size,
        )
        try:
            outcome = run_suite(plan)
        except NothingToRun as exc:
            typer.echo(str(exc))
            raise typer.Exit(0) from None
        except ScriptError as exc:
            raise _fail(str(exc)) from None
        raise typer.Exit(outcome.exit_code)

    @app.command("results")
    def results(
        run_id: Annotated[
            str | None, typer.Argument(help="A run number (or 'latest') to show.")
        ] = None,
        db: Annotated[Path | None, typer.Option("--db", help=DB_HELP)] = None,
        limit: Annotated[int, typer.Option("--limit", help="How many runs to list.")] = 20,
    ) -> None:
        """List past runs, or show one run's cases."""
        from rich.console import Console

        database = _db(db)
        if not database.exists():
            raise _fail(f"no results database at {database} (run `rtest run` first)")
        console = Console(highlight=False)
        with _open_store(database) as store:
            if run_id is None:
                _print_runs(console, store.runs(limit))
                return
            run = store.run(_run_number(store, run_id), steps=False)
            if run is None:
                raise _fail(f"no run {run_id} in {database}")
            _print_summary(console, run)

    @app.command("report")
    def report_command(
        run_id: Annotated[str, typer.Argument(help="The run number (or 'latest').")],
        out: Annotated[
            Path | None, typer.Option("--out", help="Folder (default results/run-N).")
        ] = None,
        db: Annotated[Path | None, typer.Option("--db", help=DB_HELP)] = None,
        self_contained: Annotated[
            bool, typer.Option("--self-contained", help=SELF_CONTAINED_HELP)
        ] = False,
    ) -> None:
        """Regenerate a run's JUnit XML, HTML report, spreadsheet and run.json from the
        database."""
        from robotest.results.export import write_run
        from robotest.runtime.reports import write_reports

        database = _db(db)
        if not database.exists():
            raise _fail(f"no results database at {database}")
        with _open_store(database) as store:
            number = _run_number(store, run_id)
            run = store.run(number)
            if run is None:
                raise _fail(f"no run {run_id} in {database}")
            folder = out or database.parent / f"run-{number}"
            written = {
                **write_reports(run, folder, self_contained=self_contained),
                "run": write_run(run, folder)[0],
            }
        for kind, path in written.items():
            typer.echo(f"{kind:>6}: {path}")


def _run_number(store: object, text: str) -> int:
    assert isinstance(store, ResultStore)
    if text == "latest":
        latest = store.latest_run_id()
        if latest is None:
            raise _fail("the results database has no runs yet")
        return latest
    if not text.isdigit():
        raise _fail(f"a run is a number or 'latest', got {text!r}")
    return int(text)


def _when(stamp: float | None) -> str:
    if stamp is None:
        return "-"
    return datetime.datetime.fromtimestamp(stamp).strftime("%Y-%m-%d %H:%M:%S")


def _print_runs(console: object, runs: list[Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    assert isinstance(console, Console)
    table = Table("run", "started", "station", "image", "status", "cases", "duration")
    for run in runs:
        counts = ", ".join(f"{n} {o}" for o, n in run.counts.items() if n) or "none"
        table.add_row(
            str(run.id),
            _when(run.started),
            run.station,
            f"{run.image} {run.image_version}".strip(),
            run.status,
            counts,
            "-" if run.duration is None else f"{run.duration:.1f} s",
        )
    console.print(table)


def _print_summary(console: Any, run: Any) -> None:
    from robotest.runtime.runner import print_summary

    print_summary(console, run)
