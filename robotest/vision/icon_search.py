"""Finding an icon on a screen: coarse-to-fine multi-scale template matching, scored in colour.

Matching uses normalised correlation (``TM_CCOEFF_NORMED``) on grey levels, which is
blind to brightness and contrast changes. Rather than sliding every version at every
scale over the full screen, the screen and the scaled versions are first reduced (one
pyramid level chosen from the icon's size; masked versions are compared only where
they are opaque already there, and a version that grey flattens is searched on the
colour channel where it spreads most); every place found there gets a quick look at
half resolution, and the best are matched again at full resolution over nearby scales
with the alpha mask. Where both the screen and the version have colour, places are
ranked and scored in colour: normalised correlation of the BGR pixels (each channel's
mean removed), still blind to brightness, contrast and white balance, but seeing parts
that differ in hue and hardly in grey (a yellow folder on a light tile); the score is
the mean of the whole icon's correlation and its worst half's, so a look-alike sharing
half of the icon's artwork stays under the threshold. The best place is always
reported, found or not, with the score measured there, so a failed step can show what
came closest.

Speed: correlations over the reduced screen are computed from Fourier transforms made
once per screen, and what a search derives from the screen (grey levels, pyramid,
transforms, window spreads) is kept for the next queries on the same frame, which the
runtime often makes for several icons.

The stages, one module each: :mod:`~robotest.vision.coarse_search` (the reduced screen),
:mod:`~robotest.vision.fine_search` (quick looks and full-resolution refits),
:mod:`~robotest.vision.place_scores` (colour and structure),
:mod:`~robotest.vision.place_refits` (other versions and sizes at a place near the
threshold), over the places of :mod:`~robotest.vision.icon_candidates`; every knob is a
field of :class:`~robotest.vision.match_parameters.MatchParameters`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from robotest.vision.coarse_search import Peaks, coarse_candidates, has_full_screen_maps
from robotest.vision.fine_search import quick_look, refine
from robotest.vision.icon_candidates import Candidate, best_candidate, candidate_iou, scaled_size
from robotest.vision.icons import Icon
from robotest.vision.images import Region
from robotest.vision.match_parameters import DEFAULT, MatchParameters
from robotest.vision.place_refits import again_at_places
from robotest.vision.place_scores import passes_structure, verify, with_structure
from robotest.vision.screen_pyramid import SearchedScreen, searched_screen

SCALES = DEFAULT.scales
"""Smallest and largest icon scale searched by default, relative to the version's own size."""


