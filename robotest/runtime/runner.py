"""Run a suite: a :class:`RunPlan` (everything a run needs) in, a :class:`RunOutcome` out.

`rtest run` parses its options into a :class:`RunPlan` and calls :func:`run_suite`,
which syncs the suite when asked, picks the cases (``--last-failed``), checks the plan,
opens the run record, runs pytest with the robotest plugin (in this process for one
station; one pytest-xdist worker per station for several, dealt by
:mod:`robotest.runtime.station_dealer`), writes the reports and uploads them.

The fleet's worker runs its cases the same way: :func:`pytest_arguments` gives the
arguments that load the plugin quietly.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from robotest.dealing import DEFAULT_TASK_SIZE
from robotest.errors import ScriptError
from robotest.runtime.results_location import find_results_db

if TYPE_CHECKING:
    from rich.console import Console

    from robotest.runtime.results import RunInfo
    from robotest.runtime.store import ResultStore

# pytest plugins that would leave folders (.pytest_cache/, .benchmarks/) where the
# command is typed
QUIET_PLUGINS = ("-p", "no:cacheprovider", "-p", "no:benchmark")


class PlanError(ScriptError):
    """A mistake in what the run was asked to do (one line, exit status 2)."""


class NothingToRun(Exception):
    """``--last-failed`` with nothing that failed: not an error (exit status 0)."""


@dataclass
class RecordOptions:
    """The record station's scripted failures (``--record-fail/-fault/-delay``)."""

    fail: list[str] = field(default_factory=list)
    fault: list[str] = field(default_factory=list)
    delay: float = 0.0

    def pytest_options(self) -> list[str]:
        options = ["--record-delay", str(self.delay)]
        options += [a for spec in self.fail for a in ("--record-fail", spec)]
        options += [a for spec in self.fault for a in ("--record-fault", spec)]
        return options


@dataclass
class SyncSource:
    """``--sync``: the script server, the channel and the station's working copy."""

    server: str
    dest: Path = Path("suite")
    channel: str = "stable"
    public_key: str | None = None


@dataclass
class RunPlan:
    """Everything one `rtest run` needs, as the user asked for it."""

    paths: list[Path] = field(default_factory=list)
    stations: list[str] = field(default_factory=lambda: ["sim"])
    image: Path | None = None
    keyword: str | None = None
    markers: str | None = None
    shuffle: int | None = None
    last_failed: bool = False
    db: Path | None = None  # --db; else found by robotest.runtime.results_location
    report: Path | None = None  # the reports' folder; else run-N beside the database
    self_contained: bool = False
    record: RecordOptions = field(default_factory=RecordOptions)
    sync: SyncSource | None = None
    upload: str | None = None
    token: str | None = None
    task_size: int = DEFAULT_TASK_SIZE  # cases per task dealt to one station

    def station_names(self) -> list[str]:
        from robotest.runtime.session import station_name

        return [station_name(spec) for spec in self.stations]

    def check(self) -> None:
        """PlanError for a plan that cannot run: no paths, a missing one, two stations
        of one name, an unknown station, --upload without a token, a bad task size."""
        from robotest.runtime.session import check_station_spec

        if not self.paths:
            raise PlanError("name the .rtest files or folders to run (or --sync a server)")
        if self.upload and not (self.token or "").strip():
            raise PlanError("--upload needs this station's token (--token or RTEST_TOKEN)")
        for path in self.paths:
            if not path.exists():
                raise PlanError(f"no such file or folder: {path}")
        if not self.stations:
            raise PlanError("name a station (--station sim, record or a station file)")
        names = self.station_names()
        if len(set(names)) != len(names):
            raise PlanError(
                f"two stations share a name ({', '.join(names)}); name them, e.g. record:a record:b"
            )
        if self.task_size < 1:
            raise PlanError("the task size must be at least 1")
        for spec in self.stations:
            check_station_spec(spec)

    def database(self) -> Path:
        """The results database: --db, $RTEST_RESULTS_DB, else the suite root's."""
        if self.sync is not None:  # a station's synced copy keeps it beside its trees
            return find_results_db(self.db, [self.sync.dest])
        return find_results_db(self.db, self.paths)


