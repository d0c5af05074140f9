"""The smoothed image score and the candidate boxes (``score_blur`` > 0): a defect that
raises the map over an area outranks a good picture's lone hot pixel, a faint defect is
still boxed and ranked, two peaks joined at the low level get a box each, and model
files saved before keep the map's maximum."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from robotest.inspection.model import InspectionModel, load_model
from robotest.inspection.regions import find_peak_boxes
from tests.inspection.fixed_maps import fixed_model

SIDE = 64


def model_over(maps: np.ndarray, score_blur: float) -> InspectionModel:
    return fixed_model(maps, score_blur=score_blur)


def scores(model: InspectionModel, count: int) -> list[float]:
    batch = np.zeros((count, 1, SIDE, SIDE), np.float32)
    return [a.score for a in model.analyse_prepared(batch)]


def hot_pixel_and_patch() -> np.ndarray:
    """Map 0: a good picture, one hot 2x2 texture spot at 3.0; map 1: a defect, a 12x12
    area at 1.6."""
    maps = np.full((2, SIDE, SIDE), 0.3, np.float32)
    maps[0, 30:32, 30:32] = 3.0
    maps[1, 20:32, 20:32] = 1.6
    return maps


def test_the_smoothed_score_ranks_an_area_above_a_lone_hot_spot() -> None:
    maps = hot_pixel_and_patch()
    spot, patch = scores(model_over(maps, score_blur=4.0), 2)
    assert patch > spot
    old_spot, old_patch = scores(model_over(maps, score_blur=0.0), 2)
    assert old_spot > old_patch  # the map's maximum ranks them the other way round


def test_only_boxes_at_the_score_level_count_for_the_verdict() -> None:
    maps = hot_pixel_and_patch()
    model = model_over(maps, score_blur=4.0)
    model.meta.score_scale = float(model.smoothed(maps[0]).max()) * 1.01  # spot: a normal
    spot, patch = model.analyse_prepared(np.zeros((2, 1, SIDE, SIDE), np.float32))
    assert spot.candidates and not spot.boxes and spot.score < 1.0
    assert model.judge(spot).verdict == "pass"
    assert patch.boxes and model.judge(patch).verdict == "fail"
    box = patch.boxes[0]
    assert (box.x, box.y, box.w, box.h) == (20, 20, 12, 12)


def test_a_faint_defect_below_the_threshold_is_still_a_ranked_candidate() -> None:
    anomaly = np.full((SIDE, SIDE), 0.2, np.float32)
    anomaly[40:50, 10:20] = 0.9  # under the threshold (1.0), over the low level (0.8)
    boxes = find_peak_boxes(anomaly, anomaly, min_area=4, low=0.8, box_level=0.6, merge=3)
    assert [(b.x, b.y, b.w, b.h) for b in boxes] == [(10, 40, 10, 10)]
    assert boxes[0].score == pytest.approx(0.9)


def test_two_peaks_joined_at_the_low_level_get_a_box_each() -> None:
    anomaly = np.full((SIDE, SIDE), 0.2, np.float32)
    anomaly[10:30, 10:50] = 0.9  # a textured band joins them at the low level
    anomaly[14:20, 12:18] = 3.0
    anomaly[20:26, 40:46] = 2.0
    boxes = find_peak_boxes(anomaly, anomaly, min_area=4, low=0.8, box_level=0.6, merge=3)
    assert [(b.x, b.y, b.w, b.h, b.score) for b in boxes] == [
        (12, 14, 6, 6, 3.0),
        (40, 20, 6, 6, 2.0),
    ]


def test_a_small_hole_is_boxed_without_its_halo() -> None:
    anomaly = np.full((SIDE, SIDE), 0.1, np.float32)
    anomaly[20:40, 20:40] = 1.2  # the blur's halo round the hole
    anomaly[28:32, 28:32] = 4.0
    boxes = find_peak_boxes(anomaly, anomaly, min_area=4, low=0.8, box_level=0.6, merge=3)
    assert [(b.x, b.y, b.w, b.h) for b in boxes] == [(28, 28, 4, 4)]


def test_a_trained_knn_model_scores_smoothed_and_older_files_keep_the_maximum(
    knn_smoothed_model: Path, tiny_dataset: Path, tmp_path: Path
) -> None:
    model = load_model(knn_smoothed_model)
    assert model.meta.score_blur == model.meta.work_size / 16
    goods = sorted((tiny_dataset / "test" / "good").glob("*.png"))
    analyses = model.analyse([model.read(p) for p in goods])
    for analysis in analyses:
        assert analysis.score == pytest.approx(float(model.smoothed(analysis.anomaly).max()))

    older = tmp_path / "older"
    older.mkdir()
    data = json.loads((knn_smoothed_model / "model.json").read_text())
    for key in ("score_blur", "score_scale", "box_low"):
        data.pop(key)
    data.update(box_level=0.4, merge=13)
    (older / "model.json").write_text(json.dumps(data))
    (older / "weights.pt").write_bytes((knn_smoothed_model / "weights.pt").read_bytes())
    before = load_model(older)
    assert before.meta.score_blur == 0
    for analysis in before.analyse([before.read(p) for p in goods]):
        assert analysis.score == pytest.approx(float(analysis.anomaly.max()))
        assert analysis.candidates == analysis.boxes


def test_score_blur_zero_on_the_command_line_keeps_the_maximum(
    runner: Any, tiny_dataset: Path, tmp_path: Path, train_with: Any
) -> None:
    out = tmp_path / "knn-max"
    result = train_with(runner, tiny_dataset, out, "--model", "knn", "--score-blur", "0")
    assert result.exit_code == 0, result.output
    meta = json.loads((out / "model.json").read_text())
    assert (meta["score_blur"], meta["box_low"], meta["merge"]) == (0.0, 1.0, 13)


def test_a_surface_raised_all_over_ranks_under_a_defect_with_the_score_level() -> None:
    """Map 0: a good unit whose whole map lies high (a coarser patch of the material: 0.9
    everywhere, a mild 8x8 spot at 1.6); map 1: a defect, a 12x12 area at 1.4 on a
    surface at 0.3. Measured from zero the good unit scores higher; measured from each
    picture's own median (``score_level`` 1) the defect does."""
    maps = np.full((2, SIDE, SIDE), 0.3, np.float32)
    maps[0] = 0.9
    maps[0, 40:48, 40:48] = 1.6
    maps[1, 20:32, 20:32] = 1.4
    model = model_over(maps, score_blur=4.0)
    raised, defect = scores(model, 2)
    assert raised > defect
    model.meta.score_level = 1.0
    raised, defect = scores(model, 2)
    assert defect > raised
    assert defect == pytest.approx(float(model.smoothed(maps[1]).max()))


