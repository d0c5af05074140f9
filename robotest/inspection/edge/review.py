"""How far a unit is from the decision, and how far the line's model has drifted.

A unit's *decision score* is the anomaly level that its worst ``min_area`` pixels all
reach, in units of the line's threshold: the same statistic the threshold δ was set on
(no held-out normal unit has ``min_area`` pixels above δ), so 1.0 is the decision
threshold whatever the size of the product. Which scores go to review is set from the
held-out good units' scores (``calibration``).

The *failed-sample ratio* is the number of units whose verdict reviewers corrected,
not yet in a full retrain, over the size of the line's training set; past
the line's β a full retrain is due.
"""

from __future__ import annotations

import math

import numpy as np

from robotest.inspection.edge.units import UnitStore
from robotest.inspection.model import Analysis, InspectionModel
from robotest.inspection.registry import LineConfig


def decision_score(model: InspectionModel, analysis: Analysis) -> float:
    """The level reached by the unit's ``min_area`` worst pixels (1.0 = the threshold)."""
    side = model.meta.work_size
    pixels = model.meta.min_area * (side / model.roi.w) * (side / model.roi.h)
    k = min(analysis.anomaly.size, max(1, math.ceil(pixels)))
    return float(np.partition(analysis.anomaly.ravel(), -k)[-k])


def failed_sample_ratio(units: UnitStore, line: LineConfig) -> float:
    """Corrected units with a kept picture not yet retrained on / the line's training
    set size (a unit without a picture cannot be learnt from).

    The training set is the line's ``train/good`` plus the corrected units that a retrain
    already added to it.
    """
    if not line.train_data:
        return 0.0
    from robotest.inspection.dataset import open_dataset

    waiting = len(units.corrected(line.name, not_in="retrain", learnable=True))
    learnt = len(units.corrected(line.name)) - len(units.corrected(line.name, not_in="retrain"))
    size = len(open_dataset(line.train_data).train_good) + learnt
    return waiting / max(1, size)
