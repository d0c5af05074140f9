"""Line reads on Linux consoles through the camera, where the lines touch: the pieces of
the lines above and below a region cuts, the second opinion's windows on the line's own
ink, and characters put on their cells.

The frames are real, from the tune split of the first real-screens corpus
(`benchmarks/real_screens/build.py`): Linux consoles in Lat15-Terminus16 and Lat15-VGA16
photographed by the camera model, cropped (the regions below are those the whole frame
was read with, moved with the crop).
"""

from __future__ import annotations

from pathlib import Path

import cv2
import pytest

from robotest.vision import glyph_check, ocr, tesseract
from robotest.vision.glyph_check import line_windows, on_grid
from robotest.vision.ocr_engine import (
    _line_rows,
    crop,
    ink_image,
    origin,
    prepare,
    read_line,
    surroundings,
)
from robotest.vision.words import Word

DATA = Path(__file__).parent / "data"
CPU_TYPE = DATA / "console_terminus16_camera_cpu_type.png"
"""68 x 300 pixels: ``CPU Type`` at about (0, 25, 64, 11), the lines ``Asset Tag`` above
and ``Product Name`` below touching it."""
SERVICE = DATA / "console_vga16_camera_service.png"
"""100 x 480 pixels: the systemd line ``  rwyu.service  loaded active running ...`` in
the region (0, 40, 460, 20), the dmesg line ``[  894.325899] ...`` below it."""
REVISION = DATA / "console_terminus16_camera_revision.png"
"""60 x 300 pixels: the value ``EXQWA4P-7330`` beside ``Board Revision`` in the region
(156, 24, 104, 15) that ``read_beside`` reads on the whole frame."""
PRODUCT = DATA / "console_vga16_camera_product.png"
"""80 x 320 pixels: ``Product Name`` in the region (0, 25, 112, 20) that ``find_text``'s
second look reads along its near miss (``Product Mane``)."""

pytestmark = pytest.mark.skipif(
    not tesseract.in_process() or glyph_check.model() is None,
    reason="read as the robot reads (tesserocr, its digits' alternatives), with the model",
)


def test_a_line_cut_into_by_its_neighbours_is_read() -> None:
    # the region along a near miss of ``CPU Type`` (``CPU Tupe`` on the page) takes in
    # the foot of ``Asset Tag`` and the top of ``Product Name``: Tesseract read nothing
    screen = cv2.imread(str(CPU_TYPE))
    assert ocr(screen, (0, 20, 99, 25), layout="line").text == "CPU Type"


def test_the_next_lines_bracket_is_not_read_before_a_line_starting_with_spaces() -> None:
    # the top of the next line's ``[`` at the region's foot was read ``_``
    screen = cv2.imread(str(SERVICE))
    text = ocr(screen, (0, 40, 460, 20), layout="line").text
    assert text.split()[0].endswith(".service")
    assert text.split()[1:4] == ["loaded", "active", "running"]


def test_a_digit_whose_box_slipped_off_its_cell_is_seen_on_its_cell() -> None:
    # Tesseract read the ``0`` as ``8`` and centred it half a cell left, across the ``3``
    screen = cv2.imread(str(REVISION))
    assert ocr(screen, (156, 24, 104, 15), layout="line").text == "EXQWA4P-7330"


def test_the_windows_stand_on_the_lines_own_ink() -> None:
    # Tesseract boxes the words as high as the region (16 pixels); the text is 10-11 high,
    # and windows cut about the boxes showed two letters each, none read right
    screen = cv2.imread(str(PRODUCT))
    area = (0, 25, 112, 20)
    context, inner = surroundings(area, screen.shape)
    image = crop(screen, context)
    prepared = prepare(image, inner=inner)
    words = read_line(image, area, prepared, inner)
    rows = _line_rows(prepared, area)
    assert rows is not None and rows[1] - rows[0] <= 12
    glyphs = line_windows(ink_image(prepared), prepared.scale, origin(prepared, area), words, area)
    model = glyph_check.model()
    assert model is not None
    seen = "".join(model.classes[int(i)] for i in model.probabilities(glyphs.windows).argmax(1))
    assert seen[:7] == "Product"


def _word(centres: list[float]) -> Word:
    return Word("x" * len(centres), (0, 0, 10, 10), 0.9, centres=tuple(centres))


def test_centres_off_their_cells_are_put_on_them_only_where_characters_step_evenly() -> None:
    slipped = _word([164.0, 172.1, 180.0, 191.3, 196.1, 204.0, 215.2, 219.9])
    on = on_grid([slipped])[0]
    assert on[3] == pytest.approx(188.0, abs=0.5) and on[6] == pytest.approx(212.0, abs=0.5)
    assert on[:3] == slipped.centres[:3]
    # a proportional word (``Imaging``) is left as read
    proportional = _word([2.0, 9.0, 19.5, 26.0, 30.0, 35.0, 42.0])
    assert on_grid([proportional])[0] == proportional.centres
    # a character read twice puts the cells of those before it a whole cell off: kept
    doubled = _word([4.0, 12.0, 20.0, 26.0, 28.0, 36.0, 44.0, 52.0, 60.0, 68.0, 76.0, 84.0])
    assert on_grid([doubled])[0] == doubled.centres
    # and a word too short to show its cells
    short = _word([0.0, 8.0, 19.0])
    assert on_grid([short])[0] == short.centres


DMESG = DATA / "console_terminus16_camera_dmesg.png"
"""100 x 480 pixels: the dmesg line ``[  610.196097] driver 6-8: network ready`` in the
region (0, 40, 324, 20)."""


def test_a_closing_bracket_read_as_a_parenthesis_is_put_right() -> None:
    # with the lines above and below cleared, Tesseract reads the ``]`` as ``)``; the
    # classifier is sure of the ``]`` (a confusion of 190 in the training's 2240 ``]``)
    screen = cv2.imread(str(DMESG))
    assert (
        ocr(screen, (0, 40, 324, 20), layout="line").text
        == "[ 610.196097] driver 6-8: network ready"
    )


def test_a_bracket_stays_in_both_its_groups() -> None:
    assert glyph_check._may_become("610.196097)", 10, "]")
    assert glyph_check._may_become("918.0836321", 10, "]")
    assert not glyph_check._may_become("Intel(R)", 7, "l")