@dataclass
class RunOutcome:
    """What a run left: its record, where its files are, and the exit status."""

    run: RunInfo
    folder: Path
    files: dict[str, Path]  # the reports and run.json, by kind
    exit_code: int
    collection_errors: list[str] = field(default_factory=list)
    screenshots: list[Path] = field(default_factory=list)  # those run.json refers to


# -- the pytest command line --------------------------------------------------------------
def plugin_args() -> list[str]:
    """``-p robotest.runtime.pytest_plugin`` unless the pytest11 entry point loads it."""
    from importlib.metadata import entry_points

    if entry_points(group="pytest11", name="robotest"):
        return []
    return ["-p", "robotest.runtime.pytest_plugin"]


def pytest_arguments(database: Path, run_id: int, extra: list[str]) -> list[str]:
    """The plugin (quiet: no terminal output, no folders left behind), the results
    database and run to write into, every file's cases even when one cannot load."""
    return [
        *plugin_args(),
        "-p",
        "no:terminal",
        *QUIET_PLUGINS,
        "--continue-on-collection-errors",  # one broken file does not stop the others
        "--results-db",
        str(database),
        "--rtest-run-id",
        str(run_id),
        *extra,
    ]


def die_with_parent() -> None:  # pragma: no cover - runs in a forked child
    """This process gets SIGKILL when its parent dies (Linux ``PR_SET_PDEATHSIG``):
    a station's forked pytest stops with the worker that started it. No library offers
    this one call; ctypes reaches it where the platform has it."""
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)


# -- the run ------------------------------------------------------------------------------
@dataclass
class _Prepared:
    paths: list[Path]
    selected: list[str]  # node ids (--last-failed), else the paths
    suite_version: str
    database: Path


def prepare(plan: RunPlan) -> _Prepared:
    """Sync, pick the cases, check the plan: PlanError, or NothingToRun."""
    from robotest.runtime.session import suite_version
    from robotest.runtime.store import ResultsDatabaseError

    paths, label = list(plan.paths), ""
    if plan.sync is not None:
        paths, label = _sync_first(plan.sync, plan.token, paths)
    if not paths and not plan.last_failed:
        replace(plan, paths=paths).check()  # says what is missing
    try:
        database = replace(plan, paths=paths).database()
    except ResultsDatabaseError as exc:
        raise PlanError(str(exc)) from None
    selected: list[str] = []
    if plan.last_failed:
        selected = last_failed(database)
        paths = paths or sorted({Path(node.split("::", 1)[0]) for node in selected})
    replace(plan, paths=paths).check()
    return _Prepared(paths, selected, label or suite_version(paths), database)


def run_suite(plan: RunPlan, console: Console | None = None) -> RunOutcome:
    """Run the plan; PlanError (before anything ran) for a plan that cannot run."""
    from robotest.runtime.progress import terminal_console
    from robotest.runtime.session import read_image
    from robotest.runtime.store import ResultsDatabaseError, ResultStore

    prepared = prepare(plan)
    info = read_image(plan.image)
    try:
        store = ResultStore(prepared.database)
    except ResultsDatabaseError as exc:
        raise PlanError(str(exc)) from None
    stream = None
    if console is None:
        console, stream = terminal_console()
    try:
        run_id = store.create_run(
            station=", ".join(plan.station_names()),
            image=info.name,
            image_version=info.version,
            serial=info.serial,
            suite_version=prepared.suite_version,
        )
        folder = plan.report or prepared.database.parent / f"run-{run_id}"
        folder.mkdir(parents=True, exist_ok=True)
        order = f" (cases shuffled with seed {plan.shuffle})" if plan.shuffle is not None else ""
        console.print(
            f"run {run_id} on {', '.join(plan.station_names())}: "
            f"{' '.join(map(str, prepared.paths))}{order}",
            markup=False,
            soft_wrap=True,
        )
        code, errors = _run_pytest(plan, prepared, store, run_id, console)
        outcome = _finish(plan, store, run_id, folder, code, errors, console)
    finally:
        store.close()
        if stream is not None:
            stream.flush()
            if stream is not sys.stdout:
                stream.close()
    if plan.upload:
        _upload(plan, prepared.database, outcome)
    return outcome


