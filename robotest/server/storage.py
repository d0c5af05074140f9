"""Where the server keeps versions, channels, tokens, stations and runs.

One small interface (`Storage`) with one implementation on SQLAlchemy Core, which
runs on SQLite (the default, a file in the data directory) and on PostgreSQL (psycopg 3)
alike. File contents are not in the database: they are blobs in the object store.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from robotest.server.clock import now_iso

metadata = sa.MetaData()

versions = sa.Table(
    "versions",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("publisher", sa.String(200), nullable=False),
    sa.Column("file_count", sa.Integer, nullable=False),
    sa.Column("total_size", sa.BigInteger, nullable=False),
    sa.Column("manifest", sa.LargeBinary, nullable=False),
    sa.Column("signature", sa.Text, nullable=False),
)
channels = sa.Table(
    "channels",
    metadata,
    sa.Column("name", sa.String(100), primary_key=True),
    sa.Column("version_id", sa.String(64), sa.ForeignKey("versions.id"), nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("updated_at", sa.String(32), nullable=False),
    sa.Column("updated_by", sa.String(200), nullable=False),
    sa.Column("signature", sa.Text, nullable=False),
)
channel_log = sa.Table(
    "channel_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("channel", sa.String(100), nullable=False, index=True),
    sa.Column("version_id", sa.String(64), nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("at", sa.String(32), nullable=False),
    sa.Column("by", sa.String(200), nullable=False),
    sa.Column("action", sa.String(20), nullable=False),
)
tokens = sa.Table(
    "tokens",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
)
stations = sa.Table(
    "stations",
    metadata,
    sa.Column("name", sa.String(200), primary_key=True),
    sa.Column("channel", sa.String(100)),
    sa.Column("version_id", sa.String(64)),
    sa.Column("last_sync_at", sa.String(32)),
    sa.Column("sync_status", sa.String(20)),
    sa.Column("sync_error", sa.Text),
    sa.Column("last_run_id", sa.String(200)),
    sa.Column("last_run_at", sa.String(32)),
)
runs = sa.Table(
    "runs",
    metadata,
    sa.Column("id", sa.String(200), primary_key=True),
    sa.Column("station", sa.String(200), nullable=False, index=True),
    sa.Column("image", sa.String(500), nullable=False),
    sa.Column("suite_version", sa.String(64), nullable=False),
    sa.Column("started_at", sa.String(32), nullable=False, index=True),
    sa.Column("ended_at", sa.String(32), nullable=False),
    sa.Column("uploaded_at", sa.String(32), nullable=False),
    sa.Column("counts", sa.Text, nullable=False),
)
run_tests = sa.Table(
    "run_tests",
    metadata,
    sa.Column("run_id", sa.String(200), sa.ForeignKey("runs.id"), primary_key=True),
    sa.Column("idx", sa.Integer, primary_key=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("tags", sa.Text, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("duration", sa.Float, nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("screenshots", sa.Text, nullable=False),
    # the shared result model's case fields (added after the first release: see migrate())
    sa.Column("case_id", sa.Text, nullable=False, server_default=""),
    sa.Column("location", sa.Text, nullable=False, server_default=""),
    sa.Column("station", sa.String(200), nullable=False, server_default=""),
    sa.Column("serial", sa.String(200), nullable=False, server_default=""),
    sa.Column("steps", sa.Text, nullable=False, server_default="[]"),
    sa.Index("run_tests_status", "run_id", "status"),
    sa.Index("run_tests_station", "run_id", "station"),
)
run_test_tags = sa.Table(
    "run_test_tags",
    metadata,
    sa.Column("run_id", sa.String(200), sa.ForeignKey("runs.id"), primary_key=True),
    sa.Column("tag", sa.String(200), primary_key=True),
    sa.Column("idx", sa.Integer, primary_key=True),
)
run_files = sa.Table(
    "run_files",
    metadata,
    sa.Column("run_id", sa.String(200), sa.ForeignKey("runs.id"), primary_key=True),
    sa.Column("path", sa.String(1000), primary_key=True),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
)


INSERT_BATCH = 5000
"""Tests inserted per statement when a run is stored."""


@dataclass(frozen=True)
class TestFilter:
    """Which tests of a run a page shows: every given condition must hold."""

    status: str | None = None
    tag: str | None = None
    station: str | None = None
    text: str | None = None
    """Found in the title or the message (any case)."""


@dataclass(frozen=True)
class VersionRecord:
    id: str
    created_at: str
    publisher: str
    file_count: int
    total_size: int
    manifest: bytes
    signature: str


@dataclass(frozen=True)
class ChannelRecord:
    name: str
    version_id: str
    seq: int
    updated_at: str
    updated_by: str
    signature: str


@dataclass(frozen=True)
class TokenRecord:
    name: str
    role: str


ChannelSigner = Callable[[str, str, int], str]
"""Signs the statement (channel, version, seq)."""


class Conflict(Exception):
    """A record with this key already exists."""


class Storage(Protocol):
    """Everything the service stores apart from file contents."""

    def publish(
        self, version: VersionRecord, channel: str, by: str, sign: ChannelSigner
    ) -> ChannelRecord: ...
    def get_version(self, version_id: str) -> VersionRecord | None: ...
    def list_versions(self) -> list[VersionRecord]: ...
    def get_channel(self, name: str) -> ChannelRecord | None: ...
    def list_channels(self) -> list[ChannelRecord]: ...
    def move_channel(
        self, name: str, version_id: str, by: str, action: str, sign: ChannelSigner
    ) -> ChannelRecord: ...
    def channel_history(self, name: str) -> list[dict[str, Any]]: ...
    def add_token(self, token_hash: str, name: str, role: str) -> None: ...
    def find_token(self, token_hash: str) -> TokenRecord | None: ...
    def revoke_tokens(self, name: str) -> int: ...
    def list_tokens(self) -> list[tuple[str, str, str]]: ...
    def record_sync(
        self, station: str, channel: str, version_id: str | None, status: str, error: str
    ) -> None: ...
    def list_stations(self) -> list[dict[str, Any]]: ...
    def add_run(
        self, run: dict[str, Any], tests: Iterable[dict[str, Any]], files: list[dict[str, Any]]
    ) -> None: ...
    def get_run(self, run_id: str) -> dict[str, Any] | None: ...
    def list_runs(
        self, start: str | None = None, end: str | None = None, station: str | None = None
    ) -> list[dict[str, Any]]: ...
    def run_tests(self, run_id: str) -> list[dict[str, Any]]: ...
    def run_files(self, run_id: str) -> list[dict[str, Any]]: ...
    def page_tests(
        self, run_id: str, where: TestFilter, offset: int, limit: int
    ) -> tuple[int, list[dict[str, Any]]]: ...
    def iter_tests(self, run_id: str) -> Iterator[dict[str, Any]]: ...
    def run_facets(self, run_id: str) -> dict[str, list[str]]: ...


def database_url(data_dir: Path, url: str | None) -> str:
    """SQLite in the data directory unless a URL is given; postgresql:// uses psycopg 3."""
    if not url:
        return f"sqlite:///{data_dir / 'robotest-server.db'}"
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class SqlStorage:
    """`Storage` on SQLAlchemy Core: SQLite or PostgreSQL."""

    def __init__(self, url: str):
        if url.startswith("sqlite"):
            self.engine: Engine = sa.create_engine(
                url,
                connect_args={"check_same_thread": False, "timeout": 30},
                pool_size=20,
                max_overflow=20,
            )
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        else:
            self.engine = sa.create_engine(url, pool_size=20, max_overflow=20, pool_pre_ping=True)
        metadata.create_all(self.engine)
        migrate(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    # versions and channels -------------------------------------------------

    def publish(
        self, version: VersionRecord, channel: str, by: str, sign: ChannelSigner
    ) -> ChannelRecord:
        """Store `version` (if new) and move `channel` to it, in one transaction."""
        with self.engine.begin() as conn:
            exists = conn.execute(
                sa.select(versions.c.id).where(versions.c.id == version.id)
            ).first()
            if exists is None:
                conn.execute(versions.insert().values(**version.__dict__))
            return self._move(conn, channel, version.id, by, "publish", sign)

    def move_channel(
        self, name: str, version_id: str, by: str, action: str, sign: ChannelSigner
    ) -> ChannelRecord:
        with self.engine.begin() as conn:
            return self._move(conn, name, version_id, by, action, sign)

    def _move(
        self,
        conn: sa.Connection,
        name: str,
        version_id: str,
        by: str,
        action: str,
        sign: ChannelSigner,
    ) -> ChannelRecord:
        current = conn.execute(
            sa.select(channels.c.seq).where(channels.c.name == name).with_for_update()
        ).first()
        seq = 1 if current is None else current.seq + 1
        record = ChannelRecord(name, version_id, seq, now_iso(), by, sign(name, version_id, seq))
        values = {k: v for k, v in record.__dict__.items() if k != "name"}
        if current is None:
            conn.execute(channels.insert().values(name=name, **values))
        else:
            conn.execute(channels.update().where(channels.c.name == name).values(**values))
        conn.execute(
            channel_log.insert().values(
                channel=name,
                version_id=version_id,
                seq=seq,
                at=record.updated_at,
                by=by,
                action=action,
            )
        )
        return record

    def get_version(self, version_id: str) -> VersionRecord | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(versions).where(versions.c.id == version_id)).first()
        return VersionRecord(**row._mapping) if row else None

    def list_versions(self) -> list[VersionRecord]:
        cols = [c for c in versions.c if c.name != "manifest"]
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(*cols).order_by(versions.c.created_at)).all()
        return [VersionRecord(manifest=b"", **row._mapping) for row in rows]

    def get_channel(self, name: str) -> ChannelRecord | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(channels).where(channels.c.name == name)).first()
        return ChannelRecord(**row._mapping) if row else None

    def list_channels(self) -> list[ChannelRecord]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(channels).order_by(channels.c.name)).all()
        return [ChannelRecord(**row._mapping) for row in rows]

    def channel_history(self, name: str) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(channel_log)
                .where(channel_log.c.channel == name)
                .order_by(channel_log.c.seq)
            ).all()
        return [dict(row._mapping) for row in rows]

    # tokens and stations ---------------------------------------------------

    def add_token(self, token_hash: str, name: str, role: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                tokens.insert().values(
                    token_hash=token_hash, name=name, role=role, created_at=now_iso()
                )
            )

    def find_token(self, token_hash: str) -> TokenRecord | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(tokens.c.name, tokens.c.role).where(tokens.c.token_hash == token_hash)
            ).first()
        return TokenRecord(row.name, row.role) if row else None

    def revoke_tokens(self, name: str) -> int:
        with self.engine.begin() as conn:
            deleted: int = conn.execute(tokens.delete().where(tokens.c.name == name)).rowcount
        return deleted

    def list_tokens(self) -> list[tuple[str, str, str]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(tokens.c.name, tokens.c.role, tokens.c.created_at).order_by(
                    tokens.c.name, tokens.c.created_at
                )
            ).all()
        return [(row.name, row.role, row.created_at) for row in rows]

    def record_sync(
        self, station: str, channel: str, version_id: str | None, status: str, error: str
    ) -> None:
        values: dict[str, Any] = {
            "channel": channel,
            "last_sync_at": now_iso(),
            "sync_status": status,
            "sync_error": error,
        }
        if version_id:
            values["version_id"] = version_id
        self._upsert_station(station, values)

    def _upsert_station(self, station: str, values: dict[str, Any]) -> None:
        with self.engine.begin() as conn:
            done = conn.execute(
                stations.update().where(stations.c.name == station).values(**values)
            ).rowcount
            if not done:
                try:
                    with conn.begin_nested():
                        conn.execute(stations.insert().values(name=station, **values))
                except IntegrityError:
                    conn.execute(
                        stations.update().where(stations.c.name == station).values(**values)
                    )

    def list_stations(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(stations).order_by(stations.c.name)).all()
        return [dict(row._mapping) for row in rows]

    # runs ------------------------------------------------------------------

    def add_run(
        self, run: dict[str, Any], tests: Iterable[dict[str, Any]], files: list[dict[str, Any]]
    ) -> None:
        """Store one run with its tests and files; Conflict when the run id exists.

        The tests are inserted in batches as they come (one transaction), so a run of
        100,000 is never held as rows all at once."""
        try:
            with self.engine.begin() as conn:
                conn.execute(runs.insert().values(**run))
                numbered = enumerate(tests)
                while batch := list(islice(numbered, INSERT_BATCH)):
                    conn.execute(run_tests.insert(), [_test_row(run, i, t) for i, t in batch])
                    tags = {(i, tag) for i, t in batch for tag in t["tags"]}
                    if tags:
                        conn.execute(
                            run_test_tags.insert(),
                            [{"run_id": run["id"], "idx": i, "tag": tag} for i, tag in tags],
                        )
                if files:
                    conn.execute(run_files.insert(), [{**f, "run_id": run["id"]} for f in files])
        except IntegrityError as exc:
            raise Conflict(f"run {run['id']} was already uploaded") from exc
        self._upsert_station(
            run["station"], {"last_run_id": run["id"], "last_run_at": run["started_at"]}
        )

    def get_run(self, run_id: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(runs).where(runs.c.id == run_id)).first()
        return _run_dict(row._mapping) if row else None

    def list_runs(
        self, start: str | None = None, end: str | None = None, station: str | None = None
    ) -> list[dict[str, Any]]:
        query = sa.select(runs).order_by(runs.c.started_at.desc())
        if start:
            query = query.where(runs.c.started_at >= start)
        if end:
            query = query.where(runs.c.started_at < end)
        if station:
            query = query.where(runs.c.station == station)
        with self.engine.connect() as conn:
            return [_run_dict(row._mapping) for row in conn.execute(query).all()]

    def run_tests(self, run_id: str) -> list[dict[str, Any]]:
        return list(self.iter_tests(run_id))

    def iter_tests(self, run_id: str) -> Iterator[dict[str, Any]]:
        """Every test of the run in order, read from the database in batches."""
        query = sa.select(run_tests).where(run_tests.c.run_id == run_id).order_by(run_tests.c.idx)
        with self.engine.connect() as conn:
            for row in conn.execution_options(yield_per=2000).execute(query):
                yield _test_dict(row)

    def page_tests(
        self, run_id: str, where: TestFilter, offset: int, limit: int
    ) -> tuple[int, list[dict[str, Any]]]:
        """How many tests of the run match *where*, and the *limit* from *offset* on."""
        conditions = [run_tests.c.run_id == run_id]
        if where.status:
            conditions.append(run_tests.c.status == where.status)
        if where.station:
            conditions.append(run_tests.c.station == where.station)
        if where.tag:  # the tag's tests from its index, not a probe per test
            conditions.append(
                run_tests.c.idx.in_(
                    sa.select(run_test_tags.c.idx).where(
                        run_test_tags.c.run_id == run_id, run_test_tags.c.tag == where.tag
                    )
                )
            )
        if where.text:
            conditions.append(
                sa.or_(
                    run_tests.c.title.icontains(where.text, autoescape=True),
                    run_tests.c.message.icontains(where.text, autoescape=True),
                )
            )
        with self.engine.connect() as conn:
            total = conn.execute(
                sa.select(sa.func.count()).select_from(run_tests).where(*conditions)
            ).scalar_one()
            rows = conn.execute(
                sa.select(run_tests)
                .where(*conditions)
                .order_by(run_tests.c.idx)
                .offset(offset)
                .limit(limit)
            ).all()
        return int(total), [_test_dict(row) for row in rows]

    def run_facets(self, run_id: str) -> dict[str, list[str]]:
        """The stations and tags of a run's tests, for the filters of its page."""
        with self.engine.connect() as conn:
            stations_ = (
                conn.execute(
                    sa.select(run_tests.c.station)
                    .distinct()
                    .where(run_tests.c.run_id == run_id)
                    .order_by(run_tests.c.station)
                )
                .scalars()
                .all()
            )
            tags = (
                conn.execute(
                    sa.select(run_test_tags.c.tag)
                    .distinct()
                    .where(run_test_tags.c.run_id == run_id)
                    .order_by(run_test_tags.c.tag)
                )
                .scalars()
                .all()
            )
        return {"stations": list(stations_), "tags": list(tags)}

    def run_files(self, run_id: str) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(run_files).where(run_files.c.run_id == run_id).order_by(run_files.c.path)
            ).all()
        return [dict(row._mapping) for row in rows]


