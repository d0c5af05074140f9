"""The results database: SQLite in WAL mode, written as the run happens.

Every step is its own transaction, so a crash or a kill loses at most the step in
flight. A run row keeps the pid and host of the process that owns it; a run with no
end whose process is gone is marked ``interrupted`` the next time the database is
opened (its unfinished cases too), so a killed run never looks like it is still going.
Several processes (one per station) write into one database safely.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from robotest.errors import RobotestError
from robotest.results.statuses import INTERRUPTED, RUNNING, worst
from robotest.runtime.results import CaseResult, RunInfo, Step

DEFAULT_DB = Path("results") / "results.db"

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    station TEXT NOT NULL,
    image TEXT NOT NULL DEFAULT '',
    image_version TEXT NOT NULL DEFAULT '',
    serial TEXT NOT NULL DEFAULT '',
    suite_version TEXT NOT NULL DEFAULT '',
    started REAL NOT NULL,
    ended REAL,
    status TEXT NOT NULL,
    pid INTEGER NOT NULL,
    pid_start TEXT NOT NULL DEFAULT '',
    host TEXT NOT NULL,
    planned INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS cases (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    nodeid TEXT NOT NULL,
    title TEXT NOT NULL,
    file TEXT NOT NULL,
    station TEXT NOT NULL,
    tags TEXT NOT NULL,
    params TEXT NOT NULL,
    started REAL NOT NULL,
    duration REAL NOT NULL DEFAULT 0,
    outcome TEXT NOT NULL,
    message TEXT NOT NULL DEFAULT '',
    serial TEXT NOT NULL DEFAULT '',
    line INTEGER NOT NULL DEFAULT 0,
    superseded INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS cases_run ON cases(run_id);
CREATE TABLE IF NOT EXISTS steps (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    name TEXT NOT NULL,
    args TEXT NOT NULL,
    file TEXT NOT NULL,
    line INTEGER NOT NULL,
    started REAL NOT NULL,
    duration REAL NOT NULL,
    outcome TEXT NOT NULL,
    message TEXT NOT NULL DEFAULT '',
    grp TEXT NOT NULL DEFAULT '',
    attempt INTEGER NOT NULL DEFAULT 0,
    screenshot BLOB,
    screenshot_name TEXT NOT NULL DEFAULT '',
    source BLOB
);
CREATE INDEX IF NOT EXISTS steps_case ON steps(case_id);
"""

# Columns added since the first release: (table, column, type), added to older databases.
_ADDED_COLUMNS = (
    ("cases", "line", "INTEGER NOT NULL DEFAULT 0"),
    ("cases", "superseded", "INTEGER NOT NULL DEFAULT 0"),  # a case run again elsewhere
    ("steps", "source", "BLOB"),
)


def _process_start(pid: int) -> str:
    """When process *pid* started (clock ticks since boot), '' if unknown or gone.

    Kept with the pid so that a new process reusing a dead run's pid is not taken for it.
    """
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return ""
    return "" if fields[0] in ("Z", "X") else fields[19]


def _alive(pid: int, pid_start: str, host: str) -> bool:
    """Whether the process owning a run may still be running (another host: yes)."""
    if host != socket.gethostname():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    started = _process_start(pid)
    if not os.path.exists("/proc/self/stat"):
        return True  # no /proc: trust the pid alone
    return bool(started) and (not pid_start or started == pid_start)


class ResultsDatabaseError(RobotestError):
    """The results database cannot be opened: a folder, not SQLite, not readable."""


