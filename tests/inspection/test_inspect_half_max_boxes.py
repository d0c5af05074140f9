"""Candidate boxes cut at half their height above the normal maps' floor (``box_floor``):
a small defect whose patches spread it over a halo is boxed at its half-maximum width,
a trained model records the floor of its held-back normal maps, and model files saved
before it cut at a fraction of the peak as they did."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from robotest.inspection.model import load_model
from robotest.inspection.regions import find_peak_boxes
from robotest.inspection.training import FINE_GRID_BOXES

SIDE = 64
SIGMA = 3.0


def bump_on_floor(floor: float, height: float) -> np.ndarray:
    """A map at *floor* (normal surface) with a Gaussian bump of *height* in its middle:
    a small hole as the patches that see it spread it."""
    ys, xs = np.mgrid[0:SIDE, 0:SIDE]
    r2 = (xs - SIDE / 2 + 0.5) ** 2 + (ys - SIDE / 2 + 0.5) ** 2
    return (floor + height * np.exp(-r2 / (2 * SIGMA**2))).astype(np.float32)


def widths(anomaly: np.ndarray, floor: float, level: float) -> list[tuple[int, int]]:
    boxes = find_peak_boxes(
        anomaly, anomaly, min_area=4, low=0.62, box_level=level, merge=3, floor=floor
    )
    return [(b.w, b.h) for b in boxes]


def test_a_spread_defect_is_boxed_at_its_half_maximum_width_above_the_floor() -> None:
    anomaly = bump_on_floor(floor=0.6, height=0.6)
    half_max = 2 * SIGMA * np.sqrt(2 * np.log(2))  # 7.06 pixels
    [(w, h)] = widths(anomaly, floor=0.6, level=0.5)
    assert abs(w - half_max) <= 1 and abs(h - half_max) <= 1
    [(old_w, old_h)] = widths(anomaly, floor=0.0, level=0.6)  # 60 % of the peak from 0
    assert old_w >= half_max + 3 and old_h >= half_max + 3  # the halo boxed with it


def test_the_cut_follows_the_floor_not_the_peak_alone() -> None:
    """The same bump on a higher floor keeps its box: the floor, not 0, is its base."""
    low_floor = widths(bump_on_floor(floor=0.5, height=0.8), floor=0.5, level=0.5)
    high_floor = widths(bump_on_floor(floor=0.7, height=0.8), floor=0.7, level=0.5)
    assert low_floor == high_floor
    unfloored = widths(bump_on_floor(floor=0.7, height=0.8), floor=0.0, level=0.5)
    assert unfloored[0][0] > high_floor[0][0]


def test_a_trained_knn_model_records_the_floor_of_its_normal_maps(
    knn_model: Path, tiny_dataset: Path
) -> None:
    model = load_model(knn_model)
    floor = model.meta.box_floor
    assert 0.0 < floor < 1.0  # normal surface lies under the threshold
    goods = sorted((tiny_dataset / "test" / "good").glob("*.png"))
    medians = [float(np.median(a.anomaly)) for a in model.analyse([model.read(p) for p in goods])]
    assert float(np.median(medians)) == pytest.approx(floor, abs=0.25)
    assert json.loads((knn_model / "model.json").read_text())["box_floor"] == floor


def test_model_files_saved_before_the_floor_cut_at_a_fraction_of_the_peak(
    knn_model: Path, tiny_dataset: Path, tmp_path: Path
) -> None:
    older = tmp_path / "older"
    older.mkdir()
    data = json.loads((knn_model / "model.json").read_text())
    data.pop("box_floor")
    data.pop("box_level_strong")
    (older / "model.json").write_text(json.dumps(data))
    (older / "weights.pt").write_bytes((knn_model / "weights.pt").read_bytes())
    before, now = load_model(older), load_model(knn_model)
    assert before.meta.box_floor == 0.0 and before.meta.box_level_strong is None
    defective = sorted(tiny_dataset.glob("test/*/*.png"))
    defective = [p for p in defective if p.parent.name != "good"][:3]
    for path in defective:
        old, new = before.analyse([before.read(path)])[0], now.analyse([now.read(path)])[0]
        np.testing.assert_array_equal(old.anomaly, new.anomaly)  # the same map
        scale = (before.roi.w / before.meta.work_size, before.roi.h / before.meta.work_size)
        expected = find_peak_boxes(
            old.anomaly,
            before.smoothed(old.anomaly),
            min_area=before.meta.min_area / (scale[0] * scale[1]),
            low=before.meta.box_low,
            box_level=before.meta.box_level,
            merge=before.meta.merge,
            scale=scale,
            offset=(before.roi.x, before.roi.y),
        )
        assert [b.as_list() for b in old.candidates] == [b.as_list() for b in expected]


def test_a_strong_peak_is_cut_at_the_strong_level() -> None:
    """A peak at 4x the threshold or more is cut at ``strong_level``: its box is tighter
    than the half-maximum box of the same shape, while a weak one keeps the half maximum."""

    def width(height: float, strong: float | None) -> int:
        anomaly = bump_on_floor(floor=0.5, height=height)
        boxes = find_peak_boxes(
            anomaly,
            anomaly,
            min_area=4,
            low=0.62,
            box_level=0.5,
            merge=3,
            floor=0.5,
            strong_level=strong,
        )
        return boxes[0].w

    assert width(6.0, strong=0.7) < width(6.0, strong=None)
    assert width(1.0, strong=0.7) == width(1.0, strong=None)  # peak 1.5: under STRONG_PEAK
    # peak 2.5, a real surface's typical defect: still boxed at the weak level
    assert width(2.0, strong=0.7) == width(2.0, strong=None)


def test_a_faint_defect_on_a_low_floor_is_still_boxed_with_the_fine_grid_settings() -> None:
    """On a surface whose normal maps lie low (a third of the threshold), a faint defect
    peaks under half the threshold: regions grown from 0.5 gave the picture no box at
    all, regions grown from ``FINE_GRID_BOXES``' 0.4 box it at its half-maximum width."""
    settings = FINE_GRID_BOXES
    anomaly = bump_on_floor(floor=0.33, height=0.15)  # peak 0.48

    def boxes(low: float) -> list[tuple[int, int]]:
        found = find_peak_boxes(
            anomaly,
            anomaly,
            min_area=4,
            low=low,
            box_level=settings["box_level"],
            merge=int(settings["merge"]),
            floor=0.33,
            strong_level=settings["box_level_strong"],
        )
        return [(b.w, b.h) for b in found]

    assert boxes(0.5) == []
    [(w, h)] = boxes(settings["box_low"])
    assert 4 <= w <= 12 and 4 <= h <= 12  # the bump, not the whole floor
