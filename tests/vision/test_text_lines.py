"""Whole-screen reads of small bitmap fonts, set as tightly as a terminal draws them.

A setup page in an X terminal: label/value rows one 13-15 pixel cell apart, two rows
highlighted (white on a red bar exactly one cell high), the window's one-pixel border
beside the text. Tesseract's own page layout merged such rows and lost most labels;
the lines are now found by layout (:mod:`robotest.vision.text_lines`) and read one by
one. The fonts are the X bitmap fonts of Debian's ``xfonts-base`` (installed by
``setup.sh --dev``), rendered with PIL.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont, PcfFontFile

from robotest.errors import TextNotFound
from robotest.vision import find_text, read_beside
from robotest.vision.backgrounds import even_runs
from robotest.vision.text_lines import RULE_THICK_BLURRED, rules, text_runs
from robotest.vision.text_search import _cache, screen_text

from .conftest import SANS

X_FONTS = Path("/usr/share/fonts/X11/misc")
ROWS = [
    ("CPU Type", "SNXPK0R4H1-9797"),
    ("Firmware", "29.16"),
    ("BIOS Version", "72.91.28.63"),
    ("MAC Address", "9C:18:AD:A7:75:24"),
    ("BIOS Date", "02/07/2085"),
    ("Product Name", "MLPJX3A-9311"),
    ("Build Number", "45346.2929"),
]
HIGHLIGHTED = (2, 5)


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    _cache.clear()


def x_font(name: str, tmp_path: Path) -> ImageFont.ImageFont:
    """The X bitmap font *name* (``6x13``) of xfonts-base, converted for PIL."""
    path = X_FONTS / f"{name}-ISO8859-1.pcf.gz"
    if not path.exists():
        pytest.skip(f"{path} missing: install xfonts-base (setup.sh --dev)")
    with gzip.open(path) as packed:
        PcfFontFile.PcfFontFile(io.BytesIO(packed.read())).save(str(tmp_path / name))
    return ImageFont.load(str(tmp_path / f"{name}.pil"))


def setup_page(face: ImageFont.ImageFont, cell: tuple[int, int]) -> np.ndarray:
    """A 1920x1080 BGR screen: the rows at the top left in an xterm's cells, rows
    HIGHLIGHTED in reverse video on a red bar, the window's black border at x = 0."""
    width, height = cell
    image = Image.new("RGB", (1920, 1080), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    for row, (label, value) in enumerate(ROWS):
        y = (row + 2) * height
        ink = (0, 0, 0)
        if row in HIGHLIGHTED:
            draw.rectangle((1, y, 60 * width, y + height - 1), fill=(205, 0, 0))
            ink = (255, 255, 255)
        draw.text((1, y), label, font=face, fill=ink)
        draw.text((1 + 20 * width, y), value, font=face, fill=ink)
    draw.line((0, 0, 0, 1079), fill=(0, 0, 0))
    return np.array(image)[:, :, ::-1].copy()


@pytest.mark.parametrize(
    ("font", "cell"), [("6x13", (6, 13)), ("8x13", (8, 13)), ("9x15", (9, 15))]
)
def test_every_label_of_a_tight_bitmap_page_is_found(
    font: str, cell: tuple[int, int], tmp_path: Path
) -> None:
    # main found 1-5 of the 7 labels (rows merged by Tesseract's page layout; the tops
    # of a highlighted row's letters taken for the panel across the bar's edge)
    screen = setup_page(x_font(font, tmp_path), cell)
    for label, _ in ROWS:
        assert find_text(screen, label).found, label
    read = [" ".join(w.text for w in line) for line in screen_text(screen).lines]
    for row in HIGHLIGHTED:
        assert any(line.startswith(ROWS[row][0]) for line in read), (ROWS[row][0], read)


def test_each_line_is_a_run_of_its_own_beside_a_border() -> None:
    # two lines of blocks one pixel apart, a border line down the left beside them
    ink = np.zeros((60, 200), np.uint8)
    for top in (10, 24):
        for left in range(4, 150, 8):
            ink[top : top + 12, left : left + 6] = 255
    ink[:, 0] = 255
    assert text_runs(ink, 12.0) == [(4, 10, 150, 12), (4, 24, 150, 12)]
    assert rules(ink, 12.0)[:, 0].all() and not rules(ink, 12.0)[:, 1:].any()


def test_a_bar_row_with_no_flat_pixel_takes_the_even_run_along_it() -> None:
    # a row of letter tops (every other pixel ink) then the bar running on evenly
    row = np.full((1, 120), 200, np.uint8)
    row[0, :40:2] = 40
    runs = even_runs(row, glyph_height=10.0, level=10)
    assert runs[0, 45:].all() and not runs[0, :38].any()


def test_the_words_of_a_bigger_line_are_one_run() -> None:
    # the page's text height is its small text's; a line twice as high has its words
    # a space apart, farther than that height: read one by one, `is` read `1S`
    ink = np.zeros((80, 300), np.uint8)
    ink[60:70, 10:40] = 255  # a small word elsewhere sets the text height
    for left, right in ((10, 80), (96, 120), (136, 170)):
        ink[10:34, left:right] = 255
    assert text_runs(ink, 10.0) == [(10, 10, 160, 24), (10, 60, 30, 10)]


def test_a_big_title_beside_small_text_is_read_whole() -> None:
    # the page's text height is the small text's: the title's stems are taller than
    # its rules, but no line; its ascender rows are no line of their own
    image = Image.new("RGB", (1200, 420), (240, 240, 240))
    draw = ImageDraw.Draw(image)
    draw.text((100, 60), "Install Ubuntu", font=ImageFont.truetype(SANS, 48), fill=(20, 20, 20))
    small = ImageFont.truetype(SANS, 14)
    for row in range(8):
        draw.text(
            (100, 200 + 20 * row), f"small text line {row} here", font=small, fill=(20, 20, 20)
        )
    screen = np.array(image)[:, :, ::-1].copy()
    assert find_text(screen, "Install Ubuntu").found
    assert screen_text(screen).lines[0][0].text == "Install"


def test_an_i_s_dot_over_a_line_without_ascenders_belongs_to_it() -> None:
    # the dot is a speck of its own; left out, `again` was read `agaln`
    ink = np.zeros((60, 200), np.uint8)
    ink[20:32, 10:90] = 255  # the letters' x-height
    ink[20:36, 30:36] = 255  # a `g`'s tail, a little below
    ink[37:40, 31:35] = 255  # ... cut off by the threshold
    ink[15:18, 60:63] = 255  # the `i`'s dot, above
    assert text_runs(ink, 12.0) == [(10, 15, 80, 21)]


def menu_page(face: ImageFont.ImageFont, cell: tuple[int, int]) -> np.ndarray:
    """A ``dialog`` menu as xterm draws it: a grey window on a blue screen, its list in a
    frame, each tag's first letter red, one item on a blue bar, rows one cell apart."""
    width, height = cell
    image = Image.new("RGB", (1920, 1080), (0, 0, 170))
    draw = ImageDraw.Draw(image)
    draw.rectangle((8 * width, 2 * height, 80 * width, 20 * height), fill=(192, 192, 192))
    draw.rectangle((10 * width + 4, 4 * height + 6, 78 * width + 3, 15 * height + 6), outline=0)
    for row, (label, value) in enumerate(ROWS):
        x, y = 27 * width, (5 + row) * height
        ink, first = (0, 0, 0), (170, 0, 0)
        if row == 3:
            draw.rectangle((x, y, x + 40 * width - 1, y + height - 1), fill=(0, 0, 170))
            ink = first = (255, 255, 255)
        draw.text((x, y), label[0], font=face, fill=first)
        draw.text((x + width, y), label[1:], font=face, fill=ink)
        draw.text((x + 15 * width, y), value, font=face, fill=ink)
    return np.array(image)[:, :, ::-1].copy()


def test_the_items_of_a_menu_set_row_on_row_are_found(tmp_path: Path) -> None:
    # the layout could not part the menu's rows (the bar and touching letters join them):
    # they were read as one run, as one line, and every label was lost (dialog menus in
    # the real-programs benchmark)
    screen = menu_page(x_font("8x13", tmp_path), (8, 13))
    read = {label: _beside(screen, label) for label, _ in ROWS}
    assert sum(bool(value) for value in read.values()) >= 6, read  # labels found


def _beside(screen: np.ndarray, label: str) -> str:
    try:
        return read_beside(screen, label, "right_of")
    except TextNotFound:
        return ""


def test_a_short_word_s_line_touching_a_long_one_is_a_line_of_its_own() -> None:
    # through a camera a list's rows touch: a short label (`UUID`) over a long one
    # (`Serial Number`) holds a third of the long one's ink per row, and was taken for
    # a big line's ascenders: the rows stayed one block, read with the lines mixed
    ink = np.zeros((60, 200), np.uint8)
    for top, right in ((10, 40), (24, 160)):
        for left in range(4, right, 8):
            ink[top : top + 12, left : left + 6] = 255
    ink[22:24, 10:12] = 255  # the blur joins the two rows
    runs = text_runs(ink, 12.0)
    assert len(runs) == 2 and runs[0][2] < 40 and runs[1][2] > 150


def test_a_blurred_frame_line_three_pixels_thick_is_a_rule_on_a_camera_page() -> None:
    # a one-pixel list frame through a camera's blur, upscaled: three pixels thick
    ink = np.zeros((80, 60), np.uint8)
    ink[:, 5:8] = 255
    assert not rules(ink, 12.0)[:, 5:8].any()  # a framebuffer's letter stem is as thick
    assert rules(ink, 12.0, thick=RULE_THICK_BLURRED)[:, 5:8].all()
