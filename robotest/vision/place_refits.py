"""Places near the threshold refitted with every version and at other sizes: the OS may
show another drawing of the icon there, or the place was kept at a part of it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial

from robotest.vision.fine_search import refine
from robotest.vision.icon_candidates import Candidate, lowest_scale, scaled_size
from robotest.vision.icons import Icon
from robotest.vision.match_parameters import MatchParameters
from robotest.vision.place_scores import verify
from robotest.vision.screen_pyramid import SearchedScreen


def again_at_places(
    view: SearchedScreen,
    icon: Icon,
    refined: list[Candidate],
    limit: float,
    p: MatchParameters,
    refit: Callable[[Candidate], Candidate | None] | None = None,
) -> list[Candidate]:
    """Every version refined again at the *refined* places near the threshold, scored.

    *refit* refines and scores one start (default: :func:`.refine`, then :func:`.verify`
    at *limit*); ``locate`` passes one that keeps what it made for its later searches.

    Only places scoring at least *limit* less ``p.again_slack`` are looked at again (see
    :func:`starts_at_place`), and places under that but at least *limit* less
    ``p.versions_slack`` with the other versions only (the OS may show another drawing
    there). (Skipping a start whose version was already refined near the same place and
    scale was tried: it moved found boxes 1-2 px off the exact one and lost a held-out
    match.)
    """
    if not p.sizes_at_place and not p.own_sizes_at_place:
        return []
    floor = limit - p.again_slack
    if refit is None:
        refit = partial(_refit, view, icon, p, limit)
    scored: list[Candidate] = []
    for place in refined:
        if place.score >= floor:
            starts = starts_at_place(icon, place, p, place.score < limit)
        elif place.score >= limit - p.versions_slack:
            starts = starts_at_place(icon, place, p, missed=False)
        else:
            continue
        for start in starts:
            again = refit(start)
            if again is not None:
                scored.append(again)
    return scored


def _refit(
    view: SearchedScreen, icon: Icon, p: MatchParameters, limit: float, start: Candidate
) -> Candidate | None:
    """*start* refined at full resolution and scored in colour (None: no room there)."""
    again = refine(view.grey, icon, start, p)
    return None if again is None else verify(view, icon, again, p, limit)


def starts_at_place(
    icon: Icon, place: Candidate, p: MatchParameters, missed: bool = True
) -> list[Candidate]:
    """Where every version is refined again at a refined *place*, at ``p.sizes_at_place``,
    and, where the place is *missed* (under the threshold), the place's own version at
    ``p.own_sizes_at_place``.

    The coarse search looks at each size with the versions drawn near it, one scale per
    version and place; the OS may show another drawing there (its 32 px one at 48 px), or
    the place was kept at a part of the icon (a 96 px icon found at 72 px). Each start is
    centred on the place, at a scale within ``p.scales`` and not under ``p.min_side``.
    """
    side = min(place.w, place.h)
    cx, cy = place.x + place.w / 2, place.y + place.h / 2
    starts = []
    tried = [(size, v) for size in p.sizes_at_place for v in icon.versions]
    if missed:  # a place already at the threshold is found: no larger refit needed
        tried += [(size, place.version) for size in p.own_sizes_at_place]
    for size, version in tried:
        scale = side * size / min(version.size)
        same = version is place.version and abs(scale / place.scale - 1) < 0.01
        if same or not p.scales[0] <= scale <= p.scales[1]:
            continue
        if scale < lowest_scale(version, p):
            continue
        w, h = scaled_size(version, scale)
        start = replace(
            place,
            x=round(cx - w / 2),
            y=round(cy - h / 2),
            w=w,
            h=h,
            version=version,
            scale=scale,
            factor=1 if size == 1 else 2,
            grey_score=None,
        )
        starts.append(start)
    return starts
