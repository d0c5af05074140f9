"""`rtest run`, `rtest results` and `rtest report`: the suite runner's commands.

`rtest run` runs pytest with the robotest plugin: in this process for one station,
one worker process per station for several (each a disjoint shard of the selected
cases, all writing into the same results database), then writes the reports.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Annotated, Any

import typer

from robotest.runtime.store import DEFAULT_DB, ResultsDatabaseError, ResultStore
from robotest.settings import settings, variable

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
DB_HELP = "Results database (default $RTEST_RESULTS_DB or results/results.db)."


# pytest plugins that would leave folders in the user's current directory
QUIET_PLUGINS = ("-p", "no:cacheprovider", "-p", "no:benchmark")


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


def _db(db: Path | None) -> Path:
    return db or settings().results_db or DEFAULT_DB


def _open_store(database: Path) -> ResultStore:
    """The results database; a folder or a file that is not one is a one-line error."""
    try:
        return ResultStore(database)
    except ResultsDatabaseError as exc:
        raise _fail(str(exc)) from None


def _plugin_args() -> list[str]:
    """``-p robotest.runtime.pytest_plugin`` unless the pytest11 entry point loads it."""
    from importlib.metadata import entry_points

    if entry_points(group="pytest11", name="robotest"):
        return []
    return ["-p", "robotest.runtime.pytest_plugin"]


def _worker_env() -> dict[str, str]:
    root = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    return env


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Workers get SIGKILL when `rtest run` dies, so a killed run stops everywhere."""
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def combine_exit_codes(codes: list[int]) -> int:
    """One pytest exit status for several workers (a shard with no tests is fine)."""
    worst = [c for c in codes if c not in (0, 1, 5)]
    if worst:
        return max(worst)
    if 1 in codes:
        return 1
    return 5 if codes and all(c == 5 for c in codes) else 0


Workers = list[tuple[subprocess.Popen[bytes], IO[str]]]


def _start_workers(args: list[str], stations: list[str], folder: Path) -> Workers:
    """One pytest process per station, each on shard i of n of the selected cases.

    Started before any thread of this process (``preexec_fn`` is not thread-safe).
    """
    procs: Workers = []
    for index, station in enumerate(stations):
        log = (folder / f"worker-{index + 1}.log").open("w")
        command = [
            sys.executable,
            "-m",
            "pytest",
            *args,
            "--station",
            station,
            "--rtest-shard",
            f"{index}/{len(stations)}",
            "-q",
            *QUIET_PLUGINS,
        ]
        procs.append(
            (
                subprocess.Popen(
                    command,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env=_worker_env(),
                    preexec_fn=_die_with_parent,
                ),
                log,
            )
        )
    return procs


WORKER_STOP_TIMEOUT = 60.0  # seconds an interrupted worker gets to close its station and run


def _wait_workers(procs: Workers) -> int:
    try:
        codes = [proc.wait() for proc, _ in procs]
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM: each worker stops as it would itself
        import pytest

        for proc, log in procs:
            _stop_worker(proc)
            log.close()
        return int(pytest.ExitCode.INTERRUPTED)
    for _, log in procs:
        log.close()
    for (_, log), code in zip(procs, codes, strict=True):
        if code not in (0, 1, 5):
            typer.echo(Path(log.name).read_text()[-3000:], err=True)
    return combine_exit_codes(codes)


