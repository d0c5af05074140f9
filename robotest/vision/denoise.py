"""Cheap denoising of camera frames of a static screen, before matching and OCR.

Sensor noise is independent from frame to frame while the screen is not, so averaging
a few frames is the most effective remedy (noise falls as 1/sqrt(n)); a 3x3 median then
removes what is left without smearing text edges the way a Gaussian blur does. The
benchmark (docs/benchmarks.md, "Vision") measures each option.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import cv2
import numpy as np

from robotest.vision.errors import VisionInputError
from robotest.vision.images import check_image

Filter = Literal["none", "median", "bilateral"]


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


def denoise(frames: np.ndarray | Sequence[np.ndarray], filter: Filter = "median") -> np.ndarray:
    """Average the frames (one frame is fine), then apply a small edge-keeping filter."""
    image = average_frames([frames] if isinstance(frames, np.ndarray) else list(frames))
    if filter == "median":
        return cv2.medianBlur(image, 3)
    if filter == "bilateral":
        return cv2.bilateralFilter(image, 5, 25, 3)
    if filter == "none":
        return image
    raise VisionInputError(f"bad filter {filter!r}: expected none, median or bilateral")
