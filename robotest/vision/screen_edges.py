"""Finding the screen's four corners in a camera frame, to a fraction of a pixel.

Two steps. Coarse quadrilaterals come from the outline of the lit screen on a reduced
frame (the pixels unlike the dark surround, largest blob, convex hull, a 4-point polygon
or four lines fitted along the lid's sides). Each side is then refined at full
resolution on how unlike the bezel each pixel is: profiles across the side, each
averaged over 33 px along it, show the screen's border as the outermost clear step up
from the flat bezel (a step detector, its threshold from the bezel's own noise), located
to a sub-pixel where the profile rises fastest; edge points off the side's smooth curve
are dropped, and a line is fitted to the rest (after removing lens distortion, so the
screen's sides are straight). The corners are the intersections of adjacent lines, and
the rectangle they show must have the screen's width/height (:func:`rectangle_aspect`).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from scipy.optimize import minimize

from robotest.vision.lens import Lens

_COARSE_WIDTH = 640
_MIN_AREA_FRACTION = 0.02
_MIN_FILL = 0.9
STEP_SAMPLES = 8
"""Half-width of the step detector across a side, in samples of half a pixel (a screen
edge rises over 3-5 px: camera blur, lens, the smoothing before `_unlike`)."""
_STEP_NOISES = 6.0
"""A clear edge's step is this many times the step noise over the bezel..."""
_MIN_STEP = 1.5
"""...and at least this many grey levels of difference from the bezel."""
_MIN_CURVE_TOLERANCE = 0.5
"""Pixels: edge points this near their side's curve are kept, whatever the scale."""
_CURVE_TRIES = 200
"""Curves through four edge points tried for a side's consensus (see :func:`_consensus`)."""
_CONSENSUS_DISTANCE = 1.0
"""Pixels: edge points this near a tried curve count for it."""
_LENS_STEPS = (0.02, 0.05)
"""First steps in k1 and k2 of the joint fit's simplex (SciPy's default step from k2 = 0
is 0.00025: the fit then often stopped near k2 = 0, its corners up to 1 px off at
2560x1600)."""
_MAX_LENS_EVALUATIONS = 200
"""Side residuals computed at most while fitting k1 and k2 together (about 1 ms each)."""
_FLOOR_TOLERANCE = 3.0
"""Grey levels: a profile's samples this near its least value are its floor, the bezel
(see :func:`_past_floor`)."""
_BEZEL_FLAT = 4.0
"""Grey levels: rings in from a lid's outline this close in brightness are one flat bezel."""
_BEZEL_DEPTH = 0.12
"""Fraction of the lid's width in from its outline where the bezel is looked for: a
2560x1600 screen's bezel is 2.2% of it, an 800x600 screen's (the same lid) about 8%."""
_BEZEL_LEVEL = 1.5
"""Grey levels: the rings of a flat run this near its median are the bezel's band."""
_BEZEL_STEP = 8.0
"""Grey levels: a ring this far from the bezel's level, inward of its band, is the screen."""
_MIN_UNIFORM = 0.75
"""A surround (desk, bezel) is one smooth colour for at least this much of its band.

Measured on the bezels of 40 sampled cameras: 0.82-1.0 (0.82 with strong vignetting and
noise, camera 23, which 0.85 refused: the lid's outline was then taken for the screen)."""


@dataclass(frozen=True)
class SideFit:
    """One refined side: its raw edge points and how well a straight line explains them."""

    points: np.ndarray
    """Edge points in raw frame pixels, (N, 2)."""
    support: float
    """Fraction of the sampled profiles that showed a clear edge."""
    noise: float = 0.0
    """The step detector's noise over the bezel (grey levels) that set the side's level."""


@dataclass(frozen=True)
class CoarseScreen:
    """The screen's approximate corners and the colour of what surrounds it (its bezel)."""

    corners: np.ndarray
    """TL, TR, BR, BL in full-frame pixels."""
    surround: np.ndarray
    """BGR colour just outside the screen."""
    outline: np.ndarray | None = None
    """TL, TR, BR, BL of the outline around it (a lid's), full-frame pixels; None when the
    guess is the outline itself."""


