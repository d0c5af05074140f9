"""Errors of the vision routines: bad input says what is wrong; a refused calibration says why."""

from __future__ import annotations

from robotest.errors import CameraError, RobotestError


class VisionInputError(RobotestError, ValueError):
    """An image, icon, region or calibration file given to a vision routine is unusable."""


class CalibrationError(CameraError):
    """No screen quadrilateral could be found in a camera frame: nothing is guessed."""


class OcrError(RobotestError):
    """Tesseract is missing or failed on an image (names the cause)."""
