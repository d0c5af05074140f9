"""Screen calibration: where the laptop's screen is in the camera frame, and rectifying frames.

:meth:`Calibration.from_frame` finds the screen's corners (see :mod:`robotest.vision.screen_edges`),
removes lens distortion (a calibrated :class:`Lens`, or one estimated from the
curvature of the screen's own sides), and computes the homography from the frame to the
screen's pixel grid. :meth:`Calibration.rectify` then turns any frame from the same
camera into a screen image with one precomputed ``cv2.remap``.

Coordinates: screen pixel centres are at integer positions, so the screen's outer
corners are at (-0.5, -0.5) and (W - 0.5, H - 0.5).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from robotest.vision.errors import CalibrationError, VisionInputError
from robotest.vision.images import check_image, to_grey
from robotest.vision.lens import Lens
from robotest.vision.screen_edges import (
    STEP_SAMPLES,
    CoarseScreen,
    SideFit,
    brightness_inside,
    coarse_screens,
    estimate_radial_lens,
    fit_line,
    intersect,
    rectangle_aspect,
    refine_side,
    step_response,
)

_MAP_STEP = 8  # screen pixels between exactly mapped points of the rectify maps

MIN_SUPPORT = 0.3
"""A side whose profiles show a clear edge less often than this is not a screen edge."""
MIN_SEEN = 0.6
"""A side a later pass sees over less than this is searched again at the bezel noise of
the pass before (see :func:`robotest.vision.screen_edges.refine_side`): a 4-level top bar
at 800x600 was seen over 40% of the side, the frame refused for its confidence (0.26);
a dark dock or window against the screen's side, 53-58% (refused: 0.24-0.31). A side
seen over 63% (camera 217 at 1024x768) was less precise searched again (0.29 -> 0.45 px)."""
MIN_CONFIDENCE = 0.35
"""Below this the corners are too uncertain to use: the frame is refused.

Confidence is the least-seen side's edge support times a straightness factor. On the
real-icons camera tier (48 frames) every outline with a confidence of 0.37-0.6 was
within 0.63 px: a side half hidden by content as dark as the bezel (a dark coat, a
black corner) is still seen straight over its other half (it was 0.5)."""
MAX_ASPECT_ERROR = 0.015
"""An outline whose width/height is further than this (relative) from the screen's is not
the screen: the bezel's inner outline of a 1920x1080 screen in a 60 px bezel is 3.4%
off; screens found on the real-icons camera tier measure within 0.3%."""
MAX_RMS = 2.5
"""Edge points further than this (RMS, pixels) from a straight side: not a screen."""


@dataclass(frozen=True)
class _Pass:
    """One search for the screen's sides along lines between corner estimates."""

    spacing: float
    """Pixels of side between two profiles."""
    profiles: tuple[int, int]
    """Fewest and most profiles per side."""
    span: tuple[float, float]
    """Part of each side searched, as fractions (its corners are blurred by the bezel)."""
    reach: float
    """Pixels searched either side of the line."""
    along: float = 3.0
    """Each profile is averaged over this many pixels either side, along the side."""


# profiles averaged over 33 pixels along the side: a dark top bar's edge against a dark
# bezel (7-10 grey levels) then stands out of the camera's noise, and the bar's lower
# edge is not taken for the screen's (real-icons camera tier: 2 frames calibrated 32 px
# off with 7 px profiles)
_WIDE_PASS = _Pass(spacing=6, profiles=(24, 400), span=(0.04, 0.96), reach=40.0, along=16.0)
_NARROW_PASS = _Pass(spacing=4, profiles=(24, 600), span=(0.03, 0.97), reach=16.0, along=16.0)
_PASSES = (_WIDE_PASS, _WIDE_PASS, _NARROW_PASS)


Line = tuple[np.ndarray, np.ndarray, float]
"""A fitted side: a point on it, its unit direction and the RMS residual of its edge points."""
MIN_POINTS = 12
"""Fewer edge points than this on a side: no line is fitted."""


