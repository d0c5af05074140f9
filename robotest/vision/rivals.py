"""The look-alike check: a match counts only if no rival icon fits that place as well.

Icons of one theme often differ in a small emblem (Tango's ``connect_creating`` and
``connect_established``, a folder with a music or a video sign): correlation over the
whole icon scores the look-alike 0.8 and more, above any threshold that keeps the true
icon's other-size drawings. What tells them apart is which of the two fits *better*:
at the place found, each rival (another icon the script knows, e.g. the other icons of
its folder) is searched at the size found; the match is kept only when its own score is
at least ``MatchParameters.rival_margin`` above every rival's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

import cv2
import numpy as np

from robotest.vision.icon_search import IconMatch, locate, place_at
from robotest.vision.icons import Icon, IconVersion
from robotest.vision.images import Region, clip_region, iou, union
from robotest.vision.match_parameters import DEFAULT, MatchParameters

_REACH = 1.2
"""A rival is searched at the found size within this ratio, over the found box and a
fifth of its side around."""


def locate_distinct(
    screen: np.ndarray,
    icon: Icon,
    rivals: Sequence[Icon],
    region: Region | None = None,
    params: MatchParameters | None = None,
) -> IconMatch:
    """:func:`~robotest.vision.icon_search.locate`, then the match refused where a rival fits.

    A refused match keeps its place and score, with ``found`` False and ``rival`` naming
    the icon that fitted as well (within the margin) or better.
    """
    match = locate(screen, icon, region=region, params=params)
    if not match.found or match.box is None:
        return match
    p = params or icon.params or DEFAULT
    for rival in rivals:
        if rival.name == icon.name:
            continue
        if rival_fits(screen, icon, rival, match.box, match.score, p):
            return replace(match, found=False, rival=rival.name)
    return match


def rival_fits(
    screen: np.ndarray, icon: Icon, rival: Icon, box: Region, score: float, p: MatchParameters
) -> bool:
    """Whether *rival* fits the place where *icon* was found (*box*, *score*) as well.

    It does where its best score there (:func:`rival_place`) is within ``p.rival_margin``
    of *score*, unless (with ``p.rival_difference``) the pixels where the two drawings
    differ tell them apart (:func:`difference_score`): a rival whose drawing is a part
    of the icon's scores as high on its own opaque pixels alone.
    """
    place = rival_place(screen, rival, box, p)
    if place.score < score - p.rival_margin:
        return False
    if p.rival_difference <= 0 or place.box is None or place.version is None:
        return True
    version = next(v for v in rival.versions if v.name == place.version)
    difference = difference_score(screen, icon, box, version, place.box, p.rival_blurs)
    return difference < p.rival_difference


def rival_score(screen: np.ndarray, rival: Icon, box: Region, p: MatchParameters) -> float:
    """:func:`rival_place`'s score."""
    return rival_place(screen, rival, box, p).score


