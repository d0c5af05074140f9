"""Connected regions of a thresholded anomaly map, as scored boxes."""

from __future__ import annotations

import cv2
import numpy as np

from robotest.inspection.verdict import Box


def find_boxes(anomaly: np.ndarray, *, min_area: float, scale: tuple[float, float] = (1.0, 1.0),
               offset: tuple[int, int] = (0, 0), box_level: float = 0.4,
               merge: int = 13) -> list[Box]:
    """Boxes round the regions of *anomaly* (threshold units) above 1.0.

    Pieces of one defect closer than *merge* pixels (a morphological closing) count as
    one region; regions with fewer than *min_area* pixels above the threshold are
    dropped. A smoothed map spreads a defect beyond its edge, so each box is drawn
    round the region's pixels above ``box_level x peak`` (0.4: the edge of a blurred
    defect, measured on the benchmark). Boxes are scaled by *scale* ``(sx, sy)`` and
    shifted by *offset* into image pixels; the score is the region's peak, the area its
    pixel count above the threshold in image pixels. Highest score first.
    """
    above = anomaly > 1.0
    mask = above.astype(np.uint8)
    if merge > 1:
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (merge, merge))
        mask = np.asarray(cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel), np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    sx, sy = scale
    boxes: list[Box] = []
    for label in range(1, count):
        x, y, w, h = (int(v) for v in stats[label, :4])
        window = anomaly[y:y + h, x:x + w]
        inside = (labels[y:y + h, x:x + w] == label) & above[y:y + h, x:x + w]
        area = int(inside.sum())
        if area < min_area or area == 0:
            continue
        peak = float(window[inside].max())
        core = inside & (window >= box_level * peak)
        ys, xs = np.nonzero(core)
        x0, y0 = x + int(xs.min()), y + int(ys.min())
        x1, y1 = x + int(xs.max()) + 1, y + int(ys.max()) + 1
        boxes.append(Box(
            x=offset[0] + int(round(x0 * sx)), y=offset[1] + int(round(y0 * sy)),
            w=max(1, int(round((x1 - x0) * sx))), h=max(1, int(round((y1 - y0) * sy))),
            score=peak, area=int(round(area * sx * sy))))
    return sorted(boxes, key=lambda b: -b.score)