@dataclass(frozen=True)
class _SideSearch:
    """What one pass saw: each side's edge points, the lens that straightens them, the lines."""

    sides: list[SideFit]
    lens: Lens | None
    lines: list[Line]
    """Empty when a side had too few edge points for a line."""


def _chord(start: np.ndarray, end: np.ndarray, how: _Pass) -> np.ndarray:
    """The points where a pass's profiles cross the line from *start* to *end*."""
    count = int(np.clip(np.linalg.norm(end - start) / how.spacing, *how.profiles))
    t = np.linspace(*how.span, count)[:, None]
    return start + t * (end - start)


def _search_sides(
    grey: np.ndarray,
    corners: np.ndarray,
    centre: np.ndarray,
    how: _Pass,
    lens: Lens | None,
    guide: Lens | None,
    size: tuple[int, int],
    bases: dict[int, np.ndarray] | None = None,
    before: _SideSearch | None = None,
) -> _SideSearch:
    """Edge points along the lines between *corners*, the lens and the four side lines.

    The lines between *corners* are straight in the undistorted coordinates of *guide*
    (None: in the raw frame); they are distorted back into the frame before searching.
    *bases* gives some sides' profile positions (raw frame) instead. A calibrated *lens*
    is kept; without one the radial lens is estimated from the points. *before*: the
    previous pass, whose bezel noise a side seen too little is searched again with (see
    :func:`refine_side`).
    """
    sides = []
    for i in range(4):
        base = _chord(corners[i], corners[(i + 1) % 4], how)
        if guide is not None:
            base = guide.distort_points(base)
        if bases and i in bases:
            base = bases[i]
        inward = _inward(base, centre)
        side = refine_side(grey, base, inward, how.reach, how.along)
        if before is not None and side.support < MIN_SEEN:
            # a faint border seen too little: searched again at the bezel's noise as the
            # previous, wider search measured it
            noise = before.sides[i].noise
            side = refine_side(grey, base, inward, how.reach, how.along, noise)
        sides.append(side)
    if min(len(s.points) for s in sides) < MIN_POINTS:
        return _SideSearch(sides, None, [])
    model, lines = _fitted([s.points for s in sides], lens, size)
    return _SideSearch(sides, model, lines)


def _fitted(
    sides: list[np.ndarray], lens: Lens | None, size: tuple[int, int]
) -> tuple[Lens, list[Line]]:
    """The lens (*lens*, or the radial one estimated from the sides' edge points) and the
    sides' undistorted lines."""
    model = lens or estimate_radial_lens(sides, size)
    return model, [fit_line(model.undistort_points(points)) for points in sides]


def _outline(
    frame: np.ndarray,
    coarse: CoarseScreen,
    lens: Lens | None,
    size: tuple[int, int],
    screen_size: tuple[int, int],
) -> tuple[list[Line], Lens, float]:
    """The screen's four sides (undistorted lines), the lens and the confidence, searched
    from one coarse guess; CalibrationError saying what was seen when they are not clear."""
    quad = coarse.corners
    grey_f = _unlike(frame, coarse.surround)
    centre = quad.mean(axis=0)
    # the first search along the coarse chords, wide (sides bow with lens distortion,
    # a coarse corner may be 40 px off); each next one along the sides the previous
    # one fitted, distorted back into the frame
    search = _search_sides(grey_f, quad, centre, _PASSES[0], lens, None, size)
    search = _weak_sides_from_lid(grey_f, coarse, search, lens, size)
    for n, how in enumerate(_PASSES[1:]):
        # the first search may see a side only in part (a corner of the coarse guess far
        # off, where the screen is as dark as the bezel): its points on the border still
        # give the side's line, searched again along it
        seen = min(s.support for s in search.sides) >= MIN_SUPPORT * 0.8 or n == 0
        if search.lens is None or not seen:
            raise _unclear(frame, quad, coarse.surround, search.sides)
        corners = _corners(search.lines)
        search = _search_sides(grey_f, corners, centre, how, lens, search.lens, size, before=search)
    if search.lens is None:
        raise _unclear(frame, quad, coarse.surround, search.sides)
    support = min(s.support for s in search.sides)
    rms = max(line[2] for line in search.lines)
    what = _what_was_seen(frame, quad, coarse.surround, search.sides)
    if support < MIN_SUPPORT or rms > MAX_RMS:
        raise CalibrationError(
            f"no screen quadrilateral found in the frame (edge support {support:.2f}, "
            f"side straightness {rms:.2f} px; {what})"
        )
    confidence = float(np.clip(support, 0, 1) * np.exp(-rms / 2.0))
    if confidence < MIN_CONFIDENCE:
        raise CalibrationError(
            f"screen outline too uncertain (confidence {confidence:.2f} < {MIN_CONFIDENCE}): "
            f"glare or a faint edge ({what}); calibrate on another frame"
        )
    try:
        _check_shape(_corners(search.lines), size, screen_size)
    except CalibrationError as refusal:
        raise _OffShape(str(refusal), search, confidence) from None
    return search.lines, search.lens, confidence


