"""The pytest plugin: `.rtest` files are collected and run by pytest.

Each `test` block becomes an item (a block with ``for`` clauses one item per case,
``name[title]``), tags become markers (registered, so ``-m`` works without warnings),
`setup`/`teardown` run around each item (:func:`robotest.runtime.run_case`), and the
station is one runtime per session, made by :func:`robotest.runtime.session.make_runtime`
from ``--station`` and wrapped in a :class:`StepRecorder` that stores every step.
Registered through the ``pytest11`` entry point; without installing, load it with
``pytest -p robotest.runtime.pytest_plugin``.
"""

from __future__ import annotations

import hashlib
import random
import sys
import time
import traceback
from collections.abc import Generator, Iterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from robotest.dealing import not_run_message, was_not_run
from robotest.dsl import RtestSyntaxError, import_path, install_import_hook
from robotest.errors import RobotestError, ScriptError, StationError
from robotest.results.statuses import ERROR, INTERRUPTED, SKIPPED, STATION_ERROR
from robotest.runtime import interrupts
from robotest.runtime.backend import Runtime, use_runtime
from robotest.runtime.blocks import TestCase, collect, run_case
from robotest.runtime.config import missing_values
from robotest.runtime.results import CaseResult, Step, describe, status_of
from robotest.runtime.results_location import find_results_db
from robotest.runtime.session import (
    ImageInfo,
    make_runtime,
    read_image,
    station_name,
    suite_version,
)
from robotest.runtime.station_dealer import USAGE_ERROR, add_idle_item, worker_index
from robotest.runtime.steps import StepRecorder
from robotest.runtime.store import ResultsDatabaseError, ResultStore
from robotest.settings import variable

RESULTS_DB_ENV = variable("results_db")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("robotest", "robotest .rtest suites")
    group.addoption(
        "--station",
        action="append",
        default=None,
        metavar="SPEC",
        help="station to run on: 'sim', a station .toml file, or 'record' "
        "(records statements, drives nothing). Default: sim.",
    )
    group.addoption(
        "--image",
        default=None,
        metavar="FILE.toml",
        help="product description of the image under test (for the results).",
    )
    group.addoption(
        "--results-db",
        default=None,
        metavar="FILE",
        help=f"results database (default ${RESULTS_DB_ENV}, else results/results.db in "
        "the suite's root).",
    )
    group.addoption(
        "--record-fail",
        action="append",
        default=[],
        metavar="STMT[:TARGET][*N]",
        help="record station: make matching statements fail (N times, or always).",
    )
    group.addoption(
        "--record-fault",
        action="append",
        default=[],
        metavar="STMT[:TARGET][*N]",
        help="record station: make matching statements raise a station fault.",
    )
    group.addoption(
        "--record-delay",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="record station: real seconds each statement takes.",
    )
    group.addoption(
        "--shuffle",
        type=int,
        default=None,
        metavar="SEED",
        help="run the cases in a random order drawn from SEED (the same SEED "
        "gives the same order): checks that no case needs another's leftovers.",
    )
    group.addoption("--rtest-run-id", type=int, default=None, help=argparse_hidden())


def argparse_hidden() -> str:
    import argparse

    return argparse.SUPPRESS


def results_db(config: pytest.Config) -> Path:
    """``--results-db``, else the database :func:`find_results_db` finds for the suite."""
    given = config.getoption("results_db")
    paths = [Path(arg.split("::", 1)[0]) for arg in config.args] or [config.rootpath]
    return find_results_db(Path(given) if given else None, paths)


_RESERVED = {"and", "or", "not", "True", "False", "None"}  # words of -m expressions


def marker_name(tag: str) -> str:
    """A tag as a pytest marker name (``"smoke test"`` -> ``smoke_test``)."""
    name = "".join(c if f"a{c}".isidentifier() else "_" for c in tag.strip())
    return name if name.isidentifier() and name not in _RESERVED else f"tag_{name}"


