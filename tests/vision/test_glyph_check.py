"""The second opinion on confusable characters (glyph_check) and the sharpened line reads."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from robotest.vision import glyph_check, ocr, ocr_engine, read_beside
from robotest.vision.words import Word

from .conftest import MONO, text_screen

DATA = Path(__file__).with_name("data")


def _through_a_camera(screen: np.ndarray, seed: int = 0) -> np.ndarray:
    """Blurred and resampled as the station's camera and rectification do, with noise."""
    blurred = cv2.GaussianBlur(screen, (0, 0), 1.1)
    small = cv2.resize(blurred, None, fx=0.8, fy=0.8, interpolation=cv2.INTER_AREA)
    seen = cv2.resize(small, (screen.shape[1], screen.shape[0]), interpolation=cv2.INTER_LINEAR)
    noise = np.random.default_rng(seed).normal(0, 2.5, seen.shape)
    return np.clip(seen + noise, 0, 255).astype(np.uint8)


def _line(text: str, size: int = 17) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    screen = text_screen([(20, 20, text)], size=(1200, 300), font=MONO, font_size=size)
    return _through_a_camera(screen), (12, 14, 400, 34)


def _read_without_second_opinion(screen: np.ndarray, area: tuple[int, int, int, int]) -> str:
    grey = ocr_engine.to_grey(screen)[area[1] : area[1] + area[3], area[0] : area[0] + area[2]]
    prepared = ocr_engine.prepare(grey)
    return ocr_engine.line_text(ocr_engine.read_line(grey, area, prepared))


def _words_as_read(text: str, said: str) -> tuple[list[Word], np.ndarray, float, tuple]:
    """Tesseract's words for a clean line of *text*, with the characters replaced by *said*."""
    screen = text_screen([(20, 20, text)], size=(420, 60), font=MONO, font_size=20)
    area = (12, 14, 400, 34)
    grey = ocr_engine.to_grey(screen)[14:48, 12:412]
    prepared = ocr_engine.prepare(grey)
    words = ocr_engine.read_line(grey, area, prepared)
    assert len(words) == 1 and len(words[0].text) == len(said)  # a place for each character
    words = [Word(said, words[0].box, words[0].conf, words[0].centres)]
    return words, ocr_engine.ink_image(prepared), prepared.scale, ocr_engine.origin(prepared, area)


def test_the_shipped_model_is_loaded() -> None:
    model = glyph_check.model()
    assert model is not None
    assert "0" in model.classes and "O" in model.classes


def test_a_character_in_its_confusion_group_is_corrected() -> None:
    # the drawn zero said to be a six or an O: the classifier sees the zero
    words, ink, scale, origin = _words_as_read("0FC2C9028B62", "6FC2C9O28B62")
    checked = glyph_check.recheck(ink, scale, origin, words)
    assert checked[0].text == "0FC2C9028B62"
    assert checked[0].box == words[0].box


def test_a_character_outside_the_group_is_never_changed() -> None:
    # "K" and "X" are in no group: even a wrong read of them is left as it is
    words, ink, scale, origin = _words_as_read("0FC2C9028B62", "KFC2C9028B6X")
    assert glyph_check.recheck(ink, scale, origin, words)[0].text == "KFC2C9028B6X"


def test_a_right_read_stays_right() -> None:
    words, ink, scale, origin = _words_as_read("IO1l5S8B", "IO1l5S8B")
    assert glyph_check.recheck(ink, scale, origin, words) == words


def _probabilities(model: glyph_check.GlyphModel, **digits: float) -> np.ndarray:
    """The classifier's answer for a window: the given digits' probabilities (d0=...),
    the rest spread over the other classes."""
    p = np.full(len(model.classes), 0.0, np.float32)
    for name, value in digits.items():
        p[model.classes.index(name[1:])] = value
    rest = [i for i, c in enumerate(model.classes) if f"d{c}" not in digits]
    p[rest] = (1.0 - p.sum()) / len(rest)
    return p


