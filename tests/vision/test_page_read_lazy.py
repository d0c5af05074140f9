"""``find_text`` reads a page down only as far as the phrase, with the answer of a whole read.

A label near the top of a long page is found after its first runs are read; the box,
the words and the page read completed later are those of reading the whole page first.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from robotest.vision import ocr_engine, text_search
from robotest.vision.text_search import find_text, read_beside, screen_text

from .conftest import text_screen

_ROWS = [(20, 14 + 26 * i, f"Setting {i:02d}    Enabled {i * 7 % 10}") for i in range(24)]


def _page() -> np.ndarray:
    """A long settings page: a label and its value on the top rows, another at the bottom."""
    rows = [
        (20, 14, "BIOS Version    72.91.28"),
        *_ROWS[1:-1],
        (20, 14 + 26 * 23, "Boot Order    USB"),
    ]
    return text_screen(rows, size=(520, 640))


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Tesseract's line reads of page runs, counted; every cache emptied."""
    monkeypatch.setattr(text_search, "_cache", type(text_search._cache)())
    monkeypatch.setattr(ocr_engine, "_SETTLE_RUNS", 2)
    asked: list[int] = []
    reader = ocr_engine.read_words

    def count(image: np.ndarray, psm: int, choices: bool = False) -> list[object]:
        asked.append(psm)
        return reader(image, psm, choices)  # type: ignore[return-value]

    monkeypatch.setattr(ocr_engine, "read_words", count)
    yield asked


def test_a_label_near_the_top_is_found_before_the_page_is_read(counted: list[int]) -> None:
    page = _page()
    found = find_text(page, "BIOS Version")
    early = len(counted)
    whole = ocr_engine.ocr(page)
    assert found.found and found.text == "BIOS Version"
    assert 0 < early < (len(counted) - early) / 2  # a few runs of the page's
    first = next(line for line in whole.lines if line[0].text == "BIOS")
    assert found.box is not None and found.box[:2] == first[0].box[:2]


def test_the_page_read_in_part_is_completed_as_a_whole_read(counted: list[int]) -> None:
    page = _page()
    assert read_beside(page, "BIOS Version") == "72.91.28"
    completed = screen_text(page)
    assert completed == ocr_engine.ocr(page)
    assert find_text(page, "Boot Order").found  # from the completed read: nothing read again
    assert read_beside(page, "Boot Order") == "USB"


def test_a_phrase_lower_down_or_absent_is_answered_as_from_a_whole_read(
    counted: list[int],
) -> None:
    page = _page()
    lower, absent = find_text(page, "Boot Order"), find_text(page, "Secure Boot")
    text_search._cache.clear()
    screen_text(page)
    assert find_text(page, "Boot Order") == lower and lower.found
    assert find_text(page, "Secure Boot") == absent and not absent.found


def test_the_first_of_two_equal_labels_is_the_one_found(counted: list[int]) -> None:
    rows = [(20, 14, "Boot Order    USB"), *_ROWS[1:12], (20, 14 + 26 * 12, "Boot Order    HDD")]
    page = text_screen(rows, size=(520, 400))
    found = find_text(page, "Boot Order")
    assert found.box is not None and found.box[1] < 30
    text_search._cache.clear()
    screen_text(page)
    assert find_text(page, "Boot Order") == found
