"""Highlighted bars through the camera: told from the panel whatever their colour,
found whole, and taken for background when their ink is one solid block.

`dialog_menu_camera_12x24.png` is a real frame: `dialog --menu` shown by a real `xterm`
in the X font 12x24, photographed by the camera model (`benchmarks/real_screens/
extra_tune.py`, a tuning screen in a font of neither split), cropped to the
highlighted `UUID` and the row below it.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from robotest.vision import solid_bars
from robotest.vision.ocr_engine import ink_mask

DATA = Path(__file__).parent / "data"
UUID_12X24 = DATA / "dialog_menu_camera_12x24.png"
UUID_BAR = (35, 21, 48, 24)
"""The highlighted `UUID`'s bar in the crop (x, y, w, h): blue, yellow letters, a red
hot key, one cell high."""
CPU_TYPE = (36, 47, 95, 22)
"""`CPU Type` below it: dark blue letters on the grey panel, not highlighted."""


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
