"""`rtest check` finds undefined names, with a hint for key names and near misses."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from robotest.cli import app
from robotest.dsl.cache import check_files, load_code

REPO = Path(__file__).resolve().parents[2]

UNDEFINED = """\
subscript enter_setup(key="F2", timeout=60s):
    press (key)

test "setup opens":
    enter_setup(key=F2)
    version = read_text right_of "EC Version"
    assert verison == "2.14"
"""


@pytest.fixture(autouse=True)
def fresh_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RTEST_CACHE_DIR", str(tmp_path / "cache"))


def test_undefined_names_are_located_with_hints(tmp_path: Path) -> None:
    script = tmp_path / "setup.rtest"
    script.write_text(UNDEFINED)
    found = [(d.line, d.col, d.message) for d in check_files([script])]
    assert found == [
        (5, 21, "name 'F2' is not defined; F2 is a key name: in a call write \"F2\""),
        (7, 12, "name 'verison' is not defined (did you mean version?)"),
    ]


def test_check_prints_the_name_error_and_fails(tmp_path: Path) -> None:
    script = tmp_path / "setup.rtest"
    script.write_text(UNDEFINED)
    result = CliRunner().invoke(app, ["check", str(script)])
    assert result.exit_code == 1
    assert f"{script}:5:21: error: name 'F2' is not defined" in result.output


def test_an_import_after_a_check_still_loads_the_code(tmp_path: Path) -> None:
    """Undefined names are check-time findings: the module still compiles for a run."""
    script = tmp_path / "setup.rtest"
    script.write_text(UNDEFINED)
    assert check_files([script])
    assert load_code(str(script)).co_filename == str(script)


def test_a_check_after_an_import_still_finds_the_names(tmp_path: Path) -> None:
    script = tmp_path / "setup.rtest"
    script.write_text(UNDEFINED)
    load_code(str(script))  # writes a cache entry without the name pass
    assert len(check_files([script])) == 2


def test_names_defined_every_way_are_not_reported(tmp_path: Path) -> None:
    script = tmp_path / "ok.rtest"
    script.write_text("""\
import os
from os import path as p
LIMIT = 3

def helper(x, *rest, **kw):
    return [y for y in rest if y], kw, x

class Thing:
    pass

subscript open_menu(tab="Main"):
    press Power
    match = await_text (tab) within 5s
    log(match, config, plugins, Thing, p, os, helper, LIMIT, __file__)

test "{n} works" for n in [1, 2]:
    open_menu()
    global LATER
    LATER = n
    for item in range(n):
        print(item)
""")
    assert check_files([script]) == []


def test_the_library_and_the_example_suite_have_no_undefined_names() -> None:
    files = sorted((REPO / "robotest" / "stdlib_subscripts").glob("*.rtest"))
    files += sorted((REPO / "scripts").glob("*.rtest"))
    assert len(files) >= 10
    assert check_files(files) == []
