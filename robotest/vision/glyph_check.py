"""A second opinion on the characters Tesseract's general model confuses in screen fonts.

Tesseract's English model was trained on print. Through a camera, the small fonts of
BIOS pages and terminals lose the details that tell some characters apart: DejaVu Sans
Mono's dotted zero comes out as ``O`` or ``6``, ``i7`` as ``17``, ``B`` as ``8``. Fine-
tuning Tesseract itself needs a float ("best") model; the installed model is an integer
("fast") one, which ``lstmtraining`` cannot continue from. So a small classifier,
trained on the screen fonts photographed by the simulated camera
(``benchmarks/glyph_training.py``), looks again at each character of a line read, at the
position Tesseract reported. Its answer replaces Tesseract's where both characters are
in one of the known confusion groups and the classifier is sure, or anywhere it is all
but certain (:data:`ANY_SURE`); on fonts it was not trained on it changes few characters
(measured by ``glyph_training.py --check``). A digit becomes another digit only where
both readers, weighed together, agree (:meth:`GlyphModel.digit_decision`, with
Tesseract's confusions on the training lines shipped in the model), and the classifier
still sees it in windows cut a little left and right (:func:`_steady`).
"""

from __future__ import annotations

import functools
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np
from threadpoolctl import ThreadpoolController

from robotest.vision.images import Region
from robotest.vision.words import Word, monospace_pitch, tokens, without

