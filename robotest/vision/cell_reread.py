"""A monospaced word whose characters do not sit one to a cell, read again with its cells
apart.

On a monospaced line (a text console, a terminal, a firmware page) every character has
a cell of its own, one pitch wide (:func:`.words.monospace_pitch`). Tesseract's line
model reads the line as a stream, and where two glyphs of a bitmap font stand close it
now and then joins them or reads one twice: the Linux console's VGA16 ``nn`` (two stems
two pixels apart) is read ``m`` (``running`` read ``ruming``, the ``m`` centred between
two cells), a dmesg time's ``]`` is read ``1]`` (both in one cell), Terminus's ``.`` is
read ``,.``. Such a read gives a word a character between two cells or two characters in
one.

That word is read again with its cells cut apart and half a cell of white put between
them: each glyph then stands alone, and Tesseract reads one character a cell. The new
read is taken only where it gives exactly one character to each cell and the same
character as the first read on every cell where the first read had one character,
squarely on it, as were its neighbours'; it changes only what the first read put between
cells or beside them.

Only a word with a character too many or too few for its cells is read again. On the
tuning split every word the second read mended had the wrong count; a word with as many
characters as cells, one centre off by more than :data:`ON_CELL`, was already right, and
a second read could only make it wrong (a Fixed16 camera ``kxfmppkn`` read again
``kxfmopkn``). The cost, about 10 ms, is paid only for words read again.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from robotest.vision.glyph_check import kept_of_two, one_glyph
from robotest.vision.images import Region
from robotest.vision.tesseract import read_words
from robotest.vision.words import Word, monospace_pitch, without

GAP = 0.5
"""White put between the cells of a word read again, in cells. On the tuning split's
console lines read again, half a cell read ``running`` and ``836.456386]`` right where a
quarter of a cell still read ``836.4563861``."""
ON_CELL = 0.25
"""A character whose centre lies within this share of a cell of its cell's centre sits
on it; farther off, it lies between two cells (a joined ``m`` lies half a cell off)."""
_PSM_LINE = 7
"""Tesseract's single-line layout, as every line read of :mod:`.ocr_engine` asks."""
_WHITE = 255


def read_cells_again(
    image: np.ndarray, scale: float, border: int, origin: tuple[float, float], words: list[Word]
) -> list[Word]:
    """*words* (one line read on *image*, the prepared grey image, *scale* times the
    screen's size, whose pixel (*border*, *border*) lies at screen point *origin*), each
    monospaced word whose characters do not sit one to a cell read again cell by cell."""
    pitch = monospace_pitch(words)
    if pitch is None:
        return words
    sheet = _Sheet(image, scale, border, origin)
    return _doubles_kept_once([_again(word, pitch, sheet) for word in words], sheet)


def _doubles_kept_once(words: list[Word], sheet: _Sheet) -> list[Word]:
    """*words*, where a word's one fault is two characters on one cell that may be one
    glyph read twice (:func:`doubled_cell`, :func:`.glyph_check.one_glyph`), with the one
    the classifier sees there kept (:func:`.glyph_check.kept_of_two`)."""
    pitch = monospace_pitch(words)  # of the words as read again
    if pitch is None:
        return words
    out = list(words)
    for i, word in enumerate(words):
        pair = doubled_cell(word, pitch)
        if pair is not None and one_glyph(*(word.text[c] for c in pair)):
            kept = kept_of_two(sheet.ink(), sheet.scale, sheet.ink_origin(), out, i, pair)
            out[i] = without(word, pair[1] if kept == pair[0] else pair[0])
    return out


@dataclass(frozen=True)
class _Sheet:
    """The prepared image of a line and how its columns map to screen x."""

    image: np.ndarray
    scale: float
    border: int
    origin: tuple[float, float]

    def ink(self) -> np.ndarray:
        """The image as ink 1.0 on background 0.0 (float32), as the classifier cuts it."""
        return (_WHITE - self.image).astype(np.float32) * (1.0 / _WHITE)

    def ink_origin(self) -> tuple[float, float]:
        """The screen point at the image's pixel (0, 0)."""
        return (
            self.origin[0] - self.border / self.scale,
            self.origin[1] - self.border / self.scale,
        )

    def column(self, x: float) -> int:
        """The image column at screen *x*."""
        return round((x - self.origin[0]) * self.scale) + self.border

    def apart(self, cells: np.ndarray, pitch: float) -> np.ndarray:
        """The image's *cells* (screen x of their centres) side by side, :data:`GAP` of a
        cell of white between them and a border round them."""
        height = self.image.shape[0]
        gap = np.full((height, max(1, round(GAP * pitch * self.scale))), _WHITE, np.uint8)
        edge = np.full((height, self.border), _WHITE, np.uint8)
        pieces = [edge]
        for centre in cells:
            left = max(0, self.column(centre - pitch / 2))
            right = min(self.image.shape[1], self.column(centre + pitch / 2))
            pieces += [self.image[:, left:right], gap]
        return np.ascontiguousarray(np.hstack([*pieces[:-1], edge]))


