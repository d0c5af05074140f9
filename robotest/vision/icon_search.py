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
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

import cv2
import numpy as np

from robotest.vision.colour_verification import (
    ColourTemplate,
    colour_scores,
    colour_template,
)
from robotest.vision.correlation import correlate, kept_transform, transform, window_spread
from robotest.vision.icons import Icon, IconVersion
from robotest.vision.images import Region, iou
from robotest.vision.match_parameters import DEFAULT, MatchParameters
from robotest.vision.screen_pyramid import SearchedScreen, searched_screen
from robotest.vision.structure_check import orientation_similarity

SCALES = DEFAULT.scales
"""Smallest and largest icon scale searched by default, relative to the version's own size."""
_CHANNEL_GAIN = 1.8
"""A version is searched on a colour channel that spreads this many times more than grey."""
_QUICK_HALF_SIDE = 40
"""Candidates at least this big (pixels) get their quick look at half resolution."""


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


@dataclass(frozen=True)
class _Candidate:
    score: float
    x: int
    y: int
    w: int
    h: int
    scale: float
    version: IconVersion
    factor: float = 1
    """Screen pixels per step of the search that found it: how far off its place may be."""
    grey_score: float | None = None
    """The grey-level score when ``score`` is the colour one (None: not verified in colour)."""
    structure: float | None = None
    """Orientation similarity of its edges with the version's (None: not checked yet)."""


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
    peaks: _Peaks = {}
    if p.early_found > 0 and _has_full_screen_maps(icon, p):
        view, candidates = _search(
            screen, icon, region, p, p.candidates, limit, peaks=peaks, full_screen=False
        )
        early = _early_match(view, icon, candidates, max(limit, p.early_found), p)
        if early is not None:
            return _as_match(early, limit, p)
    view, candidates = _search(
        screen, icon, region, p, p.candidates, limit, peaks=peaks, full_screen=True
    )
    ranked = sorted(candidates, key=lambda c: -c.score)
    refused: _Candidate | None = None
    for candidate in ranked:
        if candidate.score < limit:
            break
        checked = _with_structure(view, icon, candidate, p)
        if _passes_structure(checked, p):
            return _as_match(checked, limit, p)
        refused = refused or checked
    if refused is None and ranked:
        refused = _with_structure(view, icon, ranked[0], p)
    return _as_match(refused, limit, p)


def _coarse_searches(icon: Icon, p: MatchParameters) -> Iterator[tuple[float, IconVersion, float]]:
    """Each coarse scale and version of *icon* searched, with its pyramid level's factor:
    a version is searched only at scales whose shown size is nearest its own drawing's."""
    for scale in _coarse_scales(p.scales, p.coarse_step):
        for version in icon.versions:
            side = min(version.size) * scale
            if scale < _lowest_scale(version, p) or not _nearest_version(
                version, side, icon.versions
            ):
                continue
            yield scale, version, _coarse_factor(icon, version, scale, p)


def _has_full_screen_maps(icon: Icon, p: MatchParameters) -> bool:
    """Whether any version and coarse scale of *icon* is searched on the full screen (else
    a first search without them would be the whole search, made twice)."""
    return any(factor == 1 for _, _, factor in _coarse_searches(icon, p))


def _early_match(
    view: SearchedScreen,
    icon: Icon,
    candidates: list[_Candidate],
    bar: float,
    p: MatchParameters,
) -> _Candidate | None:
    """The best of *candidates* when it reaches *bar* and passes the structure check."""
    best = _best(candidates)
    if best is None or best.score < bar:
        return None
    checked = _with_structure(view, icon, best, p)
    return checked if _passes_structure(checked, p) else None


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
    kept: list[_Candidate] = []
    for candidate in sorted(refined, key=lambda c: -c.score):
        if candidate.score < limit or len(kept) >= max_results:
            break
        if all(_iou(candidate, o) < 0.3 for o in kept):
            checked = _with_structure(view, icon, candidate, p)
            if _passes_structure(checked, p):
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
    best: _Candidate | None = None
    for version in icon.versions:
        scale = min(w, h) / min(version.size)
        vw, vh = _scaled_size(version, scale)
        cx, cy = x + w / 2, y + h / 2
        start = _Candidate(0.0, round(cx - vw / 2), round(cy - vh / 2), vw, vh, scale, version, 2)
        refined = _refine(view.grey, icon, start, p)
        if refined is not None:
            best = _best([best, _verify(view, icon, refined, p)])
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