MODEL_PATH = Path(__file__).with_name("models") / "screen_glyphs.npz"
WINDOW = (20, 28)
"""Width and height (pixels) every character window is resized to."""
GROUPS = (
    "0OD6Q8BG@",
    "1Ii7Tjl|L?]",
    "5S$",
    "EF£",
    "C€[({",
    "2Z",
    "9gq",
    ".,",
    "-—–",
    "uvwy",
    "mn",
    "rPp",
    ")]",
    ":23",
    "S389",
    "YV¥",
)
"""Characters the general model mistakes for one another in these fonts: the screen
fonts through a camera (``0`` and ``O``, ``B`` and ``8``), and the Linux console's and X's
bitmap fonts (``7`` read ``?``, ``w`` read ``u``, ``-`` read as a dash, ``]`` as ``1``,
``r`` as ``P``, Terminus's dotted ``0`` as ``8``, a dmesg line's ``]`` through the camera
as ``)``: 190 of the training's 2240 ``]``; an X font's narrow colon between digits read
``2`` or ``3``, 1166 of 12,218; ``9``, ``3`` and ``8`` read ``S``, 266 of 7660 ``9``;
X 6x13's and 9x15's ``Y`` and ``V`` read ``¥``, a sign the classifier does not know:
3 of the 14 values misread on the real programs' tuning framebuffers). A
character may stand in two groups (``]``)."""
SURE = 0.97
"""The classifier's probability needed to replace Tesseract's character."""
DIGIT_SURE = 0.9
"""The probability, both readers weighed, needed to read a digit Tesseract read as another
digit (see :meth:`GlyphModel.digit_decision`)."""
ANY_SURE = 0.99
"""The classifier's probability at which it replaces Tesseract's letter by another letter,
or a sign by another sign, outside the confusion groups. On the tuning split's line reads
of the first corpus whose length matched the truth, where the classifier was sure
(:data:`SURE`) of a character outside Tesseract's group, it was right 19 times and
Tesseract 2, both a letter for a sign or a sign for a letter (X 9x15's ``L`` seen as
``_``, Terminus's ``:`` as ``C``); a letter for a letter or a sign for a sign, the
classifier was right every time: X 6x13's ``m`` read ``h``, DejaVu Sans Mono's ``r``
through the camera read ``f``, Terminus's ``W`` read ``N``, ``:`` read ``;``."""
CLASSIFIER_SAYS = 0.5
"""The classifier's own probability for the digit that replaces Tesseract's: both readers
must say it. Weighed by Tesseract's confusions alone, a window the classifier takes for
a dash (an xterm camera line's windows cut three pixels low) gave a ``0`` it saw at 0.03
a probability of 0.97 where Tesseract read ``8``."""
TORN = 20.0
"""Tesseract's confidence (0..100) in its digit less its confidence in another digit it
weighed: closer than this, Tesseract was torn between the two, and the classifier, sure
of one of them (:data:`RIVAL_SURE`), decides, for a pair Tesseract confused on under
:data:`RARE_CONFUSION` of the training lines' characters. Those confusions say nothing
of a font it never read: a VGA16 camera ``9`` read ``3`` (84 against 66) is a confusion
they saw 6 times in 5846 drawn ``9``, and weighed by them Tesseract's ``3`` stood though
the classifier saw a ``9`` at 1.00."""
RIVAL_SURE = 0.9
"""The classifier's own probability for the digit that replaces one Tesseract was torn
on (:data:`TORN`): as sure as both readers must be (:data:`DIGIT_SURE`). At
:data:`CLASSIFIER_SAYS` (0.5) an X 7x14 camera ``9`` (Tesseract 88, ``8`` 85) became the
``8`` the classifier said at 0.57, its windows cut off the line's characters."""
RARE_CONFUSION = 0.01
"""The share of a digit's training reads Tesseract gave as another digit under which
their confusions do not decide the pair (:data:`TORN`); a pair confused more often
(Terminus's ``8`` read ``6``, 2%) is weighed by them (:meth:`GlyphModel.digit_decision`),
and an X ``6x13`` ``6`` Tesseract weighed against an ``8`` and the classifier took for
an ``8`` (0.87) stays a ``6``."""
DISPUTED = 0.6
"""Short of DIGIT_SURE, the probability of another digit (both readers weighed) that
puts Tesseract's digit in dispute."""
TORN_DOUBT = 25.0
"""Tesseract's confidence in its digit less its confidence in another digit it weighed,
under which the digit is read in doubt (:attr:`Opinion.doubts`) unless the classifier
backs it (:data:`BACKED`). On the tuning split (five corpora, 10,760 digits of first
line reads aligned with the truth) 18 of the 32 digits read as another digit had
another this close and not backed, against 37 of the 10,728 right ones (at 20 points,
15 and 32; at 30, 18 and 47)."""
CHANGED_SURE = 0.95
"""The classifier's own probability for a digit it put in place of Tesseract's under
which the change is read in doubt. On the tuning split 148 of the classifier's 152 digit
changes were right; of the 4 wrong ones 2 were made at 0.77 and 0.90 (a VGA16 camera
``8`` Tesseract read ``6`` made a ``0``; an X 8x16 camera ``5`` made a ``6``), against 3
right ones under 0.95."""
BACKED = 0.5
"""The classifier's own probability for Tesseract's digit that settles a digit Tesseract
was torn on (:data:`TORN_DOUBT`)."""
_PSEUDO_COUNT = 0.5
"""Added to every count of the training's confusions: a confusion never seen there is
rare, not impossible."""
STEADY_SHIFT = 0.08
"""How far, in text heights, the windows either side of a character's are cut to check a
digit the classifier would change (:func:`_steady`): about a sixth of a cell."""
GRID_SLIP = 0.3
"""The most a character's centre may lie off its cell, in cells, before it is put on it
(:func:`on_grid`); Tesseract's centres of a clean monospaced line lie within 0.15 of a
cell (:data:`.words._PITCH_TOLERANCE`)."""
GRID_REACH = 0.6
"""The farthest a character's centre is put on its cell from, in cells: a centre a whole
cell off is another character's cell, not a slip (see :func:`on_grid`)."""
GRID_LEAST = 4
"""Characters a word needs for its own cells to be measured (on a line not found
monospaced as a whole)."""
GRID_FIT = 0.75
"""The share of a word's centres that must lie on its cells (within a sixth of one)
for the word to be taken as set on them."""
_HEIGHT_SPAN = 1.5
"""Window height, in text heights, centred on the line."""
_WIDTH_SPAN = 0.8
"""Window width, in text heights, centred on the character."""
_STRAY_SPAN = 0.4
"""The most a neighbouring line's ink cut by the region's edge reaches in, in text
heights (a descender, an accent)."""