class _OffShape(CalibrationError):
    """An outline searched whole but not of the screen's shape: what a faint side's
    search (:func:`_with_faint_side`) starts from when no guess gave the screen."""

    def __init__(self, message: str, search: _SideSearch, confidence: float) -> None:
        super().__init__(message)
        self.search = search
        self.confidence = confidence


def _with_faint_side(
    frame: np.ndarray,
    refused: _OffShape,
    lens: Lens | None,
    size: tuple[int, int],
    screen_size: tuple[int, int],
) -> tuple[list[Line], Lens, float] | None:
    """The outline *refused* for its shape with one side moved onto a border too faint for
    the edge search (see :func:`_faint_side`), lens and lines fitted again; None when no
    side shows one or the outline still has not the screen's shape."""
    search = refused.search
    assert search.lens is not None
    smooth = cv2.GaussianBlur(to_grey(frame).astype(np.float32), (0, 0), _PRE_SMOOTH)
    faint = _faint_side(smooth, search.lines, search.lens, screen_size, size)
    if faint is None:
        return None
    sides = [side.points for side in search.sides]
    sides[faint[0]] = faint[1]
    model, lines = _fitted(sides, lens, size)
    try:
        _check_shape(_corners(lines), size, screen_size)
    except CalibrationError:
        return None
    return lines, model, refused.confidence


def _weak_sides_from_lid(
    grey: np.ndarray,
    coarse: CoarseScreen,
    search: _SideSearch,
    lens: Lens | None,
    size: tuple[int, int],
) -> _SideSearch:
    """The first search again, each side it saw too little of searched inward from the
    lid's side instead, as deep as the sides it saw lie inside the lid's.

    Where the screen's content is as dark as the bezel at a corner, the coarse guess cuts
    that corner (300 px off): the sides through it are searched along a chord far from
    the screen's border and see only content. The lid's outline is seen whole (its light
    edge against the desk), and the bezel is as wide on every side.
    """
    weak = [i for i, side in enumerate(search.sides) if side.support < MIN_SUPPORT]
    if coarse.outline is None or not weak or len(weak) > 2:
        return search
    lid = coarse.outline
    centre = lid.mean(axis=0)
    depths = [
        float(np.median(_depth_inside(lid[i], lid[(i + 1) % 4], centre, side.points)))
        for i, side in enumerate(search.sides)
        if i not in weak and len(side.points)
    ]
    depth = float(np.median(depths))
    bases = {}
    for i in weak:
        start, end = lid[i], lid[(i + 1) % 4]
        base = _chord(start, end, _PASSES[0])
        bases[i] = base + depth * _inward(base, centre)
    return _search_sides(
        grey, coarse.corners, coarse.corners.mean(axis=0), _PASSES[0], lens, None, size, bases
    )


