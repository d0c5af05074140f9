"""Where the server keeps fleet runs and the state of each of their cases.

Two tables beside the server's own, in the same database (SQLite or PostgreSQL): a run
(what was submitted, its status) and one row per case (pending until a station's result
makes it final). A result is stored only while its case is pending, in one UPDATE, so a
case delivered twice (a worker killed after it ran, a task re-delivered) ends once.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from robotest.results.statuses import ERROR

PENDING = "pending"
DEALING, FINISHED, CANCELLED = "dealing", "finished", "cancelled"
FAILED = ERROR
"""A run that could not be dealt (its files cannot be collected): the model's error."""
ENDED = (FINISHED, CANCELLED, FAILED)

metadata = sa.MetaData()

fleet_runs = sa.Table(
    "fleet_runs",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("channel", sa.String(200), nullable=False),
    sa.Column("version", sa.String(64), nullable=False),
    sa.Column("submitted_by", sa.String(200), nullable=False),
    sa.Column("request", sa.Text, nullable=False),  # paths, -k, -m, labels, image (JSON)
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("message", sa.Text, nullable=False, default=""),
    sa.Column("total", sa.Integer, nullable=False, default=0),
    sa.Column("tasks", sa.Integer, nullable=False, default=0),
    sa.Column("submitted_at", sa.Float, nullable=False),
    sa.Column("dealt_at", sa.Float),
    sa.Column("ended_at", sa.Float),
)

