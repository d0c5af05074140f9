"""The coarse stage of the icon search: every version at every coarse scale correlated
over a reduced screen (the pyramid level where the icon is about ``coarse_min_side``
pixels across), the best places kept, spread over places and versions."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import cv2
import numpy as np

from robotest.vision.colour_verification import (
    ColourTemplate,
    colour_template,
)
from robotest.vision.correlation import kept_transform, window_spread
from robotest.vision.fine_search import fine_template
from robotest.vision.icon_candidates import Candidate, candidate_iou, iou_matrix, lowest_scale
from robotest.vision.icons import Icon, IconVersion
from robotest.vision.kept_transforms import KeptTransforms
from robotest.vision.match_parameters import MatchParameters
from robotest.vision.place_scores import shifted_colour_score
from robotest.vision.screen_pyramid import SearchedScreen, edge_magnitude

_CHANNEL_GAIN = 1.8
"""A version is searched on a colour channel that spreads this many times more than grey."""


def coarse_searches(icon: Icon, p: MatchParameters) -> Iterator[tuple[float, IconVersion, float]]:
    """Each coarse scale and version of *icon* searched, with its pyramid level's factor:
    a version is searched only at scales whose shown size is nearest its own drawing's.

    The scales are ``p.coarse_step`` apart, and on the levels reduced at least
    ``p.coarse_every_side_from`` times each version is also searched at every whole
    template side those scales step over (:func:`_every_side`)."""
    steps = _coarse_scales(p.scales, p.coarse_step)
    searches = []
    for index, version in enumerate(icon.versions):
        for scale in _every_side(icon, version, steps, p):
            side = min(version.size) * scale
            if scale < lowest_scale(version, p) or not _nearest_version(
                version, side, icon.versions, p.version_overlap
            ):
                continue
            searches.append((scale, index, version, coarse_factor(icon, version, scale, p)))
    searches.sort(key=lambda s: (s[0], s[1]))
    for scale, _, version, factor in searches:
        yield scale, version, factor


def _every_side(
    icon: Icon, version: IconVersion, steps: list[float], p: MatchParameters
) -> list[float]:
    """*steps* (the coarse scales), and between two of them whose levels are reduced at
    least ``p.coarse_every_side_from`` times, the scales of every whole template side
    (pixels on the level) they step over.

    A level reduced 4 times shows a 72 px icon 18 px across; scales ``coarse_step`` 1.2
    apart make 17 and 20 px templates there. A drawing of thin lines (Adwaita's
    ``zoom-fit-best``: grey corner marks on a light tile) misses its own lines by half a
    level pixel at either size and ranks past 50th in both maps; its 18 px template
    ranks it first (0.85 against 0.38). The reduced levels are a sixteenth of the screen
    or less: their extra maps cost little beside the full screen's.
    """
    if p.coarse_every_side_from <= 0:
        return steps
    side = min(version.size)
    scales = list(steps)
    for low, high in zip(steps, steps[1:], strict=False):
        for factor in {coarse_factor(icon, version, s, p) for s in (low, high)}:
            if factor < p.coarse_every_side_from:
                continue
            start, stop = round(side * low / factor), round(side * high / factor)
            for pixels in range(start + 1, stop):
                scale = pixels * factor / side
                if coarse_factor(icon, version, scale, p) == factor:
                    scales.append(scale)
    return sorted(scales)


def has_full_screen_maps(icon: Icon, p: MatchParameters) -> bool:
    """Whether any version and coarse scale of *icon* is searched on the full screen (else
    a first search without them would be the whole search, made twice)."""
    return any(factor == 1 for _, _, factor in coarse_searches(icon, p))


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
    spectra: KeptTransforms = field(default_factory=KeptTransforms, compare=False, repr=False)

    def spectrum(self, part: str, shape: tuple[int, int]) -> np.ndarray:
        """The transform of ``kernel`` or ``mask`` (*part*; ``mask complex``: the whole
        complex one) padded to *shape* (kept)."""
        pixels = self.kernel if part == "kernel" else self.mask
        assert pixels is not None
        return kept_transform(self.spectra, part, pixels, shape)


def coarse_template(
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


def coarse_candidates(
    view: SearchedScreen,
    icon: Icon,
    p: MatchParameters,
    keep: int,
    floor: float,
    peaks: Peaks | None = None,
    full_screen: bool = True,
    edges: bool = True,
) -> list[Candidate]:
    """The best distinct places over all versions and coarse scales.

    Each scale is searched on the pyramid level where the icon is about
    ``coarse_min_side`` pixels across: big scales on small images, so every scale costs
    about the same and far less than at full size. Without *full_screen*, the versions
    and scales whose level would be the screen itself are left out. Each map's best
    places are kept in *peaks* (by version and scale) for a later call. Without *edges*,
    no edge map is made and no edge place added, and no map of the sizes between the
    coarse scales (``coarse_every_side_from``) nor its places (``locate`` makes them
    only where the grey maps' places at the coarse scales do not answer:
    ``MatchParameters.edge_after``). The coarse scales' places are chosen without the
    in-between ones, which only go on beside them (:func:`_between_places`).
    """
    peaks = {} if peaks is None else peaks
    steps = set(_coarse_scales(p.scales, p.coarse_step))
    between_maps = edges and p.between_places > 0  # their places are wanted only then
    found: list[Candidate] = []
    between: list[Candidate] = []
    for scale, version, factor in coarse_searches(icon, p):
        coarse = scale in steps
        if (factor == 1 and not full_screen) or not (coarse or between_maps):
            continue
        key = (version.name, scale)
        if key not in peaks:
            peaks[key] = _map_peaks(view, icon, version, scale, factor, min(keep, 3), p)
        places = found if coarse else between
        for value, candidate in peaks[key]:
            if value < floor and places:
                break
            places.append(candidate)
    found.sort(key=lambda c: -c.score)
    kept = _spread_places(found, icon, keep, p)
    if not edges:
        return kept
    kept += _between_places(between, kept, icon, p)
    return kept + _edge_places(view, icon, p, peaks, full_screen, kept, steps)


def _between_places(
    between: list[Candidate], kept: list[Candidate], icon: Icon, p: MatchParameters
) -> list[Candidate]:
    """The places of the maps between the coarse scales (``coarse_every_side_from``) that
    go on beside the coarse scales' *kept* candidates: each version's
    ``p.between_places`` best that overlap none kept or chosen by half (intersection over
    union, as :func:`_edge_places`). A place kept at another size overlaps less: Adwaita's
    thin ``zoom-fit-best`` shown at 72 px is kept at 48 px (0.4 of the 76 px place's box),
    where no fine look reaches its size.

    They only add places, never put one of the coarse scales' out: the candidates are
    those of the coarse scales alone and these. Pooled with them instead, the many maps
    of the in-between sizes brought texture peaks that crowded true places out of the
    candidates (Tango's ``gtk-media-next-rtl`` at 72 px on the real-icons training half),
    and a 32 px drawing shown at 64 px lost the 48 px drawing's 57 px place its own
    drawing is refitted from (at the 66 px place that replaced it, that needs 2.06 times
    its size, past the search's scales).
    """
    chosen: list[Candidate] = []
    for version in icon.versions:
        own = sorted((c for c in between if c.version is version), key=lambda c: -c.score)
        taken = 0
        for candidate in own:
            if taken >= p.between_places:
                break
            if all(candidate_iou(candidate, other) < 0.5 for other in [*kept, *chosen]):
                chosen.append(candidate)
                taken += 1
    return chosen


def _edge_places(
    view: SearchedScreen,
    icon: Icon,
    p: MatchParameters,
    peaks: Peaks,
    full_screen: bool,
    kept: list[Candidate],
    steps: set[float],
) -> list[Candidate]:
    """The best ``p.edge_places`` distinct places of the coarse edge maps (at the coarse
    scales, *steps*) that no kept candidate overlaps by half (intersection over union),
    best edge score first; none of the full screen's maps without ``p.edge_full_screen``."""
    if p.edge_places <= 0:
        return []
    pooled: list[Candidate] = []
    for scale, version, factor in coarse_searches(icon, p):
        if factor == 1 and not (full_screen and p.edge_full_screen):
            continue
        if scale not in steps:  # the sizes between the coarse scales: grey maps only
            continue
        key = (f"edges {version.name}", scale)
        if key not in peaks:
            peaks[key] = _edge_peaks(view, icon, version, scale, factor, p)
        pooled.extend(candidate for _, candidate in peaks[key])
    pooled.sort(key=lambda c: -c.score)
    chosen: list[Candidate] = []
    for candidate in pooled:
        if len(chosen) >= p.edge_places:
            break
        if all(candidate_iou(candidate, other) < 0.5 for other in [*kept, *chosen]):
            chosen.append(candidate)
    return chosen


def _edge_peaks(
    view: SearchedScreen,
    icon: Icon,
    version: IconVersion,
    scale: float,
    factor: float,
    p: MatchParameters,
) -> list[tuple[float, Candidate]]:
    """The ``p.edge_peaks`` best places of *version*'s edge map at *scale* on the level
    reduced *factor* times (edge score, candidate), each a template's half side from the
    better ones; windows whose gradient spreads less than ``p.edge_floor`` score 0."""
    template = _coarse_edge_template(icon, version, scale, factor, p.edge_outline)
    level = view.edge_level(factor)
    th, tw = template.kernel.shape
    if th > level.image.shape[0] or tw > level.image.shape[1]:
        return []
    scores = level.correlate(template, floor=p.edge_floor * math.sqrt(tw * th))
    w = round(version.size[0] * scale)
    h = round(version.size[1] * scale)
    places = []
    for x, y, value in _best_places(scores, p.edge_peaks, (th, tw)):
        if value <= 0:
            break
        # the template is the version's box and one pixel around it
        left, top = round((x + 1) * factor), round((y + 1) * factor)
        places.append((value, Candidate(value, left, top, w, h, scale, version, factor)))
    return places


def _coarse_edge_template(
    icon: Icon, version: IconVersion, scale: float, factor: float, outline: float
) -> _CoarseTemplate:
    """The version's edges at *scale* on the level reduced *factor* times (cached).

    The gradient magnitude of its grey levels inside its opaque part (eroded a pixel:
    the outline's own grey gradient depends on the background) and, weighted by
    *outline*, of its alpha, over its box and one pixel around it (an outline on the
    box's edge); zero mean, unit norm, no mask.
    """

    def make() -> _CoarseTemplate:
        w = max(3, round(version.size[0] * scale / factor))
        h = max(3, round(version.size[1] * scale / factor))
        grey = cv2.resize(version.grey.astype(np.float32), (w, h), interpolation=cv2.INTER_AREA)
        grey = cv2.copyMakeBorder(grey, 1, 1, 1, 1, cv2.BORDER_REPLICATE)
        edges = edge_magnitude(grey)
        if version.mask is not None:
            alpha = cv2.resize(
                version.mask.astype(np.float32), (w, h), interpolation=cv2.INTER_AREA
            )
            alpha = cv2.copyMakeBorder(alpha, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0)
            inside = cv2.erode((alpha >= 192).astype(np.uint8), np.ones((3, 3), np.uint8))
            edges = np.maximum(edges * inside, edge_magnitude(alpha) * outline)
        kernel = edges - float(edges.mean())
        norm = float(np.linalg.norm(kernel))
        return _CoarseTemplate(kernel / norm if norm > 1e-6 else kernel, None, None, None)

    key = ("coarse edges", version.name, round(scale, 4), factor, outline)
    return icon.templates.get(key, make)


Peaks = dict[tuple[str, float], list[tuple[float, "Candidate"]]]
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
) -> list[tuple[float, Candidate]]:
    """The *count* best places (grey score, candidate) of *version* at *scale* on the
    level reduced *factor* times, each a template's half side from the better ones;
    none where the template does not fit on the level.

    Where the map is rechecked (:func:`recheck_factor`), the map's ``p.coarse_recheck``
    best places are scored again on the finer level, and the *count* best by that score
    that are not already among the map's own *count* best go on beside them (with the
    finer score; the candidate's ``factor`` stays the map's: its scale is the coarse one's).
    """
    template = coarse_template(icon, version, scale, factor)
    level = view.level(template.channel, factor)
    th, tw = template.kernel.shape
    if th > level.image.shape[0] or tw > level.image.shape[1]:
        return []
    scores = level.correlate(template, p.coarse_masked_spread)
    w = round(version.size[0] * scale)
    h = round(version.size[1] * scale)
    finer = recheck_factor(version, scale, factor, p)
    found = list(_best_places(scores, count if finer is None else p.coarse_recheck, (th, tw)))
    best = [(x * factor, y * factor, v, factor) for x, y, v in found[:count]]
    if finer is not None:
        rechecked = _rechecked(view, icon, version, scale, (factor, finer), found, count)
        reach = (tw * factor / 2, th * factor / 2)
        best += [r for r in rechecked if not _near_any(r, best, reach)]
        best.sort(key=lambda b: -b[2])
    places = []
    for x, y, value, step in best:
        place = (round(x / step), round(y / step))
        rank = _coarse_rank(view, icon, version, scale, step, place, value, p)
        left, top = round(x), round(y)
        places.append((value, Candidate(rank, left, top, w, h, scale, version, factor)))
    return places


def _near_any(
    place: tuple[float, float, float, float],
    others: list[tuple[float, float, float, float]],
    reach: tuple[float, float],
) -> bool:
    """Whether *place* (x, y, ...) is within *reach* (x, y) of any of *others*."""
    return any(
        abs(place[0] - o[0]) <= reach[0] and abs(place[1] - o[1]) <= reach[1] for o in others
    )


def recheck_factor(
    version: IconVersion, scale: float, factor: float, p: MatchParameters
) -> float | None:
    """The finer pyramid factor a coarse map's best places are scored again at (the
    coarsest of ``p.coarse_factors`` under *factor* where *version* at *scale* is at
    least ``p.coarse_recheck_side`` pixels across), None: no recheck."""
    if p.coarse_recheck <= 0 or p.coarse_recheck_side <= 0 or factor < p.coarse_recheck_from:
        return None
    side = min(version.size) * scale
    finer = [f for f in p.coarse_factors if f < factor and side / f >= p.coarse_recheck_side]
    return max(finer, default=None)


def _rechecked(
    view: SearchedScreen,
    icon: Icon,
    version: IconVersion,
    scale: float,
    factors: tuple[float, float],
    found: list[tuple[int, int, float]],
    count: int,
) -> list[tuple[float, float, float, float]]:
    """The *count* best of a coarse map's places *found* (level pixels), each scored
    again on the finer level (*factors*: the map's, the finer one's) within a coarse
    pixel around it: (screen x, screen y, finer score, finer factor), best first,
    distinct (each half the template's side from the better ones)."""
    factor, finer = factors
    template = coarse_template(icon, version, scale, finer)
    # the full screen as it is (no level of it made: its places only, never its map)
    image = (
        view.plane(template.channel) if finer == 1 else view.level(template.channel, finer).image
    )
    reach = math.ceil(factor / finer)
    scored = [
        _local_best(image, template, (x * factor / finer, y * factor / finer), reach)
        for x, y, _ in found
    ]
    scored.sort(key=lambda s: -s[2])
    th, tw = template.kernel.shape
    kept: list[tuple[float, float, float]] = []
    for x, y, value in scored:
        if len(kept) >= count:
            break
        if all(abs(x - a) > tw / 2 or abs(y - b) > th / 2 for a, b, _ in kept):
            kept.append((x, y, value))
    return [(x * finer, y * finer, value, finer) for x, y, value in kept]


def _local_best(
    image: np.ndarray, template: _CoarseTemplate, place: tuple[float, float], reach: int
) -> tuple[int, int, float]:
    """The best place (x, y, score) of *template* within *reach* pixels of *place* on
    *image* (grey levels, any depth): normalised correlation over the template's opaque
    pixels, over each window's spread floored as the coarse maps' are
    (:func:`.correlation.window_spread`); -1 where it does not fit."""
    th, tw = template.kernel.shape
    height, width = image.shape
    x0 = min(max(0, round(place[0]) - reach), width - tw)
    y0 = min(max(0, round(place[1]) - reach), height - th)
    x1 = min(width - tw, round(place[0]) + reach)
    y1 = min(height - th, round(place[1]) + reach)
    if x0 < 0 or y0 < 0 or x1 < x0 or y1 < y0:
        return round(place[0]), round(place[1]), -1.0
    crop = image[y0 : y1 + th, x0 : x1 + tw].astype(np.float32)
    mask = np.ones((th, tw), np.float32) if template.mask is None else template.mask
    count = float(mask.sum())
    numerator = cv2.matchTemplate(crop, template.kernel, cv2.TM_CCORR)
    sums = cv2.matchTemplate(crop, mask, cv2.TM_CCORR)
    squares = cv2.matchTemplate(crop * crop, mask, cv2.TM_CCORR)
    scores = numerator / window_spread(sums, squares, count)
    dy, dx = np.unravel_index(int(np.argmax(scores)), scores.shape)
    return x0 + int(dx), y0 + int(dy), float(scores[dy, dx])


def _best_places(
    scores: np.ndarray, count: int, template: tuple[int, int]
) -> Iterator[tuple[int, int, float]]:
    """Up to *count* best places of a map (x, y, score), best first, each at least half
    the *template*'s (height, width) from the better ones (*scores* is overwritten)."""
    th, tw = template
    for _ in range(count):
        _, value, _, (x, y) = cv2.minMaxLoc(scores)
        yield x, y, float(value)
        x0, y0 = max(0, x - tw // 2), max(0, y - th // 2)
        scores[y0 : y + th // 2 + 1, x0 : x + tw // 2 + 1] = -1.0


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
    colour = shifted_colour_score(patch, [template], p)
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
    coarse = coarse_template(icon, version, scale, factor)
    colour = version.colour
    assert colour is not None

    def make() -> ColourTemplate:
        th, tw = coarse.kernel.shape
        small = cv2.resize(colour, (tw, th), interpolation=cv2.INTER_AREA)
        mask = None if coarse.mask is None else (coarse.mask * 255).astype(np.uint8)
        return colour_template(small, mask)

    key = ("coarse colour", version.name, round(scale, 4), factor)
    return icon.templates.get(key, make)


def coarse_factor(icon: Icon, version: IconVersion, scale: float, p: MatchParameters) -> float:
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
        template = fine_template(icon, version, scale)
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


def _nearest_version(
    version: IconVersion, side: float, versions: Iterable[IconVersion], overlap: float
) -> bool:
    """Whether *version* is (about) the one drawn nearest to *side* pixels across.

    An icon kept at several sizes (a theme's 24, 32, 48 and 64 px drawings) is looked
    for at each displayed size with the drawings made for about that size: a 64 px
    drawing shrunk to 24 px is slower to search and less like what the OS shows there
    than the 24 px one. Versions of the same size (other themes) are all searched, and
    those up to *overlap* times further from *side* than the nearest one.
    """
    distance = abs(math.log(side / min(version.size)))
    nearest = min(abs(math.log(side / min(v.size))) for v in versions)
    return distance <= nearest + math.log(overlap)


def _spread_places(
    found: list[Candidate], icon: Icon, keep: int, p: MatchParameters
) -> list[Candidate]:
    """The coarse candidates worth a full-resolution look, spread over places and versions.

    *found* is sorted best first. First the best places of every version (a small
    masked version must not be crowded out by a big one that correlates with every tile
    on screen), then of all versions; at each place, the best candidate of each version:
    the version that wins at the coarse level is not always the one that wins at full size.
    """
    overlap = iou_matrix(found) >= 0.3
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
    chosen: list[Candidate] = []
    for place in places:
        per_version: dict[str, Candidate] = {}
        for j in np.flatnonzero(overlap[place]).tolist():
            per_version.setdefault(found[j].version.name, found[j])
        chosen.extend(list(per_version.values())[: p.versions_per_place])
    return chosen
