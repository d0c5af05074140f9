"""Reading text with Tesseract (LSTM engine through pytesseract), after preparing the image.

Tesseract reads best dark text on a white background with characters 20-30 pixels tall.
Screens show small text, sometimes light on dark. :func:`prepare` therefore upscales
small text, turns the image grey and subtracts the local background (which makes dark-
on-light and light-on-dark text alike: dark on white); a binarised copy
(:func:`ink_mask`) tells where text is. The page segmentation mode follows the region:
one line (PSM 7), a block (PSM 6), or a sparse whole screen (PSM 11).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np

from robotest.vision.images import Region, check_image, clip_region, crop, to_grey
from robotest.vision.tesseract import read_words

Layout = Literal["auto", "line", "block", "sparse"]
_PSM = {"line": 7, "block": 6, "sparse": 11}
_TARGET_HEIGHT = 26.0
"""Height (pixels) text in a region is scaled to before Tesseract reads it."""
_TARGET_HEIGHT_PAGE = 12.0
"""On a whole screen only tiny text is upscaled: Tesseract's time grows with the pixels."""
_MAX_UPSCALE = 4.0
_BORDER = 10
"""White pixels around the prepared image: Tesseract misses ink that touches the edge."""
_MIN_INK_CONTRAST = 20  # grey levels of detail; below it a region is blank (is_blank)


@dataclass(frozen=True)
class Word:
    """One word read: its text, box in screen pixels and Tesseract's confidence (0..1)."""

    text: str
    box: Region
    conf: float

    def to_dict(self) -> dict[str, object]:
        return {"text": self.text, "box": list(self.box), "conf": round(self.conf, 3)}


@dataclass(frozen=True)
class OcrResult:
    """Text of a region, line by line, with every word's box and confidence."""

    text: str
    words: tuple[Word, ...]
    lines: tuple[tuple[Word, ...], ...]

    def to_dict(self) -> dict[str, object]:
        """The JSON contract of ``rtest vision ocr``."""
        return {"text": self.text, "words": [w.to_dict() for w in self.words]}


@dataclass(frozen=True)
class Prepared:
    """An image ready for Tesseract and how it maps back to the screen."""

    image: np.ndarray
    scale: float
    text_height: float


def text_height(grey: np.ndarray) -> float:
    """Typical height of the characters in *grey* (median of glyph-sized blobs), in pixels."""
    _, binary = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    ink = binary == 0 if (binary > 0).mean() > 0.5 else binary > 0
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    widths = stats[1:, cv2.CC_STAT_WIDTH]
    plausible = (heights >= 4) & (heights <= max(6, 0.9 * grey.shape[0])) & (widths <= 3 * heights)
    if count <= 1 or not plausible.any():
        return 16.0
    return float(np.percentile(heights[plausible], 75))


def prepare(
    grey: np.ndarray, target_height: float = _TARGET_HEIGHT, background_span: float = 2.5
) -> Prepared:
    """Upscaled, background-flattened image with dark text on white, for Tesseract.

    The text is not binarised here: Tesseract's LSTM reads grey levels, and on camera
    images the binarised input misread 3 times more characters (benchmark: 13.3% vs 4.6%
    CER). Binarisation (:func:`ink_mask`) is used to find where the text is.
    """
    height = text_height(grey)
    scale = float(np.clip(target_height / height, 1.0, _MAX_UPSCALE))
    image = grey
    if scale > 1.05:
        image = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    else:
        scale = 1.0
    background = _background(image, height * scale, background_span)
    difference = cv2.absdiff(image, background).astype(np.float32)
    top = max(24.0, float(np.percentile(difference, 99.5)))
    normalised = 255 - np.clip(difference * (255.0 / top), 0, 255).astype(np.uint8)
    return Prepared(
        image=cv2.copyMakeBorder(
            normalised, _BORDER, _BORDER, _BORDER, _BORDER, cv2.BORDER_CONSTANT, value=255
        ),
        scale=scale,
        text_height=height,
    )


