"""The height of the characters in an image region, in pixels: what a region or a page is
scaled by before Tesseract reads it (:func:`.ocr_engine.prepare`), and what tells a line
of text from a bar or a frame beside it (:mod:`.text_search`)."""

from __future__ import annotations

from typing import NamedTuple

import cv2
import numpy as np

from robotest.vision.images import components, to_grey

_GLYPH_TALLEST = 0.9
"""A blob taller than this share of the measured image is not a glyph (a bar, a frame)
where glyph-sized blobs are found too; where none are, blobs as tall as the image are
measured (a value's tight region through the camera: its blurred letters fill it)."""
_LOWEST_GLYPH = 4
"""Pixels: a blob lower than this is a speck, not a glyph."""
_SPECK_INK = 0.25
"""Share of a mask's ink (bars and frames aside) in blobs lower than a glyph above which
its split cut the letters apart (tune pages: at most 0.11 where the letters held, 0.32 where a
blurred console's were cut)."""
_FAINTER_SPLITS = (0.25, 0.5, 0.75)
"""How far toward the background's level the split is moved, in turn, where it cut the
letters apart."""


def text_height(grey: np.ndarray) -> float:
    """Typical height of the characters in *grey* (median of glyph-sized blobs), in pixels.

    A BGR image is measured on its most contrasted channel (coloured text on a bar of the
    same grey shows only in colour). Where the minority of pixels (Otsu's split) holds no
    glyph-sized blob, the majority's blobs are measured: light letters on a bar that the
    split put with the panel around it (a highlighted row beside a line of dark text)
    are holes in the bar, and the text was taken for 16 pixels high on a 9-pixel font,
    too small for the bar to be found as one (whiptail's ``32768 MB`` read ``S7/bs MB``).
    Where the split cut blurred letters into specks, they are measured whole at a split
    nearer the background too (:func:`_whole_letters`), and the taller measure is kept.
    """
    if grey.ndim == 3:
        grey = _most_contrasted(grey)
    level, binary = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    light = 2 * cv2.countNonZero(binary) <= binary.size
    ink = _Mask(binary if light else cv2.bitwise_not(binary))
    whole = _whole_letters(grey, ink, level, light)
    heights = [h for h in (_measured(ink), None if whole is None else _measured(whole)) if h]
    return max(heights, default=16.0)


class _Mask:
    """A mask (uint8, nonzero: ink) and the statistics of its blobs and of its holes'
    (8-connected, :func:`.images.components`), each taken once, when first asked for:
    a page's blobs were labelled twice (the specks test, then the height)."""

    def __init__(self, pixels: np.ndarray) -> None:
        self.pixels = pixels
        self._stats: dict[bool, np.ndarray] = {}

    def stats(self, holes: bool = False) -> np.ndarray:
        """``connectedComponentsWithStats``'s statistics of the mask's blobs (*holes*: of
        its inverse's)."""
        if holes not in self._stats:
            pixels = cv2.bitwise_not(self.pixels) if holes else self.pixels
            self._stats[holes] = components(pixels, 8)[2]
        return self._stats[holes]


def _measured(ink: _Mask) -> float | None:
    """The typical height of the glyph-sized blobs of *ink*, or of its holes where it
    has none; ``None`` where neither has any."""
    for tallest in (_GLYPH_TALLEST, 1.0):
        for holes in (False, True):
            heights = _glyph_heights(ink.stats(holes), ink.pixels.shape[0], tallest)
            if heights.size:
                return float(np.percentile(heights, 75))
    return None


