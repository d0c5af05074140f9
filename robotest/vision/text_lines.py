"""Where the lines of text are: runs of ink found by layout, before any recognition.

Tesseract's sparse page mode finds its own lines, and on tightly set small text (a
terminal's or a setup page's bitmap font, rows touching) it merges two lines into one
or breaks one into pieces, then reads them as nonsense: on the real-screens benchmark
most labels lost by a whole-screen read were lost that way. Finding the lines here is
a few OpenCV passes on the ink mask: letters are joined into runs along the row
(a morphological closing as wide as a space), each run is a connected component, and a
component taller than a line and a half (two lines touching) is cut where its rows
hold the least ink. Each run is then read as one line (see :mod:`.ocr_engine`).
"""

from __future__ import annotations

import cv2
import numpy as np

from robotest.vision.images import Region, components, union

_JOIN = 0.9
"""Text heights: ink closer than this along a row is one run (a space is about 0.6;
two spaces, a column gap, end the run)."""
_NEAR, _LEVEL = 1.0, 0.6
"""Runs on one line (overlapping over 0.6 of the lower one's height) less than their
own height apart are one run."""
_TALL = 1.6
"""Text heights: a run taller than this holds two lines or more and is cut."""
_CUT_SHARE = 0.25
"""A tall run is cut only at a row holding less than this share of its fullest row's
ink: two lines touching meet in a few pixels, a line of bigger text is full across."""
_BODY_SHARE = 0.5
"""... and only where each piece has a row with half the fullest row's ink (a line's
body), not a piece of ascenders alone."""
_COLUMN_HIGH = 1.25
"""A run over this many times as high as a run beside it, and taller than a line and a
half, is no word of its line (see :func:`_column_beside`)."""
_MIN_HEIGHT = 0.3
"""Text heights: a run lower than this is a rule or a speck, not text ..."""
_SPECK = 0.5
"""Text heights: a piece lower than this and no wider than a text height may belong
to the run beside it ..."""
_DOT_REACH = 0.4
"""... but a speck this close above a run, and no wider, belongs to it (an ``i``'s dot)."""
_RULE_HIGH, _RULE_WIDE = 2.5, 5.0
"""Text heights: a stroke taller or wider than this is a rule (a frame, a window's
border, a bar's edge), not a letter."""
RULE_THICK = 2
"""Pixels: a rule is at most this thick (a one-pixel border, upscaled) ..."""
RULE_THICK_BLURRED = 3
"""... and on a blurred page (through a camera) this thick: a list's frame, blurred
and upscaled, is three pixels thick, and left in it joined every row of the list into
one block (its labels read with the lines mixed). On a framebuffer a stroke this thick
is a letter's stem."""
MAX_RUNS = 600
"""More runs than this is no page of text (a photograph, a texture)."""


def rules(
    ink: np.ndarray, text_height: float, tall: float = _RULE_HIGH, thick: int = RULE_THICK
) -> np.ndarray:
    """True on the strokes of *ink* (nonzero = ink) taller than *tall* text heights or
    wider than any word's letters: frame lines, a window's border. Left in, a border
    beside the text joins every line along it into one run (and is read as ``|`` or
    ``I`` before each). *thick*: the thickest rule, in pixels."""
    mask = (ink > 0).astype(np.uint8)
    high = max(3, round(tall * text_height))
    wide = max(3, round(_RULE_WIDE * text_height))
    vertical = _thin(cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((high, 1), np.uint8)), 1, thick)
    horizontal = _thin(
        cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((1, wide), np.uint8)), 0, thick
    )
    return np.asarray(cv2.bitwise_or(vertical, horizontal)) > 0


def _thin(strokes: np.ndarray, axis: int, thick: int) -> np.ndarray:
    """*strokes* less those thicker than *thick* pixels across *axis* (1: width):
    a rule is a line, the stem of a big letter is not (``Install`` in a 48-pixel title
    beside 14-pixel text lost its ``I`` and ``ll``)."""
    across = (1, thick + 1) if axis == 1 else (thick + 1, 1)
    wide = cv2.morphologyEx(strokes, cv2.MORPH_OPEN, np.ones(across, np.uint8))
    return cv2.subtract(strokes, wide)