def rival_place(screen: np.ndarray, rival: Icon, box: Region, p: MatchParameters) -> IconMatch:
    """The best place of *rival* over *box* (a fifth of its side around), at about its size.

    The rival's version drawn nearest to the box's size is searched, at scales that show
    it within ``_REACH`` of the box's side; with ``p.sizes_at_place`` (the icon itself
    scored with every version at its place) every version of the rival is also refined
    at the box (:func:`~robotest.vision.icon_search.score_at`), the best score kept. With
    ``p.rival_reach``, it is also searched over *box* and that much of its side around,
    and counted where its box overlaps *box* by a third (intersection over union).
    """
    side = min(box[2], box[3])
    version = min(rival.versions, key=lambda v: abs(math.log(side / min(v.size))))
    own = side / min(version.size)
    near = Icon(rival.name, (version,), rival.threshold, templates=rival.templates)
    searched = p.override(scales=(max(0.1, own / _REACH), min(8.0, own * _REACH)), min_side=3)
    found = locate(screen, near, region=_around(screen, box, max(2, side // 5)), params=searched)
    best = found if found.box is not None else replace(found, score=-1.0)
    if p.rival_reach > 0:
        pad = max(2, round(side * p.rival_reach))
        wide = locate(screen, near, region=_around(screen, box, pad), params=searched)
        if wide.box is not None and iou(wide.box, box) >= _OVERLAP and wide.score > best.score:
            best = wide
    if p.sizes_at_place:
        anywhere = p.override(scales=(0.1, 8.0), min_side=3)
        at = place_at(screen, rival, box, anywhere)
        if at.score > best.score:
            best = at
    return best


def difference_score(
    screen: np.ndarray,
    icon: Icon,
    box: Region,
    rival: IconVersion,
    rival_box: Region,
    blurs: tuple[float, ...] = (0.0,),
) -> float:
    """How much better *icon* (its best version drawn at *box*) explains the screen than
    the *rival*'s version drawn at *rival_box*, on the pixels where the two drawings
    differ: -1..1 (1: only the icon's drawing fits there, -1: only the rival's, 0: alike
    or too few pixels differ).

    Each drawing is composited with its own alpha (faint strokes included) over the
    background around the two boxes (the screen's median colour on a ring just outside
    them); the screen's brightness and contrast are fitted, channel by channel, on the
    opaque pixels the two drawings share; then the mean squared errors of the two
    drawings over the pixels where they differ by more than ``_DIFFERENT`` grey levels
    are compared: (rival's - icon's) / (rival's + icon's).

    The errors are measured with both drawings smoothed alike by each of *blurs*
    (Gaussian sigma in pixels, 0: sharp; the pixels that differ are the sharp
    drawings'), at the smoothing where the better fitting of the two drawings fits the
    screen best: a blurred or photographed screen shows a thin emblem fainter than
    either sharp drawing (see ``MatchParameters.rival_blurs``).
    """
    canvas = _union(box, rival_box, screen.shape)
    if canvas is None:
        return 0.0
    patch, background = _patch_and_background(screen, canvas)
    rival_drawn = _drawn(rival, rival_box, canvas, background)
    best = -1.0
    for version in icon.versions:
        drawn = _drawn(version, box, canvas, background)
        best = max(best, _difference(patch, drawn, rival_drawn, blurs))
    return best


_DIFFERENT = 48.0
"""Grey levels (largest over the channels) by which the two composited drawings differ at a
pixel that tells them apart."""
_FEWEST_DIFFERENT = 12
"""Fewer differing pixels than this (or than 2% of the compared ones): the drawings are
alike there, nothing tells them apart."""


def _union(a: Region, b: Region, shape: tuple[int, ...]) -> Region | None:
    """The box holding *a* and *b* (None when it leaves the screen)."""
    x, y, w, h = union((a, b))
    return None if x < 0 or y < 0 or x + w > shape[1] or y + h > shape[0] else (x, y, w, h)


def _patch_and_background(screen: np.ndarray, canvas: Region) -> tuple[np.ndarray, np.ndarray]:
    """The screen's BGR pixels under *canvas* (float) and the median colour of a ring two
    pixels wide just outside it (inside the screen)."""
    colour = screen if screen.ndim == 3 else cv2.cvtColor(screen, cv2.COLOR_GRAY2BGR)
    colour = colour[:, :, :3].astype(np.float32)
    x, y, w, h = canvas
    x0, y0 = max(0, x - 2), max(0, y - 2)
    x1, y1 = min(colour.shape[1], x + w + 2), min(colour.shape[0], y + h + 2)
    around = colour[y0:y1, x0:x1]
    ring = np.ones(around.shape[:2], bool)
    ring[y - y0 : y - y0 + h, x - x0 : x - x0 + w] = False
    pixels = around[ring] if ring.any() else around.reshape(-1, 3)
    return colour[y : y + h, x : x + w], np.median(pixels, axis=0).astype(np.float32)


def _drawn(
    version: IconVersion, box: Region, canvas: Region, background: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """*version* resized to *box* and composited over *background* on *canvas*: its BGR
    pixels there and its opacity (0-1)."""
    cx, cy, cw, ch = canvas
    x, y, w, h = box
    colour = version.colour
    if colour is None:
        colour = cv2.cvtColor(version.grey, cv2.COLOR_GRAY2BGR)
    alpha = version.alpha if version.alpha is not None else version.mask
    if alpha is None:
        alpha = np.full(version.grey.shape, 255, np.uint8)
    opacity = np.zeros((ch, cw), np.float32)
    resized = cv2.resize(alpha, (w, h), interpolation=cv2.INTER_AREA).astype(np.float32) / 255
    opacity[y - cy : y - cy + h, x - cx : x - cx + w] = resized
    pixels = np.zeros((ch, cw, 3), np.float32)
    drawn = cv2.resize(colour, (w, h), interpolation=cv2.INTER_AREA).astype(np.float32)
    pixels[y - cy : y - cy + h, x - cx : x - cx + w] = drawn
    composite = pixels * opacity[:, :, None] + background * (1 - opacity[:, :, None])
    return composite, opacity


def _difference(
    patch: np.ndarray,
    icon: tuple[np.ndarray, np.ndarray],
    rival: tuple[np.ndarray, np.ndarray],
    blurs: tuple[float, ...],
) -> float:
    """(rival's error - icon's) / (the sum) on the pixels where the two drawings differ,
    the screen's gain and offset fitted per channel on the opaque pixels they share, at
    the smoothing of *blurs* where the lesser of the two errors is least."""
    (drawn_icon, icon_opacity), (drawn_rival, rival_opacity) = icon, rival
    apart = np.abs(drawn_icon - drawn_rival).max(axis=2)
    differ = apart > _DIFFERENT
    shared = (icon_opacity > 0.9) & (rival_opacity > 0.9) & (apart < _DIFFERENT / 4)
    compared = int(((icon_opacity > 0.1) | (rival_opacity > 0.1)).sum())
    if differ.sum() < max(_FEWEST_DIFFERENT, 0.02 * compared) or shared.sum() < 16:
        return 0.0
    own, other = min(
        (
            tuple(
                _fitted_error(patch, _blurred(d, b), shared, differ)
                for d in (drawn_icon, drawn_rival)
            )
            for b in blurs
        ),
        key=min,
    )
    return (other - own) / (other + own) if other + own > 1e-6 else 0.0


def _blurred(drawn: np.ndarray, blur: float) -> np.ndarray:
    """*drawn* smoothed by a Gaussian of *blur* pixels (unchanged for 0)."""
    if blur <= 0:
        return drawn
    smoothed: np.ndarray = cv2.GaussianBlur(drawn, (0, 0), blur, borderType=cv2.BORDER_REPLICATE)
    return smoothed


def _fitted_error(
    patch: np.ndarray, drawn: np.ndarray, shared: np.ndarray, differ: np.ndarray
) -> float:
    """Mean squared error of *drawn* over the *differ* pixels of *patch*, its gain and
    offset fitted per channel on the *shared* pixels."""
    fitted = np.empty_like(drawn)
    for c in range(3):
        model, seen = drawn[:, :, c][shared], patch[:, :, c][shared]
        spread = float(model.std())
        gain = float(np.cov(model, seen)[0, 1] / spread**2) if spread > 4 else 1.0
        gain = min(max(gain, 0.5), 2.0)
        fitted[:, :, c] = gain * (drawn[:, :, c] - model.mean()) + seen.mean()
    return float(((patch - fitted)[differ] ** 2).mean())


_OVERLAP = 1 / 3
"""A rival found further around (``rival_reach``) counts where its box overlaps the
found one by this much (intersection over union)."""


def _around(screen: np.ndarray, box: Region, pad: int) -> Region:
    """*box* and *pad* pixels around it, inside the screen."""
    x, y, w, h = box
    return clip_region((x - pad, y - pad, w + 2 * pad, h + 2 * pad), screen.shape)
