"""A value the suite's sub-scripts need and the image description lacks stops the run
before its first case, as an error naming the value and the file: never as failed cases."""

from __future__ import annotations

import importlib
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from robotest.dsl import install_import_hook
from robotest.runtime.config import Requirement, missing_values

REPO = Path(__file__).resolve().parents[2]
SUITE = """
from robotest.stdlib_subscripts.desktop import log_in

test "signs in":
    log_in()
"""
BIOS_ONLY = """
from robotest.stdlib_subscripts.bios import enter_setup

test "opens setup":
    enter_setup()
"""
IMAGE = '[image]\nname = "Factory"\n\n[os]\nuser = "qa"\n'


def _run(tmp_path: Path, suite: str, *args: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "suite").mkdir(exist_ok=True)
    (tmp_path / "suite" / "case.rtest").write_text(suite)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "robotest",
            "run",
            str(tmp_path / "suite"),
            "--station",
            "record",
            "--db",
            str(tmp_path / "results.db"),
            *args,
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )


def _runs(tmp_path: Path) -> list[tuple[str, int]]:
    with sqlite3.connect(tmp_path / "results.db") as db:
        return list(
            db.execute(
                "SELECT status, (SELECT COUNT(*) FROM cases WHERE run_id = runs.id) FROM runs"
            )
        )


def test_without_image_the_run_is_an_error_naming_the_value(tmp_path: Path) -> None:
    done = _run(tmp_path, SUITE)
    assert done.returncode == 4
    assert (
        "no --image given: [os] password is missing; the desktop sub-scripts sign in "
        "with it (pass the image description with --image)"
    ) in done.stderr
    assert _runs(tmp_path) == [("error", 0)]  # stopped before the first case


def test_an_image_without_the_value_names_the_file(tmp_path: Path) -> None:
    image = tmp_path / "image.toml"
    image.write_text(IMAGE)
    done = _run(tmp_path, SUITE, "--image", str(image))
    assert done.returncode == 4
    assert f"{image}: [os] password is missing; the desktop sub-scripts" in done.stderr


def test_with_the_value_the_cases_run(tmp_path: Path) -> None:
    image = tmp_path / "image.toml"
    image.write_text(IMAGE + 'password = "factory"\n')
    done = _run(tmp_path, SUITE, "--image", str(image))
    assert "password is missing" not in done.stderr
    assert _runs(tmp_path)[0][1] == 1  # the case ran (its verdict is the record station's)


def test_a_suite_that_does_not_use_the_module_needs_nothing(tmp_path: Path) -> None:
    done = _run(tmp_path, BIOS_ONLY)
    assert "is missing" not in done.stderr
    assert _runs(tmp_path)[0][1] == 1


@pytest.mark.parametrize(
    ("values", "missing"),
    [
        ({"product": {"os": {"password": "x"}}}, False),
        ({"product": {"os": {"password": ""}}}, True),
        ({"product": {"os": {}}}, True),
        ({"product": {"os": "not a table"}}, True),
        ({}, True),
    ],
)
def test_empty_and_absent_values_are_missing(values: dict[str, object], missing: bool) -> None:
    install_import_hook()
    module = importlib.import_module("robotest.stdlib_subscripts.desktop")  # an .rtest module
    found = missing_values([module], values)
    assert (
        found
        == [Requirement(("product", "os", "password"), "the desktop sub-scripts sign in with it")]
    ) == missing


def test_with_two_stations_a_missing_value_is_one_error_too(tmp_path: Path) -> None:
    done = _run(tmp_path, SUITE, "--station", "record:b", "--image", str(_image(tmp_path)))
    assert done.returncode == 4, done.stdout + done.stderr
    assert "[os] password is missing" in done.stderr
    assert "INTERNALERROR" not in done.stdout + done.stderr
    assert _runs(tmp_path) == [("error", 0)]


def _image(tmp_path: Path) -> Path:
    path = tmp_path / "image.toml"
    path.write_text(IMAGE)
    return path
