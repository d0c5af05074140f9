"""find_text's second look: a near miss of the page read is read again in its region."""

from __future__ import annotations

import pytest

from robotest.vision import text_search
from robotest.vision.fuzzy import matches
from robotest.vision.ocr_engine import OcrResult
from robotest.vision.words import Word

from .conftest import MONO, text_screen


def _screen():  # type: ignore[no-untyped-def]
    return text_screen(
        [(40, 40, "qa@qa-laptop:~$ ls"), (40, 120, "Documents")],
        (640, 200),
        font=MONO,
        background=(20, 20, 20),
        ink=(220, 220, 220),
    )


def _page_read(*words: Word) -> OcrResult:
    """A page read with each word on a line of its own."""
    return OcrResult(
        text="\n".join(w.text for w in words), words=words, lines=tuple((w,) for w in words)
    )


@pytest.fixture
def garbled_page(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The page read garbles the prompt (as whole-screen reads of mixed screens do)."""
    reads: list[str] = []
    garbled = Word("eqa-laptop:-$", (60, 42, 120, 20), 0.6)
    documents = Word("Documents", (40, 122, 110, 20), 0.9)
    monkeypatch.setattr(
        text_search, "screen_text", lambda screen, region=None: _page_read(garbled, documents)
    )
    real_ocr = text_search.ocr

    def counting_ocr(screen, region=None, layout="auto"):  # type: ignore[no-untyped-def]
        reads.append(str(region))
        return real_ocr(screen, region, layout)

    monkeypatch.setattr(text_search, "ocr", counting_ocr)
    return reads


def test_a_near_miss_is_read_again_and_found(garbled_page: list[str]) -> None:
    match = text_search.find_text(_screen(), "qa@qa-laptop")
    assert match.found and match.text.startswith("qa@qa-laptop")
    assert match.box is not None and abs(match.box[1] - 40) < 12
    assert len(garbled_page) == 1


def test_the_second_look_keeps_the_strict_rule(garbled_page: list[str]) -> None:
    assert not text_search.find_text(_screen(), "qa@xy-laptop").found  # another host
    # 'laptop' was near enough to look again: around it, then along its line
    assert len(garbled_page) == 2


def test_no_near_miss_no_second_read(garbled_page: list[str]) -> None:
    assert not text_search.find_text(_screen(), "Settings").found
    assert garbled_page == []


def test_a_prompt_s_punctuation_does_not_hide_its_words() -> None:
    assert matches("qa@qa-laptop:~$", "qa@qa-laptop")
    assert matches("root@qa-43:~#", "root@qa-43")
    assert not matches("qa@qa-laptop:~$", "qa@qa-desktop")


def test_a_word_with_most_letters_right_is_read_again_along_its_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the page read of small text garbles a label beyond any shared run of 4 letters
    screen = text_screen([(10, 40, "Firmware    29.16")], (400, 100), font=MONO, font_size=12)
    garbled = Word("Firnuare", (10, 41, 58, 11), 0.5)
    monkeypatch.setattr(text_search, "screen_text", lambda screen, region=None: _page_read(garbled))
    match = text_search.find_text(screen, "Firmware")
    assert match.found and match.text == "Firmware"
    assert not text_search.find_text(screen, "Hardware").found


def _reads_of(monkeypatch: pytest.MonkeyPatch, page: OcrResult, again: OcrResult) -> list[str]:
    """The page read is *page*, every read again *again*; the regions read again."""
    reads: list[str] = []
    monkeypatch.setattr(text_search, "screen_text", lambda screen, region=None: page)

    def ocr_again(screen, region=None, layout="auto"):  # type: ignore[no-untyped-def]
        reads.append(str(region))
        return again

    monkeypatch.setattr(text_search, "ocr", ocr_again)
    return reads


def test_an_exact_second_look_wins_over_a_page_read_needing_h_for_m(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a small camera screen: the page read has ``HE Version`` (an H read for the M,
    # its box a little off); reading the label's surroundings again has it exactly
    screen = text_screen([(10, 40, "ME Version    43.83")], (400, 100), font=MONO, font_size=12)
    slipped = Word("HE Version", (12, 44, 70, 11), 0.6)
    exact = Word("ME Version", (10, 41, 72, 11), 0.9)
    assert matches(slipped.text, "ME Version")  # with the slip, the page read matches
    assert not matches(slipped.text, "ME Version", read_for=False)
    reads = _reads_of(monkeypatch, _page_read(slipped), _page_read(exact))
    match = text_search.find_text(screen, "ME Version")
    assert match.found and match.text == "ME Version"
    assert match.box == exact.box
    assert len(reads) == 1


def test_h_for_m_is_taken_where_nothing_matches_exactly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    screen = text_screen([(10, 40, "MAC Address")], (400, 100), font=MONO, font_size=12)
    slipped = Word("HAC Address", (10, 41, 80, 11), 0.9)
    reads = _reads_of(monkeypatch, _page_read(slipped), _page_read(slipped))
    match = text_search.find_text(screen, "MAC Address")
    assert match.found and match.text == "HAC Address"
    assert len(reads) == 2  # the strict second looks came first, and found nothing
