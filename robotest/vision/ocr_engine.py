"""Reading text with Tesseract (LSTM engine, see :mod:`.tesseract`), after preparing the image.

Tesseract reads best dark text on a white background with characters 20-30 pixels tall.
Screens show small text, sometimes light on dark, blurred by the camera. :func:`prepare`
therefore sharpens, upscales small text, turns the image grey and subtracts the local
background (which makes dark-on-light and light-on-dark text alike: dark on white); a
binarised copy (:func:`ink_mask`) tells where text is. The page segmentation mode follows
the region: one line (PSM 7), a block (PSM 6), or a whole screen, whose lines are found
by layout (:mod:`.text_lines`) and each read as one line (:class:`PageRuns`). A line
read gets a second opinion on confusable characters (:mod:`.glyph_check`).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Literal

import cv2
import numpy as np

from robotest.vision.backgrounds import ink_contrast, noiseless
from robotest.vision.cell_reread import read_cells_again
from robotest.vision.glyph_check import Opinion, second_opinion
from robotest.vision.images import Region, check_image, clip_region, crop, to_grey
from robotest.vision.tesseract import RawWord, read_all, read_words, readers
from robotest.vision.text_height import text_height
from robotest.vision.text_lines import (
    MAX_RUNS,
    RULE_THICK,
    RULE_THICK_BLURRED,
    rules,
    runs_of,
    text_runs,
)
from robotest.vision.words import Word, line_text
from robotest.vision.words import monospace_pitch as monospace_pitch

Layout = Literal["auto", "line", "block", "sparse"]
_PSM = {"line": 7, "block": 6, "sparse": 11}
_TARGET_HEIGHT = 26.0
"""Height (pixels) text in a region is scaled to before Tesseract reads it."""
_TARGET_HEIGHT_PAGE = 12.0
"""On a whole screen only tiny text is upscaled: Tesseract's time grows with the pixels."""
_MAX_UPSCALE = 4.0
_BLOCK_RUN = 3.0
"""A run taller than this many text heights is lines the layout could not part (tightly
set rows joined by a highlight bar or touching letters: a dialog menu in an 8x13 X
font was read as one run of nonsense) and is read by Tesseract's block layout."""
_BLOCK_WORD = 2.5
"""Text heights: a word of a run read as a block is no taller; a taller one is a column
of marks read as one (a checklist's brackets, left a run of their own: ``;`` boxed five
rows high, with which every row of the list was taken for one line)."""
_RUN_HEIGHT = 34.0
"""Height (pixels) a run of text on a page (descenders included) is scaled to before it
is read as a line."""
_RUN_INK = 160
"""A pixel of the prepared page darker than this is ink, for finding its lines."""
_SURE_LINE = 0.5
"""A line read whose least confident word is below this is read again at other scales."""
_RETRY_HEIGHTS = (20.0, 32.0)
_LINE_CHOICES = True
"""A line read asks Tesseract for each character's alternatives (about 0.8 ms a read, the
same words): a digit Tesseract was torn on is reported in doubt
(:data:`.glyph_check.TORN_DOUBT`)."""
_FULL_COLUMN = 0.8
"""Share of a line read's rows a column inked by a frame or a check box beside the text
covers (no column of a line of text is inked above and below it)."""
_STRAY_HEIGHT = 0.5
"""Ink at a line read's top or bottom edge at most this many times as high as the line's own, and
parted from it by a row with no ink, is a piece of a neighbouring line (see :func:`_cleared`)."""
_SHARPEN_AMOUNT = 1.5
_SHARPEN_SIGMA = 1.5
"""Unsharp mask against the camera's blur (pixels of the screen image); see :func:`sharpen`."""
_BORDER = 10
"""White pixels around the prepared image: Tesseract misses ink that touches the edge."""
_MIN_STROKE_CONTRAST = 24.0  # grey levels: fainter differences are not stretched to black
_STROKE_PERCENTILE = 90.0
_MIN_CONTEXT, _MAX_CONTEXT = 12, 64
"""Pixels of surroundings read with a region, to judge its background (see backgrounds)."""
_HARD_LEVELS, _HARD_SHARE = 6, 0.99
"""A region is hard-edged (see hard_edged) when 6 grey levels cover 99% of its pixels."""
_MIN_INK_LEVEL = 12  # grey levels: a smaller split of the ink from its background is none
_MIN_INK_CONTRAST = 20  # grey levels of detail; below it a region is blank (is_blank)


@dataclass(frozen=True)
class OcrResult:
    """Text of a region, line by line, with every word's box and confidence."""

    text: str
    words: tuple[Word, ...]
    lines: tuple[tuple[Word, ...], ...]

    @property
    def doubtful(self) -> bool:
        """Whether any character was read in doubt (:attr:`.Word.doubt`): a digit the
        two readers could not settle. The text holds the likelier reading."""
        return any(w.doubt for w in self.words)

    def to_dict(self) -> dict[str, object]:
        """The JSON contract of ``rtest vision ocr``."""
        return {"text": self.text, "words": [w.to_dict() for w in self.words]}


@dataclass(frozen=True)
class Prepared:
    """An image ready for Tesseract and how it maps back to the screen."""

    image: np.ndarray
    scale: float
    text_height: float
    blurred: bool = False
    """Whether the image is a camera's (it has sensor noise): its rules are blurred
    thicker than drawn."""


