"""Hand-made multi-scale texture features for the feature-statistics model (``gmm``).

Pretrained backbones cannot be downloaded on the line PCs, so the features are a fixed
filter bank (no training, nothing to download): for every image channel, at two scales,
the local mean and contrast, the energy of Gabor filters at four orientations and of a
Laplacian of Gaussian (spots, holes); then the same maps averaged over a wider window,
so that every pixel also sees its neighbourhood's statistics (a large stain changes
those while each of its pixels looks plausible). Colour pictures get the bank on their
grey level plus the local mean of each colour channel at both scales (a stain may change
the hue and not the brightness). A Gabor bank is the textbook texture
descriptor; OpenCV builds the kernels (``cv2.getGaborKernel``) and runs the filters.
"""

from __future__ import annotations

import cv2
import numpy as np

ORIENTATIONS = 4
SCALES = (1.0, 2.0, 4.0)  # Gaussian sigma of each scale, in working-grid pixels
CONTEXT_SIGMA = 6.0
PER_SCALE = 3 + ORIENTATIONS  # mean, contrast, LoG energy, Gabor energies
GREY_FEATURES = 2 * PER_SCALE * len(SCALES)


def feature_count(channels: int) -> int:
    """How many maps :func:`filter_bank` makes of a picture with *channels* channels."""
    return GREY_FEATURES + (2 * len(SCALES) * channels if channels > 1 else 0)


def _gabor_kernels(sigma: float) -> list[np.ndarray]:
    size = int(6 * sigma) | 1
    wavelength = 2.5 * sigma
    kernels = []
    for i in range(ORIENTATIONS):
        theta = np.pi * i / ORIENTATIONS
        kernel = cv2.getGaborKernel(
            (size, size), sigma, theta, wavelength, 0.6, 0, ktype=cv2.CV_32F
        )
        kernels.append(kernel - kernel.mean())
    return kernels


_KERNELS = {sigma: _gabor_kernels(sigma) for sigma in SCALES}


def _scale_maps(plane: np.ndarray, sigma: float) -> list[np.ndarray]:
    def smooth(a: np.ndarray, s: float = sigma) -> np.ndarray:
        return cv2.GaussianBlur(a, (0, 0), s)

    mean = smooth(plane)
    contrast = np.sqrt(np.maximum(smooth((plane - mean) ** 2), 0.0))
    log = cv2.Laplacian(cv2.GaussianBlur(plane, (0, 0), sigma / 2), cv2.CV_32F, ksize=3)
    energies = [
        smooth(np.abs(cv2.filter2D(plane, cv2.CV_32F, k)), sigma / 2) for k in _KERNELS[sigma]
    ]
    return [mean, contrast, smooth(np.abs(log), sigma / 2), *energies]


def _with_context(maps: list[np.ndarray]) -> list[np.ndarray]:
    return maps + [cv2.GaussianBlur(m, (0, 0), CONTEXT_SIGMA) for m in maps]


def filter_bank(batch: np.ndarray) -> np.ndarray:
    """``N x C x S x S`` pixels in [0, 1] -> ``N x feature_count(C) x S x S`` (float32)."""
    n, c, h, w = batch.shape
    out = np.empty((n, feature_count(c), h, w), np.float32)
    for i, image in enumerate(batch.astype(np.float32)):
        grey = image.mean(axis=0)
        maps = _with_context([m for sigma in SCALES for m in _scale_maps(grey, sigma)])
        if c > 1:
            maps += _with_context(
                [cv2.GaussianBlur(plane, (0, 0), sigma) for plane in image for sigma in SCALES]
            )
        out[i] = np.stack(maps)
    return out