fleet_cases = sa.Table(
    "fleet_cases",
    metadata,
    sa.Column("run_id", sa.String(32), sa.ForeignKey("fleet_runs.id"), primary_key=True),
    sa.Column("nodeid", sa.String(2000), primary_key=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("title", sa.Text, nullable=False, default=""),
    sa.Column("station", sa.String(200), nullable=False, default=""),
    sa.Column("tried", sa.Text, nullable=False, default="[]"),  # stations with a station error
    sa.Column("tags", sa.Text, nullable=False, default="[]"),
    sa.Column("duration", sa.Float, nullable=False, default=0.0),
    sa.Column("message", sa.Text, nullable=False, default=""),
    sa.Column("finished_at", sa.Float),
    sa.Index("fleet_cases_status", "run_id", "status"),
)


class FleetStore:
    """Runs and cases on the server's database engine."""

    def __init__(self, engine: Engine):
        self.engine = engine
        metadata.create_all(engine)

    def add_run(
        self,
        run_id: str,
        channel: str,
        version: str,
        who: str,
        request: dict[str, Any],
        submitted_at: float,
    ) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                fleet_runs.insert().values(
                    id=run_id,
                    channel=channel,
                    version=version,
                    submitted_by=who,
                    request=json.dumps(request),
                    status=DEALING,
                    message="",
                    submitted_at=submitted_at,
                )
            )

    def add_cases(self, run_id: str, nodeids: list[str], chunk: int = 5000) -> None:
        with self.engine.begin() as conn:
            for start in range(0, len(nodeids), chunk):
                conn.execute(
                    fleet_cases.insert(),
                    [
                        {
                            "run_id": run_id,
                            "nodeid": n,
                            "status": PENDING,
                            "title": "",
                            "station": "",
                            "tried": "[]",
                            "tags": "[]",
                            "duration": 0.0,
                            "message": "",
                        }
                        for n in nodeids[start : start + chunk]
                    ],
                )
            conn.execute(
                fleet_runs.update().where(fleet_runs.c.id == run_id).values(total=len(nodeids))
            )

    def set_status(self, run_id: str, status: str, message: str = "", **values: Any) -> bool:
        """Move a run that has not ended to `status`; False when it had already ended."""
        with self.engine.begin() as conn:
            done = conn.execute(
                fleet_runs.update()
                .where(fleet_runs.c.id == run_id, fleet_runs.c.status.not_in(ENDED))
                .values(status=status, message=message, **values)
            )
            return bool(done.rowcount)

    def run(self, run_id: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(fleet_runs.select().where(fleet_runs.c.id == run_id)).first()
        if row is None:
            return None
        run = dict(row._mapping)
        run["request"] = json.loads(run["request"])
        return run

    def runs(self, limit: int = 50) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                fleet_runs.select().order_by(fleet_runs.c.submitted_at.desc()).limit(limit)
            )
            return [dict(r._mapping) for r in rows]

    def unfinished(self, run_id: str, nodeids: Iterable[str]) -> list[str]:
        """Those of `nodeids` still pending, in the order given."""
        wanted = list(nodeids)
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(fleet_cases.c.nodeid).where(
                    fleet_cases.c.run_id == run_id,
                    fleet_cases.c.status == PENDING,
                    fleet_cases.c.nodeid.in_(wanted),
                )
            )
            pending = {r.nodeid for r in rows}
        return [n for n in wanted if n in pending]

    def finish_cases(self, run_id: str, results: dict[str, dict[str, Any]]) -> int:
        """Store pending cases' final results (node id -> values) in one transaction; how
        many were stored (a case not pending, a duplicate, is left as it is)."""
        stored = 0
        with self.engine.begin() as conn:
            for nodeid, values in results.items():
                done = conn.execute(
                    fleet_cases.update()
                    .where(
                        fleet_cases.c.run_id == run_id,
                        fleet_cases.c.nodeid == nodeid,
                        fleet_cases.c.status == PENDING,
                    )
                    .values(**values)
                )
                stored += done.rowcount
        return stored

    def retry_case(self, run_id: str, nodeid: str, station: str, message: str) -> list[str] | None:
        """Note a station error of a pending case: the stations tried so far, or None when it
        was not pending."""
        with self.engine.begin() as conn:
            row = conn.execute(
                sa.select(fleet_cases.c.tried).where(
                    fleet_cases.c.run_id == run_id,
                    fleet_cases.c.nodeid == nodeid,
                    fleet_cases.c.status == PENDING,
                )
            ).first()
            if row is None:
                return None
            tried = [*json.loads(row.tried), station]
            conn.execute(
                fleet_cases.update()
                .where(fleet_cases.c.run_id == run_id, fleet_cases.c.nodeid == nodeid)
                .values(tried=json.dumps(tried), station=station, message=message)
            )
            return tried

    def has_pending(self, run_id: str) -> bool:
        """Whether any case of the run still waits for a result: one index lookup (the
        `fleet_cases_status` index), however many cases the run has, so it can follow
        every result batch."""
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(fleet_cases.c.nodeid)
                .where(fleet_cases.c.run_id == run_id, fleet_cases.c.status == PENDING)
                .limit(1)
            ).first()
        return row is not None

    def cancel_pending(self, run_id: str, message: str = "run cancelled") -> int:
        """Pending cases of a run that ended early end `cancelled`."""
        with self.engine.begin() as conn:
            done = conn.execute(
                fleet_cases.update()
                .where(fleet_cases.c.run_id == run_id, fleet_cases.c.status == PENDING)
                .values(status="cancelled", message=message, finished_at=now_seconds())
            )
            return int(done.rowcount)

    def counts(self, run_id: str) -> tuple[dict[str, int], dict[str, int]]:
        """Cases per status, and finished cases per station."""
        with self.engine.connect() as conn:
            by_status = conn.execute(
                sa.select(fleet_cases.c.status, sa.func.count())
                .where(fleet_cases.c.run_id == run_id)
                .group_by(fleet_cases.c.status)
            )
            statuses = {s: int(n) for s, n in by_status}
            by_station = conn.execute(
                sa.select(fleet_cases.c.station, sa.func.count())
                .where(
                    fleet_cases.c.run_id == run_id,
                    fleet_cases.c.status != PENDING,
                    fleet_cases.c.station != "",
                )
                .group_by(fleet_cases.c.station)
            )
            stations = {s: int(n) for s, n in by_station}
        return statuses, stations

    def first_result_at(self, run_id: str) -> float | None:
        with self.engine.connect() as conn:
            value = conn.execute(
                sa.select(sa.func.min(fleet_cases.c.finished_at)).where(
                    fleet_cases.c.run_id == run_id
                )
            ).scalar_one()
        return float(value) if value is not None else None

    def cases(
        self, run_id: str, offset: int = 0, limit: int | None = None, status: str | None = None
    ) -> list[dict[str, Any]]:
        query = fleet_cases.select().where(fleet_cases.c.run_id == run_id)
        if status:
            query = query.where(fleet_cases.c.status == status)
        query = query.order_by(fleet_cases.c.nodeid).offset(offset)
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            rows = conn.execute(query)
            return [case_json(dict(r._mapping)) for r in rows]


def case_json(row: dict[str, Any]) -> dict[str, Any]:
    """A stored case under the result model's names (a CaseRecord's ``id`` is the node id)."""
    return {
        "id": row["nodeid"],
        "title": row["title"] or row["nodeid"],
        "status": row["status"],
        "station": row["station"],
        "stations_tried": json.loads(row["tried"]),
        "tags": json.loads(row["tags"]),
        "duration": row["duration"],
        "message": row["message"],
    }


def now_seconds() -> float:
    return time.time()