def prepare(
    image: np.ndarray,
    target_height: float = _TARGET_HEIGHT,
    background_span: float = 2.5,
    inner: Region | None = None,
    exact_bars: bool = True,
) -> Prepared:
    """Upscaled, sharpened image with dark text on white, for Tesseract, from a grey or
    BGR *image* with text of any polarity and colour.

    Each pixel's difference from its own background (:mod:`.backgrounds`: the flat area
    the text sits on, so a highlighted row or a title bar is background, not ink) is
    stretched so that the strokes are black. The text is not binarised here:
    Tesseract's LSTM reads grey levels, and on camera images the binarised input
    misread 3 times more characters (benchmark: 13.3% vs 4.6% CER). Binarisation
    (:func:`ink_mask`) is used to find where the text is.

    *inner*: the part of *image* to prepare, the rest being its surroundings on screen
    (a bar's edge just outside the part is told from text by what lies beyond it).
    Text in a bitmap font on a framebuffer (:func:`hard_edged`) is not sharpened: it has
    no blur to undo, and the overshoot garbled it (the console's ``-rw-r--r--`` read
    ``-ru-r--r——``); anti-aliased text is, even on a framebuffer (``qa@`` read ``gqa@``
    without).
    """
    box = clip_region(inner, image.shape)
    crisp = hard_edged(crop(image, box))
    height = text_height(np.ascontiguousarray(crop(image, box)))
    scale = float(np.clip(target_height / height, 1.0, _MAX_UPSCALE))
    exact = None
    if scale > 1.05:
        if crisp and exact_bars:  # colours as drawn: a bar's one-pixel margins stay whole
            exact = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST)
        image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
        box = _scaled(box, scale, image.shape)
    else:
        scale = 1.0
    difference = crop(ink_contrast(image, height * scale, background_span, exact), box)
    top = _stroke_contrast(difference)
    normalised = cv2.bitwise_not(cv2.convertScaleAbs(difference, alpha=255.0 / top))
    if not crisp:  # sharpened against a camera's blur; a framebuffer has none
        normalised = sharpen(normalised, _SHARPEN_SIGMA * scale)
    return Prepared(
        image=cv2.copyMakeBorder(
            normalised, _BORDER, _BORDER, _BORDER, _BORDER, cv2.BORDER_CONSTANT, value=255
        ),
        scale=scale,
        text_height=height,
        blurred=not noiseless(_sample(crop(image, box))),
    )


def _sample(image: np.ndarray) -> np.ndarray:
    """Every other pixel each way of a big image (a whole screen), else all of it."""
    return image[::2, ::2] if image.shape[0] * image.shape[1] > 40_000 else image


def hard_edged(image: np.ndarray) -> bool:
    """Whether *image* shows text without anti-aliasing on flat backgrounds (a bitmap
    font on a framebuffer): a few grey levels cover nearly every pixel (counted on every
    other pixel each way of a big image: on a whole screen the count took 10 ms)."""
    grey = to_grey(_sample(image))
    counts = np.sort(np.bincount(grey.ravel(), minlength=256))[::-1]
    return bool(counts[:_HARD_LEVELS].sum() >= _HARD_SHARE * grey.size)


def _scaled(box: Region, scale: float, shape: tuple[int, ...]) -> Region:
    """*box* in an image resized by *scale* (to *shape*)."""
    x, y = round(box[0] * scale), round(box[1] * scale)
    w = min(round(box[2] * scale), shape[1] - x)
    h = min(round(box[3] * scale), shape[0] - y)
    return (x, y, w, h)


def sharpen(image: np.ndarray, sigma: float) -> np.ndarray:
    """The image less a blurred copy of itself: strokes the camera's blur ran together
    come apart again (the dot in a zero, the waist of an 8 against a B).

    Applied to the normalised image (dark text on white), where the overshoot beyond
    white and black is clipped. Sharpened before the background was subtracted, the
    overshoot on the background's far side came back as a grey halo around every
    stroke, and Tesseract read a clean ``1.07.3`` as ``LOW .3``.
    """
    blurred = cv2.GaussianBlur(image, (0, 0), sigma)
    return cv2.addWeighted(image, 1.0 + _SHARPEN_AMOUNT, blurred, -_SHARPEN_AMOUNT, 0.0)


