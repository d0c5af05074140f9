"""A thin line icon among look-alikes over texture: the true place must reach the fine search.

A theme's grey line icons differ from their siblings in a stroke or two, and on a
photograph the coarse (reduced) search scores siblings and texture as high as the icon:
the search must carry enough coarse places, at a coarse level where thin strokes still
show, for the true one to be refined.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from robotest.vision import Icon, locate
from robotest.vision.match_parameters import DEFAULT

from .conftest import paste


def _line_icon(seed: int, size: int = 48) -> np.ndarray:
    """A light page with thin dark strokes (BGRA), like a theme's grey line icons."""
    rng = np.random.default_rng(seed)
    image = np.zeros((size, size, 4), np.uint8)
    cv2.rectangle(image, (10, 6), (size - 11, size - 7), (225, 225, 225, 255), -1)
    for _ in range(6):
        p = rng.integers(4, size - 4, 4)
        cv2.line(image, (int(p[0]), int(p[1])), (int(p[2]), int(p[3])), (60, 60, 60, 255), 1)
    cv2.rectangle(image, (8, 8), (size - 9, size - 9), (60, 60, 60, 255), 1)
    return image


def _texture(seed: int, shape: tuple[int, int]) -> np.ndarray:
    """Smooth grey noise: a stand-in for a photograph's texture."""
    noise = np.random.default_rng(seed).normal(128, 60, shape).astype(np.float32)
    smooth = cv2.normalize(cv2.GaussianBlur(noise, (0, 0), 2.0), None, 40, 230, cv2.NORM_MINMAX)
    return cv2.cvtColor(smooth.astype(np.uint8), cv2.COLOR_GRAY2BGR)


@pytest.mark.parametrize("seed", [1, 2, 8])
def test_line_icon_found_among_seven_look_alikes(seed: int) -> None:
    screen = _texture(seed, (480, 900))
    icon = _line_icon(seed)
    for i in range(7):  # siblings: the same icon with one more stroke
        sibling = icon.copy()
        p = np.random.default_rng(100 + i).integers(12, 36, 4)
        cv2.line(sibling, (int(p[0]), int(p[1])), (int(p[2]), int(p[3])), (60, 60, 60, 255), 2)
        paste(screen, sibling, 40 + 120 * i, 40 + 200 * (i % 2), scale=1.25)
    truth = paste(screen, icon, 400, 330, scale=1.25)
    match = locate(
        screen, Icon.from_images("t", {"48.png": icon}), params=DEFAULT.override(scales=(0.5, 2.0))
    )
    assert match.found and match.box is not None
    assert abs(match.box[0] - truth[0]) <= 3 and abs(match.box[1] - truth[1]) <= 3
