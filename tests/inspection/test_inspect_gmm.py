"""The feature-statistics model (``gmm``): trains on normal images, finds a clear defect,
round-trips through its model file with its kind, and old kinds still load."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from robotest.inspection.filterbank import feature_count, filter_bank
from robotest.inspection.model import load_model


@pytest.fixture(scope="session")
def gmm_model(trained_kind: Callable[[str], Path]) -> Path:
    return trained_kind("gmm")


def test_gmm_passes_good_units_and_fails_a_hole(gmm_model: Path, tiny_dataset: Path) -> None:
    model = load_model(gmm_model)
    goods = sorted((tiny_dataset / "test" / "good").glob("*.png"))
    holes = sorted((tiny_dataset / "test" / "hole").glob("*.png"))
    good_scores = [model.inspect(p).score for p in goods]
    verdicts = [model.inspect(p) for p in holes]
    assert all(v.verdict == "fail" and v.boxes for v in verdicts)
    assert min(v.score for v in verdicts) > max(good_scores)


def test_gmm_box_lies_on_the_hole(gmm_model: Path, tiny_dataset: Path) -> None:
    from robotest.inspection.images import read_image

    model = load_model(gmm_model)
    verdict = model.inspect(tiny_dataset / "test" / "hole" / "000.png")
    mask = read_image(tiny_dataset / "ground_truth" / "hole" / "000_mask.png", channels=1)
    ys, xs = np.nonzero(mask[:, :, 0] > 0.5)
    box = verdict.boxes[0]
    assert box.x <= xs.mean() <= box.x + box.w and box.y <= ys.mean() <= box.y + box.h


def test_gmm_model_file_round_trip_keeps_its_kind(
    gmm_model: Path, tiny_dataset: Path, tmp_path: Path
) -> None:
    meta = json.loads((gmm_model / "model.json").read_text())
    assert meta["kind"] == "gmm" and meta["version"].startswith("gmm-")
    model = load_model(gmm_model)
    again = load_model(model.save(tmp_path / "again"))
    assert again.meta.kind == "gmm"
    image = tiny_dataset / "test" / "hole" / "001.png"
    assert again.inspect(image).score == pytest.approx(model.inspect(image).score, rel=1e-5)


def test_autoencoder_files_still_load_beside_gmm(ae_model: Path, gmm_model: Path) -> None:
    assert load_model(ae_model).meta.kind == "ae"
    assert load_model(gmm_model).meta.kind == "gmm"


def test_filter_bank_sizes_and_colour() -> None:
    grey = np.random.default_rng(0).random((2, 1, 32, 32), dtype=np.float32)
    colour = np.repeat(grey, 3, axis=1)
    assert filter_bank(grey).shape == (2, feature_count(1), 32, 32)
    assert filter_bank(colour).shape == (2, feature_count(3), 32, 32)
    assert feature_count(3) > feature_count(1)