def _depth_inside(
    start: np.ndarray, end: np.ndarray, centre: np.ndarray, points: np.ndarray
) -> np.ndarray:
    """How far *points* lie inside the line from *start* to *end* (towards *centre*)."""
    normal = _inward(np.array([start, end]), centre)[0]
    return (points - start) @ normal


MAX_FAINT_SHIFT = 40.0
"""Screen pixels: the farthest out a side is moved to give the outline the screen's shape
(a top bar is 32 px high: 24 frame px at 2560x1600, 78 at 800x600)."""
_FAINT_WINDOW = 8.0
"""Pixels either side of the place the screen's shape predicts where a faint edge is looked for."""
_FAINT_RISE = 0.5
"""Grey levels: a faint border's inside is at least this much more unlike the bezel than
the bezel outside it (a top bar 1 grey level brighter than the bezel rises 1-2)."""
_FAINT_PIECES = 24
"""Pieces of a faint side, each giving one edge point from its profiles' mean."""
_FAINT_AGREEMENT = 1.5
"""Pixels: a faint edge is seen at the same place along each quarter of its side."""


def _faint_side(
    grey: np.ndarray,
    lines: list[Line],
    lens: Lens,
    screen_size: tuple[int, int],
    size: tuple[int, int],
) -> tuple[int, np.ndarray] | None:
    """A side whose border is too faint for the edge search and its edge points (raw frame
    pixels), or None when no side has one.

    A top bar a grey level brighter than the bezel shows no edge in a single profile: its
    lower edge is taken for the screen's, and the outline is too short for the screen's
    width/height. The side that would give the outline the screen's shape when moved
    out by at most `MAX_FAINT_SHIFT` screen px is searched near that place on profiles averaged
    over each quarter of its length: the screen's border is where all four show the same
    step. Exactly one side must show one.
    """
    expected = screen_size[0] / screen_size[1]
    corners = _corners(lines)
    across = (np.linalg.norm(corners[1] - corners[0]) + np.linalg.norm(corners[2] - corners[3])) / 2
    limit = float(MAX_FAINT_SHIFT * across / screen_size[0])
    found = []
    for i in range(4):
        shift = _shape_shift(lines, i, expected, size, limit)
        if shift is None:
            continue
        points = _faint_points(grey, _moved(lines, i, shift), i, lens)
        if points is not None:
            found.append((i, points))
    return found[0] if len(found) == 1 else None


def _inward_normal(lines: list[Line], i: int) -> np.ndarray:
    """Unit normal of side *i* pointing into the outline (undistorted coordinates)."""
    point, direction, _ = lines[i]
    normal = np.array([-direction[1], direction[0]])
    inside = _corners(lines).mean(axis=0)
    return normal if np.dot(inside - point, normal) > 0 else -normal


def _moved(lines: list[Line], i: int, shift: float) -> list[Line]:
    """*lines* with side *i* moved *shift* pixels inward (negative: outward)."""
    point, direction, rms = lines[i]
    moved = list(lines)
    moved[i] = (point + shift * _inward_normal(lines, i), direction, rms)
    return moved


def _shape_shift(
    lines: list[Line], i: int, expected: float, size: tuple[int, int], limit: float
) -> float | None:
    """How far outward (a negative shift, pixels) side *i* must move for the outline to
    have the width/height *expected*; None when not within *limit* pixels."""
    shifts = -np.arange(0.0, limit + 0.5, 0.5)
    misfit = np.array(
        [rectangle_aspect(_corners(_moved(lines, i, d)), size) - expected for d in shifts]
    )
    crossing = np.flatnonzero(np.sign(misfit[1:]) != np.sign(misfit[:-1]))
    if not len(crossing):
        return None
    k = int(crossing[0])
    share = misfit[k] / (misfit[k] - misfit[k + 1])
    return float(shifts[k] + share * (shifts[k + 1] - shifts[k]))


