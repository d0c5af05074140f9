"""A scorer whose maps are given, for tests of the model's scoring (not of a network)."""

from __future__ import annotations

from typing import Any

import numpy as np

from robotest.inspection.acceptance import Acceptance
from robotest.inspection.model import InspectionModel, ModelMeta


class FixedMaps:
    """A scorer whose maps are given: the model's scoring is under test, not a network."""

    kind = "knn"

    def __init__(self, maps: np.ndarray):
        self.maps = maps

    def raw_maps(self, batch: np.ndarray) -> np.ndarray:
        return self.maps[: len(batch)].copy()

    def state(self) -> dict[str, Any]:
        return {}


def fixed_model(maps: np.ndarray, **meta: Any) -> InspectionModel:
    """A ``knn`` model over *maps* (square, one channel, threshold 1), its other
    :class:`ModelMeta` fields as given."""
    side = maps.shape[-1]
    fields: dict[str, Any] = dict(
        kind="knn",
        input_size=[side, side],
        channels=1,
        roi=[0, 0, side, side],
        work_size=side,
        threshold=1.0,
        min_area=4,
        border=0,
        box_low=0.8,
        box_level=0.6,
        merge=3,
    )
    return InspectionModel(ModelMeta(**(fields | meta)), FixedMaps(maps), Acceptance())


def _analyses(model: InspectionModel) -> list[Any]:
    assert isinstance(model.scorer, FixedMaps)
    side = model.meta.work_size
    batch = np.zeros((len(model.scorer.maps), 1, side, side), np.float32)
    return model.analyse_prepared(batch)


def image_scores(model: InspectionModel) -> list[float]:
    """The image score of each of a :func:`fixed_model`'s maps."""
    return [a.score for a in _analyses(model)]


def candidate_boxes(model: InspectionModel) -> list[list[tuple[int, int, int, int, float]]]:
    """Each of a :func:`fixed_model`'s maps' candidate boxes (x, y, w, h, score)."""
    return [[(c.x, c.y, c.w, c.h, c.score) for c in a.candidates] for a in _analyses(model)]
