"""Values beside labels through the camera: where the value's region is chosen.

The frames are real, from the real-screens benchmark's tune material
(`benchmarks/real_screens/`): xterm and dialog/whiptail lists in X fonts photographed by
the camera model, cropped around the labels.

Three faults chose the value's region wrong where a plain read of the value was right: a
bar's blurred rim above the label's line taken for the first word beside it, a band beside
the label running past its dialog's edge (the edge's contrast hid the blurred letters), and
two rows of a checklist grouped into one line by a bracket between them, the label then
boxed from one row's word and the other's.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from robotest.vision import read_beside
from robotest.vision.ocr_engine import group_lines
from robotest.vision.text_search import (
    _band_ink,
    _body,
    _cache,
    _nearest_text,
    _within_panel,
    anchored_region,
    read_region_beside,
)
from robotest.vision.words import Word

DATA = Path(__file__).parent / "data"
RIM = DATA / "xterm_camera_9x15_rim.png"
"""100 x 320 pixels, an xterm in X 9x15 through the camera (`real-screens`, tune): the
highlighted ``Asset Tag`` row's bar, then ``EC Version 6.11.25`` right below it."""
EDGE = DATA / "dialog_checklist_camera_9x18_edge.png"
"""110 x 410 pixels, a dialog checklist in X 9x18 through the camera (`hl35a-extra`): the
list's last rows, the dialog's right edge, its shadow and the dark desktop beyond."""
UNDER_BAR = DATA / "dialog_checklist_camera_9x15_under_bar.png"
"""80 x 800 pixels, a dialog checklist in X 9x15 through the camera (`real-programs-7`,
tune): the highlighted ``CPU Type`` row's bar, then ``MAC Address A9:CA:47:97:18:60``."""
COLUMNS = DATA / "whiptail_menu_camera_5x8_columns.png"
"""60 x 270 pixels, a whiptail menu in X 5x8 through the camera (`hl38-extra`): its small
letters ink whole columns of a band beside a label, the panel around them."""
ROWS = DATA / "whiptail_checklist_camera_6x12_rows.png"
"""200 x 560 pixels, a whiptail checklist in X 6x12 through the camera (`hl38-extra`):
``ME Version`` and ``EC Version`` in adjacent rows, check boxes before them."""
ON_BAR = DATA / "whiptail_menu_camera_6x13_bar.png"
"""60 x 450 pixels, a whiptail menu in X 6x13 through the camera (`real-programs-7`,
tune): ``Memory Size 32768 MB`` on the highlighted row's red bar, which ends a few
characters past the value, the menu's grey beyond."""


def test_a_bars_rim_above_the_line_is_not_the_value() -> None:
    # main took the rim's faint row (parted from the line by a clean row) for the first
    # word beside the label and read the gap: ``see``
    screen = cv2.imread(str(RIM))
    assert read_region_beside(screen, (1, 45, 90, 14), "right_of") == "6.11.25"


def test_a_value_is_measured_on_its_own_panel_not_past_the_dialogs_edge() -> None:
    # main measured the band up to the desktop's edge: ``4`` and an empty read
    screen = cv2.imread(str(EDGE))
    _cache.clear()
    assert read_beside(screen, "ME Version", "right_of") == "8.57.50.32"
    assert read_beside(screen, "EC Version", "right_of").replace(",", ".") == "78.81.62.93"


def test_a_bar_joined_to_the_anchors_box_is_left_out() -> None:
    # the anchor's box reaches two rows into the bar above, whose blurred bottom touches
    # the value: main took the bar's rows with the value's (read ``:CA:47:97:18:60 AY``)
    screen = cv2.imread(str(UNDER_BAR))
    anchor = (73, 35, 97, 14)
    area = anchored_region(anchor, "right_of", (screen.shape[1], screen.shape[0]))
    box = _nearest_text(screen, area, anchor, "right_of")
    assert box is not None
    assert box[1] >= 36 and box[1] + box[3] >= 48


def test_small_letters_inking_whole_columns_are_no_panel_edge() -> None:
    screen = cv2.imread(str(COLUMNS))
    assert read_region_beside(screen, (16, 30, 50, 7), "right_of").replace(",", ".") == ("95.62.95")


def test_a_highlighted_bars_end_is_no_panel_edge() -> None:
    # main took the bar's end for the panel's edge (the bar's red beside the label, the
    # grey past it) and measured the band on the bar alone; on a held-out whiptail 7x14
    # menu that read ``6.83.43.37`` as ``A K4 44. 47``
    screen = cv2.imread(str(ON_BAR))
    anchor = (26, 25, 64, 10)
    area = anchored_region(anchor, "right_of", (screen.shape[1], screen.shape[0]))
    ink = _band_ink(screen, area)
    assert np.array_equal(_within_panel(screen, area, ink, "right_of", anchor[3]), ink)
    assert read_region_beside(screen, anchor, "right_of") == "32768 MB"