def _as_match(candidate: _Candidate | None, limit: float, p: MatchParameters) -> IconMatch:
    if candidate is None:
        return IconMatch(False, None, 0.0, None, None, limit)
    return IconMatch(
        found=candidate.score >= limit and _passes_structure(candidate, p),
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
    peaks: _Peaks | None = None,
    full_screen: bool = True,
) -> tuple[SearchedScreen, list[_Candidate]]:
    """Coarse candidates over the pyramid levels, the best refined at full resolution.

    Every candidate looked at is scored in colour (when there is colour), so a grey
    look-alike cannot pass on grey alone; the colour score also ranks the quick looks
    for the full-resolution search. Returned in screen pixels, with the searched view
    (for the structure check of the few that reach the threshold). Without
    *full_screen*, versions whose coarse level is the screen itself are left out;
    *peaks* keeps each coarse map's best places for a later search of the same query.
    """
    view = searched_screen(screen, region)
    floor = limit - p.coarse_slack
    coarse = _coarse_candidates(view, icon, p, keep, floor, peaks, full_screen)
    # a quick look at every candidate (half resolution, three nearby scales), then the
    # full-resolution search only for the most promising ones
    quick = [q for q in (_quick_look(view, icon, c, p) for c in coarse) if q is not None]
    quick = [_verify(view, icon, q, p, limit, outline=False) for q in quick]
    quick.sort(key=lambda c: -c.score)
    refine_count = len(quick) if refine_all else p.refine_top
    refined = [_refine(view.grey, icon, c, p) for c in quick[:refine_count]]
    verified = [_verify(view, icon, c, p, limit) for c in refined if c is not None]
    verified += _again_at_places(view, icon, verified, limit, p)
    verified += quick
    ox, oy = view.origin
    return view, [replace(c, x=c.x + ox, y=c.y + oy) for c in verified]


def _coarse_scales(scales: tuple[float, float], step: float) -> list[float]:
    low, high = scales
    if high <= low:
        return [low]
    count = math.ceil(math.log(high / low) / math.log(step)) + 1
    return [float(v) for v in np.geomspace(low, high, count)]


@dataclass(frozen=True)
class _CoarseTemplate:
    """A version reduced for one pyramid level: zero mean and unit norm over its opaque part.

    ``mask`` (1.0 where opaque) is None for a version without transparency; transparent
    pixels are 0 in ``kernel``, so they add nothing to the correlation. ``mask_key``
    names the mask by its pixels: the window spreads under it are computed once per
    screen level for every version with that mask, whatever its icon.
    """

    kernel: np.ndarray
    mask: np.ndarray | None
    mask_key: bytes | None
    channel: int | None
    spectra: dict[tuple[str, int, int], np.ndarray] = field(
        default_factory=dict, compare=False, repr=False
    )

    def spectrum(self, part: str, shape: tuple[int, int]) -> np.ndarray:
        """The transform of ``kernel`` or ``mask`` (*part*) padded to *shape* (kept)."""
        pixels = self.kernel if part == "kernel" else self.mask
        assert pixels is not None
        return kept_transform(self.spectra, part, pixels, shape)


def _coarse_template(
    icon: Icon, version: IconVersion, scale: float, factor: float
) -> _CoarseTemplate:
    """The version at *scale* on the level reduced *factor* times (cached on the icon)."""
    key = ("coarse", version.name, round(scale, 4), factor)
    return icon.templates.get(key, lambda: _make_coarse_template(version, scale, factor))


def _make_coarse_template(version: IconVersion, scale: float, factor: float) -> _CoarseTemplate:
    w = max(3, round(version.size[0] * scale / factor))
    h = max(3, round(version.size[1] * scale / factor))
    channel = _coarse_channel(version)
    pixels = version.grey
    if channel is not None and version.colour is not None:
        pixels = version.colour[:, :, channel]
    small = cv2.resize(pixels.astype(np.float32), (w, h), interpolation=cv2.INTER_AREA)
    opaque = None
    if version.mask is not None:
        shrunk = cv2.resize(version.mask, (w, h), interpolation=cv2.INTER_AREA)
        opaque = (shrunk >= 192).astype(np.float32)
        if opaque.sum() < 4:
            opaque = None
    inside = small if opaque is None else small[opaque > 0]
    kernel = small - float(inside.mean())
    if opaque is not None:
        kernel *= opaque
    norm = float(np.linalg.norm(kernel))
    mask_key = None if opaque is None else f"{w}x{h}".encode() + opaque.tobytes()
    return _CoarseTemplate(kernel / norm if norm > 1e-6 else kernel, opaque, mask_key, channel)


def _coarse_channel(version: IconVersion) -> int | None:
    """The colour channel a version is searched on when grey flattens it, else None (grey).

    A yellow folder on a light grey tile is nearly flat in grey but not in blue: the
    coarse search, which must find the place before anything else can be checked, uses
    the channel where the version's opaque pixels spread most, when that spread is at
    least ``_CHANNEL_GAIN`` times the grey one.
    """
    if version.colour is None:
        return None
    opaque = np.ones(version.grey.shape, bool) if version.mask is None else version.mask > 0
    spreads = [float(version.colour[:, :, c][opaque].std()) for c in range(3)]
    best = int(np.argmax(spreads))
    if spreads[best] >= _CHANNEL_GAIN * float(version.grey[opaque].std()):
        return best
    return None


