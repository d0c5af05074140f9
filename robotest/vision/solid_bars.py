"""Bars taken for ink: a highlighted row or a title bar whose own colour is its text's
background, decided bar by bar.

The background of :mod:`.backgrounds` is the flat area the text sits on. A bar exactly
one character cell high (a ``dialog`` or ``whiptail`` menu's highlighted item, a button,
a setup page's selected row) has none: its letters leave it a pixel or two above and
below and between them, which no flat area of a letter's size fits in. Its pixels then
took the colour of the panel around it, along the row, and the whole bar came out as
one block of ink with its text lost inside (a dialog menu's highlighted items read
59% CER on framebuffers, 89% through a camera, on the real-programs corpus).

Text is never a solid block: letters cover about half their box at most, a bar taken
for ink with its letters most of it. So wherever the ink found against the first
background holds a piece about one line high, at least 1.5 text heights wide, solid,
and holding pixels of another colour than its rim (the letters), that piece is a bar
of the other polarity: inside it the background is the bar's own colour (the most
common colour of its rim), and the text is what differs from that. Along the bar's
edge (the page's upscaling blends the bar into the panel around it) a pixel is ink only
where it differs from the bar, the panel and any blend of the two.

Framebuffers only (see :func:`.backgrounds.ink_contrast`): through a camera, blurred
small text is as solid, and camera values and title bars read worse with it.
"""

from __future__ import annotations

import cv2
import numpy as np

_SOLID = 0.55
"""Share of its box a piece of ink covers to be a bar taken for ink (letters, even a
bold bitmap font's, cover about half of theirs at most)."""
_WIDE = 1.5
"""Text heights: a piece of a bar is at least this wide (one bold letter upscaled, a
console's ``w``, is as solid, but a text height wide at most) ..."""
_LETTERS = 0.1
"""... and this share of it is letters, of another colour than its rim (a heavy
stroke, or a shadow, is all of one colour)."""
_LOW, _HIGH = 0.8, 2.6
"""Text heights: a bar is at least about a line and at most a line with margins high (a
big heading's heavy stroke is solid too, but its letter is taller)."""
_ROW_SHARE = 0.3
"""A row (column) of a bar's box belongs to the bar where this share of it is the bar's
colour; the rest of the box is letters of the lines above and below touching it."""
_EDGE = 2
"""Pixels around a bar where upscaling blends it with the panel."""
_QUANT = 32
"""Grey levels per bin when taking the most common colour of a bar."""
_MIN_LEVEL = 12
"""Grey levels: a smaller split of ink from background is none (see ocr_engine)."""


