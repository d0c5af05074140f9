"""The example qualification suite compiles, collects, and the fault matrix knows its tests."""

from __future__ import annotations

import fnmatch
import importlib.util
import subprocess
import sys

from stdlib_helpers import ROOT

from robotest.dsl.importer import import_path
from robotest.runtime import collect

SCRIPTS = ROOT / "scripts"


def _matrix():  # benchmarks/ is not a package: load the tool by path
    spec = importlib.util.spec_from_file_location(
        "qualification_matrix", ROOT / "benchmarks" / "qualification_matrix.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _titles() -> list[str]:
    """The case titles of every `.rtest` file of the suite, as the runner names them."""
    sys.path.insert(0, str(SCRIPTS))  # the suite's files import spec.rtest beside them
    try:
        return [
            case.title
            for path in sorted(SCRIPTS.glob("*.rtest"))
            for case in collect(import_path(str(path), f"example_suite_{path.stem}"))
        ]
    finally:
        sys.path.remove(str(SCRIPTS))


def test_the_suite_compiles_and_collects_every_case() -> None:
    check = subprocess.run(
        [sys.executable, "-m", "robotest", "check", "scripts/"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    titles = _titles()
    assert len(titles) == 26
    assert "Setup shows BIOS Version as specified" in titles
    assert sum(title.startswith("Reboot cycle") for title in titles) == 3


def test_every_fault_of_the_matrix_has_the_test_that_must_catch_it() -> None:
    titles = _titles()
    for scenario in _matrix().SCENARIOS:
        if scenario.must_fail:
            assert any(fnmatch.fnmatch(title, scenario.must_fail) for title in titles), scenario
        for pattern in scenario.may_fail:
            assert any(fnmatch.fnmatch(title, pattern) for title in titles), pattern


def test_a_fault_caught_by_the_wrong_test_is_a_false_pass_and_a_false_fail() -> None:
    matrix = _matrix()
    bios = next(s for s in matrix.SCENARIOS if s.name == "wrong BIOS version")
    caught = matrix.Outcome(
        bios,
        0,
        1.0,
        {
            "Setup shows BIOS Version as specified": (
                "failed",
                "BIOS BIOS Version is '1.06.9', expected '1.07.3'",
            ),
            "Reboot cycle 1": ("failed", "bios-version: BIOS Version is '1.06.9' ..."),
            "TPM is as specified": ("passed", ""),
        },
    ).judge()
    assert caught.false_pass == [] and caught.false_fail == []
    missed = matrix.Outcome(
        bios,
        0,
        1.0,
        {
            "Setup shows BIOS Version as specified": ("passed", ""),
            "TPM is as specified": ("failed", "TPM Device is ''"),
        },
    ).judge()
    assert len(missed.false_pass) == 1 and len(missed.false_fail) == 1
