"""The model registry: every trained model is a version; every production line has its setup.

A version records what a line manager or an engineer needs to trust it: its metrics on
a held-out set, threshold δ, input size, ROI, the data it came from, how it was made
(``train``, ``finetune``, ``retrain``) and from which version. A line has its own
configuration: the version it runs, its decision threshold (in units of the model's δ),
its ROI, its target review rate, the retrain trigger β, its cycle time, how long it
keeps pictures and the data sets it learns and is judged on. Everything lives in one
SQLite file (stdlib ``sqlite3``, WAL mode so that the edge service and the command line
can share it).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from robotest.inspection.errors import InspectionError
from robotest.inspection.model import InspectionModel, load_model
from robotest.inspection.roi import Roi

DB_NAME = "registry.sqlite"

SCHEMA = """
CREATE TABLE IF NOT EXISTS versions (
    name TEXT PRIMARY KEY, folder TEXT NOT NULL, kind TEXT NOT NULL,
    threshold REAL NOT NULL, input_size TEXT NOT NULL, roi TEXT NOT NULL,
    dataset TEXT NOT NULL, data_version TEXT NOT NULL, train_images INTEGER NOT NULL,
    metrics TEXT NOT NULL, origin TEXT NOT NULL, parent TEXT, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS lines (
    name TEXT PRIMARY KEY, version TEXT REFERENCES versions(name),
    threshold REAL NOT NULL DEFAULT 1.0, roi TEXT,
    beta REAL NOT NULL DEFAULT 0.1, cycle_ms REAL NOT NULL DEFAULT 500,
    idle_s REAL NOT NULL DEFAULT 60, train_data TEXT, holdout TEXT);
"""

# columns added after the first release: (name, SQL type and default)
LINE_COLUMNS = (
    ("review_rate", "REAL NOT NULL DEFAULT 0.05"),
    ("ok_sample", "REAL NOT NULL DEFAULT 0.02"),
    ("keep_days", "REAL NOT NULL DEFAULT 90"),
    ("keep_gb", "REAL NOT NULL DEFAULT 10"),
)

LINE_SETTINGS = (
    "threshold",
    "roi",
    "review_rate",
    "beta",
    "cycle_ms",
    "idle_s",
    "ok_sample",
    "keep_days",
    "keep_gb",
    "train_data",
    "holdout",
)


def now() -> str:
    """UTC time as ISO 8601 with milliseconds (sorts as text)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def add_columns(conn: sqlite3.Connection, table: str, columns: tuple[tuple[str, str], ...]) -> None:
    """Add the *columns* a table of an older registry lacks (SQLite's ALTER TABLE)."""
    have = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
    for name, kind in columns:
        if name not in have:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")


def connect(path: Path) -> sqlite3.Connection:
    """Open (and create) an SQLite file shared between processes and threads."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=30, check_same_thread=False, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


class Database:
    """One SQLite file; every thread gets its own connection (threads of the edge service,
    its updates and its web pages use it at once)."""

    def __init__(self, path: Path):
        self.path = path
        self._local = threading.local()

    @property
    def conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect(self.path)
            self._local.conn = conn
        return conn


@dataclass(frozen=True)
class ModelVersion:
    """One registered model."""

    name: str
    folder: Path
    kind: str
    threshold: float
    input_size: list[int]
    roi: list[int]
    dataset: str
    data_version: str
    train_images: int
    metrics: dict[str, Any]
    origin: str
    parent: str | None
    created_at: str

    def to_json(self) -> dict[str, Any]:
        return {**self.__dict__, "folder": str(self.folder)}


@dataclass(frozen=True)
class LineConfig:
    """How one production line inspects: which version, threshold, ROI, review rate, β,
    what pictures it keeps and for how long, and its data sets."""

    name: str
    version: str | None = None
    threshold: float = 1.0
    roi: list[int] | None = None
    review_rate: float = 0.05  # share of held-out good units the review band may take
    beta: float = 0.1
    cycle_ms: float = 500.0
    idle_s: float = 60.0
    ok_sample: float = 0.02  # share of OK units whose picture is archived
    keep_days: float = 90.0  # archived pictures older than this are deleted
    keep_gb: float = 10.0  # ...and the oldest beyond this size
    train_data: str | None = None
    holdout: str | None = None

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


class Registry:
    """Versions and lines in ``HOME/registry.sqlite``; model folders under ``HOME/models``."""

    def __init__(self, home: str | Path):
        self.home = Path(home)
        self.db = Database(self.home / DB_NAME)
        self.conn.executescript(SCHEMA)
        add_columns(self.conn, "lines", LINE_COLUMNS)

    @property
    def conn(self) -> sqlite3.Connection:
        return self.db.conn

    # -- versions ---------------------------------------------------------------
    def add_version(
        self,
        model_dir: str | Path,
        metrics: dict[str, Any],
        *,
        origin: str = "train",
        parent: str | None = None,
    ) -> ModelVersion:
        """Copy *model_dir* into the registry and record it with its held-out *metrics*."""
        model = load_model(model_dir)
        name = self._free_name(model.version)
        folder = self.home / "models" / name
        if Path(model_dir).resolve() != folder.resolve():
            shutil.copytree(model_dir, folder, dirs_exist_ok=True)
        meta = model.meta
        self.conn.execute(
            "INSERT INTO versions VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                name,
                str(folder),
                meta.kind,
                meta.threshold,
                json.dumps(meta.input_size),
                json.dumps(meta.roi),
                meta.dataset,
                meta.data_version,
                meta.train_images + meta.holdout_images,
                json.dumps(metrics),
                origin,
                parent,
                now(),
            ),
        )
        return self.version(name)

    def _free_name(self, base: str) -> str:
        name, n = base, 1
        while self.conn.execute("SELECT 1 FROM versions WHERE name=?", (name,)).fetchone():
            n += 1
            name = f"{base}.{n}"
        return name

    def version(self, name: str) -> ModelVersion:
        row = self.conn.execute("SELECT * FROM versions WHERE name=?", (name,)).fetchone()
        if row is None:
            raise InspectionError(f"no model version {name!r} in the registry {self.home}")
        return _version(row)

    def versions(self) -> list[ModelVersion]:
        rows = self.conn.execute("SELECT * FROM versions ORDER BY created_at, name")
        return [_version(r) for r in rows]

    def compare(self, first: str, second: str) -> list[tuple[str, Any, Any]]:
        """``(metric, first's value, second's value)`` for every metric either one has."""
        a, b = self.version(first).metrics, self.version(second).metrics
        names = (
            [k for k in a if k in b] + [k for k in a if k not in b] + [k for k in b if k not in a]
        )
        return [(k, a.get(k), b.get(k)) for k in names]

    # -- lines ------------------------------------------------------------------
    def configure_line(self, name: str, **settings: Any) -> LineConfig:
        """Create line *name* or change the given settings (see :data:`LINE_SETTINGS`)."""
        unknown = set(settings) - set(LINE_SETTINGS)
        if unknown:
            raise InspectionError(f"unknown line setting(s): {', '.join(sorted(unknown))}")
        _check_settings(settings)
        self.conn.execute("INSERT OR IGNORE INTO lines (name) VALUES (?)", (name,))
        for key, value in settings.items():
            stored = json.dumps(value) if key == "roi" and value is not None else value
            self.conn.execute(f"UPDATE lines SET {key}=? WHERE name=?", (stored, name))
        return self.line(name)

    def line(self, name: str) -> LineConfig:
        row = self.conn.execute("SELECT * FROM lines WHERE name=?", (name,)).fetchone()
        if row is None:
            raise InspectionError(
                f"no line {name!r} in the registry {self.home} "
                "(create it with `rtest inspect line set`)"
            )
        fields = LineConfig.__dataclass_fields__
        data = {k: v for k, v in dict(row).items() if k in fields}
        data["roi"] = json.loads(data["roi"]) if data["roi"] else None
        return LineConfig(**data)

    def lines(self) -> list[LineConfig]:
        names = [r["name"] for r in self.conn.execute("SELECT name FROM lines ORDER BY name")]
        return [self.line(n) for n in names]

    def set_running(self, line: str, version: str) -> None:
        """Make *line* run *version* (the gate is in ``edge.updates``; this only records)."""
        self.version(version)
        self.line(line)
        self.conn.execute("UPDATE lines SET version=? WHERE name=?", (version, line))

    def load_for_line(self, line: LineConfig) -> InspectionModel:
        """The line's running model with the line's threshold and ROI applied."""
        if line.version is None:
            raise InspectionError(
                f"line {line.name!r} runs no model version yet "
                "(promote one with `rtest inspect models promote`)"
            )
        return model_for_line(load_model(self.version(line.version).folder), line)


def model_for_line(model: InspectionModel, line: LineConfig) -> InspectionModel:
    """Apply the line's decision threshold (a factor on δ) and ROI to a loaded model."""
    model.meta.threshold *= line.threshold
    if line.roi is not None:
        roi = Roi.checked(line.roi)
        roi.fits(*model.meta.input_size)
        model.meta.roi, model.roi = roi.as_list(), roi
    return model


def _check_settings(settings: dict[str, Any]) -> None:
    for key in ("threshold", "cycle_ms", "beta", "idle_s", "keep_days", "keep_gb"):
        if key in settings and not float(settings[key]) > 0:
            raise InspectionError(f"line setting {key} must be positive, got {settings[key]}")
    for key in ("review_rate", "ok_sample"):
        if key in settings and not 0 <= float(settings[key]) <= 1:
            raise InspectionError(f"line setting {key} must be in [0, 1], got {settings[key]}")
    if settings.get("roi") is not None:
        Roi.checked(settings["roi"])


def _version(row: sqlite3.Row) -> ModelVersion:
    data = dict(row)
    for key in ("input_size", "roi", "metrics"):
        data[key] = json.loads(data[key])
    data["folder"] = Path(data["folder"])
    return ModelVersion(**data)
