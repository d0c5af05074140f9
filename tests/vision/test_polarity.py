"""Text of any polarity: highlighted rows, title bars, coloured bars, dark panels.

Each screen mixes backgrounds the way setup pages and text-mode installers do: a light
panel with one row highlighted by a dark bar barely taller than its text, a title bar,
a dark console pane. Every text is read where it stands, with no key pressed to move
the highlight.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from robotest.vision import find_text, ocr, read_beside
from robotest.vision.images import to_grey
from robotest.vision.text_search import _cache

from .conftest import MONO, SANS

PANEL, INK = (200, 200, 200), (30, 30, 30)
BAR, ON_BAR = (120, 40, 0), (255, 255, 255)  # BGR: white on dark blue
ROWS = [("BIOS Version", "1.07.3"), ("EC Version", "2.14"), ("Serial Number", "CB14-2611-0042")]


def _menu(highlight: int, size: int = 18, bar_pad: int = 2) -> np.ndarray:
    """A light panel of label/value rows, row *highlight* on a dark bar *bar_pad* pixels
    taller than the font's line; a title bar; a dark console pane."""
    image = Image.new("RGB", (900, 420), PANEL[::-1])
    draw = ImageDraw.Draw(image)
    face = ImageFont.truetype(MONO, size)
    ascent, descent = face.getmetrics()
    draw.rectangle((0, 0, 899, ascent + descent + 8), fill=(0, 0, 170))
    draw.text((300, 4), "Setup Configuration", font=face, fill=(255, 255, 85))
    for index, (label, value) in enumerate(ROWS):
        y = 60 + index * (ascent + descent + 2 * bar_pad)
        colour = INK[::-1]
        if index == highlight:
            draw.rectangle((20, y - bar_pad, 600, y + ascent + descent + bar_pad), fill=BAR[::-1])
            colour = ON_BAR[::-1]
        draw.text((30, y), label, font=face, fill=colour)
        draw.text((300, y), value, font=face, fill=colour)
    draw.rectangle((0, 260, 899, 419), fill=(12, 12, 12))
    draw.text((20, 280), "Kernel release", font=face, fill=(200, 200, 200))
    draw.text((20, 280 + ascent + descent + 4), "6.1.0-27-amd64", font=face, fill=(200, 200, 200))
    return np.array(image)[:, :, ::-1].copy()


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    _cache.clear()


@pytest.mark.parametrize("highlight", range(len(ROWS)))
def test_a_highlighted_label_is_found_and_its_value_read(highlight: int) -> None:
    screen = _menu(highlight)
    for label, value in ROWS:
        assert find_text(screen, label).found, label
        assert read_beside(screen, label, "right_of") == value


@pytest.mark.parametrize("bar_pad", [0, 1, 4])
def test_bars_as_tight_as_a_terminal_cell_are_read(bar_pad: int) -> None:
    screen = _menu(1, size=14, bar_pad=bar_pad)
    assert find_text(screen, "EC Version").found
    assert read_beside(screen, "EC Version", "right_of") == "2.14"


def test_a_title_bar_and_a_dark_pane_are_read_with_the_rest() -> None:
    text = ocr(_menu(0)).text
    assert "Setup Configuration" in text
    assert "6.1.0-27-amd64" in text
    assert "BIOS Version 1.07.3" in text
    assert read_beside(_menu(2), "Kernel release", "below") == "6.1.0-27-amd64"


def test_coloured_text_on_a_bar_of_the_same_brightness_is_read() -> None:
    # red on green of equal grey level: nothing to see in grey, plain to a person
    image = Image.new("RGB", (500, 60), (0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 499, 59), fill=(0, 130, 0))
    face = ImageFont.truetype(SANS, 22)
    draw.text((20, 15), "Boot Order 2", font=face, fill=(255, 0, 0))
    screen = np.array(image)[:, :, ::-1].copy()
    grey = to_grey(screen).astype(int)
    assert abs(grey[5, 5] - grey.min()) < 3  # the text's grey is the bar's
    assert ocr(screen, (0, 0, 500, 60), layout="line").text == "Boot Order 2"


@pytest.mark.parametrize("seed", [1, 2])
def test_a_highlighted_row_through_a_camera(seed: int) -> None:
    screen = _through_a_camera(_menu(1), seed)
    assert find_text(screen, "EC Version").found
    assert read_beside(screen, "EC Version", "right_of") == "2.14"


def _through_a_camera(screen: np.ndarray, seed: int) -> np.ndarray:
    """Blurred and resampled as a camera and rectification do, with sensor noise."""
    blurred = cv2.GaussianBlur(screen, (0, 0), 1.0)
    small = cv2.resize(blurred, None, fx=0.85, fy=0.85, interpolation=cv2.INTER_AREA)
    seen = cv2.resize(small, (screen.shape[1], screen.shape[0]), interpolation=cv2.INTER_LINEAR)
    noise = np.random.default_rng(seed).normal(0, 2.5, seen.shape)
    return np.clip(seen + noise, 0, 255).astype(np.uint8)


def _terminal_title(size: int) -> np.ndarray:
    """A terminal's title bar as setup menus draw it: at the screen's top edge, one cell
    high (the text fills it), bold white on blue, over a black pane of text."""
    face = ImageFont.truetype(MONO, size)
    ascent, descent = face.getmetrics()
    cell = ascent + descent
    image = Image.new("RGB", (720, 12 * cell), (0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 719, cell - 1), fill=(0, 0, 205))
    draw.text((200, 0), "Setup Configuration 60", font=face, fill=(255, 255, 255))
    for row in range(2, 12):
        draw.text((0, row * cell), f"{row:02d} mounted 1.07.{row}", font=face, fill=(190, 190, 190))
    return np.array(image)[:, :, ::-1].copy()


@pytest.mark.parametrize("size", [13, 14])
def test_a_title_bar_one_cell_high_at_the_screen_edge_through_a_camera(size: int) -> None:
    # the bar has no flat pixel above or below its text once blurred: its background is
    # along the row, not across the bar's edge in the black pane
    screen = _through_a_camera(_terminal_title(size), seed=3)
    width = ImageFont.truetype(MONO, size).getbbox("Setup Configuration 60")[2]
    region = (196, 0, width + 8, screen.shape[0] // 12 + 1)
    assert ocr(screen, region, layout="line").text == "Setup Configuration 60"


def _bold_welcome() -> np.ndarray:
    """A login screen's big bold greeting on a slow gradient: its strokes' insides are
    flat areas as big as a letter's counter."""
    rows = np.linspace(40, 120, 400).astype(np.uint8)
    image = np.zeros((400, 1000, 3), np.uint8)
    image[:, :, 0], image[:, :, 1], image[:, :, 2] = rows[:, None] + 60, rows[:, None], 30
    picture = Image.fromarray(image[:, :, ::-1].copy())
    face = ImageFont.truetype(SANS.replace("DejaVuSans", "DejaVuSans-Bold"), 64)
    ImageDraw.Draw(picture).text(
        (500, 120), "Welcome", font=face, fill=(255, 255, 255), anchor="mm"
    )
    return np.array(picture)[:, :, ::-1].copy()


def test_a_big_bold_word_is_read_whole() -> None:
    # the insides of heavy strokes are nowhere wide: no background, the word stays ink
    screen = _bold_welcome()
    assert find_text(screen, "Welcome", (60, 40, 880, 200)).found
