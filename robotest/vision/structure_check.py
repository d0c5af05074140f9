"""Structure of a candidate against the template: where its edges run, not its grey levels.

A theme's drawing made for another size (a hand-hinted 24 px icon shown where the
script holds the 48 px one) correlates only 0.5-0.8 with the template at the right
place: the strokes are redrawn, one or two pixels thicker or moved, so the grey levels
differ where the shapes agree. What stays is where the edges are and which way they
run. :func:`orientation_similarity` compares that: both pictures are brought to one
small size, their gradients binned by unsigned orientation over a grid of cells
(weighted by magnitude and by the template's opaque pixels), and the two histograms'
cosine taken, after each cell block was normalised (a HOG descriptor, Dalal and Triggs).
OpenCV's ``HOGDescriptor`` takes no mask, and the transparent corners of an icon show
whatever is behind it on screen; the few lines below add the mask.

That mask leaves the icon's outline out (its gradient on screen is the step to whatever
is behind it), so an icon that is all silhouette (a flat ring, a ribbon of one colour)
keeps hardly any gradient inside and is compared by its noise.
:func:`outline_similarity` compares the outline too: its orientation is the alpha's
gradient's, whatever the background's colour (orientations are binned without sign).
"""

from __future__ import annotations

import cv2
import numpy as np

_CELL = 8
"""Pixels across a cell: both pictures are compared at ``cells * _CELL`` pixels across."""
_BINS = 8


def orientation_similarity(
    patch: np.ndarray,
    template: np.ndarray,
    mask: np.ndarray | None,
    cells: int = 4,
    edge_floor: float = 0.0,
    inner: float = 0.0,
) -> float:
    """Cosine (-1..1, usually 0..1) of the masked orientation histograms of two grey pictures.

    *patch* and *template* are grey images of the same icon-sized box (any sizes), *mask*
    the template's (255 = opaque) or None; *cells*: the grid's cells across;
    *edge_floor*: each cell's histogram is divided by its own length plus that of a cell
    whose every pixel has a gradient of this many grey levels (Sobel, at the compared
    size; 0: every cell brought to length 1); *inner* (0: off): the better of the whole
    grid's cosine and its inner cells' (all but the outer ring; see :func:`_inner_cells`)
    where the template's inner cells hold at least this share of its gradient (a glyph
    there, not a flat face or a ring's hole).
    """
    side = cells * _CELL
    weight = None
    if mask is not None:
        # only pixels whose gradient sees no transparent pixel: the outline's gradient
        # is the step to whatever is behind the icon
        small = cv2.resize(mask, (side, side), interpolation=cv2.INTER_AREA) >= 250
        eroded = cv2.erode(small.astype(np.uint8), np.ones((3, 3), np.uint8))
        weight = (eroded if eroded.sum() >= 0.25 * small.sum() else small).astype(np.float32)
    a, _ = _histogram(patch, weight, side, cells, edge_floor)
    b, lengths = _histogram(template, weight, side, cells, edge_floor)
    whole = _cosine(a, b)
    if inner <= 0 or cells < 3:
        return whole
    kept = _inner_cells(cells)
    if float(lengths[kept].sum()) < inner * float(lengths.sum()):
        return whole
    return max(whole, _cosine(a.reshape(-1, _BINS)[kept], b.reshape(-1, _BINS)[kept]))


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    norm = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(a.ravel() @ b.ravel()) / norm if norm > 1e-9 else 0.0


def _inner_cells(cells: int) -> np.ndarray:
    """Indices of the grid's cells off its outer ring (the middle 2x2 of 4x4).

    The outer ring holds the icon's outline, which a theme's icons share (Papirus'
    discs, Breeze's folders) and which the screen's background and a photograph's
    blur and noise disturb most (a flat face's cells hold only noise there, normalised
    to full weight); the inner cells hold the glyph that tells the icon apart.
    """
    grid = np.arange(cells * cells).reshape(cells, cells)
    kept: np.ndarray = grid[1:-1, 1:-1].ravel()
    return kept