def migrate(engine: Engine) -> None:
    """Bring a database made by an earlier release up to these tables: add the columns
    and indexes `run_tests` gained (create_all makes only tables that do not exist).

    Hand-written because the changes are additive; a migration tool (Alembic) earns its
    place at the first change that is not."""
    have = {c["name"] for c in sa.inspect(engine).get_columns(run_tests.name)}
    with engine.begin() as conn:
        for column in run_tests.columns:
            if column.name not in have:
                kind = column.type.compile(engine.dialect)
                default = column.server_default.arg  # type: ignore[union-attr]
                conn.execute(
                    sa.text(
                        f"ALTER TABLE run_tests ADD COLUMN {column.name} {kind}"
                        f" NOT NULL DEFAULT '{default}'"
                    )
                )
        if "station" not in have:  # tests uploaded before ran on their run's station
            conn.execute(
                run_tests.update().values(
                    station=sa.select(runs.c.station)
                    .where(runs.c.id == run_tests.c.run_id)
                    .scalar_subquery()
                )
            )
    for index in run_tests.indexes:
        index.create(engine, checkfirst=True)


def _test_row(run: dict[str, Any], idx: int, test: dict[str, Any]) -> dict[str, Any]:
    """A test of the shared result model as a `run_tests` row."""
    return {
        "run_id": run["id"],
        "idx": idx,
        "title": test["title"],
        "tags": json.dumps(test["tags"]),
        "status": test["status"],
        "duration": test["duration"],
        "message": test["message"],
        "screenshots": json.dumps(test["screenshots"]),
        "case_id": test.get("id", ""),
        "location": test.get("location", ""),
        "station": test.get("station") or run["station"],
        "serial": test.get("serial", ""),
        "steps": json.dumps(test.get("steps", [])),
    }


def _test_dict(row: Any) -> dict[str, Any]:
    """A `run_tests` row in the shared result model's names (and its index in the run)."""
    test = {
        **row._mapping,
        "id": row.case_id,
        "tags": json.loads(row.tags),
        "screenshots": json.loads(row.screenshots),
        "steps": json.loads(row.steps),
    }
    del test["case_id"], test["run_id"]
    return test


def _run_dict(mapping: Any) -> dict[str, Any]:
    run = dict(mapping)
    run["counts"] = json.loads(run["counts"])
    run["run_id"] = run["id"].rpartition("/")[2]  # the id is "station/run_id"
    return run
