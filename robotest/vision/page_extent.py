"""Where a screen has anything to read: the box around its text, less the empty margins.

A text console or a terminal fills only part of the screen (90 columns of an 8-pixel
font are 720 of 1920 pixels); the rest is one flat colour on a framebuffer, or noise
and vignetting on a camera frame. Tesseract's time and the background estimate's grow
with the pixels, so a whole-screen read reads only the box holding detail, which lets
it afford to upscale small text (see ``ocr_engine.ocr``).
"""

from __future__ import annotations

import cv2
import numpy as np

from robotest.vision.images import Region

_MARGIN = 8
"""Pixels of the empty margin kept around the content (Tesseract needs some)."""
_MIN_DETAIL = 20
"""Grey levels of detail (light smoothing less heavy smoothing) that are content on a
camera frame; the same level as ``ocr_engine.is_blank``'s."""
_MIN_DETAIL_PIXELS = 3
"""A row or column of a camera frame holds content where this many of its pixels do
(single pixels of sensor noise do not)."""


def content_box(image: np.ndarray, area: Region, noiseless: bool) -> Region:
    """*area* of *image* less the rows and columns on its edges that hold nothing, a
    few pixels of margin kept; the whole *area* where nothing is found (a blank screen).

    On a *noiseless* image (a framebuffer) nothing is the commonest colour of the
    area's border, exactly; on a camera frame it is what shows no detail."""
    x, y, w, h = area
    part = image[y : y + h, x : x + w]
    if part.size == 0:
        return area
    if noiseless:
        differs = part != margin_colour(part)
        if differs.ndim == 3:
            differs = differs.any(axis=2)
        rows, columns = differs.any(axis=1), differs.any(axis=0)
    else:
        detail = _detail(part)
        rows = np.count_nonzero(detail, axis=1) >= _MIN_DETAIL_PIXELS
        columns = np.count_nonzero(detail, axis=0) >= _MIN_DETAIL_PIXELS
    return _trimmed(area, np.flatnonzero(rows), np.flatnonzero(columns))


def _trimmed(area: Region, rows: np.ndarray, columns: np.ndarray) -> Region:
    x, y, w, h = area
    if rows.size == 0 or columns.size == 0:
        return area
    top, bottom = max(0, int(rows[0]) - _MARGIN), min(h, int(rows[-1]) + 1 + _MARGIN)
    left, right = max(0, int(columns[0]) - _MARGIN), min(w, int(columns[-1]) + 1 + _MARGIN)
    return (x + left, y + top, right - left, bottom - top)


def _detail(image: np.ndarray) -> np.ndarray:
    """Where *image* (grey or BGR) changes faster than vignetting or glare do."""
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    smooth = cv2.GaussianBlur(grey, (0, 0), 0.7)
    slow = cv2.GaussianBlur(grey, (0, 0), 6.0)
    return cv2.absdiff(smooth, slow) >= _MIN_DETAIL


def margin_colour(image: np.ndarray) -> np.ndarray:
    """The commonest colour (or grey level) of the pixels on *image*'s four edges."""
    edges = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])
    colours, counts = np.unique(edges.reshape(len(edges), -1), axis=0, return_counts=True)
    return colours[int(np.argmax(counts))].reshape(image.shape[2:])
