"""Golden files: each `golden/NAME.rtest` compiles to `NAME.py` or fails with `NAME.err`.

Regenerate after an intended change with ``RTEST_REGEN_GOLDEN=1 pytest tests/dsl``,
then review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from robotest.dsl import RtestSyntaxError, compile_source

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(GOLDEN.glob("*.rtest"))


def _render(path: Path) -> tuple[str, str]:
    source = path.read_text()
    try:
        module = compile_source(source, path.name)
    except RtestSyntaxError as error:
        return ".err", str(error) + "\n"
    return ".py", module.python_source + "\n"


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_golden(path: Path) -> None:
    suffix, actual = _render(path)
    expected_path = path.with_suffix(suffix)
    if os.environ.get("RTEST_REGEN_GOLDEN"):
        for stale in (path.with_suffix(".py"), path.with_suffix(".err")):
            stale.unlink(missing_ok=True)
        expected_path.write_text(actual)
    assert expected_path.exists(), f"{path.name} produced {suffix}: no golden {expected_path.name}"
    assert actual == expected_path.read_text()


def test_every_golden_case_has_exactly_one_expectation() -> None:
    assert len(CASES) >= 8
    for path in CASES:
        outputs = [p for p in (path.with_suffix(".py"), path.with_suffix(".err")) if p.exists()]
        assert len(outputs) == 1, path.name