_GROUPS_OF = {
    c: frozenset(i for i, group in enumerate(GROUPS) if c in group) for c in "".join(GROUPS)
}


@dataclass(frozen=True)
class LineGlyphs:
    """The character windows of one line read, and where each came from."""

    windows: np.ndarray
    """(N, h*w) float32, ink 1 and background 0."""
    places: list[tuple[int, int]]
    """(word index, character index) of each window."""


def line_windows(
    ink: np.ndarray,
    scale: float,
    origin: tuple[float, float],
    words: list[Word],
    area: Region | None = None,
) -> LineGlyphs:
    """The window around every character of *words*, cut from *ink*.

    *ink* is the prepared image of the line (ink high, background low) at *scale* times
    screen pixels, with screen point *origin* at its pixel (0, 0). Words are those of
    :mod:`.ocr_engine` (screen boxes, characters' centres). *area* is the region of the
    screen the line was read from, where known: a neighbouring line's ink it cuts at its
    edge is then no part of the line (see :func:`_line_span`).
    """
    top, bottom = _line_span(ink, scale, origin, words, area)
    height = _text_height(words, top, bottom) * scale
    middle = ((top + bottom) / 2 - origin[1]) * scale
    half_h, half_w = _HEIGHT_SPAN * height / 2, _WIDTH_SPAN * height / 2
    windows, places = [], []
    for wi, (word, centres) in enumerate(zip(words, on_grid(words), strict=True)):
        if len(centres) != len(word.text):
            continue
        for ci, centre in enumerate(centres):
            x = (centre - origin[0]) * scale
            windows.append(_cut(ink, x - half_w, middle - half_h, 2 * half_w, 2 * half_h))
            places.append((wi, ci))
    flat = np.array(windows, dtype=np.float32).reshape(len(windows), WINDOW[0] * WINDOW[1])
    return LineGlyphs(windows=flat, places=places)


def on_grid(words: list[Word]) -> list[tuple[float, ...]]:
    """Each word's character centres, those off its cells put on them where its
    characters step evenly (a console, a terminal, a BIOS page, a number).

    Tesseract's box of a character now and then slips by half a cell (Terminus through
    the camera: ``7330``'s ``0`` centred 3.8 pixels left of its cell of 8, its window cut
    across the ``3`` beside it, and the classifier unsure of the ``8`` Tesseract read for
    it; VGA16 on a highlighted bar: the ``8`` after the dot of ``49.84.94`` 3.3 pixels
    right, the classifier saw the ``4`` beside it). A word's characters sit in adjacent
    cells (:func:`_cells`); a centre more than :data:`GRID_SLIP` of a cell off its cell
    is put on it.
    """
    pitch = monospace_pitch(words)
    return [_put_on(word.centres, _cells(word.centres, pitch)) for word in words]


def _put_on(centres: tuple[float, ...], cells: np.ndarray | None) -> tuple[float, ...]:
    """*centres* with each more than :data:`GRID_SLIP` of a cell off its cell in *cells*
    (and no more than :data:`GRID_REACH`) put on it, unless another character's centre
    lies within half a cell of that cell: a character Tesseract read twice
    (``873,.561280]`` for ``873.561280]``, framebuffer Terminus) shifts the cells of
    those before it a whole cell, onto their neighbours."""
    if cells is None:
        return centres
    at = np.asarray(centres, dtype=np.float64)
    pitch = float(cells[1] - cells[0])
    out = list(centres)
    for i, cell in enumerate(cells):
        others = np.delete(at, i)
        taken = bool(np.any(np.abs(others - cell) < pitch / 2))
        if GRID_SLIP * pitch < abs(at[i] - cell) <= GRID_REACH * pitch and not taken:
            out[i] = float(cell)
    return tuple(out)


