"""The simulated station camera: the camera model photographing the simulated laptop."""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np

from robotest.sim.camera_model import CameraModel
from robotest.sim.camera_params import CameraParams
from robotest.sim.laptop import SimLaptop
from robotest.sim.paint import SCREEN_H, SCREEN_W


class SimCamera:
    """Frames of *laptop*'s screen as the station camera sees them.

    The noise-free photograph is computed once per screen picture; every ``grab()``
    adds fresh sensor noise, so consecutive frames differ like a live camera's.
    """

    def __init__(
        self,
        laptop: SimLaptop,
        seed: int = 0,
        params: CameraParams | None = None,
        frame_size: tuple[int, int] = (2448, 2048),
    ) -> None:
        self.laptop = laptop
        self.model = CameraModel(
            screen_size=(SCREEN_W, SCREEN_H), frame_size=frame_size, seed=seed, params=params
        )
        self._key: Hashable = None
        self._clean: np.ndarray | None = None

    @property
    def frame_size(self) -> tuple[int, int]:
        return self.model.frame_size

    @property
    def screen_corners(self) -> np.ndarray:
        """Ground truth screen corners in the frame (TL, TR, BR, BL)."""
        return self.model.screen_corners

    def grab(self) -> np.ndarray:
        """The current camera frame (uint8 BGR, frame_h x frame_w x 3)."""
        key, screen = self.laptop.snapshot()
        if key != self._key or self._clean is None:
            self._clean = self.model.expose(screen)
            self._key = key
        return self.model.add_noise(self._clean)
