"""Finding a phrase on screen, and reading the text beside an anchor (text or icon).

An anchored read works as a person does: find the anchor ("BIOS Version", or an icon),
then read the region it defines: the rest of its line to the right or left, or the line
just below or above it. The screen's text is read once and kept for a few screens, so
several reads on the same screen do not pay for a whole-screen OCR each time.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

import numpy as np

from robotest.errors import IconNotFound, TextNotFound
from robotest.language import SIDES
from robotest.vision.errors import VisionInputError
from robotest.vision.frame_key import FrameKey, frame_key
from robotest.vision.fuzzy import matches, normalise, ocr_distance
from robotest.vision.icon_search import locate
from robotest.vision.icons import Icon
from robotest.vision.images import Region, check_image, clip_region, union
from robotest.vision.ocr_engine import (
    Lines,
    OcrResult,
    PageRead,
    ink_mask,
    ocr,
    surroundings,
    text_height,
)
from robotest.vision.text_lines import runs_of, split_tall
from robotest.vision.words import Word

Side = Literal["right_of", "left_of", "below", "above"]
_CACHE_SIZE = 8
_cache: OrderedDict[tuple[FrameKey, Region], OcrResult | PageRead] = OrderedDict()
"""Each screen's page read: done, or read down the page as far as a search asked."""


@dataclass(frozen=True)
class TextMatch:
    """Where a phrase was read on screen (found only when it matched)."""

    found: bool
    box: Region | None
    text: str

    def to_dict(self) -> dict[str, object]:
        """The JSON contract of ``rtest vision find-text``."""
        return {"found": self.found, "box": list(self.box) if self.box else None, "text": self.text}


def screen_text(screen: np.ndarray, region: Region | None = None) -> OcrResult:
    """:func:`ocr` of the screen (or region), remembered for the last few screens."""
    screen = check_image(screen, "screen")
    area = clip_region(region, screen.shape)
    key = (frame_key(screen), area)
    kept = _cache.get(key)
    result = ocr(screen, area) if kept is None else _read(kept)
    _keep(key, result)
    return result


def _read(kept: OcrResult | PageRead) -> OcrResult:
    return kept if isinstance(kept, OcrResult) else kept.result()


def _keep(key: tuple[FrameKey, Region], read: OcrResult | PageRead) -> None:
    _cache[key] = read
    _cache.move_to_end(key)
    while len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)


def _kept_page(screen: np.ndarray, region: Region | None) -> OcrResult | PageRead:
    """The screen's (or region's) page read as kept: done, or started (:class:`.PageRead`,
    read down the page only as far as a search asks)."""
    screen = check_image(screen, "screen")
    area = clip_region(region, screen.shape)
    key = (frame_key(screen), area)
    kept = _cache.get(key)
    page = PageRead(screen, area) if kept is None else kept
    _keep(key, page)
    return page


def _exact_on_top(page: PageRead, phrase: str) -> tuple[tuple[Word, ...], Lines] | None:
    """The first run of words reading as *phrase* exactly among the lines of *page*
    settled as it is read down (:meth:`.PageRead.settled`), looked at only once the
    phrase's first word is among the words read, and those lines; None: not there."""
    first = normalise(phrase).split()[0]
    looked = 0
    for head in page.settled(lambda words: any(w.text.casefold() == first for w in words)):
        exact = _first_exact(head[looked:], phrase)
        if exact is not None:
            return exact, head
        looked = len(head)
    return None


def find_text(screen: np.ndarray, phrase: str, region: Region | None = None) -> TextMatch:
    """The phrase's box on screen, tolerating OCR slips but never another word.

    The screen's text is read once as a page. Where that read has only a near miss (it
    shares a long run of characters with the phrase: ``eqa-laptop:-$`` for
    ``qa@qa-laptop``), the part of the screen around the near miss is read again on its
    own, and the phrase looked for there with the same strict rule: a page read of a
    mixed screen now and then garbles a line that reads cleanly in a small region.
    """
    best, _ = _find_words(screen, phrase, region)
    if best is None:
        return TextMatch(found=False, box=None, text="")
    return TextMatch(
        found=True, box=union([w.box for w in best]), text=" ".join(w.text for w in best)
    )


