"""The background behind text, wherever it changes: panels, bars, consoles, title bars.

Text is told from its background by how far each pixel's colour is from the background
*right behind it*. A median over a square window (the usual estimate) fails on a bar
one line high, a highlighted row or a title bar: the window spans the bar and the
panel around it, so the whole bar comes out as ink and its text is lost. Here the
background is what a person takes it to be, the flat area the text sits on:

1. *flat* pixels are those whose 3x3 neighbourhood barely changes (below a level set
   from the image's own noise);
2. flat areas smaller than a letter's counter, or nowhere wider than a heavy stroke,
   are left out (the inside of a bold stroke, the dot of an ``i``): what is left are
   panels, bars, the gaps between lines and words;
3. every other pixel takes the colour of the nearest flat pixel *in its own row*, if one
   lies within a few text heights: text lines and the bars behind them run across the
   screen, so the row leads to the text's own background (between letters and words,
   at the bar's ends). Through a camera, a bar one line high has no flat pixel above
   or below its text (the blur of the strokes fills it), and the nearest flat pixel in
   any direction lay across the bar's edge, in the panel around it: the bar came out as
   ink (title bars read 24.6% CER, main's square median 5.0%). Where the row has none
   near (the row of the letters' tops in a bar one cell high), the nearest even run
   along the row (:func:`even_runs`) gives the colour; only where the row has neither
   does a pixel take the colour of the nearest flat pixel in any direction
   (OpenCV's distance transform with labels); along the edge between two backgrounds a
   colour between the two (the camera's blur blends them) is background too;
4. where no flat area is near (a photograph, a textured wallpaper), the median over a
   few character heights is the background, as before.

The difference is the largest of the colour channels' differences, so light-on-dark,
dark-on-light and coloured text on a coloured bar of the same brightness all come out
alike: ink against its own background, whatever the polarity.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from robotest.vision.images import channel_max, components
from robotest.vision.solid_bars import (
    bars_as_background,
    blurred_bars_as_background,
    coloured_bars_as_background,
    framed_bars_as_background,
)

_NOISE_FACTOR = 8.0
"""A neighbourhood is flat where its pixels differ by less than this many times the
noise's standard deviation (see noise_sigma)."""
_NOISE_KERNEL = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], np.float32)
_MIN_FLAT_STEP = 10
"""... and always below this change (grey levels): a framebuffer has no noise at all."""
_MIN_FLAT_AREA = 0.25
"""Flat areas smaller than this many squared text heights are not background."""
_MIN_FLAT_DEPTH = 0.2
"""... nor those with no pixel this many text heights from their edge (stroke insides:
the sim's login screen's bold ``Welcome`` went unread, where main read it)."""
_FAR = 1.5
"""Pixels farther than this many text heights from any flat area use the median."""
_ROW_REACH = 8.0
"""Text heights along a row within which a flat pixel is the text's own background."""
_EDGE_STEP = 24
"""Grey levels between two nearby backgrounds that make an edge (not noise)."""
_BLEND_LEVEL = 16
"""Grey levels: a colour this close to the line between two backgrounds is a blend."""
_BLEND_SPAN = 7
"""Pixels: the band along a background's edge where colours between the two are no ink."""
_BLURRED_SAME = 40
"""Grey levels: through a camera, a pixel of the smoothed image this close to a bar's
colour is the bar's (shading and the blur of its letters; tune: 24 found too few)."""
_FEW_LABELS = 64
"""Regions: up to this many are marked box by box (see _of_labels)."""
_NARROW = 8000
"""Pixels: rows narrower than this have their distances counted in 16 bits (the distance
to no flat pixel, at least this much, still fits)."""
_SAMPLED_ABOVE = 40_000
"""Pixels: a bigger image is measured on a sample (noise, share of levels, stillness)."""
_SMOOTH_SIGMA = 0.7
"""Pixels: the image is smoothed this much (sensor noise) to judge flatness and colours."""

# Every step is an OpenCV operation on 8-bit images (NumPy only to gather colours): a
# whole screen is 2 million pixels, and float NumPy passes over it cost 10-50 ms each.


