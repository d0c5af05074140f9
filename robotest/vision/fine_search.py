"""The fine stages of the icon search: a quick look near each coarse place (half
resolution, nearby scales), then a full-resolution match over finer and finer scales,
masked versions scored from transforms made once per place."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np

from robotest.vision.correlation import correlate, kept_transform, transform, window_spread
from robotest.vision.icon_candidates import (
    Candidate,
    best_candidate,
    lowest_scale,
    resampling_for,
    scaled_size,
)
from robotest.vision.icons import Icon, IconVersion
from robotest.vision.kept_transforms import KeptTransforms
from robotest.vision.match_parameters import MatchParameters
from robotest.vision.screen_pyramid import SearchedScreen

_QUICK_HALF_SIDE = 40
"""Candidates at least this big (pixels) get their quick look at half resolution."""


@dataclass(frozen=True)
class FineTemplate:
    """A version at one scale, matched near candidates at full (or half) resolution.

    ``mask`` (255 where compared) is None for a version without transparency, which is
    matched on ``grey`` by OpenCV's ``TM_CCOEFF_NORMED``. A masked version is matched by
    :meth:`Near.masked_scores` from ``kernel`` (grey levels minus their mean over the
    compared pixels, 0 elsewhere, unit norm), ``opaque`` (``mask`` as 1.0/0.0) and
    ``count`` (compared pixels), and their transforms at the sizes used (kept).
    """

    grey: np.ndarray
    mask: np.ndarray | None
    kernel: np.ndarray | None = None
    opaque: np.ndarray | None = None
    count: float = 0.0
    spectra: KeptTransforms = field(default_factory=KeptTransforms, compare=False, repr=False)


def fine_template(icon: Icon, version: IconVersion, scale: float) -> FineTemplate:
    """The version resized to *scale* (cached on the icon)."""
    key = ("fine", version.name, round(scale, 4))
    return icon.templates.get(key, lambda: _make_fine_template(version, scale))


def _make_fine_template(version: IconVersion, scale: float) -> FineTemplate:
    w, h = scaled_size(version, scale)
    grey = cv2.resize(version.grey, (w, h), interpolation=resampling_for(scale))
    if version.mask is None:
        return FineTemplate(grey, None)
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
    return FineTemplate(grey, mask, kernel, opaque, float(opaque.sum()))


def quick_look(
    view: SearchedScreen, icon: Icon, coarse: Candidate, p: MatchParameters
) -> Candidate | None:
    """The best match near a coarse candidate at its scale and the scales around it.

    Done at half resolution for icons big enough (a quarter of the pixels, and more
    forgiving of a scale still slightly off): it only ranks candidates for the full-
    resolution search.
    """
    reduce = 2 if min(coarse.w, coarse.h) >= _QUICK_HALF_SIDE else 1
    image = view.half() if reduce == 2 else view.grey
    lowest = lowest_scale(coarse.version, p)
    scales = [coarse.scale * step for step in p.quick_steps if coarse.scale * step >= lowest]
    if not scales:
        return None
    near = Near(image, icon, coarse, reduce, max(scales))
    return best_candidate(near.match(scale) for scale in scales)


def refine(grey: np.ndarray, icon: Icon, coarse: Candidate, p: MatchParameters) -> Candidate | None:
    """Full-resolution match near a candidate, over a few scales around its own, then finer.

    Each round tries the scales ``fine_steps`` apart around the best so far. The score
    against the scale is jagged for small sharp icons (a pixel more or less), so the
    scales are tried side by side rather than climbed. The version's own size (scale 1,
    the most common on screen) is tried too when near.
    """
    low, high = max(p.scales[0] * 0.97, lowest_scale(coarse.version, p)), p.scales[1] * 1.03
    first = [coarse.scale]
    if low <= 1.0 <= high and abs(math.log(coarse.scale)) <= math.log(p.coarse_step):
        first.append(1.0)
    reach = math.prod(step**steps for step, steps in p.fine_steps)
    near = Near(grey, icon, coarse, 1, min(high, max(first) * reach))
    best = best_candidate(near.match(scale) for scale in first)
    for step, steps in p.fine_steps:
        centre = coarse.scale if best is None else best.scale
        tried = [centre * step**k for k in range(-steps, steps + 1) if k != 0]
        best = best_candidate([best, *(near.match(s) for s in tried if low <= s <= high)])
    return best


class Near:
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
        self, grey: np.ndarray, icon: Icon, candidate: Candidate, reduce: int, largest: float
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

    def match(self, scale: float) -> Candidate | None:
        """The best place of the version at *scale* near the candidate (None: no room)."""
        coarse, reduce = self.candidate, self.reduce
        template = fine_template(self.icon, coarse.version, scale / reduce)
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
        w, h = scaled_size(coarse.version, scale)
        x, y = (x0 + x) * reduce, (y0 + y) * reduce
        return Candidate(float(value), x, y, w, h, scale, coarse.version, reduce)

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
        self, template: FineTemplate, window: tuple[int, int, int, int]
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
        bounds = self._window(*scaled_size(self.candidate.version, self.largest / self.reduce))
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
