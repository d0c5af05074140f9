"""The same server on PostgreSQL: a real `postgres` started on loopback in a temp dir.

Skipped, saying why, where the PostgreSQL server binaries (initdb, pg_ctl) are absent.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from robotest.server.errors import ClientError, CompileRefused

from .conftest import BAD_SCRIPT, ServerProcess, free_port, small_suite, write_suite


def pg_bin() -> Path | None:
    for candidate in ["/usr/local/bin", *sorted(glob.glob("/usr/lib/postgresql/*/bin"))]:
        if os.access(Path(candidate) / "initdb", os.X_OK) and os.access(
            Path(candidate) / "pg_ctl", os.X_OK
        ):
            return Path(candidate)
    found = shutil.which("initdb")
    return Path(found).parent if found and shutil.which("pg_ctl") else None


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    bindir = pg_bin()
    if bindir is None:
        pytest.skip(
            "PostgreSQL server binaries (initdb, pg_ctl) not found: "
            "PostgreSQL storage not tested on this machine"
        )
    as_user: list[str] = []
    root = Path(tempfile.mkdtemp(prefix="rtest-pg-"))
    if os.geteuid() == 0:  # postgres refuses to run as root: run it as nobody
        if shutil.which("runuser") is None:
            pytest.skip("running as root without runuser: cannot start PostgreSQL")
        as_user = ["runuser", "-u", "nobody", "--"]
        os.chmod(root, 0o755)
        shutil.chown(root, "nobody")
    port = free_port()
    data = root / "data"

    def run(*args: str) -> None:
        subprocess.run([*as_user, *args], check=True, capture_output=True, timeout=120)

    run(
        str(bindir / "initdb"),
        "-D",
        str(data),
        "-A",
        "trust",
        "-U",
        "rtest",
        "--no-sync",
        "-E",
        "UTF8",
    )
    run(
        str(bindir / "pg_ctl"),
        "-D",
        str(data),
        "-l",
        str(root / "log"),
        "-w",
        "-t",
        "60",
        "-o",
        f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off",
        "start",
    )
    try:
        with psycopg.connect(
            f"postgresql://rtest@127.0.0.1:{port}/postgres", autocommit=True
        ) as conn:
            conn.execute("CREATE DATABASE robotest")
        yield f"postgresql://rtest@127.0.0.1:{port}/robotest"
    finally:
        subprocess.run(
            [*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def pg_server(
    postgres_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path_factory.mktemp("pg-data"), database=postgres_url).start()
    yield proc
    proc.stop()


def test_publish_sync_rollback_and_results_on_postgresql(
    pg_server: ServerProcess, postgres_url: str, tmp_path: Path
) -> None:
    assert not (pg_server.data / "robotest-server.db").exists()
    with pg_server.client() as client:
        v1 = client.publish(small_suite(tmp_path / "a", "1"), "stable")["version"]
        station = pg_server.station(tmp_path / "dest")
        assert station.sync().downloaded == 4
        v2 = client.publish(small_suite(tmp_path / "b", "2"), "stable")["version"]
        assert station.sync().downloaded == 2
        broken = write_suite(small_suite(tmp_path / "c", "3"), {"x.rtest": BAD_SCRIPT})
        with pytest.raises(CompileRefused):
            client.publish(broken, "stable")
        assert client.rollback("stable")["version"] == v1
        assert station.sync().version == v1
    with pg_server.client("st1", "station") as st:
        st.upload_run_files(
            {
                "run.json": json.dumps(
                    {
                        "run_id": "pg-run",
                        "station": "st1",
                        "image": "img",
                        "suite_version": v1,
                        "started": "2026-03-01T10:00:00Z",
                        "ended": "2026-03-01T10:05:00Z",
                        "tests": [{"title": "t", "status": "passed", "duration": 1.0}],
                    }
                ).encode()
            }
        )
        with pytest.raises(ClientError, match="409"):
            st.upload_run_files(
                {
                    "run.json": json.dumps(
                        {
                            "run_id": "pg-run",
                            "station": "st1",
                            "image": "img",
                            "suite_version": v1,
                            "started": "2026-03-01T10:00:00Z",
                            "ended": "2026-03-01T10:05:00Z",
                            "tests": [],
                        }
                    ).encode()
                }
            )
    with psycopg.connect(postgres_url) as conn:
        versions = {row[0] for row in conn.execute("SELECT id FROM versions")}
        channel = conn.execute(
            "SELECT version_id, seq FROM channels WHERE name = 'stable'"
        ).fetchone()
        stations = conn.execute("SELECT name, version_id, last_run_id FROM stations").fetchall()
    assert versions == {v1, v2} and channel == (v1, 3)
    assert stations == [("st1", v1, "st1/pg-run")]  # run ids are namespaced by station


def test_run_pages_and_filters_on_postgresql(pg_server: ServerProcess) -> None:
    from .test_run_upload import check_paging_and_filters

    check_paging_and_filters(pg_server)
