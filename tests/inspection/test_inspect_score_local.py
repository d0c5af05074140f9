"""The image score from the map against its own neighbourhood (``score_local``, the
default for ``knn`` since stop 50):
a thin scratch on a calm stretch of surface outranks a good picture whose map is high
only where its whole neighbourhood is busy, the boxes keep the smoothed map, a trained
model calibrates the score on its held-back normal pictures, and files saved before it
score as before."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from robotest.inspection import training
from robotest.inspection.dataset import open_dataset
from robotest.inspection.errors import InspectionError
from robotest.inspection.model import InspectionModel, load_model, local_contrast
from robotest.inspection.training import TrainOptions, train
from tests.inspection.fixed_maps import candidate_boxes, fixed_model, image_scores

SIDE = 64


def busy_and_line() -> np.ndarray:
    """Map 0: a good picture of a fine texture, its map 0.1 and 1.7 pixel by pixel over a
    24 x 24 stretch, 0.3 elsewhere; map 1: a scratch, a line 2 pixels wide and 32 long at
    1.2 on a calm surface at 0.3."""
    maps = np.full((2, SIDE, SIDE), 0.3, np.float32)
    yy, xx = np.mgrid[0:24, 0:24]
    maps[0, 20:44, 20:44] = np.where((yy + xx) % 2 == 0, 0.1, 1.7)
    maps[1, 31:33, 16:48] = 1.2
    return maps


def local_model(maps: np.ndarray, local: float) -> InspectionModel:
    return fixed_model(maps, score_blur=4.0, score_local=local, score_local_blur=3.0)


def test_the_local_score_ranks_a_calm_scratch_above_a_busy_texture() -> None:
    maps = busy_and_line()
    busy, line = image_scores(local_model(maps, 0.0))
    assert busy > line  # the smoothed map's maximum: the busy stretch wins
    model = local_model(maps, 12.0)
    busy, line = image_scores(model)
    assert line > busy
    assert line == pytest.approx(model.localised(maps[1]))  # scale 1 here


def test_the_boxes_keep_the_smoothed_map_with_the_local_score() -> None:
    maps = busy_and_line()
    assert candidate_boxes(local_model(maps, 0.0)) == candidate_boxes(local_model(maps, 12.0))


def test_local_contrast_measures_a_rise_in_its_neighbourhood_spread_with_a_floor() -> None:
    flat = np.full((SIDE, SIDE), 0.4, np.float32)
    level = local_contrast(flat, 12.0, 0.5)
    assert np.isfinite(level).all() and np.abs(level).max() < 0.01  # no spread: no blow-up
    bump = flat.copy()
    bump[30:34, 30:34] = 1.4
    contrast = local_contrast(bump, 12.0, 0.5)
    assert np.isfinite(contrast).all()
    assert np.unravel_index(int(contrast.argmax()), contrast.shape) in {
        (y, x) for y in range(30, 34) for x in range(30, 34)
    }
    # the floor: never more than the rise over floor x the whole map's spread
    assert contrast.max() <= (1.4 - 0.4) / (0.5 * float(bump.std())) + 1e-4


def test_a_knn_model_trained_with_the_local_score_calibrates_it_and_older_files_have_none(
    tiny_dataset: Path, tmp_path: Path
) -> None:
    data = open_dataset(tiny_dataset)
    options = TrainOptions(kind="knn", work_size=32, progress=False, threads=1, knn_bank=200)
    model = train(data, TrainOptions(**{**vars(options), "score_local": True}))
    meta = model.meta
    assert (meta.score_local, meta.score_local_blur) == (
        meta.score_blur * 3,
        meta.score_blur * 0.75,
    )
    assert meta.score_local_floor == 0.5 and meta.score_local_scale > 0
    goods = sorted((tiny_dataset / "test" / "good").glob("*.png"))
    loaded = load_model(model.save(tmp_path / "local"))
    for analysis in loaded.analyse([loaded.read(p) for p in goods]):
        expected = loaded.localised(analysis.anomaly) / loaded.meta.score_local_scale
        assert analysis.score == pytest.approx(expected)

    plain = train(data, TrainOptions(**{**vars(options), "score_local": False}))
    assert plain.meta.score_local == 0.0
    saved = json.loads((plain.save(tmp_path / "plain") / "model.json").read_text())
    for key in ("score_local", "score_local_blur", "score_local_floor", "score_local_scale"):
        saved.pop(key)  # a file saved before the setting
    older = tmp_path / "older"
    older.mkdir()
    (older / "model.json").write_text(json.dumps(saved))
    (older / "weights.pt").write_bytes((tmp_path / "plain" / "weights.pt").read_bytes())
    before = load_model(older)
    for analysis in before.analyse([before.read(p) for p in goods]):
        assert analysis.score == pytest.approx(float(before.smoothed(analysis.anomaly).max()))


def test_the_local_score_and_a_score_power_are_refused_together(tiny_dataset: Path) -> None:
    options = TrainOptions(kind="knn", progress=False, score_local=True, score_power=0.5)
    with pytest.raises(InspectionError):
        train(open_dataset(tiny_dataset), options)


def test_a_score_power_asked_turns_a_default_local_score_off(
    tiny_dataset: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(training, "SCORE_LOCAL", True)  # were it the default
    data = open_dataset(tiny_dataset)
    options = TrainOptions(kind="knn", work_size=32, progress=False, threads=1, knn_bank=200)
    assert train(data, options).meta.score_local == 6.0  # 3 x the score's sigma of 2
    powered = train(data, TrainOptions(**{**vars(options), "score_power": 0.5})).meta
    assert (powered.score_local, powered.score_power) == (0.0, 0.5)


def test_the_local_score_is_knn_s_default_and_asks_for_the_smoothed_map(
    tiny_dataset: Path,
) -> None:
    data = open_dataset(tiny_dataset)
    options = TrainOptions(kind="knn", work_size=32, progress=False, threads=1, knn_bank=200)
    meta = train(data, options).meta
    assert (meta.score_local, meta.score_local_blur, meta.score_local_floor) == (6.0, 1.5, 0.5)
    assert meta.score_local_scale > 0
    mean = train(data, TrainOptions(kind="mean", work_size=32, progress=False, threads=1))
    assert mean.meta.score_local == 0.0  # measured on knn only
    with pytest.raises(InspectionError, match="score_blur"):
        train(data, TrainOptions(**{**vars(options), "score_local": True, "score_blur": 0.0}))