def _coarse_candidates(
    view: SearchedScreen,
    icon: Icon,
    p: MatchParameters,
    keep: int,
    floor: float,
    peaks: _Peaks | None = None,
    full_screen: bool = True,
) -> list[_Candidate]:
    """The best distinct places over all versions and coarse scales.

    Each scale is searched on the pyramid level where the icon is about
    ``coarse_min_side`` pixels across: big scales on small images, so every scale costs
    about the same and far less than at full size. Without *full_screen*, the versions
    and scales whose level would be the screen itself are left out. Each map's best
    places are kept in *peaks* (by version and scale) for a later call.
    """
    peaks = {} if peaks is None else peaks
    found: list[_Candidate] = []
    for scale, version, factor in _coarse_searches(icon, p):
        if factor == 1 and not full_screen:
            continue
        key = (version.name, scale)
        if key not in peaks:
            peaks[key] = _map_peaks(view, icon, version, scale, factor, min(keep, 3), p)
        for value, candidate in peaks[key]:
            if value < floor and found:
                break
            found.append(candidate)
    found.sort(key=lambda c: -c.score)
    return _spread_places(found, icon, keep, p)


_Peaks = dict[tuple[str, float], list[tuple[float, "_Candidate"]]]
"""The best places of each coarse map of one query (by version name and scale): each
place's grey score and its candidate."""