def bars_as_background(image: np.ndarray, contrast: np.ndarray, glyph_height: float) -> None:
    """Set *contrast* (uint8, from :func:`.backgrounds.ink_contrast` of *image*) inside
    every solid bar to the difference from the bar's own colour (in place)."""
    level, ink = cv2.threshold(contrast, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    if level < _MIN_LEVEL:  # a two-level image: Otsu splits it at 0
        _, ink = cv2.threshold(contrast, int(contrast.max()) // 2, 255, cv2.THRESH_BINARY)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    heights = stats[:, cv2.CC_STAT_HEIGHT]
    barlike = (heights >= _LOW * glyph_height) & (heights <= _HIGH * glyph_height)
    barlike &= stats[:, cv2.CC_STAT_WIDTH] >= _WIDE * glyph_height
    barlike[0] = False  # label 0: the background
    step = max(_MIN_LEVEL, int(level))
    for label in np.flatnonzero(barlike):
        x, y, w, h = (int(v) for v in stats[label, :4])
        own = labels[y : y + h, x : x + w] == label
        if np.count_nonzero(own) < _SOLID * own.size:
            continue  # letters cover about half their box at most
        pixels = image[y : y + h, x : x + w]
        colour = _dominant(pixels[own & _rim(own.shape)])
        if np.mean(_difference(pixels, colour)[own] >= step) < _LETTERS:
            continue  # all of one colour: a heavy stroke, a shadow, no bar with text on it
        _bar(image, contrast, colour, (x, y, w, h), step)


def _bar(
    image: np.ndarray,
    contrast: np.ndarray,
    colour: np.ndarray,
    box: tuple[int, int, int, int],
    level: int,
) -> None:
    """Recompute *contrast* in the part of *box* (x, y, w, h) that is a bar of *colour*."""
    x, y, w, h = box
    pixels = image[y : y + h, x : x + w]
    own = _difference(pixels, colour)
    near = own < level
    rows = np.flatnonzero(near.mean(axis=1) >= _ROW_SHARE)
    if rows.size == 0:
        return
    top, bottom = int(rows[0]), int(rows[-1]) + 1
    columns = np.flatnonzero(near[top:bottom].mean(axis=0) >= _ROW_SHARE)
    if columns.size == 0:
        return
    left, right = int(columns[0]), int(columns[-1]) + 1
    # along the edge: ink only where a pixel differs from the panel, the bar and any
    # blend of the two (an upscaled bar's end column, read as ``'`` or ``!``)
    y0, y1 = max(0, y + top - _EDGE), min(image.shape[0], y + bottom + _EDGE)
    x0, x1 = max(0, x + left - _EDGE), min(image.shape[1], x + right + _EDGE)
    band = image[y0:y1, x0:x1]
    outside = np.ones(band.shape[:2], bool)
    outside[y + top - y0 : y + bottom - y0, x + left - x0 : x + right - x0] = False
    panel = band[outside & (contrast[y0:y1, x0:x1] < level)]
    around = _difference(band, colour) if panel.size == 0 else _off(band, colour, _dominant(panel))
    contrast[y0:y1, x0:x1] = cv2.min(contrast[y0:y1, x0:x1], around)
    contrast[y + top : y + bottom, x + left : x + right] = own[top:bottom, left:right]


def _off(pixels: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """How far each pixel's colour is from any blend of *start* and *end* (uint8)."""
    values = pixels.reshape(pixels.shape[0], pixels.shape[1], -1).astype(np.float32)
    a, b = start.astype(np.float32).ravel(), end.astype(np.float32).ravel()
    span = b - a
    along = np.clip(((values - a) * span).sum(axis=2) / max(float(span @ span), 1.0), 0.0, 1.0)
    nearest = a + along[..., None] * span
    return np.abs(values - nearest).max(axis=2).clip(0, 255).astype(np.uint8)


def _rim(shape: tuple[int, ...]) -> np.ndarray:
    """True on the rim of a box of *shape*: a bar's margin around its letters, where
    the letters themselves seldom reach."""
    rim = np.zeros(shape[:2], bool)
    rim[[0, -1], :] = True
    rim[:, [0, -1]] = True
    return rim


def _dominant(colours: np.ndarray) -> np.ndarray:
    """The most common colour of *colours* (N grey levels or N x 3 BGR): the median of
    those in the fullest bin of a coarse histogram (the bar, not its letters)."""
    values = colours.reshape(len(colours), -1).astype(np.int32)
    bins = values // _QUANT
    keys = np.zeros(len(values), np.int32)
    for channel in range(values.shape[1]):
        keys = keys * (256 // _QUANT) + bins[:, channel]
    fullest = np.bincount(keys).argmax()
    return np.median(values[keys == fullest], axis=0).astype(np.uint8)


def _difference(pixels: np.ndarray, colour: np.ndarray) -> np.ndarray:
    """The largest channel difference of each pixel from *colour* (uint8)."""
    if pixels.ndim == 2:
        return cv2.absdiff(pixels, np.full_like(pixels, int(colour[0])))
    flat = np.broadcast_to(colour.reshape(1, 1, -1), pixels.shape)
    difference = cv2.absdiff(pixels, np.ascontiguousarray(flat))
    return np.asarray(difference.max(axis=2))
