"""The picture of a failed icon search: where the best candidate was, and what was sought.

The screen the step saw last, with the best candidate outlined, the icon version that
came closest pasted in a corner (at twice its size when small) and a caption with the
score, the threshold, the scale and the version: what a QA engineer needs to tell a
changed icon (capture it: ``rtest icon capture``) from a missing one.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

_RED = (40, 40, 220)
_WHITE = (255, 255, 255)
_MARGIN = 12


def failed_match_overlay(screen: np.ndarray, match: Any, icon: Any, name: str) -> np.ndarray:
    """*screen* (BGR) annotated with *match* (an ``IconMatch``) of *icon* (a vision Icon)."""
    picture = screen.copy() if screen.ndim == 3 else cv2.cvtColor(screen, cv2.COLOR_GRAY2BGR)
    if match.box is not None:
        x, y, w, h = (int(v) for v in match.box)
        cv2.rectangle(picture, (x - 2, y - 2), (x + w + 1, y + h + 1), _RED, 3)
    version = next((v for v in icon.versions if v.name == match.version), icon.versions[0])
    template = (
        version.colour
        if version.colour is not None
        else cv2.cvtColor(version.grey, cv2.COLOR_GRAY2BGR)
    )
    if max(template.shape[:2]) < 64:
        template = cv2.resize(template, None, fx=2, fy=2, interpolation=cv2.INTER_NEAREST)
    scale = f"{match.scale:.2f}" if match.scale else "-"
    caption = (
        f"icon {name!r} {version.name}: best score {match.score:.2f} "
        f"(needs {match.threshold:.2f}), scale {scale}"
    )
    _paste_with_caption(picture, template, caption, match.box)
    return picture


def _paste_with_caption(
    picture: np.ndarray, template: np.ndarray, caption: str, avoid: Any = None
) -> None:
    """The template and caption in the top right corner, or the top left one where the
    top right would hide the outlined box *avoid* (x, y, w, h)."""
    height, width = picture.shape[:2]
    th, tw = template.shape[:2]
    th, tw = min(th, height // 3), min(tw, width // 3)
    (text_w, text_h), _ = cv2.getTextSize(caption, cv2.FONT_HERSHEY_SIMPLEX, 0.6, 1)
    box_w = max(tw, text_w) + 2 * _MARGIN
    left = max(0, width - box_w - _MARGIN)
    top = _MARGIN
    bottom = min(height, top + th + text_h + 3 * _MARGIN)
    if avoid is not None:
        x, y, w, h = (int(v) for v in avoid)
        if x + w + 2 >= left and y - 2 <= bottom:  # the panel would cover the outline
            left = _MARGIN
    cv2.rectangle(picture, (left, top), (min(width - 1, left + box_w), bottom), (30, 30, 30), -1)
    cv2.rectangle(picture, (left, top), (min(width - 1, left + box_w), bottom), _RED, 2)
    y0, x0 = top + _MARGIN, left + _MARGIN
    picture[y0 : y0 + th, x0 : x0 + tw] = template[:th, :tw, :3]
    cv2.putText(
        picture,
        caption,
        (x0, y0 + th + _MARGIN + text_h),
        cv2.FONT_HERSHEY_SIMPLEX,
        0.6,
        _WHITE,
        1,
        cv2.LINE_AA,
    )