def _cells(centres: tuple[float, ...], pitch: float | None) -> np.ndarray | None:
    """The centres of the cells of a word whose characters' centres are *centres*: the
    line's *pitch* apart where the line is monospaced (:func:`.words.monospace_pitch`),
    else the median step over every pair of its characters, where the word is long
    enough (:data:`GRID_LEAST`) and at least :data:`GRID_FIT` of its centres lie within
    a sixth of a cell of them (a proportional word's do not); placed at the median of
    the centres' offsets from them. None: no cells."""
    count = len(centres)
    if count < 2 or (pitch is None and count < GRID_LEAST):
        return None
    at = np.asarray(centres, dtype=np.float64)
    index = np.arange(count)
    if pitch is None:
        first, second = np.triu_indices(count, 1)
        pitch = float(np.median((at[second] - at[first]) / (second - first)))
    if pitch <= 0:
        return None
    cells = float(np.median(at - index * pitch)) + index * pitch
    even = np.abs(at - cells) <= pitch / 6
    return cells if even.mean() >= GRID_FIT else None


def _text_height(words: list[Word], top: float = -np.inf, bottom: float = np.inf) -> float:
    """The words' median height, their boxes cut to the line's span *top* to *bottom*."""
    return float(np.median([min(w.box[1] + w.box[3], bottom) - max(w.box[1], top) for w in words]))


def _line_span(
    ink: np.ndarray,
    scale: float,
    origin: tuple[float, float],
    words: list[Word],
    area: Region | None,
) -> tuple[float, float]:
    """Screen y of the top and bottom of the line's text: its words' boxes, less the ink of
    a neighbouring line that *area* cuts at its top or bottom edge.

    On a console the lines touch: a region padded around one line takes in the
    descenders of the line above, which Tesseract puts in its word's box (Terminus's
    ``found`` 14 pixels high where the line's text is 10), and every window, cut about
    the box's middle, showed its character two pixels low: ``0`` taken for ``u``, ``3``
    for ``q``. Such ink touches the region's edge, is thin, and is parted from the text
    by a row with no ink. Nor does the line reach out of *area*, though Tesseract's box
    sometimes does (an xterm line through a camera: words 23 pixels high in a region of
    15, the box's middle then three pixels low once its top was put right). Nor does it
    reach above or below its own ink in the words' columns: Tesseract boxed ``Product
    Name`` (VGA16 through the camera, a region of 20 rows) 16 pixels high where its ink
    is 11, and windows cut 1.5 times that high and 0.8 times wide showed two letters
    each (``Product`` seen as ``pwaawpi``).
    """
    top: float = min(w.box[1] for w in words)
    bottom: float = max(w.box[1] + w.box[3] for w in words)
    if area is None:
        return top, bottom
    top, bottom = max(top, area[1]), min(bottom, area[1] + area[3])
    first = int(round((area[1] - origin[1]) * scale))
    last = int(round((area[1] + area[3] - origin[1]) * scale))
    left = max(0, int((min(w.box[0] for w in words) - origin[0]) * scale))
    right = int(np.ceil((max(w.box[0] + w.box[2] for w in words) - origin[0]) * scale))
    inked = np.asarray((ink[max(0, first) : last, left:right] > 0.5).any(axis=1), dtype=bool)
    thin = _STRAY_SPAN * _text_height(words) * scale
    start = max(0, first)
    below = _past_stray(inked, scale, thin)
    above = _past_stray(inked[::-1], scale, thin)
    if below is not None:
        top = max(top, origin[1] + (start + below) / scale)
    if above is not None:
        bottom = min(bottom, origin[1] + (start + len(inked) - above) / scale)
    rows = np.flatnonzero(inked)
    if len(rows):  # no higher or lower than the line's own ink
        top = max(top, origin[1] + (start + rows[0]) / scale)
        bottom = min(bottom, origin[1] + (start + rows[-1] + 1) / scale)
    return top, bottom


def _past_stray(inked: np.ndarray, scale: float, thin: float) -> int | None:
    """Where the ink after a stray piece starts in *inked* (rows with ink, from the
    region's edge on): None when the first ink is not a thin run touching the edge and
    parted from more ink by an empty row."""
    rows = np.flatnonzero(inked)
    if not len(rows) or rows[0] > scale:  # no ink at the edge
        return None
    gaps = np.flatnonzero(~inked[rows[0] :])
    if not len(gaps) or gaps[0] > thin:
        return None
    rest = np.flatnonzero(inked[rows[0] + gaps[0] :])
    return int(rows[0] + gaps[0] + rest[0]) if len(rest) else None