def test_a_digit_tesseract_often_gives_for_another_is_overruled() -> None:
    # Tesseract reads a slashed or dotted 0 as 8 (the training's confusions say how
    # often); the classifier, sure of the 0, wins
    model = glyph_check.model()
    assert model is not None and model.confusions is not None
    seen, sure = model.digit_decision("8", _probabilities(model, d0=0.998, d8=0.001))
    assert seen == "0" and sure >= glyph_check.DIGIT_SURE


def test_a_digit_tesseract_nearly_never_gives_for_another_is_kept() -> None:
    # a clean 4 the classifier takes for a 5: Tesseract (nearly) never reads a 5 as 4,
    # so its 4 stands, and no digit is swapped on the classifier's word alone
    model = glyph_check.model()
    assert model is not None
    seen, _ = model.digit_decision("4", _probabilities(model, d5=0.944, d4=0.004))
    assert seen == "4"
    words, ink, scale, origin = _words_as_read("0FC2C9028B62", "0FC2C9028B62")
    assert glyph_check.recheck(ink, scale, origin, words) == words


def test_without_the_model_a_read_is_left_as_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    words, ink, scale, origin = _words_as_read("0FC2C9028B62", "6FC2C9O28B62")
    monkeypatch.setattr(glyph_check, "MODEL_PATH", glyph_check.MODEL_PATH.with_name("none.npz"))
    glyph_check.model.cache_clear()
    try:
        assert glyph_check.recheck(ink, scale, origin, words) == words
    finally:
        glyph_check.model.cache_clear()


@pytest.mark.parametrize("text", ["0FC2C9028B62", "10/01/2023", "5431A57D0518", "NVMe 1024 GB"])
def test_the_second_opinion_reads_what_tesseract_alone_misreads(text: str) -> None:
    screen, area = _line(text)
    assert _read_without_second_opinion(screen, area) != text  # O or 6 for 0, 0 for D
    assert ocr(screen, area, layout="line").text == text


def test_a_dark_edge_column_is_not_read_as_a_bar() -> None:
    # the screen's outermost column, blended with the bezel by rectification
    screen = text_screen([(14, 20, "ready 431 files")], size=(300, 60))
    screen[:, 0] = 90
    assert ocr(screen, (0, 12, 200, 36), layout="line").text == "ready 431 files"


@pytest.mark.parametrize("name", ["a", "b"])
def test_sharpening_leaves_no_halo_that_garbles_a_clean_value(name: str) -> None:
    # two frames of the sim terminal (camera seed 1) that the qualification matrix
    # caught: sharpened before the background was subtracted, the overshoot became a
    # grey halo round every stroke and "1.07.3" was read "LOW .3" and "107 «3"
    frame = cv2.imread(str(DATA / f"terminal_bios_version_{name}.png"))
    assert read_beside(frame, "BIOS Version:", "right_of") == "1.07.3"


def test_a_read_again_must_keep_the_digits_where_they_were() -> None:
    # a line read again settles which digit a digit is, never whether it is one: a
    # camera's `03/09/2028` read again `03/03/Z0zB` has fewer digits, so fewer in dispute
    first = [Word("03/03/2028", (0, 0, 80, 16), 0.9, ())]
    assert ocr_engine._digits_alike([Word("03/09/2028", (0, 0, 80, 16), 0.9, ())], first)
    assert not ocr_engine._digits_alike([Word("03/03/Z0zB", (0, 0, 80, 16), 0.9, ())], first)
    assert not ocr_engine._digits_alike([Word("03/03/20288", (0, 0, 88, 16), 0.9, ())], first)


