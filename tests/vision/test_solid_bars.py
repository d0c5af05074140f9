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
from robotest.vision.ocr_engine import text_height
from robotest.vision.solid_bars import bars_as_background, coloured_bars_as_background
from robotest.vision.text_search import _cache

DATA = Path(__file__).parent / "data"
DIALOG = DATA / "dialog_menu_xterm_9x15.png"
CHECKLIST = DATA / "dialog_checklist_dejavu13.png"
"""`dialog --checklist` in DejaVu Sans Mono 13 (tune split), cropped to the list."""
WHIPTAIL = DATA / "whiptail_menu_6x13.png"
"""`whiptail --menu` in the X font 6x13 (tune split), cropped to the list."""
BLUE, YELLOW, PANEL = (238, 0, 0), (0, 255, 255), (229, 229, 229)


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    _cache.clear()


def test_a_highlighted_dialog_item_is_found_and_its_value_read() -> None:
    screen = cv2.imread(str(DIALOG))
    assert find_text(screen, "Product Name").found
    # the first letter, at the bar's end, was read ``C`` before the bar was told by its
    # colour (``coloured_bars_as_background``)
    assert read_beside(screen, "Product Name", "right_of") == "ZDWGEQ737-6047"
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


def test_a_bar_ends_letters_are_read_against_the_bar() -> None:
    # the bar holds a flat area between its letters, so it is background there; at its
    # ends the panel was nearer along the row, and the first and last letters were lost
    # in blocks of ink (``8286A27-71A8-81C%``)
    screen = cv2.imread(str(CHECKLIST))
    assert read_beside(screen, "UUID", "right_of") == "9D386A27-71A8-81CB"


def test_a_highlighted_label_whose_bar_touches_the_next_row_is_found() -> None:
    # whiptail's bar spans the whole row and touches the next item's letters: its ink
    # is no piece of its own, and ``Memory`` came out ``war``
    screen = cv2.imread(str(WHIPTAIL))
    assert find_text(screen, "Memory Size").found
    assert read_beside(screen, "Memory Size", "right_of") == "32768 MB"


def _letters_on_a_bar_in_part() -> tuple[np.ndarray, np.ndarray]:
    """A blue bar with white strokes whose middle is already background and whose ends
    (two letters each) are still taken for ink, as the panel's nearness left them."""
    screen = np.full((60, 240, 3), PANEL, np.uint8)
    screen[20:38, 40:200] = BLUE
    for x in range(46, 192, 10):
        screen[23:35, x : x + 3] = 255
    contrast = np.zeros(screen.shape[:2], np.uint8)
    letters = np.all(screen == 255, axis=2)
    contrast[letters] = 255 - 229  # white against a grey panel: faint
    for left, right in ((40, 62), (178, 200)):  # the ends: the bar against the panel
        contrast[20:38, left:right] = np.where(letters[20:38, left:right], 26, 238)
    contrast[20:38, 62:178][letters[20:38, 62:178]] = 255  # the middle: right
    return screen, contrast


def test_a_bar_found_by_its_colour_has_its_ends_read_against_it() -> None:
    screen, contrast = _letters_on_a_bar_in_part()
    flat = np.ones(screen.shape[:2], bool)
    coloured_bars_as_background(screen, contrast, flat, 12.0)
    bar = np.all(screen == BLUE, axis=2)
    letters = np.all(screen == 255, axis=2)
    assert contrast[bar].max() < 12  # the ends too
    assert contrast[letters].min() > 200  # white against blue, at the ends too
    assert contrast[:18].max() == 0


def test_letters_of_one_colour_are_no_bar_by_colour() -> None:
    # dark letters on a light panel: their colour's regions are letters, each no wider
    # than its box, nor with whole margins; nothing changes
    screen = np.full((60, 240, 3), PANEL, np.uint8)
    for x in range(46, 192, 10):
        screen[23:35, x : x + 3] = 0
        screen[23:26, x : x + 8] = 0
    contrast = backgrounds.ink_contrast(screen, 12.0)
    before = contrast.copy()
    coloured_bars_as_background(screen, contrast, np.ones(screen.shape[:2], bool), 12.0)
    assert np.array_equal(contrast, before)


WHIPTAIL_CAMERA = DATA / "whiptail_menu_camera_6x13.png"
"""`whiptail --menu` in the X font 6x13 through the camera model (tune split), cropped
to the highlighted item and the two rows below it."""
VALUE_BAND = DATA / "whiptail_value_band_camera_6x13.png"
"""The same frame around the band right of the highlighted tag, where its value is
looked for (12 pixels of surroundings each side, as ``surroundings`` gives)."""


def test_a_camera_bar_cut_by_its_capitals_is_one_bar_and_its_value_read() -> None:
    # 6x13's capitals fill the cell: through the blur the red bar came apart at `S`,
    # `Memory` stayed a block of ink and the tag was not found
    screen = cv2.imread(str(WHIPTAIL_CAMERA))
    assert read_beside(screen, "Memory Size") == "32768 MB"


def test_light_letters_on_a_bar_beside_dark_text_have_their_own_height() -> None:
    # Otsu's split puts the white letters with the grey panel (holes in the red bar):
    # no glyph-sized blob of the minority, and the text was taken for 16 pixels high
    band = cv2.imread(str(VALUE_BAND))
    assert text_height(np.ascontiguousarray(band[12:35, 12:212])) == pytest.approx(9.0, abs=1.0)
