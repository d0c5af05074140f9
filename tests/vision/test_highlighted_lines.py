"""Highlighted items of real ``dialog`` menus on framebuffers: a short value's bar, and
the boxes of a line read.

The frames are real ones: ``dialog`` shown by a real ``xterm`` on TigerVNC's Xvnc,
grabbed over VNC by ``benchmarks/real_screens/programs.py`` with fonts of no face of
the corpus's held-out split (a tuning set of issue 18, see ``docs/benchmarks/real-screens.md``),
cropped to the list.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from robotest.vision import find_text, ocr, read_beside
from robotest.vision.fuzzy import edit_distance
from robotest.vision.images import crop
from robotest.vision.ocr_engine import prepare, surroundings

DATA = Path(__file__).parent / "data"
SHORT_BAR = DATA / "dialog_menu_short_bar_6x13.png"
"""``dialog --menu`` in the X font 6x13 (xterm's ``fixed``): the highlighted value
``47.21`` on a blue bar one cell high, five characters long."""
CHECKLIST = DATA / "dialog_checklist_8x16.png"
"""``dialog --checklist`` in the X font 8x16: the highlighted ``Product Name`` and its
value on a blue bar, between two plain rows that touch it."""
SMALL_FACE = DATA / "whiptail_menu_5x8_uuid.png"
"""``whiptail --menu`` in the X font 5x8 (second tuning set): the highlighted ``UUID`` and
its value ``7D48000C-E617-DEA0`` on a red bar one cell high, and the rows around it."""
BOLD_HOT_KEY = DATA / "dialog_menu_clean7x14_mac.png"
"""``dialog --menu`` in Schumacher's clean 7x14 X face (a tuning set of every label
highlighted, ``extra_tune.py --labels``): the highlighted ``MAC Address`` in yellow on
a blue bar, its hot key ``M`` red and bold, struck twice by xterm (the face has no bold
variant), its middle filled in."""
RUN_TOGETHER = DATA / "dialog_menu_6x12_kernel.png"
"""``dialog --menu`` in the X font 6x12 (second tuning set): the highlighted value
``6.0.70-32-amd64`` in white on a blue bar, its digits joined by the face's hyphens."""


def test_a_short_value_bar_is_found_by_its_colour() -> None:
    # the bar held too few flat pixels for its colour to be tried, and its region, its
    # outermost rows blended with the panel by the upscaling, was taken for no bar's
    # height: the value was read against the panel at both ends (``17,2]``)
    screen = cv2.imread(str(SHORT_BAR))
    assert ocr(screen, (109, 12, 38, 15), layout="line").text == "47.21"


def test_a_line_reads_words_are_boxed_on_its_own_rows() -> None:
    # Tesseract boxed the words of the line as high as its strip (28 pixels on a
    # 16-pixel bar, above the region read); an anchor found so was two lines high and
    # the value beside it was looked for over three lines
    screen = cv2.imread(str(CHECKLIST))
    result = ocr(screen, (29, 38, 146, 22), layout="line")
    assert "Name" in result.text
    for word in result.words:
        _, y, _, h = word.box
        assert y >= 38 and y + h <= 60 and h <= 17, word


def test_a_bars_one_pixel_margins_are_judged_on_the_pixels_as_drawn() -> None:
    # upscaled for the read with a cubic filter, the bar's top margin (one pixel high)
    # blended with the letters below it and was 0.16 whole: no bar, a block of ink
    # around light letters, read empty; judged on the pixels upscaled as drawn
    # (nearest neighbour), it is whole and the bar is the letters' background
    screen = cv2.imread(str(CHECKLIST))
    text = ocr(screen, (148, 40, 138, 17), layout="line").text
    assert text.startswith("DX7J") and text.endswith("-4869")


def test_a_small_faces_bar_cut_at_its_letters_is_one_bar_on_the_page() -> None:
    # upscaled twice for the page read, the 5x8 bar came apart at every letter drawn a
    # pixel from its edge, into bars and pieces a text height apart; the letters between
    # them were in no bar's box and stayed blocks of ink (``70480000-10517-T)``)
    screen = cv2.imread(str(SMALL_FACE))
    row = next(line for line in ocr(screen).text.splitlines() if "-DEA" in line or "17-" in line)
    value = row.split()[-1]
    assert edit_distance(value, "7D48000C-E617-DEA0") <= 2, row


def test_letters_run_together_inside_a_bar_are_no_bar_of_their_own() -> None:
    # judged again on the pixels as drawn, the white ``0-32-amd64`` (one region, its
    # digits joined by the hyphens) was as high as a bar counting back the blend of its
    # edge rows and was taken for a white bar inside the blue one: the blue around it
    # became a block of ink, the letters light inside (main: 28% of them ink)
    screen = cv2.imread(str(RUN_TOGETHER))
    region = (106, 18, 96, 13)
    context, inner = surroundings(region, screen.shape)
    prepared = prepare(crop(screen, context), inner=inner)
    x, y, w, h = region
    letters = np.argwhere((screen[y : y + h, x : x + w] == 255).all(axis=2))
    border, scale = 10, prepared.scale
    shades = [
        prepared.image[border + int((r + 0.5) * scale), border + int((c + 0.5) * scale)]
        for r, c in letters
    ]
    assert len(shades) > 200
    assert np.mean(np.array(shades) < 128) >= 0.9


def test_a_bold_hot_keys_m_read_h_is_still_the_label() -> None:
    # xterm strikes a bold glyph of a face with no bold variant twice, a pixel apart:
    # the ``M`` of the highlighted label lost its middle and Tesseract read ``HAC
    # Address`` (``H`` at 93, no ``M`` among its alternatives); the label was not
    # found and its value read empty
    screen = cv2.imread(str(BOLD_HOT_KEY))
    match = find_text(screen, "MAC Address")
    assert match.found and match.box is not None
    _, y, _, h = match.box
    assert 26 <= y + h / 2 <= 38  # the highlighted row, not another
    value = read_beside(screen, "MAC Address", "right_of")
    assert edit_distance(value, "C5:C3:24:C3:64:9B") <= 2, value