def _faint_points(grey: np.ndarray, lines: list[Line], i: int, lens: Lens) -> np.ndarray | None:
    """Edge points (raw frame pixels) where near side *i* of *lines* the frame's grey level
    steps from the bezel's the same way along each quarter of the side: one for each of
    `_FAINT_PIECES` pieces of it that sees the step there; None when the quarters disagree
    or too few pieces see it.

    Grey levels, not the difference from the bezel's colour that the edge search uses: a
    bezel a grey level darker than its sampled colour and a top bar a grey level brighter
    show a dip to 0 at the border there, and the steepest rise 2 px inside it."""
    corners = _corners(lines)
    normal = _inward_normal(lines, i)
    base = _chord(corners[i], corners[(i + 1) % 4], _NARROW_PASS)
    offsets = np.arange(-_FAINT_WINDOW - 4.0, _FAINT_WINDOW + 4.25, 0.5)
    points = base[:, None, :] + offsets[None, :, None] * normal
    frame_points = lens.distort_points(points.reshape(-1, 2)).astype(np.float32)
    profiles = cv2.remap(
        grey,
        frame_points[:, 0].reshape(len(base), -1),
        frame_points[:, 1].reshape(len(base), -1),
        cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )
    sign = _step_sign(profiles.mean(axis=0), offsets)
    places = [_step_place(sign * q.mean(axis=0), offsets) for q in np.array_split(profiles, 4)]
    quarters = [place for place in places if place is not None]
    if len(quarters) < len(places) or np.ptp(quarters) > _FAINT_AGREEMENT:
        return None
    edge = []
    for rows in np.array_split(np.arange(len(base)), _FAINT_PIECES):
        place = _step_place(sign * profiles[rows].mean(axis=0), offsets)
        if place is not None and abs(place - np.median(quarters)) <= _FAINT_AGREEMENT:
            edge.append(base[rows].mean(axis=0) + place * normal)
    if len(edge) < _FAINT_PIECES // 2:
        return None
    return lens.distort_points(np.array(edge))


def _step_sign(profile: np.ndarray, offsets: np.ndarray) -> float:
    """1 where the screen is brighter than the bezel across a side, -1 where darker."""
    inside = profile[offsets > _FAINT_WINDOW].mean()
    outside = profile[offsets < -_FAINT_WINDOW].mean()
    return 1.0 if inside >= outside else -1.0


def _step_place(profile: np.ndarray, offsets: np.ndarray) -> float | None:
    """Sub-pixel offset of the strongest step up within `_FAINT_WINDOW` of 0 in a profile
    averaged along a side; None when there is none or its inside is not clearly above
    the bezel outside it."""
    w = STEP_SAMPLES
    centres = np.arange(w, len(profile) - w + 1)
    step = step_response(profile[None, :])[0, centres]
    within = np.abs(offsets[centres]) <= _FAINT_WINDOW
    if not within.any() or step[within].max() <= 0:
        return None
    k = int(np.flatnonzero(within)[np.argmax(step[within])])
    if k in (0, len(step) - 1):
        return None
    # inside clearly above the bezel outside (not the bezel's floor after a lid's edge)
    rise = profile[centres[k] : centres[k] + w].mean() - np.median(profile[: centres[k]])
    if rise < _FAINT_RISE:
        return None
    left, centre, right = step[k - 1], step[k], step[k + 1]
    denom = left - 2 * centre + right
    shift = 0.5 * (left - right) / denom if abs(denom) > 1e-9 else 0.0
    return float(offsets[centres[k]] + np.clip(shift, -1, 1) * 0.5)


def _check_shape(
    corners: np.ndarray, frame_size: tuple[int, int], screen_size: tuple[int, int]
) -> None:
    """Refuse an outline whose rectangle has not the screen's width/height (a bezel's or a
    lid's outline, a window's edge taken for a side)."""
    seen = rectangle_aspect(corners, frame_size)
    expected = screen_size[0] / screen_size[1]
    if abs(seen / expected - 1) > MAX_ASPECT_ERROR:
        raise CalibrationError(
            f"the outline found is not the screen's: its width/height is {seen:.3f}, a "
            f"{screen_size[0]}x{screen_size[1]} screen's is {expected:.3f} (a lid's, a "
            "bezel's or a window's edge; or is the station's screen size wrong?)"
        )


