"""The shared result model end to end: `rtest run` writes `run.json`, uploads it (or keeps
it until the server is back), and the server's pages page and filter a run's tests."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from robotest.cli import app
from robotest.results.model import STATUS_FILLS, STATUSES, RunRecord
from robotest.runtime.results import STATUSES as RUNTIME_STATUSES
from robotest.server.archive import pack_files
from robotest.server.results import parse_run

from .conftest import ROOT, ServerProcess

SIM_SUITE = """
subscript enter_setup():
    press Power
    press F2 times 8 every 500ms
    await_text "BIOS Setup Utility" within 30s

test "EC version is shown" tags bios, smoke:
    enter_setup()
    ec = read_text right_of "EC Version"
    assert ec, "no EC version"

test "Desktop in the BIOS" tags ui:
    enter_setup()
    await_text "Recycle Bin" within 3s
"""

RECORD_SUITE = """
test "first" tags quick:
    press F1
    press F2

test "second":
    press F3
    press F4
    press F5
    press F6
    press F7
    press F8
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server of this module's own: its runs do not show in other modules' listings."""
    proc = ServerProcess(tmp_path_factory.mktemp("upload-server")).start()
    yield proc
    proc.stop()


def rtest(*args: object, env: dict[str, str] | None = None) -> tuple[int, str]:
    """`rtest` in this process: (exit code, standard output and error)."""
    result = CliRunner().invoke(app, [str(a) for a in args], env=env)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def write_suite(folder: Path, source: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "suite.rtest").write_text(source)
    return folder


def api(server: ServerProcess, path: str, **params: object) -> httpx.Response:
    token = server.token("rita", "reader")
    return httpx.get(
        f"{server.url}/api/v1{path}", params=params, headers={"Authorization": f"Bearer {token}"}
    )


def folder_files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_a_sim_run_writes_run_json_that_the_server_accepts(
    server: ServerProcess, tmp_path: Path
) -> None:
    suite = write_suite(tmp_path / "suite", SIM_SUITE)
    image = ROOT / "scripts" / "image.toml"
    report = tmp_path / "report"
    code, output = rtest(
        "run",
        suite,
        "--station",
        "sim",
        "--image",
        image,
        "--db",
        tmp_path / "r.db",
        "--report",
        report,
    )
    assert code == 1, output
    run = RunRecord.model_validate_json((report / "run.json").read_bytes())
    assert parse_run(folder_files(report)) == run  # the server's check of the same folder
    assert run.station == "sim" and run.image and run.serial == "CB14G3-2611-0042"
    assert run.status == "failed" and run.suite_version.startswith(("git ", "sha256 "))
    shown, missing = run.tests
    assert (shown.title, shown.status, shown.tags) == (
        "EC version is shown",
        "passed",
        ["bios", "smoke"],
    )
    assert shown.location.endswith("suite.rtest:7")  # file:line of the test
    assert [s.name for s in shown.steps][:3] == ["press", "press", "await_text"]
    assert shown.steps[0].location.endswith("suite.rtest:3") and shown.duration > 0
    assert missing.status == "failed" and "Recycle Bin" in missing.message
    assert missing.screenshots and (report / missing.screenshots[0]).read_bytes()[:4] == (
        b"\x89PNG"
    )
    code, output = rtest(
        "publish",
        report,
        "--results",
        "--server",
        server.url,
        "--token",
        server.token("sim", "station"),
    )
    assert code == 0, output
    stored = api(server, f"/runs/sim/{run.run_id}/tests").json()
    assert [(t["title"], t["status"], t["location"]) for t in stored["tests"]] == [
        (t.title, t.status, t.location) for t in run.tests
    ]
    assert stored["tests"][1]["steps"][-1]["screenshot"] == missing.steps[-1].screenshot


def six_status_run(run_id: str, station: str) -> dict[str, object]:
    return {
        "run_id": run_id,
        "station": station,
        "image": "win11",
        "suite_version": "abc",
        "started": "2026-04-01T10:00:00+00:00",
        "ended": "2026-04-01T10:05:00+00:00",
        "tests": [
            {"title": f"case {status}", "status": status, "duration": 1.0, "tags": [status[:4]]}
            for status in STATUSES
        ],
    }


def test_all_six_statuses_are_accepted_and_coloured_from_one_table(
    server: ServerProcess, tmp_path: Path
) -> None:
    assert RUNTIME_STATUSES == STATUSES and set(STATUS_FILLS) == set(STATUSES)
    with server.client("six", "station") as client:
        done = client.upload_run_files(
            {"run.json": json.dumps(six_status_run("r6", "six")).encode()}
        )
    assert done["tests"] == 6
    [run] = [r for r in api(server, "/runs", station="six").json()]
    assert run["counts"] == dict.fromkeys(STATUSES, 1)
    cookies = {"rtest_token": server.token("rita", "reader")}
    html = httpx.get(f"{server.url}/runs/six/r6", cookies=cookies).text
    for status in STATUSES:
        css = status.replace(" ", "-")
        assert (
            f'<tr class="{css}">' in html
            and f".{css} {{ background: #{STATUS_FILLS[status]}; }}" in html
        )
    served = load_workbook(
        io.BytesIO(httpx.get(f"{server.url}/runs/six/r6.xlsx", cookies=cookies).content)
    )
    fills = {
        row[8].value: row[8].fill.fgColor.rgb[-6:] for row in served["Tests"].iter_rows(min_row=2)
    }
    assert fills == STATUS_FILLS
    # the runtime's own spreadsheet colours from the same table
    suite = write_suite(tmp_path / "suite", RECORD_SUITE)
    rtest(
        "run",
        suite,
        "--station",
        "record",
        "--db",
        tmp_path / "r.db",
        "--report",
        tmp_path / "rep",
        "--record-fail",
        "press:F3",
    )
    local = load_workbook(tmp_path / "rep" / "results.xlsx")
    fills = {
        row[5].value: row[5].fill.fgColor.rgb[-6:]
        for row in local.worksheets[0].iter_rows(min_row=2)
    }
    assert fills == {"passed": STATUS_FILLS["passed"], "failed": STATUS_FILLS["failed"]}


def test_a_run_uploads_its_results_at_the_end(server: ServerProcess, tmp_path: Path) -> None:
    suite = write_suite(tmp_path / "suite", RECORD_SUITE)
    db = tmp_path / "r.db"
    code, output = rtest(
        "run",
        suite,
        "--station",
        "record",
        "--db",
        db,
        "--upload",
        server.url,
        "--token",
        server.token("record", "station"),
    )
    assert code == 0, output
    run = RunRecord.model_validate_json((tmp_path / "run-1" / "run.json").read_bytes())
    assert f"uploaded run record/{run.run_id} to {server.url}" in output
    stored = api(server, f"/runs/record/{run.run_id}").json()
    assert [(t["title"], t["status"]) for t in stored["tests"]] == [
        ("first", "passed"),
        ("second", "passed"),
    ]
    assert {"run.json", "report.html", "junit.xml", "results.xlsx"} <= {
        f["path"] for f in stored["files"]
    }
    assert not list((tmp_path / "pending-uploads").rglob("*.tar"))
    code, output = rtest(
        "run",
        suite,
        "--station",
        "record",
        "--db",
        db,
        "--upload",
        server.url,
        env={"RTEST_TOKEN": ""},
    )
    assert code == 2 and output.strip() == (
        "error: --upload needs this station's token (--token or RTEST_TOKEN)"
    )


def test_an_upload_is_kept_while_the_server_is_away_and_sent_later(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "server-data")
    token = server.token("record", "station")  # the server is not running yet
    suite = write_suite(tmp_path / "suite", RECORD_SUITE)
    db = tmp_path / "results" / "r.db"
    args = (
        "run",
        suite,
        "--station",
        "record",
        "--db",
        db,
        "--upload",
        server.url,
        "--token",
        token,
    )
    code, output = rtest(*args)
    assert code == 0, output  # the run's verdict, whatever happened to the upload
    warning = [line for line in output.splitlines() if line.startswith("warning:")]
    assert len(warning) == 1 and "not uploaded, kept in" in warning[0]
    assert "rtest upload --pending" in warning[0] and "Traceback" not in output
    kept = list((tmp_path / "results" / "pending-uploads").rglob("*.tar"))
    assert len(kept) == 1
    code, output = rtest("upload", "--pending", "--db", db, "--token", token)
    assert code == 1 and "not uploaded" in output and kept[0].exists()
    server.start()
    try:
        code, output = rtest("upload", "--pending", "--db", db, "--token", token)
        assert code == 0 and output.count("uploaded run record/") == 1, output
        assert not kept[0].exists()
        assert len(api(server, "/runs", station="record").json()) == 1
        server.stop()  # away again: the next run keeps its own and sends both once it is back
        code, output = rtest(*args)
        assert "not uploaded" in output
        server.start()
        code, output = rtest(*args)
        assert output.count("uploaded run record/") == 2, output
        runs = api(server, "/runs", station="record").json()
        assert len(runs) == 3 and all(r["counts"]["passed"] == 2 for r in runs)
        code, output = rtest("upload", "--pending", "--db", db, "--token", token)
        assert code == 0 and "nothing to upload" in output
    finally:
        server.stop()


def test_an_interrupted_run_uploads_what_it_has(server: ServerProcess, tmp_path: Path) -> None:
    suite = write_suite(tmp_path / "suite", RECORD_SUITE)
    db = tmp_path / "r.db"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RTEST_TOKEN": server.token("record", "station")}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "robotest",
            "run",
            str(suite),
            "--station",
            "record",
            "--db",
            str(db),
            "--record-delay",
            "0.4",
            "--upload",
            server.url,
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if db.exists() and _steps(db) >= 4:
                break
            time.sleep(0.05)
        assert proc.poll() is None, "the run ended before it could be interrupted"
        proc.send_signal(signal.SIGTERM)
        output = proc.communicate(timeout=60)[0].decode()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "uploaded run record/" in output and "Traceback" not in output, output
    run_id = json.loads((tmp_path / "run-1" / "run.json").read_text())["run_id"]
    stored = api(server, f"/runs/record/{run_id}").json()
    assert [(t["title"], t["status"]) for t in stored["tests"]] == [
        ("first", "passed"),
        ("second", "interrupted"),
    ]
    assert 1 <= len(stored["tests"][1]["steps"]) < 6


def _steps(db: Path) -> int:
    import sqlite3

    with sqlite3.connect(db) as conn:
        try:
            return int(conn.execute("SELECT COUNT(*) FROM steps").fetchone()[0])
        except sqlite3.OperationalError:
            return 0


def test_a_big_run_is_paged_and_filtered(server: ServerProcess) -> None:
    check_paging_and_filters(server)


def check_paging_and_filters(server: ServerProcess) -> None:
    """250 tests of three stations, two tags, five statuses: pages, filters, spreadsheet."""
    statuses = ["passed", "passed", "failed", "station error", "skipped"]
    tests = [
        {
            "title": f"case {i:03d}" + (" fan curve" if i % 50 == 0 else ""),
            "status": statuses[i % 5],
            "duration": 0.5,
            "tags": ["bios"] if i % 2 else ["boot", "smoke"],
            "station": f"bay{i % 3}",
            "message": "Fan at 0 RPM_" if i % 7 == 0 else "",
        }
        for i in range(250)
    ]
    run = {**six_status_run("big", "line9"), "tests": tests}
    with server.client("line9", "station") as client:
        client.request("POST", "/runs", content=pack_files({"run.json": json.dumps(run).encode()}))

    def page(**params: object) -> dict[str, object]:
        response = api(server, "/runs/line9/big/tests", **params)
        assert response.status_code == 200, response.text
        return response.json()

    first = page(limit=100)
    assert first["total"] == 250 and [t["title"] for t in first["tests"]][:2] == [
        "case 000 fan curve",
        "case 001",
    ]
    last = page(offset=200, limit=100)
    assert [t["idx"] for t in last["tests"]] == list(range(200, 250))
    failed = page(status="failed", limit=1000)
    assert failed["total"] == 50 and {t["status"] for t in failed["tests"]} == {"failed"}
    both = page(status="failed", tag="bios", station="bay1", limit=1000)
    expected = [i for i in range(250) if i % 5 == 2 and i % 2 and i % 3 == 1]
    assert [t["idx"] for t in both["tests"]] == expected and both["total"] == len(expected)
    text = page(q="FAN")  # title or message, any case
    assert text["total"] == len([i for i in range(250) if i % 50 == 0 or i % 7 == 0])
    assert page(q="RPM_")["total"] == len([i for i in range(250) if i % 7 == 0])  # _ is no wildcard
    assert page(q="%")["total"] == 0
    refused = api(server, "/runs/line9/big/tests", status="flaky")
    assert refused.status_code == 422 and "status: must be one of" in refused.json()["detail"]
    assert api(server, "/runs/line9/big/tests", limit=5000).status_code == 422
    cookies = {"rtest_token": server.token("rita", "reader")}
    html = httpx.get(f"{server.url}/runs/line9/big", params={"page": 2}, cookies=cookies).text
    assert "250 test(s), 101 to 200" in html and "page 2 of 3" in html
    assert "case 100" in html and "case 099" not in html and "case 200" not in html
    assert 'href="?page=3" rel="next"' in html and '<option value="bay2">' in html
    html = httpx.get(
        f"{server.url}/runs/line9/big",
        params={"status": "skipped", "tag": "", "q": ""},
        cookies=cookies,
    ).text
    assert "50 test(s), 1 to 50" in html and "page 1 of 1" in html and "case 004" in html
    assert "case 000" not in html
    book = load_workbook(
        io.BytesIO(httpx.get(f"{server.url}/runs/line9/big.xlsx", cookies=cookies).content)
    )
    rows = list(book["Tests"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == 250 and rows[3][1] == "bay0" and rows[3][8] == "station error"


def test_a_database_from_before_the_shared_model_is_brought_up_to_date(tmp_path: Path) -> None:
    import sqlite3

    from robotest.server.storage import SqlStorage, TestFilter

    path = tmp_path / "old.db"
    with sqlite3.connect(path) as old:  # the tables as the first release made them
        old.executescript(
            """
            CREATE TABLE runs (id VARCHAR(200) PRIMARY KEY, station VARCHAR(200) NOT NULL,
              image VARCHAR(500) NOT NULL, suite_version VARCHAR(64) NOT NULL,
              started_at VARCHAR(32) NOT NULL, ended_at VARCHAR(32) NOT NULL,
              uploaded_at VARCHAR(32) NOT NULL, counts TEXT NOT NULL);
            CREATE TABLE run_tests (run_id VARCHAR(200) NOT NULL REFERENCES runs(id),
              idx INTEGER NOT NULL, title TEXT NOT NULL, tags TEXT NOT NULL,
              status VARCHAR(20) NOT NULL, duration FLOAT NOT NULL, message TEXT NOT NULL,
              screenshots TEXT NOT NULL, PRIMARY KEY (run_id, idx));
            INSERT INTO runs VALUES ('st1/r1', 'st1', 'img', 'v', '2026', '2026', '2026', '{}');
            INSERT INTO run_tests VALUES ('st1/r1', 0, 'old test', '[]', 'failed', 1.0, 'm', '[]');
            """
        )
    storage = SqlStorage(f"sqlite:///{path}")
    try:
        total, tests = storage.page_tests("st1/r1", TestFilter(station="st1"), 0, 10)
        assert total == 1 and tests[0]["title"] == "old test" and tests[0]["steps"] == []
        assert tests[0]["location"] == "" and tests[0]["station"] == "st1"
    finally:
        storage.close()


def test_run_json_stays_within_the_model_limits_whatever_the_run_recorded() -> None:
    from robotest.results.export import run_record
    from robotest.results.model import MAX_STEPS
    from robotest.runtime.results import CaseResult, RunInfo, Step

    steps = [
        Step(name="type_text", args="x" * 20_000, file="a.rtest", line=3, started=0.0)
        for _ in range(MAX_STEPS + 5)
    ]
    case = CaseResult(
        id="a.rtest::t",
        title="t" * 20_000,
        file="a.rtest",
        station="s" * 300,
        tags=["long" * 100],
        status="running",
        message="m\x00" * 80_000,
        steps=steps,
    )
    run = RunInfo(
        id=3,
        station="sim",
        image="i" * 900,
        image_version="",
        serial="",
        suite_version="git " + "v" * 100,
        started=0.0,
        ended=None,
        status="running",
        pid=1,
        host="h",
        cases=[case],
    )
    record, _ = run_record(run)
    RunRecord.model_validate_json(record.model_dump_json())  # what the server checks
    [test] = record.tests
    assert test.status == "interrupted" and len(test.steps) == MAX_STEPS
    assert test.title.endswith(" [cut]") and "\x00" not in test.message
    assert len(record.suite_version) == 64 and record.run_id == "19700101T000000Z-run3"
