"""Correlation maths of the icon search: Fourier-transform correlation and window spreads.

Normalised correlation (``TM_CCOEFF_NORMED``) of many templates against one screen is
computed from the screen's transform, made once and shared, times each template's; the
denominators come from running sums of each window (``window_spread``). On the full
screen, small templates are correlated in overlapping blocks (``block_transforms``), and
the sums under a mask come from the image paired with its square in one complex
transform (``pair_pixels``). A test keeps
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
    try:
        return kept[key]
    except KeyError:  # not made yet, or let go (:mod:`.kept_transforms`)
        made = kept[key] = transform(pixels, shape, complex_output=name.endswith("complex"))
        return made


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
        pixels.astype(np.float32, copy=False),
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
    ``BLOCK``: the first *placements* (rows, columns), as :func:`correlate` gives them."""
    return _in_blocks(blocks, kernel, placements, paired=False)[0]


def correlate_pair_blocks(
    blocks: list[list[np.ndarray]], kernel: np.ndarray, placements: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`correlate_pair` from the :func:`block_transforms` of a :func:`pair_pixels`
    image and the kernel's whole complex transform at ``BLOCK`` x ``BLOCK``."""
    plain, squared = _in_blocks(blocks, kernel, placements, paired=True)
    return plain, squared


def _in_blocks(
    blocks: list[list[np.ndarray]], kernel: np.ndarray, placements: tuple[int, int], paired: bool
) -> list[np.ndarray]:
    """The correlation's planes (one; two for a paired image), block by block."""
    step = BLOCK_STEP
    shape = (len(blocks) * step, len(blocks[0]) * step)
    planes = [np.empty(shape, np.float32) for _ in range(2 if paired else 1)]
    flags = cv2.DFT_INVERSE | cv2.DFT_SCALE | (0 if paired else cv2.DFT_REAL_OUTPUT)
    for i, row in enumerate(blocks):
        for j, block in enumerate(row):
            part = cv2.dft(cv2.mulSpectrums(block, kernel, 0, conjB=True), flags=flags)
            parts = cv2.split(part) if paired else (part,)
            for plane, piece in zip(planes, parts, strict=True):
                plane[i * step : (i + 1) * step, j * step : (j + 1) * step] = piece[:step, :step]
    return [plane[: placements[0], : placements[1]] for plane in planes]


PAIR_GAIN = 256.0
"""What the plain image is multiplied by in :func:`pair_pixels` (a power of two: exact),
so that it weighs about as much as its square in their shared transform's rounding; its
correlation comes out multiplied by it (``window_spread``'s *gain*)."""


def pair_pixels(pixels: np.ndarray) -> np.ndarray:
    """An image and its square as one complex image (``PAIR_GAIN`` x image + i x square,
    two float32 channels): correlated with a real kernel in one complex transform, it
    gives both correlations (:func:`correlate_pair`), which took two real ones."""
    image = pixels.astype(np.float32, copy=False)
    paired: np.ndarray = cv2.merge([image * np.float32(PAIR_GAIN), image * image])
    return paired


def correlate_pair(
    spectrum: np.ndarray, kernel: np.ndarray, placements: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`correlate` of a :func:`pair_pixels` image (its whole complex transform)
    with a real kernel (its whole complex transform): the image's correlation times
    ``PAIR_GAIN`` and its square's (float32)."""
    product = cv2.mulSpectrums(spectrum, kernel, 0, conjB=True)
    full = cv2.dft(product, flags=cv2.DFT_INVERSE | cv2.DFT_SCALE)
    plain, squared = (p[: placements[0], : placements[1]] for p in cv2.split(full))
    return plain, squared


def window_spread(
    sums: np.ndarray, squares: np.ndarray, count: float, gain: float = 1.0
) -> np.ndarray:
    """sqrt(sum of squared deviations from the mean) of windows of *count* pixels.

    *sums* may come multiplied by *gain* (:func:`correlate_pair`).
    From each window's sum and sum of squares; floored at one grey level per pixel:
    flatter windows cannot hold an icon, and their spread is mostly rounding.
    """
    if sums.dtype == np.float32 and squares.dtype == np.float32:
        # OpenCV's element-wise calls: the same float32 maths in one pass each, and
        # without numpy's temporaries (2.3x faster on a full screen's map)
        spread: np.ndarray = cv2.multiply(sums, sums, scale=1.0 / (count * gain * gain))
        cv2.subtract(squares, spread, dst=spread)
        cv2.max(spread, count, dst=spread)
        return cv2.sqrt(spread, dst=spread)
    variance = np.maximum(squares - sums * sums / (count * gain * gain), count)
    result: np.ndarray = np.sqrt(variance).astype(np.float32, copy=False)
    return result
