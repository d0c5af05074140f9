"""A task's cases on the record station: every case handed on once, in few batches."""

from __future__ import annotations

import math
import time
from pathlib import Path

from robotest.fleet import execution
from robotest.fleet.execution import StationSetup, run_cases
from robotest.runtime.results import CaseResult

CASES = 12
DELAY = 0.1  # each statement takes this long: the cases end over about 2.4 s


def test_finished_cases_leave_once_each_in_batches_at_most_every_send_interval(
    tmp_path: Path,
) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "m.rtest").write_text(
        f'"""Matrix."""\n\ntest "case {{i}}" for i in range({CASES}):\n'
        '    press F2\n    await_text "Ready"\n'
    )
    nodeids = [f"m.rtest::test_case[case {i}]" for i in range(CASES)]
    batches: list[list[CaseResult]] = []

    def sink(cases: list[CaseResult]) -> bool:
        batches.append(cases)
        return False

    station = StationSetup("record:r1", "r1", tmp_path / "dest", record_delay=DELAY)
    station.dest.mkdir()
    began = time.monotonic()
    finished = run_cases(station, tree, nodeids, None, "v1", sink)
    wall = time.monotonic() - began

    sent = [c.id for batch in batches for c in batch]
    assert sorted(sent) == sorted(nodeids)  # every case once, none twice
    assert {c.status for c in finished} == {"passed"}, [c.message for c in finished][:2]
    # a batch per SEND_SECONDS while the child runs, and one when it ends (polling every
    # POLL_SECONDS would send about three times as many)
    assert len(batches) <= math.floor(wall / execution.SEND_SECONDS) + 1
    assert len(batches) >= 2  # results still leave while the task goes on