def _cut(ink: np.ndarray, x: float, y: float, w: float, h: float) -> np.ndarray:
    """The window (x, y, w, h) of *ink*, resized to WINDOW, zero outside the image."""
    target_w, target_h = WINDOW
    affine = np.array([[target_w / w, 0, -x * target_w / w], [0, target_h / h, -y * target_h / h]])
    return cv2.warpAffine(
        ink,
        affine,
        WINDOW,
        flags=cv2.INTER_AREA if w > target_w else cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=0,
    )


class GlyphModel:
    """A small multilayer perceptron over character windows (weights from training)."""

    def __init__(self, path: Path = MODEL_PATH) -> None:
        data = np.load(path)
        self.classes = str(data["classes"])
        count = sum(1 for name in data.files if name.startswith("w"))
        self.layers = [
            (data[f"w{i}"].astype(np.float32), data[f"b{i}"].astype(np.float32))
            for i in range(count)
        ]
        self.confusions = (
            data["confusions"].astype(np.float64) if "confusions" in data.files else None
        )
        """How often Tesseract read each class (columns) where each class (rows) was
        drawn, on the training lines; None in a model saved without them."""

    def probabilities(self, windows: np.ndarray) -> np.ndarray:
        """Each window's probability for each of :attr:`classes`, (N, classes)."""
        out = windows
        with _one_blas_thread():
            for i, (weight, bias) in enumerate(self.layers):
                out = out @ weight + bias
                if i < len(self.layers) - 1:
                    np.maximum(out, 0, out=out)
        out -= out.max(axis=1, keepdims=True)
        np.exp(out, out=out)
        return out / out.sum(axis=1, keepdims=True)

    def digit_decision(self, said: str, probabilities: np.ndarray) -> tuple[str, float]:
        """What a window shows where Tesseract read the digit *said*, and how sure.

        Both readers are weighed (Bayes' rule): the classifier's probability for each
        class, times how often Tesseract reads *said* where that class is drawn (the
        training's confusions). A digit Tesseract often gives for another (Terminus's
        slashed ``0`` read ``8`` or ``4``) is overruled by a classifier that sees the
        other; a digit Tesseract nearly never reads for the classifier's choice (a
        clean ``4`` the classifier takes for a ``5``) is kept; and a window the
        classifier reads as no digit at all (cut beside its character) changes no
        digit. Without the confusions, Tesseract's digit stands.
        """
        if self.confusions is None or said not in self.classes:
            return said, 1.0
        counts = self.confusions
        read_as = (counts[:, self.classes.index(said)] + _PSEUDO_COUNT) / (
            counts.sum(axis=1) + _PSEUDO_COUNT * len(self.classes)
        )
        weighed = probabilities * read_as
        total = float(weighed.sum())
        if total <= 0:
            return said, 1.0
        best = int(weighed.argmax())
        return self.classes[best], float(weighed[best]) / total

    def confused(self, drawn: str, said: str) -> float:
        """The share of *drawn*'s training reads Tesseract gave as *said* (1.0 unknown)."""
        if self.confusions is None or drawn not in self.classes or said not in self.classes:
            return 1.0
        row = self.confusions[self.classes.index(drawn)]
        return float(row[self.classes.index(said)] / max(1.0, float(row.sum())))


def one_glyph(first: str, second: str) -> bool:
    """Whether two characters Tesseract put on one cell may be one glyph read twice: the
    same character, or two of one confusion group (:data:`GROUPS`: Terminus's ``.`` read
    ``,.``, a dmesg ``]`` read ``1]`` or ``)]``)."""
    return first == second or _grouped(first, second)


def _grouped(first: str, second: str) -> bool:
    """Whether two characters stand in one confusion group (:data:`GROUPS`)."""
    return bool(_GROUPS_OF.get(first, frozenset()) & _GROUPS_OF.get(second, frozenset()))