def _arguments(plan: RunPlan, prepared: _Prepared, run_id: int) -> list[str]:
    extra = plan.record.pytest_options()
    extra += ["-k", plan.keyword] if plan.keyword else []
    extra += ["-m", plan.markers] if plan.markers else []
    extra += ["--shuffle", str(plan.shuffle)] if plan.shuffle is not None else []
    extra += ["--image", str(plan.image)] if plan.image else []
    extra += [a for spec in plan.stations for a in ("--station", spec)]
    targets = prepared.selected or [str(p) for p in prepared.paths]
    return targets + pytest_arguments(prepared.database, run_id, extra)


def _run_pytest(
    plan: RunPlan, prepared: _Prepared, store: ResultStore, run_id: int, console: Console
) -> tuple[int, list[str]]:
    """pytest's exit status, and the files that could not be loaded (node id: errors)."""
    import pytest

    from robotest.runtime.interrupts import sigterm_interrupts, stopped_by
    from robotest.runtime.progress import LiveProgress
    from robotest.runtime.station_dealer import DealerPlugin, StationDealer

    args = _arguments(plan, prepared, run_id)
    collection = _Collection()
    plugins: list[object] = [collection]
    if len(plan.stations) > 1:  # one pytest-xdist worker per station
        args += ["-n", str(len(plan.stations)), "--max-worker-restart", "0"]
        dealer = StationDealer(
            plan.station_names(), plan.task_size, lambda count: store.add_planned(run_id, count)
        )
        plugins.append(DealerPlugin(dealer))
    try:
        with sigterm_interrupts(), LiveProgress(prepared.database, run_id, console):
            code = int(pytest.main(args, plugins=plugins))
    except KeyboardInterrupt:
        code = int(pytest.ExitCode.INTERRUPTED)
    if stopped_by() is not None:  # stopped, even where the KeyboardInterrupt was lost
        code = int(pytest.ExitCode.INTERRUPTED)
    return code, [f"{nodeid}\n{text}" for nodeid, text in collection.errors.items()]


def _finish(
    plan: RunPlan,
    store: ResultStore,
    run_id: int,
    folder: Path,
    code: int,
    errors: list[str],
    console: Console,
) -> RunOutcome:
    """Close the run (its broken files as `error` cases), write the reports."""
    import pytest

    from robotest.results.export import write_run
    from robotest.results.statuses import ERROR, INTERRUPTED, STATION_ERROR
    from robotest.runtime.reports import write_reports

    status = None
    if code in (pytest.ExitCode.INTERNAL_ERROR, pytest.ExitCode.USAGE_ERROR):
        status = ERROR  # the run could not start
    elif code == pytest.ExitCode.INTERRUPTED:
        status = INTERRUPTED
    _record_broken_files(store, run_id, ", ".join(plan.station_names()), errors)
    store.end_unfinished(
        run_id,
        INTERRUPTED if status == INTERRUPTED else STATION_ERROR,
        "the run stopped while this case ran"
        if status == INTERRUPTED
        else "its station's worker process ended while this case ran",
    )
    for error in errors:
        console.print(error.split("\n", 1)[1], markup=False, highlight=False, soft_wrap=True)
    store.finish_run(run_id, status)
    run = store.run(run_id)
    assert run is not None
    files = write_reports(run, folder, self_contained=plan.self_contained)
    files["run"], *screenshots = write_run(run, folder)
    print_summary(console, run)
    for kind, path in files.items():
        console.print(f"{kind:>6}: {path}", markup=False, soft_wrap=True)
    return RunOutcome(run, folder, files, exit_code(code, run), errors, screenshots)


def exit_code(pytest_code: int, run: RunInfo) -> int:
    """pytest's status, but a verdict comes from the stored run: a case that passed when
    run again after a station error counts as passed."""
    from robotest.results.statuses import PASSED, SKIPPED

    if pytest_code not in (0, 1) or not run.cases:
        return pytest_code
    return 0 if run.status in (PASSED, SKIPPED) else 1