@dataclass(frozen=True)
class IconMatch:
    """The best place for an icon; ``found`` only when its score reached the threshold."""

    found: bool
    box: Region | None
    score: float
    scale: float | None
    version: str | None
    threshold: float
    rival: str | None = None
    """The look-alike that fitted this place as well or better (then ``found`` is False)."""
    structure: float | None = None
    """Orientation similarity of the place's edges with the icon's (found only at or above
    ``MatchParameters.structure_floor``; None: not measured)."""

    @property
    def center(self) -> tuple[int, int] | None:
        if self.box is None:
            return None
        x, y, w, h = self.box
        return (x + w // 2, y + h // 2)

    def to_dict(self) -> dict[str, object]:
        """The JSON contract of ``rtest vision locate``."""
        return {
            "found": self.found,
            "box": list(self.box) if self.box else None,
            "center": list(self.center) if self.center else None,
            "score": round(self.score, 4),
            "scale": round(self.scale, 4) if self.scale else None,
            "version": self.version,
            **({"rival": self.rival} if self.rival else {}),
        }


def locate(
    screen: np.ndarray,
    icon: Icon,
    region: Region | None = None,
    threshold: float | None = None,
    scales: tuple[float, float] | None = None,
    params: MatchParameters | None = None,
) -> IconMatch:
    """The best match of any version of *icon* on *screen* (optionally inside *region*).

    *params* (else the icon's own, else :data:`DEFAULT`) sets the search; *threshold* and
    *scales*, when given, override its fields of the same names.
    """
    p, limit = _parameters(icon, threshold, scales, params)
    peaks: Peaks = {}
    looks = FineLooks()
    lazy = p.edge_places > 0 and p.edge_after > 0
    if p.early_found > 0 and has_full_screen_maps(icon, p):
        view, candidates = _search(
            screen,
            icon,
            region,
            p,
            p.candidates,
            limit,
            peaks=peaks,
            full_screen=False,
            edges=not lazy,
            looks=looks,
        )
        early = _early_match(view, icon, candidates, max(limit, p.early_found), p)
        if early is not None:
            return _as_match(early, limit, p)
    if lazy:
        # the grey maps first: the edge maps only where their places do not answer
        view, candidates = _search(
            screen, icon, region, p, p.candidates, limit, peaks=peaks, edges=False, looks=looks
        )
        answer = _best_checked(view, icon, candidates, limit, p)
        if answer.found and answer.score >= p.edge_after:
            return answer
    view, candidates = _search(
        screen, icon, region, p, p.candidates, limit, peaks=peaks, looks=looks
    )
    return _best_checked(view, icon, candidates, limit, p)


def _best_checked(
    view: SearchedScreen,
    icon: Icon,
    candidates: list[Candidate],
    limit: float,
    p: MatchParameters,
) -> IconMatch:
    """The best of *candidates* at or above *limit* that passes the structure check, else
    the best refused one (or the best of all, checked, when none reaches *limit*)."""
    ranked = sorted(candidates, key=lambda c: -c.score)
    refused: Candidate | None = None
    for candidate in ranked:
        if candidate.score < limit:
            break
        checked = with_structure(view, icon, candidate, p)
        if passes_structure(checked, p):
            return _as_match(checked, limit, p)
        refused = refused or checked
    if refused is None and ranked:
        refused = with_structure(view, icon, ranked[0], p)
    return _as_match(refused, limit, p)


def _early_match(
    view: SearchedScreen,
    icon: Icon,
    candidates: list[Candidate],
    bar: float,
    p: MatchParameters,
) -> Candidate | None:
    """The best of *candidates* when it reaches *bar* and passes the structure check."""
    best = best_candidate(candidates)
    if best is None or best.score < bar:
        return None
    checked = with_structure(view, icon, best, p)
    return checked if passes_structure(checked, p) else None


def find_all(
    screen: np.ndarray,
    icon: Icon,
    region: Region | None = None,
    threshold: float | None = None,
    scales: tuple[float, float] | None = None,
    max_results: int = 50,
    params: MatchParameters | None = None,
) -> list[IconMatch]:
    """Every place where *icon* is found, best first, overlapping matches suppressed."""
    p, limit = _parameters(icon, threshold, scales, params)
    view, refined = _search(
        screen, icon, region, p, max_results * 2, limit, refine_all=True, full_screen=True
    )
    kept: list[Candidate] = []
    for candidate in sorted(refined, key=lambda c: -c.score):
        if candidate.score < limit or len(kept) >= max_results:
            break
        if all(candidate_iou(candidate, o) < 0.3 for o in kept):
            checked = with_structure(view, icon, candidate, p)
            if passes_structure(checked, p):
                kept.append(checked)
    return [_as_match(c, limit, p) for c in kept]


def score_at(
    screen: np.ndarray, icon: Icon, box: Region, params: MatchParameters | None = None
) -> float:
    """The best score of any version of *icon* at *box* (screen pixels), at about its size.

    Each version is refined at full resolution around the box (a few pixels and scales
    around the box's size) and scored in colour, as the search scores the places it
    refines; no coarse search. -1 where no version fits on the screen there.
    """
    return place_at(screen, icon, box, params).score


def place_at(
    screen: np.ndarray, icon: Icon, box: Region, params: MatchParameters | None = None
) -> IconMatch:
    """:func:`score_at`'s best place: the box, version and score of the best version
    refined at *box* (``found`` when the score reaches the threshold; no structure
    check); score -1 and no box where no version fits on the screen there."""
    p, limit = _parameters(icon, None, None, params)
    view = searched_screen(screen, None)
    x, y, w, h = box
    best: Candidate | None = None
    for version in icon.versions:
        scale = min(w, h) / min(version.size)
        vw, vh = scaled_size(version, scale)
        cx, cy = x + w / 2, y + h / 2
        start = Candidate(0.0, round(cx - vw / 2), round(cy - vh / 2), vw, vh, scale, version, 2)
        refined = refine(view.grey, icon, start, p)
        if refined is not None:
            best = best_candidate([best, verify(view, icon, refined, p)])
    if best is None:
        return IconMatch(False, None, -1.0, None, None, limit)
    return IconMatch(
        best.score >= limit,
        (best.x, best.y, best.w, best.h),
        float(best.score),
        best.scale,
        best.version.name,
        limit,
    )


def _parameters(
    icon: Icon,
    threshold: float | None,
    scales: tuple[float, float] | None,
    params: MatchParameters | None,
) -> tuple[MatchParameters, float]:
    """The parameters of one query and the score that counts as found."""
    p = params or icon.params or DEFAULT
    if scales is not None:
        p = p.override(scales=tuple(scales))
    if threshold is not None:
        p = p.override(threshold=threshold)
    return p, icon.threshold if p.threshold is None else p.threshold


def _as_match(candidate: Candidate | None, limit: float, p: MatchParameters) -> IconMatch:
    if candidate is None:
        return IconMatch(False, None, 0.0, None, None, limit)
    return IconMatch(
        found=candidate.score >= limit and passes_structure(candidate, p),
        box=(candidate.x, candidate.y, candidate.w, candidate.h),
        score=float(candidate.score),
        scale=candidate.scale,
        version=candidate.version.name,
        threshold=limit,
        structure=candidate.structure,
    )


def _search(
    screen: np.ndarray,
    icon: Icon,
    region: Region | None,
    p: MatchParameters,
    keep: int,
    limit: float,
    refine_all: bool = False,
    peaks: Peaks | None = None,
    full_screen: bool = True,
    edges: bool = True,
    looks: FineLooks | None = None,
) -> tuple[SearchedScreen, list[Candidate]]:
    """Coarse candidates over the pyramid levels, the best refined at full resolution.

    Every candidate looked at is scored in colour (when there is colour), so a grey
    look-alike cannot pass on grey alone; the colour score also ranks the quick looks
    for the full-resolution search. Returned in screen pixels, with the searched view
    (for the structure check of the few that reach the threshold). Without
    *full_screen*, versions whose coarse level is the screen itself are left out;
    without *edges*, the coarse edge maps' places. *peaks* keeps each coarse map's best
    places, *looks* each place's fine looks, for a later search of the same query.
    """
    view = searched_screen(screen, region)
    floor = limit - p.coarse_slack
    looks = FineLooks() if looks is None else looks
    coarse = coarse_candidates(view, icon, p, keep, floor, peaks, full_screen, edges)
    # a quick look at every candidate (half resolution, three nearby scales), then the
    # full-resolution search only for the most promising ones
    quick = [q for q in (looks.quick(view, icon, c, p, limit) for c in coarse) if q is not None]
    quick.sort(key=lambda c: -c.score)
    refine_count = len(quick) if refine_all else p.refine_top
    refined = [looks.refined(view, icon, c, p, limit) for c in quick[:refine_count]]
    verified = [c for c in refined if c is not None]
    verified += again_at_places(
        view, icon, verified, limit, p, lambda c: looks.refined(view, icon, c, p, limit)
    )
    verified += quick
    ox, oy = view.origin
    return view, [replace(c, x=c.x + ox, y=c.y + oy) for c in verified]


class FineLooks:
    """The fine looks of one query's places, each made once.

    ``locate``'s searches before the whole one (without the full-screen maps, without
    the edge maps) look at most of the same places again: the same coarse candidates,
    refined and refitted the same way. A place's look depends only on the place, the
    screen, the icon and the query's parameters, so it is kept by the place.
    """

    def __init__(self) -> None:
        self._quick: dict[tuple[object, ...], Candidate | None] = {}
        self._refined: dict[tuple[object, ...], Candidate | None] = {}

    def quick(
        self, view: SearchedScreen, icon: Icon, coarse: Candidate, p: MatchParameters, limit: float
    ) -> Candidate | None:
        """:func:`~.fine_search.quick_look` at a coarse place, scored in colour (no outline)."""
        key = _place_key(coarse)
        if key not in self._quick:
            found = quick_look(view, icon, coarse, p)
            self._quick[key] = None if found is None else verify(view, icon, found, p, limit, False)
        return self._quick[key]

    def refined(
        self, view: SearchedScreen, icon: Icon, start: Candidate, p: MatchParameters, limit: float
    ) -> Candidate | None:
        """:func:`~.fine_search.refine` from a place, scored in colour."""
        key = _place_key(start)
        if key not in self._refined:
            found = refine(view.grey, icon, start, p)
            self._refined[key] = None if found is None else verify(view, icon, found, p, limit)
        return self._refined[key]


def _place_key(place: Candidate) -> tuple[object, ...]:
    """What a fine look at *place* depends on: its box, scale, version and step (the
    coarse score only ranks places, it does not change the look)."""
    return (place.x, place.y, place.w, place.h, place.scale, place.version.name, place.factor)
