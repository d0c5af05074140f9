"""A monospaced word whose characters do not sit one to a cell is read again with its cells
apart (:mod:`robotest.vision.cell_reread`).

The frame is real, from the tune split of the first real-screens corpus
(`benchmarks/real_screens/build.py`): the Linux console's Lat15-VGA16 font on a
1920x1080 framebuffer, cropped (rows 176-328, columns 0-520 of
``console-Lat15-VGA16-0.png``).
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from robotest.vision import cell_reread, ocr, tesseract
from robotest.vision.cell_reread import read_cells_again, word_cells
from robotest.vision.words import Word

RUNNING = Path(__file__).parent / "data" / "console_vga16_running.png"
"""152 x 520 pixels: ``  rwyu.service  loaded active running  Target rwyu daemon`` in
the region (0, 14, 460, 20) and ``[  836.456386] loaded 8-7: mounted loaded pci`` in
(0, 126, 364, 20)."""

needs_tesseract = pytest.mark.skipif(
    not tesseract.in_process(), reason="read as the robot reads (tesserocr)"
)


@needs_tesseract
def test_two_stems_read_as_one_letter_are_read_again_as_two() -> None:
    # VGA16's ``nn`` was read ``m``: ``ruming``, its ``i`` between two cells
    screen = cv2.imread(str(RUNNING))
    line = ocr(screen, (0, 14, 460, 20), layout="line").text
    assert line == "rwyu.service loaded active running Target rwyu daemon"


@needs_tesseract
def test_a_character_read_twice_in_one_cell_is_read_once() -> None:
    # the dmesg time's ``]`` was read ``1]``, both in its cell
    screen = cv2.imread(str(RUNNING))
    line = ocr(screen, (0, 126, 364, 20), layout="line").text
    assert line == "[ 836.456386] loaded 8-7: mounted loaded pci"


def test_a_words_cells_are_laid_where_most_of_its_characters_sit() -> None:
    # ``ruming`` for ``running`` at a pitch of 8: the ``i`` half a cell off
    centres = (100.0, 108.0, 116.0, 127.5, 140.0, 148.0)
    cells = word_cells(centres, 8.0)
    assert np.allclose(cells, [100.0, 108.0, 116.0, 124.0, 132.0, 140.0, 148.0])


def _word(
    text: str, centres: tuple[float, ...], box: tuple[int, int, int, int] | None = None
) -> Word:
    # by default boxed as its ink, from half a cell (8) before the first to after the last
    left, right = round(centres[0] - 4), round(centres[-1] + 4)
    return Word(text=text, box=box or (left, 0, right - left, 16), conf=0.9, centres=centres)


def test_words_one_character_a_cell_are_not_read_again(monkeypatch: pytest.MonkeyPatch) -> None:
    asked = []
    monkeypatch.setattr(cell_reread, "read_words", lambda *a: asked.append(a) or [])
    words = [_word("active", (0.0, 8.0, 16.0, 24.0, 32.0, 40.0)), _word("ok", (56.0, 64.0))]
    image = np.full((40, 600), 255, np.uint8)
    assert read_cells_again(image, 3.0, 10, (0.0, 0.0), words) == words
    # an X 8x13 ``m`` through the camera centred 4 pixels from the ``e``: the cells its
    # centres give end a cell short of the word's ink, so they are not read
    system = _word("System", (4.9, 12.9, 20.9, 28.9, 36.9, 40.9), box=(2, 2, 47, 12))
    others = [
        _word(t, tuple(56.0 + 64 * n + 8.0 * i for i in range(len(t))))
        for n, t in enumerate(("Setup", "Utility", "28.10"))
    ]
    assert read_cells_again(image, 3.0, 10, (0.0, 0.0), [system, *others]) == [system, *others]
    assert asked == []


def test_a_read_again_that_changes_a_character_squarely_on_its_cell_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Raw:
        def __init__(self, text: str) -> None:
            self.text, self.conf = text, 90.0

    # the first read put ``m`` on cell 2 and ``i`` between cells 3 and 4: ``r`` and
    # ``u`` and ``g`` sat alone on their cells, between neighbours that did too
    word = _word("ruming", (0.0, 8.0, 16.0, 27.5, 40.0, 48.0))
    others = [
        _word(t, tuple(64.0 + 72 * n + 8.0 * i for i in range(len(t))))
        for n, t in enumerate(("loaded", "services", "started"))
    ]
    words = [word, *others]  # 23 steps, 21 of one cell: monospaced
    image = np.full((40, 600), 255, np.uint8)
    for again, kept in (("running", "running"), ("ranning", "ruming"), ("runnin", "ruming")):
        monkeypatch.setattr(cell_reread, "read_words", lambda *a, t=again: [Raw(t)])
        read = read_cells_again(image, 3.0, 10, (0.0, 0.0), words)
        assert read[0].text == kept
        assert read[1:] == others
    assert read_cells_again(image, 3.0, 10, (0.0, 0.0), words[:1]) == words[:1]  # no pitch
