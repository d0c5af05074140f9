"""Checklists through the camera: the check boxes' brackets beside the labels.

The frames are real, from the tune-only sets of the real-screens benchmark
(`benchmarks/real_screens/extra_tune.py`): `dialog --checklist` in X fonts photographed by
the camera model, cropped around the list.

Through the camera's blur the brackets of the check boxes touch from row to row. On a page
read they made a column too evenly inked to cut, and every row's label joined to it: the
list was one run, read as one line with the rows mixed. In a line read whose region starts
on a bracket, the bracket's stem was taken for a rule at the region's edge and whitened in
part.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from robotest.vision import ocr
from robotest.vision.images import crop
from robotest.vision.ocr_engine import (
    _cut_rule,
    _without_edge_rules,
    prepare,
    surroundings,
    text_height,
)
from robotest.vision.solid_bars import _faded
from robotest.vision.text_lines import _column_beside, split_tall

DATA = Path(__file__).parent / "data"
LIST = DATA / "dialog_checklist_camera_7x13.png"
"""140 x 420 pixels, a dialog checklist in X 7x13 through the camera (`hl35a-extra`): seven
rows, ``CPU Type`` to ``Product Name``, each with its check box ``[ ]``."""
BRACKET = DATA / "dialog_checklist_camera_8x13_bracket.png"
"""76 x 191 pixels, a dialog checklist in the Schumacher clean 8x13 through the camera
(`hl38-extra`): ``[ ] Build Number``; the region (40, 30, 111, 16) starts on the ``]``."""


def test_each_row_of_a_camera_checklist_is_read_once_on_its_own() -> None:
    # main read the list below the bar as one run: ``Disk Disk nNodel Model 16384 1b304
    # MB``, ``Asset Tag OxXE4ILE7A~ OXE4JL67A-8720`` (two rows' reads mixed)
    screen = cv2.imread(str(LIST))
    lines = ocr(screen).text.splitlines()
    assert [line for line in lines if "Asset" in line] == ["[' ]] Asset Tag OXE4JL67A-8720"]
    for value in ("OXE4", "HP6KORB", "16384", "02/05/2069"):
        assert sum(line.count(value) for line in lines) == 1, value


def test_a_bracket_at_a_line_reads_edge_is_no_rule() -> None:
    # the ``]``'s stem is as tall as the line, not the region: main whitened one column
    # of it at 32 pixels, leaving the rest of the bracket beside the ``B``
    screen = cv2.imread(str(BRACKET))
    context, inner = surroundings((40, 30, 111, 16), screen.shape)
    for height in (20.0, 26.0, 32.0):
        prepared = prepare(crop(screen, context), height, inner=inner)
        assert np.array_equal(_without_edge_rules(prepared).image, prepared.image), height


def test_a_rule_runs_on_past_the_line_a_stroke_does_not() -> None:
    rule = np.zeros((20, 2), bool)
    rule[2:, 0] = True  # from the line's top to the region's bottom
    assert _cut_rule(rule)
    stroke = np.zeros((20, 2), bool)
    stroke[2:18, 0] = True  # over 80% of the rows, ending inside the region
    stroke[0:2, 1] = True  # a piece of the line above in the next column
    assert not _cut_rule(stroke)


def test_a_tall_run_is_cut_at_a_valley_that_leaves_each_piece_a_line() -> None:
    # a faint first line (its brackets alone: 3 pixels a row), then two lines of text, the
    # brackets' 4 pixels between them: the emptiest row is in the faint line, where a cut
    # leaves a piece with no body; the valley between the two lines is cut instead
    counts = np.array([3] * 12 + [40] * 10 + [4] * 3 + [40] * 10, dtype=np.int64)
    ink = np.zeros((counts.size, 60), bool)
    for row, count in enumerate(counts):
        ink[row, :3] = ink[row, 57:] = True  # the brackets
        ink[row, 10 : 10 + max(0, count - 6)] = count > 6
    pieces = split_tall(counts, 0, counts.size, 10.0, 0.25, 0.5, ink)
    assert pieces == [(0, 22), (23, 35)]


def test_a_column_of_lines_is_no_word_of_a_line() -> None:
    assert _column_beside((0, 0, 30, 90), (40, 2, 60, 14), tallest=19.0)
    # a frame's piece two rows high beside a label (whiptail, DejaVu 13 through the camera)
    assert _column_beside((105, 159, 4, 27), (131, 167, 140, 18), tallest=20.8)
    assert not _column_beside((0, 0, 30, 21), (40, 0, 60, 24), tallest=19.0)  # words alike
    assert not _column_beside((0, 0, 30, 3), (40, 0, 60, 14), tallest=19.0)  # a dash
    # a big title's capital and small letters beside a page of small text
    assert not _column_beside((0, 0, 6, 35), (10, 9, 60, 26), tallest=16.0)


TIGHT = DATA / "dialog_checklist_camera_6x13_tight.png"
"""52 x 85 pixels, a dialog checklist in X 6x13 through the camera (the real programs'
tune split): ``25.69.2`` at (20, 20, 45, 12), the region ``read_beside`` reads, its
blurred letters as high as it."""


def test_text_filling_a_tight_region_is_measured_not_guessed() -> None:
    # no blob was a glyph's size (the letters run together, as tall as the region), and
    # the height fell back to 16 pixels: the 11-pixel value was upscaled too little
    screen = cv2.imread(str(TIGHT))
    assert text_height(screen[20:32, 20:65]) == 11.0


def test_letters_of_a_bars_colour_past_its_blur_keep_their_ink() -> None:
    # a console's highlighted row (reverse video: the bar is the letters' grey) and the
    # line below it, whose letters start two rows past the bar's edge: the blur's band
    # around a camera's bar is wider, and the letters' tops were taken for its blend
    bar, panel = np.array([170, 170, 170], np.uint8), np.array([0, 0, 0], np.uint8)
    band = np.zeros((8, 6, 3), np.uint8)
    band[:, 0] = 170  # a letter's stem, of the bar's own colour, down the band
    band[:, 1] = 60  # a faint blend, a third of the bar
    contrast = np.full((8, 6), 200, np.uint8)
    around = np.zeros((8, 6), np.uint8)  # every pixel a blend of bar and panel
    kept = _faded(around, contrast, band, bar, panel, (0, 2, 0, 6))
    assert (kept[:2] == 0).all()  # within two pixels of the bar: its blur
    assert (kept[2:, 0] == 200).all()  # past them, the letter keeps its ink
    assert (kept[2:, 1] == 0).all()  # and a faint blend is still the bar's rim
