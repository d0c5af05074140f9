"""OpenCV cameras: a device index, a video file or a stream URL (``cv2.VideoCapture``).

Live sources buffer frames; :meth:`OpenCvCamera.grab` drains the buffer first so the
frame returned shows the screen *now*, not some frames ago. Exposure and gain are
set where the backend supports them; :attr:`OpenCvCamera.unsupported` lists those it
refused.
"""

from __future__ import annotations

import os

import numpy as np

from robotest.errors import CameraError


class OpenCvCamera:
    def __init__(self, source: int | str, *, width: int | None = None,
                 height: int | None = None, exposure: float | None = None,
                 gain: float | None = None, drain: int | None = None) -> None:
        import cv2

        self.source = source
        self.name = f"opencv:{source}"
        self.live = not (isinstance(source, str) and os.path.isfile(source))
        self.drain = drain if drain is not None else (4 if self.live else 0)
        self._cap = cv2.VideoCapture(source)
        if not self._cap.isOpened():
            raise CameraError(f"camera {self.name} could not be opened: check the device "
                              "index, file path or stream URL in the station file")
        self.unsupported: list[str] = []
        settings = {
            "buffer size": (cv2.CAP_PROP_BUFFERSIZE, 1 if self.live else None),
            "width": (cv2.CAP_PROP_FRAME_WIDTH, width),
            "height": (cv2.CAP_PROP_FRAME_HEIGHT, height),
            "exposure": (cv2.CAP_PROP_EXPOSURE, exposure),
            "gain": (cv2.CAP_PROP_GAIN, gain),
        }
        for label, (prop, value) in settings.items():
            if value is not None and not self._cap.set(prop, float(value)):
                self.unsupported.append(label)

    def grab(self) -> np.ndarray:
        """A fresh frame: drop what the driver buffered, then read one."""
        for _ in range(self.drain):
            if not self._cap.grab():
                break
        ok, frame = self._cap.read()
        if not ok or frame is None:
            raise CameraError(f"camera {self.name} returned no frame")
        return np.asarray(frame)

    def close(self) -> None:
        self._cap.release()
