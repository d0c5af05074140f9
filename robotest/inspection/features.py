"""Per-image features of an anomaly map that acceptance criteria are made of.

Number of regions, largest and total region area (fractions of the ROI), statistics of
the map (in threshold units), and the low-frequency DCT coefficients of the map, which
describe where and how spread out the error is.
"""

from __future__ import annotations

import cv2
import numpy as np

from robotest.inspection.verdict import Box

DCT_SIDE = 4
FEATURE_NAMES: tuple[str, ...] = (
    "regions",
    "largest_area",
    "total_area",
    "max",
    "mean",
    "std",
    "p99",
    *(f"dct_{i}_{j}" for i in range(DCT_SIDE) for j in range(DCT_SIDE)),
)


def image_features(anomaly: np.ndarray, boxes: list[Box], roi_area: int) -> np.ndarray:
    """The feature vector (see FEATURE_NAMES) of one map in threshold units."""
    areas = [box.area for box in boxes]
    small = cv2.resize(anomaly.astype(np.float32), (32, 32), interpolation=cv2.INTER_AREA)
    dct = cv2.dct(small)[:DCT_SIDE, :DCT_SIDE] / 32.0
    stats = [
        float(len(boxes)),
        max(areas, default=0) / roi_area,
        sum(areas) / roi_area,
        float(anomaly.max()),
        float(anomaly.mean()),
        float(anomaly.std()),
        float(np.percentile(anomaly, 99)),
    ]
    return np.concatenate([np.asarray(stats, np.float64), dct.ravel().astype(np.float64)])