def _whole_letters(grey: np.ndarray, ink: _Mask, level: float, light: bool) -> _Mask | None:
    """Where Otsu's split of *grey* at *level* cut the letters of its *ink* into specks,
    the ink of a split nearer the background at which they hold together (fewer specks,
    and more glyph-sized blobs than the pieces); ``None`` where the split cut nothing, or
    no split mends it. Where no glyph-sized blob is left whole inside the mask, no letter
    was cut: the split found a bar's blurred edge beside faint letters (a band under a
    camera's highlighted row), measured as before.

    Through the camera a thin font's strokes blur to half the contrast of a bar beside
    them, and a split that parts the bars from the panel cuts the letters into pieces: a
    dark console with a title bar and a highlighted row (Lat15 Fixed16) measured 5 pixels
    for 10, its page was upscaled twice too much and read five times slower. The split is
    moved toward the background's level a quarter of the way at a time (*light*: the ink
    is lighter than the background)."""
    specks, glyphs = _specks_and_glyphs(ink)
    pixels = ink.pixels
    if cv2.countNonZero(pixels) == pixels.size or not glyphs.blobs or not _cut(specks, glyphs):
        return None  # no letter cut: none whole inside, or few pieces
    background = float(np.median(grey[pixels == 0]))
    for share in _FAINTER_SPLITS:
        split = level + share * (background - level)
        fainter = _Mask(((grey > split) if light else (grey < split)).astype(np.uint8) * 255)
        fewer, more = _specks_and_glyphs(fainter)
        if not _cut(fewer, more):
            return fainter if more.blobs > glyphs.blobs else None
    return None


class _Blobs(NamedTuple):
    """How many blobs of a mask are of one kind, and their pixels."""

    blobs: int
    area: int


def _specks_and_glyphs(mask: _Mask) -> tuple[_Blobs, _Blobs]:
    """The blobs of *mask* that are specks lower than any glyph, and those of a glyph's
    size (:func:`_glyph_sized`); blobs cut by the top or bottom edge are neither (the
    letters of the lines above and below a band)."""
    stats = mask.stats()
    top, heights = stats[1:, cv2.CC_STAT_TOP], stats[1:, cv2.CC_STAT_HEIGHT]
    areas = stats[1:, cv2.CC_STAT_AREA]
    inside = (top > 0) & (top + heights < mask.pixels.shape[0])
    specks = inside & (heights < _LOWEST_GLYPH)
    glyphs = inside & _glyph_sized(stats[1:])
    return (
        _Blobs(int(specks.sum()), int(areas[specks].sum())),
        _Blobs(int(glyphs.sum()), int(areas[glyphs].sum())),
    )


def _cut(specks: _Blobs, glyphs: _Blobs) -> bool:
    """Whether more than :data:`_SPECK_INK` of the ink of the specks and glyphs
    (:func:`_specks_and_glyphs`) lies in the specks: the letters were cut apart."""
    return specks.area > _SPECK_INK * (specks.area + glyphs.area)


def _glyph_heights(stats: np.ndarray, rows: int, tallest: float = _GLYPH_TALLEST) -> np.ndarray:
    """Heights of the blobs a glyph's size, at most *tallest* times as high as the mask
    (*stats*: its blobs' statistics, :func:`.images.components`; *rows*: its height)."""
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    highest = max(6, tallest * rows)
    return heights[_glyph_sized(stats[1:]) & (heights <= highest)]


def _glyph_sized(stats: np.ndarray) -> np.ndarray:
    """Which blobs (rows of ``connectedComponentsWithStats``'s statistics) are a glyph's
    size: :data:`_LOWEST_GLYPH` pixels high or more, at most three times as wide as high
    (blurred letters merged into a word are wider)."""
    heights, widths = stats[:, cv2.CC_STAT_HEIGHT], stats[:, cv2.CC_STAT_WIDTH]
    return (heights >= _LOWEST_GLYPH) & (widths <= 3 * heights)


def _most_contrasted(image: np.ndarray) -> np.ndarray:
    """The grey levels, or the colour channel whose levels spread most where grey's do not."""
    grey = to_grey(image)
    channels = [grey, *cv2.split(image)[:3]]
    spreads = [float(c[::4, ::4].std()) for c in channels]
    return (
        np.ascontiguousarray(channels[int(np.argmax(spreads))])
        if max(spreads) > 2 * spreads[0]
        else grey
    )
