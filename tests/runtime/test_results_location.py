"""The results database is found the same way from any folder: --db, $RTEST_RESULTS_DB,
else results/results.db in the suite's root; never the folder the command is typed in."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from robotest.runtime.results_location import find_results_db, root_of_suite, suite_root
from robotest.runtime.store import ResultsDatabaseError, ResultStore

FAILING = 'test "a":\n    press F2\n\ntest "b":\n    assert 1 == 2, "b fails"\n'


@pytest.fixture
def suite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A suite whose root carries the `.rtest` marker, its cases in a subfolder."""
    monkeypatch.delenv("RTEST_RESULTS_DB", raising=False)
    root = tmp_path / "team" / "suite"
    (root / "bios").mkdir(parents=True)
    (root / ".rtest").write_text("")
    (root / "bios" / "cases.rtest").write_text(FAILING)
    return root


def test_the_suite_root_is_the_nearest_folder_with_a_marker(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "scripts" / "bios").mkdir(parents=True)
    case = repo / "scripts" / "bios" / "a.rtest"
    case.write_text("")
    assert suite_root(case) == repo
    assert root_of_suite([case, repo / "scripts"]) == repo
    (repo / "scripts" / ".rtest").write_text("")
    assert suite_root(case) == repo / "scripts"
    loose = tmp_path / "loose" / "suite"
    loose.mkdir(parents=True)
    assert suite_root(loose) is None
    assert root_of_suite([loose]) == loose  # no marker: the folder given


def test_db_is_given_then_the_variable_then_the_suite_root(
    suite: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = [suite / "bios" / "cases.rtest"]
    assert find_results_db(None, paths) == suite / "results" / "results.db"
    monkeypatch.setenv("RTEST_RESULTS_DB", str(tmp_path / "env.db"))
    assert find_results_db(None, paths) == tmp_path / "env.db"
    assert find_results_db(tmp_path / "given.db", paths) == tmp_path / "given.db"


def test_a_run_from_another_folder_leaves_nothing_there(
    suite: Path,
    tmp_path: Path,
    rtest: Callable[..., tuple[int, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    code, output = rtest("run", suite / "bios" / "cases.rtest", "--station", "record")
    assert code == 1, output
    assert list(work.iterdir()) == []  # no results/, no .benchmarks/, no caches
    assert sorted(p.name for p in suite.iterdir()) == [".rtest", "bios", "results"]
    assert (suite / "results" / "results.db").is_file()
    assert (suite / "results" / "run-1" / "report.html").is_file()
    two = ["--station", "record:a", "--station", "record:b"]  # the workers leave nothing
    assert rtest("run", suite, *two)[0] == 1
    assert list(work.iterdir()) == [] and (suite / "results" / "run-2").is_dir()


def test_every_command_finds_the_suite_database_from_inside_it(
    suite: Path, rtest: Callable[..., tuple[int, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(suite.parent)  # above the suite: the suite's root still decides
    assert rtest("run", "suite/bios", "--station", "record")[0] == 1
    monkeypatch.chdir(suite / "bios")  # inside it: rtest results, report, --last-failed
    code, output = rtest("results")
    assert code == 0 and "record" in output and "failed" in output, output
    code, output = rtest("report", "latest", "--out", suite / "again")
    assert code == 0 and (suite / "again" / "junit.xml").is_file(), output
    code, output = rtest("run", "--last-failed", "--station", "record")
    assert code == 1 and "1 failed in" in output, output
    code, output = rtest("upload", "--pending", "--server", "http://127.0.0.1:9")
    assert code == 0 and str(suite / "results" / "pending-uploads") in output, output
    with ResultStore(suite / "results" / "results.db") as store:
        runs = store.runs()
    assert [len(r.cases) for r in runs] == [1, 2]  # the re-run took only the failed case
    assert not (suite / "bios" / "results").exists()


def test_outside_any_suite_the_database_is_not_guessed(
    tmp_path: Path, rtest: Callable[..., tuple[int, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RTEST_RESULTS_DB", raising=False)
    nowhere = tmp_path / "nowhere"
    nowhere.mkdir()
    monkeypatch.chdir(nowhere)
    with pytest.raises(ResultsDatabaseError, match="not inside a suite"):
        find_results_db()
    for command in (["results"], ["report", "latest"], ["run", "--last-failed"]):
        code, output = rtest(*command)
        assert code == 2 and "error: no results database found" in output, command
        assert "Traceback" not in output
    assert list(nowhere.iterdir()) == []
