"""Real `dialog` and `whiptail` menus: a highlighted item photographed by the camera, and
values beside a list framed and shadowed on its right.

Both frames are real, from the tune split of `benchmarks/real_screens/programs.py`:
`dialog --menu` in a real `xterm` (X font 9x15) photographed by the camera model, and
`whiptail --menu` in DejaVu Sans Mono 13 grabbed over VNC, each cropped to the menu.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from robotest.vision import find_text, read_beside
from robotest.vision.backgrounds import even_runs
from robotest.vision.fuzzy import edit_distance
from robotest.vision.solid_bars import blurred_bars_as_background
from robotest.vision.text_search import _cache

DATA = Path(__file__).parent / "data"
CAMERA_DIALOG = DATA / "dialog_menu_camera_9x15.png"
WHIPTAIL = DATA / "whiptail_menu_dejavu13.png"
BLUE, WHITE, PANEL = (205, 3, 3), (235, 235, 235), (195, 195, 195)


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    _cache.clear()


def test_a_highlighted_item_through_the_camera_is_found_and_its_value_read() -> None:
    # through the camera the blue bar has no flat area and its rim is a blend of blue
    # and the panel: the tag came out as a block of ink and was not found
    screen = cv2.imread(str(CAMERA_DIALOG))
    # the value is read with at most one slip: Tesseract parts it after ``ZDWGEQ`` and
    # the camera's blur spaces the characters too unevenly for the line to be taken as
    # monospaced, so the pieces 0.6 text heights apart stay apart (before the retrained
    # glyph model the line was read again, at another size, as ``CDWGEQ737-6047``).
    # Since the line read finds the bar by its margins (branch hl38: before, the bar of a
    # line read was never found so, and its first read was nothing) the read at 26
    # pixels is ``2DWGEQ737-6047`` but not sure, and the surest of the reads again (20
    # pixels) ends in a ``,``, the bar's blended end: two slips here, where the whole
    # screen's read (``2DWGEQ737-6047,`` before) has one fewer
    assert find_text(screen, "Product Name").found
    assert edit_distance(read_beside(screen, "Product Name", "right_of"), "ZDWGEQ737-6047") <= 2


def test_values_beside_a_framed_and_shadowed_list_are_read_alone() -> None:
    # the list's frame and the window's shadow ink every row of the band beside a
    # label: the lines above and below were read with the value, and it read empty
    screen = cv2.imread(str(WHIPTAIL))
    assert read_beside(screen, "Disk Model", "right_of") == "8192 MB"
    assert read_beside(screen, "Firmware", "right_of") == "66.28.35.36"


def _blurred_bar() -> tuple[np.ndarray, np.ndarray]:
    """A blurred blue bar with white strokes on a grey panel, and the contrast a
    background taken from the panel gives (the whole bar ink)."""
    screen = np.full((60, 240, 3), PANEL, np.uint8)
    screen[20:38, 40:200] = BLUE
    for x in range(48, 190, 10):
        screen[24:34, x : x + 3] = WHITE
    screen = cv2.GaussianBlur(screen, (0, 0), 1.0)
    contrast = np.abs(screen.astype(int) - np.array(PANEL)).max(axis=2).astype(np.uint8)
    return screen, contrast


def _even(screen: np.ndarray) -> np.ndarray:
    return even_runs(screen, 12.0, 10)


def test_a_blurred_bar_with_two_margins_becomes_its_letters_background() -> None:
    screen, contrast = _blurred_bar()
    blurred_bars_as_background(screen, contrast, _even(screen), 12.0)
    assert contrast[21:23, 60:180].max() < 30  # the margins are background now
    assert contrast[27:31, 49].min() > 100  # a white stroke, against the blue


def test_a_single_even_strip_is_no_bar() -> None:
    screen = np.full((60, 240, 3), PANEL, np.uint8)
    screen[28:30, 20:220] = 40  # a rule: one strip, no second margin
    screen = cv2.GaussianBlur(screen, (0, 0), 1.0)
    contrast = np.abs(screen.astype(int) - np.array(PANEL)).max(axis=2).astype(np.uint8)
    before = contrast.copy()
    blurred_bars_as_background(screen, contrast, _even(screen), 12.0)
    assert np.array_equal(contrast, before)