def _map_peaks(
    view: SearchedScreen,
    icon: Icon,
    version: IconVersion,
    scale: float,
    factor: float,
    count: int,
    p: MatchParameters,
) -> list[tuple[float, _Candidate]]:
    """The *count* best places (grey score, candidate) of *version* at *scale* on the
    level reduced *factor* times, each a template's half side from the better ones;
    none where the template does not fit on the level."""
    template = _coarse_template(icon, version, scale, factor)
    level = view.level(template.channel, factor)
    th, tw = template.kernel.shape
    if th > level.image.shape[0] or tw > level.image.shape[1]:
        return []
    scores = level.correlate(template, p.coarse_masked_spread)
    w = round(version.size[0] * scale)
    h = round(version.size[1] * scale)
    places = []
    for _ in range(count):
        _, value, _, (x, y) = cv2.minMaxLoc(scores)
        rank = _coarse_rank(view, icon, version, scale, factor, (x, y), value, p)
        left, top = round(x * factor), round(y * factor)
        places.append((float(value), _Candidate(rank, left, top, w, h, scale, version, factor)))
        x0, y0 = max(0, x - tw // 2), max(0, y - th // 2)
        scores[y0 : y + th // 2 + 1, x0 : x + tw // 2 + 1] = -1.0
    return places


def _coarse_rank(
    view: SearchedScreen,
    icon: Icon,
    version: IconVersion,
    scale: float,
    factor: float,
    place: tuple[int, int],
    grey: float,
    p: MatchParameters,
) -> float:
    """What a coarse place is ranked by: its grey score, or with ``p.coarse_colour`` > 0
    that share of its colour score at the coarse level (the screen's colour reduced as
    the grey level is, the version's colour at the coarse template's size) and the rest
    of the grey one.

    A grey correlation at 14 px cannot tell a photograph's texture or a look-alike in
    another hue from the icon, and either can push the true place out of the few
    candidates that go on; the colour score (mean of the whole and the worst half,
    less a colour shift) mostly can. Only for a version whose mean chroma reaches
    ``p.coarse_colour_chroma``: a nearly grey drawing's colour score at 14 px is noise.
    """
    if p.coarse_colour <= 0 or view.colour is None or version.colour is None:
        return grey
    if _chroma(icon, version) < p.coarse_colour_chroma:
        return grey
    template = _coarse_colour_template(icon, version, scale, factor)
    th, tw = template.opaque.shape[:2]
    x, y = place
    patch = view.colour_level(factor)[y : y + th, x : x + tw]
    if patch.shape[:2] != (th, tw):
        return grey
    colour = _shifted_colour_score(patch, [template], p)
    return (1 - p.coarse_colour) * grey + p.coarse_colour * colour


def _chroma(icon: Icon, version: IconVersion) -> float:
    """The version's mean chroma: its opaque pixels' largest less smallest channel, in grey
    levels (0 for a grey drawing; cached on the icon)."""

    def measure() -> float:
        assert version.colour is not None
        opaque = np.ones(version.grey.shape, bool) if version.mask is None else version.mask > 128
        pixels = version.colour[opaque].astype(np.int16)
        if not len(pixels):
            return 0.0
        return float((pixels.max(axis=1) - pixels.min(axis=1)).mean())

    return icon.templates.get(("chroma", version.name), measure)


def _coarse_colour_template(
    icon: Icon, version: IconVersion, scale: float, factor: float
) -> ColourTemplate:
    """The version's colour at the coarse template's size and mask (cached on the icon)."""
    coarse = _coarse_template(icon, version, scale, factor)
    colour = version.colour
    assert colour is not None

    def make() -> ColourTemplate:
        th, tw = coarse.kernel.shape
        small = cv2.resize(colour, (tw, th), interpolation=cv2.INTER_AREA)
        mask = None if coarse.mask is None else (coarse.mask * 255).astype(np.uint8)
        return colour_template(small, mask)

    key = ("coarse colour", version.name, round(scale, 4), factor)
    return icon.templates.get(key, make)


def _coarse_factor(icon: Icon, version: IconVersion, scale: float, p: MatchParameters) -> float:
    """The pyramid factor *version* is searched at, at *scale*, in the coarse stage.

    The level where it is about ``p.coarse_min_side`` pixels across; with
    ``p.coarse_detail`` > 0, a finer one as long as the version reduced there keeps less
    than that of its own drawing (the correlation, over its opaque pixels, of the
    version at *scale* with its reduced copy enlarged back): thin line icons fade into
    a grey blur at 14 px and rank below a photograph's texture there.
    """
    side = min(version.size) * scale
    factor = max(f for f in p.coarse_factors if f <= max(1.0, side / p.coarse_min_side))
    if p.coarse_detail <= 0:
        return factor
    finer = [f for f in p.coarse_factors if f <= factor]
    while len(finer) > 1 and _kept_detail(icon, version, scale, finer[-1]) < p.coarse_detail:
        finer.pop()
    return finer[-1]


def _kept_detail(icon: Icon, version: IconVersion, scale: float, factor: float) -> float:
    """How much of *version* at *scale* survives the reduction *factor* times (cached).

    The correlation, over its opaque pixels, of its grey levels with their reduced copy
    enlarged back to the same size (1: nothing lost).
    """

    def measure() -> float:
        template = _fine_template(icon, version, scale)
        grey = template.grey.astype(np.float32)
        h, w = grey.shape
        small = cv2.resize(
            grey,
            (max(3, round(w / factor)), max(3, round(h / factor))),
            interpolation=cv2.INTER_AREA,
        )
        back = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
        opaque = np.ones_like(grey, bool) if template.mask is None else template.mask > 0
        a, b = grey[opaque] - grey[opaque].mean(), back[opaque] - back[opaque].mean()
        norm = float(np.linalg.norm(a) * np.linalg.norm(b))
        return float(a @ b) / norm if norm > 1e-6 else 1.0

    key = ("detail", version.name, round(scale, 4), factor)
    return icon.templates.get(key, measure)


def _lowest_scale(version: IconVersion, p: MatchParameters) -> float:
    """The smallest scale *version* is searched at: not under ``p.min_side`` pixels across.

    A version drawn smaller than ``min_side`` is still searched at its own size.
    """
    side = min(version.size)
    return min(1.0, p.min_side / side) * 0.999


_VERSION_OVERLAP = math.log(1.25)
"""A version is searched at a size up to this (log) further than the nearest version's."""


def _nearest_version(version: IconVersion, side: float, versions: Iterable[IconVersion]) -> bool:
    """Whether *version* is (about) the one drawn nearest to *side* pixels across.

    An icon kept at several sizes (a theme's 24, 32, 48 and 64 px drawings) is looked
    for at each displayed size with the drawings made for about that size: a 64 px
    drawing shrunk to 24 px is slower to search and less like what the OS shows there
    than the 24 px one. Versions of the same size (other themes) are all searched.
    """
    distance = abs(math.log(side / min(version.size)))
    nearest = min(abs(math.log(side / min(v.size))) for v in versions)
    return distance <= nearest + _VERSION_OVERLAP


def _spread_places(
    found: list[_Candidate], icon: Icon, keep: int, p: MatchParameters
) -> list[_Candidate]:
    """The coarse candidates worth a full-resolution look, spread over places and versions.

    *found* is sorted best first. First the best places of every version (a small
    masked version must not be crowded out by a big one that correlates with every tile
    on screen), then of all versions; at each place, the best candidate of each version:
    the version that wins at the coarse level is not always the one that wins at full size.
    """
    overlap = _iou_matrix(found) >= 0.3
    places: list[int] = []
    for version in icon.versions:
        own = [i for i, c in enumerate(found) if c.version is version]
        taken = 0
        for i in own[: p.places_per_version * 4]:
            if taken >= p.places_per_version:
                break
            if not overlap[i, places].any():
                places.append(i)
                taken += 1
    for i in range(len(found)):
        if len(places) >= keep + p.places_per_version * len(icon.versions):
            break
        if not overlap[i, places].any():
            places.append(i)
    chosen: list[_Candidate] = []
    for place in places:
        per_version: dict[str, _Candidate] = {}
        for j in np.flatnonzero(overlap[place]).tolist():
            per_version.setdefault(found[j].version.name, found[j])
        chosen.extend(list(per_version.values())[: p.versions_per_place])
    return chosen


def _iou_matrix(candidates: list[_Candidate]) -> np.ndarray:
    """Intersection over union of every pair of candidates' boxes."""
    boxes = np.array([(c.x, c.y, c.w, c.h) for c in candidates], np.float64).reshape(-1, 4)
    x0, y0 = boxes[:, 0], boxes[:, 1]
    x1, y1 = x0 + boxes[:, 2], y0 + boxes[:, 3]
    ix = np.clip(np.minimum(x1[:, None], x1) - np.maximum(x0[:, None], x0), 0, None)
    iy = np.clip(np.minimum(y1[:, None], y1) - np.maximum(y0[:, None], y0), 0, None)
    inter = ix * iy
    area = boxes[:, 2] * boxes[:, 3]
    union = area[:, None] + area - inter
    result: np.ndarray = np.where(union > 0, inter / np.maximum(union, 1e-9), 0.0)
    return result


@dataclass(frozen=True)
class _FineTemplate:
    """A version at one scale, matched near candidates at full (or half) resolution.

    ``mask`` (255 where compared) is None for a version without transparency, which is
    matched on ``grey`` by OpenCV's ``TM_CCOEFF_NORMED``. A masked version is matched by
    :meth:`_Near.masked_scores` from ``kernel`` (grey levels minus their mean over the
    compared pixels, 0 elsewhere, unit norm), ``opaque`` (``mask`` as 1.0/0.0) and
    ``count`` (compared pixels), and their transforms at the sizes used (kept).
    """

    grey: np.ndarray
    mask: np.ndarray | None
    kernel: np.ndarray | None = None
    opaque: np.ndarray | None = None
    count: float = 0.0
    spectra: dict[tuple[str, int, int], np.ndarray] = field(
        default_factory=dict, compare=False, repr=False
    )


def _fine_template(icon: Icon, version: IconVersion, scale: float) -> _FineTemplate:
    """The version resized to *scale* (cached on the icon)."""
    key = ("fine", version.name, round(scale, 4))
    return icon.templates.get(key, lambda: _make_fine_template(version, scale))


def _make_fine_template(version: IconVersion, scale: float) -> _FineTemplate:
    w, h = _scaled_size(version, scale)
    grey = cv2.resize(version.grey, (w, h), interpolation=_resampling(scale))
    if version.mask is None:
        return _FineTemplate(grey, None)
    mask = cv2.resize(version.mask, (w, h), interpolation=cv2.INTER_NEAREST)
    # the outline's pixels are blended with whatever is behind the icon: leave them
    # out, unless the icon is all outline at this size (thin strokes at a small scale)
    eroded = cv2.erode(mask, np.ones((3, 3), np.uint8))
    mask = eroded if np.count_nonzero(eroded) >= 0.25 * np.count_nonzero(mask) else mask
    if not mask.any():  # nothing opaque left at this size: compare the whole square
        mask = np.full_like(mask, 255)
    opaque = (mask > 0).astype(np.float32)
    kernel = (grey.astype(np.float32) - float(grey[mask > 0].mean())) * opaque
    norm = float(np.linalg.norm(kernel))
    kernel = kernel / norm if norm > 1e-6 else kernel
    return _FineTemplate(grey, mask, kernel, opaque, float(opaque.sum()))


def _colour_template(
    icon: Icon, version: IconVersion, scale: float, blur: float, outline: bool = False
) -> ColourTemplate | None:
    """The version's colour template at *scale*, the size of its fine grey one (cached).

    Smoothed by a Gaussian of *blur* pixels (0: not). With *outline*, the compared
    pixels are all the version's opaque ones at that size (the fine template's mask
    leaves the outline out), and the smoothing spreads only opaque pixels (what is
    under the transparent ones is not the icon's). None for a version without colour.
    """
    if version.colour is None:
        return None
    key = ("colour", version.name, round(scale, 4), blur, outline)
    mask = _fine_template(icon, version, scale).mask
    colour = version.colour

    def make() -> ColourTemplate:
        size, resampling = _scaled_size(version, scale), _resampling(scale)
        resized = cv2.resize(colour, size, interpolation=resampling)
        if outline and version.mask is not None:
            whole = cv2.resize(version.mask, size, interpolation=cv2.INTER_NEAREST)
            return colour_template(_opaque_smoothed(resized, whole, blur), whole)
        return colour_template(_smoothed(resized, blur), mask)

    return icon.templates.get(key, make)


def _scaled_size(version: IconVersion, scale: float) -> tuple[int, int]:
    return (max(3, round(version.size[0] * scale)), max(3, round(version.size[1] * scale)))


def _resampling(scale: float) -> int:
    return cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR


def _quick_look(
    view: SearchedScreen, icon: Icon, coarse: _Candidate, p: MatchParameters
) -> _Candidate | None:
    """The best match near a coarse candidate at its scale and the scales around it.

    Done at half resolution for icons big enough (a quarter of the pixels, and more
    forgiving of a scale still slightly off): it only ranks candidates for the full-
    resolution search.
    """
    reduce = 2 if min(coarse.w, coarse.h) >= _QUICK_HALF_SIDE else 1
    image = view.half() if reduce == 2 else view.grey
    lowest = _lowest_scale(coarse.version, p)
    scales = [coarse.scale * step for step in p.quick_steps if coarse.scale * step >= lowest]
    if not scales:
        return None
    near = _Near(image, icon, coarse, reduce, max(scales))
    return _best(near.match(scale) for scale in scales)


def _refine(
    grey: np.ndarray, icon: Icon, coarse: _Candidate, p: MatchParameters
) -> _Candidate | None:
    """Full-resolution match near a candidate, over a few scales around its own, then finer.

    Each round tries the scales ``fine_steps`` apart around the best so far. The score
    against the scale is jagged for small sharp icons (a pixel more or less), so the
    scales are tried side by side rather than climbed. The version's own size (scale 1,
    the most common on screen) is tried too when near.
    """
    low, high = max(p.scales[0] * 0.97, _lowest_scale(coarse.version, p)), p.scales[1] * 1.03
    first = [coarse.scale]
    if low <= 1.0 <= high and abs(math.log(coarse.scale)) <= math.log(p.coarse_step):
        first.append(1.0)
    reach = math.prod(step**steps for step, steps in p.fine_steps)
    near = _Near(grey, icon, coarse, 1, min(high, max(first) * reach))
    best = _best(near.match(scale) for scale in first)
    for step, steps in p.fine_steps:
        centre = coarse.scale if best is None else best.scale
        tried = [centre * step**k for k in range(-steps, steps + 1) if k != 0]
        best = _best([best, *(near.match(s) for s in tried if low <= s <= high)])
    return best


def _again_at_places(
    view: SearchedScreen,
    icon: Icon,
    refined: list[_Candidate],
    limit: float,
    p: MatchParameters,
) -> list[_Candidate]:
    """Every version refined again at the *refined* places near the threshold, scored.

    Only places scoring at least *limit* less ``p.again_slack`` are looked at again (see
    :func:`_starts_at_place`). (Skipping a start whose version was already refined
    near the same place and scale was tried: it moved found boxes 1-2 px off the exact
    one and lost a held-out match.)
    """
    if not p.sizes_at_place and not p.own_sizes_at_place:
        return []
    floor = limit - p.again_slack
    scored: list[_Candidate] = []
    for place in [c for c in refined if c.score >= floor]:
        for start in _starts_at_place(icon, place, p, place.score < limit):
            again = _refine(view.grey, icon, start, p)
            if again is not None:
                scored.append(_verify(view, icon, again, p, limit))
    return scored


def _starts_at_place(
    icon: Icon, place: _Candidate, p: MatchParameters, missed: bool = True
) -> list[_Candidate]:
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
        if scale < _lowest_scale(version, p):
            continue
        w, h = _scaled_size(version, scale)
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


def _best(candidates: Iterable[_Candidate | None]) -> _Candidate | None:
    """The candidate with the highest score (the first of equals), None if there is none."""
    best: _Candidate | None = None
    for candidate in candidates:
        if candidate is not None and (best is None or candidate.score > best.score):
            best = candidate
    return best


class _Near:
    """Matches of a candidate's version at several scales around it, on one screen image.

    *grey* is the screen reduced *reduce* times (1: full resolution); the candidates
    returned are in full-resolution pixels either way. Each search reaches two of the
    candidate's steps (its ``factor``) and two pixels beyond its box: a coarse
    candidate is looked for far around, one from the quick look (factor 1 or 2) near.

    A masked version is scored from discrete Fourier transforms of the part of the
    screen around the candidate that the *largest* scale searches (it holds the
    smaller ones' windows), made once for every scale; each scale then costs three
    products and inverse transforms, where OpenCV's masked ``TM_CCOEFF_NORMED`` (same
    scores) makes several correlations, each transforming the window again.
    """

    def __init__(
        self, grey: np.ndarray, icon: Icon, candidate: _Candidate, reduce: int, largest: float
    ) -> None:
        self.grey = grey
        self.icon = icon
        self.candidate = candidate
        self.reduce = reduce
        self.largest = largest
        self.part: tuple[int, int, int, int] | None = None
        """Bounds (x0, y0, x1, y1) of the transformed part (None: not made yet)."""
        self.shape = (0, 0)
        """Size of its transforms."""
        self.spectra: tuple[np.ndarray, np.ndarray] | None = None
        """Transforms of the part's pixels (mean removed) and of their squares."""

    def match(self, scale: float) -> _Candidate | None:
        """The best place of the version at *scale* near the candidate (None: no room)."""
        coarse, reduce = self.candidate, self.reduce
        template = _fine_template(self.icon, coarse.version, scale / reduce)
        th, tw = template.grey.shape
        x0, y0, x1, y1 = self._window(tw, th)
        if y1 - y0 < th or x1 - x0 < tw:
            return None
        if template.kernel is None:
            window = self.grey[y0:y1, x0:x1]
            scores = cv2.matchTemplate(window, template.grey, cv2.TM_CCOEFF_NORMED)
        else:
            scores = self.masked_scores(template, (x0, y0, x1, y1))
        _, value, _, (x, y) = cv2.minMaxLoc(scores)
        w, h = _scaled_size(coarse.version, scale)
        x, y = (x0 + x) * reduce, (y0 + y) * reduce
        return _Candidate(float(value), x, y, w, h, scale, coarse.version, reduce)

    def _window(self, tw: int, th: int) -> tuple[int, int, int, int]:
        """Bounds (x0, y0, x1, y1) of the window searched for a tw x th template."""
        coarse, reduce = self.candidate, self.reduce
        cx, cy = (coarse.x + coarse.w / 2) / reduce, (coarse.y + coarse.h / 2) / reduce
        margin = round((2 * coarse.factor + 2) / reduce)
        x0 = max(0, round(cx - tw / 2) - margin)
        y0 = max(0, round(cy - th / 2) - margin)
        x1 = min(self.grey.shape[1], round(cx + tw / 2) + margin + 1)
        y1 = min(self.grey.shape[0], round(cy + th / 2) + margin + 1)
        return (x0, y0, x1, y1)

    def masked_scores(
        self, template: _FineTemplate, window: tuple[int, int, int, int]
    ) -> np.ndarray:
        """``TM_CCOEFF_NORMED`` of a masked template at every placement inside *window*.

        The numerator is the correlation with the zero-mean kernel; the window's spread
        over the opaque pixels comes from the mask's correlations with the pixels and
        their squares. The part's mean is removed first, so the squares stay small and
        float32 keeps their differences.
        """
        assert template.kernel is not None and template.opaque is not None
        x0, y0, x1, y1 = window
        if self.part is None or not _inside(window, self.part):
            self._transform_part(window)
        assert self.part is not None and self.spectra is not None
        px, py = self.part[:2]
        th, tw = template.kernel.shape
        placements = (y1 - py - th + 1, x1 - px - tw + 1)
        kernel = kept_transform(template.spectra, "kernel", template.kernel, self.shape)
        opaque = kept_transform(template.spectra, "opaque", template.opaque, self.shape)
        plain, squared = self.spectra
        rows, cols = slice(y0 - py, None), slice(x0 - px, None)
        numerator = correlate(plain, kernel, placements)[rows, cols]
        sums = correlate(plain, opaque, placements)[rows, cols]
        squares = correlate(squared, opaque, placements)[rows, cols]
        scores: np.ndarray = numerator / window_spread(sums, squares, template.count)
        return scores

    def _transform_part(self, window: tuple[int, int, int, int]) -> None:
        """Transforms of the part around the candidate searched at the largest scale.

        The part also holds *window*, should a scale beyond the largest be tried.
        """
        bounds = self._window(*_scaled_size(self.candidate.version, self.largest / self.reduce))
        x0, y0 = min(bounds[0], window[0]), min(bounds[1], window[1])
        x1, y1 = max(bounds[2], window[2]), max(bounds[3], window[3])
        pixels = self.grey[y0:y1, x0:x1].astype(np.float32)
        pixels -= float(pixels.mean())
        self.part = (x0, y0, x1, y1)
        self.shape = (cv2.getOptimalDFTSize(y1 - y0), cv2.getOptimalDFTSize(x1 - x0))
        self.spectra = (transform(pixels, self.shape), transform(pixels * pixels, self.shape))


def _inside(window: tuple[int, int, int, int], part: tuple[int, int, int, int]) -> bool:
    """Whether *window* (x0, y0, x1, y1) lies inside *part*."""
    x0, y0, x1, y1 = window
    return part[0] <= x0 and part[1] <= y0 and x1 <= part[2] and y1 <= part[3]


def _verify(
    view: SearchedScreen,
    icon: Icon,
    candidate: _Candidate,
    p: MatchParameters,
    limit: float | None = None,
    outline: bool = True,
) -> _Candidate:
    """The candidate scored in colour at its grey place, if the screen and version have colour.

    The colour score is the normalised correlation of the BGR pixels, each channel's
    mean removed: blind to brightness, contrast and white balance like the grey score,
    but a part that differs from its surround only in hue counts in full. It is taken
    as the mean of the whole icon's correlation and its worst half's (top, bottom, left,
    right): a look-alike sharing half of the icon's artwork matches one half well and
    the other badly, the icon itself matches both. A colour shift past
    ``p.colour_shift_tolerance`` (a sibling in another hue) is taken off the score.

    The version smoothed (``p.template_blurs``) is tried too, the best score kept, where
    the sharp one scores at least *limit* (the search's threshold) less
    ``p.blur_slack`` (everywhere when *limit* is None); and, with *outline* (not for the
    quick looks, which only rank places), smoothed with its outline
    (``p.outline_blurs``) where the score is still under *limit*.
    """
    template = _colour_template(icon, candidate.version, candidate.scale, p.score_blur)
    if view.colour is None or template is None or candidate.grey_score is not None:
        return candidate
    th, tw = template.opaque.shape[:2]
    patch = view.colour[candidate.y : candidate.y + th, candidate.x : candidate.x + tw]
    if patch.shape[:2] != (th, tw):
        return candidate
    patch = _smoothed(patch, p.score_blur)
    score = _shifted_colour_score(patch, [template], p)
    blurs = [b for b in p.template_blurs if b > 0]
    if blurs and (limit is None or score >= limit - p.blur_slack):
        # the version alone smoothed further (the patch stays as it is): a blurred or
        # photographed screen shows the icon softer than its PNG
        softer = [
            _colour_template(icon, candidate.version, candidate.scale, math.hypot(p.score_blur, b))
            for b in blurs
        ]
        score = max(score, _shifted_colour_score(patch, softer, p))  # type: ignore[arg-type]
    near = limit is None or limit - p.blur_slack <= score < limit
    if outline and p.outline_blurs and near:
        score = max(score, _outline_score(icon, candidate, patch, p))
    return replace(candidate, score=score, grey_score=candidate.score)


def _outline_score(
    icon: Icon, candidate: _Candidate, patch: np.ndarray, p: MatchParameters
) -> float:
    """The colour score of the version smoothed by each of ``p.outline_blurs``, its
    outline kept in the compared pixels (see ``MatchParameters.outline_blurs``).

    -1 where there is no colour template (a grey version).
    """
    templates = [
        _colour_template(icon, candidate.version, candidate.scale, b, outline=True)
        for b in p.outline_blurs
    ]
    if any(t is None for t in templates):
        return -1.0
    return _shifted_colour_score(patch, templates, p)  # type: ignore[arg-type]


def _shifted_colour_score(
    patch: np.ndarray, templates: list[ColourTemplate], p: MatchParameters
) -> float:
    """The best colour score of *patch* over *templates* (one drawing smoothed differently),
    each less its penalty for a colour shift past the tolerance."""
    scores, shifts = colour_scores(patch, templates)
    penalties = p.colour_shift_weight * np.maximum(0.0, shifts - p.colour_shift_tolerance)
    return float((scores - penalties).max())


def _smoothed(pixels: np.ndarray, blur: float) -> np.ndarray:
    """*pixels* smoothed by a Gaussian of *blur* pixels (unchanged for 0)."""
    if blur <= 0:
        return pixels
    smoothed: np.ndarray = cv2.GaussianBlur(pixels, (0, 0), blur, borderType=cv2.BORDER_REPLICATE)
    return smoothed


def _opaque_smoothed(pixels: np.ndarray, mask: np.ndarray, blur: float) -> np.ndarray:
    """*pixels* smoothed by a Gaussian of *blur* pixels over the opaque ones (*mask* > 0)
    only: each the weighted mean of its opaque neighbours (normalised convolution)."""
    if blur <= 0:
        return pixels
    weight = (mask > 0).astype(np.float32)
    spread = _smoothed(pixels.astype(np.float32) * weight[:, :, None], blur)
    weights = _smoothed(weight, blur)
    smoothed: np.ndarray = spread / np.maximum(weights, 1e-3)[:, :, None]
    return smoothed


def _with_structure(
    view: SearchedScreen, icon: Icon, candidate: _Candidate, p: MatchParameters
) -> _Candidate:
    """The candidate (screen pixels) with its edges' orientation similarity to the version.

    :func:`~robotest.vision.structure_check.orientation_similarity` of the screen's grey
    pixels under the box and the version's fine template at the candidate's scale (its
    mask). A wrong place that outscores the true one (texture, a look-alike sharing the
    icon's colours) often has edges running elsewhere; the true place, drawn for another
    size, keeps them. Only candidates reaching the threshold are checked, best first:
    the first at or above ``p.structure_floor`` is the match.
    """
    if p.structure_floor <= 0 or candidate.structure is not None:
        return candidate
    template = _fine_template(icon, candidate.version, candidate.scale)
    th, tw = template.grey.shape
    x, y = candidate.x - view.origin[0], candidate.y - view.origin[1]
    patch = view.grey[y : y + th, x : x + tw]
    if patch.shape != (th, tw):
        return candidate
    structure = orientation_similarity(
        patch,
        template.grey,
        template.mask,
        p.structure_cells,
        p.structure_edge_floor,
        p.structure_inner,
    )
    return replace(candidate, structure=structure)


def _passes_structure(candidate: _Candidate, p: MatchParameters) -> bool:
    return candidate.structure is None or candidate.structure >= p.structure_floor


def _iou(a: _Candidate, b: _Candidate) -> float:
    return iou((a.x, a.y, a.w, a.h), (b.x, b.y, b.w, b.h))