def kept_of_two(
    ink: np.ndarray,
    scale: float,
    origin: tuple[float, float],
    words: list[Word],
    word: int,
    pair: tuple[int, int],
) -> int:
    """Which of the two characters *pair* of ``words[word]`` that share one cell
    (:func:`.cell_reread.doubled_cell`) the classifier sees there: the index of the one to
    keep (the first, where the model is missing or they are the same). *ink*, *scale* and
    *origin* as :func:`line_windows` takes them."""
    glyph_model = model()
    chars = [words[word].text[i] for i in pair]
    if (
        glyph_model is None
        or chars[0] == chars[1]
        or any(c not in glyph_model.classes for c in chars)
    ):
        return pair[0]
    seen = []
    for keep, drop in (pair, pair[::-1]):
        one = without(words[word], drop)
        glyphs = line_windows(ink, scale, origin, [*words[:word], one, *words[word + 1 :]])
        if (word, pair[0]) not in glyphs.places:  # no window cut for it
            return pair[0]
        at = glyphs.places.index((word, pair[0]))  # the kept character, either way
        p = glyph_model.probabilities(glyphs.windows[at : at + 1])[0]
        seen.append(float(p[glyph_model.classes.index(words[word].text[keep])]))
    return pair[0] if seen[0] >= seen[1] else pair[1]


@functools.cache
def _blas() -> ThreadpoolController:
    return ThreadpoolController()


def _one_blas_thread() -> AbstractContextManager[object]:
    """OpenBLAS runs a product of this size on every core and then keeps them spinning:
    about 5 ms of CPU for 1 ms of work. One thread does it in the same time."""
    return _blas().limit(limits=1, user_api="blas")


@functools.cache
def model() -> GlyphModel | None:
    """The shipped model, loaded once; None where it is missing."""
    return GlyphModel() if MODEL_PATH.exists() else None


@dataclass(frozen=True)
class Opinion:
    """A line read after the second opinion, and how many of its digits stay in dispute."""

    words: list[Word]
    disputed: int
    """Digits left as Tesseract read them though likely another: another digit weighs
    :data:`DISPUTED` to :data:`DIGIT_SURE` with both readers weighed, or the classifier
    alone is sure of another (at least :data:`DIGIT_SURE`: Tesseract's ``3`` for a
    camera's ``9`` is rare in training, so its word stood). The line is worth reading
    again."""
    unweighed: int = 0
    """Digits the classifier reads as another in a pair the training rarely confused,
    in words read without Tesseract's alternatives (:data:`TORN`): with them (a read
    of the same image asking for them), the pair is decided."""
    doubts: tuple[tuple[int, int], ...] = ()
    """(word, character) of each digit read in doubt: in dispute (above), one Tesseract
    weighed another digit close to (:data:`TORN_DOUBT`) that the classifier does not
    back, or one the classifier changed without being sure (:data:`CHANGED_SURE`).
    Reported with the read (:attr:`.Word.doubt`), never guessed away."""
    contested: tuple[tuple[int, int, str], ...] = ()
    """(word, character, digit) of each digit Tesseract weighed another digit close to
    (:data:`TORN_DOUBT`) that the classifier takes the window for (its first choice, at
    least :data:`CLASSIFIER_SAYS`), left as Tesseract read it: a read of the line at
    another text height that gives that digit decides it (:mod:`.ocr_engine`)."""


def recheck(
    ink: np.ndarray,
    scale: float,
    origin: tuple[float, float],
    words: list[Word],
    area: Region | None = None,
) -> list[Word]:
    """*words* with the characters the classifier surely reads otherwise (same group) replaced."""
    return second_opinion(ink, scale, origin, words, area).words


