"""A page's line reads spread over several threads (``RTEST_OCR_THREADS``): the same
words, in the same order, as one thread reading them one after another."""

from __future__ import annotations

import threading

import cv2
import numpy as np
import pytest

from robotest.settings import SettingsError
from robotest.vision import ocr_engine, tesseract
from robotest.vision.tesseract import RawWord

from .conftest import MONO, SANS, text_screen

_LINES = [
    "BIOS Version 1.23.4",
    "Serial Number: VADW-7737-604",
    "CPU Type Intel(R) Core(TM) i7",
    "[ ] Enable boot from network",
    "Memory Size 32768 MB",
    "MAC Address 00:1A:2B:3C:4D:5E",
]


def _line_images() -> list[tuple[np.ndarray, int]]:
    """Each generated line grey, once in each face, read as a line (and one as a block)."""
    images = []
    for font in (SANS, MONO):
        for text in _LINES:
            screen = text_screen([(8, 8, text)], (520, 44), font=font)
            images.append((cv2.cvtColor(screen, cv2.COLOR_BGR2GRAY), 7))
    images.append((images[0][0], 6))
    return images


def _page() -> np.ndarray:
    return text_screen(
        [(20, 20 + 36 * i, text) for i, text in enumerate(_LINES)]
        + [(460, 20 + 36 * i, text) for i, text in enumerate(reversed(_LINES))],
        (900, 260),
        font=MONO,
    )


def test_reads_in_threads_are_one_threads_reads_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    images = _line_images()
    monkeypatch.setenv("RTEST_OCR_THREADS", "1")
    alone = tesseract.read_all(images)
    assert alone == [tesseract.read_words(image, psm) for image, psm in images]
    assert any(w.text == "VADW-7737-604" for w in alone[1])
    for threads in ("2", "3"):
        monkeypatch.setenv("RTEST_OCR_THREADS", threads)
        assert tesseract.read_all(images) == alone


def test_a_page_read_by_threads_is_the_page_read_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    page = _page()
    monkeypatch.setenv("RTEST_OCR_THREADS", "1")
    alone = ocr_engine.ocr(page)
    assert "Memory Size 32768 MB" in alone.text
    monkeypatch.setenv("RTEST_OCR_THREADS", "3")
    assert ocr_engine.ocr(page) == alone


def _threads_reading(monkeypatch: pytest.MonkeyPatch, threads: str) -> set[str]:
    """The names of the threads that read a page's lines with ``RTEST_OCR_THREADS`` *threads*."""
    names: set[str] = set()
    reader = ocr_engine.read_words

    def named(image: np.ndarray, psm: int, choices: bool = False) -> list[RawWord]:
        names.add(threading.current_thread().name)
        return reader(image, psm, choices)

    monkeypatch.setattr(ocr_engine, "read_words", named)
    monkeypatch.setenv("RTEST_OCR_THREADS", threads)
    ocr_engine.ocr(_page())
    return names


def test_one_reader_reads_in_the_callers_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _threads_reading(monkeypatch, "1") == {threading.current_thread().name}


def test_several_readers_read_in_their_own_threads_each_with_its_engine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    names = _threads_reading(monkeypatch, "2")
    assert names and all(name.startswith("tesseract") for name in names)
    pool = tesseract._pools[2]
    engines = pool.submit(lambda: [tesseract._engine() for _ in range(3)]).result()
    assert len(set(map(id, engines))) == 1  # a thread keeps its engine
    assert all(engine in tesseract._engines for engine in engines)  # freed at exit


def test_the_readers_by_default_leave_a_core_and_are_at_most_four(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("RTEST_OCR_THREADS", raising=False)
    for cores, expected in ((None, 1), (1, 1), (2, 1), (3, 2), (5, 4), (64, 4)):
        monkeypatch.setattr(tesseract.os, "cpu_count", lambda cores=cores: cores)
        assert tesseract.readers() == expected
    monkeypatch.setenv("RTEST_OCR_THREADS", "8")
    assert tesseract.readers() == 8
    monkeypatch.setenv("RTEST_OCR_THREADS", "-1")
    with pytest.raises(SettingsError, match="RTEST_OCR_THREADS"):
        tesseract.readers()
