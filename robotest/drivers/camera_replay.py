"""Replay a recorded run offline: a folder of frames (sorted by name) or a video file."""

from __future__ import annotations

import os

import numpy as np

from robotest.errors import CameraError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff")


class ReplayCamera:
    """Each :meth:`grab` returns the next recorded frame; at the end, loop or raise."""

    def __init__(self, path: str, *, loop: bool = False) -> None:
        self.path = path
        self.name = f"replay:{path}"
        self.loop = loop
        self._files: list[str] = []
        self._cap = None
        self._index = 0
        if os.path.isdir(path):
            self._files = sorted(
                os.path.join(path, f)
                for f in os.listdir(path)
                if f.lower().endswith(IMAGE_SUFFIXES)
            )
            if not self._files:
                raise CameraError(
                    f"camera {self.name}: the folder has no image files "
                    f"({', '.join(IMAGE_SUFFIXES)})"
                )
        elif os.path.isfile(path):
            import cv2

            self._cap = cv2.VideoCapture(path)
            if not self._cap.isOpened():
                raise CameraError(f"camera {self.name}: not a video OpenCV can read")
        else:
            raise CameraError(f"camera {self.name}: no such file or folder")

    def grab(self) -> np.ndarray:
        frame = self._next_file() if self._files else self._next_video()
        self._index += 1
        return frame

    def _next_file(self) -> np.ndarray:
        import cv2

        if self._index >= len(self._files):
            if not self.loop:
                raise CameraError(
                    f"camera {self.name}: the recording ended after {len(self._files)} frames"
                )
            self._index = 0
        from robotest.image_decoding import ImageFileError, ImageTooLarge, read_image_file

        file = self._files[self._index]
        try:  # its declared size is checked before it is decoded
            frame = read_image_file(file, cv2.IMREAD_COLOR)
        except ImageTooLarge as exc:
            raise CameraError(f"camera {self.name}: {exc}") from None
        except ImageFileError:
            raise CameraError(
                f"camera {self.name}: {os.path.basename(file)} is not an image OpenCV can read"
            ) from None
        return np.asarray(frame)

    def _next_video(self) -> np.ndarray:
        import cv2

        assert self._cap is not None
        ok, frame = self._cap.read()
        if not ok and self.loop:
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, frame = self._cap.read()
        if not ok or frame is None:
            raise CameraError(f"camera {self.name}: the recording ended after {self._index} frames")
        return np.asarray(frame)

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
