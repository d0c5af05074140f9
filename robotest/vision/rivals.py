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

import numpy as np

from robotest.vision.icon_search import IconMatch, locate, score_at
from robotest.vision.icons import Icon
from robotest.vision.images import Region, clip_region, iou
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
        score = rival_score(screen, rival, match.box, p)
        if score >= match.score - p.rival_margin:
            return replace(match, found=False, rival=rival.name)
    return match


def rival_score(screen: np.ndarray, rival: Icon, box: Region, p: MatchParameters) -> float:
    """The best score of *rival* over *box* (a fifth of its side around), at about its size.

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
    best = found.score if found.box is not None else -1.0
    if p.rival_reach > 0:
        pad = max(2, round(side * p.rival_reach))
        wide = locate(screen, near, region=_around(screen, box, pad), params=searched)
        if wide.box is not None and iou(wide.box, box) >= _OVERLAP:
            best = max(best, wide.score)
    if p.sizes_at_place:
        anywhere = p.override(scales=(0.1, 8.0), min_side=3)
        best = max(best, score_at(screen, rival, box, anywhere))
    return best


_OVERLAP = 1 / 3
"""A rival found further around (``rival_reach``) counts where its box overlaps the
found one by this much (intersection over union)."""


def _around(screen: np.ndarray, box: Region, pad: int) -> Region:
    """*box* and *pad* pixels around it, inside the screen."""
    x, y, w, h = box
    return clip_region((x - pad, y - pad, w + 2 * pad, h + 2 * pad), screen.shape)