def test_a_knn_model_scores_from_zero_unless_its_file_asks_for_its_own_level(
    knn_smoothed_model: Path, tiny_dataset: Path, tmp_path: Path
) -> None:
    model = load_model(knn_smoothed_model)
    assert model.meta.score_level == 0.0  # the default: from zero (bark's verdicts)
    goods = sorted((tiny_dataset / "test" / "good").glob("*.png"))
    data = json.loads((knn_smoothed_model / "model.json").read_text())
    for name, level in (("older", None), ("levelled", 1.0)):
        folder = tmp_path / name
        folder.mkdir()
        if level is None:
            data.pop("score_level")  # a file saved before the setting
        else:
            data["score_level"] = level
        (folder / "model.json").write_text(json.dumps(data))
        (folder / "weights.pt").write_bytes((knn_smoothed_model / "weights.pt").read_bytes())
        loaded = load_model(folder)
        assert loaded.meta.score_level == (level or 0.0)
        for analysis in loaded.analyse([loaded.read(p) for p in goods]):
            blurred = cv2.GaussianBlur(analysis.anomaly, (0, 0), loaded.meta.score_blur)
            blurred -= (level or 0.0) * float(np.median(analysis.anomaly))
            assert analysis.score == pytest.approx(float(blurred.max()) / loaded.meta.score_scale)
