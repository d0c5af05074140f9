"""What the robot sees: fresh camera frames, rectified to the laptop's own screen.

Scripts and regions use the laptop's own pixels. On a framebuffer station (VNC) the
frame *is* the screen: it is used as it is, never resampled, at whatever size the
server has now (a resize is followed). On a camera station the first usable frame
calibrates the camera onto the laptop's screen size (as the station reports it; 1920 x
1080 when it cannot) or the station's calibration file is loaded; every later frame is
rectified with the stored maps. A frame that has not
changed since the last look gives back the same screen object, so the vision caches
answer without OCR or matching again. The test compares 1/8-size thumbnails by their
largest difference: averaging 8x8 pixels quiets sensor noise, while one changed
character still moves its block far more than noise does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from robotest.errors import CameraError

DEFAULT_SCREEN_SIZE = (1920, 1080)
"""A camera station's screen size when the station cannot report the laptop's."""
_THUMB_FACTOR = 8


@dataclass
class ScreenView:
    """Grabs frames from a station's camera and hands out the laptop's screens."""

    camera: Any  # has grab() -> BGR frame
    calibration_file: Path | None = None
    size: tuple[int, int] | None = None  # the laptop's screen (camera stations)
    framebuffer: bool = False  # the frames are the screen itself (VNC)
    change_threshold: float = 8.0  # grey levels, largest difference between thumbnails
    calibration: Any = None
    max_failures: int = 20
    failures: int = 0
    version: int = 0  # increases each time the screen changes
    looks: int = 0
    _thumb: np.ndarray | None = field(default=None, repr=False)
    _screen: np.ndarray | None = field(default=None, repr=False)

    @property
    def screen_size(self) -> tuple[int, int]:
        """The laptop screen's (width, height) in its own pixels: the framebuffer's as
        last seen, or the size the camera is calibrated onto."""
        if self.framebuffer:
            if self._screen is None:
                self.look()
            assert self._screen is not None
            return int(self._screen.shape[1]), int(self._screen.shape[0])
        if self.calibration is not None:
            return tuple(self.calibration.screen_size)
        return self.size or DEFAULT_SCREEN_SIZE

    def calibrate(self, frame: np.ndarray | None = None) -> Any:
        """The calibration: from the station's file, else from camera frames.

        Each call tries the given frame (or a fresh one); after ``max_failures`` frames
        in a row that show no screen, the camera is reported faulty.
        """
        from robotest.vision import Calibration, CalibrationError

        if self.framebuffer:
            return True  # nothing to calibrate: the frame is the screen
        if self.calibration is not None:
            return self.calibration
        if self.calibration_file is not None and Path(self.calibration_file).exists():
            self.calibration = Calibration.load(self.calibration_file)
            return self.calibration
        frame = self.camera.grab() if frame is None else frame
        try:
            self.calibration = Calibration.from_frame(frame, self.size or DEFAULT_SCREEN_SIZE)
        except CalibrationError as error:
            self.failures += 1
            if self.failures >= self.max_failures:
                raise CameraError(
                    f"cannot find the laptop's screen in {self.failures} camera "
                    f"frames in a row: {error}"
                ) from None
            return None
        return self.calibration

    def look(self) -> np.ndarray:
        """The current screen (the same object as last time when nothing changed)."""
        frame = self.camera.grab()
        while self.calibrate(frame) is None:
            frame = self.camera.grab()
        calibration = self.calibration
        self.looks += 1
        height, width = frame.shape[:2]
        size = (width // _THUMB_FACTOR, height // _THUMB_FACTOR)
        thumb = cv2.resize(
            cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY), size, interpolation=cv2.INTER_AREA
        ).astype(np.int16)
        if (
            self._screen is not None
            and self._thumb is not None
            and self._thumb.shape == thumb.shape
            and int(np.abs(thumb - self._thumb).max()) < self.change_threshold
        ):
            return self._screen
        self._thumb = thumb
        self._screen = frame if self.framebuffer else calibration.rectify(frame)
        self.version += 1
        return self._screen

    def last(self) -> np.ndarray | None:
        """The screen seen last, without grabbing a new frame."""
        return self._screen