def ink_contrast(
    image: np.ndarray, glyph_height: float, span: float = 2.5, exact: np.ndarray | None = None
) -> np.ndarray:
    """How far each pixel is from its own background (uint8, grey levels, 0 = background).

    *image* is grey or BGR (uint8); *glyph_height* the typical text height in pixels;
    *span* the median's window, in text heights, where no flat area is near; *exact*:
    for a bitmap font's framebuffer upscaled, the same pixels upscaled without blending
    (nearest neighbour), where bars' colours and margins are judged (see
    :func:`.solid_bars.coloured_bars_as_background`).
    """
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    elif image.ndim == 3 and image.shape[2] == 4:
        image = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    framebuffer = noiseless(image)
    if framebuffer:
        # as it is, with flatness judged on 4 neighbours: a gap of 3 pixels between a
        # line of text and a bar still holds a flat row
        smooth = image
        step = _step(image, cv2.getStructuringElement(cv2.MORPH_CROSS, (3, 3)))
    else:  # smoothed against sensor noise, flatness judged on all 8 neighbours
        smooth = cv2.GaussianBlur(image, (0, 0), _SMOOTH_SIGMA)
        step = _step(smooth, np.ones((3, 3), np.uint8))
    level = flat_level(smooth)
    even = step < level  # no neighbour differs: flat here
    flat = _background_mask(even, glyph_height)
    if not flat.any():
        return _median_contrast(image, glyph_height, span)
    # through a camera the even runs are wanted everywhere (the bars' margins), else
    # only in the rows no flat area reaches
    runs = None if framebuffer else even_runs(smooth, glyph_height, level)
    background, far, inside = _nearest_flat_colour(smooth, flat, glyph_height, level, runs)
    contrast = channel_max(_outside(image, background, inside))
    if far.any():
        contrast[far] = _median_contrast(image, glyph_height, span)[far]
    if runs is None:  # a framebuffer
        bars_as_background(image, contrast, glyph_height)
        coloured_bars_as_background(image, contrast, even, glyph_height, exact=exact)
    else:  # blurred small text is as solid as a bar: bars are told by their margins
        known = blurred_bars_as_background(image, contrast, runs, glyph_height)
        # and by their colour (theirs first), judged on the smoothed image with the
        # camera's shading
        coloured_bars_as_background(
            image, contrast, even, glyph_height, smooth, _BLURRED_SAME, known=known
        )
        # and, taken for ink whole (no flat pixel, no margin), by the rim of their ink
        framed_bars_as_background(image, contrast, smooth, glyph_height)
    return contrast


def _outside(
    image: np.ndarray, background: np.ndarray, inside: np.ndarray | None = None
) -> np.ndarray:
    """How far each channel of *image* is from its background, and nothing for a blend of
    two backgrounds: along the edge of a bar a camera's blur blends the bar's colour
    with its surround's, in a band of colours between the two, which is no ink. A pixel
    near such an edge whose colour is no blend (dark text beside a dark bar) keeps its
    full difference from its own background, and so does one *inside* a bar's end (see
    :func:`_inside_bar_ends`: a letter of the panel's colour is no blend of the two)."""
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (_BLEND_SPAN, _BLEND_SPAN))
    low = cv2.erode(background, kernel)
    high = cv2.dilate(background, kernel)
    difference = cv2.absdiff(image, background)
    # the edge: where a channel's spread reaches the step, i.e. not every channel's is
    # below it (one inRange, not the channels' largest gathered first: 20 -> 10 ms)
    calm = cv2.inRange(cv2.subtract(high, low), (0.0,) * 4, (float(_EDGE_STEP - 1),) * 4)
    # the edge's pixels by their indices: a mask over a page's 3 channels took 25 ms
    edges = np.flatnonzero(np.asarray(calm) == 0)
    if not edges.size:
        return difference
    channels = 1 if image.ndim == 2 else image.shape[2]
    pixels, start, end = (
        a.reshape(-1, channels)[edges].astype(np.float32) for a in (image, low, high)
    )
    span = end - start
    along = ((pixels - start) * span).sum(axis=1) / np.maximum((span * span).sum(axis=1), 1.0)
    nearest = start + np.clip(along, 0.0, 1.0)[:, None] * span
    blend = np.abs(pixels - nearest).max(axis=1) < _BLEND_LEVEL
    if inside is not None:
        blend &= ~inside.ravel()[edges]
    flat = difference.reshape(-1, channels)
    flat[edges[blend]] = 0
    return difference


