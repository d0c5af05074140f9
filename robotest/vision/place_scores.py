"""What a place found in grey is scored by before it counts: its colour score (whole
and worst half, less a colour shift; the version smoothed as a camera shows it) and its
edges' orientation similarity with the version (the structure check)."""

from __future__ import annotations

import math
from dataclasses import replace

import cv2
import numpy as np

from robotest.vision.colour_verification import (
    ColourTemplate,
    colour_scores,
    colour_template,
    hue_share,
)
from robotest.vision.fine_search import fine_template
from robotest.vision.icon_candidates import Candidate, resampling_for, scaled_size
from robotest.vision.icons import Icon, IconVersion
from robotest.vision.match_parameters import MatchParameters
from robotest.vision.screen_pyramid import SearchedScreen
from robotest.vision.structure_check import orientation_similarity, outline_similarity


def colour_template_at(
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
    mask = fine_template(icon, version, scale).mask
    colour = version.colour

    def make() -> ColourTemplate:
        size, resampling = scaled_size(version, scale), resampling_for(scale)
        resized = cv2.resize(colour, size, interpolation=resampling)
        if outline and version.mask is not None:
            whole = cv2.resize(version.mask, size, interpolation=cv2.INTER_NEAREST)
            return colour_template(_opaque_smoothed(resized, whole, blur), whole)
        return colour_template(_smoothed(resized, blur), mask)

    return icon.templates.get(key, make)


def verify(
    view: SearchedScreen,
    icon: Icon,
    candidate: Candidate,
    p: MatchParameters,
    limit: float | None = None,
    outline: bool = True,
) -> Candidate:
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
    if view.colour is None or candidate.grey_score is not None:
        return candidate
    if candidate.version.colour is None:
        return grey_hue_checked(view.colour, icon, candidate, p)
    template = colour_template_at(icon, candidate.version, candidate.scale, p.score_blur)
    if template is None:
        return candidate
    th, tw = template.opaque.shape[:2]
    patch = view.colour[candidate.y : candidate.y + th, candidate.x : candidate.x + tw]
    if patch.shape[:2] != (th, tw):
        return candidate
    patch = _smoothed(patch, p.score_blur)
    score = shifted_colour_score(patch, [template], p)
    blurs = [b for b in p.template_blurs if b > 0]
    if blurs and (limit is None or score >= limit - p.blur_slack):
        # the version alone smoothed further (the patch stays as it is): a blurred or
        # photographed screen shows the icon softer than its PNG
        softer = [
            colour_template_at(
                icon, candidate.version, candidate.scale, math.hypot(p.score_blur, b)
            )
            for b in blurs
        ]
        score = max(score, shifted_colour_score(patch, softer, p))  # type: ignore[arg-type]
    near = limit is None or limit - p.blur_slack <= score < limit
    if outline and p.outline_blurs and near:
        score = max(score, _outline_score(icon, candidate, patch, p))
    return replace(candidate, score=score, grey_score=candidate.score)


def grey_hue_checked(
    colour: np.ndarray, icon: Icon, candidate: Candidate, p: MatchParameters
) -> Candidate:
    """A grey version's candidate, its grey score lowered where the screen there (*colour*,
    the searched screen in colour) has hue.

    The version's drawing has no hue, so the screen's pixels under its mask (its fine
    template's) should have none beyond a colour cast: their hue share
    (:func:`~robotest.vision.colour_verification.hue_share`) past
    ``p.grey_hue_tolerance`` is taken off, times ``p.grey_hue_weight``. Only ever a
    penalty: no smoothed version, no worst half, nothing that could raise the grey score
    or reorder grey places on a grey screen (hue share 0). Unchanged with the weight 0.
    """
    if p.grey_hue_weight <= 0:
        return candidate
    mask = fine_template(icon, candidate.version, candidate.scale).mask
    patch = colour[candidate.y : candidate.y + candidate.h, candidate.x : candidate.x + candidate.w]
    if patch.shape[:2] != (candidate.h, candidate.w) or (
        mask is not None and mask.shape != patch.shape[:2]
    ):
        return candidate
    share = hue_share(patch, mask)
    penalty = p.grey_hue_weight * max(0.0, share - p.grey_hue_tolerance)
    return replace(candidate, score=candidate.score - penalty, grey_score=candidate.score)


def _outline_score(
    icon: Icon, candidate: Candidate, patch: np.ndarray, p: MatchParameters
) -> float:
    """The colour score of the version smoothed by each of ``p.outline_blurs``, its
    outline kept in the compared pixels (see ``MatchParameters.outline_blurs``).

    -1 where there is no colour template (a grey version).
    """
    templates = [
        colour_template_at(icon, candidate.version, candidate.scale, b, outline=True)
        for b in p.outline_blurs
    ]
    if any(t is None for t in templates):
        return -1.0
    return shifted_colour_score(patch, templates, p)  # type: ignore[arg-type]


def shifted_colour_score(
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


def with_structure(
    view: SearchedScreen, icon: Icon, candidate: Candidate, p: MatchParameters
) -> Candidate:
    """The candidate (screen pixels) with its edges' orientation similarity to the version.

    :func:`~robotest.vision.structure_check.orientation_similarity` of the screen's grey
    pixels under the box and the version's fine template at the candidate's scale (its
    mask). A wrong place that outscores the true one (texture, a look-alike sharing the
    icon's colours) often has edges running elsewhere; the true place, drawn for another
    size, keeps them. Only candidates reaching the threshold are checked, best first:
    the first at or above ``p.structure_floor`` is the match. Under it, the similarity
    with the icon's outline (``p.structure_outline``) is taken where it reaches that.
    """
    if p.structure_floor <= 0 or candidate.structure is not None:
        return candidate
    template = fine_template(icon, candidate.version, candidate.scale)
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
    if structure < p.structure_floor and p.structure_outline > 0:
        structure = max(structure, _outline_structure(candidate, patch, template.grey, p))
    return replace(candidate, structure=structure)


def _outline_structure(
    candidate: Candidate, patch: np.ndarray, grey: np.ndarray, p: MatchParameters
) -> float:
    """The candidate's orientation similarity with the icon's outline
    (``MatchParameters.structure_outline``) where it reaches that bar, else -1."""
    version = candidate.version
    alpha = None
    if version.mask is not None:
        th, tw = grey.shape
        alpha = cv2.resize(version.mask, (tw, th), interpolation=cv2.INTER_AREA)
    similarity = outline_similarity(
        patch,
        grey,
        alpha,
        p.structure_cells,
        p.structure_outline_weight,
        p.structure_edge_floor,
    )
    return similarity if similarity >= max(p.structure_outline, p.structure_floor) else -1.0


def passes_structure(candidate: Candidate, p: MatchParameters) -> bool:
    return candidate.structure is None or candidate.structure >= p.structure_floor
