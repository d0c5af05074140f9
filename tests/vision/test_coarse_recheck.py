"""A coarse map's best places scored again on a finer level (``coarse_recheck``): a large
icon searched where it is 14-19 px across is told from what only looks like it there."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from robotest.vision import Icon, coarse_search, locate
from robotest.vision.match_parameters import DEFAULT
from robotest.vision.screen_pyramid import searched_screen

from .conftest import icon_image, paste
from .test_real_icon_crops import WIDE as _BENCH_SCALES
from .test_real_icon_crops import _at, _crop, _icon

_WIDE = DEFAULT.override(scales=(0.5, 2.0))
_SIDE = 68
"""The icon's size on screen: its 48 px drawing at the coarse scale 1.414, searched on
the level reduced 4 times (17 px across) and rechecked on the level reduced twice."""


def _screen_with_decoys(icon: np.ndarray, truth: tuple[int, int]) -> np.ndarray:
    """A textured 1280 x 720 screen with the icon at *truth* and twelve decoys: the icon
    reduced 4 times and enlarged back in 4 px blocks, aligned with the level reduced 4
    times (there they are the icon itself; at twice the detail, a blur of it)."""
    rng = np.random.default_rng(5)
    noise = rng.integers(60, 200, (720, 1280, 3), np.uint8)
    screen = cv2.GaussianBlur(noise, (0, 0), 3.0)
    shown = cv2.resize(icon, (_SIDE, _SIDE), interpolation=cv2.INTER_AREA)
    small = cv2.resize(shown, (_SIDE // 4, _SIDE // 4), interpolation=cv2.INTER_AREA)
    blocky = cv2.resize(small, (_SIDE, _SIDE), interpolation=cv2.INTER_NEAREST)
    for i in range(12):
        paste(screen, blocky, 80 + 280 * (i % 4), 40 + 240 * (i // 4))
    paste(screen, shown, *truth)
    return screen


def test_a_large_icon_outranked_at_the_coarse_level_is_found_by_the_recheck() -> None:
    drawing = icon_image(31, size=48, alpha=True)
    icon = Icon.from_images("tile", {"48.png": drawing})
    truth = (222, 162)  # between the decoys, 2 px off the coarse level's grid
    screen = _screen_with_decoys(cv2.resize(drawing, (48, 48)), truth)
    without = locate(
        screen, icon, params=_WIDE.override(coarse_recheck=0, coarse_every_side_from=0)
    )
    found = locate(screen, icon, params=_WIDE)
    assert not (without.found and without.box is not None and _near(without.box, truth))
    assert found.found and found.box is not None and _near(found.box, truth)


def test_a_rechecked_place_scores_as_the_finer_levels_map() -> None:
    """A map on the level reduced 4 times keeps its own best places and adds the places
    its recheck ranks best, each with the score of the level reduced twice's map there:
    the true place, outranked by the decoys on the coarser level, among them."""
    drawing = icon_image(31, size=48, alpha=True)
    icon = Icon.from_images("tile", {"48.png": drawing})
    truth = (222, 162)
    screen = _screen_with_decoys(drawing, truth)
    version, scale = icon.versions[0], 1.414
    assert coarse_search.coarse_factor(icon, version, scale, _WIDE) == 4
    assert coarse_search.recheck_factor(version, scale, 4, _WIDE) == 2
    view = searched_screen(screen, None)
    template = coarse_search.coarse_template(icon, version, scale, 2)
    finer = view.level(template.channel, 2).correlate(template)
    places = [
        c
        for c in coarse_search.coarse_candidates(view, icon, _WIDE, 6, 0.0, edges=False)
        if c.version is version and abs(c.scale - scale) < 1e-3
    ]
    assert all(c.factor == 4 for c in places)  # how far off the place may be: the map's
    true = [c for c in places if _near((c.x, c.y, c.w, c.h), truth)]
    assert len(true) == 1
    assert true[0].score == pytest.approx(float(finer[true[0].y // 2, true[0].x // 2]), abs=1e-3)
    # the sizes between the coarse scales reach it too (``coarse_every_side_from``)
    without = coarse_search.coarse_candidates(
        view, icon, _WIDE.override(coarse_recheck=0, coarse_every_side_from=0), 6, 0.0, edges=False
    )
    assert not any(_near((c.x, c.y, c.w, c.h), truth) for c in without)


def _near(box: tuple[int, int, int, int], truth: tuple[int, int]) -> bool:
    return abs(box[0] - truth[0]) <= 4 and abs(box[1] - truth[1]) <= 4


def test_a_real_flat_icon_reaches_the_candidates_by_the_recheck() -> None:
    """Adwaita's orange arrow, 60 px through the camera (crop of the real-icons training
    half): on the level reduced 4 times (15 px across) texture outranks it, on the level
    reduced twice it ranks first; with neither the recheck nor the edge maps it is not
    found, with the recheck alone it is."""
    screen, icon = _crop("object_rotate_left_camera_60.png"), _icon("adwaita-object-rotate-left")
    grey_only = _BENCH_SCALES.override(edge_places=0)
    without = locate(screen, icon, params=grey_only.override(coarse_recheck=0))
    match = locate(screen, icon, params=grey_only)
    assert not without.found
    assert match.found and _at(match.box, (240, 83, 60, 60))
