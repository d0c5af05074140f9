"""A small drawing surface for the laptop's screens: Pillow text and shapes, BGR out.

Screens draw in RGB colours with :class:`Painter`; :meth:`Painter.to_bgr` hands the
finished 1920x1080 image to the camera model as an OpenCV BGR array.
"""

from __future__ import annotations

import functools

import cv2
import numpy as np
from PIL import Image, ImageDraw

from robotest.sim.fonts import font

RGB = tuple[int, int, int]
Box = tuple[int, int, int, int]

SCREEN_W, SCREEN_H = 1920, 1080


class Painter:
    """Draw text and boxes on one screen image (coordinates in screen pixels)."""

    def __init__(self, background: RGB = (0, 0, 0)) -> None:
        self.image = Image.new("RGB", (SCREEN_W, SCREEN_H), background)
        self.draw = ImageDraw.Draw(self.image)

    def text(
        self,
        xy: tuple[float, float],
        text: str,
        size: int = 24,
        color: RGB = (255, 255, 255),
        face: str = "sans",
        anchor: str = "la",
    ) -> None:
        """Draw *text*; *anchor* is Pillow's ("la" left/ascender, "mm" middle, "lm"...).

        Glyph masks are cached per (text, face, size, anchor): screens redraw the same
        labels over and over, and rasterising them is most of a render's cost.
        """
        mask, (dx, dy) = _text_mask(text, face, size, anchor)
        if mask is not None:
            self.image.paste(color, (round(xy[0]) + dx, round(xy[1]) + dy), mask)

    def text_width(self, text: str, size: int = 24, face: str = "sans") -> int:
        return int(self.draw.textlength(text, font=font(face, size)))

    def rect(
        self, box: Box, fill: RGB | None = None, outline: RGB | None = None, width: int = 1
    ) -> None:
        self.draw.rectangle(box, fill=fill, outline=outline, width=width)

    def rounded(
        self,
        box: Box,
        radius: int,
        fill: RGB | None = None,
        outline: RGB | None = None,
        width: int = 1,
    ) -> None:
        self.draw.rounded_rectangle(box, radius, fill=fill, outline=outline, width=width)

    def ellipse(
        self, box: Box, fill: RGB | None = None, outline: RGB | None = None, width: int = 1
    ) -> None:
        self.draw.ellipse(box, fill=fill, outline=outline, width=width)

    def vertical_gradient(self, box: Box, top: RGB, bottom: RGB) -> None:
        """Fill *box* with a top-to-bottom colour gradient."""
        self.image.paste(_gradient(box[2] - box[0], box[3] - box[1], top, bottom), box[:2])

    def paste(self, picture: Image.Image, xy: tuple[int, int]) -> None:
        self.image.paste(picture, xy)

    def to_bgr(self) -> np.ndarray:
        """The image as a contiguous uint8 BGR array (1080x1920x3)."""
        return cv2.cvtColor(np.asarray(self.image), cv2.COLOR_RGB2BGR)


@functools.lru_cache(maxsize=4096)
def _text_mask(
    text: str, face: str, size: int, anchor: str
) -> tuple[Image.Image | None, tuple[int, int]]:
    """The anti-aliased coverage mask of *text* and its offset from the anchor point."""
    typeface = font(face, size)
    left, top, right, bottom = typeface.getbbox(text, anchor=anchor)
    if right <= left or bottom <= top:
        return None, (0, 0)
    mask = Image.new("L", (int(right - left), int(bottom - top)), 0)
    ImageDraw.Draw(mask).text((-left, -top), text, fill=255, font=typeface, anchor=anchor)
    return mask, (int(left), int(top))


@functools.lru_cache(maxsize=16)
def _gradient(width: int, height: int, top: RGB, bottom: RGB) -> Image.Image:
    ramp = np.linspace(0.0, 1.0, max(1, height))[:, None]
    colours = (np.array(top) * (1 - ramp) + np.array(bottom) * ramp).astype(np.uint8)
    strip = np.repeat(colours[:, None, :], width, axis=1)
    return Image.fromarray(strip, "RGB")
