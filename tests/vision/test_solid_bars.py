"""A highlighted item exactly one character cell high, as `dialog` draws it.

The frame is a real one: `dialog --menu` (Debian package dialog) shown by a real
`xterm` in the X font 9x15, grabbed over VNC by `benchmarks/real_screens/programs.py`
(a tune-split screen, cropped to the dialog). The highlighted item's bar leaves its
letters a pixel or two above and below, no flat area: the whole bar came out as ink
and its tag was not found.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from robotest.vision import backgrounds, find_text, read_beside
from robotest.vision.solid_bars import bars_as_background
from robotest.vision.text_search import _cache

DIALOG = Path(__file__).parent / "data" / "dialog_menu_xterm_9x15.png"
BLUE, YELLOW, PANEL = (238, 0, 0), (0, 255, 255), (229, 229, 229)


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    _cache.clear()


def test_a_highlighted_dialog_item_is_found_and_its_value_read() -> None:
    screen = cv2.imread(str(DIALOG))
    assert find_text(screen, "Product Name").found
    value = read_beside(screen, "Product Name", "right_of")
    assert value.endswith("DWGEQ737-6047")  # the first letter, at the bar's end, varies
    # the plain items around it are read as before
    assert read_beside(screen, "UUID", "right_of") == "7820D039-BD45-E8E5"


def _bar_screen() -> tuple[np.ndarray, np.ndarray]:
    """A light panel with a blue bar one text height high holding yellow letters, and
    the contrast a background taken from the panel gives (the bar all ink)."""
    screen = np.full((60, 200, 3), PANEL, np.uint8)
    screen[20:36, 40:160] = BLUE
    for x in range(46, 150, 10):  # letters: yellow strokes on the bar
        screen[22:34, x : x + 3] = YELLOW
    contrast = np.zeros(screen.shape[:2], np.uint8)
    contrast[20:36, 40:160] = 238
    contrast[22:34] = np.where(screen[22:34, :, 0] == 0, 229, contrast[22:34])
    return screen, contrast


def test_a_bar_taken_for_ink_becomes_the_background_of_its_letters() -> None:
    screen, contrast = _bar_screen()
    bars_as_background(screen, contrast, 12.0)
    bar = np.all(screen == BLUE, axis=2)
    letters = np.all(screen == YELLOW, axis=2)
    assert contrast[bar].max() < 12
    assert contrast[letters].min() > 200  # yellow against blue
    assert contrast[:18].max() == 0  # the panel above stays background


def test_a_heavy_stroke_of_one_colour_is_no_bar() -> None:
    screen = np.full((60, 200, 3), PANEL, np.uint8)
    screen[20:36, 40:160] = 0  # a black block: no letters on it
    contrast = backgrounds.ink_contrast(screen, 12.0)
    before = contrast.copy()
    bars_as_background(screen, contrast, 12.0)
    assert np.array_equal(contrast, before)
