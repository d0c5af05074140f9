"""OCR: lines, dark themes, tiny text, words with boxes, find_text and anchored reads."""

from __future__ import annotations

import numpy as np
import pytest

from robotest.errors import IconNotFound, TextNotFound
from robotest.vision import Icon, VisionInputError, find_text, ocr, read_beside

from .conftest import MONO, icon_image, paste, text_screen

ROWS = [("BIOS Version", "1.07.3"), ("Serial Number", "PF3K9XQ2"), ("Boot Mode", "UEFI")]


def _bios(background=(170, 60, 0), ink=(255, 255, 255)) -> np.ndarray:
    lines = []
    for i, (label, value) in enumerate(ROWS):
        lines += [(30, 30 + 40 * i, label), (300, 30 + 40 * i, value)]
    lines.append((560, 30, "Help: F10 Save"))
    return text_screen(lines, (800, 180), background=background, ink=ink, font=MONO)


def test_reads_a_region_with_word_boxes() -> None:
    screen = text_screen([(20, 20, "Storage 512 GB")], (400, 70))
    result = ocr(screen)
    assert result.text == "Storage 512 GB"
    assert [w.text for w in result.words] == ["Storage", "512", "GB"]
    first = result.words[0].box
    assert 15 <= first[0] <= 24 and 18 <= first[1] <= 28 and 60 < first[2] < 90
    assert all(0.5 < w.conf <= 1.0 for w in result.words)
    payload = result.to_dict()
    assert set(payload) == {"text", "words"} and set(payload["words"][0]) == {"text", "box", "conf"}


def test_light_text_on_dark_theme_is_read() -> None:
    screen = text_screen(
        [(20, 20, "Secure Boot Enabled")], (400, 70), background=(25, 25, 25), ink=(230, 230, 230)
    )
    assert ocr(screen).text == "Secure Boot Enabled"


def test_tiny_text_is_upscaled_and_read() -> None:
    screen = text_screen([(10, 8, "Build 2026.03.14 rev 7")], (260, 30), font_size=9)
    text = ocr(screen).text
    # every character is read; a 2-pixel space at this size may be missed
    assert text.split()[:2] == ["Build", "2026.03.14"]
    assert text.replace(" ", "") == "Build2026.03.14rev7"


def test_region_outside_the_screen_is_refused() -> None:
    with pytest.raises(VisionInputError, match="bad region"):
        ocr(_bios(), (10, 10, 0, 5))


def test_blank_region_reads_nothing() -> None:
    assert ocr(np.full((60, 300, 3), 200, np.uint8)).text == ""


def test_a_dark_screen_of_sensor_noise_reads_nothing() -> None:
    noise = np.random.default_rng(0).normal(12, 5, (540, 960, 3))
    dark = np.clip(noise, 0, 255).astype(np.uint8)
    assert ocr(dark).text == ""
    dark[240:300, 300:700] = 30  # a faint, text-free patch is no text either
    assert ocr(dark).text == ""
    yy, xx = np.mgrid[0:540, 0:960]
    glare = 90 * np.exp(-((xx - 500) ** 2 + (yy - 260) ** 2) / (2 * 120.0**2))
    assert ocr(np.clip(dark + glare[..., None], 0, 255).astype(np.uint8)).text == ""
    lit = text_screen(
        [(40, 40, "Starting RoboOS")], (960, 540), background=(12, 12, 12), ink=(200, 200, 200)
    )
    assert ocr(lit).text == "Starting RoboOS"  # dim background, but ink on it


def test_find_text_returns_the_phrase_box() -> None:
    match = find_text(_bios(), "serial number")
    assert match.found and match.box is not None
    x, y, w, h = match.box
    assert 25 <= x <= 35 and 65 <= y <= 80 and 120 <= w <= 160
    assert match.to_dict() == {"found": True, "box": list(match.box), "text": match.text}


def test_find_text_never_matches_a_different_word() -> None:
    screen = text_screen([(20, 20, "Boot Node 2")], (300, 60), font=MONO)
    assert not find_text(screen, "Boot Mode").found
    assert not find_text(screen, "Boot Node 3").found
    assert find_text(screen, "Boot Node 2").found


@pytest.mark.parametrize("theme", ["blue", "light"])
def test_read_right_of_a_label_stops_at_the_column(theme: str) -> None:
    screen = _bios() if theme == "blue" else _bios((235, 235, 235), (30, 30, 30))
    assert read_beside(screen, "BIOS Version", "right_of") == "1.07.3"
    assert read_beside(screen, "Serial Number", "right_of") == "PF3K9XQ2"


def test_read_left_below_and_above() -> None:
    screen = _bios()
    assert read_beside(screen, "UEFI", "left_of") == "Boot Mode"
    assert read_beside(screen, "BIOS Version", "below") == "Serial Number"
    assert read_beside(screen, "Boot Mode", "above") == "Serial Number"


def test_icon_anchor() -> None:
    screen = text_screen([(90, 30, "Wi-Fi Connected")], (400, 100), font=MONO)
    paste(screen, icon_image(5), 30, 22)
    icon = Icon.from_images("wifi", {"v1.png": icon_image(5)})
    assert read_beside(screen, icon, "right_of") == "Wi-Fi Connected"
    with pytest.raises(IconNotFound):
        read_beside(screen, Icon.from_images("other", {"v.png": icon_image(9)}), "right_of")


def test_missing_anchor_fails_the_step() -> None:
    with pytest.raises(TextNotFound, match="Processor"):
        read_beside(_bios(), "Processor", "right_of")


def test_bad_side_is_refused() -> None:
    with pytest.raises(VisionInputError, match="bad side"):
        read_beside(_bios(), "BIOS Version", "inside")  # type: ignore[arg-type]


def test_find_text_in_a_title_bar_of_bigger_text() -> None:
    screen = text_screen([(30, 120, "Boot Mode UEFI")], (900, 300), font=MONO)
    screen[:60] = (40, 40, 40)
    title = text_screen(
        [(30, 16, "BIOS Setup Utility")], (900, 60), (40, 40, 40), (235, 235, 235), 26
    )
    screen[:60] = title
    assert find_text(screen, "BIOS Setup Utility").found
    assert find_text(screen, "Boot Mode").found
