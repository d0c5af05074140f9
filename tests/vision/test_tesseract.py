"""The Tesseract runner: the in-process library and the command give the same words."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from robotest.vision import tesseract
from robotest.vision.ocr_engine import prepare, to_grey

from .conftest import MONO, text_screen

pytest.importorskip("pytesseract")


def _line() -> np.ndarray:
    screen = text_screen([(10, 10, "MAC 2F:38:F2:BB:05:B6 v1.07")], (420, 44), font=MONO)
    return prepare(to_grey(screen)).image


def test_library_and_command_read_the_same_words() -> None:
    assert tesseract.in_process()  # tesserocr is a dependency: the fast path must be there
    image = _line()
    in_process = tesseract.read_words(image, 7)
    command = tesseract._read_with_command(image, 7)
    assert [w.text for w in in_process] == ["MAC", "2F:38:F2:BB:05:B6", "v1.07"]
    # the same words and boxes
    assert [(w.text, w.left, w.top, w.width, w.height) for w in in_process] == [
        (w.text, w.left, w.top, w.width, w.height) for w in command
    ]
    # confidences agree to a few points: tesserocr may bundle a newer Tesseract than the command
    assert all(abs(a.conf - b.conf) < 5 for a, b in zip(in_process, command, strict=True))


def test_each_thread_reads_with_its_own_engine() -> None:
    image = _line()
    expected = tesseract.read_words(image, 7)
    results: list[list[tesseract.RawWord]] = []
    threads = [
        threading.Thread(target=lambda: results.append(tesseract.read_words(image, 7)))
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [expected] * 3


def test_without_the_library_the_command_is_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tesseract, "in_process", lambda: False)
    assert [w.text for w in tesseract.read_words(_line(), 7)][0] == "MAC"
