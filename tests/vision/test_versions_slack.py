"""``versions_slack``: a place the nearest drawing scores far under the threshold is still
refitted with the icon's other drawings (the OS may show another of them there)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from robotest.vision import Icon, icon_candidates, place_refits
from robotest.vision.errors import VisionInputError
from robotest.vision.match_parameters import DEFAULT
from robotest.vision.screen_pyramid import searched_screen

from .conftest import icon_image, paste, text_screen


def _icon_and_view() -> tuple[Icon, object]:
    """A 48 px and an unrelated 32 px drawing of one icon; the screen shows the 32 px one
    at 64 px."""
    large = icon_image(3, size=48)
    small = cv2.resize(icon_image(21, size=48), (32, 32), interpolation=cv2.INTER_AREA)
    icon = Icon.from_images("launcher", {"48.png": large, "32.png": small})
    screen = text_screen([], (640, 400), background=(60, 60, 60))
    paste(screen, cv2.resize(small, (64, 64), interpolation=cv2.INTER_CUBIC), 300, 200)
    noise = np.random.default_rng(5).normal(0, 3, screen.shape)
    noisy = np.clip(screen + noise, 0, 255).astype(np.uint8)
    return icon, searched_screen(noisy, None)


def test_a_place_far_under_the_threshold_is_refitted_with_the_other_drawings() -> None:
    icon, view = _icon_and_view()
    big = next(v for v in icon.versions if v.name == "48.png")
    # the 48 px drawing at the place: far under ``again_slack`` below the threshold
    place = icon_candidates.Candidate(0.3, 300, 200, 64, 64, 64 / 48, big, 1, grey_score=0.3)
    p = DEFAULT.override(scales=(0.5, 2.0))
    assert place_refits.again_at_places(view, icon, [place], 0.85, p) == []  # type: ignore[arg-type]
    wide = p.override(versions_slack=0.6)
    again = place_refits.again_at_places(view, icon, [place], 0.85, wide)  # type: ignore[arg-type]
    # the other drawing only (not the place's own at ``own_sizes_at_place``)
    assert [c.version.name for c in again] == ["32.png"]
    assert again[0].score > 0.9 and abs(again[0].x - 300) <= 2
    # a place under the wider slack too: nothing refitted
    lower = icon_candidates.Candidate(0.2, 300, 200, 64, 64, 64 / 48, big, 1, grey_score=0.2)
    assert (
        place_refits.again_at_places(view, icon, [lower], 0.85, p.override(versions_slack=0.6))
        == []
    )  # type: ignore[arg-type]


def test_versions_slack_is_checked() -> None:
    with pytest.raises(VisionInputError):
        DEFAULT.override(versions_slack=-0.1)
    assert DEFAULT.versions_slack == 0.0
