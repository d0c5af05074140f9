"""Finding the screen's four corners in a camera frame, to a fraction of a pixel.

Two steps. A coarse quadrilateral comes from the outline of the lit screen on a reduced
frame (threshold against the dark surround, largest blob, convex hull, 4-point polygon).
Each side is then refined at full resolution: the grey profile across the side is sampled
at many points, the strongest edge along each profile is located to a sub-pixel by a
parabola fit, and a line is fitted to those edge points (after removing lens distortion,
so the screen's sides are straight). The corners are the intersections of adjacent lines.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from robotest.vision.lens import Lens

_COARSE_WIDTH = 640
_MIN_AREA_FRACTION = 0.02
_MIN_CONTRAST = 0.025


@dataclass(frozen=True)
class SideFit:
    """One refined side: its raw edge points and how well a straight line explains them."""

    points: np.ndarray
    """Edge points in raw frame pixels, (N, 2)."""
    support: float
    """Fraction of the sampled profiles that showed a clear edge."""


def coarse_quad(grey: np.ndarray) -> np.ndarray | None:
    """Approximate corners (TL, TR, BR, BL) of the largest lit quadrilateral, or None."""
    scale = min(1.0, _COARSE_WIDTH / grey.shape[1])
    small = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (5, 5), 0)
    candidates: list[tuple[float, float, np.ndarray]] = []
    for mask in _screen_masks(small):
        quad = _largest_quad(mask)
        if quad is not None:
            area = float(cv2.contourArea(quad.astype(np.float32)))
            candidates.append((area, _edge_contrast(small, quad), quad))
    # the screen is the largest lit quadrilateral whose outline stands out from the surround
    clear = [c for c in candidates if c[1] >= _MIN_CONTRAST]
    if not clear:
        return None
    best = max(clear, key=lambda c: c[0])
    return _order_corners(best[2] / scale)


def _screen_masks(small: np.ndarray) -> list[np.ndarray]:
    """Binary candidates for 'screen' pixels: above the surround's level, and Otsu."""
    border = np.concatenate([small[:4].ravel(), small[-4:].ravel(), small[:, :4].ravel(), small[:, -4:].ravel()])
    surround = float(np.percentile(border, 50))
    spread = float(np.percentile(border, 90) - np.percentile(border, 10))
    masks = []
    for level in (surround + max(6.0, 2.0 * spread), surround + max(12.0, 4.0 * spread)):
        if level < 250:
            masks.append((small > level).astype(np.uint8) * 255)
    _, otsu = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    masks.append(otsu)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (7, 7))
    return [cv2.morphologyEx(m, cv2.MORPH_CLOSE, kernel) for m in masks]


def _largest_quad(mask: np.ndarray) -> np.ndarray | None:
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    contour = max(contours, key=cv2.contourArea)
    if cv2.contourArea(contour) < _MIN_AREA_FRACTION * mask.size:
        return None
    hull = cv2.convexHull(contour)
    perimeter = cv2.arcLength(hull, True)
    for factor in (0.01, 0.02, 0.03, 0.05):
        poly = cv2.approxPolyDP(hull, factor * perimeter, True)
        if len(poly) == 4:
            return poly.reshape(4, 2).astype(np.float64)
        if len(poly) < 4:
            return None
    return None


def _edge_contrast(small: np.ndarray, quad: np.ndarray) -> float:
    """Mean grey difference just inside vs just outside the quadrilateral's sides (0..1)."""
    inner = np.zeros_like(small)
    cv2.fillConvexPoly(inner, quad.astype(np.int32), 255)
    kernel = np.ones((5, 5), np.uint8)
    ring_in = cv2.subtract(inner, cv2.erode(inner, kernel))
    ring_out = cv2.subtract(cv2.dilate(inner, kernel), inner)
    if not ring_in.any() or not ring_out.any():
        return 0.0
    return abs(float(small[ring_in > 0].mean()) - float(small[ring_out > 0].mean())) / 255.0


def _order_corners(points: np.ndarray) -> np.ndarray:
    """TL, TR, BR, BL order of four points."""
    centre = points.mean(axis=0)
    angles = np.arctan2(points[:, 1] - centre[1], points[:, 0] - centre[0])
    ordered = points[np.argsort(angles)]  # from -pi: TL, TR, BR, BL for y-down images
    start = int(np.argmin(ordered.sum(axis=1)))
    return np.roll(ordered, -start, axis=0)


