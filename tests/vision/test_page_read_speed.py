"""The shortcuts of a page read (``find_text``'s time) give what the long way gives.

Connected components labelled with the block-based algorithm, each Tesseract image of a
page read once, and a line's median rows kept as it grows: the same labels, words and
lines as before, on generated masks, screens and words.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from robotest.vision import ocr_engine
from robotest.vision.images import components
from robotest.vision.ocr_engine import group_lines
from robotest.vision.words import Word

from .conftest import MONO, text_screen


def _masks() -> list[np.ndarray]:
    """Sparse specks, dense noise, and text drawn and thresholded, in uint8 0/255 and 0/1."""
    rng = np.random.default_rng(7)
    sparse = (rng.random((301, 517)) < 0.05).astype(np.uint8) * 255
    dense = (rng.random((160, 240)) < 0.6).astype(np.uint8)
    screen = text_screen([(10, 10, "BIOS Version 72.91"), (10, 40, "[ ] [*] i:j;")], (400, 80))
    grey = cv2.cvtColor(screen, cv2.COLOR_BGR2GRAY)
    text = cv2.threshold(grey, 128, 255, cv2.THRESH_BINARY_INV)[1]
    return [sparse, dense, text, cv2.bitwise_not(text), np.zeros((9, 13), np.uint8)]


@pytest.mark.parametrize("connectivity", [4, 8])
def test_components_are_opencvs_own_labels_and_statistics(connectivity: int) -> None:
    for mask in _masks():
        count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=connectivity)
        mine = components(mask, connectivity)
        assert mine[0] == count
        assert np.array_equal(mine[1], labels) and np.array_equal(mine[2], stats)


def test_a_run_drawn_twice_on_a_page_is_given_to_tesseract_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the same label twice, drawn pixel for pixel, far enough apart to be two runs
    screen = text_screen(
        [(10, 10, "CPU Type"), (10, 60, "CPU Type"), (10, 110, "Memory")], font=MONO
    )
    asked: list[bytes] = []
    reader = ocr_engine.read_words

    def counted(image: np.ndarray, psm: int, choices: bool = False) -> list[object]:
        asked.append(image.tobytes())
        return reader(image, psm, choices)  # type: ignore[return-value]

    monkeypatch.setattr(ocr_engine, "read_words", counted)
    words = ocr_engine.ocr(screen).words
    assert len(asked) == len(set(asked)) == 2  # the two labels: one image, and ``Memory``
    assert [w.text for w in words] == ["CPU", "Type", "CPU", "Type", "Memory"]
    assert words[0].box[1] < 30 < words[2].box[1] < 80 < words[4].box[1]


def _naive_lines(words: list[Word]) -> tuple[tuple[Word, ...], ...]:
    """group_lines as it was: every line's median rows taken again for every word."""
    lines: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (-w.box[3], w.box[1] + w.box[3] / 2, w.box[0])):
        centre = word.box[1] + word.box[3] / 2
        for line in lines:
            top = float(np.median([w.box[1] for w in line]))
            bottom = float(np.median([w.box[1] + w.box[3] for w in line]))
            if top <= centre <= bottom and not ocr_engine._speck_over(word, line, bottom - top):
                line.append(word)
                break
        else:
            lines.append([word])
    ordered = [tuple(sorted(line, key=lambda w: w.box[0])) for line in lines]
    ordered.sort(key=lambda line: min(w.box[1] for w in line))
    return tuple(ordered)


def test_lines_grouped_with_their_rows_kept_as_they_grow_are_the_same() -> None:
    rng = np.random.default_rng(3)
    for _ in range(20):
        words = [
            Word(
                f"w{i}",
                (
                    int(rng.integers(0, 600)),
                    int(rng.integers(0, 200)),
                    int(rng.integers(2, 60)),
                    int(rng.integers(2, 24)),
                ),
                0.9,
            )
            for i in range(int(rng.integers(1, 60)))
        ]
        assert group_lines(words) == _naive_lines(words)
