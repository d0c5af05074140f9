"""A place an icon search looks at (box, scale, version, scores), and what every stage
of the search measures of it: its best, its overlap, its size at a scale."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import cv2
import numpy as np

from robotest.vision.icons import IconVersion
from robotest.vision.images import iou
from robotest.vision.match_parameters import MatchParameters


@dataclass(frozen=True)
class Candidate:
    score: float
    x: int
    y: int
    w: int
    h: int
    scale: float
    version: IconVersion
    factor: float = 1
    """Screen pixels per step of the search that found it: how far off its place may be."""
    grey_score: float | None = None
    """The grey-level score when ``score`` is the colour one (None: not verified in colour)."""
    structure: float | None = None
    """Orientation similarity of its edges with the version's (None: not checked yet)."""


def lowest_scale(version: IconVersion, p: MatchParameters) -> float:
    """The smallest scale *version* is searched at: not under ``p.min_side`` pixels across.

    A version drawn smaller than ``min_side`` is still searched at its own size.
    """
    side = min(version.size)
    return min(1.0, p.min_side / side) * 0.999


def iou_matrix(candidates: list[Candidate]) -> np.ndarray:
    """Intersection over union of every pair of candidates' boxes."""
    boxes = np.array([(c.x, c.y, c.w, c.h) for c in candidates], np.float64).reshape(-1, 4)
    x0, y0 = boxes[:, 0], boxes[:, 1]
    x1, y1 = x0 + boxes[:, 2], y0 + boxes[:, 3]
    ix = np.clip(np.minimum(x1[:, None], x1) - np.maximum(x0[:, None], x0), 0, None)
    iy = np.clip(np.minimum(y1[:, None], y1) - np.maximum(y0[:, None], y0), 0, None)
    inter = ix * iy
    area = boxes[:, 2] * boxes[:, 3]
    union = area[:, None] + area - inter
    result: np.ndarray = np.where(union > 0, inter / np.maximum(union, 1e-9), 0.0)
    return result


def scaled_size(version: IconVersion, scale: float) -> tuple[int, int]:
    return (max(3, round(version.size[0] * scale)), max(3, round(version.size[1] * scale)))


def resampling_for(scale: float) -> int:
    return cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR


def best_candidate(candidates: Iterable[Candidate | None]) -> Candidate | None:
    """The candidate with the highest score (the first of equals), None if there is none."""
    best: Candidate | None = None
    for candidate in candidates:
        if candidate is not None and (best is None or candidate.score > best.score):
            best = candidate
    return best


def candidate_iou(a: Candidate, b: Candidate) -> float:
    return iou((a.x, a.y, a.w, a.h), (b.x, b.y, b.w, b.h))