def _find_words(
    screen: np.ndarray, phrase: str, region: Region | None
) -> tuple[tuple[Word, ...] | None, Lines]:
    """The words that read as *phrase* (None: not on screen) and the lines they were
    found among.

    The page read, then the second looks, are searched strictly (no capital read for
    another, ``_READ_FOR``): a careful read that finds the phrase exactly wins over a
    page read that needs the slip (``HE Version`` for ``ME Version``, its box off). Only
    where none matches strictly are the same reads searched again with the slip."""
    if not phrase.split():
        raise VisionInputError("the phrase to find is empty")
    kept = _kept_page(screen, region)
    # a label near the top found before the rest of the page is read
    early = _exact_on_top(kept, phrase) if isinstance(kept, PageRead) else None
    if early is not None:
        return early
    page = screen_text(screen, region).lines  # the rest of the page read, if need be
    seen: list[Lines] = []
    for lines in _reads(screen, region, page, phrase):
        seen.append(lines)
        best = _best_window(lines, phrase, read_for=False)
        if best is not None:
            return best, lines
    return _slipped(seen, phrase) or (None, page)


def _first_exact(lines: Lines, phrase: str) -> tuple[Word, ...] | None:
    """The first run of words of *lines* reading as *phrase* exactly (its case and spaces
    aside): what :func:`_best_window` picks from the whole page where such a run comes
    first (none is closer)."""
    wanted = normalise(phrase)
    return next((w for w, read in _windows(lines, phrase) if normalise(read) == wanted), None)


def _slipped(reads: list[Lines], phrase: str) -> tuple[tuple[Word, ...], Lines] | None:
    """The first read's words matching *phrase* with a capital read for another, if any."""
    for lines in reads:
        best = _best_window(lines, phrase)
        if best is not None:
            return best, lines
    return None


_SECOND_LOOKS = 2
"""Near misses of a page read whose surroundings are read again, at most."""
_ALIKE = 0.7
"""A run of words this alike the phrase (difflib's ratio) is a near miss."""


def _windows(lines: Lines, phrase: str) -> Iterator[tuple[tuple[Word, ...], str]]:
    """Every run of one word fewer to one word more than *phrase* has, with its text."""
    wanted = len(phrase.split())
    for line in lines:
        for size in {max(1, wanted - 1), wanted, wanted + 1}:
            for start in range(0, len(line) - size + 1):
                window = line[start : start + size]
                yield window, " ".join(w.text for w in window)


def _best_window(lines: Lines, phrase: str, read_for: bool = True) -> tuple[Word, ...] | None:
    """The run of words that reads closest to *phrase* (None: none matches; *read_for*
    False: none matches without a capital read for another)."""
    found = [
        (ocr_distance(read, phrase, read_for=read_for), window)
        for window, read in _windows(lines, phrase)
        if matches(read, phrase, read_for)
    ]
    return min(found, key=lambda item: item[0])[1] if found else None


def _reads(screen: np.ndarray, region: Region | None, page: Lines, phrase: str) -> Iterator[Lines]:
    """The page read's lines, then (as they are asked for) those of reading again around
    its near misses."""
    yield page
    bounds = clip_region(region, screen.shape)
    looked: list[Region] = []
    for box in _near_misses(page, phrase):
        if len(looked) == _SECOND_LOOKS:
            break
        if any(_holds(area, box) for area in looked):
            continue  # the same near miss, in a longer run of words
        looked.append(_around(box, phrase, bounds))
        # then the near miss's own line, read as one line (as a value is read): a page
        # read garbles small text that a line read gets right (``Firnuare``)
        for area, layout in ((looked[-1], "auto"), (_along(box, phrase, bounds), "line")):
            yield ocr(screen, area, layout=layout).lines  # type: ignore[arg-type]


