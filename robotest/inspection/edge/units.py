"""Every unit a line inspected, and the reviews people gave them.

A unit is keyed by its line and the id the line's equipment gave it, so a request sent
twice (a retry after a timeout, a client resending after the service restarted) is
recorded once and answered with the same result. The SHA-256 of its picture is stored
with it: the same id with another picture is not a retry (a PLC counter that reset),
and the service refuses it instead of answering from the store.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from typing import Any, Literal

from robotest.inspection.errors import InspectionError
from robotest.inspection.registry import Database, add_columns

VerdictName = Literal["OK", "NG"]
REVIEW_VERDICTS = ("correct", "wrong")
REVIEW_ATTENTION = ("well", "wrong_place")

SCHEMA = """
CREATE TABLE IF NOT EXISTS units (
    line TEXT NOT NULL, unit TEXT NOT NULL, received_at TEXT NOT NULL,
    verdict TEXT NOT NULL, score REAL NOT NULL, boxes TEXT NOT NULL,
    model_version TEXT NOT NULL, elapsed_ms REAL NOT NULL, uncertain INTEGER NOT NULL,
    folder TEXT, review_verdict TEXT, review_attention TEXT, reviewed_at TEXT,
    used_finetune INTEGER NOT NULL DEFAULT 0, used_retrain INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (line, unit));
CREATE INDEX IF NOT EXISTS units_time ON units (line, received_at);
"""

# columns added after the first release
UNIT_COLUMNS = (
    ("image_sha256", "TEXT"),
    ("decision", "REAL"),
    ("good_quantile", "REAL"),
    ("tried_retrain", "INTEGER NOT NULL DEFAULT 0"),
)
FIELDS = (
    "line, unit, received_at, verdict, score, boxes, model_version, elapsed_ms, "
    "uncertain, folder, review_verdict, review_attention, reviewed_at, image_sha256, "
    "decision, good_quantile"
)


def picture_hash(data: bytes) -> str:
    """The stored fingerprint of a unit's picture file."""
    return hashlib.sha256(data).hexdigest()


class UnitConflict(InspectionError):
    """A known unit id sent again with a different picture."""

    def __init__(self, line: str, unit: str):
        super().__init__(
            f"unit {unit} of line {line} was inspected before with a different "
            "picture: refused (a reset unit counter? send a new unit id)"
        )
        self.unit = unit


@dataclass
class UnitRecord:
    """One inspected unit: the answer the line got, and the review if there was one."""

    line: str
    unit: str
    received_at: str
    verdict: VerdictName
    score: float  # the model's image score, as `rtest inspect predict` prints it
    boxes: list[list[float]]
    model_version: str
    elapsed_ms: float
    uncertain: bool
    folder: str | None = None  # where its picture and heat map are archived
    review_verdict: str | None = None
    review_attention: str | None = None
    reviewed_at: str | None = None
    image_sha256: str | None = None
    decision: float | None = None  # decision score, 1.0 = the threshold
    good_quantile: float | None = None  # share of held-out good units scoring lower

    @property
    def truly_ok(self) -> bool | None:
        """What the unit really was according to its review (None: not reviewed)."""
        if self.review_verdict is None:
            return None
        return (self.verdict == "OK") == (self.review_verdict == "correct")

    def answer(self) -> dict[str, Any]:
        """The reply the line's equipment gets (HTTP JSON; the TCP line carries the same)."""
        return {
            "unit": self.unit,
            "line": self.line,
            "verdict": self.verdict,
            "score": round(self.score, 4),
            "decision": _round(self.decision),
            "good_quantile": _round(self.good_quantile),
            "boxes": self.boxes,
            "model_version": self.model_version,
            "uncertain": self.uncertain,
            "elapsed_ms": round(self.elapsed_ms, 2),
        }


