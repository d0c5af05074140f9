"""Connected regions of a thresholded anomaly map, as scored boxes.

Two ways, chosen by the model file:

* :func:`find_boxes` (models saved before the smoothed score): regions above the
  threshold, scored by their peak;
* :func:`find_peak_boxes`: regions above a *lower* level, each split into the parts near
  its own peaks and scored on the map smoothed at the defect scale (the same map as the
  image score), so that a weak true defect and a good picture's texture are ranked by
  evidence over an area rather than by one pixel. A part is cut at half its height
  above the map's floor on normal pictures (the half-maximum width), which draws a small
  hole's box round the hole rather than round every patch that sees it.
"""

from __future__ import annotations

from collections.abc import Iterator

import cv2
import numpy as np

from robotest.inspection.verdict import Box


def find_boxes(
    anomaly: np.ndarray,
    *,
    min_area: float,
    scale: tuple[float, float] = (1.0, 1.0),
    offset: tuple[int, int] = (0, 0),
    box_level: float = 0.4,
    merge: int = 13,
) -> list[Box]:
    """Boxes round the regions of *anomaly* (threshold units) above 1.0.

    Pieces of one defect closer than *merge* pixels (a morphological closing) count as
    one region; regions with fewer than *min_area* pixels above the threshold are
    dropped. A smoothed map spreads a defect beyond its edge, so each box is drawn
    round the region's pixels above ``box_level x peak`` (0.4: the edge of a blurred
    defect, measured on the benchmark). Boxes are scaled by *scale* ``(sx, sy)`` and
    shifted by *offset* into image pixels; the score is the region's peak, the area its
    pixel count above the threshold in image pixels. Highest score first.
    """
    boxes: list[Box] = []
    for origin, window, inside in _regions_above(anomaly, 1.0, merge):
        area = int(inside.sum())
        if area < min_area or area == 0:
            continue
        peak = float(window[inside].max())
        core = inside & (window >= box_level * peak)
        boxes.append(_box(core, origin, peak, area, scale, offset))
    return sorted(boxes, key=lambda b: -b.score)


def find_peak_boxes(
    anomaly: np.ndarray,
    smoothed: np.ndarray,
    *,
    min_area: float,
    low: float,
    box_level: float,
    merge: int,
    scale: tuple[float, float] = (1.0, 1.0),
    offset: tuple[int, int] = (0, 0),
    floor: float = 0.0,
    strong_level: float | None = None,
) -> list[Box]:
    """Candidate boxes: regions of *anomaly* above *low* (threshold units), split.

    A region is grown down to *low* (below the threshold, so a faint defect is still
    boxed and ranked); inside it, the pixels at ``floor + box_level x (peak - floor)`` or
    more form its cores (pieces closer than *merge* pixels joined), one box each, so two
    defects or a defect and a textured patch that the low level joins stay apart and a
    small hole is not boxed with the halo the blur puts round it. A core with fewer
    than *min_area* pixels is dropped. *floor* is where the map lies on normal surface
    (the median of the held-back normal maps): measured from 0, a cut at 60 % of a weak
    peak is barely above the surface's own level and the box takes in the whole halo
    the patches spread round a small defect (measured on the real-surfaces tuning
    classes: box AP@0.3 0.679 -> 0.784 with the half maximum above the floor).
    *strong_level* (None: *box_level* throughout) is the level for a strong peak, at
    :data:`STRONG_PEAK` times the threshold or more (linearly between): the map is not a
    linear blur of the defect, every patch that sees a strong defect even in part is far
    from the normal ones, so its halo stands higher (on the synthetic benchmark's knots
    and holes, peaks of 4-9, a half-maximum box is too large).
    The score is the highest value of *smoothed*
    (image-score units: 1.0 = the highest held-back normal picture) over the core.
    Highest score first.
    """
    boxes: list[Box] = []
    for (x, y), window, inside in _regions_above(anomaly, low, merge):
        h, w = window.shape
        if inside.sum() < min_area:
            continue
        peak = float(window[inside].max())
        cut = floor + _level(peak, box_level, strong_level) * (peak - floor)
        parts, part_labels, part_stats = _regions(inside & (window >= cut), merge)
        for part in range(1, parts):
            core = part_labels == part
            area = int(part_stats[part, cv2.CC_STAT_AREA])
            if area < min_area:
                continue
            score = float(smoothed[y : y + h, x : x + w][core].max())
            boxes.append(_box(core, (x, y), score, area, scale, offset))
    return sorted(boxes, key=lambda b: -b.score)


STRONG_PEAK = (3.0, 5.0)
"""Peaks (threshold units) from which the cut level rises towards ``strong_level``, and
at which it reaches it; chosen on the real-surfaces tuning classes and the synthetic
benchmark (docs/benchmarks/real-surfaces.md). From 3, not 2: a real surface's defects
peak at 1-7 (median 2.3 on brick, 4.0 on bark), the synthetic set's knots and holes at
5-14, and a cut raised from 2 boxed only the cores of the real ones (bark's box AP@0.5
0.158 with the cut rising from 2 to 4, 0.399 from 3 to 5, with ``FINE_GRID_BOXES``)."""


def _level(peak: float, weak: float, strong: float | None) -> float:
    """The cut level for a region of this *peak*: *weak* up to ``STRONG_PEAK[0]``,
    *strong* from ``STRONG_PEAK[1]``, linear between."""
    if strong is None:
        return weak
    start, end = STRONG_PEAK
    return weak + (strong - weak) * float(np.clip((peak - start) / (end - start), 0.0, 1.0))


def _regions_above(
    anomaly: np.ndarray, level: float, merge: int
) -> Iterator[tuple[tuple[int, int], np.ndarray, np.ndarray]]:
    """Each region of *anomaly* above *level* (pieces closer than *merge* joined): the
    top-left of its bounding box, *anomaly* inside that box, and the mask of the
    region's own pixels above *level* in it."""
    above = anomaly > level
    count, labels, stats = _regions(above, merge)
    for label in range(1, count):
        x, y, w, h = (int(v) for v in stats[label, :4])
        inside = (labels[y : y + h, x : x + w] == label) & above[y : y + h, x : x + w]
        yield (x, y), anomaly[y : y + h, x : x + w], inside


def _regions(mask: np.ndarray, merge: int) -> tuple[int, np.ndarray, np.ndarray]:
    """Connected regions of *mask* after a closing by a *merge*-pixel disc."""
    pixels = mask.astype(np.uint8)
    if merge > 1:
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (merge, merge))
        pixels = np.asarray(cv2.morphologyEx(pixels, cv2.MORPH_CLOSE, kernel), np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(pixels, connectivity=8)
    return int(count), labels, stats


def _box(
    core: np.ndarray,
    origin: tuple[int, int],
    score: float,
    area: int,
    scale: tuple[float, float],
    offset: tuple[int, int],
) -> Box:
    """The box round *core* (a window's mask whose top-left is *origin*) in image pixels."""
    ys, xs = np.nonzero(core)
    x0, y0 = origin[0] + int(xs.min()), origin[1] + int(ys.min())
    x1, y1 = origin[0] + int(xs.max()) + 1, origin[1] + int(ys.max()) + 1
    sx, sy = scale
    return Box(
        x=offset[0] + int(round(x0 * sx)),
        y=offset[1] + int(round(y0 * sy)),
        w=max(1, int(round((x1 - x0) * sx))),
        h=max(1, int(round((y1 - y0) * sy))),
        score=score,
        area=int(round(area * sx * sy)),
    )