def text_runs(ink: np.ndarray, text_height: float, thick: int = RULE_THICK) -> list[Region]:
    """Boxes (x, y, w, h) of the runs of text in *ink* (nonzero = ink), top to bottom.

    *text_height*: the typical height of the characters, in the mask's pixels; *thick*:
    the thickest rule (see :func:`rules`)."""
    join = max(3, round(_JOIN * text_height))
    # a stroke too tall for one line's letters (a window's border beside a bar only as
    # high as the bar) would join the lines beside it
    mask = ((ink > 0) & ~rules(ink, text_height, _TALL, thick)).astype(np.uint8)
    # closed with empty margins: OpenCV's erosion takes the outside for ink, which
    # stretched a run at the screen's edge to it (and over a border there)
    padded = cv2.copyMakeBorder(mask, 0, 0, join, join, cv2.BORDER_CONSTANT, value=0)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (join, 1))
    closed = cv2.morphologyEx(padded, cv2.MORPH_CLOSE, kernel)[:, join:-join]
    count, labels, stats = components(closed, 8)
    runs: list[Region] = []
    specks: list[Region] = []
    for label in range(1, count):
        x, y, w, h, _ = (int(v) for v in stats[label])
        if h < _SPECK * text_height and w <= text_height:
            specks.append((x, y, w, h))
            continue
        if h <= _TALL * text_height:
            runs.append((x, y, w, h))
            continue
        own = labels[y : y + h, x : x + w] == label
        pixels = own & (mask[y : y + h, x : x + w] > 0)
        counts = np.count_nonzero(pixels, axis=1)
        for top, bottom in split_tall(counts, 0, h, text_height, _CUT_SHARE, _BODY_SHARE, pixels):
            columns = np.flatnonzero(own[top:bottom].any(axis=0))
            if bottom - top >= _MIN_HEIGHT * text_height and columns.size:
                left, right = int(columns[0]), int(columns[-1]) + 1
                runs.append((x + left, y + top, right - left, bottom - top))
    ordered = sorted(_with_dots(runs, specks, text_height), key=lambda r: (r[0], r[1]))
    return _joined(ordered, _TALL * text_height)


def _with_dots(runs: list[Region], specks: list[Region], text_height: float) -> list[Region]:
    """*runs* grown over the dots just above them (the dot of an ``i`` over a line
    without ascenders), specks just below a run left out (the tail of a ``g`` the
    threshold cut off): ``again`` was read ``adgaln`` and a line ``—_`` under it. A
    speck near no run stays a run if it is tall enough (a dash on its own)."""
    reach = _DOT_REACH * text_height
    grown = list(runs)
    for speck in specks:
        centre = speck[0] + speck[2] / 2
        for index, (x, y, w, h) in enumerate(grown):
            if not x <= centre < x + w:
                continue
            if 0 <= y - (speck[1] + speck[3]) <= reach and speck[2] <= reach:
                grown[index] = union((grown[index], speck))
                break
            if 0 <= speck[1] - (y + h) <= reach:
                break  # a piece cut off below a run (a ``g``'s tail) is no line
        else:
            if speck[3] >= _MIN_HEIGHT * text_height:  # a dash or a dot on its own
                grown.append(speck)
    return grown


def _joined(runs: list[Region], tallest: float) -> list[Region]:
    """*runs* (left to right) with those side by side on one line, closer than their
    own height, made one, top to bottom. The page's text height is that of its most
    common text: the words of a bigger line are farther apart than it, and read one
    by one, a word loses its line's context (``is`` read ``1S``).

    A run taller than *tallest* pixels (lines :func:`split_tall` could not cut) and
    over twice as high as the other is not joined to it (:func:`_column_beside`)."""
    joined: list[Region] = []
    for run in runs:
        for index, other in enumerate(joined):
            # most are far apart: told first by the gap alone (a page's runs compared
            # pair by pair through both tests took 20 ms)
            gap = run[0] - (other[0] + other[2])
            if gap <= -other[3] or gap > _NEAR * max(other[3], run[3]):
                continue
            if not _column_beside(run, other, tallest) and _side_by_side(other, run):
                joined[index] = union((other, run))
                break
        else:
            joined.append(run)
    return sorted(joined, key=lambda r: (r[1], r[0]))


def _column_beside(run: Region, other: Region, tallest: float) -> bool:
    """Whether one of two runs reaches over other lines beside the other, a line high
    (*tallest* pixels or less): taller than that and over :data:`_COLUMN_HIGH` times as
    high. Where both are taller, they are a big line's words (a title's capitals and
    its small letters, beside a page of small text). Through a camera the
    brackets of a checklist's check boxes touch from row to row, a column too evenly
    inked to cut, and each row's label joined to it made the list one run read as one
    line (dialog, X 7x13: ``Asset Product Tog Mane``, neither label found); a check box
    with its cursor, or a frame's piece two rows high, joined to a label took in the row
    above (whiptail, DejaVu 13: ``Disk Model`` read with ``UUID``'s row). Two words of
    one line are alike in height, even where the page's text height is measured short
    (a console's ``CPU`` and ``Type``, Terminus 16 through the camera, 21 and 24
    pixels high on a page whose text height was 12)."""
    low, high = sorted((run[3], other[3]))
    return low <= tallest < high and high > _COLUMN_HIGH * low