def word_cells(centres: tuple[float, ...], pitch: float) -> np.ndarray:
    """The screen x of the centres of the cells a word's characters (at *centres*) take:
    the grid of *pitch* laid where most of them sit, from the first's cell to the last's."""
    at = np.asarray(centres, float)
    steps = np.round((at - at[0]) / pitch)
    first = at[0] + float(np.median(at - at[0] - steps * pitch))
    index = np.round((at - first) / pitch)
    return first + np.arange(index.min(), index.max() + 1) * pitch


def _again(word: Word, pitch: float, sheet: _Sheet) -> Word:
    """*word*, or its read with its cells apart where its characters do not sit one to a
    cell and that read passes the module's checks."""
    if len(word.centres) != len(word.text) or len(word.text) < 2:
        return word
    cells = word_cells(word.centres, pitch)
    if not _covers(cells, pitch, word.box):
        return word
    if len(cells) == len(word.text):
        return word  # as many characters as cells: see :func:`_again`'s note
    trusted = _trusted(word, cells, pitch)
    read = read_words(sheet.apart(cells, pitch), _PSM_LINE)
    text = "".join(w.text for w in read)
    if text == word.text or len(text) != len(cells):
        return word
    if any(text[cell] != char for cell, char in trusted.items()):
        return word
    # no surer than the first read: among reads of the line at other text heights
    # (:func:`.ocr_engine.read_line`), one read again is not preferred for it
    conf = min(word.conf, min(w.conf for w in read) / 100.0)
    return Word(text=text, box=word.box, conf=conf, centres=tuple(float(c) for c in cells))


def doubled_cell(word: Word, pitch: float) -> tuple[int, int] | None:
    """The indices of the two characters of *word* that share one cell, where that is
    all that keeps it from one character a cell: every other cell of the word holds one
    character, and its cells span its ink (:func:`_covers`). None: no such pair.

    Read with its cells apart, Terminus's square ``.`` is still read ``,.`` (a second
    read cannot mend it); which of the two the cell shows is the classifier's to say
    (:func:`_doubles_kept_once`)."""
    count = len(word.text)
    if len(word.centres) != count or count < 3:
        return None
    cells = word_cells(word.centres, pitch)
    if len(cells) != count - 1 or not _covers(cells, pitch, word.box):
        return None
    index = np.round((np.asarray(word.centres, float) - cells[0]) / pitch).astype(int)
    if np.any(np.bincount(index, minlength=len(cells)) == 0):
        return None
    first = int(np.flatnonzero(np.diff(index) == 0)[0])
    return first, first + 1


def _covers(cells: np.ndarray, pitch: float, box: Region) -> bool:
    """Whether *cells* span the word's *box* (its ink, as Tesseract boxed it) to within
    half a cell at either end. Where a wide glyph's centre is put in its neighbour's cell
    (an X 8x13 ``m`` through the camera, four pixels from the ``e`` before it), the cells
    fall a cell short of the ink, and a read of them would drop the glyph (``System``
    read ``Syste``)."""
    left, right = cells[0] - pitch / 2, cells[-1] + pitch / 2
    return abs(left - box[0]) <= pitch / 2 and abs(right - (box[0] + box[2])) <= pitch / 2


def _trusted(word: Word, cells: np.ndarray, pitch: float) -> dict[int, str]:
    """The cells where *word* has exactly one character squarely on the cell
    (:data:`ON_CELL`), as have the cells either side of it inside the word, and that
    character. Beside a cell with none or two, the first read's character may be the
    joined one (``running`` read ``ruming``: the ``m`` on the first ``n``'s cell, the
    ``i`` between the next two)."""
    at = np.asarray(word.centres, float)
    index = np.round((at - cells[0]) / pitch).astype(int)
    on = np.abs(at - cells[index]) <= ON_CELL * pitch
    alone = np.bincount(index, minlength=len(cells)) == 1
    alone &= np.bincount(index, weights=on, minlength=len(cells)) == 1
    steady = alone.copy()
    steady[1:] &= alone[:-1]
    steady[:-1] &= alone[1:]
    return {int(cell): char for cell, char in zip(index, word.text, strict=True) if steady[cell]}