class RtestSession:
    """The run of one pytest session: station runtime, results store, run row."""

    def __init__(self, config: pytest.Config):
        self.config = config
        specs: list[str] = config.getoption("station") or ["sim"]
        worker = worker_index(config)  # under pytest-xdist: worker N runs station N
        if len(specs) > 1 and worker is None and not _distributed(config):
            raise pytest.UsageError(
                "one --station per pytest process; `rtest run` runs several stations in parallel"
            )
        if worker is not None and worker >= len(specs):
            raise pytest.UsageError(f"worker {worker} has no station: {len(specs)} given")
        self.spec = specs[worker or 0]
        self.shares_run = worker is not None
        self.station = station_name(self.spec)
        self.store: ResultStore | None = None
        self.recorder: StepRecorder | None = None
        self.run_id: int | None = config.getoption("rtest_run_id")
        self.owns_run = self.run_id is None
        self.stopped: str | None = None
        self.open_error: StationError | None = None
        self.image = ImageInfo()

    @property
    def serial(self) -> str:
        """The laptop's serial: the station runtime's ``serial`` if it knows it."""
        known = self.recorder.inner.serial if self.recorder is not None else ""
        return known or self.image.serial

    def start(self, items: Sequence[pytest.Item]) -> None:
        """Open the station and the run (once, when there is something to run)."""
        image = self.image = self._image()
        try:
            self.store = ResultStore(results_db(self.config))
        except ResultsDatabaseError as exc:
            raise pytest.UsageError(str(exc)) from None
        product = dict(image.data or {})
        missing = self._missing_configuration(items, product)
        if self.owns_run:
            files = sorted({str(item.path) for item in items})
            self.run_id = self.store.create_run(
                station=self.station,
                image=image.name,
                image_version=image.version,
                serial=image.serial,
                suite_version=suite_version(files),
            )
        assert self.run_id is not None
        if missing is not None:  # a configuration error, not a verdict on the image
            if self.owns_run:
                self.store.finish_run(self.run_id, ERROR)
            raise pytest.UsageError(missing)
        if not self.shares_run:  # under xdist the controller counts the cases once
            self.store.add_planned(self.run_id, len(items))
        options = {
            "record_fail": self.config.getoption("record_fail"),
            "record_fault": self.config.getoption("record_fault"),
            "record_delay": self.config.getoption("record_delay"),
            "config": {"product": product, "station": self.station},
            "image_file": self.config.getoption("image"),
            "suite_dirs": sorted({str(item.path.parent) for item in items}),
        }
        try:
            runtime: Runtime = make_runtime(self.spec, options)
        except StationError as exc:  # the first case reports it, the rest are skipped
            self.stopped = f"station error: {exc}"
            self.open_error = exc
            return
        except ScriptError as exc:
            if self.owns_run:
                self.store.finish_run(self.run_id, ERROR)
            raise pytest.UsageError(str(exc)) from None
        self.recorder = StepRecorder(runtime)

    def _missing_configuration(
        self, items: Sequence[pytest.Item], product: dict[str, Any]
    ) -> str | None:
        """The error for values the suite's sub-scripts require and the image lacks."""
        modules = {item.module for item in items if isinstance(item, RtestItem)}
        missing = missing_values(modules, {"product": product, "station": self.station})
        if not missing:
            return None
        image = self.config.getoption("image")
        where = f"{image}: " if image else "no --image given: "
        needs = "; ".join(f"{r.describe()} is missing; {r.why}" for r in missing)
        hint = "" if image else " (pass the image description with --image)"
        return f"{where}{needs}{hint}"

    def _image(self) -> ImageInfo:
        try:
            return read_image(self.config.getoption("image"))
        except ScriptError as exc:
            raise pytest.UsageError(str(exc)) from None

    def finish(self, interrupted: bool) -> None:
        """Close the station (leave it safe), then the run, whatever happens."""
        try:
            if self.recorder is not None:
                self.recorder.inner.close()
        finally:
            self._finish_run(interrupted)

    def _finish_run(self, interrupted: bool) -> None:
        if self.store is None or self.run_id is None:
            return
        if self.owns_run:
            self.store.finish_run(self.run_id, INTERRUPTED if interrupted else None)
        self.store.close()


