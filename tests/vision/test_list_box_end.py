"""A value whose last letter stands a pixel or two from the end of the list box it is on,
with the panel beyond the box of the letter's own colour (whiptail's checklist is as wide
as its longest value): the letter is ink against the box, not the panel's background."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from robotest.vision import backgrounds, read_beside
from robotest.vision.text_search import _cache

BOX_END = Path(__file__).parent / "data" / "whiptail_checklist_6x13_box_end.png"
"""`whiptail --checklist` in the X font 6x13 on a framebuffer (real programs, tune split),
cropped to the list with the panel around it: its longest value ends a pixel from the
box's end."""
BLUE, PANEL = (238, 0, 0), (229, 229, 229)


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    _cache.clear()


def test_a_value_ending_at_the_list_boxs_end_is_read_to_its_last_letter() -> None:
    screen = cv2.imread(str(BOX_END))
    # main read ``SDZAF 706-BA71-02F 1``: the ``B``'s right stem taken for the panel
    assert read_beside(screen, "UUID", "right_of") == "9D2AF706-BA71-02FB"
    # values ending well inside the box are read as before
    assert read_beside(screen, "Product Name", "right_of") == "YA2FTEJ-9949"
    assert read_beside(screen, "Board Revision", "right_of") == "NP32J9VH0-4864"


def _box_end() -> tuple[np.ndarray, np.ndarray]:
    """A grey panel, a blue box ending at column 12 and a grey letter's bar reaching
    column 10 (one blue column between it and the panel); the flat pixels."""
    smooth = np.full((21, 20, 3), PANEL, np.uint8)
    smooth[:, :12] = BLUE
    smooth[8:13, 2:11] = PANEL  # the letter, of the panel's colour
    flat = np.ones(smooth.shape[:2], bool)
    flat[7:14, 1:14] = False  # the letter and the pixels beside it
    return smooth, flat


def test_a_letter_at_a_boxs_end_takes_the_box_as_its_background() -> None:
    smooth, flat = _box_end()
    source = np.arange(flat.size, dtype=np.int32).reshape(flat.shape)
    source[8:13, 1:14] = np.arange(8, 13)[:, None] * 20 + np.where(np.arange(1, 14) < 7, 0, 14)
    inside = backgrounds._inside_bar_ends(smooth, flat, source, 5.0)
    rows, columns = np.divmod(inside, 20)
    assert set(zip(rows.tolist(), columns.tolist(), strict=True)) >= {(10, c) for c in range(7, 11)}
    assert (10, 11) not in set(zip(rows.tolist(), columns.tolist(), strict=True))  # the box
    assert (np.divmod(source[10, 7:12], 20)[0] == 6).all()  # the box above the letter
    assert (source[10, 1:7] == 200).all()  # the near end of the row is the box already


def test_a_letter_between_a_box_and_a_panel_row_by_row_is_left_alone() -> None:
    # no flat pixel of one colour above and below (a bar one cell high): as it was
    smooth, flat = _box_end()
    smooth[:8, :12] = PANEL
    source = np.arange(flat.size, dtype=np.int32).reshape(flat.shape)
    source[8:13, 1:14] = np.arange(8, 13)[:, None] * 20 + 14
    before = source.copy()
    assert backgrounds._inside_bar_ends(smooth, flat, source, 5.0).size == 0
    assert np.array_equal(source, before)


def test_the_letters_at_a_highlighted_bars_end_are_left_alone() -> None:
    # a bar one cell high: its flat margins above and below the letters, the panel past
    # them; the bar does not go on past the line, so nothing changes (dialog 6x13's
    # ``70.2.85.96`` on its bar was read ``70.2.85.%`` when it did)
    smooth, flat = _box_end()
    smooth[:6, :12] = PANEL
    smooth[15:, :12] = PANEL
    flat[6:7, 12:14] = False  # the bar's corner is no flat pixel
    source = np.arange(flat.size, dtype=np.int32).reshape(flat.shape)
    source[8:13, 1:14] = np.arange(8, 13)[:, None] * 20 + 14
    before = source.copy()
    assert backgrounds._inside_bar_ends(smooth, flat, source, 5.0).size == 0
    assert np.array_equal(source, before)


def _inside(smooth: np.ndarray, flat: np.ndarray) -> tuple[set[tuple[int, int]], int]:
    """The pixels kept as ink at the box's end, and how many took the box as background."""
    source = np.arange(flat.size, dtype=np.int32).reshape(flat.shape)
    source[8:13, 1:14] = np.arange(8, 13)[:, None] * 20 + np.where(np.arange(1, 14) < 7, 0, 14)
    before = source.copy()
    rows, columns = np.divmod(backgrounds._inside_bar_ends(smooth, flat, source, 5.0), 20)
    switched = int(np.count_nonzero(source != before))
    return set(zip(rows.tolist(), columns.tolist(), strict=True)), switched


def test_an_edge_nearer_the_panel_is_ink_beside_a_stroke_of_the_panels_colour() -> None:
    # an upscaled grey letter: its core the panel's grey, its last column a blend of grey
    # and blue that lies nearer the panel: both kept as ink
    smooth, flat = _box_end()
    smooth[8:13, 10] = (233, 120, 120)
    kept, switched = _inside(smooth, flat)
    assert {(10, 9), (10, 10)} <= kept
    assert switched > 0


def test_a_white_letter_at_a_bars_end_is_left_alone() -> None:
    # DejaVu's white letters on dialog's blue highlighted bar: the edge's blend of white
    # and blue lies nearer the panel's grey than the bar's blue, but no pixel of the
    # letter is the panel's grey, so the rule (a letter drawn in the panel's colour) does
    # not hold: no background taken from the bar, nothing kept as ink (the tune dialog
    # menus in DejaVu 11, 13 and 15 had their bars' letters and buttons so changed)
    smooth, flat = _box_end()
    smooth[8:13, 2:10] = (255, 255, 255)
    smooth[8:13, 10] = (246, 128, 128)
    assert _inside(smooth, flat) == (set(), 0)
