"""Correlation maths of the icon search: Fourier-transform correlation and window spreads.

Normalised correlation (``TM_CCOEFF_NORMED``) of many templates against one screen is
computed from the screen's transform, made once and shared, times each template's; the
denominators come from running sums of each window (``window_spread``). A test keeps
``cv2.matchTemplate`` as the reference these must agree with
(``tests/vision/test_locate_speed.py``).
"""

from __future__ import annotations

import cv2
import numpy as np


def transform(pixels: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """The discrete Fourier transform (packed, real) of *pixels* padded with 0 to *shape*."""
    rows, cols = pixels.shape[:2]
    padded = cv2.copyMakeBorder(
        pixels.astype(np.float32, copy=False),
        0,
        shape[0] - rows,
        0,
        shape[1] - cols,
        cv2.BORDER_CONSTANT,
        value=0,
    )
    result: np.ndarray = cv2.dft(padded, nonzeroRows=rows)
    return result


def kept_transform(
    kept: dict[tuple[str, int, int], np.ndarray],
    name: str,
    pixels: np.ndarray,
    shape: tuple[int, int],
) -> np.ndarray:
    """The transform of a template's *pixels* at *shape*, made once and kept in *kept*."""
    key = (name, *shape)
    if key not in kept:
        kept[key] = transform(pixels, shape)
    return kept[key]


def correlate(spectrum: np.ndarray, kernel: np.ndarray, placements: tuple[int, int]) -> np.ndarray:
    """Correlation of an image with a kernel, from their transforms (same size).

    Only the first *placements* (rows, columns): those where the kernel lies fully
    inside the image, which the transforms' wrapping around does not reach.
    """
    product = cv2.mulSpectrums(spectrum, kernel, 0, conjB=True)
    flags = cv2.DFT_INVERSE | cv2.DFT_REAL_OUTPUT | cv2.DFT_SCALE
    full: np.ndarray = cv2.dft(product, flags=flags)
    return full[: placements[0], : placements[1]]


def window_spread(sums: np.ndarray, squares: np.ndarray, count: float) -> np.ndarray:
    """sqrt(sum of squared deviations from the mean) of windows of *count* pixels.

    From each window's sum and sum of squares; floored at one grey level per pixel:
    flatter windows cannot hold an icon, and their spread is mostly rounding.
    """
    if sums.dtype == np.float32 and squares.dtype == np.float32:
        # OpenCV's element-wise calls: the same float32 maths in one pass each, and
        # without numpy's temporaries (2.3x faster on a full screen's map)
        spread: np.ndarray = cv2.multiply(sums, sums, scale=1.0 / count)
        cv2.subtract(squares, spread, dst=spread)
        cv2.max(spread, count, dst=spread)
        return cv2.sqrt(spread, dst=spread)
    variance = np.maximum(squares - sums * sums / count, count)
    result: np.ndarray = np.sqrt(variance).astype(np.float32, copy=False)
    return result