class ResultStore:
    """Runs, cases and steps in one SQLite file (created with its folder on first use)."""

    def __init__(self, path: str | os.PathLike[str] = DEFAULT_DB):
        self.path = Path(path)
        if self.path.is_dir():
            raise ResultsDatabaseError(f"results database {self.path} is a folder, not a file")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(
                self.path, timeout=30, isolation_level=None, check_same_thread=False
            )
        except (OSError, sqlite3.Error) as exc:
            raise ResultsDatabaseError(
                f"cannot open the results database {self.path}: {exc}"
            ) from None
        try:
            self._prepare()
        except sqlite3.DatabaseError as exc:
            self.db.close()
            if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
                raise
            raise ResultsDatabaseError(
                f"{self.path} is not a robotest results database (SQLite: {exc})"
            ) from None

    def _prepare(self) -> None:
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.row_factory = sqlite3.Row
        with self.transaction() as db:
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            for table, column, kind in _ADDED_COLUMNS:  # a database from before they were
                columns = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
                if column not in columns:
                    db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
        self.mark_interrupted()

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE``: writers queue, never interleave)."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- writing ----------------------------------------------------------------------
    def create_run(
        self,
        *,
        station: str,
        image: str = "",
        image_version: str = "",
        serial: str = "",
        suite_version: str = "",
        pid: int | None = None,
    ) -> int:
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT INTO runs (station, image, image_version, serial, suite_version,"
                " started, status, pid, pid_start, host) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    station,
                    image,
                    image_version,
                    serial,
                    suite_version,
                    time.time(),
                    RUNNING,
                    pid or os.getpid(),
                    _process_start(pid or os.getpid()),
                    socket.gethostname(),
                ),
            )
            return int(cursor.lastrowid or 0)

    def add_planned(self, run_id: int, count: int) -> None:
        with self.transaction() as db:
            db.execute("UPDATE runs SET planned = planned + ? WHERE id = ?", (count, run_id))

    def finish_run(self, run_id: int, status: str | None = None) -> str:
        """Close a run; its status is *status* or the worst outcome of its cases."""
        with self.transaction() as db:
            if status is None:
                rows = db.execute(
                    "SELECT outcome FROM cases WHERE run_id = ? AND superseded = 0", (run_id,)
                )
                status = worst([row[0] for row in rows])
            db.execute(
                "UPDATE runs SET ended = ?, status = ? WHERE id = ?", (time.time(), status, run_id)
            )
        return status

    def start_case(self, run_id: int, case: CaseResult) -> int:
        """A case starts; an earlier attempt of it in this run (a station error, or not run
        by a station that stopped) is superseded: the latest attempt is the case's result."""
        with self.transaction() as db:
            db.execute(
                "UPDATE cases SET superseded = 1 WHERE run_id = ? AND nodeid = ?",
                (run_id, case.id),
            )
            cursor = db.execute(
                "INSERT INTO cases (run_id, nodeid, title, file, line, station, tags, params,"
                " started, outcome, serial) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    run_id,
                    case.id,
                    case.title,
                    case.file,
                    case.line,
                    case.station,
                    json.dumps(case.tags),
                    json.dumps(case.params, default=repr),
                    case.started,
                    RUNNING,
                    case.serial,
                ),
            )
            case.db_id = int(cursor.lastrowid or 0)
            return case.db_id

    def finish_case(self, case: CaseResult) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE cases SET duration = ?, outcome = ?, message = ? WHERE id = ?",
                (case.duration, case.status, case.message, case.db_id),
            )

    def add_step(self, case_id: int, step: Step) -> int:
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT INTO steps (case_id, name, args, file, line, started, duration, outcome,"
                " message, grp, attempt, screenshot, screenshot_name, source)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    case_id,
                    step.name,
                    step.args,
                    step.file,
                    step.line,
                    step.started,
                    step.duration,
                    step.status,
                    step.message,
                    step.group,
                    step.attempt,
                    step.screenshot,
                    step.screenshot_name,
                    step.source,
                ),
            )
            step.db_id = int(cursor.lastrowid or 0)
            return step.db_id

    def end_unfinished(self, run_id: int, outcome: str, message: str) -> int:
        """Give the cases of `run_id` still running (their process is gone) `outcome`."""
        with self.transaction() as db:
            cursor = db.execute(
                "UPDATE cases SET outcome = ?, message = ? WHERE run_id = ? AND outcome = ?",
                (outcome, message, run_id, RUNNING),
            )
            return cursor.rowcount

    def attempts(self, run_id: int, nodeid: str) -> list[CaseResult]:
        """The earlier attempts of a case in a run, oldest first (without steps)."""
        rows = self.db.execute(
            "SELECT * FROM cases WHERE run_id = ? AND nodeid = ? ORDER BY id", (run_id, nodeid)
        )
        return [self._case(row) for row in rows.fetchall()]

    def mark_interrupted(self) -> list[int]:
        """Mark runs whose owning process is gone as interrupted; their ids."""
        rows = self.db.execute("SELECT id, pid, pid_start, host FROM runs WHERE ended IS NULL")
        dead = [
            row["id"]
            for row in rows.fetchall()
            if not _alive(row["pid"], row["pid_start"], row["host"])
        ]
        for run_id in dead:
            with self.transaction() as db:
                # the case ran at least until its last recorded step ended
                db.execute(
                    "UPDATE cases SET outcome = ?, message = ?, duration = MAX(0,"
                    " COALESCE((SELECT MAX(steps.started + steps.duration) FROM steps"
                    " WHERE steps.case_id = cases.id), started) - started)"
                    " WHERE run_id = ? AND outcome = ?",
                    (INTERRUPTED, "the run was killed while this case ran", run_id, RUNNING),
                )
                ended = db.execute(
                    "SELECT MAX(steps.started + steps.duration) FROM steps JOIN cases ON cases.id ="
                    " steps.case_id WHERE cases.run_id = ?",
                    (run_id,),
                ).fetchone()[0]
                db.execute(
                    "UPDATE runs SET status = ?, ended = COALESCE(?, started) WHERE id = ?",
                    (INTERRUPTED, ended, run_id),
                )
        return dead

    # -- reading ----------------------------------------------------------------------
    def runs(self, limit: int = 20) -> list[RunInfo]:
        """The latest runs, newest first, with their cases (without steps)."""
        rows = self.db.execute("SELECT * FROM runs ORDER BY id DESC LIMIT ?", (limit,))
        return [self._run(row, steps=False) for row in rows.fetchall()]

    def latest_run_id(self) -> int | None:
        row = self.db.execute("SELECT MAX(id) FROM runs").fetchone()
        return None if row[0] is None else int(row[0])

    def run(self, run_id: int, *, steps: bool = True) -> RunInfo | None:
        row = self.db.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        return None if row is None else self._run(row, steps=steps)

    def _run(self, row: sqlite3.Row, *, steps: bool) -> RunInfo:
        info = RunInfo(
            id=row["id"],
            station=row["station"],
            image=row["image"],
            image_version=row["image_version"],
            serial=row["serial"],
            suite_version=row["suite_version"],
            started=row["started"],
            ended=row["ended"],
            status=row["status"],
            pid=row["pid"],
            host=row["host"],
            planned=row["planned"],
        )
        info.cases = self.cases(info.id, steps=steps)
        return info

    def cases(self, run_id: int, *, steps: bool = True) -> list[CaseResult]:
        rows = self.db.execute(
            "SELECT * FROM cases WHERE run_id = ? AND superseded = 0 ORDER BY id", (run_id,)
        )
        cases = [self._case(row) for row in rows.fetchall()]
        if steps:
            for case in cases:
                assert case.db_id is not None
                case.steps = self.steps(case.db_id)
        return cases

    @staticmethod
    def _case(row: sqlite3.Row) -> CaseResult:
        return CaseResult(
            id=row["nodeid"],
            title=row["title"],
            file=row["file"],
            line=row["line"],
            station=row["station"],
            tags=json.loads(row["tags"]),
            params=json.loads(row["params"]),
            started=row["started"],
            duration=row["duration"],
            status=row["outcome"],
            message=row["message"],
            serial=row["serial"],
            db_id=row["id"],
        )

    def step_screen(self, step_id: int) -> bytes | None:
        """The screen step *step_id* saw, as image file bytes: the bare screen under an
        annotated failure picture, else the step's screenshot; None if the step is
        unknown or has no screen."""
        row = self.db.execute(
            "SELECT screenshot, source FROM steps WHERE id = ?", (step_id,)
        ).fetchone()
        if row is None:
            return None
        screen = row["source"] or row["screenshot"]
        return bytes(screen) if screen else None

    def steps(self, case_id: int) -> list[Step]:
        columns = (
            "id, name, args, file, line, started, duration, outcome, message, grp,"
            " attempt, screenshot, screenshot_name"
        )  # not the capture source
        rows = self.db.execute(
            f"SELECT {columns} FROM steps WHERE case_id = ? ORDER BY id", (case_id,)
        )
        return [
            Step(
                name=r["name"],
                args=r["args"],
                file=r["file"],
                line=r["line"],
                started=r["started"],
                duration=r["duration"],
                status=r["outcome"],
                message=r["message"],
                group=r["grp"],
                attempt=r["attempt"],
                screenshot=r["screenshot"],
                screenshot_name=r["screenshot_name"],
                db_id=r["id"],
            )
            for r in rows.fetchall()
        ]

    def progress(self, run_id: int) -> dict[str, Any]:
        """What a live display needs: planned, finished cases, the current case and step."""
        run = self.db.execute("SELECT planned, status FROM runs WHERE id = ?", (run_id,)).fetchone()
        finished = self.db.execute(
            "SELECT id, title, station, outcome AS status, duration FROM cases WHERE run_id = ?"
            " AND outcome != ? AND superseded = 0 ORDER BY id",
            (run_id, RUNNING),
        ).fetchall()
        running = self.db.execute(
            "SELECT c.id, c.title, c.station, c.started, (SELECT s.name || ' ' || s.args FROM"
            " steps s WHERE s.case_id = c.id ORDER BY s.id DESC LIMIT 1) AS step FROM cases c"
            " WHERE c.run_id = ? AND c.outcome = ? ORDER BY c.id",
            (run_id, RUNNING),
        ).fetchall()
        return {
            "planned": run["planned"] if run else 0,
            "status": run["status"] if run else RUNNING,
            "finished": [dict(row) for row in finished],
            "running": [dict(row) for row in running],
        }
