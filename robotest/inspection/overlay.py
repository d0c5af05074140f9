"""Heat maps over images, for people: what the model looked at, and where it found defects."""

from __future__ import annotations

import cv2
import numpy as np

from robotest.inspection.verdict import Box


def overlay(
    image: np.ndarray, heat: np.ndarray, boxes: list[Box], alpha: float = 0.45
) -> np.ndarray:
    """Blend a JET-coloured *heat* map (H x W in [0, 1]) over *image*; draw *boxes* in red.

    Returns an 8-bit BGR picture ready to write as PNG.
    """
    base = np.clip(image * 255.0, 0, 255).astype(np.uint8)
    if base.shape[2] == 1:
        base = np.asarray(cv2.cvtColor(base, cv2.COLOR_GRAY2BGR), np.uint8)
    colours = cv2.applyColorMap(np.clip(heat * 255.0, 0, 255).astype(np.uint8), cv2.COLORMAP_JET)
    out = cv2.addWeighted(base, 1.0 - alpha, colours, alpha, 0.0)
    thickness = max(1, round(max(out.shape[:2]) / 256))
    for box in boxes:
        cv2.rectangle(
            out, (box.x, box.y), (box.x + box.w - 1, box.y + box.h - 1), (0, 0, 255), thickness
        )
        cv2.putText(
            out,
            f"{box.score:.1f}",
            (box.x, max(10, box.y - 3)),
            cv2.FONT_HERSHEY_SIMPLEX,
            0.4 * thickness,
            (0, 0, 255),
            thickness,
        )
    return out
