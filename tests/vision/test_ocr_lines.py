"""Line reads: joining pieces on monospaced lines, re-reads, lines and anchor leftovers."""

from __future__ import annotations

import numpy as np
import pytest

from robotest.vision import ocr_engine, text_search
from robotest.vision.ocr_engine import line_text, monospace_pitch
from robotest.vision.words import Word, tokens

from .conftest import MONO, SANS, text_screen


def _mono(text: str, left: float, pitch: float = 10.0) -> Word:
    """A word of a monospaced line: characters centred on a grid of *pitch* pixels."""
    centres = tuple(left + pitch * (i + 0.5) for i in range(len(text)))
    width = round(pitch * len(text) - 2)
    return Word(text=text, box=(round(left) + 1, 10, width, 14), conf=0.9, centres=centres)


def test_a_space_after_a_colon_inside_a_monospaced_word_is_not_read() -> None:
    # "DE:" and "47:C8:6F" are one cell apart: the colon's cell, drawn narrow, looked
    # like a space (a gap of 6 pixels, 0.4 x the text height)
    words = [_mono("DE:", 100), _mono("47:C8:6F", 130)]
    assert monospace_pitch(words) == pytest.approx(10.0)
    assert line_text(words) == "DE:47:C8:6F"


def test_a_real_space_on_a_monospaced_line_is_kept() -> None:
    words = [_mono("NVMe", 0), _mono("1024", 50), _mono("GB", 100)]
    assert line_text(words) == "NVMe 1024 GB"


def test_proportional_text_joins_only_narrow_gaps() -> None:
    steps = [3.0, 9.0, 4.0, 11.0, 6.0]  # narrow and wide letters: no pitch
    centres = tuple(np.cumsum([5.0, *steps]))
    first = Word("Intel", (0, 10, 35, 14), 0.9, centres)
    second = Word("Core", (40, 10, 30, 14), 0.9, ())
    assert monospace_pitch([first, second]) is None
    assert line_text([first, second]) == "Intel Core"  # gap of 5 = 0.36 x height
    split = Word("7499", (37, 10, 30, 14), 0.9, ())
    assert line_text([Word("QA-", (0, 10, 35, 14), 0.9, ()), split]) == "QA-7499"


@pytest.mark.parametrize("size", [18, 24, 28])
@pytest.mark.parametrize("font", [SANS, MONO], ids=["sans", "mono"])
@pytest.mark.parametrize("text", ["Contoso Book 14 G3", "Intel Core i7-1383P"])
def test_real_spaces_are_read_in_both_kinds_of_font(text: str, font: str, size: int) -> None:
    """Proportional text taken for monospaced lost its spaces: a false fail of a good image."""
    screen = text_screen([(10, 10, text)], (640, 60), font=font, font_size=size)
    read = ocr_engine.ocr(screen, layout="line")
    assert read.text == text
    is_mono = monospace_pitch(list(read.words)) is not None
    assert is_mono == (font == MONO)


def test_a_box_spanning_the_next_words_keeps_the_space() -> None:
    broken = Word("done", (20, 10, 134, 14), 0.9, ())
    assert line_text([broken, Word("985", (69, 8, 28, 20), 0.9, ())]) == "done 985"


def test_an_unsure_line_is_read_again_and_the_surest_read_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    screen = text_screen([(10, 10, "6.80")], (120, 40), font=MONO)
    reads = iter(
        [[], [Word("6.8O", (10, 10, 40, 14), 0.4)], [Word("6.80", (10, 10, 40, 14), 0.96)]]
    )
    monkeypatch.setattr(ocr_engine, "_tesseract_words", lambda *_: next(reads))
    assert ocr_engine.ocr(screen, layout="line").text == "6.80"


def test_a_sure_line_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    screen = text_screen([(10, 10, "6.80")], (120, 40), font=MONO)
    calls: list[int] = []

    def read(*_: object) -> list[Word]:
        calls.append(1)
        return [Word("6.80", (10, 10, 40, 14), 0.9)]

    monkeypatch.setattr(ocr_engine, "_tesseract_words", read)
    assert ocr_engine.ocr(screen, layout="line").text == "6.80" and len(calls) == 1


def test_blurred_lines_set_close_together_are_cut_apart() -> None:
    ink = np.zeros((80, 200), bool)
    ink[5:20, 10:150] = True  # a line
    ink[20:24, 10:40] = True  # blur bridging the gap to the next line
    ink[24:39, 10:120] = True  # the next line
    ink[60:75, 10:90] = True  # a line further down
    lines = text_search._text_lines(ink, 15)
    assert len(lines) == 3 and lines[0][0] == 5 and 19 <= lines[0][1] <= 25


def test_the_rest_of_an_anchor_read_short_is_not_part_of_the_value() -> None:
    profile = np.zeros(100, bool)
    profile[0:8] = True  # "d:" of a label read as "Buil"
    profile[20:60] = True  # the value, a space further
    cleared = text_search._without_anchor_rest(profile, 14, "right_of")
    assert not cleared[:8].any() and cleared[20:60].all()
    assert (text_search._without_anchor_rest(profile[::-1], 14, "left_of") == cleared[::-1]).all()
    value_only = np.zeros(100, bool)
    value_only[5:60] = True
    assert (text_search._without_anchor_rest(value_only, 14, "right_of") == value_only).all()


def test_sparse_text_sets_the_contrast_not_the_noise() -> None:
    # a terminal: ink is 0.1% of a big dark screen; a percentile of all pixels would be
    # sensor noise stretched to black, with the strokes swollen into one another
    rng = np.random.default_rng(1)
    difference = np.clip(np.abs(rng.normal(0, 6, (700, 1200))), 0, 255).astype(np.uint8)
    difference[20:34, 20:80] = 180
    assert np.percentile(difference, 99.5) < 30
    assert ocr_engine._stroke_contrast(difference) >= 150
    screen = text_screen(
        [(20, 20, "root@qa-17:~# hostname")],
        (1200, 700),
        (12, 12, 12),
        (210, 210, 210),
        font=MONO,
    )
    noisy = np.clip(screen + rng.normal(0, 6, screen.shape), 0, 255).astype(np.uint8)
    assert ocr_engine.ocr(noisy).text == "root@qa-17:~# hostname"


def test_each_piece_knows_the_word_it_stands_in_on_the_line() -> None:
    # Tesseract's "CHFOF" and "J5XXF-8159", one cell apart, are one serial number;
    # "SN:" two cells before it is a word of its own
    words = [_mono("SN:", 0), _mono("CHFOF", 40), _mono("J5XXF-8159", 90)]
    assert line_text(words) == "SN: CHFOFJ5XXF-8159"
    assert tokens(words) == [("SN:", 0), ("CHFOFJ5XXF-8159", 0), ("CHFOFJ5XXF-8159", 5)]
    assert tokens([]) == []
