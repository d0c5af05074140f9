"""The look-alike check on a soft screen: the drawings' errors measured smoothed alike
(``MatchParameters.rival_blurs``), so a thin emblem blurred on screen still tells the icon
from the rival without it."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from robotest.vision import Icon
from robotest.vision.errors import VisionInputError
from robotest.vision.match_parameters import DEFAULT
from robotest.vision.rivals import difference_score

BLURS = DEFAULT.rival_blurs


def _folder(emblem: bool) -> np.ndarray:
    """A flat 48 px folder (BGRA), with a thin dark bookmark outlined on its face or not:
    a theme's look-alikes (Breeze's ``folder-bookmark`` and ``folder``)."""
    image = np.zeros((48, 48, 4), np.uint8)
    cv2.rectangle(image, (4, 10), (43, 41), (220, 160, 60, 255), -1)
    cv2.rectangle(image, (4, 6), (20, 12), (170, 110, 40, 255), -1)
    if emblem:
        outline = np.array([[19, 18], [29, 18], [29, 36], [24, 31], [19, 36]], np.int32)
        cv2.polylines(image, [outline], True, (150, 95, 30, 255), 1)
    return image


def _soft_screen(
    drawing: np.ndarray, side: int, blur: float
) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """*drawing* enlarged to *side* px on a dark screen, the whole screen blurred by *blur*."""
    screen = np.full((200, 200, 3), 40, np.uint8)
    shown = cv2.resize(drawing, (side, side), interpolation=cv2.INTER_CUBIC)
    alpha = shown[:, :, 3:4].astype(np.float32) / 255
    under = screen[50 : 50 + side, 50 : 50 + side]
    under[:] = (alpha * shown[:, :, :3] + (1 - alpha) * under).astype(np.uint8)
    soft = cv2.GaussianBlur(screen, (0, 0), blur) if blur > 0 else screen
    return soft, (50, 50, side, side)


def _icons() -> tuple[Icon, Icon]:
    return (
        Icon.from_images("folder-bookmark", {"48.png": _folder(True)}),
        Icon.from_images("folder", {"48.png": _folder(False)}),
    )


@pytest.mark.parametrize("side", [60, 84])
def test_a_blurred_emblem_is_told_apart_only_with_the_drawings_smoothed(side: int) -> None:
    """Sharp, the bookmark's outline misses the blurred one by as much as the plain face
    does (under ``rival_difference`` 0.3: the true match was refused); smoothed alike, the
    icon's drawing explains the screen far better."""
    bookmark, plain = _icons()
    screen, box = _soft_screen(_folder(True), side, 1.5)
    sharp = difference_score(screen, bookmark, box, plain.versions[0], box)
    smoothed = difference_score(screen, bookmark, box, plain.versions[0], box, BLURS)
    assert sharp < DEFAULT.rival_difference < smoothed


@pytest.mark.parametrize("blur", [0.0, 1.0, 1.5, 2.0])
def test_the_look_alike_stays_refused_when_the_rival_is_shown(blur: float) -> None:
    """The plain folder shown, sharp or soft: the bookmark's drawing explains it worse
    than the rival's at every smoothing (the check is symmetric)."""
    bookmark, plain = _icons()
    screen, box = _soft_screen(_folder(False), 84, blur)
    assert difference_score(screen, bookmark, box, plain.versions[0], box, BLURS) < -0.9


def test_rival_blurs_are_checked() -> None:
    with pytest.raises(VisionInputError):
        DEFAULT.override(rival_blurs=())
    with pytest.raises(VisionInputError):
        DEFAULT.override(rival_blurs=(0.0, -1.0))
    assert DEFAULT.override(rival_blurs=(0.0,)).rival_blurs == (0.0,)
