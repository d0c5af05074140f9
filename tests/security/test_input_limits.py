"""Issue 17: bad input is a 4xx with a one-line reason, never a 500, with the same limits
on SQLite and PostgreSQL; sync reports are bounded and nothing huge reaches `/`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from server.conftest import ServerProcess
from server.test_postgres import postgres_url  # noqa: F401 (the fixture)

from robotest.server.client import ServerClient
from robotest.server.errors import ClientError

from .conftest import bearer, get, run_files, run_json


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def any_db_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    database = request.getfixturevalue("postgres_url") if request.param == "postgresql" else None
    proc = ServerProcess(
        tmp_path_factory.mktemp(f"{request.param}-data"), database=database
    ).start()
    yield proc
    proc.stop()


@pytest.mark.parametrize(
    "path",
    ["/runs?from=x", "/runs.xlsx?from=2026-13-45", "/runs?to=2026-02-30", "/runs?station=a%00b"],
)
def test_bad_dates_on_the_pages_are_4xx(any_db_server: ServerProcess, path: str) -> None:
    response = httpx.get(
        any_db_server.url + path, cookies={"rtest_token": any_db_server.token("rita", "reader")}
    )
    assert response.status_code == 422 and "\n" not in response.json()["detail"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/runs?from=x",
        "/api/v1/channels/a%00b",
        "/api/v1/channels/" + "c" * 101,
        "/api/v1/versions/ab%00/manifest",
        "/api/v1/runs/st%00/r1",
        "/api/v1/runs/st/r%001",
    ],
)
def test_bad_api_parameters_are_4xx(any_db_server: ServerProcess, path: str) -> None:
    response = get(any_db_server, path, any_db_server.token("rita", "reader"))
    assert response.status_code == 422, response.text


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"image": "i" * 501}, "image: String should have at most 500 characters"),
        ({"suite_version": "v" * 65}, "suite_version: String should have at most 64 characters"),
        ({"image": "a\x00b"}, "image: Value error, must not contain NUL"),
        (
            {"tests": [{"title": "t\x00", "status": "passed", "duration": 1}]},
            "tests.0.title: Value error, must not contain NUL",
        ),
        ({"run_id": "r" * 199}, "station name and run id together are over 199 characters"),
    ],
)
def test_over_long_or_nul_run_fields_are_refused(
    any_db_server: ServerProcess, changes: dict[str, object], error: str
) -> None:
    with (
        ServerClient(any_db_server.url, any_db_server.token("st1", "station")) as station,
        pytest.raises(ClientError, match=r"\(400\).*" + error),
    ):
        station.upload_run_files(run_files({**run_json("r1", "st1"), **changes}))


def test_an_over_long_file_path_is_refused(any_db_server: ServerProcess) -> None:
    long_path = "/".join(["d" * 99] * 10) + "/x.txt"
    with (
        ServerClient(any_db_server.url, any_db_server.token("st1", "station")) as station,
        pytest.raises(ClientError, match=r"\(400\).*path is (over|longer than) 1000 characters"),
    ):
        station.upload_run_files(run_files(run_json("r2", "st1"), **{long_path: b"x"}))


@pytest.mark.parametrize(
    "report",
    [
        {"channel": "stable", "status": "s" * 21},
        {"channel": "c" * 101, "status": "ok"},
        {"channel": "stable", "status": "failed", "error": "a\x00b"},
        {"channel": "stable", "version": "v" * 65},
        {"channel": "stable", "status": "ok", "unknown": 1},
    ],
)
def test_bad_sync_reports_are_refused(
    any_db_server: ServerProcess, report: dict[str, object]
) -> None:
    response = httpx.post(
        any_db_server.url + "/api/v1/stations/sync",
        json=report,
        headers=bearer(any_db_server.token("st1", "station")),
    )
    assert response.status_code == 422, response.text


def test_a_huge_sync_error_is_refused_and_a_long_one_is_shortened_on_the_page(
    any_db_server: ServerProcess,
) -> None:
    station = bearer(any_db_server.token("st9", "station"))
    huge = httpx.post(
        any_db_server.url + "/api/v1/stations/sync",
        headers=station,
        json={"channel": "stable", "status": "failed", "error": "E" * 30_000_000},
    )
    assert huge.status_code == 413
    assert (
        huge.json()["detail"].startswith("sync report of ")
        and "65536 bytes" in huge.json()["detail"]
    )
    long = httpx.post(
        any_db_server.url + "/api/v1/stations/sync",
        headers=station,
        json={"channel": "stable", "status": "failed", "error": "L" * 15_000},
    )
    assert long.status_code == 204
    page = httpx.get(
        any_db_server.url + "/", cookies={"rtest_token": any_db_server.token("rita", "reader")}
    ).text
    assert "st9" in page and "L" * 290 in page and "L" * 400 not in page


def test_the_api_date_range_is_inclusive(server: ServerProcess, tmp_path: Path) -> None:
    with ServerClient(server.url, server.token("st3", "station")) as station:
        station.upload_run_files(run_files(run_json("dated", "st3")))  # 2026-03-02T10:00
    found = get(
        server,
        "/api/v1/runs?from=2026-03-02&to=2026-03-02&station=st3",
        server.token("rita", "reader"),
    ).json()
    assert [r["id"] for r in found] == ["st3/dated"]
