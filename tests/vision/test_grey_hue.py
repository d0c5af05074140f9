"""A grey drawing's place checked for hue (``MatchParameters.grey_hue_weight``): a version
with no hue is scored in grey, and the screen's hue under it may only lower that score.

The real crop is from the real-icons bench's training half (degraded tier, screen 15):
Papirus' red ``opera`` ring shown at 24 px, with the theme's drawings of ``opera`` and of
the grey ``opera-developer`` ring (Papirus: GPL-3) as the icons' versions.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from robotest.vision import Icon, locate, locate_distinct
from robotest.vision.colour_verification import hue_share
from robotest.vision.match_parameters import DEFAULT

from .conftest import paste

_DATA = Path(__file__).parent / "data"
WIDE = DEFAULT.override(scales=(0.5, 2.0))
"""The scales of the real-icons bench (the corpus shows icons at 0.5-2x)."""
BLIND = WIDE.override(grey_hue_weight=0.0)
"""The search before the hue check: a grey version scored in grey alone."""


def _grey_texture(size: int, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (size, size, 1), dtype=np.uint8).repeat(3, axis=2)


def test_hue_share_is_nil_on_grey_small_under_a_cast_large_on_a_red_ring() -> None:
    grey = _grey_texture(24)
    assert hue_share(grey, None) < 1e-9
    cast = np.clip(grey * np.array([1.12, 1.0, 0.88]), 0, 255).astype(np.uint8)
    assert 0.0 < hue_share(cast, None) < 0.02
    ring = np.full((48, 48, 3), 245, np.uint8)
    cv2.circle(ring, (24, 24), 16, (40, 40, 220), 6)
    assert 0.25 < hue_share(ring, None) < 0.4
    assert hue_share(np.full((8, 8, 3), (40, 40, 220), np.uint8), None) == 0.0


def test_hue_share_counts_only_the_compared_pixels() -> None:
    patch = _grey_texture(24)
    patch[:, 12:] = (30, 200, 60)
    mask = np.zeros((24, 24), np.uint8)
    mask[:, :12] = 255
    assert hue_share(patch, mask) < 1e-9
    assert hue_share(patch, None) > 0.1


def _glyph(ink: tuple[int, int, int], size: int = 48) -> np.ndarray:
    """A disc with a cross and a bar in *ink* on a light disc (BGRA, round alpha)."""
    image = np.zeros((size, size, 4), np.uint8)
    cv2.circle(image, (size // 2, size // 2), size // 2 - 1, (235, 235, 235, 255), -1)
    cv2.line(image, (12, 12), (36, 36), (*ink, 255), 5)
    cv2.line(image, (36, 12), (12, 36), (*ink, 255), 5)
    cv2.rectangle(image, (10, 38), (30, 42), (*ink, 255), -1)
    return image


def test_a_grey_drawing_is_not_found_on_its_coloured_twin() -> None:
    """The grey drawing's shape drawn in red on the screen: in grey alone the same
    picture (found), with the hue check not."""
    grey = Icon.from_images("grey", {"48.png": _glyph((70, 70, 70))})
    screen = np.full((300, 400, 3), (200, 180, 150), np.uint8)
    paste(screen, _glyph((40, 40, 200)), 150, 120)
    blind = locate(screen, grey, params=BLIND)
    checked = locate(screen, grey, params=WIDE)
    assert blind.found
    assert not checked.found and checked.score < blind.score - 0.1


def test_a_grey_drawing_on_a_grey_screen_scores_as_before() -> None:
    """No hue under the place: the check takes nothing off, same box and score."""
    grey = Icon.from_images("grey", {"48.png": _glyph((70, 70, 70))})
    screen = np.full((300, 400, 3), 128, np.uint8)
    screen[:, :200] = _grey_texture(400)[:300, :200] // 3 + 90
    paste(screen, _glyph((70, 70, 70)), 150, 120)
    blind = locate(screen, grey, params=BLIND)
    checked = locate(screen, grey, params=WIDE)
    assert checked.found and checked.box == blind.box
    assert checked.score == blind.score


def test_the_grey_developer_ring_is_not_found_on_the_red_opera_ring() -> None:
    """The degraded 24 px red ring: the grey ``opera-developer`` ring matched it in grey
    (0.93, a wrong place on the training half) and the look-alike check then refused
    ``opera`` itself there; with the hue check the grey ring falls under the threshold
    and ``opera`` is found at its place."""
    screen = cv2.imread(str(_DATA / "opera_degraded_24.png"), cv2.IMREAD_COLOR)
    assert screen is not None
    developer = Icon.load(_DATA / "icons" / "papirus-opera-developer")
    opera = Icon.load(_DATA / "icons" / "papirus-opera")
    blind = locate(screen, developer, params=BLIND)
    checked = locate(screen, developer, params=WIDE)
    assert blind.found
    assert not checked.found
    refused = locate_distinct(screen, opera, [developer], params=BLIND)
    found = locate_distinct(screen, opera, [developer], params=WIDE)
    assert not refused.found and refused.rival is not None
    assert found.found and found.box is not None
    x, y, w, h = found.box
    assert abs(x + w / 2 - 24) <= 6 and abs(y + h / 2 - 24) <= 6
