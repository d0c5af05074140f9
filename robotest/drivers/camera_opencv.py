"""OpenCV cameras: a device index, a video file or a stream URL (``cv2.VideoCapture``).

Live sources buffer frames, so the oldest frame in the buffer may show the screen as
it was a while ago. :meth:`OpenCvCamera.grab` drains the buffer first: it grabs until a
grab has to *wait* for the camera (that frame was just exposed) or ``max_drain`` grabs
were made, and returns the last one. Exposure and gain are set where the backend
supports them; :attr:`OpenCvCamera.unsupported` lists what it refused.
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING

import numpy as np

from robotest.errors import CameraError

if TYPE_CHECKING:
    from robotest.drivers.station_config import CameraSpec


class OpenCvCamera:
    def __init__(
        self,
        source: int | str,
        *,
        width: int | None = None,
        height: int | None = None,
        exposure: float | None = None,
        gain: float | None = None,
        live: bool | None = None,
        max_drain: int = 8,
    ) -> None:
        import cv2

        self.source = source
        self.name = f"opencv:{source}"
        self.live = (
            live if live is not None else not (isinstance(source, str) and os.path.isfile(source))
        )
        self.max_drain = max_drain
        self._cap = cv2.VideoCapture(source)
        if not self._cap.isOpened():
            raise CameraError(
                f"camera {self.name} could not be opened: check the device "
                "index, file path or stream URL in the station file"
            )
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
        fps = self._cap.get(cv2.CAP_PROP_FPS) or 30.0
        self._fresh_wait = 0.4 / fps if fps > 0 else 0.01  # a grab this slow waited for a frame

    def grab(self) -> np.ndarray:
        """A fresh frame (live sources: buffered frames are dropped first)."""
        if self.live:
            grabbed = False
            for _ in range(self.max_drain):
                start = time.monotonic()
                if not self._cap.grab():
                    break
                grabbed = True
                if time.monotonic() - start >= self._fresh_wait:
                    break
            ok, frame = self._cap.retrieve() if grabbed else (False, None)
        else:
            ok, frame = self._cap.read()
        if not ok or frame is None:
            raise CameraError(f"camera {self.name} returned no frame")
        return np.asarray(frame)

    def close(self) -> None:
        self._cap.release()


def open_opencv_camera(spec: CameraSpec) -> OpenCvCamera:
    """``[camera] kind = "opencv"`` (the ``robotest.camera_kinds`` entry point)."""
    return OpenCvCamera(
        spec.source, width=spec.width, height=spec.height, exposure=spec.exposure, gain=spec.gain
    )
