"""The inspection plugin as `.rtest` scripts see it: ``plugins.inspection``.

::

    verdict = plugins.inspection.inspect("models/lid", "captures/unit42.png")
    assert verdict.verdict == "pass", verdict.reasons

Models are loaded once per folder and kept for the rest of the run.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from robotest.inspection.model import InspectionModel, load_model
from robotest.inspection.verdict import Box, Verdict

__all__ = ["Box", "InspectionModel", "Verdict", "explain", "inspect", "load"]

_loaded: dict[Path, InspectionModel] = {}


def load(model_dir: str | Path) -> InspectionModel:
    """The model saved in *model_dir* (cached: a second call costs nothing)."""
    key = Path(model_dir).resolve()
    if key not in _loaded:
        from robotest.inspection.threads import configure_torch

        configure_torch()
        _loaded[key] = load_model(key)
    return _loaded[key]


def inspect(model: str | Path | InspectionModel, image: str | Path | np.ndarray) -> Verdict:
    """Judge one image (a path, or an H x W x C float array in [0, 1]): pass or fail, why."""
    chosen = model if isinstance(model, InspectionModel) else load(model)
    return chosen.inspect(image)


def explain(model: str | Path | InspectionModel, image: str | Path, out: str | Path) -> Verdict:
    """Write the heat-map overlay of *image* to *out* (PNG); return the verdict."""
    from robotest.inspection.explain import explain as write_explanation

    chosen = model if isinstance(model, InspectionModel) else load(model)
    return write_explanation(chosen, image, out)
