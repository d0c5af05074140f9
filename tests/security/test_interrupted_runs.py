"""A run stopped by SIGTERM ends like one stopped by Ctrl-C: interrupted, with its reports;
the interrupted case shows how long it ran, also when the run was killed outright.

Once SIGTERM left no reports and a killed run's interrupted case showed 0.00 s.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from robotest.runtime.store import ResultStore

ROOT = Path(__file__).resolve().parents[2]

SUITE = (
    """
test "first":
    press F1

test "long":
    press F2
"""
    + "    press F3\n    wait 300ms\n" * 200
)


def _long_steps(db: Path) -> int:
    """Steps stored for the "long" case (on two stations, "first" runs beside it)."""
    if not db.exists():
        return 0
    with ResultStore(db) as store:
        query = "SELECT COUNT(*) FROM steps JOIN cases ON cases.id = steps.case_id"
        return int(store.db.execute(query + " WHERE cases.title = 'long'").fetchone()[0])


def _run_until_steps(
    tmp_path: Path, stations: list[str], steps: int, sig: signal.Signals, *extra: str
) -> tuple[int, Path, Path, float]:
    """Start `rtest run`, send *sig* once "long" stored *steps* steps.

    The exit code, the database, the report folder and when (wall clock) *sig* was sent.
    """
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "long.rtest").write_text(SUITE)
    db, report = tmp_path / "results.db", tmp_path / "report"
    command = [
        sys.executable,
        "-m",
        "robotest",
        "run",
        str(suite),
        "--db",
        str(db),
        "--report",
        str(report),
        *extra,
    ]
    for station in stations:
        command += ["--station", station]
    proc = subprocess.Popen(
        command,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while _long_steps(db) < steps and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert proc.poll() is None, "the run ended before it could be stopped"
        sent = time.time()
        proc.send_signal(sig)
        code = proc.wait(timeout=90)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return code, db, report, sent


def _interrupted_case_ran_for_real(db: Path, steps: int, signalled: float | None) -> None:
    """The "long" case is interrupted, and its time covers its *steps* stored steps and,
    when the run could still record it (SIGTERM), the time until the signal.

    (The simulated laptop's clock is accelerated: `wait 300ms` takes a few ms of real time.)
    """
    with ResultStore(db) as store:
        run = store.run(1)
    assert run is not None and run.status == "interrupted" and run.ended is not None
    long_cases = [case for case in run.cases if case.title == "long"]
    assert len(long_cases) == 1 and long_cases[0].status == "interrupted", run.cases
    case = long_cases[0]
    assert len(case.steps) >= steps
    last = max(step.started + step.duration for step in case.steps)
    assert case.duration >= last - case.started - 0.01 > 0
    if signalled is not None:
        assert case.started + case.duration >= signalled - 0.01


@pytest.mark.parametrize("stations", [["sim"], ["sim:a", "sim:b"]], ids=["one", "parallel"])
def test_sigterm_interrupts_the_run_and_writes_the_reports(
    tmp_path: Path, stations: list[str]
) -> None:
    image = str(ROOT / "scripts" / "image.toml")
    code, db, report, sent = _run_until_steps(
        tmp_path, stations, 6, signal.SIGTERM, "--image", image
    )
    assert code == 2  # pytest's "interrupted"
    for name in ("junit.xml", "report.html", "results.xlsx"):
        assert (report / name).is_file(), name
    assert "interrupted" in (report / "report.html").read_text()
    _interrupted_case_ran_for_real(db, 6, sent)


def test_a_killed_runs_case_keeps_the_time_it_ran(tmp_path: Path) -> None:
    code, db, _, _ = _run_until_steps(
        tmp_path, ["record"], 5, signal.SIGKILL, "--record-delay", "0.2"
    )
    assert code == -signal.SIGKILL
    _interrupted_case_ran_for_real(db, 5, None)  # killed: the steps it stored


LOST = """
import os
import signal


class Lost:
    def __del__(self):  # the handler's KeyboardInterrupt is raised here, and lost
        os.kill(os.getpid(), signal.SIGTERM)
        sum(range(1000))


test "long":
    press F2
    Lost()
    press F3
    press F4
"""


def test_a_sigterm_whose_interrupt_was_lost_still_stops_the_run(tmp_path: Path) -> None:
    """A signal handled inside a finalizer (``__del__``, a half-used generator) has its
    KeyboardInterrupt printed as "Exception ignored" and lost; the run must stop all the
    same, at the next statement, and end interrupted."""
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "lost.rtest").write_text(LOST)
    db = tmp_path / "results.db"
    done = subprocess.run(
        [sys.executable, "-m", "robotest", "run", str(suite), "--db", str(db)]
        + ["--report", str(tmp_path / "report"), "--station", "sim"],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stdout[-2000:]
    with ResultStore(db) as store:
        run = store.run(1)
    assert run is not None and run.status == "interrupted"
    (case,) = run.cases
    assert case.status == "interrupted"
    # `Lost()` did not raise (the interrupt was lost there): the next statement did
    assert [(step.name, step.args, step.status) for step in case.steps] == [
        ("press", "F2", "passed"),
        ("press", "F3", "interrupted"),
    ]
