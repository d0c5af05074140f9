"""The image score pooled from a power of the map (``score_power`` below 1, opt-in): a
scratch a little above the normal level over many pixels outranks a good picture's one
stronger spot, the boxes keep the smoothed map, a trained model calibrates the
pooling on its held-back normal pictures, and files saved before it score as before."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from robotest.inspection.dataset import open_dataset
from robotest.inspection.errors import InspectionError
from robotest.inspection.model import InspectionModel, load_model
from robotest.inspection.training import TrainOptions, train
from tests.inspection.fixed_maps import fixed_model

SIDE = 64


def spot_and_line() -> np.ndarray:
    """Map 0: a good picture, a 3x3 stray spot at 4.0 on a surface at 0.3; map 1: a
    scratch, a line 4 pixels wide and 40 long at 1.0 (a thin scratch after the map's
    blur)."""
    maps = np.full((2, SIDE, SIDE), 0.3, np.float32)
    maps[0, 30:33, 30:33] = 4.0
    maps[1, 31:35, 12:52] = 1.0
    return maps


def powered_model(maps: np.ndarray, power: float) -> InspectionModel:
    return fixed_model(maps, score_blur=4.0, score_power=power, score_power_blur=3.0)


def test_a_power_under_one_ranks_a_thin_line_above_a_stray_spot() -> None:
    maps = spot_and_line()
    batch = np.zeros((2, 1, SIDE, SIDE), np.float32)
    spot, line = (a.score for a in powered_model(maps, 1.0).analyse_prepared(batch))
    assert spot > line  # the smoothed map's maximum: the spot's peak wins
    model = powered_model(maps, 0.5)
    spot, line = (a.score for a in model.analyse_prepared(batch))
    assert line > spot
    assert line == pytest.approx(model.powered(maps[1]))  # power scale 1 here


def test_the_boxes_keep_the_smoothed_map_whatever_the_power() -> None:
    maps = spot_and_line()
    batch = np.zeros((2, 1, SIDE, SIDE), np.float32)
    plain = powered_model(maps, 1.0).analyse_prepared(batch)
    powered = powered_model(maps, 0.5).analyse_prepared(batch)
    for a, b in zip(plain, powered, strict=True):
        assert [(c.x, c.y, c.w, c.h, c.score) for c in a.candidates] == [
            (c.x, c.y, c.w, c.h, c.score) for c in b.candidates
        ]


def test_a_knn_model_trained_with_a_power_calibrates_it_and_older_files_have_none(
    tiny_dataset: Path, tmp_path: Path
) -> None:
    data = open_dataset(tiny_dataset)
    options = TrainOptions(kind="knn", work_size=32, progress=False, threads=1, knn_bank=200)
    model = train(data, TrainOptions(**{**vars(options), "score_power": 0.5}))
    meta = model.meta
    assert (meta.score_power, meta.score_power_blur) == (0.5, meta.score_blur * 0.75)
    assert meta.score_power_scale > 0
    goods = sorted((tiny_dataset / "test" / "good").glob("*.png"))
    folder = model.save(tmp_path / "powered")
    loaded = load_model(folder)
    for analysis in loaded.analyse([loaded.read(p) for p in goods]):
        expected = loaded.powered(analysis.anomaly) / loaded.meta.score_power_scale
        assert analysis.score == pytest.approx(expected)

    plain = train(data, TrainOptions(**{**vars(options), "score_local": False}))
    assert plain.meta.score_power == 1.0
    saved = json.loads((plain.save(tmp_path / "plain") / "model.json").read_text())
    for key in ("score_power", "score_power_blur", "score_power_scale"):
        saved.pop(key)  # a file saved before the setting
    older = tmp_path / "older"
    older.mkdir()
    (older / "model.json").write_text(json.dumps(saved))
    (older / "weights.pt").write_bytes((tmp_path / "plain" / "weights.pt").read_bytes())
    before = load_model(older)
    for analysis in before.analyse([before.read(p) for p in goods]):
        assert analysis.score == pytest.approx(float(before.smoothed(analysis.anomaly).max()))


@pytest.mark.parametrize("extra", [{"score_power": 0.0}, {"score_power_blur": -1.0}])
def test_a_power_or_its_sigma_not_above_zero_is_refused(
    tiny_dataset: Path, extra: dict[str, float]
) -> None:
    with pytest.raises(InspectionError):
        train(open_dataset(tiny_dataset), TrainOptions(kind="knn", progress=False, **extra))
