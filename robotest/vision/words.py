"""A word read from the screen: what OCR (:mod:`.ocr_engine`) gives and what the second
opinion on its characters (:mod:`.glyph_check`) takes, in a module of its own so that
neither imports the other."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from robotest.vision.images import Region

_PITCH_TOLERANCE = 0.15
"""Monospaced: nearly every character step within this fraction of the median step.

Measured on clean lines at 18-28 px (`tests/vision/test_ocr_lines.py`): DejaVu Sans Mono
keeps 90% of its steps within 0.04-0.14 of the median, DejaVu Sans within 0.17-0.41 at
best. Taking proportional text for monospaced drops real spaces (``Book 14`` read as
``Book14``: a space there is less than half a letter), so the bound errs towards
proportional, where only a split ``DE: 47`` stays unjoined."""


@dataclass(frozen=True)
class Word:
    """One word read: its text, box in screen pixels and Tesseract's confidence (0..1)."""

    text: str
    box: Region
    conf: float
    centres: tuple[float, ...] = ()
    """Screen x of each character's centre, where Tesseract reported them."""
    choices: tuple[tuple[tuple[str, float], ...], ...] = ()
    """Each character's alternatives as Tesseract weighed them (see
    :attr:`.tesseract.RawWord.choices`), where it reported them."""
    doubt: tuple[int, ...] = ()
    """Indices of the characters read in doubt: digits the two readers could not settle
    (:attr:`.glyph_check.Opinion.doubts`). The text holds the likelier reading; a check
    that depends on those digits should not take it as sure."""

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "text": self.text,
            "box": list(self.box),
            "conf": round(self.conf, 3),
        }
        if self.doubt:
            out["doubt"] = list(self.doubt)
        return out


def monospace_pitch(words: list[Word]) -> float | None:
    """The cell width of a monospaced line, or None when the line is not monospaced.

    Monospaced when at least 4 steps between neighbouring characters inside words are
    known and 90% of them are within ``_PITCH_TOLERANCE`` of their median: in
    proportional text ``il`` and ``mw`` step by less than half and more than 1.5 times
    the median.
    """
    steps = np.array([b - a for w in words for a, b in zip(w.centres, w.centres[1:], strict=False)])
    if steps.size < 4:
        return None
    pitch = float(np.median(steps))
    if pitch <= 0:
        return None
    even = np.abs(steps - pitch) <= _PITCH_TOLERANCE * pitch
    return pitch if even.mean() >= 0.9 else None


def without(word: Word, dropped: int) -> Word:
    """*word* without its character at index *dropped* (its centre and alternatives too),
    read before any doubt was marked."""
    choices = word.choices
    if len(choices) == len(word.text):
        choices = choices[:dropped] + choices[dropped + 1 :]
    return replace(
        word,
        text=word.text[:dropped] + word.text[dropped + 1 :],
        centres=word.centres[:dropped] + word.centres[dropped + 1 :],
        choices=choices,
    )