def noiseless(image: np.ndarray) -> bool:
    """Whether *image* has no sensor noise (a framebuffer, not a camera frame): at least
    a quarter of its pixels (of every 4th pixel each way on a big one) equal all 4
    neighbours.

    Only those pixels are compared with their neighbours, not the whole image's largest
    change taken first (a camera page then took a gradient it did not use: 5-15 ms).
    """
    if image.size // (image.shape[2] if image.ndim == 3 else 1) <= _SAMPLED_ABOVE:
        return _share(_step(image, cv2.getStructuringElement(cv2.MORPH_CROSS, (3, 3))), 0.25) == 0
    height, width = image.shape[:2]
    rows, columns = np.arange(0, height, 4), np.arange(0, width, 4)
    # outside the image counts as the pixel itself, as morphology leaves it out (the
    # sampled pixels' neighbours looked up, not the whole image padded: 8 ms); rows
    # taken whole first, then their columns (not both at once by ``np.ix_``: 17 -> 7 ms)
    middle = np.take(image, rows, axis=0)
    centre = _packed(np.take(middle, columns, axis=1))
    still = np.ones(centre.shape, bool)
    for down in (-1, 1):
        shifted = np.take(image, np.clip(rows + down, 0, height - 1), axis=0)
        still &= _packed(np.take(shifted, columns, axis=1)) == centre
    for right in (-1, 1):
        still &= _packed(np.take(middle, np.clip(columns + right, 0, width - 1), axis=1)) == centre
    return int(still.sum()) >= still.size * 0.25


def _packed(pixels: np.ndarray) -> np.ndarray:
    """Each pixel's channels (up to 4) in one 32-bit number: compared at once."""
    if pixels.ndim == 2:
        return pixels
    packed = pixels[..., 0].astype(np.uint32)
    for channel in range(1, pixels.shape[2]):
        packed |= pixels[..., channel].astype(np.uint32) << np.uint32(8 * channel)
    return packed