def _stop_worker(proc: subprocess.Popen[bytes]) -> int:
    """Interrupt a worker still running (SIGTERM: it finishes its case as interrupted)
    and wait for it; a worker that does not stop in time is killed."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=WORKER_STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait()
    except KeyboardInterrupt:  # asked again: stop now
        proc.kill()
        return proc.wait()


def _sync_first(
    server: str,
    dest: Path,
    channel: str,
    token: str | None,
    public_key: str | None,
    paths: list[Path],
) -> tuple[list[Path], str]:
    """Sync *dest* from the script server: the paths to run inside its tree, and the
    version they are (marked stale when the sync failed).

    A failed sync is a warning: the station runs its last good version (and the run
    records it as stale); with no version at all there is nothing to run.
    """
    from robotest.server.errors import ServerError
    from robotest.station_sync import sync_before_run

    if public_key and os.path.isfile(public_key):
        public_key = Path(public_key).read_text().strip()
    dest.mkdir(parents=True, exist_ok=True)
    try:
        synced, warning = sync_before_run(server, channel, dest, token, public_key)
    except ServerError as exc:
        synced, warning = None, f"sync failed: {exc}"
    if warning:
        typer.echo(f"warning: {warning}", err=True)
    if synced is None or not synced.version:
        raise _fail(f"nothing to run: {dest} holds no synced version of {channel!r}")
    stale = "" if synced.status == "ok" else f", {synced.status}"
    tree = dest / "current"
    return [tree / p for p in paths] or [tree], f"synced {synced.version[:12]} ({channel}{stale})"


class _Collection:
    """In-process pytest plugin: the files that did not compile or load (by node id)."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def pytest_collectreport(self, report: object) -> None:
        if getattr(report, "failed", False):
            self.errors[str(getattr(report, "nodeid", ""))] = str(getattr(report, "longrepr", ""))

    def record(self, store: Any, run_id: int, station: str) -> None:
        """One `error` case per broken file, so that reports and the run's status show it."""
        from robotest.runtime.results import ERROR, CaseResult

        for nodeid, message in self.errors.items():
            case = CaseResult(
                nodeid=nodeid,
                title=f"{nodeid or 'the suite'}: cannot be loaded",
                file=nodeid,
                station=station,
                started=time.time(),
                outcome=ERROR,
                message=message,
            )
            store.start_case(run_id, case)
            store.finish_case(case)


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
            typer.Option("--report", help="Folder for the reports (default results/run-N)."),
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
        import pytest

        from robotest.errors import ScriptError
        from robotest.results.cli import upload_run
        from robotest.results.export import run_id as run_id_of
        from robotest.results.export import uploader, write_run
        from robotest.runtime.interrupts import sigterm_interrupts
        from robotest.runtime.progress import LiveProgress, terminal_console
        from robotest.runtime.reports import write_reports
        from robotest.runtime.results import ERROR, INTERRUPTED
        from robotest.runtime.session import (
            check_station_spec,
            read_image,
            station_name,
            suite_version,
        )

        station = station or ["sim"]
        record_fail, record_fault = record_fail or [], record_fault or []
        synced_label = None
        if sync:
            paths, synced_label = _sync_first(
                sync, sync_dest, channel, token, public_key, paths or []
            )
        selected: list[str] = []
        if last_failed:
            selected = _last_failed(_db(db))
            paths = paths or [Path(node.split("::", 1)[0]) for node in selected]
        if not paths:
            raise _fail("name the .rtest files or folders to run (or --sync a server)")
        if upload and not (token or "").strip():
            raise _fail("--upload needs this station's token (--token or RTEST_TOKEN)")
        for path in paths:
            if not path.exists():
                raise _fail(f"no such file or folder: {path}")
        names = [station_name(s) for s in station]
        if len(set(names)) != len(names):
            raise _fail(
                f"two stations share a name ({', '.join(names)}); name them, e.g. record:a record:b"
            )
        try:
            for spec in station:
                check_station_spec(spec)
            info = read_image(image)
        except ScriptError as exc:
            raise _fail(str(exc)) from None
        database = _db(db)
        store = _open_store(database)
        run_id = store.create_run(
            station=", ".join(names),
            image=info.name,
            image_version=info.version,
            serial=info.serial,
            suite_version=synced_label or suite_version(paths),
        )
        folder = report or database.parent / f"run-{run_id}"
        folder.mkdir(parents=True, exist_ok=True)
        args = (
            (selected or [str(p) for p in paths])
            + _plugin_args()
            + [
                "--continue-on-collection-errors",  # one broken file does not stop the others
                "--results-db",
                str(database),
                "--rtest-run-id",
                str(run_id),
                "--record-delay",
                str(record_delay),
            ]
        )
        args += ["-k", keyword] if keyword else []
        args += ["--shuffle", str(shuffle)] if shuffle is not None else []
        args += ["-m", markers] if markers else []
        args += [a for spec in record_fail for a in ("--record-fail", spec)]
        args += [a for spec in record_fault for a in ("--record-fault", spec)]
        args += ["--image", str(image)] if image else []
        console, stream = terminal_console()
        order = f" (cases shuffled with seed {shuffle})" if shuffle is not None else ""
        console.print(
            f"run {run_id} on {', '.join(names)}: {' '.join(map(str, paths))}{order}",
            markup=False,
            soft_wrap=True,
        )
        collection = _Collection()
        status = None
        workers = _start_workers(args, station, folder) if len(station) > 1 else []
        try:
            with sigterm_interrupts(), LiveProgress(database, run_id, console):
                if workers:
                    code = _wait_workers(workers)
                else:
                    code = int(
                        pytest.main(
                            args + ["--station", station[0], "-p", "no:terminal", *QUIET_PLUGINS],
                            plugins=[collection],
                        )
                    )
        except KeyboardInterrupt:
            code = int(pytest.ExitCode.INTERRUPTED)
        collection.record(store, run_id, ", ".join(names))
        if code in (pytest.ExitCode.INTERNAL_ERROR, pytest.ExitCode.USAGE_ERROR):
            status = ERROR  # the run could not start
        elif code == pytest.ExitCode.INTERRUPTED:
            status = INTERRUPTED
        for error in collection.errors.values():
            console.print(error, markup=False, highlight=False, soft_wrap=True)
        store.finish_run(run_id, status)
        result = store.run(run_id)
        assert result is not None
        paths_written = write_reports(result, folder, self_contained=self_contained)
        run_files = write_run(result, folder)
        _print_summary(console, result)
        for kind, path in paths_written.items():
            console.print(f"{kind:>6}: {path}", markup=False, soft_wrap=True)
        console.print(f"{'run':>6}: {run_files[0]}", markup=False, soft_wrap=True)
        store.close()
        stream.flush()
        if stream is not sys.stdout:
            stream.close()
        if upload:
            logs = sorted(folder.glob("worker-*.log")) if workers else []
            files = [*paths_written.values(), *run_files, *logs]
            upload_run(database, uploader(result), run_id_of(result), upload, token,
                       {path.relative_to(folder).as_posix(): path for path in files})
        raise typer.Exit(code)

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