def _distributed(config: pytest.Config) -> bool:
    """This process is pytest-xdist's controller (its workers run the stations)."""
    return bool(getattr(config.option, "numprocesses", None))


SESSION = pytest.StashKey[RtestSession]()


_PREVIOUS_SIGTERM = pytest.StashKey[Any]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[SESSION] = RtestSession(config)
    config.stash[_PREVIOUS_SIGTERM] = interrupts.install()  # SIGTERM stops a run as Ctrl-C
    config.addinivalue_line("markers", "rtest: a test case from a .rtest file")


def pytest_unconfigure(config: pytest.Config) -> None:
    interrupts.restore(config.stash.get(_PREVIOUS_SIGTERM, None))


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix == ".rtest":
        return RtestFile.from_parent(parent, path=file_path)
    return None


def _module_name(path: Path) -> str:
    """The stem (so sibling `import` finds the same module) unless another file has it."""
    name = path.stem
    loaded = sys.modules.get(name)
    if loaded is None or getattr(loaded, "__file__", None) == str(path):
        return name
    return f"{name}_{hashlib.sha1(str(path).encode()).hexdigest()[:8]}"


class RtestFile(pytest.File):
    """A `.rtest` file: compiled and imported, its cases become items."""

    def collect(self) -> Iterator[pytest.Item]:
        install_import_hook()
        folder = str(self.path.parent)
        if folder not in sys.path:
            sys.path.insert(0, folder)
        try:
            module = import_path(str(self.path), _module_name(self.path))
            cases = collect(module)
        except RtestSyntaxError as exc:
            raise self.CollectError(str(exc)) from None
        except ScriptError as exc:
            raise self.CollectError(f"error: {exc}") from None
        except Exception as exc:
            raise self.CollectError(
                f"{self.path}: cannot load the script: {describe(exc)}"
            ) from None
        for case in cases:
            function = case.block.function.__name__
            name = f"{function}[{case.title}]" if case.block.matrix else function
            item = RtestItem.from_parent(self, name=name, case=case, module=module)
            item.extra_keyword_matches.add(case.title)
            for tag in case.tags:
                marker = marker_name(tag)
                if marker not in self.config.stash.setdefault(_MARKERS, set()):
                    self.config.addinivalue_line("markers", f"{marker}: .rtest tag {tag!r}")
                    self.config.stash[_MARKERS].add(marker)
                item.add_marker(marker)
            item.add_marker("rtest")
            yield item


_MARKERS = pytest.StashKey[set[str]]()


def _earlier_station_errors(store: ResultStore, run_id: int, nodeid: str) -> str:
    """The note of a case dealt again after station errors ("" for a first attempt)."""
    failed = [c.station for c in store.attempts(run_id, nodeid) if c.status == STATION_ERROR]
    return f"run again after a station error on {', '.join(failed)}" if failed else ""


