"""Whole-screen reads of a Linux text console: a small bitmap font on part of the screen.

The console is drawn in a PSF font of ``console-setup-linux`` (installed by
``setup.sh --dev``) by the benchmark's own PSF reader, glyph by glyph, as the kernel's
framebuffer console draws it.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from robotest.vision import glyph_check, ocr, ocr_engine, read_beside
from robotest.vision.words import Word

PSF_READER = Path(__file__).parents[2] / "benchmarks" / "real_screens" / "psf.py"
FONT = Path("/usr/share/consolefonts/Lat15-VGA16.psf.gz")
ROWS = [
    "Setup Configuration 42",
    "",
    "BIOS Version        1.07.3",
    "Memory Size         16384 MB",
    "Serial Number       QA17-7499",
    "Kernel              6.1.0-27-amd64",
    "",
    "[    3.145926] usb 1-2: new device found",
    "-rw-r--r-- 1 root root 2880 Oct 22 17:01 os-release",
]


def _console(rows: list[str]) -> np.ndarray:
    if not FONT.exists():
        pytest.skip(f"{FONT} missing: install console-setup-linux (setup.sh --dev)")
    spec = importlib.util.spec_from_file_location("real_screens_psf", PSF_READER)
    assert spec is not None and spec.loader is not None
    psf = sys.modules.setdefault(spec.name, importlib.util.module_from_spec(spec))
    spec.loader.exec_module(psf)  # registered first: its dataclass looks its module up
    return psf.render(psf.load_psf(FONT), rows, (1920, 1080), 0xAA, 0)


def test_labels_of_a_console_are_found_by_the_whole_screen_read() -> None:
    # an 8x16 console font at 1920x1080: read at its own size, Tesseract's page mode
    # lost most labels (`Kernel` read `Ker i`, `Memory Size` not at all)
    screen = _console(ROWS)
    page = ocr(screen).text
    for label in ("BIOS Version", "Memory Size", "Serial Number", "Kernel"):
        assert label in page
    assert read_beside(screen, "Memory Size", "right_of") == "16384 MB"
    assert read_beside(screen, "Kernel", "right_of") == "6.1.0-27-amd64"


def _console_words(
    text: str, said: str, above: str = "", area: tuple[int, int, int, int] | None = None
) -> tuple[list[Word], np.ndarray, float, tuple]:
    """Tesseract's words for *text* (no spaces) on a console line (second row, under
    *above*) read in *area*, their characters replaced by *said*."""
    screen = _console([above, text])
    area = area or (0, 12, len(text) * 8 + 8, 24)
    grey = ocr_engine.to_grey(screen)[area[1] : area[1] + area[3], : area[2]]
    prepared = ocr_engine.prepare(grey)
    words = ocr_engine.read_line(grey, area, prepared)
    assert sum(len(w.text) for w in words) == len(said)  # a place for each character
    pieces, start = [], 0
    for word in words:
        pieces.append(Word(said[start : start + len(word.text)], word.box, word.conf, word.centres))
        start += len(word.text)
    return pieces, ocr_engine.ink_image(prepared), prepared.scale, ocr_engine.origin(prepared, area)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("QA17-7499", "QA1?-?499"),  # the console's 7 taken for a question mark
        ("-rw-r--r--", "-rw-r--r—-"),  # a hyphen for a dash
        ("918.083632]", "918.0836321"),  # the closing bracket for a one
    ],
)
def test_a_console_font_confusion_is_corrected(text: str, said: str) -> None:
    words, ink, scale, origin = _console_words(text, said)
    assert "".join(w.text for w in glyph_check.recheck(ink, scale, origin, words)) == text


@pytest.mark.parametrize(("text", "said"), [("QA17-7499", "QA1?-?499"), ("usb", "wsb")])
def test_the_descenders_of_the_line_above_do_not_move_the_windows(text: str, said: str) -> None:
    # console lines touch: a region padded two pixels up takes in the descenders of the
    # line above, which Tesseract puts in the words' boxes; every window was then cut two
    # pixels too high, the characters seen low in it (``usb`` rechecked into ``wsb``)
    area = (0, 14, len(text) * 8 + 8, 20)
    words, ink, scale, origin = _console_words(text, said, "gypsy jug pq gypsy jug", area)
    assert words[0].box[1] == area[1]  # the stray descenders are in the word's box
    assert "".join(w.text for w in glyph_check.recheck(ink, scale, origin, words, area)) == text
