"""A digit Tesseract was torn on: its own alternatives, and the classifier's choice among
them, where the training's confusions never saw the pair.

Both frames are real, from the tune split of `benchmarks/real_screens/programs.py`:
`whiptail --menu` in the X font 6x13 grabbed over VNC (cropped to the list), and
`dialog --checklist` in 6x13 photographed by the camera model (cropped around the value
beside ``EC Version``).
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from robotest.vision import glyph_check, ocr, read_beside, tesseract
from robotest.vision.ocr_engine import prepare, to_grey
from robotest.vision.text_search import _cache
from robotest.vision.words import Word

from .conftest import MONO, text_screen

DATA = Path(__file__).parent / "data"
WHIPTAIL = DATA / "whiptail_menu_6x13.png"
CAMERA_VALUE = DATA / "dialog_checklist_camera_6x13_value.png"
"""60 x 110 pixels of the camera frame; the value ``25.69.2`` at (34, 23, 56, 19), the
region ``read_beside("EC Version")`` reads on the whole frame."""

pytestmark = pytest.mark.skipif(
    not tesseract.in_process() or glyph_check.model() is None,
    reason="Tesseract's alternatives come from the library (tesserocr), and the model is needed",
)


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    _cache.clear()


def test_a_bitmap_nine_tesseract_read_as_three_is_read_right() -> None:
    # Tesseract read ``3`` (83) over ``9`` (75), a confusion its training lines showed 6
    # times in 5846 nines, so weighed by them its ``3`` stood; the classifier sees a ``9``
    screen = cv2.imread(str(WHIPTAIL))
    assert read_beside(screen, "Firmware", "right_of") == "9.53"


def test_a_photographed_two_tesseract_read_as_three_is_read_right() -> None:
    screen = cv2.imread(str(CAMERA_VALUE))
    assert ocr(screen, (34, 23, 56, 19), layout="line").text == "25.69.2"


def _probabilities(sure: dict[str, float]) -> np.ndarray:
    """The classifier's probabilities: *sure* for those characters, 0 for the others."""
    model = glyph_check.model()
    assert model is not None
    p = np.zeros(len(model.classes), np.float32)
    for char, value in sure.items():
        p[model.classes.index(char)] = value
    return p


def _word(text: str, choices: tuple[tuple[str, float], ...], at: int) -> Word:
    alternatives = tuple(choices if i == at else ((c, 95.0),) for i, c in enumerate(text))
    return Word(text, (0, 0, 10 * len(text), 10), 0.9, choices=alternatives)


def test_only_a_torn_read_in_a_pair_the_training_rarely_confused_is_decided() -> None:
    model = glyph_check.model()
    assert model is not None
    # Tesseract torn between ``3`` (83) and ``9`` (75), the classifier sure of the ``9``
    assert glyph_check._rival("3", _probabilities({"9": 0.76, "3": 0.24}), model) == "9"
    assert glyph_check._torn(_word("3.53", (("3", 83.0), ("9", 75.0)), 0), 0, "9")
    # not torn: Tesseract sure of its ``9`` (a camera ``9`` the classifier took for a ``3``)
    assert not glyph_check._torn(_word("9949", (("9", 92.5), ("3", 53.8)), 3), 3, "3")
    # a pair the training confused often (``8`` read ``6``): its confusions decide
    assert model.confused("8", "6") >= glyph_check.RARE_CONFUSION
    assert glyph_check._rival("6", _probabilities({"8": 0.87, "6": 0.13}), model) is None
    # the classifier unsure of the other digit, or sure of no digit
    assert glyph_check._rival("3", _probabilities({"9": 0.45, "3": 0.1}), model) is None
    assert glyph_check._rival("3", _probabilities({"S": 0.9}), model) is None


def test_the_alternatives_change_nothing_tesseract_reads() -> None:
    screen = text_screen([(10, 10, "MAC 2F:38:F2:BB:05:B6 v1.07")], (420, 44), font=MONO)
    image = prepare(to_grey(screen)).image
    plain = tesseract.read_words(image, 7)
    weighed = tesseract.read_words(image, 7, choices=True)
    assert [(w.text, w.left, w.width, w.conf) for w in weighed] == [
        (w.text, w.left, w.width, w.conf) for w in plain
    ]
    assert all(len(w.choices) == len(w.text) for w in weighed)
    assert all(w.choices[i][0][0] == c for w in weighed for i, c in enumerate(w.text))
    assert all(not w.choices for w in plain)
