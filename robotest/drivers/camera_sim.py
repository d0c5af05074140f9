"""The simulated camera, as a station camera (wraps :class:`robotest.sim` 's camera)."""

from __future__ import annotations

from typing import Protocol

import numpy as np

from robotest.errors import CameraError


class FrameSource(Protocol):
    def grab(self) -> np.ndarray: ...


class SimCameraAdapter:
    """Frames of the simulated laptop as its camera sees them (BGR)."""

    def __init__(self, source: FrameSource, name: str = "sim") -> None:
        self.source = source
        self.name = name

    def grab(self) -> np.ndarray:
        try:
            frame = self.source.grab()
        except CameraError:
            raise
        except Exception as exc:  # the simulation failed: a camera fault, not a test failure
            raise CameraError(f"camera {self.name}: simulated camera failed: {exc}") from exc
        return np.asarray(frame)

    def close(self) -> None:
        close = getattr(self.source, "close", None)
        if callable(close):
            close()
