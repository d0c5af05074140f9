"""The text height measured on blurred screens (generated, as a camera sees them)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from robotest.vision.ocr_engine import prepare, text_height

FONT, SIZE = cv2.FONT_HERSHEY_PLAIN, 0.8
"""A thin font whose capitals are 9 pixels high."""


def _console(blur: float) -> np.ndarray:
    """A dark console: a title bar and a highlighted row in the letters' own grey, with
    dark letters on them, and three lines of grey letters one stroke thin."""
    screen = np.zeros((120, 400), np.uint8)
    screen[:14] = 170
    cv2.putText(screen, "Setup Configuration", (4, 11), FONT, SIZE, 0, 1)
    lines = ["BIOS Version   1.07.3", "Kernel   6.1.0-27", "Memory Size   16384 MB"]
    for row, text in enumerate(lines):
        cv2.putText(screen, text, (4, 40 + 20 * row), FONT, SIZE, 170, 1)
    screen[95:110] = 170
    cv2.putText(screen, "Serial Number  QA17", (4, 106), FONT, SIZE, 0, 1)
    return cv2.GaussianBlur(screen, (0, 0), blur) if blur else screen


@pytest.mark.parametrize("blur", [1.0, 1.2])
def test_thin_letters_blurred_beside_bars_keep_their_height(blur: float) -> None:
    # Otsu's split parts the bars from the console; the thin letters, blurred to half the
    # bars' grey, were cut into specks by it and measured 5.5-6 pixels high for 9 (the
    # Lat15 Fixed16 console through the camera: its page upscaled twice too much)
    assert text_height(_console(0)) == 9.0
    assert text_height(_console(blur)) == pytest.approx(9.0, abs=1.0)


def test_a_blurred_console_is_upscaled_as_its_framebuffer_is() -> None:
    crisp, blurred = prepare(_console(0)), prepare(_console(1.2))
    assert blurred.scale == pytest.approx(crisp.scale, rel=0.15)


def test_light_letters_on_a_bar_in_a_light_panel_are_measured_by_their_holes() -> None:
    # Otsu's split puts the bar's white letters with the panel: the bar is the minority,
    # one blob, and the letters are its holes (whiptail's highlighted value)
    band = np.full((40, 300), 200, np.uint8)
    cv2.putText(band, "Memory Size", (4, 26), FONT, SIZE, 20, 1)
    band[12:32, 110:290] = 60
    cv2.putText(band, "32768 MB", (116, 27), FONT, SIZE, 255, 1)
    assert text_height(cv2.GaussianBlur(band, (0, 0), 0.8)) == pytest.approx(9.0, abs=1.0)
