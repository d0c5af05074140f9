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
from robotest.vision.cell_reread import doubled_cell, read_cells_again, word_cells
from robotest.vision.glyph_check import one_glyph
from robotest.vision.words import Word, without

RUNNING = Path(__file__).parent / "data" / "console_vga16_running.png"
"""152 x 520 pixels: ``  rwyu.service  loaded active running  Target rwyu daemon`` in
the region (0, 14, 460, 20) and ``[  836.456386] loaded 8-7: mounted loaded pci`` in
(0, 126, 364, 20)."""
TERMINUS = Path(__file__).parent / "data" / "console_terminus_dmesg.png"
"""80 x 416 pixels from the same corpus (rows 256-336 of ``console-Lat15-Terminus16-0.png``,
framebuffer): ``[  873.561280] network 14-2: found started`` in (0, 16, 336, 16)."""

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


@needs_tesseract
def test_a_glyph_read_twice_on_one_cell_is_kept_once() -> None:
    # Terminus's square ``.`` was read ``..`` or ``,.``, on one cell; read with its
    # cells apart it is still ``,.``, so the classifier picks which of the two it is
    screen = cv2.imread(str(TERMINUS))
    line = ocr(screen, (0, 16, 336, 16), layout="line").text
    assert line == "[ 873.561280] network 14-2: found started"


def test_two_characters_on_one_cell_are_found_where_that_is_the_words_only_fault() -> None:
    # ``873,.561288]`` at a pitch of 8: ``,`` and ``.`` both on the fourth cell
    word = _word("873,.5612", (28.0, 36.0, 44.0, 51.5, 54.5, 60.0, 68.0, 76.5, 84.0))
    assert doubled_cell(word, 8.0) == (3, 4)
    assert without(word, 3).text == "873.5612"
    assert without(word, 3).centres == (28.0, 36.0, 44.0, 54.5, 60.0, 68.0, 76.5, 84.0)
    # one character a cell, or a cell left empty as well: not this fault
    assert (
        doubled_cell(_word("873.5612", (28.0, 36.0, 44.0, 52.0, 60.0, 68.0, 76.0, 84.0)), 8.0)
        is None
    )
    assert (
        doubled_cell(_word("87,.5612", (28.0, 36.0, 51.5, 54.5, 60.0, 68.0, 76.0, 84.0)), 8.0)
        is None
    )
    assert one_glyph(",", ".") and one_glyph("1", "]") and one_glyph(".", ".")
    assert not one_glyph("a", ".") and not one_glyph("r", "n")


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
    # as many characters as cells, one of them a third of a cell off its own: a Fixed16
    # ``kxfmppkn`` through the camera, right as first read (read again: ``kxfmopkn``)
    off = _word("kxfmppkn", (4.0, 12.0, 20.0, 28.0, 38.7, 44.0, 52.0, 60.0))
    assert read_cells_again(image, 3.0, 10, (0.0, 0.0), [off, *others]) == [off, *others]
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
