"""Cheap denoising of camera frames of a static screen, before matching and OCR.

Sensor noise is independent from frame to frame while the screen is not, so averaging
a few frames is the most effective remedy (noise falls as 1/sqrt(n)). For a single frame
a small bilateral filter helps; a 3x3 median does not: the camera's blur already
smooths the noise and the median eats the thin strokes of small text. These defaults
come from the benchmark (docs/benchmarks.md, "Vision"), which measures each option.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import cv2
import numpy as np

from robotest.vision.errors import VisionInputError
from robotest.vision.images import check_image

Filter = Literal["auto", "none", "median", "bilateral"]


def average_frames(frames: Sequence[np.ndarray]) -> np.ndarray:
    """Pixel-wise mean of frames of the same static scene (uint8)."""
    if not frames:
        raise VisionInputError("no frames to average")
    first = check_image(frames[0], "frame")
    total = np.zeros(first.shape, np.float32)
    for frame in frames:
        frame = check_image(frame, "frame")
        if frame.shape != first.shape:
            raise VisionInputError(f"frames differ in size: {frame.shape} vs {first.shape}")
        total += frame
    return np.clip(total / len(frames) + 0.5, 0, 255).astype(np.uint8)


def denoise(frames: np.ndarray | Sequence[np.ndarray], filter: Filter = "auto") -> np.ndarray:
    """Average the frames (one frame is fine), then optionally a small edge-keeping filter.

    ``"auto"`` is what measured best: a bilateral filter for one frame, the plain
    average for several.
    """
    many = not isinstance(frames, np.ndarray) and len(frames) > 1
    image = average_frames([frames] if isinstance(frames, np.ndarray) else list(frames))
    if filter == "auto":
        filter = "none" if many else "bilateral"
    if filter == "median":
        return cv2.medianBlur(image, 3)
    if filter == "bilateral":
        return cv2.bilateralFilter(image, 5, 25, 3)
    if filter == "none":
        return image
    raise VisionInputError(f"bad filter {filter!r}: expected auto, none, median or bilateral")
