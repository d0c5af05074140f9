"""Error maps: how far a reconstruction is from the image, pixel by pixel.

``squared``: ``(x - x̂)²`` averaged over channels; ``ssim``: ``1 - SSIM`` with a
Gaussian window (sensitive to changed structure and contrast, not only brightness).
Both are smoothed with a Gaussian so that one noisy pixel is not a defect.
"""

from __future__ import annotations

from typing import Literal

import cv2
import numpy as np

ErrorKind = Literal["squared", "ssim", "residual"]
ERROR_KINDS: tuple[str, ...] = ("squared", "ssim", "residual")


def error_map(image: np.ndarray, reconstruction: np.ndarray, kind: str, blur: float) -> np.ndarray:
    """Error of one ``C x H x W`` image against its reconstruction, as ``H x W`` float32."""
    if kind == "residual":
        diff = np.stack([cv2.GaussianBlur(d, (0, 0), blur) for d in image - reconstruction])
        return (diff**2).mean(axis=0).astype(np.float32)
    if kind == "squared":
        err = ((image - reconstruction) ** 2).mean(axis=0)
    elif kind == "ssim":
        err = np.mean(
            [1.0 - ssim_map(a, b) for a, b in zip(image, reconstruction, strict=True)], axis=0
        )
    else:
        raise ValueError(f"unknown error kind {kind!r}, known: {', '.join(ERROR_KINDS)}")
    err = err.astype(np.float32)
    return cv2.GaussianBlur(err, (0, 0), blur) if blur > 0 else err


def ssim_map(a: np.ndarray, b: np.ndarray, sigma: float = 1.5) -> np.ndarray:
    """Local structural similarity of two ``H x W`` images in [0, 1]."""
    c1, c2 = 0.01**2, 0.03**2

    def smooth(x: np.ndarray) -> np.ndarray:
        return cv2.GaussianBlur(x, (0, 0), sigma)

    mu_a, mu_b = smooth(a), smooth(b)
    var_a = smooth(a * a) - mu_a**2
    var_b = smooth(b * b) - mu_b**2
    cov = smooth(a * b) - mu_a * mu_b
    num = (2 * mu_a * mu_b + c1) * (2 * cov + c2)
    den = (mu_a**2 + mu_b**2 + c1) * (var_a + var_b + c2)
    return (num / den).astype(np.float32)
