"""Boxes ``(x, y, w, h)`` shared by vision and inspection: how much two of them overlap."""

from __future__ import annotations

XYWH = tuple[int, int, int, int]


def iou(a: XYWH, b: XYWH) -> float:
    """Intersection over union of two boxes (x, y, w, h); 0 for two empty ones."""
    ix = max(0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union else 0.0
