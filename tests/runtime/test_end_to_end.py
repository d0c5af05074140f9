"""A suite through the whole stack on the `record` station: DB, JUnit, xlsx and HTML."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from runtime_helpers import IMAGE, SUITE, invoke, write_files

from robotest.runtime.store import ResultStore

Rtest = Callable[..., tuple[int, str]]


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str, Path, Path]:
    """One run of the suite shared by the tests that read its results."""
    tmp_path = tmp_path_factory.mktemp("run")
    suite = write_files(tmp_path / "suite", {"bios.rtest": SUITE})
    image_file = tmp_path / "image.toml"
    image_file.write_text(IMAGE)
    rtest = invoke
    db, report = tmp_path / "results.db", tmp_path / "report"
    code, output = rtest(
        "run",
        suite,
        "--station",
        "record",
        "--db",
        db,
        "--report",
        report,
        "--image",
        image_file,
        "--record-fail",
        "await_icon:spinner",
        "--record-fail",
        "await_text:BIOS Setup Utility*2",
    )
    return code, output, db, report


def test_outcomes_are_stored_per_case(finished_run: tuple[int, str, Path, Path]) -> None:
    code, output, db, _ = finished_run
    assert code == 1, output
    with ResultStore(db) as store:
        run = store.run(1)
    assert run is not None
    outcomes = {case.title: case.status for case in run.cases}
    assert outcomes == {
        "passes": "passed",
        "assert fails": "failed",
        "icon missing": "failed",
        "times out": "failed",
        "retried sub-script": "passed",
        "script error in sub-script": "error",
        "boot A1": "passed",
        "boot B2": "passed",
    }
    assert (run.station, run.image, run.image_version, run.serial) == (
        "record",
        "Win11-Factory",
        "24H2.7",
        "SN-0042",
    )
    assert {case.serial for case in run.cases} == {"SN-0042"}
    assert run.status == "failed" and run.ended is not None
    assert run.suite_version
    messages = {case.title: case.message for case in run.cases}
    assert "BIOS version is '', expected 1.07" in messages["assert fails"]
    assert messages["assert fails"].endswith("bios.rtest:23)")
    assert messages["icon missing"].startswith("IconNotFound: await_icon spinner")
    assert messages["times out"].startswith("StepTimeout: test 'times out' ran past")
    assert messages["script error in sub-script"].startswith("ZeroDivisionError")
    assert "passed" in output and "report.html" in output


def test_steps_have_lines_groups_and_attempts(finished_run: tuple[int, str, Path, Path]) -> None:
    db = finished_run[2]
    with ResultStore(db) as store:
        run = store.run(1)
    assert run is not None
    cases = {case.title: case for case in run.cases}
    retried = [
        (s.name, s.line, s.group, s.attempt, s.status) for s in cases["retried sub-script"].steps
    ]
    assert retried == [
        ("log", 12, "", 0, "passed"),
        ("press", 4, "enter_setup", 1, "passed"),
        ("await_text", 5, "enter_setup", 1, "failed"),
        ("press", 4, "enter_setup", 2, "passed"),
        ("await_text", 5, "enter_setup", 2, "failed"),
        ("press", 4, "enter_setup", 3, "passed"),
        ("await_text", 5, "enter_setup", 3, "passed"),
        ("press", 15, "", 0, "passed"),
    ]
    broken = [(s.name, s.group, s.attempt) for s in cases["script error in sub-script"].steps]
    # no retry; the error no statement raised gets a step of its own, after the teardown
    assert broken == [
        ("log", "", 0),
        ("press", "broken", 1),
        ("press", "", 0),
        ("ZeroDivisionError", "", 0),
    ]
    timed_out = [(s.name, s.status) for s in cases["times out"].steps]
    # the wait wakes at the test's deadline and fails there; teardown still runs
    assert timed_out == [("log", "passed"), ("wait", "failed"), ("press", "passed")]
    boot = cases["boot B2"]
    assert boot.params == {"sku": "B2"} and boot.tags == ["boot"]
    assert [s.args for s in boot.steps if s.name == "type_text"] == ["'B2\\n'"]
    assert all(s.file.endswith("bios.rtest") for c in run.cases for s in c.steps)


def test_junit_report(finished_run: tuple[int, str, Path, Path]) -> None:
    root = ET.parse(finished_run[3] / "junit.xml").getroot()
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("8", "3", "1")
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert cases["passes"].find("failure") is None and cases["passes"].find("error") is None
    failure = cases["icon missing"].find("failure")
    assert failure is not None and "IconNotFound" in (failure.get("message") or "")
    error = cases["script error in sub-script"].find("error")
    assert error is not None and error.get("type") == "ScriptError"
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props["image"] == "Win11-Factory" and props["serial"] == "SN-0042"


def test_spreadsheet_rows(finished_run: tuple[int, str, Path, Path]) -> None:
    book = openpyxl.load_workbook(finished_run[3] / "results.xlsx")
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:8] == (
        "Station",
        "Image",
        "Serial",
        "Test",
        "Tags",
        "Status",
        "Duration (s)",
        "Failure message",
    )
    by_test = {row[3]: row for row in rows[1:]}
    assert len(rows) == 9 and len(by_test) == 8
    assert by_test["icon missing"][:6] == (
        "record",
        "Win11-Factory 24H2.7",
        "SN-0042",
        "icon missing",
        "smoke, ui check",
        "failed",
    )
    assert by_test["passes"][5] == "passed" and by_test["passes"][7] in ("", None)
    assert "expected 1.07" in by_test["assert fails"][7]
    assert isinstance(by_test["passes"][6], int | float)


def test_html_report(finished_run: tuple[int, str, Path, Path]) -> None:
    html = (finished_run[3] / "report.html").read_text()
    assert "<script>" in html and "filterCases('failed')" in html
    assert "failed (3)" in html and "error (1)" in html and "passed (4)" in html
    assert 'data-status="error"' in html and "ZeroDivisionError" in html
    assert "enter_setup (attempt 3)" in html
    assert "Win11-Factory 24H2.7" in html
    assert "http://" not in html and "https://" not in html  # self-contained


def test_report_regenerates_the_same_files(
    finished_run: tuple[int, str, Path, Path], rtest: Rtest, tmp_path: Path
) -> None:
    _, _, db, report = finished_run
    code, output = rtest("report", "latest", "--db", db, "--out", tmp_path / "again")
    assert code == 0, output
    first = (report / "junit.xml").read_bytes()
    assert (tmp_path / "again" / "junit.xml").read_bytes() == first
    assert (tmp_path / "again" / "report.html").read_text() == (report / "report.html").read_text()
    code, output = rtest("results", "--db", db)
    assert code == 0 and "Win11" in output
    code, output = rtest("results", "1", "--db", db)
    assert code == 0 and "icon missing" in output


def test_station_error_stops_the_station_and_is_not_a_failure(
    write_suite: Callable[..., Path], rtest: Rtest, tmp_path: Path
) -> None:
    suite = write_suite()
    db = tmp_path / "results.db"
    code, output = rtest(
        "run",
        suite,
        "--station",
        "record",
        "--db",
        db,
        "--report",
        tmp_path / "rep",
        "-k",
        "passes or boot",
        "--record-fault",
        "press:F2",
    )
    assert code == 1, output
    with ResultStore(db) as store:
        run = store.run(1)
    assert run is not None and run.status == "station error"
    assert [(c.title, c.status) for c in run.cases] == [
        ("passes", "station error"),
        ("boot A1", "skipped"),
        ("boot B2", "skipped"),
    ]
    assert run.cases[1].message.startswith("not run: station record stopped (station error")
    assert run.counts["failed"] == 0
    root = ET.parse(tmp_path / "rep" / "junit.xml").getroot()
    error = root.find("testsuite/testcase/error")
    assert error is not None and error.get("type") == "StationError"
    assert root.find("testsuite/testcase/failure") is None


def test_failure_screenshot_is_inline_in_html(tmp_path: Path) -> None:
    """A runtime that can see the screen gives failed steps an image in the report."""
    import numpy as np

    from robotest.errors import TextNotFound
    from robotest.runtime import RecordingRuntime, use_runtime
    from robotest.runtime.api import await_text, screenshot
    from robotest.runtime.reports import render_html
    from robotest.runtime.results import CaseResult
    from robotest.runtime.steps import StepRecorder

    class Screen(RecordingRuntime):
        def capture_screen(self) -> np.ndarray:
            return np.full((20, 30, 3), 200, np.uint8)

    def missing(call: object) -> None:
        raise TextNotFound("'Welcome' not on screen (closest: 'Welcom', score 0.83)")

    inner = Screen(responses={"await_text": missing})
    case = CaseResult("n", "t", "f.rtest", "record")
    recorder = StepRecorder(inner, case.steps.append)
    with use_runtime(recorder):
        screenshot("start")
        with pytest.raises(TextNotFound):
            await_text("Welcome")
    assert [(s.name, s.status, s.screenshot_name) for s in case.steps] == [
        ("screenshot", "passed", "start"),
        ("await_text", "failed", "failure"),
    ]
    assert all(s.screenshot and s.screenshot.startswith(b"\x89PNG") for s in case.steps)
    assert case.steps[1].file == __file__  # located at the caller, not in the runtime

    from robotest.runtime.results import RunInfo

    run = RunInfo(1, "record", "", "", "", "", 0.0, 1.0, "failed", 1, "h", cases=[case])
    html = render_html(run)
    # the two identical frames are stored once, as one JPEG the page hands to both images
    assert html.count("data:image/jpeg;base64,") == 1
    assert html.count('<img class="shot" data-shot=') == 2
    assert "closest: &#x27;Welcom&#x27;, score 0.83" in html


def test_one_broken_file_does_not_stop_the_others(
    write_suite: Callable[..., Path], rtest: Callable[..., tuple[int, str]], tmp_path: Path
) -> None:
    suite = write_suite(
        {
            "good.rtest": 'test "ok":\n    press F2\n',
            "bad.rtest": 'test "bad":\n    press F2 within 5s\n',
        }
    )
    code, output = rtest(
        "run",
        suite,
        "--station",
        "record",
        "--db",
        tmp_path / "r.db",
        "--report",
        tmp_path / "report",
    )
    assert code == 1
    assert "1 passed, 1 error" in output
    assert "bad.rtest:2:14: error: 'within' does not belong to press" in output
    import sqlite3

    with sqlite3.connect(tmp_path / "r.db") as db:
        assert db.execute("SELECT status FROM runs").fetchone() == ("error",)
        cases = dict(db.execute("SELECT outcome, title FROM cases"))
    assert cases["passed"] == "ok"
    assert cases["error"].endswith("bad.rtest: cannot be loaded")
    junit = (tmp_path / "report" / "junit.xml").read_text()
    assert "cannot be loaded" in junit


def test_last_failed_runs_only_the_cases_that_did_not_pass(
    write_suite: Callable[..., Path], rtest: Callable[..., tuple[int, str]], tmp_path: Path
) -> None:
    suite = write_suite(
        {
            "cases.rtest": 'test "a":\n    press F2\n\n'
            'test "b {n}" for n in [1, 2, 3]:\n'
            '    assert n == 1, f"n is {n}"\n'
        }
    )
    db = tmp_path / "r.db"
    code, _ = rtest("run", suite, "--station", "record", "--db", db)
    assert code == 1
    code, output = rtest("run", "--last-failed", "--station", "record", "--db", db)
    assert code == 1
    assert "2 failed in" in output and "passed in" not in output
    import sqlite3

    with sqlite3.connect(db) as connection:
        titles = sorted(
            t for (t,) in connection.execute("SELECT title FROM cases WHERE run_id = 2")
        )
    assert titles == ["b 2", "b 3"]


def test_last_failed_with_nothing_failed_says_so(
    write_suite: Callable[..., Path], rtest: Callable[..., tuple[int, str]], tmp_path: Path
) -> None:
    suite = write_suite({"cases.rtest": 'test "a":\n    press F2\n'})
    db = tmp_path / "r.db"
    assert rtest("run", suite, "--station", "record", "--db", db)[0] == 0
    code, output = rtest("run", "--last-failed", "--station", "record", "--db", db)
    assert (code, output.strip()) == (0, "nothing to run again: run 1 has no case that failed")


def test_shuffle_runs_the_cases_in_a_seeded_order(
    write_suite: Callable[..., Path], rtest: Callable[..., tuple[int, str]], tmp_path: Path
) -> None:
    import sqlite3

    suite = write_suite({"cases.rtest": 'test "c {n}" for n in range(12):\n    press F2\n'})
    orders = []
    for number, seed in enumerate([7, 7, 8], 1):
        db = tmp_path / f"r{number}.db"
        code, output = rtest("run", suite, "--station", "record", "--db", db, "--shuffle", seed)
        assert code == 0 and f"(cases shuffled with seed {seed})" in output
        with sqlite3.connect(db) as connection:
            orders.append([t for (t,) in connection.execute("SELECT title FROM cases ORDER BY id")])
    assert orders[0] == orders[1] != orders[2]
    natural = [f"c {n}" for n in range(12)]
    assert sorted(orders[0]) == sorted(orders[2]) == sorted(natural) and orders[0] != natural


def test_the_dry_run_of_the_example_suite_stops_at_the_first_look_and_fails_nothing(
    rtest: Callable[..., tuple[int, str]], tmp_path: Path
) -> None:
    """`--station record` on the example suite (built on the library): every case runs
    up to the library's first question about the screen and is skipped there, naming
    it; nothing is `failed`, since nothing was looked at."""
    repo = Path(__file__).resolve().parents[2]
    db = tmp_path / "r.db"
    code, output = rtest(
        "run", repo / "scripts", "--station", "record", "--db", db,
        "--image", repo / "scripts" / "image.toml",
    )  # fmt: skip
    assert code == 0, output
    with ResultStore(db) as store:
        (run,) = store.runs()
        cases = store.cases(run.id, steps=False)
    assert len(cases) >= 20 and run.status == "skipped"
    assert {case.status for case in cases} == {"skipped"}
    for case in cases:
        assert case.message.startswith("DryRunStop: dry run stopped at ")
        assert "the record station cannot tell what the screen shows" in case.message


def test_a_dry_run_goes_past_a_question_a_record_fail_rule_answers(
    write_suite: Callable[..., Path], rtest: Callable[..., tuple[int, str]], tmp_path: Path
) -> None:
    suite = write_suite(
        {
            "q.rtest": 'test "plain":\n    press F2\n    await_text "Setup"\n\n'
            'test "asks":\n    press F2\n    if exists_text "Popup":\n        press Esc\n'
            "    press F10\n"
        }
    )
    db = tmp_path / "r.db"
    code, output = rtest("run", suite, "--station", "record", "--db", db)
    assert code == 0, output
    with ResultStore(db) as store:
        outcomes = {c.title: (c.status, c.message) for c in store.cases(1, steps=False)}
    assert outcomes["plain"] == ("passed", "")
    assert outcomes["asks"][0] == "skipped"
    assert "exists_text 'Popup': " in outcomes["asks"][1] and "q.rtest:7)" in outcomes["asks"][1]
    code, output = rtest(
        "run", suite, "--station", "record", "--db", db, "--record-fail", "exists_text:Popup"
    )
    assert code == 1  # the rule answers the question: as a failure, as asked
