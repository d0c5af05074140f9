"""Computer vision of the robot: screen calibration, GUI localisation and OCR.

The runtime calls these directly::

    calibration = Calibration.from_frame(frame, (1920, 1080))   # once per laptop; .save/.load
    screen = calibration.rectify(frame)                          # every frame after
    match = locate(screen, Icon.load("icons/settings"))          # IconMatch: found + best place
    text = read_beside(screen, "BIOS Version", "right_of")       # anchored read
    where = find_text(screen, "BIOS Setup Utility")              # TextMatch

Every routine raises :class:`VisionInputError` (a ``ValueError``) for unusable input and
:class:`CalibrationError` (a ``CameraError``) for a frame that shows no screen.
"""

from robotest.vision.calibration import Calibration, corner_pixels, screen_outline
from robotest.vision.denoise import average_frames, denoise
from robotest.vision.errors import CalibrationError, OcrError, VisionInputError
from robotest.vision.fuzzy import matches as text_matches
from robotest.vision.icons import DEFAULT_THRESHOLD, Icon, IconVersion
from robotest.vision.images import Region, load_image, to_grey
from robotest.vision.lens import Lens
from robotest.vision.locate import IconMatch, find_all, locate
from robotest.vision.ocr import OcrResult, Word, ocr
from robotest.vision.text_search import (
    TextMatch,
    anchored_region,
    find_text,
    read_beside,
    screen_text,
)

__all__ = [
    "DEFAULT_THRESHOLD",
    "Calibration",
    "CalibrationError",
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
    "ocr",
    "read_beside",
    "screen_outline",
    "screen_text",
    "text_matches",
    "to_grey",
]