def screen_outline(screen_size: tuple[int, int]) -> np.ndarray:
    """The screen's outer corners TL, TR, BR, BL in screen pixel coordinates."""
    w, h = screen_size
    return np.array([[-0.5, -0.5], [w - 0.5, -0.5], [w - 0.5, h - 0.5], [-0.5, h - 0.5]])


def corner_pixels(screen_size: tuple[int, int]) -> np.ndarray:
    """Centres of the screen's corner pixels TL, TR, BR, BL in screen coordinates."""
    w, h = screen_size
    return np.array([[0.0, 0.0], [w - 1.0, 0.0], [w - 1.0, h - 1.0], [0.0, h - 1.0]])


@dataclass
class Calibration:
    """One camera looking at one laptop screen: corners, homography, lens and confidence."""

    screen_size: tuple[int, int]
    corners: np.ndarray
    """Frame positions (raw pixels) of the centres of the screen's corner pixels (0, 0),
    (W-1, 0), (W-1, H-1) and (0, H-1): TL, TR, BR, BL, (4, 2)."""
    homography: np.ndarray
    """3x3, from undistorted frame pixels to screen pixels."""
    lens: Lens
    """The lens model the homography assumes (calibrated, or estimated from the screen)."""
    confidence: float
    """0..1: how clearly the four sides were seen and how straight they are."""
    frame_size: tuple[int, int]
    _maps: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)

    # -- building ------------------------------------------------------------------
    @classmethod
    def from_frame(
        cls,
        frame: np.ndarray,
        screen_size: tuple[int, int] = (1920, 1080),
        lens: Lens | None = None,
    ) -> Calibration:
        """Calibrate from one camera frame, or raise CalibrationError if no screen is seen."""
        grey = to_grey(check_image(frame, "frame"))
        size = (grey.shape[1], grey.shape[0])
        if lens is not None and lens.image_size != size:
            raise VisionInputError(
                f"lens calibrated for {lens.image_size[0]}x{lens.image_size[1]} frames, "
                f"frame is {size[0]}x{size[1]}"
            )
        guesses = coarse_screens(frame)
        if not guesses:
            raise CalibrationError("no screen quadrilateral found in the frame")
        # the likelier guess first; the next where its sides were not found or do not
        # have the screen's shape (a lid's or a bezel's outline: a confident wrong outline
        # is worse than a refusal)
        refusals: list[CalibrationError] = []
        for coarse in guesses:
            try:
                lines, model, confidence = _outline(frame, coarse, lens, size, screen_size)
                break
            except CalibrationError as refusal:
                refusals.append(refusal)
        else:
            # none had the screen's shape: a side may lie on a border too faint to search
            # (a top bar a grey level above the bezel); tried last, on each outline in turn
            for refused in refusals:
                found = None
                if isinstance(refused, _OffShape):
                    found = _with_faint_side(frame, refused, lens, size, screen_size)
                if found is not None:
                    lines, model, confidence = found
                    break
            else:
                if all(guess.outline is None for guess in guesses):
                    raise _nothing_inside(frame, guesses[0], refusals[0])
                raise refusals[0]
        homography = cv2.getPerspectiveTransform(
            _corners(lines).astype(np.float32), screen_outline(screen_size).astype(np.float32)
        )
        calibration = cls(
            screen_size=screen_size,
            corners=np.zeros((4, 2)),
            homography=homography.astype(np.float64),
            lens=model,
            confidence=round(confidence, 4),
            frame_size=size,
        )
        calibration.corners = calibration.screen_to_frame(corner_pixels(screen_size))
        return calibration

    # -- mapping points and frames -------------------------------------------------
    def frame_to_screen(self, points: np.ndarray) -> np.ndarray:
        """Screen pixel positions of raw frame points, (N, 2) -> (N, 2)."""
        ideal = self.lens.undistort_points(points)
        return cv2.perspectiveTransform(ideal.reshape(-1, 1, 2), self.homography).reshape(-1, 2)

    def screen_to_frame(self, points: np.ndarray) -> np.ndarray:
        """Raw frame positions of screen pixel points, (N, 2) -> (N, 2)."""
        pts = np.asarray(points, np.float64).reshape(-1, 1, 2)
        ideal = cv2.perspectiveTransform(pts, np.linalg.inv(self.homography)).reshape(-1, 2)
        return self.lens.distort_points(ideal)

    def _rectify_maps(self) -> tuple[np.ndarray, np.ndarray]:
        """Where each screen pixel lies in the frame, as OpenCV's fixed-point maps.

        The lens and perspective are smooth, so the mapping is computed exactly on a grid
        every :data:`_MAP_STEP` screen pixels and interpolated between (within 0.002 px of
        the exact map for a strong wide-angle lens, under the fixed-point maps' 1/32 px;
        80 times faster at 1920x1080: a station's first look and a stop's last picture
        must not wait seconds for it).
        """
        if self._maps is None:
            w, h = self.screen_size
            grid_x = np.arange(0, w + _MAP_STEP, _MAP_STEP, dtype=np.float64)
            grid_y = np.arange(0, h + _MAP_STEP, _MAP_STEP, dtype=np.float64)
            xs, ys = np.meshgrid(grid_x, grid_y)
            frame = self.screen_to_frame(np.column_stack([xs.ravel(), ys.ravel()]))
            coarse = frame.reshape(len(grid_y), len(grid_x), 2).astype(np.float32)
            at_x, at_y = np.meshgrid(
                np.arange(w, dtype=np.float32) / _MAP_STEP,
                np.arange(h, dtype=np.float32) / _MAP_STEP,
            )
            fine = cv2.remap(coarse, at_x, at_y, cv2.INTER_LINEAR)
            self._maps = cv2.convertMaps(fine[..., 0], fine[..., 1], cv2.CV_16SC2)
        return self._maps

    def rectify(self, frame: np.ndarray) -> np.ndarray:
        """The screen image (screen_size pixels) seen in a raw frame from this camera."""
        frame = check_image(frame, "frame")
        if (frame.shape[1], frame.shape[0]) != self.frame_size:
            raise VisionInputError(
                f"frame is {frame.shape[1]}x{frame.shape[0]}, calibration was made on "
                f"{self.frame_size[0]}x{self.frame_size[1]} frames"
            )
        map1, map2 = self._rectify_maps()
        return cv2.remap(frame, map1, map2, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)

    # -- files ---------------------------------------------------------------------
    def to_dict(self) -> dict[str, object]:
        """The JSON contract of ``rtest vision calibrate`` plus what reloading needs."""
        return {
            "corners": [[round(float(x), 3), round(float(y), 3)] for x, y in self.corners],
            "homography": self.homography.tolist(),
            "confidence": self.confidence,
            "screen_size": list(self.screen_size),
            "frame_size": list(self.frame_size),
            "lens": self.lens.to_dict(),
        }

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=2) + "\n")

    @classmethod
    def load(cls, path: str | Path) -> Calibration:
        file = Path(path)
        try:
            data = json.loads(file.read_text())
            lens = Lens.from_dict(data["lens"], str(file))
            calibration = cls(
                screen_size=(int(data["screen_size"][0]), int(data["screen_size"][1])),
                corners=np.array(data["corners"], np.float64).reshape(4, 2),
                homography=np.array(data["homography"], np.float64).reshape(3, 3),
                lens=lens,
                confidence=float(data["confidence"]),
                frame_size=(int(data["frame_size"][0]), int(data["frame_size"][1])),
            )
        except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
            raise VisionInputError(f"{file}: not a screen calibration file ({exc})") from None
        return calibration