class UnitStore:
    """The ``units`` table of the registry's database."""

    def __init__(self, db: Database):
        self.db = db
        db.conn.executescript(SCHEMA)
        add_columns(db.conn, "units", UNIT_COLUMNS)

    @property
    def conn(self) -> sqlite3.Connection:
        return self.db.conn

    def record(self, unit: UnitRecord) -> bool:
        """Store *unit*; False (and nothing changed) when the line already sent this id."""
        cur = self.conn.execute(
            "INSERT OR IGNORE INTO units (line, unit, received_at, verdict, score, boxes, "
            "model_version, elapsed_ms, uncertain, folder, image_sha256, decision, "
            "good_quantile) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                unit.line,
                unit.unit,
                unit.received_at,
                unit.verdict,
                unit.score,
                json.dumps(unit.boxes),
                unit.model_version,
                unit.elapsed_ms,
                int(unit.uncertain),
                unit.folder,
                unit.image_sha256,
                unit.decision,
                unit.good_quantile,
            ),
        )
        return cur.rowcount == 1

    def get(self, line: str, unit: str) -> UnitRecord | None:
        rows = self._select("WHERE line=? AND unit=?", (line, unit))
        return rows[0] if rows else None

    def recent(self, line: str, limit: int = 50) -> list[UnitRecord]:
        return self._select("WHERE line=? ORDER BY received_at DESC LIMIT ?", (line, limit))

    def count(self, line: str) -> int:
        return int(
            self.conn.execute("SELECT COUNT(*) FROM units WHERE line=?", (line,)).fetchone()[0]
        )

    def verdict_counts(self, line: str) -> dict[str, int]:
        rows = self.conn.execute(
            "SELECT verdict, COUNT(*) FROM units WHERE line=? GROUP BY verdict", (line,)
        ).fetchall()
        counts = {"OK": 0, "NG": 0}
        counts.update({r[0]: r[1] for r in rows})
        return counts

    def answer_time_p99(self, line: str, last: int = 1000) -> float | None:
        """99th percentile of the service's answer time (ms) over the *last* units."""
        rows = self.conn.execute(
            "SELECT elapsed_ms FROM units WHERE line=? ORDER BY received_at DESC LIMIT ?",
            (line, last),
        ).fetchall()
        if not rows:
            return None
        times = sorted(r[0] for r in rows)
        return float(times[min(len(times) - 1, int(0.99 * len(times)))])

    def timeline(self, line: str, minutes: bool = True) -> list[tuple[str, int, int]]:
        """``(period, OK count, NG count)`` per minute (or hour), oldest first."""
        width = 16 if minutes else 13
        rows = self.conn.execute(
            f"SELECT substr(received_at, 1, {width}) AS p, "
            "SUM(verdict='OK'), SUM(verdict='NG') FROM units WHERE line=? "
            "GROUP BY p ORDER BY p",
            (line,),
        ).fetchall()
        return [(r[0], int(r[1]), int(r[2])) for r in rows]

    # -- reviews ----------------------------------------------------------------
    def queue(self, line: str, version: str | None) -> list[UnitRecord]:
        """Uncertain units judged by *version* (the running one) whose two-stage review is
        not finished, oldest first. Units a retired version judged leave the queue: their
        score meant something else (their pictures stay in the archive)."""
        return self._select(
            "WHERE line=? AND uncertain=1 AND review_attention IS NULL "
            "AND model_version=? ORDER BY received_at",
            (line, version or ""),
        )

    def retired_waiting(self, line: str, version: str | None) -> int:
        """Uncertain, unreviewed units judged by a version the line no longer runs."""
        return int(
            self.conn.execute(
                "SELECT COUNT(*) FROM units WHERE line=? AND uncertain=1 AND review_attention IS "
                "NULL AND model_version<>?",
                (line, version or ""),
            ).fetchone()[0]
        )

    def review_many(
        self, line: str, units: list[str], *, verdict: str | None, attention: str | None, at: str
    ) -> list[UnitRecord]:
        """Review several units alike (a reviewer's bulk action); all or none."""
        missing = [u for u in units if self.get(line, u) is None]
        if missing:
            raise InspectionError(f"line {line!r} has no unit(s) {', '.join(missing[:5])}")
        self.conn.execute("BEGIN")
        try:
            done = [
                self.review(line, u, verdict=verdict, attention=attention, at=at) for u in units
            ]
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")
        return done

    # -- archive --------------------------------------------------------------------
    def archived(self, line: str) -> list[UnitRecord]:
        """Units whose picture is kept, oldest first."""
        return self._select("WHERE line=? AND folder IS NOT NULL ORDER BY received_at", (line,))

    def forget_picture(self, line: str, unit: str) -> None:
        self.conn.execute("UPDATE units SET folder=NULL WHERE line=? AND unit=?", (line, unit))

    def review(
        self,
        line: str,
        unit: str,
        *,
        verdict: str | None = None,
        attention: str | None = None,
        at: str,
    ) -> UnitRecord:
        """Record stage 1 (was the verdict correct?) and/or stage 2 (did it look at the
        right place?). Stage 2 needs stage 1 first."""
        record = self.get(line, unit)
        if record is None:
            raise InspectionError(f"line {line!r} has no unit {unit!r}")
        if verdict is not None and verdict not in REVIEW_VERDICTS:
            raise InspectionError(
                f"review verdict must be one of {', '.join(REVIEW_VERDICTS)}, got {verdict!r}"
            )
        if attention is not None and attention not in REVIEW_ATTENTION:
            raise InspectionError(
                f"review attention must be one of {', '.join(REVIEW_ATTENTION)}, got {attention!r}"
            )
        if attention is not None and verdict is None and record.review_verdict is None:
            raise InspectionError(f"unit {unit!r}: say whether the verdict was correct first")
        if verdict is not None:
            self.conn.execute(
                "UPDATE units SET review_verdict=?, reviewed_at=? WHERE line=? AND unit=?",
                (verdict, at, line, unit),
            )
        if attention is not None:
            self.conn.execute(
                "UPDATE units SET review_attention=?, reviewed_at=? WHERE line=? AND unit=?",
                (attention, at, line, unit),
            )
        updated = self.get(line, unit)
        assert updated is not None
        return updated

    def attention_counts(self, line: str) -> dict[str, int]:
        """How often reviewers found the model looking well or at the wrong place."""
        rows = self.conn.execute(
            "SELECT review_attention, COUNT(*) FROM units WHERE line=? "
            "AND review_attention IS NOT NULL GROUP BY review_attention",
            (line,),
        ).fetchall()
        counts = dict.fromkeys(REVIEW_ATTENTION, 0)
        counts.update({r[0]: r[1] for r in rows})
        return counts

    def corrected(
        self, line: str, *, not_in: str | None = None, learnable: bool = False
    ) -> list[UnitRecord]:
        """Units whose verdict a reviewer corrected (optionally: not yet used by a promoted
        update of kind ``finetune`` or ``retrain``; *learnable*: whose picture is kept)."""
        extra = f" AND used_{not_in}=0" if not_in in ("finetune", "retrain") else ""
        extra += " AND folder IS NOT NULL" if learnable else ""
        return self._select(
            "WHERE line=? AND review_verdict='wrong'" + extra + " ORDER BY received_at", (line,)
        )

    def untried(self, line: str) -> list[UnitRecord]:
        """Corrected units with a kept picture, waiting for a retrain, that no rejected
        retrain has tried yet."""
        return self._select(
            "WHERE line=? AND review_verdict='wrong' AND used_retrain=0 "
            "AND tried_retrain=0 AND folder IS NOT NULL ORDER BY received_at",
            (line,),
        )

    def reviewed(self, line: str) -> list[UnitRecord]:
        return self._select(
            "WHERE line=? AND review_verdict IS NOT NULL ORDER BY received_at", (line,)
        )

    def mark_used(self, line: str, units: list[str], purpose: str) -> None:
        """``finetune`` / ``retrain``: a promoted update learnt from them; ``tried_retrain``:
        a rejected retrain had them (they wait for the next one, with new evidence)."""
        column = {
            "finetune": "used_finetune",
            "retrain": "used_retrain",
            "tried_retrain": "tried_retrain",
        }[purpose]
        self.conn.executemany(
            f"UPDATE units SET {column}=1 WHERE line=? AND unit=?", [(line, u) for u in units]
        )

    def _select(self, where: str, args: tuple[Any, ...]) -> list[UnitRecord]:
        rows = self.conn.execute(f"SELECT {FIELDS} FROM units {where}", args).fetchall()
        return [
            UnitRecord(
                **{**dict(r), "boxes": json.loads(r["boxes"]), "uncertain": bool(r["uncertain"])}
            )
            for r in rows
        ]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