def refine_side(grey: np.ndarray, base: np.ndarray, inward: np.ndarray, reach: float) -> SideFit:
    """Sub-pixel edge points across a side sampled at *base* points, searching +-*reach* pixels.

    *inward* holds the unit normal at each base point, pointing into the screen.
    """
    count = len(base)
    tangent = np.column_stack([-inward[:, 1], inward[:, 0]])
    offsets = np.arange(-reach, reach + 0.25, 0.5)
    along = np.array([-1.0, 0.0, 1.0])
    # grey at base_i + offset_k * inward_i + along_j * tangent_i; averaged along the side
    xs = (
        base[:, None, None, 0]
        + offsets[None, :, None] * inward[:, None, None, 0]
        + along[None, None, :] * tangent[:, None, None, 0]
    )
    ys = (
        base[:, None, None, 1]
        + offsets[None, :, None] * inward[:, None, None, 1]
        + along[None, None, :] * tangent[:, None, None, 1]
    )
    samples = cv2.remap(
        grey,
        xs.reshape(count, -1).astype(np.float32),
        ys.reshape(count, -1).astype(np.float32),
        cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    ).reshape(count, len(offsets), len(along))
    profiles = samples.mean(axis=2)
    derivative = np.gradient(profiles, axis=1)
    # the screen is usually brighter than its surround (derivative > 0 going inward)
    sign = 1.0 if np.median(derivative.max(axis=1)) >= np.median(-derivative.min(axis=1)) else -1.0
    strength = derivative * sign
    noise = float(np.median(np.abs(np.diff(profiles[:, :3], axis=1)))) + 0.25
    inner = strength[:, 1:-1]
    # the outermost clear local maximum: the screen's border, not an edge of its content
    level = np.maximum(4.0 * noise, 0.35 * inner.max(axis=1, keepdims=True))
    is_peak = (
        (inner >= level)
        & (inner >= strength[:, :-2])
        & (inner >= strength[:, 2:])
    )
    peak = np.where(is_peak.any(axis=1), np.argmax(is_peak, axis=1), np.argmax(inner, axis=1)) + 1
    rows = np.arange(count)
    left, centre, right = strength[rows, peak - 1], strength[rows, peak], strength[rows, peak + 1]
    denom = left - 2 * centre + right
    safe = np.where(np.abs(denom) > 1e-9, denom, -1.0)
    shift = np.clip(0.5 * (left - right) / safe, -1.0, 1.0)
    offset = offsets[peak] + shift * 0.5
    clear = centre > max(4.0 * noise, 0.3 * float(np.median(centre)))
    points = base + offset[:, None] * inward
    return SideFit(points=points[clear], support=float(clear.mean()))


def fit_line(points: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Total-least-squares line (point, unit direction) with outliers dropped, and its RMS residual."""
    pts = points
    for _ in range(3):
        centre = pts.mean(axis=0)
        _, _, vt = np.linalg.svd(pts - centre, full_matrices=False)
        direction = vt[0]
        normal = np.array([-direction[1], direction[0]])
        residual = (pts - centre) @ normal
        rms = float(np.sqrt(np.mean(residual**2)))
        keep = np.abs(residual) <= max(3.0 * rms, 0.3)
        if keep.all() or keep.sum() < 8:
            break
        pts = pts[keep]
    return centre, direction, rms


def intersect(p1: np.ndarray, d1: np.ndarray, p2: np.ndarray, d2: np.ndarray) -> np.ndarray:
    """Intersection of two lines given as point + direction."""
    matrix = np.column_stack([d1, -d2])
    t = np.linalg.solve(matrix, p2 - p1)
    return p1 + t[0] * d1


def side_residual(sides: list[np.ndarray], lens: Lens) -> float:
    """RMS distance of the sides' undistorted edge points from their fitted lines."""
    total = 0.0
    count = 0
    for pts in sides:
        ideal = lens.undistort_points(pts)
        _, _, rms = fit_line(ideal)
        total += rms**2 * len(pts)
        count += len(pts)
    return float(np.sqrt(total / max(count, 1)))


def estimate_radial_lens(sides: list[np.ndarray], image_size: tuple[int, int]) -> Lens:
    """The one-parameter radial lens that makes the four sides straightest (plumb-line method)."""
    low, high = -0.4, 0.4
    ratio = (np.sqrt(5) - 1) / 2
    a = high - ratio * (high - low)
    b = low + ratio * (high - low)
    fa = side_residual(sides, Lens.radial(image_size, a))
    fb = side_residual(sides, Lens.radial(image_size, b))
    for _ in range(28):
        if fa < fb:
            high, b, fb = b, a, fa
            a = high - ratio * (high - low)
            fa = side_residual(sides, Lens.radial(image_size, a))
        else:
            low, a, fa = a, b, fb
            b = low + ratio * (high - low)
            fb = side_residual(sides, Lens.radial(image_size, b))
    return Lens.radial(image_size, (low + high) / 2)