def second_opinion(
    ink: np.ndarray,
    scale: float,
    origin: tuple[float, float],
    words: list[Word],
    area: Region | None = None,
) -> Opinion:
    """*words* rechecked (see :func:`recheck`), and the digits still in dispute."""
    glyph_model = model()
    if glyph_model is None or not words:
        return Opinion(words, 0)
    glyphs = line_windows(ink, scale, origin, words, area)
    if not glyphs.places:
        return Opinion(words, 0)
    probs = glyph_model.probabilities(glyphs.windows)
    texts = [list(w.text) for w in words]
    joined = tokens(words)
    disputed = unweighed = 0
    doubts: list[tuple[int, int]] = []
    swaps: list[tuple[int, int, str]] = []  # (window, of words[wi], the digit it becomes)
    contested: list[tuple[int, int, str]] = []
    for n, ((wi, ci), p) in enumerate(zip(glyphs.places, probs, strict=True)):
        said = words[wi].text[ci]
        if said.isdigit():  # a digit becomes another digit only when both readers agree
            seen, sure = glyph_model.digit_decision(said, p)
            says = float(p[glyph_model.classes.index(seen)])
            if seen.isdigit() and seen != said and sure >= DIGIT_SURE and says >= CLASSIFIER_SAYS:
                swaps.append((n, wi, seen))
                continue
            rival = _rival(said, p, glyph_model)
            if rival is not None and not _weighed(words[wi]):
                unweighed += 1
            elif rival is not None and _torn(words[wi], ci, rival):
                swaps.append((n, wi, rival))
                continue
            alone = glyph_model.classes[int(p.argmax())]
            in_dispute = (seen.isdigit() and seen != said and sure >= DISPUTED) or (
                alone.isdigit() and alone != said and float(p.max()) >= DIGIT_SURE
            )
            disputed += in_dispute
            backed = float(p[glyph_model.classes.index(said)])
            if in_dispute or _doubted(words[wi], ci, backed):
                doubts.append((wi, ci))
            if (
                alone.isdigit()
                and float(p.max()) >= CLASSIFIER_SAYS
                and _close(words[wi], ci, alone)
            ):
                contested.append((wi, ci, alone))
        best = int(p.argmax())
        seen = glyph_model.classes[best]
        token, start = joined[wi]
        if p[best] >= SURE and _may_become(token, start + ci, seen, float(p[best])):
            texts[wi][ci] = seen
    steady = _steady(glyph_model, ink, scale, origin, words, area, glyphs, swaps)
    for (n, wi, digit), kept in zip(swaps, steady, strict=True):
        if kept:
            texts[wi][glyphs.places[n][1]] = digit
            if probs[n][glyph_model.classes.index(digit)] < CHANGED_SURE:
                doubts.append((wi, glyphs.places[n][1]))
        else:  # the classifier's digit moves with its window: Tesseract's stands, in dispute
            disputed += 1
            doubts.append((wi, glyphs.places[n][1]))
    checked = [
        replace(w, text="".join(t)) if "".join(t) != w.text else w
        for w, t in zip(words, texts, strict=True)
    ]
    return Opinion(checked, disputed, unweighed, tuple(sorted(doubts)), tuple(contested))


def _steady(
    glyph_model: GlyphModel,
    ink: np.ndarray,
    scale: float,
    origin: tuple[float, float],
    words: list[Word],
    area: Region | None,
    glyphs: LineGlyphs,
    swaps: list[tuple[int, int, str]],
) -> list[bool]:
    """For each digit change in *swaps* (the window's index in *glyphs*, its word, the
    digit it becomes), whether the classifier still prefers that digit to Tesseract's in
    windows cut :data:`STEADY_SHIFT` text heights left and right of the first.

    A window a little off its character sees part of the next: whiptail's X 6x13 camera
    ``JH8`` (Tesseract boxed the ``H`` and the ``8`` apart) had its ``8`` taken for a
    ``0`` at 0.97, and for an ``8`` at 0.93 a fifth of a cell left. A digit the
    classifier sees only in one window is not changed."""
    if not swaps:
        return []
    shift = STEADY_SHIFT * _text_height(words)
    kept = [True] * len(swaps)
    for by in (-shift, shift):
        moved = [replace(w, centres=tuple(c + by for c in w.centres)) for w in words]
        windows = line_windows(ink, scale, origin, moved, area)
        if windows.places != glyphs.places:
            return [False] * len(swaps)
        probs = glyph_model.probabilities(windows.windows[[n for n, _, _ in swaps]])
        for i, ((n, wi, digit), p) in enumerate(zip(swaps, probs, strict=True)):
            said = words[wi].text[glyphs.places[n][1]]
            classes = glyph_model.classes
            kept[i] = kept[i] and bool(p[classes.index(digit)] > p[classes.index(said)])
    return kept


