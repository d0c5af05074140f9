"""A word read from the screen: what OCR (:mod:`.ocr_engine`) gives and what the second
opinion on its characters (:mod:`.glyph_check`) takes, in a module of its own so that
neither imports the other."""

from __future__ import annotations

from dataclasses import dataclass, replace
from itertools import accumulate

import numpy as np

from robotest.vision.images import Region

_PITCH_TOLERANCE = 0.15
"""Monospaced: nearly every character step within this fraction of the median step.

Measured on clean lines at 18-28 px (`tests/vision/test_ocr_lines.py`): DejaVu Sans Mono
keeps 90% of its steps within 0.04-0.14 of the median, DejaVu Sans within 0.17-0.41 at
best. Taking proportional text for monospaced drops real spaces (``Book 14`` read as
``Book14``: a space there is less than half a letter), so the bound errs towards
proportional, where only a split ``DE: 47`` stays unjoined."""
_JOIN_GAP = 0.3
"""Pieces closer than this many text heights are one word (where no pitch is known)."""


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


def line_text(words: list[Word]) -> str:
    """Words of one line as text, pieces Tesseract split inside a word joined again.

    Tesseract sometimes splits ``QA-7499`` into ``QA-`` and ``7499``, or reads a space
    after the ``:`` of a MAC address on a monospaced screen (``DE: 47:C8``): the colon
    is drawn narrow in the middle of its cell, so the gap around it is a third of a
    cell, wider than the gaps between other characters. On a **monospaced** line (the
    characters' centres step evenly: BIOS pages, terminals) a space is where the next
    character's centre is two or more cells on, which no narrow glyph changes. Elsewhere
    (proportional text, or no character positions) pieces closer than 0.3 x their
    height are joined, far narrower than a space, unless the first box reaches over the
    whole next word (Tesseract sometimes reports a word's box spanning the next words).
    """
    if not words:
        return ""
    spaced = spaces_before(words)
    return words[0].text + "".join(
        (" " if space else "") + word.text for space, word in zip(spaced, words[1:], strict=True)
    )


def spaces_before(words: list[Word]) -> list[bool]:
    """For each word of one line after the first, whether a space stands before it
    (:func:`line_text`'s rule)."""
    if not words:
        return []
    pitch = monospace_pitch(words)
    height = float(np.median([w.box[3] for w in words]))
    return [
        _spaced(previous, word, pitch, height)
        for previous, word in zip(words, words[1:], strict=False)
    ]


def _spaced(previous: Word, word: Word, pitch: float | None, height: float) -> bool:
    if pitch is not None and previous.centres and word.centres:
        return word.centres[0] - previous.centres[-1] >= 1.5 * pitch
    previous_right = previous.box[0] + previous.box[2]
    # a box reaching over the whole next word is broken, no evidence: keep the space
    broken = previous_right >= word.box[0] + word.box[2]
    return broken or word.box[0] - previous_right >= _JOIN_GAP * height


def tokens(words: list[Word]) -> list[tuple[str, int]]:
    """For each of one line's *words*, the text it stands in once pieces are joined
    (:func:`line_text`) and where in that text it starts: Tesseract's ``CHFOF`` and
    ``J5XXF-8159`` are one ``CHFOFJ5XXF-8159`` on the screen."""
    if not words:
        return []
    out: list[tuple[str, int]] = []
    group = [words[0]]
    for word, space in zip(words[1:], spaces_before(words), strict=True):
        if space:
            out += _token_of(group)
            group = []
        group.append(word)
    return out + _token_of(group)


def _token_of(group: list[Word]) -> list[tuple[str, int]]:
    text = "".join(w.text for w in group)
    return [(text, start) for start in accumulate((len(w.text) for w in group[:-1]), initial=0)]