def _step(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """The largest change among each pixel's neighbours (*kernel*), over the channels."""
    return channel_max(cv2.morphologyEx(image, cv2.MORPH_GRADIENT, kernel))


def _share(levels: np.ndarray, fraction: float) -> int:
    """The level under which *fraction* of an 8-bit image lies (of every 4th pixel each
    way on a big one)."""
    sample = levels[::4, ::4] if levels.size > _SAMPLED_ABOVE else levels
    counts = np.bincount(sample.ravel(), minlength=256)
    return int(np.searchsorted(np.cumsum(counts), counts.sum() * fraction))


def noise_sigma(image: np.ndarray) -> float:
    """The standard deviation of *image*'s noise, from the median of its response to a
    kernel that cancels every plane and ridge (Immerkaer's estimator, with the median so
    that text edges, even on a crop full of text, do not count)."""
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    # whole numbers (at most 16 x 255): in 16 bits, and their median from a histogram,
    # equal to the median of the float response to the last bit, in a third of the time
    response = cv2.filter2D(grey, cv2.CV_16S, _NOISE_KERNEL)
    sample = response[::2, ::2] if response.size > _SAMPLED_ABOVE else response
    return float(1.4826 * _median(np.abs(sample)) / 6.0)


def _median(values: np.ndarray) -> np.float32:
    """``np.median`` of small non-negative whole numbers, as a float32 (as NumPy gives
    for a float32 array), counted in a histogram instead of partitioned."""
    counts = np.cumsum(np.bincount(values.ravel()))
    middle = values.size // 2
    upper = np.searchsorted(counts, middle, side="right")
    if values.size % 2:
        return np.float32(upper)
    lower = np.searchsorted(counts, middle - 1, side="right")
    return np.float32((lower + upper) / 2)


def flat_level(smooth: np.ndarray) -> int:
    """The change between neighbours (grey levels) below which *smooth* is flat."""
    return max(_MIN_FLAT_STEP, round(_NOISE_FACTOR * noise_sigma(smooth)))


def _background_mask(even: np.ndarray, glyph_height: float) -> np.ndarray:
    """True on the flat areas of *even* (the pixels no neighbour differs from) that are
    background (big enough not to be inside a glyph)."""
    flat = even.astype(np.uint8)
    _, labels, stats = components(flat, 4)
    big = stats[:, cv2.CC_STAT_AREA] >= max(16.0, _MIN_FLAT_AREA * glyph_height**2)
    big[0] = False  # label 0: the pixels that are not flat
    # and wide somewhere: the inside of a heavy stroke (a bold title's) is as big as a
    # counter but nowhere farther than half a stroke from its edge
    return _of_labels(
        labels, stats, np.flatnonzero(big), _Depth(flat, _MIN_FLAT_DEPTH * glyph_height)
    )


class _Depth:
    """Where a mask is at least *depth* from its nearest unmasked pixel, by OpenCV's 3x3
    chamfer distance (``cv2.distanceTransform(mask, cv2.DIST_L2, 3) >= depth``), asked of
    one region at a time.

    A whole page's distance transform took 20-50 ms. A pixel whose square of
    ``reach - 1`` pixels all round is masked is that deep (an axial step is the
    shortest); one whose smaller square (as many diagonal steps) is not all masked is
    not. Both are erosions by squares (under a millisecond); the distance transform is
    taken only round a region the two leave undecided, *reach* wider each way, which
    holds every path shorter than *depth*: the answer is the same.
    """

    _AXIAL, _DIAGONAL = 0.9549, 1.3694  # OpenCV's mask weights 0.955, 1.3693, each way
    _SLACK = 1e-3  # against the rounding of OpenCV's fixed-point distances

    def __init__(self, mask: np.ndarray, depth: float) -> None:
        self.mask, self.depth = mask, depth
        self.reach = math.ceil((depth + self._SLACK) / self._AXIAL)
        self.sure = _eroded(mask, self.reach - 1)
        self.maybe = _eroded(mask, math.ceil((depth - self._SLACK) / self._DIAGONAL) - 1)

    def everywhere(self) -> np.ndarray:
        return cv2.distanceTransform(self.mask, cv2.DIST_L2, 3) >= self.depth

    def within(self, part: np.ndarray, x: int, y: int) -> bool:
        """Whether *part* (a boolean region whose top left is *x*, *y*) holds a deep pixel."""
        rows, columns = slice(y, y + part.shape[0]), slice(x, x + part.shape[1])
        if (part & self.sure[rows, columns].view(bool)).any():
            return True
        if not (part & self.maybe[rows, columns].view(bool)).any():
            return False
        top, left = max(0, y - self.reach), max(0, x - self.reach)
        around = self.mask[top : rows.stop + self.reach, left : columns.stop + self.reach]
        distance = cv2.distanceTransform(around, cv2.DIST_L2, 3)
        inside = distance[y - top : rows.stop - top, x - left : columns.stop - left]
        return bool((part & (inside >= self.depth)).any())


def _eroded(mask: np.ndarray, reach: int) -> np.ndarray:
    """*mask* (0/1) where every pixel up to *reach* away each way is set; outside counts as set."""
    if reach <= 0:
        return mask
    return cv2.erode(mask, np.ones((2 * reach + 1, 2 * reach + 1), np.uint8))


def _of_labels(
    labels: np.ndarray, stats: np.ndarray, chosen: np.ndarray, deep: _Depth
) -> np.ndarray:
    """True where *labels* is one of *chosen* that holds a pixel *deep* in it. Each one's
    box is looked at on its own when they are few (a page's backgrounds: a few dozen),
    not every pixel's label looked up: that took 30-60 ms on a page upscaled for small
    text."""
    if len(chosen) > _FEW_LABELS:
        holds = np.zeros(len(stats), bool)
        holds[labels[deep.everywhere()]] = True
        keep = np.zeros(len(stats), bool)
        keep[chosen] = holds[chosen]
        return keep[labels]
    out = np.zeros(labels.shape, np.uint8)
    for label in chosen:
        x, y, w, h = (int(v) for v in stats[label, :4])
        part = labels[y : y + h, x : x + w] == label
        if deep.within(part, x, y):
            out[y : y + h, x : x + w] |= part.view(np.uint8)
    return out.view(bool)


def _nearest_flat_colour(
    smooth: np.ndarray,
    flat: np.ndarray,
    glyph_height: float,
    level: int,
    runs: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each pixel's background colour: that of the nearest flat pixel in its row, or,
    with none near in the row, of the nearest even run along its row (see even_runs),
    or, with none in the row, of the nearest flat pixel in any direction; and where no
    flat pixel is near at all. *runs*: :func:`even_runs` of the whole of *smooth* if
    taken already (a row's runs are those of the row alone: its kernels are one row high).
    And where a pixel's background was taken inside a bar's end rather than across it
    (:func:`_inside_bar_ends`, a framebuffer's only).
    """
    source, row_distance = _nearest_in_row(flat)
    elsewhere = row_distance > _ROW_REACH * glyph_height
    inside = np.zeros(flat.shape, bool)
    if runs is None:  # a framebuffer: a box's end is drawn, not blurred
        inside.ravel()[_inside_bar_ends(smooth, flat, source, glyph_height)] = True
        inside &= ~elsewhere  # looked up again below
    rows = np.flatnonzero(elsewhere.any(axis=1))
    if rows.size:  # only the rows that need it: a row search costs ~0.1 s on a screen
        row_runs = even_runs(smooth[rows], glyph_height, level) if runs is None else runs[rows]
        along, run_distance = _nearest_in_row(row_runs)
        along += ((rows - np.arange(rows.size)) * flat.shape[1]).astype(np.int32)[:, None]
        in_row = elsewhere[rows] & (run_distance < flat.shape[1])
        source[rows] = np.where(in_row, along, source[rows])
        elsewhere[rows] &= ~in_row
    far = np.zeros(flat.shape, bool)
    if elsewhere.any():
        distance, found = cv2.distanceTransformWithLabels(
            (~flat).astype(np.uint8), cv2.DIST_L2, 3, labelType=cv2.DIST_LABEL_PIXEL
        )
        # the labels count the flat pixels from 1, in row-major order
        labels = np.asarray(found, dtype=np.int32)[elsewhere] - 1
        source[elsewhere] = np.flatnonzero(flat).astype(np.int32)[labels]
        far[elsewhere] = distance[elsewhere] > _FAR * glyph_height
    # a flat pixel is its own background: only the others' colours are looked up
    moved = np.flatnonzero(~flat)
    channels = 1 if smooth.ndim == 2 else smooth.shape[2]
    background = np.ascontiguousarray(smooth).copy()
    colours = background.reshape(-1, channels)
    colours[moved] = colours[source.ravel()[moved]]
    return background, far, inside


def _inside_bar_ends(
    smooth: np.ndarray, flat: np.ndarray, source: np.ndarray, glyph_height: float
) -> np.ndarray:
    """*source* (each pixel's nearest flat pixel in its row) made the flat pixel above it
    where the row's nearest lies across the end of the bar the pixel is on.

    A list box as wide as its longest value ends a pixel or two past the value's last
    letter (whiptail's checklist: ``7AFB`` against the panel's grey): that letter's
    nearest flat pixel in its row was the panel beyond the box, of the letter's own
    colour, and its strokes were taken for background (``7AFE``, ``02F 1``; a bold face's
    whole serial number read as nothing). A pixel whose column meets the same flat colour
    above and below it within a line, and whose row meets that colour on its other side,
    lies on that bar, where the row's nearest flat pixel has its own colour above and
    below it (it lies beyond the bar's end): its background is the bar's. A highlighted
    bar one cell high is left as it was: the panel above and below its letters is no
    colour of theirs, and its own flat pixels have the panel above and below them.
    Returns the pixels (row-major indices) whose background is now the bar's and whose
    colour is nearer the panel's beyond it than the bar's, each beside a pixel of the
    panel's very colour (:data:`_PANEL_OWN`). Two colours are one where they
    differ by less than a background's edge (``_EDGE_STEP``): an upscaled framebuffer's
    flat areas differ by a few grey levels along their edges."""
    moved = np.flatnonzero(~flat)
    if not moved.size:
        return moved
    height, width = flat.shape
    none = 1 << 28
    row, column, left, right = _runs(moved, width, none)
    # every pixel of *moved* is set below (they are the same pixels, column by column),
    # and only they are read: not filled first (two of an upscaled page's size: 10 ms)
    up, down = (np.empty(flat.shape, np.int32) for _ in range(2))
    across, along, before, after = _runs(np.flatnonzero(~flat.T), height, none)
    up[along, across], down[along, across] = before, after
    up, down = up.ravel()[moved], down.ravel()[moved]
    line = (up >= 0) & (down < height) & (left >= 0) & (right < width)
    line &= down - up <= _BAR_LINE * glyph_height + 1
    if not line.any():
        return moved[line]
    pixels, rows, columns = moved[line], row[line], column[line]
    above, below = up[line], down[line]
    # looked up in 8 bits, each pixel looked up made signed (not the whole page: 10 ms)
    colours = smooth.reshape(height * width, -1)
    bar = _at(colours, above * width + columns)
    sources = source.ravel()[pixels]
    nearest = _at(colours, sources)
    other_end = np.where(sources % width == left[line], right[line], left[line])
    # across the bar's end, the nearest flat pixel's own column holds its colour on the
    # bar's rows above and below (the panel beyond a box); inside a highlighted bar one
    # cell high it does not (the panel around the bar, the bar's colour between)
    near = sources % width
    beyond = _alike(_at(colours, above * width + near), nearest)
    beyond &= _alike(_at(colours, below * width + near), nearest)
    switch = _alike(bar, _at(colours, below * width + columns))
    switch &= _alike(bar, _at(colours, rows * width + other_end))
    switch &= beyond & ~_alike(bar, nearest)
    on = switch.copy()
    switch[on] = _bar_goes_on(
        colours, bar[on], (above[on], below[on]), columns[on], flat.shape, glyph_height
    )
    # only about a letter drawn in the panel's very colour (the box's own letters): not
    # on a highlighted bar, whose letters are of other colours (DejaVu's white on dialog's
    # blue, its edges' blends nearer the panel than the bar)
    own = _at(colours, pixels)
    to_panel = np.abs(own - nearest).max(axis=1)
    drawn = switch & (to_panel < _PANEL_OWN)
    if not drawn.any():  # no such letter (most pages): nothing switched
        return pixels[drawn]
    switch &= _beside(pixels, drawn, flat.shape, 2 * math.ceil(glyph_height / 2) + 1)
    source.ravel()[pixels[switch]] = (above * width + columns)[switch]
    # of those, the pixels nearer the panel's colour than the bar's beside a stroke of it
    # (its upscaled edge), not the bar's edge blended into it: kept whole as ink
    nearer = switch & (to_panel < np.abs(own - bar).max(axis=1))
    return pixels[nearer & _beside(pixels, drawn, flat.shape, 3)]


def _at(colours: np.ndarray, index: np.ndarray) -> np.ndarray:
    """The colours (rows of 8-bit *colours*) at *index*, signed: their differences taken."""
    return colours[index].astype(np.int16)


def _alike(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Whether colours (rows of *a* and *b*) are one: no channel differs by a background's
    edge (``_EDGE_STEP``)."""
    return np.abs(a - b).max(axis=1) < _EDGE_STEP


def _beside(
    pixels: np.ndarray, chosen: np.ndarray, shape: tuple[int, ...], size: int
) -> np.ndarray:
    """Whether each of *pixels* (row-major indices into an image of *shape*) lies in the
    *size* x *size* square about one of the *chosen* among them."""
    marked = np.zeros(shape[:2], np.uint8)
    marked.ravel()[pixels[chosen]] = 1
    return cv2.dilate(marked, np.ones((size, size), np.uint8)).ravel()[pixels] > 0


def _bar_goes_on(
    colours: np.ndarray,
    bar: np.ndarray,
    rims: tuple[np.ndarray, np.ndarray],
    columns: np.ndarray,
    shape: tuple[int, ...],
    glyph_height: float,
) -> np.ndarray:
    """Whether the bar above and below each pixel goes on past its line, above or below
    it: most of a text height of the column beyond the flat pixels above or below it
    (*rims*) is of the *bar*'s colour. A list box holds several lines; a highlighted bar
    one cell high ends with its margins, and the letters at its ends stay as they were
    measured (dialog 6x13's ``70.2.85.96`` read ``70.2.85.%`` without)."""
    height, width = shape[:2]
    reach = max(2, round(glyph_height))
    steps = np.arange(1, reach + 1)
    goes = np.zeros(len(bar), bool)
    for rows in (rims[0][:, None] - steps, rims[1][:, None] + steps):
        seen = _at(colours, np.clip(rows, 0, height - 1) * width + columns[:, None])
        same = np.abs(seen - bar[:, None, :]).max(axis=2) < _EDGE_STEP
        goes |= np.count_nonzero(same, axis=1) >= reach // 2
    return goes


_PANEL_OWN = 8
"""Grey levels: the most a letter's pixel differs from the panel beyond a box's end for
it to be drawn in the panel's own colour (:func:`_inside_bar_ends`). A list box's letters
are that colour exactly at their strokes' cores; an anti-aliased face's white letters on
a highlighted blue bar are not (255 against the panel's 229), though their edges, blends
of white and blue, can lie nearer the panel than the bar."""

_BAR_LINE = 2.0
"""Text heights: the most rows between the flat pixels above and below a pixel for them
to be the bar it lies on (a line of text on a list box, with its margins)."""


def even_runs(smooth: np.ndarray, glyph_height: float, level: int) -> np.ndarray:
    """True on runs along a row, longer than a text height, whose neighbours along the
    row differ by less than *level*: a bar's colour in a row no flat area reaches.

    A bar one cell high whose text touches its top and bottom (a highlighted row, a
    title bar) has no flat pixel in the rows of the letters' tops and feet: its pixels
    there have a letter above or below them. The nearest flat pixel in any direction
    then lay in the panel across the bar's edge, and the tops of the letters were lost
    (``BIOS`` read ``BIUS``). Along the row, the bar's own colour runs on evenly
    beyond the text (past the value, between columns).
    """
    along = _step(smooth, np.ones((1, 3), np.uint8)) < level
    length = max(3, round(glyph_height))
    runs = cv2.morphologyEx(along.astype(np.uint8), cv2.MORPH_OPEN, np.ones((1, length), np.uint8))
    return runs > 0


def _nearest_in_row(flat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each pixel, the (row-major) index of the nearest flat pixel in its row and its
    distance (more than the row's width where the row has none; a tie goes left).

    A flat pixel is its own nearest; the others (a few hundredths of a page) come in
    runs along their rows, and a run's nearest flat pixels are the two at its ends. Only
    those pixels are looked at: running maxima along every row of an upscaled page took
    25-50 ms. OpenCV's distance transforms measure in two dimensions only.
    """
    height, width = flat.shape
    narrow = width < _NARROW  # distances in 16 bits where they fit
    kind, none = (np.int16, _NARROW) if narrow else (np.int32, 1 << 28)
    source = np.arange(flat.size, dtype=np.int32).reshape(flat.shape)
    distance = np.zeros(flat.shape, kind)
    moved = np.flatnonzero(~flat)
    if moved.size:
        row, column, left, right = _runs(moved, width, none)
        to_left, to_right = column - left, right - column
        closer = to_left <= to_right
        nearest = np.clip(np.where(closer, left, right), 0, width - 1)
        source.ravel()[moved] = row * width + nearest
        distance.ravel()[moved] = np.where(closer, to_left, to_right)
    return source, distance


def _runs(moved: np.ndarray, width: int, none: int) -> tuple[np.ndarray, ...]:
    """Row and column of each of the pixels *moved* (row-major indices, ascending) and the
    columns of the flat pixels at either end of its run along the row: one column before
    the run and one after it; a run from the row's start has none before (``-none``),
    one to its end none after (``none``, more than the row's width)."""
    row, column = np.divmod(moved.astype(np.int64), width)
    starts = np.flatnonzero((np.diff(moved, prepend=-2) != 1) | (column == 0))
    lengths = np.diff(starts, append=moved.size)
    first = column[starts]
    before = np.where(first > 0, first - 1, -none)
    after = np.where(first + lengths < width, first + lengths, none)
    return row, column, np.repeat(before, lengths), np.repeat(after, lengths)


def _median_contrast(image: np.ndarray, glyph_height: float, span: float) -> np.ndarray:
    """The difference from the median over *span* text heights (textured backgrounds)."""
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    return cv2.absdiff(grey, median_background(grey, glyph_height, span))


def median_background(image: np.ndarray, glyph_height: float, span: float = 2.5) -> np.ndarray:
    """The local background grey level: a median over *span* character heights."""
    shrink = max(1, int(glyph_height // 6))
    small = (
        image
        if shrink == 1
        else cv2.resize(image, None, fx=1 / shrink, fy=1 / shrink, interpolation=cv2.INTER_AREA)
    )
    size = int(glyph_height * span / shrink) | 1
    size = max(3, min(size, 255))
    blurred = cv2.medianBlur(small, size)
    if shrink == 1:
        return blurred
    return cv2.resize(blurred, (image.shape[1], image.shape[0]), interpolation=cv2.INTER_LINEAR)
