"""The region of interest: the part of the picture that is the product, not the conveyor.

Either a fixed box ``(x, y, w, h)`` or found automatically, as rule-based stations do:
Otsu threshold, morphological closing and opening, the largest blob's bounding box.
The automatic box is found once on the training images and then stays fixed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from robotest.inspection.errors import InspectionError


@dataclass(frozen=True)
class Roi:
    """A box ``(x, y, w, h)`` in image pixels."""

    x: int
    y: int
    w: int
    h: int

    @classmethod
    def full(cls, width: int, height: int) -> Roi:
        return cls(0, 0, width, height)

    @classmethod
    def parse(cls, text: str) -> Roi:
        """``"x,y,w,h"`` as given on the command line."""
        try:
            x, y, w, h = (int(v) for v in text.split(","))
        except ValueError:
            raise InspectionError(
                f"ROI must be x,y,w,h in pixels or 'auto', got {text!r}"
            ) from None
        return cls.checked((x, y, w, h))

    @classmethod
    def checked(cls, values: Sequence[int]) -> Roi:
        x, y, w, h = (int(v) for v in values)
        if w <= 0 or h <= 0 or x < 0 or y < 0:
            raise InspectionError(f"ROI {x},{y},{w},{h} needs x, y >= 0 and a positive size")
        return cls(x, y, w, h)

    def fits(self, width: int, height: int) -> None:
        """Raise if the box does not lie inside a ``width x height`` image."""
        if self.x + self.w > width or self.y + self.h > height:
            raise InspectionError(f"ROI {self.as_list()} does not fit in a {width}x{height} image")

    def crop(self, image: np.ndarray) -> np.ndarray:
        return image[self.y : self.y + self.h, self.x : self.x + self.w]

    def as_list(self) -> list[int]:
        return [self.x, self.y, self.w, self.h]


def find_roi(images: Sequence[np.ndarray], *, margin: int = 4) -> Roi:
    """The product's box on *images* (float H x W x C): Otsu + morphology, largest blob.

    The union of the boxes found on each image, widened by *margin* pixels, so that a
    product that moves a little on the conveyor stays inside.
    """
    if not images:
        raise InspectionError("no images to find the region of interest on")
    height, width = images[0].shape[:2]
    boxes = [_product_box(image) for image in images]
    x0 = max(0, min(b[0] for b in boxes) - margin)
    y0 = max(0, min(b[1] for b in boxes) - margin)
    x1 = min(width, max(b[0] + b[2] for b in boxes) + margin)
    y1 = min(height, max(b[1] + b[3] for b in boxes) + margin)
    return Roi(x0, y0, x1 - x0, y1 - y0)


def _product_box(image: np.ndarray) -> tuple[int, int, int, int]:
    grey = image.mean(axis=2) if image.ndim == 3 else image
    grey8 = np.clip(grey * 255, 0, 255).astype(np.uint8)
    _, mask = cv2.threshold(grey8, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    if mask.mean() > 127:  # the product is the minority: dark product on a bright belt
        mask = 255 - mask
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (9, 9))
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel)
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel)
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask)
    if count < 2:
        return (0, 0, grey.shape[1], grey.shape[0])
    largest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    x, y, w, h = (int(v) for v in stats[largest, :4])
    return (x, y, w, h)
