"""Loading images and regions with clear errors, and the grey conversion every routine shares."""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path

import cv2
import numpy as np

from robotest.boxes import iou as iou  # shared with inspection
from robotest.image_decoding import ImageFileError, ImageTooLarge, read_image_file
from robotest.vision.errors import VisionInputError

Region = tuple[int, int, int, int]
"""``(x, y, w, h)`` in screen pixels."""


def load_image(path: str | Path, *, keep_alpha: bool = False) -> np.ndarray:
    """Read a PNG/JPEG/BMP file as BGR (or BGRA with *keep_alpha*), or raise VisionInputError."""
    file = Path(path)
    if not file.is_file():
        raise VisionInputError(f"{file}: no such image file")
    flags = cv2.IMREAD_UNCHANGED if keep_alpha else cv2.IMREAD_COLOR
    try:  # the declared size is checked before anything is decoded
        image = read_image_file(file, flags)
    except ImageTooLarge as exc:
        raise VisionInputError(str(exc)) from None
    except ImageFileError:
        raise VisionInputError(
            f"{file}: not a readable image (PNG, JPEG or BMP expected)"
        ) from None
    if image.dtype != np.uint8:
        top = (
            float(image.max()) if image.dtype.kind == "f" else float(2 ** (8 * image.itemsize) - 1)
        )
        image = cv2.convertScaleAbs(image, alpha=255.0 / max(top, 1e-9))
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGRA if keep_alpha else cv2.COLOR_GRAY2BGR)
    elif keep_alpha and image.shape[2] == 3:
        image = cv2.cvtColor(image, cv2.COLOR_BGR2BGRA)
    return image


def check_image(image: object, what: str = "image") -> np.ndarray:
    """*image* as a uint8 array of shape (H, W) or (H, W, 3|4), or VisionInputError."""
    if not isinstance(image, np.ndarray):
        raise VisionInputError(f"{what} must be a NumPy image array, got {type(image).__name__}")
    if image.dtype != np.uint8:
        raise VisionInputError(f"{what} must be 8-bit (uint8), got {image.dtype}")
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] not in (1, 3, 4)):
        raise VisionInputError(f"{what} has shape {image.shape}; expected HxW, HxWx3 or HxWx4")
    if image.shape[0] < 2 or image.shape[1] < 2:
        raise VisionInputError(f"{what} is empty ({image.shape[1]}x{image.shape[0]} pixels)")
    return image


def to_grey(image: np.ndarray) -> np.ndarray:
    """Grey levels (uint8) of a BGR, BGRA or grey image."""
    image = check_image(image)
    if image.ndim == 2:
        return image
    if image.shape[2] == 1:
        return image[:, :, 0]
    code = cv2.COLOR_BGRA2GRAY if image.shape[2] == 4 else cv2.COLOR_BGR2GRAY
    return cv2.cvtColor(image, code)


def channel_max(image: np.ndarray) -> np.ndarray:
    """The largest of the channels of each pixel of *image* (uint8; itself when grey)."""
    if image.ndim == 2 or image.shape[2] == 1:
        return image.reshape(image.shape[:2])
    height, width, channels = image.shape
    if channels != 3 or not image.flags.c_contiguous:
        return np.asarray(np.max(image, axis=2))
    # the channels side by side along a row: a dilation along it gives each pixel's
    # largest at its middle channel (twice as fast as splitting them; NumPy's is 10x)
    row = cv2.dilate(image.reshape(height, width * 3), np.ones((1, 3), np.uint8))
    return np.asarray(cv2.extractChannel(row.reshape(height, width, 3), 1))


def components(mask: np.ndarray, connectivity: int = 8) -> tuple[int, np.ndarray, np.ndarray]:
    """``cv2.connectedComponentsWithStats(mask, connectivity=...)``'s count, labels and
    statistics, the same to the last label.

    8-connected, Grana's block-based algorithm labels (BBDT): the same labels as
    OpenCV's default (Bolelli's Spaghetti, the same 2x2 blocks in the same order), and
    its statistics gathered three times as fast on a page's sparse ink (15 -> 5 ms at
    1920x1080). 4-connected, OpenCV's default labels (no block-based algorithm), and
    a big mask's statistics from the labels' runs along the rows (:func:`_run_stats`): OpenCV's
    own took two thirds of the time on a page's flat areas (20 -> 9 ms a page mask)."""
    if connectivity == 8 or mask.size < _RUNS_FROM:
        algorithm = cv2.CCL_BBDT if connectivity == 8 else cv2.CCL_DEFAULT
        count, labels, stats, _ = cv2.connectedComponentsWithStatsWithAlgorithm(
            mask, connectivity, cv2.CV_32S, algorithm
        )
        return count, labels, stats
    count, labels = cv2.connectedComponentsWithAlgorithm(
        mask, connectivity, cv2.CV_32S, cv2.CCL_DEFAULT
    )
    return count, labels, _run_stats(labels, count)