def _stroke_contrast(difference: np.ndarray) -> float:
    """The difference from the background that is drawn full black: the strokes' own.

    Taken over the ink pixels (Otsu's split of the difference), not the whole image: on a
    sparse screen (a terminal with a few lines) ink is well under 1% of the pixels, and a
    percentile of all of them is sensor noise, which then came out as black as the text,
    with strokes swollen into one another (``root@qa`` read as ``roote@qe``).
    """
    difference = np.ascontiguousarray(difference)
    level, _ = cv2.threshold(difference, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    top = _histogram_percentile(difference, int(level) + 1, _STROKE_PERCENTILE)
    return _MIN_STROKE_CONTRAST if top is None else max(_MIN_STROKE_CONTRAST, top)


def _histogram_percentile(image: np.ndarray, least: int, percent: float) -> float | None:
    """``np.percentile`` (linear) of the values of *image* (uint8) from *least* up, or None
    where there are none; from the image's histogram, not a copy of those values sorted
    (a whole page's ink: 29 -> 10 ms)."""
    if image.size < 1 << 24:  # OpenCV counts in 32-bit floats: exact up to 2**24
        counts = cv2.calcHist([image], [0], None, [256], [0, 256]).ravel().astype(np.int64)
    else:
        counts = np.bincount(image.ravel(), minlength=256)
    held = np.cumsum(counts[least:])
    if held.size == 0 or held[-1] == 0:
        return None
    position = percent / 100 * (int(held[-1]) - 1)
    below = int(np.floor(position))
    above = min(below + 1, int(held[-1]) - 1)
    a = float(least + np.searchsorted(held, below, side="right"))
    b = float(least + np.searchsorted(held, above, side="right"))
    share = position - below
    # NumPy's own interpolation, from the nearer end: the same float to the last bit
    return b - (b - a) * (1 - share) if share >= 0.5 else a + (b - a) * share


def ink_mask(image: np.ndarray, glyph_height: float, inner: Region | None = None) -> np.ndarray:
    """255 where a pixel of *inner* (default: all) of *image* differs from its own
    background (text of any polarity or colour)."""
    box = clip_region(inner, image.shape)
    difference = np.ascontiguousarray(crop(ink_contrast(image, glyph_height), box))
    level, ink = cv2.threshold(difference, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    if level < _MIN_INK_LEVEL:
        # Otsu's split of a two-level image (a bitmap font on a framebuffer: ink and
        # background, nothing between) is 0; half its contrast splits it as well
        top = int(difference.max())
        if top < 2 * _MIN_INK_LEVEL:  # no contrast at all: a blank region stays blank
            ink[:] = 0
        else:
            _, ink = cv2.threshold(difference, top // 2, 255, cv2.THRESH_BINARY)
    return ink


def ocr(screen: np.ndarray, region: Region | None = None, layout: Layout = "auto") -> OcrResult:
    """Read the text of *screen* (or of *region* of it)."""
    return PageRead(screen, region, layout).result()


Lines = tuple[tuple[Word, ...], ...]


class PageRead:
    """:func:`ocr` of *screen* (or *region*); a whole screen's runs of text read top to
    bottom only as far as asked.

    :meth:`settled` gives the lines read so far, a few runs at a time down the page, to a
    search that stops at the first line it wants (``find_text`` of a label near the top
    reads only the runs down to it); :meth:`result` reads the rest: the same result as a
    whole read at once, word for word (each run is read on its own)."""

    def __init__(self, screen: np.ndarray, region: Region | None = None, layout: Layout = "auto"):
        screen = check_image(screen, "screen")
        self._area = area = clip_region(region, screen.shape)
        self._layout = layout
        self._read: OcrResult | PageRuns = OcrResult(text="", words=(), lines=())
        if is_blank(crop(screen, area)):
            return
        whole = area[2] * area[3] >= 0.25 * screen.shape[0] * screen.shape[1]
        image, inner, self._prepared = _page_image(screen, area, whole)
        if layout == "auto":
            self._layout = _pick_layout(area[3], self._prepared.text_height, whole)
        self._read = self._first_read(image, inner)

    def _first_read(self, image: np.ndarray, inner: Region) -> OcrResult | PageRuns:
        """The page's runs, still to read (a whole screen's layout), or the text read."""
        prepared, area, layout = self._prepared, self._area, self._layout
        if layout == "sparse":
            runs = PageRuns(prepared, area)
            if not runs.too_many:
                return runs
            words = _tesseract_words(prepared, _PSM["sparse"], area)
        elif layout == "line":
            words = _settled_line(image, area, _cleared(prepared), inner)
        else:
            words = _tesseract_words(prepared, _PSM[layout], area)
        return self._finished(words)

    def settled(self, worth: Callable[[list[Word]], bool] = bool) -> Iterator[Lines]:
        """The page's lines settled so far, after each few of its runs read down the page
        (none where the page is not read run by run): a growing head of the page's lines,
        each line as :meth:`result` will have it; only where the words read so far are
        *worth* it (a search's first word among them), else nothing new.

        A line is settled when every word of it, and of each line before it, ends above
        the runs not read yet by :data:`_SETTLED_MARGIN` of the tallest word read so far:
        no word read later can then join it or come before it."""
        while isinstance(runs := self._read, PageRuns):
            runs.read(_SETTLE_RUNS * readers())
            if runs.done:
                return
            read = runs.words()
            if not worth(read):
                continue
            tallest = max((w.box[3] for w in read), default=0)
            below = runs.read_down_to - _SETTLED_MARGIN * max(tallest, self._prepared.text_height)
            yield _head_above(group_lines(_without_edge_bars(read, self._area)), below)

    def result(self) -> OcrResult:
        """The whole page's (or region's) text, every run read (the page images let go)."""
        read = self._read
        if isinstance(read, PageRuns):
            read.read(read.left)
            read = self._read = self._finished(read.words())
        return read

    def _finished(self, words: list[Word]) -> OcrResult:
        words = _without_edge_bars(words, self._area)
        layout = self._layout
        # one line is asked for: a piece a little higher or lower still belongs to it
        lines = (
            (tuple(sorted(words, key=lambda w: w.box[0])),)
            if layout == "line"
            else group_lines(words)
        )
        text = "\n".join(line_text(list(line)) for line in lines)
        if layout == "line":  # the text as read, the boxes on the line's own rows
            lines = (tuple(_within_line(list(lines[0]), self._prepared, self._area)),)
        return OcrResult(text=text, words=tuple(w for line in lines for w in line), lines=lines)


def _page_image(
    screen: np.ndarray, area: Region, whole: bool
) -> tuple[np.ndarray, Region, Prepared]:
    """*area* with its surroundings (where its background is judged), where *area* lies
    in that, and the two prepared for Tesseract.

    A whole screen mixes text sizes (a bigger title in a bar): a wider background window
    keeps the biggest text from being taken for background."""
    context, inner = surroundings(area, screen.shape)
    image = crop(screen, context)
    prepared = (
        prepare(image, _TARGET_HEIGHT_PAGE, background_span=6.0, inner=inner, exact_bars=False)
        if whole
        else prepare(image, inner=inner)
    )
    return image, inner, prepared


_SETTLE_RUNS = 8
"""Runs of a page read between two looks at its settled lines, for each reader thread."""
_SETTLED_MARGIN = 2.0
"""Tallest words (or text heights) a settled line ends above the runs not read yet."""


def _head_above(lines: Lines, below: float) -> Lines:
    """The first of *lines* (top to bottom) whose words all end above row *below*."""
    head: list[tuple[Word, ...]] = []
    for line in lines:
        if any(w.box[1] + w.box[3] >= below for w in line):
            break
        head.append(line)
    return tuple(head)


def surroundings(area: Region, shape: tuple[int, ...]) -> tuple[Region, Region]:
    """*area* grown by its surroundings on screen (where its background is judged), and
    where *area* lies inside that."""
    pad = int(np.clip(area[3] // 2, _MIN_CONTEXT, _MAX_CONTEXT))
    x, y, w, h = area
    context = clip_region((x - pad, y - pad, w + 2 * pad, h + 2 * pad), shape)
    return context, (x - context[0], y - context[1], w, h)


def _without_edge_bars(words: list[Word], area: Region) -> list[Word]:
    """*words* less a thin stroke as tall as the region on its left or right edge.

    That is a frame line, or the screen's own edge (rectification blends the outermost
    pixel column with the bezel), which the sharpened image shows as a dark bar and
    Tesseract reads as ``|`` or ``j``; text is never as tall as the region around it.
    """
    left, right = area[0], area[0] + area[2]

    def edge_bar(word: Word) -> bool:
        x, _, w, h = word.box
        on_edge = x <= left + 1 or x + w >= right - 1
        return len(word.text) == 1 and w <= 3 and h >= 0.8 * area[3] and on_edge

    return [w for w in words if not edge_bar(w)]


def read_line(
    image: np.ndarray,
    area: Region,
    prepared: Prepared,
    inner: Region | None = None,
    retries: _Retries | None = None,
) -> list[Word]:
    """Tesseract's read of one line: *area* of the screen, which is *inner* of *image*
    (default: all of it), *prepared* from it; *retries*: its reads at other text heights
    made so far (see :class:`_Retries`)."""
    words = _line_words(prepared, area, _LINE_CHOICES)
    if _sureness(words) < _SURE_LINE:
        words = _reread_line(words, retries or _Retries(image, area, inner))
    return words


@dataclass
class _Retries:
    """A line's reads at the other text heights (:data:`_RETRY_HEIGHTS`), each prepared
    and read once: a read unsure of itself (:func:`_reread_line`) and a read whose digits
    stay in dispute (:func:`_settled_line`) look at the same ones."""

    image: np.ndarray
    area: Region
    inner: Region | None
    made: dict[float, tuple[Prepared, list[Word]]] = field(default_factory=dict)

    def at(self, height: float) -> tuple[Prepared, list[Word]]:
        """The line prepared at *height* (neighbours' pieces cleared) and Tesseract's read."""
        if height not in self.made:
            again = _cleared(prepare(self.image, height, inner=self.inner))
            read = _line_words(again, self.area, _LINE_CHOICES)
            self.made[height] = (again, read)
        return self.made[height]


def _settled_line(
    image: np.ndarray, area: Region, prepared: Prepared, inner: Region | None
) -> list[Word]:
    """:func:`read_line` with the second opinion (:mod:`.glyph_check`); a read whose
    digits stay in dispute (Tesseract reads one digit, the classifier another, neither
    sure) is read again at other text heights, and the read with the fewest digits in
    dispute among those with digits where the first read has them is taken (the first,
    of equals). No digit is changed into another on one reader's word: a camera's blurred
    dotted ``0`` read ``6`` by Tesseract and taken for ``0`` or ``8`` by the classifier
    is read again, not guessed."""
    retries = _Retries(image, area, inner)
    read = read_line(image, area, prepared, inner, retries)
    first = best = _opinion(prepared, area, read)
    for height in _RETRY_HEIGHTS if first.disputed else ():
        again, words = retries.at(height)
        other = _opinion(again, area, words)
        if other.disputed < best.disputed and _digits_alike(other.words, first.words):
            best = other
        if not best.disputed:
            break
    if best.contested:
        best = _decided(best, [read, *(retries.at(height)[1] for height in _RETRY_HEIGHTS)])
    return _with_doubts(best)


def _decided(opinion: Opinion, reads: list[list[Word]]) -> Opinion:
    """*opinion* with each digit it leaves contested (Tesseract torn between it and the
    digit the classifier sees, :attr:`.glyph_check.Opinion.contested`) changed to the
    classifier's digit where Tesseract's read of the line at another text height, its
    letters and digits where *opinion*'s are, gives that digit there: two reads of the
    two readers agree. The digit stays reported in doubt."""
    shape = _shape(opinion.words)
    alike = [_kept(words) for words in reads if _shape(words) == shape]
    texts = [list(w.text) for w in opinion.words]
    doubts = set(opinion.doubts)
    for wi, ci, digit in opinion.contested:
        at = len(_kept(opinion.words[:wi])) + ci
        if any(read[at] == digit for read in alike):
            texts[wi][ci] = digit
            doubts.add((wi, ci))
    words = [replace(w, text="".join(t)) for w, t in zip(opinion.words, texts, strict=True)]
    return replace(opinion, words=words, doubts=tuple(sorted(doubts)), contested=())


def _kept(words: list[Word]) -> str:
    """The characters of *words* that :func:`_shape` counts, in order."""
    return "".join(w.text for w in words if any(c.isalnum() for c in w.text))


def _with_doubts(opinion: Opinion) -> list[Word]:
    """The words of *opinion*, each with the characters read in doubt marked
    (:attr:`.Word.doubt`)."""
    marks: dict[int, list[int]] = {}
    for word, char in opinion.doubts:
        marks.setdefault(word, []).append(char)
    return [
        replace(w, doubt=tuple(marks[i])) if i in marks else w for i, w in enumerate(opinion.words)
    ]


def _digits_alike(read: list[Word], first: list[Word]) -> bool:
    """Whether *read* has as many characters as *first*, digits exactly where it has
    them: a read again may settle which digit a digit is, not whether it is one (a camera
    line's ``2028`` read again ``Z0zB`` has fewer digits, so fewer in dispute). A word of
    signs alone does not count: a first read with a stray ``_`` apart (X 6x13 through the
    camera, ``92/07/2085 _``, its ``9`` in dispute) kept its digit though the read again
    at 20 pixels, ``02/07/2085``, had none in dispute."""
    return _shape(read) == _shape(first)


def _shape(words: list[Word]) -> str:
    """The characters of *words* holding a letter or a digit, digits as ``0`` and the
    rest as ``a``."""
    kept = (w.text for w in words if any(c.isalnum() for c in w.text))
    return "".join("0" if c.isdigit() else "a" for text in kept for c in text)


def _opinion(prepared: Prepared, area: Region, words: list[Word]) -> Opinion:
    """The second opinion on *words*, read on *prepared*; where the classifier reads a
    digit as another in a pair Tesseract's training rarely confused, the image is read
    again with Tesseract's alternatives (the same words, about 6 ms), which decide it
    (:data:`.glyph_check.TORN`). Asked for every line read, they cost 0.8 ms a read."""
    ink, at = ink_image(prepared), origin(prepared, area)
    opinion = second_opinion(ink, prepared.scale, at, words, area)
    if not opinion.unweighed:
        return opinion
    weighed = _line_words(prepared, area, choices=True)
    if [w.text for w in weighed] != [w.text for w in words]:  # read on another image
        return opinion
    return second_opinion(ink, prepared.scale, at, weighed, area)


def ink_image(prepared: Prepared) -> np.ndarray:
    """The prepared image as ink 1.0 on background 0.0 (float32)."""
    return (255 - prepared.image).astype(np.float32) * (1.0 / 255)


def origin(prepared: Prepared, area: Region) -> tuple[float, float]:
    """The screen point at pixel (0, 0) of *prepared* (made from *area* of the screen)."""
    return (area[0] - _BORDER / prepared.scale, area[1] - _BORDER / prepared.scale)


def _sureness(words: list[Word]) -> float:
    """How sure a read is: its least confident word's confidence (0 for nothing read)."""
    return min((w.conf for w in words), default=0.0)


def _reread_line(words: list[Word], retries: _Retries) -> list[Word]:
    """The surest of the first read (*words*) and the reads at other text heights.

    Tesseract now and then returns nothing, or a low-confidence guess, for a line it
    reads well a little larger or smaller (``6.80``: nothing at 26 pixels, 0.96 at 20);
    reading again costs about 10 ms a scale. On 490 anchored reads of two sets of camera
    frames, 78 character errors became 65; a read that was sure is never replaced.
    """
    best = words
    for height in _RETRY_HEIGHTS:
        _, again = retries.at(height)
        if _sureness(again) > _sureness(best):
            best = again
    return best


def is_blank(image: np.ndarray) -> bool:
    """Whether *image* (grey or BGR) holds no ink at all: a dark or empty screen, only
    sensor noise.

    Tesseract reads sensor noise as words once the background is normalised, so a
    region with no stroke standing out from its surroundings is not given to it. The
    detail left after a light smoothing (which quiets noise) less a heavy one (which
    keeps only slow changes: vignetting, a glare spot on a dark screen), in the colour
    channel that shows most (red text on a green bar of the same grey), is compared
    with ``_MIN_INK_CONTRAST``.
    """
    small = (
        image
        if image.shape[0] < 400
        else cv2.resize(image, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    )
    return not any(_detail(small, top) >= _MIN_INK_CONTRAST for top in range(0, len(small), _BAND))


_BAND = 96
"""Rows: :func:`is_blank` looks band by band and stops at the first holding ink (a
screen's title bar), instead of smoothing the whole screen twice (15-25 ms)."""
_BAND_MARGIN = 18
"""Rows each side of a band that its smoothing reaches: the radius of OpenCV's kernel
for sigma 6 on 8-bit images (37 taps), so a band's detail is the whole image's there."""


def _detail(image: np.ndarray, top: int) -> int:
    """The largest detail (see :func:`is_blank`) in the band of *image* from row *top*."""
    start = max(0, top - _BAND_MARGIN)
    rows = image[start : top + _BAND + _BAND_MARGIN]
    smooth = cv2.GaussianBlur(rows, (0, 0), 0.7)
    slow = cv2.GaussianBlur(rows, (0, 0), 6.0)
    band = slice(top - start, top - start + _BAND)
    return int(cv2.absdiff(smooth[band], slow[band]).max())


def _pick_layout(height: int, glyph_height: float, whole: bool) -> Layout:
    if height <= 2.2 * glyph_height:
        return "line"
    return "sparse" if whole else "block"


def _tesseract_words(
    prepared: Prepared, psm: int, area: Region, choices: bool = False
) -> list[Word]:
    """Words Tesseract reads on the prepared image, boxes mapped back to screen pixels
    (with *choices*, each character's alternatives)."""
    return _words_at(prepared, psm, (area[0], area[1]), choices)


def _line_words(prepared: Prepared, area: Region, choices: bool = False) -> list[Word]:
    """Tesseract's read of one line, *area* of the screen (:func:`_tesseract_words`), its
    monospaced words whose characters do not sit one to a cell read again
    (:func:`_cells_again`)."""
    words = _tesseract_words(prepared, _PSM["line"], area, choices)
    return _cells_again(prepared, (area[0], area[1]), words)


def _cells_again(prepared: Prepared, origin: tuple[float, float], words: list[Word]) -> list[Word]:
    """*words*, one line read on *prepared* whose first pixel inside its border lies at
    *origin* on screen, each monospaced word whose characters do not sit one to a cell
    read again cell by cell (:mod:`.cell_reread`)."""
    return read_cells_again(prepared.image, prepared.scale, _BORDER, origin, words)


def _words_at(
    prepared: Prepared,
    psm: int,
    origin: tuple[float, float],
    choices: bool = False,
    reads: _Reads | None = None,
) -> list[Word]:
    """Words Tesseract reads on the prepared image, whose first pixel inside its border
    lies at *origin* on screen, boxes in screen pixels (with *choices*, each character's
    alternatives); *reads*: the reads of a page so far, an image read once."""
    words = []
    s = prepared.scale
    read = read_words if reads is None else reads.words
    for raw in read(prepared.image, psm, choices):
        x = (raw.left - _BORDER) / s + origin[0]
        y = (raw.top - _BORDER) / s + origin[1]
        box = (round(x), round(y), max(1, round(raw.width / s)), max(1, round(raw.height / s)))
        centres = tuple(((a + b) / 2 - _BORDER) / s + origin[0] for a, b in raw.symbols)
        words.append(
            Word(
                text=raw.text,
                box=box,
                conf=raw.conf / 100.0,
                centres=centres,
                choices=raw.choices,
            )
        )
    return words


class _Reads:
    """Tesseract's reads of one page's runs, each image read once: a run drawn again pixel
    for pixel (a checklist's ``[ ]``, a repeated line of a framebuffer page) is the same
    image, and Tesseract reads the same image the same way (the LSTM keeps nothing from
    one read to the next; no dictionary, no adaptation). A page in an anti-aliased face
    had 18 of its 53 line reads so repeated."""

    def __init__(self) -> None:
        self._read: dict[tuple[tuple[int, ...], int, bool, bytes], list[RawWord]] = {}

    def words(self, image: np.ndarray, psm: int, choices: bool = False) -> list[RawWord]:
        """:func:`.tesseract.read_words` of *image*, read once."""
        key = _read_key(image, psm, choices)
        if key not in self._read:
            self._read[key] = read_words(image, psm, choices)
        return self._read[key]

    def read(self, images: list[tuple[np.ndarray, int]]) -> None:
        """Each of *images* (with its page segmentation mode) not read yet read now, at
        once where several threads read (:func:`.tesseract.read_all`)."""
        new: dict[_ReadKey, tuple[np.ndarray, int]] = {}
        for image, psm in images:
            key = _read_key(image, psm, False)
            if key not in self._read:
                new.setdefault(key, (image, psm))
        self._read.update(zip(new, read_all(list(new.values()), read_words), strict=True))


_ReadKey = tuple[tuple[int, ...], int, bool, bytes]


def _read_key(image: np.ndarray, psm: int, choices: bool) -> _ReadKey:
    return (image.shape, psm, choices, image.tobytes())


class PageRuns:
    """The runs of text of a page (*area* of the screen, *prepared*), found by layout
    (:mod:`.text_lines`), each read as one line at its own text height, top to bottom
    as far as asked (:meth:`read`). A page with more runs than any page of text (a
    photo, a texture: :attr:`too_many`) is read by Tesseract's own sparse layout instead.

    Long rules (a window's border, frame lines) are whitened first: beside a line they
    are read as ``|`` or ``I``."""

    def __init__(self, prepared: Prepared, area: Region) -> None:
        self._prepared, self._area = prepared, area
        ink = prepared.image < _RUN_INK
        self._height = prepared.text_height * prepared.scale
        thick = RULE_THICK_BLURRED if prepared.blurred else RULE_THICK
        self._rules = rules(ink, self._height, thick=thick)
        self._runs = text_runs(ink & ~self._rules, self._height, thick)
        self._order = sorted(range(len(self._runs)), key=lambda i: self._runs[i][1])
        self._words: dict[int, list[Word]] = {}
        self._reads = _Reads()
        self._page: np.ndarray | None = None

    @property
    def too_many(self) -> bool:
        """More runs than any page of text has (:data:`.text_lines.MAX_RUNS`)."""
        return len(self._runs) > MAX_RUNS

    @property
    def left(self) -> int:
        """Runs not read yet."""
        return len(self._runs) - len(self._words)

    @property
    def done(self) -> bool:
        return not self.left

    @property
    def read_down_to(self) -> float:
        """The screen row above which every run is read (infinity once all are)."""
        if self.done:
            return float("inf")
        top = self._runs[self._order[len(self._words)]][1]
        return self._area[1] + (top - _BORDER) / self._prepared.scale

    def read(self, count: int) -> None:
        """The next *count* runs down the page read, at once where several threads read."""
        batch = self._order[len(self._words) : len(self._words) + count]
        if self._page is None:
            self._page = self._prepared.image.copy()
            self._page[self._rules] = 255
        strips = [
            _run_strip(self._page, self._runs[i], self._prepared, self._height) for i in batch
        ]
        self._reads.read([(strip.image, psm) for strip, psm in strips])
        for index, (strip, psm) in zip(batch, strips, strict=True):
            self._words[index] = self._run_words(self._runs[index], strip, psm)

    def words(self) -> list[Word]:
        """The words of the runs read so far, run by run in the layout's order."""
        return [w for index in range(len(self._runs)) for w in self._words.get(index, ())]

    def _run_words(self, run: Region, strip: Prepared, psm: int) -> list[Word]:
        prepared, area = self._prepared, self._area
        x, y, _, h = run
        origin = (
            area[0] + (x - _BORDER) / prepared.scale,
            area[1] + (y - _BORDER) / prepared.scale,
        )
        read = _words_at(strip, psm, origin, reads=self._reads)
        if psm == _PSM["block"]:
            return [w for w in read if not _column_word(w, prepared.text_height)]
        read = _cells_again(strip, origin, read)
        return _within_rows(read, origin[1], h / prepared.scale)


def _run_strip(
    page: np.ndarray, run: Region, prepared: Prepared, height: float
) -> tuple[Prepared, int]:
    """A run (*run* of the *page*, its text *height* pixels) as Tesseract reads it, and
    the page segmentation mode it is read with: one line, upscaled to :data:`_RUN_HEIGHT`,
    or a run taller than :data:`_BLOCK_RUN` lines (lines the layout could not part) as a
    block, its text to :data:`_TARGET_HEIGHT`: Tesseract parts them."""
    x, y, w, h = run
    strip = page[y : y + h, x : x + w]
    if h > _BLOCK_RUN * height:
        return _scaled_strip(strip, prepared, _TARGET_HEIGHT / max(height, 1.0)), _PSM["block"]
    return _scaled_strip(strip, prepared, _RUN_HEIGHT / strip.shape[0]), _PSM["line"]


def _column_word(word: Word, text_height: float) -> bool:
    """Whether *word* (of a run read as a block) is a column of marks read as one: taller
    than :data:`_BLOCK_WORD` text heights and than twice its width. A big title's word
    beside small text is as tall, but wide."""
    _, _, w, h = word.box
    return h > _BLOCK_WORD * text_height and h > 2 * w


def _within_rows(words: list[Word], top: float, height: float) -> list[Word]:
    """*words* of one run with their boxes cut to the run's rows (*top*, *height*, screen
    pixels): Tesseract boxes a word of a short strip into the white border around it,
    and a highlighted label through a camera was boxed 20 pixels high on a 14-pixel run,
    the value beside it then looked for over two lines (``32768 MB`` read ``at``)."""
    low, high = round(top), round(top + height)
    out = []
    for word in words:
        x, y, w, h = word.box
        y0, y1 = max(y, low), min(y + h, high)
        box = (x, y0, w, y1 - y0) if y1 > y0 else word.box
        out.append(replace(word, box=box))
    return out


def _within_line(words: list[Word], prepared: Prepared, area: Region) -> list[Word]:
    """*words* of a line read (*area* of the screen, *prepared*) with their boxes cut to
    the rows of the line's own ink (:func:`_line_rows`). Tesseract boxes the words of a
    line read as high as the strip, into its white border and over the pieces of the
    lines above and below in it; a highlighted label found by a second look (``Product
    Name`` in an 8x16 X font) was boxed two lines high, and the value beside it looked
    for over three lines (read empty)."""
    rows = _line_rows(prepared, area)
    return words if rows is None else _within_rows(words, rows[0], rows[1] - rows[0])


def _line_rows(prepared: Prepared, area: Region) -> tuple[float, float] | None:
    """Screen y of the top and bottom of a line read's own ink (*area* of the screen,
    *prepared*; see :func:`_row_runs`); None where nothing is inked."""
    _, _, main = _row_runs(prepared)
    if main is None:
        return None
    return area[1] + main[0] / prepared.scale, area[1] + main[1] / prepared.scale


def _row_runs(
    prepared: Prepared,
) -> tuple[np.ndarray, list[tuple[int, int]], tuple[int, int] | None]:
    """The ink of each row of a line read's *prepared* image (inside its border), the
    runs of inked rows, and the line's own: the run holding the most ink (None: no ink)."""
    ink, full = _line_ink(prepared)
    # less a frame's or a check box's stroke beside the line, inked in the rows between lines
    counts = np.count_nonzero(ink & ~full, axis=1)
    runs = runs_of(counts > 0)
    main = max(runs, key=lambda run: int(counts[run[0] : run[1]].sum())) if runs else None
    return counts, runs, main


def _line_ink(prepared: Prepared) -> tuple[np.ndarray, np.ndarray]:
    """The ink of a line read's *prepared* image (inside its border), and its columns
    inked over :data:`_FULL_COLUMN` of the rows: a rule or a frame's stroke, never text."""
    ink = prepared.image[_BORDER:-_BORDER, _BORDER:-_BORDER] < _RUN_INK
    return ink, np.count_nonzero(ink, axis=0) >= _FULL_COLUMN * ink.shape[0]


def _cleared(prepared: Prepared) -> Prepared:
    """*prepared* (a line read's region) with the pieces of the lines above and below
    that the region cuts at its edge whitened: the rows from its top or bottom to the
    line's own ink (the run of inked rows holding the most), where they hold ink at the
    edge, are parted from the line's by a row with no ink, and span at most
    :data:`_STRAY_HEIGHT` of its height (the runs there all of one neighbour: a bar's
    rim one row apart from the rest of its edge, under a line through the camera, was
    read ``_`` before the line's first letter, X 6x13).

    On a console the lines touch. A region a little higher than its line took in the
    foot of the line above and the top of the one below, and Tesseract read nothing at
    all (``CPU Type`` looked for again along its near miss, Terminus through the camera,
    not found); the top of the next line's ``[`` at the foot of a line that starts with
    spaces was read ``_`` before ``rwyu.service`` (VGA16 through the camera).
    """
    prepared = _without_edge_rules(prepared)
    counts, runs, main = _row_runs(prepared)
    if main is None or len(runs) < 2:
        return prepared
    tall = main[1] - main[0]
    above = [run for run in runs if run[1] <= main[0]]
    below = [run for run in runs if run[0] >= main[1]]
    strays = []
    if above and above[0][0] == 0 and above[-1][1] <= _STRAY_HEIGHT * tall:
        strays.append((0, above[-1][1]))
    if below and below[-1][1] == len(counts) and len(counts) - below[0][0] <= _STRAY_HEIGHT * tall:
        strays.append((below[0][0], len(counts)))
    if not strays:
        return prepared
    image = prepared.image.copy()
    for top, bottom in strays:
        image[_BORDER + top : _BORDER + bottom, _BORDER:-_BORDER] = 255
    return replace(prepared, image=image)


def _without_edge_rules(prepared: Prepared) -> Prepared:
    """*prepared* (a line read's region) with a rule the region cuts at its left or right
    edge whitened: the columns from the edge on inked over :data:`_FULL_COLUMN` of its
    rows (no column of a line of text is inked above and below it).

    An xterm's border runs down the screen's left edge, one pixel from the first letter
    of each line; a region reaching the edge (``find_text``'s second look along a near
    miss, X 6x13: ``UUID`` read ``WUID`` on the page) read the border and the ``U`` as
    ``\\u``, and ``UUID`` once the border was whitened."""
    ink, full = _line_ink(prepared)
    if not ink.size or full.all():
        return prepared
    left, right = int(np.argmin(full)), int(np.argmin(full[::-1]))
    left = left if _cut_rule(ink[:, :left]) else 0
    right = right if _cut_rule(ink[:, ink.shape[1] - right :]) else 0
    if not (left or right):
        return prepared
    image = prepared.image.copy()
    width = image.shape[1]
    image[:, _BORDER : _BORDER + left] = 255
    image[:, width - _BORDER - right : width - _BORDER] = 255
    return replace(prepared, image=image)


def _cut_rule(columns: np.ndarray) -> bool:
    """Whether *columns* (the ink of a line read's full columns at its edge, rows by
    columns) are a rule the region cuts above or below too: one of them inked without a
    break from the region's first or last row over :data:`_FULL_COLUMN` of its rows. A
    glyph's stroke ends inside its line: a check box's ``]`` cut by a line read's left
    edge (dialog, X 8x13 through the camera) is as tall as the line and no more, and
    whitened in part it left the label read ``MAC_Addross``, not found."""
    rows = columns.shape[0]
    for column in columns.T:
        runs = runs_of(column, 0)
        ends = [b - a for a, b in runs if a == 0 or b == rows]
        if ends and max(ends) >= _FULL_COLUMN * rows:
            return True
    return False


def _scaled_strip(strip: np.ndarray, page: Prepared, scale: float) -> Prepared:
    """A run of a prepared *page* upscaled by *scale* (at most ``_MAX_UPSCALE``, never down)."""
    scale = float(np.clip(scale, 1.0, _MAX_UPSCALE))
    if scale > 1.05:
        strip = cv2.resize(strip, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    else:
        scale = 1.0
    image = cv2.copyMakeBorder(
        strip, _BORDER, _BORDER, _BORDER, _BORDER, cv2.BORDER_CONSTANT, value=255
    )
    return Prepared(
        image=image, scale=scale * page.scale, text_height=page.text_height, blurred=page.blurred
    )


def group_lines(words: list[Word]) -> tuple[tuple[Word, ...], ...]:
    """Words grouped into lines (vertical overlap), top to bottom, each left to right.

    Words are placed tallest first (a line's rows are set by its letters' words before
    the small marks and specks around them), and a word joins a line whose rows hold its
    centre: the median top and bottom of the line's words, not their extremes. Grown to
    its extremes, a line took a mark a little lower (a checklist's bracket through the
    camera, boxed across two rows), then the next row's words by that mark's rows: two
    rows of a list became one line, and a label was found from one row's first word and
    the other row's second (``EC Version`` boxed over ``ME Version`` and its own row, its
    value read from both).

    A speck (a word less than ``_SPECK_HEIGHT`` of a line's median height) over or under
    one of the line's words (their columns overlap) does not join it; such specks make
    lines of their own. Joined, they came between the line's words in its left-to-right
    order (a camera's console ``EC`` read as ``-*`` over ``oe``; a title bar's words
    between pieces of the rule above them, each a pixel high), and no run of its words
    read as the label or the title any more. A full stop between two words joins."""
    lines: list[list[Word]] = []
    rows: list[tuple[float, float]] = []  # each line's median top and bottom, as it grows
    for word in sorted(words, key=lambda w: (-w.box[3], w.box[1] + w.box[3] / 2, w.box[0])):
        centre = word.box[1] + word.box[3] / 2
        for index, (line, (top, bottom)) in enumerate(zip(lines, rows, strict=True)):
            if top <= centre <= bottom and not _speck_over(word, line, bottom - top):
                line.append(word)
                rows[index] = _median_rows(line)
                break
        else:
            lines.append([word])
            rows.append(_median_rows(lines[-1]))
    ordered = [tuple(sorted(line, key=lambda w: w.box[0])) for line in lines]
    ordered.sort(key=lambda line: min(w.box[1] for w in line))
    return tuple(ordered)


def _median_rows(line: list[Word]) -> tuple[float, float]:
    """The median top and bottom of the words of *line* (as ``np.median`` has them, in a
    tenth of its time: a page's lines took it 300 times)."""
    top = float(statistics.median([w.box[1] for w in line]))
    return top, float(statistics.median([w.box[1] + w.box[3] for w in line]))


def _speck_over(word: Word, line: list[Word], height: float) -> bool:
    """Whether *word* is a speck over or under a word of *line* (of *height*)."""
    x, _, w, h = word.box
    return h < _SPECK_HEIGHT * height and any(
        x < o.box[0] + o.box[2] and o.box[0] < x + w for o in line
    )


_SPECK_HEIGHT = 0.5
"""A word less than this share of a line's median height is a speck."""
