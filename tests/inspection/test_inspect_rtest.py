"""An `.rtest` script calls the inspection plugin and fails the test on a defective unit."""

from __future__ import annotations

from pathlib import Path

import pytest

from robotest.dsl import import_path
from robotest.runtime import RecordingRuntime, collect, run_case, use_runtime

SCRIPT = Path(__file__).parent / "scripts" / "inspect_unit.rtest"


def _run(model: Path, image: Path) -> RecordingRuntime:
    module = import_path(str(SCRIPT), "inspect_unit_rtest")
    (case,) = collect(module)
    runtime = RecordingRuntime(config={"inspection": {"model": str(model), "image": str(image)}})
    with use_runtime(runtime):
        run_case(module, case)
    return runtime


def test_script_passes_a_good_unit_and_fails_a_defective_one(
    ae_model: Path, tiny_dataset: Path
) -> None:
    good = sorted((tiny_dataset / "test" / "good").glob("*.png"))[0]
    defect_dir = next(p for p in sorted((tiny_dataset / "test").iterdir()) if p.name != "good")
    bad = sorted(defect_dir.glob("*.png"))[0]
    runtime = _run(ae_model, good)
    assert runtime.calls[-1].args["message"].startswith("inspection: pass")
    with pytest.raises(AssertionError) as failure:
        _run(ae_model, bad)
    assert failure.traceback[-1].path == SCRIPT  # the failure points at the .rtest line
