"""`rtest run --station a --station b`: pytest-xdist workers dealt by the fleet's rules.

A station that fails is a real one: a VNC station whose server does not listen (its
first case is a station error, as on a lab bench where the VNC server is down).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from robotest.runtime.runner import PlanError, RecordOptions, RunPlan
from robotest.runtime.store import ResultStore


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _down_station(folder: Path, name: str) -> Path:
    """A VNC station file for a server that is not there (connection refused)."""
    path = folder / f"{name}.toml"
    path.write_text(
        f'[station]\nkind = "vnc"\nname = "{name}"\n\n'
        f'[vnc]\nhost = "127.0.0.1"\nport = {_free_port()}\ntimeout = 1.0\n'
        "reconnect_timeout = 0.5\n"
    )
    return path


def _suite(write_suite: Callable[..., Path]) -> Path:
    return write_suite(
        {
            "bios.rtest": "".join(f'test "bios {n}":\n    press F{n}\n\n' for n in (1, 2, 3)),
            "boot.rtest": "".join(f'test "boot {n}":\n    press F{n}\n\n' for n in (4, 5)),
        }
    )


def test_a_station_error_is_run_again_on_the_other_station(
    write_suite: Callable[..., Path], tmp_path: Path, rtest: Callable[..., tuple[int, str]]
) -> None:
    suite = _suite(write_suite)
    down = _down_station(tmp_path, "down")
    db = tmp_path / "results.db"
    code, output = rtest(
        "run",
        suite,
        "--station",
        "record:good",
        "--station",
        down,
        "--db",
        db,
        "--task-size",
        "2",
    )
    assert code == 0, output  # the station's fault is not a verdict on the image
    with ResultStore(db) as store:
        run = store.runs()[0]
        attempts = {c.title: store.attempts(run.id, c.id) for c in run.cases}
    assert run.status == "passed" and run.planned == 5
    assert sorted(c.title for c in run.cases) == [
        "bios 1",
        "bios 2",
        "bios 3",
        "boot 4",
        "boot 5",
    ]  # each case once in the results
    assert {c.station for c in run.cases} == {"good"}  # the failed station took no more work
    again = [c for c in run.cases if c.message.startswith("run again")]
    assert len(again) == 1 and again[0].message == "run again after a station error on down"
    first = attempts[again[0].title][0]
    assert (first.station, first.status) == ("down", "station error")
    assert "VNC" in first.message
    assert "5 passed" in output


def test_a_case_no_healthy_station_may_run_is_recorded_not_run(
    write_suite: Callable[..., Path], tmp_path: Path, rtest: Callable[..., tuple[int, str]]
) -> None:
    suite = _suite(write_suite)
    one, two = _down_station(tmp_path, "one"), _down_station(tmp_path, "two")
    db = tmp_path / "results.db"
    code, output = rtest("run", suite, "--station", one, "--station", two, "--db", db)
    assert code == 1, output
    with ResultStore(db) as store:
        run = store.runs()[0]
    outcomes = sorted(c.status for c in run.cases)
    assert len(run.cases) == 5  # every case has one result, none is lost
    assert run.status == "station error"  # never counted against the image
    assert "failed" not in outcomes and "station error" in outcomes
    skipped = [c for c in run.cases if c.status == "skipped"]
    assert skipped and all(c.message.startswith("not run: station") for c in skipped)


def test_a_run_plan_is_checked_before_anything_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RTEST_RESULTS_DB", raising=False)
    case = tmp_path / "a.rtest"
    case.write_text('test "a":\n    press F1\n')
    plan = RunPlan(paths=[case])
    assert plan.stations == ["sim"] and plan.task_size == 200
    assert plan.database() == tmp_path / "results" / "results.db"
    plan.check()
    mistakes = {
        "name the .rtest files": RunPlan(),
        "no such file or folder": RunPlan(paths=[tmp_path / "missing"]),
        "two stations share a name": RunPlan(paths=[case], stations=["record", "record"]),
        "--upload needs this station's token": RunPlan(paths=[case], upload="http://x"),
        "task size": RunPlan(paths=[case], task_size=0),
    }
    for message, wrong in mistakes.items():
        with pytest.raises(PlanError, match=message):
            wrong.check()
    assert RecordOptions(["press:F1"], [], 0.5).pytest_options() == [
        "--record-delay",
        "0.5",
        "--record-fail",
        "press:F1",
    ]


def test_sigterm_stops_every_station_cleanly(
    write_suite: Callable[..., Path], tmp_path: Path
) -> None:
    """`kill` reaches only `rtest run`; it stops the stations' workers the same way."""
    suite = write_suite(
        {"slow.rtest": "".join(f'test "c{n}":\n    press F1\n    press F2\n\n' for n in range(8))}
    )
    db = tmp_path / "results.db"
    command = [sys.executable, "-m", "robotest", "run", str(suite), "--db", str(db)]
    command += ["--station", "record:a", "--station", "record:b", "--task-size", "2"]
    command += ["--record-delay", "2.0"]  # a case lasts 4 s: the signal lands inside one
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not _both_busy(db):
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 2  # interrupted
    finally:
        if proc.poll() is None:
            proc.kill()
    with ResultStore(db) as store:
        run = store.runs()[0]
    outcomes = [c.status for c in run.cases]
    assert run.status == "interrupted" and "running" not in outcomes
    interrupted = [c for c in run.cases if c.status == "interrupted"]
    assert {c.station for c in interrupted} == {"a", "b"}  # each station's case stopped
    assert all("SIGTERM" in c.message for c in interrupted)
    assert len(run.cases) < 8


def _finished(db: Path) -> int:
    if not db.exists():
        return 0
    with ResultStore(db) as store:
        runs = store.runs()
        return sum(c.status == "passed" for c in runs[0].cases) if runs else 0


def _both_busy(db: Path) -> bool:
    """A case has passed, and each station is in the middle of one: a signal now
    interrupts a case on both."""
    if not db.exists():
        return False
    with ResultStore(db) as store:
        runs = store.runs()
        cases = runs[0].cases if runs else []
    running = {c.station for c in cases if c.status == "running"}
    return running == {"a", "b"} and any(c.status == "passed" for c in cases)
