"""Appearance inspection: find defects from normal images alone, decide pass or fail.

A model learns what normal units look like (MVTec AD folder layout): by default a bank of
normal patches (``knn``), or a convolutional autoencoder (``ae``); its anomaly map,
thresholded at δ set on held-out normal images, gives regions and boxes;
an acceptance rule or SVM turns them into a verdict with reasons. A small supervised
CNN with Grad-CAM and a mean-image baseline are there to compare. Heavy libraries load
on first use, so importing this package (and ``rtest --help``) stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from robotest.inspection.dataset import Dataset, open_dataset
    from robotest.inspection.errors import InspectionError, ModelFileError
    from robotest.inspection.evaluation import Evaluation, evaluate
    from robotest.inspection.model import InspectionModel, load_model
    from robotest.inspection.plugin import explain, inspect, load
    from robotest.inspection.registry import LineConfig, ModelVersion, Registry
    from robotest.inspection.training import TrainOptions, train
    from robotest.inspection.verdict import Box, Verdict

_EXPORTS = {
    "Dataset": "dataset",
    "open_dataset": "dataset",
    "InspectionError": "errors",
    "ModelFileError": "errors",
    "Evaluation": "evaluation",
    "evaluate": "evaluation",
    "InspectionModel": "model",
    "load_model": "model",
    "explain": "plugin",
    "inspect": "plugin",
    "load": "plugin",
    "LineConfig": "registry",
    "ModelVersion": "registry",
    "Registry": "registry",
    "TrainOptions": "training",
    "train": "training",
    "Box": "verdict",
    "Verdict": "verdict",
}

__all__ = [
    "Box",
    "Dataset",
    "Evaluation",
    "InspectionError",
    "InspectionModel",
    "LineConfig",
    "ModelFileError",
    "ModelVersion",
    "Registry",
    "TrainOptions",
    "Verdict",
    "evaluate",
    "explain",
    "inspect",
    "load",
    "load_model",
    "open_dataset",
    "train",
]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'robotest.inspection' has no attribute {name!r}")
    return getattr(importlib.import_module(f"robotest.inspection.{_EXPORTS[name]}"), name)
