"""`rtest run --station a --station b`: one pytest-xdist worker per station, the cases
dealt by the rules of :mod:`robotest.dealing` (the fleet's rules).

pytest-xdist starts the workers, collects in each, sends them cases and brings their
reports back; this module is its scheduler (the ``pytest_xdist_make_scheduler`` hook):

- the cases go out a task at a time (a file's consecutive cases, at most ``task_size``);
- a worker whose case ends in ``station error`` gets no more work; the cases it still
  holds are taken back (xdist's ``steal``) or, when it skipped them as not run, dealt
  again to the others;
- the case itself is run again on a station that has not failed it, at most
  :data:`robotest.dealing.MAX_STATION_ERRORS` runs in all (the latest attempt is the
  case's result: :meth:`robotest.runtime.store.ResultStore.start_case`);
- a case no healthy station may run goes to a stopped one, which records it as not run;
- a worker process that dies ends the run (its case is a station error; cases not
  started have no result): xdist starts no replacement, which would be a station
  nobody named.

An xdist worker runs a case only once it knows the next one (or is told to stop), so a
worker with nothing left to do is sent :data:`IDLE_NAME`, a no-op item every worker
collects last: its last case runs and reports, and a re-run can still reach it.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest

from robotest.dealing import DEFAULT_TASK_SIZE, group_cases, may_run_again

IDLE_NAME = "rtest-station-idle"
USAGE_ERROR = "rtest_usage_error"  # a worker's workeroutput key: the run cannot start


class IdleItem(pytest.Item):
    """The no-op item that lets a worker finish its last case while it waits for work."""

    def runtest(self) -> None:
        return None

    def reportinfo(self) -> tuple[str, int, str]:
        return "", 0, IDLE_NAME


def add_idle_item(session: pytest.Session, items: list[pytest.Item]) -> None:
    """In an xdist worker: the idle item after the cases (every worker the same)."""
    items.append(IdleItem.from_parent(session, name=IDLE_NAME))


def worker_index(config: pytest.Config) -> int | None:
    """This process's worker number (0, 1, ...) under xdist; None in the controller."""
    workerinput: dict[str, Any] | None = getattr(config, "workerinput", None)
    if workerinput is None:
        return None
    return int(str(workerinput["workerid"]).removeprefix("gw"))


@dataclass
class Deal:
    """Cases (collection indices) to give one station, and the stations that may not."""

    indices: list[int]
    exclude: frozenset[str] = field(default_factory=frozenset)