def _histogram(
    picture: np.ndarray, weight: np.ndarray | None, side: int, cells: int, edge_floor: float
) -> tuple[np.ndarray, np.ndarray]:
    """Per-cell orientation histograms (cells x bins), each cell normalised, flattened;
    and each cell's length before the normalisation.

    A cell with no edge of its own (a flat part of the icon) holds only noise; normalised
    to length 1 it weighs as much as a cell of the icon's outline. *edge_floor* keeps
    such a cell short: its length is divided by itself plus a cell's whose pixels all
    have gradients of *edge_floor* grey levels (one direction), so a cell of weak
    gradients stays weak, whatever the picture's strongest edges.
    """
    small = cv2.resize(picture, (side, side), interpolation=cv2.INTER_AREA).astype(np.float32)
    return _binned(*_gradients(small), weight, side, cells, edge_floor)


def _binned(
    gx: np.ndarray,
    gy: np.ndarray,
    weight: np.ndarray | None,
    side: int,
    cells: int,
    edge_floor: float,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_histogram` of a gradient already taken (x, y at the compared size)."""
    magnitude, angle = cv2.cartToPolar(gx, gy)
    if weight is not None:
        magnitude *= weight
    bins = (np.mod(angle, np.pi) / np.pi * _BINS).astype(np.int64) % _BINS
    rows = np.minimum(np.arange(side) * cells // side, cells - 1)
    index = (rows[:, None] * cells + rows[None, :]) * _BINS + bins
    histogram = np.bincount(index.ravel(), magnitude.ravel(), cells * cells * _BINS)
    per_cell = histogram.reshape(cells * cells, _BINS).astype(np.float64)
    lengths = np.linalg.norm(per_cell, axis=1, keepdims=True)
    floor = edge_floor * (side // cells) ** 2
    per_cell /= lengths + floor + 1e-3 * float(per_cell.max()) + 1e-9
    return per_cell.ravel(), lengths.ravel()


def outline_similarity(
    patch: np.ndarray,
    template: np.ndarray,
    alpha: np.ndarray | None,
    cells: int = 4,
    outline: float = 0.5,
    edge_floor: float = 0.0,
) -> float:
    """Cosine of the orientation histograms of two grey pictures, the icon's outline included.

    *alpha* is the template's opacity (0-255, the version's alpha resized to the
    template's size, not eroded), None for an opaque icon (then the whole boxes are
    compared, as :func:`orientation_similarity` does). The template's gradient is its
    grey levels' inside its opaque part (eroded a pixel) and, elsewhere, its alpha's
    times *outline* (the outline as a step of ``255 * outline`` grey levels: the cells
    are normalised, so the weight matters only where a cell holds both); the screen's
    is its own, everywhere. Both are compared only on the icon's pixels and a pixel
    around them (the screen's background further off is not the icon's).
    """
    side = cells * _CELL
    small = cv2.resize(patch, (side, side), interpolation=cv2.INTER_AREA).astype(np.float32)
    drawn = cv2.resize(template, (side, side), interpolation=cv2.INTER_AREA).astype(np.float32)
    gx, gy = _gradients(drawn)
    weight = None
    if alpha is not None:
        opacity = cv2.resize(alpha.astype(np.float32), (side, side), interpolation=cv2.INTER_AREA)
        square = np.ones((3, 3), np.uint8)
        inside = cv2.erode((opacity >= 250).astype(np.uint8), square).astype(bool)
        ax, ay = _gradients(opacity)
        gx, gy = np.where(inside, gx, ax * outline), np.where(inside, gy, ay * outline)
        weight = cv2.dilate((opacity >= 64).astype(np.uint8), square).astype(np.float32)
    a, _ = _binned(*_gradients(small), weight, side, cells, edge_floor)
    b, _ = _binned(gx, gy, weight, side, cells, edge_floor)
    return _cosine(a, b)


def _gradients(picture: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The 3x3 Sobel gradient of a float picture (x, y)."""
    return (
        cv2.Sobel(picture, cv2.CV_32F, 1, 0, ksize=3),
        cv2.Sobel(picture, cv2.CV_32F, 0, 1, ksize=3),
    )