_SIDE_NAMES = ("top", "right", "bottom", "left")


def _unclear(
    frame: np.ndarray, quad: np.ndarray, surround: np.ndarray, sides: list[SideFit]
) -> CalibrationError:
    return CalibrationError(
        "no screen quadrilateral found in the frame: its sides are not clear "
        f"({_what_was_seen(frame, quad, surround, sides)})"
    )


def _nothing_inside(
    frame: np.ndarray, outline: CoarseScreen, refusal: CalibrationError
) -> CalibrationError:
    """The station error when the coarse step found no screen inside the only outline it
    saw (a lid's) and that outline is not the screen: what it saw in from the outline's
    sides (a light rim, a bezel, a screen's border only a few grey levels from it)."""
    levels = ", ".join(f"{level:.0f}" for level in brightness_inside(frame, outline.corners))
    return CalibrationError(
        "no screen found inside the lid: the coarse step saw no flat bezel with a screen "
        f"inside it in from the outline's sides (brightness in bands 0.5% of its width deep: "
        f"{levels}; a screen as dark as its bezel at its border?), and the outline itself "
        f"is not the screen: {refusal}"
    )


def _what_was_seen(
    frame: np.ndarray, quad: np.ndarray, surround: np.ndarray, sides: list[SideFit]
) -> str:
    """What a station error says it saw: each side's edge support and the screen's contrast.

    The contrast is how far the screen's pixels just inside each side are from the
    surround (largest channel difference, grey levels): a dark desktop behind a dark
    bezel gives the edge finder nothing to hold on to, and a QA engineer should then
    calibrate on a brighter frame (a BIOS screen, a login screen).
    """
    seen = []
    centre = quad.mean(axis=0)
    colour = frame if frame.ndim == 3 else cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
    for i, side in enumerate(sides):
        start, end = quad[i], quad[(i + 1) % 4]
        inside = np.linspace(start, end, 32)[2:-2]
        inside = inside + 0.03 * (centre - inside)
        xs = np.clip(inside[:, 0].round().astype(int), 0, colour.shape[1] - 1)
        ys = np.clip(inside[:, 1].round().astype(int), 0, colour.shape[0] - 1)
        difference = np.abs(colour[ys, xs, :3].astype(np.float32) - surround.astype(np.float32))
        contrast = float(np.median(difference.max(axis=1)))
        seen.append(f"{_SIDE_NAMES[i]} edge support {side.support:.2f}, contrast {contrast:.0f}")
    return "; ".join(seen)