def ink_mask(grey: np.ndarray, glyph_height: float) -> np.ndarray:
    """255 where a pixel differs from its local background (text of either polarity)."""
    difference = cv2.absdiff(grey, _background(grey, glyph_height))
    level, ink = cv2.threshold(difference, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    if level < 12:  # no contrast at all: a blank region stays blank
        ink[:] = 0
    return ink


def _background(image: np.ndarray, glyph_height: float, span: float = 2.5) -> np.ndarray:
    """The local background grey level: a median over *span* character heights."""
    shrink = max(1, int(glyph_height // 6))
    small = (
        image
        if shrink == 1
        else cv2.resize(image, None, fx=1 / shrink, fy=1 / shrink, interpolation=cv2.INTER_AREA)
    )
    size = int(glyph_height * span / shrink) | 1
    size = max(3, min(size, 255 if small.dtype == np.uint8 else 5))
    blurred = cv2.medianBlur(small, size)
    if shrink == 1:
        return blurred
    return cv2.resize(blurred, (image.shape[1], image.shape[0]), interpolation=cv2.INTER_LINEAR)


def ocr(screen: np.ndarray, region: Region | None = None, layout: Layout = "auto") -> OcrResult:
    """Read the text of *screen* (or of *region* of it)."""
    grey_full = to_grey(check_image(screen, "screen"))
    area = clip_region(region, grey_full.shape)
    grey = crop(grey_full, area)
    if is_blank(grey):
        return OcrResult(text="", words=(), lines=())
    whole = area[2] * area[3] >= 0.25 * grey_full.size
    # a whole screen mixes text sizes (a bigger title in a bar): a wider background window
    # keeps the biggest text from being taken for background
    prepared = prepare(grey, _TARGET_HEIGHT_PAGE, background_span=6.0) if whole else prepare(grey)
    if layout == "auto":
        layout = _pick_layout(grey.shape[0], prepared.text_height, whole)
    words = _tesseract_words(prepared, _PSM[layout], area)
    lines = group_lines(words)
    text = "\n".join(" ".join(w.text for w in line) for line in lines)
    return OcrResult(text=text, words=tuple(w for line in lines for w in line), lines=lines)


def is_blank(grey: np.ndarray) -> bool:
    """Whether *grey* holds no ink at all: a dark or empty screen, only sensor noise.

    Tesseract reads sensor noise as words once the background is normalised, so a
    region with no stroke standing out from its surroundings is not given to it. The
    detail left after a light smoothing (which quiets noise) less a heavy one (which
    keeps only slow changes: vignetting, a glare spot on a dark screen) is compared
    with ``_MIN_INK_CONTRAST``.
    """
    small = (
        grey
        if grey.shape[0] < 400
        else cv2.resize(grey, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    )
    smooth = cv2.GaussianBlur(small, (0, 0), 0.7).astype(np.int16)
    slow = cv2.GaussianBlur(small, (0, 0), 6.0).astype(np.int16)
    return int(np.abs(smooth - slow).max()) < _MIN_INK_CONTRAST


def _pick_layout(height: int, glyph_height: float, whole: bool) -> Layout:
    if height <= 2.2 * glyph_height:
        return "line"
    return "sparse" if whole else "block"


def _tesseract_words(prepared: Prepared, psm: int, area: Region) -> list[Word]:
    """Words Tesseract reads on the prepared image, boxes mapped back to screen pixels."""
    words = []
    s = prepared.scale
    for raw in read_words(prepared.image, psm):
        x = (raw.left - _BORDER) / s + area[0]
        y = (raw.top - _BORDER) / s + area[1]
        box = (round(x), round(y), max(1, round(raw.width / s)), max(1, round(raw.height / s)))
        words.append(Word(text=raw.text, box=box, conf=raw.conf / 100.0))
    return words


def group_lines(words: list[Word]) -> tuple[tuple[Word, ...], ...]:
    """Words grouped into lines (vertical overlap), top to bottom, each left to right."""
    lines: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.box[1] + w.box[3] / 2, w.box[0])):
        centre = word.box[1] + word.box[3] / 2
        for line in lines:
            top = min(w.box[1] for w in line)
            bottom = max(w.box[1] + w.box[3] for w in line)
            if top <= centre <= bottom:
                line.append(word)
                break
        else:
            lines.append([word])
    ordered = [tuple(sorted(line, key=lambda w: w.box[0])) for line in lines]
    ordered.sort(key=lambda line: min(w.box[1] for w in line))
    return tuple(ordered)
