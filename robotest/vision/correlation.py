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


def transform(
    pixels: np.ndarray, shape: tuple[int, int], complex_output: bool = False
) -> np.ndarray:
    """The discrete Fourier transform (packed, real; or with *complex_output* the whole
    complex one) of *pixels* padded with 0 to *shape*."""
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
    flags = cv2.DFT_COMPLEX_OUTPUT if complex_output else 0
    result: np.ndarray = cv2.dft(padded, flags=flags, nonzeroRows=rows)
    return result


def kept_transform(
    kept: dict[tuple[str, int, int], np.ndarray],
    name: str,
    pixels: np.ndarray,
    shape: tuple[int, int],
) -> np.ndarray:
    """The transform of a template's *pixels* at *shape*, made once and kept in *kept*
    (the whole complex one for a *name* ending in ``complex``: :func:`correlate_pair`)."""
    key = (name, *shape)
    if key not in kept:
        kept[key] = transform(pixels, shape, complex_output=name.endswith("complex"))
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


BLOCK = 256
"""Side of the blocks a large image is correlated in (:func:`block_transforms`)."""

BLOCK_KERNEL = 28
"""The largest kernel side the blocks serve: each block's first ``BLOCK - BLOCK_KERNEL +
1`` rows and columns of placements are those its kernel lies fully inside."""

BLOCK_STEP = BLOCK - BLOCK_KERNEL + 1
"""Rows and columns of placements each block gives (blocks overlap by the rest)."""


def block_transforms(pixels: np.ndarray) -> list[list[np.ndarray]]:
    """The transforms of *pixels* cut in overlapping ``BLOCK`` x ``BLOCK`` blocks, one
    every ``BLOCK_STEP`` pixels (rows of blocks; padded with 0 past the image).

    A kernel of up to ``BLOCK_KERNEL`` pixels is correlated with each block at the
    block's size (:func:`correlate_blocks`): its own transform is then a small one
    instead of one of the whole image's size, and the image's are made once and shared.
    """
    rows, cols = pixels.shape[:2]
    flags = cv2.DFT_COMPLEX_OUTPUT if pixels.ndim == 3 else 0
    across = -(-rows // BLOCK_STEP), -(-cols // BLOCK_STEP)
    padded = cv2.copyMakeBorder(
        pixels if pixels.ndim == 3 else pixels.astype(np.float32, copy=False),
        0,
        across[0] * BLOCK_STEP + BLOCK - BLOCK_STEP - rows,
        0,
        across[1] * BLOCK_STEP + BLOCK - BLOCK_STEP - cols,
        cv2.BORDER_CONSTANT,
        value=0,
    )
    return [
        [
            cv2.dft(np.ascontiguousarray(padded[y : y + BLOCK, x : x + BLOCK]), flags=flags)
            for x in range(0, across[1] * BLOCK_STEP, BLOCK_STEP)
        ]
        for y in range(0, across[0] * BLOCK_STEP, BLOCK_STEP)
    ]


def correlate_blocks(
    blocks: list[list[np.ndarray]], kernel: np.ndarray, placements: tuple[int, int]
) -> np.ndarray:
    """Correlation of an image with a kernel of up to ``BLOCK_KERNEL`` pixels a side, from
    the image's :func:`block_transforms` and the kernel's transform at ``BLOCK`` x
    ``BLOCK``: the first *placements* (rows, columns), as :func:`correlate` gives them
    (for a :func:`pair_pixels` image, with the kernel's whole complex transform, as
    :func:`correlate_pair` gives them)."""
    step = BLOCK_STEP
    paired = blocks[0][0].ndim == 3
    shape = (len(blocks) * step, len(blocks[0]) * step)
    out = np.empty((*shape, 2) if paired else shape, np.float32)
    flags = cv2.DFT_INVERSE | cv2.DFT_SCALE | (0 if paired else cv2.DFT_REAL_OUTPUT)
    for i, row in enumerate(blocks):
        for j, block in enumerate(row):
            part = cv2.dft(cv2.mulSpectrums(block, kernel, 0, conjB=True), flags=flags)
            out[i * step : (i + 1) * step, j * step : (j + 1) * step] = part[:step, :step]
    return out[: placements[0], : placements[1]]


PAIR_GAIN = 256.0
"""What the plain image is multiplied by in :func:`pair_transform` (a power of two: exact),
so that it weighs about as much as its square in their shared transform's rounding."""


def pair_pixels(pixels: np.ndarray) -> np.ndarray:
    """An image and its square as one complex image (``PAIR_GAIN`` x image + i x square,
    two float32 channels): correlated with a real kernel in one complex transform, it
    gives both correlations (:func:`pair_of`)."""
    image = pixels.astype(np.float32, copy=False)
    paired: np.ndarray = cv2.merge([image * np.float32(PAIR_GAIN), image * image])
    return paired


def correlate_pair(
    spectrum: np.ndarray, kernel: np.ndarray, placements: tuple[int, int]
) -> np.ndarray:
    """:func:`correlate` of a :func:`pair_pixels` image (its complex transform) with a
    real kernel's whole complex transform: both correlations, as two channels."""
    product = cv2.mulSpectrums(spectrum, kernel, 0, conjB=True)
    full: np.ndarray = cv2.dft(product, flags=cv2.DFT_INVERSE | cv2.DFT_SCALE)
    return full[: placements[0], : placements[1]]


def pair_of(correlated: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The image's and its square's correlations (float32) from a paired correlation."""
    plain, squared = cv2.split(correlated)
    return plain * np.float32(1 / PAIR_GAIN), squared


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
