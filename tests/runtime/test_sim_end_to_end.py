"""Suites on the simulated station through the whole stack: compiler, runtime, real
drivers and emulators, the camera model, vision, results and reports."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import openpyxl
import pytest
from runtime_helpers import invoke, write_files

from robotest.runtime.store import ResultStore

SIM_SUITE = '''
subscript enter_setup():
    """Power on and open the BIOS setup."""
    press Power
    press F2 times 8 every 500ms
    await_text "BIOS Setup Utility" within 30s

subscript flaky(state) retries 1:
    state.append(1)
    log(f"attempt {len(state)}")
    x = 1 / 0

teardown:
    press Power hold 5s
    wait 3s

test "EC version is right" tags bios:
    enter_setup()
    ec = read_text right_of "EC Version"
    assert ec == config.product.firmware.ec_version, f"EC version is {ec!r}"

test "EC version is checked" tags bios:
    enter_setup()
    ec = read_text right_of "EC Version"
    assert ec == "9.99", f"EC version is {ec!r}, expected '9.99'"

test "Desktop icon in the BIOS":
    enter_setup()
    await_icon "settings" within 3s

test "Slow step" timeout 20s:
    enter_setup()
    wait 30s

test "Script error in a sub-script":
    flaky([])
'''


@pytest.fixture(scope="module")
def sim_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str, Path, Path]:
    tmp_path = tmp_path_factory.mktemp("sim")
    suite = write_files(tmp_path / "suite", {"sim_suite.rtest": SIM_SUITE})
    image = Path(__file__).parents[2] / "scripts" / "image.toml"
    db, report = tmp_path / "results.db", tmp_path / "report"
    code, output = invoke(
        "run", suite, "--station", "sim", "--image", image, "--db", db, "--report", report
    )
    return code, output, db, report


def test_outcomes_on_the_simulated_station(sim_run: tuple[int, str, Path, Path]) -> None:
    code, output, db, _ = sim_run
    assert code == 1, output
    with ResultStore(db) as store:
        run = store.run(1)
    assert run is not None
    cases = {case.title: case for case in run.cases}
    assert {title: case.status for title, case in cases.items()} == {
        "EC version is right": "passed",
        "EC version is checked": "failed",
        "Desktop icon in the BIOS": "failed",
        "Slow step": "failed",
        "Script error in a sub-script": "error",
    }
    assert "EC version is '2.14', expected '9.99'" in cases["EC version is checked"].message
    assert cases["Desktop icon in the BIOS"].message.startswith("IconNotFound")
    assert "best score" in cases["Desktop icon in the BIOS"].message
    assert cases["Slow step"].message.startswith("StepTimeout")
    assert cases["Script error in a sub-script"].message.startswith("ZeroDivisionError")
    assert run.serial == "CB14G3-2611-0042" and run.station == "sim"
    assert {case.serial for case in run.cases} == {"CB14G3-2611-0042"}


def test_steps_record_lines_and_the_failure_screen(sim_run: tuple[int, str, Path, Path]) -> None:
    _, _, db, _ = sim_run
    with ResultStore(db) as store:
        run = store.run(1)
    assert run is not None
    steps = next(c for c in run.cases if c.title == "EC version is right").steps
    failed_steps = next(c for c in run.cases if c.title == "Desktop icon in the BIOS").steps
    statements = [(s.name, s.line) for s in steps]
    assert ("press", 4) in statements and ("await_text", 6) in statements
    assert ("read_text", 19) in statements
    assert all(s.group == "enter_setup" for s in steps if s.line in (4, 5, 6))
    failing = [s for s in failed_steps if s.status == "failed"]
    assert [(s.name, s.line) for s in failing] == [("await_icon", 29)]
    assert failing[0].screenshot, "a failed step keeps the screen it failed on"
    statements = [s for s in failed_steps if s.name != "frame"]
    assert statements[-1].name == "wait"  # then the teardown ran
    film = [s for s in failed_steps if s.name == "frame"]  # then the last screens
    assert film and all(s.screenshot for s in film) and failed_steps[-len(film) :] == film


def test_reports_of_the_sim_run(sim_run: tuple[int, str, Path, Path]) -> None:
    _, _, _, report = sim_run
    suite = ET.parse(report / "junit.xml").getroot().find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("5", "3", "1")
    sheet = openpyxl.load_workbook(report / "results.xlsx").active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 6 and "EC version is right" in {row[3] for row in rows[1:]}
    html = (report / "report.html").read_text()
    assert "Desktop icon in the BIOS" in html and 'src="shots/' in html
    thumbs = {part.split('"')[0] for part in html.split('src="shots/')[1:]}
    assert thumbs and all((report / "shots" / name).is_file() for name in thumbs)


PARALLEL_SUITE = """
test "look {n}" for n in range(6):
    screenshot f"screen {n}"
    log(f"case {n}")
"""


def test_two_simulated_stations_share_a_suite(tmp_path: Path) -> None:
    suite = write_files(tmp_path / "suite", {"looks.rtest": PARALLEL_SUITE})
    db = tmp_path / "results.db"
    code, output = invoke(
        "run",
        suite,
        "--station",
        "sim:a",
        "--station",
        "sim:b",
        "--db",
        db,
        "--report",
        tmp_path / "report",
        "--task-size",
        "3",  # one file: a task of 3 cases for each station
    )
    assert code == 0, output
    with ResultStore(db) as store:
        run = store.run(1)
    assert run is not None
    titles = sorted(case.title for case in run.cases)
    assert titles == [f"look {n}" for n in range(6)]  # every case exactly once
    assert {case.station for case in run.cases} == {"a", "b"}
    assert all(case.status == "passed" for case in run.cases)
