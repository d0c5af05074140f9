"""Training augmentation (perspective, colour, noise, flips), switchable per product.

Orientation can matter (a logo upside down is a defect), so flips are off by default;
every transform can be switched off in the product's ``inspection.toml``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

import cv2
import numpy as np

from robotest.inspection.errors import InspectionError


@dataclass(frozen=True)
class Augmentation:
    """Which random transforms training applies to each normal image."""

    perspective: bool = True
    colour: bool = True
    noise: bool = True
    flip: bool = False

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, source: str = "settings") -> Augmentation:
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise InspectionError(
                f"{source}: unknown augmentation {sorted(unknown)}, known: {sorted(known)}"
            )
        return cls(**{k: bool(v) for k, v in data.items()})

    @classmethod
    def none(cls) -> Augmentation:
        return cls(False, False, False, False)

    def as_dict(self) -> dict[str, bool]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def apply(self, image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """One random variant of *image* (float H x W x C in [0, 1])."""
        out = image
        if self.perspective:
            out = _perspective(out, rng)
        if self.flip and rng.random() < 0.5:
            out = out[:, ::-1]
        if self.flip and rng.random() < 0.5:
            out = out[::-1, :]
        if self.colour:
            gain, offset = rng.uniform(0.9, 1.1), rng.uniform(-0.05, 0.05)
            out = out * gain + offset
        if self.noise:
            out = out + rng.normal(0, 0.01, out.shape).astype(np.float32)
        return np.ascontiguousarray(np.clip(out, 0, 1), dtype=np.float32)


def _perspective(image: np.ndarray, rng: np.random.Generator, jitter: float = 0.03) -> np.ndarray:
    h, w = image.shape[:2]
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    dst = src + rng.uniform(-jitter, jitter, (4, 2)).astype(np.float32) * np.array(
        [w, h], np.float32
    )
    matrix = cv2.getPerspectiveTransform(src, dst)
    warped = cv2.warpPerspective(image, matrix, (w, h), borderMode=cv2.BORDER_REFLECT)
    return warped.reshape(image.shape)
