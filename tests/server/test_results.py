"""Results upload, the web pages and the spreadsheets, against a real server."""

from __future__ import annotations

import io
import json
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from robotest.cli import app
from robotest.server.errors import ClientError

from .conftest import ServerProcess, small_suite

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def run_manifest(run_id: str, station: str, started: str, version: str) -> dict[str, object]:
    return {
        "run_id": run_id,
        "station": station,
        "image": "win11-23H2-sku7.wim",
        "suite_version": version,
        "started": started,
        "ended": started.replace("T10", "T11"),
        "tests": [
            {
                "title": "BIOS version",
                "tags": ["bios", "smoke"],
                "status": "passed",
                "duration": 12.5,
                "message": "",
                "screenshots": ["shots/bios.png"],
            },
            {
                "title": "Boot to desktop",
                "tags": ["boot"],
                "status": "failed",
                "duration": 61.0,
                "message": "text 'Desktop' not on screen within 60s",
                "screenshots": ["shots/boot.png"],
            },
            {
                "title": "Fan curve",
                "tags": [],
                "status": "station error",
                "duration": 0.4,
                "message": "controller on /dev/ttyUSB0 did not answer",
            },
        ],
    }


def write_run(folder: Path, manifest: dict[str, object]) -> Path:
    (folder / "shots").mkdir(parents=True)
    (folder / "run.json").write_text(json.dumps(manifest))
    (folder / "report.html").write_text("<html><body>report</body></html>")
    (folder / "shots/bios.png").write_bytes(PNG)
    (folder / "shots/boot.png").write_bytes(PNG + b"boot")
    return folder


@pytest.fixture(scope="module")
def uploaded(server: ServerProcess, tmp_path_factory: pytest.TempPathFactory) -> str:
    tmp = tmp_path_factory.mktemp("results")
    with server.client() as client:
        version = client.publish(small_suite(tmp / "suite"), "results")["version"]
    server.station(tmp / "dest", name="line3-st07", channel="results").sync()
    for n, day in enumerate(["2026-03-01", "2026-03-02", "2026-03-05"]):
        folder = write_run(
            tmp / f"run{n}",
            run_manifest(f"run-{n}", "line3-st07", f"{day}T10:00:00+00:00", version),
        )
        result = CliRunner().invoke(
            app,
            [
                "publish",
                str(folder),
                "--results",
                "--server",
                server.url,
                "--token",
                server.token("line3-st07", "station"),
            ],
        )
        assert result.exit_code == 0, result.stderr
        assert f"uploaded run run-{n}: 3 tests, 4 files" in result.stdout
    return version


def page(server: ServerProcess, path: str, role: str = "reader") -> httpx.Response:
    return httpx.get(server.url + path, cookies={"rtest_token": server.token("rita", role)})


def test_station_page_lists_last_sync_version_and_run(server: ServerProcess, uploaded: str) -> None:
    html = page(server, "/").text
    row = html[html.index("line3-st07") :]
    row = row[: row.index("</tr>")]
    assert uploaded[:12] in row and "ok" in row and "run-2" in row


def test_run_page_lists_tests_with_screenshots(server: ServerProcess, uploaded: str) -> None:
    html = page(server, "/runs/line3-st07/run-1").text
    assert "BIOS version" in html and "text &#39;Desktop&#39; not on screen" in html
    assert 'src="/runs/line3-st07/run-1/files/shots/boot.png"' in html
    assert 'class="station-error"' in html
    shot = page(server, "/runs/line3-st07/run-1/files/shots/boot.png")
    assert shot.headers["content-type"] == "image/png" and shot.content == PNG + b"boot"
    runs = page(server, "/runs?from=2026-03-02&to=2026-03-05").text
    assert "run-1" in runs and "run-2" in runs and "run-0" not in runs


def test_spreadsheets_of_a_run_and_of_a_date_range(server: ServerProcess, uploaded: str) -> None:
    one = load_workbook(io.BytesIO(page(server, "/runs/line3-st07/run-0.xlsx").content))
    rows = list(one["Tests"].iter_rows(values_only=True))
    assert rows[0][:3] == ("Run", "Station", "Image")
    assert [(r[0], r[6], r[8]) for r in rows[1:]] == [
        ("run-0", "BIOS version", "passed"),
        ("run-0", "Boot to desktop", "failed"),
        ("run-0", "Fan curve", "station error"),
    ]
    ranged = load_workbook(
        io.BytesIO(page(server, "/runs.xlsx?from=2026-03-01&to=2026-03-02").content)
    )
    summary = list(ranged["Runs"].iter_rows(values_only=True))[1:]
    assert [(r[0], r[6], r[7], r[9]) for r in summary] == [("run-0", 1, 1, 1), ("run-1", 1, 1, 1)]
    assert len(list(ranged["Tests"].iter_rows())) == 1 + 6


def test_pages_need_a_token(server: ServerProcess, uploaded: str) -> None:
    response = httpx.get(server.url + "/runs/line3-st07/run-0")
    assert response.status_code == 401 and 'name="token"' in response.text
    signed_in = httpx.get(
        server.url + "/runs/line3-st07/run-0",
        params={"token": server.token("rita", "reader")},
        follow_redirects=True,
    )
    assert (
        signed_in.status_code == 200 and "rtest_token" in signed_in.history[0].headers["set-cookie"]
    )
    assert httpx.get(server.url + "/runs.xlsx", cookies={"rtest_token": "nope"}).status_code == 401


def test_bad_uploads_are_refused(server: ServerProcess, uploaded: str, tmp_path: Path) -> None:
    with server.client("line3-st07", "station") as client:
        with pytest.raises(ClientError, match="409.*line3-st07/run-0 was already uploaded"):
            client.upload_run_files(
                {
                    "run.json": json.dumps(
                        run_manifest("run-0", "line3-st07", "2026-03-01T10:00:00+00:00", uploaded)
                    ).encode(),
                    "shots/bios.png": PNG,
                    "shots/boot.png": PNG,
                }
            )
        other = run_manifest("run-9", "line1-st01", "2026-03-01T10:00:00+00:00", uploaded)
        with pytest.raises(
            ClientError, match="names station 'line1-st01' but the token belongs to 'line3-st07'"
        ):
            client.upload_run_files(
                {
                    "run.json": json.dumps(other).encode(),
                    "shots/bios.png": PNG,
                    "shots/boot.png": PNG,
                }
            )
        with pytest.raises(ClientError, match="screenshot shots/boot.png .* not in the archive"):
            client.upload_run_files(
                {
                    "run.json": json.dumps(
                        run_manifest("run-8", "line3-st07", "2026-03-01T10:00:00+00:00", uploaded)
                    ).encode(),
                    "shots/bios.png": PNG,
                }
            )
        bad = run_manifest("run-7", "line3-st07", "2026-03-01T10:00:00+00:00", uploaded)
        bad["tests"][0]["status"] = "skipped"  # type: ignore[index]
        with pytest.raises(ClientError, match="run.json: tests.0.status"):
            client.upload_run_files({"run.json": json.dumps(bad).encode()})
        with pytest.raises(ClientError, match="no run.json"):
            client.upload_run_files({"report.html": b"<html/>"})
    with server.client("rita", "reader") as reader, pytest.raises(ClientError, match="403"):
        reader.upload_run_files({"run.json": b"{}"})
    runs = httpx.get(
        server.url + "/api/v1/runs",
        headers={"Authorization": f"Bearer {server.token('rita', 'reader')}"},
    ).json()
    assert [r["id"] for r in runs] == ["line3-st07/run-2", "line3-st07/run-1", "line3-st07/run-0"]
