"""The stations' dealer (the pytest-xdist scheduler of `rtest run --station a --station b`)
against workers that only record what they are sent: the fleet's dealing rules."""

from __future__ import annotations

from dataclasses import dataclass, field

from robotest.runtime.station_dealer import IDLE_NAME, StationDealer

CASES = [f"a.rtest::t{n}" for n in range(3)] + [f"b.rtest::u{n}" for n in range(2)]
COLLECTION = [*CASES, IDLE_NAME]


@dataclass
class Gateway:
    id: str


@dataclass(eq=False)
class Worker:
    """What xdist's WorkerController offers the scheduler: it runs in order what it is sent."""

    gateway: Gateway
    sent: list[int] = field(default_factory=list)
    stolen: list[int] = field(default_factory=list)

    def send_runtest_some(self, indices: list[int]) -> None:
        self.sent.extend(indices)

    def send_steal(self, indices: list[int]) -> None:
        self.stolen.extend(indices)


def _dealer(stations: int, task_size: int = 200) -> tuple[StationDealer, list[Worker]]:
    planned: list[int] = []
    dealer = StationDealer([f"s{n}" for n in range(stations)], task_size, planned.append)
    workers = [Worker(Gateway(f"gw{n}")) for n in range(stations)]
    for worker in workers:
        dealer.add_node(worker)
        dealer.add_node_collection(worker, COLLECTION)
    dealer.schedule()
    assert planned == [len(CASES)]
    return dealer, workers


def _finish(dealer: StationDealer, worker: Worker, index: int, **outcome: bool) -> None:
    if outcome:
        dealer.case_ended(
            worker, COLLECTION[index], outcome.get("error", False), outcome.get("not_run", False)
        )
    dealer.mark_test_complete(worker, index)


def test_each_station_gets_a_file_at_a_time() -> None:
    dealer, (one, two) = _dealer(2)
    assert (one.sent, two.sent) == ([0, 1, 2], [3, 4])
    for index in (3, 4):
        _finish(dealer, two, index)
    assert two.sent[-1] == COLLECTION.index(IDLE_NAME)  # its last case runs, it waits
    for index in (0, 1, 2):
        _finish(dealer, one, index)
    assert dealer.tests_finished


def test_tasks_are_cut_at_the_task_size() -> None:
    dealer, (one, two) = _dealer(2, task_size=2)
    assert (one.sent, two.sent) == ([0, 1], [2])
    _finish(dealer, two, 2)  # 1 case left queued per file: the next task goes to it
    assert two.sent[1:] == [3, 4]


def test_a_station_error_stops_the_station_and_the_case_runs_elsewhere() -> None:
    dealer, (one, two) = _dealer(2)
    assert (one.sent, two.sent) == ([0, 1, 2], [3, 4])
    _finish(dealer, one, 0, error=True)  # s0 fails: it takes no more work
    assert one.stolen == [2]  # beyond the case it ran and the one it holds next
    dealer.remove_pending_tests_from_node(one, [2])
    _finish(dealer, one, 1, not_run=True)  # s0 skipped the case it held: dealt again
    assert one.sent == [0, 1, 2, COLLECTION.index(IDLE_NAME)]  # no case more for s0
    while len(dealer.pending[two]) > 1:  # s1 runs what it is dealt, in order
        _finish(dealer, two, dealer.pending[two][0])
    ran = [i for i in two.sent[2:] if i != COLLECTION.index(IDLE_NAME)]
    assert sorted(ran) == [0, 1, 2]  # the failed case and those s0 did not run
    assert dealer.tests_finished
    assert dealer.failed_on == {0: {"s0"}}


def test_a_case_runs_at_most_three_times_on_three_stations() -> None:
    idle = COLLECTION.index(IDLE_NAME)
    dealer, (s0, s1, s2, s3) = _dealer(4, task_size=1)
    assert [w.sent for w in (s0, s1, s2, s3)] == [[0], [1], [2], [3]]
    _finish(dealer, s0, 0, error=True)
    assert (s1.sent, s2.sent, s3.sent) == ([1, 0], [2, 4], [3, idle])
    _finish(dealer, s1, 1)
    _finish(dealer, s1, 0, error=True)  # second station error: to a third station
    _finish(dealer, s3, 3)
    assert s3.sent == [3, idle, 0]
    _finish(dealer, s3, idle)
    _finish(dealer, s3, 0, error=True)  # the third: the case stays a station error
    assert dealer.failed_on[0] == {"s0", "s1", "s3"}
    assert 0 not in s2.sent and not any(0 in deal.indices for deal in dealer.queue)
    assert dealer.stopped == {"s0", "s1", "s3"}


def test_a_case_no_healthy_station_may_run_goes_to_a_stopped_one() -> None:
    dealer, (one,) = _dealer(1, task_size=1)
    assert one.sent == [0]
    _finish(dealer, one, 0, error=True)  # the only station stops
    assert 0 not in one.sent[1:]  # its failed case stays a station error
    assert set(one.sent[1:]) >= {1, 2, 3, 4}  # the others: recorded as not run by it
    for index in (1, 2, 3, 4):
        _finish(dealer, one, index, not_run=True)
    assert dealer.tests_finished and not dealer.queue
