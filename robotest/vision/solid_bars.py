"""Bars taken for ink: a highlighted row or a title bar whose own colour is its text's
background, decided bar by bar.

The background of :mod:`.backgrounds` is the flat area the text sits on. A bar exactly
one character cell high (a ``dialog`` or ``whiptail`` menu's highlighted item, a button,
a setup page's selected row) has none: its letters leave it a pixel or two above and
below and between them, which no flat area of a letter's size fits in. Its pixels then
took the colour of the panel around it, along the row, and the whole bar came out as
one block of ink with its text lost inside (a dialog menu's highlighted items read
59% CER on framebuffers, 89% through a camera, on the real-programs corpus).

Text is never a solid block: letters cover about half their box at most, a bar taken
for ink with its letters most of it. So wherever the ink found against the first
background holds a piece about one line high, at least 1.5 text heights wide, solid,
and holding pixels of another colour than its rim (the letters), that piece is a bar
of the other polarity: inside it the background is the bar's own colour (the most
common colour of its rim), and the text is what differs from that. Along the bar's
edge (the page's upscaling blends the bar into the panel around it) a pixel is ink only
where it differs from the bar, the panel and any blend of the two.

On framebuffers only (see :func:`.backgrounds.ink_contrast`): through a camera, blurred
small text is as solid, and camera values and title bars read worse with it. Camera
frames have :func:`blurred_bars_as_background`, which tells a bar by its two margins.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

from robotest.vision.images import Region, channel_max, components, union

_SOLID = 0.55
"""Share of its box a piece of ink covers to be a bar taken for ink (letters, even a
bold bitmap font's, cover about half of theirs at most)."""
_WIDE = 1.5
"""Text heights: a piece of a bar is at least this wide (one bold letter upscaled, a
console's ``w``, is as solid, but a text height wide at most) ..."""
_LETTERS = 0.1
"""... and this share of it is letters, of another colour than its rim (a heavy
stroke, or a shadow, is all of one colour)."""
_LOW, _HIGH = 0.8, 2.6
"""Text heights: a bar is at least about a line and at most a line with margins high (a
big heading's heavy stroke is solid too, but its letter is taller)."""
_ROW_SHARE = 0.3
"""A row (column) of a bar's box belongs to the bar where this share of it is the bar's
colour; the rest of the box is letters of the lines above and below touching it."""
_EDGE = 2
"""Pixels around a bar where upscaling blends it with the panel."""
_APART = 0.5
"""Text heights: a bar's two margins are at least this far apart (its letters between)."""
_MARGINS_APART = 0.75
"""Text heights: the two margins chosen for a blurred bar are at least this far apart (its
letters lie between them; a bar one cell high has them 1.2-1.3 apart). Blurred light text
on a dark panel has even strips along its strokes (the tops of ``2658``), and its two
strongest, two rows apart, were taken for a bar's margins in a line read."""
_ALONG = 0.6
"""Share of a box's width strips cover in every row: a panel's even strip, no bar."""
_BLUR_EDGE = 0.3
"""Text heights: through a camera, the band around a bar where it blends with the panel."""
_FADED = 0.5
"""Beyond ``_EDGE`` pixels of a bar, its blur is less than this share of the bar's colour
(see :func:`_faded`)."""
_QUANT = 32
"""Grey levels per bin when taking the most common colour of a bar."""
_BAR_SHARE = 0.3
"""Share of its box a bar's colour covers (the rest: its letters)."""
_MARGIN = 0.8
"""Share of a bar's top and bottom rows in its colour (its margins above and below
its letters; a letter's top row is never this whole) ..."""
_MARGIN_ROWS = 0.25
"""... in one of its rows this many text heights from its top or bottom."""
_TALLER = 1.15
"""Text heights: a bar found by its colour is at least this high (its letters and its
margins); letters of one colour run together (a bold console's ``DD``) are as high as
text."""
_FLAT_SHARE = 0.1
"""Share of a bar's pixels that are flat (its margins, between its letters); blurred
small text in one colour, as solid and as wide through a camera, has none."""
_JOINED = 2.0
"""Bar heights: a page's region at half size up to this high (and 6 pixels) may be a bar
joined through a gap of a pixel or two to letters or specks of its colour above and
below it; a taller one is a panel, not looked at further."""
_FLAT_AREA = 0.5
"""Squared text heights of flat pixels a colour holds to be tried as a bar's (a short
value's bar, ``47.21`` in the X font 9x18, holds about 1.2 between its letters)."""
_COLOURS = 4
"""Colours of the flat pixels tried as a bar's, the most common first, at most."""
_SAMPLED = 200_000
"""Pixels: colours of a bigger image are taken from every other pixel each way."""
_MEDIAN_OF = 5000
"""Pixels a colour's median is taken of, at most."""
_SAME_COLOUR = 24
"""Grey levels: a framebuffer's pixel this close to a bar's colour is the bar's (an
upscaled bar's inside keeps its colour; its edge is a blend)."""
_MIN_LEVEL = 12
"""Grey levels: a smaller split of ink from background is none (see ocr_engine)."""
_FRAMED = 0.85
"""Share of its box a camera's bar taken for ink covers, its letters too (they differ
from the panel), and share of its top and bottom rows (letters on a bar found already,
a red hot key beside a yellow capital, cover 0.7 of theirs; dark text's tops and feet
seldom half)."""
_LEVEL = 0.25
"""Text heights: a bar's fellow on its row (see :func:`_fellow`) has its middle this close
to the bar's ..."""
_FELLOW_MARGIN = 0.5
"""... and its margins this whole (its letters cover the rest)."""
_MOSTLY_BAR = 0.5
"""Through a camera, a blend of a bar and its panel at most this far (0: the bar, 1: the
panel) is the bar's, where its ends are followed (see :func:`_to_ends`)."""
_DEEP_SHARE = 0.05
"""Share of the pixels between a blurred bar's margins that are of its own colour, past
the blend of its margins with the panel, for that colour to be taken (the gaps between
its letters)."""
_BRIDGE = 0.5
"""Share of the way from a bar's colour to the panel's a pixel of the bar's margin blended
by the upscaling lies within (see :func:`_bridge`)."""
_AROUND = 4
"""Pixels around a halved solid piece looked at at full size (the halving's loss)."""
_LETTERS_APART = 40
"""Grey levels: a camera bar's letters differ this much from the panel around it and
from any blend of the bar and the panel (the holes of blurred dark text are the
panel's colour)."""


def bars_as_background(image: np.ndarray, contrast: np.ndarray, glyph_height: float) -> None:
    """Set *contrast* (uint8, from :func:`.backgrounds.ink_contrast` of *image*) inside
    every solid bar to the difference from the bar's own colour (in place)."""
    level, ink = cv2.threshold(contrast, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    if level < _MIN_LEVEL:  # a two-level image: Otsu splits it at 0
        _, ink = cv2.threshold(contrast, int(contrast.max()) // 2, 255, cv2.THRESH_BINARY)
    count, labels, stats = components(ink, 8)
    heights = stats[:, cv2.CC_STAT_HEIGHT]
    barlike = (heights >= _LOW * glyph_height) & (heights <= _HIGH * glyph_height)
    barlike &= stats[:, cv2.CC_STAT_WIDTH] >= _WIDE * glyph_height
    barlike[0] = False  # label 0: the background
    step = max(_MIN_LEVEL, int(level))
    for label in np.flatnonzero(barlike):
        x, y, w, h = (int(v) for v in stats[label, :4])
        own = labels[y : y + h, x : x + w] == label
        if np.count_nonzero(own) < _SOLID * own.size:
            continue  # letters cover about half their box at most
        pixels = image[y : y + h, x : x + w]
        colour = _dominant(pixels[own & _rim(own.shape)])
        if np.mean(_difference(pixels, colour)[own] >= step) < _LETTERS:
            continue  # all of one colour: a heavy stroke, a shadow, no bar with text on it
        _bar(image, contrast, colour, (x, y, w, h), step, _EDGE)


def coloured_bars_as_background(
    image: np.ndarray,
    contrast: np.ndarray,
    flat: np.ndarray,
    glyph_height: float,
    smooth: np.ndarray | None = None,
    same: int = _SAME_COLOUR,
    exact: np.ndarray | None = None,
    known: list[tuple[np.ndarray, Region]] | None = None,
) -> None:
    """:func:`bars_as_background` for bars whose ink is not one solid piece (in place):
    *flat* is True where no neighbour of a pixel differs from it; *smooth* (camera
    frames: the image smoothed against sensor noise, None on framebuffers) is where
    colours are judged, *same* how close to a bar's colour a pixel of the bar is.

    A bar holding a flat area (between its words, in the rows above its letters) is
    background there, but near its ends the panel beyond is nearer along the row, so
    the ends came out as blocks of ink with their letters lost (``9D386A27`` read
    ``#286A27``, whiptail's ``Memory Size`` not found), and the bar's outline joins its
    ink to the lines above and below: no piece of ink is a bar's. The bar is found by
    its colour instead: each colour of the flat pixels taken for ink is a candidate, and
    a region of it (4-connected: the bar's margins and the gaps between its letters
    join it) a line high, wider than a word's first letters, filling its box with
    letters of another colour inside and its top and bottom rows (the margins) nearly
    whole, is a bar.

    *exact* (a framebuffer's bitmap font upscaled: the same pixels upscaled without
    blending): after the bars found on *image*, those found on *exact* whose box is
    still mostly ink (``_SOLID``) are made background too. The cubic upscaling of a
    read blends a bar's margin one pixel high with the letters below it, and an 8x16 X
    font's highlighted value (``DX7JXE56N5C-4869`` on ``dialog``'s blue bar) was a
    region whose top margin was 0.16 whole, no bar: it stayed a block of ink and was
    read empty. Bars already background are left as they are: measured again against
    their colour (every bar found on *exact*), periods beside them were read as
    commas and a console's letters as bars (tune).

    *known*: bars found already (their colours and boxes; by their margins, through a
    camera), their colours tried first: a highlighted row's other bars are of its
    colour (``dialog``'s check box beside its highlighted item), and once the item was
    background its colour was no longer among the flat pixels taken for ink, nor
    common enough to be tried; and regions of their colour level with them are bars
    more readily (see :func:`_fellow`)."""
    level, _ = cv2.threshold(contrast, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    step = max(_MIN_LEVEL, int(level))
    if step == _MIN_LEVEL:  # a two-level image: Otsu splits it at 0
        step = max(_MIN_LEVEL, int(contrast.max()) // 2)
    if not flat.any():
        return
    framebuffer = smooth is None
    smooth = image if smooth is None else smooth
    done = _coloured_bars(
        image, contrast, flat, glyph_height, smooth, same, step, framebuffer, known
    )
    if exact is not None:  # then bars the blend hid, where they are still taken for ink
        args = (image, contrast, flat, glyph_height, exact, same, step, True)
        _coloured_bars(*args, inked=_SOLID, found=done)


def _coloured_bars(
    image: np.ndarray,
    contrast: np.ndarray,
    flat: np.ndarray,
    glyph_height: float,
    smooth: np.ndarray,
    same: int,
    step: int,
    framebuffer: bool,
    known: list[tuple[np.ndarray, Region]] | None = None,
    inked: float = 0.0,
    found: list[Region] | None = None,
) -> list[Region]:
    """:func:`coloured_bars_as_background`'s bars of the colours of *smooth* (where
    colours are judged) found and made background (in place), those whose box is at
    least *inked* ink (*step*) only, none inside a bar *found* already; *known* colours
    tried first. Returns the boxes made background."""
    # through a camera a bar's rim is the blur's blend with the panel, as wide as the blur
    edge = _EDGE if framebuffer else max(_EDGE, round(_BLUR_EDGE * glyph_height))
    colours = [colour for colour, _ in known or []]
    made: list[Region] = []
    for colour in _candidates(smooth, flat, contrast >= step, glyph_height, same, colours):
        near = _near(smooth, colour, same)
        # a region inside a bar made background already is its letters run together (X
        # 6x12's ``0-32-amd64``, joined by its hyphens, as high as a bar counting back
        # the blend of its outermost rows): taken for a white bar, it left the blue bar
        # around it a block of ink
        regions = [r for r in _regions(near, glyph_height) if not _inside(r[0], found or [])]
        bars, plain = [], []
        for box, own in regions:
            part = flat[box[1] : box[1] + box[3], box[0] : box[0] + box[2]]
            if _is_bar(own, part, glyph_height):
                bars.append(box)
            elif _is_bar(own, part, glyph_height, letters=False):
                plain.append(box)
        # a plain stretch of a bar is one where pieces with letters join it (a long
        # bar's empty end beyond its text, its letters cutting the rest into pieces)
        bridged = _bridge(smooth, colour, contrast < step, edge) if framebuffer else None
        grown = _with_pieces(plain, regions, glyph_height, bridged)
        bars += [bar for bar, whole in zip(plain, grown, strict=True) if whole != bar]
        if not framebuffer:  # and, through a camera, a bar's fellows on its row
            rows = bars + [box for other, box in known or [] if _apart(other, colour) < same]
            bars += [
                box
                for box, own in regions
                if box not in bars and _fellow(own, box, flat, rows, glyph_height)
            ]
        for box in _with_pieces(bars, regions, glyph_height, bridged):
            x, y, w, h = box
            if inked and np.mean(contrast[y : y + h, x : x + w] >= step) < inked:
                continue  # background already, its flat pixels found
            if not framebuffer:  # to its ends, over letters too narrow to be regions
                panel = _panel(smooth, contrast < step, box, edge, edge)
                box = _to_ends(smooth, colour, same, box, panel, step)
            # the region's own box: a column of a letter's stem at the bar's end
            # (``F``) is mostly letter, and trimmed off it was read against the panel
            _bar(image, contrast, colour, box, step, edge, False, framebuffer)
            made.append(box)
    return made


def _inside(box: Region, bars: list[Region]) -> bool:
    """Whether *box* lies inside one of *bars* (within ``_EDGE`` pixels)."""
    x, y, w, h = box
    return any(
        x >= bx - _EDGE
        and y >= by - _EDGE
        and x + w <= bx + bw + _EDGE
        and y + h <= by + bh + _EDGE
        for bx, by, bw, bh in bars
    )


def _fellow(
    own: np.ndarray,
    box: Region,
    flat: np.ndarray,
    rows: list[Region],
    glyph_height: float,
) -> bool:
    """Whether a region of a bar's colour (*own*, in *box*) that is no bar by itself is
    one beside a bar of its colour found on its row (*rows*: their boxes): level with
    one (its middle within ``_LEVEL`` text heights of the bar's, as high as the bar or
    less), filling ``_BAR_SHARE`` of its box, partly flat, holding letters, and with
    margins ``_FELLOW_MARGIN`` whole.

    A highlighted row is one bar cut by the panel into pieces: ``dialog``'s check box,
    label and value. Through a camera the label's bar, its letters as high as it (the
    X font 6x13), has margins half whole and was refused (``Asset Tag`` a block of ink,
    not found) while the value's bar beside it, longer, was found by its margins."""
    if own.mean() < _BAR_SHARE or _margins_whole(own, glyph_height) < _FELLOW_MARGIN:
        return False
    part = flat[box[1] : box[1] + box[3], box[0] : box[0] + box[2]]
    if np.mean(part[own]) < _FLAT_SHARE or np.mean(~own) < _LETTERS:
        return False
    middle = box[1] + box[3] / 2
    return any(
        abs(middle - (y + h / 2)) <= _LEVEL * glyph_height and box[3] <= h + 2 * _EDGE
        for _, y, _, h in rows
    )


def framed_bars_as_background(
    image: np.ndarray, contrast: np.ndarray, smooth: np.ndarray, glyph_height: float
) -> None:
    """:func:`bars_as_background` for a camera frame (in place): a piece of ink a line
    high covering nearly all its box and its top and bottom rows, holding letters of a
    colour that is neither the panel's around it nor a blend of the panel and the
    piece's own, is a bar taken for ink; *smooth* (the image smoothed against sensor
    noise) is where colours are judged.

    A short highlighted label through a camera (``dialog``'s ``UUID`` in a 12x24 X
    font: yellow letters and a red hot key on a blue bar one cell high) has no flat
    pixel, its margins are a pixel or two of blend, and neither its margins nor its
    colour find it: it stayed a block of ink with its letters light inside, read
    ``De``, and the anchor was not found. Blurred dark text run together is as solid,
    but its holes are the panel's own colour, and its letters' tops and feet seldom
    cover half their rows."""
    level, ink = cv2.threshold(contrast, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    step = max(_MIN_LEVEL, int(level))
    ring = max(_EDGE, round(_BLUR_EDGE * glyph_height))
    for box, own in _solid_pieces(ink, glyph_height):
        if _margins_whole(own, glyph_height) < _FRAMED:
            continue  # letters: the rows of their tops and feet are partly panel
        panel = _panel(smooth, contrast < step, box, ring)
        if panel is None:
            continue
        pixels = smooth[box[1] : box[1] + box[3], box[0] : box[0] + box[2]]
        colour = _margin_colour(pixels, own, panel, glyph_height)
        letters = _difference(pixels, colour) >= step
        if letters.mean() < _LETTERS:
            continue  # all of one colour: a heavy stroke, a shadow
        inside = _dominant(pixels[letters]).reshape(1, 1, -1)
        if int(_off(inside, colour, panel)[0, 0]) < _LETTERS_APART:
            continue  # holes of the panel's colour (dark letters run together), or a
            # blend of the two (a frame's line along a strip of panel above a shadow)
        _bar(image, contrast, colour, box, step, _EDGE)


def _solid_pieces(ink: np.ndarray, glyph_height: float) -> list[tuple[Region, np.ndarray]]:
    """The 8-connected pieces of *ink* (uint8) a line high, at least ``_WIDE`` text
    heights wide, covering ``_FRAMED`` of their box, each as its box and its pixels in
    the box. A whole page is first looked at in halves each way, a half pixel set only
    where all four are (a solid piece stays solid, a gap of a pixel between it and the
    line below stays open; the usual halving, set where any is, joined ``UUID``'s bar
    to ``CPU Type`` below it), and only the halved pieces of a bar's size are labelled
    at full size, around them: a page's labelling cost 10-15 ms."""
    if ink.size <= _SAMPLED:
        return _pieces_of(ink, (0, 0), glyph_height)
    small = _halved(ink, every=True)
    count, labels, stats = components(small, 8)
    found = []
    for label in range(1, count):
        x, y, w, h, area = (int(v) for v in stats[label])
        if 2 * h + 4 < _LOW * glyph_height or 2 * h > _HIGH * glyph_height + 2:
            continue  # no bar's height, halved
        if 2 * w + 4 < _WIDE * glyph_height or area < _FRAMED * w * h:
            continue
        x0, y0 = max(0, 2 * x - _AROUND), max(0, 2 * y - _AROUND)
        x1 = min(ink.shape[1], 2 * (x + w) + _AROUND)
        y1 = min(ink.shape[0], 2 * (y + h) + _AROUND)
        found += _pieces_of(ink[y0:y1, x0:x1], (x0, y0), glyph_height, inside=True)
    return found


def _pieces_of(
    ink: np.ndarray, at: tuple[int, int], glyph_height: float, inside: bool = False
) -> list[tuple[Region, np.ndarray]]:
    """:func:`_solid_pieces` of *ink*, a part at *at* (x, y) of the image (*inside*: less
    the pieces touching the part's edge, which may be more outside it)."""
    count, labels, stats = components(ink, 8)
    found = []
    for label in range(1, count):
        x, y, w, h, area = (int(v) for v in stats[label])
        if not _LOW * glyph_height <= h <= _HIGH * glyph_height or w < _WIDE * glyph_height:
            continue
        cut = x == 0 or y == 0 or x + w == ink.shape[1] or y + h == ink.shape[0]
        if area >= _FRAMED * w * h and not (inside and cut):
            found.append(((x + at[0], y + at[1], w, h), labels[y : y + h, x : x + w] == label))
    return found


def _panel(
    smooth: np.ndarray,
    background: np.ndarray,
    box: tuple[int, int, int, int],
    ring: int,
    skip: int = 0,
) -> np.ndarray | None:
    """The most common colour of the *background* pixels in a ring *ring* pixels wide
    around *box* grown by *skip* (its rim, a blend) (None: there are none)."""
    x, y, w, h = box
    x, y, w, h = x - skip, y - skip, w + 2 * skip, h + 2 * skip
    y0, y1 = max(0, y - ring), min(smooth.shape[0], y + h + ring)
    x0, x1 = max(0, x - ring), min(smooth.shape[1], x + w + ring)
    around = background[y0:y1, x0:x1].copy()
    around[max(0, y - y0) : y - y0 + h, max(0, x - x0) : x - x0 + w] = False
    return _dominant(smooth[y0:y1, x0:x1][around]) if around.any() else None


def _margin_colour(
    pixels: np.ndarray, own: np.ndarray, panel: np.ndarray, glyph_height: float
) -> np.ndarray:
    """The colour of a bar taken for ink (*own*: its pixels in the box of *pixels*): that
    of its margin row standing out most from the *panel*, near its top or its bottom.
    Its rim is the blur's blend of bar and panel ([200, 54, 55] for a bar of
    [205, 1, 1]), and against that colour its margins stayed ink."""
    near = max(1, round(_MARGIN_ROWS * glyph_height))
    rows = [r for r in (*range(near), *range(own.shape[0] - near, own.shape[0])) if own[r].any()]
    standing = [float(_difference(pixels[r][own[r]][None], panel).mean()) for r in rows]
    row = rows[int(np.argmax(standing))]
    chosen = pixels[row][own[row]].reshape(-1, _channels(pixels))
    return np.median(chosen, axis=0).astype(np.uint8)


Bridge = Callable[[Region, Region], bool]


def _with_pieces(
    bars: list[Region],
    regions: list[tuple[Region, np.ndarray]],
    glyph_height: float,
    bridged: Bridge | None = None,
) -> list[Region]:
    """*bars* each grown over the regions of its colour that are no bar by themselves
    but pieces of it: level with it (top and bottom within ``_EDGE`` pixels), less than
    a text height from its end along the row, filling ``_BAR_SHARE`` of their box.
    Letters as high as the bar (a 6x13 font's capitals fill its cell) cut its margins,
    and through a camera's blur the bar came apart at them: whiptail's ``Memory Size``
    was read with ``Memory`` a block of ink, not found. One box for the whole bar: a
    letter where two pieces meet lay on both pieces' edges, and was let off there as a
    blend of bar and panel (``Size`` read ``'ize``).

    *bridged* (a framebuffer's; see :func:`_bridge`): whether the columns between a bar
    and a region beside it are the bar's; then other bars are pieces too, and a piece
    may lie a text height and the upscaling's blend on either side of the letter
    between (``_EDGE`` each) from the bar. A small bitmap font upscaled twice for the
    page read (X 5x8) cut its bar at every letter drawn a pixel from the bar's edge,
    into bars and pieces exactly a text height apart, and the letters between, left out
    of every box, stayed blocks of ink (whiptail's ``UUID`` not found)."""
    grown = []
    pieces = [box for box, own in regions if box not in bars and own.mean() >= _BAR_SHARE]
    reach = glyph_height + 2 * _EDGE

    def beside(box: Region, bar: Region) -> bool:
        if box in pieces and _level_beside(box, bar, glyph_height):
            return True
        return bridged is not None and _level_beside(box, bar, reach) and bridged(box, bar)

    for bar in bars:
        # piece by piece along the row, either way: a piece is beside the bar grown so
        # far (a long bar cut by a dozen capitals, found at its far end only)
        others = pieces + ([box for box in bars if box != bar] if bridged else [])
        joined = True
        while joined:
            near = [box for box in others if beside(box, bar)]
            joined = bool(near)
            others = [box for box in others if box not in near]
            bar = union([bar, *near])
        pieces = [box for box in pieces if box in others]  # each piece joins one bar
        grown.append(bar)
    return grown


def _level_beside(box: Region, bar: Region, reach: float) -> bool:
    """Whether *box* is level with *bar* and less than *reach* pixels from it along the row."""
    x, y, w, h = box
    bx, by, bw, bh = bar
    level = abs(y - by) <= _EDGE and abs(y + h - by - bh) <= _EDGE
    return level and max(bx - (x + w), x - (bx + bw)) < reach


def _bridge(smooth: np.ndarray, colour: np.ndarray, background: np.ndarray, ring: int) -> Bridge:
    """Whether the columns between a bar of *colour* and a region level with it are the
    bar's (on a framebuffer, *smooth* its pixels): each holds a pixel nearer the bar's
    colour than ``_BRIDGE`` of the way to the panel's (the most common colour of the
    *background* around the bar; its margins, blended with the letter between by the
    upscaling). The panel between two bars is none (``dialog``'s check box, a cell of
    panel before its highlighted label)."""

    def bridged(box: Region, bar: Region) -> bool:
        left, right = sorted((box, bar), key=lambda b: b[0])
        x0, x1 = left[0] + left[2], right[0]
        if x1 <= x0:
            return True
        panel = _panel(smooth, background, bar, ring, ring)
        if panel is None:
            return False
        y0, y1 = min(box[1], bar[1]), max(box[1] + box[3], bar[1] + bar[3])
        near = _difference(smooth[y0:y1, x0:x1], colour) < _BRIDGE * _apart(panel, colour)
        return bool(near.any(axis=0).all())

    return bridged


def _regions(near: np.ndarray, glyph_height: float) -> list[tuple[Region, np.ndarray]]:
    """The 4-connected regions of *near* (uint8, 1 on a colour) a bar's size, each as its
    box (x, y, w, h) and its pixels in the box: taller than its letters (its margins),
    a line high, wider than a word's first letters, and bounded above and below (not
    the page around a line read).

    A whole page is first looked at in halves each way (a half pixel set where any of
    its four is: every region lies inside one of the halved regions), and only the
    halved regions that can hold a bar are labelled at full size: labelling a page
    with the regions' sizes costs ~25 ms, and up to four colours are tried. The half
    size closes gaps of up to two pixels: a bar is labelled at full size still when so
    joined to letters or specks of its colour above and below it, but not when joined
    to more (a panel of its colour two pixels away)."""
    if near.size <= _SAMPLED:
        return _sized_regions(near, (0, 0), near.shape, glyph_height)
    small = _halved(near)
    _, labels, stats = components(small, 4)
    high = 2 * stats[:, cv2.CC_STAT_HEIGHT].astype(np.int64)
    wide = 2 * stats[:, cv2.CC_STAT_WIDTH].astype(np.int64)
    # not a panel, and a bar's height and width
    possible = (high <= _JOINED * _HIGH * glyph_height + 6) & (
        high + 2 * _EDGE >= _TALLER * glyph_height
    )
    possible &= wide >= _WIDE * glyph_height
    possible[0] = False  # label 0: no colour
    found = []
    for label in (int(v) for v in np.flatnonzero(possible)):
        x, y, w, h = (2 * int(v) for v in stats[label, :4])
        inside = labels[y // 2 : (y + h) // 2, x // 2 : (x + w) // 2] == label
        mine = np.repeat(np.repeat(inside, 2, axis=0), 2, axis=1)
        mine = mine[: near.shape[0] - y, : near.shape[1] - x]
        part = near[y : y + mine.shape[0], x : x + mine.shape[1]] * mine.astype(np.uint8)
        found += _sized_regions(part, (x, y), near.shape, glyph_height)
    return found


def _sized_regions(
    near: np.ndarray, at: tuple[int, int], shape: tuple[int, ...], glyph_height: float
) -> list[tuple[Region, np.ndarray]]:
    """:func:`_regions` of *near*, a part at *at* (x, y) of an image of *shape*."""
    _, labels, stats = components(near, 4)
    top, high, wide = (stats[:, i].astype(np.int64) for i in (1, 3, 2))
    # its outermost rows blend with the panel and its letters (upscaled): _EDGE each
    sized = (_TALLER * glyph_height <= high + 2 * _EDGE) & (high <= _HIGH * glyph_height)
    sized &= wide >= _WIDE * glyph_height
    sized &= (top + at[1] != 0) & (top + at[1] + high != shape[0])  # bounded above and below
    sized[0] = False  # label 0: not the colour
    found = []
    for label in (int(v) for v in np.flatnonzero(sized)):
        x, y, w, h = (int(v) for v in stats[label, :4])
        found.append(((x + at[0], y + at[1], w, h), labels[y : y + h, x : x + w] == label))
    return found


def _halved(mask: np.ndarray, every: bool = False) -> np.ndarray:
    """*mask* (uint8) at half its size each way, a pixel set where any of its four is
    (*every*: where all four are)."""
    even = np.pad(mask, ((0, mask.shape[0] % 2), (0, mask.shape[1] % 2)))
    join = cv2.min if every else cv2.max
    return np.asarray(
        join(join(even[0::2, 0::2], even[1::2, 0::2]), join(even[0::2, 1::2], even[1::2, 1::2]))
    )


def _is_bar(own: np.ndarray, flat: np.ndarray, glyph_height: float, letters: bool = True) -> bool:
    """Whether a region (*own*: True on its pixels, in its box; *flat*: the flat pixels
    there) is a bar: filling its box with its margins nearly whole, partly flat, and
    (*letters*) with something of another colour on it."""
    if own.mean() < _BAR_SHARE or _margins_whole(own, glyph_height) < _MARGIN:
        return False  # no bar's colour: letters, or a panel's edge
    if np.mean(flat[own]) < _FLAT_SHARE:
        return False  # blurred letters run together, not a bar: nowhere flat
    return not letters or bool(np.mean(~own) >= _LETTERS)  # else nothing on it


def _candidates(
    smooth: np.ndarray,
    flat: np.ndarray,
    ink: np.ndarray,
    glyph_height: float,
    same: int,
    known: list[np.ndarray] | None = None,
) -> list[np.ndarray]:
    """The colours tried as a bar's: *known* ones, those of flat pixels taken for ink (a
    bar's ends), then the most common colours of flat pixels (a bar found in part is
    background inside), none twice."""
    # every other pixel each way of a whole page: its colours are no fewer
    step = 2 if flat.size > _SAMPLED else 1
    smooth, flat, ink = (_every(a, step) for a in (smooth, flat, ink))
    least = glyph_height / step**2
    keys = _colour_keys(smooth)
    found: list[np.ndarray] = []
    for colour in (
        list(known or [])
        + _common_colours(smooth, keys, flat & ink, round(least), same)
        + _common_colours(smooth, keys, flat, round(_FLAT_AREA * glyph_height * least), same)
    ):
        if all(_apart(colour, other) >= same for other in found):
            found.append(colour)
    return found[:_COLOURS]


def _every(image: np.ndarray, step: int) -> np.ndarray:
    """``np.ascontiguousarray(image[::step, ::step])``, a colour image's pixels copied
    whole (as one 3-byte item each: twice as fast as channel by channel)."""
    if image.ndim == 2 or step == 1:
        return np.ascontiguousarray(image[::step, ::step])
    pixel = np.dtype((np.void, image.shape[2] * image.itemsize))
    items = np.ascontiguousarray(np.ascontiguousarray(image).view(pixel)[::step, ::step])
    return items.view(image.dtype).reshape(*items.shape[:2], image.shape[2])


def _margins_whole(own: np.ndarray, glyph_height: float) -> float:
    """How whole the less whole of a region's margins is: the share of its fullest row
    near its top and near its bottom (an upscaled bar's last rows blend with the panel
    and with its letters' feet)."""
    near = max(1, round(_MARGIN_ROWS * glyph_height))
    cover = own.mean(axis=1)
    return float(min(cover[:near].max(), cover[-near:].max()))


def _colour_keys(image: np.ndarray) -> np.ndarray:
    """Each pixel's bin of a coarse colour histogram (``_QUANT`` grey levels a bin and
    channel; blue first), computed on the whole image at once: gathering a page's flat
    pixels' colours first cost 20 ms."""
    quantised = image // _QUANT
    if quantised.ndim == 2:
        return quantised.astype(np.uint16)
    keys: np.ndarray = np.zeros(quantised.shape[:2], np.uint16)
    for channel in cv2.split(quantised):
        keys = keys * (256 // _QUANT) + channel
    return keys


def _common_colours(
    image: np.ndarray, keys: np.ndarray, mask: np.ndarray, least: int, same: int | None = None
) -> list[np.ndarray]:
    """The colours of *image* (grey or BGR) where *mask* is True held by *least* pixels
    or more, most common first (at most ``2 * _COLOURS``); *keys*: their histogram's
    bins (:func:`_colour_keys`). With *same*, a bin whose colour is within *same* of
    one found already is passed over and not counted: through a camera a panel's grey
    (224, on a bin's edge) spreads over half a dozen bins, which left a red bar's colour
    ninth and never tried (whiptail's highlighted ``Memory Size`` not found)."""
    where = np.flatnonzero(mask)
    masked = keys.ravel()[where]
    if len(masked) < max(1, least):
        return []
    counts = np.bincount(masked)
    pixels = image.reshape(keys.size, -1)
    found: list[np.ndarray] = []
    for key in np.argsort(counts)[::-1]:
        if counts[key] < least or len(found) == 2 * _COLOURS:
            break
        held = where[masked == key]
        held = held[:: max(1, len(held) // _MEDIAN_OF)]  # a page's panel: millions
        colour = np.median(pixels[held], axis=0).astype(np.uint8)
        if same is None or all(_apart(colour, other) >= same for other in found):
            found.append(colour)
    return found


def _apart(a: np.ndarray, b: np.ndarray) -> int:
    """The largest channel difference of two colours."""
    return int(np.abs(a.astype(int) - b.astype(int)).max())


def blurred_bars_as_background(
    image: np.ndarray, contrast: np.ndarray, even: np.ndarray, glyph_height: float
) -> list[tuple[np.ndarray, Region]]:
    """:func:`bars_as_background` for a camera frame (in place), whose bars are found by
    their margins: *even* (from :func:`.backgrounds.even_runs`) is True on runs along
    a row of one colour.

    Through a camera a bar one cell high has no flat area either, but blurred small
    text is as solid as a bar, so a bar is not told by how solid it is (tried: values
    51% -> 70% CER). What text never has is a bar's two margins: the rows above and
    below its letters run on in the bar's colour, evenly, along the whole bar, and
    stand out from the panel around it. Two such strips, at least 1.5 text heights
    long and half a text height or more apart, with at most a bar's height between
    their outer edges, make a bar; its colour is theirs (its rim is the blur's blend of
    bar and panel, [200, 72, 72] for a blue bar of [205, 3, 3] behind white letters),
    taken past that blend (:func:`_deepest`). Returns the bars found (colour, box).
    """
    found: list[tuple[np.ndarray, Region]] = []
    level, _ = cv2.threshold(contrast, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    step = max(_MIN_LEVEL, int(level))
    long = max(3, round(_WIDE * glyph_height))
    strips = cv2.morphologyEx(
        (even & (contrast >= step)).astype(np.uint8), cv2.MORPH_OPEN, np.ones((1, long), np.uint8)
    )
    reach = max(3, round(_HIGH * glyph_height))
    joined = _closed_down(strips, reach)
    count, labels, stats = components(joined, 8)
    edge = max(_EDGE, round(_BLUR_EDGE * glyph_height))
    for label in range(1, count):
        x, y, w, h = (int(v) for v in stats[label, :4])
        if not _LOW * glyph_height <= h <= _HIGH * glyph_height:
            continue
        if np.mean(contrast[y : y + h, x : x + w] >= step) < _SOLID:
            # mostly background already, its flat areas found: left as it is (tune
            # camera consoles 5.93% -> 6.55% without this)
            continue
        mine = (strips[y : y + h, x : x + w] > 0) & (labels[y : y + h, x : x + w] == label)
        margins = _margins(mine, contrast[y : y + h, x : x + w], glyph_height)
        if margins is None:
            continue
        pixels = image[y : y + h, x : x + w]
        top, bottom = margins
        colour = np.median(
            np.concatenate([pixels[top][mine[top]], pixels[bottom][mine[bottom]]]).reshape(
                -1, _channels(image)
            ),
            axis=0,
        ).astype(np.uint8)
        if np.mean(_difference(pixels[top:bottom], colour) >= step) < _LETTERS:
            continue  # nothing of another colour between the margins
        left, right = _along(image, colour, step, (y + top, y + bottom), (x, x + w))
        panel = _panel(image, contrast < step, (x, y, w, h), edge)
        if panel is None:
            _bar(image, contrast, colour, (left, y, right - left, h), step, edge)
            found.append((colour, (left, y, right - left, h)))
            continue
        deep = _deepest(pixels[top:bottom], colour, panel, step)
        _bar(image, contrast, deep, (left, y, right - left, h), step, edge)
        _rim_blends(image, contrast, deep, panel, (left, y, right - left, h), (top, bottom), edge)
        found.append((deep, (left, y, right - left, h)))
    return found


def _rim_blends(
    image: np.ndarray,
    contrast: np.ndarray,
    colour: np.ndarray,
    panel: np.ndarray,
    box: Region,
    margins: tuple[int, int],
    edge: int,
) -> None:
    """No ink (in place) on a blurred bar's rim where a pixel is a blend of its *colour*
    and the *panel*: its rows from its box's top to its top margin and from its bottom
    margin down (*margins*, rows of *box*), and its *edge* columns at either end, each
    grown by *edge* outside. Measured against the bar's own colour its margins, half
    panel through the blur, were a dark frame around the label (``CPU Type`` not read
    on a 9x15 ``dialog`` checklist's page); its letters never reach into its margins."""
    x, y, w, h = box
    top, bottom = margins
    y0, y1 = max(0, y - edge), min(image.shape[0], y + h + edge)
    x0, x1 = max(0, x - edge), min(image.shape[1], x + w + edge)
    rim = np.ones((y1 - y0, x1 - x0), bool)
    rim[y + top + 1 - y0 : y + bottom - y0, x + edge - x0 : x + w - edge - x0] = False
    band = image[y0:y1, x0:x1]
    blends = _off(band, colour, panel)
    part = contrast[y0:y1, x0:x1]
    part[rim] = np.minimum(part[rim], blends[rim])


def _deepest(pixels: np.ndarray, margin: np.ndarray, panel: np.ndarray, level: int) -> np.ndarray:
    """A blurred bar's own colour: its margins' colour (*margin*) is the blur's blend of
    the bar with the *panel* around it, and the bar's colour lies beyond it, away from
    the panel; it is the colour of the pixels between the margins (*pixels*) on that
    line (within *level*) farthest along it (the gaps between its letters), where they
    are at least ``_DEEP_SHARE`` of the pixels, else *margin*.

    Through a camera a bar one cell high behind tightly set light letters (``dialog``'s
    highlighted value in the X font 9x15) has margins of a pixel or two, blended half
    with the panel ([205, 88, 87] for a blue bar of [207, 2, 1]); measured against that
    colour the bar itself stayed ink, and its letters were read light on a dark block."""
    along, off = (a.ravel() for a in _blend(pixels, panel, margin, segment=False))
    beyond = (off < level) & (along > 1.0)
    if np.count_nonzero(beyond) < _DEEP_SHARE * len(along):
        return margin
    values = pixels.reshape(-1, _channels(pixels)).astype(np.float32)
    deep = values[beyond][along[beyond] >= np.percentile(along[beyond], 75)]
    return np.median(deep, axis=0).clip(0, 255).astype(np.uint8)


def _closed_down(mask: np.ndarray, reach: int) -> np.ndarray:
    """*mask* (uint8) closed along its columns over gaps up to *reach* pixels, nothing
    beyond the image counted as set. OpenCV's closing takes the image's edge for set
    where it erodes: in a line read (a bar with a few rows of its surroundings, shorter
    than twice *reach*) a bar's two margins were joined to the top and bottom edges,
    one region as high as the image, too high to be a bar (through a camera, no
    highlighted value's bar was found by its margins in a read of its own line)."""
    padded = cv2.copyMakeBorder(mask, reach, reach, 0, 0, cv2.BORDER_CONSTANT, value=0)
    closed = cv2.morphologyEx(padded, cv2.MORPH_CLOSE, np.ones((reach, 1), np.uint8))
    return np.ascontiguousarray(closed[reach : reach + mask.shape[0]])


def _margins(
    strips: np.ndarray, contrast: np.ndarray, glyph_height: float
) -> tuple[int, int] | None:
    """The rows of a bar's margin above and below its letters, in a box whose even strips
    standing out from the panel are *strips*, or None when they are no bar's. A bar has
    two margins, half a text height apart or more, with rows between that are no margin
    (its letters): a rule is one strip, a window's top edge above its frame line is even
    from edge to edge. A margin need not stand out along the whole bar: where a flat
    area inside the bar (a space between words) was already taken for its background,
    it does not (:func:`_along` grows the bar there; asking for margins along most of
    the box lost whiptail's highlighted items, whose margins are a pixel high). Each
    margin is the strip row that stands out most (*contrast*): the rows beside it are
    the blur's blend with the panel ([200, 72, 72] for a blue bar of [205, 3, 3])."""
    rows = np.flatnonzero(strips.any(axis=1))
    if rows.size == 0 or rows[-1] - rows[0] < _APART * glyph_height:
        return None  # one strip: a rule, or a long stroke
    cover = strips.mean(axis=1)
    if cover[rows[0] : rows[-1] + 1].min() >= _ALONG:
        return None  # even from edge to edge: a panel's strip, no letters between
    middle = (int(rows[0]) + int(rows[-1])) // 2
    found = []
    for part in (range(int(rows[0]), middle + 1), range(middle + 1, int(rows[-1]) + 1)):
        held = [r for r in part if cover[r] > 0]
        if not held:
            return None
        found.append(max(held, key=lambda r: float(contrast[r][strips[r]].mean())))
    if found[1] - found[0] < _MARGINS_APART * glyph_height:
        return None  # strokes of its letters (the tops of ``2658``), no margins around them
    return found[0], found[1]


def _along(
    image: np.ndarray,
    colour: np.ndarray,
    level: int,
    rows: tuple[int, int],
    columns: tuple[int, int],
) -> tuple[int, int]:
    """*columns* (left, right) grown along the bar whose margins are *rows*, as far as
    both margins keep its *colour*: where a flat area inside the bar (a space between
    words) was already taken for its background, no strip stands out, and the bar was
    found in pieces."""

    def margin(row: int) -> np.ndarray:  # the row or one beside it: letters' tops graze it
        band = image[max(0, row - 1) : row + 2]
        return np.asarray((_difference(band, colour) < level).any(axis=0))

    return _spread(margin(rows[0]) & margin(rows[1]), columns)


def _spread(near: np.ndarray, columns: tuple[int, int]) -> tuple[int, int]:
    """*columns* (left, right) grown either way over the columns where *near* is True."""
    left, right = columns
    while left > 0 and near[left - 1]:
        left -= 1
    while right < near.size and near[right]:
        right += 1
    return left, right


def _to_ends(
    smooth: np.ndarray,
    colour: np.ndarray,
    same: int,
    box: Region,
    panel: np.ndarray | None = None,
    level: int = 0,
) -> Region:
    """*box* (a camera's bar found by its colour) grown along its rows over every column
    holding a pixel of its *colour* (within *same*), or (with the *panel*'s colour) a
    pixel of a blend of the bar and the panel that is mostly bar (within *level* of the
    blend, ``_MOSTLY_BAR`` of the way at most): letters at a bar's ends, whose tops and
    feet cover its margins (``EC`` of whiptail's ``EC Version`` in an 8x16 X font), are
    too narrow to be regions of their own and were left a block of ink; between their
    strokes the blur leaves a few pixels of the bar's colour in every column, or of its
    blend (a highlighted check box's ``[`` and ``]`` at its two ends, in ``dialog``'s
    checklist: its ends were a frame of ink, and the label beside it was read with it
    as nothing)."""
    x, y, w, h = box
    rows = smooth[y : y + h]
    near = _difference(rows, colour) < same
    if panel is not None:
        near |= _mostly_bar(rows, colour, panel, level)
    left, right = _spread(np.asarray(near.any(axis=0)), (x, x + w))
    return (left, y, right - left, h)


def _mostly_bar(
    pixels: np.ndarray, colour: np.ndarray, panel: np.ndarray, level: int
) -> np.ndarray:
    """True where a pixel is a blend of a bar's *colour* and the *panel*'s (within
    *level*), at most ``_MOSTLY_BAR`` of the way to the panel."""
    along, off = _blend(pixels, colour, panel)
    return np.asarray((off < level) & (along <= _MOSTLY_BAR))


def _channels(image: np.ndarray) -> int:
    return 1 if image.ndim == 2 else image.shape[2]


def _bar(
    image: np.ndarray,
    contrast: np.ndarray,
    colour: np.ndarray,
    box: tuple[int, int, int, int],
    level: int,
    edge: int = 2,
    trim: bool = True,
    flush: bool = False,
) -> None:
    """Recompute *contrast* in the part of *box* (x, y, w, h) that is a bar of *colour*
    (*trim*: the box may hold more than the bar, and the bar is its rows and columns
    mostly of *colour*; else the box is the bar's own, and only its pixels taken for
    ink, against either background, are measured against *colour* again; *flush*: a
    pixel of the panel's colour along the bar's edge keeps its contrast, a letter may
    be drawn flush with the bar's end on a framebuffer)."""
    x, y, w, h = box
    pixels = image[y : y + h, x : x + w]
    own = _difference(pixels, colour)
    top, bottom, left, right = 0, h, 0, w
    if trim:
        near = own < level
        rows = np.flatnonzero(near.mean(axis=1) >= _ROW_SHARE)
        if rows.size == 0:
            return
        top, bottom = int(rows[0]), int(rows[-1]) + 1
        columns = np.flatnonzero(near[top:bottom].mean(axis=0) >= _ROW_SHARE)
        if columns.size == 0:
            return
        left, right = int(columns[0]), int(columns[-1]) + 1
    # along the edge: ink only where a pixel differs from the panel, the bar and any
    # blend of the two (an upscaled bar's end column, read as ``'`` or ``!``)
    y0, y1 = max(0, y + top - edge), min(image.shape[0], y + bottom + edge)
    x0, x1 = max(0, x + left - edge), min(image.shape[1], x + right + edge)
    band = image[y0:y1, x0:x1]
    outside = np.ones(band.shape[:2], bool)
    outside[y + top - y0 : y + bottom - y0, x + left - x0 : x + right - x0] = False
    panel = band[outside & (contrast[y0:y1, x0:x1] < level)]
    dominant = _dominant(panel) if panel.size else None
    around = _difference(band, colour) if dominant is None else _off(band, colour, dominant)
    if edge > _EDGE and dominant is not None:
        inner = (
            y + top - _EDGE - y0,
            y + bottom + _EDGE - y0,
            x + left - _EDGE - x0,
            x + right + _EDGE - x0,
        )
        around = _faded(around, contrast[y0:y1, x0:x1], band, colour, dominant, inner)
    if flush and dominant is not None:
        # a pixel of the panel's own colour at the bar's edge may be a letter drawn flush
        # with it (a white stem at the start of a red bar on a white page), no blend
        own_panel = _difference(band, dominant) < level
        around = np.where(own_panel, contrast[y0:y1, x0:x1], around)
    contrast[y0:y1, x0:x1] = cv2.min(contrast[y0:y1, x0:x1], around)
    inside = contrast[y + top : y + bottom, x + left : x + right]
    mine = own[top:bottom, left:right]
    if trim:
        inside[:] = mine
    else:  # what is background already stays so (a camera's shading across a bar)
        inside[:] = np.where((inside >= level) | (mine >= level), mine, inside)


def _faded(
    around: np.ndarray,
    contrast: np.ndarray,
    band: np.ndarray,
    colour: np.ndarray,
    panel: np.ndarray,
    near: tuple[int, int, int, int],
) -> np.ndarray:
    """*around* (a band's contrast against the blends of a bar's *colour* and the
    *panel*) where the blur can reach, *contrast* (as it was) elsewhere for a pixel
    nearer the bar's colour than the panel's: beyond :data:`_EDGE` pixels of the bar
    (*near*: the band's rows and columns within them, top, bottom, left, right) its
    blur has faded to less than half the bar's.

    Through a camera a bar's rim is the blur's width (a quarter text height or more),
    and on a console the line below a highlighted (reverse-video) row starts there: its
    letters, of the bar's own colour, were taken for the bar's blend and their tops
    whitened (Terminus Bold 16, ``CPU Type`` read ``LYU Iype``, not found)."""
    along, _ = _blend(band, panel, colour)
    far = np.ones(along.shape, bool)
    far[max(0, near[0]) : max(0, near[1]), max(0, near[2]) : max(0, near[3])] = False
    return np.where(far & (along > _FADED), contrast, around)


def _off(pixels: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """How far each pixel's colour is from any blend of *start* and *end* (uint8)."""
    _, off = _blend(pixels, start, end)
    return off.clip(0, 255).astype(np.uint8)


def _blend(
    pixels: np.ndarray, start: np.ndarray, end: np.ndarray, segment: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Where each pixel's colour lies along the blends of *start* and *end* (0 at *start*,
    1 at *end*, beyond either outside), and how far it is from the nearest blend (float32,
    grey levels, largest over the channels): on the segment between them, or with
    *segment* False on the line through them. *pixels* is H x W (x channels)."""
    values = pixels.reshape(pixels.shape[0], pixels.shape[1], -1).astype(np.float32)
    a, b = start.astype(np.float32).ravel(), end.astype(np.float32).ravel()
    span = b - a
    along = ((values - a) * span).sum(axis=2) / max(float(span @ span), 1.0)
    at = np.clip(along, 0.0, 1.0) if segment else along
    off = np.abs(values - (a + at[..., None] * span)).max(axis=2)
    return along, off


def _rim(shape: tuple[int, ...]) -> np.ndarray:
    """True on the rim of a box of *shape*: a bar's margin around its letters, where
    the letters themselves seldom reach."""
    rim = np.zeros(shape[:2], bool)
    rim[[0, -1], :] = True
    rim[:, [0, -1]] = True
    return rim


def _dominant(colours: np.ndarray) -> np.ndarray:
    """The most common colour of *colours* (N grey levels or N x 3 BGR): the median of
    those in the fullest bin of a coarse histogram (the bar, not its letters)."""
    values = colours.reshape(len(colours), -1).astype(np.int32)
    bins = values // _QUANT
    keys = np.zeros(len(values), np.int32)
    for channel in range(values.shape[1]):
        keys = keys * (256 // _QUANT) + bins[:, channel]
    fullest = np.bincount(keys).argmax()
    return np.median(values[keys == fullest], axis=0).astype(np.uint8)


def _near(pixels: np.ndarray, colour: np.ndarray, same: int) -> np.ndarray:
    """1 (uint8) where every channel of a pixel is within *same* - 1 of *colour*, else 0:
    ``(_difference(pixels, colour) < same).astype(np.uint8)`` by one ``cv2.inRange``
    (a whole page's difference, its channels' largest and the comparison took 3 passes)."""
    values = [int(v) for v in colour.reshape(-1)]
    padding = (0.0,) * (4 - len(values))
    low = tuple(float(max(0, v - same + 1)) for v in values) + padding
    high = tuple(float(min(255, v + same - 1)) for v in values) + padding
    inside = np.asarray(cv2.inRange(pixels, low, high))
    return np.bitwise_and(inside, 1, out=inside)


def _difference(pixels: np.ndarray, colour: np.ndarray) -> np.ndarray:
    """The largest channel difference of each pixel from *colour* (uint8)."""
    # against OpenCV's scalar, not an image of the colour: 20x faster on a whole page
    scalar = tuple(float(v) for v in colour.reshape(-1)) + (0.0,) * (4 - colour.size)
    return channel_max(cv2.absdiff(pixels, scalar))  # type: ignore[call-overload]