_PRE_SMOOTH = 1.5
"""Gaussian sigma (pixels) applied to the frame before its difference from the bezel: the
difference's absolute value would otherwise turn sensor noise into a floor (5 grey levels
at noise 4) that hides a dark top bar 7 grey levels from a black bezel."""


def _unlike(frame: np.ndarray, surround: np.ndarray) -> np.ndarray:
    """How much each pixel differs from the screen's surround (float32, lightly smoothed).

    Edges are measured on this rather than on grey levels: a blue BIOS screen and a dark
    bezel can have the same grey level but never the same colour. The screen is always
    more unlike the bezel than the bezel itself, so its border is a rising step inward.
    """
    smooth = cv2.GaussianBlur(frame, (0, 0), _PRE_SMOOTH).astype(np.float32)
    if frame.ndim == 2:
        return np.abs(smooth - float(surround.mean()))
    return np.abs(smooth[:, :, :3] - surround.astype(np.float32)).max(axis=2)


def _inward(base: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """Unit normals of the polyline *base*, pointing towards *centre*."""
    tangent = np.gradient(base, axis=0)
    tangent /= np.linalg.norm(tangent, axis=1, keepdims=True) + 1e-12
    normal = np.column_stack([-tangent[:, 1], tangent[:, 0]])
    flip = np.sum((centre - base) * normal, axis=1) < 0
    normal[flip] *= -1
    return normal


def _corners(lines: list[Line]) -> np.ndarray:
    """TL, TR, BR, BL as intersections of the top, right, bottom and left lines."""
    out = []
    for i in range(4):
        previous = lines[(i - 1) % 4]
        current = lines[i]
        out.append(intersect(previous[0], previous[1], current[0], current[1]))
    return np.array(out)
