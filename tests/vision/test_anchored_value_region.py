"""The region of a value beside its anchor: measured on the value's own ink.

The anchor's box comes from the whole-screen read, and its height from how that read
boxed the words of its line (a page read and a line read differ by a few pixels, and a
stray piece on the line adds more). The value is read from a region padded around its
own ink, so its region, and the read, do not move with the anchor's box.
"""

from __future__ import annotations

import pytest

from robotest.vision.text_search import _line_high, _nearest_text, anchored_region
from robotest.vision.words import Word

from .conftest import MONO, text_screen


@pytest.mark.parametrize("side", ["right_of", "left_of"])
def test_the_value_region_does_not_follow_the_anchor_box_height(side: str) -> None:
    text = "MAC Address   F9:80:05:81:3B:BB" if side == "right_of" else "F9:80:05:81 Address"
    screen = text_screen([(40, 60, text)], size=(700, 140), font=MONO, font_size=20)
    # the anchor ("Address") where a page read and a line read box it: the same word,
    # 2 and 5 pixels taller
    left = 40 + (4 if side == "right_of" else 12) * 12
    regions = set()
    for grown in (0, 2, 5):
        anchor = (left, 62 - grown // 2, 7 * 12, 18 + grown)
        area = anchored_region(anchor, side, (screen.shape[1], screen.shape[0]))
        regions.add(_nearest_text(screen, area, anchor, side))
    assert len(regions) == 1 and None not in regions


def test_an_anchor_is_as_high_as_its_lines_usual_word_not_its_tallest() -> None:
    # a camera page read boxed the value beside ``Firmware`` with a piece of the next
    # line (18 pixels on an 11-pixel line): the anchor grew as high as two lines, and
    # the value was read with the line below it
    line = (
        Word("[", (237, 91, 5, 13), 0.8),
        Word("]", (255, 91, 5, 13), 0.8),
        Word("Firmware", (271, 92, 71, 12), 0.8),
        Word("27.36", (397, 90, 45, 18), 0.7),
    )
    _, y, _, h = _line_high(line[2].box, line)
    assert (y, y + h) == (91, 104)
    # a label without ascenders is still made as high as its line's words
    line = (Word("uname", (10, 24, 40, 8), 0.9), Word("Linux", (60, 20, 40, 12), 0.9))
    assert _line_high(line[0].box, line)[1::2] == (20, 12)
