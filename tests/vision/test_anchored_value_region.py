"""The region of a value beside its anchor: measured on the value's own ink.

The anchor's box comes from the whole-screen read, and its height from how that read
boxed the words of its line (a page read and a line read differ by a few pixels, and a
stray piece on the line adds more). The value is read from a region padded around its
own ink, so its region, and the read, do not move with the anchor's box.
"""

from __future__ import annotations

import pytest

from robotest.vision.text_search import _nearest_text, anchored_region

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