class RtestItem(pytest.Item):
    """One test case of a `.rtest` file."""

    def __init__(self, *, case: TestCase, module: ModuleType, **kwargs: Any):
        super().__init__(**kwargs)
        self.case = case
        self.module = module

    def runtest(self) -> None:
        state = self.config.stash[SESSION]
        assert state.store is not None and state.run_id
        file, line = self.case.block.location
        result = CaseResult(
            id=self.nodeid,
            title=self.case.title,
            file=file,
            line=line,
            station=state.station,
            tags=list(self.case.tags),
            params=dict(self.case.params),
            started=time.time(),
            serial=state.serial,
        )
        store = state.store
        self.rtest_result = result
        again = _earlier_station_errors(store, state.run_id, self.nodeid)
        case_id = store.start_case(state.run_id, result)
        if state.stopped and state.open_error is None:
            result.status = SKIPPED
            result.message = not_run_message(state.station, state.stopped)
            store.finish_case(result)
            pytest.skip(result.message)

        def sink(step: Step) -> None:
            store.add_step(case_id, step)

        start = time.perf_counter()
        try:
            if state.open_error is not None:  # the station could not be opened
                error, state.open_error = state.open_error, None
                raise error
            assert state.recorder is not None
            state.recorder.begin_case(sink)
            with use_runtime(state.recorder):
                run_case(self.module, self.case)
        except BaseException as exc:
            result.status = status_of(exc)
            result.message = describe(exc)
            if state.recorder is not None:
                state.recorder.case_failed(exc)
            if result.status == STATION_ERROR:
                state.stopped = f"station error: {exc}"
            if result.status == SKIPPED:  # the record station's dry run stopped
                pytest.skip(result.message)
            raise
        else:
            result.status = status_of(None)
        finally:
            result.duration = time.perf_counter() - start
            if again:
                result.message = f"{again}{': ' if result.message else ''}{result.message}"
            store.finish_case(result)
            if state.recorder is not None:
                state.recorder.sink = None

    rtest_result: CaseResult | None = None  # set when the case runs

    def repr_failure(
        self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None
    ) -> str | Any:
        """The error and the `.rtest` lines that led to it (not the runtime's frames)."""
        exc = excinfo.value
        frames = [
            f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(".rtest")
        ]
        text = str(exc).strip()
        lines = [f"{status_of(exc)}: {type(exc).__name__}" + (f": {text}" if text else "")]
        if not frames:  # robotest's own errors say it all; anything else: the traceback
            return lines[0] if isinstance(exc, RobotestError) else super().repr_failure(excinfo)
        lines += [
            f"{f.filename}:{f.lineno}: in {f.name}\n    {(f.line or '').strip()}" for f in frames
        ]
        return "\n".join(lines)

    def reportinfo(self) -> tuple[Path, int, str]:
        _, line = self.case.block.location
        return self.path, line - 1, self.case.title


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    seed = config.getoption("shuffle")
    if seed is not None:
        random.Random(seed).shuffle(items)
    rtest_items = [item for item in items if isinstance(item, RtestItem)]
    worker = worker_index(config)
    if worker is not None:
        add_idle_item(session, items)
    if rtest_items and not config.getoption("collectonly"):
        try:
            config.stash[SESSION].start(rtest_items)
        except pytest.UsageError as exc:  # a station's worker: `rtest run` says it once
            if worker is not None:
                config.workeroutput[USAGE_ERROR] = str(exc)  # type: ignore[attr-defined]
            raise


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if isinstance(item, RtestItem) and report.failed and call.excinfo is not None:
        report.rtest_status = status_of(call.excinfo.value)  # type: ignore[attr-defined]
    result = item.rtest_result if isinstance(item, RtestItem) else None
    if result is not None and call.when == "call":  # what the stations' dealer needs
        report.rtest_station_error = result.status == STATION_ERROR  # type: ignore[attr-defined]
        report.rtest_not_run = was_not_run(result.status, result.message)  # type: ignore[attr-defined]
    return report


def pytest_report_teststatus(
    report: pytest.TestReport, config: pytest.Config
) -> tuple[str, str, str] | None:
    outcome = getattr(report, "rtest_status", None)
    if outcome == STATION_ERROR:
        return "station error", "S", "STATION ERROR"
    if outcome == ERROR:
        return "error", "E", "ERROR"
    return None


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Station errors get their own section (pytest shows only failures and errors)."""
    reports = terminalreporter.stats.get("station error", [])
    if reports:
        terminalreporter.write_sep("=", "STATION ERRORS (not counted against the image)")
        for report in reports:
            terminalreporter.write_sep("_", report.head_line or report.nodeid)
            terminalreporter.line(str(report.longrepr))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    state = session.config.stash.get(SESSION, None)
    if state is not None:
        stopped = interrupts.stopped_by() is not None  # even where its KeyboardInterrupt was lost
        state.finish(interrupted=exitstatus == pytest.ExitCode.INTERRUPTED or stopped)


@pytest.fixture(scope="session")
def rtest_runtime(pytestconfig: pytest.Config) -> Runtime | None:
    """The session's runtime (step-recording), for Python tests beside `.rtest` files."""
    return pytestconfig.stash[SESSION].recorder
