"""Models on disk and the plugin that `.rtest` scripts call (``plugins.inspection``)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import robotest.inspection as inspection
from robotest.inspection.errors import ModelFileError
from robotest.inspection.model import load_model, map_to_png
from robotest.runtime.config import plugins


def test_saved_model_gives_the_same_answers(
    ae_model: Path, tiny_dataset: Path, tmp_path: Path
) -> None:
    model = load_model(ae_model)
    image = tiny_dataset / "test" / "hole" / "000.png"
    again = load_model(model.save(tmp_path / "again"))
    first, second = model.inspect(image), again.inspect(image)
    assert first.score == pytest.approx(second.score, rel=1e-5)
    assert [b.as_list() for b in first.boxes] == [b.as_list() for b in second.boxes]
    assert first.model_version == model.version


def test_broken_model_folders_are_named(ae_model: Path, tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="does not exist"):
        load_model(tmp_path / "none")
    partial = Path(shutil.copytree(ae_model, tmp_path / "partial"))
    (partial / "weights.pt").unlink()
    with pytest.raises(ModelFileError, match="not a model folder"):
        load_model(partial)
    future = Path(shutil.copytree(ae_model, tmp_path / "future"))
    meta = json.loads((future / "model.json").read_text())
    meta["format"] = 99
    (future / "model.json").write_text(json.dumps(meta))
    with pytest.raises(ModelFileError, match="unknown model format"):
        load_model(future)


def test_plugin_passes_a_good_unit_and_fails_a_defective_one(
    ae_model: Path, tiny_dataset: Path
) -> None:
    """What tests/inspection/scripts/inspect_unit.rtest does, in plain Python."""
    plugin = plugins.inspection
    assert plugin.load(ae_model) is plugin.load(ae_model)  # loaded once
    for good in sorted((tiny_dataset / "test" / "good").glob("*.png")):
        verdict = plugin.inspect(ae_model, good)
        assert verdict.verdict == "pass", verdict.reasons
    defective = plugin.inspect(ae_model, tiny_dataset / "test" / "hole" / "000.png")
    with pytest.raises(AssertionError, match="region at x="):
        assert defective.verdict == "pass", defective.reasons
    assert defective.boxes and not defective.passed


def test_plugin_accepts_arrays_and_the_package_exports_it(ae_model: Path) -> None:
    verdict = inspection.inspect(ae_model, np.full((128, 128, 1), 0.5, np.float32))
    assert verdict.image is None and verdict.verdict in ("pass", "fail")
    with pytest.raises(inspection.InspectionError, match="expects 128x128"):
        inspection.inspect(ae_model, np.zeros((10, 10, 1), np.float32))


def test_map_png_puts_the_threshold_at_128() -> None:
    assert map_to_png(np.array([[0.0, 1.0, 5.0]])).tolist() == [[0, 128, 255]]