def coarse_screens(frame: np.ndarray) -> list[CoarseScreen]:
    """The outline of the object in front of the desk, then the screen inside its bezel:
    one or two guesses, the likelier first (none: no screen seen).

    Both steps look for the largest quadrilateral of pixels *unlike* their surround: the
    surround's colour is modelled as a smooth surface (vignetting darkens corners), and
    faint parts joined to clearly different ones count too (a dark taskbar next to a
    dark bezel). A laptop lid gives a nested quadrilateral, the screen; a frame showing
    only the screen gives none, and the outline is the screen.

    Inside the lid, the first guess is the four-point polygon of the screen's hull; the
    second fits each side as a line along the lid's (see :func:`_sides_along`), which
    holds where content as dark as the bezel cuts a corner off the hull but not where
    the content's own outline is curved (a colour wheel's disc).
    """
    colour = frame if frame.ndim == 3 else cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
    scale = min(1.0, _COARSE_WIDTH / colour.shape[1])
    small = cv2.resize(colour[:, :, :3], None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (5, 5), 0)
    height, width = small.shape[:2]
    everything = np.full((height, width), 255, np.uint8)
    border = max(3, int(0.03 * width))
    inside_border = np.zeros_like(everything)
    inside_border[border:-border, border:-border] = 255
    found = _quad_unlike(small, cv2.subtract(everything, inside_border), inside_border)
    if found is None:
        return []
    chains = []
    for along_sides in (False, True):
        chain = [found]
        for _ in range(2):
            inner = _inner_quad(small, chain[-1], along_sides)
            if inner is None:
                break
            chain.append(inner)
        chains.append([(region.quad, region.colour) for region in chain])
    # the innermost quadrilateral of each chain first, then the ones around it (a dark
    # desktop's vignette can nest a quadrilateral inside the screen); the outline
    # itself only when nothing is nested in it
    ordered = [chain[-1] for chain in chains]
    ordered += [level for chain in chains for level in chain[-2:0:-1]]
    outline = found.quad / scale
    guesses: list[CoarseScreen] = []
    for quad, surround in ordered:
        corners = quad / scale
        if not any(np.abs(g.corners - corners).max() < 2.0 / scale for g in guesses):
            around = None if np.abs(corners - outline).max() < 1e-6 else outline
            guesses.append(CoarseScreen(corners=corners, surround=surround, outline=around))
    return guesses