class StationDealer:
    """The xdist scheduler (``xdist.scheduler.protocol.Scheduling``) of a local run."""

    def __init__(
        self,
        stations: Sequence[str],
        task_size: int = DEFAULT_TASK_SIZE,
        planned: Callable[[int], None] = lambda count: None,
    ):
        self.stations = list(stations)  # worker gwN runs stations[N]
        self.planned = planned  # told the number of cases once they are known
        self.task_size = task_size
        self.pending: dict[Any, list[int]] = {}  # WorkerController -> indices sent, not done
        self.collections: dict[Any, list[str]] = {}
        self.collection: list[str] = []
        self.queue: deque[Deal] = deque()
        self.failed_on: dict[int, set[str]] = {}  # case -> stations with a station error
        self.attempted: set[int] = set()  # cases with a result (any station)
        self.stopped: set[str] = set()
        self.idle = -1  # the index of the idle item
        self.dealt = False
        self.closing = False  # xdist is shutting the workers down

    # -- the Scheduling protocol ---------------------------------------------------------
    @property
    def nodes(self) -> list[Any]:
        return list(self.pending)

    @property
    def collection_is_completed(self) -> bool:
        return len(self.collections) >= len(self.stations)

    @property
    def tests_finished(self) -> bool:
        if not self.collection_is_completed or not self.dealt or self.queue:
            return False
        return all(not self._real(pending) for pending in self.pending.values())

    @property
    def has_pending(self) -> bool:
        return bool(self.queue) or any(self._real(p) for p in self.pending.values())

    def add_node(self, node: Any) -> None:
        self.pending[node] = []

    def add_node_collection(self, node: Any, collection: Sequence[str]) -> None:
        if self.collections and list(collection) != self.collection:
            raise pytest.UsageError(
                f"station {self.station(node)} collected other cases than the first station"
            )
        self.collections[node] = list(collection)
        self.collection = list(collection)

    def mark_test_complete(self, node: Any, item_index: int, duration: float = 0) -> None:
        self.pending[node].remove(item_index)
        self._deal()

    def mark_test_pending(self, item: str) -> None:
        raise NotImplementedError("a crashed case is a station error, not dealt again")

    def remove_pending_tests_from_node(self, node: Any, indices: Sequence[int]) -> None:
        """Cases taken back from a stopped station: to the others."""
        for index in indices:
            self.pending[node].remove(index)
        cases = [i for i in indices if i != self.idle]
        if cases:
            self.queue.appendleft(Deal(cases))
        self._deal()

    def remove_node(self, node: Any) -> str | None:
        """A worker ended. At the end of the run it holds nothing; one that died (killed,
        out of memory) ends the run, as xdist does when it may not start another
        (``--max-worker-restart 0``: a new worker would be a station nobody named). The
        case it was running is returned (it becomes a station error); nothing more is
        dealt to the workers, which are being shut down."""
        self.closing = True
        self.stopped.add(self.station(node))
        pending = [i for i in self.pending.pop(node, []) if i != self.idle]
        return self.collection[pending[0]] if pending else None

    def schedule(self) -> None:
        if self.dealt or not self.collection_is_completed:
            return
        idle = [i for i, nodeid in enumerate(self.collection) if nodeid.endswith(IDLE_NAME)]
        self.idle = idle[0] if idle else -1
        cases = [n for n in self.collection if not n.endswith(IDLE_NAME)]
        position = {nodeid: i for i, nodeid in enumerate(self.collection)}
        for task in group_cases(cases, self.task_size):
            self.queue.append(Deal([position[n] for n in task]))
        self.planned(len(cases))
        self.dealt = True
        self._deal()

    # -- results that change the dealing ------------------------------------------------
    def case_ended(self, node: Any, nodeid: str, station_error: bool, not_run: bool) -> None:
        """A case's report: after a station error the station stops and the case is dealt
        again; a case a stopped station did not run is dealt to the others."""
        if node not in self.pending or nodeid not in self.collection:
            return
        index = self.collection.index(nodeid)
        self.attempted.add(index)
        station = self.station(node)
        if station_error:
            self.failed_on.setdefault(index, set()).add(station)
            self._stop(node)
            if may_run_again(len(self.failed_on[index])):
                self.queue.appendleft(Deal([index], frozenset(self.failed_on[index])))
        elif not_run:
            self.queue.appendleft(Deal([index], frozenset(self.failed_on.get(index, set()))))

    def station(self, node: Any) -> str:
        workerid = str(node.gateway.id)
        return self.stations[int(workerid.removeprefix("gw"))]

    # -- dealing ----------------------------------------------------------------------
    def _stop(self, node: Any) -> None:
        """No more work for the station; take back what it holds beyond its current case
        and the next one (which an xdist worker has already taken off its queue)."""
        self.stopped.add(self.station(node))
        held = [i for i in self.pending[node][2:] if i != self.idle]
        if held:
            node.send_steal(held)

    def _real(self, pending: list[int]) -> list[int]:
        return [i for i in pending if i != self.idle]

    def _healthy(self, deal: Deal) -> list[Any]:
        return [
            node for node in self.pending if self.station(node) not in self.stopped | deal.exclude
        ]

    def _deal(self) -> None:
        """Give each idle station the first task it may run; park idle ones."""
        if not self.dealt or self.closing:
            return
        self._settle_orphans()
        for node, pending in self.pending.items():
            if self._real(pending) and len(pending) > 1:
                continue  # busy: it knows its next case
            deal = self._next_for(node)
            if deal is not None:
                self._send(node, deal.indices)
            elif len(pending) == 1 and pending[0] != self.idle:
                self._send(node, [self.idle])  # run the last case, then wait

    def _next_for(self, node: Any) -> Deal | None:
        station = self.station(node)
        if station in self.stopped:
            return None
        for deal in self.queue:
            if station not in deal.exclude:
                self.queue.remove(deal)
                return deal
        return None

    def _settle_orphans(self) -> None:
        """Tasks no healthy station may run: a case with a result keeps it (its last
        station error stands); one never run goes to a stopped station to be recorded as
        not run (or, with no station left, is dropped)."""
        for deal in list(self.queue):
            if self._healthy(deal):
                continue
            self.queue.remove(deal)
            never_run = [i for i in deal.indices if i not in self.attempted]
            if never_run and self.pending:
                node = next(iter(self.pending))
                self._send(node, never_run)

    def _send(self, node: Any, indices: list[int]) -> None:
        self.pending[node].extend(indices)  # an idle item ahead of them runs as a no-op
        node.send_runtest_some(indices)


class DealerPlugin:
    """The controller's side: makes the scheduler and shows it each case's outcome."""

    def __init__(self, dealer: StationDealer):
        self.dealer = dealer

    @pytest.hookimpl(tryfirst=True)
    def pytest_xdist_make_scheduler(self, config: pytest.Config, log: Any) -> StationDealer:
        return self.dealer

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when != "call" or report.nodeid.endswith(IDLE_NAME):
            return
        node = getattr(report, "node", None)
        if node is not None:
            self.dealer.case_ended(
                node,
                report.nodeid,
                station_error=getattr(report, "rtest_station_error", False),
                not_run=getattr(report, "rtest_not_run", False),
            )

    def pytest_testnodedown(self, node: Any, error: object) -> None:
        """A worker that could not start the run (a configuration mistake, a station
        that cannot be made) stops the whole run with its one line, as one station does."""
        message = getattr(node, "workeroutput", {}).get(USAGE_ERROR)
        if message:
            raise pytest.UsageError(message)

    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        """SIGTERM stopped this process: stop the stations' workers the same way (each
        interrupts its case and leaves its station safe). A Ctrl-C reached them itself."""
        if "SIGTERM" not in str(excinfo.value):
            return
        for node in self.dealer.nodes:
            pid = worker_pid(node)
            if pid is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGTERM)


def worker_pid(node: Any) -> int | None:
    """The process id of an xdist worker on this machine (execnet's popen gateway keeps
    its subprocess.Popen; neither library has a public accessor)."""
    popen = getattr(getattr(node.gateway, "_io", None), "popen", None)
    pid = getattr(popen, "pid", None)
    return pid if isinstance(pid, int) else None
