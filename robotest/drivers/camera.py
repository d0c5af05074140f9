"""Cameras: the common interface and the checks every frame goes through.

A camera's :meth:`~Camera.grab` returns a fresh BGR ``uint8`` frame (H x W x 3).
:class:`FrameGuard` turns what real cameras do wrong into a clear
:class:`~robotest.errors.CameraError`: no frame, the same frame over and over
(a frozen stream), or a resolution that changed mid-run.
"""

from __future__ import annotations

import hashlib
from typing import Protocol, runtime_checkable

import numpy as np

from robotest.drivers.health import HealthNotes
from robotest.errors import CameraError


@runtime_checkable
class Camera(Protocol):
    """What the station needs from a camera."""

    name: str

    def grab(self) -> np.ndarray: ...

    def close(self) -> None: ...


class FrameGuard:
    """Checks frames from one camera: present, not frozen, constant resolution.

    *frozen_after* identical frames in a row mean the stream froze (a real sensor
    always has noise); ``None`` turns the check off (replayed stills). *fixed_size*
    False: the resolution may change (a VNC framebuffer follows its desktop).
    """

    def __init__(
        self,
        name: str,
        frozen_after: int | None = 20,
        expected_size: tuple[int, int] | None = None,
        *,
        fixed_size: bool = True,
    ) -> None:
        self.name = name
        self.frozen_after = frozen_after
        self.size = expected_size  # (width, height)
        self.fixed_size = fixed_size
        self._last_digest: bytes | None = None
        self._repeats = 0
        self.fault: str | None = None

    def check(self, frame: np.ndarray | None) -> np.ndarray:
        if frame is None or not isinstance(frame, np.ndarray) or frame.size == 0:
            self._fail(f"camera {self.name} returned no frame")
        assert frame is not None
        frame = to_bgr(frame, self.name)
        height, width = frame.shape[:2]
        if self.size is None or not self.fixed_size:
            self.size = (width, height)
        elif self.size != (width, height):
            self._fail(
                f"camera {self.name} changed resolution from "
                f"{self.size[0]}x{self.size[1]} to {width}x{height}"
            )
        if self.frozen_after is not None:
            digest = hashlib.blake2b(frame.tobytes(), digest_size=16).digest()
            self._repeats = self._repeats + 1 if digest == self._last_digest else 0
            self._last_digest = digest
            if self._repeats >= self.frozen_after:
                self._fail(
                    f"camera {self.name} is frozen: the last {self._repeats + 1} "
                    "frames are identical"
                )
        return frame

    def health(self) -> HealthNotes:
        return HealthNotes(faults=[self.fault] if self.fault else [])

    def _fail(self, message: str) -> None:
        self.fault = message
        raise CameraError(message)


def to_bgr(frame: np.ndarray, name: str = "camera") -> np.ndarray:
    """A uint8 H x W x 3 BGR view of a grey, BGR or BGRA frame."""
    if frame.dtype != np.uint8:
        if frame.dtype == np.uint16:
            frame = (frame >> 8).astype(np.uint8)
        else:
            raise CameraError(f"camera {name} returned {frame.dtype} pixels, expected uint8")
    if frame.ndim == 2:
        return np.repeat(frame[:, :, None], 3, axis=2)
    if frame.ndim == 3 and frame.shape[2] == 3:
        return frame
    if frame.ndim == 3 and frame.shape[2] == 4:
        return np.ascontiguousarray(frame[:, :, :3])
    raise CameraError(f"camera {name} returned a frame of shape {frame.shape}")


class GuardedCamera:
    """A camera whose every frame goes through a :class:`FrameGuard`."""

    def __init__(self, camera: Camera, guard: FrameGuard | None = None) -> None:
        self.camera = camera
        self.name = camera.name
        self.guard = guard or FrameGuard(camera.name)

    def grab(self) -> np.ndarray:
        try:
            frame = self.camera.grab()
        except CameraError as exc:
            self.guard.fault = str(exc)
            raise
        return self.guard.check(frame)

    def health(self) -> HealthNotes:
        return self.guard.health()

    def close(self) -> None:
        self.camera.close()