def brightness_inside(frame: np.ndarray, corners: np.ndarray, rings: int = 12) -> np.ndarray:
    """Median brightness (largest channel, grey levels) of *rings* bands, each 0.5% of the
    quadrilateral's width deep, in from the sides of *corners* (TL, TR, BR, BL, frame
    pixels): what a station error shows of a lid where no screen was found inside it
    (its light rim, the bezel, then the screen's border, or none)."""
    colour = frame if frame.ndim == 3 else cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
    scale = min(1.0, _COARSE_WIDTH / colour.shape[1])
    small = cv2.resize(colour[:, :, :3], None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    inside = np.zeros(small.shape[:2], np.uint8)
    cv2.fillConvexPoly(inside, (np.asarray(corners) * scale).astype(np.int32), 255)
    depth = cv2.distanceTransform(inside, cv2.DIST_L2, 5)
    step = max(1.0, 0.005 * scale * float(np.linalg.norm(corners[1] - corners[0])))
    grey = small.max(axis=2)
    levels = []
    for k in range(rings):
        ring = grey[(depth > k * step) & (depth <= (k + 1) * step)]
        levels.append(float(np.median(ring)) if ring.size else float("nan"))
    return np.array(levels)


MAX_FOCAL = 8.0
"""Frame widths: the longest focal length a station's camera has (a field of view of 7
degrees). Seen nearly face on, the focal length the corners imply is ill-conditioned: an
800x600 screen whose corners were 1.5 px off implied 80,000 px (33 frame widths) and a
width/height of 1.293 for 1.333; at any focal length up to this one, 1.331."""


def rectangle_aspect(corners: np.ndarray, image_size: tuple[int, int]) -> float:
    """Width / height of the rectangle whose perspective image is *corners* (TL, TR, BR,
    BL, undistorted pixels), for a camera with square pixels and its principal point at
    the image centre (Zhang and He, "Whiteboard scanning and image enhancement", 2007),
    whose focal length is at most `MAX_FOCAL` frame widths.

    Written here because OpenCV has no single call for it; on the real-icons camera tier
    it gives 1.7728-1.7784 for 16:9 screens (1.7778).
    """
    shifted = np.asarray(corners, np.float64) - np.array([image_size[0], image_size[1]]) / 2
    m1, m2, m4, m3 = (np.array([x, y, 1.0]) for x, y in shifted)  # TL, TR, BR, BL
    k2 = np.dot(np.cross(m1, m4), m3) / np.dot(np.cross(m2, m4), m3)
    k3 = np.dot(np.cross(m1, m4), m2) / np.dot(np.cross(m3, m4), m2)
    n2, n3 = k2 * m2 - m1, k3 * m3 - m1
    depth = n2[2] * n3[2]
    focal2 = -(n2[0] * n3[0] + n2[1] * n3[1]) / depth if abs(depth) > 1e-12 else -1.0
    if focal2 <= 0:  # seen nearly face on: the focal length drops out
        return float(np.hypot(n2[0], n2[1]) / np.hypot(n3[0], n3[1]))
    focal2 = min(focal2, (MAX_FOCAL * max(image_size)) ** 2)
    across = (n2[0] ** 2 + n2[1] ** 2) / focal2 + n2[2] ** 2
    down = (n3[0] ** 2 + n3[1] ** 2) / focal2 + n3[2] ** 2
    return float(np.sqrt(across / down))


def _erode(mask: np.ndarray, pixels: int) -> np.ndarray:
    return cv2.erode(mask, np.ones((2 * pixels + 1, 2 * pixels + 1), np.uint8))


def _quadratic_basis(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.column_stack([np.ones_like(x), x, y, x * x, x * y, y * y]).astype(np.float64)


@dataclass(frozen=True)
class _Unlike:
    """A quadrilateral of pixels unlike their surround, on the reduced frame."""

    quad: np.ndarray
    """TL, TR, BR, BL."""
    colour: np.ndarray
    """BGR colour of the surround."""
    fill: float
    """How much of the quadrilateral is unlike the surround (a screen fills its outline)."""
    blob: np.ndarray
    """The filled outline of the unlike pixels (uint8 mask): bowed by the lens where the
    quadrilateral is straight."""


def _quad_unlike(
    small: np.ndarray, band: np.ndarray, region: np.ndarray, outer: np.ndarray | None = None
) -> _Unlike | None:
    """Largest quadrilateral in *region* of pixels unlike the colour seen in *band*.
    Inside an *outer* outline (the lid), its sides are lines fitted along the outline's.
    """
    ys, xs = np.nonzero(band)
    if len(xs) < 50:
        return None
    height, width = small.shape[:2]
    basis = _quadratic_basis(xs / width, ys / height)
    pixels = small[ys, xs].astype(np.float64)
    use = np.ones(len(pixels), bool)
    spread = 0.0
    coefficients = np.zeros((6, 3))
    for _ in range(3):  # trimmed fit: the band may cross an edge strip or bits of screen
        coefficients, *_ = np.linalg.lstsq(basis[use], pixels[use], rcond=None)
        residual = np.abs(pixels - basis @ coefficients).max(axis=1)
        spread = float(np.median(residual[use]))
        use = residual <= max(3.0 * spread, 2.0)
    gy, gx = np.mgrid[0:height, 0:width]
    model = _quadratic_basis(gx.ravel() / width, gy.ravel() / height) @ coefficients
    distance = np.abs(small.astype(np.float32) - model.reshape(small.shape).astype(np.float32))
    distance = distance.max(axis=2)
    strong = (distance > max(10.0, 4.0 * spread + 3.0)) & (region > 0)
    weak = ((distance > max(4.0, 2.5 * spread + 1.5)) & (region > 0)).astype(np.uint8)
    # hysteresis: faint parts count when they touch clearly different ones
    count, labels = cv2.connectedComponents(weak, connectivity=8)
    keep = np.zeros(count, bool)
    keep[np.unique(labels[strong])] = True
    keep[0] = False
    kept = np.where(keep[labels], 255, 0).astype(np.uint8)
    mask = cv2.morphologyEx(kept, cv2.MORPH_CLOSE, np.ones((7, 7), np.uint8))
    blob = _largest_blob(mask)
    quad = None if blob is None else _quad_of(blob)
    if blob is None or quad is None or use.mean() < _MIN_UNIFORM:
        return None
    quad = _order_corners(quad)
    if outer is not None:
        quad = _sides_along(blob, outer, quad)
    filled = np.zeros_like(mask)
    cv2.drawContours(filled, [blob], -1, 255, cv2.FILLED)
    return _Unlike(quad, np.median(pixels[use], axis=0), _fill(mask, quad), filled)


def _fill(mask: np.ndarray, quad: np.ndarray) -> float:
    """Fraction of the quadrilateral covered by the mask (a screen fills its outline)."""
    inside = np.zeros_like(mask)
    cv2.fillConvexPoly(inside, quad.astype(np.int32), 255)
    total = cv2.countNonZero(inside)
    return cv2.countNonZero(cv2.bitwise_and(mask, inside)) / total if total else 0.0


def _inner_quad(small: np.ndarray, outer: _Unlike, along_sides: bool) -> _Unlike | None:
    """The screen inside a uniform bezel of the outline *outer*, or None; *along_sides*:
    its sides fitted along the outline's.

    The bezel's colour is sampled in a band 1.3% to 2.2% of the width in from the
    outline's four-point polygon, past a lighter or darker rim that lids often have and
    short of the screen's blurred edge. Lens distortion bows the sides away from the
    polygon: a wider band (1.2-2.4%) reached the rim on 9 of 100 sampled cameras, the
    bezel did not look uniform, and the lid's outline was taken for the screen (85 px
    off, confidence 0.9). A bezel narrower than that band (a 2560x1600 screen in a 60 px
    bezel: 2.2% of the lid's width) is then sampled where the rings in from the bowed
    outline itself show it flat (:func:`_measured_bezels`).
    """
    width = float(np.linalg.norm(outer.quad[1] - outer.quad[0]))
    polygon = np.zeros(small.shape[:2], np.uint8)
    cv2.fillConvexPoly(polygon, outer.quad.astype(np.int32), 255)
    fixed = (polygon, max(2, int(0.013 * width)), max(4, int(0.022 * width)))
    found = _screen_in_band(small, outer, fixed, along_sides)
    if found is not None:  # the rings are measured only where the fixed band saw no screen
        return found
    for start, stop in _measured_bezels(small, outer.blob, width):
        found = _screen_in_band(small, outer, (outer.blob, start, stop), along_sides)
        if found is not None:
            return found
    return None


def _screen_in_band(
    small: np.ndarray, outer: _Unlike, band: tuple[np.ndarray, int, int], along_sides: bool
) -> _Unlike | None:
    """The screen unlike the bezel sampled between *band*'s two depths (pixels) inside
    its mask, or None when it does not fill *outer* as a screen does."""
    inside, start, stop = band
    rim = _erode(inside, start)
    found = _quad_unlike(
        small, cv2.subtract(rim, _erode(inside, stop)), rim, outer.quad if along_sides else None
    )
    if found is None:
        return None
    area = float(cv2.contourArea(found.quad.astype(np.float32)))
    outer_area = float(cv2.contourArea(outer.quad.astype(np.float32)))
    # a screen fills its outline; text and icons on a plain screen only span a sparse hull
    fills = 0.7 * outer_area <= area <= 0.97 * outer_area and found.fill >= _MIN_FILL
    return found if fills else None


def _measured_bezels(small: np.ndarray, inside: np.ndarray, width: float) -> list[tuple[int, int]]:
    """Pixels in from the outline where the bezel may lie, outermost first, from the
    median brightness of each one-pixel ring inside it: one band for each flat run of
    rings with a screen after it.

    A flat run is at least 4 rings within `_BEZEL_FLAT` grey levels of each other in the
    outer `_BEZEL_DEPTH` of the width (a lid's wide light rim makes one too, before the
    bezel's: each is tried in turn). Its level is the run's median, and its band the
    rings around it within `_BEZEL_LEVEL` of that level (a screen darkened towards its
    edge by a vignette, or dark as the night sky, drifts off the bezel's level over rings
    the run still holds: the band then crossed the screen's border), less its first ring
    (the rim's blurred edge) and its last two (the screen's: the bezel is a ring or two
    narrower on some sides than the median ring shows). A screen is a ring past the band
    at least `_BEZEL_STEP` from the level, brighter or darker (a black screen with stars:
    15 below a 30-grey bezel).
    """
    depth = cv2.distanceTransform(inside, cv2.DIST_L2, 5)
    grey = small.max(axis=2) if small.ndim == 3 else small
    depths = range(1, int(_BEZEL_DEPTH * width))
    rings = np.array([np.median(grey[(depth >= k) & (depth < k + 1)]) for k in depths])
    bands = []
    start = 0
    while start < len(rings):
        run = _flat_run(rings, start)
        if run is None:
            break
        band = _band_at_level(rings, *run)
        if band is not None:
            bands.append(band)
        start = run[1] + 1
    return bands


def _flat_run(rings: np.ndarray, start: int) -> tuple[int, int] | None:
    """First and last ring of the first run from *start* of at least 4 rings within
    `_BEZEL_FLAT` of each other; None when there is none."""
    for first in range(start, len(rings)):
        last = first
        while last + 1 < len(rings) and np.ptp(rings[first : last + 2]) <= _BEZEL_FLAT:
            last += 1
        if last - first >= 3:
            return first, last
    return None


def _band_at_level(rings: np.ndarray, first: int, last: int) -> tuple[int, int] | None:
    """The depths (pixels) of the band of the flat run *first*..*last* of *rings* (see
    :func:`_measured_bezels`); None when it is too thin or no screen follows it."""
    level = float(np.median(rings[first : last + 1]))
    near = np.abs(rings - level) <= _BEZEL_LEVEL
    middle = first + int(np.argmin(np.abs(rings[first : last + 1] - level)))
    first, last = middle, middle
    while first > 0 and near[first - 1]:
        first -= 1
    while last + 1 < len(rings) and near[last + 1]:
        last += 1
    if last - first < 3 or not (np.abs(rings[last + 1 :] - level) >= _BEZEL_STEP).any():
        return None
    return first + 2, last  # ring k is depth k + 1


def _largest_blob(mask: np.ndarray) -> np.ndarray | None:
    """The outline (every point) of the mask's largest blob; None when it is too small."""
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    if not contours:
        return None
    contour = max(contours, key=cv2.contourArea)
    return contour if cv2.contourArea(contour) >= _MIN_AREA_FRACTION * mask.size else None


def _quad_of(contour: np.ndarray) -> np.ndarray | None:
    """The four-point polygon of the contour's convex hull, or None."""
    hull = cv2.convexHull(contour)
    perimeter = cv2.arcLength(hull, True)
    for factor in (0.01, 0.02, 0.03, 0.05):
        poly = cv2.approxPolyDP(hull, factor * perimeter, True)
        if len(poly) == 4:
            return poly.reshape(4, 2).astype(np.float64)
        if len(poly) < 4:
            return None
    return None


def _sides_along(blob: np.ndarray, outer: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """The quadrilateral of the outline *blob* as four lines, each fitted to its points
    facing one side of *outer* (TL, TR, BR, BL); *quad* where a side has too few.

    A four-point polygon of the hull cuts a corner where the screen's content there is
    as dark as the bezel (a dark photograph, a window's shadow): its corner lands 300 px
    off. Each side's line, fitted robustly over its middle, still meets the next one at
    the screen's corner.
    """
    points = blob.reshape(-1, 2).astype(np.float64)
    distances, spans = [], []
    for i in range(4):
        start, end = outer[i], outer[(i + 1) % 4]
        length = float(np.linalg.norm(end - start))
        direction = (end - start) / length
        normal = np.array([-direction[1], direction[0]])
        distances.append(np.abs((points - start) @ normal))
        spans.append((points - start) @ direction / length)
    nearest = np.argmin(np.array(distances), axis=0)
    lines = []
    for i in range(4):
        mine = points[(nearest == i) & (spans[i] > 0.1) & (spans[i] < 0.9)]
        if len(mine) < 10:
            return quad
        vx, vy, x0, y0 = cv2.fitLine(mine.astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01)
        direction = np.array([float(vx[0]), float(vy[0])])
        anchor = np.array([float(x0[0]), float(y0[0])])
        residual = np.abs((mine - anchor) @ np.array([-direction[1], direction[0]]))
        near = mine[residual <= 2.0]
        if len(near) < 10:
            return quad
        lines.append(fit_line(near))
    corners = []
    for i in range(4):
        before, current = lines[(i - 1) % 4], lines[i]
        corners.append(intersect(before[0], before[1], current[0], current[1]))
    found = np.array(corners)
    inside = all(
        cv2.pointPolygonTest(outer.astype(np.float32), tuple(map(float, c)), False) >= 0
        for c in found
    )
    return found if inside else quad


def _order_corners(points: np.ndarray) -> np.ndarray:
    """TL, TR, BR, BL order of four points."""
    centre = points.mean(axis=0)
    angles = np.arctan2(points[:, 1] - centre[1], points[:, 0] - centre[0])
    ordered = points[np.argsort(angles)]  # from -pi: TL, TR, BR, BL for y-down images
    start = int(np.argmin(ordered.sum(axis=1)))
    return np.roll(ordered, -start, axis=0)


def refine_side(
    grey: np.ndarray,
    base: np.ndarray,
    inward: np.ndarray,
    reach: float,
    along: float = 3.0,
    noise: float | None = None,
) -> SideFit:
    """Sub-pixel edge points across a side sampled at *base* points, searching +-*reach* pixels.

    *inward* holds the unit normal at each base point, pointing into the screen; each
    profile is the mean of those +-*along* pixels along the side (longer: less noise, so
    a fainter edge shows, such as a dark top bar's against a dark bezel). *noise*: the
    step noise a wider search of the same side measured, used where it is the lower.
    """
    count = len(base)
    tangent = np.column_stack([-inward[:, 1], inward[:, 0]])
    offsets = np.arange(-reach, reach + 0.25, 0.5)
    along_side = np.arange(-along, along + 0.5, 1.0)
    # grey at base_i + offset_k * inward_i + along_j * tangent_i; averaged along the side
    xs = (
        base[:, None, None, 0]
        + offsets[None, :, None] * inward[:, None, None, 0]
        + along_side[None, None, :] * tangent[:, None, None, 0]
    )
    ys = (
        base[:, None, None, 1]
        + offsets[None, :, None] * inward[:, None, None, 1]
        + along_side[None, None, :] * tangent[:, None, None, 1]
    )
    samples = cv2.remap(
        grey,
        xs.reshape(count, -1).astype(np.float32),
        ys.reshape(count, -1).astype(np.float32),
        cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    ).reshape(count, len(offsets), len(along_side))
    profiles = samples.mean(axis=2)
    strength = step_response(profiles)
    w = STEP_SAMPLES
    # noise of the response (sigma) from its quietest quarter: the outer half of most
    # profiles crosses the flat bezel (the outer part alone may hold the edge when the
    # coarse corners are off, and the inner half a photograph's texture); for normal
    # noise the 25th percentile of |x| is 0.32 sigma
    measured = float(np.percentile(np.abs(strength[:, w : len(offsets) - w + 1]), 25)) / 0.32
    # a narrow search centred on the border has little bezel in its quietest quarter: the
    # border's own rise raised it (a 4-level top bar at 800x600: level 2.3 against 1.6 in
    # the wide search, seen over 40% of the side and refused)
    noise = measured if noise is None else min(measured, noise)
    level = max(_STEP_NOISES * noise, _MIN_STEP)
    inner = strength[:, 1:-1]
    # the outermost clear local maximum rising from the bezel: the screen's border, not an
    # edge of its content nor the lid's light edge seen from the desk
    is_peak = (
        (inner >= level)
        & (inner >= strength[:, :-2])
        & (inner > strength[:, 2:])
        & _past_floor(profiles, max(_FLOOR_TOLERANCE, 3.0 * noise))[:, 1:-1]
    )
    found = np.where(is_peak.any(axis=1), np.argmax(is_peak, axis=1), np.argmax(inner, axis=1)) + 1
    rows = np.arange(count)
    clear = strength[rows, found] >= level
    # located where the profile itself rises fastest near the step: the step response
    # is broad and content just inside the screen would pull its maximum inward
    slope = np.gradient(profiles, axis=1)
    near = np.abs(np.arange(len(offsets))[None, :] - found[:, None]) <= w
    peak = np.argmax(np.where(near, slope, -np.inf), axis=1)
    peak = np.clip(peak, 1, len(offsets) - 2)
    left, centre, right = slope[rows, peak - 1], slope[rows, peak], slope[rows, peak + 1]
    denom = left - 2 * centre + right
    safe = np.where(np.abs(denom) > 1e-9, denom, -1.0)
    shift = np.clip(0.5 * (left - right) / safe, -1.0, 1.0)
    offset = offsets[peak] + shift * 0.5
    points = base + offset[:, None] * inward
    kept = np.flatnonzero(clear)
    kept = kept[_on_one_curve(points[kept])]
    return SideFit(points=points[kept], support=len(kept) / count, noise=noise)


def step_response(profiles: np.ndarray) -> np.ndarray:
    """The step detector across sides, (N, K) profiles -> (N, K): the mean of the next
    `STEP_SAMPLES` samples inward minus that of the previous ones, in grey levels (an
    edge of height h answers about h, whatever its blur); 0 where the detector does not
    reach (the first and last `STEP_SAMPLES` - 1 samples)."""
    count, length = profiles.shape
    cumulative = np.concatenate([np.zeros((count, 1)), np.cumsum(profiles, axis=1)], axis=1)
    w = STEP_SAMPLES
    ahead = cumulative[:, 2 * w :] - cumulative[:, w:-w]
    behind = cumulative[:, w:-w] - cumulative[:, : -2 * w]
    strength = np.zeros_like(profiles)
    strength[:, w : length - w + 1] = (ahead - behind) / w
    return strength


def _past_floor(profiles: np.ndarray, tolerance: float) -> np.ndarray:
    """Where each profile has already crossed its floor: positions inward of its first
    sample within *tolerance* of its least value (the bezel, the least unlike the bezel
    of anything across a side).

    The desk and the lid's light edge are unlike the bezel too, and lie outward of it:
    the step from the desk onto the lid's edge comes before the floor, the screen's
    border (even a dark top bar's, 7 grey levels) after it.
    """
    near = profiles <= profiles.min(axis=1, keepdims=True) + tolerance
    first = np.argmax(near, axis=1)
    return np.arange(profiles.shape[1])[None, :] > first[:, None]


def _on_one_curve(points: np.ndarray) -> np.ndarray:
    """Which of a side's edge points lie on one smooth curve (a straight side seen through
    a lens); the others are edges of the screen's content taken where the border is faint.

    A cubic of the offset across the side against the position along it: first the one
    through four of the points that most points lie near (a side seen only in part, the
    rest of it as dark as the bezel: its points on the screen's content can outnumber
    those on the border, and a least-squares start would follow them), then refined by
    trimmed least squares with a robust (median) scale.
    """
    keep = np.ones(len(points), bool)
    if len(points) < 8:
        return keep
    centre = points.mean(axis=0)
    _, _, vt = np.linalg.svd(points - centre, full_matrices=False)
    along = (points - centre) @ vt[0]
    across = (points - centre) @ vt[1]
    basis = np.vander(along / (np.abs(along).max() + 1e-9), 4)
    keep = _consensus(basis, across)
    for _ in range(4):
        coefficients, *_ = np.linalg.lstsq(basis[keep], across[keep], rcond=None)
        residual = np.abs(across - basis @ coefficients)
        scale = 1.4826 * float(np.median(residual[keep]))
        keep = residual <= max(3.0 * scale, _MIN_CURVE_TOLERANCE)
        if keep.sum() < 8:
            return np.ones(len(points), bool)
    return keep


def _consensus(basis: np.ndarray, across: np.ndarray) -> np.ndarray:
    """The points near the curve through four of them that the most points lie near
    (`_CURVE_TRIES` fixed draws, spread along the side: one from each quarter)."""
    count = len(across)
    rng = np.random.default_rng(0)
    quarters = np.array_split(np.arange(count), 4)
    picks = np.column_stack([rng.choice(q, _CURVE_TRIES) for q in quarters])
    systems = basis[picks]
    solvable = np.abs(np.linalg.det(systems)) > 1e-9
    coefficients = np.zeros((len(picks), 4))
    coefficients[solvable] = np.linalg.solve(systems[solvable], across[picks[solvable]][..., None])[
        ..., 0
    ]
    near = np.abs(across[None, :] - coefficients @ basis.T) <= _CONSENSUS_DISTANCE
    near[~solvable] = False
    best = near[int(np.argmax(near.sum(axis=1)))]
    return best if best.sum() >= 8 else np.ones(count, bool)


def fit_line(points: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Total-least-squares line (point, unit direction), outliers dropped, and its RMS residual."""
    pts = points
    for _ in range(3):
        centre = pts.mean(axis=0)
        _, _, vt = np.linalg.svd(pts - centre, full_matrices=False)
        direction = vt[0]
        normal = np.array([-direction[1], direction[0]])
        residual = (pts - centre) @ normal
        rms = float(np.sqrt(np.mean(residual**2)))
        keep = np.abs(residual) <= max(3.0 * rms, 0.3)
        if keep.all() or keep.sum() < 8:
            break
        pts = pts[keep]
    return centre, direction, rms


def intersect(p1: np.ndarray, d1: np.ndarray, p2: np.ndarray, d2: np.ndarray) -> np.ndarray:
    """Intersection of two lines given as point + direction."""
    matrix = np.column_stack([d1, -d2])
    t = np.linalg.solve(matrix, p2 - p1)
    return p1 + t[0] * d1


def side_residual(sides: list[np.ndarray], lens: Lens) -> float:
    """RMS distance of the sides' undistorted edge points from their fitted lines."""
    total = 0.0
    count = 0
    for pts in sides:
        ideal = lens.undistort_points(pts)
        _, _, rms = fit_line(ideal)
        total += rms**2 * len(pts)
        count += len(pts)
    return float(np.sqrt(total / max(count, 1)))


def estimate_radial_lens(sides: list[np.ndarray], image_size: tuple[int, int]) -> Lens:
    """The radial lens (k1, k2) that makes the four sides straightest (plumb-line method).

    k1 alone first (a golden-section search), then k1 and k2 together from there
    (Nelder-Mead, SciPy). k1 alone bends the sides right along most of their length but
    not at their ends when the screen spans a wide angle: a 2560x1600 screen filling a
    2448x2048 frame then had its corners found 1-2 px outside the screen's (0.05-0.19 px
    with k2), and a 1920x1080 screen 0.2-0.54 px (0.02-0.25 px).
    """
    low, high = -0.4, 0.4
    ratio = (np.sqrt(5) - 1) / 2
    a = high - ratio * (high - low)
    b = low + ratio * (high - low)
    fa = side_residual(sides, Lens.radial(image_size, a))
    fb = side_residual(sides, Lens.radial(image_size, b))
    for _ in range(28):
        if fa < fb:
            high, b, fb = b, a, fa
            a = high - ratio * (high - low)
            fa = side_residual(sides, Lens.radial(image_size, a))
        else:
            low, a, fa = a, b, fb
            b = low + ratio * (high - low)
            fb = side_residual(sides, Lens.radial(image_size, b))
    k1 = (low + high) / 2
    both = minimize(
        lambda k: side_residual(sides, Lens.radial(image_size, float(k[0]), float(k[1]))),
        np.array([k1, 0.0]),
        method="Nelder-Mead",
        options={
            "xatol": 1e-4,
            "fatol": 1e-5,
            "maxfev": _MAX_LENS_EVALUATIONS,
            "initial_simplex": [[k1, 0.0], [k1 + _LENS_STEPS[0], 0.0], [k1, _LENS_STEPS[1]]],
        },
    )
    return Lens.radial(image_size, float(both.x[0]), float(both.x[1]))
