"""The look-alike check: a match is refused where another icon the script knows fits better."""

from __future__ import annotations

import cv2
import numpy as np

from robotest.vision import Icon, locate, locate_distinct
from robotest.vision.match_parameters import DEFAULT

from .conftest import icon_image, paste, text_screen

LENIENT = DEFAULT.override(scales=(0.5, 2.0), threshold=0.5)
"""A threshold low enough for a theme's other-size drawings (the real-icons bench tunes ~0.6)."""


def _with_emblem(centre: tuple[int, int]) -> np.ndarray:
    """The same 48 px icon with a small emblem (a dark dot) at *centre*: a theme's look-alikes."""
    image = icon_image(7)
    cv2.circle(image, centre, 4, (20, 20, 20), -1)
    return image


def _icons() -> tuple[Icon, Icon]:
    creating = Icon.from_images("connect-creating", {"48.png": _with_emblem((10, 38))})
    established = Icon.from_images("connect-established", {"48.png": _with_emblem((38, 38))})
    return creating, established


def _screen() -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """Only ``connect-creating`` is shown (at 1.25x), among other icons."""
    screen = text_screen([(20, 20, "Network")], (480, 320))
    for i in range(3):
        paste(screen, icon_image(60 + i), 40 + 120 * i, 220)
    truth = paste(screen, _with_emblem((10, 38)), 300, 70, scale=1.25)
    return screen, truth


def test_a_look_alike_alone_is_taken_for_the_icon() -> None:
    """Why the check exists: at a lenient threshold the score alone keeps the look-alike."""
    screen, _ = _screen()
    _, established = _icons()
    assert locate(screen, established, params=LENIENT).found


def test_the_look_alike_is_refused_when_the_shown_icon_is_a_rival() -> None:
    screen, truth = _screen()
    creating, established = _icons()
    params = LENIENT
    refused = locate_distinct(screen, established, [creating], params=params)
    assert not refused.found and refused.rival == "connect-creating"
    assert refused.box is not None and abs(refused.box[0] - truth[0]) <= 3
    assert refused.to_dict()["rival"] == "connect-creating"
    kept = locate_distinct(screen, creating, [established], params=params)
    assert kept.found and kept.rival is None and "rival" not in kept.to_dict()
    assert kept.box is not None and abs(kept.box[0] - truth[0]) <= 3


def test_the_margin_is_a_parameter() -> None:
    """With a margin larger than the score gap, even the shown icon is refused (on the
    scores alone); where the two drawings differ, its emblem is on the screen and the
    rival's is not: ``rival_difference`` tells them apart all the same, and still refuses
    the look-alike."""
    screen, _ = _screen()
    creating, established = _icons()
    params = LENIENT.override(rival_margin=0.5, rival_difference=0.0)
    assert not locate_distinct(screen, creating, [established], params=params).found
    told = params.override(rival_difference=0.3)
    assert locate_distinct(screen, creating, [established], params=told).found
    assert not locate_distinct(screen, established, [creating], params=told).found


def test_a_rival_is_scored_with_every_version_when_the_icon_is() -> None:
    """With ``sizes_at_place`` the icon is scored at a place with every version it holds;
    the rival must be too, or the drawing the OS shows (the rival's 32 px one at 64 px)
    is not recognised as the rival's and the icon's look-alike passes the check."""
    from robotest.vision.rivals import rival_score

    small = cv2.resize(icon_image(9), (32, 32), interpolation=cv2.INTER_AREA)
    rival = Icon.from_images("rival", {"48.png": icon_image(10), "32.png": small})
    screen = text_screen([], (480, 320))
    box = paste(screen, cv2.resize(small, (64, 64), interpolation=cv2.INTER_CUBIC), 200, 100)
    nearest_only = rival_score(screen, rival, box, LENIENT.override(sizes_at_place=()))
    every = rival_score(screen, rival, box, LENIENT.override(sizes_at_place=(1.0,)))
    assert nearest_only < 0.8 and every > 0.95


def test_score_at_scores_every_version_at_a_box_without_searching_elsewhere() -> None:
    """``score_at``: the best version refined at the box; a box over something else scores low."""
    from robotest.vision.icon_search import score_at

    small = cv2.resize(icon_image(9), (32, 32), interpolation=cv2.INTER_AREA)
    icon = Icon.from_images("app", {"48.png": icon_image(10), "32.png": small})
    screen = text_screen([], (480, 320))
    box = paste(screen, cv2.resize(small, (64, 64), interpolation=cv2.INTER_CUBIC), 200, 100)
    paste(screen, icon_image(11), 40, 40)
    assert score_at(screen, icon, box, LENIENT) > 0.95
    assert score_at(screen, icon, (40, 40, 48, 48), LENIENT) < 0.8
