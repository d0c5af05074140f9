"""Digits read in doubt: a digit Tesseract weighed against another, close, that the
classifier does not back is reported with the read (``Word.doubt``,
``OcrResult.doubtful``), not passed off as sure.

The frames are real, from the tune split of the real-screens corpora
(`benchmarks/real_screens/build.py`): whiptail's checklist in the X 5x8 font on a
framebuffer, cropped around ``Build Number`` and its value ``21830.2202``; a Linux
console in Lat15-VGA16 photographed by the camera model (``10/09/2006``).
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import cv2
import pytest

from robotest.runtime.station_runtime import _doubt_note
from robotest.vision import glyph_check, ocr, tesseract
from robotest.vision.text_search import beside
from robotest.vision.words import Word

DATA = Path(__file__).parent / "data"
BUILD_NUMBER = DATA / "whiptail_checklist_5x8_build_number.png"
"""40 x 200 pixels; the label ``Build Number`` and right of it ``21830.2202``, whose
``8`` Tesseract reads ``6`` (89, ``8`` at 76) and the classifier takes for an ``8``
(0.85) though not surely enough to change it."""
ASSET_TAG = DATA / "dialog_checklist_camera_8x16_asset_tag.png"
"""55 x 520 pixels of a camera frame of dialog's checklist in the X 8x16 font; the label
``Asset Tag`` and right of it ``XI0KG0OUV-7395``, whose last ``5`` Tesseract read right
(83, ``6`` at 73) and the classifier took for a ``6`` at 0.90."""
CAMERA_DATE = DATA / "console_vga16_camera_date.png"

needs_choices = pytest.mark.skipif(
    not tesseract.in_process() or glyph_check.model() is None,
    reason="Tesseract's alternatives come from the library (tesserocr), and the model is needed",
)


@needs_choices
def test_a_digit_tesseract_was_torn_on_is_reported_in_doubt() -> None:
    read = beside(cv2.imread(str(BUILD_NUMBER)), "Build Number")
    (word,) = read.words
    # whichever digit is read there, the read says it is unsure of it
    assert read.doubtful and 2 in word.doubt
    assert word.text[:2] + word.text[3:] == "2130.2202"
    assert word.to_dict()["doubt"] == list(word.doubt)


@needs_choices
def test_a_digit_the_classifier_changed_unsure_is_reported_in_doubt() -> None:
    read = beside(cv2.imread(str(ASSET_TAG)), "Asset Tag")
    word = read.words[-1]
    assert word.text.endswith(("-7395", "-7396"))
    assert len(word.text) - 1 in word.doubt and 0 not in word.doubt


@needs_choices
def test_a_clean_read_reports_no_doubt() -> None:
    read = ocr(cv2.imread(str(CAMERA_DATE)), (27, 24, 87, 14), layout="line")
    assert read.text == "10/09/2006" and not read.doubtful
    assert all("doubt" not in w.to_dict() for w in read.words)


def _word(choices: tuple[tuple[tuple[str, float], ...], ...], text: str = "216") -> Word:
    return Word(text, (0, 0, 50, 10), 0.7, choices=choices)


def test_a_digit_is_doubted_only_when_torn_with_a_digit_and_not_backed() -> None:
    torn = _word(((("2", 95.0),), (("1", 95.0),), (("6", 89.0), ("8", 76.0))))
    assert glyph_check._doubted(torn, 2, backed=0.12)
    assert not glyph_check._doubted(torn, 2, backed=0.9)  # the classifier backs the 6
    far = _word(((("2", 95.0),), (("1", 95.0),), (("6", 89.0), ("8", 50.0))))
    assert not glyph_check._doubted(far, 2, backed=0.0)
    letter = _word(((("2", 95.0),), (("1", 95.0),), (("6", 89.0), ("G", 88.0))))
    assert not glyph_check._doubted(letter, 2, backed=0.0)
    assert not glyph_check._doubted(_word(()), 2, backed=0.0)  # no alternatives asked


def test_the_report_brackets_the_characters_in_doubt() -> None:
    read = SimpleNamespace(
        text="21630.2202 ", words=(Word("21630.2202", (0, 0, 50, 10), 0.7, doubt=(2,)),)
    )
    assert _doubt_note(read) == (
        "read_text: '21630.2202' read with characters in doubt: 21[6]30.2202"
    )
