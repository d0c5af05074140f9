"""`pytest scripts/` with the plugin: collection, selection, markers, outcomes, JUnit."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from runtime_helpers import SUITE

from robotest.runtime.store import ResultStore

PLUGIN = ("-p", "robotest.runtime.pytest_plugin")


@pytest.fixture
def suite(pytester: pytest.Pytester) -> Path:
    pytester.makefile(".rtest", bios=SUITE)
    return pytester.path


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_inprocess(
        *PLUGIN, "--station", "record", "--results-db", str(pytester.path / "r.db"),
        "-W", "error::pytest.PytestUnknownMarkWarning", *args)


def test_each_case_is_an_item_with_ids_from_titles(suite: Path,
                                                   pytester: pytest.Pytester) -> None:
    result = run(pytester, "--collect-only", "-q")
    assert result.ret == 0
    lines = [line for line in result.outlines if "::" in line]
    assert lines == [
        "bios.rtest::test_passes", "bios.rtest::test_assert_fails",
        "bios.rtest::test_icon_missing", "bios.rtest::test_times_out",
        "bios.rtest::test_retried_sub_script", "bios.rtest::test_script_error_in_sub_script",
        "bios.rtest::test_boot[boot A1]", "bios.rtest::test_boot[boot B2]",
    ]
    assert not (suite / "r.db").exists()  # collecting opens no station and no database


def test_k_and_m_select_and_outcomes_map(suite: Path, pytester: pytest.Pytester) -> None:
    result = run(pytester, "-m", "smoke or boot", "-k", "not B2",
                 "--record-fail", "await_icon:spinner", "-rA")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*FAILED bios.rtest::test_icon_missing - failed: IconNotFound*"])
    with ResultStore(suite / "r.db") as store:
        run_info = store.run(1)
    assert run_info is not None
    assert [(c.title, c.outcome) for c in run_info.cases] == [
        ("passes", "passed"), ("icon missing", "failed"), ("boot A1", "passed")]
    assert run_info.status == "failed" and run_info.ended is not None


def test_k_matches_titles_and_tags_with_spaces_are_markers(suite: Path,
                                                           pytester: pytest.Pytester) -> None:
    result = run(pytester, "-k", "Welcome or retried", "-q")
    result.assert_outcomes(passed=1)
    result = run(pytester, "-m", "ui_check", "-q")
    result.assert_outcomes(passed=1)
    result = run(pytester, "--strict-markers", "-m", "bios", "-q")
    result.assert_outcomes(failed=1)


def test_script_errors_and_station_errors_are_reported_distinctly(
        suite: Path, pytester: pytest.Pytester) -> None:
    result = run(pytester, "-k", "script_error or A1 or B2", "--record-fault", "press:F12")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines([
        "bios.rtest ESs*", "*ERROR at call of script error in sub-script*",
        "error: ZeroDivisionError: division by zero", "*bios.rtest:8: in broken",
        "*STATION ERRORS (not counted against the image)*", "*_ boot A1 _*",
        "station error: DriverError: record station: injected fault in press",
        "*1 skipped, * 1 error, 1 station error*"])


def test_traceback_points_at_the_rtest_line(suite: Path, pytester: pytest.Pytester) -> None:
    result = run(pytester, "-k", "assert_fails")
    result.stdout.fnmatch_lines([
        "failed: AssertionError: BIOS version is '', expected 1.07",
        "*bios.rtest:22: in test_assert_fails",
        "    assert version == \"1.07\", f\"BIOS version is '{version}', expected 1.07\""])


def test_junitxml_works(suite: Path, pytester: pytest.Pytester) -> None:
    result = run(pytester, "--junitxml", "out.xml", "-k", "boot")
    result.assert_outcomes(passed=2)
    root = ET.parse(suite / "out.xml").getroot()
    assert sorted(c.get("name") for c in root.iter("testcase")) == [
        "test_boot[boot A1]", "test_boot[boot B2]"]


def test_compile_errors_are_collection_errors_with_position(
        pytester: pytest.Pytester) -> None:
    pytester.makefile(".rtest", broken='test "x":\n    press F2 within 5s\n')
    result = run(pytester)
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*broken.rtest:2:14: error: 'within' does not belong to "
                                 "press*", "*1 error*"])


def test_sim_station_is_not_available_yet(suite: Path, pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_inprocess(*PLUGIN, "--results-db",
                                          str(pytester.path / "r.db"))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*station 'sim': the station runtime is not available yet*"])


def test_ordinary_python_tests_are_untouched(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_ok():\n    assert True\n")
    result = pytester.runpytest_inprocess(*PLUGIN)
    result.assert_outcomes(passed=1)
    assert not (pytester.path / "rtest-results").exists()