def _last_failed(database: Path) -> list[str]:
    """Node ids (file::case) of the latest run's cases that did not pass."""
    from robotest.runtime.results import ERROR, FAILED, STATION_ERROR
    from robotest.runtime.store import ResultStore

    if not database.exists():
        raise _fail(f"no results database at {database}: nothing to run again")
    with ResultStore(database) as store:
        latest = store.latest_run_id()
        cases = store.cases(latest, steps=False) if latest is not None else []
    again = [case for case in cases if case.outcome in (FAILED, ERROR, STATION_ERROR)]
    if not again:
        typer.echo(f"nothing to run again: run {latest} has no case that failed")
        raise typer.Exit(0)
    return [
        f"{case.file}::{case.nodeid.split('::', 1)[1]}" if "::" in case.nodeid else case.file
        for case in again
    ]


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


def _print_summary(console: object, run: object) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from robotest.runtime.progress import STYLE
    from robotest.runtime.results import RunInfo

    assert isinstance(console, Console) and isinstance(run, RunInfo)
    table = Table(
        "test",
        "station",
        "status",
        "duration",
        "message",
        title=(
            f"run {run.id}: {run.status} | station {run.station} | image "
            f"{run.image or '-'} {run.image_version} | suite {run.suite_version or '-'}"
        ),
    )
    for case in run.cases:
        style = STYLE.get(case.outcome, "")
        table.add_row(
            escape(case.title),
            escape(case.station),
            f"[{style}]{case.outcome}[/]" if style else case.outcome,
            f"{case.duration:.2f} s",
            escape(case.message),
        )
    console.print(table)
    counts = ", ".join(f"{n} {o}" for o, n in run.counts.items() if n) or "no cases ran"
    console.print(f"{counts} in {run.duration or 0:.1f} s")
