"""Runs that outlive a process: a killed run, and two stations sharing one suite."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from robotest.runtime.store import ResultStore

ROOT = Path(__file__).resolve().parents[2]

SLOW = """
test "first":
    press F1
    press F2

test "second":
    press F3
    press F4
    press F5
    press F6
    press F7
    press F8
"""


def _count_steps(db: Path) -> int:
    if not db.exists():
        return 0
    with ResultStore(db) as store:
        return int(store.db.execute("SELECT COUNT(*) FROM steps").fetchone()[0])


def test_killed_run_is_interrupted_and_keeps_finished_steps(
    write_suite: Callable[..., Path], tmp_path: Path, rtest: Callable[..., tuple[int, str]]
) -> None:
    suite = write_suite({"slow.rtest": SLOW})
    db = tmp_path / "results.db"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "robotest",
            "run",
            str(suite),
            "--station",
            "record",
            "--db",
            str(db),
            "--record-delay",
            "0.4",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while _count_steps(db) < 4 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proc.poll() is None, "the run ended before it could be killed"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    with ResultStore(db) as store:  # opening marks it: its pid is gone
        run = store.run(1)
    assert run is not None and run.status == "interrupted" and run.ended is not None
    assert [(c.title, c.status) for c in run.cases] == [
        ("first", "passed"),
        ("second", "interrupted"),
    ]
    second = run.cases[1].steps
    assert 2 <= len(second) < 6
    assert [s.args for s in second] == [f"F{n}" for n in range(3, 3 + len(second))]
    code, output = rtest("results", "--db", db)
    assert code == 0 and "interrupted" in output


def test_two_stations_run_each_case_exactly_once(
    write_suite: Callable[..., Path], tmp_path: Path, rtest: Callable[..., tuple[int, str]]
) -> None:
    source = "\n".join(
        f'test "case {n}" tags t{n % 2}:\n    press F{n % 12 + 1}\n' for n in range(10)
    )
    suite = write_suite({"many.rtest": source})
    db = tmp_path / "results.db"
    code, output = rtest(
        "run",
        suite,
        "--station",
        "record:left",
        "--station",
        "record:right",
        "-m",
        "t0 or t1",
        "--db",
        db,
        "--report",
        tmp_path / "rep",
        "--task-size",
        "2",
    )
    assert code == 0, output
    with ResultStore(db) as store:
        runs = store.runs()
        assert len(runs) == 1
        cases = store.cases(runs[0].id)
    titles = sorted(c.title for c in cases)
    assert titles == sorted(f"case {n}" for n in range(10))  # each case exactly once
    assert {c.station for c in cases} == {"left", "right"}
    assert all(c.status == "passed" and len(c.steps) == 1 for c in cases)
    assert runs[0].station == "left, right" and runs[0].status == "passed"
    assert runs[0].planned == 10
    assert (tmp_path / "rep" / "results.xlsx").exists()
