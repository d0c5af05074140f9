"""A digit Tesseract was torn on: its own alternatives, and the classifier's choice among
them, where the training's confusions never saw the pair.

The frame is real, from the tune split of the first real-screens corpus
(`benchmarks/real_screens/build.py`): a Linux console in Lat15-VGA16 photographed by the
camera model, cropped around the value beside ``BIOS Date``.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from robotest.vision import glyph_check, ocr, tesseract
from robotest.vision.ocr_engine import prepare, to_grey
from robotest.vision.words import Word

from .conftest import MONO, text_screen

DATA = Path(__file__).parent / "data"
CAMERA_DATE = DATA / "console_vga16_camera_date.png"
"""50 x 140 pixels of the camera frame; the value ``10/09/2006`` at (27, 24, 87, 14),
the region ``read_beside("BIOS Date")`` reads on the whole frame."""

pytestmark = pytest.mark.skipif(
    not tesseract.in_process() or glyph_check.model() is None,
    reason="Tesseract's alternatives come from the library (tesserocr), and the model is needed",
)


def test_a_photographed_nine_tesseract_read_as_three_is_read_right() -> None:
    # Tesseract read ``3`` (84) over ``9`` (66), a confusion its training lines showed 6
    # times in 5846 nines, so weighed by them its ``3`` stood; the classifier sees a ``9``
    # at 1.00, and the reads at other heights were no surer
    screen = cv2.imread(str(CAMERA_DATE))
    assert ocr(screen, (27, 24, 87, 14), layout="line").text == "10/09/2006"


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
    # Tesseract torn between ``3`` (84) and ``9`` (66), the classifier sure of the ``9``
    assert glyph_check._rival("3", _probabilities({"9": 1.0}), model) == "9"
    assert glyph_check._torn(_word("10/03", (("3", 84.0), ("9", 66.0)), 4), 4, "9")
    # not torn: Tesseract sure of its ``9`` (a camera ``9`` the classifier took for a ``3``)
    assert not glyph_check._torn(_word("9949", (("9", 92.5), ("3", 53.8)), 3), 3, "3")
    # a pair the training confused often (``8`` read ``6``): its confusions decide
    assert model.confused("8", "6") >= glyph_check.RARE_CONFUSION
    assert glyph_check._rival("6", _probabilities({"8": 0.87, "6": 0.13}), model) is None
    # the classifier not sure of the other digit (an X 7x14 camera ``9`` it took for an
    # ``8`` at 0.57, its windows cut off the characters), or sure of no digit
    assert glyph_check._rival("9", _probabilities({"8": 0.57, "0": 0.1}), model) is None
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
