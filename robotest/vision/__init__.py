"""Computer vision of the robot: screen calibration, GUI localisation and OCR.

The runtime calls these directly::

    calibration = Calibration.from_frame(frame, (1920, 1080))   # once per laptop; .save/.load
    screen = calibration.rectify(frame)                          # every frame after
    match = locate(screen, Icon.load("icons/settings"))          # IconMatch: found + best place
    text = read_beside(screen, "BIOS Version", "right_of")       # anchored read
    where = find_text(screen, "BIOS Setup Utility")              # TextMatch

Every routine raises :class:`VisionInputError` (a ``ValueError``) for unusable input and
:class:`CalibrationError` (a ``CameraError``) for a frame that shows no screen.

Names are imported on first use (OpenCV is slow to import), so ``import robotest.vision``
and ``rtest --help`` stay fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_WHERE = {
    "Calibration": "calibration",
    "corner_pixels": "calibration",
    "screen_outline": "calibration",
    "average_frames": "noise",
    "denoise": "noise",
    "CalibrationError": "errors",
    "OcrError": "errors",
    "VisionInputError": "errors",
    "text_matches": "fuzzy",
    "DEFAULT_THRESHOLD": "icons",
    "Icon": "icons",
    "IconVersion": "icons",
    "Region": "images",
    "load_image": "images",
    "to_grey": "images",
    "Lens": "lens",
    "IconMatch": "icon_search",
    "find_all": "icon_search",
    "locate": "icon_search",
    "locate_distinct": "rivals",
    "OcrResult": "ocr_engine",
    "Word": "words",
    "ocr": "ocr_engine",
    "TextMatch": "text_search",
    "anchored_region": "text_search",
    "find_text": "text_search",
    "read_beside": "text_search",
    "screen_text": "text_search",
}
_RENAMED = {"text_matches": "matches"}

__all__ = [
    "Calibration",
    "CalibrationError",
    "DEFAULT_THRESHOLD",
    "Icon",
    "IconMatch",
    "IconVersion",
    "Lens",
    "OcrError",
    "OcrResult",
    "Region",
    "TextMatch",
    "VisionInputError",
    "Word",
    "anchored_region",
    "average_frames",
    "corner_pixels",
    "denoise",
    "find_all",
    "find_text",
    "load_image",
    "locate",
    "locate_distinct",
    "ocr",
    "read_beside",
    "screen_outline",
    "screen_text",
    "text_matches",
    "to_grey",
]


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use."""
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'robotest.vision' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"robotest.vision.{module}"), _RENAMED.get(name, name))
    globals()[name] = value
    return value


if TYPE_CHECKING:
    from robotest.vision.calibration import Calibration, corner_pixels, screen_outline
    from robotest.vision.errors import CalibrationError, OcrError, VisionInputError
    from robotest.vision.fuzzy import matches as text_matches
    from robotest.vision.icon_search import IconMatch, find_all, locate
    from robotest.vision.icons import DEFAULT_THRESHOLD, Icon, IconVersion
    from robotest.vision.images import Region, load_image, to_grey
    from robotest.vision.lens import Lens
    from robotest.vision.noise import average_frames, denoise
    from robotest.vision.ocr_engine import OcrResult, ocr
    from robotest.vision.rivals import locate_distinct
    from robotest.vision.text_search import (
        TextMatch,
        anchored_region,
        find_text,
        read_beside,
        screen_text,
    )
    from robotest.vision.words import Word