def _near_misses(lines: Lines, phrase: str) -> list[Region]:
    """Boxes of the runs of words sharing a run of characters at least half the phrase's
    length with it, or most of its characters (``Firnuare`` for ``Firmware``), those
    sharing most first."""
    near = []
    wanted = phrase.lower()
    # the phrase's side of the comparison worked out once, not for every run of words
    matcher = SequenceMatcher(None, "", wanted, autojunk=False)
    least_run = max(4, len(phrase) // 2)
    for window, read in _windows(lines, phrase):
        seen = read.lower()
        matcher.set_seq1(seen)
        lengths = (len(seen), len(wanted))
        if not _may_be_near(matcher, lengths, least_run, len(phrase) >= 4):
            continue
        shared = matcher.find_longest_match(0, len(seen), 0, len(wanted)).size
        alike = matcher.ratio()
        if shared >= least_run or (len(phrase) >= 4 and alike >= _ALIKE):
            near.append((-max(shared, alike * len(phrase)), union([w.box for w in window])))
    return [box for _, box in sorted(near, key=lambda item: item[0])]


def _may_be_near(
    matcher: SequenceMatcher[str], lengths: tuple[int, int], least_run: int, alike_counts: bool
) -> bool:
    """Whether a run of words (*matcher*'s first sequence, the phrase its second, of
    *lengths*) may share a run of *least_run* characters with the phrase or
    (*alike_counts*) be :data:`_ALIKE` to it, by difflib's bounds on both (their
    lengths, then the characters they have in common: as many or more than any run or
    matching of them). A page's runs of words are nearly all far from the phrase, and
    comparing each exactly took 30 ms of a whole screen's search for a phrase not on it."""
    if min(lengths) < least_run and not (alike_counts and matcher.real_quick_ratio() >= _ALIKE):
        return False
    quick = matcher.quick_ratio()  # in common, as a ratio: 2 * count / (len(a) + len(b))
    return quick * sum(lengths) / 2 >= least_run - 1e-9 or (alike_counts and quick >= _ALIKE)


def _along(box: Region, phrase: str, bounds: Region) -> Region:
    """A near miss's line: its box grown by a third of its height above and below, and
    to the phrase's length (and a character) either side, inside *bounds*."""
    x, y, w, h = box
    left, top = max(bounds[0], x - h), max(bounds[1], y - h // 3)
    right = min(bounds[0] + bounds[2], x + max(w, round(len(phrase) * 0.7 * h)) + h)
    bottom = min(bounds[1] + bounds[3], y + h + h // 3)
    return (left, top, right - left, bottom - top)


def _holds(area: Region, box: Region) -> bool:
    """Whether *box*'s centre lies in *area*."""
    cx, cy = box[0] + box[2] / 2, box[1] + box[3] / 2
    return area[0] <= cx < area[0] + area[2] and area[1] <= cy < area[1] + area[3]


def _around(box: Region, phrase: str, bounds: Region) -> Region:
    """A near miss's box grown by a line above and below and by the phrase's length
    either side (a page read's word boxes are sometimes short or shifted), inside
    *bounds* (the searched region)."""
    x, y, w, h = box
    reach = round(len(phrase) * 0.7 * h)
    left, top = max(bounds[0], x - reach), max(bounds[1], y - h)
    right = min(bounds[0] + bounds[2], x + w + reach)
    bottom = min(bounds[1] + bounds[3], y + 2 * h)
    return (left, top, right - left, bottom - top)


def anchored_region(anchor: Region, side: str, screen_size: tuple[int, int]) -> Region:
    """The region an anchor box defines on one side, clipped to the screen."""
    if side not in SIDES:
        raise VisionInputError(f"bad side {side!r}: expected one of {', '.join(SIDES)}")
    x, y, w, h = anchor
    width, height = screen_size
    gap = max(2, round(0.3 * h))
    band_top, band_bottom = y - round(0.4 * h), y + h + round(0.4 * h)
    if side == "right_of":
        box = (x + w + gap, band_top, width - (x + w + gap), band_bottom - band_top)
    elif side == "left_of":
        box = (0, band_top, x - gap, band_bottom - band_top)
    else:
        left, right = x - 2 * h, x + max(3 * w, w + 20 * h)
        if side == "below":
            box = (left, y + h + 1, right - left, round(4.5 * h))
        else:
            box = (left, y - 1 - round(4.5 * h), right - left, round(4.5 * h))
    return clip_region(box, (height, width))


def read_beside(
    screen: np.ndarray,
    anchor: str | Icon,
    side: Side = "right_of",
    region: Region | None = None,
) -> str:
    """The text on *side* of *anchor* (a phrase on screen or an icon).

    Right of / left of: the nearest group of words on the anchor's line (a gap wider
    than about two characters ends it, so a second column is not read). Below / above:
    the nearest line, from the words that overlap the anchor horizontally.
    Raises TextNotFound or IconNotFound when the anchor is not on screen.
    """
    return beside(screen, anchor, side, region).text


def beside(
    screen: np.ndarray,
    anchor: str | Icon,
    side: Side = "right_of",
    region: Region | None = None,
) -> OcrResult:
    """:func:`read_beside` as a read: the words, and any character read in doubt
    (:attr:`.OcrResult.doubtful`)."""
    screen = check_image(screen, "screen")
    anchor_box = _anchor_box(screen, anchor, region)
    return region_beside(screen, anchor_box, side)


def read_region_beside(screen: np.ndarray, anchor_box: Region, side: str) -> str:
    """The text on *side* of an anchor already located at *anchor_box*."""
    return region_beside(screen, anchor_box, side).text


def region_beside(screen: np.ndarray, anchor_box: Region, side: str) -> OcrResult:
    """:func:`read_region_beside` as a read (its words, any character in doubt)."""
    screen = check_image(screen, "screen")
    area = anchored_region(anchor_box, side, (screen.shape[1], screen.shape[0]))
    target = _nearest_text(screen, area, anchor_box, side)
    if target is None:
        return OcrResult(text="", words=(), lines=())
    return ocr(screen, target, layout="line")


def _nearest_text(screen: np.ndarray, area: Region, anchor: Region, side: str) -> Region | None:
    """The box of the text nearest the anchor inside *area*, from the ink profile."""
    x, y, w, h = area
    line_height = anchor[3]
    ink = _band_ink(screen, area)
    if side in ("right_of", "left_of"):
        ink = _within_panel(screen, area, ink, side, line_height)
    ink = _without_rules(ink)
    reach = (0, h)  # the rows of the area the padding may reach
    if side in ("below", "above"):
        rows = _text_lines(ink, line_height)
        if not rows:
            return None
        top, bottom = rows[0] if side == "below" else rows[-1]
        ink = ink[top:bottom]
        y, h = y + top, bottom - top
    if side in ("right_of", "left_of"):
        top, bottom, reach = _anchor_rows(ink, anchor[1] - y, anchor[3])
        ink = ink[top:bottom]
        y, h = y + top, bottom - top
    profile = np.any(ink, axis=0)
    if side in ("right_of", "left_of"):
        profile = _without_anchor_rest(np.any(_body(ink, line_height), axis=0), line_height, side)
    columns = runs_of(profile, round(1.6 * line_height))
    if not columns:
        return None
    if side == "right_of":
        left, right = columns[0]
    elif side == "left_of":
        left, right = columns[-1]
    else:
        near = [c for c in columns if c[1] + x >= anchor[0] - line_height]
        left, right = (near or columns)[0]
    pad = max(2, round(_PAD * h))
    # padding stays inside the anchored region: never back over the anchor itself
    x0, x1 = max(x, x + left - pad), min(x + w, x + right + pad)
    y0, y1 = max(area[1] + reach[0], y - pad), min(area[1] + reach[1], y + h + pad)
    return clip_region((x0, y0, x1 - x0, y1 - y0), screen.shape)


def _band_ink(screen: np.ndarray, area: Region) -> np.ndarray:
    """Where *area* of *screen* is inked.

    The background is judged at the height of the band's letters, as a read of it does:
    the anchor's box is a line's (a cell's) height, and a highlighted value's bar one
    cell high was then no taller than its text, not found, and its light letters
    measured against the panel (whiptail's ``32768 MB`` found 6 pixels high)."""
    x, y, w, h = area
    context, inner = surroundings(area, screen.shape)
    cx, cy, cw, ch = context
    glyph = text_height(np.ascontiguousarray(screen[y : y + h, x : x + w]))
    return ink_mask(screen[cy : cy + ch, cx : cx + cw], glyph, inner) > 0


def _within_panel(
    screen: np.ndarray, area: Region, ink: np.ndarray, side: str, line_height: int
) -> np.ndarray:
    """*ink* of a band beside an anchor, its text measured again on the anchor's panel
    alone where the band runs past the panel's edge, nothing beyond it.

    Through the camera, the edge of a dialog against a dark desktop differs from its
    panel by far more than the panel's blurred small letters: measured over the whole
    band, the letters' height was not found (16 pixels for 12), their ink split off as
    background, and the value read from a speck (``78.81.62.93`` read ``5``, X 9x18
    checklist). The edge is a column inked over the whole band, at least a line from the
    anchor, beyond which the band is no longer of the panel's colour (a small face's
    letters ink whole columns of a band too, with the panel around them)."""
    x, y, w, h = area
    band = screen[y : y + h, x : x + w].reshape(h, w, -1).astype(np.int16)
    near = band[:, :line_height] if side == "right_of" else band[:, -line_height:]
    panel = np.median(near.reshape(-1, band.shape[2]), axis=0)
    if _on_a_bar(near, panel):
        return ink
    full = np.flatnonzero(np.count_nonzero(ink, axis=0) >= _FULL_COLUMN * ink.shape[0])
    if side == "left_of":
        full = full[::-1]
    for edge in (int(e) for e in full):
        if min(edge, w - 1 - edge) < line_height:
            continue
        reach = 2 * line_height
        beyond = (
            band[:, edge + 1 : edge + 1 + reach]
            if side == "right_of"
            else band[:, max(0, edge - reach) : edge]
        ).reshape(-1, band.shape[2])
        alike = np.abs(beyond - panel).max(axis=1) <= _PANEL_CHANGE
        if np.count_nonzero(alike) < _PANEL_SHARE * len(alike):
            keep = (0, edge) if side == "right_of" else (edge + 1, w)
            cut = np.zeros_like(ink)
            cut[:, keep[0] : keep[1]] = _band_ink(screen, (x + keep[0], y, keep[1] - keep[0], h))
            return cut
    return ink


def _on_a_bar(near: np.ndarray, panel: np.ndarray) -> bool:
    """Whether the "panel" beside an anchor is a bar as high as its line: the band's
    rows above and below the line (*near*: the band beside the anchor) are both of
    another colour. A highlighted row's end is not a dialog's edge: cut there, the value
    on whiptail's bar (X 7x14, ``ME Version``) was measured on the bar alone and read
    ``A K4 44. 47`` for ``6.83.43.37``."""
    rows = max(1, round(_BAR_RIM * near.shape[0]))
    for edge in (near[:rows], near[-rows:]):
        alike = np.abs(edge.reshape(-1, near.shape[2]) - panel).max(axis=1) <= _PANEL_CHANGE
        if np.count_nonzero(alike) >= _PANEL_SHARE * alike.size:
            return False
    return True


_BAR_RIM = 0.1
"""Share of the band's rows, at its top and at its bottom, looked at for a bar's end."""
_PANEL_CHANGE = 48
"""Grey levels (of any colour channel) within which a pixel is of the panel's colour."""
_PANEL_SHARE = 0.25
"""Past the panel's edge, fewer than this share of the band's pixels (over two lines'
width) are of the panel's colour; past a letter's stroke most are (its background)."""


def _without_rules(ink: np.ndarray) -> np.ndarray:
    """*ink* less the columns inked in nearly every row of the band: a window's frame, a
    list's edge or a window's shadow beside the text (no column of a line of text is
    inked above and below it). Left in, they ink every row of the band, no row between
    two tightly set lines is empty, and the lines above and below were read with the
    value (whiptail's list: ``8192 MB`` read empty). Only where the text is looked for:
    the ink given to Tesseract is not this mask."""
    full = np.count_nonzero(ink, axis=0) >= _FULL_COLUMN * ink.shape[0]
    return ink & ~full[None, :]


_FULL_COLUMN = 0.9
"""Share of the band's rows a column inked by a frame or a shadow covers."""


_PAD = 0.4
"""Margin kept around the text read beside an anchor, in heights of its own ink."""
_THIN_ROW = 0.1
"""A row with ink on less than this share of the fullest row's pixels separates lines
(the frayed edge of a bar through a camera)."""


def _anchor_rows(ink: np.ndarray, top: int, height: int) -> tuple[int, int, tuple[int, int]]:
    """The rows of *ink* (a band across the anchor's line) that hold the anchor's line,
    and the rows the padding may reach: halfway to the lines above and below it.

    On a tightly set page (a terminal, a menu whose rows touch) the band reaches into
    the next line's ascenders or the last line's descenders, which a line read takes
    for a line of its own. Runs of inked rows that do not overlap the anchor's rows
    (*top*, *height*: where the anchor lies in the band) are left out.
    """
    counts = np.count_nonzero(ink, axis=1)
    runs = runs_of(counts > _THIN_ROW * counts.max(), 0)
    mine = [r for r in runs if r[1] > top and r[0] < top + height]
    # a run mostly outside the anchor's rows is the next line's, joined to it only by the
    # anchor's box reaching a little past its letters (a highlighted bar right above a
    # camera checklist's row: ``A9:CA:47:97:18:60`` read with the bar's bottom)
    mostly = [r for r in mine if _overlap(r, top, height) >= _ANCHOR_SHARE * (r[1] - r[0])]
    mine = mostly or mine
    if not mine:
        return 0, ink.shape[0], (0, ink.shape[0])
    first, last = mine[0][0], mine[-1][1]
    above = max((r[1] for r in runs if r[1] <= first), default=None)
    below = min((r[0] for r in runs if r[0] >= last), default=None)
    reach_top = 0 if above is None else (above + first) // 2
    reach_bottom = ink.shape[0] if below is None else (last + below + 1) // 2
    return first, last, (reach_top, reach_bottom)


def _body(ink: np.ndarray, line_height: int) -> np.ndarray:
    """*ink* (the anchor's rows) less the runs of inked rows too thin to hold a letter's
    body: a bar's blurred rim above or below the line through the camera (a row of faint
    pixels along the bar's edge, parted from the line by a clean row) was taken for the
    first word beside the label, and the value read from the gap (``EC Version``'s
    ``6.11.25`` read ``une``, X 9x15). A letter's dot or a dash lies on the columns of
    its body's rows, or is read with the rows kept. Where no run is that thick, all of
    it."""
    counts = np.count_nonzero(ink, axis=1)
    thick = max(2, round(_BODY_RUN * line_height))
    keep = np.zeros(ink.shape[0], dtype=bool)
    for top, bottom in runs_of(counts > 0, 0):
        keep[top:bottom] = bottom - top >= thick
    return ink & keep[:, None] if keep.any() else ink


_BODY_RUN = 0.25
"""Heights of the anchor's line: a run of inked rows thinner than this, parted from the
line, is no letter's body (a bar's rim through the camera, a row of specks)."""


def _overlap(run: tuple[int, int], top: int, height: int) -> int:
    """Rows of *run* [start, end) inside the rows [top, top + height)."""
    return max(0, min(run[1], top + height) - max(run[0], top))


_ANCHOR_SHARE = 0.5
"""Share of a run of inked rows beside an anchor that lies in the anchor's rows, for it
to be the anchor's line where another run is."""


def _without_anchor_rest(profile: np.ndarray, line_height: int, side: str) -> np.ndarray:
    """The column profile with the end of the anchor's own word taken out.

    Whole-screen OCR may read a label short (``Build:`` as ``Buil``); its box then ends
    inside the word, and the rest (``d:``) starts right at the edge of the region beside
    it, where it would be read as part of the value. Ink touching that edge, up to the
    first gap as wide as a space, belongs to the anchor.
    """
    columns = profile if side == "right_of" else profile[::-1]
    if not columns[:2].any():
        return profile
    words = runs_of(columns, max(2, round(0.4 * line_height)))
    if len(words) < 2:
        return profile
    cleared = columns.copy()
    cleared[: words[0][1]] = False
    return cleared if side == "right_of" else cleared[::-1]


def _text_lines(ink: np.ndarray, line_height: int) -> list[tuple[int, int]]:
    """[top, bottom) of each line of text in *ink*, top to bottom.

    Rows with ink, gaps of up to a third of a line bridged; on a blurred camera image of
    tightly set lines (a terminal) the blur fills the few rows between two lines, so a
    run taller than 1.5 lines is cut where the fewest pixels are ink.
    """
    counts = np.count_nonzero(ink, axis=1)
    lines = []
    for top, bottom in runs_of(counts > 0, max(2, line_height // 3)):
        lines += split_tall(counts, top, bottom, line_height)
    return lines


def _anchor_box(screen: np.ndarray, anchor: str | Icon, region: Region | None) -> Region:
    if isinstance(anchor, Icon):
        match = locate(screen, anchor, region)
        if not match.found or match.box is None:
            raise IconNotFound(
                f"icon {anchor.name} not on screen "
                f"(best score {match.score:.2f} < {match.threshold:.2f})"
            )
        return match.box
    words, lines = _find_words(screen, anchor, region)
    if words is None:
        raise TextNotFound(f"text {anchor!r} not on screen")
    return _line_high(union([w.box for w in words]), next(li for li in lines if words[0] in li))


def _line_high(box: Region, line: tuple[Word, ...]) -> Region:
    """*box* made as high as the words of its *line* (never more than twice as high).

    A label without ascenders (``uname``, ``seen on``) has a box only as high as its
    lower-case letters; the text beside it, and the lines above and below, are measured
    in the line's height, not that. The line's height is the median top and bottom of
    its other words: one word boxed with a piece of the next line (through a camera, a
    value beside a highlighted row boxed 18 pixels high on an 11-pixel line) made the
    anchor as high as two lines, and the value beside it was read with the line below."""
    x, y, w, h = box
    others = [b.box for b in line if not x <= b.box[0] + b.box[2] / 2 < x + w] or [box]
    top = max(y - h // 2, round(float(np.median([b[1] for b in others]))))
    bottom = min(y + h + h // 2, round(float(np.median([b[1] + b[3] for b in others]))))
    y0, y1 = min(y, top), max(y + h, bottom)
    return (x, y0, w, y1 - y0)
