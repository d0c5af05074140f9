"""Evaluation metrics: image AUROC, pixel AUROC, box AP at IoU 0.5, F1 of verdicts."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from robotest.boxes import iou
from robotest.inspection.verdict import Box

BoxXYWH = tuple[int, int, int, int]


def auroc(
    labels: Sequence[bool] | np.ndarray, scores: Sequence[float] | np.ndarray
) -> float | None:
    """Area under the ROC curve; None when only one class is present."""
    from sklearn.metrics import roc_auc_score

    y = np.asarray(labels, bool)
    if y.all() or not y.any():
        return None
    return float(roc_auc_score(y, np.asarray(scores, np.float64)))


def mask_boxes(mask: np.ndarray) -> list[BoxXYWH]:
    """Ground-truth boxes: the connected regions of a defect mask."""
    count, _, stats, _ = cv2.connectedComponentsWithStats((mask > 0).astype(np.uint8))
    return [tuple(int(v) for v in stats[i, :4]) for i in range(1, count)]  # type: ignore[misc]


DEFECT_GAP = 9
"""Mask pieces closer than this (pixels, a square dilation) are one drawn defect in
:func:`defect_boxes`: the real-surfaces generator draws one defect a picture, and a crack
or scratch drawn with a break of 1-4 pixels is 2-4 connected pieces (measured on the
real-surfaces tuning classes: 25 defective pictures a class, 26-29 mask pieces, 25
defects once pieces within 9 px are joined; docs/benchmarks/real-surfaces.md)."""


def defect_boxes(mask: np.ndarray, gap: int = DEFECT_GAP) -> list[BoxXYWH]:
    """Ground-truth boxes, one a drawn defect: pieces of the mask less than *gap* pixels
    apart joined (a crack broken by a few pixels is one crack), each box drawn round the
    mask's own pixels of its group. ``gap`` 1 or less: :func:`mask_boxes`."""
    pieces = (mask > 0).astype(np.uint8)
    if gap <= 1:
        return mask_boxes(pieces)
    grown = cv2.dilate(pieces, np.ones((gap, gap), np.uint8))
    count, labels = cv2.connectedComponents(grown, connectivity=8)
    boxes: list[BoxXYWH] = []
    for label in range(1, count):
        ys, xs = np.nonzero((labels == label) & (pieces > 0))
        boxes.append((int(xs.min()), int(ys.min()), int(np.ptp(xs)) + 1, int(np.ptp(ys)) + 1))
    return boxes


def box_ap(
    predictions: Sequence[Sequence[Box]],
    truths: Sequence[Sequence[BoxXYWH]],
    iou_threshold: float = 0.5,
) -> float | None:
    """Average precision (all-point interpolation, as in VOC 2010+) over all images.

    A prediction is a true positive when it overlaps a not yet matched ground-truth box
    of its image with IoU >= *iou_threshold*, taking predictions by falling score.
    None when there is no ground-truth box at all.
    """
    total = sum(len(t) for t in truths)
    if total == 0:
        return None
    ranked = sorted(
        ((box.score, i, box) for i, boxes in enumerate(predictions) for box in boxes),
        key=lambda item: -item[0],
    )
    matched = [np.zeros(len(t), bool) for t in truths]
    hits = np.zeros(len(ranked))
    for rank, (_, i, box) in enumerate(ranked):
        overlaps = [iou((box.x, box.y, box.w, box.h), t) for t in truths[i]]
        best = int(np.argmax(overlaps)) if overlaps else -1
        if best >= 0 and overlaps[best] >= iou_threshold and not matched[i][best]:
            matched[i][best] = True
            hits[rank] = 1
    tp = np.cumsum(hits)
    recall = tp / total
    precision = tp / np.arange(1, len(ranked) + 1)
    recall = np.concatenate([[0.0], recall, [recall[-1] if len(recall) else 0.0]])
    precision = np.concatenate([[1.0], precision, [0.0]])
    for k in range(len(precision) - 2, -1, -1):
        precision[k] = max(precision[k], precision[k + 1])
    return float(np.sum((recall[1:] - recall[:-1]) * precision[1:]))


def f1(defective: Sequence[bool], failed: Sequence[bool]) -> float:
    """F1 of 'fail' verdicts against the defective images."""
    y, p = np.asarray(defective, bool), np.asarray(failed, bool)
    tp = int((y & p).sum())
    denominator = 2 * tp + int((~y & p).sum()) + int((y & ~p).sum())
    return 2 * tp / denominator if denominator else 1.0
