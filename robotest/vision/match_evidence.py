"""The picture a failed icon step leaves in the report: where the search looked, and what for.

The screen with the best candidate outlined (box, score, scale, version and the score it
needed written above it) and, in a panel at its right, the version that scored best,
shown at the candidate's size and enlarged, so a QA engineer sees at a glance whether
the icon changed (the template differs from what is on screen) or the robot looked in
the wrong place (the outline is elsewhere).
"""

from __future__ import annotations

import cv2
import numpy as np

from robotest.vision.icon_search import IconMatch
from robotest.vision.icons import Icon

_RED = (40, 40, 230)
_PANEL = 260
"""Width of the template panel, pixels."""


def evidence_image(screen: np.ndarray, icon: Icon, match: IconMatch) -> np.ndarray:
    """BGR: *screen* with *match*'s box outlined, the matched version beside it."""
    picture = _bgr(screen).copy()
    if match.box is not None:
        x, y, w, h = match.box
        cv2.rectangle(picture, (x - 2, y - 2), (x + w + 1, y + h + 1), _RED, 2)
        scale = f"{match.scale:.2f}" if match.scale else "-"
        label = (
            f"best {match.score:.2f} (needs {match.threshold:.2f}) "
            f"scale {scale} {match.version or ''}"
        )
        cv2.putText(picture, label, (x, max(14, y - 8)), cv2.FONT_HERSHEY_SIMPLEX, 0.5, _RED, 1)
    return np.hstack([picture, _template_panel(icon, match, picture.shape[0])])


def _template_panel(icon: Icon, match: IconMatch, height: int) -> np.ndarray:
    panel = np.full((height, _PANEL, 3), 255, np.uint8)
    version = next((v for v in icon.versions if v.name == match.version), icon.versions[0])
    pixels = version.colour if version.colour is not None else version.grey
    pixels = _bgr(pixels)
    if version.mask is not None:  # transparent parts shown as the panel's white
        pixels = np.where(version.mask[:, :, None] > 0, pixels, 255).astype(np.uint8)
    side = _PANEL - 40
    zoom = side / max(pixels.shape[:2])
    big = cv2.resize(pixels, None, fx=zoom, fy=zoom, interpolation=cv2.INTER_NEAREST)
    top = 40
    if top + big.shape[0] <= height:
        panel[top : top + big.shape[0], 20 : 20 + big.shape[1]] = big
    cv2.putText(
        panel, f"{icon.name}: {version.name}", (10, 24), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 1
    )
    return panel


def _bgr(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    return image
