"""Explanations: the picture an engineer looks at to see why the model decided.

For the CNN, its Grad-CAM heat map; for the autoencoder and the baseline, the anomaly
map (the middle of the colour scale is the segmentation threshold). Boxes on top.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from robotest.inspection.images import write_png
from robotest.inspection.model import InspectionModel
from robotest.inspection.overlay import overlay
from robotest.inspection.verdict import Verdict


def explain(model: InspectionModel, image: str | Path, out: str | Path) -> Verdict:
    """Write the overlay for *image* to *out* (PNG) and return the verdict it illustrates."""
    pixels = model.read(image)
    analysis = model.analyse([pixels])[0]
    full = model.full_map(analysis)
    if model.meta.kind == "cnn":
        peak = float(full.max())
        heat = full / peak if peak > 0 else full
    else:
        heat = np.clip(full / 2.0, 0.0, 1.0)
    write_png(Path(out), overlay(pixels, heat, analysis.boxes))
    return model.judge(analysis, str(image))