def _side_by_side(left: Region, right: Region) -> bool:
    """Whether *right* continues *left*'s line: mostly level with it, and a gap under
    the taller one's height."""
    top, bottom = max(left[1], right[1]), min(left[1] + left[3], right[1] + right[3])
    level = bottom - top >= _LEVEL * min(left[3], right[3])
    gap = right[0] - (left[0] + left[2])
    return level and -left[3] < gap <= _NEAR * max(left[3], right[3])


def runs_of(profile: np.ndarray, max_gap: int = 0) -> list[tuple[int, int]]:
    """[start, end) runs of True in *profile*, joining runs separated by <= max_gap."""
    runs: list[tuple[int, int]] = []
    index = np.flatnonzero(profile)
    if index.size == 0:
        return runs
    start = previous = int(index[0])
    for i in index[1:]:
        i = int(i)
        if i - previous > max_gap + 1:
            runs.append((start, previous + 1))
            start = i
        previous = i
    runs.append((start, previous + 1))
    return runs


def split_tall(
    counts: np.ndarray,
    top: int,
    bottom: int,
    line_height: float,
    cut_share: float = 1.0,
    body_share: float = 0.0,
    ink: np.ndarray | None = None,
) -> list[tuple[int, int]]:
    """The rows [top, bottom) cut into lines at their emptiest rows (*counts*: ink per
    row), recursively, until no piece is taller than a line and a half, or the emptiest
    row holds more than *cut_share* of the fullest row's ink (one line of bigger text:
    every letter crosses its middle), or a piece would have no row holding
    *body_share* of it (the rows of a big line's ascenders hold only stems).

    *ink* (the rows' pixels, nonzero = ink): a piece's body is then measured as its
    fullest row's ink over the width its ink spans, not its ink alone. A line of one
    short word (``UUID``) above a long one (``Serial Number``) holds a third of its ink
    per row, and a camera's list of such rows stayed one block that Tesseract read
    with the lines mixed; the ascenders of a big line hold a few stems across the
    line's whole width either way."""
    margin = round(0.6 * line_height)
    if bottom - top <= 1.5 * line_height or bottom - top <= 2 * margin:
        return [(top, bottom)]
    cuts = _cuts(counts, top + margin, bottom - margin, cut_share * counts[top:bottom].max())
    whole = body_share * _body(counts, ink, top, bottom)
    cut = next(
        (
            row
            for row in cuts
            if min(_body(counts, ink, top, row), _body(counts, ink, row + 1, bottom)) >= whole
        ),
        None,
    )
    if cut is None:
        return [(top, bottom)]
    return split_tall(counts, top, cut, line_height, cut_share, body_share, ink) + split_tall(
        counts, cut + 1, bottom, line_height, cut_share, body_share, ink
    )


def _cuts(counts: np.ndarray, low: int, high: int, most: float) -> list[int]:
    """The rows of [*low*, *high*) where a tall run may be cut, emptiest first (of
    equals, the topmost): those holding at most *most* ink, one a valley, each the
    emptiest of its stretch of rows no fuller than *most*.

    The emptiest row alone was tried before: through a camera a checklist's brackets
    touch from row to row, and the rows beside a faint line (under a highlighted bar)
    hold their ink alone; cut there, the piece above held no line's body, the run was
    left whole and read as one line (dialog, X 7x13: ``Asset Tog`` and ``Product Mane``
    mixed with three other rows), though the valleys between the lines below were as
    empty as the brackets allow."""
    rows = counts[low:high]
    valleys = runs_of(rows <= most)
    best = [low + a + int(np.argmin(rows[a:b])) for a, b in valleys]
    return sorted(best, key=lambda row: (int(counts[row]), row))


def _body(counts: np.ndarray, ink: np.ndarray | None, top: int, bottom: int) -> float:
    """The ink of the fullest of rows [top, bottom), over the width the rows' ink spans
    when *ink* (the rows' pixels) is given."""
    fullest = float(counts[top:bottom].max())
    if ink is None:
        return fullest
    columns = np.flatnonzero(ink[top:bottom].any(axis=0))
    return fullest / (columns[-1] - columns[0] + 1) if columns.size else 0.0
