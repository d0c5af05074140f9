"""Title bars that start at the screen's left edge, whose first column is black: real
`whiptail` titles from the tune split of `benchmarks/real_screens/programs.py` (an X 6x13
font grabbed over VNC, DejaVu Sans Mono 13 through the camera model), each cropped to the
screen's top-left corner.

Read with its first letter, the edge column turned ``System`` into ``Bystem`` (6x13) or
``system`` (DejaVu): a rule at a line read's edge is whitened before the read
(``ocr_engine._without_edge_rules``; branch titles38 found the same cause as val38 and
its crops are kept here).
"""

from __future__ import annotations

from pathlib import Path

import cv2
import pytest

from robotest.vision import ocr

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize(
    ("name", "region", "title"),
    [
        ("whiptail_title_edge_6x13.png", (0, 0, 159, 14), "System Setup Utility 16.20"),
        ("whiptail_title_edge_camera_dejavu13.png", (0, 0, 255, 24), "System Setup Utility 4.95"),
    ],
)
def test_a_title_at_the_screens_edge_is_read_without_the_edge(
    name: str, region: tuple[int, int, int, int], title: str
) -> None:
    screen = cv2.imread(str(DATA / name))
    assert screen[:, 0].max() < 80  # the screen's first column is black, beside the ``S``
    assert ocr(screen, region, layout="line").text == title