def test_two_rows_of_a_checklist_are_two_lines() -> None:
    # main grouped ``ME Version`` and ``EC Version`` into one line through the brackets
    # between them, and the label was not found
    screen = cv2.imread(str(ROWS))
    _cache.clear()
    assert read_beside(screen, "EC Version", "right_of") == "58.14"
    assert read_beside(screen, "ME Version", "right_of") == "87.42"


def _word(text: str, x: int, y: int, w: int, h: int) -> Word:
    return Word(text=text, box=(x, y, w, h), conf=0.9)


def test_a_mark_between_rows_does_not_join_them() -> None:
    # the words of ``ROWS``' page read around the two rows (main's read): main grew the
    # first line to a bracket's rows, then to the next row's ``EC``
    boxes = {
        "ME": (96, 76, 12, 8), "EC": (96, 86, 12, 10), "Version": (114, 76, 42, 8),
        "Version ": (114, 88, 42, 8), "wi": (72, 73, 17, 12), "il": (54, 80, 3, 8),
        '"al': (56, 88, 3, 2), "J": (56, 91, 3, 4), "|": (72, 90, 1, 4),
        "]": (86, 86, 4, 10), "| ": (482, 78, 1, 6), "|  ": (482, 85, 1, 6),
        "|   ": (482, 92, 1, 4), "tl": (56, 76, 2, 2),
    }  # fmt: skip
    lines = group_lines([_word(text.strip(), *box) for text, box in boxes.items()])
    texts = [" ".join(w.text for w in line) for line in lines]
    assert any("ME Version" in text for text in texts), texts
    assert any("EC Version" in text for text in texts), texts


def test_words_of_one_line_stay_one_line() -> None:
    words = [
        _word("Build", 1, 94, 30, 10),
        _word("Number", 37, 94, 36, 10),
        _word("45346", 121, 93, 29, 11),
        _word(".", 150, 101, 3, 3),
        _word("2929", 154, 93, 27, 11),
    ]
    assert [[w.text for w in line] for line in group_lines(words)] == [
        ["Build", "Number", "45346", ".", "2929"]
    ]


def test_thin_runs_of_rows_are_no_letters_body() -> None:
    ink = np.zeros((16, 40), dtype=bool)
    ink[0, 0:10] = True  # a rim's faint row, then a clean row
    ink[2:14, 20:30] = True  # the line's letters
    ink[2:4, 35] = True  # a letter's dot-like piece inside the body's rows
    body = _body(ink, 14)
    assert not body[0].any()
    assert body[2:14, 20:30].all() and body[2:4, 35].all()
    # no run is thick enough: all of it
    specks = np.zeros((10, 10), dtype=bool)
    specks[4, 2:5] = True
    assert np.array_equal(_body(specks, 14), specks)


def test_specks_over_a_lines_words_do_not_come_between_them() -> None:
    # a console's page read through the camera (Lat15 Fixed 18): ``EC`` read as two
    # pieces, ``-*`` over ``oe``, and a speck in ``Version``; joined to the line, ``-*``
    # parted ``oe`` from ``Version`` and no run of words was near ``EC Version``
    words = [
        _word("oe", 2, 170, 14, 7),
        _word("-*", 2, 165, 14, 4),
        _word("Version", 24, 165, 56, 12),
        _word("a", 59, 165, 2, 2),
        _word("17", 160, 165, 15, 12),
        _word(".98.44.60", 179, 165, 70, 12),
    ]
    texts = [" ".join(w.text for w in line) for line in group_lines(words)]
    assert "oe Version 17 .98.44.60" in texts, texts


def test_a_rules_pieces_over_a_title_do_not_come_between_its_words() -> None:
    # a dialog title bar through the camera (X 8x13): pieces of the rule above it, a
    # pixel high, read as words over the title's; those past its end may stay
    words = [
        _word("Systen", 1, 0, 55, 14),
        _word("—_—_—", 25, 0, 24, 1),
        _word("Setup", 65, 0, 40, 14),
        _word("—_", 72, 0, 22, 1),
        _word("Utility", 109, 0, 75, 14),
        _word("—_~", 120, 0, 16, 1),
        _word("2.98", 187, 0, 45, 12),
        _word("—_—", 250, 0, 35, 1),
    ]
    texts = [" ".join(w.text for w in line) for line in group_lines(words)]
    assert any(text.startswith("Systen Setup Utility 2.98") for text in texts), texts
