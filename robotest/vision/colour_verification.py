"""Colour verification of the icon search: what matches in grey must match in colour too.

The colour score is the normalised correlation of the BGR pixels, each channel's mean
removed: blind to brightness, contrast and white balance like the grey score, but a
part that differs from its surround only in hue counts in full. It is the mean of the
whole icon's correlation and its worst half's (top, bottom, left, right): a look-alike
sharing half of the icon's artwork matches one half well and the other badly.

That correlation forgives each channel its own gain, so it cannot tell a blue icon from
its green sibling of the same shape (``code`` and ``code-insiders``). The colour shift
(:func:`colour_shift`) measures what it forgives: how far the patch's mean colour is
from the template's beyond one common gain (a colour cast of a camera or a gamma
moves it a little, another hue a lot); the search takes it off the score past a
tolerance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class ColourTemplate:
    """A version's colour pixels at one scale, with what its parts' correlations need.

    The parts are the whole template and its four halves (top, bottom, left, right;
    see ``_PARTS``); per part, the per-channel mean over the opaque pixels, the norm of
    the pixels minus that mean, the count of opaque pixels.
    """

    pixels: np.ndarray
    opaque: np.ndarray
    masked: bool
    means: np.ndarray
    norms: np.ndarray
    counts: np.ndarray
    mask: np.ndarray | None
    """The opaque pixels as an 8-bit mask (None: every pixel)."""
    informative: np.ndarray
    """Per half (top, bottom, left, right): whether its colours spread enough to correlate."""


def colour_template(resized: np.ndarray, mask: np.ndarray | None) -> ColourTemplate:
    """The template of a version's BGR pixels *resized* to the searched scale (mask: 255 = use)."""
    h, w = resized.shape[:2]
    opaque = np.ones((h, w), np.float32) if mask is None else (mask > 0).astype(np.float32)
    opaque3 = cv2.merge([opaque, opaque, opaque])
    pixels = cv2.multiply(resized.astype(np.float32), opaque3)
    counts, sums, squares = _part_sums(opaque3, pixels, cv2.multiply(pixels, pixels))
    counts = np.maximum(counts[:, 0], 1.0)
    means = sums / counts[:, None]
    spread = squares.sum(axis=1) - counts * (means * means).sum(axis=1)
    norms = np.sqrt(np.maximum(spread, 0.0))
    compared = None if mask is None else (mask > 0).astype(np.uint8)
    informative = norms[1:] >= _FLAT_SPREAD * np.sqrt(3 * counts[1:])
    return ColourTemplate(
        pixels, opaque3, mask is not None, means, norms, counts, compared, informative
    )


_FLAT_SPREAD = 4.0
"""A half of the template whose colours spread less than this (grey levels, per pixel
and channel) is flat: its correlation with any patch is noise, and it is left out of
the worst half (a grey folder's plain lower half scored 0 at its own place, and the
icon 0.5 on a lossless screen)."""


def colour_score(patch: np.ndarray, template: ColourTemplate) -> float:
    """The colour score of a screen *patch* the template's size: mean of whole and worst half.

    Only the template's informative halves compete for the worst (the whole counts for a
    template without any).
    """
    scores = _part_correlations(patch, template)
    halves = scores[1:][template.informative]
    worst = float(halves.min()) if halves.size else float(scores[0])
    return (float(scores[0]) + worst) / 2


_SHIFT_FLOOR = 10.0
"""Added to mean channel levels before their ratios: a dark channel's noise is not a hue."""


def colour_shift(patch: np.ndarray, template: ColourTemplate) -> float:
    """How far *patch*'s mean colour is from the template's, beyond one gain for all channels.

    The largest difference, over the channels, between a channel's log gain (patch mean
    over template mean, opaque pixels) and the three gains' mean: 0 for the same hue
    under any brightness, about 0.1-0.2 under a colour cast or gamma, 0.3 and more for
    another hue.
    """
    patch_mean = np.array(cv2.mean(patch, mask=template.mask)[:3])
    gains = np.log((patch_mean + _SHIFT_FLOOR) / (template.means[0] + _SHIFT_FLOOR))
    return float(np.abs(gains - gains.mean()).max())