def _record_broken_files(store: ResultStore, run_id: int, station: str, errors: list[str]) -> None:
    """One `error` case per file that could not be loaded, so reports and status show it."""
    from robotest.results.statuses import ERROR
    from robotest.runtime.results import CaseResult

    for error in errors:
        nodeid, message = error.split("\n", 1)
        case = CaseResult(
            id=nodeid,
            title=f"{nodeid or 'the suite'}: cannot be loaded",
            file=nodeid,
            station=station,
            started=time.time(),
            status=ERROR,
            message=message,
        )
        store.start_case(run_id, case)
        store.finish_case(case)


def _upload(plan: RunPlan, database: Path, outcome: RunOutcome) -> None:
    from robotest.results.cli import upload_run
    from robotest.results.export import run_id as run_id_of
    from robotest.results.export import uploader

    assert plan.upload
    paths = [*outcome.files.values(), *outcome.screenshots]
    files = {path.relative_to(outcome.folder).as_posix(): path for path in paths}
    upload_run(
        database, uploader(outcome.run), run_id_of(outcome.run), plan.upload, plan.token, files
    )


class _Collection:
    """In-process pytest plugin: the files that did not compile or load (by node id)."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def pytest_collectreport(self, report: Any) -> None:
        if report.failed:
            self.errors[str(report.nodeid)] = str(report.longrepr)


def _sync_first(source: SyncSource, token: str | None, paths: list[Path]) -> tuple[list[Path], str]:
    """Sync the station's copy: the paths to run inside its tree, and the version they
    are (marked stale when the sync failed: the last good version runs)."""
    from robotest.server.errors import ServerError
    from robotest.station_sync import sync_before_run

    key = source.public_key
    if key and os.path.isfile(key):
        key = Path(key).read_text().strip()
    source.dest.mkdir(parents=True, exist_ok=True)
    try:
        synced, warning = sync_before_run(source.server, source.channel, source.dest, token, key)
    except ServerError as exc:
        synced, warning = None, f"sync failed: {exc}"
    if warning:
        print(f"warning: {warning}", file=sys.stderr)
    if synced is None or not synced.version:
        raise PlanError(
            f"nothing to run: {source.dest} holds no synced version of {source.channel!r}"
        )
    stale = "" if synced.status == "ok" else f", {synced.status}"
    tree = source.dest / "current"
    label = f"synced {synced.version[:12]} ({source.channel}{stale})"
    return [tree / p for p in paths] or [tree], label


def last_failed(database: Path) -> list[str]:
    """Node ids (file::case) of the latest run's cases that did not pass; NothingToRun
    when there are none, PlanError when there is no database."""
    from robotest.results.statuses import ERROR, FAILED, STATION_ERROR
    from robotest.runtime.store import ResultStore

    if not database.exists():
        raise PlanError(f"no results database at {database}: nothing to run again")
    with ResultStore(database) as store:
        latest = store.latest_run_id()
        cases = store.cases(latest, steps=False) if latest is not None else []
    again = [case for case in cases if case.status in (FAILED, ERROR, STATION_ERROR)]
    if not again:
        raise NothingToRun(f"nothing to run again: run {latest} has no case that failed")
    return [
        f"{case.file}::{case.id.split('::', 1)[1]}" if "::" in case.id else case.file
        for case in again
    ]


def print_summary(console: Console, run: RunInfo) -> None:
    """The table of a run's cases, and its counts."""
    from rich.markup import escape
    from rich.table import Table

    from robotest.runtime.progress import STYLE

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
        style = STYLE.get(case.status, "")
        table.add_row(
            escape(case.title),
            escape(case.station),
            f"[{style}]{case.status}[/]" if style else case.status,
            f"{case.duration:.2f} s",
            escape(case.message),
        )
    console.print(table)
    counts = ", ".join(f"{n} {o}" for o, n in run.counts.items() if n) or "no cases ran"
    console.print(f"{counts} in {run.duration or 0:.1f} s")
