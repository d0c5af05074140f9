"""Values beside labels in small X fonts: colons and a heavy ``3`` Tesseract reads as
another character, a read again kept for a stray sign, and a digit the classifier sees
only in one window.

The frames are real, from the tune splits of the real-screens corpora
(`benchmarks/real_screens/build.py`): X 6x13 in xterm and in dialog and whiptail boxes,
on the framebuffer and photographed by the camera model, cropped around the value (each
region is the one ``read_beside`` reads on the whole frame, moved with the crop).
"""

from __future__ import annotations

from pathlib import Path

import cv2
import pytest

from robotest.vision import glyph_check, ocr, read_beside, tesseract
from robotest.vision.ocr_engine import _digits_alike
from robotest.vision.words import Word

DATA = Path(__file__).parent / "data"
MAC = DATA / "xterm_camera_6x13_mac.png"
"""72 x 190 pixels, xterm through the camera: ``9C:18:AD:A7:75:24`` at (40, 30, 110, 12)."""
UUID = DATA / "dialog_checklist_6x13_uuid.png"
"""73 x 195 pixels, a dialog checklist on the framebuffer: ``EC769D43-AB3F-B7F5`` at
(40, 30, 115, 13)."""
DATE = DATA / "xterm_camera_6x13_date.png"
"""76 x 151 pixels, xterm through the camera: ``02/07/2085`` at (40, 30, 71, 16)."""
PRODUCT = DATA / "whiptail_camera_6x13_product.png"
"""77 x 159 pixels, a whiptail menu through the camera: ``JSNFJH8-2657`` at
(40, 30, 79, 17)."""
EDGE = DATA / "xterm_6x13_uuid_edge.png"
"""90 x 260 pixels from the screen's left edge, xterm on the framebuffer: its border in
column 0, ``UUID`` from column 1 at (1, 47, 23, 9), its value ``DFC89357-FC99-66E0``."""

needs_model = pytest.mark.skipif(
    not tesseract.in_process() or glyph_check.model() is None,
    reason="read as the robot reads (tesserocr, its digits' alternatives), with the model",
)


@needs_model
def test_the_colons_of_a_mac_address_are_not_read_as_digits() -> None:
    # Tesseract read each colon ``3`` (``9C3183AD3A7375324``); the classifier sees a colon
    screen = cv2.imread(str(MAC))
    assert ocr(screen, (40, 30, 110, 12), layout="line").text == "9C:18:AD:A7:75:24"


@needs_model
def test_a_three_read_as_s_is_put_right() -> None:
    # Tesseract read ``AB3F`` as ``ABSF``; the classifier saw a ``3`` at 1.00
    screen = cv2.imread(str(UUID))
    assert ocr(screen, (40, 30, 115, 13), layout="line").text == "EC769D43-AB3F-B7F5"


@needs_model
def test_a_stray_sign_does_not_keep_a_digit_in_dispute() -> None:
    # first read ``92/07/2085 _``, its ``9`` in dispute (the classifier: ``0``); the read
    # again at 20 pixels, ``02/07/2085``, has none in dispute and was refused for the ``_``
    screen = cv2.imread(str(DATE))
    assert ocr(screen, (40, 30, 71, 16), layout="line").text == "02/07/2085"


@needs_model
def test_a_digit_seen_in_one_window_only_is_not_changed() -> None:
    # the classifier took the ``8`` of ``JH8`` for a ``0`` at 0.97 in its window, and for
    # an ``8`` a fifth of a cell left of it: no digit may become another on that
    screen = cv2.imread(str(PRODUCT))
    text = ocr(screen, (40, 30, 79, 17), layout="line").text
    assert "H0" not in text
    assert text.endswith("H8-2657")


@needs_model
def test_a_label_beside_a_border_at_the_regions_edge_is_read() -> None:
    # the page read gives ``WUID``; the line along it, reaching the border, gave ``\\uID``
    screen = cv2.imread(str(EDGE))
    assert ocr(screen, (0, 42, 80, 17), layout="line").text == "UUID"
    assert read_beside(screen, "UUID") == "DFC89357-FC99-66E0"


def test_a_stray_sign_apart_does_not_count_in_the_shape_of_a_read_again() -> None:
    first = [Word("92/07/2085", (0, 0, 70, 16), 0.9, ()), Word("_", (72, 0, 6, 16), 0.5, ())]
    assert _digits_alike([Word("02/07/2085", (0, 0, 70, 16), 0.9, ())], first)
    assert not _digits_alike([Word("02/07/Z085", (0, 0, 70, 16), 0.9, ())], first)
    assert not _digits_alike([Word("02/07/20855", (0, 0, 76, 16), 0.9, ())], first)
    # a sign inside a word still counts (``72,91.28,63`` read again ``72,91.28,63.``)
    first = [Word("72,91.28,63", (0, 0, 70, 16), 0.9, ())]
    assert not _digits_alike([Word("72,91.28,63.", (0, 0, 74, 16), 0.9, ())], first)
