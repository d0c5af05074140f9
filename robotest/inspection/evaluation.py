"""Evaluate a model on a data set's test images (and produce the benchmark's figures)."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

import cv2
import numpy as np

from robotest.inspection.dataset import Dataset
from robotest.inspection.errors import InspectionError
from robotest.inspection.images import read_image
from robotest.inspection.metrics import BoxXYWH, auroc, box_ap, defect_boxes, f1, mask_boxes
from robotest.inspection.model import InspectionModel
from robotest.inspection.verdict import Box

PIXEL_GRID = 128  # pixel AUROC is computed on maps and masks resized to this side


@dataclass
class Evaluation:
    """Figures of one model on one data set (None where a figure is undefined)."""

    image_auroc: float | None
    pixel_auroc: float | None
    box_ap50: float | None
    box_ap30: float | None  # IoU 0.3: a box that finds the defect but draws it loosely
    f1: float
    images: int
    defective: int
    ms_per_image: float  # median time to analyse and judge one image (read excluded)
    box_ap30_defects: float | None = None
    """Box AP@0.3 with one truth box a drawn defect (``metrics.defect_boxes``: mask pieces
    a few pixels apart joined), not one a connected mask piece."""
    good_failed: int = 0
    """Good test images judged "fail" (false rejects: good units a line would scrap)."""

    def to_json(self) -> dict[str, float | int | None]:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(self).items()}


def evaluate(model: InspectionModel, dataset: Dataset) -> Evaluation:
    """Run *model* over every test image of *dataset* and score it against the truth."""
    items = dataset.test
    if not items:
        raise InspectionError(f"{dataset.root} has no test images (test/good, test/<defect>)")
    labels: list[bool] = []
    scores: list[float] = []
    failed: list[bool] = []
    predictions: list[list[Box]] = []
    truths: list[list[BoxXYWH]] = []
    defects: list[list[BoxXYWH]] = []
    pixel_scores: list[np.ndarray] = []
    pixel_truth: list[np.ndarray] = []
    elapsed: list[float] = []
    width, height = model.meta.input_size
    for item in items:
        image = model.read(item.path)
        started = time.perf_counter()
        analysis = model.analyse([image])[0]
        verdict = model.judge(analysis, str(item.path))
        elapsed.append(time.perf_counter() - started)
        labels.append(item.defective)
        scores.append(analysis.score)
        failed.append(verdict.verdict == "fail")
        predictions.append(analysis.candidates)
        if item.defective and item.mask is None:  # no ground truth: image figures only
            truths.append([])
            defects.append([])
            continue
        mask = (
            _mask(item.mask, (width, height))
            if item.defective
            else np.zeros((height, width), np.uint8)
        )
        truths.append(mask_boxes(mask))
        defects.append(defect_boxes(mask))
        grid = (PIXEL_GRID, PIXEL_GRID)
        pixel_scores.append(
            cv2.resize(model.full_map(analysis), grid, interpolation=cv2.INTER_AREA).ravel()
        )
        pixel_truth.append(
            cv2.resize((mask > 0).astype(np.float32), grid, interpolation=cv2.INTER_AREA).ravel()
            >= 0.5
        )
    has_truth = any(len(t) for t in truths)
    pixel = (
        auroc(np.concatenate(pixel_truth), np.concatenate(pixel_scores))
        if pixel_truth and has_truth
        else None
    )
    return Evaluation(
        image_auroc=auroc(labels, scores),
        pixel_auroc=pixel,
        box_ap50=box_ap(predictions, truths),
        box_ap30=box_ap(predictions, truths, iou_threshold=0.3),
        f1=f1(labels, failed),
        images=len(items),
        defective=int(sum(labels)),
        ms_per_image=1000.0 * float(np.median(elapsed)),
        box_ap30_defects=box_ap(predictions, defects, iou_threshold=0.3),
        good_failed=sum(f and not d for f, d in zip(failed, labels, strict=True)),
    )


def _mask(path: object, size: tuple[int, int]) -> np.ndarray:
    from pathlib import Path

    mask = read_image(Path(str(path)), channels=1)
    if (mask.shape[1], mask.shape[0]) != size:
        raise InspectionError(
            f"mask {path} is {mask.shape[1]}x{mask.shape[0]}, the images are {size[0]}x{size[1]}"
        )
    return (mask[:, :, 0] > 0.5).astype(np.uint8)