_RUNS_FROM = 250_000
"""Pixels: 4-connected statistics of a mask this big are taken from its runs (a smaller
one's, a bar's box, cost more in NumPy's calls than OpenCV's pass over its pixels)."""
_NO_PIXELS = (-1, 2**31 - 1, 0, 0, 0)
"""OpenCV's statistics of a label with no pixels (label 0 of a mask set everywhere)."""


def _run_stats(labels: np.ndarray, count: int) -> np.ndarray:
    """OpenCV's statistics (left, top, width, height, area; int32) of each of *count*
    labels, from the runs of one label along the rows: a page's regions are a few runs a
    row, where OpenCV visits every pixel."""
    height, width = labels.shape
    change = np.empty((height, width), bool)
    change[:, 0] = True
    np.not_equal(labels[:, 1:], labels[:, :-1], out=change[:, 1:])
    starts = np.flatnonzero(change)
    lengths = np.diff(starts, append=labels.size)
    label = labels.ravel()[starts]
    row, column = np.divmod(starts, width)
    left, top = np.full(count, width, np.int64), np.full(count, height, np.int64)
    right, bottom = np.full(count, -1, np.int64), np.full(count, -1, np.int64)
    np.minimum.at(left, label, column)
    np.maximum.at(right, label, column + lengths - 1)
    np.minimum.at(top, label, row)
    np.maximum.at(bottom, label, row)
    area = np.bincount(label, weights=lengths, minlength=count)
    stats = np.stack([left, top, right - left + 1, bottom - top + 1, area], axis=1)
    stats = stats.astype(np.int32)
    stats[area == 0] = _NO_PIXELS
    return stats


def union(boxes: Iterable[Region]) -> Region:
    """The smallest region holding every one of *boxes* (at least one)."""
    x0, y0, x1, y1 = math.inf, math.inf, -math.inf, -math.inf
    for x, y, w, h in boxes:
        x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x + w), max(y1, y + h)
    return (int(x0), int(y0), int(x1 - x0), int(y1 - y0))


def parse_region(text: str) -> Region:
    """``"x,y,w,h"`` as a region, or VisionInputError naming the problem."""
    parts = [p.strip() for p in text.split(",")]
    try:
        values = [int(p) for p in parts]
    except ValueError:
        raise VisionInputError(f"bad region {text!r}: expected x,y,w,h integers") from None
    if len(values) != 4:
        raise VisionInputError(f"bad region {text!r}: expected 4 numbers x,y,w,h")
    x, y, w, h = values
    return (x, y, w, h)


def clip_region(region: Region | None, shape: tuple[int, ...]) -> Region:
    """*region* checked against an image of *shape* (None: the whole image)."""
    height, width = shape[:2]
    if region is None:
        return (0, 0, width, height)
    x, y, w, h = (int(v) for v in region)
    if w <= 0 or h <= 0:
        raise VisionInputError(f"bad region {x},{y},{w},{h}: width and height must be positive")
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(width, x + w), min(height, y + h)
    if x1 - x0 < 1 or y1 - y0 < 1:
        raise VisionInputError(f"bad region {x},{y},{w},{h}: outside the {width}x{height} image")
    return (x0, y0, x1 - x0, y1 - y0)


def crop(image: np.ndarray, region: Region) -> np.ndarray:
    """The pixels of *region* (a view, not a copy)."""
    x, y, w, h = region
    return image[y : y + h, x : x + w]


def parse_size(text: str) -> tuple[int, int]:
    """``"1920x1080"`` as ``(1920, 1080)``, or VisionInputError."""
    try:
        w_text, h_text = text.lower().split("x")
        size = (int(w_text), int(h_text))
    except ValueError:
        raise VisionInputError(
            f"bad screen size {text!r}: expected WIDTHxHEIGHT, e.g. 1920x1080"
        ) from None
    if size[0] < 16 or size[1] < 16:
        raise VisionInputError(f"bad screen size {text!r}: too small")
    return size