def hue_share(patch: np.ndarray, mask: np.ndarray | None) -> float:
    """The share of *patch*'s colour spread that is hue: 0 for grey, up to 1.

    Over the compared pixels (*mask* > 0; every pixel for None), each channel's mean
    removed, the part of the pixels' sum of squares off the grey axis (each pixel less
    its channels' mean) over the whole sum of squares. A grey drawing's normalised
    correlation in colour, as a drawing of no hue, is its correlation with the patch's
    channels' mean times ``sqrt(1 - share)``: a grey screen (share 0) loses nothing, a
    colour cast little (+-12% gains: about 0.01), a red ring on white a third (0.33).
    0 for a flat patch.
    """
    pixels = patch.reshape(-1, 3).astype(np.float64)
    if mask is not None:
        pixels = pixels[mask.reshape(-1) > 0]
    if len(pixels) < 2:
        return 0.0
    spread = pixels - pixels.mean(axis=0)
    total = float((spread * spread).sum())
    if total <= 1e-6 * len(pixels):
        return 0.0
    off_grey = spread - spread.mean(axis=1, keepdims=True)
    return float((off_grey * off_grey).sum()) / total


def colour_scores(
    patch: np.ndarray, templates: Sequence[ColourTemplate]
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`colour_score` and :func:`colour_shift` of *patch* against each of *templates*.

    The templates are one drawing at one size and mask, smoothed differently: the
    patch's sums (its pixels and their squares over each part, its mean colour) are
    made once for all of them, each template adding only its products with the patch;
    the same figures as the two functions called per template.
    """
    first = templates[0]
    pixels: np.ndarray = patch.astype(np.float32)
    if first.masked:
        pixels = cv2.multiply(pixels, first.opaque)
    products = [cv2.multiply(pixels, t.pixels) for t in templates]
    parts = _part_sums(pixels, cv2.multiply(pixels, pixels), *products)
    parts = parts.transpose(1, 0, 2)  # parts x images x channels
    sums, squares = parts[:, 0], parts[:, 1]
    spread = np.sqrt(np.maximum(squares.sum(axis=1) - (sums * sums).sum(axis=1) / first.counts, 0))
    means = np.stack([t.means for t in templates])
    norms = spread * np.stack([t.norms for t in templates])
    numerators = parts[:, 2:].sum(axis=2).T - (sums * means).sum(axis=2)
    correlations = np.where(norms > 1e-6, numerators / np.maximum(norms, 1e-6), 0.0)
    informative = np.stack([t.informative for t in templates])
    worst = np.where(informative, correlations[:, 1:], np.inf).min(axis=1)
    worst = np.where(informative.any(axis=1), worst, correlations[:, 0])
    scores: np.ndarray = (correlations[:, 0] + worst) / 2
    patch_mean = sums[0] / first.counts[0]
    gains = np.log((patch_mean + _SHIFT_FLOOR) / (means[:, 0] + _SHIFT_FLOOR))
    shifts: np.ndarray = np.abs(gains - gains.mean(axis=1, keepdims=True)).max(axis=1)
    return scores, shifts


def _part_correlations(patch: np.ndarray, template: ColourTemplate) -> np.ndarray:
    """Normalised colour correlation of *patch* with each part of the template.

    Per part: (sum(p.t) - n mean_p.mean_t) over the product of the two spreads, from
    the sums of p, p.t and p.p over the part.
    """
    pixels: np.ndarray = patch.astype(np.float32)
    if template.masked:
        pixels = cv2.multiply(pixels, template.opaque)
    sums, cross, squares = _part_sums(
        pixels, cv2.multiply(pixels, template.pixels), cv2.multiply(pixels, pixels)
    )
    numerator = cross.sum(axis=1) - (sums * template.means).sum(axis=1)
    spread = squares.sum(axis=1) - (sums * sums).sum(axis=1) / template.counts
    norm = np.sqrt(np.maximum(spread, 0.0)) * template.norms
    result: np.ndarray = np.where(norm > 1e-6, numerator / np.maximum(norm, 1e-6), 0.0)
    return result


_PARTS = np.array(
    [[1, 1, 1, 1], [1, 1, 0, 0], [0, 0, 1, 1], [1, 0, 1, 0], [0, 1, 0, 1]], np.float64
)
"""The parts a colour score compares (whole, top, bottom, left and right half), as sums of
the quadrants (top left, top right, bottom left, bottom right)."""


def _part_sums(*images: np.ndarray) -> np.ndarray:
    """Per-channel sums of each 3-channel image over each part: images x parts x 3.

    Sums over the four quadrants (``cv2.sumElems``, double precision), then added up by
    ``_PARTS``: a third faster than integral images for these few boxes.
    """
    h, w = images[0].shape[:2]
    bounds = [(0, h // 2, 0, w // 2), (0, h // 2, w // 2, w), (h // 2, h, 0, w // 2)]
    bounds.append((h // 2, h, w // 2, w))
    quadrants = np.array(
        [[cv2.sumElems(image[y0:y1, x0:x1])[:3] for y0, y1, x0, x1 in bounds] for image in images]
    )
    result: np.ndarray = np.einsum("pq,iqc->ipc", _PARTS, quadrants)
    return result
