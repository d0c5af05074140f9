"""X bitmap fonts (``xfonts-base``) as a real xterm draws them: the glyph model now knows
the real-screens benchmark's tune X fonts (6x13, 9x15, ``benchmarks/glyph_training.py``).

The frame is real, from the tune split of the real-programs corpus
(``benchmarks/real_screens/programs.py``): ``whiptail`` in an xterm in 6x13 on Xvnc, the
framebuffer cropped around the ``Firmware`` row.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import pytest

from robotest.vision import glyph_check, ocr, read_beside, tesseract

DATA = Path(__file__).parent / "data"
FIRMWARE = DATA / "whiptail_firmware_6x13.png"
"""45 x 280 pixels of the framebuffer; the value ``9.53`` at (138, 18, 24, 13)."""

pytestmark = pytest.mark.skipif(
    not tesseract.in_process() or glyph_check.model() is None,
    reason="Tesseract's alternatives come from the library (tesserocr), and the model is needed",
)


def test_a_six_by_thirteen_nine_tesseract_read_as_three_is_read_right() -> None:
    # Tesseract reads 6x13's ``9`` as ``3`` (83 against 75 for the ``9``); the model
    # trained without X fonts saw a ``3`` too, and main read ``3.53``
    screen = cv2.imread(str(FIRMWARE))
    assert read_beside(screen, "Firmware", "right_of") == "9.53"
    assert ocr(screen, (135, 17, 30, 15), layout="line").text == "9.53"


def test_the_model_sees_the_six_by_thirteen_digits() -> None:
    # every digit of the value, cut where Tesseract placed it, is the classifier's first
    # choice, and surely
    screen = cv2.imread(str(FIRMWARE))
    model = glyph_check.model()
    assert model is not None
    seen = []

    def spy(ink, scale, origin, words, area=None):  # type: ignore[no-untyped-def]
        glyphs = glyph_check.line_windows(ink, scale, origin, words, area)
        probabilities = model.probabilities(glyphs.windows)
        seen.extend((model.classes[int(p.argmax())], float(p.max())) for p in probabilities)
        return original(ink, scale, origin, words, area)

    from robotest.vision import ocr_engine

    original = ocr_engine.second_opinion
    ocr_engine.second_opinion = spy
    try:
        ocr(screen, (135, 17, 30, 15), layout="line")
    finally:
        ocr_engine.second_opinion = original
    digits = [(c, p) for c, p in seen if c.isdigit()]
    assert [c for c, _ in digits][:3] == ["9", "5", "3"]
    assert min(p for _, p in digits[:3]) >= 0.9
