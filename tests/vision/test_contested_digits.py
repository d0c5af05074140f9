"""A digit Tesseract was torn on between its own reading and the digit the classifier
sees: decided by Tesseract's reads of the line at the other text heights, never by one
reader alone.

The frame is real, from the tune split of the real-screens corpora
(`benchmarks/real_screens/build.py`): whiptail's checklist in the X 5x8 font on a
framebuffer, cropped around ``Build Number`` and its value ``21830.2202``.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import pytest

from robotest.vision import glyph_check, tesseract
from robotest.vision.glyph_check import Opinion
from robotest.vision.ocr_engine import _decided
from robotest.vision.text_search import beside
from robotest.vision.words import Word

BUILD_NUMBER = Path(__file__).parent / "data" / "whiptail_checklist_5x8_build_number.png"
"""Tesseract reads the ``8`` of ``21830.2202`` as ``6`` (89, ``8`` at 76) at 26 pixels, the
classifier sees an ``8`` (0.85, short of changing it alone), and Tesseract's read at 20
pixels gives the ``8``."""


@pytest.mark.skipif(
    not tesseract.in_process() or glyph_check.model() is None,
    reason="Tesseract's alternatives come from the library (tesserocr), and the model is needed",
)
def test_a_torn_digit_the_other_reads_agree_on_is_read_right_and_in_doubt() -> None:
    read = beside(cv2.imread(str(BUILD_NUMBER)), "Build Number")
    (word,) = read.words
    assert word.text == "21830.2202"
    assert word.doubt == (2,)


def _words(*texts: str) -> list[Word]:
    return [Word(t, (20 * i, 0, 15, 10), 0.9) for i, t in enumerate(texts)]


def _contested(words: list[Word], digit: str = "8") -> Opinion:
    return Opinion(words, 0, contested=((1, 2, digit),))


def test_a_contested_digit_is_changed_where_a_read_of_the_same_shape_gives_it() -> None:
    first = _words("Build", "21630.2202")
    decided = _decided(_contested(first), [first, _words("Bulld", "21830,2202")])
    assert [w.text for w in decided.words] == ["Build", "21830.2202"]
    assert (1, 2) in decided.doubts and not decided.contested


def test_a_contested_digit_stays_without_a_read_that_agrees() -> None:
    first = _words("Build", "21630.2202")
    others = [
        first,
        _words("Build", "21530.2202"),  # another digit there
        _words("Build", "2183O.2202"),  # a letter for a digit: not the same shape
        _words("Build", "218302202"),  # a character fewer
    ]
    decided = _decided(_contested(first), others)
    assert [w.text for w in decided.words] == ["Build", "21630.2202"]
    assert decided.doubts == ()


def test_a_word_of_signs_alone_does_not_shift_the_characters() -> None:
    first = _words("_", "21630.2202")
    decided = _decided(_contested(first), [_words("21830.2202")])
    assert decided.words[1].text == "21830.2202"


def test_only_a_digit_tesseract_weighed_close_is_contested() -> None:
    def word(second: tuple[str, float]) -> Word:
        choices = ((("2", 95.0),), (("1", 95.0),), (("6", 89.0), second))
        return Word("216", (0, 0, 30, 10), 0.9, choices=choices)

    assert glyph_check._close(word(("8", 76.0)), 2, "8")
    assert not glyph_check._close(word(("8", 50.0)), 2, "8")  # not torn
    assert not glyph_check._close(word(("5", 76.0)), 2, "8")  # not the classifier's digit
    assert not glyph_check._close(Word("216", (0, 0, 30, 10), 0.9), 2, "8")  # no alternatives
