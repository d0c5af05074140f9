"""`pytest scripts/` with the plugin: collection, selection, markers, outcomes, JUnit."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from runtime_helpers import SUITE, write_files

from robotest.runtime.store import ResultStore

# Installed, the plugin loads through its pytest11 entry point; from a bare checkout,
# it is named on the command line.
_INSTALLED = any(ep.name == "robotest" for ep in entry_points(group="pytest11"))
PLUGIN: tuple[str, ...] = () if _INSTALLED else ("-p", "robotest.runtime.pytest_plugin")


@dataclass
class Result:
    """What an in-process ``pytest.main`` run printed and returned."""

    ret: int
    out: str
    err: str

    @property
    def stdout(self) -> pytest.LineMatcher:
        return pytest.LineMatcher(self.out.splitlines())

    @property
    def stderr(self) -> pytest.LineMatcher:
        return pytest.LineMatcher(self.err.splitlines())

    def assert_outcomes(self, **expected: int) -> None:
        counts = pytest.RunResult.parse_summary_nouns(self.out.splitlines())
        got = {key: counts.get(key, 0) for key in ("passed", "failed", "errors", "skipped")}
        assert got == {"passed": 0, "failed": 0, "errors": 0, "skipped": 0} | expected, self.out


class Pytest:
    """Runs pytest in this process in a folder of its own (like pytester, simpler)."""

    def __init__(
        self, path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ):
        self.path, self.capsys = path, capsys
        monkeypatch.chdir(path)
        monkeypatch.setenv("COLUMNS", "200")

    def makefile(self, name: str, source: str) -> Path:
        write_files(self.path, {name: source})
        return self.path / name

    def runpytest_inprocess(self, *args: str) -> Result:
        self.capsys.readouterr()
        ret = pytest.main(
            [*args, "-p", "no:cacheprovider", "--rootdir", str(self.path), str(self.path)]
        )
        captured = self.capsys.readouterr()
        return Result(int(ret), captured.out, captured.err)


@pytest.fixture
def pytester(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Pytest:
    folder = tmp_path / "suite"
    folder.mkdir()
    return Pytest(folder, capsys, monkeypatch)


@pytest.fixture
def suite(pytester: Pytest) -> Path:
    pytester.makefile("bios.rtest", SUITE)
    return pytester.path


def run(pytester: Pytest, *args: str) -> Result:
    return pytester.runpytest_inprocess(
        *PLUGIN,
        "--station",
        "record",
        "--results-db",
        str(pytester.path / "r.db"),
        "-W",
        "error::pytest.PytestUnknownMarkWarning",
        *args,
    )


def test_each_case_is_an_item_with_ids_from_titles(suite: Path, pytester: Pytest) -> None:
    result = run(pytester, "--collect-only", "-q")
    assert result.ret == 0
    lines = [line for line in result.out.splitlines() if "::" in line]
    assert lines == [
        "bios.rtest::test_passes",
        "bios.rtest::test_assert_fails",
        "bios.rtest::test_icon_missing",
        "bios.rtest::test_times_out",
        "bios.rtest::test_retried_sub_script",
        "bios.rtest::test_script_error_in_sub_script",
        "bios.rtest::test_boot[boot A1]",
        "bios.rtest::test_boot[boot B2]",
    ]
    assert not (suite / "r.db").exists()  # collecting opens no station and no database


def test_k_and_m_select_and_outcomes_map(suite: Path, pytester: Pytest) -> None:
    result = run(
        pytester,
        "-m",
        "smoke or boot",
        "-k",
        "not B2",
        "--record-fail",
        "await_icon:spinner",
        "-rA",
    )
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*FAILED bios.rtest::test_icon_missing - failed: IconNotFound*"])
    with ResultStore(suite / "r.db") as store:
        run_info = store.run(1)
    assert run_info is not None
    assert [(c.title, c.status) for c in run_info.cases] == [
        ("passes", "passed"),
        ("icon missing", "failed"),
        ("boot A1", "passed"),
    ]
    assert run_info.status == "failed" and run_info.ended is not None


def test_k_matches_titles_and_tags_with_spaces_are_markers(suite: Path, pytester: Pytest) -> None:
    result = run(pytester, "-k", "Welcome or retried", "-q")
    result.assert_outcomes(passed=1)
    result = run(pytester, "-m", "ui_check", "-q")
    result.assert_outcomes(passed=1)
    result = run(pytester, "--strict-markers", "-m", "bios", "-q")
    result.assert_outcomes(failed=1)


def test_script_errors_and_station_errors_are_reported_distinctly(
    suite: Path, pytester: Pytest
) -> None:
    result = run(pytester, "-k", "script_error or A1 or B2", "--record-fault", "press:F12")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [
            "bios.rtest ESs*",
            "*ERROR at call of script error in sub-script*",
            "error: ZeroDivisionError: division by zero",
            "*bios.rtest:9: in broken",
            "*STATION ERRORS (not counted against the image)*",
            "*_ boot A1 _*",
            "station error: DriverError: record station: injected fault in press",
            "*1 skipped, * 1 error, 1 station error*",
        ]
    )


def test_traceback_points_at_the_rtest_line(suite: Path, pytester: Pytest) -> None:
    result = run(pytester, "-k", "assert_fails")
    result.stdout.fnmatch_lines(
        [
            "failed: AssertionError: BIOS version is '', expected 1.07",
            "*bios.rtest:23: in test_assert_fails",
            '    assert version == "1.07", f"BIOS version is \'{version}\', expected 1.07"',
        ]
    )


def test_junitxml_works(suite: Path, pytester: Pytest) -> None:
    result = run(pytester, "--junitxml", "out.xml", "-k", "boot")
    result.assert_outcomes(passed=2)
    root = ET.parse(suite / "out.xml").getroot()
    assert sorted(c.get("name") for c in root.iter("testcase")) == [
        "test_boot[boot A1]",
        "test_boot[boot B2]",
    ]


def test_compile_errors_are_collection_errors_with_position(pytester: Pytest) -> None:
    pytester.makefile("broken.rtest", 'test "x":\n    press F2 within 5s\n')
    result = run(pytester)
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(
        ["*broken.rtest:2:14: error: 'within' does not belong to press*", "*1 error*"]
    )


def test_a_missing_station_file_is_a_usage_error(suite: Path, pytester: Pytest) -> None:
    result = pytester.runpytest_inprocess(
        *PLUGIN, "--station", "lab/missing.toml", "--results-db", str(pytester.path / "r.db")
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*station 'lab/missing.toml': no such station file*"])


def test_ordinary_python_tests_are_untouched(pytester: Pytest) -> None:
    pytester.makefile("test_plain.py", "def test_ok():\n    assert True\n")
    result = pytester.runpytest_inprocess(*PLUGIN)
    result.assert_outcomes(passed=1)
    assert not (pytester.path / "results").exists()


def test_a_station_that_cannot_open_is_a_station_error(
    suite: Path, pytester: Pytest, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.machinery
    import sys
    import types

    from robotest.errors import CameraError

    station = types.ModuleType("robotest.runtime.station_runtime")
    station.__spec__ = importlib.machinery.ModuleSpec(station.__name__, None)

    def open_runtime(spec: str, options: object) -> None:
        raise CameraError("camera /dev/video0 returned no frame")

    station.open_runtime = open_runtime  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, station.__name__, station)
    result = pytester.runpytest_inprocess(
        *PLUGIN, "--station", "sim", "-k", "boot", "--results-db", str(pytester.path / "r.db")
    )
    result.stdout.fnmatch_lines(
        [
            "*STATION ERRORS*",
            "station error: CameraError: camera /dev/video0 returned no frame",
            "*1 skipped*1 station error*",
        ]
    )
    with ResultStore(suite / "r.db") as store:
        run_info = store.run(1)
    assert run_info is not None and run_info.status == "station error"
    assert [(c.title, c.status) for c in run_info.cases] == [
        ("boot A1", "station error"),
        ("boot B2", "skipped"),
    ]