def _rival(said: str, probabilities: np.ndarray, glyphs: GlyphModel) -> str | None:
    """The digit the classifier (*probabilities*, of *glyphs*) says at least
    :data:`RIVAL_SURE` where Tesseract read the digit *said*, in a pair its training
    confused on under :data:`RARE_CONFUSION` of that digit's reads; or None."""
    best = int(probabilities.argmax())
    other = glyphs.classes[best]
    if not other.isdigit() or other == said or probabilities[best] < RIVAL_SURE:
        return None
    return other if glyphs.confused(other, said) < RARE_CONFUSION else None


def _weighed(word: Word) -> bool:
    """Whether *word* holds Tesseract's alternatives for each of its characters."""
    return len(word.choices) == len(word.text)


def _torn(word: Word, index: int, other: str, within: float = TORN) -> bool:
    """Whether Tesseract weighed *other* within *within* (:data:`TORN`) of the character
    it read at *index* of *word* (a word with its alternatives)."""
    weighed = dict(word.choices[index])
    first = weighed.get(word.text[index])
    return first is not None and other in weighed and first - weighed[other] < within


def _close(word: Word, index: int, other: str) -> bool:
    """Whether Tesseract weighed *other*, another character, within :data:`TORN_DOUBT` of
    the character it read at *index* of *word* (a word with its alternatives)."""
    return _weighed(word) and other != word.text[index] and _torn(word, index, other, TORN_DOUBT)


def _doubted(word: Word, index: int, backed: float) -> bool:
    """Whether Tesseract weighed another digit within :data:`TORN_DOUBT` of the digit it
    read at *index* of *word* (a word with its alternatives) and the classifier gives
    that digit under :data:`BACKED` (*backed*)."""
    if not _weighed(word) or backed >= BACKED:
        return False
    weighed = dict(word.choices[index])
    first = weighed.get(word.text[index])
    return first is not None and any(
        c.isdigit() and c != word.text[index] and first - v < TORN_DOUBT for c, v in weighed.items()
    )


def _same_kind(said: str, seen: str) -> bool:
    """Whether two characters are both letters or both signs (neither a letter nor a
    digit)."""
    return (said.isalpha() and seen.isalpha()) or not (said.isalnum() or seen.isalnum())


def _may_become(word: str, index: int, seen: str, sure: float = SURE) -> bool:
    """Whether character *index* of *word* may be replaced by *seen*.

    *word* is the word as the line shows it, Tesseract's pieces joined
    (:func:`.words.tokens`: ``CHFOF`` and ``J5XXF-8159`` are one serial number, whose
    ``O`` may be a ``0``).
    Only within a confusion group, or, a letter for a letter or a sign for a sign, where
    the classifier is surer (*sure*) than :data:`ANY_SURE`; and a letter becomes a digit
    (or a digit a letter)
    only in a word that already holds both: ``items`` never becomes ``1tems`` and
    ``2023`` never ``2O23``, while ``0FC2C9028B62`` and ``17-1383P`` may change. A digit
    and a sign may change into one another anywhere (``918.083632]`` read ``918.0836321``).
    A letter becomes a sign only in a word with no other letter: ``Intel`` never becomes
    ``Inte|`` (a sans ``l`` and a bar differ only below the line), ``Core`` never
    ``(ore``, while a dmesg line's ``[`` read ``C`` on its own is put right.
    """
    said = word[index]
    if said == seen or not (_grouped(said, seen) or sure >= ANY_SURE and _same_kind(said, seen)):
        return False
    if said.isdigit() and seen.isdigit():  # decided by GlyphModel.digit_decision alone
        return False
    rest = word[:index] + word[index + 1 :]
    if said.isalpha() and not seen.isalnum():
        return not any(c.isalpha() for c in rest)
    if not (said.isalpha() and seen.isdigit() or said.isdigit() and seen.isalpha()):
        return True
    return any(c.isdigit() for c in rest) and any(c.isalpha() for c in rest)
