"""Texture features: what the autoencoder reconstructs instead of raw pixels.

Pixels of a texture are noise at the scale of one pixel; what is normal about them
is their local statistics. For every image channel this gives four maps at the working
size: local mean, local contrast (standard deviation), and horizontal and vertical
edge energy, each over a Gaussian window of ``sigma`` pixels. A stain changes the
mean, a scratch or a hole the edge energy, a smudge the contrast. Standardised with
the training set's mean and standard deviation per map.
"""

from __future__ import annotations

import cv2
import numpy as np

FEATURES_PER_CHANNEL = 4


def texture_features(batch: np.ndarray, sigma: float = 1.5) -> np.ndarray:
    """``N x C x S x S`` pixels -> ``N x 4C x S x S`` local statistics (float32)."""
    out = np.empty(
        (batch.shape[0], batch.shape[1] * FEATURES_PER_CHANNEL, *batch.shape[2:]), np.float32
    )
    for n, image in enumerate(batch):
        for c, plane in enumerate(image):
            out[n, c * FEATURES_PER_CHANNEL : (c + 1) * FEATURES_PER_CHANNEL] = _planes(
                plane, sigma
            )
    return out


def _planes(x: np.ndarray, sigma: float) -> np.ndarray:
    def smooth(a: np.ndarray) -> np.ndarray:
        return cv2.GaussianBlur(a, (0, 0), sigma)

    mean = smooth(x)
    contrast = np.sqrt(np.maximum(smooth((x - mean) ** 2), 0.0))
    gx = smooth(np.abs(cv2.Sobel(x, cv2.CV_32F, 1, 0, ksize=3)))
    gy = smooth(np.abs(cv2.Sobel(x, cv2.CV_32F, 0, 1, ksize=3)))
    return np.stack([mean, contrast, gx, gy])
