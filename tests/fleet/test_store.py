"""The server's fleet store on SQLite: a task dealt twice (re-delivered after its worker
died, or run again after a station error) never makes a case end twice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from robotest.fleet.dealing import group_cases
from robotest.fleet.store import PENDING, FleetStore

RUN = "20261205-120000-abcdef"


@pytest.fixture
def store(tmp_path: Path) -> FleetStore:
    fleet = FleetStore(sa.create_engine(f"sqlite:///{tmp_path / 'server.db'}"))
    fleet.add_run(RUN, "stable", "v1", "qa", {}, 0.0)
    fleet.add_cases(RUN, [f"m.rtest::t[{i}]" for i in range(10)])
    return fleet


def passed(station: str) -> dict[str, Any]:
    return {"status": "passed", "station": station, "finished_at": 1.0}


def test_a_redelivered_task_claims_only_the_cases_not_yet_reported(store: FleetStore) -> None:
    task = [f"m.rtest::t[{i}]" for i in range(10)]
    assert store.finish_cases(RUN, {n: passed("w1") for n in task[:4]}) == 4
    # w1 was killed here; the broker gives the same task to w2
    assert store.unfinished(RUN, task) == task[4:]


def test_results_sent_twice_are_stored_once_and_keep_the_first_station(
    store: FleetStore,
) -> None:
    batch = {f"m.rtest::t[{i}]": passed("w1") for i in range(6)}
    assert store.finish_cases(RUN, batch) == 6
    again = {n: passed("w2") for n in [*batch, "m.rtest::t[6]"]}
    assert store.finish_cases(RUN, again) == 1
    cases = store.cases(RUN)
    assert [c["id"] for c in cases] == sorted(c["id"] for c in cases)
    assert len(cases) == 10
    stations = {c["id"]: c["station"] for c in cases}
    assert {stations[n] for n in batch} == {"w1"}
    assert stations["m.rtest::t[6]"] == "w2"


def test_has_pending_turns_false_with_the_last_result(store: FleetStore) -> None:
    nodeids = [f"m.rtest::t[{i}]" for i in range(10)]
    store.finish_cases(RUN, {n: passed("w1") for n in nodeids[:9]})
    assert store.has_pending(RUN)
    assert store.counts(RUN)[0] == {"passed": 9, PENDING: 1}
    store.finish_cases(RUN, {nodeids[9]: passed("w1")})
    assert not store.has_pending(RUN)


def test_a_big_matrix_is_dealt_in_tasks_of_the_fixed_count() -> None:
    nodeids = [f"m.rtest::t[{i}]" for i in range(100_000)]
    tasks = list(group_cases(nodeids, 200))
    assert len(tasks) == 500
    assert {len(t) for t in tasks} == {200}
    assert [n for t in tasks for n in t] == nodeids
