"""Highlighted bars through the camera: told from the panel whatever their colour,
found whole, and taken for background when their ink is one solid block.

`dialog_menu_camera_12x24.png` is a real frame: `dialog --menu` shown by a real `xterm`
in the X font 12x24, photographed by the camera model (`benchmarks/real_screens/
extra_tune.py`, a tuning screen in a font of neither split), cropped to the
highlighted `UUID` and the row below it. `dialog_checklist_camera_9x15.png` is a tune
screen of the real programs (`benchmarks/real_screens/programs.py`): `dialog --checklist`
in the X font 9x15 through the camera, cropped to the highlighted `CPU Type` (a blue
check box, label and value bar on one row, white and yellow letters) and the rows
around it.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from robotest.vision import solid_bars, text_search
from robotest.vision.ocr_engine import ink_mask, ocr

DATA = Path(__file__).parent / "data"
UUID_12X24 = DATA / "dialog_menu_camera_12x24.png"
UUID_BAR = (35, 21, 48, 24)
"""The highlighted `UUID`'s bar in the crop (x, y, w, h): blue, yellow letters, a red
hot key, one cell high."""
CPU_TYPE = (36, 47, 95, 22)
"""`CPU Type` below it: dark blue letters on the grey panel, not highlighted."""
CHECKLIST_9X15 = DATA / "dialog_checklist_camera_9x15.png"
CPU_TYPE_ROW = (50, 40, 262, 16)
"""Where the highlighted `CPU Type` row lies in that crop (x, y, w, h): its check box, label
and value."""
CPU_TYPE_VALUE = (172, 40, 145, 16)
"""The highlighted value `JGY5CU220L-8972` in that crop, as a read beside the label
chooses it."""


def _share(mask: np.ndarray, box: tuple[int, int, int, int]) -> float:
    x, y, w, h = box
    return float(mask[y : y + h, x : x + w].mean())


def test_a_camera_bar_taken_for_ink_whole_is_background() -> None:
    # no flat pixel, margins of a pixel or two of blend: the bar was one block of ink
    # (all of its box) with its letters light inside, and ``UUID`` was read ``De``
    crop = cv2.imread(str(UUID_12X24))
    ink = ink_mask(crop, 19.0) > 0
    assert _share(ink, UUID_BAR) < 0.6
    # the letters are what is left, a word's share of ink
    assert _share(ink, UUID_BAR) > 0.2


def test_blurred_dark_text_beside_a_camera_bar_stays_ink() -> None:
    crop = cv2.imread(str(UUID_12X24))
    ink = ink_mask(crop, 19.0) > 0
    assert 0.15 < _share(ink, CPU_TYPE) < 0.5


def test_a_panel_spread_over_many_bins_leaves_a_bars_colour_tried() -> None:
    # through a camera a panel's grey on a bin's edge (224 = 7 x 32) falls in up to 8
    # bins of the coarse histogram, each more common than a small bar's colour: the
    # bar's colour (a red bar, whiptail's ``Memory Size``) came ninth and was never tried
    rng = np.random.default_rng(18)
    panel = rng.integers(221, 228, (100, 400, 3), dtype=np.uint8)
    panel[40:50, 75:325] = (45, 45, 202)  # the bar, fewer pixels than any grey bin
    keys = solid_bars._colour_keys(panel)
    mask = np.ones(panel.shape[:2], bool)

    def has_red(colours: list[np.ndarray]) -> bool:
        return any(abs(int(c[2]) - 202) < 10 and int(c[0]) < 60 for c in colours)

    assert not has_red(solid_bars._common_colours(panel, keys, mask, 50))
    found = solid_bars._common_colours(panel, keys, mask, 50, same=40)
    assert has_red(found)
    for i, a in enumerate(found):  # none twice
        assert all(solid_bars._apart(a, b) >= 40 for b in found[i + 1 :])


def test_a_bar_is_grown_over_its_pieces_either_way_along_the_row() -> None:
    # a long bar cut into pieces by its capitals and found at its far end only: each
    # piece is beside the bar grown so far, whatever order the regions come in
    piece = np.ones((16, 20), bool)
    regions = [((x, 100, 20, 16), piece) for x in (10, 32, 54, 76)]
    bar = (98, 100, 60, 16)
    regions.append((bar, np.ones((16, 60), bool)))
    (grown,) = solid_bars._with_pieces([bar], regions, 12.0)
    assert grown == (10, 100, 148, 16)
    # a piece a line away along the row, or not level with it, is not the bar's
    far = [((0, 100, 20, 16), piece), ((40, 110, 20, 16), piece), (bar, regions[-1][1])]
    assert solid_bars._with_pieces([bar], far, 12.0) == [bar]


def test_a_camera_bar_is_followed_to_its_ends_over_its_letters() -> None:
    # the letters at a bar's end cover its margins, but the blur leaves a pixel or
    # two of the bar's colour in each of their columns; the panel beyond has none
    image = np.full((30, 120, 3), 216, np.uint8)
    image[8:24, 20:100] = (1, 1, 195)  # the bar
    image[10:22, 22:34] = (70, 70, 200)  # a pale letter at its left end ...
    image[15, 22:34] = (20, 20, 196)  # ... with the bar's colour between its strokes
    box = solid_bars._to_ends(image, np.array([1, 1, 195], np.uint8), 40, (40, 8, 40, 16))
    assert box == (20, 8, 80, 16)


def test_a_solid_piece_a_pixel_above_a_line_is_found_on_a_halved_page() -> None:
    # a page is looked at in halves first; a bar a pixel above the next line's letters
    # must not be joined to them there (``UUID``'s bar and ``CPU Type`` below it)
    ink = np.zeros((600, 800), np.uint8)
    ink[101:125, 51:101] = 255  # a bar taken for ink, 24 pixels high
    ink[126:148, 51:200:3] = 255  # the letters' stems of the line below, a pixel apart
    ink[300:320, 400:700] = 255  # a long solid bar
    ink[400:404, 100:700] = 255  # a rule: no bar's height
    assert ink.size > solid_bars._SAMPLED  # the halved search
    found = {box for box, _ in solid_bars._solid_pieces(ink, 19.0)}
    assert found == {(51, 101, 50, 24), (400, 300, 300, 20)}
    assert found == {box for box, _ in solid_bars._pieces_of(ink, (0, 0), 19.0)}


def test_a_highlighted_camera_label_beside_its_check_box_is_found() -> None:
    # the label's and the value's bars have margins of a pixel or two, half panel
    # through the blur: measured against that blend the bars stayed ink (the value read
    # light on a dark block), and the check box's ``[`` and ``]`` at its bar's ends left
    # a frame of ink joined to the label; the page read read nothing there
    crop = cv2.imread(str(CHECKLIST_9X15))
    text_search._cache.clear()
    match = text_search.find_text(crop, "CPU Type")
    assert match.found and match.box is not None
    x, y, w, h = match.box
    row_x, row_y, row_w, row_h = CPU_TYPE_ROW
    assert row_y - 2 <= y + h / 2 <= row_y + row_h + 2
    assert row_x <= x and x + w <= row_x + row_w


def test_a_highlighted_camera_value_is_read_on_its_own_line() -> None:
    # a line read holds its bar and a few rows around it: OpenCV's closing took the
    # image's edges for set, the bar's two margins were joined to them, and no bar of a
    # line read was found by its margins (read ``ek 330! ete``)
    crop = cv2.imread(str(CHECKLIST_9X15))
    text = ocr(crop, CPU_TYPE_VALUE, layout="line").text
    assert text.endswith("GY5CU220L-8972")


def test_margins_are_joined_across_a_bar_not_to_the_images_edges() -> None:
    strips = np.zeros((40, 60), np.uint8)
    strips[12, 5:55] = 1  # a bar's top margin ...
    strips[26, 5:55] = 1  # ... and its bottom margin, in an image shorter than 2 x reach
    joined = solid_bars._closed_down(strips, 30)
    rows = np.flatnonzero(joined.any(axis=1))
    # from margin to margin (OpenCV's even kernel shifts a closing by a row), no further
    assert 12 <= rows[0] <= 13 and 26 <= rows[-1] <= 27
    assert np.all(joined[rows[0] : rows[-1] + 1, 5:55])


def test_a_blurred_bars_colour_is_taken_past_its_margins_blend() -> None:
    # margins half panel through the blur ([205, 88, 87] for a bar of [207, 2, 1]); the
    # gaps between its letters hold the bar's own colour, farther from the panel
    panel = np.array([200, 200, 200], np.uint8)
    margin = np.array([205, 88, 87], np.uint8)
    pixels = np.empty((10, 40, 3), np.uint8)
    pixels[:] = (250, 250, 250)  # its letters, white
    pixels[:, ::4] = (207, 2, 1)  # the gaps between them
    pixels[:, 1::4] = (206, 60, 60)  # and the blur's blend of the two
    deep = solid_bars._deepest(pixels, margin, panel, 40)
    assert solid_bars._apart(deep, np.array([207, 2, 1], np.uint8)) < 10
    # no pixel past the blend: the margins' colour stands
    plain = np.full((10, 40, 3), 250, np.uint8)
    assert solid_bars._apart(solid_bars._deepest(plain, margin, panel, 40), margin) == 0


def test_a_camera_bar_is_followed_over_the_brackets_at_its_ends() -> None:
    # a highlighted check box: ``[`` and ``]`` at its two ends cover its margins and
    # leave no pixel of the bar's own colour in their columns, only blends of the bar
    # with the panel (and the white brackets); the panel beyond stops it
    image = np.full((30, 120, 3), 200, np.uint8)
    image[8:24, 20:60] = (207, 2, 1)  # the bar
    image[8:24, 20:26] = (205, 80, 80)  # ``[``: blurred into the bar, mostly bar
    image[8:24, 54:60] = (205, 80, 80)  # ``]``
    colour, panel = np.array([207, 2, 1], np.uint8), np.array([200, 200, 200], np.uint8)
    box = (26, 8, 28, 16)  # the bar between its brackets
    assert solid_bars._to_ends(image, colour, 40, box) == box
    assert solid_bars._to_ends(image, colour, 40, box, panel, 43) == (20, 8, 40, 16)


def test_a_bars_fellow_on_its_row_is_level_with_it() -> None:
    # a label's bar whose letters cover half its margins, beside a value's bar found
    own = np.ones((16, 60), bool)
    own[4:12, 5:55:4] = False  # letters
    own[0, ::2] = False  # margins half covered
    own[-1, ::2] = False
    flat = np.ones((100, 200), bool)
    value_bar = (120, 40, 70, 18)
    assert solid_bars._fellow(own, (30, 41, 60, 16), flat, [value_bar], 12.0)
    assert not solid_bars._fellow(own, (30, 61, 60, 16), flat, [value_bar], 12.0)  # a line down
    assert not solid_bars._fellow(own, (30, 41, 60, 16), flat, [], 12.0)  # no bar on its row