def test_a_letter_becomes_a_sign_only_in_a_word_without_other_letters() -> None:
    # a sans `l` and a bar differ only below the line: `Intel` never becomes `Inte|`
    assert not glyph_check._may_become("Intel", 4, "|")
    assert not glyph_check._may_become("Core", 0, "(")
    assert glyph_check._may_become("C", 0, "[")  # a dmesg line's bracket read on its own
    assert glyph_check._may_become("3.14592j", 7, "]")


def test_a_digit_the_classifier_does_not_see_is_not_put_in(monkeypatch: pytest.MonkeyPatch) -> None:
    # a window the classifier takes for a dash (cut beside its character): weighed by
    # Tesseract's confusions alone, its 0.03 for a `0` where Tesseract read `8` came out
    # sure, and `95048` was read `95040`; both readers must say the digit
    model = glyph_check.model()
    assert model is not None
    dash = np.zeros(len(model.classes), np.float32)
    for character, value in (("-", 0.9699), ("0", 0.03), ("8", 0.0001)):
        dash[model.classes.index(character)] = value
    seen, sure = model.digit_decision("8", dash)
    assert seen == "0" and sure >= glyph_check.DIGIT_SURE  # the weighed answer alone
    words, ink, scale, origin = _words_as_read("0FC2C9028B62", "0FC2C9028B62")
    at = words[0].text.index("8")
    monkeypatch.setattr(
        model,
        "probabilities",
        lambda windows: np.array(
            [
                dash if i == at else np.eye(len(model.classes))[model.classes.index(c)]
                for i, c in enumerate(words[0].text)
            ]
        ),
    )
    assert glyph_check.recheck(ink, scale, origin, words) == words


def test_outside_the_groups_only_a_letter_for_a_letter_or_a_sign_for_a_sign_all_but_certain() -> (
    None
):
    # X 6x13's ``m`` read ``h`` (in no group with it): the classifier all but certain
    assert glyph_check._may_become("hounted", 0, "m", 0.995)
    assert glyph_check._may_become("a;b", 1, ":", 0.995)
    assert not glyph_check._may_become("hounted", 0, "m", 0.98)
    # a letter for a sign or a sign for a letter, or a digit: never outside a group
    assert not glyph_check._may_become("Lid", 0, "_", 0.999)
    assert not glyph_check._may_become("a:b", 1, "C", 0.999)
    assert not glyph_check._may_become("KFC2C9028B6X", 0, "0", 0.999)


def test_a_letter_becomes_a_digit_in_the_word_the_line_shows_not_in_tesseracts_piece() -> None:
    # X 6x13's serial number read as two pieces, "CHFOF" (no digit of its own) and
    # "J5XXF-8159": its O, the classifier sure of a zero, is put right, as in one word
    words, ink, scale, origin = _words_as_read("CHF0FJ5XXF-8159", "CHFOFJ5XXF-8159")
    (whole,) = words
    pitch = whole.centres[1] - whole.centres[0]
    cut = round(whole.centres[4] + pitch / 2)
    first = Word(
        "CHFOF",
        (whole.box[0], whole.box[1], cut - whole.box[0], whole.box[3]),
        whole.conf,
        whole.centres[:5],
    )
    rest = Word(
        "J5XXF-8159",
        (cut, whole.box[1], whole.box[0] + whole.box[2] - cut, whole.box[3]),
        whole.conf,
        whole.centres[5:],
    )
    checked = glyph_check.recheck(ink, scale, origin, [first, rest])
    assert [w.text for w in checked] == ["CHF0F", "J5XXF-8159"]
    # read alone, a word of letters keeps its O
    assert glyph_check.recheck(ink, scale, origin, [first])[0].text == "CHFOF"


def test_a_yen_sign_tesseract_gives_for_a_letter_may_become_that_letter() -> None:
    assert glyph_check._may_become("¥JJEU0ZGYJ-5960", 0, "Y")
    assert glyph_check._may_become("YM78V¥0-1508", 5, "V")
    assert not glyph_check._may_become("YM78V¥0-1508", 5, "W")
